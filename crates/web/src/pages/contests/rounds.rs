//! Contest pages for organisers: contests, rounds and their settings, the round's dashboard.
//! Registering entrants and an entry's page (its link, QR code, documents and ZIP) are in
//! [`super::entries`], the round form's rows and parsing in [`super::round_form`].

use super::round_form::{RoundFormView, round_form_view, round_input};
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
use khlang_core::contests::model::{ContestKind, Entry, EntryFilter, Round, RoundStatus};
use khlang_core::contests::rounds::{ContestInput, RoundInput, closed_reason, deadline_text};
use khlang_core::file::human_size;
use khlang_core::geo::{Gazetteer, ProvinceCode};
use khlang_core::ids::{ContestId, RoundId};
use khlang_core::text::format_be_date;
use serde::Deserialize;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contests", get(contests_page).post(create_contest))
        .route("/contests/{id}", get(contest_page))
        .route("/contests/{id}/rounds", post(create_round))
        .route("/contests/rounds/{id}", get(round_page))
        .route(
            "/contests/rounds/{id}/edit",
            get(edit_page).post(save_round),
        )
        .route("/contests/rounds/{id}/status", post(move_round))
}

pub(super) fn layout(member: &Member, title: impl Into<String>) -> Layout {
    Layout::new(
        title,
        "contests",
        member.0.session.as_ref(),
        member.0.csrf(),
    )
}

/// Thai names of the round's branches (id → label).
pub(super) async fn branch_names(state: &AppState) -> Result<HashMap<i64, String>, WebError> {
    Ok(state
        .core
        .contest_branches()
        .await?
        .into_iter()
        .map(|(id, l)| (id.0, l))
        .collect())
}

pub(super) fn province_label(p: Option<ProvinceCode>) -> String {
    p.map(|p| Gazetteer::get().province_name(p))
        .unwrap_or_else(|| "ไม่ระบุจังหวัด".into())
}

#[derive(Deserialize, Default)]
pub(super) struct Flash {
    pub(super) done: Option<String>,
    pub(super) page: Option<String>,
}

// ---------------------------------------------------------------- contests

#[derive(Template)]
#[template(path = "contests/contest_list.html")]
struct ContestsPage {
    layout: Layout,
    errors: Errors,
    form: ContestInput,
    contests: Vec<(i64, String, String, &'static str)>,
    units: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    page: u64,
    pages: u64,
}

async fn contests_view(
    state: &AppState,
    member: &Member,
    page: u64,
    form: ContestInput,
    errors: Errors,
) -> Result<ContestsPage, WebError> {
    let list = state.core.contests(member.actor(), page).await?;
    let units = state.core.contest_units(member.actor()).await?;
    Ok(ContestsPage {
        layout: layout(member, "การคัดเลือก"),
        errors,
        form,
        page: list.page,
        pages: list.pages(),
        contests: list
            .items
            .iter()
            .map(|c| {
                (
                    c.id.0,
                    c.title.clone(),
                    format!("ปีงบประมาณ {}", c.fiscal_year),
                    c.kind.label_th(),
                )
            })
            .collect(),
        units: units.into_iter().map(|(u, n)| (u.0, n)).collect(),
        kinds: ContestKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th()))
            .collect(),
    })
}

async fn contests_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let page = crate::forms::page_link_param(q.page.as_deref())?.get();
    let form = ContestInput {
        kind: "volunteer".into(),
        ..Default::default()
    };
    let p = contests_view(&state, &member, page, form, Errors::default()).await?;
    Ok(render(&p))
}

#[derive(Deserialize)]
struct ContestForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: ContestInput,
}

