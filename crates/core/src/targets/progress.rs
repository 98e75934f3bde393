//! Progress against targets, made in memory from one grouped count of the subtree's items
//! and the current unit tree (so a unit moved to another parent takes its progress along at
//! once).
//!
//! The rule ([`crate::planning::progress::TARGET_RULE`]): a target counts the items of its
//! unit and of the descendants that have no target of their own for that year and category
//! (each item goes to the nearest unit at or above its own that has a target); counted =
//! min(published, required) per target; a unit's roll-up sums required, submitted, published
//! and counted over every target in its subtree, so one district's surplus never hides
//! another's shortfall. Overdue: the due date has passed and counted < required.

use super::model::{Progress, ProgressReport, StatusCount, Target};
use crate::ids::UnitId;
use crate::item::ItemStatus;
use crate::org::UnitTree;
use std::collections::HashMap;
use time::Date;

/// What "submitted" counts: everything sent to screening and not turned down, published
/// included.
pub const SUBMITTED_STATUSES: [ItemStatus; 4] = [
    ItemStatus::Submitted,
    ItemStatus::Resubmitted,
    ItemStatus::ChangesRequested,
    ItemStatus::Published,
];

/// The same rule in Thai, printed on the page beneath the table.
pub const SUBMITTED_RULE: &str = "ส่งแล้ว = องค์ความรู้ที่ส่งพิจารณา ส่งพิจารณาอีกครั้ง ส่งกลับแก้ไข หรือเผยแพร่แล้ว (ไม่นับฉบับร่าง ไม่ผ่านการพิจารณา และเก็บถาวร); นับองค์ความรู้ของหน่วยงานและหน่วยงานย่อยที่ไม่มีเป้าหมายของตนเอง ตามปีงบประมาณขององค์ความรู้";

/// One target with what it counts.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    submitted: u64,
    published: u64,
}

/// Days `today` is past `due`, when it is.
fn late(due: Option<Date>, today: Date) -> Option<i64> {
    due.filter(|d| today > *d).map(|d| (today - d).whole_days())
}

/// The report for `root` and each of its children (in the tree's order). `targets` may hold
/// targets outside the subtree (they are left out); `counts` are the subtree's items of the
/// year (and category).
pub fn roll_up(
    tree: &UnitTree,
    root: UnitId,
    targets: &[Target],
    counts: &[StatusCount],
    today: Date,
) -> ProgressReport {
    let within = |u: UnitId, top: UnitId| tree.is_within(u, top);
    let own: HashMap<UnitId, &Target> = targets
        .iter()
        .filter(|t| within(t.unit_id, root))
        .map(|t| (t.unit_id, t))
        .collect();
    let mut tallies: HashMap<UnitId, Tally> = HashMap::new();
    for c in counts {
        let Ok(status) = ItemStatus::parse(&c.status) else {
            continue;
        };
        let submitted = SUBMITTED_STATUSES.contains(&status);
        let published = status == ItemStatus::Published;
        if !submitted && !published {
            continue;
        }
        // The nearest unit at or above the item's with a target, not leaving the subtree.
        let mut cur = Some(c.unit_id);
        let mut owner = None;
        while let Some(u) = cur {
            if own.contains_key(&u) {
                owner = Some(u);
                break;
            }
            if u == root {
                break;
            }
            cur = tree.get(u).and_then(|x| x.parent_id);
        }
        let Some(owner) = owner else { continue };
        let t = tallies.entry(owner).or_default();
        if submitted {
            t.submitted += c.count;
        }
        if published {
            t.published += c.count;
        }
    }
    let progress_of = |unit: UnitId| {
        let mut p = Progress::empty(unit);
        p.target = own.get(&unit).map(|t| (*t).clone());
        for (u, t) in &own {
            if !within(*u, unit) {
                continue;
            }
            let tally = tallies.get(u).copied().unwrap_or_default();
            let required = t.required();
            let counted = tally.published.min(required);
            p.targets += 1;
            p.required += required;
            p.submitted += tally.submitted;
            p.published += tally.published;
            p.counted += counted;
            if counted < required
                && let Some(d) = t.due
                && p.due.is_none_or(|e| d < e)
            {
                p.due = Some(d);
            }
        }
        p.days_late = if p.counted < p.required {
            late(p.due, today)
        } else {
            None
        };
        p
    };
    ProgressReport {
        root: progress_of(root),
        children: tree
            .children(Some(root))
            .map(|u| progress_of(u.id))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{TargetId, UserId};
    use crate::org::{Unit, UnitCode, UnitKind, UnitName};
    use crate::planning::FiscalYear;
    use time::Month;

    fn unit(id: i64, parent: Option<i64>, code: &str) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(UnitId),
            code: UnitCode::parse(code).unwrap(),
            kind: UnitKind::parse("district_office").unwrap(),
            name_th: UnitName::from_trusted(code.into()),
            name_en: None,
            short_th: None,
            retired: false,
        }
    }

    fn target(unit: i64, people: u32, due: Option<Date>) -> Target {
        Target {
            id: TargetId(unit),
            unit_id: UnitId(unit),
            year: FiscalYear::parse("2569").unwrap(),
            category: None,
            people,
            items_per_person: 1,
            due,
            set_by: UserId(1),
            set_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn count(unit: i64, status: &str, n: u64) -> StatusCount {
        StatusCount {
            unit_id: UnitId(unit),
            status: status.into(),
            count: n,
        }
    }

    #[test]
    fn surplus_does_not_hide_shortfall_and_untargeted_units_count_upwards() {
        // 1 province; 2, 3 districts; 4 a sub-unit of 3 without a target of its own.
        let tree = UnitTree::new(vec![
            unit(1, None, "P"),
            unit(2, Some(1), "P-D1"),
            unit(3, Some(1), "P-D2"),
            unit(4, Some(3), "P-D2-X"),
        ]);
        let due = Date::from_calendar_date(2026, Month::March, 31).unwrap();
        let targets = [target(2, 4, Some(due)), target(3, 5, Some(due))];
        let counts = [
            count(2, "published", 7),
            count(3, "published", 1),
            count(4, "published", 2),
            count(4, "submitted", 1),
            count(3, "draft", 9),
            count(3, "rejected", 9),
        ];
        let today = Date::from_calendar_date(2026, Month::April, 10).unwrap();
        let r = roll_up(&tree, UnitId(1), &targets, &counts, today);
        let d1 = &r.children[0];
        assert_eq!((d1.required, d1.published, d1.counted), (4, 7, 4));
        assert_eq!(d1.days_late, None);
        let d2 = &r.children[1];
        assert_eq!(
            (d2.required, d2.submitted, d2.published, d2.counted),
            (5, 4, 3, 3)
        );
        assert_eq!(d2.days_late, Some(10));
        assert_eq!(d2.percent(), Some(60));
        // 4 + 3 counted of 9, not 10 of 9.
        assert_eq!(
            (r.root.required, r.root.counted, r.root.published),
            (9, 7, 10)
        );
        assert_eq!(r.root.percent(), Some(77));
        assert_eq!(r.root.days_late, Some(10));
        assert_eq!(r.root.targets, 2);
    }
}
