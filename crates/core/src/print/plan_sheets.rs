//! A KM plan in seed 003's spreadsheet layout, both ways: the two sheets as text grids (the web
//! layer writes them as XLSX with formats) and the reading of such sheets back into a
//! [`PlanContent`], with every bad row named.
//!
//! Layout of "แบบฟอร์มที่ ๑": title rows, then the header
//! ประเด็นการพัฒนา | เป้าประสงค์ (Objective) | ตัวชี้วัด (KPI) | เป้าหมายของตัวชี้วัด | องค์ความรู้ที่จำเป็น,
//! then **one row per KPI**: an issue's first row holds the issue and its objective (merged down
//! over its rows in the XLSX), the rows after it leave them blank ("blank-continued"); row *i*
//! of an issue holds its *i*-th KPI with its target and its *i*-th required knowledge, so an
//! issue takes max(KPIs, knowledge, 1) rows.
//!
//! Layout of "แบบฟอร์มที่ ๒": title rows, "ประเด็นยุทธศาสตร์: …", the header
//! ลำดับ | กิจกรรมการจัดการความรู้ | ระยะเวลา | ตัวชี้วัด | เป้าหมาย | กลุ่มเป้าหมาย | ผู้รับผิดชอบ | สถานะ,
//! then for each of the 7 KM steps a step row ("๑" | "การบ่งชี้ความรู้", the rest blank) and its
//! activities ("๑)" | title | period …). Reading also takes the seed's own way of numbering
//! ("๑) title" with a blank ลำดับ): a leading "๑)" is dropped from a title.
//!
//! What a spreadsheet cannot carry — evidence, the units chosen as responsible, the taxonomy
//! term of a required knowledge — is kept from the plan being replaced by [`carry_over`] when
//! an activity (same step and title) or a knowledge (same text) is still there.

use crate::error::FieldError;
use crate::planning::model::{
    Activity, ActivityStatus, FiscalYear, IssueRow, KmPlan, KmStep, Kpi, Period, PlanContent,
    Quantity, RequiredKnowledge,
};
use crate::text::{arabic_digits, thai_digits};

use super::plan::{FORM1_TITLE, FORM2_TITLE, activity_number, by_step, plan_title};

pub const FORM1_SHEET: &str = "แบบฟอร์มที่ ๑";
pub const FORM2_SHEET: &str = "แบบฟอร์มที่ ๒";
pub const FORM1_HEADER: [&str; 5] = [
    "ประเด็นการพัฒนา",
    "เป้าประสงค์ (Objective)",
    "ตัวชี้วัด (KPI)",
    "เป้าหมายของตัวชี้วัด",
    "องค์ความรู้ที่จำเป็น",
];
pub const FORM2_HEADER: [&str; 8] = [
    "ลำดับ",
    "กิจกรรมการจัดการความรู้",
    "ระยะเวลา",
    "ตัวชี้วัด",
    "เป้าหมาย",
    "กลุ่มเป้าหมาย",
    "ผู้รับผิดชอบ",
    "สถานะ",
];
const STRATEGY_PREFIX: &str = "ประเด็นยุทธศาสตร์";
/// More data rows than this in one sheet is not a plan.
pub const MAX_ROWS: usize = 3000;

/// What a row is, for the writer's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    /// A title line across the sheet.
    Title,
    Header,
    /// A KM step's row in Form 2.
    Step,
    Body,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GridRow {
    pub kind: RowKind,
    pub cells: Vec<String>,
}

/// One sheet as text: its rows, the column widths (characters), and the cells merged down
/// (Form 1's issue and objective over their KPI rows): (first row, last row, column).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetGrid {
    pub name: &'static str,
    pub widths: Vec<f64>,
    pub rows: Vec<GridRow>,
    pub merges: Vec<(u32, u32, u16)>,
}

fn title(s: impl Into<String>) -> GridRow {
    GridRow {
        kind: RowKind::Title,
        cells: vec![s.into()],
    }
}

/// The two sheets of `plan` for `unit_name`.
pub fn plan_sheets(plan: &KmPlan, unit_name: &str) -> [SheetGrid; 2] {
    [form1(plan, unit_name), form2(plan, unit_name)]
}

