//! Success levels (ระดับความสำเร็จ 1–5, seed 000 §1.1) per unit and fiscal year, with
//! evidence, some suggested from the data and confirmed by a person.

pub mod model;
pub mod ports;
pub mod service;

pub use model::{LEVELS, LevelDraft, LevelRecord, UnitActivity, reached};
pub use ports::LevelStore;
pub use service::{LevelStatus, LevelsView};

use crate::ids::UnitId;

/// A unit's level for a year, for overviews (the dashboard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitLevel {
    pub unit_id: UnitId,
    /// The highest level confirmed with all below it (0: none yet).
    pub confirmed: u8,
    /// The highest level the data suggests, when higher than `confirmed`.
    pub suggested: Option<u8>,
}
