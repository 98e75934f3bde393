//! What usage statistics need from storage.

use crate::ids::{ItemId, UnitId};
use crate::ports::{PortResult, Readable};
use async_trait::async_trait;
use std::collections::HashMap;
use time::OffsetDateTime;

use super::model::{Hit, UseCount};

/// A counted use as the store records it.
#[derive(Debug, Clone)]
pub struct Recording {
    pub hit: Hit,
    /// The client's keyed hash for this hit ([`super::Client::fingerprint`]).
    pub fingerprint: String,
    pub at: OffsetDateTime,
    /// Uses by the same fingerprint seen after this are double clicks.
    pub window_start: OffsetDateTime,
    /// `yyyymmdd`, Bangkok time.
    pub day: i64,
}

/// One unit's counts in one month (`yyyymm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitMonth {
    pub unit_id: UnitId,
    pub month: i64,
    pub views: u64,
    pub downloads: u64,
}

/// An item with its counts over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemUse {
    pub item_id: ItemId,
    pub title: String,
    pub unit_id: UnitId,
    pub views: u64,
    pub downloads: u64,
}

/// Owned by usage statistics: daily counts per item and file (`usage_daily`), the double-click
/// window (`usage_recent`: a keyed hash and when it was last seen, nothing else) and the
/// window's secret (`usage_secret`).
#[async_trait]
pub trait UsageStore: Send + Sync {
    /// The secret the fingerprints are keyed with: made once for the whole database, the same
    /// for every process (the first to ask makes it; the others read it).
    async fn usage_secret(&self, fresh: &str) -> PortResult<String>;
    /// Counts `r` unless its item is not published now (a draft, a submission, an archived
    /// item: nothing is recorded) or its fingerprint was seen since `window_start` (a double
    /// click: the window restarts, nothing is counted). Safe when several processes record the
    /// same client at once: exactly one of them counts. Also forgets fingerprints last seen
    /// before `window_start`. Returns whether it counted.
    async fn record_use(&self, r: &Recording) -> PortResult<bool>;
    /// Forgets fingerprints last seen before `before`; returns how many.
    async fn forget_seen_before(&self, before: OffsetDateTime) -> PortResult<u64>;
    /// All-time counts of these items (views of their page, downloads of any of their files).
    async fn use_counts(&self, items: &[ItemId]) -> PortResult<HashMap<ItemId, UseCount>>;
    /// Counts per owning unit (the item's unit now) and month over days `[from, to)` of items
    /// owned by `units`.
    async fn use_by_unit_month(
        &self,
        units: &[UnitId],
        from: i64,
        to: i64,
    ) -> PortResult<Vec<UnitMonth>>;
    /// The most viewed items (then most downloaded) as `q` asks.
    async fn top_items(&self, q: &TopQuery) -> PortResult<Vec<ItemUse>>;
}

/// Which items a top list ranks.
#[derive(Debug, Clone, Default)]
pub struct TopQuery {
    /// Items owned by these units now (None: any unit).
    pub units: Option<Vec<UnitId>>,
    /// Only what this reader may read among published items (None: no such limit).
    pub readable: Option<Readable>,
    /// Only items published now (a visitor's list); otherwise any item counted in the period
    /// (an officer's report of their units, archived items included).
    pub published_only: bool,
    /// Days `[from, to)` as `yyyymmdd`.
    pub from: i64,
    pub to: i64,
    pub limit: u64,
}
