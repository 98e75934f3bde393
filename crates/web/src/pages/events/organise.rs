//! The organisers' page (check-in QR to show, the attendance list with a button per row,
//! certificates, outputs, booths), the printable A4 list, and the public booths page.

use super::{CsrfOnly, absolute, card, layout};
use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiQuery as Query};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::events::model::{BoothDraft, EventKind, RegStatus};
use khlang_core::events::service::{AttendeeRow, BoothView};
use khlang_core::ids::{BoothId, EventId, RegistrationId};
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events/{id}/manage", get(manage_page))
        .route("/events/{id}/print", get(print_page))
        .route("/events/{id}/registrations/{rid}/checkin", post(check_in))
        .route("/events/{id}/registrations/{rid}/remove", post(remove))
        .route("/events/{id}/certificates", post(certificates))
        .route("/events/{id}/outputs", post(link_output))
        .route("/events/{id}/booths", get(booths_page).post(add_booth))
        .route("/events/{id}/booths/{bid}/delete", post(delete_booth))
}

/// One row of the lists as templates show it.
struct Row {
    id: i64,
    no: usize,
    name: String,
    affiliation: String,
    guest: bool,
    phone: Option<String>,
    status: &'static str,
    confirmed: bool,
    active: bool,
    checked_in: Option<String>,
    certificate: Option<String>,
}

fn rows(list: &[AttendeeRow]) -> Vec<Row> {
    list.iter()
        .enumerate()
        .map(|(i, a)| {
            let r = &a.registration;
            Row {
                id: r.id.0,
                no: i + 1,
                name: r.name.clone(),
                affiliation: r.affiliation.clone(),
                guest: r.user_id.is_none(),
                phone: a.phone.clone(),
                status: r.status.label_th(),
                confirmed: r.status == RegStatus::Confirmed,
                active: r.status.is_active(),
                checked_in: r
                    .attendance
                    .as_ref()
                    .map(|a| format!("{} · {}", format_be_datetime(a.at), a.how.label_th())),
                certificate: r.certificate_code.clone(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "events/manage.html")]
struct ManagePage {
    layout: Layout,
    card: super::Card,
    rows: Vec<Row>,
    confirmed: usize,
    waiting: usize,
    attended: usize,
    due_certificates: usize,
    checkin_url: String,
    checkin_qr: String,
    phones: bool,
    is_market: bool,
    booths: Vec<BoothView>,
    units: Vec<(i64, String)>,
    booth: BoothDraft,
    errors: Errors,
    flash: Option<(bool, String)>,
    link_item: String,
}

#[derive(Deserialize, Default)]
struct ManageQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    phones: String,
}

fn done_text(done: &str) -> Option<(bool, String)> {
    let t = match done {
        "created" => "สร้างกิจกรรมแล้ว แบ่งปันลิงก์หน้ากิจกรรมให้กลุ่มเป้าหมายลงทะเบียนได้เลย",
        "saved" => "บันทึกการแก้ไขแล้ว",
        "cancelled" => "ยกเลิกกิจกรรมแล้ว ผู้ลงทะเบียนที่มีบัญชีได้รับการแจ้งเตือน",
        "checked_in" => "บันทึกการเข้าร่วมแล้ว",
        "removed" => "นำออกจากรายชื่อแล้ว",
        "linked" => "เชื่อมองค์ความรู้กับกิจกรรมแล้ว",
        "booth" => "เพิ่มบูธแล้ว",
        "booth_deleted" => "ลบบูธแล้ว",
        _ => return None,
    };
    Some((true, t.to_string()))
}

struct ManageExtras {
    flash: Option<(bool, String)>,
    errors: Errors,
    booth: BoothDraft,
    link_item: String,
    phones: bool,
}

async fn manage_view(
    state: &AppState,
    member: &Member,
    id: EventId,
    x: ManageExtras,
) -> Result<ManagePage, WebError> {
    let actor = member.actor();
    let (e, list) = state.core.attendance_list(actor, id, x.phones).await?;
    let tree = state.core.unit_tree().await?;
    let count = |s: RegStatus| list.iter().filter(|a| a.registration.status == s).count();
    let checkin_url = absolute(state, &format!("/events/checkin/{}", e.checkin_secret));
    let is_market = e.fields.kind == EventKind::KmMarket;
    let booths = if is_market {
        state.core.event_booths(actor, id).await?.1
    } else {
        Vec::new()
    };
    Ok(ManagePage {
        layout: layout(&member.0, format!("จัดการ {}", e.fields.title)),
        card: card(&e, &tree, state.core.clock.now()),
        confirmed: count(RegStatus::Confirmed),
        waiting: count(RegStatus::Waitlisted),
        attended: list
            .iter()
            .filter(|a| a.registration.attendance.is_some())
            .count(),
        due_certificates: list
            .iter()
            .filter(|a| {
                a.registration.attendance.is_some() && a.registration.certificate_code.is_none()
            })
            .count(),
        rows: rows(&list),
        checkin_qr: crate::qr::svg(&checkin_url, 240),
        checkin_url,
        phones: x.phones,
        is_market,
        booths,
        units: tree
            .walk()
            .into_iter()
            .filter(|(_, u)| !u.retired)
            .map(|(d, u)| (u.id.0, format!("{}{}", "· ".repeat(d), u.name_th.as_str())))
            .collect(),
        booth: x.booth,
        errors: x.errors,
        flash: x.flash,
        link_item: x.link_item,
    })
}

fn plain(flash: Option<(bool, String)>) -> ManageExtras {
    ManageExtras {
        flash,
        errors: Errors::default(),
        booth: BoothDraft::default(),
        link_item: String::new(),
        phones: false,
    }
}

async fn manage_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<ManageQuery>,
) -> Result<Response, WebError> {
    let mut x = plain(done_text(&q.done));
    x.phones = q.phones == "1";
    let p = manage_view(&state, &member, EventId(id), x).await?;
    Ok(render(&p))
}

/// A refusal shown on the organisers' page (nothing changed).
async fn refused(
    state: &AppState,
    member: &Member,
    id: EventId,
    e: DomainError,
    mut x: ManageExtras,
) -> Result<Response, WebError> {
    let status = match e {
        DomainError::Conflict(m) => {
            x.flash = Some((false, m));
            StatusCode::CONFLICT
        }
        DomainError::Invalid(errors) => {
            x.errors = Errors(errors);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        e => return Err(e.into()),
    };
    let p = manage_view(state, member, id, x).await?;
    Ok((status, render(&p)).into_response())
}

async fn check_in(
    State(state): State<AppState>,
    member: Member,
    Path((id, rid)): Path<(i64, i64)>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .check_in_by_hand(member.actor(), EventId(id), RegistrationId(rid))
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/events/{id}/manage?done=checked_in#r{rid}")).into_response(),
        ),
        Err(e) => refused(&state, &member, EventId(id), e, plain(None)).await,
    }
}

