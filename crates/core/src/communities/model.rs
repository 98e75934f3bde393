//! The communities context's types and rules (no I/O): who may read, post, moderate and
//! accept answers; what a name, title, body and report reason may be; mentions; rate limits.

use crate::error::FieldError;
use crate::ids::{CommunityId, FileId, ItemId, PostId, ThreadId, UnitId, UserId};
use crate::text::{grapheme_len, tidy};
use time::{Duration, OffsetDateTime};

/// A person's place in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Asked to join a members-only community; reads nothing yet.
    Pending,
    Member,
    /// คุณอำนวย: moderates, manages members, approves requests.
    Facilitator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Pending => "pending",
            Role::Member => "member",
            Role::Facilitator => "facilitator",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Role::Pending),
            "member" => Some(Role::Member),
            "facilitator" => Some(Role::Facilitator),
            _ => None,
        }
    }
    pub fn label_th(self) -> &'static str {
        match self {
            Role::Pending => "รออนุมัติ",
            Role::Member => "สมาชิก",
            Role::Facilitator => "คุณอำนวย",
        }
    }
}

/// What one reader may do in one community, decided from its openness and their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub signed_in: bool,
    pub members_only: bool,
    pub role: Option<Role>,
    /// A site administrator moderates everywhere.
    pub site_admin: bool,
}

impl Access {
    fn joined(&self) -> bool {
        matches!(self.role, Some(Role::Member | Role::Facilitator))
    }
    /// Threads, posts, counts and files: everyone for an open community; members only else.
    pub fn may_read(&self) -> bool {
        !self.members_only || self.joined() || self.site_admin
    }
    /// Start threads, reply, report: members (and facilitators) only.
    pub fn may_post(&self) -> bool {
        self.signed_in && self.joined()
    }
    pub fn may_moderate(&self) -> bool {
        self.signed_in && (self.role == Some(Role::Facilitator) || self.site_admin)
    }
    /// Join at once (open) or ask to (members-only): signed in and not in it yet.
    pub fn may_join(&self) -> bool {
        self.signed_in && self.role.is_none()
    }
    /// The asker or a facilitator chooses accepted answers.
    pub fn may_accept(&self, is_asker: bool) -> bool {
        self.may_moderate() || (is_asker && self.may_post())
    }
    /// Turning a question into an item: the asker (still a member) or a facilitator.
    pub fn may_make_item(&self, is_asker: bool) -> bool {
        self.may_accept(is_asker)
    }
}

/// A facilitator may not leave or be removed when they are the last one: a community
/// without a facilitator could no longer be moderated.
pub fn may_drop_facilitator(facilitators: usize) -> bool {
    facilitators > 1
}

/// Question (คำถาม) or discussion (พูดคุย).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadKind {
    Question,
    Discussion,
}

impl ThreadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ThreadKind::Question => "question",
            ThreadKind::Discussion => "discussion",
        }
    }
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "question" | "" => Ok(ThreadKind::Question),
            "discussion" => Ok(ThreadKind::Discussion),
            _ => Err(FieldError::new("kind", "กรุณาเลือกว่าเป็นคำถามหรือการพูดคุย")),
        }
    }
    pub fn label_th(self) -> &'static str {
        match self {
            ThreadKind::Question => "คำถาม",
            ThreadKind::Discussion => "พูดคุย",
        }
    }
}

fn no_controls(key: &'static str, label: &str, v: &str, multiline: bool) -> Result<(), FieldError> {
    if v.chars()
        .any(|c| crate::field::is_refused_control(c) && !(multiline && (c == '\n' || c == '\r')))
    {
        return Err(FieldError::new(
            key,
            format!("{label}มีอักขระควบคุมที่มองไม่เห็น — กรุณาลบออก"),
        ));
    }
    Ok(())
}

/// One line of text, trimmed, 1..=max graphemes.
pub fn line(key: &'static str, label: &str, v: &str, max: usize) -> Result<String, FieldError> {
    no_controls(key, label, v, false)?;
    let s = tidy(v);
    if s.is_empty() {
        return Err(FieldError::new(key, format!("กรุณากรอก{label}")));
    }
    if grapheme_len(&s) > max {
        return Err(FieldError::new(key, format!("{label}ยาวเกิน {max} ตัวอักษร")));
    }
    Ok(s)
}

