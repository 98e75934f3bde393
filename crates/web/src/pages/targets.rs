//! Targets (เป้าหมาย) per unit and fiscal year and their live progress, rolled up the tree:
//! `/targets?unit=&year=&category=` shows the unit's roll-up and a row per child (drill down
//! by the child's name), the officers' form that sets the children's targets in one table,
//! and the same table as XLSX.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiQuery as Query};
use crate::sheets;
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::ids::{TermId, UnitId};
use khlang_core::org::{Action, Actor, Target as Scope, UnitTree, authorize};
use khlang_core::planning::FiscalYear;
use khlang_core::planning::progress::TARGET_RULE;
use khlang_core::report::{Cell, Column, ColumnKind, ReportTable};
use khlang_core::targets::progress::SUBMITTED_RULE;
use khlang_core::targets::service::format_due;
use khlang_core::targets::{Progress, ProgressReport, TargetInput};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/targets", get(page).post(save))
        .route("/targets/export.xlsx", get(export))
}

#[derive(Deserialize, Default)]
struct TargetQuery {
    #[serde(default)]
    unit: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    done: String,
}

/// What the query asks for, checked: the unit (default: the highest unit the actor has a
/// role on), the fiscal year (default: the current one) and the category (default: all).
struct Selection {
    unit: UnitId,
    year: FiscalYear,
    category: Option<TermId>,
}

fn default_unit(tree: &UnitTree, actor: &Actor) -> Option<UnitId> {
    match actor {
        Actor::User(s) if s.site_admin => tree.children(None).next().map(|u| u.id),
        Actor::User(s) => s
            .grants
            .iter()
            .map(|(_, u)| *u)
            .min_by_key(|u| tree.path(*u).map(|p| p.0.len()).unwrap_or(usize::MAX)),
        Actor::Anonymous => None,
    }
}

async fn select(
    state: &AppState,
    actor: &Actor,
    unit: &str,
    year: &str,
    category: &str,
) -> Result<Selection, WebError> {
    let tree = state.core.unit_tree().await?;
    let unit = match khlang_core::text::arabic_digits(unit.trim()).parse::<i64>() {
        Ok(id) => UnitId(id),
        Err(_) if unit.trim().is_empty() => {
            default_unit(&tree, actor).ok_or(DomainError::Forbidden)?
        }
        Err(_) => return Err(DomainError::NotFound.into()),
    };
    let year = if year.trim().is_empty() {
        FiscalYear::of(state.core.clock.now())
    } else {
        FiscalYear::parse(year).map_err(|e| DomainError::Invalid(vec![e]))?
    };
    let category = match category.trim() {
        "" => None,
        c => Some(TermId(c.parse().map_err(|_| DomainError::NotFound)?)),
    };
    Ok(Selection {
        unit,
        year,
        category,
    })
}

/// A progress row as the table shows it.
struct RowView {
    /// The short name (สพอ.บางปะกง) where the unit has one; the full one as its title.
    name: String,
    full_name: String,
    /// Drill down to the unit's own page (children only).
    link: Option<String>,
    people: String,
    per_person: String,
    required: String,
    submitted: String,
    published: String,
    percent: String,
    due: String,
    /// "ช้า 5 วัน" when overdue.
    late: Option<String>,
}

fn row_view(tree: &UnitTree, p: &Progress, link: Option<String>) -> RowView {
    let unit = tree.get(p.unit_id);
    let full_name = unit
        .map(|u| u.name_th.as_str().to_string())
        .unwrap_or_default();
    let name = unit
        .and_then(|u| u.short_th.clone())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| full_name.clone());
    RowView {
        name,
        full_name,
        link,
        people: p
            .target
            .as_ref()
            .map(|t| number(t.people.into()))
            .unwrap_or_else(|| "—".into()),
        per_person: p
            .target
            .as_ref()
            .map(|t| number(t.items_per_person.into()))
            .unwrap_or_else(|| "—".into()),
        required: number(p.required),
        submitted: number(p.submitted),
        published: number(p.published),
        percent: p
            .percent()
            .map(|x| format!("{x}%"))
            .unwrap_or_else(|| "—".into()),
        due: p.due.map(format_due).unwrap_or_else(|| "—".into()),
        late: p.days_late.map(|d| format!("ช้า {} วัน", number(d as u64))),
    }
}

/// One row of the officers' form, as typed or as stored.
struct FormRow {
    unit_id: i64,
    name: String,
    own: bool,
    people: String,
    per_person: String,
    due: String,
    people_error: Option<String>,
    per_error: Option<String>,
    due_error: Option<String>,
}

