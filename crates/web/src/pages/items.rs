//! Knowledge pages: browse, item page, the four-step submission wizard, edit, files,
//! history, my items, the review queue, and taxonomy administration.

use super::Done;
use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::markdown;
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
// Our extractors under axum's names: a bad id or query gets the Thai error page.
use crate::forms::{ThaiPath as Path, ThaiQuery as Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::file::{FileKind, human_size};
use khlang_core::ids::{FileId, ItemId, TaxonomyId, TermId, UnitId};
use khlang_core::item::{
    Acquisition, ItemFile, ItemInput, ItemStatus, KM_STEPS, KnowledgeType, LICENCES, Transition,
    Visibility,
};
use khlang_core::org::{Action, UnitTree};
use khlang_core::ports::{ItemSummary, Page};
use khlang_core::service::Khlang;
use khlang_core::service::items::Browse;
use khlang_core::taxonomy::Vocabulary;
use khlang_core::text::{format_be_date, format_be_date_long, format_be_datetime};
use serde::Deserialize;

mod meta;
mod revisions;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items", get(browse))
        .route("/items/new", get(new_page).post(create))
        .route("/items/{id}", get(item_page))
        .route("/items/{id}/edit", get(edit_page).post(save))
        .route("/items/{id}/files", get(files_page).post(upload))
        .route("/items/{id}/files/{file}/remove", post(remove_file))
        .route("/items/{id}/check", get(check_page))
        .route("/items/{id}/transition", post(transition))
        .route("/items/{id}/comments", post(comment))
        .route("/items/{id}/history", get(history))
        .route("/items/{id}/history/{n}/restore", post(restore))
        .route("/items/{id}/revision/withdraw", post(revisions::withdraw))
        .route(
            "/items/{id}/correct",
            get(revisions::correct_page).post(revisions::correct),
        )
        .route("/my/items", get(my_items))
        .route("/review", get(review_queue))
        .route("/admin/taxonomies", get(taxonomies_page))
        .route("/admin/taxonomies/{id}/terms", post(add_term))
        .route("/admin/terms/{id}/rename", post(rename_term))
        .route("/admin/terms/{id}/retire", post(retire_term))
        .route("/admin/terms/{id}/restore", post(restore_term))
}

const PER_PAGE: u64 = 20;

/// A card in a list.
pub struct Card {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub unit: String,
    pub date: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub status_public: bool,
    /// Where a pending revision stands (only in lists for those who may know of it).
    pub revision: Option<&'static str>,
    /// For one's own drafts made with a form: the wizard step to go on at, and its words.
    pub resume: Option<(String, String)>,
}

fn excerpt(s: &str, graphemes: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    // Segments only as far as the cut, without collecting: cards show many summaries.
    match s.grapheme_indices(true).nth(graphemes) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

pub fn card(tree: &UnitTree, s: &ItemSummary) -> Card {
    Card {
        id: s.id.0,
        title: s.title.clone(),
        summary: excerpt(&s.summary, 160),
        unit: tree
            .get(s.unit_id)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default(),
        date: format_be_date(s.published_at.unwrap_or(s.updated_at)),
        status: s.status.as_str(),
        status_label: s.status.label_th(),
        status_public: s.status == ItemStatus::Published,
        revision: s.pending_revision.map(|r| r.label_th()),
        resume: None,
    }
}

fn page_url(base: &str, params: &[(&str, String)], page: u64) -> String {
    let mut q: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    q.push(format!("page={page}"));
    format!("{base}?{}", q.join("&"))
}

// ---------------------------------------------------------------- browse

#[derive(Template)]
#[template(path = "browse.html")]
struct BrowsePage {
    layout: Layout,
    flash: Option<&'static str>,
    heading: &'static str,
    show_filters: bool,
    categories: Vec<(i64, String, bool)>,
    units: Vec<(i64, String, bool)>,
    types: Vec<(&'static str, &'static str, bool)>,
    year: String,
    total_text: String,
    empty_text: &'static str,
    empty_hint: &'static str,
    cards: Vec<Card>,
    page: u64,
    pages: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct BrowseQuery {
    #[serde(default)]
    category: String,
    #[serde(default)]
    unit: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    year: String,
    page: Option<String>,
}

fn id_param(s: &str) -> Option<i64> {
    khlang_core::text::arabic_digits(s.trim()).parse().ok()
}

async fn browse(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<BrowseQuery>,
) -> Result<Response, WebError> {
    let actor = visitor.actor();
    let b = Browse {
        term: id_param(&q.category).map(TermId),
        unit: id_param(&q.unit).map(UnitId),
        knowledge_type: KnowledgeType::parse(&q.kind).ok(),
        fiscal_year: id_param(&q.year).map(|y| if y < 2400 { y + 543 } else { y } as i32),
    };
    let page_no = crate::forms::page_link_param(q.page.as_deref())?.get();
    let list = state.core.browse(&actor, &b, page_no, PER_PAGE).await?;
    let tree = state.core.unit_tree().await?;
    let vocab = state.core.vocabulary().await?;
    let params = [
        ("category", q.category.clone()),
        ("unit", q.unit.clone()),
        ("type", q.kind.clone()),
        ("year", q.year.clone()),
    ];
    let filtered = params.iter().any(|(_, v)| !v.is_empty());
    let page = list_page(&tree, &list, "/items", &params);
    let categories = vocab
        .taxonomies
        .iter()
        .flat_map(|tx| {
            vocab
                .terms_of(tx.id)
                .filter(|t| !t.retired)
                .map(move |t| (t, tx))
        })
        .filter(|(t, tx)| tx.key == "category" || tx.key == "osm_branch" || t.parent_id.is_none())
        .map(|(t, _)| (t.id.0, t.label_th.clone(), b.term == Some(t.id)))
        .collect();
    let units = tree
        .walk()
        .into_iter()
        .filter(|(d, u)| *d <= 1 && !u.retired)
        .map(|(d, u)| {
            (
                u.id.0,
                format!("{}{}", "— ".repeat(d), u.name_th.as_str()),
                b.unit == Some(u.id),
            )
        })
        .collect();
    // The feed that follows what the reader filtered on (a unit or a category), else all.
    let feed = match (b.unit, b.term) {
        (Some(u), _) => (
            format!(
                "องค์ความรู้ของ{}",
                tree.get(u).map(|u| u.name_th.as_str()).unwrap_or("")
            ),
            super::feeds::unit_feed(u),
        ),
        (None, Some(t)) => (
            format!("องค์ความรู้หมวด{}", vocab.label(t)),
            super::feeds::category_feed(t),
        ),
        (None, None) => ("องค์ความรู้ล่าสุด".to_string(), "/feeds/items.atom".to_string()),
    };
    let html = BrowsePage {
        layout: Layout::new(
            "คลังความรู้",
            "items",
            visitor.session.as_ref(),
            visitor.csrf(),
        )
        .with_feed(feed.0, feed.1),
        flash: None,
        heading: "คลังความรู้",
        show_filters: true,
        categories,
        units,
        types: KnowledgeType::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th(), b.knowledge_type == Some(*k)))
            .collect(),
        year: q.year.clone(),
        total_text: format!("พบ {} รายการ", number(list.total)),
        empty_text: if filtered {
            "ไม่พบองค์ความรู้ตามเงื่อนไขที่เลือก"
        } else {
            "ยังไม่มีองค์ความรู้ที่เผยแพร่"
        },
        empty_hint: if filtered {
            "ลองเลือก \"ทุกหมวดหมู่\" หรือ \"ทุกหน่วยงาน\" เพื่อดูรายการมากขึ้น"
        } else {
            ""
        },
        cards: page.0,
        page: list.page,
        pages: list.pages(),
        prev_url: page.1,
        next_url: page.2,
    };
    Ok(visitor.finish(render(&html)))
}

