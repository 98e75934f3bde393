//! Events (กิจกรรม): the list, one event's page, create/edit/cancel (here); registration,
//! the registrant's own page and check-in by QR ([`attend`]); the organisers' page, the
//! printable attendance list, certificates, outputs and booths ([`organise`]).

mod attend;
mod organise;

use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::discovery::{PageMeta, SiteBase, excerpt, iso, json_ld};
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
use khlang_core::events::model::{Audience, Event, EventDraft, EventKind, arabic};
use khlang_core::events::service::{EventView, GuestDraft};
use khlang_core::ids::{EventId, UnitId};
use khlang_core::org::UnitTree;
use khlang_core::service::Khlang;
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(list_page))
        .route("/events/new", get(new_page).post(create))
        .route("/events/{id}", get(show_page))
        .route("/events/{id}/edit", get(edit_page).post(update))
        .route("/events/{id}/cancel", post(cancel))
        .merge(attend::routes())
        .merge(organise::routes())
}

pub(super) fn layout(v: &Visitor, title: impl Into<String>) -> Layout {
    Layout::new(title, "events", v.session.as_ref(), v.csrf())
}

pub(super) fn absolute(state: &AppState, path: &str) -> String {
    format!(
        "{}{path}",
        state.config.public_base_url.trim_end_matches('/')
    )
}

/// "10 ธ.ค. 2569 09:00 น. – 16:00 น." (the end's date only when it differs).
pub(super) fn when(e: &Event) -> String {
    let (s, t) = (e.fields.starts_at, e.fields.ends_at);
    let b = khlang_core::text::BANGKOK;
    if s.to_offset(b).date() == t.to_offset(b).date() {
        let t = t.to_offset(b);
        format!(
            "{} – {:02}:{:02} น.",
            format_be_datetime(s),
            t.hour(),
            t.minute()
        )
    } else {
        format!("{} – {}", format_be_datetime(s), format_be_datetime(t))
    }
}

/// What lists and headings show of an event.
pub(super) struct Card {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub unit: String,
    pub when: String,
    pub place: String,
    pub online: Option<String>,
    pub cancelled: bool,
    pub past: bool,
}

pub(super) fn card(e: &Event, tree: &UnitTree, now: time::OffsetDateTime) -> Card {
    Card {
        id: e.id.0,
        title: e.fields.title.clone(),
        kind: e.fields.kind.label_th(),
        unit: tree
            .get(e.fields.unit_id)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default(),
        when: when(e),
        place: e.fields.place.clone(),
        online: e.fields.online_url.clone(),
        cancelled: e.cancelled_at.is_some(),
        past: e.fields.ends_at < now,
    }
}

fn parse_id(s: &str) -> Option<i64> {
    arabic(s.trim()).parse().ok().filter(|n: &i64| *n > 0)
}

// ---------------------------------------------------------------- list

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    layout: Layout,
    events: Vec<Card>,
    kinds: Vec<(&'static str, &'static str)>,
    kind: String,
    units: Vec<(i64, String)>,
    unit: i64,
    may_create: bool,
    page: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    page: String,
}

async fn list_page(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let actor = v.actor();
    let kind = EventKind::parse(&q.kind);
    let unit = parse_id(&q.unit).map(UnitId);
    let page = parse_id(&q.page).unwrap_or(1) as u64;
    let found = state.core.list_events(&actor, kind, unit, page).await?;
    let tree = state.core.unit_tree().await?;
    let now = state.core.clock.now();
    let url = |p: u64| {
        format!(
            "/events?kind={}&unit={}&page={p}",
            kind.map(|k| k.as_str()).unwrap_or(""),
            unit.map(|u| u.0.to_string()).unwrap_or_default()
        )
    };
    let page_view = ListPage {
        layout: layout(&v, "กิจกรรม").with_feed("กิจกรรมที่กำลังจะมาถึง", "/feeds/events.atom"),
        events: found.items.iter().map(|e| card(e, &tree, now)).collect(),
        kinds: EventKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th()))
            .collect(),
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        units: tree
            .walk()
            .into_iter()
            .filter(|(_, u)| !u.retired)
            .map(|(d, u)| (u.id.0, format!("{}{}", "· ".repeat(d), u.name_th.as_str())))
            .collect(),
        unit: unit.map(|u| u.0).unwrap_or(0),
        may_create: Khlang::may_organise_events(&actor),
        page,
        prev_url: (page > 1).then(|| url(page - 1)),
        next_url: (page < found.pages()).then(|| url(page + 1)),
    };
    Ok(v.finish(render(&page_view)))
}

