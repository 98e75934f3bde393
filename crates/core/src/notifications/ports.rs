//! What notifications need from storage.

use super::model::{CommunityDelivery, HeldNotice, NewNotice, Notice};
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

    /// The person's choice for community notices (never chosen: immediate).
    async fn community_delivery(&self, user: UserId) -> PortResult<CommunityDelivery>;

    async fn set_community_delivery(
        &self,
        user: UserId,
        delivery: CommunityDelivery,
        at: OffsetDateTime,
    ) -> PortResult<()>;

    /// Which of these people take community notices once a day.
    async fn digest_takers(&self, users: &[UserId]) -> PortResult<Vec<UserId>>;

    /// Keeps the notices aside for their people's next digest.
    async fn hold_notices(&self, notices: &[NewNotice], at: OffsetDateTime) -> PortResult<()>;

    /// People with held notices no digest has taken yet.
    async fn people_with_held(&self) -> PortResult<Vec<UserId>>;

    /// How many of the user's held notices wait, and the newest one's id.
    async fn waiting_held(&self, user: UserId) -> PortResult<(u64, i64)>;

    /// In one transaction: puts `digest` in the inbox unless its `(user, once_key)` is there,
    /// and only if it went in, gives the held notices up to `up_to` to `day`. True when this
    /// call made the digest (another process racing it finds the key taken and changes nothing).
    async fn insert_digest(
        &self,
        digest: &NewNotice,
        day: &str,
        up_to: i64,
        at: OffsetDateTime,
    ) -> PortResult<bool>;

    /// The notices a day's digest took, oldest first.
    async fn digest_notices(&self, user: UserId, day: &str) -> PortResult<Vec<HeldNotice>>;
}
