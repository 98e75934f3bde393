//! Where a lesson (or any item) was started from, so that it links back.

use crate::ids::{EntryId, EventId, PlanId};

/// The built-in lessons-learned templates, in the order /lessons shows them (keys of
/// `reference/templates/*.toml`).
pub const LESSON_TEMPLATES: [&str; 6] =
    ["aar", "bar", "dar", "story", "eight_box", "winner_lessons"];

/// Whether `key` names one of the lessons-learned templates.
pub fn is_lesson_template(key: &str) -> bool {
    LESSON_TEMPLATES.contains(&key)
}

/// Where a lesson's origin leads, as the item page and /lessons show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginLabel {
    pub origin: Origin,
    /// "กิจกรรม “อบรมกลุ่มอาชีพ” แผนการจัดการความรู้ ปี ๒๕๖๘"
    pub label: String,
    pub path: String,
}

/// What a lesson was written about: an AAR after an event, a review of a plan activity, the
/// lessons of a contest winner. Kept as text (`event:5`, `plan:3:activity:2`, `entry:9`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    Event(EventId),
    /// The activity's position in Form 2 when the lesson was started.
    PlanActivity {
        plan: PlanId,
        activity: u32,
    },
    ContestEntry(EntryId),
}

impl Origin {
    pub fn as_key(&self) -> String {
        match self {
            Origin::Event(e) => format!("event:{e}"),
            Origin::PlanActivity { plan, activity } => format!("plan:{plan}:activity:{activity}"),
            Origin::ContestEntry(e) => format!("entry:{e}"),
        }
    }

    /// Reads what [`Origin::as_key`] wrote (also from a query string); None for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        let n = |p: &str| p.parse::<i64>().ok().filter(|v| *v > 0);
        match parts.as_slice() {
            ["event", id] => Some(Origin::Event(EventId(n(id)?))),
            ["entry", id] => Some(Origin::ContestEntry(EntryId(n(id)?))),
            ["plan", plan, "activity", a] => Some(Origin::PlanActivity {
                plan: PlanId(n(plan)?),
                activity: a.parse().ok()?,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_six_lesson_templates_are_lessons() {
        assert!(is_lesson_template("aar") && is_lesson_template("eight_box"));
        assert!(!is_lesson_template("innovation") && !is_lesson_template(""));
    }

    #[test]
    fn origin_keys_round_trip_and_junk_is_refused() {
        for o in [
            Origin::Event(EventId(5)),
            Origin::PlanActivity {
                plan: PlanId(3),
                activity: 0,
            },
            Origin::ContestEntry(EntryId(9)),
        ] {
            assert_eq!(Origin::parse(&o.as_key()), Some(o));
        }
        for junk in [
            "",
            "event:",
            "event:-1",
            "event:x",
            "plan:3",
            "item:4",
            "event:5:6",
        ] {
            assert_eq!(Origin::parse(junk), None, "{junk}");
        }
    }
}
