//! Contest pages: results. The organiser's ranking (raw and z-score totals, ties flagged,
//! the chair's order, publishing, certificates) and the public result sheet.

use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::contests::judging::{BranchRanking, RankingView, SheetCell};
use khlang_core::contests::rules::fmt_total;
use khlang_core::ids::{EntryId, RoundId, TermId};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/contests/rounds/{id}/ranking", get(ranking_page))
        .route("/contests/rounds/{id}/chair-order", post(chair_order))
        .route("/contests/rounds/{id}/publish", post(publish))
        .route("/contests/rounds/{id}/certificates", post(certificates))
        .route("/contests/rounds/{id}/results", get(results_page))
        .route("/contests/results", get(results_index))
}

#[derive(Template)]
#[template(path = "contests/results_index.html")]
struct ResultsIndex {
    layout: Layout,
    /// (title, fiscal year, rounds: (id, title, level, published on))
    contests: Vec<PublishedView>,
    page: u64,
    pages: u64,
}

struct PublishedView {
    title: String,
    year: i32,
    rounds: Vec<(i64, String, &'static str, String)>,
}

#[derive(Deserialize)]
struct IndexQuery {
    page: Option<String>,
}

/// The public index of published results: the way in for people who were not sent a link.
async fn results_index(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<IndexQuery>,
) -> Result<Response, WebError> {
    let page = crate::forms::page_link_param(q.page.as_deref())?.get();
    let (published, pages) = state.core.published_results(page).await?;
    let html = ResultsIndex {
        layout: Layout::new(
            "ผลการคัดเลือก",
            "results",
            visitor.session.as_ref(),
            visitor.csrf(),
        ),
        contests: published
            .into_iter()
            .map(|c| PublishedView {
                title: c.contest.title,
                year: c.contest.fiscal_year,
                rounds: c
                    .rounds
                    .into_iter()
                    .map(|r| {
                        (
                            r.id.0,
                            r.title,
                            r.level.label_th(),
                            khlang_core::text::format_be_date(r.updated_at),
                        )
                    })
                    .collect(),
            })
            .collect(),
        page,
        pages,
    };
    Ok(visitor.finish(render(&html)))
}

struct Row {
    entry_id: i64,
    rank: String,
    name: String,
    province: String,
    /// (judge heading, their total)
    sheets: Vec<(String, String)>,
    total: String,
    z: String,
    reason: String,
    tied: bool,
    advanced: bool,
    /// The chair's position, for the chair's order form.
    position: String,
    earlier: String,
    /// Verification codes of the entry's certificates.
    certificates: Vec<String>,
    /// (criterion, each judge's points) for the details under the row.
    details: Vec<(String, Vec<String>)>,
}

struct Branch {
    id: i64,
    name: String,
    judges: Vec<String>,
    rows: Vec<Row>,
    progress: String,
    undecided: bool,
    /// Entries the chair may order: still tied, or already ordered.
    chair_rows: Vec<(i64, String, String)>,
}

fn branches(v: &RankingView, public: bool) -> Vec<Branch> {
    let criteria: Vec<String> = v
        .round
        .settings
        .rubric
        .iter()
        .map(|c| format!("{} (เต็ม {})", c.name, c.max_points))
        .collect();
    v.branches
        .iter()
        .map(|b| branch(b, &criteria, public))
        .collect()
}

fn branch(b: &BranchRanking, criteria: &[String], public: bool) -> Branch {
    let rows: Vec<Row> = b
        .rows
        .iter()
        .map(|r| Row {
            entry_id: r.entry.id.0,
            rank: r
                .ranked
                .rank
                .map(|n| n.to_string())
                .unwrap_or_else(|| "—".into()),
            name: if public {
                r.public_name.clone()
            } else {
                r.entry.name.clone()
            },
            province: r.province_name.clone().unwrap_or_default(),
            sheets: r
                .sheets
                .iter()
                .zip(&b.judges)
                .map(|(s, j)| {
                    let cell = match s {
                        SheetCell::Total(t) => fmt_total(*t),
                        SheetCell::Incomplete => "ไม่ครบ".into(),
                        SheetCell::Excluded => "—".into(),
                    };
                    (j.clone(), cell)
                })
                .collect(),
            total: r.ranked.total.map(fmt_total).unwrap_or_else(|| "—".into()),
            z: r.ranked
                .z
                .map(|z| format!("{z:+.2}"))
                .unwrap_or_else(|| "—".into()),
            reason: r.ranked.reason.clone(),
            certificates: r.certificates.clone(),
            details: criteria
                .iter()
                .enumerate()
                .map(|(ci, name)| {
                    (
                        name.clone(),
                        r.points
                            .iter()
                            .map(|judge| {
                                judge
                                    .get(ci)
                                    .copied()
                                    .flatten()
                                    .map(|p| p.to_string())
                                    .unwrap_or_else(|| "—".into())
                            })
                            .collect(),
                    )
                })
                .collect(),
            tied: r.ranked.tied,
            advanced: r.advanced,
            position: b
                .chair
                .iter()
                .position(|e| *e == r.entry.id)
                .map(|p| (p + 1).to_string())
                .unwrap_or_default(),
            earlier: r
                .earlier
                .as_ref()
                .and_then(|e| {
                    e.result.as_ref().map(|x| {
                        format!(
                            "{}: อันดับ {} คะแนน {}",
                            e.round_title,
                            x.rank,
                            fmt_total(x.total)
                        )
                    })
                })
                .unwrap_or_default(),
        })
        .collect();
    let chair_rows = rows
        .iter()
        .filter(|r| r.tied || !r.position.is_empty())
        .map(|r| (r.entry_id, r.name.clone(), r.position.clone()))
        .collect();
    Branch {
        id: b.branch.0,
        name: b.name.clone(),
        judges: b.judges.clone(),
        progress: format!(
            "ให้คะแนนครบแล้ว {} จาก {} ใบ",
            number(b.sheets_done),
            number(b.sheets_expected)
        ),
        undecided: !b.undecided.is_empty(),
        rows,
        chair_rows,
    }
}

// ---------------------------------------------------------------- organiser's ranking

#[derive(Template)]
#[template(path = "contests/results_ranking.html")]
struct RankingPage {
    layout: Layout,
    id: i64,
    title: String,
    contest: String,
    status: &'static str,
    published: bool,
    judging: bool,
    chair_rule: bool,
    advance: u32,
    has_next: bool,
    branches: Vec<Branch>,
    notice: Option<String>,
    problem: Option<String>,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
    #[serde(default)]
    n: String,
}

async fn ranking_view(
    state: &AppState,
    member: &Member,
    id: i64,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<RankingPage, WebError> {
    let v = state
        .core
        .round_ranking(member.actor(), RoundId(id))
        .await?;
    Ok(RankingPage {
        layout: Layout::new(
            format!("ผลการพิจารณา: {}", v.round.title),
            "contests",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id,
        title: v.round.title.clone(),
        contest: v.contest_title.clone(),
        status: v.round.status.label_th(),
        published: v.published,
        judging: v.round.status == khlang_core::contests::RoundStatus::Judging,
        chair_rule: v.chair_rule,
        advance: v.round.settings.advance_per_branch,
        has_next: v.round.next_round.is_some(),
        branches: branches(&v, false),
        notice,
        problem,
    })
}

async fn ranking_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let notice = match q.done.as_str() {
        "chair" => Some("บันทึกลำดับของประธานกรรมการแล้ว".to_string()),
        "published" => Some("ประกาศผลแล้ว ผลงานที่ได้ไปต่อถูกส่งเข้ารอบถัดไปแล้ว".to_string()),
        "certificates" => Some(format!(
            "ออกเกียรติบัตรแล้ว {} ใบ",
            number(q.n.parse().unwrap_or(0))
        )),
        _ => None,
    };
    let page = ranking_view(&state, &member, id, notice, None).await?;
    Ok(member.0.finish_form(render(&page)))
}

async fn refused(
    state: &AppState,
    member: &Member,
    id: i64,
    e: DomainError,
) -> Result<Response, WebError> {
    let (status, message) = match e {
        DomainError::Conflict(m) => (StatusCode::CONFLICT, m),
        DomainError::Invalid(errs) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errs.iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => return Err(other.into()),
    };
    let page = ranking_view(state, member, id, None, Some(message)).await?;
    Ok((status, member.0.finish_form(render(&page))).into_response())
}

async fn chair_order(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    member.0.check_csrf(&field("csrf"))?;
    let branch = TermId(field("branch").parse().unwrap_or(0));
    let mut order: Vec<(u32, EntryId)> = Vec::new();
    for (k, v) in &form {
        let Some(entry) = k.strip_prefix("pos.").and_then(|e| e.parse::<i64>().ok()) else {
            continue;
        };
        let v = khlang_core::text::arabic_digits(v.trim());
        if v.is_empty() {
            continue;
        }
        match v.parse::<u32>() {
            Ok(p) if p >= 1 => order.push((p, EntryId(entry))),
            _ => {
                return refused(
                    &state,
                    &member,
                    id,
                    DomainError::invalid("order", "กรุณาใส่ลำดับเป็นตัวเลข 1, 2, 3 …"),
                )
                .await;
            }
        }
    }
    order.sort();
    if order.windows(2).any(|w| w[0].0 == w[1].0) {
        return refused(
            &state,
            &member,
            id,
            DomainError::invalid("order", "ลำดับซ้ำกัน กรุณาให้แต่ละผลงานมีลำดับไม่ซ้ำ"),
        )
        .await;
    }
    let order: Vec<EntryId> = order.into_iter().map(|(_, e)| e).collect();
    match state
        .core
        .set_chair_order(member.actor(), RoundId(id), branch, &order)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/contests/rounds/{id}/ranking?done=chair")).into_response())
        }
        Err(e) => refused(&state, &member, id, e).await,
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn publish(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .publish_results(member.actor(), RoundId(id))
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/contests/rounds/{id}/ranking?done=published")).into_response(),
        ),
        Err(e) => refused(&state, &member, id, e).await,
    }
}

async fn certificates(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .issue_round_certificates(member.actor(), RoundId(id))
        .await
    {
        Ok(n) => Ok(Redirect::to(&format!(
            "/contests/rounds/{id}/ranking?done=certificates&n={n}"
        ))
        .into_response()),
        Err(e) => refused(&state, &member, id, e).await,
    }
}

// ---------------------------------------------------------------- public results

#[derive(Template)]
#[template(path = "contests/results_public.html")]
struct ResultsPage {
    layout: Layout,
    title: String,
    contest: String,
    published: String,
    has_next: bool,
    branches: Vec<Branch>,
}

async fn results_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let v = state.core.round_results(RoundId(id)).await?;
    let published = khlang_core::text::format_be_date_long(v.round.updated_at);
    let html = ResultsPage {
        layout: Layout::new(
            format!("ผลการคัดเลือก: {}", v.round.title),
            "contests",
            visitor.session.as_ref(),
            visitor.csrf(),
        ),
        title: v.round.title.clone(),
        contest: v.contest_title.clone(),
        published,
        has_next: v.round.next_round.is_some(),
        branches: branches(&v, true),
    };
    Ok(visitor.finish(render(&html)))
}