fn form1(plan: &KmPlan, unit_name: &str) -> SheetGrid {
    let mut rows = vec![
        title(FORM1_TITLE),
        title(plan_title(plan.fiscal_year)),
        title(format!("ชื่อส่วนราชการ: {unit_name}")),
        GridRow {
            kind: RowKind::Header,
            cells: FORM1_HEADER.map(String::from).to_vec(),
        },
    ];
    let mut merges = Vec::new();
    for issue in &plan.content.issues {
        let n = issue.kpis.len().max(issue.knowledge.len()).max(1);
        let first = rows.len() as u32;
        for i in 0..n {
            let kpi = issue.kpis.get(i);
            rows.push(GridRow {
                kind: RowKind::Body,
                cells: vec![
                    if i == 0 {
                        issue.issue.clone()
                    } else {
                        String::new()
                    },
                    if i == 0 {
                        issue.objective.clone()
                    } else {
                        String::new()
                    },
                    kpi.map(|k| k.name.clone()).unwrap_or_default(),
                    kpi.map(|k| k.target.clone()).unwrap_or_default(),
                    issue
                        .knowledge
                        .get(i)
                        .map(|k| k.text.clone())
                        .unwrap_or_default(),
                ],
            });
        }
        if n > 1 {
            let last = first + n as u32 - 1;
            merges.push((first, last, 0));
            merges.push((first, last, 1));
        }
    }
    SheetGrid {
        name: FORM1_SHEET,
        widths: vec![30.0, 30.0, 40.0, 20.0, 45.0],
        rows,
        merges,
    }
}

fn form2(plan: &KmPlan, unit_name: &str) -> SheetGrid {
    let year = plan.fiscal_year;
    let mut rows = vec![
        title(FORM2_TITLE),
        title(plan_title(year)),
        title(format!("ชื่อส่วนราชการ: {unit_name}")),
        title(format!(
            "{STRATEGY_PREFIX}: {}",
            plan.content.strategic_issues
        )),
        GridRow {
            kind: RowKind::Header,
            cells: FORM2_HEADER.map(String::from).to_vec(),
        },
    ];
    for (step, activities) in by_step(&plan.content.activities) {
        rows.push(GridRow {
            kind: RowKind::Step,
            cells: vec![
                thai_digits(&step.number().to_string()),
                step.label_th().to_string(),
            ],
        });
        for (i, a) in activities.into_iter().enumerate() {
            rows.push(GridRow {
                kind: RowKind::Body,
                cells: vec![
                    activity_number(i + 1),
                    a.title.clone(),
                    a.period.label_th(year),
                    a.indicator.clone(),
                    a.target.label_th(),
                    a.target_group.clone(),
                    a.responsible.clone(),
                    a.status.label_th().to_string(),
                ],
            });
        }
    }
    SheetGrid {
        name: FORM2_SHEET,
        widths: vec![7.0, 40.0, 22.0, 32.0, 18.0, 28.0, 24.0, 18.0],
        rows,
        merges: Vec::new(),
    }
}

/// A sheet as read from a workbook: rows of trimmed text cells.
pub type SheetRows = [Vec<String>];

fn cell(row: &[String], i: usize) -> &str {
    row.get(i).map(|s| s.trim()).unwrap_or("")
}

/// "แผ่นงาน แบบฟอร์มที่ ๒ แถวที่ 14" (Excel's row number, from 1).
fn at(sheet: &str, index: usize) -> String {
    format!("แผ่นงาน {sheet} แถวที่ {}", index + 1)
}

fn line_breaks(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// The index of the header row: the first whose first cell starts with `first`.
fn header_index(rows: &SheetRows, first: &str) -> Option<usize> {
    rows.iter()
        .position(|r| arabic_digits(cell(r, 0)).starts_with(first))
}

/// Reads the two sheets back into plan content for `year`; on any bad row, every problem of
/// every row (nothing is taken).
pub fn read_plan_sheets(
    year: FiscalYear,
    form1: &SheetRows,
    form2: &SheetRows,
) -> Result<PlanContent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let issues = read_form1(form1, &mut errors);
    let (strategic_issues, activities) = read_form2(year, form2, &mut errors);
    if errors.is_empty() {
        Ok(PlanContent {
            strategic_issues,
            issues,
            activities,
        })
    } else {
        Err(errors)
    }
}

