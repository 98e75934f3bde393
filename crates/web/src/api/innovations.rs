//! `/api/v1/innovations`: the innovation catalogue as JSON (the same filters as the page),
//! one innovation with its public view, and "นำไปใช้แล้ว" reports. Nothing personal beyond
//! what the public page shows: innovators' names and provinces.

use super::items::Reader;
use super::openapi as doc;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::forms::{ApiJson, ApiQuery};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use khlang_core::DomainError;
use khlang_core::ids::ItemId;
use khlang_core::innovations::model::CatalogueInput;
use khlang_core::innovations::{AppliedInput, InnovationRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/innovations", get(list))
        .route("/innovations/{id}", get(show))
        .route("/innovations/{id}/applied", post(applied))
}

/// An innovator as the public sees them.
#[derive(Serialize, ToSchema)]
pub(crate) struct InnovatorJson {
    name: String,
    province: String,
}

/// นวัตกรรม — one innovation of the catalogue.
#[derive(Serialize, ToSchema)]
pub(crate) struct InnovationJson {
    id: i64,
    title: String,
    summary: String,
    /// Term id of the อสม. branch (taxonomy `osm_branch`).
    branch: Option<i64>,
    branch_label: String,
    /// Province code (DOPA, two digits).
    province: Option<String>,
    province_name: String,
    /// เขตสุขภาพ 1–13.
    health_zone: Option<u8>,
    /// N | NE | C | S | SB
    regional_centre: Option<String>,
    /// ปีงบประมาณ (พ.ศ.).
    fiscal_year: i32,
    /// photo | video | slides
    media: Vec<String>,
    applied_count: u64,
    /// Thumbnail URL of the first photo (metadata removed).
    thumbnail: Option<String>,
    url: String,
    /// RFC 3339.
    published_at: Option<String>,
}

fn to_json(
    state: &AppState,
    vocab: &khlang_core::taxonomy::Vocabulary,
    r: &InnovationRow,
) -> InnovationJson {
    let base = state.config.public_base_url.trim_end_matches('/');
    InnovationJson {
        id: r.item_id.0,
        title: r.title.clone(),
        summary: r.summary.clone(),
        branch: r.branch.map(|b| b.0),
        branch_label: crate::pages::innovations::branch_label(vocab, r),
        province: r.province.map(|p| p.to_string()),
        province_name: r
            .province
            .map(|p| state.core.province_name(p))
            .unwrap_or_default(),
        health_zone: r.health_zone,
        regional_centre: r.regional_centre.map(|c| c.code().to_string()),
        fiscal_year: r.fiscal_year,
        media: r.media.iter().map(|m| m.as_str().to_string()).collect(),
        applied_count: r.applied_count,
        thumbnail: r.photo.map(|f| format!("{base}/files/{f}/thumb")),
        url: format!("{base}/innovations/{}", r.item_id),
        published_at: r.published_at.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        }),
    }
}

/// One page of innovations.
#[derive(Serialize, ToSchema)]
pub(crate) struct InnovationPage {
    total: u64,
    page: u64,
    per_page: u64,
    pages: u64,
    items: Vec<InnovationJson>,
}

/// Query parameters of `GET /api/v1/innovations` (all optional).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub(crate) struct InnovationQuery {
    /// A term id of the `osm_branch` taxonomy.
    #[serde(default)]
    branch: String,
    /// N | NE | C | S | SB
    #[serde(default)]
    centre: String,
    /// เขตสุขภาพ 1–13.
    #[serde(default)]
    zone: String,
    /// Province code, e.g. `40`.
    #[serde(default)]
    province: String,
    /// Fiscal year in พ.ศ. (a ค.ศ. year is converted).
    #[serde(default)]
    year: String,
    /// photo | video | slides
    #[serde(default)]
    media: String,
    /// From 1.
    page: Option<String>,
    /// 1–100, default 20.
    per_page: Option<String>,
}

