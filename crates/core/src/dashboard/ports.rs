//! What the dashboard needs from storage: grouped counts over a subtree's items of one fiscal
//! year, one query per block (never one per unit); the roll-ups are made in memory.

use crate::ids::{TermId, UnitId};
use crate::ports::PortResult;
use async_trait::async_trait;

/// Items of one unit with one status and one knowledge type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemCount {
    pub unit_id: UnitId,
    /// `ItemStatus::as_str`.
    pub status: String,
    /// `KnowledgeType::as_str`.
    pub knowledge_type: String,
    pub count: u64,
}

/// Items carrying one term (None: items carrying none of the terms asked about), published
/// or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermCount {
    pub term: Option<TermId>,
    pub published: bool,
    pub count: u64,
}

#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// Items of the fiscal year (`items.fiscal_year`, BE) owned by `units` (None: every unit),
    /// grouped by unit, status and knowledge type.
    async fn count_items(
        &self,
        units: Option<&[UnitId]>,
        fiscal_year: i32,
    ) -> PortResult<Vec<ItemCount>>;

    /// The same items grouped by which of `terms` they carry (an item with two counts twice),
    /// and whether published; plus the rows with `term: None` for items carrying none of them.
    async fn count_item_terms(
        &self,
        units: Option<&[UnitId]>,
        fiscal_year: i32,
        terms: &[TermId],
    ) -> PortResult<Vec<TermCount>>;
}
