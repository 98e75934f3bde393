//! Course packages on the web: `GET /learn/courses/{id}/package.zip` for the course's
//! officers, and `/learn/manage/import`: choose a unit and a package, check it (a dry run
//! listing what would be made and every problem), then import it.
//!
//! The check and the import are two uploads of the same file: nothing is kept between the
//! steps, so any process may answer either, and there is nothing to clean up when an officer
//! checks a package and walks away.

use super::layout;
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiPath as Path;
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::file::human_size;
use khlang_core::ids::{CourseId, UnitId};
use khlang_core::learning::courses::package::{ImportOutcome, PackagePlan};
use khlang_core::text::arabic_digits;
use khlang_core::{DomainError, FieldError};

/// The upload is counted against the configured upload limit as it arrives (see [`upload`]).
pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/learn/courses/{id}/package.zip", get(export))
        .route(
            "/learn/manage/import",
            get(form_page)
                .post(upload)
                .layer(DefaultBodyLimit::disable()),
        )
}

async fn export(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (name, bytes) = state
        .core
        .course_package(member.actor(), CourseId(id), state.config.upload_limit)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "learning/manage/import.html")]
struct ImportPage {
    layout: Layout,
    units: Vec<(i64, String, bool)>,
    errors: Errors,
    limit: String,
    /// The dry run's findings once a package was checked.
    plan: Option<PlanView>,
}

struct PlanView {
    title: String,
    package_id: String,
    lessons: Vec<(String, String)>,
    counts: String,
    questions: usize,
    items: Vec<(String, Vec<(String, String)>)>,
    existing: Option<(i64, String)>,
}

fn plan_view(p: PackagePlan) -> PlanView {
    let count = |k: &str| p.lessons.iter().filter(|(kind, _)| kind == k).count();
    PlanView {
        counts: format!(
            "{} บทเรียน: องค์ความรู้ {} · เนื้อหา {} · แบบทดสอบ {}",
            p.lessons.len(),
            count("องค์ความรู้"),
            count("เนื้อหา"),
            count("แบบทดสอบ")
        ),
        title: p.title,
        package_id: p.package_id,
        lessons: p.lessons,
        questions: p.questions,
        items: p
            .items
            .into_iter()
            .map(|(t, fs)| (t, fs.into_iter().map(|(n, s)| (n, human_size(s))).collect()))
            .collect(),
        existing: p.existing.map(|c| (c.id.0, c.fields.title)),
    }
}

async fn page(
    state: &AppState,
    member: &Member,
    chosen: Option<UnitId>,
    errors: Vec<FieldError>,
    plan: Option<PackagePlan>,
) -> Result<Response, WebError> {
    let units = state.core.course_units(member.actor()).await?;
    if units.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    let one = units.len() == 1;
    let bad = !errors.is_empty();
    let r = render(&ImportPage {
        layout: layout(&member.0, "นำเข้ารายวิชาจากแพ็กเกจ"),
        units: units
            .into_iter()
            .map(|u| {
                (
                    u.id.0,
                    u.name_th.as_str().to_string(),
                    one || Some(u.id) == chosen,
                )
            })
            .collect(),
        errors: Errors(errors),
        limit: human_size(state.config.upload_limit),
        plan: plan.map(plan_view),
    });
    Ok(if bad {
        (StatusCode::UNPROCESSABLE_ENTITY, r).into_response()
    } else {
        r
    })
}

async fn form_page(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let r = page(&state, &member, None, Vec::new(), None).await?;
    Ok(member.0.finish_form(r))
}

/// Multipart: `csrf` first, then `unit`, `step` (`check` or `import`) and `file`.
async fn upload(
    State(state): State<AppState>,
    member: Member,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let limit = state.config.upload_limit;
    let mut csrf_ok = false;
    let (mut unit, mut step) = (String::new(), String::new());
    let mut file: Option<Vec<u8>> = None;
    let mut errors = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => {
                member.0.check_csrf(&field.text().await.map_err(bad)?)?;
                csrf_ok = true;
            }
            _ if !csrf_ok => return Err(WebError::Csrf),
            Some("unit") => unit = field.text().await.map_err(bad)?,
            Some("step") => step = field.text().await.map_err(bad)?,
            Some("file") => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if (bytes.len() + chunk.len()) as u64 > limit {
                        errors.push(FieldError::new(
                            "file",
                            format!("แพ็กเกจใหญ่เกิน {}", human_size(limit)),
                        ));
                        bytes.clear();
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if !bytes.is_empty() {
                    file = Some(bytes);
                }
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(WebError::Csrf);
    }
    let unit = arabic_digits(unit.trim()).parse::<i64>().ok().map(UnitId);
    if unit.is_none() {
        errors.push(FieldError::new("unit", "กรุณาเลือกหน่วยงานที่จะรับรายวิชา"));
    }
    if file.is_none() && errors.iter().all(|e| e.field != "file") {
        errors.push(FieldError::new("file", "กรุณาเลือกไฟล์แพ็กเกจรายวิชา (.zip)"));
    }
    let (Some(u), Some(bytes), true) = (unit, file, errors.is_empty()) else {
        return page(&state, &member, unit, errors, None).await;
    };
    let core = &state.core;
    if step == "import" {
        return match core
            .import_course_package(member.actor(), u, &bytes, limit)
            .await
        {
            Ok(ImportOutcome::Created { course, .. }) => Ok(Redirect::to(&format!(
                "/learn/courses/{}/edit?done=imported",
                course.0
            ))
            .into_response()),
            Ok(ImportOutcome::Existing(course)) => Ok(Redirect::to(&format!(
                "/learn/courses/{}/edit?done=exists",
                course.0
            ))
            .into_response()),
            Err(DomainError::Invalid(errors)) => page(&state, &member, unit, errors, None).await,
            Err(DomainError::Conflict(m)) => {
                page(
                    &state,
                    &member,
                    unit,
                    vec![FieldError::new("file", m)],
                    None,
                )
                .await
            }
            Err(e) => Err(e.into()),
        };
    }
    match core
        .check_course_package(member.actor(), u, &bytes, limit)
        .await
    {
        Ok(plan) => page(&state, &member, unit, Vec::new(), Some(plan)).await,
        Err(DomainError::Invalid(errors)) => page(&state, &member, unit, errors, None).await,
        Err(e) => Err(e.into()),
    }
}