fn list_page(
    tree: &UnitTree,
    list: &Page<ItemSummary>,
    base: &str,
    params: &[(&str, String)],
) -> (Vec<Card>, Option<String>, Option<String>) {
    let cards = list.items.iter().map(|s| card(tree, s)).collect();
    let prev = (list.page > 1).then(|| page_url(base, params, list.page - 1));
    let next = (list.page < list.pages()).then(|| page_url(base, params, list.page + 1));
    (cards, prev, next)
}

async fn my_items(
    State(state): State<AppState>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let page_no = crate::forms::page_link_param(done.page.as_deref())?.get();
    let list = state
        .core
        .my_items(member.actor(), page_no, PER_PAGE)
        .await?;
    let tree = state.core.unit_tree().await?;
    let mut page = list_page(&tree, &list, "/my/items", &[]);
    for (card, s) in page.0.iter_mut().zip(&list.items) {
        if matches!(s.status, ItemStatus::Draft | ItemStatus::ChangesRequested) {
            card.resume = super::forms::resume_url(&state, &member, s.id).await?;
        }
    }
    let html = BrowsePage {
        layout: Layout::new(
            "องค์ความรู้ของฉัน",
            "mine",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash: done.message(),
        heading: "องค์ความรู้ของฉัน",
        show_filters: false,
        categories: vec![],
        units: vec![],
        types: vec![],
        year: String::new(),
        total_text: format!("ทั้งหมด {} รายการ · สถานะแสดงที่แต่ละรายการ", number(list.total)),
        empty_text: "คุณยังไม่ได้ส่งองค์ความรู้",
        empty_hint: "กดปุ่ม \"ส่งองค์ความรู้\" ที่หน้าแรกเพื่อเริ่ม ใช้เวลาไม่กี่นาที",
        cards: page.0,
        page: list.page,
        pages: list.pages(),
        prev_url: page.1,
        next_url: page.2,
    };
    Ok(render(&html))
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<QueueRow>,
    page: u64,
    pages: u64,
}

struct QueueRow {
    id: i64,
    title: String,
    unit: String,
    status: &'static str,
    /// An edit of published knowledge (ฉบับแก้ไข) rather than a new submission.
    revision: bool,
    age: String,
}

/// "3 วัน", "5 ชั่วโมง" — how long a submission has waited.
fn age(since: time::OffsetDateTime, now: time::OffsetDateTime) -> String {
    let d = now - since;
    if d.whole_days() >= 1 {
        format!("{} วัน", d.whole_days())
    } else if d.whole_hours() >= 1 {
        format!("{} ชั่วโมง", d.whole_hours())
    } else {
        format!("{} นาที", d.whole_minutes().max(1))
    }
}

async fn review_queue(
    State(state): State<AppState>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let list = state
        .core
        .review_queue(
            member.actor(),
            crate::forms::page_link_param(done.page.as_deref())?.get(),
            PER_PAGE,
        )
        .await?;
    let tree = state.core.unit_tree().await?;
    let now = state.core.clock.now();
    let html = QueuePage {
        layout: Layout::new(
            "รอกลั่นกรอง",
            "review",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        rows: list
            .items
            .iter()
            .map(|s| QueueRow {
                id: s.id.0,
                title: s.title.clone(),
                unit: tree
                    .get(s.unit_id)
                    .map(|u| u.name_th.as_str().to_string())
                    .unwrap_or_default(),
                status: s.pending_revision.unwrap_or(s.status).label_th(),
                revision: s.pending_revision.is_some(),
                age: age(s.updated_at, now),
            })
            .collect(),
        page: list.page,
        pages: list.pages(),
    };
    Ok(render(&html))
}

// ---------------------------------------------------------------- item page

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    id: i64,
    title: String,
    unit_path: String,
    status: &'static str,
    status_label: &'static str,
    published: Option<String>,
    fiscal_year: i32,
    version: i32,
    summary: String,
    body_html: String,
    files: Vec<FileRow>,
    links: Vec<String>,
    knowledge_type: &'static str,
    acquisition: &'static str,
    km_steps: Vec<String>,
    terms: Vec<(i64, String)>,
    tags: Vec<String>,
    authors: String,
    creator: String,
    created: String,
    visibility: &'static str,
    licence: String,
    may_edit: bool,
    may_submit: bool,
    may_review: bool,
    may_archive: bool,
    may_correct: bool,
    /// The pending revision, for those who may know of it.
    revision: Option<RevisionSection>,
    show_thread: bool,
    comments: Vec<CommentRow>,
    /// The form entry, section by section (items made with a form template).
    entry: Option<super::forms::EntryView>,
    // issue 13 (lessons): "ถอดบทเรียนจาก …" (label, path) and the praise button.
    origins: Vec<(String, String)>,
    praise: khlang_core::recognition::PraiseCount,
    // issue 15 (usage statistics): "เปิดอ่าน 1,234 ครั้ง · ดาวน์โหลด 56 ครั้ง" on published items.
    usage: Option<String>,
}

struct RevisionSection {
    status: &'static str,
    status_label: &'static str,
    by: String,
    at: String,
    /// Field label, published value, revised value.
    changes: Vec<(String, String, String)>,
    files: Vec<FileRow>,
    may_edit: bool,
    may_submit: bool,
    may_review: bool,
    may_withdraw: bool,
}

pub struct FileRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub size: String,
    pub url: String,
    pub download: String,
}

