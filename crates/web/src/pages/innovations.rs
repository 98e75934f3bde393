//! The innovation registry's pages (บัญชีนวัตกรรม): the catalogue with its filters, an
//! innovation's page with its "นำไปใช้แล้ว" reports and Open Graph tags, the printable A4
//! sheet, and the start of a new innovation (pick the unit → the forms wizard).

use super::Done;
use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::discovery::{PageMeta, SiteBase, excerpt, iso, json_ld};
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::forms::{ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::ItemId;
use khlang_core::innovations::model::{BRANCH_TAXONOMY, CatalogueInput};
use khlang_core::innovations::{AppliedInput, InnovationRow, MediaKind, RegionalCentre};
use khlang_core::item::ItemStatus;
use khlang_core::org::{Action, Actor};
use khlang_core::service::Khlang;
use khlang_core::taxonomy::Vocabulary;
use khlang_core::text::{format_be_date, thai_digits};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/innovations", get(catalogue))
        .route("/innovations/new", get(new_page))
        .route("/innovations/{id}", get(innovation_page))
        .route("/innovations/{id}/sheet", get(sheet))
        .route("/innovations/{id}/applied", post(report_applied))
}

const PER_PAGE: u64 = 24;

/// A card of the catalogue.
pub struct InnovationCard {
    pub id: i64,
    pub title: String,
    pub branch: String,
    pub province: String,
    pub year: String,
    pub applied: String,
    pub thumb: Option<String>,
}

pub(crate) fn branch_label(vocab: &Vocabulary, row: &InnovationRow) -> String {
    row.branch
        .and_then(|b| vocab.term(b))
        .map(|t| t.label_th.clone())
        .unwrap_or_default()
}

fn card(core: &Khlang, vocab: &Vocabulary, row: &InnovationRow) -> InnovationCard {
    InnovationCard {
        id: row.item_id.0,
        title: row.title.clone(),
        branch: branch_label(vocab, row),
        province: row
            .province
            .map(|p| core.province_name(p))
            .unwrap_or_default(),
        year: format!("ปีงบประมาณ {}", row.fiscal_year),
        applied: format!("นำไปใช้แล้ว {} ครั้ง", number(row.applied_count)),
        thumb: row.photo.map(|f| format!("/files/{f}/thumb")),
    }
}

// ---------------------------------------------------------------- catalogue

