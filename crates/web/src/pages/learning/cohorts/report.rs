//! The cohort report (`/learn/cohorts/{id}`): totals, a chart, the roll-up by unit with
//! drill-down, and the learners paged, with an XLSX of every learner (`/learn/cohorts/{id}.xlsx`).
//! Learners' names and units only (PDPA), for the cohort unit's officers and those above.

use super::layout;
use crate::AppState;
use crate::auth::Member;
use crate::charts::{ProgressBar, progress_chart};
use crate::error::WebError;
use crate::forms::{ThaiPath, ThaiQuery};
use crate::sheets::{self, Sheet, XLSX_MIME};
use crate::view::{Layout, number, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use khlang_core::DomainError;
use khlang_core::ids::{CohortId, UnitId};
use khlang_core::learning::cohorts::model::{
    LearnerQuery, LearnerRow, LearnerSort, LearnerStatus, RollUpRow, be_day,
};
use khlang_core::learning::cohorts::service::CohortReport;
use khlang_core::report::{Cell, Column, ColumnKind, ReportTable};
use khlang_core::text::{arabic_digits, format_be_datetime};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub(super) struct ReportQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    enrolled: String,
    #[serde(default)]
    already: String,
}

struct Row {
    link: Option<String>,
    name: String,
    enrolled: String,
    in_progress: String,
    not_started: String,
    completed: String,
    percent: String,
}

struct Learner {
    name: String,
    unit: String,
    status: &'static str,
    status_key: &'static str,
    progress: String,
    score: String,
    last: String,
}

#[derive(Template)]
#[template(path = "learning/cohorts/report.html")]
struct ReportPage {
    layout: Layout,
    id: i64,
    course_id: i64,
    course_title: String,
    name: String,
    dates: String,
    flash: Option<String>,
    headline: String,
    in_progress: String,
    not_started: String,
    chart: String,
    trail: Vec<(String, String)>,
    root: Row,
    rows: Vec<Row>,
    unit: String,
    status: String,
    sort: String,
    statuses: Vec<(&'static str, &'static str)>,
    learners: Vec<Learner>,
    total_learners: String,
    page: u64,
    pages: u64,
    base: String,
}

fn percent(done: u64, of: u64) -> Option<u8> {
    (of > 0).then(|| (done * 100 / of) as u8)
}

fn row(r: &RollUpRow, link: Option<String>) -> Row {
    Row {
        link,
        name: r.name.clone(),
        enrolled: number(r.enrolled),
        in_progress: number(r.in_progress()),
        not_started: number(r.not_started()),
        completed: number(r.completed),
        percent: percent(r.completed, r.enrolled)
            .map(|p| format!("{p}%"))
            .unwrap_or_else(|| "–".into()),
    }
}

fn learner(l: &LearnerRow, lessons: u32) -> Learner {
    let s = l.status();
    Learner {
        name: l.name.clone(),
        unit: l.unit_name.clone(),
        status: s.label_th(),
        status_key: s.as_str(),
        progress: format!(
            "{} / {}",
            l.lessons_done.min(lessons.max(l.lessons_done)),
            lessons
        ),
        score: l
            .score
            .map(|s| format!("{s}%"))
            .unwrap_or_else(|| "–".into()),
        last: l
            .completed_at
            .or(l.last_at)
            .map(format_be_datetime)
            .unwrap_or_else(|| "–".into()),
    }
}

fn cohort_id(raw: &str) -> Result<(CohortId, bool), WebError> {
    let (id, sheet) = match raw.strip_suffix(".xlsx") {
        Some(id) => (id, true),
        None => (raw, false),
    };
    let id = id
        .parse::<i64>()
        .map_err(|_| WebError::Domain(DomainError::NotFound))?;
    Ok((CohortId(id), sheet))
}

pub(super) async fn report_or_sheet(
    State(state): State<AppState>,
    member: Member,
    ThaiPath(raw): ThaiPath<String>,
    ThaiQuery(q): ThaiQuery<ReportQuery>,
) -> Result<Response, WebError> {
    let (id, sheet) = cohort_id(&raw)?;
    if sheet {
        return workbook(&state, &member, id).await;
    }
    let root = arabic_digits(q.unit.trim()).parse::<i64>().ok().map(UnitId);
    let status = LearnerStatus::parse(&q.status);
    let sort = LearnerSort::parse(&q.sort);
    let page = crate::forms::page_link_param(Some(q.page.as_str()))?;
    let query = LearnerQuery {
        status,
        sort,
        page: page.get(),
    };
    let r = state
        .core
        .cohort_report(member.actor(), id, root, query)
        .await?;
    Ok(render(&page_of(&member, &r, &q, status, sort)))
}

