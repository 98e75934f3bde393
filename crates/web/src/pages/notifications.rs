//! The inbox (การแจ้งเตือน) behind the header's bell: newest first, 30 a page, unread in
//! bold; opening a notice (`/notifications/{id}`) marks it read and goes where it leads.
//! A small form there chooses community notices at once or as one summary a day; the
//! summary leads to `/notifications/digest/{day}`.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::NoticeId;
use khlang_core::notifications::CommunityDelivery;
use khlang_core::text::{format_be_date_long, format_be_datetime};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(inbox))
        .route("/notifications/read-all", post(read_all))
        .route("/notifications/preferences", post(save_preferences))
        .route("/notifications/digest/{day}", get(digest))
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
    /// (value, label, checked) of the community-notice choice.
    deliveries: Vec<(&'static str, &'static str, bool)>,
    errors: Errors,
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
    let flash = match q.done.as_str() {
        "read" => Some("ทำเครื่องหมายว่าอ่านแล้วทั้งหมด"),
        "saved" => Some("บันทึกวิธีรับการแจ้งเตือนจากชุมชนแล้ว"),
        _ => None,
    };
    let chosen = state.core.community_delivery(member.actor()).await?;
    let page = inbox_page(&state, &member, page_no, flash, chosen, Errors::default()).await?;
    Ok(member.0.finish_form(render(&page)))
}

async fn inbox_page(
    state: &AppState,
    member: &Member,
    page_no: u64,
    flash: Option<&'static str>,
    chosen: CommunityDelivery,
    errors: Errors,
) -> Result<InboxPage, WebError> {
    let found = state.core.inbox(member.actor(), page_no).await?;
    let pages = found.pages();
    Ok(InboxPage {
        layout: Layout::new(
            "การแจ้งเตือน",
            "notifications",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        flash,
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
        deliveries: CommunityDelivery::ALL
            .iter()
            .map(|d| (d.as_str(), d.label_th(), *d == chosen))
            .collect(),
        errors,
    })
}

#[derive(Deserialize)]
struct PreferencesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    community: String,
}

/// Saves the community-notice choice; anything but the two choices is refused, nothing saved.
async fn save_preferences(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<PreferencesForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .set_community_delivery(member.actor(), &form.community)
        .await
    {
        Ok(_) => Ok(Redirect::to("/notifications?done=saved").into_response()),
        Err(DomainError::Invalid(errors)) => {
            let chosen = state.core.community_delivery(member.actor()).await?;
            let p = inbox_page(&state, &member, 1, None, chosen, Errors(errors)).await?;
            Ok(member
                .0
                .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

struct HeldView {
    href: String,
    title: String,
    when: String,
}

#[derive(Template)]
#[template(path = "notifications/digest.html")]
struct DigestPage {
    layout: Layout,
    day: String,
    notices: Vec<HeldView>,
}

/// The community notices one day's summary gathered (only the reader's own).
async fn digest(
    State(state): State<AppState>,
    member: Member,
    Path(day): Path<String>,
) -> Result<Response, WebError> {
    let (day, held) = state.core.digest(member.actor(), &day).await?;
    let date = time::Date::parse(
        &day,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| DomainError::NotFound)?;
    let page = DigestPage {
        layout: Layout::new(
            "สรุปความเคลื่อนไหวในชุมชน",
            "notifications",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        day: format_be_date_long(date.midnight().assume_offset(khlang_core::text::BANGKOK)),
        notices: held
            .iter()
            .map(|n| HeldView {
                href: n.safe_link().to_string(),
                title: n.title.clone(),
                when: format_be_datetime(n.created_at),
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
