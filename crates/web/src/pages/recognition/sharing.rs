//! `/sharing` and `/sharing.xlsx`: per-unit monthly sharing counts for executives. Counts of
//! units only; no person is named anywhere on it.

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
use khlang_core::recognition::sharing::{FIRST_YEAR, FISCAL_MONTHS, Monthly, SharingReport};
use khlang_core::report::ReportTable;
use khlang_core::text::fiscal_year_be;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sharing", get(page))
        .route("/sharing.xlsx", get(workbook))
}

#[derive(Deserialize, Default)]
struct SharingQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
}

/// A whole number as typed, Thai digits too; empty is None, junk is an error.
fn whole(s: &str) -> Result<Option<i64>, ()> {
    let s: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '๐'..='๙' => char::from(b'0' + (c as u32 - '๐' as u32) as u8),
            c => c,
        })
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>().map(Some).map_err(|_| ())
}

async fn report(
    state: &AppState,
    member: &Member,
    q: &SharingQuery,
) -> Result<SharingReport, WebError> {
    let unit = whole(&q.unit)
        .map_err(|_| WebError::BadRequest("หน่วยงานที่เลือกไม่ถูกต้อง".into()))?
        .map(UnitId);
    let year = whole(&q.year)
        .map_err(|_| WebError::BadRequest("ปีงบประมาณไม่ถูกต้อง".into()))?
        .map(|y| i32::try_from(y).unwrap_or(0));
    Ok(state
        .core
        .sharing_report(member.actor(), unit, year)
        .await?)
}

/// Which count of a row a table shows.
type Pick = fn(&Monthly) -> [u64; 12];

/// One table per measure: rows are the unit (its whole subtree) then each direct child.
fn tables(r: &SharingReport) -> Vec<ReportTable> {
    let measures: [(&str, Pick); 3] = [
        ("ผลงานที่เผยแพร่", |m| m.items),
        ("บทเรียนที่เผยแพร่ (แบบฟอร์มถอดบทเรียน)", |m| m.lessons),
        ("นวัตกรรมที่เผยแพร่", |m| m.innovations),
    ];
    measures
        .iter()
        .map(|(title, pick)| {
            ReportTable::monthly_by_unit(
                format!("{title} รายเดือน ปีงบประมาณ {}", r.fiscal_year),
                &FISCAL_MONTHS,
                r.rows
                    .iter()
                    .map(|row| (row.name.clone(), pick(&row.counts)))
                    .collect(),
            )
        })
        .collect()
}

struct Choice {
    id: i64,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "recognition/sharing.html")]
struct SharingPage {
    layout: Layout,
    unit_name: String,
    unit: i64,
    year: i32,
    choices: Vec<Choice>,
    years: Vec<(i32, bool)>,
    chart: String,
    empty: bool,
    tables: Vec<(String, TableView)>,
}

async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<SharingQuery>,
) -> Result<Response, WebError> {
    let r = report(&state, &member, &q).await?;
    let whole = &r.rows[0];
    let unit_name = whole.name.clone();
    let bars: Vec<Bar> = FISCAL_MONTHS
        .iter()
        .enumerate()
        .map(|(i, m)| Bar {
            label: (*m).to_string(),
            value: whole.counts.items[i],
            // Short enough to fit after the longest bar; lessons and innovations are in the tables.
            note: format!("{} เรื่อง", number(whole.counts.items[i])),
        })
        .collect();
    let chart = bar_chart(
        "sharing-months",
        &format!(
            "ผลงานที่เผยแพร่รายเดือน {unit_name} ปีงบประมาณ {}",
            r.fiscal_year
        ),
        "จำนวนผลงานที่เผยแพร่ในแต่ละเดือน รวมหน่วยงานในสังกัด (บทเรียนและนวัตกรรมอยู่ในตาราง)",
        &bars,
    );
    let current = fiscal_year_be(state.core.clock.now());
    let view = SharingPage {
        layout: Layout::new(
            "สถิติการแบ่งปัน",
            "sharing",
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
        chart,
        empty: whole.counts.items.iter().all(|n| *n == 0),
        tables: tables(&r)
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("sharing-table-{i}"), TableView::of(t)))
            .collect(),
        unit_name,
    };
    Ok(crate::caching::private(render(&view)))
}

async fn workbook(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<SharingQuery>,
) -> Result<Response, WebError> {
    let r = report(&state, &member, &q).await?;
    let tables = tables(&r);
    let bytes = sheets::xlsx(&[Sheet {
        name: "สถิติการแบ่งปัน",
        tables: tables.iter().collect(),
    }])
    .map_err(DomainError::from)?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX_MIME));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"sharing-{}-{}.xlsx\"",
        r.unit_id.0, r.fiscal_year
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(crate::caching::private(res))
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
