//! What the recognition context needs from storage.

use crate::ids::UserId;
use crate::ports::PortResult;
use async_trait::async_trait;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Owned by the recognition context: praise, one row per person per target (`praise`).
#[async_trait]
pub trait RecognitionStore: Send + Sync {
    /// Adds the user's praise of `target` (`item:5`), or takes it back when already given.
    /// Returns whether the target is now praised by the user.
    async fn toggle_praise(
        &self,
        target: &str,
        user: UserId,
        at: OffsetDateTime,
    ) -> PortResult<bool>;
    /// Per target key: how many people praised it, and whether `reader` is one of them.
    async fn praise_counts(
        &self,
        targets: &[String],
        reader: Option<UserId>,
    ) -> PortResult<HashMap<String, (u64, bool)>>;
}