// ---------------------------------------------------------------- one event

#[derive(Template)]
#[template(path = "events/show.html")]
pub(super) struct ShowPage {
    layout: Layout,
    card: Card,
    view: EventView,
    description: String,
    audience: String,
    seats: String,
    window: String,
    signed_in: bool,
    outputs: Vec<(i64, String)>,
    flash: Option<String>,
    errors: Errors,
    guest: GuestDraft,
    is_market: bool,
}

pub(super) async fn show_view(
    state: &AppState,
    v: &Visitor,
    id: EventId,
    flash: Option<String>,
    errors: Errors,
    guest: GuestDraft,
) -> Result<ShowPage, WebError> {
    let actor = v.actor();
    let view = state.core.event_view(&actor, id).await?;
    let tree = state.core.unit_tree().await?;
    let e = &view.event;
    let audience = match e.fields.audience {
        Audience::Unit(u) => format!(
            "{} ({})",
            e.fields.audience.label_th(),
            tree.display_path(u)
        ),
        Audience::Community(_) => format!(
            "{}{}",
            e.fields.audience.label_th(),
            view.community_name
                .as_ref()
                .map(|n| format!(" {n}"))
                .unwrap_or_default()
        ),
        a => a.label_th().to_string(),
    };
    let seats = match e.fields.capacity {
        Some(c) => format!(
            "{} ที่นั่ง · ลงทะเบียนแล้ว {} · รอคิว {}{}",
            c,
            view.confirmed,
            view.waiting,
            if e.fields.waitlist {
                ""
            } else {
                " (ไม่รับรายชื่อรอ)"
            }
        ),
        None => format!("ไม่จำกัดจำนวน · ลงทะเบียนแล้ว {}", view.confirmed),
    };
    let window = format!(
        "{}ถึง {}",
        e.fields
            .opens_at
            .map(|o| format!("ตั้งแต่ {} ", format_be_datetime(o)))
            .unwrap_or_default(),
        format_be_datetime(e.closes_at())
    );
    let outputs = state
        .core
        .event_outputs(&actor, id)
        .await?
        .into_iter()
        .map(|i| (i.id.0, i.title))
        .collect();
    Ok(ShowPage {
        layout: layout(v, e.fields.title.clone()),
        card: card(e, &tree, state.core.clock.now()),
        description: crate::markdown::render(&e.fields.description),
        audience,
        seats,
        window,
        signed_in: v.session.is_some(),
        outputs,
        flash,
        errors,
        guest,
        is_market: e.fields.kind == EventKind::KmMarket,
        view,
    })
}

async fn show_page(
    State(state): State<AppState>,
    site: SiteBase,
    v: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let shown = show_view(
        &state,
        &v,
        EventId(id),
        None,
        Errors::default(),
        GuestDraft::default(),
    )
    .await;
    match shown {
        Ok(mut page) => {
            if let Some(meta) = event_meta(&site, &page.view, &*state.core.unit_tree().await?) {
                page.layout = page.layout.with_meta(meta);
            }
            Ok(v.finish_form(render(&page)))
        }
        // Events for signed-in people, a unit or a community: a member who followed a link
        // while signed out signs in and comes back.
        Err(WebError::Domain(DomainError::NotFound)) if v.session.is_none() => {
            Ok(Redirect::to(&format!("/login?next=/events/{id}")).into_response())
        }
        Err(e) => Err(e),
    }
}

