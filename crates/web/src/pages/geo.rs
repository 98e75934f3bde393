//! Geography in the web layer: the place picker (จังหวัด → อำเภอ → ตำบล → หมู่ที่) that any
//! form embeds, and the JSON lookups its type-ahead uses.
//!
//! # Embedding the place picker in a form
//! 1. Choose a prefix for the field names, e.g. `entry.s1.place`. The picker posts
//!    `{prefix}.province`, `{prefix}.district`, `{prefix}.subdistrict`, `{prefix}.village_no`,
//!    `{prefix}.village`, and — when someone without JavaScript presses "เลือก" to get the
//!    next level's list — `{prefix}.pick`.
//! 2. Take the body as pairs (`ThaiForm<Vec<(String, String)>>`) and read the draft:
//!    `let draft = PlaceDraft::from_pairs(prefix, pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));`
//! 3. If [`picking`]`(prefix, &pairs)`, save nothing: render the same form again with
//!    `PlacePicker::new(prefix, "ที่อยู่", draft)` — it now lists the chosen province's
//!    districts (and the district's subdistricts).
//! 4. Otherwise parse: `draft.parse(prefix, required)` gives `Option<Place>` or a
//!    [`FieldError`] at `{prefix}.province` / `.district` / `.subdistrict` / `.village_no`;
//!    show it again with `.errors(&errors)`.
//! 5. In the template: `{{ picker.html()|safe }}` (the picker escapes everything itself),
//!    and once per page `<script src="/static/geo.js" defer></script>` for the cascading
//!    selects and type-ahead with JavaScript on (the page works without it).

use crate::AppState;
use crate::error::ApiError;
use crate::forms::ApiQuery;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::FieldError;
use khlang_core::geo::{DistrictCode, Gazetteer, PlaceDraft, ProvinceCode, SubdistrictCode};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/geo/provinces", get(provinces))
        .route("/geo/districts", get(districts))
        .route("/geo/subdistricts", get(subdistricts))
        .route("/geo/search", get(search))
}

/// One `<option>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The place picker's view model; render with [`PlacePicker::html`].
#[derive(Debug, Clone, Template)]
#[template(path = "geo/place_picker.html")]
pub struct PlacePicker {
    pub prefix: String,
    /// The prefix as an HTML id (dots become hyphens).
    pub id: String,
    pub label: String,
    pub help: String,
    pub required: bool,
    pub village_no: String,
    pub village: String,
    pub provinces: Vec<Opt>,
    pub districts: Vec<Opt>,
    pub subdistricts: Vec<Opt>,
    /// Errors by part: province, district, subdistrict, village_no, village.
    errors: Vec<(String, String)>,
}

/// True when the form was sent by the picker's "เลือก" button (without JavaScript): show
/// the form again with the next level's list and save nothing.
pub fn picking(prefix: &str, pairs: &[(String, String)]) -> bool {
    let key = format!("{prefix}.pick");
    pairs.iter().any(|(k, _)| *k == key)
}

