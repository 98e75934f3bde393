//! Form templates on the web: the phone wizard (one section per screen, a draft saved on every
//! step and every 30 s with JS, nothing lost going back), the review screen that sends the
//! entry to screening, the entry shown on the item page, and the template admin pages.

use super::Done;
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiPath as Path, ThaiQuery as Query};
use crate::markdown;
use crate::view::{Errors, Layout, escape, render};
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::FieldError;
use khlang_core::file::{FileKind, human_size};
use khlang_core::forms::model::{FieldEdit, NewField, TemplateEdit};
use khlang_core::forms::{
    Answer, Audience, FieldKind, Lookups, RawAnswers, RenderedSection, Strictness, TemplateVersion,
};
use khlang_core::ids::ItemId;
use khlang_core::item::{ItemFile, ItemStatus};
use khlang_core::org::Action;
use khlang_core::service::Khlang;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items/new/{template}", get(start_page).post(start))
        .route("/items/{id}/form/review", get(review_page).post(submit))
        .route("/items/{id}/form/{n}", get(section_page).post(save_section))
        .route(
            "/items/{id}/form/{n}/upload/{field}",
            axum::routing::post(upload),
        )
        .route("/admin/templates", get(admin_list))
        .route(
            "/admin/templates/{key}",
            get(admin_template).post(admin_save),
        )
}

