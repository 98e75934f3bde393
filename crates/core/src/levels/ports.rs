//! What success levels need from storage.

use super::model::{LevelRecord, UnitActivity};
use crate::ids::UnitId;
use crate::ports::{AuditEntry, PortResult};
use async_trait::async_trait;

#[async_trait]
pub trait LevelStore: Send + Sync {
    /// Every confirmed level of the year, of every unit (at most five a unit): one query that
    /// serves a unit, its children and the dashboard's hundreds of units alike.
    async fn levels_of_year(&self, fiscal_year: i32) -> PortResult<Vec<LevelRecord>>;
    /// What each unit itself did in the year (items submitted or published, innovations
    /// published, "นำไปใช้แล้ว" reports on them), one row per unit with anything; the caller
    /// adds subtrees up.
    async fn activity_of_year(&self, fiscal_year: i32) -> PortResult<Vec<UnitActivity>>;
    /// Stores a confirmation and its audit entry in one transaction; Conflict when the level
    /// is already confirmed for the unit and year.
    async fn confirm_level(&self, record: &LevelRecord, audit: AuditEntry) -> PortResult<()>;
    /// Removes a confirmation (and writes the audit entry); false when there was none.
    async fn withdraw_level(
        &self,
        unit: UnitId,
        fiscal_year: i32,
        level: u8,
        audit: AuditEntry,
    ) -> PortResult<bool>;
}
