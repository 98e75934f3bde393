//! JSON API v1: bearer token or session (+ `X-CSRF-Token`). Errors are problem+json.

mod innovations;
mod items;
pub(crate) mod openapi;
mod search;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::forms::{ApiId, ApiJson, ApiQuery};
use axum::extract::State;
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
use utoipa::{IntoParams, ToSchema};

/// `GET /api/openapi.json`: this API described as OpenAPI 3.1, for anyone.
pub(crate) fn docs() -> Router<AppState> {
    openapi::routes()
}

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
        .merge(search::routes())
        .merge(innovations::routes())
        .fallback(not_found)
}

async fn not_found() -> ApiError {
    ApiError::from(DomainError::NotFound)
}

/// หน่วยงาน — a unit of the organisation tree.
#[derive(Serialize, ToSchema)]
struct UnitJson {
    #[schema(value_type = i64)]
    id: UnitId,
    #[schema(value_type = Option<i64>, required = true)]
    parent_id: Option<UnitId>,
    /// Stable code: A–Z, 0–9 and `-`, e.g. `CDD-P-24`.
    code: String,
    #[schema(value_type = openapi::UnitKind)]
    kind: &'static str,
    name_th: String,
    #[schema(required = true)]
    name_en: Option<String>,
    #[schema(required = true)]
    short_th: Option<String>,
    /// Retired units keep their data and history; they take no new work.
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

#[utoipa::path(
    get,
    path = "/me",
    operation_id = "me",
    tag = "account",
    summary = "ผู้ใช้ปัจจุบัน — Who is calling",
    description = "The caller's account and role grants.",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The caller", body = openapi::Me),
        (status = 401, response = openapi::Unauthenticated),
    )
)]
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

#[utoipa::path(
    get,
    path = "/units",
    operation_id = "listUnits",
    tag = "organisation",
    summary = "รายการหน่วยงาน — List units",
    description = "The whole unit tree, parents before their children, retired units included.",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Every unit", body = Vec<UnitJson>),
        (status = 401, response = openapi::Unauthenticated),
    )
)]
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

/// A new unit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUnitJson {
    /// The unit it belongs under; `null` or absent for a new top-level unit (site admins).
    parent_id: Option<i64>,
    /// A–Z, 0–9 and `-`, at most 40, unique; lower case is raised.
    code: String,
    #[serde(default = "other_kind")]
    #[schema(value_type = openapi::UnitKind, default = "other")]
    kind: String,
    name_th: String,
    #[serde(default)]
    name_en: String,
}

fn other_kind() -> String {
    "other".into()
}

#[utoipa::path(
    post,
    path = "/units",
    operation_id = "createUnit",
    tag = "organisation",
    summary = "เพิ่มหน่วยงาน — Create a unit",
    description = "Unit admins add units below their own; site admins anywhere.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    request_body = NewUnitJson,
    responses(
        (status = 201, description = "Created", body = UnitJson),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 403, response = openapi::Forbidden),
        (status = 409, response = openapi::Conflict),
        (status = 422, response = openapi::Invalid),
    )
)]
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
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UnitPatch {
    name_th: Option<String>,
    name_en: Option<String>,
    parent_id: Option<i64>,
    retired: Option<bool>,
}

#[utoipa::path(
    patch,
    path = "/units/{id}",
    operation_id = "updateUnit",
    tag = "organisation",
    summary = "แก้ไขหน่วยงาน — Rename, move, retire or restore a unit",
    description = "Any of: a new name, a new parent, retire or restore; applied in that order.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Unit id")),
    request_body = UnitPatch,
    responses(
        (status = 200, description = "The unit as it is now", body = UnitJson),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 409, response = openapi::Conflict),
        (status = 422, response = openapi::Invalid),
    )
)]
async fn update_unit(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiId(id): ApiId,
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct PageQuery {
    /// 1-based page number, 1–10000 (default 1).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 10000)]
    page: Option<String>,
    /// 1–100 (default 50).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    per_page: Option<String>,
}

#[utoipa::path(
    get,
    path = "/users",
    operation_id = "listUsers",
    tag = "organisation",
    summary = "รายชื่อสมาชิก — List the people the caller manages",
    description = "Site admins see everyone; unit admins the members of their subtrees.",
    security(("bearer" = []), ("session" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "One page of people", body = openapi::UserPage),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 403, response = openapi::Forbidden),
    )
)]
async fn list_users(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = state
        .core
        .list_members(
            &caller.actor,
            crate::forms::page_param(q.page.as_deref())?.get(),
            crate::forms::per_page_param(q.per_page.as_deref(), 50, 100)?.get(),
        )
        .await?;
    Ok(Json(
        json!({ "total": page.total, "page": page.page, "per_page": page.per_page, "items": page.items }),
    ))
}