struct CommentRow {
    author: String,
    at: String,
    transition: Option<String>,
    body: String,
}

fn file_row(f: &ItemFile) -> FileRow {
    let kind = FileKind::parse(&f.kind).unwrap_or(FileKind::Zip);
    FileRow {
        id: f.id.0,
        name: f.name.clone(),
        kind: kind.as_str(),
        kind_label: kind.label_th(),
        size: human_size(f.size),
        url: format!("/files/{}", f.id),
        download: format!("/files/{}/{}", f.id, crate::auth::percent_encode(&f.name)),
    }
}

async fn item_view(
    state: &AppState,
    site: Option<&crate::discovery::SiteBase>,
    visitor: &Visitor,
    id: ItemId,
    flash: Option<&'static str>,
    errors: Errors,
) -> Result<ItemPage, WebError> {
    let actor = visitor.actor();
    let v = state.core.item_view(&actor, id).await?;
    let tree = state.core.unit_tree().await?;
    let vocab = state.core.vocabulary().await?;
    let item = &v.item;
    let f = &item.fields;
    let involved =
        v.may_edit || v.may_submit || v.may_review || actor.user_id() == Some(item.created_by);
    let revision = match &v.revision {
        Some(r) => Some(RevisionSection {
            status: r.revision.status.as_str(),
            status_label: r.revision.status.label_th(),
            by: state.core.person_name(r.revision.updated_by).await?,
            at: format_be_datetime(r.revision.updated_at),
            changes: {
                let mut changes: Vec<(String, String, String)> = r
                    .changes
                    .iter()
                    .map(|c| {
                        (
                            c.label_th.to_string(),
                            excerpt(&c.before, 400),
                            excerpt(&c.after, 400),
                        )
                    })
                    .collect();
                // A form entry's answers, each side read with its own template version.
                let published = khlang_core::item::Snapshot {
                    fields: item.fields.clone(),
                    files: v.files.iter().filter(|f| f.current).map(|f| f.id).collect(),
                };
                for c in state
                    .core
                    .entry_changes(
                        &published,
                        &r.revision.snapshot,
                        khlang_core::forms::Audience::Editors,
                    )
                    .await?
                {
                    changes.push((c.label, excerpt(&c.before, 400), excerpt(&c.after, 400)));
                }
                changes
            },
            files: r.files.iter().map(file_row).collect(),
            may_edit: r.may_edit,
            may_submit: r.may_submit,
            may_review: r.may_review,
            may_withdraw: r.may_withdraw,
        }),
        None => None,
    };
    // With a revision pending, editing, submitting and reviewing concern the revision.
    let pending = revision.is_some();
    let mut layout = Layout::new(
        f.title.as_str(),
        "items",
        visitor.session.as_ref(),
        visitor.csrf(),
    );
    if let Some(meta) = site.and_then(|s| meta::item_meta(s, &v, &tree, &vocab)) {
        layout = layout.with_meta(meta);
    }
    Ok(ItemPage {
        layout,
        flash,
        errors,
        id: item.id.0,
        title: f.title.as_str().into(),
        unit_path: tree.display_path(f.unit_id),
        status: item.status.as_str(),
        status_label: item.status.label_th(),
        published: item.published_at.map(format_be_date_long),
        fiscal_year: item.fiscal_year(),
        version: item.version,
        summary: f.summary.clone(),
        body_html: markdown::render(&f.body),
        files: v.files.iter().map(file_row).collect(),
        links: f.links.clone(),
        knowledge_type: f.knowledge_type.label_th(),
        acquisition: f.acquisition.label_th(),
        km_steps: f
            .km_steps
            .iter()
            .map(|s| format!("{s}. {}", KM_STEPS[(*s as usize).clamp(1, 7) - 1]))
            .collect(),
        terms: f.terms.iter().map(|t| (t.0, vocab.label(*t))).collect(),
        tags: f.tags.clone(),
        authors: f.authors.join(", "),
        creator: state.core.person_name(item.created_by).await?,
        created: format_be_date_long(item.created_at),
        visibility: f.visibility.label_th(),
        licence: LICENCES
            .iter()
            .find(|(k, _)| *k == f.licence)
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| f.licence.clone()),
        may_edit: v.may_edit && !pending,
        may_submit: v.may_submit && !pending,
        may_review: v.may_review && !pending,
        may_archive: v.may_archive,
        may_correct: v.may_correct && !pending,
        revision,
        show_thread: involved || v.may_correct,
        comments: v
            .comments
            .iter()
            .map(|c| CommentRow {
                author: c.author_name.clone(),
                at: format_be_datetime(c.at),
                transition: c.to_status.map(|t| t.label_th().to_string()),
                body: c.body.clone(),
            })
            .collect(),
        entry: super::forms::entry_view(state, &actor, &v).await?,
        // issue 13 (lessons): where the item was started from, and its praise count.
        origins: state
            .core
            .origins_of_item(&actor, item.id)
            .await?
            .into_iter()
            .map(|o| (o.label, o.path))
            .collect(),
        praise: {
            let t = khlang_core::recognition::PraiseTarget::Item(item.id);
            let counts = state.core.praise_counts(&actor, &[t]).await?;
            counts.get(&t).copied().unwrap_or_default()
        },
        usage: None,
    })
}

