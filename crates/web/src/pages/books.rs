//! `/books/new`: choosing items for a knowledge book (หนังสือองค์ความรู้), ordering them
//! and queuing the PDF. Without JavaScript: every button posts the whole form (the chosen ids
//! in order) and the page comes back with the change; "สร้างหนังสือ" queues the job and goes
//! to its progress page.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiQuery as Query;
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::FieldError;
use khlang_core::books::model::{add_items, item_ids, parse_id, too_many};
use khlang_core::books::{BookEntry, BookForm, MAX_ITEMS, Reorder, Selection};
use khlang_core::ids::{ItemId, PlanId, TermId, UnitId};
use khlang_core::text::thai_digits;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/books/new", get(new_page).post(post_form))
}

/// One chosen item as listed: its place, id, and what it is (None: may not be printed).
struct Row {
    n: usize,
    id: i64,
    entry: Option<BookEntry>,
}

#[derive(Template)]
#[template(path = "books/new.html")]
struct NewBook {
    layout: Layout,
    form: BookForm,
    sel: SelectionForm,
    units: Vec<(i64, String)>,
    all_units: Vec<(i64, String)>,
    terms: Vec<(i64, String)>,
    plans: Vec<(i64, String)>,
    rows: Vec<Row>,
    /// Found by the selection, not yet chosen; None before a search.
    found: Option<Vec<BookEntry>>,
    found_more: bool,
    errors: Errors,
    notice: Option<String>,
    max: String,
}

/// The selection part of the form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
struct SelectionForm {
    #[serde(default)]
    sel_term: String,
    #[serde(default)]
    sel_unit: String,
    #[serde(default)]
    sel_subunits: String,
    #[serde(default)]
    sel_year: String,
    #[serde(default)]
    sel_plan: String,
    #[serde(default)]
    sel_text: String,
}

impl SelectionForm {
    fn selection(&self) -> Selection {
        Selection {
            term: parse_id(&self.sel_term).map(TermId),
            unit: parse_id(&self.sel_unit).map(UnitId),
            subunits: !self.sel_subunits.is_empty(),
            fiscal_year: khlang_core::text::arabic_digits(self.sel_year.trim())
                .parse::<i32>()
                .ok(),
            plan: parse_id(&self.sel_plan).map(PlanId),
            text: self.sel_text.trim().chars().take(200).collect(),
        }
    }
}

