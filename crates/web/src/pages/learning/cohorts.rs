//! Cohorts (รุ่น): the new-cohort form with its dry run ("จะลงทะเบียน n คน") before the
//! officer confirms, a course's cohorts, and the cohort report ([`report`]).

mod report;

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::ids::CourseId;
use khlang_core::learning::cohorts::model::{CohortInput, CohortPreview, be_day};
use khlang_core::learning::cohorts::service::UnitChoice;
use khlang_core::org::Role;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/learn/courses/{id}/cohorts/new",
            get(new_page).post(new_submit),
        )
        .route("/learn/courses/{id}/cohorts", get(list_page))
        .route("/learn/cohorts/{id}", get(report::report_or_sheet))
}

pub(super) fn layout(member: &Member, title: impl Into<String>) -> Layout {
    Layout::new(title, "learn", Some(member.ctx()), member.0.csrf())
}

struct UnitOption {
    id: i64,
    label: String,
    chosen: bool,
    runs: bool,
}

#[derive(Template)]
#[template(path = "learning/cohorts/new.html")]
struct NewPage {
    layout: Layout,
    course_id: i64,
    course_title: String,
    form: CohortInput,
    units: Vec<UnitOption>,
    roles: Vec<(&'static str, &'static str)>,
    preview: Option<(String, String, bool)>,
    errors: Errors,
}

async fn new_view(
    state: &AppState,
    member: &Member,
    course: CourseId,
    form: CohortInput,
    preview: Option<CohortPreview>,
    errors: Errors,
) -> Result<NewPage, WebError> {
    let actor = member.actor();
    let (c, _) = state.core.course_cohorts(actor, course).await?;
    let choices: Vec<UnitChoice> = state.core.cohort_units(actor).await?;
    let unit = if form.unit.is_empty() {
        choices
            .iter()
            .find(|u| u.id == c.fields.unit_id)
            .or(choices.first())
            .map(|u| u.id.to_string())
            .unwrap_or_default()
    } else {
        form.unit.clone()
    };
    let units = choices
        .iter()
        .map(|u| UnitOption {
            id: u.id.0,
            label: format!("{}{}", "\u{a0}\u{a0}".repeat(u.depth), u.name),
            chosen: form.units.contains(&u.id.to_string()),
            runs: unit == u.id.to_string(),
        })
        .collect();
    let preview = preview.map(|p| {
        (
            format!("จะลงทะเบียน {} คน", number(u64::from(p.to_enrol()))),
            if p.already > 0 {
                format!(
                    "ตรงเงื่อนไข {} คน ลงทะเบียนไว้แล้ว {} คน (คงการลงทะเบียนเดิมไว้)",
                    number(u64::from(p.matched)),
                    number(u64::from(p.already))
                )
            } else {
                format!("ตรงเงื่อนไข {} คน", number(u64::from(p.matched)))
            },
            p.to_enrol() > 0,
        )
    });
    Ok(NewPage {
        layout: layout(member, format!("ลงทะเบียนเป็นรุ่น · {}", c.fields.title)),
        course_id: c.id.0,
        course_title: c.fields.title,
        form,
        units,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label_th()))
            .collect(),
        preview,
        errors,
    })
}

async fn new_page(
    State(state): State<AppState>,
    member: Member,
    ThaiPath(id): ThaiPath<i64>,
) -> Result<Response, WebError> {
    let form = CohortInput {
        role: "viewer".into(),
        ..CohortInput::default()
    };
    let p = new_view(&state, &member, CourseId(id), form, None, Errors::default()).await?;
    Ok(render(&p))
}

/// The form's pairs (the unit list repeats its key).
fn input_of(pairs: &[(String, String)]) -> (CohortInput, String, String) {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = CohortInput {
        name: one("name"),
        starts: one("starts"),
        ends: one("ends"),
        unit: one("unit"),
        units: pairs
            .iter()
            .filter(|(n, _)| n == "units")
            .map(|(_, v)| v.clone())
            .collect(),
        subtree: !one("subtree").is_empty(),
        role: one("role"),
    };
    (input, one("step"), one("csrf"))
}

async fn new_submit(
    State(state): State<AppState>,
    member: Member,
    ThaiPath(id): ThaiPath<i64>,
    ThaiForm(pairs): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (input, step, csrf) = input_of(&pairs);
    member.0.check_csrf(&csrf)?;
    let course = CourseId(id);
    let actor = member.actor();
    let result = if step == "confirm" {
        match state.core.create_cohort(actor, course, &input).await {
            Ok(c) => {
                return Ok(Redirect::to(&format!(
                    "/learn/cohorts/{}?enrolled={}&already={}",
                    c.id, c.enrolled, c.already
                ))
                .into_response());
            }
            Err(e) => Err(e),
        }
    } else {
        state
            .core
            .preview_cohort(actor, course, &input)
            .await
            .map(Some)
    };
    let (preview, errors, status) = match result {
        Ok(p) => (p, Errors::default(), StatusCode::OK),
        Err(DomainError::Invalid(e)) => (None, Errors(e), StatusCode::UNPROCESSABLE_ENTITY),
        Err(DomainError::Conflict(m)) => (
            None,
            Errors(vec![khlang_core::FieldError::new("course", m)]),
            StatusCode::CONFLICT,
        ),
        Err(e) => return Err(e.into()),
    };
    let p = new_view(&state, &member, course, input, preview, errors).await?;
    Ok((status, render(&p)).into_response())
}

struct CohortLine {
    id: i64,
    name: String,
    dates: String,
    size: String,
    completed: String,
}

#[derive(Template)]
#[template(path = "learning/cohorts/list.html")]
struct ListPage {
    layout: Layout,
    course_id: i64,
    course_title: String,
    cohorts: Vec<CohortLine>,
}

async fn list_page(
    State(state): State<AppState>,
    member: Member,
    ThaiPath(id): ThaiPath<i64>,
) -> Result<Response, WebError> {
    let (course, list) = state
        .core
        .course_cohorts(member.actor(), CourseId(id))
        .await?;
    let cohorts = list
        .into_iter()
        .map(|s| CohortLine {
            id: s.cohort.id.0,
            name: s.cohort.fields.name.clone(),
            dates: format!(
                "{} – {}",
                be_day(s.cohort.fields.starts_on),
                be_day(s.cohort.fields.ends_on)
            ),
            size: number(u64::from(s.cohort.size)),
            completed: number(s.completed),
        })
        .collect();
    Ok(render(&ListPage {
        layout: layout(&member, format!("รุ่นของรายวิชา {}", course.fields.title)),
        course_id: course.id.0,
        course_title: course.fields.title,
        cohorts,
    }))
}
