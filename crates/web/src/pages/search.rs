//! The results page: the query, facets as filters, highlighted snippets, and help when
//! nothing is found.

use super::Done;
use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::view::Errors;
use crate::view::{Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
// Our extractors under axum's names: a bad id or query gets the Thai error page.
use crate::forms::ThaiQuery as Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::file::FileKind;
use khlang_core::ids::{TermId, UnitId};
use khlang_core::item::KnowledgeType;
use khlang_core::search::Filters;
use khlang_core::service::Khlang;
use khlang_core::service::search::{SearchRequest, SearchResults};
use khlang_core::text::{arabic_digits, format_be_date};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/search", get(search_page))
        .route("/admin/dictionary", get(dictionary_page).post(add_words))
        .route("/admin/dictionary/remove", post(remove_word))
        .route("/admin/dictionary/reindex", post(reindex))
}

/// The query string of /search and /api/v1/search (every field optional; junk is ignored).
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub per_page: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub year: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub format: String,
    /// The page of community threads (they page on their own under the items).
    #[serde(default)]
    pub tpage: String,
}

fn number_param(s: &str) -> Option<i64> {
    arabic_digits(s.trim()).parse().ok()
}

impl SearchParams {
    /// The request for core; a unit filter covers the unit's whole subtree.
    pub async fn request(&self, core: &Khlang) -> Result<SearchRequest, WebError> {
        let units = match number_param(&self.unit) {
            Some(u) => {
                let tree = core.unit_tree().await?;
                let unit = UnitId(u);
                Some(
                    tree.units()
                        .iter()
                        .filter(|x| tree.is_within(x.id, unit))
                        .map(|x| x.id)
                        .collect(),
                )
            }
            None => None,
        };
        Ok(SearchRequest {
            q: self.q.clone(),
            // Bounded here, so no offset downstream can overflow; junk still means page 1.
            page: crate::forms::page_link_param(Some(&self.page))?.get(),
            per_page: khlang_core::paging::PerPage::parse_or_default(
                Some(&self.per_page),
                khlang_core::service::search::DEFAULT_PER_PAGE,
                khlang_core::service::search::MAX_PER_PAGE,
            )
            .get(),
            filters: Filters {
                term: number_param(&self.category).map(TermId),
                units,
                // Years are พ.ศ.; a ค.ศ. year typed by mistake is converted.
                fiscal_year: number_param(&self.year)
                    .map(|y| if y < 2400 { y + 543 } else { y } as i32),
                knowledge_type: KnowledgeType::parse(&self.kind).ok(),
                format: FileKind::parse(self.format.trim()),
            },
        })
    }