async fn item_page(
    State(state): State<AppState>,
    site: crate::discovery::SiteBase,
    visitor: Visitor,
    crate::usage::UsageClient(client): crate::usage::UsageClient,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let mut page = item_view(
        &state,
        Some(&site),
        &visitor,
        ItemId(id),
        done.message(),
        Errors::default(),
    )
    .await?;
    // issue 15 (usage statistics): count the view (published items only), show the counts.
    if page.status == ItemStatus::Published.as_str() {
        page.usage = crate::usage::item_line(&state, &client, ItemId(id)).await;
    }
    Ok(visitor.finish(render(&page)))
}

// ---------------------------------------------------------------- wizard and edit

#[derive(Template)]
#[template(path = "item_form.html")]
struct FormPage {
    layout: Layout,
    heading: &'static str,
    step: Option<u8>,
    action: String,
    back: Option<String>,
    submit_label: &'static str,
    full: bool,
    form: ItemInput,
    tags: String,
    authors: String,
    links: String,
    errors: Errors,
    types: Vec<(&'static str, &'static str)>,
    acquisitions: Vec<(&'static str, &'static str)>,
    visibilities: Vec<(&'static str, &'static str)>,
    licences: Vec<(&'static str, &'static str)>,
    steps: Vec<(u8, &'static str, bool)>,
    units: Vec<(i64, String)>,
    taxonomies: Vec<TaxonomyChoice>,
    /// Said above the form (an edit of published knowledge is screened).
    notice: Option<&'static str>,
    /// The minor-correction form asks why.
    reason: Option<String>,
}

struct TaxonomyChoice {
    name: String,
    /// Shown already in the wizard's first step.
    brief: bool,
    terms: Vec<(i64, String, bool)>,
}

struct FormSpec {
    heading: &'static str,
    step: Option<u8>,
    action: String,
    back: Option<String>,
    submit_label: &'static str,
    full: bool,
    notice: Option<&'static str>,
    reason: Option<String>,
}

async fn form_page(
    state: &AppState,
    member: &Member,
    spec: FormSpec,
    form: ItemInput,
    errors: Errors,
) -> Result<FormPage, WebError> {
    let tree = state.core.unit_tree().await?;
    let vocab = state.core.vocabulary().await?;
    let units = Khlang::units_where(&tree, member.actor(), Action::Contribute);
    if units.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    let chosen: Vec<String> = form.terms.clone();
    let steps: Vec<String> = form.km_steps.clone();
    Ok(FormPage {
        layout: Layout::new(
            spec.heading,
            "new",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        heading: spec.heading,
        step: spec.step,
        action: spec.action,
        back: spec.back,
        submit_label: spec.submit_label,
        full: spec.full,
        tags: form.tags.join(", "),
        authors: form.authors.join(", "),
        links: form.links.join("\n"),
        form,
        errors,
        types: KnowledgeType::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th()))
            .collect(),
        acquisitions: Acquisition::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th()))
            .collect(),
        visibilities: Visibility::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th()))
            .collect(),
        licences: LICENCES.to_vec(),
        steps: KM_STEPS
            .iter()
            .enumerate()
            .map(|(i, s)| ((i + 1) as u8, *s, steps.contains(&(i + 1).to_string())))
            .collect(),
        units: units.iter().map(|u| (u.0, tree.display_path(*u))).collect(),
        taxonomies: taxonomy_choices(&vocab, &chosen),
        notice: spec.notice,
        reason: spec.reason,
    })
}