#[derive(Template)]
#[template(path = "innovations/catalogue.html")]
struct CataloguePage {
    layout: Layout,
    errors: Errors,
    may_record: bool,
    branches: Vec<(i64, String, bool)>,
    centres: Vec<(&'static str, &'static str, bool)>,
    zones: Vec<(u8, bool)>,
    provinces: Vec<(String, String, bool)>,
    media: Vec<(&'static str, &'static str, bool)>,
    year: String,
    total_text: String,
    filtered: bool,
    cards: Vec<InnovationCard>,
    page: u64,
    pages: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct CatalogueQuery {
    #[serde(flatten)]
    filters: CatalogueInput,
    page: Option<String>,
}

async fn catalogue(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response, WebError> {
    let actor = visitor.actor();
    let (filters, errors) = match q.filters.parse() {
        Ok(f) => (f, Errors::default()),
        Err(DomainError::Invalid(e)) => (Default::default(), Errors(e)),
        Err(e) => return Err(e.into()),
    };
    let page_no = crate::forms::page_link_param(q.page.as_deref())?.get();
    let list = state
        .core
        .innovation_catalogue(&actor, &filters, page_no, PER_PAGE)
        .await?;
    let vocab = state.core.vocabulary().await?;
    let query = q.filters.query_string();
    let url = |p: u64| {
        if query.is_empty() {
            format!("/innovations?page={p}")
        } else {
            format!("/innovations?{query}&page={p}")
        }
    };
    let branches = match vocab.taxonomies.iter().find(|t| t.key == BRANCH_TAXONOMY) {
        Some(tx) => vocab
            .terms_of(tx.id)
            .filter(|t| !t.retired || filters.branch == Some(t.id))
            .map(|t| (t.id.0, t.label_th.clone(), filters.branch == Some(t.id)))
            .collect(),
        None => vec![],
    };
    let provinces = state
        .core
        .provinces()
        .into_iter()
        .map(|(code, name)| {
            let selected = filters.province == Some(code);
            (code.to_string(), name, selected)
        })
        .collect();
    let html = CataloguePage {
        layout: Layout::new(
            "บัญชีนวัตกรรม",
            "innovations",
            visitor.session.as_ref(),
            visitor.csrf(),
        )
        .with_feed("นวัตกรรมล่าสุด", "/feeds/innovations.atom"),
        may_record: actor.may_somewhere(Action::Contribute),
        branches,
        centres: RegionalCentre::ALL
            .iter()
            .map(|c| (c.code(), c.label_th(), filters.regional_centre == Some(*c)))
            .collect(),
        zones: (1..=13u8)
            .map(|z| (z, filters.health_zone == Some(z)))
            .collect(),
        provinces,
        media: MediaKind::ALL
            .iter()
            .map(|m| (m.as_str(), m.label_th(), filters.media == Some(*m)))
            .collect(),
        year: filters
            .fiscal_year
            .map(|y| y.to_string())
            .unwrap_or_default(),
        total_text: format!("พบ {} นวัตกรรม", number(list.total)),
        filtered: filters != Default::default(),
        cards: list
            .items
            .iter()
            .map(|r| card(&state.core, &vocab, r))
            .collect(),
        page: list.page,
        pages: list.pages(),
        prev_url: (list.page > 1).then(|| url(list.page - 1)),
        next_url: (list.page < list.pages()).then(|| url(list.page + 1)),
        errors,
    };
    Ok(visitor.finish(render(&html)))
}

// ---------------------------------------------------------------- new

#[derive(Template)]
#[template(path = "innovations/new.html")]
struct NewPage {
    layout: Layout,
    units: Vec<(i64, String)>,
}

/// An officer (or a contributor) picks the unit the innovation belongs to; the wizard of the
/// innovation form does the rest.
async fn new_page(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let tree = state.core.unit_tree().await?;
    let units: Vec<(i64, String)> = Khlang::units_where(&tree, member.actor(), Action::Contribute)
        .into_iter()
        .filter_map(|u| tree.get(u))
        .map(|u| (u.id.0, u.name_th.as_str().to_string()))
        .collect();
    if units.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    if let [(only, _)] = units.as_slice() {
        return Ok(Redirect::to(&format!("/items/new/innovation?unit={only}")).into_response());
    }
    let html = NewPage {
        layout: Layout::new(
            "บันทึกนวัตกรรม",
            "innovations",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        units,
    };
    Ok(render(&html))
}

// ---------------------------------------------------------------- one innovation

/// An innovator as the public sees them: name and province only.
pub struct InnovatorView {
    pub name: String,
    pub province: String,
}

/// A rendered section of the entry.
pub struct SectionView {
    pub title: String,
    pub fields: Vec<(String, String)>,
}

struct ReportView {
    who: String,
    place: String,
    how: String,
    result: String,
    date: String,
}

#[derive(Template)]
#[template(path = "innovations/show.html")]
struct ShowPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    form: AppliedInput,
    id: i64,
    title: String,
    summary: String,
    branch: String,
    province: String,
    unit: String,
    year: String,
    status_label: &'static str,
    published: bool,
    photos: Vec<i64>,
    innovators: Vec<InnovatorView>,
    sections: Vec<SectionView>,
    applied: String,
    reports: Vec<ReportView>,
    /// "หน้า 2 จาก 3" and its links, when the reports take more than one page.
    reports_pager: Option<ReportsPager>,
    may_report: bool,
    signed_in: bool,
    provinces: Vec<(String, String, bool)>,
}

/// Pages of applied reports on an innovation's page.
struct ReportsPager {
    page: u64,
    pages: u64,
    prev: Option<String>,
    next: Option<String>,
}

impl ReportsPager {
    fn new(id: i64, page: u64, reports: u64) -> Option<Self> {
        let per = khlang_core::innovations::model::REPORTS_PER_PAGE;
        let pages = reports.div_ceil(per).max(1);
        (pages > 1).then(|| {
            let link = |n: u64| format!("/innovations/{id}?page={n}#applied");
            Self {
                page,
                pages,
                prev: (page > 1).then(|| link(page - 1)),
                next: (page < pages).then(|| link(page + 1)),
            }
        })
    }
}

struct Loaded {
    row: InnovationRow,
    title: String,
    summary: String,
    unit: String,
    branch: String,
    province: String,
    photos: Vec<i64>,
    innovators: Vec<InnovatorView>,
    sections: Vec<SectionView>,
    reports: Vec<ReportView>,
    may_report: bool,
    status: ItemStatus,
}

async fn load(
    state: &AppState,
    actor: &Actor,
    id: ItemId,
    reports_page: u64,
) -> Result<Loaded, WebError> {
    let core = &state.core;
    let view = core.innovation(actor, id, reports_page).await?;
    let item = core.item_view(actor, id).await?;
    let tree = core.unit_tree().await?;
    let vocab = core.vocabulary().await?;
    let innovators = core
        .innovators_public(&view.row.innovators)
        .await?
        .into_iter()
        .map(|(name, province)| InnovatorView { name, province })
        .collect();
    let sections = core
        .innovation_sections(&item.item, &item.files)
        .await?
        .into_iter()
        .map(|(title, fields)| SectionView { title, fields })
        .collect();
    Ok(Loaded {
        title: item.item.fields.title.as_str().to_string(),
        summary: item.item.fields.summary.clone(),
        unit: tree
            .get(item.item.fields.unit_id)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default(),
        branch: branch_label(&vocab, &view.row),
        province: view
            .row
            .province
            .map(|p| core.province_name(p))
            .unwrap_or_default(),
        photos: item
            .files
            .iter()
            .filter(|f| f.current && f.kind == "image")
            .map(|f| f.id.0)
            .collect(),
        innovators,
        sections,
        reports: view
            .reports
            .items
            .iter()
            .map(|r| ReportView {
                who: r.reporter_name.clone(),
                place: match r.province {
                    Some(p) => format!("{} จังหวัด{}", r.place, core.province_name(p)),
                    None => r.place.clone(),
                },
                how: r.how.clone(),
                result: r.result.clone(),
                date: format_be_date(r.at),
            })
            .collect(),
        may_report: view.may_report,
        status: item.item.status,
        row: view.row,
    })
}

/// The card LINE and Facebook show for an innovation, and its schema.org description.
fn innovation_meta(site: &SiteBase, l: &Loaded, id: i64) -> PageMeta {
    let url = site.url(&format!("/innovations/{id}"));
    let image = l
        .photos
        .first()
        .map(|f| site.url(&format!("/files/{f}/display")));
    let description = excerpt(
        if l.summary.is_empty() {
            &l.branch
        } else {
            &l.summary
        },
        200,
    );
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "genre": "นวัตกรรม",
        "name": l.title,
        "description": description,
        "url": url,
        "inLanguage": "th",
        "publisher": {"@type": "GovernmentOrganization", "name": l.unit},
    });
    if !l.branch.is_empty() {
        ld["about"] = l.branch.clone().into();
    }
    if let Some(at) = l.row.published_at {
        ld["datePublished"] = iso(at).into();
    }
    if let Some(img) = &image {
        ld["image"] = img.clone().into();
    }
    PageMeta {
        og_type: "article",
        title: l.title.clone(),
        description,
        url,
        image,
        json_ld: Some(json_ld(&ld)),
    }
}

