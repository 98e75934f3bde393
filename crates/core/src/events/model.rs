//! The events context's types and rules (no I/O): what an event is, who may register, when
//! registration is open, who gets a seat and who waits, when one may check oneself in.

use crate::ids::{BoothId, CommunityId, EventId, ItemId, PersonId, RegistrationId, UnitId, UserId};
use crate::text::BANGKOK;
use time::{Duration, OffsetDateTime};

pub use super::form::{BoothDraft, EventDraft, arabic, item_number, local_input, parse_local_time};

/// The kind of an event (ประเภทกิจกรรม).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// วงแลกเปลี่ยนเรียนรู้
    CoLearning,
    /// เวที CoP
    CopForum,
    /// KM สัญจร
    FieldVisit,
    /// ตลาดนัดความรู้ (KM Market): has booths.
    KmMarket,
    /// อบรม/สัมมนา
    Training,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::CoLearning,
        EventKind::CopForum,
        EventKind::FieldVisit,
        EventKind::KmMarket,
        EventKind::Training,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::CoLearning => "co_learning",
            EventKind::CopForum => "cop_forum",
            EventKind::FieldVisit => "field_visit",
            EventKind::KmMarket => "km_market",
            EventKind::Training => "training",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            EventKind::CoLearning => "วงแลกเปลี่ยนเรียนรู้",
            EventKind::CopForum => "เวที CoP",
            EventKind::FieldVisit => "KM สัญจร",
            EventKind::KmMarket => "ตลาดนัดความรู้",
            EventKind::Training => "อบรม/สัมมนา",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// Who may see an event and register for it (กลุ่มเป้าหมาย).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, also without an account.
    Public,
    /// Anyone signed in.
    SignedIn,
    /// People with a role in the unit's subtree.
    Unit(UnitId),
    /// Members of a community of practice.
    Community(CommunityId),
}

impl Audience {
    pub fn kind(&self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::SignedIn => "signed_in",
            Audience::Unit(_) => "unit",
            Audience::Community(_) => "community",
        }
    }

    /// The unit or community the audience names, as stored.
    pub fn reference(&self) -> Option<i64> {
        match self {
            Audience::Unit(u) => Some(u.0),
            Audience::Community(c) => Some(c.0),
            _ => None,
        }
    }

    /// Reads what [`Audience::kind`] and [`Audience::reference`] wrote.
    pub fn from_parts(kind: &str, reference: Option<i64>) -> Option<Self> {
        match (kind, reference) {
            ("public", _) => Some(Audience::Public),
            ("signed_in", _) => Some(Audience::SignedIn),
            ("unit", Some(u)) => Some(Audience::Unit(UnitId(u))),
            ("community", Some(c)) => Some(Audience::Community(CommunityId(c))),
            _ => None,
        }
    }

    pub fn label_th(&self) -> &'static str {
        match self {
            Audience::Public => "ทุกคน (ไม่ต้องมีบัญชี)",
            Audience::SignedIn => "ผู้ที่เข้าสู่ระบบ",
            Audience::Unit(_) => "บุคลากรของหน่วยงานและหน่วยงานในสังกัด",
            Audience::Community(_) => "สมาชิกชุมชนนักปฏิบัติ",
        }
    }
}

/// One row of the agenda (กำหนดการ).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AgendaRow {
    pub time: String,
    pub topic: String,
    #[serde(default)]
    pub speaker: String,
}

/// What an organiser decides about an event, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFields {
    pub title: String,
    pub kind: EventKind,
    pub unit_id: UnitId,
    pub description: String,
    pub place: String,
    /// https only.
    pub online_url: Option<String>,
    pub starts_at: OffsetDateTime,
    pub ends_at: OffsetDateTime,
    /// None: no limit.
    pub capacity: Option<u32>,
    /// Whether people may wait for a seat when the event is full.
    pub waitlist: bool,
    pub opens_at: Option<OffsetDateTime>,
    /// None: registration closes when the event starts.
    pub closes_at: Option<OffsetDateTime>,
    pub audience: Audience,
    pub agenda: Vec<AgendaRow>,
}

/// An event (กิจกรรม) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub fields: EventFields,
    /// The secret of the event's own check-in QR code (registrants check themselves in).
    pub checkin_secret: String,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub cancelled_at: Option<OffsetDateTime>,
}

impl Event {
    /// When registration closes: the set time, or the start.
    pub fn closes_at(&self) -> OffsetDateTime {
        self.fields.closes_at.unwrap_or(self.fields.starts_at)
    }
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegStatus {
    /// ได้ที่นั่ง
    Confirmed,
    /// รอคิว
    Waitlisted,
    /// ยกเลิกโดยผู้ลงทะเบียน
    Cancelled,
    /// ผู้จัดนำออก
    Removed,
}

impl RegStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RegStatus::Confirmed => "confirmed",
            RegStatus::Waitlisted => "waitlisted",
            RegStatus::Cancelled => "cancelled",
            RegStatus::Removed => "removed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            RegStatus::Confirmed,
            RegStatus::Waitlisted,
            RegStatus::Cancelled,
            RegStatus::Removed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
    pub fn label_th(self) -> &'static str {
        match self {
            RegStatus::Confirmed => "ได้ที่นั่งแล้ว",
            RegStatus::Waitlisted => "อยู่ในรายชื่อรอ",
            RegStatus::Cancelled => "ยกเลิกแล้ว",
            RegStatus::Removed => "ผู้จัดนำออกจากรายชื่อ",
        }
    }
    /// Confirmed or waiting: holds a place in the lists.
    pub fn is_active(self) -> bool {
        matches!(self, RegStatus::Confirmed | RegStatus::Waitlisted)
    }
}

