//! `/stats` and `/stats.xlsx` (สถิติการใช้งาน): views and downloads of a unit's knowledge per
//! month of a fiscal year, the unit and each direct child rolled up over its subtree, and the
//! most read items. Counts only: nobody who read anything is named or kept.

use crate::AppState;
use crate::auth::Member;
use crate::charts::{Bar, bar_chart};
use crate::error::WebError;
use crate::forms::ThaiQuery as Query;
use crate::pages::registry_tables::TableView;
use crate::sheets::{self, Sheet, XLSX_MIME};
use crate::view::{Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::ids::UnitId;
use khlang_core::recognition::sharing::{FIRST_YEAR, FISCAL_MONTHS};
use khlang_core::report::{Cell, Column, ColumnKind, ReportTable};
use khlang_core::text::{arabic_digits, fiscal_year_be};
use khlang_core::usage::{MonthlyUse, UsageReport};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/stats", get(page))
        .route("/stats.xlsx", get(workbook))
}

#[derive(Deserialize, Default)]
struct StatsQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
}

/// A whole number as typed, Thai digits too; empty is None, junk is an error.
fn whole(s: &str) -> Result<Option<i64>, ()> {
    let s = arabic_digits(s.trim());
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>().map(Some).map_err(|_| ())
}

async fn report(
    state: &AppState,
    member: &Member,
    q: &StatsQuery,
) -> Result<UsageReport, WebError> {
    let unit = whole(&q.unit)
        .map_err(|_| WebError::BadRequest("หน่วยงานที่เลือกไม่ถูกต้อง".into()))?
        .map(UnitId);
    let year = whole(&q.year)
        .map_err(|_| WebError::BadRequest("ปีงบประมาณไม่ถูกต้อง".into()))?
        .map(|y| i32::try_from(y).unwrap_or(0));
    Ok(state.core.usage_report(member.actor(), unit, year).await?)
}

/// Which count of a row a table shows.
type Pick = fn(&MonthlyUse) -> [u64; 12];

/// The monthly tables (views, downloads: rows are the unit, then each direct child) and the
/// top items' table.
fn tables(r: &UsageReport, unit_names: &dyn Fn(UnitId) -> String) -> Vec<ReportTable> {
    let measures: [(&str, Pick); 2] = [
        ("การเปิดอ่านองค์ความรู้", |m| m.views),
        ("การดาวน์โหลดไฟล์", |m| {
            m.downloads
        }),
    ];
    let mut out: Vec<ReportTable> = measures
        .iter()
        .map(|(title, pick)| {
            ReportTable::monthly_by_unit(
                format!("{title} (ครั้ง) รายเดือน ปีงบประมาณ {}", r.fiscal_year),
                &FISCAL_MONTHS,
                r.rows
                    .iter()
                    .map(|row| (row.name.clone(), pick(&row.counts)))
                    .collect(),
            )
        })
        .collect();
    let col = |h: &str, kind| Column {
        heading: h.into(),
        kind,
    };
    out.push(ReportTable {
        title: format!("องค์ความรู้ที่มีผู้เปิดอ่านมากที่สุด ปีงบประมาณ {}", r.fiscal_year),
        columns: vec![
            col("ชื่อเรื่อง", ColumnKind::Label),
            col("หน่วยงาน", ColumnKind::Label),
            col("เปิดอ่าน (ครั้ง)", ColumnKind::Count),
            col("ดาวน์โหลด (ครั้ง)", ColumnKind::Count),
        ],
        rows: r
            .top
            .iter()
            .map(|t| {
                vec![
                    Cell::Text(t.title.clone()),
                    Cell::Text(unit_names(t.unit_id)),
                    Cell::Count(t.views),
                    Cell::Count(t.downloads),
                ]
            })
            .collect(),
        total: None,
    });
    out
}

struct Choice {
    id: i64,
    name: String,
    selected: bool,
}

struct TopRow {
    id: i64,
    title: String,
    unit: String,
    views: String,
    downloads: String,
}

#[derive(Template)]
#[template(path = "usage/stats.html")]
struct StatsPage {
    layout: Layout,
    unit_name: String,
    unit: i64,
    year: i32,
    choices: Vec<Choice>,
    years: Vec<(i32, bool)>,
    total_views: String,
    total_downloads: String,
    chart: String,
    units_chart: Option<String>,
    empty: bool,
    tables: Vec<(String, TableView)>,
    top: Vec<TopRow>,
}

