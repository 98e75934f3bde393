//! Lessons learned: /lessons (the templates as big cards, my lessons), and
//! /lessons/new/{template}?origin=… which starts a draft linked to where it came from and goes
//! on in the form wizard (/items/{id}/form/1).

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::lessons::{LESSON_TEMPLATES, is_lesson_template};
use khlang_core::org::Action;
use khlang_core::service::Khlang;
use khlang_core::text::format_be_date;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/lessons", get(index))
        .route("/lessons/new/{template}", get(start_page).post(start))
}

struct TemplateCard {
    key: String,
    name: String,
    description: String,
}

struct LessonRow {
    id: i64,
    title: String,
    template: String,
    status: &'static str,
    status_label: &'static str,
    date: String,
}

#[derive(Template)]
#[template(path = "lessons/index.html")]
struct IndexPage {
    layout: Layout,
    cards: Vec<TemplateCard>,
    mine: Vec<LessonRow>,
}

/// `GET /lessons`: the templates to start from, and the lessons I started.
async fn index(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let all = state.core.templates().await?;
    let cards = LESSON_TEMPLATES
        .iter()
        .filter_map(|k| all.iter().find(|t| t.key() == *k))
        .map(|t| TemplateCard {
            key: t.key().to_string(),
            name: t.body.name_th.clone(),
            description: t.body.description.clone(),
        })
        .collect();
    let mine = state
        .core
        .my_lessons(member.actor())
        .await?
        .into_iter()
        .map(|l| LessonRow {
            id: l.item.id.0,
            title: l.item.title,
            template: l.template_name,
            status: l.item.status.as_str(),
            status_label: l.item.status.label_th(),
            date: format_be_date(l.item.updated_at),
        })
        .collect();
    let page = IndexPage {
        layout: Layout::new(
            "ถอดบทเรียน",
            "lessons",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        cards,
        mine,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "lessons/start.html")]
struct StartPage {
    layout: Layout,
    key: String,
    name: String,
    description: String,
    total: usize,
    title_label: String,
    title: String,
    unit: String,
    units: Vec<(i64, String)>,
    origin: String,
    /// "ถอดบทเรียนจาก …" with its link, when started from somewhere.
    origin_label: Option<(String, String)>,
    errors: Errors,
}

#[derive(Deserialize, Default)]
struct StartQuery {
    #[serde(default)]
    origin: String,
}

#[derive(Deserialize, Default)]
struct StartForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    origin: String,
}

async fn start_view(
    state: &AppState,
    member: &Member,
    key: &str,
    form: StartForm,
    errors: Errors,
) -> Result<StartPage, WebError> {
    if !is_lesson_template(key) {
        return Err(DomainError::NotFound.into());
    }
    let tv = state.core.template(key).await?;
    let tree = state.core.unit_tree().await?;
    let ids = Khlang::units_where(&tree, member.actor(), Action::Contribute);
    let units: Vec<(i64, String)> = ids
        .iter()
        .filter_map(|id| tree.get(*id))
        .filter(|u| !u.retired)
        .map(|u| (u.id.0, tree.display_path(u.id)))
        .collect();
    if units.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    let unit = if form.unit_id.is_empty() {
        member
            .user()
            .home_unit_id
            .filter(|u| ids.contains(u))
            .map(|u| u.0.to_string())
            .unwrap_or_default()
    } else {
        form.unit_id
    };
    let origin = form.origin.trim().to_string();
    let origin_label = if origin.is_empty() {
        None
    } else {
        // A refused origin is a 404 on the page that offers to start from it.
        let l = state
            .core
            .checked_origin(member.actor(), &origin)
            .await
            .map_err(|_| DomainError::NotFound)?;
        Some((l.label, l.path))
    };
    Ok(StartPage {
        layout: Layout::new(
            tv.body.name_th.clone(),
            "lessons",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        key: key.to_string(),
        name: tv.body.name_th.clone(),
        description: tv.body.description.clone(),
        total: tv.sections().len(),
        title_label: tv
            .body
            .title_field
            .as_deref()
            .and_then(|k| tv.field(k))
            .map(|f| f.label.clone())
            .unwrap_or_else(|| "ชื่อเรื่อง".into()),
        title: form.title,
        unit,
        units,
        origin,
        origin_label,
        errors,
    })
}

/// `GET /lessons/new/{template}?origin=event:5`: name the lesson and choose its unit.
async fn start_page(
    State(state): State<AppState>,
    member: Member,
    Path(key): Path<String>,
    Query(q): Query<StartQuery>,
) -> Result<Response, WebError> {
    let form = StartForm {
        origin: q.origin,
        ..Default::default()
    };
    let page = start_view(&state, &member, &key, form, Errors::default()).await?;
    Ok(render(&page))
}

/// The POST makes the draft linked to its origin; the wizard goes on at section 1.
async fn start(
    State(state): State<AppState>,
    member: Member,
    Path(key): Path<String>,
    ThaiForm(form): ThaiForm<StartForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let origin = Some(form.origin.as_str()).filter(|o| !o.trim().is_empty());
    match state
        .core
        .start_lesson(member.actor(), &key, &form.unit_id, &form.title, origin)
        .await
    {
        Ok(item) => Ok(Redirect::to(&format!("/items/{}/form/1", item.id)).into_response()),
        Err(DomainError::Invalid(errors)) if errors.iter().any(|e| e.field == "origin") => {
            Err(DomainError::NotFound.into())
        }
        Err(DomainError::Invalid(errors)) => {
            // The title error is shown at the title input whatever the template calls it.
            let errors = errors
                .into_iter()
                .map(|e| {
                    if e.field.starts_with("entry.") {
                        khlang_core::FieldError::new("title", e.message)
                    } else {
                        e
                    }
                })
                .collect();
            let page = start_view(&state, &member, &key, form, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