/// Markdown as typed, 1..=max graphemes (`required`), or empty when not.
pub fn text_block(
    key: &'static str,
    label: &str,
    v: &str,
    max: usize,
    required: bool,
) -> Result<String, FieldError> {
    no_controls(key, label, v, true)?;
    let s = v.replace("\r\n", "\n").trim().to_string();
    if s.is_empty() && required {
        return Err(FieldError::new(key, format!("กรุณากรอก{label}")));
    }
    if grapheme_len(&s) > max {
        return Err(FieldError::new(
            key,
            format!("{label}ยาวเกิน {max} ตัวอักษร — แบ่งเป็นหลายข้อความหรือแนบเป็นไฟล์"),
        ));
    }
    Ok(s)
}

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5_000;
pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;
pub const REASON_MAX: usize = 300;

/// Usernames mentioned as `@name` (letters, digits, `.`, `_`, `-`), each once, in order;
/// an `@` inside a word (an e-mail address) is not a mention.
pub fn mentions(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in body.char_indices() {
        if c == '@' && !prev.is_some_and(|p| p.is_alphanumeric() || p == '.' || p == '_') {
            let rest = &body[i + 1..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
                .collect();
            let name = name.trim_end_matches(['.', '-']).to_lowercase();
            if !name.is_empty() && !out.contains(&name) && out.len() < 20 {
                out.push(name);
            }
        }
        prev = Some(c);
    }
    out
}

/// At most this many new threads per person per hour …
pub const THREADS_PER_HOUR: u64 = 5;
/// … and this many posts (threads' openings and replies) per person per ten minutes.
pub const POSTS_PER_10_MIN: u64 = 20;

/// The window and limit of one kind of write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub window: Duration,
    pub max: u64,
}

pub const THREAD_LIMIT: RateLimit = RateLimit {
    window: Duration::hours(1),
    max: THREADS_PER_HOUR,
};
pub const POST_LIMIT: RateLimit = RateLimit {
    window: Duration::minutes(10),
    max: POSTS_PER_10_MIN,
};

impl RateLimit {
    /// `recent` are the person's writes inside the window (oldest first). When the limit is
    /// reached, the time the oldest leaves the window: the earliest next try.
    pub fn retry_at(&self, recent: &[OffsetDateTime]) -> Option<OffsetDateTime> {
        if (recent.len() as u64) < self.max {
            return None;
        }
        let k = recent.len() - self.max as usize;
        recent.get(k).map(|t| *t + self.window)
    }
}

/// A community as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Community {
    pub id: CommunityId,
    pub unit_id: UnitId,
    pub name: String,
    pub description: String,
    pub members_only: bool,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub activity_at: OffsetDateTime,
}

/// A thread as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: ThreadId,
    pub community_id: CommunityId,
    pub kind: ThreadKind,
    pub title: String,
    pub author_id: UserId,
    pub created_at: OffsetDateTime,
    pub activity_at: OffsetDateTime,
    pub item_id: Option<ItemId>,
    /// Visible and hidden replies (not the opening post).
    pub replies: u64,
}

/// A post as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub id: PostId,
    pub thread_id: ThreadId,
    pub author_id: UserId,
    pub body: String,
    pub opening: bool,
    pub accepted: bool,
    /// Hidden by a facilitator, with the reason readers see.
    pub hidden_reason: Option<String>,
    pub created_at: OffsetDateTime,
}

/// A file attached to a post (its content is a blob, stored once per SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFile {
    pub id: FileId,
    pub post_id: PostId,
    pub name: String,
    pub mime: String,
    pub kind: String,
    pub size: u64,
    pub sha256: String,
}

/// A member row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub user_id: UserId,
    pub role: Role,
}

/// An open report of a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: i64,
    pub post_id: PostId,
    pub thread_id: ThreadId,
    pub thread_title: String,
    pub reporter_id: UserId,
    pub reason: String,
    pub created_at: OffsetDateTime,
}

