//! One plan: Forms 1 and 2, % complete, the Gantt, history and comments, and the actions the
//! viewer may take (edit rows, submit; approve or return for the parent unit; comment).

use super::{layout, percent};
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::gantt::{GanttRow, gantt_rows, gantt_svg};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::PlanId;
use khlang_core::planning::model::{Evidence, FiscalYear, KmPlan, PlanStatus};
use khlang_core::planning::progress::{ActivityCounts, PLAN_RULE};
use khlang_core::planning::service::PlanDecision;
use khlang_core::text::{BANGKOK, format_be_date, format_be_datetime};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}", get(plan_page))
        .route("/plans/{id}/gantt", get(gantt_page))
        .route("/plans/{id}/review", post(review))
        .route("/plans/{id}/comment", post(comment))
}

pub(super) struct IssueView {
    pub index: usize,
    pub issue: String,
    pub objective: String,
    pub kpis: Vec<(String, String)>,
    pub knowledge: Vec<String>,
}

pub(super) struct ActivityView {
    pub index: usize,
    pub title: String,
    pub period: String,
    pub indicator: String,
    pub target: String,
    pub target_group: String,
    pub responsible: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub evidence: Vec<(String, String)>,
}

pub(super) struct StepView {
    pub label: String,
    pub activities: Vec<ActivityView>,
}

struct HistoryView {
    at: String,
    who: String,
    what: &'static str,
    text: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "planning/show.html")]
struct PlanPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    id: i64,
    version: i32,
    unit: String,
    year: i32,
    status: &'static str,
    status_key: &'static str,
    percent: String,
    counts: ActivityCounts,
    rule: &'static str,
    strategic: String,
    issues: Vec<IssueView>,
    steps: Vec<StepView>,
    gantt: String,
    history: Vec<HistoryView>,
    may_manage: bool,
    may_decide: bool,
    may_submit: bool,
    updated: String,
    comment: String,
}

pub(super) fn issue_views(plan: &KmPlan) -> Vec<IssueView> {
    plan.content
        .issues
        .iter()
        .enumerate()
        .map(|(index, r)| IssueView {
            index,
            issue: r.issue.clone(),
            objective: r.objective.clone(),
            kpis: r
                .kpis
                .iter()
                .map(|k| (k.name.clone(), k.target.clone()))
                .collect(),
            knowledge: r.knowledge.iter().map(|k| k.text.clone()).collect(),
        })
        .collect()
}

