//! The KM plan's shapes (seed 003): Form 1 (แบบฟอร์มที่ ๑, the knowledge a strategic issue
//! needs) and Form 2 (แบบฟอร์มที่ ๒, KM Action Plan: activities under the 7 KM steps), the
//! fiscal year they live in, and the plan's review status.

use crate::error::FieldError;
use crate::ids::{ItemId, PlanId, TermId, UnitId, UserId};
use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};

/// ปีงบประมาณ: 1 October – 30 September, named by the Buddhist-Era year it ends in
/// (ปีงบประมาณ 2568 runs from 1 Oct 2567 to 30 Sep 2568).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FiscalYear(i32);

/// The months of a fiscal year in order, short Thai names (ต.ค. … ก.ย.): the Gantt's columns.
pub const FISCAL_MONTHS_TH: [&str; 12] = [
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

/// The same months' full Thai names.
pub const FISCAL_MONTHS_TH_LONG: [&str; 12] = [
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
];

impl FiscalYear {
    /// A BE year from 2500 to 2700; Thai or Arabic digits; a CE year (1957–2157) is taken
    /// as meant and converted.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let digits = crate::text::arabic_digits(s.trim());
        match digits.parse::<i32>() {
            Ok(y @ 2500..=2700) => Ok(Self(y)),
            Ok(y @ 1957..=2157) => Ok(Self(y + 543)),
            _ => Err(FieldError::new(
                "fiscal_year",
                "กรุณาระบุปีงบประมาณเป็นปี พ.ศ. เช่น 2568",
            )),
        }
    }

    /// The fiscal year a moment falls in (Thai time).
    pub fn of(t: OffsetDateTime) -> Self {
        Self(crate::text::fiscal_year_be(t))
    }

    pub fn be(self) -> i32 {
        self.0
    }

    /// 1 October of the CE year before.
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.0 - 543 - 1, Month::October, 1).expect("valid date")
    }

    /// 30 September.
    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.0 - 543, Month::September, 30).expect("valid date")
    }

    pub fn contains(self, d: Date) -> bool {
        self.first_day() <= d && d <= self.last_day()
    }

    /// Which column (0 = ต.ค. … 11 = ก.ย.) a date of this year falls in; None outside it.
    pub fn month_index(self, d: Date) -> Option<usize> {
        if !self.contains(d) {
            return None;
        }
        Some((u8::from(d.month()) as usize + 2) % 12)
    }

    /// The calendar (CE year, month) of a column.
    pub fn month_at(self, index: usize) -> (i32, Month) {
        let m = (index + 9) % 12 + 1;
        let year = if index < 3 {
            self.0 - 543 - 1
        } else {
            self.0 - 543
        };
        (year, Month::try_from(m as u8).expect("1..=12"))
    }

    /// "ต.ค. 67" … "ก.ย. 68": a column's heading, with the short BE year.
    pub fn month_label(self, index: usize) -> String {
        let (year, _) = self.month_at(index);
        format!("{} {:02}", FISCAL_MONTHS_TH[index], (year + 543) % 100)
    }
}

impl std::fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The 7 steps of the KM process (กระบวนการจัดการความรู้ ๗ ขั้นตอน) that group Form 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KmStep {
    Identify,
    Create,
    Organize,
    Refine,
    Access,
    Share,
    Learn,
}

impl KmStep {
    pub const ALL: [KmStep; 7] = [
        KmStep::Identify,
        KmStep::Create,
        KmStep::Organize,
        KmStep::Refine,
        KmStep::Access,
        KmStep::Share,
        KmStep::Learn,
    ];

