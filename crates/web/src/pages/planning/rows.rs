//! The row-at-a-time forms of a plan: one Form 1 row, one Form 2 activity, the strategic
//! issues; add, edit, delete, move up or down. Each save is a new version of the plan; a
//! stale form is refused with a message, and a refused row keeps what was typed.

use super::layout;
use super::show::version_of;
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::PlanId;
use khlang_core::planning::model::{ActivityStatus, FiscalYear, KmPlan, KmStep};
use khlang_core::planning::service::{ActivityInput, IssueInput, PlanEdit};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/plans/{id}/activities/new",
            get(new_activity).post(add_activity),
        )
        .route(
            "/plans/{id}/activities/{i}",
            get(edit_activity).post(save_activity),
        )
        .route("/plans/{id}/activities/{i}/delete", post(delete_activity))
        .route("/plans/{id}/activities/{i}/move", post(move_activity))
        .route("/plans/{id}/issues/new", get(new_issue).post(add_issue))
        .route("/plans/{id}/issues/{i}", get(edit_issue).post(save_issue))
        .route("/plans/{id}/issues/{i}/delete", post(delete_issue))
        .route("/plans/{id}/issues/{i}/move", post(move_issue))
        .route(
            "/plans/{id}/strategic",
            get(edit_strategic).post(save_strategic),
        )
}

async fn managed_plan(state: &AppState, member: &Member, id: i64) -> Result<KmPlan, WebError> {
    let plan = state.core.km_plan(member.actor(), PlanId(id)).await?;
    if !state.core.may_manage_plan(member.actor(), &plan).await? {
        return Err(DomainError::Forbidden.into());
    }
    Ok(plan)
}

fn saved(id: i64, anchor: &str) -> Response {
    Redirect::to(&format!("/plans/{id}?done=saved#{anchor}")).into_response()
}

// ---------------------------------------------------------------- activities

#[derive(Template)]
#[template(path = "planning/activity_form.html")]
struct ActivityPage {
    layout: Layout,
    errors: Errors,
    id: i64,
    index: Option<usize>,
    version: i32,
    year: i32,
    form: ActivityInput,
    months: Vec<(usize, String, bool)>,
    steps: Vec<(&'static str, String)>,
    statuses: Vec<(&'static str, &'static str)>,
}

fn activity_page(
    member: &Member,
    plan: &KmPlan,
    index: Option<usize>,
    version: i32,
    form: ActivityInput,
    errors: Errors,
) -> ActivityPage {
    let year: FiscalYear = plan.fiscal_year;
    let on = form.months();
    ActivityPage {
        layout: layout(
            member,
            if index.is_some() {
                "แก้ไขกิจกรรม"
            } else {
                "เพิ่มกิจกรรม"
            },
        ),
        errors,
        id: plan.id.0,
        index,
        version,
        year: year.be(),
        months: (0..12).map(|i| (i, year.month_label(i), on[i])).collect(),
        steps: KmStep::ALL
            .iter()
            .map(|s| (s.as_str(), format!("{}. {}", s.number(), s.label_th())))
            .collect(),
        statuses: ActivityStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label_th()))
            .collect(),
        form,
    }
}

async fn new_activity(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let plan = managed_plan(&state, &member, id).await?;
    let form = ActivityInput {
        step: KmStep::Identify.as_str().into(),
        status: ActivityStatus::NotStarted.as_str().into(),
        ..Default::default()
    };
    Ok(render(&activity_page(
        &member,
        &plan,
        None,
        plan.version,
        form,
        Errors::default(),
    )))
}

async fn edit_activity(
    State(state): State<AppState>,
    member: Member,
    Path((id, i)): Path<(i64, usize)>,
) -> Result<Response, WebError> {
    let plan = managed_plan(&state, &member, id).await?;
    let a = plan
        .content
        .activities
        .get(i)
        .ok_or(DomainError::NotFound)?;
    let form = ActivityInput::of(a, plan.fiscal_year);
    Ok(render(&activity_page(
        &member,
        &plan,
        Some(i),
        plan.version,
        form,
        Errors::default(),
    )))
}

