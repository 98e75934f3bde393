//! Contest pages: judging. A judge's work (`/judging`, a round's entries, one entry's
//! documents and score form, declaring a conflict) and the organiser's judges of a round
//! (`/contests/rounds/{id}/judges`).

use crate::AppState;
use crate::auth::{Member, percent_encode};
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::contests::judging::{
    JudgeEntryView, JudgeInput, STALE_SHEET, ScoreInput, province_choices,
};
use khlang_core::ids::{EntryId, RoundId, TermId, UserId};
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/judging", get(my_judging))
        .route("/judging/rounds/{id}", get(judge_round))
        .route("/judging/entries/{id}", get(entry_page).post(save_scores))
        .route("/judging/entries/{id}/conflict", post(declare_conflict))
        .route("/judging/entries/{id}/documents/{doc}", get(document))
        .route(
            "/contests/rounds/{id}/judges",
            get(judges_page).post(assign_judge),
        )
        .route("/contests/rounds/{id}/judges/remove", post(remove_judge))
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    done: String,
}

// ---------------------------------------------------------------- my judging

struct MyRoundRow {
    id: i64,
    title: String,
    branches: String,
    progress: String,
}

#[derive(Template)]
#[template(path = "contests/judge_home.html")]
struct HomePage {
    layout: Layout,
    rounds: Vec<MyRoundRow>,
}

async fn my_judging(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let rounds = state.core.my_judging(member.actor()).await?;
    let html = HomePage {
        layout: Layout::new(
            "งานพิจารณาของฉัน",
            "judging",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        rounds: rounds
            .into_iter()
            .map(|r| MyRoundRow {
                id: r.round.id.0,
                title: r.round.title.clone(),
                branches: r
                    .branches
                    .iter()
                    .map(|(_, n)| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                progress: format!(
                    "ให้คะแนนครบแล้ว {} จาก {} ผลงาน",
                    number(r.scored),
                    number(r.entries)
                ),
            })
            .collect(),
    };
    Ok(member.0.finish(render(&html)))
}

// ---------------------------------------------------------------- a round's entries

struct WorkRow {
    id: i64,
    name: String,
    receipt: String,
    province: String,
    scored: bool,
}

#[derive(Template)]
#[template(path = "contests/judge_round.html")]
struct RoundPage {
    layout: Layout,
    title: String,
    total: String,
    /// (branch name, its entries)
    groups: Vec<(String, Vec<WorkRow>)>,
    page: u64,
    pages: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

async fn judge_round(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let page = crate::forms::page_link_param(q.page.as_deref())?.get();
    let work = state
        .core
        .judge_round(member.actor(), RoundId(id), page)
        .await?;
    let mut groups: Vec<(String, Vec<WorkRow>)> = Vec::new();
    for item in work.items {
        let row = WorkRow {
            id: item.entry.id.0,
            name: item.entry.name.clone(),
            receipt: item.entry.receipt.clone(),
            province: item
                .entry
                .province
                .map(|p| state.core.province_name(p))
                .unwrap_or_default(),
            scored: item.scored,
        };
        match groups.last_mut() {
            Some((b, rows)) if *b == item.branch_name => rows.push(row),
            _ => groups.push((item.branch_name, vec![row])),
        }
    }
    let url = |p: u64| format!("/judging/rounds/{id}?page={p}");
    let html = RoundPage {
        layout: Layout::new(
            format!("ผลงานที่ต้องพิจารณา: {}", work.round.title),
            "judging",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        title: work.round.title,
        total: format!("{} ผลงาน", number(work.total)),
        groups,
        page: work.page,
        pages: work.pages,
        prev_url: (work.page > 1).then(|| url(work.page - 1)),
        next_url: (work.page < work.pages).then(|| url(work.page + 1)),
    };
    Ok(member.0.finish(render(&html)))
}

// ---------------------------------------------------------------- one entry

struct CriterionRow {
    key: String,
    name: String,
    weight: u32,
    max: u32,
    levels: Vec<String>,
    points: String,
    comment: String,
    error: Option<String>,
    comment_error: Option<String>,
}

struct DocRow {
    name: String,
    requirement: String,
    size: String,
    href: String,
}

#[derive(Template)]
#[template(path = "contests/judge_entry.html")]
struct EntryPage {
    layout: Layout,
    id: i64,
    round_id: i64,
    round_title: String,
    name: String,
    receipt: String,
    branch: String,
    province: String,
    documents: Vec<DocRow>,
    criteria: Vec<CriterionRow>,
    version: i64,
    open: bool,
    errors: Errors,
    problem: Option<String>,
    notice: Option<&'static str>,
    earlier: Option<EarlierView>,
    reason: String,
}

struct EarlierView {
    round_title: String,
    result: String,
    sheets: Vec<(String, String)>,
}

fn size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", number(bytes.div_ceil(1024)))
    }
}

/// What the judge typed, by criterion key (kept when the form is refused).
type Typed = Vec<(String, String)>;

fn entry_page_view(
    state: &AppState,
    member: &Member,
    v: JudgeEntryView,
    typed: Option<&Typed>,
    errors: Errors,
    problem: Option<String>,
    notice: Option<&'static str>,
) -> EntryPage {
    let find = |name: String| -> Option<String> {
        typed.and_then(|t| t.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone()))
    };
    let criteria = v
        .round
        .settings
        .rubric
        .iter()
        .map(|c| {
            let saved = v.mine.get(&c.key);
            CriterionRow {
                points: find(format!("points.{}", c.key))
                    .unwrap_or_else(|| saved.map(|s| s.0.to_string()).unwrap_or_default()),
                comment: find(format!("comment.{}", c.key))
                    .unwrap_or_else(|| saved.and_then(|s| s.1.clone()).unwrap_or_default()),
                error: errors.get(&format!("points.{}", c.key)).map(str::to_string),
                comment_error: errors
                    .get(&format!("comment.{}", c.key))
                    .map(str::to_string),
                key: c.key.clone(),
                name: c.name.clone(),
                weight: c.weight,
                max: c.max_points,
                levels: c.levels.clone(),
            }
        })
        .collect();
    let id = v.entry.id.0;
    EntryPage {
        layout: Layout::new(
            format!("ให้คะแนน: {}", v.entry.name),
            "judging",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id,
        round_id: v.round.id.0,
        round_title: v.round.title.clone(),
        name: v.entry.name.clone(),
        receipt: v.entry.receipt.clone(),
        branch: v.branch_name.clone(),
        province: v
            .entry
            .province
            .map(|p| state.core.province_name(p))
            .unwrap_or_default(),
        documents: v
            .documents
            .iter()
            .map(|d| DocRow {
                name: d.name.clone(),
                requirement: v
                    .round
                    .settings
                    .documents
                    .iter()
                    .find(|r| r.key == d.requirement)
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| d.requirement.clone()),
                size: size_text(d.size),
                href: format!(
                    "/judging/entries/{id}/documents/{}?name={}",
                    d.id,
                    percent_encode(&d.name)
                ),
            })
            .collect(),
        criteria,
        version: v.version,
        open: v.open,
        errors,
        problem,
        notice,
        earlier: v.earlier.map(|e| EarlierView {
            round_title: e.round_title,
            result: e
                .result
                .map(|r| format!("อันดับที่ {} · {}", r.rank, r.reason))
                .unwrap_or_default(),
            sheets: e
                .sheets
                .into_iter()
                .map(|(j, t)| (j, format!("{t:.2}")))
                .collect(),
        }),
        reason: String::new(),
    }
}

async fn entry_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let v = state.core.judge_entry(member.actor(), EntryId(id)).await?;
    let notice = match q.done.as_str() {
        "saved" => Some("บันทึกคะแนนแล้ว"),
        _ => None,
    };
    let page = entry_page_view(&state, &member, v, None, Errors::default(), None, notice);
    Ok(member.0.finish_form(render(&page)))
}

