//! The inbox (การแจ้งเตือน) behind the header's bell: newest first, 30 a page, unread in
//! bold; opening a notice (`/notifications/{id}`) marks it read and goes where it leads.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::ids::NoticeId;
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/{id}", get(open))
}

struct NoticeView {
    href: String,
    title: String,
    when: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "notifications/inbox.html")]
struct InboxPage {
    layout: Layout,
    flash: Option<&'static str>,
    notices: Vec<NoticeView>,
    total: String,
    unread: u64,
    page: u64,
    pages: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct InboxQuery {
    page: Option<String>,
    #[serde(default)]
    done: String,
}

async fn inbox(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<InboxQuery>,
) -> Result<Response, WebError> {
    let page_no = crate::forms::page_link_param(q.page.as_deref())?.get();
    let found = state.core.inbox(member.actor(), page_no).await?;
    let pages = found.pages();
    let page = InboxPage {
        layout: Layout::new(
            "การแจ้งเตือน",
            "notifications",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        flash: (q.done == "read").then_some("ทำเครื่องหมายว่าอ่านแล้วทั้งหมด"),
        unread: member.ctx().unread_notices,
        total: number(found.total),
        prev_url: (found.page > 1).then(|| format!("/notifications?page={}", found.page - 1)),
        next_url: (found.page < pages).then(|| format!("/notifications?page={}", found.page + 1)),
        page: found.page,
        pages,
        notices: found
            .items
            .iter()
            .map(|n| NoticeView {
                href: format!("/notifications/{}", n.id),
                title: n.title.clone(),
                when: format_be_datetime(n.created_at),
                unread: n.read_at.is_none(),
            })
            .collect(),
    };
    Ok(member.0.finish_form(render(&page)))
}

/// Opens a notice: marks it read, then goes to its link.
async fn open(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let notice = state.core.open_notice(member.actor(), NoticeId(id)).await?;
    Ok(Redirect::to(notice.safe_link()).into_response())
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn read_all(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state.core.read_all_notices(member.actor()).await?;
    Ok(Redirect::to("/notifications?done=read").into_response())
}
