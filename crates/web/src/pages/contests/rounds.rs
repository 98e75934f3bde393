//! Contest pages for organisers: contests, rounds and their settings, the round's dashboard,
//! registering entrants, an entry's page with its link, QR code, documents and ZIP.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use khlang_core::DomainError;
use khlang_core::contests::model::{
    Area, ContestKind, Entry, EntryFilter, Round, RoundLevel, RoundStatus,
};
use khlang_core::contests::rounds::{
    ContestInput, CriterionInput, DocumentInput, EntrantInput, EntryAccess, EntryView, RoundInput,
    closed_reason, deadline_text,
};
use khlang_core::file::{FileKind, human_size};
use khlang_core::geo::{Gazetteer, HealthZone, ProvinceCode, RegionalCentre};
use khlang_core::ids::{ContestId, EntryId, RoundId};
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
        .route(
            "/contests/rounds/{id}/entrants/new",
            get(entrant_page).post(register),
        )
        .route("/contests/entries/{id}", get(entry_page))
        .route("/contests/entries/{id}/link", post(reissue_link))
        .route("/contests/entries/{id}/revoke", post(revoke_link))
        .route("/contests/entries/{id}/documents", post(upload))
        .route(
            "/contests/entries/{id}/documents/{doc}/remove",
            post(remove_document),
        )
        .route("/contests/entries/{id}/documents/{doc}", get(download))
        .route("/contests/entries/{id}/zip", get(zip))
}

fn layout(member: &Member, title: impl Into<String>) -> Layout {
    Layout::new(
        title,
        "contests",
        member.0.session.as_ref(),
        member.0.csrf(),
    )
}

/// Thai names of the round's branches (id → label).
async fn branch_names(state: &AppState) -> Result<HashMap<i64, String>, WebError> {
    Ok(state
        .core
        .contest_branches()
        .await?
        .into_iter()
        .map(|(id, l)| (id.0, l))
        .collect())
}

fn province_label(p: Option<ProvinceCode>) -> String {
    p.map(|p| Gazetteer::get().province_name(p))
        .unwrap_or_else(|| "ไม่ระบุจังหวัด".into())
}

/// Every area a round may draw from, as (key, label) options.
fn area_options() -> Vec<(String, String)> {
    let mut v = vec![(Area::Nation.key(), Area::Nation.label_th())];
    for r in RegionalCentre::ALL {
        let a = Area::Region(r);
        v.push((a.key(), a.label_th()));
    }
    for z in 1..=13u8 {
        if let Some(z) = HealthZone::new(z) {
            let a = Area::HealthZone(z);
            v.push((a.key(), a.label_th()));
        }
    }
    for p in Gazetteer::get().provinces_by_name() {
        let a = Area::Province(p.code);
        v.push((a.key(), a.label_th()));
    }
    v
}

