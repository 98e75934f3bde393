//! What targets need from storage.

use super::model::{StatusCount, Target, TargetChange};
use crate::ids::{TermId, UnitId, UserId};
use crate::planning::FiscalYear;
use crate::ports::PortResult;
use async_trait::async_trait;
use time::{Date, OffsetDateTime};

#[async_trait]
pub trait TargetStore: Send + Sync {
    /// Every target of the year for the category (None: the all-categories targets).
    async fn targets_of_year(
        &self,
        year: FiscalYear,
        category: Option<TermId>,
    ) -> PortResult<Vec<Target>>;

    /// Sets and removes targets of the year and category, all or nothing.
    async fn change_targets(
        &self,
        year: FiscalYear,
        category: Option<TermId>,
        changes: &[TargetChange],
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<()>;

    /// Items of `units` in the year, per unit and status, in ONE grouped query
    /// (`GROUP BY unit_id, status`); with a category, only items filed under it.
    async fn item_status_counts(
        &self,
        units: &[UnitId],
        year: FiscalYear,
        category: Option<TermId>,
    ) -> PortResult<Vec<StatusCount>>;

    /// Targets of any year and category due between `from` and `to` inclusive.
    async fn targets_due_between(&self, from: Date, to: Date) -> PortResult<Vec<Target>>;

    /// Active accounts holding a role granted on `unit` itself that may `ManageKnowledge`
    /// there (its KM officers and unit administrators).
    async fn unit_officers(&self, unit: UnitId) -> PortResult<Vec<UserId>>;
}