/// How an attendance was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckinHow {
    /// An organiser opened the registrant's ticket QR.
    QrTicket,
    /// The registrant opened the event's check-in QR.
    SelfQr,
    /// An organiser ticked the attendance list.
    ByHand,
}

impl CheckinHow {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckinHow::QrTicket => "qr_ticket",
            CheckinHow::SelfQr => "self_qr",
            CheckinHow::ByHand => "by_hand",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [CheckinHow::QrTicket, CheckinHow::SelfQr, CheckinHow::ByHand]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
    pub fn label_th(self) -> &'static str {
        match self {
            CheckinHow::QrTicket => "สแกนบัตร",
            CheckinHow::SelfQr => "สแกน QR ของกิจกรรม",
            CheckinHow::ByHand => "ผู้จัดบันทึก",
        }
    }
}

/// A recorded attendance: what check-in recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    pub at: OffsetDateTime,
    pub how: CheckinHow,
    pub by: Option<UserId>,
}

/// One person's registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub id: RegistrationId,
    pub event_id: EventId,
    /// Signed-in registrants.
    pub user_id: Option<UserId>,
    /// Guests: their record in the person register (the phone lives there).
    pub person_id: Option<PersonId>,
    /// The name as printed on lists and certificates.
    pub name: String,
    /// Unit or organisation as the guest wrote it (empty for accounts).
    pub affiliation: String,
    pub status: RegStatus,
    /// The registrant's own page (status, QR, cancel).
    pub secret: String,
    /// What the ticket's QR code carries (an organiser opens it to check the person in).
    pub ticket: String,
    pub created_at: OffsetDateTime,
    pub attendance: Option<Attendance>,
    pub certificate_code: Option<String>,
}

/// A stand at a KM Market fair (บูธ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booth {
    pub id: BoothId,
    pub event_id: EventId,
    pub name: String,
    pub unit_id: UnitId,
    pub description: String,
    pub items: Vec<ItemId>,
}

/// A booth as an organiser typed it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoothFields {
    pub name: String,
    pub unit_id: UnitId,
    pub description: String,
    pub items: Vec<ItemId>,
}

/// Why a registration is refused, in Thai, before anything is written.
pub fn registration_window(event: &Event, now: OffsetDateTime) -> Result<(), &'static str> {
    if event.cancelled_at.is_some() {
        return Err("กิจกรรมนี้ยกเลิกแล้ว");
    }
    if let Some(o) = event.fields.opens_at
        && now < o
    {
        return Err("ยังไม่เปิดรับลงทะเบียน");
    }
    if now >= event.closes_at() {
        return Err("ปิดรับลงทะเบียนแล้ว");
    }
    Ok(())
}

/// Whether a new registration gets a seat, waits, or is refused (None: full, no waitlist).
/// `confirmed` counts the seats already taken, in the same transaction that inserts.
pub fn seat_for(capacity: Option<u32>, confirmed: u64, waitlist: bool) -> Option<RegStatus> {
    match capacity {
        Some(c) if confirmed >= u64::from(c) => waitlist.then_some(RegStatus::Waitlisted),
        _ => Some(RegStatus::Confirmed),
    }
}

/// Who moves up when a seat frees: the waiting registration that came first (lowest id
/// among those created earliest), if a seat is free.
pub fn next_promoted(
    capacity: Option<u32>,
    confirmed: u64,
    waiting: &[(RegistrationId, OffsetDateTime)],
) -> Option<RegistrationId> {
    if let Some(c) = capacity
        && confirmed >= u64::from(c)
    {
        return None;
    }
    waiting
        .iter()
        .min_by_key(|(id, at)| (*at, *id))
        .map(|(id, _)| *id)
}

/// Self check-in with the event's QR is allowed on the event's day(s), Bangkok time: from
/// midnight of the first day to the end of the last.
pub fn self_checkin_open(event: &Event, now: OffsetDateTime) -> bool {
    let first = event
        .fields
        .starts_at
        .to_offset(BANGKOK)
        .date()
        .midnight()
        .assume_offset(BANGKOK);
    let last = event
        .fields
        .ends_at
        .to_offset(BANGKOK)
        .date()
        .midnight()
        .assume_offset(BANGKOK)
        + Duration::days(1);
    event.cancelled_at.is_none() && now >= first && now < last
}