    /// 1..=7, as numbered in Form 2.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KmStep::Identify => "identify",
            KmStep::Create => "create",
            KmStep::Organize => "organize",
            KmStep::Refine => "refine",
            KmStep::Access => "access",
            KmStep::Share => "share",
            KmStep::Learn => "learn",
        }
    }

    /// The step's name as Form 2 writes it.
    pub fn label_th(self) -> &'static str {
        match self {
            KmStep::Identify => "การบ่งชี้ความรู้",
            KmStep::Create => "การสร้างและแสวงหาความรู้",
            KmStep::Organize => "การจัดการความรู้ให้เป็นระบบ",
            KmStep::Refine => "การประมวลและกลั่นกรองความรู้",
            KmStep::Access => "การเข้าถึงความรู้",
            KmStep::Share => "การแบ่งปันแลกเปลี่ยนความรู้",
            KmStep::Learn => "การเรียนรู้",
        }
    }

    /// From `as_str`, the number (Thai or Arabic digits) or the Thai name.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t = crate::text::arabic_digits(s.trim());
        Self::ALL
            .into_iter()
            .find(|k| {
                k.as_str() == t || k.label_th() == t || t.parse::<u8>().ok() == Some(k.number())
            })
            .ok_or_else(|| FieldError::new("step", "กรุณาเลือกขั้นตอนการจัดการความรู้ (1–7)"))
    }
}

/// สถานะ of a Form 2 activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    #[default]
    NotStarted,
    InProgress,
    Done,
    Cancelled,
}

impl ActivityStatus {
    pub const ALL: [ActivityStatus; 4] = [
        ActivityStatus::NotStarted,
        ActivityStatus::InProgress,
        ActivityStatus::Done,
        ActivityStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActivityStatus::NotStarted => "not_started",
            ActivityStatus::InProgress => "in_progress",
            ActivityStatus::Done => "done",
            ActivityStatus::Cancelled => "cancelled",
        }
    }

    /// As the seed's forms write it.
    pub fn label_th(self) -> &'static str {
        match self {
            ActivityStatus::NotStarted => "ยังไม่ดำเนินการ",
            ActivityStatus::InProgress => "อยู่ระหว่างดำเนินการ",
            ActivityStatus::Done => "ดำเนินการแล้ว",
            ActivityStatus::Cancelled => "ยกเลิก",
        }
    }

    /// From `as_str` or the Thai label (the seed also writes "ระหว่างดำเนินการ"); blank is
    /// not started.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let t: String = s.split_whitespace().collect();
        if t.is_empty() {
            return Ok(ActivityStatus::NotStarted);
        }
        if t == "ระหว่างดำเนินการ" {
            return Ok(ActivityStatus::InProgress);
        }
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == t || k.label_th() == t)
            .ok_or_else(|| {
                FieldError::new(
                    "status",
                    "สถานะต้องเป็น ยังไม่ดำเนินการ / อยู่ระหว่างดำเนินการ / ดำเนินการแล้ว / ยกเลิก",
                )
            })
    }
}

/// Where a plan is in its review by the parent unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    #[default]
    Draft,
    Submitted,
    Approved,
    Returned,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 4] = [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::Approved,
        PlanStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
            PlanStatus::Returned => "returned",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            PlanStatus::Draft => "ร่าง",
            PlanStatus::Submitted => "ส่งแล้ว รอพิจารณา",
            PlanStatus::Approved => "อนุมัติแล้ว",
            PlanStatus::Returned => "ส่งกลับให้แก้ไข",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// ระยะเวลา of an activity: whole fiscal months (a bit per column, bit 0 = ต.ค.) or a range of
/// dates, always inside the plan's fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Period {
    Months { mask: u16 },
    Dates { start: Date, end: Date },
}

impl Period {
    /// The Gantt's bars: which of the 12 columns the period touches.
    pub fn month_mask(&self, year: FiscalYear) -> u16 {
        match *self {
            Period::Months { mask } => mask & 0x0fff,
            Period::Dates { start, end } => {
                let (Some(a), Some(b)) = (year.month_index(start), year.month_index(end)) else {
                    return 0;
                };
                (a..=b).fold(0, |m, i| m | 1 << i)
            }
        }
    }
}

