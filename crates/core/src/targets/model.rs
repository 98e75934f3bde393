//! Targets and their progress.

use crate::ids::UnitId;
use time::Date;

/// One unit's progress against its targets for a year, its own and its subtree's rolled up
/// (see [`crate::planning::progress::TARGET_RULE`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub unit_id: UnitId,
    /// Items required (people × items per person), summed over the targets counted.
    pub required: u64,
    /// Items submitted for screening (and not rejected or withdrawn) or published.
    pub submitted: u64,
    pub published: u64,
    /// Published, capped per target at what it requires, summed: what the percentage uses.
    pub counted: u64,
    /// The earliest due date among targets not yet met.
    pub due: Option<Date>,
    /// Days past `due` when overdue and not met.
    pub days_late: Option<i64>,
}

impl Progress {
    /// Nothing required, nothing counted yet.
    pub fn empty(unit_id: UnitId) -> Self {
        Self {
            unit_id,
            required: 0,
            submitted: 0,
            published: 0,
            counted: 0,
            due: None,
            days_late: None,
        }
    }

    pub fn percent(&self) -> Option<u8> {
        crate::planning::progress::target_percent(self.counted, self.required)
    }
}

/// A unit's progress and each child's, for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressReport {
    pub root: Progress,
    pub children: Vec<Progress>,
}