/// Certificates are issued once the event has started.
pub fn certificates_allowed(event: &Event, now: OffsetDateTime) -> bool {
    event.cancelled_at.is_none() && now >= event.fields.starts_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn draft() -> EventDraft {
        EventDraft {
            title: "KM สัญจร ตำบลบ้านใหม่".into(),
            kind: "field_visit".into(),
            unit: "3".into(),
            place: "รพ.สต.บ้านใหม่".into(),
            starts: "2569-12-10T09:00".into(),
            ends: "2569-12-10T16:00".into(),
            capacity: "๒".into(),
            waitlist: "on".into(),
            audience: "public".into(),
            agenda: "09:00 | เปิดงาน | นายอำเภอ\n10:00 | ชมพื้นที่".into(),
            ..Default::default()
        }
    }

    fn event(f: EventFields) -> Event {
        Event {
            id: EventId(1),
            fields: f,
            checkin_secret: "s".into(),
            created_by: UserId(1),
            created_at: datetime!(2026-12-01 00:00 UTC),
            cancelled_at: None,
        }
    }

    #[test]
    fn a_draft_parses_in_bangkok_time_with_thai_digits() {
        let f = draft().parse().unwrap();
        assert_eq!(f.starts_at, datetime!(2026-12-10 02:00 UTC));
        assert_eq!(f.capacity, Some(2));
        assert!(f.waitlist);
        assert_eq!(f.agenda.len(), 2);
        assert_eq!(f.agenda[1].speaker, "");
        assert_eq!(EventDraft::of(&f).parse().unwrap(), f);
    }

    #[test]
    fn bad_drafts_say_what_is_wrong_at_each_field() {
        let mut d = draft();
        d.title = " ".into();
        d.online_url = "http://x.example".into();
        d.ends = "2569-12-09T09:00".into();
        d.capacity = "0".into();
        d.audience = "community".into();
        let e = d.parse().unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_ref()).collect();
        for f in [
            "title",
            "online_url",
            "ends",
            "capacity",
            "audience_community",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn the_window_opens_and_closes() {
        let mut f = draft().parse().unwrap();
        f.opens_at = Some(datetime!(2026-12-05 00:00 UTC));
        let e = event(f);
        assert_eq!(
            registration_window(&e, datetime!(2026-12-04 23:59 UTC)),
            Err("ยังไม่เปิดรับลงทะเบียน")
        );
        assert!(registration_window(&e, datetime!(2026-12-06 00:00 UTC)).is_ok());
        // Closes at the start when no closing time is set.
        assert_eq!(
            registration_window(&e, datetime!(2026-12-10 02:00 UTC)),
            Err("ปิดรับลงทะเบียนแล้ว")
        );
        let cancelled = Event {
            cancelled_at: Some(datetime!(2026-12-06 00:00 UTC)),
            ..e
        };
        assert_eq!(
            registration_window(&cancelled, datetime!(2026-12-06 01:00 UTC)),
            Err("กิจกรรมนี้ยกเลิกแล้ว")
        );
    }

    #[test]
    fn seats_then_waitlist_then_refusal() {
        assert_eq!(seat_for(Some(2), 1, false), Some(RegStatus::Confirmed));
        assert_eq!(seat_for(Some(2), 2, true), Some(RegStatus::Waitlisted));
        assert_eq!(seat_for(Some(2), 2, false), None);
        assert_eq!(seat_for(None, 1_000, false), Some(RegStatus::Confirmed));
    }

    #[test]
    fn the_first_in_line_is_promoted_only_when_a_seat_is_free() {
        let t = datetime!(2026-12-01 00:00 UTC);
        let waiting = [
            (RegistrationId(9), t + Duration::seconds(5)),
            (RegistrationId(7), t + Duration::seconds(1)),
            (RegistrationId(8), t + Duration::seconds(1)),
        ];
        assert_eq!(next_promoted(Some(2), 1, &waiting), Some(RegistrationId(7)));
        assert_eq!(next_promoted(Some(2), 2, &waiting), None);
        assert_eq!(next_promoted(Some(2), 1, &[]), None);
    }

    #[test]
    fn self_checkin_only_on_the_event_days_in_bangkok() {
        let e = event(draft().parse().unwrap()); // 10 Dec 09:00–16:00 Bangkok
        assert!(!self_checkin_open(&e, datetime!(2026-12-09 16:59 UTC))); // 23:59 on the 9th
        assert!(self_checkin_open(&e, datetime!(2026-12-09 17:00 UTC))); // midnight of the 10th
        assert!(self_checkin_open(&e, datetime!(2026-12-10 16:59 UTC)));
        assert!(!self_checkin_open(&e, datetime!(2026-12-10 17:00 UTC)));
    }

    #[test]
    fn item_numbers_as_typed() {
        assert_eq!(item_number("๑๒"), Some(ItemId(12)));
        assert_eq!(item_number("https://k.example/items/34/"), Some(ItemId(34)));
        assert_eq!(item_number("#5"), Some(ItemId(5)));
        assert_eq!(item_number("abc"), None);
        assert_eq!(item_number("0"), None);
    }
}