fn pairs(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first(pairs: &[(String, String)], key: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn all(pairs: &[(String, String)], key: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect()
}

async fn page(
    state: &AppState,
    member: &Member,
    form: BookForm,
    sel: SelectionForm,
    found: Option<Vec<BookEntry>>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<NewBook, WebError> {
    let actor = member.actor();
    let units: Vec<(i64, String)> = state
        .core
        .book_units(actor)
        .await?
        .into_iter()
        .map(|(id, n)| (id.0, n))
        .collect();
    let tree = state.core.unit_tree().await?;
    let all_units = tree
        .walk()
        .into_iter()
        .filter(|(_, u)| !u.retired)
        .map(|(depth, u)| {
            (
                u.id.0,
                format!("{}{}", "— ".repeat(depth), u.name_th.as_str()),
            )
        })
        .collect();
    let vocab = state.core.vocabulary().await?;
    let terms = vocab
        .taxonomies
        .iter()
        .filter(|t| t.key == "category")
        .flat_map(|t| vocab.terms_of(t.id))
        .filter(|t| !t.retired)
        .map(|t| (t.id.0, t.label_th.clone()))
        .collect();
    let plans = state
        .core
        .book_plans(actor)
        .await?
        .into_iter()
        .map(|(id, l)| (id.0, l))
        .collect();
    let ids = item_ids(&form.items);
    let mut errors = errors;
    if ids.len() > MAX_ITEMS && !errors.iter().any(|e| e.field == "items") {
        errors.push(too_many(ids.len()));
    }
    let rows = state
        .core
        .book_entries(actor, &ids)
        .await?
        .into_iter()
        .enumerate()
        .map(|(i, (id, entry))| Row {
            n: i + 1,
            id: id.0,
            entry,
        })
        .collect();
    let (found, found_more) = match found {
        Some(mut f) => {
            f.retain(|e| !ids.contains(&e.id));
            let more = f.len() > MAX_ITEMS;
            f.truncate(MAX_ITEMS);
            (Some(f), more)
        }
        None => (None, false),
    };
    Ok(NewBook {
        layout: Layout::new(
            "สร้างหนังสือองค์ความรู้",
            "books",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        form,
        sel,
        units,
        all_units,
        terms,
        plans,
        rows,
        found,
        found_more,
        errors: Errors(errors),
        notice,
        max: thai_digits(&MAX_ITEMS.to_string()),
    })
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    plan: String,
}

/// `GET /books/new` (`?plan=ID` starts from a KM plan's evidence).
async fn new_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let sel = SelectionForm {
        sel_plan: q.plan.clone(),
        sel_subunits: "on".into(),
        ..Default::default()
    };
    let found = if parse_id(&q.plan).is_some() {
        Some(
            state
                .core
                .book_candidates(member.actor(), &sel.selection())
                .await?,
        )
    } else {
        None
    };
    let units = state.core.book_units(member.actor()).await?;
    let form = BookForm {
        title: "หนังสือองค์ความรู้".into(),
        unit_id: units.first().map(|u| u.0.0.to_string()).unwrap_or_default(),
        paper: "a4".into(),
        digits: "thai".into(),
        ..Default::default()
    };
    let p = page(&state, &member, form, sel, found, Vec::new(), None).await?;
    Ok(render(&p))
}

/// `POST /books/new`: one button's work (find, add, move, renumber, remove, build).
async fn post_form(
    State(state): State<AppState>,
    member: Member,
    body: String,
) -> Result<Response, WebError> {
    let p = pairs(&body);
    member.0.check_csrf(&first(&p, "csrf"))?;
    let mut form = BookForm {
        title: first(&p, "title"),
        subtitle: first(&p, "subtitle"),
        foreword: first(&p, "foreword"),
        unit_id: first(&p, "unit_id"),
        fiscal_year: first(&p, "fiscal_year"),
        paper: first(&p, "paper"),
        digits: first(&p, "digits"),
        items: Vec::new(),
    };
    let mut ids: Vec<ItemId> = item_ids(&all(&p, "item"));
    let sel = SelectionForm {
        sel_term: first(&p, "sel_term"),
        sel_unit: first(&p, "sel_unit"),
        sel_subunits: first(&p, "sel_subunits"),
        sel_year: first(&p, "sel_year"),
        sel_plan: first(&p, "sel_plan"),
        sel_text: first(&p, "sel_text"),
    };
    let action = first(&p, "action");
    let mut found = None;
    let mut notice = None;
    let mut errors = Vec::new();
    match action.as_str() {
        "find" => {
            let s = sel.selection();
            if s.is_empty() {
                errors.push(FieldError::new(
                    "selection",
                    "กรุณาเลือกเงื่อนไขอย่างน้อย ๑ อย่าง หรือพิมพ์คำค้น",
                ));
            } else {
                found = Some(state.core.book_candidates(member.actor(), &s).await?);
            }
        }
        "add" => {
            let picked = item_ids(&all(&p, "pick"));
            let before = ids.len();
            add_items(&mut ids, &picked);
            notice = Some(format!(
                "เพิ่ม {} เรื่องแล้ว",
                thai_digits(&(ids.len() - before).to_string())
            ));
        }
        "renumber" => Reorder::ByNumbers(all(&p, "order")).apply(&mut ids),
        "build" => {
            form.items = ids.iter().map(|i| i.0.to_string()).collect();
            let base = state.config.public_base_url.clone();
            match state.core.queue_book(member.actor(), &form, &base).await {
                Ok(job) => return Ok(Redirect::to(&format!("/jobs/{}", job.id)).into_response()),
                Err(DomainError::Invalid(e)) => errors = e,
                Err(e) => return Err(e.into()),
            }
        }
        other => {
            if let Some(r) = Reorder::parse_button(other) {
                r.apply(&mut ids);
            }
        }
    }
    form.items = ids.iter().map(|i| i.0.to_string()).collect();
    let failed = !errors.is_empty();
    let view = page(&state, &member, form, sel, found, errors, notice).await?;
    let res = render(&view);
    Ok(if failed {
        (StatusCode::UNPROCESSABLE_ENTITY, res).into_response()
    } else {
        res
    })
}
