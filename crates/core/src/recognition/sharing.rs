//! Per-unit monthly sharing counts for executives (/sharing): items, lessons and innovations
//! published per month of a fiscal year, for a unit and each of its direct children, each
//! rolled up over its subtree. Counts only — never a person's name (no leaderboard).

use crate::error::{DomainError, DomainResult};
use crate::ids::UnitId;
use crate::lessons::is_lesson_template;
use crate::org::{Action, Actor};
use crate::service::Khlang;
use crate::text::{BANGKOK, fiscal_year_be};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// The months of a fiscal year in order (ต.ค. – ก.ย.).
pub const FISCAL_MONTHS: [&str; 12] = [
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
];

/// Fiscal years one may ask for (BE): the platform's era, not typing mistakes.
pub const FIRST_YEAR: i32 = 2560;

/// The month of its fiscal year `t` falls in, Bangkok time: 0 = ต.ค. … 11 = ก.ย.
pub fn fiscal_month(t: OffsetDateTime) -> usize {
    let m = t.to_offset(BANGKOK).month() as usize; // 1..=12
    (m + 2) % 12
}

/// From 1 Oct (Bangkok midnight) of the year before to 1 Oct of the year it ends in.
pub fn fiscal_year_bounds(fy_be: i32) -> Option<(OffsetDateTime, OffsetDateTime)> {
    let at = |ce: i32| -> Option<OffsetDateTime> {
        let d = Date::from_calendar_date(ce, Month::October, 1).ok()?;
        Some(PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_offset(BANGKOK))
    };
    let end_ce = fy_be - 543;
    Some((at(end_ce - 1)?, at(end_ce)?))
}

/// Counts per month (index by [`fiscal_month`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Monthly {
    pub items: [u64; 12],
    pub lessons: [u64; 12],
    pub innovations: [u64; 12],
}

impl Monthly {
    pub fn add(&mut self, month: usize, lesson: bool, innovation: bool) {
        self.items[month] += 1;
        if lesson {
            self.lessons[month] += 1;
        }
        if innovation {
            self.innovations[month] += 1;
        }
    }
}

/// One row: a unit with everything under it.
#[derive(Debug, Clone)]
pub struct SharingRow {
    pub unit_id: UnitId,
    pub name: String,
    pub counts: Monthly,
}

#[derive(Debug, Clone)]
pub struct SharingReport {
    pub unit_id: UnitId,
    pub fiscal_year: i32,
    /// The unit itself first (its whole subtree), then each direct child (its subtree).
    pub rows: Vec<SharingRow>,
    /// Units the reader may choose instead (id, path), those they may view.
    pub choices: Vec<(UnitId, String)>,
}

/// A published item as the report counts it.
#[derive(Debug, Clone)]
pub struct SharedItem {
    pub unit_id: UnitId,
    pub published_at: OffsetDateTime,
    /// The lessons template it was made with, if any.
    pub template: Option<String>,
    pub innovation: bool,
}

impl Khlang {
    /// The report for `unit` (default: the highest unit the reader may view) and
    /// fiscal year `fy` (default: the current one). Forbidden without ViewUnitContent on the
    /// unit; a fiscal year out of range is an invalid field.
    pub async fn sharing_report(
        &self,
        actor: &Actor,
        unit: Option<UnitId>,
        fy: Option<i32>,
    ) -> DomainResult<SharingReport> {
        let tree = self.unit_tree().await?;
        let allowed = Self::units_where(&tree, actor, Action::ViewUnitContent);
        let unit = match unit {
            Some(u) => u,
            // The highest unit they may view: one with no allowed ancestor.
            None => allowed
                .iter()
                .copied()
                .find(|u| !allowed.iter().any(|a| a != u && tree.is_within(*u, *a)))
                .ok_or(DomainError::Forbidden)?,
        };
        if !allowed.contains(&unit) || tree.get(unit).is_none() {
            return Err(DomainError::Forbidden);
        }
        let now = self.clock.now();
        let current = fiscal_year_be(now);
        let fy = fy.unwrap_or(current);
        if !(FIRST_YEAR..=current + 1).contains(&fy) {
            return Err(DomainError::invalid("year", "ปีงบประมาณไม่ถูกต้อง"));
        }
        let (from, to) = fiscal_year_bounds(fy)
            .ok_or_else(|| DomainError::invalid("year", "ปีงบประมาณไม่ถูกต้อง"))?;
        let subtree: Vec<UnitId> = tree
            .units()
            .iter()
            .filter(|u| tree.is_within(u.id, unit))
            .map(|u| u.id)
            .collect();
        let found = self
            .recognition_store()?
            .published_between(&subtree, from, to)
            .await?;
        let mut heads: Vec<UnitId> = vec![unit];
        heads.extend(tree.children(Some(unit)).map(|c| c.id));
        let rows = heads
            .into_iter()
            .map(|head| {
                let mut counts = Monthly::default();
                for i in found.iter().filter(|i| tree.is_within(i.unit_id, head)) {
                    let lesson = i.template.as_deref().is_some_and(is_lesson_template);
                    counts.add(fiscal_month(i.published_at), lesson, i.innovation);
                }
                SharingRow {
                    unit_id: head,
                    name: tree
                        .get(head)
                        .map(|u| u.name_th.as_str().to_string())
                        .unwrap_or_default(),
                    counts,
                }
            })
            .collect();
        let choices = allowed
            .iter()
            .map(|u| (*u, tree.display_path(*u)))
            .collect();
        Ok(SharingReport {
            unit_id: unit,
            fiscal_year: fy,
            rows,
            choices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_run_from_october_in_bangkok_time() {
        assert_eq!(fiscal_month(datetime!(2026-10-01 00:00 +07:00)), 0);
        // 30 Sep 20:00 UTC is already 1 Oct in Bangkok.
        assert_eq!(fiscal_month(datetime!(2026-09-30 20:00 UTC)), 0);
        assert_eq!(fiscal_month(datetime!(2026-09-30 16:00 UTC)), 11);
        assert_eq!(fiscal_month(datetime!(2027-01-15 12:00 UTC)), 3);
        assert_eq!(FISCAL_MONTHS[3], "ม.ค.");
    }

    #[test]
    fn a_fiscal_year_is_october_to_october() {
        let (from, to) = fiscal_year_bounds(2570).unwrap();
        assert_eq!(from, datetime!(2026-10-01 00:00 +07:00));
        assert_eq!(to, datetime!(2027-10-01 00:00 +07:00));
        assert_eq!(fiscal_year_be(from), 2570);
        assert_eq!(fiscal_year_be(to - time::Duration::seconds(1)), 2570);
    }

    #[test]
    fn lessons_and_innovations_are_also_items() {
        let mut m = Monthly::default();
        m.add(2, true, false);
        m.add(2, false, true);
        m.add(5, false, false);
        assert_eq!(m.items[2], 2);
        assert_eq!(m.lessons[2], 1);
        assert_eq!(m.innovations[2], 1);
        assert_eq!(m.items[5], 1);
    }
}