/// The file kinds a post may carry: pictures and documents (no video, audio or archives).
/// Attached pictures are kept at most this many pixels on the long edge (a phone screen's
/// worth, light on 3G), as a copy without metadata.
pub const PICTURE_LONG_EDGE: u32 = 2048;

pub fn attachment_kind_allowed(kind: crate::file::FileKind) -> bool {
    use crate::file::FileKind::*;
    matches!(kind, Pdf | Word | Excel | PowerPoint | OpenDocument | Image)
}

/// Largest attachment.
pub const FILE_LIMIT: u64 = 10 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn access(members_only: bool, role: Option<Role>, signed_in: bool) -> Access {
        Access {
            signed_in,
            members_only,
            role,
            site_admin: false,
        }
    }

    #[test]
    fn open_communities_are_read_by_everyone_but_posted_in_by_members() {
        let anon = access(false, None, false);
        assert!(anon.may_read());
        assert!(!anon.may_post());
        assert!(!anon.may_join());
        let visitor = access(false, None, true);
        assert!(visitor.may_read() && visitor.may_join() && !visitor.may_post());
        assert!(access(false, Some(Role::Member), true).may_post());
    }

    #[test]
    fn members_only_hides_everything_from_non_members_and_pending() {
        for a in [
            access(true, None, false),
            access(true, None, true),
            access(true, Some(Role::Pending), true),
        ] {
            assert!(!a.may_read());
            assert!(!a.may_post());
            assert!(!a.may_moderate());
        }
        assert!(access(true, Some(Role::Member), true).may_read());
        assert!(!access(true, Some(Role::Pending), true).may_join());
    }

    #[test]
    fn asker_or_facilitator_accepts_nobody_else() {
        let member = access(true, Some(Role::Member), true);
        assert!(member.may_accept(true));
        assert!(!member.may_accept(false));
        let fac = access(true, Some(Role::Facilitator), true);
        assert!(fac.may_accept(false) && fac.may_moderate());
        // An asker who left may not accept any more.
        assert!(!access(false, None, true).may_accept(true));
        assert!(!member.may_moderate());
    }

    #[test]
    fn last_facilitator_stays() {
        assert!(!may_drop_facilitator(1));
        assert!(may_drop_facilitator(2));
    }

    #[test]
    fn mentions_are_usernames_after_at_not_emails() {
        assert_eq!(
            mentions("ถาม @somchai และ @Malee.k, ส่ง a@b.com @somchai"),
            vec!["somchai".to_string(), "malee.k".to_string()]
        );
        assert!(mentions("ไม่มี @ ใคร").is_empty());
    }

    #[test]
    fn text_rules_count_thai_graphemes_and_refuse_empty() {
        assert!(line("title", "หัวข้อ", "   ", 10).is_err());
        assert_eq!(line("title", "หัวข้อ", " น้ำ ", 1).unwrap(), "น้ำ");
        assert!(line("title", "หัวข้อ", "น้ำน้ำ", 1).is_err());
        assert!(text_block("body", "ข้อความ", "", 10, true).is_err());
        assert!(text_block("body", "ข้อความ", &"ก".repeat(11), 10, true).is_err());
        assert!(text_block("body", "ข้อความ", "a\u{0}", 10, true).is_err());
    }

    #[test]
    fn rate_limit_says_when_to_try_again() {
        let t0 = datetime!(2026-12-04 10:00 UTC);
        let recent: Vec<_> = (0..5).map(|i| t0 + Duration::minutes(i * 5)).collect();
        assert_eq!(THREAD_LIMIT.retry_at(&recent[..4]), None);
        assert_eq!(
            THREAD_LIMIT.retry_at(&recent),
            Some(t0 + Duration::hours(1))
        );
    }

    #[test]
    fn attachments_are_pictures_and_documents() {
        use crate::file::FileKind;
        assert!(attachment_kind_allowed(FileKind::Pdf));
        assert!(attachment_kind_allowed(FileKind::Image));
        assert!(!attachment_kind_allowed(FileKind::Video));
        assert!(!attachment_kind_allowed(FileKind::Zip));
    }
}
