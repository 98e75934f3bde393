//! Notices.

use crate::ids::UserId;

/// A notice to one person, as another context asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotice {
    pub user: UserId,
    /// What happened, for filtering and icons: `plan_submitted`, `plan_approved`,
    /// `plan_returned`, `plan_commented`, `target_due_14`, `target_due_3`, `item_screened` …
    pub kind: String,
    /// One Thai sentence.
    pub title: String,
    /// Where the notice leads (a path on this site).
    pub link: String,
    /// A notice with the same key for the same person is sent once only, however many
    /// processes try (reminders).
    pub once_key: Option<String>,
}
