//! The learner's side: /learn (my courses, then the catalogue), a course's page with my
//! progress and the enrol button, and one lesson per screen ([`lesson`]).

mod lesson;

use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath};
use crate::view::{Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::CourseId;
use khlang_core::learning::learners::rules::{LessonState, duration_th};
use khlang_core::learning::learners::service::CourseProgress;
use khlang_core::learning::model::{Course, CourseStatus};
use khlang_core::text::{format_be_date, thai_digits};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/learn", get(learn_page))
        .route("/learn/courses/{id}", get(course_page))
        .route("/learn/courses/{id}/enrol", post(enrol))
        .merge(lesson::routes())
}

fn layout(v: &Visitor, title: impl Into<String>) -> Layout {
    Layout::new(title, "learn", v.session.as_ref(), v.csrf())
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// A course as a card in lists.
struct CourseCard {
    id: i64,
    title: String,
    summary: String,
    hours: String,
    unit: String,
    withdrawn: bool,
}

fn card(c: &Course, tree: &khlang_core::org::UnitTree) -> CourseCard {
    CourseCard {
        id: c.id.0,
        title: c.fields.title.clone(),
        summary: c.fields.summary.clone(),
        hours: duration_th(c.fields.minutes),
        unit: tree
            .get(c.fields.unit_id)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default(),
        withdrawn: c.status == CourseStatus::Withdrawn,
    }
}

fn th(n: impl ToString) -> String {
    thai_digits(&n.to_string())
}

// ---------------------------------------------------------------- /learn

struct MineRow {
    card: CourseCard,
    done: String,
    percent: u8,
    resume: Option<i64>,
    certificate: Option<String>,
    completed: Option<String>,
}

#[derive(Template)]
#[template(path = "learning/learn/index.html")]
struct LearnPage {
    layout: Layout,
    signed_in: bool,
    in_progress: Vec<MineRow>,
    completed: Vec<MineRow>,
    catalogue: Vec<CatalogueGroup>,
}

/// A curriculum's open courses in the catalogue (no curriculum: `id` None, listed last).
struct CatalogueGroup {
    id: Option<i64>,
    title: String,
    audience: &'static str,
    courses: Vec<CourseCard>,
}

async fn learn_page(State(state): State<AppState>, v: Visitor) -> Result<Response, WebError> {
    let actor = v.actor();
    let mine = state.core.my_learning(&actor).await?;
    let tree = state.core.unit_tree().await?;
    let enrolled: Vec<CourseId> = mine.courses.iter().map(|m| m.course.id).collect();
    let (mut in_progress, mut completed) = (Vec::new(), Vec::new());
    for m in &mine.courses {
        let row = MineRow {
            card: card(&m.course, &tree),
            done: format!("{}/{}", th(m.required_done), th(m.required_total)),
            percent: khlang_core::learning::learners::rules::percent(
                m.required_done,
                m.required_total,
            ),
            resume: m.resume.map(|l| l.0),
            certificate: m.enrolment.certificate_code.clone(),
            completed: m.enrolment.completed_at.map(format_be_date),
        };
        if m.enrolment.completed_at.is_some() {
            completed.push(row);
        } else {
            in_progress.push(row);
        }
    }
    let page = LearnPage {
        layout: layout(&v, "เรียนรู้"),
        signed_in: actor.user_id().is_some(),
        in_progress,
        completed,
        catalogue: mine
            .catalogue
            .iter()
            .map(|e| CatalogueGroup {
                id: e.curriculum.as_ref().map(|c| c.id.0),
                title: e
                    .curriculum
                    .as_ref()
                    .map(|c| c.fields.title.clone())
                    .unwrap_or_else(|| "รายวิชาอื่น ๆ".into()),
                audience: e
                    .curriculum
                    .as_ref()
                    .map_or("", |c| c.fields.audience.label_th()),
                courses: e
                    .courses
                    .iter()
                    .filter(|c| !enrolled.contains(&c.id))
                    .map(|c| card(c, &tree))
                    .collect(),
            })
            .filter(|g| !g.courses.is_empty())
            .collect(),
    };
    Ok(v.finish(render(&page)))
}

// ---------------------------------------------------------------- the course page

struct LessonRow {
    id: i64,
    number: String,
    title: String,
    kind: &'static str,
    required: bool,
    minutes: String,
    state: &'static str,
    done: bool,
    locked: bool,
    unavailable: bool,
}

#[derive(Template)]
#[template(path = "learning/learn/course.html")]
struct CoursePage {
    layout: Layout,
    card: CourseCard,
    summary_html: String,
    signed_in: bool,
    enrolled: bool,
    may_enrol: bool,
    not_open: bool,
    may_manage: bool,
    lessons: Vec<LessonRow>,
    done: String,
    percent: u8,
    resume: Option<i64>,
    withdrawn: Option<(String, String)>,
    unavailable: usize,
    completed: Option<String>,
    certificate: Option<String>,
    qr: String,
    flash: Option<String>,
    /// What changed in the course (newest first): date and sentence.
    changes: Vec<(String, String)>,
}

fn lesson_rows(p: &CourseProgress) -> Vec<LessonRow> {
    p.outline
        .lessons
        .iter()
        .zip(&p.states)
        .enumerate()
        .map(|(i, (l, s))| LessonRow {
            id: l.id.0,
            number: th(i + 1),
            title: l.fields.title.clone(),
            kind: l.fields.body.kind_th(),
            required: l.fields.required,
            minutes: if l.fields.minutes == 0 {
                String::new()
            } else {
                duration_th(l.fields.minutes)
            },
            state: s.label_th(),
            done: *s == LessonState::Done,
            locked: matches!(s, LessonState::Locked(_)),
            unavailable: *s == LessonState::Unavailable,
        })
        .collect()
}

async fn course_view(
    state: &AppState,
    v: &Visitor,
    id: CourseId,
    flash: Option<String>,
) -> Result<CoursePage, WebError> {
    let actor = v.actor();
    let p = state.core.course_progress(&actor, id).await?;
    let tree = state.core.unit_tree().await?;
    let c = &p.outline.course;
    let changes = state
        .core
        .course_changes(&actor, id)
        .await?
        .into_iter()
        .take(10)
        .map(|ch| (format_be_date(ch.at), ch.what))
        .collect();
    let certificate = p
        .enrolment
        .as_ref()
        .and_then(|e| e.certificate_code.clone());
    let qr = match &certificate {
        Some(code) => crate::qr::svg(
            &format!(
                "{}/c/{code}",
                state.config.public_base_url.trim_end_matches('/')
            ),
            200,
        ),
        None => String::new(),
    };
    Ok(CoursePage {
        layout: layout(v, c.fields.title.clone()),
        card: card(c, &tree),
        summary_html: crate::markdown::render(&c.fields.summary),
        signed_in: actor.user_id().is_some(),
        enrolled: p.enrolment.is_some(),
        may_enrol: p.may_enrol,
        not_open: p.enrolment.is_none() && !c.fields.open,
        may_manage: p.may_manage,
        lessons: lesson_rows(&p),
        done: format!("{} จาก {}", th(p.required_done), th(p.required_total)),
        percent: p.percent(),
        resume: p.resume.map(|l| l.0),
        withdrawn: c
            .withdrawn
            .as_ref()
            .filter(|_| c.status == CourseStatus::Withdrawn)
            .map(|(at, why)| (format_be_date(*at), why.clone())),
        unavailable: p.outline.unavailable.len(),
        completed: p
            .enrolment
            .as_ref()
            .and_then(|e| e.completed_at)
            .map(format_be_date),
        certificate,
        qr,
        flash,
        changes,
    })
}

async fn course_page(
    State(state): State<AppState>,
    v: Visitor,
    ThaiPath(id): ThaiPath<i64>,
) -> Result<Response, WebError> {
    let page = course_view(&state, &v, CourseId(id), None).await?;
    Ok(v.finish(render(&page)))
}

async fn enrol(
    State(state): State<AppState>,
    m: Member,
    ThaiPath(id): ThaiPath<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    m.0.check_csrf(&form.csrf)?;
    match state.core.enrol(m.actor(), CourseId(id)).await {
        Ok(_) => Ok(Redirect::to(&format!("/learn/courses/{id}")).into_response()),
        Err(DomainError::Conflict(msg)) => {
            let page = course_view(&state, &m.0, CourseId(id), Some(msg)).await?;
            Ok(m.0.finish_form((StatusCode::CONFLICT, render(&page)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}
