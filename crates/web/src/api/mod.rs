//! JSON API v1: bearer token or session (+ `X-CSRF-Token`). Errors are problem+json.

mod items;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::forms::ApiJson;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use khlang_core::DomainError;
use khlang_core::account::User;
use khlang_core::ids::{GrantId, TokenId, UnitId, UserId};
use khlang_core::org::Unit;
use khlang_core::service::org::{MemberInput, UnitInput};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/units", get(list_units).post(create_unit))
        .route("/units/{id}", patch(update_unit))
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}/grants", post(grant))
        .route("/users/{id}/password", post(reset_password))
        .route("/grants/{id}", delete(revoke_grant))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .merge(items::routes())
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::from(DomainError::NotFound)
}

#[derive(Serialize)]
struct UnitJson {
    id: UnitId,
    parent_id: Option<UnitId>,
    code: String,
    kind: &'static str,
    name_th: String,
    name_en: Option<String>,
    short_th: Option<String>,
    retired: bool,
}

impl From<&Unit> for UnitJson {
    fn from(u: &Unit) -> Self {
        Self {
            id: u.id,
            parent_id: u.parent_id,
            code: u.code.to_string(),
            kind: u.kind.as_str(),
            name_th: u.name_th.as_str().to_string(),
            name_en: u.name_en.clone(),
            short_th: u.short_th.clone(),
            retired: u.retired,
        }
    }
}

async fn me(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let grants = state
        .core
        .store
        .grants_for_user(caller.user.id)
        .await
        .map_err(DomainError::from)?;
    Ok(Json(json!({ "user": caller.user, "grants": grants })))
}

async fn list_units(
    State(state): State<AppState>,
    _caller: ApiCaller,
) -> Result<Json<Vec<UnitJson>>, ApiError> {
    let tree = state.core.unit_tree().await?;
    Ok(Json(
        tree.walk()
            .into_iter()
            .map(|(_, u)| UnitJson::from(u))
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUnitJson {
    parent_id: Option<i64>,
    code: String,
    #[serde(default = "other_kind")]
    kind: String,
    name_th: String,
    #[serde(default)]
    name_en: String,
}

fn other_kind() -> String {
    "other".into()
}

async fn create_unit(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<NewUnitJson>,
) -> Result<Response, ApiError> {
    let unit = state
        .core
        .create_unit(
            &caller.actor,
            UnitInput {
                parent_id: body.parent_id.map(UnitId),
                code: body.code,
                kind: body.kind,
                name_th: body.name_th,
                name_en: body.name_en,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(UnitJson::from(&unit))).into_response())
}

/// Any of: a new name, a new parent, retire or restore. Applied in that order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UnitPatch {
    name_th: Option<String>,
    name_en: Option<String>,
    parent_id: Option<i64>,
    retired: Option<bool>,
}

async fn update_unit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UnitPatch>,
) -> Result<Json<UnitJson>, ApiError> {
    let id = UnitId(id);
    let core = &state.core;
    let mut unit = core
        .unit_tree()
        .await?
        .get(id)
        .cloned()
        .ok_or(DomainError::NotFound)?;
    if body.name_th.is_some() || body.name_en.is_some() {
        let name_th = body
            .name_th
            .unwrap_or_else(|| unit.name_th.as_str().to_string());
        let name_en = body.name_en.or(unit.name_en.clone()).unwrap_or_default();
        unit = core
            .rename_unit(&caller.actor, id, &name_th, &name_en)
            .await?;
    }
    if let Some(parent) = body.parent_id {
        unit = core.move_unit(&caller.actor, id, UnitId(parent)).await?;
    }
    if let Some(retired) = body.retired {
        unit = core.set_unit_retired(&caller.actor, id, retired).await?;
    }
    Ok(Json(UnitJson::from(&unit)))
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u64>,
    per_page: Option<u64>,
}

async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<PageQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = state
        .core
        .list_members(
            &caller.actor,
            q.page.unwrap_or(1),
            q.per_page.unwrap_or(50).clamp(1, 200),
        )
        .await?;
    Ok(Json(
        json!({ "total": page.total, "page": page.page, "per_page": page.per_page, "items": page.items }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUserJson {
    username: String,
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    password: String,
    home_unit_id: i64,
    role: Option<String>,
}

async fn create_user(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(b): ApiJson<NewUserJson>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state
        .core
        .create_member(
            &caller.actor,
            MemberInput {
                username: b.username,
                display_name: b.display_name,
                email: b.email,
                phone: b.phone,
                password: b.password,
                home_unit_id: Some(UnitId(b.home_unit_id)),
                role: b.role,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantJson {
    role: String,
    unit_id: i64,
}

async fn grant(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<GrantJson>,
) -> Result<Response, ApiError> {
    let g = state
        .core
        .grant_role(&caller.actor, UserId(id), &b.role, UnitId(b.unit_id))
        .await?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

async fn revoke_grant(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.core.revoke_grant(&caller.actor, GrantId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordJson {
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PasswordJson>,
) -> Result<StatusCode, ApiError> {
    state
        .core
        .reset_password(&caller.actor, UserId(id), &b.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(
        json!({ "items": state.core.list_tokens(&caller.actor).await? }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenJson {
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(b): ApiJson<TokenJson>,
) -> Result<Response, ApiError> {
    let (token, secret) = state.core.create_token(&caller.actor, &b.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": secret.expose(), "info": token })),
    )
        .into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.core.revoke_token(&caller.actor, TokenId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
