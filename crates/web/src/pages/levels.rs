//! Success levels (ระดับความสำเร็จ 1–5) per unit and fiscal year: the five levels with their
//! criteria and status (confirmed with date and evidence, suggested by the data with the
//! numbers behind it, not yet), a confirm form per level, and the children's levels.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::forms::ThaiQuery as Query;
use crate::pages::geo::Opt;
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::ids::UnitId;
use khlang_core::levels::model::{evidence_href, level_title};
use khlang_core::levels::{LevelDraft, LevelsView};

use khlang_core::planning::FiscalYear;

use khlang_core::text::format_be_date;
use khlang_core::{DomainError, FieldError};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/levels", get(page))
        .route("/levels/confirm", post(confirm))
        .route("/levels/withdraw", post(withdraw))
}

#[derive(Deserialize, Default)]
struct LevelsQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    done: String,
}

struct LevelCard {
    level: u8,
    title: &'static str,
    criteria: &'static str,
    confirmed: bool,
    achieved_on: String,
    evidence: Vec<(String, String)>,
    note: String,
    backing: String,
    suggested: bool,
    /// The confirm form is open (it came back with errors).
    open: bool,
    draft: LevelDraft,
}

struct ChildRow {
    id: i64,
    name: String,
    confirmed: u8,
    suggested: String,
}

#[derive(Template)]
#[template(path = "levels/page.html")]
struct LevelsPage {
    layout: Layout,
    flash: Option<String>,
    unit: i64,
    unit_name: String,
    year: i32,
    years: Vec<Opt>,
    units: Vec<Opt>,
    reached: u8,
    reached_title: &'static str,
    may_confirm: bool,
    levels: Vec<LevelCard>,
    children: Vec<ChildRow>,
    errors: Errors,
}

fn year_of(raw: &str, state: &AppState) -> Result<FiscalYear, WebError> {
    if raw.trim().is_empty() {
        return Ok(FiscalYear::of(state.core.clock.now()));
    }
    FiscalYear::parse(raw).map_err(|_| WebError::Domain(DomainError::NotFound))
}

#[allow(clippy::too_many_arguments)]
async fn build(
    state: &AppState,
    member: &Member,
    unit_raw: &str,
    year: FiscalYear,
    flash: Option<String>,
    open: Option<(u8, LevelDraft)>,
    errors: Vec<FieldError>,
) -> Result<LevelsPage, WebError> {
    let actor = member.actor();
    let tree = state.core.unit_tree().await?;
    let (unit, units) = crate::pages::networks::chosen_unit(&tree, actor, unit_raw)?;
    let view: LevelsView = state.core.levels_view(actor, unit, year).await?;
    let now_year = FiscalYear::of(state.core.clock.now()).be();
    let years = (now_year - 4..=now_year + 1)
        .rev()
        .map(|y| Opt {
            value: y.to_string(),
            label: format!("ปีงบประมาณ {y}"),
            selected: y == year.be(),
        })
        .collect();
    let levels = view
        .levels
        .iter()
        .map(|l| {
            let c = l.confirmed.as_ref();
            let (is_open, draft) = match &open {
                Some((n, d)) if *n == l.level => (true, d.clone()),
                _ => (false, LevelDraft::default()),
            };
            LevelCard {
                level: l.level,
                title: l.title,
                criteria: l.criteria,
                confirmed: c.is_some(),
                achieved_on: c
                    .map(|r| format_be_date(r.achieved_on.midnight().assume_utc()))
                    .unwrap_or_default(),
                evidence: c
                    .map(|r| {
                        r.evidence
                            .iter()
                            .map(|e| (evidence_href(e), e.clone()))
                            .collect()
                    })
                    .unwrap_or_default(),
                note: c.map(|r| r.note.clone()).unwrap_or_default(),
                backing: l.backing.clone().unwrap_or_default(),
                suggested: l.suggested,
                open: is_open,
                draft,
            }
        })
        .collect();
    let children = view
        .children
        .iter()
        .map(|c| ChildRow {
            id: c.unit_id.0,
            name: tree
                .get(c.unit_id)
                .map(|u| u.name_th.as_str().to_string())
                .unwrap_or_default(),
            confirmed: c.confirmed,
            suggested: c
                .suggested
                .map(|s| format!("ข้อมูลชี้ว่าถึงระดับ {s}"))
                .unwrap_or_default(),
        })
        .collect();
    Ok(LevelsPage {
        layout: Layout::new(
            "ระดับความสำเร็จ",
            "levels",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash,
        unit: unit.0,
        unit_name: tree.display_path(unit),
        year: year.be(),
        years,
        units,
        reached: view.reached,
        reached_title: level_title(view.reached),
        may_confirm: view.may_confirm,
        levels,
        children,
        errors: Errors(errors),
    })
}

/// `GET /levels?unit=&year=`
async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<LevelsQuery>,
) -> Result<Response, WebError> {
    let year = year_of(&q.year, &state)?;
    let flash = match q.done.as_str() {
        "confirmed" => Some("ยืนยันระดับความสำเร็จแล้ว".to_string()),
        "withdrawn" => Some("ยกเลิกการยืนยันแล้ว".to_string()),
        _ => None,
    };
    let page = build(&state, &member, &q.unit, year, flash, None, Vec::new()).await?;
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    level: String,
    #[serde(flatten)]
    draft: LevelDraft,
}

fn unit_level(form: &ConfirmForm, state: &AppState) -> Result<(UnitId, FiscalYear, u8), WebError> {
    let nf = || WebError::Domain(DomainError::NotFound);
    let unit = form.unit.trim().parse::<i64>().map_err(|_| nf())?;
    let level = form.level.trim().parse::<u8>().map_err(|_| nf())?;
    Ok((UnitId(unit), year_of(&form.year, state)?, level))
}

fn back(unit: UnitId, year: FiscalYear, done: &str) -> Response {
    Redirect::to(&format!("/levels?unit={unit}&year={year}&done={done}")).into_response()
}

/// `POST /levels/confirm`: ManageKnowledge on the unit (or above it).
async fn confirm(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<ConfirmForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let (unit, year, level) = unit_level(&form, &state)?;
    match state
        .core
        .confirm_level(member.actor(), unit, year, level, &form.draft)
        .await
    {
        Ok(()) => Ok(back(unit, year, "confirmed")),
        Err(DomainError::Invalid(e)) => {
            let page = build(
                &state,
                &member,
                &unit.to_string(),
                year,
                None,
                Some((level, form.draft.clone())),
                e,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /levels/withdraw`
async fn withdraw(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<ConfirmForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let (unit, year, level) = unit_level(&form, &state)?;
    state
        .core
        .withdraw_level(member.actor(), unit, year, level)
        .await?;
    Ok(back(unit, year, "withdrawn"))
}
