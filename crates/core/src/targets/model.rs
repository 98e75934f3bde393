//! Targets and their progress.

use crate::error::FieldError;
use crate::ids::{TargetId, TermId, UnitId, UserId};
use crate::planning::FiscalYear;
use time::{Date, OffsetDateTime};

/// One unit's target for a fiscal year (seed 003's district table): so many people, so many
/// items each, by a due date; for every category, or one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub id: TargetId,
    pub unit_id: UnitId,
    pub year: FiscalYear,
    /// None: items of every category count.
    pub category: Option<TermId>,
    pub people: u32,
    pub items_per_person: u32,
    /// Within the fiscal year; None: no due date (never overdue).
    pub due: Option<Date>,
    pub set_by: UserId,
    pub set_at: OffsetDateTime,
}

impl Target {
    /// Items required: people × items per person.
    pub fn required(&self) -> u64 {
        u64::from(self.people) * u64::from(self.items_per_person)
    }
}

/// One row of the targets form as typed: blank people and items per person remove the
/// unit's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetInput {
    pub unit_id: UnitId,
    pub people: String,
    pub items_per_person: String,
    /// `YYYY-MM-DD` (what a date input sends), CE or BE year.
    pub due: String,
}

/// A checked row: set (people, items per person, due) or remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetChange {
    Set {
        unit_id: UnitId,
        people: u32,
        items_per_person: u32,
        due: Option<Date>,
    },
    Remove(UnitId),
}

pub const PEOPLE_MESSAGE: &str = "จำนวนคนต้องเป็นจำนวนเต็มตั้งแต่ 0 ขึ้นไป";
pub const PER_PERSON_MESSAGE: &str = "จำนวนเรื่องต่อคนต้องเป็นจำนวนเต็มตั้งแต่ 0 ขึ้นไป";

/// A whole number from 0 (Thai or Arabic digits, thousands separators allowed).
fn count(s: &str) -> Option<u32> {
    let digits: String = crate::text::arabic_digits(s.trim()).replace(',', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|n| *n <= 1_000_000)
}

/// `YYYY-MM-DD`; a year above 2400 is taken as BE.
pub fn parse_due(s: &str) -> Option<Date> {
    let s = crate::text::arabic_digits(s.trim());
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let mut y: i32 = y.parse().ok()?;
    if y > 2400 {
        y -= 543;
    }
    let m = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y, m, d.parse().ok()?).ok()
}

impl TargetInput {
    /// Checks one row; `i` numbers the fields (`rows.{i}.people` …) so each error lands next
    /// to its own box.
    pub fn check(&self, i: usize, year: FiscalYear) -> Result<TargetChange, Vec<FieldError>> {
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.people) && blank(&self.items_per_person) && blank(&self.due) {
            return Ok(TargetChange::Remove(self.unit_id));
        }
        let mut errors = Vec::new();
        let people = count(&self.people);
        if people.is_none() {
            errors.push(FieldError::new(format!("rows.{i}.people"), PEOPLE_MESSAGE));
        }
        let per = count(&self.items_per_person);
        if per.is_none() {
            errors.push(FieldError::new(
                format!("rows.{i}.items_per_person"),
                PER_PERSON_MESSAGE,
            ));
        }
        let due = if blank(&self.due) {
            None
        } else {
            match parse_due(&self.due) {
                Some(d) if d >= year.first_day() && d <= year.last_day() => Some(d),
                Some(_) => {
                    errors.push(FieldError::new(
                        format!("rows.{i}.due"),
                        format!(
                            "วันครบกำหนดต้องอยู่ในปีงบประมาณ {year} (1 ต.ค. {} – 30 ก.ย. {year})",
                            year.be() - 1
                        ),
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        format!("rows.{i}.due"),
                        "กรุณาระบุวันครบกำหนดเป็นวันที่ เช่น 2026-09-30",
                    ));
                    None
                }
            }
        };
        match (people, per) {
            (Some(people), Some(items_per_person)) if errors.is_empty() => Ok(TargetChange::Set {
                unit_id: self.unit_id,
                people,
                items_per_person,
                due,
            }),
            _ => Err(errors),
        }
    }
}

/// Items of one unit in one status for the year (and category): a row of the one grouped
/// query progress is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    pub unit_id: UnitId,
    pub status: String,
    pub count: u64,
}

/// One unit's progress against its targets for a year, its own and its subtree's rolled up
/// (see [`crate::planning::progress::TARGET_RULE`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub unit_id: UnitId,
    /// Items required (people × items per person), summed over the targets counted.
    pub required: u64,
    /// Items submitted for screening (and not rejected or withdrawn) or published.
    pub submitted: u64,
    pub published: u64,
    /// Published, capped per target at what it requires, summed: what the percentage uses.
    pub counted: u64,
    /// The earliest due date among targets not yet met.
    pub due: Option<Date>,
    /// Days past `due` when overdue and not met.
    pub days_late: Option<i64>,
    /// The unit's own target, if it has one (the form's values).
    pub target: Option<Target>,
    /// How many targets of the subtree are summed.
    pub targets: u32,
}

impl Progress {
    /// Nothing required, nothing counted yet.
    pub fn empty(unit_id: UnitId) -> Self {
        Self {
            unit_id,
            required: 0,
            submitted: 0,
            published: 0,
            counted: 0,
            due: None,
            days_late: None,
            target: None,
            targets: 0,
        }
    }

    pub fn percent(&self) -> Option<u8> {
        crate::planning::progress::target_percent(self.counted, self.required)
    }
}

/// A unit's progress and each child's, for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressReport {
    pub root: Progress,
    pub children: Vec<Progress>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(people: &str, per: &str, due: &str) -> TargetInput {
        TargetInput {
            unit_id: UnitId(1),
            people: people.into(),
            items_per_person: per.into(),
            due: due.into(),
        }
    }

    #[test]
    fn rows_are_checked_field_by_field() {
        let y = FiscalYear::parse("2569").unwrap();
        assert_eq!(
            input("๙", "1", "2026-09-30").check(0, y),
            Ok(TargetChange::Set {
                unit_id: UnitId(1),
                people: 9,
                items_per_person: 1,
                due: Some(Date::from_calendar_date(2026, time::Month::September, 30).unwrap()),
            })
        );
        assert_eq!(
            input("", " ", "").check(0, y),
            Ok(TargetChange::Remove(UnitId(1)))
        );
        let e = input("-3", "x", "2027-01-01").check(2, y).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field.to_string()).collect();
        assert_eq!(
            fields,
            ["rows.2.people", "rows.2.items_per_person", "rows.2.due"]
        );
        assert_eq!(e[0].message, PEOPLE_MESSAGE);
        assert!(input("2.5", "1", "").check(0, y).is_err());
        assert_eq!(
            parse_due("2569-10-01"),
            Date::from_calendar_date(2026, time::Month::October, 1).ok()
        );
    }
}
