//! The entrant's page (`/e/{secret}`): no account, a link for one entry. A checklist of the
//! documents still missing, one upload per requirement, the receipt number, the deadline and
//! the time left in Thai; refused after the deadline or once the link is revoked.

use super::entries::{CheckView, checklist, document_response, other_documents, read_upload};
use crate::AppState;
use crate::auth::Visitor;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::contests::rounds::EntryAccess;
use khlang_core::geo::Gazetteer;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/e/{secret}", get(entry_page))
        .route("/e/{secret}/documents", post(upload))
        .route("/e/{secret}/documents/{doc}/remove", post(remove))
        .route("/e/{secret}/documents/{doc}", get(download))
}

#[derive(Template)]
#[template(path = "contests/entry_page.html")]
struct EntryPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    base: String,
    contest: String,
    round: String,
    receipt: String,
    name: String,
    province: String,
    deadline: String,
    time_left: Option<String>,
    closed_reason: Option<String>,
    editable: bool,
    missing: usize,
    total_required: usize,
    checks: Vec<CheckView>,
    /// Documents that answer no requirement of this round (from the round below): (id, name, size).
    others: Vec<(i64, String, String)>,
}

async fn view(
    state: &AppState,
    visitor: &Visitor,
    secret: &str,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<EntryPage, WebError> {
    let v = state
        .core
        .entry_view(&EntryAccess::Link(secret), None)
        .await?;
    Ok(EntryPage {
        layout: Layout::new(
            format!("ส่งผลงาน {}", v.entry.receipt),
            "contests",
            visitor.session.as_ref(),
            visitor.csrf(),
        ),
        flash,
        errors,
        base: format!("/e/{secret}"),
        contest: v.contest.title.clone(),
        round: v.round.title.clone(),
        receipt: v.entry.receipt.clone(),
        name: v.entry.name.clone(),
        province: v
            .entry
            .province
            .map(|p| Gazetteer::get().province_name(p))
            .unwrap_or_default(),
        deadline: v.deadline.clone(),
        time_left: v.time_left.clone(),
        closed_reason: v.closed_reason.clone(),
        editable: v.editable,
        missing: v.missing,
        total_required: v.checklist.iter().filter(|(d, _)| d.required).count(),
        checks: checklist(&v),
        others: other_documents(&v),
    })
}

#[derive(Deserialize, Default)]
struct Flash {
    done: Option<String>,
}

async fn entry_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(secret): Path<String>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let flash = match q.done.as_deref() {
        Some("uploaded") => Some("อัปโหลดสำเร็จ ได้รับไฟล์แล้ว"),
        Some("removed") => Some("นำไฟล์ออกแล้ว"),
        _ => None,
    };
    let p = view(&state, &visitor, &secret, Errors::default(), flash).await?;
    Ok(visitor.finish_form(render(&p)))
}

async fn upload(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(secret): Path<String>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let access = EntryAccess::Link(&secret);
    let errors = read_upload(&state, &access, None, |c| visitor.check_csrf(c), multipart).await?;
    match errors {
        None => Ok(Redirect::to(&format!("/e/{secret}?done=uploaded")).into_response()),
        Some(e) => {
            let p = view(&state, &visitor, &secret, Errors(e), None).await?;
            Ok(visitor.finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response()))
        }
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn remove(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((secret, doc)): Path<(String, i64)>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    visitor.check_csrf(&form.csrf)?;
    match state
        .core
        .remove_entry_document(&EntryAccess::Link(&secret), None, doc)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/e/{secret}?done=removed")).into_response()),
        Err(DomainError::Conflict(m)) if m != khlang_core::contests::rounds::LINK_REVOKED => {
            let p = view(
                &state,
                &visitor,
                &secret,
                Errors(vec![khlang_core::FieldError::new("deadline", m)]),
                None,
            )
            .await?;
            Ok(visitor.finish_form((StatusCode::CONFLICT, render(&p)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

async fn download(
    State(state): State<AppState>,
    Path((secret, doc)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let (d, size, stream) = state
        .core
        .open_entry_document(&EntryAccess::Link(&secret), None, doc)
        .await?;
    document_response(&d, size, stream)
}
