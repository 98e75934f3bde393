//! A KM plan as the official printed document (seed 003): Form 1, Form 2 grouped by the 7 KM
//! steps, and the Gantt by fiscal month, on A4 landscape.

use super::{Align, Block, Cell, Document, Orientation, Shade, Table};
use crate::planning::model::{Activity, FiscalYear, KmPlan, KmStep};
use crate::planning::progress::{ActivityCounts, PLAN_RULE};
use crate::text::thai_digits;

/// "แผนการจัดการความรู้ของหน่วยงาน ประจำปีงบประมาณ พ.ศ. ๒๕๖๘".
pub fn plan_title(year: FiscalYear) -> String {
    format!(
        "แผนการจัดการความรู้ของหน่วยงาน ประจำปีงบประมาณ พ.ศ. {}",
        thai_digits(&year.be().to_string())
    )
}

/// Form 1's heading.
pub const FORM1_TITLE: &str = "แบบฟอร์มที่ ๑ การจำแนกองค์ความรู้ที่จำเป็นต่อการผลักดันตามประเด็นการพัฒนา";
/// Form 2's heading.
pub const FORM2_TITLE: &str = "แบบฟอร์มที่ ๒ แผนการจัดการความรู้ (KM Action Plan)";

/// The activities of one step, in the plan's order.
pub fn by_step(activities: &[Activity]) -> Vec<(KmStep, Vec<&Activity>)> {
    KmStep::ALL
        .into_iter()
        .map(|s| (s, activities.iter().filter(|a| a.step == s).collect()))
        .collect()
}

/// "๑)" … : an activity's number within its step.
pub fn activity_number(n: usize) -> String {
    thai_digits(&format!("{n})"))
}

/// The plan as a printed document for `unit_name`.
pub fn plan_document(plan: &KmPlan, unit_name: &str) -> Document {
    let year = plan.fiscal_year;
    let counts = ActivityCounts::of(&plan.content.activities);
    let percent = match counts.percent() {
        Some(p) => format!("ร้อยละความสำเร็จของแผน {p}"),
        None => "ยังไม่มีกิจกรรมที่นับร้อยละได้".into(),
    };
    Document {
        title: plan_title(year),
        subtitle: vec![
            format!("ชื่อส่วนราชการ: {unit_name}"),
            format!("สถานะของแผน: {} · {percent}", plan.status.label_th()),
        ],
        orientation: Orientation::Landscape,
        blocks: vec![
            Block::Heading {
                level: 1,
                text: FORM1_TITLE.into(),
            },
            Block::Table(form1(plan)),
            Block::PageBreak,
            Block::Heading {
                level: 1,
                text: FORM2_TITLE.into(),
            },
            Block::Paragraph {
                text: format!("ประเด็นยุทธศาสตร์: {}", plan.content.strategic_issues),
            },
            Block::Table(form2(plan)),
            Block::PageBreak,
            Block::Heading {
                level: 1,
                text: format!(
                    "แผนภูมิแกนต์ (Gantt Chart) ปีงบประมาณ พ.ศ. {}",
                    thai_digits(&year.be().to_string())
                ),
            },
            Block::Table(gantt(plan)),
        ],
        footer: Some(format!("{unit_name} · {PLAN_RULE}")),
        ..Default::default()
    }
}