/// The card and schema.org Event of a public event; None for events with a narrower audience
/// (a link card would show them to anyone the link reaches).
fn event_meta(site: &SiteBase, view: &EventView, tree: &UnitTree) -> Option<PageMeta> {
    let e = &view.event;
    if e.fields.audience != Audience::Public {
        return None;
    }
    let f = &e.fields;
    let url = site.url(&format!("/events/{}", e.id.0));
    let description = excerpt(
        &format!("{} · {} · {}", f.kind.label_th(), when(e), f.description),
        200,
    );
    let organiser = tree
        .get(f.unit_id)
        .map(|u| u.name_th.as_str().to_string())
        .unwrap_or_default();
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Event",
        "name": f.title,
        "description": description,
        "url": url,
        "inLanguage": "th",
        "startDate": iso(f.starts_at),
        "endDate": iso(f.ends_at),
        "eventStatus": if e.cancelled_at.is_some() {
            "https://schema.org/EventCancelled"
        } else {
            "https://schema.org/EventScheduled"
        },
        "organizer": {"@type": "GovernmentOrganization", "name": organiser},
    });
    let place = (!f.place.is_empty())
        .then(|| serde_json::json!({"@type": "Place", "name": f.place, "address": f.place}));
    let online = f
        .online_url
        .as_ref()
        .map(|u| serde_json::json!({"@type": "VirtualLocation", "url": u}));
    let (mode, location) = match (place, online) {
        (Some(p), Some(o)) => ("MixedEventAttendanceMode", serde_json::json!([p, o])),
        (Some(p), None) => ("OfflineEventAttendanceMode", p),
        (None, Some(o)) => ("OnlineEventAttendanceMode", o),
        (None, None) => ("OfflineEventAttendanceMode", serde_json::Value::Null),
    };
    ld["eventAttendanceMode"] = format!("https://schema.org/{mode}").into();
    if !location.is_null() {
        ld["location"] = location;
    }
    Some(PageMeta {
        og_type: "website",
        title: f.title.clone(),
        description,
        url,
        image: None,
        json_ld: Some(json_ld(&ld)),
    })
}

// ---------------------------------------------------------------- create, edit, cancel

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    layout: Layout,
    id: Option<i64>,
    form: EventDraft,
    errors: Errors,
    kinds: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
    all_units: Vec<(i64, String)>,
    communities: Vec<(i64, String)>,
}

#[derive(Deserialize)]
struct EventForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    draft: EventDraft,
}

async fn form_page(
    state: &AppState,
    member: &Member,
    id: Option<i64>,
    form: EventDraft,
    errors: Errors,
) -> Result<FormPage, WebError> {
    let actor = member.actor();
    let units: Vec<(i64, String)> = state
        .core
        .event_units(actor)
        .await?
        .into_iter()
        .map(|(u, n)| (u.0, n))
        .collect();
    if units.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    let tree = state.core.unit_tree().await?;
    Ok(FormPage {
        layout: layout(
            &member.0,
            if id.is_some() {
                "แก้ไขกิจกรรม"
            } else {
                "สร้างกิจกรรม"
            },
        ),
        id,
        form,
        errors,
        kinds: EventKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th()))
            .collect(),
        units,
        all_units: tree
            .walk()
            .into_iter()
            .filter(|(_, u)| !u.retired)
            .map(|(d, u)| (u.id.0, format!("{}{}", "· ".repeat(d), u.name_th.as_str())))
            .collect(),
        communities: state
            .core
            .community_choices(actor)
            .await?
            .into_iter()
            .map(|(c, n)| (c.0, n))
            .collect(),
    })
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    kind: String,
}

async fn new_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let mut draft = EventDraft {
        kind: q.kind,
        waitlist: "on".into(),
        audience: "public".into(),
        ..Default::default()
    };
    if let Some((u, _)) = state.core.event_units(member.actor()).await?.first() {
        draft.unit = u.0.to_string();
    }
    Ok(render(
        &form_page(&state, &member, None, draft, Errors::default()).await?,
    ))
}

async fn create(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<EventForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state.core.create_event(member.actor(), &form.draft).await {
        Ok(id) => Ok(Redirect::to(&format!("/events/{id}/manage?done=created")).into_response()),
        Err(DomainError::Invalid(e)) => {
            let p = form_page(&state, &member, None, form.draft, Errors(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let view = state.core.event_view(member.actor(), EventId(id)).await?;
    if !view.may_organise {
        return Err(DomainError::Forbidden.into());
    }
    let draft = EventDraft::of(&view.event.fields);
    Ok(render(
        &form_page(&state, &member, Some(id), draft, Errors::default()).await?,
    ))
}

async fn update(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<EventForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .update_event(member.actor(), EventId(id), &form.draft)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/events/{id}/manage?done=saved")).into_response()),
        Err(DomainError::Invalid(e)) => {
            let p = form_page(&state, &member, Some(id), form.draft, Errors(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

async fn cancel(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state.core.cancel_event(member.actor(), EventId(id)).await?;
    Ok(Redirect::to(&format!("/events/{id}/manage?done=cancelled")).into_response())
}