#[utoipa::path(
    get,
    path = "/innovations",
    operation_id = "listInnovations",
    tag = "innovations",
    summary = "บัญชีนวัตกรรม — List innovations",
    description = "Published innovations the caller may read, newest first, filtered as the \
                   catalogue page filters them.",
    security((), ("bearer" = []), ("session" = [])),
    params(InnovationQuery),
    responses(
        (status = 200, description = "One page of innovations", body = InnovationPage),
        (status = 400, response = doc::BadRequest),
        (status = 422, response = doc::Invalid),
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    Reader(actor): Reader,
    ApiQuery(q): ApiQuery<InnovationQuery>,
) -> Result<Json<InnovationPage>, ApiError> {
    let page = crate::forms::page_param(q.page.as_deref())?.get();
    let per_page = crate::forms::per_page_param(q.per_page.as_deref(), 20, 100)?.get();
    let filters = CatalogueInput {
        branch: q.branch,
        centre: q.centre,
        zone: q.zone,
        province: q.province,
        year: q.year,
        media: q.media,
    }
    .parse()?;
    let list = state
        .core
        .innovation_catalogue(&actor, &filters, page, per_page)
        .await?;
    let vocab = state.core.vocabulary().await?;
    Ok(Json(InnovationPage {
        total: list.total,
        page: list.page,
        per_page: list.per_page,
        pages: list.pages(),
        items: list
            .items
            .iter()
            .map(|r| to_json(&state, &vocab, r))
            .collect(),
    }))
}

/// One innovation with its innovators (name and province only) and applied reports.
#[derive(Serialize, ToSchema)]
pub(crate) struct InnovationDetail {
    #[serde(flatten)]
    innovation: InnovationJson,
    innovators: Vec<InnovatorJson>,
    applied: Vec<AppliedJson>,
}

/// A "นำไปใช้แล้ว" report.
#[derive(Serialize, ToSchema)]
pub(crate) struct AppliedJson {
    id: i64,
    reporter: String,
    province: Option<String>,
    place: String,
    how: String,
    result: String,
    /// RFC 3339.
    at: String,
}

fn id_of(s: &str) -> Result<ItemId, ApiError> {
    s.parse::<i64>()
        .map(ItemId)
        .map_err(|_| DomainError::NotFound.into())
}

#[utoipa::path(
    get,
    path = "/innovations/{id}",
    operation_id = "getInnovation",
    tag = "innovations",
    summary = "นวัตกรรม — One innovation",
    security((), ("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "The innovation's item id")),
    responses(
        (status = 200, description = "The innovation", body = InnovationDetail),
        (status = 404, response = doc::NotFound),
    )
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    Reader(actor): Reader,
    Path(id): Path<String>,
) -> Result<Json<InnovationDetail>, ApiError> {
    let id = id_of(&id)?;
    let view = state
        .core
        .innovation(&actor, id, 1)
        .await
        .map_err(|e| match e {
            DomainError::Unauthenticated => DomainError::NotFound,
            e => e,
        })?;
    let vocab = state.core.vocabulary().await?;
    let innovators = state
        .core
        .innovators_public(&view.row.innovators)
        .await?
        .into_iter()
        .map(|(name, province)| InnovatorJson { name, province })
        .collect();
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    Ok(Json(InnovationDetail {
        innovation: to_json(&state, &vocab, &view.row),
        innovators,
        applied: view
            .reports
            .items
            .iter()
            .map(|r| AppliedJson {
                id: r.id,
                reporter: r.reporter_name.clone(),
                province: r.province.map(|p| p.to_string()),
                place: r.place.clone(),
                how: r.how.clone(),
                result: r.result.clone(),
                at: rfc(r.at),
            })
            .collect(),
    }))
}

/// Where, how and with what result the caller used a published innovation.
#[derive(Deserialize, ToSchema)]
pub(crate) struct AppliedBody {
    /// Province code, optional.
    #[serde(default)]
    province: String,
    place: String,
    how: String,
    result: String,
}

/// The stored report's id.
#[derive(Serialize, ToSchema)]
pub(crate) struct AppliedCreated {
    id: i64,
}

#[utoipa::path(
    post,
    path = "/innovations/{id}/applied",
    operation_id = "reportApplied",
    tag = "innovations",
    summary = "รายงานการนำไปใช้ — Report having applied an innovation",
    params(("id" = i64, Path, description = "The innovation's item id")),
    request_body = AppliedBody,
    responses(
        (status = 201, description = "Recorded; the innovation's applied count went up", body = AppliedCreated),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
pub(crate) async fn applied(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AppliedBody>,
) -> Result<(StatusCode, Json<AppliedCreated>), ApiError> {
    let input = AppliedInput {
        province: body.province,
        place: body.place,
        how: body.how,
        result: body.result,
    };
    let id = state
        .core
        .report_applied(&caller.actor, id_of(&id)?, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(AppliedCreated { id })))
}