#[allow(clippy::too_many_arguments)]
async fn show(
    state: &AppState,
    site: &SiteBase,
    visitor: &Visitor,
    id: ItemId,
    flash: Option<&'static str>,
    errors: Errors,
    form: AppliedInput,
    reports_page: u64,
) -> Result<ShowPage, WebError> {
    let actor = visitor.actor();
    let l = load(state, &actor, id, reports_page).await?;
    let meta = innovation_meta(site, &l, id.0);
    let provinces = state
        .core
        .provinces()
        .into_iter()
        .map(|(code, name)| {
            let selected = form.province.trim() == code.to_string();
            (code.to_string(), name, selected)
        })
        .collect();
    Ok(ShowPage {
        layout: Layout::new(
            l.title.clone(),
            "innovations",
            visitor.session.as_ref(),
            visitor.csrf(),
        )
        .with_meta(meta),
        flash,
        errors,
        form,
        id: id.0,
        year: format!("ปีงบประมาณ {}", l.row.fiscal_year),
        applied: format!("นำไปใช้แล้ว {} ครั้ง", number(l.row.applied_count)),
        status_label: l.status.label_th(),
        published: l.status == ItemStatus::Published,
        signed_in: visitor.session.is_some(),
        title: l.title,
        summary: l.summary,
        branch: l.branch,
        province: l.province,
        unit: l.unit,
        photos: l.photos,
        innovators: l.innovators,
        sections: l.sections,
        reports_pager: ReportsPager::new(id.0, reports_page, l.row.applied_count),
        reports: l.reports,
        may_report: l.may_report,
        provinces,
    })
}

