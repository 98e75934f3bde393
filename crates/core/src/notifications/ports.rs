//! What notifications need from storage.

use super::model::{NewNotice, Notice};
use crate::ids::{NoticeId, UserId};
use crate::ports::{Page, PortResult};
use async_trait::async_trait;
use time::OffsetDateTime;

#[async_trait]
pub trait NoticeStore: Send + Sync {
    /// Puts the notices in their inboxes in one transaction; one whose `(user, once_key)` is
    /// already there is left out (on both engines, also when another process races).
    /// Returns how many were added.
    async fn insert_notices(&self, notices: &[NewNotice], at: OffsetDateTime) -> PortResult<u64>;

    /// One indexed COUNT.
    async fn unread_notices(&self, user: UserId) -> PortResult<u64>;

    /// Newest first.
    async fn list_notices(
        &self,
        user: UserId,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Notice>>;

    /// The user's notice (None when it is not theirs), marked read if it was not.
    async fn open_notice(
        &self,
        user: UserId,
        id: NoticeId,
        at: OffsetDateTime,
    ) -> PortResult<Option<Notice>>;

    /// Marks every unread notice of the user read; how many.
    async fn read_all_notices(&self, user: UserId, at: OffsetDateTime) -> PortResult<u64>;
}