fn taxonomy_choices(vocab: &Vocabulary, chosen: &[String]) -> Vec<TaxonomyChoice> {
    vocab
        .taxonomies
        .iter()
        .map(|tx| TaxonomyChoice {
            name: tx.name_th.clone(),
            brief: tx.key == "category",
            terms: vocab
                .terms_of(tx.id)
                .filter(|t| !t.retired || chosen.contains(&t.id.0.to_string()))
                .map(|t| {
                    let label = match t.parent_id.and_then(|p| vocab.term(p)) {
                        Some(p) => format!("{} › {}", p.label_th, t.label_th),
                        None => t.label_th.clone(),
                    };
                    (t.id.0, label, chosen.contains(&t.id.0.to_string()))
                })
                .collect(),
        })
        .collect()
}

/// The form as posted: repeated fields (checkboxes) arrive as several pairs.
#[derive(Deserialize, Default)]
struct ItemForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: ItemInput,
}

fn parse_form(body: &str) -> Result<ItemForm, WebError> {
    let mut form = ItemForm::default();
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        let v = v.into_owned();
        let i = &mut form.input;
        match k.as_ref() {
            "csrf" => form.csrf = v,
            "title" => i.title = v,
            "summary" => i.summary = v,
            "body" => i.body = v,
            "knowledge_type" => i.knowledge_type = v,
            "acquisition" => i.acquisition = v,
            "km_steps" => i.km_steps.push(v),
            "terms" => i.terms.push(v),
            "tags" => i.tags.push(v),
            "authors" => i.authors.push(v),
            "unit_id" => i.unit_id = v,
            "fiscal_year" => i.fiscal_year = v,
            "visibility" => i.visibility = v,
            "licence" => i.licence = v,
            "links" => i.links.push(v),
            _ => {}
        }
    }
    Ok(form)
}

