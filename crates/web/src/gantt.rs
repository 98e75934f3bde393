//! The KM plan's Gantt chart (seed 000 §2.4): inline SVG by fiscal month, no JavaScript.
//! Columns are the fiscal year's months (`FiscalYear::month_label`), the 7 KM steps are group
//! headings, each activity a row with a bar cell per month it runs in (`data-month` = the
//! column, 0 = ต.ค.), today a line when today is in the year. The same facts are given as a
//! table beside it for screen readers and for print.

use crate::view::escape;
use khlang_core::planning::model::{FiscalYear, PlanContent};
use std::fmt::Write;
use time::Date;

const LABEL_W: u32 = 230;
const COL_W: u32 = 44;
const ROW_H: u32 = 26;
const HEAD_H: u32 = 30;

/// One activity row of the chart's table.
pub struct GanttRow {
    pub step: Option<String>,
    pub title: String,
    pub period: String,
    pub months: [bool; 12],
}

/// The rows of the chart: a heading per step that has activities, then its activities.
pub fn gantt_rows(year: FiscalYear, content: &PlanContent) -> Vec<GanttRow> {
    let mut out = Vec::new();
    for (step, rows) in content.by_step() {
        if rows.is_empty() {
            continue;
        }
        out.push(GanttRow {
            step: Some(format!("{}. {}", step.number(), step.label_th())),
            title: String::new(),
            period: String::new(),
            months: [false; 12],
        });
        for (_, a) in rows {
            let mask = a.period.month_mask(year);
            out.push(GanttRow {
                step: None,
                title: a.title.clone(),
                period: a.period.label_th(year),
                months: std::array::from_fn(|i| mask & (1 << i) != 0),
            });
        }
    }
    out
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// The chart as an SVG element (escaped; safe to embed).
pub fn gantt_svg(year: FiscalYear, content: &PlanContent, today: Date) -> String {
    let rows = gantt_rows(year, content);
    let width = LABEL_W + COL_W * 12;
    let height = HEAD_H + ROW_H * rows.len().max(1) as u32 + 4;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="gantt" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="gantt-title gantt-desc" data-fiscal-year="{}"><title id="gantt-title">แผนภูมิแกนต์ของแผนการจัดการความรู้ ปีงบประมาณ {}</title><desc id="gantt-desc">กิจกรรมตามขั้นตอนการจัดการความรู้ รายเดือนตั้งแต่ ต.ค. ถึง ก.ย. รายละเอียดอยู่ในตารางใต้แผนภูมิ</desc>"#,
        year.be(),
        year.be()
    );
    // Month columns and their headings.
    for i in 0..12u32 {
        let x = LABEL_W + i * COL_W;
        let _ = write!(
            s,
            r#"<rect class="col{}" x="{x}" y="0" width="{COL_W}" height="{height}"/><text class="month" x="{}" y="20" text-anchor="middle">{}</text>"#,
            if i % 2 == 0 { " even" } else { "" },
            x + COL_W / 2,
            escape(&year.month_label(i as usize))
        );
    }
    if rows.is_empty() {
        let _ = write!(
            s,
            r#"<text class="empty" x="8" y="{}">ยังไม่มีกิจกรรม</text>"#,
            HEAD_H + 18
        );
    }
    let mut activity = 0usize;
    for (r, row) in rows.iter().enumerate() {
        let y = HEAD_H + r as u32 * ROW_H;
        if let Some(step) = &row.step {
            let _ = write!(
                s,
                r#"<g class="step"><rect x="0" y="{y}" width="{width}" height="{ROW_H}"/><text x="6" y="{}">{}</text></g>"#,
                y + 18,
                escape(&short(step, 60))
            );
            continue;
        }
        activity += 1;
        let _ = write!(
            s,
            r#"<g class="activity" data-row="{activity}"><text x="10" y="{}"><title>{}</title>{}</text>"#,
            y + 18,
            escape(&row.title),
            escape(&short(&row.title, 26))
        );
        for (i, on) in row.months.iter().enumerate() {
            if *on {
                let _ = write!(
                    s,
                    r#"<rect class="bar" data-month="{i}" x="{}" y="{}" width="{COL_W}" height="{}"><title>{}: {}</title></rect>"#,
                    LABEL_W + i as u32 * COL_W,
                    y + 6,
                    ROW_H - 12,
                    escape(&row.title),
                    escape(&row.period)
                );
            }
        }
        s.push_str("</g>");
    }
    if let Some(i) = year.month_index(today) {
        let (y, m) = year.month_at(i);
        let days = m.length(y) as u32;
        let x = LABEL_W + i as u32 * COL_W + (COL_W * (u32::from(today.day()) - 1)) / days;
        let _ = write!(
            s,
            r#"<line class="today" data-month="{i}" x1="{x}" x2="{x}" y1="{}" y2="{height}"><title>วันนี้</title></line>"#,
            HEAD_H - 4
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use khlang_core::planning::model::{Activity, KmStep, Period};

    #[test]
    fn bars_sit_in_their_months() {
        let year = FiscalYear::parse("2568").unwrap();
        let a = Activity {
            title: "อบรม <KM>".into(),
            indicator: "x".into(),
            period: Period::Months {
                mask: 0b1_1000_0000,
            },
            ..Activity::new(KmStep::Share)
        };
        let c = PlanContent {
            activities: vec![a],
            ..Default::default()
        };
        let svg = gantt_svg(year, &c, time::macros::date!(2025 - 05 - 16));
        assert!(svg.contains(r#"data-month="7""#));
        assert!(svg.contains(r#"data-month="8""#));
        assert!(!svg.contains(r#"class="bar" data-month="6""#));
        assert!(svg.contains(r#"class="today" data-month="7""#));
        assert!(svg.contains("อบรม &lt;KM&gt;"));
        assert!(svg.contains("6. การแบ่งปันแลกเปลี่ยนความรู้"));
        let outside = gantt_svg(year, &c, time::macros::date!(2026 - 05 - 16));
        assert!(!outside.contains("today"));
    }
}
