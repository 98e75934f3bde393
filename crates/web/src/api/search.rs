//! `GET /api/v1/search`: the results page as JSON, for anyone (each caller sees only what
//! they may read).

use super::items::Reader;
use crate::AppState;
use crate::error::ApiError;
use crate::pages::search::SearchParams;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

/// One result.
#[derive(Serialize, ToSchema)]
pub(crate) struct SearchHitJson {
    id: i64,
    title: String,
    /// HTML: the text is escaped and the query's words are wrapped in `<mark>`.
    snippet: String,
    score: f64,
    /// Contains every word of the query; otherwise a closest match shown after them.
    exact: bool,
    url: String,
}

/// A facet value and how many results have it.
#[derive(Serialize, ToSchema)]
pub(crate) struct FacetJson {
    /// The value to pass back as the filter parameter.
    value: String,
    label: String,
    count: usize,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct FacetsJson {
    category: Vec<FacetJson>,
    unit: Vec<FacetJson>,
    year: Vec<FacetJson>,
    #[serde(rename = "type")]
    knowledge_type: Vec<FacetJson>,
    format: Vec<FacetJson>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SearchJson {
    /// The query as understood (normalised).
    query: String,
    total: usize,
    /// More than `total` matched; counts cover the best of them.
    more: bool,
    page: u64,
    per_page: u64,
    hits: Vec<SearchHitJson>,
    facets: FacetsJson,
    /// The query was cut to its first 200 characters.
    truncated: bool,
    /// A corrected query ("did you mean"), when no hit contains every word and the query
    /// looks misspelt.
    suggestion: Option<String>,
}

/// Query parameters of `GET /api/v1/search` (all optional; unknown values are ignored).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct SearchQueryDoc {
    /// What to look for: words (Thai needs no spaces), `"a phrase"`, `-excluded`, `prefix*`.
    q: Option<String>,
    /// From 1.
    page: Option<u64>,
    /// 1–50, default 10.
    per_page: Option<u64>,
    /// A term id (from `facets.category`).
    category: Option<i64>,
    /// A unit id; includes the units below it.
    unit: Option<i64>,
    /// Fiscal year in พ.ศ. (a ค.ศ. year is converted).
    year: Option<i32>,
    /// explicit | tacit | external | innovation
    #[param(rename = "type")]
    kind: Option<String>,
    /// pdf | word | excel | power_point | open_document | image | video | audio | zip
    format: Option<String>,
}

/// ค้นหาองค์ความรู้ — Search published knowledge
#[utoipa::path(
    get,
    path = "/search",
    tag = "search",
    params(SearchQueryDoc),
    responses(
        (status = 200, description = "Results, facets and snippets", body = SearchJson),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    Reader(actor): Reader,
    crate::forms::ApiQuery(params): crate::forms::ApiQuery<SearchParams>,
) -> Result<Json<SearchJson>, ApiError> {
    let request = params.request(&state.core).await?;
    let r = state.core.search(&actor, &request).await?;
    let tree = state.core.unit_tree().await?;
    let vocab = state.core.vocabulary().await?;
    let facet = |value: String, label: String, count: usize| FacetJson {
        value,
        label,
        count,
    };
    let f = &r.facets;
    let facets = FacetsJson {
        category: f
            .category
            .iter()
            .map(|(t, n)| {
                let label = vocab
                    .terms
                    .iter()
                    .find(|x| x.id == *t)
                    .map(|x| x.label_th.clone())
                    .unwrap_or_default();
                facet(t.0.to_string(), label, *n)
            })
            .collect(),
        unit: f
            .unit
            .iter()
            .map(|(u, n)| {
                let label = tree
                    .get(*u)
                    .map(|u| u.name_th.as_str().to_string())
                    .unwrap_or_default();
                facet(u.0.to_string(), label, *n)
            })
            .collect(),
        year: f
            .year
            .iter()
            .map(|(y, n)| facet(y.to_string(), y.to_string(), *n))
            .collect(),
        knowledge_type: f
            .knowledge_type
            .iter()
            .map(|(k, n)| facet(k.as_str().into(), k.label_th().into(), *n))
            .collect(),
        format: f
            .format
            .iter()
            .map(|(k, n)| facet(k.as_str().into(), k.label_th().into(), *n))
            .collect(),
    };
    Ok(Json(SearchJson {
        query: r.query.text.clone(),
        total: r.total,
        more: r.more,
        page: r.page,
        per_page: r.per_page,
        truncated: r.query.truncated,
        suggestion: r.suggestion.clone(),
        hits: r
            .hits
            .iter()
            .map(|h| SearchHitJson {
                id: h.id.0,
                title: h.title.clone(),
                snippet: h.snippet.to_html(),
                score: h.score,
                exact: h.exact,
                url: format!("/items/{}", h.id.0),
            })
            .collect(),
        facets,
    }))
}