async fn new_page(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let tree = state.core.unit_tree().await?;
    let home = member
        .user()
        .home_unit_id
        .filter(|u| Khlang::units_where(&tree, member.actor(), Action::Contribute).contains(u));
    let form = ItemInput {
        unit_id: home.map(|u| u.0.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    let spec = FormSpec {
        heading: "ส่งองค์ความรู้",
        step: Some(1),
        action: "/items/new".into(),
        back: None,
        submit_label: "ถัดไป: แนบไฟล์ →",
        full: false,
        notice: None,
        reason: None,
    };
    Ok(render(
        &form_page(&state, &member, spec, form, Errors::default()).await?,
    ))
}

async fn create(
    State(state): State<AppState>,
    member: Member,
    body: String,
) -> Result<Response, WebError> {
    let form = parse_form(&body)?;
    member.0.check_csrf(&form.csrf)?;
    match state.core.create_item(member.actor(), &form.input).await {
        Ok(item) => Ok(Redirect::to(&format!("/items/{}/files?wizard=1", item.id)).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let spec = FormSpec {
                heading: "ส่งองค์ความรู้",
                step: Some(1),
                action: "/items/new".into(),
                back: None,
                submit_label: "ถัดไป: แนบไฟล์ →",
                full: false,
                notice: None,
                reason: None,
            };
            let p = form_page(&state, &member, spec, form.input, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
struct WizardQuery {
    wizard: Option<u8>,
    step: Option<u8>,
}

fn edit_spec(id: ItemId, q: &WizardQuery) -> FormSpec {
    match (q.wizard.is_some(), q.step) {
        (true, Some(1)) => FormSpec {
            heading: "ส่งองค์ความรู้",
            step: Some(1),
            action: format!("/items/{id}/edit?wizard=1&step=1"),
            back: None,
            submit_label: "ถัดไป: แนบไฟล์ →",
            full: false,
            notice: None,
            reason: None,
        },
        (true, _) => FormSpec {
            heading: "รายละเอียดองค์ความรู้",
            step: Some(3),
            action: format!("/items/{id}/edit?wizard=1"),
            back: Some(format!("/items/{id}/files?wizard=1")),
            submit_label: "ถัดไป: ตรวจทาน →",
            full: true,
            notice: None,
            reason: None,
        },
        (false, _) => FormSpec {
            heading: "แก้ไของค์ความรู้",
            step: None,
            action: format!("/items/{id}/edit"),
            back: Some(format!("/items/{id}")),
            submit_label: "บันทึก",
            full: true,
            notice: None,
            reason: None,
        },
    }
}

/// Editing published knowledge makes a revision: the form says so before anyone types.
fn revision_spec(mut spec: FormSpec, status: ItemStatus) -> FormSpec {
    if status == ItemStatus::Published {
        spec.heading = "แก้ไของค์ความรู้ (ฉบับแก้ไข)";
        spec.submit_label = "บันทึกฉบับแก้ไข";
        spec.notice = Some(REVISION_NOTICE);
    }
    spec
}

const REVISION_NOTICE: &str = "องค์ความรู้นี้เผยแพร่แล้ว สิ่งที่แก้จะบันทึกเป็นฉบับแก้ไข ผู้อ่านยังเห็นฉบับเดิมจนกว่าคณะทำงานกลั่นกรองจะอนุมัติ เมื่อแก้เสร็จให้กด \"ส่งพิจารณา\" ที่หน้าองค์ความรู้";

async fn edit_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<WizardQuery>,
) -> Result<Response, WebError> {
    let id = ItemId(id);
    let (item, _) = state.core.editable_item(member.actor(), id).await?;
    let form = ItemInput::from(&item.fields);
    let spec = revision_spec(edit_spec(id, &q), item.status);
    Ok(render(
        &form_page(&state, &member, spec, form, Errors::default()).await?,
    ))
}

async fn save(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<WizardQuery>,
    body: String,
) -> Result<Response, WebError> {
    let id = ItemId(id);
    let mut form = parse_form(&body)?;
    member.0.check_csrf(&form.csrf)?;
    let (working, _) = state.core.editable_item(member.actor(), id).await?;
    let published = working.status == ItemStatus::Published;
    let spec = revision_spec(edit_spec(id, &q), working.status);
    if !spec.full {
        // Step 1 shows only a few fields: keep the rest as stored.
        let stored = ItemInput::from(&working.fields);
        form.input = ItemInput {
            title: form.input.title,
            knowledge_type: form.input.knowledge_type,
            unit_id: form.input.unit_id,
            terms: merge_brief_terms(&state, &stored.terms, form.input.terms).await?,
            ..stored
        };
    }
    match state
        .core
        .update_item(member.actor(), id, &form.input)
        .await
    {
        Ok(_) => {
            let next = match (q.wizard.is_some(), q.step) {
                (true, Some(1)) => format!("/items/{id}/files?wizard=1"),
                (true, _) => format!("/items/{id}/check"),
                (false, _) if published => format!("/items/{id}?done=revision_saved"),
                (false, _) => format!("/items/{id}?done=saved"),
            };
            Ok(Redirect::to(&next).into_response())
        }
        Err(DomainError::Invalid(errors)) => {
            let p = form_page(&state, &member, spec, form.input, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Step 1 edits only the category taxonomy's terms; other chosen terms stay.
async fn merge_brief_terms(
    state: &AppState,
    stored: &[String],
    posted: Vec<String>,
) -> Result<Vec<String>, WebError> {
    let vocab = state.core.vocabulary().await?;
    let brief: Vec<TaxonomyId> = vocab
        .taxonomies
        .iter()
        .filter(|t| t.key == "category")
        .map(|t| t.id)
        .collect();
    let mut out: Vec<String> = stored
        .iter()
        .filter(|s| {
            s.parse::<i64>()
                .ok()
                .and_then(|id| vocab.term(TermId(id)))
                .is_some_and(|t| !brief.contains(&t.taxonomy_id))
        })
        .cloned()
        .collect();
    out.extend(posted);
    Ok(out)
}

#[derive(Template)]
#[template(path = "item_files.html")]
struct FilesPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    wizard: bool,
    id: i64,
    title: String,
    files: Vec<FileRow>,
    limit: String,
    limit_bytes: u64,
    notice: Option<&'static str>,
}

async fn files_view(
    state: &AppState,
    member: &Member,
    id: ItemId,
    wizard: bool,
    flash: Option<&'static str>,
    errors: Errors,
) -> Result<FilesPage, WebError> {
    let (item, files) = state.core.editable_item(member.actor(), id).await?;
    Ok(FilesPage {
        layout: Layout::new("ไฟล์แนบ", "new", member.0.session.as_ref(), member.0.csrf()),
        flash,
        errors,
        wizard,
        id: id.0,
        title: item.fields.title.as_str().into(),
        files: files.iter().map(file_row).collect(),
        limit: human_size(state.config.upload_limit),
        limit_bytes: state.config.upload_limit,
        notice: (item.status == ItemStatus::Published).then_some(REVISION_NOTICE),
    })
}

#[derive(Deserialize, Default)]
struct FilesQuery {
    wizard: Option<u8>,
    #[serde(default)]
    done: String,
}

async fn files_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<FilesQuery>,
) -> Result<Response, WebError> {
    let flash = Done {
        done: q.done,
        page: None,
    }
    .message();
    Ok(render(
        &files_view(
            &state,
            &member,
            ItemId(id),
            q.wizard.is_some(),
            flash,
            Errors::default(),
        )
        .await?,
    ))
}

/// The form without JavaScript: multipart, the CSRF field first, then each file streamed
/// straight into storage.
async fn upload(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<FilesQuery>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let id = ItemId(id);
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let mut csrf_ok = false;
    let mut stored = 0;
    let mut errors = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => {
                let v = field.text().await.map_err(bad)?;
                member.0.check_csrf(&v)?;
                csrf_ok = true;
            }
            Some("file") if csrf_ok => {
                let name = field.file_name().unwrap_or("").to_string();
                if name.is_empty() {
                    continue;
                }
                let (body, forward) = field_stream(field);
                let (result, ()) = tokio::join!(
                    state.core.attach_file(
                        member.actor(),
                        id,
                        &name,
                        body,
                        state.config.upload_limit
                    ),
                    forward
                );
                match result {
                    Ok(_) => stored += 1,
                    Err(DomainError::Invalid(e)) => errors.extend(e.into_iter().map(|f| {
                        khlang_core::FieldError::new("file", format!("{name}: {}", f.message))
                    })),
                    Err(DomainError::TooLarge(m)) => {
                        errors.push(khlang_core::FieldError::new("file", format!("{name}: {m}")))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ => return Err(WebError::Csrf),
        }
    }
    if !errors.is_empty() || stored == 0 {
        if errors.is_empty() {
            errors.push(khlang_core::FieldError::new(
                "file",
                "กรุณาเลือกไฟล์ก่อนกดอัปโหลด",
            ));
        }
        let p = files_view(
            &state,
            &member,
            id,
            q.wizard.is_some(),
            None,
            Errors(errors),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response());
    }
    let wizard = if q.wizard.is_some() { "wizard=1&" } else { "" };
    Ok(Redirect::to(&format!("/items/{id}/files?{wizard}done=uploaded")).into_response())
}

/// A multipart field borrows the request, but storage wants an owned stream: the field is
/// forwarded through a small channel while both run in this task (back-pressure included).
pub fn field_stream(
    mut field: axum::extract::multipart::Field<'_>,
) -> (
    khlang_core::ports::ByteStream,
    impl std::future::Future<Output = ()> + '_,
) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
    let forward = async move {
        loop {
            let next = match field.chunk().await {
                Ok(Some(chunk)) => Ok(chunk),
                Ok(None) => break,
                Err(e) => Err(std::io::Error::other(e)),
            };
            let stop = next.is_err();
            if tx.send(next).await.is_err() || stop {
                break;
            }
        }
    };
    let body =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
    (Box::pin(body), forward)
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn remove_file(
    State(state): State<AppState>,
    member: Member,
    Path((id, file)): Path<(i64, i64)>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state
        .core
        .remove_file(member.actor(), ItemId(id), FileId(file))
        .await?;
    Ok(Redirect::to(&format!("/items/{id}/files?done=file_removed")).into_response())
}

#[derive(Template)]
#[template(path = "item_check.html")]
struct CheckPage {
    layout: Layout,
    id: i64,
    title: String,
    unit: String,
    knowledge_type: &'static str,
    terms: String,
    summary: String,
    files: Vec<String>,
    visibility: &'static str,
}

async fn check_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (item, files) = state.core.editable_item(member.actor(), ItemId(id)).await?;
    let tree = state.core.unit_tree().await?;
    let vocab = state.core.vocabulary().await?;
    let f = &item.fields;
    let page = CheckPage {
        layout: Layout::new("ตรวจทาน", "new", member.0.session.as_ref(), member.0.csrf()),
        id,
        title: f.title.as_str().into(),
        unit: tree.display_path(f.unit_id),
        knowledge_type: f.knowledge_type.label_th(),
        terms: f
            .terms
            .iter()
            .map(|t| vocab.label(*t))
            .collect::<Vec<_>>()
            .join(", "),
        summary: f.summary.clone(),
        files: files
            .iter()
            .map(|f| format!("{} ({})", f.name, human_size(f.size)))
            .collect(),
        visibility: f.visibility.label_th(),
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
struct TransitionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn transition(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<TransitionForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let id = ItemId(id);
    let result = match Transition::parse(&form.decision) {
        Ok(t) => state
            .core
            .transition(member.actor(), id, t, &form.comment)
            .await
            .map(|i| (t, i)),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok((t, _)) => {
            let done = match t {
                Transition::Submit => "submitted",
                Transition::Approve => "approved",
                Transition::RequestChanges => "changes_requested",
                Transition::Reject => "rejected",
                Transition::Archive => "archived",
            };
            let to = if t == Transition::Submit {
                format!("/my/items?done={done}")
            } else {
                format!("/items/{id}?done={done}")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(e @ (DomainError::Invalid(_) | DomainError::Conflict(_))) => {
            let (status, errors) = match e {
                DomainError::Invalid(errs) => (StatusCode::UNPROCESSABLE_ENTITY, errs),
                DomainError::Conflict(m) => (
                    StatusCode::CONFLICT,
                    vec![khlang_core::FieldError::new("decision", m)],
                ),
                _ => unreachable!("matched above"),
            };
            let p = item_view(&state, None, &member.0, id, None, Errors(errors)).await?;
            Ok((status, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CommentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
}

async fn comment(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CommentForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .comment(member.actor(), ItemId(id), &form.body)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/items/{id}?done=commented#thread-h")).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let p = item_view(&state, None, &member.0, ItemId(id), None, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- history

#[derive(Template)]
#[template(path = "item_history.html")]
struct HistoryPage {
    layout: Layout,
    id: i64,
    title: String,
    may_restore: bool,
    versions: Vec<VersionRow>,
}

struct VersionRow {
    number: i32,
    current: bool,
    first: bool,
    by: String,
    at: String,
    note: String,
    changes: Vec<(String, String, String)>,
}

async fn history(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = visitor.actor();
    let (item, versions) = state.core.versions(&actor, ItemId(id)).await?;
    let may_restore = state.core.editable_item(&actor, ItemId(id)).await.is_ok();
    let mut rows = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        let prev = versions.get(i + 1);
        let mut changes: Vec<(String, String, String)> = prev
            .map(|p| {
                khlang_core::item::diff(&p.snapshot, &v.snapshot)
                    .into_iter()
                    .map(|c| {
                        (
                            c.label_th.to_string(),
                            excerpt(&c.before, 400),
                            excerpt(&c.after, 400),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        // A form entry changes answer by answer, each side read with its own version (the
        // versions come without private answers for those who may not see them).
        if let Some(p) = prev {
            for c in state
                .core
                .entry_changes(
                    &p.snapshot,
                    &v.snapshot,
                    khlang_core::forms::Audience::Editors,
                )
                .await?
            {
                changes.push((c.label, excerpt(&c.before, 400), excerpt(&c.after, 400)));
            }
        }
        rows.push(VersionRow {
            number: v.number,
            current: v.number == item.version,
            first: prev.is_none(),
            by: state.core.person_name(v.created_by).await?,
            at: format_be_datetime(v.created_at),
            note: v.note.clone(),
            changes,
        });
    }
    let page = HistoryPage {
        layout: Layout::new(
            "ประวัติการแก้ไข",
            "items",
            visitor.session.as_ref(),
            visitor.csrf(),
        ),
        id,
        title: item.fields.title.as_str().into(),
        may_restore,
        versions: rows,
    };
    Ok(visitor.finish(render(&page)))
}

async fn restore(
    State(state): State<AppState>,
    member: Member,
    Path((id, n)): Path<(i64, i32)>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let item = state
        .core
        .restore_version(member.actor(), ItemId(id), n)
        .await?;
    // Published knowledge gets the old version back as a revision, screened first.
    let done = if item.status == ItemStatus::Published {
        "revision_saved"
    } else {
        "restored"
    };
    Ok(Redirect::to(&format!("/items/{id}?done={done}")).into_response())
}

// ---------------------------------------------------------------- taxonomies

#[derive(Template)]
#[template(path = "taxonomies.html")]
struct TaxonomiesPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    taxonomies: Vec<TaxonomyRow>,
}

struct TaxonomyRow {
    id: i64,
    name_th: String,
    name_en: String,
    terms: Vec<TermRow>,
}

struct TermRow {
    id: i64,
    label_th: String,
    label_en: String,
    retired: bool,
}

async fn taxonomies_view(
    state: &AppState,
    member: &Member,
    flash: Option<&'static str>,
    errors: Errors,
) -> Result<TaxonomiesPage, WebError> {
    khlang_core::org::authorize(
        member.actor(),
        Action::ManageSite,
        &khlang_core::org::Target::Site,
    )?;
    let vocab = state.core.vocabulary().await?;
    Ok(TaxonomiesPage {
        layout: Layout::new(
            "หมวดหมู่",
            "taxonomies",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash,
        errors,
        taxonomies: vocab
            .taxonomies
            .iter()
            .map(|tx| TaxonomyRow {
                id: tx.id.0,
                name_th: tx.name_th.clone(),
                name_en: tx.name_en.clone(),
                terms: vocab
                    .terms_of(tx.id)
                    .map(|t| TermRow {
                        id: t.id.0,
                        label_th: t.label_th.clone(),
                        label_en: t.label_en.clone(),
                        retired: t.retired,
                    })
                    .collect(),
            })
            .collect(),
    })
}

async fn taxonomies_page(
    State(state): State<AppState>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    Ok(render(
        &taxonomies_view(&state, &member, done.message(), Errors::default()).await?,
    ))
}

#[derive(Deserialize)]
struct TermForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label_th: String,
    #[serde(default)]
    label_en: String,
}

async fn term_result(
    state: &AppState,
    member: &Member,
    r: Result<(), DomainError>,
    done: &str,
) -> Result<Response, WebError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/admin/taxonomies?done={done}")).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let p = taxonomies_view(state, member, None, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_term(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<TermForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = state
        .core
        .add_term(
            member.actor(),
            TaxonomyId(id),
            &form.label_th,
            &form.label_en,
            None,
        )
        .await
        .map(|_| ());
    term_result(&state, &member, r, "term_added").await
}

async fn rename_term(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<TermForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = state
        .core
        .rename_term(member.actor(), TermId(id), &form.label_th, &form.label_en)
        .await
        .map(|_| ());
    term_result(&state, &member, r, "term_saved").await
}

async fn retire_term(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = state
        .core
        .set_term_retired(member.actor(), TermId(id), true)
        .await
        .map(|_| ());
    term_result(&state, &member, r, "term_retired").await
}

async fn restore_term(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = state
        .core
        .set_term_retired(member.actor(), TermId(id), false)
        .await
        .map(|_| ());
    term_result(&state, &member, r, "term_saved").await
}