async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let r = report(&state, &member, &q).await?;
    let tree = state.core.unit_tree().await?;
    let unit_names = |u: UnitId| {
        tree.get(u)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default()
    };
    let whole = &r.rows[0];
    let unit_name = whole.name.clone();
    let bars: Vec<Bar> = FISCAL_MONTHS
        .iter()
        .enumerate()
        .map(|(i, m)| Bar {
            label: (*m).to_string(),
            value: whole.counts.views[i],
            note: format!("{} ครั้ง", number(whole.counts.views[i])),
        })
        .collect();
    let chart = bar_chart(
        "stats-months",
        &format!("การเปิดอ่านรายเดือน {unit_name} ปีงบประมาณ {}", r.fiscal_year),
        "จำนวนครั้งที่เปิดอ่านองค์ความรู้ในแต่ละเดือน รวมหน่วยงานในสังกัด (การดาวน์โหลดอยู่ในตาราง)",
        &bars,
    );
    let children: Vec<Bar> = r
        .rows
        .iter()
        .skip(1)
        .map(|row| Bar {
            label: row.name.clone(),
            value: row.counts.total_views(),
            note: format!("{} ครั้ง", number(row.counts.total_views())),
        })
        .collect();
    let units_chart = (!children.is_empty()).then(|| {
        bar_chart(
            "stats-units",
            &format!("การเปิดอ่านแยกตามหน่วยงานในสังกัด ปีงบประมาณ {}", r.fiscal_year),
            "จำนวนครั้งที่เปิดอ่านทั้งปีของแต่ละหน่วยงานในสังกัดโดยตรง รวมหน่วยงานย่อยของแต่ละแห่ง",
            &children,
        )
    });
    let current = fiscal_year_be(state.core.clock.now());
    let all_tables = tables(&r, &unit_names);
    let view = StatsPage {
        layout: Layout::new(
            "สถิติการใช้งาน",
            "stats",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        unit: r.unit_id.0,
        year: r.fiscal_year,
        choices: r
            .choices
            .iter()
            .map(|(id, name)| Choice {
                id: id.0,
                name: name.clone(),
                selected: *id == r.unit_id,
            })
            .collect(),
        years: (FIRST_YEAR..=current)
            .rev()
            .map(|y| (y, y == r.fiscal_year))
            .collect(),
        total_views: number(whole.counts.total_views()),
        total_downloads: number(whole.counts.total_downloads()),
        chart,
        units_chart,
        empty: whole.counts.total_views() == 0 && whole.counts.total_downloads() == 0,
        // The monthly tables; the top items are shown with links below them.
        tables: all_tables
            .iter()
            .take(2)
            .enumerate()
            .map(|(i, t)| (format!("stats-table-{i}"), TableView::of(t)))
            .collect(),
        top: r
            .top
            .iter()
            .map(|t| TopRow {
                id: t.item_id.0,
                title: t.title.clone(),
                unit: unit_names(t.unit_id),
                views: number(t.views),
                downloads: number(t.downloads),
            })
            .collect(),
        unit_name,
    };
    Ok(crate::caching::private(render(&view)))
}

async fn workbook(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let r = report(&state, &member, &q).await?;
    let tree = state.core.unit_tree().await?;
    let unit_names = |u: UnitId| {
        tree.get(u)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default()
    };
    let tables = tables(&r, &unit_names);
    let bytes = sheets::xlsx(&[Sheet {
        name: "สถิติการใช้งาน",
        tables: tables.iter().collect(),
    }])
    .map_err(DomainError::from)?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX_MIME));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"stats-{}-{}.xlsx\"",
        r.unit_id.0, r.fiscal_year
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(crate::caching::private(res))
}

/// A line of a home page list: a link, where it comes from, and its count.
pub(crate) struct RankRow {
    pub href: String,
    pub title: String,
    pub unit: String,
    pub note: String,
}

/// The home page's "อ่านมากที่สุด" (views over the last 90 days) and "นำไปใช้มากที่สุด"
/// (innovations with the most applied reports) lists, of what this visitor may read. A list
/// that cannot be read is logged and shown empty: the home page is never lost over it.
pub(crate) async fn home_lists(
    state: &AppState,
    actor: &khlang_core::org::Actor,
    tree: &khlang_core::org::UnitTree,
) -> (Vec<RankRow>, Vec<RankRow>) {
    const SHOWN: u64 = 5;
    let unit = |u: UnitId| {
        tree.get(u)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default()
    };
    let read = match state.core.most_read(actor, SHOWN).await {
        Ok(list) => list
            .into_iter()
            .map(|i| RankRow {
                href: format!("/items/{}", i.item_id),
                title: i.title,
                unit: unit(i.unit_id),
                note: format!("เปิดอ่าน {} ครั้ง", number(i.views)),
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "could not list the most read items");
            Vec::new()
        }
    };
    let applied = match state.core.most_applied_innovations(actor, SHOWN).await {
        Ok(list) => list
            .into_iter()
            .map(|i| RankRow {
                href: format!("/innovations/{}", i.item_id),
                title: i.title,
                unit: unit(i.unit_id),
                note: format!("นำไปใช้ {} ครั้ง", number(i.applied_count)),
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, "could not list the most applied innovations");
            Vec::new()
        }
    };
    (read, applied)
}

#[cfg(test)]
mod tests {
    use super::whole;

    #[test]
    fn numbers_take_thai_digits_and_refuse_junk() {
        assert_eq!(whole("๒๕๖๙"), Ok(Some(2569)));
        assert_eq!(whole(" 12 "), Ok(Some(12)));
        assert_eq!(whole(""), Ok(None));
        assert!(whole("1;drop").is_err());
    }
}