pub(super) fn step_views(plan: &KmPlan) -> Vec<StepView> {
    let year = plan.fiscal_year;
    plan.content
        .by_step()
        .into_iter()
        .map(|(step, rows)| StepView {
            label: format!("{}. {}", step.number(), step.label_th()),
            activities: rows
                .into_iter()
                .map(|(index, a)| ActivityView {
                    index,
                    title: a.title.clone(),
                    period: a.period.label_th(year),
                    indicator: a.indicator.clone(),
                    target: a.target.label_th(),
                    target_group: a.target_group.clone(),
                    responsible: a.responsible.clone(),
                    status: a.status.label_th(),
                    status_key: a.status.as_str(),
                    evidence: a
                        .evidence
                        .iter()
                        .map(|e| match e {
                            Evidence::Item { item } => (
                                format!("/items/{}", item.0),
                                format!("องค์ความรู้ #{}", item.0),
                            ),
                            Evidence::Link { url, label } => (
                                url.clone(),
                                if label.is_empty() {
                                    url.clone()
                                } else {
                                    label.clone()
                                },
                            ),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn today(state: &AppState) -> time::Date {
    state.core.clock.now().to_offset(BANGKOK).date()
}

#[derive(Deserialize, Default)]
struct Flash {
    done: Option<String>,
}

fn flash_text(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "created" => "สร้างแผนแล้ว เพิ่มแถวในแบบฟอร์มที่ ๑ และกิจกรรมในแบบฟอร์มที่ ๒ ได้เลย",
        "saved" => "บันทึกแล้ว",
        "submitted" => "ส่งแผนให้หน่วยงานต้นสังกัดพิจารณาแล้ว",
        "approved" => "อนุมัติแผนแล้ว",
        "returned" => "ส่งแผนกลับให้หน่วยงานแก้ไขแล้ว",
        "commented" => "บันทึกความเห็นแล้ว",
        "deleted" => "ลบแถวแล้ว",
        _ => return None,
    })
}

async fn plan_view(
    state: &AppState,
    member: &Member,
    id: PlanId,
    flash: Option<&'static str>,
    errors: Errors,
    comment: String,
) -> Result<PlanPage, WebError> {
    let actor = member.actor();
    let plan = state.core.km_plan(actor, id).await?;
    let tree = state.core.unit_tree().await?;
    let history = state.core.plan_history(actor, id).await?;
    let may_manage = state.core.may_manage_plan(actor, &plan).await?;
    let may_decide = state.core.may_decide_plan(actor, &plan).await?;
    let counts = ActivityCounts::of(&plan.content.activities);
    let unit = tree.display_path(plan.unit_id);
    Ok(PlanPage {
        layout: layout(
            member,
            format!("แผนการจัดการความรู้ ปีงบประมาณ {}", plan.fiscal_year),
        ),
        flash,
        errors,
        id: plan.id.0,
        version: plan.version,
        unit,
        year: plan.fiscal_year.be(),
        status: plan.status.label_th(),
        status_key: plan.status.as_str(),
        percent: percent(counts.percent()),
        counts,
        rule: PLAN_RULE,
        strategic: plan.content.strategic_issues.clone(),
        issues: issue_views(&plan),
        steps: step_views(&plan),
        gantt: gantt_svg(plan.fiscal_year, &plan.content, today(state)),
        history: history
            .into_iter()
            .rev()
            .map(|h| HistoryView {
                at: format_be_datetime(h.event.at),
                who: h.user_name,
                what: h.event.kind.label_th(),
                text: h.event.text,
                status: h.event.status.label_th(),
            })
            .collect(),
        may_manage,
        may_decide: may_decide && plan.status == PlanStatus::Submitted,
        may_submit: may_manage && matches!(plan.status, PlanStatus::Draft | PlanStatus::Returned),
        updated: format_be_date(plan.updated_at),
        comment,
    })
}

async fn plan_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let p = plan_view(
        &state,
        &member,
        PlanId(id),
        flash_text(q.done.as_deref()),
        Errors::default(),
        String::new(),
    )
    .await?;
    Ok(render(&p))
}

#[derive(Template)]
#[template(path = "planning/gantt.html")]
struct GanttPage {
    layout: Layout,
    id: i64,
    unit: String,
    year: i32,
    gantt: String,
    months: Vec<String>,
    rows: Vec<GanttRow>,
}

async fn gantt_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let plan = state.core.km_plan(member.actor(), PlanId(id)).await?;
    let tree = state.core.unit_tree().await?;
    let year: FiscalYear = plan.fiscal_year;
    Ok(render(&GanttPage {
        layout: layout(&member, format!("แผนภูมิแกนต์ ปีงบประมาณ {year}")),
        id,
        unit: tree.display_path(plan.unit_id),
        year: year.be(),
        gantt: gantt_svg(year, &plan.content, today(&state)),
        months: (0..12).map(|i| year.month_label(i)).collect(),
        rows: gantt_rows(year, &plan.content),
    }))
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    /// submit · approve · return
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
}

pub(super) fn version_of(s: &str) -> Result<i32, WebError> {
    s.trim().parse::<i32>().map_err(|_| {
        WebError::from(DomainError::Conflict(
            "ไม่ทราบฉบับของแผนที่แก้ไข กรุณาเปิดแผนใหม่อีกครั้ง".into(),
        ))
    })
}

async fn review(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<ReviewForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    let actor = member.actor();
    let id = PlanId(id);
    let (result, done) = match form.action.as_str() {
        "submit" => (
            state
                .core
                .submit_plan(actor, id, version, &form.comment)
                .await,
            "submitted",
        ),
        "approve" => (
            state
                .core
                .decide_plan(actor, id, version, PlanDecision::Approve, &form.comment)
                .await,
            "approved",
        ),
        "return" => (
            state
                .core
                .decide_plan(actor, id, version, PlanDecision::Return, &form.comment)
                .await,
            "returned",
        ),
        _ => return Err(DomainError::invalid("action", "ไม่รู้จักคำสั่งนี้").into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{}?done={done}", id.0)).into_response()),
        Err(DomainError::Invalid(e)) => {
            let p = plan_view(&state, &member, id, None, Errors(e), form.comment).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
}

async fn comment(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CommentForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let id = PlanId(id);
    match state
        .core
        .comment_plan(member.actor(), id, &form.comment)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/plans/{}?done=commented#history", id.0)).into_response())
        }
        Err(DomainError::Invalid(e)) => {
            let p = plan_view(&state, &member, id, None, Errors(e), form.comment).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
