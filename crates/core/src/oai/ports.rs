//! What the OAI-PMH repository needs from storage: one query over items, walked in
//! (datestamp, id) order so a harvest pages stably while items change.

use crate::ids::{ItemId, TermId, UnitId};
use crate::item::{Item, ItemStatus, Visibility};
use crate::ports::PortResult;
use async_trait::async_trait;

/// Which items a list takes. Built by the service from the protocol's rules
/// ([`super::model::disclosed`]); the store only filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiQuery {
    /// Items in one of these statuses …
    pub statuses: Vec<ItemStatus>,
    /// … and with this visibility.
    pub visibility: Visibility,
    /// Owned by one of these units (a unit set: the unit and those below it).
    pub units: Option<Vec<UnitId>>,
    /// Carrying one of these terms (a topic set).
    pub terms: Option<Vec<TermId>>,
    /// In the innovation registry only.
    pub innovations: bool,
    /// Datestamp (Unix ms) at or after this …
    pub from_ms: Option<i64>,
    /// … and before this (exclusive).
    pub until_ms: Option<i64>,
    /// Strictly after this (datestamp ms, id).
    pub after: Option<(i64, ItemId)>,
    pub limit: u64,
}

/// One item as the repository shows it.
#[derive(Debug, Clone)]
pub struct OaiRow {
    pub item: Item,
    /// When the item's public record last changed, Unix ms (the items' `updated_ms`).
    pub stamp_ms: i64,
    /// Media types of the files readers see now.
    pub mimes: Vec<String>,
    /// In the innovation registry (บัญชีนวัตกรรม).
    pub innovation: bool,
}

#[async_trait]
pub trait OaiStore: Send + Sync {
    /// Up to `limit` rows in (stamp, id) order.
    async fn oai_page(&self, q: &OaiQuery) -> PortResult<Vec<OaiRow>>;
    /// How many rows the query takes, ignoring `after` and `limit` (completeListSize).
    async fn oai_count(&self, q: &OaiQuery) -> PortResult<u64>;
    /// One item whatever its status (the service decides whether it is disclosed).
    async fn oai_item(&self, id: ItemId) -> PortResult<Option<OaiRow>>;
    /// The smallest stamp among the query's rows.
    async fn oai_earliest_ms(&self, q: &OaiQuery) -> PortResult<Option<i64>>;
}
