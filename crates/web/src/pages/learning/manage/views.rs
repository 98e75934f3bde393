//! View models the course builder's templates share.

use khlang_core::learning::courses::manage::CourseDesk;
use khlang_core::learning::model::{CourseStatus, LessonBody};
use khlang_core::org::UnitTree;
use khlang_core::text::format_be_date;

/// "1 ชั่วโมง 30 นาที".
pub(crate) fn minutes_th(m: u32) -> String {
    match (m / 60, m % 60) {
        (0, 0) => "ไม่ได้ระบุเวลา".into(),
        (0, n) => format!("{n} นาที"),
        (h, 0) => format!("{h} ชั่วโมง"),
        (h, n) => format!("{h} ชั่วโมง {n} นาที"),
    }
}

/// A course on the desk.
pub(crate) struct CourseRow {
    pub id: i64,
    pub title: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub unit: String,
    pub curriculum: String,
    pub updated: String,
}

/// A curriculum on the desk: id, title, unit, archived.
pub(crate) type CurriculumRow = (i64, String, String, bool);

/// The desk's curricula and courses.
pub(crate) fn desk_rows(d: &CourseDesk, tree: &UnitTree) -> (Vec<CurriculumRow>, Vec<CourseRow>) {
    let unit = |u| {
        tree.get(u)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default()
    };
    let curricula = d
        .curricula
        .iter()
        .map(|c| {
            (
                c.id.0,
                c.fields.title.clone(),
                unit(c.fields.unit_id),
                c.archived_at.is_some(),
            )
        })
        .collect();
    let courses = d
        .courses
        .iter()
        .map(|c| CourseRow {
            id: c.id.0,
            title: c.fields.title.clone(),
            status: c.status.label_th(),
            status_key: c.status.as_str(),
            unit: unit(c.fields.unit_id),
            curriculum: c
                .fields
                .curriculum_id
                .and_then(|id| d.curricula.iter().find(|k| k.id == id))
                .map(|k| k.fields.title.clone())
                .unwrap_or_default(),
            updated: format_be_date(c.updated_at),
        })
        .collect();
    (curricula, courses)
}

/// A lesson on the builder's list.
pub(crate) struct LessonRow {
    pub id: i64,
    pub no: usize,
    pub title: String,
    pub kind: &'static str,
    pub is_quiz: bool,
    pub item: Option<i64>,
    pub required: bool,
    pub minutes: String,
    pub unavailable: bool,
    /// Quiz: "10 ข้อ · สุ่ม 5 · ผ่าน 80 %".
    pub quiz: String,
    pub first: bool,
    pub last: bool,
}

pub(crate) fn lesson_rows(
    w: &khlang_core::learning::courses::manage::CourseWorkbench,
) -> Vec<LessonRow> {
    let n = w.outline.lessons.len();
    w.outline
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let quiz = match &l.fields.body {
                LessonBody::Quiz { rules, .. } => {
                    let bank = w
                        .banks
                        .iter()
                        .find(|b| b.0 == l.id)
                        .map(|b| b.1)
                        .unwrap_or(0);
                    let draw = rules
                        .draw
                        .map(|d| format!("สุ่ม {d} ข้อ"))
                        .unwrap_or_else(|| "ใช้ทุกข้อ".into());
                    format!(
                        "คลังข้อสอบ {bank} ข้อ · {draw} · ผ่านร้อยละ {}{}",
                        rules.pass_percent,
                        if rules.retries {
                            " · สอบใหม่ได้"
                        } else {
                            ""
                        }
                    )
                }
                _ => String::new(),
            };
            LessonRow {
                id: l.id.0,
                no: i + 1,
                title: l.fields.title.clone(),
                kind: l.fields.body.kind_th(),
                is_quiz: matches!(l.fields.body, LessonBody::Quiz { .. }),
                item: match l.fields.body {
                    LessonBody::Item(i) => Some(i.0),
                    _ => None,
                },
                required: l.fields.required,
                minutes: minutes_th(l.fields.minutes),
                unavailable: w.outline.unavailable.contains(&l.id),
                quiz,
                first: i == 0,
                last: i + 1 == n,
            }
        })
        .collect()
}

pub(crate) fn is_draft(s: CourseStatus) -> bool {
    s == CourseStatus::Draft
}