/// A new member of a unit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUserJson {
    /// Sign-in name: 3–32 of a–z, 0–9, `.`, `_`, `-` (a phone number works too).
    username: String,
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[schema(format = Password)]
    password: String,
    home_unit_id: i64,
    /// Granted on the home unit at once.
    #[schema(value_type = Option<openapi::Role>)]
    role: Option<String>,
}

#[utoipa::path(
    post,
    path = "/users",
    operation_id = "createUser",
    tag = "organisation",
    summary = "เพิ่มสมาชิก — Create an account",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    request_body = NewUserJson,
    responses(
        (status = 201, description = "Created", body = openapi::User),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 403, response = openapi::Forbidden),
        (status = 409, response = openapi::Conflict),
        (status = 422, response = openapi::Invalid),
    )
)]
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

/// A role on a unit (and everything below it).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct GrantJson {
    #[schema(value_type = openapi::Role)]
    role: String,
    unit_id: i64,
}

#[utoipa::path(
    post,
    path = "/users/{id}/grants",
    operation_id = "grantRole",
    tag = "organisation",
    summary = "มอบบทบาท — Grant a role",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = GrantJson,
    responses(
        (status = 201, description = "Granted", body = openapi::Grant),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 409, response = openapi::Conflict),
        (status = 422, response = openapi::Invalid),
    )
)]
async fn grant(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<GrantJson>,
) -> Result<Response, ApiError> {
    let g = state
        .core
        .grant_role(&caller.actor, UserId(id), &b.role, UnitId(b.unit_id))
        .await?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

#[utoipa::path(
    delete,
    path = "/grants/{id}",
    operation_id = "revokeGrant",
    tag = "organisation",
    summary = "ถอนบทบาท — Revoke a grant",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Grant id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
    )
)]
async fn revoke_grant(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    state.core.revoke_grant(&caller.actor, GrantId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordJson {
    #[schema(format = Password)]
    password: String,
}

#[utoipa::path(
    post,
    path = "/users/{id}/password",
    operation_id = "resetPassword",
    tag = "organisation",
    summary = "ตั้งรหัสผ่านใหม่ — Reset a member's password",
    description = "For administrators who manage the member (their home unit and every unit where they hold a role); the member's sessions end and their API tokens are revoked.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "User id")),
    request_body = PasswordJson,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
        (status = 422, response = openapi::Invalid),
    )
)]
async fn reset_password(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiId(id): ApiId,
    ApiJson(b): ApiJson<PasswordJson>,
) -> Result<StatusCode, ApiError> {
    state
        .core
        .reset_password(&caller.actor, UserId(id), &b.password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/tokens",
    operation_id = "listTokens",
    tag = "account",
    summary = "โทเค็น API ของฉัน — List my API tokens",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "The caller's tokens", body = openapi::TokenList),
        (status = 401, response = openapi::Unauthenticated),
    )
)]
async fn list_tokens(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(
        json!({ "items": state.core.list_tokens(&caller.actor).await? }),
    ))
}

/// A new API token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TokenJson {
    /// A label to tell tokens apart, 1–80 characters.
    name: String,
}

#[utoipa::path(
    post,
    path = "/tokens",
    operation_id = "createToken",
    tag = "account",
    summary = "สร้างโทเค็น API — Create an API token",
    description = "The secret is in this response only; khlang keeps its hash.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    request_body = TokenJson,
    responses(
        (status = 201, description = "Created", body = openapi::NewToken),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 422, response = openapi::Invalid),
    )
)]
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

#[utoipa::path(
    delete,
    path = "/tokens/{id}",
    operation_id = "revokeToken",
    tag = "account",
    summary = "ยกเลิกโทเค็น API — Revoke an API token",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 400, response = openapi::BadRequest),
        (status = 401, response = openapi::Unauthenticated),
        (status = 403, response = openapi::Forbidden),
        (status = 404, response = openapi::NotFound),
    )
)]
async fn revoke_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiId(id): ApiId,
) -> Result<StatusCode, ApiError> {
    state.core.revoke_token(&caller.actor, TokenId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
