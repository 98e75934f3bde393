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
        safe_link(&self.link)
    }
}

/// A link when it is a path on this site, else the inbox.
pub fn safe_link(l: &str) -> &str {
    if l.starts_with('/') && !l.starts_with("//") && !l.contains('\\') {
        l
    } else {
        "/notifications"
    }
}

/// Kinds of notices a person may take once a day instead: everything communities send.
pub const COMMUNITY_PREFIX: &str = "community_";
/// The day's summary notice (its kind does not start with [`COMMUNITY_PREFIX`]: it is never
/// held itself).
pub const DIGEST_KIND: &str = "digest";
/// Bangkok hour from which the day's digest goes out.
pub const DIGEST_HOUR: u8 = 7;

/// How a person receives community notices in the inbox (e-mail is not sent either way).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CommunityDelivery {
    /// Each notice in the inbox as it happens.
    #[default]
    Immediate,
    /// Kept aside; one summary a day after [`DIGEST_HOUR`].
    Digest,
}

impl CommunityDelivery {
    pub const ALL: [CommunityDelivery; 2] =
        [CommunityDelivery::Immediate, CommunityDelivery::Digest];

    pub fn as_str(self) -> &'static str {
        match self {
            CommunityDelivery::Immediate => "immediate",
            CommunityDelivery::Digest => "digest",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            CommunityDelivery::Immediate => "แจ้งทันที",
            CommunityDelivery::Digest => "สรุปวันละครั้ง",
        }
    }

    /// Parse, don't validate: anything else is refused with a Thai message for the field.
    pub fn parse(s: &str) -> Result<Self, crate::error::FieldError> {
        match s.trim() {
            "immediate" => Ok(CommunityDelivery::Immediate),
            "digest" => Ok(CommunityDelivery::Digest),
            _ => Err(crate::error::FieldError::new(
                "community",
                "กรุณาเลือก แจ้งทันที หรือ สรุปวันละครั้ง",
            )),
        }
    }
}

/// Whether a notice of this kind may be held for the digest.
pub fn is_community_kind(kind: &str) -> bool {
    kind.starts_with(COMMUNITY_PREFIX)
}

/// A community notice kept aside for a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldNotice {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub link: String,
    pub created_at: OffsetDateTime,
}

impl HeldNotice {
    pub fn safe_link(&self) -> &str {
        safe_link(&self.link)
    }
}

/// The Bangkok day whose digest may go out at `now` (`YYYY-MM-DD`); None before
/// [`DIGEST_HOUR`] there.
pub fn digest_day(now: OffsetDateTime) -> Option<String> {
    let local = now.to_offset(crate::text::BANGKOK);
    (local.hour() >= DIGEST_HOUR).then(|| {
        let d = local.date();
        format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
    })
}

/// A day as the digest's link carries it, checked (`YYYY-MM-DD`, a real date).
pub fn parse_day(s: &str) -> Option<String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt)
        .ok()
        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()))
}

/// The summary's one sentence.
pub fn digest_title(n: u64) -> String {
    format!("สรุปความเคลื่อนไหวในชุมชนวันนี้: {n} รายการ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_digest_day_starts_at_seven_in_bangkok() {
        // 23:59 UTC on the 3rd is 06:59 on the 4th in Bangkok: not yet.
        assert_eq!(digest_day(datetime!(2026-12-03 23:59 UTC)), None);
        assert_eq!(
            digest_day(datetime!(2026-12-04 00:00 UTC)).as_deref(),
            Some("2026-12-04")
        );
        // 20:00 UTC is 03:00 the next day in Bangkok: that day's digest waits for 07:00.
        assert_eq!(digest_day(datetime!(2026-12-04 20:00 UTC)), None);
        assert_eq!(
            digest_day(datetime!(2026-12-04 16:59 UTC)).as_deref(),
            Some("2026-12-04")
        );
    }

    #[test]
    fn only_community_kinds_are_held_and_choices_parse() {
        assert!(is_community_kind("community_reply"));
        assert!(!is_community_kind(DIGEST_KIND));
        assert!(!is_community_kind("plan_approved"));
        assert_eq!(
            CommunityDelivery::parse("digest"),
            Ok(CommunityDelivery::Digest)
        );
        assert!(CommunityDelivery::parse("weekly").is_err());
        assert_eq!(parse_day("2026-12-04").as_deref(), Some("2026-12-04"));
        assert_eq!(parse_day("2026-02-30"), None);
        assert_eq!(parse_day("../x"), None);
    }
}
