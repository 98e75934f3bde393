//! What LINE capture needs from outside: its tables, and the LINE Messaging API.

use crate::ids::UserId;
use crate::ports::PortResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Link codes, linked LINE users, and the events already handled.
#[async_trait]
pub trait LineStore: Send + Sync {
    /// Keeps a code (by its hash) for `user`, replacing any earlier one of theirs.
    async fn put_link_code(
        &self,
        user: UserId,
        hash: &str,
        expires: OffsetDateTime,
    ) -> PortResult<()>;
    /// Takes a code that has not expired: the first caller gets its user, once.
    async fn take_link_code(&self, hash: &str, now: OffsetDateTime) -> PortResult<Option<UserId>>;
    /// Links a LINE user to a person (one LINE user per person; relinking replaces).
    async fn link_line_user(
        &self,
        line_user: &str,
        user: UserId,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    async fn user_of_line(&self, line_user: &str) -> PortResult<Option<UserId>>;
    /// When the person's LINE link was made, if there is one.
    async fn line_linked_at(&self, user: UserId) -> PortResult<Option<OffsetDateTime>>;
    async fn unlink_line(&self, user: UserId) -> PortResult<()>;
    /// True the first time an event id is seen (across processes); false for a redelivery.
    async fn first_delivery(&self, event_id: &str, at: OffsetDateTime) -> PortResult<bool>;
}

/// The content of a picture or file a person sent.
pub struct LineContent {
    pub bytes: bytes::Bytes,
    pub content_type: String,
}

/// The two calls khlang makes to LINE.
#[async_trait]
pub trait LineApi: Send + Sync {
    /// Answers a message (a reply token is good once, for a short time).
    async fn reply(&self, reply_token: &str, text: &str) -> PortResult<()>;
    /// The bytes of a message's picture, video, audio or file; reading stops once past
    /// `limit` bytes (the caller refuses such a file).
    async fn content(&self, message_id: &str, limit: u64) -> PortResult<LineContent>;
}