fn pairs(body: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

// ---------------------------------------------------------------- start

#[derive(Template)]
#[template(path = "forms/start.html")]
struct StartPage {
    layout: Layout,
    key: String,
    name: String,
    description: String,
    title_label: String,
    title: String,
    unit: String,
    units: Vec<(i64, String)>,
    total: usize,
    errors: Errors,
}

#[derive(Deserialize, Default)]
struct StartQuery {
    #[serde(default)]
    unit: Option<String>,
}

async fn start_view(
    state: &AppState,
    member: &Member,
    tv: &TemplateVersion,
    title: String,
    unit: String,
    errors: Errors,
) -> Result<StartPage, WebError> {
    let tree = state.core.unit_tree().await?;
    let ids = Khlang::units_where(&tree, member.actor(), Action::Contribute);
    let units: Vec<(i64, String)> = ids
        .iter()
        .filter_map(|id| tree.get(*id))
        .filter(|u| !u.retired)
        .map(|u| (u.id.0, tree.display_path(u.id)))
        .collect();
    if units.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    let unit = if unit.is_empty() {
        member
            .user()
            .home_unit_id
            .filter(|u| ids.contains(u))
            .map(|u| u.0.to_string())
            .unwrap_or_default()
    } else {
        unit
    };
    Ok(StartPage {
        layout: Layout::new(
            tv.body.name_th.clone(),
            "mine",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        key: tv.key().to_string(),
        name: tv.body.name_th.clone(),
        description: tv.body.description.clone(),
        title_label: tv
            .body
            .title_field
            .as_deref()
            .and_then(|k| tv.field(k))
            .map(|f| f.label.clone())
            .unwrap_or_else(|| "ชื่อเรื่อง".into()),
        title,
        unit,
        units,
        total: tv.sections().len(),
        errors,
    })
}

/// `GET /items/new/{template}`: choose the unit (`?unit=` preselects it) and name the entry.
async fn start_page(
    State(state): State<AppState>,
    member: Member,
    Path(key): Path<String>,
    Query(q): Query<StartQuery>,
) -> Result<Response, WebError> {
    let tv = state.core.template(&key).await?;
    let page = start_view(
        &state,
        &member,
        &tv,
        String::new(),
        q.unit.unwrap_or_default(),
        Errors::default(),
    )
    .await?;
    Ok(render(&page))
}

/// The first POST makes the draft item; the wizard goes on at section 1.
async fn start(
    State(state): State<AppState>,
    member: Member,
    Path(key): Path<String>,
    body: String,
) -> Result<Response, WebError> {
    let p = pairs(&body);
    member.0.check_csrf(first(&p, "csrf"))?;
    let (title, unit) = (first(&p, "title"), first(&p, "unit_id"));
    match state
        .core
        .start_entry(member.actor(), &key, unit, title)
        .await
    {
        Ok(item) => Ok(Redirect::to(&format!("/items/{}/form/1", item.id)).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let tv = state.core.template(&key).await?;
            // The title error is shown at the title input whatever the template calls it.
            let errors = errors
                .into_iter()
                .map(|e| {
                    if e.field.starts_with("entry.") {
                        FieldError::new("title", e.message)
                    } else {
                        e
                    }
                })
                .collect();
            let page = start_view(
                &state,
                &member,
                &tv,
                title.to_string(),
                unit.to_string(),
                Errors(errors),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- one section

/// One question as the wizard shows it.
struct FieldView {
    name: String,
    id: String,
    label: String,
    help: String,
    required: bool,
    /// `short_text`, `long_text`, `number`, `date`, `choice`, `choice_multiple`, `person`,
    /// `place`, `files`, `links`.
    kind: &'static str,
    value: String,
    unit: String,
    limit: u32,
    /// (key, label, chosen)
    options: Vec<(String, String, bool)>,
    /// (id, name, kind label, size, in this field)
    files: Vec<(i64, String, &'static str, String, bool)>,
    accept: String,
    accept_label: String,
    upload_url: String,
    upload_name: String,
    /// province, district, subdistrict, village_no, village
    place: [String; 5],
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "forms/section.html")]
struct SectionPage {
    layout: Layout,
    id: i64,
    n: usize,
    total: usize,
    item_title: String,
    template_name: String,
    section_title: String,
    section_help: String,
    fields: Vec<FieldView>,
    errors: Errors,
    flash: Option<&'static str>,
    upload_limit: String,
}

fn accept_attr(kinds: &[FileKind]) -> String {
    let exts: &[&str] = &[];
    let mut out: Vec<&str> = exts.to_vec();
    for k in kinds {
        out.extend_from_slice(match k {
            FileKind::Image => &[".jpg", ".jpeg", ".png", ".gif", ".webp"][..],
            FileKind::Video => &[".mp4", ".m4v", ".mov", ".webm"][..],
            FileKind::Audio => &[".mp3", ".m4a", ".wav", ".ogg"][..],
            FileKind::Pdf => &[".pdf"][..],
            FileKind::Word => &[".doc", ".docx"][..],
            FileKind::Excel => &[".xls", ".xlsx"][..],
            FileKind::PowerPoint => &[".ppt", ".pptx"][..],
            FileKind::OpenDocument => &[".odt", ".ods", ".odp"][..],
            FileKind::Zip => &[".zip"][..],
        });
    }
    out.join(",")
}

#[allow(clippy::too_many_arguments)]
fn section_view(
    state: &AppState,
    member: &Member,
    id: ItemId,
    item_title: &str,
    tv: &TemplateVersion,
    n: usize,
    raw: &RawAnswers,
    files: &[ItemFile],
    lookups: &Lookups,
    errors: Errors,
    flash: Option<&'static str>,
) -> SectionPage {
    let section = &tv.sections()[n - 1];
    let mut fields = Vec::new();
    for f in section.fields.iter().filter(|f| f.active()) {
        let key = f.key.as_str();
        let (kind, unit) = match &f.kind {
            FieldKind::ShortText => ("short_text", String::new()),
            FieldKind::LongText => ("long_text", String::new()),
            FieldKind::Number { unit, .. } => ("number", unit.clone()),
            FieldKind::Date => ("date", String::new()),
            FieldKind::Choice { multiple: true, .. } => ("choice_multiple", String::new()),
            FieldKind::Choice { .. } => ("choice", String::new()),
            FieldKind::Person => ("person", String::new()),
            FieldKind::Place => ("place", String::new()),
            FieldKind::Files { .. } => ("files", String::new()),
            FieldKind::Links => ("links", String::new()),
        };
        let accepted = f.kind.accepted_kinds();
        let value = match &f.kind {
            FieldKind::Person => raw.0.get(key).map(|v| v.join(", ")).unwrap_or_default(),
            _ => raw.get(key).to_string(),
        };
        fields.push(FieldView {
            name: format!("f.{key}"),
            id: format!("f-{key}"),
            label: f.label.clone(),
            help: f.help.clone(),
            required: f.required,
            kind,
            value,
            unit,
            limit: f.limit(),
            options: lookups
                .offered(&f.kind)
                .into_iter()
                .map(|o| (o.key.clone(), o.label.clone(), raw.has(key, &o.key)))
                .collect(),
            files: files
                .iter()
                .filter(|file| {
                    raw.has(key, &file.id.0.to_string())
                        || FileKind::parse(&file.kind).is_some_and(|k| accepted.contains(&k))
                })
                .map(|file| {
                    (
                        file.id.0,
                        file.name.clone(),
                        FileKind::parse(&file.kind)
                            .map(|k| k.label_th())
                            .unwrap_or(""),
                        human_size(file.size),
                        raw.has(key, &file.id.0.to_string()),
                    )
                })
                .collect(),
            accept: accept_attr(&accepted),
            accept_label: accepted
                .iter()
                .map(|k| k.label_th())
                .collect::<Vec<_>>()
                .join(" "),
            upload_url: format!("/items/{id}/form/{n}/upload/{key}"),
            upload_name: format!("upload.{key}"),
            place: [
                "province",
                "district",
                "subdistrict",
                "village_no",
                "village",
            ]
            .map(|p| raw.get(&format!("{key}.{p}")).to_string()),
            error: errors.get(&f.error_key()).map(str::to_string),
        });
    }
    SectionPage {
        layout: Layout::new(
            format!("{} — ขั้นที่ {n}", section.title),
            "mine",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id: id.0,
        n,
        total: tv.sections().len(),
        item_title: item_title.to_string(),
        template_name: tv.body.name_th.clone(),
        section_title: section.title.clone(),
        section_help: section.help.clone(),
        fields,
        errors,
        flash,
        upload_limit: human_size(state.config.upload_limit),
    }
}

fn section_number(n: &str, total: usize) -> Result<usize, WebError> {
    match n.parse::<usize>() {
        Ok(n) if (1..=total).contains(&n) => Ok(n),
        _ => Err(DomainError::NotFound.into()),
    }
}

/// `GET /items/{id}/form/{n}`: section n, filled with what is saved.
async fn section_page(
    State(state): State<AppState>,
    member: Member,
    Path((id, n)): Path<(i64, String)>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let id = ItemId(id);
    let (item, tv, files) = state.core.entry_for_edit(member.actor(), id).await?;
    let n = section_number(&n, tv.sections().len())?;
    let lookups = state.core.form_lookups(&tv, &files).await?;
    let raw = item
        .fields
        .entry
        .as_ref()
        .map(RawAnswers::from_entry)
        .unwrap_or_default();
    let page = section_view(
        &state,
        &member,
        id,
        item.fields.title.as_str(),
        &tv,
        n,
        &raw,
        &files,
        &lookups,
        Errors::default(),
        done.message(),
    );
    Ok(render(&page))
}

/// `POST /items/{id}/form/{n}`: `go=next` checks the section and moves on; `go=back` and
/// `autosave=1` keep a draft that may still lack required answers. Refused answers come back
/// at their fields with everything typed, and nothing is saved.
async fn save_section(
    State(state): State<AppState>,
    member: Member,
    Path((id, n)): Path<(i64, String)>,
    body: String,
) -> Result<Response, WebError> {
    let p = pairs(&body);
    member.0.check_csrf(first(&p, "csrf"))?;
    let id = ItemId(id);
    let (item, tv, files) = state.core.entry_for_edit(member.actor(), id).await?;
    let total = tv.sections().len();
    let n = section_number(&n, total)?;
    let autosave = first(&p, "autosave") == "1";
    let back = first(&p, "go") == "back";
    let raw = RawAnswers::from_pairs(p.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let (strictness, step_after) = if autosave {
        (Strictness::Draft, n)
    } else if back {
        (Strictness::Draft, n.saturating_sub(1).max(1))
    } else {
        (Strictness::Complete, n + 1)
    };
    match state
        .core
        .save_entry_section(member.actor(), id, n, &raw, strictness, step_after)
        .await
    {
        Ok(_) if autosave => Ok(axum::Json(serde_json::json!({
            "saved": true,
            "message": "บันทึกฉบับร่างอัตโนมัติแล้ว",
        }))
        .into_response()),
        Ok(_) if back && n == 1 => Ok(Redirect::to(&format!("/items/{}", id)).into_response()),
        Ok(_) => {
            let next = if back {
                format!("/items/{id}/form/{}", n - 1)
            } else if n == total {
                format!("/items/{id}/form/review")
            } else {
                format!("/items/{id}/form/{}?done=saved", n + 1)
            };
            Ok(Redirect::to(&next).into_response())
        }
        // The answer of a script: JSON with each field's Thai message (nothing was saved).
        Err(DomainError::Invalid(errors)) if autosave => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({
                "saved": false,
                "errors": errors
                    .iter()
                    .map(|e| serde_json::json!({"field": e.field, "message": e.message}))
                    .collect::<Vec<_>>(),
            })),
        )
            .into_response()),
        Err(DomainError::Invalid(errors)) => {
            let lookups = state.core.form_lookups(&tv, &files).await?;
            let mut shown = item
                .fields
                .entry
                .as_ref()
                .map(RawAnswers::from_entry)
                .unwrap_or_default();
            shown.merge(&raw, &tv, n - 1);
            let page = section_view(
                &state,
                &member,
                id,
                item.fields.title.as_str(),
                &tv,
                n,
                &shown,
                &files,
                &lookups,
                Errors(errors),
                None,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /items/{id}/form/{n}/upload/{field}` (multipart, from the section form's upload
/// button): stores the files in the field, and keeps a draft of what else was typed.
async fn upload(
    State(state): State<AppState>,
    member: Member,
    Path((id, n, field)): Path<(i64, String, String)>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let id = ItemId(id);
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let (_, tv, _) = state.core.entry_for_edit(member.actor(), id).await?;
    let n = section_number(&n, tv.sections().len())?;
    let mut csrf_ok = false;
    let mut text: Vec<(String, String)> = Vec::new();
    let mut stored = 0;
    let mut errors: Vec<FieldError> = Vec::new();
    let input = format!("upload.{field}");
    while let Some(part) = multipart.next_field().await.map_err(bad)? {
        let name = part.name().unwrap_or("").to_string();
        if name == "csrf" {
            let v = part.text().await.map_err(bad)?;
            member.0.check_csrf(&v)?;
            csrf_ok = true;
        } else if !csrf_ok {
            return Err(WebError::Csrf);
        } else if name == input {
            let file_name = part.file_name().unwrap_or("").to_string();
            if file_name.is_empty() {
                continue;
            }
            let (body, forward) = super::items::field_stream(part);
            let (result, ()) = tokio::join!(
                state.core.attach_entry_file(
                    member.actor(),
                    id,
                    n,
                    &field,
                    &file_name,
                    body,
                    state.config.upload_limit
                ),
                forward
            );
            match result {
                Ok(_) => stored += 1,
                Err(DomainError::Invalid(e)) => errors.extend(e),
                Err(DomainError::TooLarge(m)) => errors.push(FieldError::new(
                    format!("entry.{field}"),
                    format!("{file_name}: {m}"),
                )),
                Err(e) => return Err(e.into()),
            }
        } else if name.starts_with("f.") {
            text.push((name, part.text().await.map_err(bad)?));
        } else {
            // Other files inputs of the section: their own upload button sends them.
            let _ = part.bytes().await.map_err(bad)?;
        }
    }
    if !csrf_ok {
        return Err(WebError::Csrf);
    }
    if stored == 0 && errors.is_empty() {
        errors.push(FieldError::new(
            format!("entry.{field}"),
            "กรุณาเลือกไฟล์ก่อนกดอัปโหลด",
        ));
    }
    // What else was typed is kept as a draft (the uploaded files are already in the field).
    let (item, _, files) = state.core.entry_for_edit(member.actor(), id).await?;
    let mut raw = RawAnswers::from_pairs(text.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    if let Some(Answer::Files(ids)) = item
        .fields
        .entry
        .as_ref()
        .and_then(|e| e.answers.get(&field))
    {
        let mut kept: Vec<String> = raw.0.get(&field).cloned().unwrap_or_default();
        for f in ids {
            if !kept.contains(&f.0.to_string()) {
                kept.push(f.0.to_string());
            }
        }
        raw.0.insert(field.clone(), kept);
    }
    // Without typed answers (a script's upload) the section's answers stay as they are.
    let saved = if text.is_empty() {
        Ok(item)
    } else {
        state
            .core
            .save_entry_section(member.actor(), id, n, &raw, Strictness::Draft, n)
            .await
    };
    match saved {
        Ok(_) => {}
        Err(DomainError::Invalid(e)) => errors.extend(e),
        Err(e) => return Err(e.into()),
    }
    if errors.is_empty() {
        return Ok(Redirect::to(&format!("/items/{id}/form/{n}?done=uploaded")).into_response());
    }
    let (item, tv, files2) = state.core.entry_for_edit(member.actor(), id).await?;
    let files = if files2.len() >= files.len() {
        files2
    } else {
        files
    };
    let lookups = state.core.form_lookups(&tv, &files).await?;
    let mut shown = item
        .fields
        .entry
        .as_ref()
        .map(RawAnswers::from_entry)
        .unwrap_or_default();
    shown.merge(&raw, &tv, n - 1);
    let page = section_view(
        &state,
        &member,
        id,
        item.fields.title.as_str(),
        &tv,
        n,
        &shown,
        &files,
        &lookups,
        Errors(errors),
        None,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

// ---------------------------------------------------------------- review and the item page

/// An answered field as a reader sees it.
pub struct ShownField {
    pub label: String,
    /// Safe HTML (Markdown rendered and sanitised, or escaped text).
    pub html: String,
}

pub struct ShownSection {
    pub number: usize,
    pub title: String,
    pub fields: Vec<ShownField>,
}

/// An entry on the item page: its sections, with the template version it was filled in.
pub struct EntryView {
    pub template_name: String,
    pub version: u32,
    pub sections: Vec<ShownSection>,
    /// "ทำต่อ ขั้นที่ 4 จาก 7" for a draft the reader may edit.
    pub resume: Option<(String, String)>,
}

fn field_html(f: &khlang_core::forms::RenderedField, files: &[ItemFile]) -> String {
    match (&f.kind, &f.answer) {
        (FieldKind::LongText, Some(Answer::Text(t))) => markdown::render(t),
        (_, Some(Answer::Links(links))) => links
            .iter()
            .map(|l| {
                format!(
                    "<a href=\"{0}\" rel=\"noopener nofollow\">{0}</a>",
                    escape(l)
                )
            })
            .collect::<Vec<_>>()
            .join("<br>"),
        (_, Some(Answer::Files(ids))) => ids
            .iter()
            .filter_map(|id| files.iter().find(|f| f.id == *id))
            .map(|file| {
                let url = format!(
                    "/files/{}/{}",
                    file.id,
                    crate::auth::percent_encode(&file.name)
                );
                if file.kind == "image" {
                    format!(
                        "<a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\" loading=\"lazy\"></a>",
                        escape(&url),
                        escape(&file.name)
                    )
                } else {
                    format!("<a href=\"{}\">{}</a>", escape(&url), escape(&file.name))
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        _ => escape(&f.text).replace('\n', "<br>"),
    }
}

fn shown(sections: Vec<RenderedSection>, files: &[ItemFile]) -> Vec<ShownSection> {
    sections
        .into_iter()
        .map(|s| ShownSection {
            number: s.number,
            title: s.title,
            fields: s
                .fields
                .iter()
                .map(|f| ShownField {
                    label: f.label.clone(),
                    html: field_html(f, files),
                })
                .collect(),
        })
        .collect()
}

/// The entry part of the item page (None for items without a form), for the reader's eyes:
/// non-public answers only for those who may edit or screen the item.
pub(crate) async fn entry_view(
    state: &AppState,
    actor: &khlang_core::org::Actor,
    v: &khlang_core::service::items::ItemView,
) -> Result<Option<EntryView>, WebError> {
    let audience = state.core.entry_audience(actor, &v.item).await?;
    let Some((tv, sections)) = state
        .core
        .render_entry(&v.item.fields, &v.files, audience)
        .await?
    else {
        return Ok(None);
    };
    let resume = match (&v.item.fields.entry, v.may_edit, v.item.status) {
        (Some(e), true, ItemStatus::Draft | ItemStatus::ChangesRequested) => {
            let step = e.resume_step(&tv);
            let total = tv.sections().len();
            Some(if step > total {
                (
                    format!("/items/{}/form/review", v.item.id),
                    "ตรวจทานและส่งพิจารณา".to_string(),
                )
            } else {
                (
                    format!("/items/{}/form/{step}", v.item.id),
                    format!("กรอกแบบฟอร์มต่อ ขั้นที่ {step} จาก {total}"),
                )
            })
        }
        _ => None,
    };
    Ok(Some(EntryView {
        template_name: tv.body.name_th.clone(),
        version: tv.version,
        sections: shown(sections, &v.files),
        resume,
    }))
}

/// Where a draft list's entry leads: the wizard step it was left at (None without a form).
pub(crate) async fn resume_url(
    state: &AppState,
    member: &Member,
    id: ItemId,
) -> Result<Option<(String, String)>, WebError> {
    let Ok((item, tv, _)) = state.core.entry_for_edit(member.actor(), id).await else {
        return Ok(None);
    };
    let Some(e) = &item.fields.entry else {
        return Ok(None);
    };
    let step = e.resume_step(&tv);
    let total = tv.sections().len();
    Ok(Some(if step > total {
        (
            format!("/items/{id}/form/review"),
            "ตรวจทานและส่งพิจารณา".into(),
        )
    } else {
        (
            format!("/items/{id}/form/{step}"),
            format!("กรอกต่อ ขั้นที่ {step} จาก {total}"),
        )
    }))
}

#[derive(Template)]
#[template(path = "forms/review.html")]
struct ReviewPage {
    layout: Layout,
    id: i64,
    total: usize,
    item_title: String,
    sections: Vec<(usize, String, Vec<ShownField>)>,
    /// (section, message)
    missing: Vec<(usize, String)>,
    errors: Errors,
    submittable: bool,
}

async fn review_view(
    state: &AppState,
    member: &Member,
    id: ItemId,
    errors: Errors,
) -> Result<ReviewPage, WebError> {
    let (item, tv, files) = state.core.entry_for_edit(member.actor(), id).await?;
    let rendered = state
        .core
        .render_entry(&item.fields, &files, Audience::Editors)
        .await?
        .map(|(_, s)| s)
        .unwrap_or_default();
    let shown = shown(rendered, &files);
    let sections = tv
        .sections()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let fields = shown
                .iter()
                .find(|x| x.number == i + 1)
                .map(|x| {
                    x.fields
                        .iter()
                        .map(|f| ShownField {
                            label: f.label.clone(),
                            html: f.html.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            (i + 1, s.title.clone(), fields)
        })
        .collect();
    let missing: Vec<(usize, String)> = state
        .core
        .entry_missing(&item)
        .await?
        .into_iter()
        .map(|(n, e)| (n, e.message))
        .collect();
    Ok(ReviewPage {
        layout: Layout::new(
            "ตรวจทานก่อนส่งพิจารณา",
            "mine",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id: id.0,
        total: tv.sections().len(),
        item_title: item.fields.title.as_str().to_string(),
        sections,
        submittable: missing.is_empty()
            && khlang_core::item::Transition::Submit
                .apply(item.status)
                .is_ok(),
        missing,
        errors,
    })
}

/// `GET /items/{id}/form/review`: every answer, with a แก้ไข link per section.
async fn review_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let page = review_view(&state, &member, ItemId(id), Errors::default()).await?;
    Ok(render(&page))
}

/// `POST /items/{id}/form/review`: ส่งพิจารณา (into the screening flow).
async fn submit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    body: String,
) -> Result<Response, WebError> {
    let p = pairs(&body);
    member.0.check_csrf(first(&p, "csrf"))?;
    match state.core.submit_entry(member.actor(), ItemId(id)).await {
        Ok(_) => Ok(Redirect::to(&format!("/items/{id}?done=submitted")).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let page = review_view(&state, &member, ItemId(id), Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- admin

#[derive(Template)]
#[template(path = "forms/admin_list.html")]
struct AdminList {
    layout: Layout,
    /// (key, name, version, sections, fields)
    templates: Vec<(String, String, u32, usize, usize)>,
}

async fn admin_list(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    if !member.actor().is_site_admin() {
        return Err(DomainError::Forbidden.into());
    }
    let templates = state
        .core
        .templates()
        .await?
        .into_iter()
        .map(|t| {
            let fields = t.fields().filter(|(_, f)| f.active()).count();
            (
                t.key().to_string(),
                t.body.name_th.clone(),
                t.version,
                t.sections().len(),
                fields,
            )
        })
        .collect();
    let page = AdminList {
        layout: Layout::new(
            "แบบฟอร์ม",
            "templates",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        templates,
    };
    Ok(render(&page))
}

struct AdminField {
    key: String,
    label: String,
    help: String,
    kind: &'static str,
    position: usize,
    required: bool,
    public: bool,
    searchable: bool,
    retired: bool,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "forms/admin_template.html")]
struct AdminTemplate {
    layout: Layout,
    key: String,
    name: String,
    version: u32,
    /// (number, title, fields)
    sections: Vec<(usize, String, Vec<AdminField>)>,
    /// (version, by, at)
    history: Vec<(u32, String, String)>,
    errors: Errors,
    flash: Option<&'static str>,
    new: NewField,
}

async fn admin_view(
    state: &AppState,
    member: &Member,
    key: &str,
    errors: Errors,
    flash: Option<&'static str>,
    new: NewField,
) -> Result<AdminTemplate, WebError> {
    let history = state.core.template_history(member.actor(), key).await?;
    let Some(tv) = history.last() else {
        return Err(DomainError::NotFound.into());
    };
    let mut rows = Vec::new();
    for v in history.iter().rev() {
        let by = match v.created_by {
            Some(u) => state.core.person_name(u).await?,
            None => "ข้อมูลตั้งต้นของระบบ".to_string(),
        };
        rows.push((
            v.version,
            by,
            khlang_core::text::format_be_datetime(v.created_at),
        ));
    }
    let sections = tv
        .sections()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let fields = s
                .fields
                .iter()
                .enumerate()
                .map(|(j, f)| AdminField {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    help: f.help.clone(),
                    kind: f.kind.label_th(),
                    position: j + 1,
                    required: f.required,
                    public: f.public,
                    searchable: f.searchable,
                    retired: f.retired,
                    error: ["label", "help", "position", "retired"]
                        .iter()
                        .find_map(|p| errors.get(&format!("{p}.{}", f.key)))
                        .map(str::to_string),
                })
                .collect();
            (i + 1, s.title.clone(), fields)
        })
        .collect();
    Ok(AdminTemplate {
        layout: Layout::new(
            tv.body.name_th.clone(),
            "templates",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        key: key.to_string(),
        name: tv.body.name_th.clone(),
        version: tv.version,
        sections,
        history: rows,
        errors,
        flash,
        new,
    })
}

async fn admin_template(
    State(state): State<AppState>,
    member: Member,
    Path(key): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let flash = match done.done.as_str() {
        "template_saved" => Some("บันทึกแบบฟอร์มเป็นฉบับใหม่แล้ว รายการเดิมยังแสดงตามฉบับที่กรอกไว้"),
        "template_unchanged" => Some("ไม่มีการเปลี่ยนแปลง"),
        _ => None,
    };
    let page = admin_view(
        &state,
        &member,
        &key,
        Errors::default(),
        flash,
        NewField {
            public: true,
            searchable: true,
            ..Default::default()
        },
    )
    .await?;
    Ok(render(&page))
}

/// Each save with a change is a new version of the template.
async fn admin_save(
    State(state): State<AppState>,
    member: Member,
    Path(key): Path<String>,
    body: String,
) -> Result<Response, WebError> {
    let p = pairs(&body);
    member.0.check_csrf(first(&p, "csrf"))?;
    let latest = state.core.template(&key).await?;
    let fields = latest
        .fields()
        .map(|(_, f)| FieldEdit {
            key: f.key.clone(),
            label: first(&p, &format!("label.{}", f.key)).to_string(),
            help: first(&p, &format!("help.{}", f.key)).to_string(),
            position: first(&p, &format!("position.{}", f.key)).to_string(),
            retired: first(&p, &format!("retired.{}", f.key)) == "1",
        })
        .collect();
    let new = NewField {
        section: first(&p, "new.section").to_string(),
        label: first(&p, "new.label").to_string(),
        help: first(&p, "new.help").to_string(),
        kind: first(&p, "new.kind").to_string(),
        unit: first(&p, "new.unit").to_string(),
        options: first(&p, "new.options").to_string(),
        public: first(&p, "new.public") == "1",
        searchable: first(&p, "new.searchable") == "1",
    };
    let edit = TemplateEdit {
        name_th: first(&p, "name_th").to_string(),
        fields,
        new_field: Some(new.clone()),
    };
    match state.core.save_template(member.actor(), &key, &edit).await {
        Ok(tv) => {
            let done = if tv.version > latest.version {
                "template_saved"
            } else {
                "template_unchanged"
            };
            Ok(Redirect::to(&format!("/admin/templates/{key}?done={done}")).into_response())
        }
        Err(DomainError::Invalid(errors)) => {
            let page = admin_view(&state, &member, &key, Errors(errors), None, new).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