#[derive(Deserialize)]
struct ActivityForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    input: ActivityInput,
}

async fn put_activity(
    state: &AppState,
    member: &Member,
    id: i64,
    index: Option<usize>,
    form: ActivityForm,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    let plan = managed_plan(state, member, id).await?;
    let keep = index.and_then(|i| plan.content.activities.get(i));
    if index.is_some() && keep.is_none() {
        return Err(DomainError::NotFound.into());
    }
    let refused = |errors: Vec<khlang_core::error::FieldError>| {
        let p = activity_page(
            member,
            &plan,
            index,
            version,
            form.input.clone(),
            Errors(errors),
        );
        (StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response()
    };
    let activity = match form.input.to_activity(plan.fiscal_year, keep) {
        Ok(a) => a,
        Err(e) => return Ok(refused(e)),
    };
    match state
        .core
        .edit_plan(
            member.actor(),
            plan.id,
            version,
            PlanEdit::PutActivity(index, Box::new(activity)),
        )
        .await
    {
        Ok(_) => Ok(saved(id, "form2-h")),
        Err(DomainError::Invalid(e)) => Ok(refused(e)),
        Err(e) => Err(e.into()),
    }
}

async fn add_activity(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<ActivityForm>,
) -> Result<Response, WebError> {
    put_activity(&state, &member, id, None, form).await
}

async fn save_activity(
    State(state): State<AppState>,
    member: Member,
    Path((id, i)): Path<(i64, usize)>,
    ThaiForm(form): ThaiForm<ActivityForm>,
) -> Result<Response, WebError> {
    put_activity(&state, &member, id, Some(i), form).await
}

#[derive(Deserialize)]
struct RowAction {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    dir: String,
}

async fn row_action(
    state: &AppState,
    member: &Member,
    id: i64,
    form: RowAction,
    edit: impl FnOnce(bool) -> PlanEdit,
    anchor: &str,
    done: &str,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    state
        .core
        .edit_plan(member.actor(), PlanId(id), version, edit(form.dir == "up"))
        .await?;
    Ok(Redirect::to(&format!("/plans/{id}?done={done}#{anchor}")).into_response())
}

async fn delete_activity(
    State(state): State<AppState>,
    member: Member,
    Path((id, i)): Path<(i64, usize)>,
    ThaiForm(form): ThaiForm<RowAction>,
) -> Result<Response, WebError> {
    row_action(
        &state,
        &member,
        id,
        form,
        |_| PlanEdit::DeleteActivity(i),
        "form2-h",
        "deleted",
    )
    .await
}

async fn move_activity(
    State(state): State<AppState>,
    member: Member,
    Path((id, i)): Path<(i64, usize)>,
    ThaiForm(form): ThaiForm<RowAction>,
) -> Result<Response, WebError> {
    row_action(
        &state,
        &member,
        id,
        form,
        |up| PlanEdit::MoveActivity(i, up),
        "form2-h",
        "saved",
    )
    .await
}

// ---------------------------------------------------------------- Form 1 rows

#[derive(Template)]
#[template(path = "planning/issue_form.html")]
struct IssuePage {
    layout: Layout,
    errors: Errors,
    id: i64,
    index: Option<usize>,
    version: i32,
    year: i32,
    form: IssueInput,
}

fn issue_page(
    member: &Member,
    plan: &KmPlan,
    index: Option<usize>,
    version: i32,
    form: IssueInput,
    errors: Errors,
) -> IssuePage {
    IssuePage {
        layout: layout(
            member,
            if index.is_some() {
                "แก้ไขแถวในแบบฟอร์มที่ ๑"
            } else {
                "เพิ่มแถวในแบบฟอร์มที่ ๑"
            },
        ),
        errors,
        id: plan.id.0,
        index,
        version,
        year: plan.fiscal_year.be(),
        form,
    }
}

async fn new_issue(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let plan = managed_plan(&state, &member, id).await?;
    Ok(render(&issue_page(
        &member,
        &plan,
        None,
        plan.version,
        IssueInput::default(),
        Errors::default(),
    )))
}

async fn edit_issue(
    State(state): State<AppState>,
    member: Member,
    Path((id, i)): Path<(i64, usize)>,
) -> Result<Response, WebError> {
    let plan = managed_plan(&state, &member, id).await?;
    let r = plan.content.issues.get(i).ok_or(DomainError::NotFound)?;
    let form = IssueInput::of(r);
    Ok(render(&issue_page(
        &member,
        &plan,
        Some(i),
        plan.version,
        form,
        Errors::default(),
    )))
}

#[derive(Deserialize)]
struct IssueForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    input: IssueInput,
}

