//! Recognition's types and rules (no I/O).

use crate::ids::{ItemId, PostId};
use time::OffsetDateTime;

/// What can be praised (ชื่นชม): an item or a reply in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PraiseTarget {
    Item(ItemId),
    Post(PostId),
}

impl PraiseTarget {
    /// `item:5`, `post:7`: the form value of a praise button.
    pub fn as_key(&self) -> String {
        match self {
            PraiseTarget::Item(i) => format!("item:{i}"),
            PraiseTarget::Post(p) => format!("post:{p}"),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (kind, id) = s.trim().split_once(':')?;
        let id: i64 = id.parse().ok().filter(|v| *v > 0)?;
        match kind {
            "item" => Some(PraiseTarget::Item(ItemId(id))),
            "post" => Some(PraiseTarget::Post(PostId(id))),
            _ => None,
        }
    }
}

/// A praise button's state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PraiseCount {
    pub count: u64,
    /// The reader has praised it already (the button then takes it back).
    pub mine: bool,
}

/// A badge for sharing (เหรียญ), awarded from the data by [`earned_badges`], kept once earned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Badge {
    /// ผลงานแรก: a first published item.
    FirstItem,
    /// นักแบ่งปัน: ten published items.
    Sharer,
    /// ผู้ตอบที่ได้รับการยอมรับ: five replies accepted as answers.
    AcceptedAnswers,
    /// นวัตกรรมที่ถูกนำไปใช้: an innovation of theirs reported as applied by someone else.
    InnovationApplied,
    /// ถอดบทเรียนหลังกิจกรรม: a published AAR started from an event.
    AarAfterEvent,
}

/// Published items needed for [`Badge::Sharer`].
pub const SHARER_ITEMS: u64 = 10;
/// Accepted answers needed for [`Badge::AcceptedAnswers`].
pub const ACCEPTED_ANSWERS: u64 = 5;

impl Badge {
    pub const ALL: [Badge; 5] = [
        Badge::FirstItem,
        Badge::Sharer,
        Badge::AcceptedAnswers,
        Badge::InnovationApplied,
        Badge::AarAfterEvent,
    ];

    /// The stored key (`badges.badge`).
    pub fn key(self) -> &'static str {
        match self {
            Badge::FirstItem => "first_item",
            Badge::Sharer => "sharer",
            Badge::AcceptedAnswers => "accepted_answers",
            Badge::InnovationApplied => "innovation_applied",
            Badge::AarAfterEvent => "aar_after_event",
        }
    }

    pub fn from_key(key: &str) -> Option<Badge> {
        Badge::ALL.into_iter().find(|b| b.key() == key)
    }

    pub fn name_th(self) -> &'static str {
        match self {
            Badge::FirstItem => "ผลงานแรก",
            Badge::Sharer => "นักแบ่งปัน",
            Badge::AcceptedAnswers => "ผู้ตอบที่ได้รับการยอมรับ",
            Badge::InnovationApplied => "นวัตกรรมที่ถูกนำไปใช้",
            Badge::AarAfterEvent => "ถอดบทเรียนหลังกิจกรรม",
        }
    }

    /// Why it was given, as the profile explains it.
    pub fn reason_th(self) -> &'static str {
        match self {
            Badge::FirstItem => "เผยแพร่ผลงานชิ้นแรก",
            Badge::Sharer => "เผยแพร่ผลงานครบ 10 ชิ้น",
            Badge::AcceptedAnswers => "คำตอบได้รับการยอมรับ 5 ครั้ง",
            Badge::InnovationApplied => "นวัตกรรมได้รับรายงานว่าผู้อื่นนำไปใช้",
            Badge::AarAfterEvent => "เผยแพร่ AAR ที่เริ่มจากกิจกรรม",
        }
    }
}

/// What a person has done, counted from the data (the rule's input).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BadgeFacts {
    /// Items they created that are published now.
    pub published_items: u64,
    /// Their community replies accepted as answers.
    pub accepted_answers: u64,
    /// Applied reports on their innovations made by someone other than them.
    pub applied_by_others: u64,
    /// Their published items of template `aar` whose origin is an event.
    pub aars_after_events: u64,
}

/// The badges these facts earn. Badges already held are kept by the store even when the facts
/// later fall (an item archived): this says only what is earned now.
pub fn earned_badges(f: &BadgeFacts) -> Vec<Badge> {
    let mut out = Vec::new();
    if f.published_items >= 1 {
        out.push(Badge::FirstItem);
    }
    if f.published_items >= SHARER_ITEMS {
        out.push(Badge::Sharer);
    }
    if f.accepted_answers >= ACCEPTED_ANSWERS {
        out.push(Badge::AcceptedAnswers);
    }
    if f.applied_by_others >= 1 {
        out.push(Badge::InnovationApplied);
    }
    if f.aars_after_events >= 1 {
        out.push(Badge::AarAfterEvent);
    }
    out
}

/// What a person chose to show on their public profile (/account/profile). The name is always
/// shown; phone, e-mail and username never are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfilePrefs {
    pub show_unit: bool,
    pub show_badges: bool,
    pub show_items: bool,
}

impl Default for ProfilePrefs {
    /// Badges and published items shown, the unit hidden.
    fn default() -> Self {
        ProfilePrefs {
            show_unit: false,
            show_badges: true,
            show_items: true,
        }
    }
}

/// A badge held and when it was first earned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldBadge {
    pub badge: Badge,
    pub earned_at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_follow_the_thresholds() {
        assert!(earned_badges(&BadgeFacts::default()).is_empty());
        let one = BadgeFacts {
            published_items: 1,
            ..Default::default()
        };
        assert_eq!(earned_badges(&one), vec![Badge::FirstItem]);
        let nine = BadgeFacts {
            published_items: 9,
            accepted_answers: 4,
            ..Default::default()
        };
        assert_eq!(earned_badges(&nine), vec![Badge::FirstItem]);
        let all = BadgeFacts {
            published_items: 10,
            accepted_answers: 5,
            applied_by_others: 1,
            aars_after_events: 1,
        };
        assert_eq!(earned_badges(&all), Badge::ALL.to_vec());
    }

    #[test]
    fn keys_round_trip() {
        for b in Badge::ALL {
            assert_eq!(Badge::from_key(b.key()), Some(b));
        }
        assert_eq!(Badge::from_key("leader"), None);
    }
}