/// เป้าหมาย of a KPI or an activity: a number with its unit ("60 องค์ความรู้", "ร้อยละ 90"), or
/// words only where the form has no number ("คณะทำงานประมวลฯ").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Quantity {
    pub number: Option<f64>,
    /// The unit after the number, or the whole text when there is no number.
    pub unit: String,
}

/// One KPI of a Form 1 row with its target (ตัวชี้วัด / เป้าหมายของตัวชี้วัด).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Kpi {
    pub name: String,
    pub target: String,
}

/// One required knowledge (องค์ความรู้ที่จำเป็น), linked to a taxonomy term when it names one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RequiredKnowledge {
    pub text: String,
    pub term: Option<TermId>,
}

/// One row of Form 1: a strategic issue (ประเด็นการพัฒนา/ยุทธศาสตร์), its objective, KPIs and
/// the knowledge it needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct IssueRow {
    pub issue: String,
    pub objective: String,
    pub kpis: Vec<Kpi>,
    pub knowledge: Vec<RequiredKnowledge>,
}

/// Evidence of an activity (หลักฐาน): an item of the repository, or a link (an event, a file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    Item { item: ItemId },
    Link { url: String, label: String },
}

/// One activity of Form 2 (กิจกรรมการจัดการความรู้).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub step: KmStep,
    pub title: String,
    pub period: Period,
    /// ตัวชี้วัด: required.
    pub indicator: String,
    pub target: Quantity,
    pub target_group: String,
    /// ผู้รับผิดชอบ as written, and the units it names when chosen from the tree.
    pub responsible: String,
    pub responsible_units: Vec<UnitId>,
    pub status: ActivityStatus,
    pub evidence: Vec<Evidence>,
}

/// The plan's contents: Form 1 and Form 2. Kept and versioned as one document, so an import
/// or a copy replaces it whole and a stale save is refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PlanContent {
    /// ประเด็นยุทธศาสตร์ in Form 2's header.
    pub strategic_issues: String,
    pub issues: Vec<IssueRow>,
    pub activities: Vec<Activity>,
}

/// A unit's KM plan for a fiscal year (แผนการจัดการความรู้ของหน่วยงาน).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KmPlan {
    pub id: PlanId,
    pub unit_id: UnitId,
    pub fiscal_year: FiscalYear,
    pub status: PlanStatus,
    pub content: PlanContent,
    /// Bumped on every change; a save names the version it started from.
    pub version: i32,
    /// The plan this one started as a copy of.
    pub copied_from: Option<PlanId>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub submitted_at: Option<OffsetDateTime>,
    pub decided_at: Option<OffsetDateTime>,
}

/// The most rows a form may have (an import of a runaway sheet stops here).
pub const MAX_ROWS: usize = 500;
/// The longest text of one cell.
pub const MAX_TEXT: usize = 4000;

/// "แบบฟอร์มที่ ๑ แถวที่ 3: " — how an error names its row.
pub fn row_prefix(form: u8, index: usize) -> String {
    let form = if form == 1 { "๑" } else { "๒" };
    format!("แบบฟอร์มที่ {form} แถวที่ {}: ", index + 1)
}

impl Activity {
    /// A new, empty activity under a step (not started, the whole year).
    pub fn new(step: KmStep) -> Self {
        Activity {
            step,
            title: String::new(),
            period: Period::Months { mask: 0 },
            indicator: String::new(),
            target: Quantity::default(),
            target_group: String::new(),
            responsible: String::new(),
            responsible_units: Vec::new(),
            status: ActivityStatus::NotStarted,
            evidence: Vec::new(),
        }
    }