fn too_many(sheet: &str, rows: &SheetRows, errors: &mut Vec<FieldError>) -> bool {
    if rows.len() > MAX_ROWS {
        errors.push(FieldError::new(
            format!("แผ่นงาน {sheet}"),
            format!("มีแถวมากเกินไป (ไม่เกิน {MAX_ROWS} แถว)"),
        ));
        return true;
    }
    false
}

fn read_form1(rows: &SheetRows, errors: &mut Vec<FieldError>) -> Vec<IssueRow> {
    let sheet = FORM1_SHEET;
    if too_many(sheet, rows, errors) {
        return Vec::new();
    }
    let Some(header) = header_index(rows, FORM1_HEADER[0]) else {
        errors.push(FieldError::new(
            format!("แผ่นงาน {sheet}"),
            format!("ไม่พบแถวหัวตาราง (ช่องแรกต้องเป็น \"{}\")", FORM1_HEADER[0]),
        ));
        return Vec::new();
    };
    let mut issues: Vec<IssueRow> = Vec::new();
    // The sheet row each issue starts on, for its errors.
    let mut starts: Vec<usize> = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header + 1) {
        let [issue, objective, kpi, target, knowledge] =
            [0, 1, 2, 3, 4].map(|c| line_breaks(cell(row, c)));
        if [&issue, &objective, &kpi, &target, &knowledge]
            .iter()
            .all(|s| s.is_empty())
        {
            continue;
        }
        if !issue.is_empty() {
            starts.push(i);
            issues.push(IssueRow {
                issue,
                objective,
                kpis: Vec::new(),
                knowledge: Vec::new(),
            });
        } else if issues.is_empty() {
            errors.push(FieldError::new(
                at(sheet, i),
                "ไม่มีประเด็นการพัฒนา (แถวแรกของแต่ละประเด็นต้องมีชื่อประเด็น)",
            ));
            continue;
        } else if !objective.is_empty() {
            errors.push(FieldError::new(
                at(sheet, i),
                "เป้าประสงค์ต้องอยู่ในแถวเดียวกับชื่อประเด็นการพัฒนา",
            ));
        }
        let current = issues.last_mut().expect("an issue");
        if !kpi.is_empty() {
            current.kpis.push(Kpi { name: kpi, target });
        } else if !target.is_empty() {
            errors.push(FieldError::new(at(sheet, i), "มีเป้าหมายของตัวชี้วัดแต่ไม่มีตัวชี้วัด"));
        }
        if !knowledge.is_empty() {
            current.knowledge.push(RequiredKnowledge {
                text: knowledge,
                term: None,
            });
        }
    }
    for (issue, start) in issues.iter().zip(starts) {
        for e in issue.problems() {
            errors.push(FieldError::new(at(sheet, start), e.message));
        }
    }
    issues
}

/// "๑) เพิ่มทักษะ…" → "เพิ่มทักษะ…" (the seed numbers activities inside the title).
fn strip_number(title: &str) -> &str {
    let digits = title
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit() && !('๐'..='๙').contains(c))
        .map(|(i, _)| i)
        .unwrap_or(title.len());
    if digits > 0 && title[digits..].starts_with(')') {
        title[digits + 1..].trim_start()
    } else {
        title
    }
}

/// A step row: a step number (no ")") or name in ลำดับ or the activity column, nothing else.
fn step_of(row: &[String]) -> Option<KmStep> {
    if (2..8).any(|c| !cell(row, c).is_empty()) {
        return None;
    }
    let number = cell(row, 0);
    if !number.is_empty() && !number.contains(')') {
        return KmStep::parse(number).ok();
    }
    if number.is_empty() {
        return KmStep::parse(cell(row, 1)).ok();
    }
    None
}