async fn save_scores(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    member.0.check_csrf(&field("csrf"))?;
    let version: i64 = field("version").trim().parse().unwrap_or(-1);
    let input: Vec<ScoreInput> = form
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("points.").map(|key| ScoreInput {
                criterion: key.to_string(),
                points: v.clone(),
                comment: field(&format!("comment.{key}")),
            })
        })
        .collect();
    let result = state
        .core
        .save_scores(member.actor(), EntryId(id), version, &input)
        .await;
    let (status, errors, problem) = match result {
        Ok(_) => {
            return Ok(Redirect::to(&format!("/judging/entries/{id}?done=saved")).into_response());
        }
        Err(DomainError::Invalid(e)) => (StatusCode::UNPROCESSABLE_ENTITY, Errors(e), None),
        Err(DomainError::Conflict(m)) => (StatusCode::CONFLICT, Errors::default(), Some(m)),
        Err(e) => return Err(e.into()),
    };
    let v = state.core.judge_entry(member.actor(), EntryId(id)).await?;
    // A stale sheet shows what is saved now, so the judge sees the other save.
    let typed = (problem.as_deref() != Some(STALE_SHEET)).then_some(&form);
    let page = entry_page_view(&state, &member, v, typed, errors, problem, None);
    Ok((status, member.0.finish_form(render(&page))).into_response())
}

