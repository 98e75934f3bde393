//! The course builder (KM officers of the course's unit): the desk at `/learn/manage`,
//! curricula and course forms, the lesson list with no-JS buttons, the item picker, question
//! banks; and the public curriculum page.

mod lessons;
mod package;
mod views;

use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::{CourseId, CurriculumId};
use khlang_core::learning::courses::rules::{CourseDraft, CurriculumDraft};
use khlang_core::learning::model::Audience;
use serde::Deserialize;
use views::{CourseRow, desk_rows, minutes_th};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/learn/manage", get(desk))
        .route(
            "/learn/manage/curricula/new",
            get(new_curriculum).post(create_curriculum),
        )
        .route(
            "/learn/curricula/{id}/edit",
            get(edit_curriculum).post(save_curriculum),
        )
        .route("/learn/curricula/{id}/archive", post(archive_curriculum))
        .route("/learn/curricula/{id}", get(curriculum_page))
        .route(
            "/learn/manage/courses/new",
            get(new_course).post(create_course),
        )
        .route(
            "/learn/courses/{id}/settings",
            get(edit_course).post(save_course),
        )
        .route("/learn/courses/{id}/publish", post(publish))
        .route("/learn/courses/{id}/withdraw", post(withdraw))
        .merge(lessons::routes())
        .merge(package::routes())
}

pub(super) fn layout(v: &Visitor, title: impl Into<String>) -> Layout {
    Layout::new(title, "learn", v.session.as_ref(), v.csrf())
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

/// A form's field errors, or the error itself when it is not about fields.
pub(super) fn field_errors(e: DomainError) -> Result<Errors, WebError> {
    match e {
        DomainError::Invalid(v) => Ok(Errors(v)),
        other => Err(other.into()),
    }
}

pub(super) fn unprocessable(r: Response) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, r).into_response()
}

#[derive(Template)]
#[template(path = "learning/manage/desk.html")]
struct DeskPage {
    layout: Layout,
    curricula: Vec<(i64, String, String, bool)>,
    courses: Vec<CourseRow>,
}

async fn desk(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let d = state.core.course_desk(member.actor()).await?;
    let tree = state.core.unit_tree().await?;
    let (curricula, courses) = desk_rows(&d, &tree);
    Ok(render(&DeskPage {
        layout: layout(&member.0, "จัดการหลักสูตรและรายวิชา"),
        curricula,
        courses,
    }))
}

#[derive(Template)]
#[template(path = "learning/manage/curriculum_form.html")]
struct CurriculumFormPage {
    layout: Layout,
    id: Option<i64>,
    form: CurriculumDraft,
    errors: Errors,
    units: Vec<(i64, String)>,
    audiences: Vec<(&'static str, &'static str)>,
}

async fn unit_choices(state: &AppState, member: &Member) -> Result<Vec<(i64, String)>, WebError> {
    Ok(state
        .core
        .course_units(member.actor())
        .await?
        .into_iter()
        .map(|u| (u.id.0, u.name_th.as_str().to_string()))
        .collect())
}

async fn curriculum_form(
    state: &AppState,
    member: &Member,
    id: Option<i64>,
    form: CurriculumDraft,
    errors: Errors,
) -> Result<Response, WebError> {
    let units = unit_choices(state, member).await?;
    if units.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    let bad = errors.any();
    let r = render(&CurriculumFormPage {
        layout: layout(
            &member.0,
            if id.is_some() {
                "แก้ไขหลักสูตร"
            } else {
                "สร้างหลักสูตร"
            },
        ),
        id,
        form,
        errors,
        units,
        audiences: Audience::ALL
            .iter()
            .map(|a| (a.as_str(), a.label_th()))
            .collect(),
    });
    Ok(if bad { unprocessable(r) } else { r })
}

async fn new_curriculum(
    State(state): State<AppState>,
    member: Member,
) -> Result<Response, WebError> {
    curriculum_form(
        &state,
        &member,
        None,
        CurriculumDraft::default(),
        Errors::default(),
    )
    .await
}

#[derive(Deserialize)]
struct CurriculumForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    draft: CurriculumDraft,
}

async fn create_curriculum(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<CurriculumForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let result = match form.draft.parse() {
        Ok(f) => state.core.create_curriculum(member.actor(), f).await,
        Err(e) => Err(DomainError::Invalid(e)),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/learn/manage").into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            curriculum_form(&state, &member, None, form.draft, errors).await
        }
    }
}

async fn edit_curriculum(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let c = state
        .core
        .curriculum_for_edit(member.actor(), CurriculumId(id))
        .await?;
    curriculum_form(
        &state,
        &member,
        Some(id),
        CurriculumDraft::of(&c.fields),
        Errors::default(),
    )
    .await
}