async fn remove(
    State(state): State<AppState>,
    member: Member,
    Path((id, rid)): Path<(i64, i64)>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .remove_registration(member.actor(), EventId(id), RegistrationId(rid))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/events/{id}/manage?done=removed")).into_response()),
        Err(e) => refused(&state, &member, EventId(id), e, plain(None)).await,
    }
}

async fn certificates(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .issue_event_certificates(member.actor(), EventId(id))
        .await
    {
        Ok(n) => {
            let text = if n == 0 {
                "ไม่มีผู้เข้าร่วมรายใหม่ที่ยังไม่ได้รับเกียรติบัตร".to_string()
            } else {
                format!("ออกเกียรติบัตรแล้ว {n} ใบ")
            };
            let p = manage_view(&state, &member, EventId(id), plain(Some((true, text)))).await?;
            Ok(render(&p))
        }
        Err(e) => refused(&state, &member, EventId(id), e, plain(None)).await,
    }
}

#[derive(Deserialize)]
struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    item: String,
}

async fn link_output(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<LinkForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .link_event_output(member.actor(), EventId(id), &form.item)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}/manage?done=linked")).into_response()),
        Err(e) => {
            let mut x = plain(None);
            x.link_item = form.item;
            refused(&state, &member, EventId(id), e, x).await
        }
    }
}

#[derive(Deserialize)]
struct BoothForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    booth: BoothDraft,
}

async fn add_booth(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<BoothForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .add_booth(member.actor(), EventId(id), &form.booth)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/events/{id}/manage?done=booth#booths")).into_response())
        }
        Err(e) => {
            let mut x = plain(None);
            x.booth = form.booth;
            refused(&state, &member, EventId(id), e, x).await
        }
    }
}

async fn delete_booth(
    State(state): State<AppState>,
    member: Member,
    Path((id, bid)): Path<(i64, i64)>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state
        .core
        .remove_booth(member.actor(), EventId(id), BoothId(bid))
        .await?;
    Ok(Redirect::to(&format!("/events/{id}/manage?done=booth_deleted#booths")).into_response())
}

// ---------------------------------------------------------------- printable list

#[derive(Template)]
#[template(path = "events/print.html")]
struct PrintPage {
    card: super::Card,
    rows: Vec<Row>,
}

async fn print_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (e, list) = state
        .core
        .attendance_list(member.actor(), EventId(id), false)
        .await?;
    let tree = state.core.unit_tree().await?;
    let list: Vec<AttendeeRow> = list
        .into_iter()
        .filter(|a| a.registration.status == RegStatus::Confirmed)
        .collect();
    Ok(render(&PrintPage {
        card: card(&e, &tree, state.core.clock.now()),
        rows: rows(&list),
    }))
}

// ---------------------------------------------------------------- booths (public)

#[derive(Template)]
#[template(path = "events/booths.html")]
struct BoothsPage {
    layout: Layout,
    card: super::Card,
    booths: Vec<(BoothView, String)>,
}

async fn booths_page(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (e, booths) = state.core.event_booths(&v.actor(), EventId(id)).await?;
    if e.fields.kind != EventKind::KmMarket {
        return Err(DomainError::NotFound.into());
    }
    let tree = state.core.unit_tree().await?;
    let booths = booths
        .into_iter()
        .map(|b| {
            let unit = tree
                .get(b.booth.unit_id)
                .map(|u| u.name_th.as_str().to_string())
                .unwrap_or_default();
            (b, unit)
        })
        .collect();
    let p = BoothsPage {
        layout: layout(&v, format!("บูธ {}", e.fields.title)),
        card: card(&e, &tree, state.core.clock.now()),
        booths,
    };
    Ok(v.finish(render(&p)))
}