#[derive(Deserialize)]
struct ConflictForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn declare_conflict(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<ConflictForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let v = state.core.judge_entry(member.actor(), EntryId(id)).await?;
    let round = v.round.id.0;
    match state
        .core
        .declare_conflict(member.actor(), EntryId(id), &form.reason)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/judging/rounds/{round}")).into_response()),
        Err(DomainError::Invalid(e)) => {
            let mut page = entry_page_view(&state, &member, v, None, Errors(e), None, None);
            page.reason = form.reason;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                member.0.finish_form(render(&page)),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn document(
    State(state): State<AppState>,
    member: Member,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (d, size, stream) = state
        .core
        .judge_open_document(member.actor(), EntryId(id), doc)
        .await?;
    let headers = [
        (header::CONTENT_TYPE, d.mime.clone()),
        (header::CONTENT_LENGTH, size.to_string()),
        (
            header::CONTENT_DISPOSITION,
            format!("attachment; filename*=UTF-8''{}", percent_encode(&d.name)),
        ),
        (header::CACHE_CONTROL, "private, no-cache".to_string()),
    ];
    Ok((headers, Body::from_stream(stream)).into_response())
}

// ---------------------------------------------------------------- organiser: judges

struct JudgeRow {
    user_id: i64,
    branch_id: i64,
    name: String,
    username: String,
    province: String,
    chair: bool,
}

struct ConflictRow {
    judge: String,
    entry: String,
    reason: String,
    at: String,
}

#[derive(Template)]
#[template(path = "contests/judge_assign.html")]
struct JudgesPageView {
    layout: Layout,
    id: i64,
    title: String,
    status: &'static str,
    editable: bool,
    /// (branch name, its judges)
    groups: Vec<(String, Vec<JudgeRow>)>,
    branches: Vec<(i64, String, bool)>,
    provinces: Vec<(String, String, bool)>,
    conflicts: Vec<ConflictRow>,
    /// (username, name) of the organising unit's accounts, offered as suggestions.
    members: Vec<(String, String)>,
    form_username: String,
    form_chair: bool,
    errors: Errors,
    problem: Option<String>,
}

#[derive(Deserialize, Default)]
struct AssignForm {
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    chair: Option<String>,
}

async fn judges_view(
    state: &AppState,
    member: &Member,
    id: i64,
    form: &AssignForm,
    errors: Errors,
    problem: Option<String>,
) -> Result<JudgesPageView, WebError> {
    let p = state.core.judges_page(member.actor(), RoundId(id)).await?;
    let groups = p
        .branches
        .iter()
        .map(|(b, name)| {
            let rows = p
                .judges
                .iter()
                .filter(|j| j.judge.branch == *b)
                .map(|j| JudgeRow {
                    user_id: j.judge.user_id.0,
                    branch_id: b.0,
                    name: j.name.clone(),
                    username: j.username.clone(),
                    province: j.province_name.clone().unwrap_or_default(),
                    chair: j.judge.chair,
                })
                .collect();
            (name.clone(), rows)
        })
        .collect();
    Ok(JudgesPageView {
        layout: Layout::new(
            format!("กรรมการ: {}", p.round.title),
            "contests",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id,
        title: p.round.title.clone(),
        status: p.round.status.label_th(),
        editable: p.editable,
        groups,
        branches: p
            .branches
            .iter()
            .map(|(b, n)| (b.0, n.clone(), form.branch == b.0.to_string()))
            .collect(),
        provinces: province_choices()
            .into_iter()
            .map(|(c, n)| {
                let sel = form.province == c;
                (c, n, sel)
            })
            .collect(),
        conflicts: p
            .conflicts
            .iter()
            .map(|c| ConflictRow {
                judge: c.judge_name.clone(),
                entry: c.entry_name.clone(),
                reason: c.conflict.reason.clone(),
                at: format_be_datetime(c.conflict.declared_at),
            })
            .collect(),
        members: p.members.clone(),
        form_username: form.username.clone(),
        form_chair: form.chair.is_some(),
        errors,
        problem,
    })
}

async fn judges_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let page = judges_view(
        &state,
        &member,
        id,
        &AssignForm::default(),
        Errors::default(),
        None,
    )
    .await?;
    Ok(member.0.finish_form(render(&page)))
}

async fn assign_judge(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<AssignForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let input = JudgeInput {
        username: form.username.clone(),
        branch: form.branch.clone(),
        province: form.province.clone(),
        chair: form.chair.is_some(),
    };
    let (status, errors, problem) = match state
        .core
        .assign_judge(member.actor(), RoundId(id), &input)
        .await
    {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/contests/rounds/{id}/judges")).into_response());
        }
        Err(DomainError::Invalid(e)) => (StatusCode::UNPROCESSABLE_ENTITY, Errors(e), None),
        Err(DomainError::Conflict(m)) => (StatusCode::CONFLICT, Errors::default(), Some(m)),
        Err(e) => return Err(e.into()),
    };
    let page = judges_view(&state, &member, id, &form, errors, problem).await?;
    Ok((status, member.0.finish_form(render(&page))).into_response())
}

#[derive(Deserialize)]
struct RemoveForm {
    csrf: String,
    branch: i64,
    user: i64,
}

async fn remove_judge(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<RemoveForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state
        .core
        .unassign_judge(
            member.actor(),
            RoundId(id),
            TermId(form.branch),
            UserId(form.user),
        )
        .await?;
    Ok(Redirect::to(&format!("/contests/rounds/{id}/judges")).into_response())
}
