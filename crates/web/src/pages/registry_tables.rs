//! The registry's tables: statistics `/innovations/statistics` (+ `.xlsx`, `.csv`) and the
//! import of an XLSX of the 7-section form `/innovations/import`.

use crate::AppState;
use crate::auth::Visitor;
use crate::charts;
use crate::error::WebError;
use crate::forms::ThaiQuery as Query;
use crate::sheets;
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::FieldError;
use khlang_core::ids::UnitId;
use khlang_core::registry_tables::{FiscalYear, Statistics, StatisticsFilter};
use khlang_core::report::{Cell, ReportTable};
use khlang_core::text::arabic_digits;
use serde::Deserialize;

mod import;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/innovations/statistics", get(statistics_page))
        .route("/innovations/statistics.xlsx", get(statistics_xlsx))
        .route("/innovations/statistics.csv", get(statistics_csv))
        .merge(import::routes())
}

/// The GET form's fields, as typed (parsed into a [`StatisticsFilter`] below).
#[derive(Debug, Default, Deserialize)]
struct StatisticsParams {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
}

impl StatisticsParams {
    /// The filter, or Thai errors at the fields that did not parse.
    async fn filter(&self, state: &AppState) -> Result<StatisticsFilter, Vec<FieldError>> {
        let mut errors = Vec::new();
        let subtree = match arabic_digits(self.unit.trim()).as_str() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(id) if matches!(state.core.unit_tree().await, Ok(t) if t.get(UnitId(id)).is_some()) => {
                    Some(UnitId(id))
                }
                _ => {
                    errors.push(FieldError::new(
                        "unit",
                        "ไม่พบหน่วยงานที่เลือก กรุณาเลือกจากรายการ",
                    ));
                    None
                }
            },
        };
        let fiscal_year = FiscalYear::parse_opt("year", &self.year).unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        if errors.is_empty() {
            Ok(StatisticsFilter {
                subtree,
                fiscal_year,
            })
        } else {
            Err(errors)
        }
    }

    /// The same filter as a query string for the download links.
    fn query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("unit", self.unit.trim())
            .append_pair("year", self.year.trim())
            .finish()
    }
}

/// A report table ready for the page: numbers with separators, numeric cells marked.
pub(crate) struct TableView {
    pub title: String,
    pub heads: Vec<String>,
    pub rows: Vec<Vec<(String, bool)>>,
    pub total: Vec<(String, bool)>,
}

impl TableView {
    pub(crate) fn of(t: &ReportTable) -> Self {
        let cells = |row: &Vec<Cell>| -> Vec<(String, bool)> {
            row.iter()
                .map(|c| match c {
                    Cell::Text(s) => (s.clone(), false),
                    Cell::Count(n) => (number(*n), true),
                    Cell::Percent(p) => (p.to_string(), true),
                })
                .collect()
        };
        Self {
            title: t.title.clone(),
            heads: t.columns.iter().map(|c| c.heading.clone()).collect(),
            rows: t.rows.iter().map(cells).collect(),
            total: t.total.as_ref().map(cells).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "registry_tables/statistics.html")]
struct StatisticsPage {
    layout: Layout,
    errors: Errors,
    year: String,
    units: Vec<(i64, String, bool)>,
    query: String,
    stats: Option<StatisticsView>,
}

struct StatisticsView {
    scope: String,
    total: String,
    applied: String,
    empty: bool,
    chart: String,
    by_branch: TableView,
    by_centre: TableView,
}

async fn statistics_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(params): Query<StatisticsParams>,
) -> Result<Response, WebError> {
    let tree = state.core.unit_tree().await?;
    let chosen = arabic_digits(params.unit.trim());
    let units = tree
        .walk()
        .into_iter()
        .filter(|(_, u)| !u.retired)
        .map(|(depth, u)| {
            (
                u.id.0,
                format!("{}{}", "\u{2003}".repeat(depth.min(6)), u.name_th.as_str()),
                u.id.0.to_string() == chosen,
            )
        })
        .collect();
    let (stats, errors) = match params.filter(&state).await {
        Ok(filter) => {
            let s = state.core.innovation_statistics(&filter).await?;
            (Some(view(&s)), Errors::default())
        }
        Err(errors) => (None, Errors(errors)),
    };
    let failed = errors.any();
    let page = StatisticsPage {
        layout: Layout::new(
            "สถิตินวัตกรรม",
            "innovations",
            visitor.session.as_ref(),
            visitor.csrf(),
        ),
        errors,
        year: params.year.clone(),
        units,
        query: params.query(),
        stats,
    };
    let res = render(&page);
    Ok(if failed {
        (StatusCode::UNPROCESSABLE_ENTITY, res).into_response()
    } else {
        visitor.finish(res)
    })
}

fn view(s: &Statistics) -> StatisticsView {
    let bars = charts::share_bars(&s.by_branch);
    StatisticsView {
        scope: s.scope.clone(),
        total: number(s.total),
        applied: number(s.applied),
        empty: s.total == 0,
        chart: charts::bar_chart(
            "by-branch",
            &s.by_branch.title,
            &format!(
                "แผนภูมิแท่งแนวนอน จำนวนนวัตกรรมแต่ละสาขา รวม {} ชิ้น ตัวเลขอยู่ในตารางใต้แผนภูมิ",
                number(s.total)
            ),
            &bars,
        ),
        by_branch: TableView::of(&s.by_branch),
        by_centre: TableView::of(&s.by_centre),
    }
}

/// The statistics of a download, or the Thai error page for a filter that does not parse.
async fn statistics_for(
    state: &AppState,
    params: &StatisticsParams,
) -> Result<Statistics, WebError> {
    let filter = params
        .filter(state)
        .await
        .map_err(|e| WebError::from(khlang_core::DomainError::Invalid(e)))?;
    Ok(state.core.innovation_statistics(&filter).await?)
}

fn download(body: Vec<u8>, mime: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// A file name that says what is inside: `innovation-statistics-2567.xlsx`.
fn file_name(params: &StatisticsParams, ext: &str) -> String {
    let year = arabic_digits(params.year.trim());
    let unit = arabic_digits(params.unit.trim());
    let mut name = String::from("innovation-statistics");
    if !unit.is_empty() {
        name.push_str(&format!("-unit{unit}"));
    }
    if !year.is_empty() {
        name.push_str(&format!("-{year}"));
    }
    format!("{name}.{ext}")
}

async fn statistics_xlsx(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(params): Query<StatisticsParams>,
) -> Result<Response, WebError> {
    let s = statistics_for(&state, &params).await?;
    let bytes = sheets::xlsx(&[
        sheets::Sheet {
            name: "ตามสาขา",
            tables: vec![&s.by_branch],
        },
        sheets::Sheet {
            name: "สาขา × สสม.",
            tables: vec![&s.by_centre],
        },
    ])
    .map_err(khlang_core::DomainError::from)?;
    Ok(visitor.finish(download(
        bytes,
        sheets::XLSX_MIME,
        &file_name(&params, "xlsx"),
    )))
}

async fn statistics_csv(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(params): Query<StatisticsParams>,
) -> Result<Response, WebError> {
    let s = statistics_for(&state, &params).await?;
    let bytes = sheets::csv(&[&s.by_branch, &s.by_centre]);
    Ok(visitor.finish(download(
        bytes,
        sheets::CSV_MIME,
        &file_name(&params, "csv"),
    )))
}
