//! The cohorts room's own types and rules (no I/O): what an officer types for a new cohort,
//! how learners' counters read as a status, and the roll-up of counts up the unit tree.

use crate::error::FieldError;
use crate::ids::{CohortId, UnitId, UserId};
use crate::learning::model::{Cohort, CohortCriteria};
use crate::org::{Role, UnitTree};
use crate::text::{grapheme_len, tidy};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

/// Longest cohort name, in graphemes (the column holds 300).
pub const NAME_MAX: usize = 300;
/// Rows per INSERT when a cohort is enrolled: small enough for every engine's limit on
/// bound values (500 rows × 8 columns), large enough that 10,000 learners take 20 statements.
pub const ENROL_CHUNK: usize = 500;
/// Learners per page of the report.
pub const LEARNERS_PER_PAGE: u64 = 50;
/// Reminders go out when a cohort ends within this many days (Bangkok calendar).
pub const REMIND_DAYS: i64 = 3;

/// A new cohort as the officer typed it (text kept so the form can be shown again).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CohortInput {
    pub name: String,
    pub starts: String,
    pub ends: String,
    /// The unit that runs the cohort (its officers see the report).
    pub unit: String,
    pub units: Vec<String>,
    pub subtree: bool,
    /// A [`Role`] key, or empty for any role.
    pub role: String,
}

/// A checked cohort, before the officer's reach over its units is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortDraft {
    pub name: String,
    pub unit_id: UnitId,
    pub criteria: CohortCriteria,
    pub starts_on: Date,
    pub ends_on: Date,
}

fn unit_id(s: &str) -> Option<UnitId> {
    crate::text::arabic_digits(s.trim())
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(UnitId)
}

/// Every mistake at once, one per field, in Thai.
pub fn parse_cohort(input: &CohortInput) -> Result<CohortDraft, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = tidy(&input.name);
    if name.is_empty() {
        errors.push(FieldError::new("name", "กรุณาตั้งชื่อรุ่น เช่น รุ่นที่ 1/2569"));
    } else if grapheme_len(&name) > NAME_MAX {
        errors.push(FieldError::new(
            "name",
            format!("ชื่อรุ่นยาวเกิน {NAME_MAX} ตัวอักษร"),
        ));
    }
    let date = |field: &'static str, s: &str, errors: &mut Vec<FieldError>| {
        if s.trim().is_empty() {
            errors.push(FieldError::new(field, "กรุณาใส่วันที่ เช่น 15/1/2570"));
            return None;
        }
        let d = crate::people::model::parse_date(s);
        if d.is_none() {
            errors.push(FieldError::new(
                field,
                "อ่านวันที่ไม่ได้ ใส่เป็น วัน/เดือน/ปี พ.ศ. เช่น 15/1/2570",
            ));
        }
        d
    };
    let starts_on = date("starts", &input.starts, &mut errors);
    let ends_on = date("ends", &input.ends, &mut errors);
    if let (Some(s), Some(e)) = (starts_on, ends_on)
        && e < s
    {
        errors.push(FieldError::new("ends", "วันสิ้นสุดต้องไม่ก่อนวันเริ่มเรียน"));
    }
    let unit = unit_id(&input.unit);
    if unit.is_none() {
        errors.push(FieldError::new("unit", "กรุณาเลือกหน่วยงานที่จัดรุ่นนี้"));
    }
    let mut units: Vec<UnitId> = Vec::new();
    let mut bad_unit = false;
    for u in input.units.iter().filter(|u| !u.trim().is_empty()) {
        match unit_id(u) {
            Some(id) if !units.contains(&id) => units.push(id),
            Some(_) => {}
            None => bad_unit = true,
        }
    }
    if bad_unit {
        errors.push(FieldError::new("units", "เลือกหน่วยงานจากรายการเท่านั้น"));
    } else if units.is_empty() {
        errors.push(FieldError::new(
            "units",
            "กรุณาเลือกหน่วยงานของผู้เรียนอย่างน้อย 1 หน่วยงาน",
        ));
    }
    let role = if input.role.trim().is_empty() {
        None
    } else {
        match Role::parse(input.role.trim()) {
            Ok(r) => Some(r),
            Err(_) => {
                errors.push(FieldError::new("role", "เลือกบทบาทจากรายการเท่านั้น"));
                None
            }
        }
    };
    match (errors.is_empty(), unit, starts_on, ends_on) {
        (true, Some(unit_id), Some(starts_on), Some(ends_on)) => Ok(CohortDraft {
            name,
            unit_id,
            criteria: CohortCriteria {
                units,
                subtree: input.subtree,
                role,
            },
            starts_on,
            ends_on,
        }),
        _ => Err(errors),
    }
}

