//! KM plan pages (แผนการจัดการความรู้): the list with the three ways to start a plan
//! (here), one plan with Forms 1 and 2, its review and history and the Gantt ([`show`]),
//! the row-at-a-time forms ([`rows`]); `export` holds the official XLSX and PDF layouts and
//! the XLSX import.

mod export;
mod rows;
mod show;

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiQuery as Query};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::ids::UnitId;
use khlang_core::org::Actor;
use khlang_core::planning::model::FiscalYear;
use khlang_core::planning::progress::PLAN_RULE;
use khlang_core::planning::service::PlanStart;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list_page).post(create))
        .merge(show::routes())
        .merge(rows::routes())
        .merge(export::routes())
}

pub(super) fn layout(member: &Member, title: impl Into<String>) -> Layout {
    Layout::new(title, "plans", member.0.session.as_ref(), member.0.csrf())
}

/// "62%" or "–" when nothing counts.
pub(super) fn percent(p: Option<u8>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "–".into())
}

struct UnitRow {
    unit_id: i64,
    name: String,
    depth: usize,
    plan: Option<(i64, &'static str, String)>,
    may_create: bool,
    has_parent: bool,
}

#[derive(Template)]
#[template(path = "planning/list.html")]
struct ListPage {
    layout: Layout,
    errors: Errors,
    year: i32,
    years: Vec<i32>,
    rows: Vec<UnitRow>,
    rule: &'static str,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    year: Option<String>,
}

/// The units whose plans the actor sees on /plans: each unit granted to them with its
/// direct children (a parent follows its children's plans); the site admin sees the roots
/// and their children.
async fn list_view(
    state: &AppState,
    member: &Member,
    year: FiscalYear,
    errors: Errors,
) -> Result<ListPage, WebError> {
    let actor = member.actor();
    let tree = state.core.unit_tree().await?;
    let mut heads: Vec<UnitId> = match actor {
        Actor::User(me) if me.site_admin => tree
            .units()
            .iter()
            .filter(|u| u.parent_id.is_none())
            .map(|u| u.id)
            .collect(),
        Actor::User(me) => me.grants.iter().map(|(_, u)| *u).collect(),
        Actor::Anonymous => Vec::new(),
    };
    heads.sort_by_key(|u| tree.get(*u).map(|x| x.code.as_str().to_string()));
    heads.dedup();
    let mut shown: Vec<(UnitId, usize)> = Vec::new();
    for h in heads {
        if shown.iter().any(|(u, _)| *u == h) {
            continue;
        }
        shown.push((h, 0));
        for c in tree.children(Some(h)).filter(|c| !c.retired) {
            shown.push((c.id, 1));
        }
    }
    let units: Vec<UnitId> = shown.iter().map(|(u, _)| *u).collect();
    let plans = state.core.plans_of_units(actor, &units, year).await?;
    let mut rows = Vec::new();
    for (u, depth) in shown {
        let Some(unit) = tree.get(u) else { continue };
        let may_view = tree.path(u).is_ok_and(|p| {
            khlang_core::org::authorize(
                actor,
                khlang_core::org::Action::ViewUnitContent,
                &khlang_core::org::Target::Unit(p),
            )
            .is_ok()
        });
        if !may_view {
            continue;
        }
        let may_create = tree.path(u).is_ok_and(|p| {
            khlang_core::org::authorize(
                actor,
                khlang_core::org::Action::ManageKnowledge,
                &khlang_core::org::Target::Unit(p),
            )
            .is_ok()
        }) && !unit.retired;
        rows.push(UnitRow {
            unit_id: u.0,
            name: unit.name_th.as_str().to_string(),
            depth,
            plan: plans
                .get(&u)
                .map(|p| (p.id.0, p.status.label_th(), percent(p.counts.percent()))),
            may_create,
            has_parent: unit.parent_id.is_some(),
        });
    }
    let now = FiscalYear::of(state.core.clock.now()).be();
    Ok(ListPage {
        layout: layout(member, format!("แผนการจัดการความรู้ ปีงบประมาณ {year}")),
        errors,
        year: year.be(),
        years: (now - 3..=now + 1).rev().collect(),
        rows,
        rule: PLAN_RULE,
    })
}

fn year_of(state: &AppState, s: Option<&str>) -> Result<FiscalYear, WebError> {
    match s.filter(|s| !s.trim().is_empty()) {
        Some(s) => Ok(FiscalYear::parse(s).map_err(DomainError::from)?),
        None => Ok(FiscalYear::of(state.core.clock.now())),
    }
}

async fn list_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let year = year_of(&state, q.year.as_deref())?;
    Ok(render(
        &list_view(&state, &member, year, Errors::default()).await?,
    ))
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    start: String,
}

async fn create(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<CreateForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let year = year_of(&state, Some(&form.year))?;
    let unit = form
        .unit
        .trim()
        .parse::<i64>()
        .map(UnitId)
        .map_err(|_| DomainError::invalid("unit", "กรุณาเลือกหน่วยงาน"))?;
    let start = PlanStart::parse(form.start.trim())
        .ok_or_else(|| DomainError::invalid("start", "กรุณาเลือกวิธีเริ่มแผน"))?;
    match state
        .core
        .create_plan(member.actor(), unit, year, start)
        .await
    {
        Ok(p) => Ok(Redirect::to(&format!("/plans/{}?done=created", p.id.0)).into_response()),
        Err(DomainError::Invalid(e)) => {
            let p = list_view(&state, &member, year, Errors(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