async fn create_contest(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<ContestForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state.core.create_contest(member.actor(), &form.input).await {
        Ok(c) => Ok(Redirect::to(&format!("/contests/{}?done=created", c.id)).into_response()),
        Err(DomainError::Invalid(e)) => {
            let p = contests_view(&state, &member, 1, form.input, Errors(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- one contest

struct RoundRow {
    id: i64,
    title: String,
    level: &'static str,
    area: String,
    status: &'static str,
    window: String,
}

/// "เปิดรับ 3 ธ.ค. 2569 09:00 น. ถึง 5 ธ.ค. 2569 เวลา 16:30 น." (Bangkok time, BE).
fn window_text(r: &Round) -> String {
    format!(
        "เปิดรับ {} ถึง {}",
        khlang_core::text::format_be_datetime(r.opens_at),
        deadline_text(r.closes_at)
    )
}

fn round_row(r: &Round) -> RoundRow {
    RoundRow {
        id: r.id.0,
        title: r.title.clone(),
        level: r.level.label_th(),
        area: r.area.label_th(),
        status: r.status.label_th(),
        window: format!(
            "{} – {}",
            format_be_date(r.opens_at),
            deadline_text(r.closes_at)
        ),
    }
}

#[derive(Template)]
#[template(path = "contests/contest_show.html")]
struct ContestPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    id: i64,
    title: String,
    year: String,
    kind: &'static str,
    rounds: Vec<RoundRow>,
    may_run: bool,
    f: RoundFormView,
}

async fn contest_view(
    state: &AppState,
    member: &Member,
    id: ContestId,
    form: RoundInput,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<ContestPage, WebError> {
    let (contest, rounds, may_run) = state.core.contest_with_rounds(member.actor(), id).await?;
    let f = round_form_view(state, member, id, None, form, &errors).await?;
    Ok(ContestPage {
        layout: layout(member, contest.title.clone()),
        flash,
        errors,
        id: contest.id.0,
        title: contest.title,
        year: format!("ปีงบประมาณ {}", contest.fiscal_year),
        kind: contest.kind.label_th(),
        rounds: rounds.iter().map(round_row).collect(),
        may_run,
        f,
    })
}

pub(super) fn flash_text(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "created" => "สร้างการคัดเลือกแล้ว เพิ่มรอบแรกได้ด้านล่าง",
        "round" => "สร้างรอบแล้ว (ฉบับร่าง) — ตั้งค่าสาขา เอกสาร และเกณฑ์ แล้วกดเปิดรับสมัคร",
        "saved" => "บันทึกการตั้งค่าแล้ว",
        "status" => "เปลี่ยนสถานะของรอบแล้ว",
        "revoked" => "ยกเลิกลิงก์แล้ว ผู้สมัครจะใช้ลิงก์เดิมไม่ได้อีก",
        "uploaded" => "อัปโหลดสำเร็จ",
        "removed" => "นำเอกสารออกแล้ว",
        _ => return None,
    })
}

async fn contest_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let form = RoundInput {
        level: "province".into(),
        advance: "1".into(),
        ..Default::default()
    };
    let p = contest_view(
        &state,
        &member,
        ContestId(id),
        form,
        Errors::default(),
        flash_text(q.done.as_deref()),
    )
    .await?;
    Ok(render(&p))
}

fn csrf_of(pairs: &[(String, String)]) -> &str {
    pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

async fn create_round(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(pairs): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    member.0.check_csrf(csrf_of(&pairs))?;
    let input = round_input(&pairs);
    match state
        .core
        .create_round(member.actor(), ContestId(id), &input)
        .await
    {
        Ok(r) => {
            Ok(Redirect::to(&format!("/contests/rounds/{}/edit?done=round", r.id)).into_response())
        }
        Err(DomainError::Invalid(e)) => {
            let p = contest_view(&state, &member, ContestId(id), input, Errors(e), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- edit a round

#[derive(Template)]
#[template(path = "contests/round_edit.html")]
struct EditPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    id: i64,
    contest_id: i64,
    title: String,
    status: &'static str,
    editable: bool,
    /// The submission window in Thai, for the read-only view of an opened round.
    window: String,
    f: RoundFormView,
}

async fn edit_view(
    state: &AppState,
    member: &Member,
    round: &Round,
    form: RoundInput,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<EditPage, WebError> {
    let f = round_form_view(
        state,
        member,
        round.contest_id,
        Some(round.id),
        form,
        &errors,
    )
    .await?;
    Ok(EditPage {
        layout: layout(member, format!("ตั้งค่ารอบ {}", round.title)),
        flash,
        errors,
        id: round.id.0,
        contest_id: round.contest_id.0,
        title: round.title.clone(),
        status: round.status.label_th(),
        editable: round.status == RoundStatus::Draft,
        window: window_text(round),
        f,
    })
}

async fn edit_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let round = state
        .core
        .round_for_organiser(member.actor(), RoundId(id))
        .await?;
    let p = edit_view(
        &state,
        &member,
        &round,
        RoundInput::of(&round),
        Errors::default(),
        flash_text(q.done.as_deref()),
    )
    .await?;
    Ok(render(&p))
}

async fn save_round(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(pairs): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    member.0.check_csrf(csrf_of(&pairs))?;
    let input = round_input(&pairs);
    match state
        .core
        .update_round(member.actor(), RoundId(id), &input)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/contests/rounds/{id}/edit?done=saved")).into_response())
        }
        Err(DomainError::Invalid(e)) => {
            let round = state
                .core
                .round_for_organiser(member.actor(), RoundId(id))
                .await?;
            let p = edit_view(&state, &member, &round, input, Errors(e), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    to: String,
}

async fn move_round(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<StatusForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let to = RoundStatus::parse(form.to.trim())
        .ok_or_else(|| DomainError::invalid("to", "กรุณาเลือกสถานะจากปุ่มในหน้า"))?;
    match state.core.move_round(member.actor(), RoundId(id), to).await {
        Ok(_) => Ok(Redirect::to(&format!("/contests/rounds/{id}?done=status")).into_response()),
        Err(DomainError::Invalid(e)) => {
            let round = state
                .core
                .round_for_organiser(member.actor(), RoundId(id))
                .await?;
            let p = edit_view(
                &state,
                &member,
                &round,
                RoundInput::of(&round),
                Errors(e),
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- the round's dashboard

struct EntryRowView {
    id: i64,
    receipt: String,
    name: String,
    branch: String,
    province: String,
}

fn entry_row(e: &Entry, branches: &HashMap<i64, String>) -> EntryRowView {
    EntryRowView {
        id: e.id.0,
        receipt: e.receipt.clone(),
        name: e.name.clone(),
        branch: branches.get(&e.branch.0).cloned().unwrap_or_default(),
        province: province_label(e.province),
    }
}

#[derive(Template)]
#[template(path = "contests/round_show.html")]
struct RoundPage {
    layout: Layout,
    flash: Option<&'static str>,
    id: i64,
    contest_id: i64,
    contest: String,
    title: String,
    level: &'static str,
    area: String,
    status: &'static str,
    window: String,
    window_note: Option<String>,
    next_status: Option<(&'static str, &'static str)>,
    may_register: bool,
    entries_total: String,
    complete: String,
    complete_pct: String,
    documents: String,
    bytes: String,
    /// Province × branch: column heads, then rows (province, counts per branch, total).
    branch_heads: Vec<String>,
    table: Vec<(String, Vec<String>, String)>,
    list: Vec<EntryRowView>,
    list_total: String,
    branches: Vec<(i64, String, bool)>,
    provinces: Vec<(String, String, bool)>,
    complete_filter: String,
    page: u64,
    pages: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct RoundQuery {
    done: Option<String>,
    page: Option<String>,
    branch: Option<String>,
    province: Option<String>,
    complete: Option<String>,
}

async fn round_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<RoundQuery>,
) -> Result<Response, WebError> {
    let filter = EntryFilter {
        branch: q
            .branch
            .as_deref()
            .and_then(|b| b.trim().parse().ok())
            .map(khlang_core::ids::TermId),
        province: q
            .province
            .as_deref()
            .and_then(|p| ProvinceCode::parse(p.trim()).ok()),
        complete: match q.complete.as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        },
    };
    let page = crate::forms::page_link_param(q.page.as_deref())?.get();
    let d = state
        .core
        .round_dashboard(member.actor(), RoundId(id), &filter, page)
        .await?;
    let names = branch_names(&state).await?;
    let r = &d.round;
    let branch_ids = &r.settings.branches;
    let mut provinces: Vec<Option<ProvinceCode>> =
        d.stats.cells.iter().map(|c| c.province).collect();
    provinces.sort();
    provinces.dedup();
    let table = provinces
        .iter()
        .map(|p| {
            let counts: Vec<u64> = branch_ids
                .iter()
                .map(|b| {
                    d.stats
                        .cells
                        .iter()
                        .filter(|c| c.province == *p && c.branch == *b)
                        .map(|c| c.entries)
                        .sum()
                })
                .collect();
            let total: u64 = d
                .stats
                .cells
                .iter()
                .filter(|c| c.province == *p)
                .map(|c| c.entries)
                .sum();
            (
                province_label(*p),
                counts.into_iter().map(number).collect(),
                number(total),
            )
        })
        .collect();
    let query = {
        let mut parts = Vec::new();
        if let Some(b) = filter.branch {
            parts.push(format!("branch={b}"));
        }
        if let Some(p) = filter.province {
            parts.push(format!("province={p}"));
        }
        if let Some(c) = filter.complete {
            parts.push(format!("complete={}", if c { "yes" } else { "no" }));
        }
        parts.join("&")
    };
    let url = |p: u64| {
        if query.is_empty() {
            format!("/contests/rounds/{id}?page={p}")
        } else {
            format!("/contests/rounds/{id}?{query}&page={p}")
        }
    };
    let pct = if d.stats.entries == 0 {
        "0.0".to_string()
    } else {
        format!(
            "{:.1}",
            d.stats.complete as f64 * 100.0 / d.stats.entries as f64
        )
    };
    let next_status = match r.status {
        RoundStatus::Draft => Some(("open", "เปิดรับสมัคร")),
        RoundStatus::Open => Some(("closed", "ปิดรับสมัคร")),
        RoundStatus::Closed => Some(("judging", "เริ่มการพิจารณา")),
        _ => None,
    };
    let p = RoundPage {
        layout: layout(&member, r.title.clone()),
        flash: flash_text(q.done.as_deref()),
        id,
        contest_id: r.contest_id.0,
        contest: d.contest.title.clone(),
        title: r.title.clone(),
        level: r.level.label_th(),
        area: r.area.label_th(),
        status: r.status.label_th(),
        window: window_text(r),
        window_note: (r.status == RoundStatus::Open)
            .then(|| closed_reason(r, d.now))
            .flatten(),
        next_status,
        may_register: closed_reason(r, d.now).is_none(),
        entries_total: number(d.stats.entries),
        complete: number(d.stats.complete),
        complete_pct: pct,
        documents: number(d.stats.documents),
        bytes: human_size(d.stats.bytes),
        branch_heads: branch_ids
            .iter()
            .map(|b| names.get(&b.0).cloned().unwrap_or_else(|| b.to_string()))
            .collect(),
        table,
        list: d
            .entries
            .items
            .iter()
            .map(|e| entry_row(e, &names))
            .collect(),
        list_total: format!("{} รายการ", number(d.entries.total)),
        branches: branch_ids
            .iter()
            .map(|b| {
                (
                    b.0,
                    names.get(&b.0).cloned().unwrap_or_default(),
                    filter.branch == Some(*b),
                )
            })
            .collect(),
        provinces: Gazetteer::get()
            .provinces_by_name()
            .into_iter()
            .filter(|p| r.area.covers_province(p.code))
            .map(|p| {
                (
                    p.code.to_string(),
                    p.name_th.to_string(),
                    filter.province == Some(p.code),
                )
            })
            .collect(),
        complete_filter: q.complete.clone().unwrap_or_default(),
        page: d.entries.page,
        pages: d.entries.pages(),
        prev_url: (d.entries.page > 1).then(|| url(d.entries.page - 1)),
        next_url: (d.entries.page < d.entries.pages()).then(|| url(d.entries.page + 1)),
    };
    Ok(render(&p))
}