fn read_form2(
    year: FiscalYear,
    rows: &SheetRows,
    errors: &mut Vec<FieldError>,
) -> (String, Vec<Activity>) {
    let sheet = FORM2_SHEET;
    if too_many(sheet, rows, errors) {
        return (String::new(), Vec::new());
    }
    let Some(header) = header_index(rows, FORM2_HEADER[0]) else {
        errors.push(FieldError::new(
            format!("แผ่นงาน {sheet}"),
            format!("ไม่พบแถวหัวตาราง (ช่องแรกต้องเป็น \"{}\")", FORM2_HEADER[0]),
        ));
        return (String::new(), Vec::new());
    };
    let strategic_issues = rows[..header]
        .iter()
        .map(|r| cell(r, 0))
        .find_map(|c| c.strip_prefix(STRATEGY_PREFIX))
        .map(|rest| line_breaks(rest.trim_start().trim_start_matches(':').trim()))
        .unwrap_or_default();
    let mut step: Option<KmStep> = None;
    let mut activities = Vec::new();
    for (i, row) in rows.iter().enumerate().skip(header + 1) {
        if (0..8).all(|c| cell(row, c).is_empty()) {
            continue;
        }
        if let Some(s) = step_of(row) {
            step = Some(s);
            continue;
        }
        let here = at(sheet, i);
        let mut bad = |message: String| errors.push(FieldError::new(here.clone(), message));
        let Some(current) = step else {
            bad("กิจกรรมต้องอยู่ใต้แถวขั้นตอนการจัดการความรู้ (เช่น \"๑\" | \"การบ่งชี้ความรู้\")".into());
            continue;
        };
        let title = line_breaks(strip_number(cell(row, 1)));
        if title.is_empty() {
            bad("ไม่มีชื่อกิจกรรม".into());
        }
        let period_text = cell(row, 2);
        let period = if period_text.is_empty() {
            bad("ไม่มีระยะเวลา".into());
            None
        } else {
            match Period::parse_th(period_text, year) {
                Ok(p) => Some(p),
                Err(e) => {
                    bad(format!("ระยะเวลา \"{period_text}\": {}", e.message));
                    None
                }
            }
        };
        let indicator = line_breaks(cell(row, 3));
        if indicator.is_empty() {
            bad("ไม่มีตัวชี้วัด".into());
        }
        let target = Quantity::parse_th(cell(row, 4));
        let status = match ActivityStatus::parse(cell(row, 7)) {
            Ok(s) => Some(s),
            Err(e) => {
                bad(e.message);
                None
            }
        };
        if let (Some(period), Some(status), false, false) =
            (period, status, title.is_empty(), indicator.is_empty())
        {
            let activity = Activity {
                step: current,
                title,
                period,
                indicator,
                target,
                target_group: line_breaks(cell(row, 5)),
                responsible: line_breaks(cell(row, 6)),
                responsible_units: Vec::new(),
                status,
                evidence: Vec::new(),
            };
            // The plan's own rules (period inside the year, lengths …), on this row.
            for e in activity.problems(year) {
                bad(e.message);
            }
            activities.push(activity);
        }
    }
    (strategic_issues, activities)
}

