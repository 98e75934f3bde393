//! The pure rules of judging: weighted totals, declared tie-breaks, z-scores, conflicts.