async fn innovation_page(
    State(state): State<AppState>,
    site: SiteBase,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let flash = match done.done.as_str() {
        "applied" => Some("ขอบคุณที่รายงาน — นับเป็นการนำไปใช้แล้วของนวัตกรรมนี้"),
        _ => done.message(),
    };
    let reports_page = crate::forms::page_link_param(done.page.as_deref())?.get();
    let page = show(
        &state,
        &site,
        &visitor,
        ItemId(id),
        flash,
        Errors::default(),
        AppliedInput::default(),
        reports_page,
    )
    .await?;
    if page.may_report {
        Ok(visitor.finish_form(render(&page)))
    } else {
        Ok(visitor.finish(render(&page)))
    }
}

#[derive(Deserialize)]
struct AppliedForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    report: AppliedInput,
}

async fn report_applied(
    State(state): State<AppState>,
    site: SiteBase,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<AppliedForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .report_applied(member.actor(), ItemId(id), &form.report)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/innovations/{id}?done=applied#applied")).into_response())
        }
        Err(DomainError::Invalid(errors)) => {
            let page = show(
                &state,
                &site,
                &member.0,
                ItemId(id),
                None,
                Errors(errors),
                form.report,
                1,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- A4 sheet

#[derive(Template)]
#[template(path = "innovations/sheet.html")]
struct SheetPage {
    layout: Layout,
    id: i64,
    title: String,
    summary: String,
    branch: String,
    province: String,
    unit: String,
    year: String,
    applied: String,
    photo: Option<i64>,
    innovators: Vec<InnovatorView>,
    sections: Vec<SectionView>,
    url: String,
}

/// One printable A4 page (the print stylesheet hides the site's frame).
async fn sheet(
    State(state): State<AppState>,
    site: SiteBase,
    visitor: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let actor = visitor.actor();
    let l = load(&state, &actor, ItemId(id), 1).await?;
    let meta = innovation_meta(&site, &l, id);
    let url = meta.url.clone();
    let html = SheetPage {
        layout: Layout::new(
            format!("แผ่นนวัตกรรม: {}", l.title),
            "innovations",
            visitor.session.as_ref(),
            visitor.csrf(),
        )
        .with_meta(meta),
        id,
        year: format!("ปีงบประมาณ {}", thai_digits(&l.row.fiscal_year.to_string())),
        applied: format!("นำไปใช้แล้ว {} ครั้ง", number(l.row.applied_count)),
        title: l.title,
        summary: l.summary,
        branch: l.branch,
        province: l.province,
        unit: l.unit,
        photo: l.photos.first().copied(),
        innovators: l.innovators,
        sections: l.sections,
        url,
    };
    Ok(visitor.finish(render(&html)))
}
