//! What the import needs from storage: many innovations written in one transaction.

use crate::ids::ItemId;
use crate::item::Item;
use crate::ports::{AuditEntry, IndexChange, PortResult};
use async_trait::async_trait;

/// One innovation of an import, ready to write.
#[derive(Debug, Clone)]
pub struct NewInnovation {
    /// The item with id 0; the store assigns the id.
    pub item: Item,
    /// Version 1's note in the item's history.
    pub note: String,
    /// The search entry (its item id is set by the store) or `Remove` for an unpublished one.
    pub index: IndexChange,
}

#[async_trait]
pub trait RegistryImportStore: Send + Sync {
    /// Writes every innovation (item, terms, version 1, search entry) and the audit entry in
    /// ONE database transaction: all are saved, or — on any error — none. Returns the new ids
    /// in the order given.
    async fn import_innovations(
        &self,
        batch: &[NewInnovation],
        audit: &AuditEntry,
    ) -> PortResult<Vec<ItemId>>;
}
