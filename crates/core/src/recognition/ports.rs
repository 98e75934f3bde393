//! What the recognition context needs from storage.

use crate::ids::UserId;
use crate::ports::PortResult;
use async_trait::async_trait;
use std::collections::HashMap;
use time::OffsetDateTime;

/// Owned by the recognition context: praise, one row per person per target (`praise`), badges
/// (`badges`) and profile choices (`profile_prefs`).
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

    /// Counts for the badge rule (plain counts over items, innovation reports and lessons;
    /// accepted answers come from the communities context).
    async fn badge_counts(&self, user: UserId) -> PortResult<(u64, u64, u64)>;
    /// Stores badges not yet held (`badges`), keeping the first date of those held; safe when
    /// several processes award the same badge at once. Returns how many were new.
    async fn award_badges(
        &self,
        user: UserId,
        keys: &[&str],
        at: OffsetDateTime,
    ) -> PortResult<u64>;
    /// The badges held, keys and when first earned, oldest first.
    async fn badges_of(&self, user: UserId) -> PortResult<Vec<(String, OffsetDateTime)>>;
    /// What the person chose to show: (unit, badges, items); None when never chosen.
    async fn profile_prefs(&self, user: UserId) -> PortResult<Option<(bool, bool, bool)>>;
    async fn set_profile_prefs(
        &self,
        user: UserId,
        prefs: (bool, bool, bool),
        at: OffsetDateTime,
    ) -> PortResult<()>;
    /// Everyone who could hold a badge: creators of published items and authors of accepted
    /// answers (every badge needs one or the other). The sweep refreshes them.
    async fn badge_candidates(&self) -> PortResult<Vec<UserId>>;
    /// Items published in `units` from `from` (inclusive) to `to`, with their lessons
    /// template and whether they are innovations (the sharing report; counts, no people).
    async fn published_between(
        &self,
        units: &[crate::ids::UnitId],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> PortResult<Vec<super::sharing::SharedItem>>;
}
