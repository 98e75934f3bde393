//! /communities/{id}/members (members for those who read the community; facilitators add by
//! username, approve requests, appoint, remove) and /communities/{id}/reports (facilitators'
//! queue of reported posts).

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::communities::model::Role;
use khlang_core::ids::{CommunityId, PostId, UserId};
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/communities/{id}/members", get(page).post(add))
        .route("/communities/{id}/members/{user}", post(change))
        .route("/communities/{id}/reports", get(reports))
        .route("/communities/posts/{id}/dismiss", post(dismiss))
}

struct Row {
    user_id: i64,
    name: String,
    username: String,
    role: &'static str,
    pending: bool,
    facilitator: bool,
}

#[derive(Template)]
#[template(path = "communities/members.html")]
struct MembersPage {
    layout: Layout,
    id: i64,
    name: String,
    rows: Vec<Row>,
    may_moderate: bool,
    username: String,
    role: String,
    errors: Errors,
    /// The unit's people not in the community yet (facilitators only).
    candidates: Vec<(String, String)>,
}

async fn build(
    state: &AppState,
    member: &Member,
    id: i64,
    username: String,
    role: String,
    errors: Errors,
) -> Result<MembersPage, WebError> {
    let (c, a, rows) = state
        .core
        .community_members(member.actor(), CommunityId(id))
        .await?;
    let candidates = if a.may_moderate() {
        state
            .core
            .community_candidates(member.actor(), CommunityId(id))
            .await?
    } else {
        Vec::new()
    };
    Ok(MembersPage {
        candidates,
        layout: Layout::new(
            format!("สมาชิก {}", c.name),
            "communities",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        id,
        name: c.name,
        rows: rows
            .into_iter()
            .map(|r| Row {
                user_id: r.membership.user_id.0,
                name: r.name,
                username: r.username,
                role: r.membership.role.label_th(),
                pending: r.membership.role == Role::Pending,
                facilitator: r.membership.role == Role::Facilitator,
            })
            .collect(),
        may_moderate: a.may_moderate(),
        username,
        role,
        errors,
    })
}

async fn page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = build(
        &state,
        &member,
        id,
        String::new(),
        String::new(),
        Errors::default(),
    )
    .await?;
    Ok(member.0.finish_form(render(&p)))
}

#[derive(Deserialize)]
struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
}

async fn add(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<AddForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let role = if f.role == "facilitator" {
        Role::Facilitator
    } else {
        Role::Member
    };
    match state
        .core
        .add_community_member(member.actor(), CommunityId(id), &f.username, role)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/communities/{id}/members")).into_response()),
        Err(DomainError::Invalid(e)) => {
            let p = build(&state, &member, id, f.username, f.role, Errors(e)).await?;
            Ok(member
                .0
                .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ChangeForm {
    #[serde(default)]
    csrf: String,
    /// member (approve or demote) · facilitator · remove
    #[serde(default)]
    action: String,
}

async fn change(
    State(state): State<AppState>,
    member: Member,
    Path((id, user)): Path<(i64, i64)>,
    ThaiForm(f): ThaiForm<ChangeForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let c = CommunityId(id);
    let u = UserId(user);
    match f.action.as_str() {
        "remove" => {
            state
                .core
                .remove_community_member(member.actor(), c, u)
                .await?
        }
        "facilitator" => {
            state
                .core
                .change_community_role(member.actor(), c, u, Role::Facilitator)
                .await?
        }
        "member" => {
            state
                .core
                .change_community_role(member.actor(), c, u, Role::Member)
                .await?
        }
        _ => return Err(WebError::BadRequest("ไม่รู้จักคำสั่งนี้".into())),
    }
    Ok(Redirect::to(&format!("/communities/{id}/members")).into_response())
}

struct ReportRow {
    post_id: i64,
    href: String,
    thread_title: String,
    reporter: String,
    reason: String,
    when: String,
}

#[derive(Template)]
#[template(path = "communities/reports.html")]
struct ReportsPage {
    layout: Layout,
    id: i64,
    name: String,
    rows: Vec<ReportRow>,
}

async fn reports(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (c, list, names) = state
        .core
        .community_reports(member.actor(), CommunityId(id))
        .await?;
    let p = ReportsPage {
        layout: Layout::new(
            format!("รายการแจ้งปัญหา {}", c.name),
            "communities",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        id,
        name: c.name,
        rows: list
            .into_iter()
            .map(|r| ReportRow {
                post_id: r.post_id.0,
                href: format!("/communities/threads/{}#post-{}", r.thread_id, r.post_id),
                thread_title: r.thread_title,
                reporter: names.get(&r.reporter_id).cloned().unwrap_or_default(),
                reason: r.reason,
                when: format_be_datetime(r.created_at),
            })
            .collect(),
    };
    Ok(member.0.finish_form(render(&p)))
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn dismiss(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let c = state
        .core
        .dismiss_reports(member.actor(), PostId(id))
        .await?;
    Ok(Redirect::to(&format!("/communities/{c}/reports")).into_response())
}