/// Keeps what a spreadsheet cannot carry from the content being replaced: an activity with the
/// same step and title gets the old one's evidence and responsible units (each old activity
/// gives once); a required knowledge with the same text gets the old one's taxonomy term.
pub fn carry_over(old: &PlanContent, new: &mut PlanContent) {
    let mut used = vec![false; old.activities.len()];
    for a in &mut new.activities {
        if let Some(i) = old
            .activities
            .iter()
            .enumerate()
            .position(|(i, o)| !used[i] && o.step == a.step && o.title == a.title)
        {
            used[i] = true;
            a.evidence = old.activities[i].evidence.clone();
            a.responsible_units = old.activities[i].responsible_units.clone();
        }
    }
    let terms: Vec<&RequiredKnowledge> = old
        .issues
        .iter()
        .flat_map(|i| &i.knowledge)
        .filter(|k| k.term.is_some())
        .collect();
    for k in new.issues.iter_mut().flat_map(|i| &mut i.knowledge) {
        if let Some(o) = terms.iter().find(|o| o.text == k.text) {
            k.term = o.term;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ItemId, PlanId, TermId, UnitId, UserId};
    use crate::planning::model::{Evidence, PlanStatus};
    use time::macros::{date, datetime};

    fn year() -> FiscalYear {
        FiscalYear::parse("2568").unwrap()
    }

    fn activity(step: KmStep, title: &str, period: Period, status: ActivityStatus) -> Activity {
        Activity {
            step,
            title: title.into(),
            period,
            indicator: format!("ตัวชี้วัดของ{title}"),
            target: Quantity::parse_th("๖๐ องค์ความรู้"),
            target_group: "บุคลากร".into(),
            responsible: "สำนักงานพัฒนาชุมชนจังหวัด".into(),
            responsible_units: Vec::new(),
            status,
            evidence: Vec::new(),
        }
    }

    fn plan(content: PlanContent) -> KmPlan {
        KmPlan {
            id: PlanId(1),
            unit_id: UnitId(1),
            fiscal_year: year(),
            status: PlanStatus::Draft,
            content,
            version: 1,
            copied_from: None,
            created_by: UserId(1),
            created_at: datetime!(2024-10-01 0:00 UTC),
            updated_at: datetime!(2024-10-01 0:00 UTC),
            submitted_at: None,
            decided_at: None,
        }
    }

    fn content() -> PlanContent {
        PlanContent {
            strategic_issues: "๑. สร้างสรรค์ชุมชนพึ่งตนเองได้\n๒. ส่งเสริมเศรษฐกิจฐานราก".into(),
            issues: vec![
                IssueRow {
                    issue: "๑. สร้างสรรค์ชุมชน".into(),
                    objective: "หมู่บ้านพอเพียง".into(),
                    kpis: vec![
                        Kpi {
                            name: "ก".into(),
                            target: "ร้อยละ ๙๐".into(),
                        },
                        Kpi {
                            name: "ข".into(),
                            target: String::new(),
                        },
                    ],
                    knowledge: vec![
                        RequiredKnowledge {
                            text: "Big Data".into(),
                            term: None,
                        },
                        RequiredKnowledge {
                            text: "ผู้นำ".into(),
                            term: None,
                        },
                        RequiredKnowledge {
                            text: "ปราชญ์".into(),
                            term: None,
                        },
                    ],
                },
                IssueRow {
                    issue: "๒. ไม่มีตัวชี้วัด".into(),
                    objective: String::new(),
                    kpis: Vec::new(),
                    knowledge: Vec::new(),
                },
            ],
            activities: vec![
                activity(
                    KmStep::Identify,
                    "อบรม",
                    Period::Dates {
                        start: date!(2025 - 03 - 23),
                        end: date!(2025 - 03 - 25),
                    },
                    ActivityStatus::Done,
                ),
                activity(
                    KmStep::Identify,
                    "แจ้งแนวทาง",
                    Period::Months { mask: 0b1 << 6 },
                    ActivityStatus::NotStarted,
                ),
                activity(
                    KmStep::Share,
                    "แลกเปลี่ยน",
                    Period::Months { mask: 0b101 },
                    ActivityStatus::Cancelled,
                ),
                activity(
                    KmStep::Learn,
                    "เรียนรู้",
                    Period::Months {
                        mask: 0b1110_0000_0000,
                    },
                    ActivityStatus::InProgress,
                ),
            ],
        }
    }

    fn text(grid: &SheetGrid) -> Vec<Vec<String>> {
        let mut rows: Vec<Vec<String>> = grid.rows.iter().map(|r| r.cells.clone()).collect();
        // What a workbook reader sees of a merged cell: the value in the first cell only.
        for &(first, last, c) in &grid.merges {
            for r in first + 1..=last {
                rows[r as usize][c as usize] = String::new();
            }
        }
        rows
    }

    #[test]
    fn the_sheets_read_back_to_the_same_content() {
        let p = plan(content());
        let [f1, f2] = plan_sheets(&p, "สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา");
        assert_eq!(f1.name, FORM1_SHEET);
        // One row per KPI (or knowledge): issue 1 takes 3 rows, issue 2 one.
        assert_eq!(f1.rows.len(), 4 + 3 + 1);
        assert_eq!(f1.merges, [(4, 6, 0), (4, 6, 1)]);
        // Every step has its row, even without activities.
        assert_eq!(
            f2.rows.iter().filter(|r| r.kind == RowKind::Step).count(),
            7
        );
        let back = read_plan_sheets(year(), &text(&f1), &text(&f2)).unwrap();
        assert_eq!(back, p.content);
    }

    #[test]
    fn every_bad_row_is_named_and_nothing_is_taken() {
        let p = plan(content());
        let [f1, f2] = plan_sheets(&p, "หน่วยงาน");
        let mut rows2 = text(&f2);
        let first_activity = rows2.iter().position(|r| r[0] == "๑)").unwrap();
        rows2[first_activity][3] = String::new();
        rows2[first_activity + 1][2] = "เร็ว ๆ นี้".into();
        rows2[first_activity + 1][7] = "เสร็จ?".into();
        let mut rows1 = text(&f1);
        rows1[5][3] = "ร้อยละ ๑๐".into();
        rows1[5][2] = String::new();
        let errors = read_plan_sheets(year(), &rows1, &rows2).unwrap_err();
        let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(
            lines[0],
            "แผ่นงาน แบบฟอร์มที่ ๑ แถวที่ 6: มีเป้าหมายของตัวชี้วัดแต่ไม่มีตัวชี้วัด"
        );
        assert_eq!(
            lines[1],
            format!("แผ่นงาน แบบฟอร์มที่ ๒ แถวที่ {}: ไม่มีตัวชี้วัด", first_activity + 1)
        );
        assert!(
            lines[2].starts_with(&format!(
                "แผ่นงาน แบบฟอร์มที่ ๒ แถวที่ {}: ระยะเวลา \"เร็ว ๆ นี้\"",
                first_activity + 2
            )),
            "{}",
            lines[2]
        );
        assert!(lines[3].contains("สถานะต้องเป็น"));
    }

    #[test]
    fn the_seeds_own_numbering_and_step_rows_are_read() {
        let header: Vec<String> = FORM2_HEADER.map(String::from).to_vec();
        let row = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let rows2 = vec![
            row(&["ประเด็นยุทธศาสตร์: ๑. สร้างสรรค์"]),
            header,
            row(&["๑", "การบ่งชี้ความรู้"]),
            row(&[
                "",
                "๒)แจ้งแนวทาง",
                "เมษายน ๒๕๖๘",
                "มีความรู้",
                "เจ้าหน้าที่",
                "",
                "สพจ.",
                "ดำเนินการแล้ว",
            ]),
            row(&["", "การแบ่งปันแลกเปลี่ยนความรู้"]),
            row(&[
                "",
                "๑) แลกเปลี่ยน",
                "กรกฎาคม - กันยายน ๒๕๖๘",
                "จำนวน",
                "",
                "",
                "",
                "",
            ]),
        ];
        let rows1 = vec![FORM1_HEADER.map(String::from).to_vec()];
        let c = read_plan_sheets(year(), &rows1, &rows2).unwrap();
        assert_eq!(c.strategic_issues, "๑. สร้างสรรค์");
        assert_eq!(c.activities.len(), 2);
        assert_eq!(c.activities[0].title, "แจ้งแนวทาง");
        assert_eq!(c.activities[0].step, KmStep::Identify);
        assert_eq!(c.activities[1].title, "แลกเปลี่ยน");
        assert_eq!(c.activities[1].step, KmStep::Share);
        assert_eq!(c.activities[1].status, ActivityStatus::NotStarted);
    }

    #[test]
    fn what_a_sheet_cannot_carry_is_kept() {
        let mut old = content();
        old.activities[1].evidence = vec![Evidence::Item { item: ItemId(7) }];
        old.activities[1].responsible_units = vec![UnitId(3)];
        old.issues[0].knowledge[1].term = Some(TermId(5));
        let mut new = content();
        carry_over(&old, &mut new);
        assert_eq!(new, old);
    }
}
