//! Registration (one click signed in, a short form for guests), the registrant's own page by
//! secret link (status, ticket QR, certificate, cancel), and check-in by QR: the ticket an
//! organiser opens, the event's code a registrant opens.

use super::{CsrfOnly, absolute, card, layout, show_view, when};
use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::events::model::{Event, RegStatus, Registration, self_checkin_open};
use khlang_core::events::service::{GuestDraft, TicketView};
use khlang_core::ids::EventId;
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events/{id}/register", post(register))
        .route("/events/my/{secret}", get(my_page))
        .route("/events/my/{secret}/cancel", post(cancel_mine))
        .route("/events/t/{ticket}", get(ticket_page).post(ticket_check_in))
        .route(
            "/events/checkin/{secret}",
            get(self_page).post(self_check_in),
        )
}

#[derive(Deserialize)]
struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default, rename = "guest.name")]
    name: String,
    #[serde(default, rename = "guest.affiliation")]
    affiliation: String,
    #[serde(default, rename = "guest.phone")]
    phone: String,
}

async fn register(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<RegisterForm>,
) -> Result<Response, WebError> {
    v.check_csrf(&form.csrf)?;
    let actor = v.actor();
    let guest = GuestDraft {
        name: form.name,
        affiliation: form.affiliation,
        phone: form.phone,
    };
    let done = if actor.user_id().is_some() {
        state.core.register_for_event(&actor, EventId(id)).await
    } else {
        state.core.register_guest(&actor, EventId(id), &guest).await
    };
    match done {
        Ok(r) => Ok(Redirect::to(&format!(
            "/events/my/{}?done={}",
            r.secret,
            r.status.as_str()
        ))
        .into_response()),
        Err(DomainError::Invalid(e)) => {
            let p = show_view(&state, &v, EventId(id), None, Errors(e), guest).await?;
            Ok(v.finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response()))
        }
        Err(DomainError::Conflict(m)) => {
            let p = show_view(&state, &v, EventId(id), Some(m), Errors::default(), guest).await?;
            Ok(v.finish_form((StatusCode::CONFLICT, render(&p)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- the registrant's page

#[derive(Template)]
#[template(path = "events/my.html")]
struct MyPage {
    layout: Layout,
    card: super::Card,
    reg: Registration,
    status: &'static str,
    waiting: bool,
    active: bool,
    checked_in: Option<String>,
    qr: String,
    ticket_url: String,
    done: String,
    flash: Option<String>,
}

#[derive(Deserialize, Default)]
struct Done {
    #[serde(default)]
    done: String,
}

async fn my_view(
    state: &AppState,
    v: &Visitor,
    secret: &str,
    done: String,
    flash: Option<String>,
) -> Result<MyPage, WebError> {
    let (e, reg) = state.core.registration_by_secret(secret).await?;
    let tree = state.core.unit_tree().await?;
    let ticket_url = absolute(state, &format!("/events/t/{}", reg.ticket));
    Ok(MyPage {
        layout: layout(v, format!("การลงทะเบียน {}", e.fields.title)),
        card: card(&e, &tree, state.core.clock.now()),
        status: reg.status.label_th(),
        waiting: reg.status == RegStatus::Waitlisted,
        active: reg.status.is_active(),
        checked_in: reg
            .attendance
            .as_ref()
            .map(|a| format!("{} ({})", format_be_datetime(a.at), a.how.label_th())),
        qr: if reg.status == RegStatus::Confirmed {
            crate::qr::svg(&ticket_url, 220)
        } else {
            String::new()
        },
        ticket_url,
        done,
        flash,
        reg,
    })
}

async fn my_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(secret): Path<String>,
    crate::forms::ThaiQuery(q): crate::forms::ThaiQuery<Done>,
) -> Result<Response, WebError> {
    let p = my_view(&state, &v, &secret, q.done, None).await?;
    // A secret link: never cached, never sent on as a referrer.
    let mut res = v.finish_form(render(&p));
    res.headers_mut().insert(
        "referrer-policy",
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

async fn cancel_mine(
    State(state): State<AppState>,
    v: Visitor,
    Path(secret): Path<String>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    v.check_csrf(&form.csrf)?;
    match state.core.cancel_registration(&secret).await {
        Ok(_) => Ok(Redirect::to(&format!("/events/my/{secret}?done=cancelled")).into_response()),
        Err(DomainError::Conflict(m)) => {
            let p = my_view(&state, &v, &secret, String::new(), Some(m)).await?;
            Ok(v.finish_form((StatusCode::CONFLICT, render(&p)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- the ticket an organiser opens

#[derive(Template)]
#[template(path = "events/ticket.html")]
struct TicketPage {
    layout: Layout,
    title: String,
    event_id: i64,
    when: String,
    /// Only for organisers.
    person: Option<Registration>,
    status: &'static str,
    may_check_in: bool,
    checked_in: Option<String>,
    flash: Option<(bool, String)>,
}

async fn ticket_view(
    state: &AppState,
    v: &Visitor,
    ticket: &str,
    flash: Option<(bool, String)>,
) -> Result<TicketPage, WebError> {
    let (e, person): (Event, Option<Registration>) =
        match state.core.ticket_view(&v.actor(), ticket).await? {
            TicketView::Organiser(e, r) => (e, Some(*r)),
            TicketView::Other(e) => (e, None),
        };
    Ok(TicketPage {
        layout: layout(v, "บัตรเข้าร่วมกิจกรรม"),
        title: e.fields.title.clone(),
        event_id: e.id.0,
        when: when(&e),
        status: person.as_ref().map(|r| r.status.label_th()).unwrap_or(""),
        may_check_in: person
            .as_ref()
            .is_some_and(|r| r.status == RegStatus::Confirmed && r.attendance.is_none())
            && e.cancelled_at.is_none(),
        checked_in: person
            .as_ref()
            .and_then(|r| r.attendance.as_ref())
            .map(|a| format!("{} ({})", format_be_datetime(a.at), a.how.label_th())),
        person,
        flash,
    })
}

async fn ticket_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(ticket): Path<String>,
) -> Result<Response, WebError> {
    let p = ticket_view(&state, &v, &ticket, None).await?;
    let mut res = v.finish_form(render(&p));
    res.headers_mut().insert(
        "referrer-policy",
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

async fn ticket_check_in(
    State(state): State<AppState>,
    member: Member,
    Path(ticket): Path<String>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let (flash, status) = match state.core.check_in_ticket(member.actor(), &ticket).await {
        Ok(r) => (
            (true, format!("บันทึกการเข้าร่วมของ {} แล้ว", r.name)),
            StatusCode::OK,
        ),
        Err(DomainError::Conflict(m)) => ((false, m), StatusCode::CONFLICT),
        Err(e) => return Err(e.into()),
    };
    let p = ticket_view(&state, &member.0, &ticket, Some(flash)).await?;
    Ok((status, render(&p)).into_response())
}

// ---------------------------------------------------------------- the event's own code

#[derive(Template)]
#[template(path = "events/checkin.html")]
struct SelfPage {
    layout: Layout,
    title: String,
    event_id: i64,
    when: String,
    open: bool,
    /// Checked in just now: the confirm button is not offered again.
    done: bool,
    flash: Option<(bool, String)>,
}

async fn self_view(
    state: &AppState,
    v: &Visitor,
    secret: &str,
    flash: Option<(bool, String)>,
) -> Result<SelfPage, WebError> {
    let e = state.core.event_by_checkin(secret).await?;
    Ok(SelfPage {
        layout: layout(v, format!("ลงชื่อเข้าร่วม {}", e.fields.title)),
        title: e.fields.title.clone(),
        event_id: e.id.0,
        when: when(&e),
        open: self_checkin_open(&e, state.core.clock.now()),
        done: flash.as_ref().is_some_and(|f| f.0),
        flash,
    })
}

/// Signed-in registrants only: anyone else is sent to sign in and brought back.
async fn self_page(
    State(state): State<AppState>,
    member: Member,
    Path(secret): Path<String>,
) -> Result<Response, WebError> {
    let p = self_view(&state, &member.0, &secret, None).await?;
    let mut res = render(&p);
    res.headers_mut().insert(
        "referrer-policy",
        axum::http::HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

async fn self_check_in(
    State(state): State<AppState>,
    member: Member,
    Path(secret): Path<String>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let (flash, status) = match state.core.check_in_self(member.actor(), &secret).await {
        Ok(_) => (
            (
                true,
                "ลงชื่อเข้าร่วมกิจกรรมเรียบร้อยแล้ว ขอบคุณที่มาร่วมกิจกรรม".to_string(),
            ),
            StatusCode::OK,
        ),
        Err(DomainError::Conflict(m)) => ((false, m), StatusCode::CONFLICT),
        Err(e) => return Err(e.into()),
    };
    let p = self_view(&state, &member.0, &secret, Some(flash)).await?;
    Ok((status, render(&p)).into_response())
}