/// The units whose grants a cohort's criteria reach: the chosen units, and with `subtree`
/// everything below them (retired units too: their people still hold grants).
pub fn reached_units(tree: &UnitTree, criteria: &CohortCriteria) -> Vec<UnitId> {
    let mut out: Vec<UnitId> = if criteria.subtree {
        tree.units()
            .iter()
            .map(|u| u.id)
            .filter(|u| criteria.units.iter().any(|c| tree.is_within(*u, *c)))
            .collect()
    } else {
        criteria.units.clone()
    };
    out.sort_by_key(|u| u.0);
    out.dedup();
    out
}

/// One person a cohort would enrol, with the unit through which they matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub user: UserId,
    pub unit: UnitId,
}

/// One row per person: someone holding grants on several chosen units is enrolled through
/// the first (lowest id) of them, so the roll-up counts each person once.
pub fn one_per_person(mut grants: Vec<Match>) -> Vec<Match> {
    grants.sort_by_key(|m| (m.user.0, m.unit.0));
    grants.dedup_by_key(|m| m.user);
    grants
}

/// What a cohort would do, shown before the officer confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortPreview {
    /// People matching the criteria.
    pub matched: u32,
    /// Of them, already enrolled in the course (they keep their enrolment).
    pub already: u32,
}

impl CohortPreview {
    pub fn to_enrol(&self) -> u32 {
        self.matched - self.already
    }
}

/// What creating a cohort did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortCreated {
    pub id: CohortId,
    pub enrolled: u32,
    pub already: u32,
}

/// Where a learner stands, read from the enrolment's counters only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LearnerStatus {
    /// ยังไม่เริ่ม
    NotStarted,
    /// กำลังเรียน
    InProgress,
    /// เรียนจบ
    Completed,
}

impl LearnerStatus {
    pub const ALL: [LearnerStatus; 3] = [Self::NotStarted, Self::InProgress, Self::Completed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Self::NotStarted => "ยังไม่เริ่ม",
            Self::InProgress => "กำลังเรียน",
            Self::Completed => "เรียนจบ",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }

    /// Started: a lesson opened (last_ms) or done.
    pub fn of(lessons_done: u32, last_at: Option<OffsetDateTime>, completed: bool) -> Self {
        if completed {
            Self::Completed
        } else if lessons_done > 0 || last_at.is_some() {
            Self::InProgress
        } else {
            Self::NotStarted
        }
    }
}

/// How the learners list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LearnerSort {
    /// By name (ก–ฮ).
    #[default]
    Name,
    /// Most lessons done first.
    ProgressDesc,
    /// Fewest lessons done first: who needs a nudge.
    ProgressAsc,
}

impl LearnerSort {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::ProgressDesc => "progress_desc",
            Self::ProgressAsc => "progress_asc",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "progress_desc" => Self::ProgressDesc,
            "progress_asc" => Self::ProgressAsc,
            _ => Self::Name,
        }
    }
}

/// One page of the learners list asks for this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LearnerQuery {
    pub status: Option<LearnerStatus>,
    pub sort: LearnerSort,
    /// 1-based.
    pub page: u64,
}

/// One learner of a cohort as officers see it: name and unit only (PDPA).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearnerRow {
    pub user: UserId,
    pub name: String,
    pub unit_id: UnitId,
    /// Filled in by the service from the unit tree.
    pub unit_name: String,
    pub lessons_done: u32,
    pub score: Option<u8>,
    pub seconds: u64,
    pub last_at: Option<OffsetDateTime>,
    pub completed_at: Option<OffsetDateTime>,
}

impl LearnerRow {
    pub fn status(&self) -> LearnerStatus {
        LearnerStatus::of(self.lessons_done, self.last_at, self.completed_at.is_some())
    }
}

/// Counts of one unit's own learners in a cohort (one grouped query over `enrolments`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitCount {
    pub unit_id: UnitId,
    pub enrolled: u64,
    pub started: u64,
    pub completed: u64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    enrolled: u64,
    started: u64,
    completed: u64,
}

/// A unit's row of the roll-up: counts over its whole subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollUpRow {
    pub unit_id: UnitId,
    pub name: String,
    pub enrolled: u64,
    pub started: u64,
    pub completed: u64,
    /// Has learners below it to drill down to.
    pub has_children: bool,
}

impl RollUpRow {
    pub fn not_started(&self) -> u64 {
        self.enrolled - self.started
    }
    pub fn in_progress(&self) -> u64 {
        self.started - self.completed
    }
}