    fn pairs(&self) -> [(&'static str, &str); 6] {
        [
            ("q", &self.q),
            ("category", &self.category),
            ("unit", &self.unit),
            ("year", &self.year),
            ("type", &self.kind),
            ("format", &self.format),
        ]
    }

    /// This search with one parameter changed (empty removes it), from page 1 unless `page`.
    fn url_with(&self, key: &str, value: &str, page: Option<u64>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs() {
            let v = if k == key { value } else { v };
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            s.append_pair("page", &p.to_string());
        }
        format!("/search?{}", s.finish())
    }
}

struct HitView {
    url: String,
    title: String,
    snippet_html: String,
    meta: String,
    exact: bool,
}

/// A community thread found (the section "กระทู้ในชุมชน").
struct ThreadHitView {
    url: String,
    title: String,
    snippet_html: String,
    community: String,
    community_url: String,
    meta: String,
    exact: bool,
}

/// The threads' section: its own count and pages; absent when nothing was found.
struct ThreadSection {
    total_text: String,
    hits: Vec<ThreadHitView>,
    prev_url: Option<String>,
    next_url: Option<String>,
    page: u64,
    pages: u64,
}

struct FacetOption {
    label: String,
    count: String,
    url: String,
    selected: bool,
}

struct FacetGroup {
    label: &'static str,
    options: Vec<FacetOption>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    searched: bool,
    total_text: String,
    truncated: bool,
    hits: Vec<HitView>,
    groups: Vec<FacetGroup>,
    active: Vec<(String, String)>,
    prev_url: Option<String>,
    next_url: Option<String>,
    page: u64,
    pages: u64,
    fewer_words: Vec<(String, String)>,
    /// "Did you mean": the corrected query and its results page.
    suggestion: Option<(String, String)>,
    threads: Option<ThreadSection>,
}

/// Facet values shown per group; the rest are reachable by narrowing the query.
const FACET_OPTIONS: usize = 8;

async fn search_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let actor = visitor.actor();
    let request = params.request(&state.core).await?;
    let results = state.core.search(&actor, &request).await?;
    let threads = thread_section(&state.core, &actor, &params, results.page).await?;
    let tree = state.core.unit_tree().await?;
    let vocab = state.core.vocabulary().await?;
    let unit_name = |u: UnitId| {
        tree.get(u)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default()
    };
    let hits: Vec<HitView> = results
        .hits
        .iter()
        .map(|h| {
            let mut meta = vec![
                unit_name(h.unit_id),
                format!("ปีงบประมาณ {}", h.fiscal_year),
                h.knowledge_type.label_th().to_string(),
                format_be_date(h.published_at),
            ];
            meta.extend(h.formats.iter().map(|f| f.label_th().to_string()));
            HitView {
                url: format!("/items/{}", h.id.0),
                title: h.title.clone(),
                snippet_html: h.snippet.to_html(),
                meta: meta
                    .into_iter()
                    .filter(|m| !m.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · "),
                exact: h.exact,
            }
        })
        .collect();
    let option = |key: &str, value: String, label: String, n: usize, current: &str| {
        let selected = current.trim() == value;
        FacetOption {
            label,
            count: number(n as u64),
            url: params.url_with(key, if selected { "" } else { &value }, None),
            selected,
        }
    };
    let f = &results.facets;
    let groups = vec![
        FacetGroup {
            label: "หมวดหมู่",
            options: f
                .category
                .iter()
                .filter_map(|(t, n)| {
                    let term = vocab.terms.iter().find(|x| x.id == *t)?;
                    Some(option(
                        "category",
                        t.0.to_string(),
                        term.label_th.clone(),
                        *n,
                        &params.category,
                    ))
                })
                .take(FACET_OPTIONS)
                .collect(),
        },
        FacetGroup {
            label: "หน่วยงาน",
            options: f
                .unit
                .iter()
                .take(FACET_OPTIONS)
                .map(|(u, n)| option("unit", u.0.to_string(), unit_name(*u), *n, &params.unit))
                .collect(),
        },
        FacetGroup {
            label: "ปีงบประมาณ (พ.ศ.)",
            options: f
                .year
                .iter()
                .take(FACET_OPTIONS)
                .map(|(y, n)| option("year", y.to_string(), y.to_string(), *n, &params.year))
                .collect(),
        },
        FacetGroup {
            label: "ประเภทความรู้",
            options: f
                .knowledge_type
                .iter()
                .map(|(k, n)| {
                    option(
                        "type",
                        k.as_str().into(),
                        k.label_th().into(),
                        *n,
                        &params.kind,
                    )
                })
                .collect(),
        },
        FacetGroup {
            label: "ชนิดไฟล์",
            options: f
                .format
                .iter()
                .map(|(k, n)| {
                    option(
                        "format",
                        k.as_str().into(),
                        k.label_th().into(),
                        *n,
                        &params.format,
                    )
                })
                .collect(),
        },
    ];
    let active = active_filters(&params, &request, &tree, &vocab);
    let pages = results.pages();
    let html = SearchPage {
        layout: {
            let l = Layout::new("ค้นหา", "search", visitor.session.as_ref(), visitor.csrf())
                .with_search(&params.q);
            if params.q.trim().is_empty() {
                l
            } else {
                l.with_feed(
                    format!("ผลการค้นหา “{}”", params.q.trim()),
                    super::feeds::search_feed(params.q.trim()),
                )
            }
        },
        q: params.q.clone(),
        searched: !results.query.is_empty(),
        total_text: total_text(&results),
        truncated: results.query.truncated,
        groups: groups
            .into_iter()
            .filter(|g| !g.options.is_empty())
            .collect(),
        active,
        prev_url: (results.page > 1).then(|| params.url_with("", "", Some(results.page - 1))),
        next_url: (results.page < pages).then(|| params.url_with("", "", Some(results.page + 1))),
        page: results.page,
        pages,
        suggestion: results
            .suggestion
            .as_ref()
            .map(|q| (q.clone(), params.url_with("q", q, None))),
        fewer_words: if results.total == 0 {
            results
                .query
                .required
                .iter()
                .flat_map(|c| c.words())
                .take(5)
                .map(|w| (w.to_string(), params.url_with("q", w, None)))
                .collect()
        } else {
            vec![]
        },
        hits,
        threads,
    };
    Ok(visitor.finish(render(&html)))
}

/// Threads of the communities the reader may read, found with the same query (visibility is
/// decided in core); None when there are none to show.
async fn thread_section(
    core: &Khlang,
    actor: &khlang_core::org::Actor,
    params: &SearchParams,
    item_page: u64,
) -> Result<Option<ThreadSection>, WebError> {
    let tpage = crate::forms::page_link_param(Some(&params.tpage))?.get();
    let found = core.search_threads(actor, &params.q, tpage).await?;
    if found.total == 0 {
        return Ok(None);
    }
    let pages = found.pages();
    let link = |p: u64| {
        format!(
            "{}&tpage={p}#threads",
            params.url_with("", "", Some(item_page))
        )
    };
    Ok(Some(ThreadSection {
        total_text: format!("พบ {} กระทู้", number(found.total as u64)),
        hits: found
            .hits
            .iter()
            .map(|h| ThreadHitView {
                url: format!("/communities/threads/{}", h.thread_id.0),
                title: h.title.clone(),
                snippet_html: h.snippet.to_html(),
                community: h.community.clone(),
                community_url: format!("/communities/{}", h.community_id.0),
                meta: format!("ความเคลื่อนไหวล่าสุด {}", format_be_date(h.updated_at)),
                exact: h.exact,
            })
            .collect(),
        prev_url: (found.page > 1).then(|| link(found.page - 1)),
        next_url: (found.page < pages).then(|| link(found.page + 1)),
        page: found.page,
        pages,
    }))
}

fn total_text(r: &SearchResults) -> String {
    if r.query.is_empty() {
        return String::new();
    }
    let more = if r.more { "มากกว่า " } else { "" };
    if r.exact == 0 && r.total > 0 {
        format!(
            "ไม่พบรายการที่มีครบทุกคำ — แสดง {} รายการที่ใกล้เคียง",
            number(r.total as u64)
        )
    } else {
        format!("พบ {more}{} รายการ", number(r.total as u64))
    }
}

/// Chosen filters with a link that removes each.
fn active_filters(
    p: &SearchParams,
    req: &SearchRequest,
    tree: &khlang_core::org::UnitTree,
    vocab: &khlang_core::taxonomy::Vocabulary,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let f = &req.filters;
    if let Some(t) = f.term.and_then(|t| vocab.terms.iter().find(|x| x.id == t)) {
        out.push((t.label_th.clone(), p.url_with("category", "", None)));
    }
    if let Some(u) = number_param(&p.unit).and_then(|u| tree.get(UnitId(u))) {
        out.push((u.name_th.as_str().to_string(), p.url_with("unit", "", None)));
    }
    if let Some(y) = f.fiscal_year {
        out.push((format!("ปีงบประมาณ {y}"), p.url_with("year", "", None)));
    }
    if let Some(k) = f.knowledge_type {
        out.push((k.label_th().to_string(), p.url_with("type", "", None)));
    }
    if let Some(k) = f.format {
        out.push((k.label_th().to_string(), p.url_with("format", "", None)));
    }
    out
}

// ---------------------------------------------------------------- dictionary

#[derive(Template)]
#[template(path = "dictionary.html")]
struct DictionaryPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    words_text: String,
    words: Vec<(String, String)>,
    indexed: String,
    progress: Option<String>,
}