async fn save_curriculum(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CurriculumForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let result = match form.draft.parse() {
        Ok(f) => {
            state
                .core
                .update_curriculum(member.actor(), CurriculumId(id), f)
                .await
        }
        Err(e) => Err(DomainError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to("/learn/manage").into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            curriculum_form(&state, &member, Some(id), form.draft, errors).await
        }
    }
}

async fn archive_curriculum(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state
        .core
        .archive_curriculum(member.actor(), CurriculumId(id))
        .await?;
    Ok(Redirect::to("/learn/manage").into_response())
}

#[derive(Template)]
#[template(path = "learning/manage/curriculum.html")]
struct CurriculumPage {
    layout: Layout,
    title: String,
    audience: &'static str,
    goals: String,
    hours: u32,
    unit: String,
    courses: Vec<(i64, String, String)>,
}

async fn curriculum_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let entry = state
        .core
        .curriculum_page(&visitor.actor(), CurriculumId(id))
        .await?;
    let Some(c) = entry.curriculum else {
        return Err(DomainError::NotFound.into());
    };
    let tree = state.core.unit_tree().await?;
    let p = CurriculumPage {
        layout: layout(&visitor, c.fields.title.clone()),
        title: c.fields.title.clone(),
        audience: c.fields.audience.label_th(),
        goals: c.fields.goals.clone(),
        hours: c.fields.hours,
        unit: tree
            .get(c.fields.unit_id)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default(),
        courses: entry
            .courses
            .iter()
            .map(|k| (k.id.0, k.fields.title.clone(), minutes_th(k.fields.minutes)))
            .collect(),
    };
    Ok(render(&p))
}

#[derive(Template)]
#[template(path = "learning/manage/course_form.html")]
struct CourseFormPage {
    layout: Layout,
    id: Option<i64>,
    form: CourseDraft,
    errors: Errors,
    units: Vec<(i64, String)>,
    curricula: Vec<(i64, String)>,
}

async fn course_form(
    state: &AppState,
    member: &Member,
    id: Option<i64>,
    form: CourseDraft,
    errors: Errors,
) -> Result<Response, WebError> {
    let d = state.core.course_desk(member.actor()).await?;
    let units = d
        .units
        .iter()
        .map(|u| (u.id.0, u.name_th.as_str().to_string()))
        .collect();
    let curricula = d
        .curricula
        .iter()
        .filter(|c| c.archived_at.is_none())
        .map(|c| (c.id.0, c.fields.title.clone()))
        .collect();
    let bad = errors.any();
    let r = render(&CourseFormPage {
        layout: layout(
            &member.0,
            if id.is_some() {
                "แก้ไขรายวิชา"
            } else {
                "สร้างรายวิชา"
            },
        ),
        id,
        form,
        errors,
        units,
        curricula,
    });
    Ok(if bad { unprocessable(r) } else { r })
}

#[derive(Deserialize)]
struct NewCourseQuery {
    #[serde(default)]
    curriculum: String,
}

async fn new_course(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<NewCourseQuery>,
) -> Result<Response, WebError> {
    let units = state.core.course_units(member.actor()).await?;
    let mut form = CourseDraft::new_in(units.first().map(|u| u.id));
    form.curriculum_id = q.curriculum;
    course_form(&state, &member, None, form, Errors::default()).await
}

#[derive(Deserialize)]
struct CourseForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    draft: CourseDraft,
}

async fn create_course(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<CourseForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let result = match form.draft.parse() {
        Ok(f) => state.core.create_course(member.actor(), f).await,
        Err(e) => Err(DomainError::Invalid(e)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/learn/courses/{}/edit", id.0)).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            course_form(&state, &member, None, form.draft, errors).await
        }
    }
}

async fn edit_course(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let w = state
        .core
        .course_workbench(member.actor(), CourseId(id))
        .await?;
    let form = CourseDraft::of(&w.outline.course.fields);
    course_form(&state, &member, Some(id), form, Errors::default()).await
}

async fn save_course(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CourseForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let result = match form.draft.parse() {
        Ok(f) => {
            state
                .core
                .update_course(member.actor(), CourseId(id), f)
                .await
        }
        Err(e) => Err(DomainError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/learn/courses/{id}/edit")).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            course_form(&state, &member, Some(id), form.draft, errors).await
        }
    }
}

async fn publish(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .publish_course(member.actor(), CourseId(id))
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/learn/courses/{id}/edit?done=published")).into_response())
        }
        Err(DomainError::Invalid(v)) => {
            lessons::workbench(&state, &member, CourseId(id), Errors(v), String::new()).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn withdraw(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<WithdrawForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .withdraw_course(member.actor(), CourseId(id), &form.reason)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/learn/courses/{id}/edit?done=withdrawn")).into_response())
        }
        Err(DomainError::Invalid(v)) => {
            lessons::workbench(&state, &member, CourseId(id), Errors(v), form.reason).await
        }
        Err(e) => Err(e.into()),
    }
}