/// `root` and each of its direct children with learners, every count over the subtree
/// (same idea as the targets' roll-up: counts by `enrolments.unit_id`, summed in memory over
/// the current tree, so a moved unit takes its learners along). Learners outside `root`'s
/// subtree are left out.
pub fn roll_up(tree: &UnitTree, root: UnitId, counts: &[UnitCount]) -> (RollUpRow, Vec<RollUpRow>) {
    // Each count goes to the child of `root` on its path (or to root itself).
    let mut by_child: HashMap<UnitId, Tally> = HashMap::new();
    let mut own = Tally::default();
    let mut below_child: HashMap<UnitId, bool> = HashMap::new();
    for c in counts {
        let Ok(path) = tree.path(c.unit_id) else {
            continue;
        };
        let Some(at) = path.0.iter().position(|u| *u == root) else {
            continue;
        };
        let add = |t: &mut Tally| {
            t.enrolled += c.enrolled;
            t.started += c.started;
            t.completed += c.completed;
        };
        add(&mut own);
        if let Some(child) = path.0.get(at + 1) {
            add(by_child.entry(*child).or_default());
            if path.0.len() > at + 2 {
                below_child.insert(*child, true);
            }
        }
    }
    let name = |u: UnitId| {
        tree.get(u)
            .map(|x| x.name_th.as_str().to_string())
            .unwrap_or_default()
    };
    let root_row = RollUpRow {
        unit_id: root,
        name: name(root),
        enrolled: own.enrolled,
        started: own.started,
        completed: own.completed,
        has_children: !by_child.is_empty(),
    };
    let children = tree
        .children(Some(root))
        .filter_map(|u| {
            by_child.get(&u.id).map(|t| RollUpRow {
                unit_id: u.id,
                name: u.name_th.as_str().to_string(),
                enrolled: t.enrolled,
                started: t.started,
                completed: t.completed,
                has_children: below_child.contains_key(&u.id),
            })
        })
        .collect();
    (root_row, children)
}

/// The reminder's one Thai sentence: the BE end date and what is left.
pub fn reminder_title(course: &str, cohort: &Cohort, lessons_left: u32) -> String {
    let left = if lessons_left == 0 {
        "ยังไม่ได้ทำแบบทดสอบให้ผ่านหรือบทเรียนบังคับให้ครบ".to_string()
    } else {
        format!("เหลืออีก {lessons_left} บทเรียน")
    };
    format!(
        "รายวิชา \"{course}\" ({}) จะปิดวันที่ {} — {left}",
        cohort.fields.name,
        be_day(cohort.fields.ends_on)
    )
}

/// A calendar day in พ.ศ., e.g. "15 ม.ค. 2570".
pub fn be_day(d: Date) -> String {
    crate::text::format_be_date(d.midnight().assume_offset(crate::text::BANGKOK))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{Unit, UnitCode, UnitKind, UnitName};

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

    fn input() -> CohortInput {
        CohortInput {
            name: "รุ่นที่ ๑".into(),
            starts: "1/12/2569".into(),
            ends: "๓๑/๑๒/๒๕๖๙".into(),
            unit: "1".into(),
            units: vec!["2".into(), "3".into(), "2".into()],
            subtree: false,
            role: "viewer".into(),
        }
    }

    #[test]
    fn thai_digits_and_be_years_parse_and_units_dedupe() {
        let d = parse_cohort(&input()).unwrap();
        assert_eq!(d.starts_on.year(), 2026);
        assert_eq!(d.ends_on.day(), 31);
        assert_eq!(d.criteria.units, vec![UnitId(2), UnitId(3)]);
        assert_eq!(d.criteria.role, Some(Role::Viewer));
    }

    #[test]
    fn end_before_start_and_no_units_are_refused_together() {
        let mut i = input();
        i.ends = "30/11/2569".into();
        i.units.clear();
        let e = parse_cohort(&i).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|f| f.field.as_ref()).collect();
        assert_eq!(fields, vec!["ends", "units"]);
    }

    #[test]
    fn roll_up_counts_each_subtree_and_leaves_out_strangers() {
        let tree = UnitTree::new(vec![
            unit(1, None, "P"),
            unit(2, Some(1), "P-D1"),
            unit(3, Some(1), "P-D2"),
            unit(4, Some(3), "P-D2-X"),
            unit(9, None, "Q"),
        ]);
        let c = |u: i64, e: u64, s: u64, d: u64| UnitCount {
            unit_id: UnitId(u),
            enrolled: e,
            started: s,
            completed: d,
        };
        let counts = [c(2, 3, 1, 0), c(3, 2, 2, 1), c(4, 5, 1, 1), c(9, 7, 7, 7)];
        let (root, kids) = roll_up(&tree, UnitId(1), &counts);
        assert_eq!((root.enrolled, root.started, root.completed), (10, 4, 2));
        assert_eq!(kids.len(), 2);
        assert_eq!((kids[1].enrolled, kids[1].completed), (7, 2));
        assert!(kids[1].has_children && !kids[0].has_children);
        let (d2, below) = roll_up(&tree, UnitId(3), &counts);
        assert_eq!(d2.enrolled, 7);
        assert_eq!(below[0].enrolled, 5);
    }

    #[test]
    fn one_enrolment_per_person_through_the_first_unit() {
        let m = |u: i64, unit: i64| Match {
            user: UserId(u),
            unit: UnitId(unit),
        };
        let out = one_per_person(vec![m(5, 3), m(4, 2), m(5, 2)]);
        assert_eq!(out, vec![m(4, 2), m(5, 2)]);
    }
}
