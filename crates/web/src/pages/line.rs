//! LINE capture: the webhook LINE calls (`/line/webhook`, signed with the channel secret) and
//! the account page where a person links their LINE (`/account/line`).

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::view::{Layout, render};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::line::WebhookOutcome;
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/line/webhook", post(webhook))
        .route("/account/line", get(link_page))
        .route("/account/line/code", post(new_code))
        .route("/account/line/unlink", post(unlink))
}

/// LINE waits for a quick 200; a forged call learns nothing but 401.
async fn webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let signature = headers
        .get("x-line-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(
        match state.core.receive_line_webhook(&body, signature).await? {
            WebhookOutcome::Forged => (StatusCode::UNAUTHORIZED, "bad signature").into_response(),
            WebhookOutcome::Malformed => {
                (StatusCode::BAD_REQUEST, "not a webhook body").into_response()
            }
            WebhookOutcome::Handled(_) => (StatusCode::OK, "OK").into_response(),
        },
    )
}

#[derive(Template)]
#[template(path = "line/link.html")]
struct LinkPage {
    layout: Layout,
    linked: Option<String>,
    /// A fresh code and until when it works.
    code: Option<(String, String)>,
    flash: Option<&'static str>,
}

async fn show(
    state: &AppState,
    member: &Member,
    code: Option<(String, String)>,
    flash: Option<&'static str>,
) -> Result<Response, WebError> {
    let linked = state
        .core
        .line_linked_at(member.actor())
        .await?
        .map(format_be_datetime);
    Ok(render(&LinkPage {
        layout: Layout::new(
            "เชื่อมบัญชี LINE",
            "account",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        linked,
        code,
        flash,
    }))
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

async fn link_page(
    State(state): State<AppState>,
    member: Member,
    crate::forms::ThaiQuery(done): crate::forms::ThaiQuery<Done>,
) -> Result<Response, WebError> {
    let flash = (done.done == "unlinked").then_some("ยกเลิกการเชื่อมบัญชี LINE แล้ว");
    show(&state, &member, None, flash).await
}

#[derive(Deserialize, Default)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn new_code(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let (code, expires) = state.core.line_link_code(member.actor()).await?;
    show(
        &state,
        &member,
        Some((code.display(), format_be_datetime(expires))),
        None,
    )
    .await
}

async fn unlink(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state.core.unlink_line(member.actor()).await {
        Ok(()) => Ok(Redirect::to("/account/line?done=unlinked").into_response()),
        Err(DomainError::NotFound) => Err(DomainError::NotFound.into()),
        Err(e) => Err(e.into()),
    }
}