/// A form's body pairs as `(&str, &str)`, for the `from_pairs` parsers.
pub fn pairs_ref(pairs: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> + Clone {
    pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

impl PlacePicker {
    /// The picker for `prefix`, showing `draft` (empty for a new form): the provinces, and the
    /// districts and subdistricts under what is chosen.
    pub fn new(prefix: &str, label: &str, draft: &PlaceDraft) -> Self {
        let g = Gazetteer::get();
        let province = ProvinceCode::parse(&draft.province)
            .ok()
            .filter(|p| g.province(*p).is_some());
        let district = DistrictCode::parse(&draft.district)
            .ok()
            .filter(|d| Some(d.province()) == province);
        let subdistrict = SubdistrictCode::parse(&draft.subdistrict)
            .ok()
            .filter(|s| Some(s.district()) == district);
        Self {
            prefix: prefix.to_string(),
            id: prefix.replace('.', "-"),
            label: label.to_string(),
            help: String::new(),
            required: false,
            village_no: draft.village_no.clone(),
            village: draft.village.clone(),
            provinces: g
                .provinces_by_name()
                .into_iter()
                .map(|p| Opt {
                    value: p.code.to_string(),
                    label: p.name_th.to_string(),
                    selected: Some(p.code) == province,
                })
                .collect(),
            districts: province
                .map(|p| {
                    g.districts_of(p)
                        .iter()
                        .map(|d| Opt {
                            value: d.code.to_string(),
                            label: d.name_th.to_string(),
                            selected: Some(d.code) == district,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            subdistricts: district
                .map(|d| {
                    g.subdistricts_of(d)
                        .iter()
                        .map(|s| Opt {
                            value: s.code.to_string(),
                            label: s.name_th.to_string(),
                            selected: Some(s.code) == subdistrict,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            errors: Vec::new(),
        }
    }

    pub fn help(mut self, help: &str) -> Self {
        self.help = help.to_string();
        self
    }

    #[allow(dead_code)] // for forms with a required place (h/forms)
    pub fn required(mut self, required: bool) -> Self {
        self.required = required;
        self
    }

    /// Shows the errors among `errors` whose field is `{prefix}` or `{prefix}.{part}`.
    pub fn errors(mut self, errors: &[FieldError]) -> Self {
        for e in errors {
            let part = if e.field == self.prefix {
                Some("province")
            } else {
                e.field
                    .strip_prefix(self.prefix.as_str())
                    .and_then(|r| r.strip_prefix('.'))
            };
            if let Some(part) = part {
                self.errors.push((part.to_string(), e.message.clone()));
            }
        }
        self
    }

    pub fn error(&self, part: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(p, _)| p == part)
            .map(|(_, m)| m.as_str())
    }

    #[allow(dead_code)] // for forms that summarise errors (h/forms)
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The picker's HTML, escaped by its template: embed with `{{ picker.html()|safe }}`.
    pub fn html(&self) -> String {
        self.render().unwrap_or_else(|e| {
            tracing::error!(error = %e, "place picker failed to render");
            String::new()
        })
    }
}

#[derive(Serialize)]
struct Area {
    code: String,
    name: String,
}

fn cached<T: Serialize>(v: T) -> Response {
    let mut res = Json(v).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}

/// `GET /geo/provinces`: every province, by Thai name.
async fn provinces() -> Response {
    let g = Gazetteer::get();
    cached(
        g.provinces_by_name()
            .into_iter()
            .map(|p| Area {
                code: p.code.to_string(),
                name: p.name_th.to_string(),
            })
            .collect::<Vec<_>>(),
    )
}

#[derive(Deserialize)]
struct ProvinceQuery {
    #[serde(default)]
    province: String,
}

/// `GET /geo/districts?province=40`: the province's districts (an empty list when unknown).
async fn districts(ApiQuery(q): ApiQuery<ProvinceQuery>) -> Result<Response, ApiError> {
    let code = ProvinceCode::parse(&q.province)
        .map_err(|m| ApiError::from(DomainError::invalid("province", m)))?;
    Ok(cached(
        Gazetteer::get()
            .districts_of(code)
            .iter()
            .map(|d| Area {
                code: d.code.to_string(),
                name: d.name_th.to_string(),
            })
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize)]
struct DistrictQuery {
    #[serde(default)]
    district: String,
}

/// `GET /geo/subdistricts?district=4001`: the district's subdistricts.
async fn subdistricts(ApiQuery(q): ApiQuery<DistrictQuery>) -> Result<Response, ApiError> {
    let code = DistrictCode::parse(&q.district)
        .map_err(|m| ApiError::from(DomainError::invalid("district", m)))?;
    Ok(cached(
        Gazetteer::get()
            .subdistricts_of(code)
            .iter()
            .map(|s| Area {
                code: s.code.to_string(),
                name: s.name_th.to_string(),
            })
            .collect::<Vec<_>>(),
    ))
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// `GET /geo/search?q=ในเมือง`: up to 15 areas whose name starts with the text, each with its
/// province, district and subdistrict codes and a label, for the type-ahead.
async fn search(ApiQuery(q): ApiQuery<SearchQuery>) -> Result<Response, ApiError> {
    if q.q.chars().count() > 100 {
        return Err(DomainError::invalid("q", "คำค้นยาวเกิน 100 ตัวอักษร").into());
    }
    Ok(cached(Gazetteer::get().search(&q.q, 15)))
}
