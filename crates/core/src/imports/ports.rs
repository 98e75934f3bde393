//! What imports need from storage: the staged uploads, and the key each imported item
//! carries (written in the same transaction as the item, so a key never exists without its
//! item nor an item twice for one key).

use super::model::{Import, ImportId, NewImport};
use crate::ids::{ItemId, UserId};
use crate::item::Item;
use crate::jobs::JobId;
use crate::ports::PortResult;
use async_trait::async_trait;

/// An item found by its import key, and the import that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyed {
    pub key: String,
    pub item: ItemId,
    pub import: ImportId,
}

#[async_trait]
pub trait ImportStore: Send + Sync {
    async fn insert_import(&self, import: &NewImport) -> PortResult<Import>;
    /// NotFound when there is no such import.
    async fn get_import(&self, id: ImportId) -> PortResult<Import>;
    /// Sets the job that runs the import if the one set is still `old` (None: no job yet);
    /// false when another was set meanwhile (two presses of the button start one job).
    async fn set_import_job(
        &self,
        id: ImportId,
        old: Option<JobId>,
        job: JobId,
    ) -> PortResult<bool>;
    /// The owner's imports, newest first.
    async fn imports_of(&self, owner: UserId, limit: u64) -> PortResult<Vec<Import>>;
    /// The items already imported under any of `keys`.
    async fn keyed_items(&self, keys: &[String]) -> PortResult<Vec<Keyed>>;
    /// Inserts `item` as a new draft with its first version and `key`, in one transaction;
    /// when `key` is taken (by an earlier import, or another process just now) nothing is
    /// inserted and the item that holds it is returned.
    async fn insert_keyed_item(
        &self,
        item: &Item,
        note: &str,
        key: &str,
        import: ImportId,
    ) -> PortResult<(Keyed, bool)>;
    /// The items an import made, in the order made.
    async fn imported_items(&self, import: ImportId) -> PortResult<Vec<Keyed>>;
}
