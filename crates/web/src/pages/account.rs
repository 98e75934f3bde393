//! "บัญชีของฉัน": change password, manage API tokens.

use super::Done;
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
// Our extractors under axum's names: a bad id or query gets the Thai error page.
use crate::forms::{ThaiPath as Path, ThaiQuery as Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::account::Secret;
use khlang_core::ids::TokenId;
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    flash: Option<&'static str>,
    username: String,
    display_name: String,
    unit: Option<String>,
    errors: Errors,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    token_name: String,
    /// LINE capture is configured: offer linking.
    line: bool,
}

struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: bool,
}

async fn page(
    state: &AppState,
    member: &Member,
    flash: Option<&'static str>,
    errors: Errors,
    new_token: Option<Secret>,
    token_name: String,
) -> Result<AccountPage, WebError> {
    let user = member.user();
    let tree = state.core.unit_tree().await?;
    let tokens = state
        .core
        .list_tokens(member.actor())
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id.0,
            name: t.name,
            prefix: t.prefix,
            created: format_be_datetime(t.created_at),
            last_used: t
                .last_used_at
                .map(format_be_datetime)
                .unwrap_or_else(|| "ยังไม่เคยใช้".into()),
            revoked: t.revoked_at.is_some(),
        })
        .collect();
    Ok(AccountPage {
        layout: Layout::new(
            "บัญชีของฉัน",
            "account",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash,
        username: user.username.to_string(),
        display_name: user.display_name.as_str().to_string(),
        unit: user.home_unit_id.map(|u| tree.display_path(u)),
        errors,
        tokens,
        new_token: new_token.map(|s| s.expose().to_string()),
        token_name,
        line: state.core.line_enabled(),
    })
}

async fn account_page(
    State(state): State<AppState>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    Ok(render(
        &page(
            &state,
            &member,
            done.message(),
            Errors::default(),
            None,
            String::new(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_again: String,
}

async fn change_password(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<PasswordForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .change_password(
            member.actor(),
            member.0.session_secret.as_ref(),
            &form.current_password,
            &form.new_password,
            &form.new_password_again,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/account?done=password").into_response()),
        Err(DomainError::Invalid(errors)) => {
            let p = page(&state, &member, None, Errors(errors), None, String::new()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// Shows the new token on the response page itself (never in a URL), once.
async fn create_token(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<TokenForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state.core.create_token(member.actor(), &form.name).await {
        Ok((_, secret)) => {
            let p = page(
                &state,
                &member,
                None,
                Errors::default(),
                Some(secret),
                String::new(),
            )
            .await?;
            Ok((StatusCode::CREATED, render(&p)).into_response())
        }
        Err(DomainError::Invalid(errors)) => {
            let p = page(&state, &member, None, Errors(errors), None, form.name).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn revoke_token(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state.core.revoke_token(member.actor(), TokenId(id)).await?;
    Ok(Redirect::to("/account?done=token_revoked#tokens").into_response())
}