async fn dictionary_view(
    state: &AppState,
    member: &Member,
    flash: Option<&'static str>,
    errors: Errors,
    words_text: String,
) -> Result<DictionaryPage, WebError> {
    let words = state
        .core
        .dictionary(member.actor())
        .await?
        .into_iter()
        .map(|w| (w.word, format_be_date(w.added_at)))
        .collect();
    let p = state.core.reindex_progress();
    Ok(DictionaryPage {
        layout: Layout::new(
            "พจนานุกรมตัดคำ",
            "dictionary",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash,
        errors,
        words_text,
        words,
        indexed: number(state.core.indexed_count().await?),
        progress: p.running.then(|| {
            format!(
                "กำลังสร้างดัชนีใหม่ {} จาก {} รายการ",
                number(p.done as u64),
                number(p.total as u64)
            )
        }),
    })
}

async fn dictionary_page(
    State(state): State<AppState>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let page = dictionary_view(
        &state,
        &member,
        done.message(),
        Errors::default(),
        String::new(),
    )
    .await?;
    Ok(render(&page))
}

#[derive(Deserialize)]
struct WordsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    words: String,
}

async fn add_words(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<WordsForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .add_dictionary_words(member.actor(), &form.words)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/dictionary?done=words_added").into_response()),
        Err(DomainError::Invalid(errors)) => {
            // The words stay in the box so nothing typed is lost.
            let page = dictionary_view(&state, &member, None, Errors(errors), form.words).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_word(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<WordsForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state
        .core
        .remove_dictionary_word(member.actor(), form.words.trim())
        .await?;
    Ok(Redirect::to("/admin/dictionary?done=word_removed").into_response())
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn reindex(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state.core.request_reindex(member.actor())?;
    Ok(Redirect::to("/admin/dictionary?done=reindexing").into_response())
}