async fn put_issue(
    state: &AppState,
    member: &Member,
    id: i64,
    index: Option<usize>,
    form: IssueForm,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    let plan = managed_plan(state, member, id).await?;
    let keep = index.and_then(|i| plan.content.issues.get(i));
    if index.is_some() && keep.is_none() {
        return Err(DomainError::NotFound.into());
    }
    let refused = |errors: Vec<khlang_core::error::FieldError>| {
        let p = issue_page(
            member,
            &plan,
            index,
            version,
            form.input.clone(),
            Errors(errors),
        );
        (StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response()
    };
    let row = match form.input.to_row(keep) {
        Ok(r) => r,
        Err(e) => return Ok(refused(e)),
    };
    match state
        .core
        .edit_plan(
            member.actor(),
            plan.id,
            version,
            PlanEdit::PutIssue(index, row),
        )
        .await
    {
        Ok(_) => Ok(saved(id, "form1-h")),
        Err(DomainError::Invalid(e)) => Ok(refused(e)),
        Err(e) => Err(e.into()),
    }
}

async fn add_issue(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<IssueForm>,
) -> Result<Response, WebError> {
    put_issue(&state, &member, id, None, form).await
}

async fn save_issue(
    State(state): State<AppState>,
    member: Member,
    Path((id, i)): Path<(i64, usize)>,
    ThaiForm(form): ThaiForm<IssueForm>,
) -> Result<Response, WebError> {
    put_issue(&state, &member, id, Some(i), form).await
}

async fn delete_issue(
    State(state): State<AppState>,
    member: Member,
    Path((id, i)): Path<(i64, usize)>,
    ThaiForm(form): ThaiForm<RowAction>,
) -> Result<Response, WebError> {
    row_action(
        &state,
        &member,
        id,
        form,
        |_| PlanEdit::DeleteIssue(i),
        "form1-h",
        "deleted",
    )
    .await
}

async fn move_issue(
    State(state): State<AppState>,
    member: Member,
    Path((id, i)): Path<(i64, usize)>,
    ThaiForm(form): ThaiForm<RowAction>,
) -> Result<Response, WebError> {
    row_action(
        &state,
        &member,
        id,
        form,
        |up| PlanEdit::MoveIssue(i, up),
        "form1-h",
        "saved",
    )
    .await
}

// ---------------------------------------------------------------- strategic issues

#[derive(Template)]
#[template(path = "planning/strategic_form.html")]
struct StrategicPage {
    layout: Layout,
    id: i64,
    version: i32,
    text: String,
}

async fn edit_strategic(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let plan = managed_plan(&state, &member, id).await?;
    Ok(render(&StrategicPage {
        layout: layout(&member, "ประเด็นยุทธศาสตร์ของแผน"),
        id,
        version: plan.version,
        text: plan.content.strategic_issues.clone(),
    }))
}

#[derive(Deserialize)]
struct StrategicForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    text: String,
}

async fn save_strategic(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<StrategicForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let version = version_of(&form.version)?;
    state
        .core
        .edit_plan(
            member.actor(),
            PlanId(id),
            version,
            PlanEdit::StrategicIssues(form.text),
        )
        .await?;
    Ok(saved(id, "form2-h"))
}