#[derive(Deserialize, Default)]
struct Flash {
    done: Option<String>,
    page: Option<String>,
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

/// The round form's options and values, shared by the create and edit pages.
struct RoundFormView {
    form: RoundInput,
    levels: Vec<(&'static str, &'static str)>,
    areas: Vec<(String, String)>,
    units: Vec<(i64, String)>,
    next_rounds: Vec<(i64, String)>,
    branches: Vec<(i64, String, bool)>,
    /// Rows of documents (filled ones, then blanks).
    documents: Vec<DocRow>,
    criteria: Vec<CritRow>,
    /// Three tie-break selects: (position, chosen value).
    tie_breaks: Vec<(usize, String)>,
    /// Options for a tie-break select: (value, label).
    tie_options: Vec<(String, String)>,
}

const DOC_ROWS: usize = 6;
const CRIT_ROWS: usize = 8;

/// One row of required documents on the form, with its errors.
struct DocRow {
    i: usize,
    d: DocumentInput,
    /// (kind, label, checked)
    kinds: Vec<(&'static str, &'static str, bool)>,
    key_error: Option<String>,
    kinds_error: Option<String>,
    max_error: Option<String>,
}

/// One row of the rubric on the form, with its errors.
struct CritRow {
    i: usize,
    c: CriterionInput,
    key_error: Option<String>,
    weight_error: Option<String>,
    max_error: Option<String>,
}

async fn round_form_view(
    state: &AppState,
    member: &Member,
    contest: ContestId,
    this: Option<RoundId>,
    form: RoundInput,
    errors: &Errors,
) -> Result<RoundFormView, WebError> {
    let err = |name: String| errors.get(&name).map(str::to_string);
    let (_, rounds, _) = state
        .core
        .contest_with_rounds(member.actor(), contest)
        .await?;
    let branches = state.core.contest_branches().await?;
    let mut docs = form.documents.clone();
    while docs.len() < DOC_ROWS.max(form.documents.len() + 2) {
        docs.push(DocumentInput {
            max_mb: "20".into(),
            required: true,
            ..Default::default()
        });
    }
    let documents = docs
        .into_iter()
        .enumerate()
        .map(|(i, d)| DocRow {
            i,
            kinds: FileKind::ALL
                .iter()
                .map(|k| {
                    (
                        k.as_str(),
                        k.label_th(),
                        d.kinds.iter().any(|x| x == k.as_str()),
                    )
                })
                .collect(),
            key_error: err(format!("doc_key_{i}")),
            kinds_error: err(format!("doc_kinds_{i}")),
            max_error: err(format!("doc_max_{i}")),
            d,
        })
        .collect();
    let mut crits = form.criteria.clone();
    while crits.len() < CRIT_ROWS.max(form.criteria.len() + 2) {
        crits.push(CriterionInput::default());
    }
    let criteria = crits
        .into_iter()
        .enumerate()
        .map(|(i, c)| CritRow {
            i,
            key_error: err(format!("crit_key_{i}")),
            weight_error: err(format!("crit_weight_{i}")),
            max_error: err(format!("crit_max_{i}")),
            c,
        })
        .collect();
    let mut tie_options = vec![(String::new(), "— ไม่ใช้ —".to_string())];
    for c in &form.criteria {
        if !c.name.trim().is_empty() {
            let key = if c.key.trim().is_empty() {
                continue;
            } else {
                c.key.trim().to_ascii_lowercase()
            };
            tie_options.push((
                format!("criterion:{key}"),
                format!("คะแนนเกณฑ์ \"{}\" สูงกว่า", c.name.trim()),
            ));
        }
    }
    tie_options.push(("chair".into(), "ประธานกรรมการตัดสิน".into()));
    let tie_breaks = (0..3)
        .map(|i| (i, form.tie_breaks.get(i).cloned().unwrap_or_default()))
        .collect();
    Ok(RoundFormView {
        levels: RoundLevel::ALL
            .iter()
            .map(|l| (l.as_str(), l.label_th()))
            .collect(),
        areas: area_options(),
        units: state
            .core
            .contest_units(member.actor())
            .await?
            .into_iter()
            .map(|(u, n)| (u.0, n))
            .collect(),
        next_rounds: rounds
            .iter()
            .filter(|r| Some(r.id) != this)
            .map(|r| (r.id.0, r.title.clone()))
            .collect(),
        branches: branches
            .into_iter()
            .map(|(id, l)| (id.0, l, form.branches.contains(&id.to_string())))
            .collect(),
        documents,
        criteria,
        tie_breaks,
        tie_options,
        form,
    })
}

/// The round form's pairs → its input (rows by index, checkboxes as repeated keys).
fn round_input(pairs: &[(String, String)]) -> RoundInput {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let mut documents = Vec::new();
    for i in 0..40 {
        if !pairs.iter().any(|(n, _)| n == &format!("doc_name_{i}")) {
            break;
        }
        documents.push(DocumentInput {
            key: one(&format!("doc_key_{i}")),
            name: one(&format!("doc_name_{i}")),
            kinds: all(&format!("doc_kinds_{i}")),
            max_mb: one(&format!("doc_max_{i}")),
            required: !one(&format!("doc_required_{i}")).is_empty(),
        });
    }
    let mut criteria = Vec::new();
    for i in 0..40 {
        if !pairs.iter().any(|(n, _)| n == &format!("crit_name_{i}")) {
            break;
        }
        criteria.push(CriterionInput {
            key: one(&format!("crit_key_{i}")),
            name: one(&format!("crit_name_{i}")),
            weight: one(&format!("crit_weight_{i}")),
            max_points: one(&format!("crit_max_{i}")),
            levels: one(&format!("crit_levels_{i}")),
        });
    }
    // Keep what was typed, but drop the blank rows the form adds.
    while documents
        .last()
        .is_some_and(|d: &DocumentInput| d.name.trim().is_empty() && d.key.trim().is_empty())
    {
        documents.pop();
    }
    while criteria
        .last()
        .is_some_and(|c: &CriterionInput| c.name.trim().is_empty() && c.key.trim().is_empty())
    {
        criteria.pop();
    }
    RoundInput {
        title: one("title"),
        level: one("level"),
        unit: one("unit"),
        area: one("area"),
        next_round: one("next_round"),
        opens: one("opens"),
        closes: one("closes"),
        branches: all("branches"),
        documents,
        criteria,
        advance: one("advance"),
        tie_breaks: all("tie_breaks"),
        entry_template: one("entry_template"),
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

fn flash_text(done: Option<&str>) -> Option<&'static str> {
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
        window: format!(
            "เปิดรับ {} ถึง {}",
            khlang_core::text::format_be_datetime(r.opens_at),
            deadline_text(r.closes_at)
        ),
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

// ---------------------------------------------------------------- register an entrant

#[derive(Template)]
#[template(path = "contests/round_entrant.html")]
struct EntrantPage {
    layout: Layout,
    errors: Errors,
    form: EntrantInput,
    id: i64,
    title: String,
    area: String,
    branches: Vec<(i64, String)>,
    provinces: Vec<(String, String)>,
    units: Vec<(i64, String)>,
    office: bool,
}

async fn entrant_view(
    state: &AppState,
    member: &Member,
    id: RoundId,
    form: EntrantInput,
    errors: Errors,
) -> Result<EntrantPage, WebError> {
    let round = state.core.round_for_organiser(member.actor(), id).await?;
    let (contest, _, _) = state
        .core
        .contest_with_rounds(member.actor(), round.contest_id)
        .await?;
    let names = branch_names(state).await?;
    let tree = state.core.unit_tree().await?;
    let units = tree
        .units()
        .iter()
        .filter(|u| !u.retired)
        .filter(|u| match round.area {
            Area::Unit(root) => tree.is_within(u.id, root),
            _ => true,
        })
        .map(|u| (u.id.0, u.name_th.as_str().to_string()))
        .collect();
    Ok(EntrantPage {
        layout: layout(member, format!("ลงทะเบียนผู้สมัคร {}", round.title)),
        errors,
        form,
        id: id.0,
        title: round.title.clone(),
        area: round.area.label_th(),
        branches: round
            .settings
            .branches
            .iter()
            .map(|b| (b.0, names.get(&b.0).cloned().unwrap_or_default()))
            .collect(),
        provinces: Gazetteer::get()
            .provinces_by_name()
            .into_iter()
            .filter(|p| round.area.covers_province(p.code))
            .map(|p| (p.code.to_string(), p.name_th.to_string()))
            .collect(),
        units,
        office: contest.kind == ContestKind::Office,
    })
}

async fn entrant_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = entrant_view(
        &state,
        &member,
        RoundId(id),
        EntrantInput::default(),
        Errors::default(),
    )
    .await?;
    Ok(render(&p))
}

#[derive(Deserialize)]
struct EntrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: EntrantInput,
}

/// The page that shows a new link once: its secret is never stored, only its hash.
#[derive(Template)]
#[template(path = "contests/entry_link.html")]
struct LinkPage {
    layout: Layout,
    entry_id: i64,
    receipt: String,
    name: String,
    url: String,
    qr: String,
    deadline: String,
}

async fn link_page(
    state: &AppState,
    member: &Member,
    entry: EntryId,
    secret: &khlang_core::account::Secret,
) -> Result<Response, WebError> {
    let v = state
        .core
        .entry_view(&EntryAccess::Officer(member.actor()), Some(entry))
        .await?;
    let url = format!(
        "{}/e/{}",
        state.config.public_base_url.trim_end_matches('/'),
        secret.expose()
    );
    let p = LinkPage {
        layout: layout(member, format!("ลิงก์ส่งผลงาน {}", v.entry.receipt)),
        entry_id: v.entry.id.0,
        receipt: v.entry.receipt.clone(),
        name: v.entry.name.clone(),
        qr: crate::qr::svg(&url, 240),
        url,
        deadline: v.deadline.clone(),
    };
    // Shown once: never cached.
    Ok(crate::caching::private(render(&p)))
}

async fn register(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<EntrantForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .register_entrant(member.actor(), RoundId(id), &form.input)
        .await
    {
        Ok((entry, secret)) => link_page(&state, &member, entry.id, &secret).await,
        Err(DomainError::Invalid(e)) => {
            let p = entrant_view(&state, &member, RoundId(id), form.input, Errors(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- an entry (organiser)

/// A requirement on the checklist as a page shows it.
pub struct CheckView {
    pub key: String,
    pub name: String,
    pub required: bool,
    pub done: bool,
    pub accepts: String,
    pub max: String,
    pub max_bytes: u64,
    /// `accept` attribute of the file input.
    pub accept_attr: String,
    pub docs: Vec<(i64, String, String)>,
}

/// (id, name, size) of the documents no requirement of the round asks for.
pub fn other_documents(v: &EntryView) -> Vec<(i64, String, String)> {
    v.others
        .iter()
        .map(|x| (x.id, x.name.clone(), human_size(x.size)))
        .collect()
}

pub fn checklist(v: &EntryView) -> Vec<CheckView> {
    v.checklist
        .iter()
        .map(|(d, docs)| {
            let kinds: Vec<FileKind> = d.kinds.iter().filter_map(|k| FileKind::parse(k)).collect();
            CheckView {
                key: d.key.clone(),
                name: d.name.clone(),
                required: d.required,
                done: !docs.is_empty(),
                accepts: if kinds.is_empty() {
                    "ไฟล์ทุกชนิดที่ระบบรับ".into()
                } else {
                    kinds
                        .iter()
                        .map(|k| k.label_th())
                        .collect::<Vec<_>>()
                        .join(" หรือ ")
                },
                max: human_size(d.max_bytes),
                max_bytes: d.max_bytes,
                accept_attr: accept_attr(&kinds),
                docs: docs
                    .iter()
                    .map(|x| (x.id, x.name.clone(), human_size(x.size)))
                    .collect(),
            }
        })
        .collect()
}

/// A hint for the phone's file picker (the server decides by the bytes anyway).
fn accept_attr(kinds: &[FileKind]) -> String {
    kinds
        .iter()
        .map(|k| match k {
            FileKind::Pdf => ".pdf,application/pdf",
            FileKind::Image => "image/*",
            FileKind::Video => "video/*",
            FileKind::Audio => "audio/*",
            FileKind::Word => ".doc,.docx",
            FileKind::Excel => ".xls,.xlsx",
            FileKind::PowerPoint => ".ppt,.pptx",
            FileKind::OpenDocument => ".odt,.ods,.odp",
            _ => "",
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Template)]
#[template(path = "contests/entry_officer.html")]
struct EntryPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    id: i64,
    round_id: i64,
    round: String,
    receipt: String,
    name: String,
    branch: String,
    province: String,
    deadline: String,
    time_left: Option<String>,
    closed_reason: Option<String>,
    editable: bool,
    missing: usize,
    link_state: &'static str,
    link_active: bool,
    checks: Vec<CheckView>,
    /// Documents that answer no requirement of this round (from the round below): (id, name, size).
    others: Vec<(i64, String, String)>,
    has_documents: bool,
}

async fn entry_view_page(
    state: &AppState,
    member: &Member,
    id: EntryId,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<EntryPage, WebError> {
    let v = state
        .core
        .entry_view(&EntryAccess::Officer(member.actor()), Some(id))
        .await?;
    let names = branch_names(state).await?;
    let (link_state, link_active) = match &v.link {
        None => ("ไม่มีลิงก์ (ผลงานที่ผ่านเข้ารอบจากรอบก่อน)", false),
        Some(l) if l.revoked_at.is_some() => ("ยกเลิกแล้ว", false),
        Some(_) => (
            "ใช้งานได้ (แสดงลิงก์ได้ครั้งเดียวตอนออก — ออกลิงก์ใหม่ได้ถ้าผู้สมัครทำหาย)",
            true,
        ),
    };
    Ok(EntryPage {
        layout: layout(member, format!("ผลงาน {}", v.entry.receipt)),
        flash,
        errors,
        id: v.entry.id.0,
        round_id: v.round.id.0,
        round: v.round.title.clone(),
        receipt: v.entry.receipt.clone(),
        name: v.entry.name.clone(),
        branch: names.get(&v.entry.branch.0).cloned().unwrap_or_default(),
        province: province_label(v.entry.province),
        deadline: v.deadline.clone(),
        time_left: v.time_left.clone(),
        closed_reason: v.closed_reason.clone(),
        editable: v.editable,
        missing: v.missing,
        link_state,
        link_active,
        checks: checklist(&v),
        others: other_documents(&v),
        has_documents: !v.documents.is_empty(),
    })
}

async fn entry_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let p = entry_view_page(
        &state,
        &member,
        EntryId(id),
        Errors::default(),
        flash_text(q.done.as_deref()),
    )
    .await?;
    Ok(render(&p))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn reissue_link(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let secret = state
        .core
        .reissue_entry_link(member.actor(), EntryId(id))
        .await?;
    link_page(&state, &member, EntryId(id), &secret).await
}

async fn revoke_link(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state
        .core
        .revoke_entry_link(member.actor(), EntryId(id))
        .await?;
    Ok(Redirect::to(&format!("/contests/entries/{id}?done=revoked")).into_response())
}

/// Reads a multipart upload (csrf, requirement, file — in that order) and hands the file to
/// the core; returns the field errors to show, or None when stored.
pub async fn read_upload(
    state: &AppState,
    access: &EntryAccess<'_>,
    entry: Option<EntryId>,
    check_csrf: impl Fn(&str) -> Result<(), WebError>,
    mut multipart: Multipart,
) -> Result<Option<Vec<khlang_core::FieldError>>, WebError> {
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let mut csrf_ok = false;
    let mut requirement = String::new();
    let mut stored = false;
    let mut errors = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => {
                let v = field.text().await.map_err(bad)?;
                check_csrf(&v)?;
                csrf_ok = true;
            }
            Some("requirement") if csrf_ok => {
                requirement = field.text().await.map_err(bad)?;
            }
            Some("file") if csrf_ok => {
                let name = field.file_name().unwrap_or("").to_string();
                if name.is_empty() {
                    continue;
                }
                let (body, forward) = super::super::items::field_stream(field);
                let (result, ()) = tokio::join!(
                    state
                        .core
                        .add_entry_document(access, entry, &requirement, &name, body),
                    forward
                );
                match result {
                    Ok(_) => stored = true,
                    Err(DomainError::Invalid(e)) => errors.extend(e.into_iter().map(|f| {
                        khlang_core::FieldError::new(
                            format!("file_{requirement}"),
                            format!("{name}: {}", f.message),
                        )
                    })),
                    Err(DomainError::TooLarge(m)) => errors.push(khlang_core::FieldError::new(
                        format!("file_{requirement}"),
                        format!("{name}: {m}"),
                    )),
                    Err(DomainError::Conflict(m)) => {
                        errors.push(khlang_core::FieldError::new("deadline", m))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ => return Err(WebError::Csrf),
        }
    }
    if !stored && errors.is_empty() {
        errors.push(khlang_core::FieldError::new(
            format!("file_{requirement}"),
            "กรุณาเลือกไฟล์ก่อนกดส่ง",
        ));
    }
    Ok((!errors.is_empty()).then_some(errors))
}

async fn upload(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let access = EntryAccess::Officer(member.actor());
    let errors = read_upload(
        &state,
        &access,
        Some(EntryId(id)),
        |c| member.0.check_csrf(c),
        multipart,
    )
    .await?;
    match errors {
        None => Ok(Redirect::to(&format!("/contests/entries/{id}?done=uploaded")).into_response()),
        Some(e) => {
            let p = entry_view_page(&state, &member, EntryId(id), Errors(e), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

async fn remove_document(
    State(state): State<AppState>,
    member: Member,
    Path((id, doc)): Path<(i64, i64)>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .remove_entry_document(
            &EntryAccess::Officer(member.actor()),
            Some(EntryId(id)),
            doc,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/contests/entries/{id}?done=removed")).into_response()),
        Err(DomainError::Conflict(m)) => {
            let p = entry_view_page(
                &state,
                &member,
                EntryId(id),
                Errors(vec![khlang_core::FieldError::new("deadline", m)]),
                None,
            )
            .await?;
            Ok((StatusCode::CONFLICT, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One document's bytes, as an attachment with its Thai name.
pub fn document_response(
    doc: &khlang_core::contests::model::EntryDocument,
    size: u64,
    stream: khlang_core::ports::ByteStream,
) -> Result<Response, WebError> {
    let disposition = khlang_core::file::content_disposition(
        &khlang_core::file::FileName::from_trusted(doc.name.clone()),
        false,
    );
    Response::builder()
        .header(header::CONTENT_TYPE, doc.mime.as_str())
        .header(header::CONTENT_LENGTH, size)
        .header(header::CONTENT_DISPOSITION, disposition)
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_stream(stream))
        .map_err(|e| WebError::from(DomainError::internal(e)))
}

async fn download(
    State(state): State<AppState>,
    member: Member,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (d, size, stream) = state
        .core
        .open_entry_document(
            &EntryAccess::Officer(member.actor()),
            Some(EntryId(id)),
            doc,
        )
        .await?;
    document_response(&d, size, stream)
}

/// A `Write` that collects what the ZIP writer produces, to be sent on as body chunks.
#[derive(Clone, Default)]
struct Pipe(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("zip buffer poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Pipe {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

/// ดาวน์โหลดทั้งหมด (ZIP): the entry's documents streamed as one ZIP (stored, not
/// compressed: PDFs, pictures and videos are compressed already), for offline judging.
async fn zip(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (entry, docs) = state
        .core
        .entry_documents_for_zip(member.actor(), EntryId(id))
        .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
    let core = state.core.clone();
    tokio::spawn(async move {
        let pipe = Pipe::default();
        let mut zip = zip::ZipWriter::new_stream(pipe.clone());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        for (i, doc) in docs.iter().enumerate() {
            let name = format!("{:02}-{}-{}", i + 1, doc.requirement, doc.name);
            if let Err(e) = zip.start_file(name, options) {
                let _ = tx.send(Err(std::io::Error::other(e))).await;
                return;
            }
            let mut stream = match core.document_bytes(doc).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            };
            while let Some(chunk) = stream.next().await {
                let written = chunk.and_then(|c| std::io::Write::write_all(&mut zip, &c));
                if let Err(e) = written {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                let out = pipe.take();
                if !out.is_empty() && tx.send(Ok(out.into())).await.is_err() {
                    return;
                }
            }
        }
        if let Err(e) = zip.finish() {
            let _ = tx.send(Err(std::io::Error::other(e))).await;
            return;
        }
        let out = pipe.take();
        if !out.is_empty() {
            let _ = tx.send(Ok(out.into())).await;
        }
    });
    let body =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
    let file_name = format!("{}.zip", entry.receipt);
    Response::builder()
        .header(header::CONTENT_TYPE, "application/zip")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_stream(body))
        .map_err(|e| WebError::from(DomainError::internal(e)))
}
