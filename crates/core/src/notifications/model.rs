//! Notices.

use crate::ids::{NoticeId, UserId};
use time::OffsetDateTime;

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

/// A notice in someone's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: NoticeId,
    pub user: UserId,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

impl Notice {
    /// Where opening the notice goes: its link when it is a path on this site, else the inbox.
    pub fn safe_link(&self) -> &str {
        let l = self.link.as_str();
        if l.starts_with('/') && !l.starts_with("//") && !l.contains('\\') {
            l
        } else {
            "/notifications"
        }
    }
}
