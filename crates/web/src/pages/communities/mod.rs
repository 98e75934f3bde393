//! Communities of practice: /communities (list, my communities), /communities/new,
//! /communities/{id} (threads), joining and leaving; threads and posts in [`threads`],
//! members and the reports queue in [`members`].

mod members;
mod threads;

use crate::AppState;
use crate::auth::{Member, Visitor};
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
use khlang_core::communities::model::Role;
use khlang_core::communities::service::{CommunityCard, CommunityInput};
use khlang_core::ids::CommunityId;
use khlang_core::text::format_be_date;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/communities", get(list))
        .route("/communities/new", get(new_page).post(create))
        .route("/communities/{id}", get(show))
        .route("/communities/{id}/join", post(join))
        .route("/communities/{id}/leave", post(leave))
        .merge(members::routes())
        .merge(threads::routes())
}

/// A community on the list: name and description for everyone; counts only for readers.
struct CardView {
    href: String,
    name: String,
    description: String,
    members_only: bool,
    role: Option<&'static str>,
    counts: Option<String>,
}

fn card_view(c: &CommunityCard) -> CardView {
    CardView {
        href: format!("/communities/{}", c.community.id),
        name: c.community.name.clone(),
        description: c.community.description.clone(),
        members_only: c.community.members_only,
        role: c.access.role.map(Role::label_th),
        counts: match (c.members, c.threads) {
            (Some(m), Some(t)) => Some(format!("สมาชิก {} คน · {} กระทู้", number(m), number(t))),
            _ => None,
        },
    }
}

#[derive(Template)]
#[template(path = "communities/list.html")]
struct ListPage {
    layout: Layout,
    mine: Vec<CardView>,
    others: Vec<CardView>,
    may_create: bool,
}

async fn list(State(state): State<AppState>, v: Visitor) -> Result<Response, WebError> {
    let actor = v.actor();
    let cards = state.core.community_cards(&actor).await?;
    let may_create = !state.core.community_units(&actor).await?.is_empty();
    let (mine, others): (Vec<_>, Vec<_>) = cards
        .iter()
        .partition(|c| matches!(c.access.role, Some(Role::Member | Role::Facilitator)));
    let page = ListPage {
        layout: Layout::new("ชุมชนนักปฏิบัติ", "communities", v.session.as_ref(), v.csrf()),
        mine: mine.into_iter().map(card_view).collect(),
        others: others.into_iter().map(card_view).collect(),
        may_create,
    };
    Ok(v.finish(render(&page)))
}

#[derive(Template)]
#[template(path = "communities/new.html")]
struct NewPage {
    layout: Layout,
    form: CommunityInput,
    units: Vec<(String, String)>,
    errors: Errors,
}

async fn new_form(
    state: &AppState,
    member: &Member,
    form: CommunityInput,
    errors: Errors,
) -> Result<NewPage, WebError> {
    let units: Vec<(String, String)> = state
        .core
        .community_units(member.actor())
        .await?
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect();
    if units.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    Ok(NewPage {
        layout: Layout::new(
            "ตั้งชุมชนนักปฏิบัติ",
            "communities",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        form,
        units,
        errors,
    })
}

async fn new_page(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let page = new_form(
        &state,
        &member,
        CommunityInput::default(),
        Errors::default(),
    )
    .await?;
    Ok(member.0.finish_form(render(&page)))
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: CommunityInput,
}

async fn create(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(f): ThaiForm<CreateForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    match state.core.create_community(member.actor(), &f.input).await {
        Ok(id) => Ok(Redirect::to(&format!("/communities/{id}")).into_response()),
        Err(DomainError::Invalid(e)) => {
            let page = new_form(&state, &member, f.input, Errors(e)).await?;
            Ok(member
                .0
                .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

struct ThreadRow {
    href: String,
    title: String,
    kind: &'static str,
    author: String,
    replies: String,
    when: String,
    has_item: bool,
}

#[derive(Template)]
#[template(path = "communities/show.html")]
struct ShowPage {
    layout: Layout,
    id: i64,
    name: String,
    description_html: String,
    unit_name: String,
    members_only: bool,
    role: Option<&'static str>,
    pending: bool,
    may_read: bool,
    may_post: bool,
    may_join: bool,
    may_leave: bool,
    may_moderate: bool,
    signed_in: bool,
    threads: Vec<ThreadRow>,
    page: u64,
    pages: u64,
    flash: Option<&'static str>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    page: Option<String>,
    #[serde(default)]
    done: String,
}

async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let actor = v.actor();
    let page_no = crate::forms::page_link_param(q.page.as_deref())?;
    let view = state
        .core
        .community_view(&actor, CommunityId(id), page_no)
        .await?;
    let a = view.access;
    let (threads, page, pages) = match &view.threads {
        Some(p) => (
            p.items
                .iter()
                .map(|t| ThreadRow {
                    href: format!("/communities/threads/{}", t.id),
                    title: t.title.clone(),
                    kind: t.kind.label_th(),
                    author: view.names.get(&t.author_id).cloned().unwrap_or_default(),
                    replies: number(t.replies),
                    when: format_be_date(t.activity_at),
                    has_item: t.item_id.is_some(),
                })
                .collect(),
            p.page,
            p.pages(),
        ),
        None => (Vec::new(), 1, 1),
    };
    let flash = match q.done.as_str() {
        "joined" => Some("เข้าร่วมชุมชนแล้ว"),
        "requested" => Some("ส่งคำขอเข้าร่วมแล้ว — รอคุณอำนวยอนุมัติ"),
        "left" => Some("ออกจากชุมชนแล้ว"),
        _ => None,
    };
    let page = ShowPage {
        layout: Layout::new(
            view.community.name.clone(),
            "communities",
            v.session.as_ref(),
            v.csrf(),
        ),
        id,
        name: view.community.name.clone(),
        description_html: crate::markdown::render(&view.community.description),
        unit_name: view.unit_name.clone(),
        members_only: view.community.members_only,
        role: a.role.map(Role::label_th),
        pending: a.role == Some(Role::Pending),
        may_read: a.may_read(),
        may_post: a.may_post(),
        may_join: a.may_join(),
        may_leave: a.role.is_some(),
        may_moderate: a.may_moderate(),
        signed_in: a.signed_in,
        threads,
        page,
        pages,
        flash,
    };
    let res = render(&page);
    Ok(if a.signed_in {
        v.finish_form(res)
    } else {
        v.finish(res)
    })
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

async fn join(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let role = state
        .core
        .join_community(member.actor(), CommunityId(id))
        .await?;
    let done = if role == Role::Pending {
        "requested"
    } else {
        "joined"
    };
    Ok(Redirect::to(&format!("/communities/{id}?done={done}")).into_response())
}

async fn leave(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    state
        .core
        .leave_community(member.actor(), CommunityId(id))
        .await?;
    Ok(Redirect::to(&format!("/communities/{id}?done=left")).into_response())
}