#[derive(Template)]
#[template(path = "targets/page.html")]
struct TargetPage {
    layout: Layout,
    flash: Option<&'static str>,
    unit_id: i64,
    unit_name: String,
    unit_path: String,
    parent_link: Option<(String, String)>,
    year: i32,
    category: String,
    categories: Vec<(String, String)>,
    category_name: String,
    root: RowView,
    rows: Vec<RowView>,
    target_rule: &'static str,
    submitted_rule: &'static str,
    may_set: bool,
    form: Vec<FormRow>,
    errors: Errors,
    export_url: String,
}

fn query_string(s: &Selection) -> String {
    let mut q = format!("unit={}&year={}", s.unit, s.year);
    if let Some(c) = s.category {
        q.push_str(&format!("&category={c}"));
    }
    q
}

async fn categories(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    let v = state.core.vocabulary().await?;
    let Some(tax) = v.taxonomies.iter().find(|t| t.key == "category") else {
        return Ok(Vec::new());
    };
    Ok(v.terms
        .iter()
        .filter(|t| t.taxonomy_id == tax.id)
        .map(|t| (t.id.to_string(), t.label_th.clone()))
        .collect())
}

/// Builds the page; `typed` keeps a refused form as it was typed, with its errors.
async fn build(
    state: &AppState,
    member: &Member,
    sel: &Selection,
    typed: Option<(&[TargetInput], Errors)>,
    flash: Option<&'static str>,
) -> Result<TargetPage, WebError> {
    let actor = member.actor();
    let core = &state.core;
    let report: ProgressReport = core
        .target_progress_in(actor, sel.unit, sel.year, sel.category)
        .await?;
    let may_set = core.may_set_targets(actor, sel.unit).await?;
    let tree = core.unit_tree().await?;
    let unit = tree.get(sel.unit).ok_or(DomainError::NotFound)?;
    let cat_q = sel
        .category
        .map(|c| format!("&category={c}"))
        .unwrap_or_default();
    let rows: Vec<RowView> = report
        .children
        .iter()
        .map(|p| {
            row_view(
                &tree,
                p,
                Some(format!(
                    "/targets?unit={}&year={}{cat_q}",
                    p.unit_id, sel.year
                )),
            )
        })
        .collect();
    let parent_link = unit.parent_id.and_then(|p| {
        let path = tree.path(p).ok()?;
        authorize(actor, Action::ViewUnitContent, &Scope::Unit(path)).ok()?;
        Some((
            format!("/targets?unit={p}&year={}{cat_q}", sel.year),
            tree.get(p)?.name_th.as_str().to_string(),
        ))
    });
    let (typed, errors) = match typed {
        Some((t, e)) => (Some(t), e),
        None => (None, Errors::default()),
    };
    let mut form = Vec::new();
    if may_set {
        let progress = std::iter::once(&report.root).chain(report.children.iter());
        for (i, p) in progress.enumerate() {
            let stored = p.target.as_ref();
            // Errors are numbered by the row's place in what was posted.
            let typed_at = typed.and_then(|t| t.iter().position(|r| r.unit_id == p.unit_id));
            let typed_row = typed.zip(typed_at).map(|(t, at)| &t[at]);
            let (people, per_person, due) = match typed_row {
                Some(r) => (r.people.clone(), r.items_per_person.clone(), r.due.clone()),
                None => (
                    stored.map(|t| t.people.to_string()).unwrap_or_default(),
                    stored
                        .map(|t| t.items_per_person.to_string())
                        .unwrap_or_default(),
                    stored
                        .and_then(|t| t.due)
                        .map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()))
                        .unwrap_or_default(),
                ),
            };
            let err = |f: &str| {
                typed_at.and_then(|at| errors.get(&format!("rows.{at}.{f}")).map(str::to_string))
            };
            form.push(FormRow {
                unit_id: p.unit_id.0,
                name: tree
                    .get(p.unit_id)
                    .map(|u| u.name_th.as_str().to_string())
                    .unwrap_or_default(),
                own: i == 0,
                people,
                per_person,
                due,
                people_error: err("people"),
                per_error: err("items_per_person"),
                due_error: err("due"),
            });
        }
    }
    let categories = categories(state).await?;
    let category = sel.category.map(|c| c.to_string()).unwrap_or_default();
    let category_name = categories
        .iter()
        .find(|(id, _)| *id == category)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| "ทุกหมวดหมู่".into());
    Ok(TargetPage {
        layout: Layout::new(
            format!("เป้าหมายและความก้าวหน้า ปีงบประมาณ {}", sel.year),
            "targets",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        flash,
        unit_id: sel.unit.0,
        unit_name: unit.name_th.as_str().to_string(),
        unit_path: tree.display_path(sel.unit),
        parent_link,
        year: sel.year.be(),
        category,
        categories,
        category_name,
        root: row_view(&tree, &report.root, None),
        rows,
        target_rule: TARGET_RULE,
        submitted_rule: SUBMITTED_RULE,
        may_set,
        form,
        errors,
        export_url: format!("/targets/export.xlsx?{}", query_string(sel)),
    })
}

