//! Judges, scores, conflicts, results and promotion (use-cases over [`super::JudgingStore`]).
