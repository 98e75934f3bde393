//! What the lessons context needs from storage.

use crate::ids::{ItemId, UserId};
use crate::ports::PortResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Owned by the lessons context: which items were started from which origin (`item_origins`)
/// and which items are lessons of which template (`lesson_items`).
#[async_trait]
pub trait LessonStore: Send + Sync {
    /// Links an item to an origin key (`event:5`); linking twice is not an error.
    async fn link_origin(
        &self,
        item: ItemId,
        origin: &str,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    /// The items linked to an origin, newest link first.
    async fn items_of_origin(&self, origin: &str) -> PortResult<Vec<ItemId>>;
    /// The origins an item was linked to, oldest first.
    async fn origins_of_item(&self, item: ItemId) -> PortResult<Vec<String>>;
    /// Notes that an item is a lesson of `template` started by `by`.
    async fn record_lesson(
        &self,
        item: ItemId,
        template: &str,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    /// The lessons `user` started, newest first, with their template keys.
    async fn lessons_of(&self, user: UserId, limit: u64) -> PortResult<Vec<(ItemId, String)>>;
}