async fn page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<TargetQuery>,
) -> Result<Response, WebError> {
    let sel = select(&state, member.actor(), &q.unit, &q.year, &q.category).await?;
    let flash = (q.done == "1").then_some("บันทึกเป้าหมายแล้ว ความก้าวหน้าคำนวณใหม่จากองค์ความรู้ในคลังทันที");
    let page = build(&state, &member, &sel, None, flash).await?;
    let res = render(&page);
    Ok(if page.may_set {
        member.0.finish_form(res)
    } else {
        member.0.finish(res)
    })
}

/// The officers' form: `units` lists the rows' unit ids in order; each row's boxes are
/// `people_{id}`, `per_{id}` and `due_{id}`.
async fn save(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<TargetQuery>,
    ThaiForm(pairs): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    member.0.check_csrf(&field("csrf"))?;
    let unit = if q.unit.is_empty() {
        field("unit")
    } else {
        q.unit.clone()
    };
    let sel = select(
        &state,
        member.actor(),
        &unit,
        &field("year"),
        &field("category"),
    )
    .await?;
    let mut rows = Vec::new();
    for (k, v) in &pairs {
        if k != "units" {
            continue;
        }
        let Ok(id) = v.trim().parse::<i64>() else {
            return Err(DomainError::NotFound.into());
        };
        rows.push(TargetInput {
            unit_id: UnitId(id),
            people: field(&format!("people_{id}")),
            items_per_person: field(&format!("per_{id}")),
            due: field(&format!("due_{id}")),
        });
    }
    match state
        .core
        .set_targets(member.actor(), sel.unit, sel.year, sel.category, &rows)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/targets?{}&done=1", query_string(&sel))).into_response())
        }
        Err(DomainError::Invalid(errors)) => {
            let mut page =
                build(&state, &member, &sel, Some((&rows, Errors(errors))), None).await?;
            page.layout.title = format!("แก้ไขข้อมูล: {}", page.layout.title);
            Ok(member
                .0
                .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

/// The table as an XLSX workbook: the unit's children, then the roll-up as the total row.
async fn export(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<TargetQuery>,
) -> Result<Response, WebError> {
    let sel = select(&state, member.actor(), &q.unit, &q.year, &q.category).await?;
    let report = state
        .core
        .target_progress_in(member.actor(), sel.unit, sel.year, sel.category)
        .await?;
    let tree = state.core.unit_tree().await?;
    let name = |u: UnitId| {
        tree.get(u)
            .map(|x| x.name_th.as_str().to_string())
            .unwrap_or_default()
    };
    let cells = |label: String, p: &Progress| {
        vec![
            Cell::Text(label),
            Cell::Count(p.target.as_ref().map(|t| u64::from(t.people)).unwrap_or(0)),
            Cell::Count(
                p.target
                    .as_ref()
                    .map(|t| u64::from(t.items_per_person))
                    .unwrap_or(0),
            ),
            Cell::Count(p.required),
            Cell::Count(p.submitted),
            Cell::Count(p.published),
            Cell::Count(p.counted),
            Cell::Count(p.percent().map(u64::from).unwrap_or(0)),
            Cell::Text(p.due.map(format_due).unwrap_or_default()),
            Cell::Count(p.days_late.map(|d| d as u64).unwrap_or(0)),
        ]
    };
    let column = |heading: &str, kind| Column {
        heading: heading.into(),
        kind,
    };
    let table = ReportTable {
        title: format!(
            "เป้าหมายและความก้าวหน้า {} ปีงบประมาณ {} — {TARGET_RULE}",
            name(sel.unit),
            sel.year
        ),
        columns: vec![
            column("หน่วยงาน", ColumnKind::Label),
            column("จำนวนคน", ColumnKind::Count),
            column("เรื่องต่อคน", ColumnKind::Count),
            column("ต้องมี", ColumnKind::Count),
            column("ส่งแล้ว", ColumnKind::Count),
            column("เผยแพร่แล้ว", ColumnKind::Count),
            column("นับตามเป้า", ColumnKind::Count),
            column("ร้อยละ", ColumnKind::Count),
            column("ครบกำหนด", ColumnKind::Label),
            column("ช้า (วัน)", ColumnKind::Count),
        ],
        rows: report
            .children
            .iter()
            .map(|p| cells(name(p.unit_id), p))
            .collect(),
        total: Some(cells(format!("รวม {}", name(sel.unit)), &report.root)),
    };
    let bytes = sheets::xlsx(&[sheets::Sheet {
        name: "เป้าหมาย",
        tables: vec![&table],
    }])
    .map_err(DomainError::from)?;
    let file = format!("targets-unit{}-{}.xlsx", sel.unit, sel.year);
    Ok(member.0.finish(
        (
            [
                (header::CONTENT_TYPE, sheets::XLSX_MIME.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}\""),
                ),
            ],
            bytes,
        )
            .into_response(),
    ))
}