    /// What is wrong with the activity in a plan of `year`, each error on its field.
    pub fn problems(&self, year: FiscalYear) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.title.trim().is_empty() {
            out.push(FieldError::new("title", "กรุณาระบุชื่อกิจกรรม"));
        }
        if self.indicator.trim().is_empty() {
            out.push(FieldError::new("indicator", "กรุณาระบุตัวชี้วัดของกิจกรรม"));
        }
        if let Err(m) = self.period.check(year) {
            out.push(FieldError::new("period", m));
        }
        for (field, text) in [
            ("title", &self.title),
            ("indicator", &self.indicator),
            ("target", &self.target.unit),
            ("target_group", &self.target_group),
            ("responsible", &self.responsible),
        ] {
            if text.chars().count() > MAX_TEXT {
                out.push(FieldError::new(
                    field,
                    format!("ข้อความยาวเกิน {MAX_TEXT} ตัวอักษร"),
                ));
            }
        }
        if self
            .target
            .number
            .is_some_and(|n| !n.is_finite() || n < 0.0)
        {
            out.push(FieldError::new("target", "เป้าหมายต้องเป็นจำนวนที่ไม่ติดลบ"));
        }
        for e in &self.evidence {
            if let Evidence::Link { url, .. } = e
                && !(url.starts_with("https://")
                    || url.starts_with("http://")
                    || (url.starts_with('/') && !url.starts_with("//")))
            {
                out.push(FieldError::new(
                    "evidence",
                    "หลักฐานต้องเป็นลิงก์ที่ขึ้นต้นด้วย https:// หรือรหัสองค์ความรู้ในคลัง",
                ));
            }
        }
        out
    }
}

impl IssueRow {
    /// What is wrong with a Form 1 row, each error on its field.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.issue.trim().is_empty() {
            out.push(FieldError::new("issue", "กรุณาระบุประเด็นการพัฒนา/ยุทธศาสตร์"));
        }
        if self.kpis.iter().any(|k| k.name.trim().is_empty()) {
            out.push(FieldError::new("kpis", "ตัวชี้วัดแต่ละข้อต้องมีชื่อ"));
        }
        if self.knowledge.iter().any(|k| k.text.trim().is_empty()) {
            out.push(FieldError::new(
                "knowledge",
                "องค์ความรู้ที่จำเป็นแต่ละข้อต้องมีข้อความ",
            ));
        }
        let long = std::iter::once(&self.issue)
            .chain(std::iter::once(&self.objective))
            .chain(self.kpis.iter().flat_map(|k| [&k.name, &k.target]))
            .chain(self.knowledge.iter().map(|k| &k.text))
            .any(|t| t.chars().count() > MAX_TEXT);
        if long {
            out.push(FieldError::new(
                "issue",
                format!("ข้อความยาวเกิน {MAX_TEXT} ตัวอักษร"),
            ));
        }
        out
    }
}

impl PlanContent {
    /// Everything that is wrong with the plan in `year`: each error keeps its field name and
    /// its message names the form and the row ("แบบฟอร์มที่ ๒ แถวที่ 3: …"). Empty when the
    /// plan may be saved.
    pub fn problems(&self, year: FiscalYear) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.strategic_issues.chars().count() > MAX_TEXT {
            out.push(FieldError::new(
                "strategic_issues",
                format!("ข้อความยาวเกิน {MAX_TEXT} ตัวอักษร"),
            ));
        }
        if self.issues.len() > MAX_ROWS || self.activities.len() > MAX_ROWS {
            out.push(FieldError::new(
                "rows",
                format!("แต่ละแบบฟอร์มมีได้ไม่เกิน {MAX_ROWS} แถว"),
            ));
        }
        for (i, row) in self.issues.iter().enumerate() {
            for e in row.problems() {
                out.push(FieldError::new(
                    e.field,
                    format!("{}{}", row_prefix(1, i), e.message),
                ));
            }
        }
        for (i, a) in self.activities.iter().enumerate() {
            for e in a.problems(year) {
                out.push(FieldError::new(
                    e.field,
                    format!("{}{}", row_prefix(2, i), e.message),
                ));
            }
        }
        out
    }

    /// The activities in Form 2's order (by step, then as entered), with their index in
    /// `activities`.
    pub fn by_step(&self) -> Vec<(KmStep, Vec<(usize, &Activity)>)> {
        KmStep::ALL
            .into_iter()
            .map(|s| {
                let rows = self
                    .activities
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.step == s)
                    .collect();
                (s, rows)
            })
            .collect()
    }

    /// The same plan as a fresh start: statuses back to not started, evidence dropped;
    /// periods moved a year on when `next_year` (a copy of last year's plan). A dated period
    /// that cannot move (29 February) becomes its months.
    pub fn fresh_copy(&self, from: FiscalYear, next_year: bool) -> PlanContent {
        let mut c = self.clone();
        for a in &mut c.activities {
            a.status = ActivityStatus::NotStarted;
            a.evidence.clear();
            if next_year {
                a.period = a.period.next_year().unwrap_or(Period::Months {
                    mask: a.period.month_mask(from),
                });
            }
        }
        c
    }

    /// The content without what tracking changes (statuses, evidence): two plans that differ
    /// only there differ in progress, not in what was approved.
    pub fn without_progress(&self) -> PlanContent {
        let mut c = self.clone();
        for a in &mut c.activities {
            a.status = ActivityStatus::NotStarted;
            a.evidence.clear();
        }
        c
    }
}