fn form1(plan: &KmPlan) -> Table {
    let header = vec![vec![
        Cell::head("ประเด็นการพัฒนา"),
        Cell::head("เป้าประสงค์ (Objective)"),
        Cell::head(format!(
            "ตัวชี้วัด (KPI) ปี {}",
            thai_digits(&plan.fiscal_year.be().to_string())
        )),
        Cell::head("เป้าหมายของตัวชี้วัด"),
        Cell::head("องค์ความรู้ที่จำเป็น"),
    ]];
    let mut rows = Vec::new();
    for issue in &plan.content.issues {
        let n = issue.kpis.len().max(1);
        let span = n as u16;
        let knowledge = issue
            .knowledge
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{}. {}", thai_digits(&(i + 1).to_string()), k.text))
            .collect::<Vec<_>>()
            .join("\n");
        for i in 0..n {
            let mut row = Vec::new();
            if i == 0 {
                row.push(Cell::new(&issue.issue).span(1, span));
                row.push(Cell::new(&issue.objective).span(1, span));
            }
            let (kpi, target) = issue
                .kpis
                .get(i)
                .map(|k| (k.name.as_str(), k.target.as_str()))
                .unwrap_or(("", ""));
            row.push(Cell::new(kpi));
            row.push(Cell::new(target));
            if i == 0 {
                row.push(Cell::new(knowledge.clone()).span(1, span));
            }
            rows.push(row);
        }
    }
    if rows.is_empty() {
        rows.push(vec![Cell::new("ยังไม่มีประเด็นการพัฒนาในแบบฟอร์มที่ ๑").span(5, 1)]);
    }
    Table {
        columns: vec![2.0, 2.0, 3.0, 1.6, 3.4],
        header,
        rows,
        font_size: Some(9.5),
    }
}

fn step_row(step: KmStep, columns: u16) -> Vec<Cell> {
    vec![
        Cell::new(thai_digits(&step.number().to_string()))
            .bold()
            .shade(Shade::Light)
            .align(Align::Center),
        Cell::new(step.label_th())
            .bold()
            .shade(Shade::Light)
            .span(columns - 1, 1),
    ]
}

fn form2(plan: &KmPlan) -> Table {
    let year = plan.fiscal_year;
    let header = vec![
        [
            "ลำดับ",
            "กิจกรรมการจัดการความรู้",
            "ระยะเวลา",
            "ตัวชี้วัด",
            "เป้าหมาย",
            "กลุ่มเป้าหมาย",
            "ผู้รับผิดชอบ",
            "สถานะ",
        ]
        .map(Cell::head)
        .to_vec(),
    ];
    let mut rows = Vec::new();
    for (step, activities) in by_step(&plan.content.activities) {
        rows.push(step_row(step, 8));
        for (i, a) in activities.into_iter().enumerate() {
            rows.push(vec![
                Cell::new(activity_number(i + 1)).align(Align::Center),
                Cell::new(&a.title),
                Cell::new(a.period.label_th(year)),
                Cell::new(&a.indicator),
                Cell::new(a.target.label_th()),
                Cell::new(&a.target_group),
                Cell::new(&a.responsible),
                Cell::new(a.status.label_th()),
            ]);
        }
    }
    Table {
        columns: vec![0.8, 3.2, 1.6, 2.4, 1.5, 2.0, 1.6, 1.3],
        header,
        rows,
        font_size: Some(9.0),
    }
}

fn gantt(plan: &KmPlan) -> Table {
    let year = plan.fiscal_year;
    let mut head = vec![Cell::head("ลำดับ"), Cell::head("กิจกรรมการจัดการความรู้")];
    head.extend((0..12).map(|m| Cell::head(thai_digits(&year.month_label(m)))));
    let mut rows = Vec::new();
    for (step, activities) in by_step(&plan.content.activities) {
        rows.push(step_row(step, 14));
        for (i, a) in activities.into_iter().enumerate() {
            let mask = a.period.month_mask(year);
            let mut row = vec![
                Cell::new(activity_number(i + 1)).align(Align::Center),
                Cell::new(&a.title),
            ];
            row.extend((0..12).map(|m| {
                Cell::new("").shade(if mask & (1 << m) != 0 {
                    Shade::Dark
                } else {
                    Shade::None
                })
            }));
            rows.push(row);
        }
    }
    let mut columns = vec![0.8, 6.0];
    columns.extend([1.0; 12]);
    Table {
        columns,
        header: vec![head],
        rows,
        font_size: Some(8.5),
    }
}
