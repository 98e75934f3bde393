//! The executive dashboard: one subtree, one fiscal year, one screen (`/dashboard`), and the
//! same numbers as a workbook (`/dashboard.xlsx`, one sheet per block).

use super::registry_tables::TableView;
use crate::AppState;
use crate::auth::Member;
use crate::charts::{self, Bar, ProgressBar};
use crate::error::WebError;
use crate::forms::ThaiQuery as Query;
use crate::sheets;
use crate::view::{Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::dashboard::Dashboard;
use khlang_core::dashboard::model::PercentRow;
use khlang_core::ids::UnitId;
use khlang_core::planning::FiscalYear;
use khlang_core::planning::progress::{PLAN_RULE, TARGET_RULE};
use khlang_core::report::{Cell, ReportTable};
use khlang_core::text::arabic_digits;
use khlang_core::{DomainError, FieldError};
use serde::Deserialize;
use unicode_segmentation::UnicodeSegmentation;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(page))
        .route("/dashboard.xlsx", get(workbook))
}

/// The GET form as typed: both empty for the defaults.
#[derive(Debug, Default, Deserialize)]
struct Params {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
}

impl Params {
    fn parse(&self) -> Result<(Option<UnitId>, Option<FiscalYear>), DomainError> {
        let mut errors = Vec::new();
        let unit = match arabic_digits(self.unit.trim()).as_str() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(id) => Some(UnitId(id)),
                Err(_) => {
                    errors.push(FieldError::new("unit", "กรุณาเลือกหน่วยงานจากรายการ"));
                    None
                }
            },
        };
        let year = match self.year.trim() {
            "" => None,
            s => match FiscalYear::parse(s) {
                Ok(y) => Some(y),
                Err(e) => {
                    errors.push(FieldError::new("year", e.message.clone()));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok((unit, year))
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

async fn load(state: &AppState, member: &Member, params: &Params) -> Result<Dashboard, WebError> {
    let (unit, year) = params.parse()?;
    Ok(state.core.dashboard(member.actor(), unit, year).await?)
}

/// A unit in the picker or a link.
struct UnitLink {
    id: i64,
    name: String,
    selected: bool,
}

/// One child's row of the drill-down table.
struct ChildView {
    id: i64,
    name: String,
    items: String,
    published: String,
    target: String,
    plan: String,
    level: String,
}

struct Block {
    empty: bool,
    charts: Vec<String>,
    /// Each table with its caption's id.
    tables: Vec<(String, TableView)>,
}

fn tables(prefix: &str, list: &[&ReportTable]) -> Vec<(String, TableView)> {
    list.iter()
        .enumerate()
        .map(|(n, t)| (format!("{prefix}-table-{}", n + 1), TableView::of(t)))
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard/page.html")]
struct Page {
    layout: Layout,
    scope: String,
    unit_id: i64,
    year: i32,
    ancestors: Vec<UnitLink>,
    choices: Vec<UnitLink>,
    years: Vec<(i32, bool)>,
    items_total: String,
    items_published: String,
    innovations_total: String,
    target_percent: String,
    own_level: u8,
    children: Vec<ChildView>,
    items: Block,
    innovations: Block,
    targets: Block,
    plans: Block,
    levels: Block,
    plan_rule: &'static str,
    target_rule: &'static str,
}

/// Chart labels stay on one line of a 390 px phone; the table beneath has them whole.
fn short(label: &str) -> String {
    const MAX: usize = 44;
    if label.graphemes(true).count() <= MAX {
        label.to_string()
    } else {
        let mut s: String = label.graphemes(true).take(MAX - 1).collect();
        s.push('…');
        s
    }
}

/// Bars of a published / not-published table: the row total, noted with the published part.
fn split_bars(t: &ReportTable) -> Vec<Bar> {
    t.rows
        .iter()
        .filter_map(|row| match row.as_slice() {
            [
                Cell::Text(label),
                Cell::Count(published),
                Cell::Count(_),
                Cell::Count(total),
            ] => Some(Bar {
                label: short(label),
                value: *total,
                note: format!("{} · เผยแพร่ {}", number(*total), number(*published)),
            }),
            _ => None,
        })
        .collect()
}

fn share_bars(t: &ReportTable) -> Vec<Bar> {
    charts::share_bars(t)
        .into_iter()
        .map(|b| Bar {
            label: short(&b.label),
            ..b
        })
        .collect()
}

fn progress_bars(rows: &[PercentRow]) -> Vec<ProgressBar> {
    rows.iter()
        .map(|r| ProgressBar {
            label: short(&r.label),
            percent: r.percent,
            note: r.note.clone(),
        })
        .collect()
}

fn percent_text(p: Option<u8>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "–".into())
}

fn view(d: &Dashboard, layout: Layout) -> Page {
    let scope = &d.scope;
    let i = &d.items;
    let items = Block {
        empty: i.total == 0,
        charts: vec![
            charts::bar_chart(
                "by-category",
                &i.by_category.title,
                "แผนภูมิแท่งแนวนอน จำนวนองค์ความรู้แต่ละหมวดหมู่ ตัวเลขอยู่ในตารางใต้แผนภูมิ",
                &split_bars(&i.by_category),
            ),
            charts::bar_chart(
                "by-type",
                &i.by_type.title,
                "แผนภูมิแท่งแนวนอน จำนวนองค์ความรู้แต่ละประเภท ตัวเลขอยู่ในตารางใต้แผนภูมิ",
                &split_bars(&i.by_type),
            ),
            charts::bar_chart(
                "by-status",
                &i.by_status.title,
                "แผนภูมิแท่งแนวนอน จำนวนและร้อยละขององค์ความรู้แต่ละสถานะ ตัวเลขอยู่ในตารางใต้แผนภูมิ",
                &share_bars(&i.by_status),
            ),
        ],
        tables: tables("items", &[&i.by_category, &i.by_type, &i.by_status]),
    };
    let innovations = Block {
        empty: d.innovations.total == 0,
        charts: vec![charts::bar_chart(
            "by-branch",
            &d.innovations.by_branch.title,
            &format!(
                "แผนภูมิแท่งแนวนอน จำนวนนวัตกรรมที่เผยแพร่แต่ละสาขา รวม {} ชิ้น ตัวเลขอยู่ในตารางใต้แผนภูมิ",
                number(d.innovations.total)
            ),
            &share_bars(&d.innovations.by_branch),
        )],
        tables: tables("innovations", &[&d.innovations.by_branch]),
    };
    let targets = Block {
        empty: d.targets.empty,
        charts: vec![charts::progress_chart(
            "targets",
            &d.targets.table.title,
            "แผนภูมิแท่ง ร้อยละตามเป้าหมายของแต่ละหน่วยงาน ตัวเลขอยู่ในตารางใต้แผนภูมิ",
            TARGET_RULE,
            &progress_bars(&d.targets.bars),
        )],
        tables: tables("targets", &[&d.targets.table]),
    };
    let plans = Block {
        empty: d.plans.empty,
        charts: vec![
            charts::bar_chart(
                "plan-status",
                &d.plans.by_status.title,
                "แผนภูมิแท่งแนวนอน จำนวนหน่วยงานย่อยตามสถานะแผน ตัวเลขอยู่ในตารางใต้แผนภูมิ",
                &share_bars(&d.plans.by_status),
            ),
            charts::progress_chart(
                "plan-percent",
                &d.plans.table.title,
                "แผนภูมิแท่ง ร้อยละความสำเร็จของแผนแต่ละหน่วยงาน ตัวเลขอยู่ในตารางใต้แผนภูมิ",
                PLAN_RULE,
                &progress_bars(&d.plans.bars),
            ),
        ],
        tables: tables("plans", &[&d.plans.by_status, &d.plans.table]),
    };
    let levels = Block {
        empty: d.levels.empty,
        charts: vec![charts::bar_chart(
            "levels",
            &d.levels.by_level.title,
            "แผนภูมิแท่งแนวนอน จำนวนหน่วยงานย่อยในแต่ละระดับความสำเร็จ ตัวเลขอยู่ในตารางใต้แผนภูมิ",
            &share_bars(&d.levels.by_level),
        )],
        tables: tables("levels", &[&d.levels.by_level, &d.levels.table]),
    };
    let children = d
        .children
        .iter()
        .map(|c| ChildView {
            id: c.unit.id.0,
            name: c.unit.name.clone(),
            items: number(c.items),
            published: number(c.published),
            target: percent_text(c.target.as_ref().and_then(|p| p.percent())),
            plan: match c.plan.as_ref().and_then(|p| p.plan) {
                Some((_, s)) => format!(
                    "{} · {}",
                    s.label_th(),
                    percent_text(c.plan.as_ref().and_then(|p| p.counts.percent()))
                ),
                None => khlang_core::dashboard::model::NO_PLAN.into(),
            },
            level: match c.level.map(|l| l.confirmed) {
                Some(l) if l > 0 => l.to_string(),
                _ => "–".into(),
            },
        })
        .collect();
    Page {
        layout,
        scope: scope.clone(),
        unit_id: d.unit.id.0,
        year: d.year.be(),
        ancestors: d
            .ancestors
            .iter()
            .map(|u| UnitLink {
                id: u.id.0,
                name: u.name.clone(),
                selected: false,
            })
            .collect(),
        choices: d
            .choices
            .iter()
            .map(|u| UnitLink {
                id: u.id.0,
                name: format!("{}{}", "\u{2003}".repeat(u.depth.min(6)), u.name),
                selected: u.id == d.unit.id,
            })
            .collect(),
        years: d.years.iter().map(|y| (y.be(), *y == d.year)).collect(),
        items_total: number(i.total),
        items_published: number(i.published),
        innovations_total: number(d.innovations.total),
        target_percent: percent_text(d.targets.root.percent()),
        own_level: d.levels.own,
        children,
        items,
        innovations,
        targets,
        plans,
        levels,
        plan_rule: PLAN_RULE,
        target_rule: TARGET_RULE,
    }
}

async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let d = load(&state, &member, &params).await?;
    let layout = Layout::new(
        "ภาพรวมผู้บริหาร",
        "dashboard",
        Some(member.ctx()),
        member.0.csrf(),
    );
    Ok(member.0.finish(render(&view(&d, layout))))
}

/// The workbook: one sheet per block, the same tables as the page.
pub fn workbook_bytes(d: &Dashboard) -> Result<Vec<u8>, sheets::SheetError> {
    sheets::xlsx(&[
        sheets::Sheet {
            name: "องค์ความรู้",
            tables: vec![
                &d.items.by_category,
                &d.items.by_type,
                &d.items.by_status,
                &d.items.by_child,
            ],
        },
        sheets::Sheet {
            name: "นวัตกรรม",
            tables: vec![&d.innovations.by_branch],
        },
        sheets::Sheet {
            name: "เป้าหมาย",
            tables: vec![&d.targets.table],
        },
        sheets::Sheet {
            name: "แผน",
            tables: vec![&d.plans.by_status, &d.plans.table],
        },
        sheets::Sheet {
            name: "ระดับความสำเร็จ",
            tables: vec![&d.levels.by_level, &d.levels.table],
        },
    ])
}

async fn workbook(
    State(state): State<AppState>,
    member: Member,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let d = load(&state, &member, &params).await?;
    let bytes = workbook_bytes(&d).map_err(DomainError::from)?;
    let name = format!("dashboard-unit{}-{}.xlsx", d.unit.id.0, d.year.be());
    Ok(member.0.finish(
        (
            [
                (header::CONTENT_TYPE, sheets::XLSX_MIME.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
    ))
}