#[cfg(test)]
mod validation_tests {
    use super::*;

    fn activity(title: &str, indicator: &str, period: Period) -> Activity {
        Activity {
            title: title.into(),
            indicator: indicator.into(),
            period,
            ..Activity::new(KmStep::Share)
        }
    }

    #[test]
    fn rows_are_named() {
        let year = FiscalYear::parse("2568").unwrap();
        let ok = activity("อบรม", "จำนวนคน", Period::WHOLE_YEAR);
        let content = PlanContent {
            activities: vec![
                ok.clone(),
                ok.clone(),
                activity("อบรม", "", Period::WHOLE_YEAR),
                activity(
                    "",
                    "x",
                    Period::Dates {
                        start: time::macros::date!(2025 - 10 - 01),
                        end: time::macros::date!(2025 - 10 - 02),
                    },
                ),
                activity("a", "b", Period::Months { mask: 0 }),
            ],
            ..Default::default()
        };
        let p = content.problems(year);
        let messages: Vec<&str> = p.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "แบบฟอร์มที่ ๒ แถวที่ 3: กรุณาระบุตัวชี้วัดของกิจกรรม",
                "แบบฟอร์มที่ ๒ แถวที่ 4: กรุณาระบุชื่อกิจกรรม",
                "แบบฟอร์มที่ ๒ แถวที่ 4: ระยะเวลาต้องอยู่ในปีงบประมาณ 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)",
                "แบบฟอร์มที่ ๒ แถวที่ 5: กรุณาเลือกอย่างน้อยหนึ่งเดือน",
            ]
        );
        assert_eq!(p[0].field, "indicator");
        let form1 = PlanContent {
            issues: vec![IssueRow::default()],
            ..Default::default()
        };
        assert_eq!(
            form1.problems(year)[0].message,
            "แบบฟอร์มที่ ๑ แถวที่ 1: กรุณาระบุประเด็นการพัฒนา/ยุทธศาสตร์"
        );
    }

    #[test]
    fn a_copy_starts_fresh_a_year_later() {
        let y67 = FiscalYear::parse("2567").unwrap();
        let mut a = activity(
            "a",
            "b",
            Period::Dates {
                start: time::macros::date!(2024 - 03 - 23),
                end: time::macros::date!(2024 - 03 - 25),
            },
        );
        a.status = ActivityStatus::Done;
        a.evidence.push(Evidence::Link {
            url: "https://x".into(),
            label: String::new(),
        });
        let c = PlanContent {
            activities: vec![a],
            ..Default::default()
        }
        .fresh_copy(y67, true);
        assert_eq!(c.activities[0].status, ActivityStatus::NotStarted);
        assert!(c.activities[0].evidence.is_empty());
        assert!(
            c.problems(FiscalYear::parse("2568").unwrap()).is_empty(),
            "{:?}",
            c.activities[0].period
        );
    }
}
