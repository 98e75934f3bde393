//! What the registry needs from storage.

use super::model::{AppliedFields, AppliedReport, Catalogue, InnovationCount, InnovationRow};
use crate::ids::{ItemId, UnitId, UserId};
use crate::ports::{Page, PortResult, Readable};
use async_trait::async_trait;
use time::OffsetDateTime;

/// Which innovations a list reads: the reader's filters, published only or not, and what the
/// reader may see (None: everything, for site administrators).
#[derive(Debug, Clone, Default)]
pub struct InnovationQuery {
    pub filters: Catalogue,
    pub published_only: bool,
    pub readable: Option<Readable>,
    /// Owning units to keep (a subtree), None for all.
    pub units: Option<Vec<UnitId>>,
    /// Most "นำไปใช้แล้ว" reports first (then newest), instead of newest first.
    pub most_applied: bool,
}

/// The projection table and the applied reports.
#[async_trait]
pub trait InnovationStore: Send + Sync {
    /// Writes an innovation's row (insert or replace), keeping its applied count.
    async fn put_innovation(&self, row: &InnovationRow) -> PortResult<()>;
    /// Forgets an item that is no longer an innovation; nothing if it never was.
    async fn remove_innovation(&self, item: ItemId) -> PortResult<()>;
    async fn get_innovation(&self, item: ItemId) -> PortResult<Option<InnovationRow>>;
    /// A page of innovations, newest publication (then newest change) first.
    async fn list_innovations(
        &self,
        q: &InnovationQuery,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<InnovationRow>>;
    /// Published innovations counted by branch and regional centre.
    async fn count_innovations(
        &self,
        units: Option<&[UnitId]>,
        fiscal_year: Option<i32>,
    ) -> PortResult<Vec<InnovationCount>>;
    /// Applied reports on published innovations of these units and year.
    async fn count_applied(
        &self,
        units: Option<&[UnitId]>,
        fiscal_year: Option<i32>,
    ) -> PortResult<u64>;
    /// Stores a report and raises the innovation's applied count, in one transaction.
    async fn insert_applied(
        &self,
        item: ItemId,
        by: UserId,
        report: &AppliedFields,
        at: OffsetDateTime,
    ) -> PortResult<i64>;
    /// An innovation's reports, newest first, with the reporters' display names.
    async fn applied_reports(
        &self,
        item: ItemId,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<AppliedReport>>;
}
