//! Signing in and out, and the one-time first-administrator page.

use crate::AppState;
use crate::auth::{SESSION_COOKIE, Visitor, safe_next, set_cookie};
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::account::Secret;
use khlang_core::service::setup::FirstAdmin;
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/setup/{token}", get(setup_page).post(setup))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    message: Option<String>,
    info: Option<&'static str>,
    username: String,
    next: String,
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
    #[serde(default)]
    done: String,
}

async fn login_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(&state.config.public_base_url, q.next.as_deref());
    if visitor.session.is_some() {
        return Redirect::to(&next).into_response();
    }
    let info = (q.done == "signed_out").then_some("ออกจากระบบแล้ว");
    let page = LoginPage {
        layout: Layout::new("เข้าสู่ระบบ", "login", None, visitor.csrf()),
        message: None,
        info,
        username: String::new(),
        next,
    };
    visitor.finish_form(render(&page))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    visitor: Visitor,
    ThaiForm(form): ThaiForm<LoginForm>,
) -> Result<Response, WebError> {
    visitor.check_csrf(&form.csrf)?;
    match state
        .core
        .login(&form.username, &form.password, &addr.ip().to_string())
        .await
    {
        Ok((_, secret)) => {
            if let Some(old) = &visitor.session_secret {
                state.core.logout(old).await?;
            }
            let next = safe_next(&state.config.public_base_url, Some(&form.next));
            Ok(signed_in(&state, &secret, &next))
        }
        Err(e @ (DomainError::Invalid(_) | DomainError::Throttled { .. })) => {
            let status = if matches!(e, DomainError::Throttled { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let message = match &e {
                DomainError::Invalid(errs) => {
                    errs.first().map(|f| f.message.clone()).unwrap_or_default()
                }
                other => other.to_string(),
            };
            let page = LoginPage {
                layout: Layout::new("เข้าสู่ระบบ", "login", None, visitor.csrf()),
                message: Some(message),
                info: None,
                username: form.username,
                next: safe_next(&state.config.public_base_url, Some(&form.next)),
            };
            let mut res = (status, render(&page)).into_response();
            if let DomainError::Throttled { retry_after_secs } = e
                && let Ok(v) = header::HeaderValue::from_str(&retry_after_secs.to_string())
            {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Ok(visitor.finish_form(res))
        }
        Err(other) => Err(other.into()),
    }
}

/// Sets the session cookie and goes on to `next`.
fn signed_in(state: &AppState, secret: &Secret, next: &str) -> Response {
    let max_age = state.core.policy.session_lifetime.whole_seconds();
    let cookie = set_cookie(
        SESSION_COOKIE,
        secret.expose(),
        max_age,
        state.config.secure_cookies,
    );
    let mut res = Redirect::to(next).into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie);
    res
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    visitor.check_csrf(&form.csrf)?;
    if let Some(secret) = &visitor.session_secret {
        state.core.logout(secret).await?;
    }
    let mut res = Redirect::to("/login?done=signed_out").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
    );
    Ok(res)
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    layout: Layout,
    token: String,
    errors: Errors,
    username: String,
    display_name: String,
    email: String,
}

#[derive(Template)]
#[template(path = "setup_gone.html")]
struct SetupGone {
    layout: Layout,
}

fn setup_gone(visitor: &Visitor) -> Response {
    let page = SetupGone {
        layout: Layout::new("ลิงก์ใช้ไม่ได้", "", None, visitor.csrf()),
    };
    visitor.finish((StatusCode::NOT_FOUND, render(&page)).into_response())
}

async fn setup_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if !state
        .core
        .setup_link_valid(&Secret::from_presented(&token))
        .await?
    {
        return Ok(setup_gone(&visitor));
    }
    let page = SetupPage {
        layout: Layout::new("ตั้งค่าครั้งแรก", "", None, visitor.csrf()),
        token,
        errors: Errors::default(),
        username: String::new(),
        display_name: String::new(),
        email: String::new(),
    };
    Ok(visitor.finish_form(render(&page)))
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
    #[serde(default)]
    demo: String,
}

async fn setup(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(token): Path<String>,
    ThaiForm(form): ThaiForm<SetupForm>,
) -> Result<Response, WebError> {
    visitor.check_csrf(&form.csrf)?;
    let secret = Secret::from_presented(&token);
    let input = FirstAdmin {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        email: form.email.clone(),
        password: form.password,
        password_again: form.password_again,
        load_demo: form.demo == "on",
    };
    match state.core.complete_setup(&secret, input).await {
        Ok(user) => {
            let session = state.core.open_session(user.id).await?;
            Ok(signed_in(&state, &session, "/?done=welcome"))
        }
        Err(DomainError::Invalid(errors)) => {
            let page = SetupPage {
                layout: Layout::new("ตั้งค่าครั้งแรก", "", None, visitor.csrf()),
                token,
                errors: Errors(errors),
                username: form.username,
                display_name: form.display_name,
                email: form.email,
            };
            Ok(visitor
                .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()))
        }
        Err(DomainError::NotFound) => Ok(setup_gone(&visitor)),
        Err(e) => Err(e.into()),
    }
}