fn page_of(
    member: &Member,
    r: &CohortReport,
    q: &ReportQuery,
    status: Option<LearnerStatus>,
    sort: LearnerSort,
) -> ReportPage {
    let id = r.cohort.id.0;
    let t = &r.totals;
    let drill = |u: UnitId| format!("/learn/cohorts/{id}?unit={u}");
    let flash = q.enrolled.parse::<u64>().ok().map(|n| {
        let already = q.already.parse::<u64>().unwrap_or(0);
        if already > 0 {
            format!(
                "ลงทะเบียนรุ่นนี้แล้ว {} คน · ลงทะเบียนไว้แล้ว {} คน (คงการลงทะเบียนเดิม)",
                number(n),
                number(already)
            )
        } else {
            format!("ลงทะเบียนรุ่นนี้แล้ว {} คน แจ้งผู้เรียนทางกล่องข้อความแล้ว", number(n))
        }
    });
    let mut bars = vec![ProgressBar {
        label: r.root.name.clone(),
        percent: percent(r.root.completed, r.root.enrolled),
        note: format!("{} / {}", number(r.root.completed), number(r.root.enrolled)),
    }];
    bars.extend(r.children.iter().map(|c| ProgressBar {
        label: c.name.clone(),
        percent: percent(c.completed, c.enrolled),
        note: format!("{} / {}", number(c.completed), number(c.enrolled)),
    }));
    let chart = progress_chart(
        "cohort-chart",
        &format!("ร้อยละผู้เรียนจบ {}", r.root.name),
        "ผู้เรียนจบ เทียบกับผู้ลงทะเบียนในรุ่นนี้ ของหน่วยงานและหน่วยงานในสังกัด",
        "ร้อยละ = เรียนจบ ÷ ลงทะเบียน (นับรวมหน่วยงานย่อย)",
        &bars,
    );
    let unit = if r.trail.len() > 1 {
        r.root.unit_id.to_string()
    } else {
        String::new()
    };
    let base = format!(
        "/learn/cohorts/{id}?unit={unit}&status={}&sort={}",
        status.map(|s| s.as_str()).unwrap_or(""),
        sort.as_str()
    );
    ReportPage {
        layout: layout(member, format!("รายงานรุ่น {}", r.cohort.fields.name)),
        id,
        course_id: r.course.id.0,
        course_title: r.course.fields.title.clone(),
        name: r.cohort.fields.name.clone(),
        dates: format!(
            "{} – {}",
            be_day(r.cohort.fields.starts_on),
            be_day(r.cohort.fields.ends_on)
        ),
        flash,
        headline: format!(
            "เรียนจบ {} จาก {} คน",
            number(t.completed),
            number(t.enrolled)
        ),
        in_progress: number(t.in_progress()),
        not_started: number(t.not_started()),
        chart,
        trail: r
            .trail
            .iter()
            .map(|(u, n)| (drill(*u), n.clone()))
            .collect(),
        root: row(&r.root, None),
        rows: r
            .children
            .iter()
            .map(|c| row(c, Some(drill(c.unit_id))))
            .collect(),
        unit,
        status: status.map(|s| s.as_str()).unwrap_or("").to_string(),
        sort: sort.as_str().to_string(),
        statuses: LearnerStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_th()))
            .collect(),
        learners: r
            .learners
            .items
            .iter()
            .map(|l| learner(l, r.lessons))
            .collect(),
        total_learners: number(r.learners.total),
        page: r.learners.page,
        pages: r.learners.pages(),
        base,
    }
}

async fn workbook(state: &AppState, member: &Member, id: CohortId) -> Result<Response, WebError> {
    let r = state.core.cohort_sheet(member.actor(), id).await?;
    let col = |h: &str, kind| Column {
        heading: h.into(),
        kind,
    };
    let count_row = |x: &RollUpRow| {
        vec![
            Cell::Text(x.name.clone()),
            Cell::Count(x.enrolled),
            Cell::Count(x.not_started()),
            Cell::Count(x.in_progress()),
            Cell::Count(x.completed),
        ]
    };
    let units = ReportTable {
        title: format!(
            "รุ่น {} · {} ({})",
            r.cohort.fields.name,
            r.course.fields.title,
            be_day(r.cohort.fields.ends_on)
        ),
        columns: vec![
            col("หน่วยงาน", ColumnKind::Label),
            col("ลงทะเบียน", ColumnKind::Count),
            col("ยังไม่เริ่ม", ColumnKind::Count),
            col("กำลังเรียน", ColumnKind::Count),
            col("เรียนจบ", ColumnKind::Count),
        ],
        rows: r.children.iter().map(count_row).collect(),
        total: Some(count_row(&r.totals)),
    };
    let learners = ReportTable {
        title: "รายชื่อผู้เรียน".into(),
        columns: vec![
            col("ชื่อ", ColumnKind::Label),
            col("หน่วยงาน", ColumnKind::Label),
            col("สถานะ", ColumnKind::Label),
            col("บทเรียนที่จบ", ColumnKind::Count),
            col("คะแนน (%)", ColumnKind::Label),
            col("เรียนจบเมื่อ", ColumnKind::Label),
        ],
        rows: r
            .learners
            .items
            .iter()
            .map(|l| {
                vec![
                    Cell::Text(l.name.clone()),
                    Cell::Text(l.unit_name.clone()),
                    Cell::Text(l.status().label_th().into()),
                    Cell::Count(u64::from(l.lessons_done)),
                    Cell::Text(l.score.map(|s| s.to_string()).unwrap_or_default()),
                    Cell::Text(l.completed_at.map(format_be_datetime).unwrap_or_default()),
                ]
            })
            .collect(),
        total: None,
    };
    let bytes = sheets::xlsx(&[
        Sheet {
            name: "ภาพรวม",
            tables: vec![&units],
        },
        Sheet {
            name: "ผู้เรียน",
            tables: vec![&learners],
        },
    ])
    .map_err(DomainError::from)?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX_MIME));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"cohort-{id}.xlsx\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(crate::caching::private(res))
}
