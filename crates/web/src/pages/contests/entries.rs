//! The organiser's side of an entry: registering entrants, an entry's page with its link and
//! QR code, its documents and their ZIP. Apart from [`super::rounds`] because it acts on one
//! entry on the entrant's behalf, where that file sets up rounds; the entrant's own page
//! ([`super::entry`]) shares its checklist and upload helpers from here.

use super::rounds::{Flash, branch_names, flash_text, layout, province_label};
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use khlang_core::DomainError;
use khlang_core::contests::model::{Area, ContestKind};
use khlang_core::contests::rounds::{EntrantInput, EntryAccess, EntryView};
use khlang_core::file::{FileKind, human_size};
use khlang_core::geo::Gazetteer;
use khlang_core::ids::{EntryId, RoundId};
use khlang_core::paging::PageNumber;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/contests/rounds/{id}/entrants/new",
            get(entrant_page).post(register),
        )
        .route("/contests/entries/{id}", get(entry_page))
        .route("/contests/entries/{id}/link", post(reissue_link))
        .route("/contests/entries/{id}/revoke", post(revoke_link))
        .route("/contests/entries/{id}/documents", post(upload))
        .route(
            "/contests/entries/{id}/documents/{doc}/remove",
            post(remove_document),
        )
        .route("/contests/entries/{id}/documents/{doc}", get(download))
        .route("/contests/entries/{id}/zip", get(zip))
}

// ---------------------------------------------------------------- register an entrant

#[derive(Template)]
#[template(path = "contests/round_entrant.html")]
struct EntrantPage {
    layout: Layout,
    errors: Errors,
    form: EntrantInput,
    id: i64,
    title: String,
    area: String,
    branches: Vec<(i64, String)>,
    provinces: Vec<(String, String)>,
    units: Vec<(i64, String)>,
    office: bool,
    /// The name searched for in the person register, and what it found: (id, name, province).
    q: String,
    matches: Vec<(i64, String, String)>,
    /// Why the register could not be searched (the officer keeps no register), if so.
    search_note: Option<String>,
}

async fn entrant_view(
    state: &AppState,
    member: &Member,
    id: RoundId,
    form: EntrantInput,
    errors: Errors,
) -> Result<EntrantPage, WebError> {
    let round = state.core.round_for_organiser(member.actor(), id).await?;
    let (contest, _, _) = state
        .core
        .contest_with_rounds(member.actor(), round.contest_id)
        .await?;
    let names = branch_names(state).await?;
    let tree = state.core.unit_tree().await?;
    let units = tree
        .units()
        .iter()
        .filter(|u| !u.retired)
        .filter(|u| match round.area {
            Area::Unit(root) => tree.is_within(u.id, root),
            _ => true,
        })
        .map(|u| (u.id.0, u.name_th.as_str().to_string()))
        .collect();
    Ok(EntrantPage {
        layout: layout(member, format!("ลงทะเบียนผู้สมัคร {}", round.title)),
        errors,
        form,
        id: id.0,
        title: round.title.clone(),
        area: round.area.label_th(),
        branches: round
            .settings
            .branches
            .iter()
            .map(|b| (b.0, names.get(&b.0).cloned().unwrap_or_default()))
            .collect(),
        provinces: Gazetteer::get()
            .provinces_by_name()
            .into_iter()
            .filter(|p| round.area.covers_province(p.code))
            .map(|p| (p.code.to_string(), p.name_th.to_string()))
            .collect(),
        units,
        office: contest.kind == ContestKind::Office,
        q: String::new(),
        matches: Vec::new(),
        search_note: None,
    })
}

#[derive(Deserialize)]
struct EntrantQuery {
    /// A name to look for in the person register.
    q: Option<String>,
    /// A person picked from the matches.
    person: Option<String>,
}

/// The registration form; `?q=` looks the entrant up in the person register (a plain GET
/// form, so it works without JavaScript) and `?person=` fills the picked one in.
async fn entrant_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(query): Query<EntrantQuery>,
) -> Result<Response, WebError> {
    let form = EntrantInput {
        person_id: query.person.unwrap_or_default().trim().to_string(),
        ..EntrantInput::default()
    };
    let mut p = entrant_view(&state, &member, RoundId(id), form, Errors::default()).await?;
    let q = query.q.unwrap_or_default();
    if !q.trim().is_empty() {
        p.q = q.clone();
        match state
            .core
            .find_people(member.actor(), &q, PageNumber::default())
            .await
        {
            Ok(found) => {
                let gazetteer = Gazetteer::get();
                p.matches = found
                    .items
                    .into_iter()
                    .filter(|person| !person.erased && person.merged_into.is_none())
                    .map(|person| {
                        let province = person
                            .place
                            .as_ref()
                            .map(|pl| gazetteer.province_name(pl.province))
                            .unwrap_or_default();
                        (person.id.0, person.name, province)
                    })
                    .collect();
            }
            Err(DomainError::Invalid(e)) => p.errors = Errors(e),
            Err(DomainError::Forbidden) => {
                p.search_note = Some("บัญชีนี้ไม่ได้ดูแลทะเบียนบุคคล ค้นหาไม่ได้ ใส่ชื่อผู้สมัครใหม่ด้านล่างแทน".into())
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(render(&p))
}

#[derive(Deserialize)]
struct EntrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    input: EntrantInput,
}

/// The page that shows a new link once: its secret is never stored, only its hash.
#[derive(Template)]
#[template(path = "contests/entry_link.html")]
struct LinkPage {
    layout: Layout,
    entry_id: i64,
    receipt: String,
    name: String,
    url: String,
    qr: String,
    deadline: String,
}

async fn link_page(
    state: &AppState,
    member: &Member,
    entry: EntryId,
    secret: &khlang_core::account::Secret,
) -> Result<Response, WebError> {
    let v = state
        .core
        .entry_view(&EntryAccess::Officer(member.actor()), Some(entry))
        .await?;
    let url = format!(
        "{}/e/{}",
        state.config.public_base_url.trim_end_matches('/'),
        secret.expose()
    );
    let p = LinkPage {
        layout: layout(member, format!("ลิงก์ส่งผลงาน {}", v.entry.receipt)),
        entry_id: v.entry.id.0,
        receipt: v.entry.receipt.clone(),
        name: v.entry.name.clone(),
        qr: crate::qr::svg(&url, 240),
        url,
        deadline: v.deadline.clone(),
    };
    // Shown once: never cached.
    Ok(crate::caching::private(render(&p)))
}

async fn register(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<EntrantForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .register_entrant(member.actor(), RoundId(id), &form.input)
        .await
    {
        Ok((entry, secret)) => link_page(&state, &member, entry.id, &secret).await,
        Err(DomainError::Invalid(e)) => {
            let p = entrant_view(&state, &member, RoundId(id), form.input, Errors(e)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- an entry (organiser)

/// A requirement on the checklist as a page shows it.
pub struct CheckView {
    pub key: String,
    pub name: String,
    pub required: bool,
    pub done: bool,
    pub accepts: String,
    pub max: String,
    pub max_bytes: u64,
    /// `accept` attribute of the file input.
    pub accept_attr: String,
    pub docs: Vec<(i64, String, String)>,
}

/// (id, name, size) of the documents no requirement of the round asks for.
pub fn other_documents(v: &EntryView) -> Vec<(i64, String, String)> {
    v.others
        .iter()
        .map(|x| (x.id, x.name.clone(), human_size(x.size)))
        .collect()
}

pub fn checklist(v: &EntryView) -> Vec<CheckView> {
    v.checklist
        .iter()
        .map(|(d, docs)| {
            let kinds: Vec<FileKind> = d.kinds.iter().filter_map(|k| FileKind::parse(k)).collect();
            CheckView {
                key: d.key.clone(),
                name: d.name.clone(),
                required: d.required,
                done: !docs.is_empty(),
                accepts: if kinds.is_empty() {
                    "ไฟล์ทุกชนิดที่ระบบรับ".into()
                } else {
                    kinds
                        .iter()
                        .map(|k| k.label_th())
                        .collect::<Vec<_>>()
                        .join(" หรือ ")
                },
                max: human_size(d.max_bytes),
                max_bytes: d.max_bytes,
                accept_attr: accept_attr(&kinds),
                docs: docs
                    .iter()
                    .map(|x| (x.id, x.name.clone(), human_size(x.size)))
                    .collect(),
            }
        })
        .collect()
}

/// A hint for the phone's file picker (the server decides by the bytes anyway).
fn accept_attr(kinds: &[FileKind]) -> String {
    kinds
        .iter()
        .map(|k| match k {
            FileKind::Pdf => ".pdf,application/pdf",
            FileKind::Image => "image/*",
            FileKind::Video => "video/*",
            FileKind::Audio => "audio/*",
            FileKind::Word => ".doc,.docx",
            FileKind::Excel => ".xls,.xlsx",
            FileKind::PowerPoint => ".ppt,.pptx",
            FileKind::OpenDocument => ".odt,.ods,.odp",
            _ => "",
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

#[derive(Template)]
#[template(path = "contests/entry_officer.html")]
struct EntryPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    id: i64,
    round_id: i64,
    round: String,
    receipt: String,
    name: String,
    branch: String,
    province: String,
    deadline: String,
    time_left: Option<String>,
    closed_reason: Option<String>,
    editable: bool,
    missing: usize,
    link_state: &'static str,
    link_active: bool,
    checks: Vec<CheckView>,
    /// Documents that answer no requirement of this round (from the round below): (id, name, size).
    others: Vec<(i64, String, String)>,
    has_documents: bool,
}

async fn entry_view_page(
    state: &AppState,
    member: &Member,
    id: EntryId,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<EntryPage, WebError> {
    let v = state
        .core
        .entry_view(&EntryAccess::Officer(member.actor()), Some(id))
        .await?;
    let names = branch_names(state).await?;
    let (link_state, link_active) = match &v.link {
        None => ("ไม่มีลิงก์ (ผลงานที่ผ่านเข้ารอบจากรอบก่อน)", false),
        Some(l) if l.revoked_at.is_some() => ("ยกเลิกแล้ว", false),
        Some(_) => (
            "ใช้งานได้ (แสดงลิงก์ได้ครั้งเดียวตอนออก — ออกลิงก์ใหม่ได้ถ้าผู้สมัครทำหาย)",
            true,
        ),
    };
    Ok(EntryPage {
        layout: layout(member, format!("ผลงาน {}", v.entry.receipt)),
        flash,
        errors,
        id: v.entry.id.0,
        round_id: v.round.id.0,
        round: v.round.title.clone(),
        receipt: v.entry.receipt.clone(),
        name: v.entry.name.clone(),
        branch: names.get(&v.entry.branch.0).cloned().unwrap_or_default(),
        province: province_label(v.entry.province),
        deadline: v.deadline.clone(),
        time_left: v.time_left.clone(),
        closed_reason: v.closed_reason.clone(),
        editable: v.editable,
        missing: v.missing,
        link_state,
        link_active,
        checks: checklist(&v),
        others: other_documents(&v),
        has_documents: !v.documents.is_empty(),
    })
}

async fn entry_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<Flash>,
) -> Result<Response, WebError> {
    let p = entry_view_page(
        &state,
        &member,
        EntryId(id),
        Errors::default(),
        flash_text(q.done.as_deref()),
    )
    .await?;
    Ok(render(&p))
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn reissue_link(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let secret = state
        .core
        .reissue_entry_link(member.actor(), EntryId(id))
        .await?;
    link_page(&state, &member, EntryId(id), &secret).await
}

async fn revoke_link(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state
        .core
        .revoke_entry_link(member.actor(), EntryId(id))
        .await?;
    Ok(Redirect::to(&format!("/contests/entries/{id}?done=revoked")).into_response())
}

/// Reads a multipart upload (csrf, requirement, file — in that order) and hands the file to
/// the core; returns the field errors to show, or None when stored.
pub async fn read_upload(
    state: &AppState,
    access: &EntryAccess<'_>,
    entry: Option<EntryId>,
    check_csrf: impl Fn(&str) -> Result<(), WebError>,
    mut multipart: Multipart,
) -> Result<Option<Vec<khlang_core::FieldError>>, WebError> {
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let mut csrf_ok = false;
    let mut requirement = String::new();
    let mut stored = false;
    let mut errors = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => {
                let v = field.text().await.map_err(bad)?;
                check_csrf(&v)?;
                csrf_ok = true;
            }
            Some("requirement") if csrf_ok => {
                requirement = field.text().await.map_err(bad)?;
            }
            Some("file") if csrf_ok => {
                let name = field.file_name().unwrap_or("").to_string();
                if name.is_empty() {
                    continue;
                }
                let (body, forward) = super::super::items::field_stream(field);
                let (result, ()) = tokio::join!(
                    state
                        .core
                        .add_entry_document(access, entry, &requirement, &name, body),
                    forward
                );
                match result {
                    Ok(_) => stored = true,
                    Err(DomainError::Invalid(e)) => errors.extend(e.into_iter().map(|f| {
                        khlang_core::FieldError::new(
                            format!("file_{requirement}"),
                            format!("{name}: {}", f.message),
                        )
                    })),
                    Err(DomainError::TooLarge(m)) => errors.push(khlang_core::FieldError::new(
                        format!("file_{requirement}"),
                        format!("{name}: {m}"),
                    )),
                    Err(DomainError::Conflict(m)) => {
                        errors.push(khlang_core::FieldError::new("deadline", m))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ => return Err(WebError::Csrf),
        }
    }
    if !stored && errors.is_empty() {
        errors.push(khlang_core::FieldError::new(
            format!("file_{requirement}"),
            "กรุณาเลือกไฟล์ก่อนกดส่ง",
        ));
    }
    Ok((!errors.is_empty()).then_some(errors))
}

async fn upload(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let access = EntryAccess::Officer(member.actor());
    let errors = read_upload(
        &state,
        &access,
        Some(EntryId(id)),
        |c| member.0.check_csrf(c),
        multipart,
    )
    .await?;
    match errors {
        None => Ok(Redirect::to(&format!("/contests/entries/{id}?done=uploaded")).into_response()),
        Some(e) => {
            let p = entry_view_page(&state, &member, EntryId(id), Errors(e), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
    }
}

async fn remove_document(
    State(state): State<AppState>,
    member: Member,
    Path((id, doc)): Path<(i64, i64)>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .remove_entry_document(
            &EntryAccess::Officer(member.actor()),
            Some(EntryId(id)),
            doc,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/contests/entries/{id}?done=removed")).into_response()),
        Err(DomainError::Conflict(m)) => {
            let p = entry_view_page(
                &state,
                &member,
                EntryId(id),
                Errors(vec![khlang_core::FieldError::new("deadline", m)]),
                None,
            )
            .await?;
            Ok((StatusCode::CONFLICT, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// One document's bytes, as an attachment with its Thai name.
pub fn document_response(
    doc: &khlang_core::contests::model::EntryDocument,
    size: u64,
    stream: khlang_core::ports::ByteStream,
) -> Result<Response, WebError> {
    let disposition = khlang_core::file::content_disposition(
        &khlang_core::file::FileName::from_trusted(doc.name.clone()),
        false,
    );
    Response::builder()
        .header(header::CONTENT_TYPE, doc.mime.as_str())
        .header(header::CONTENT_LENGTH, size)
        .header(header::CONTENT_DISPOSITION, disposition)
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_stream(stream))
        .map_err(|e| WebError::from(DomainError::internal(e)))
}

async fn download(
    State(state): State<AppState>,
    member: Member,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (d, size, stream) = state
        .core
        .open_entry_document(
            &EntryAccess::Officer(member.actor()),
            Some(EntryId(id)),
            doc,
        )
        .await?;
    document_response(&d, size, stream)
}

/// A `Write` that collects what the ZIP writer produces, to be sent on as body chunks.
#[derive(Clone, Default)]
struct Pipe(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("zip buffer poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Pipe {
    fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .map(|mut b| std::mem::take(&mut *b))
            .unwrap_or_default()
    }
}

/// ดาวน์โหลดทั้งหมด (ZIP): the entry's documents streamed as one ZIP (stored, not
/// compressed: PDFs, pictures and videos are compressed already), for offline judging.
async fn zip(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (entry, docs) = state
        .core
        .entry_documents_for_zip(member.actor(), EntryId(id))
        .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
    let core = state.core.clone();
    tokio::spawn(async move {
        let pipe = Pipe::default();
        let mut zip = zip::ZipWriter::new_stream(pipe.clone());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        for (i, doc) in docs.iter().enumerate() {
            let name = format!("{:02}-{}-{}", i + 1, doc.requirement, doc.name);
            if let Err(e) = zip.start_file(name, options) {
                let _ = tx.send(Err(std::io::Error::other(e))).await;
                return;
            }
            let mut stream = match core.document_bytes(doc).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            };
            while let Some(chunk) = stream.next().await {
                let written = chunk.and_then(|c| std::io::Write::write_all(&mut zip, &c));
                if let Err(e) = written {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                let out = pipe.take();
                if !out.is_empty() && tx.send(Ok(out.into())).await.is_err() {
                    return;
                }
            }
        }
        if let Err(e) = zip.finish() {
            let _ = tx.send(Err(std::io::Error::other(e))).await;
            return;
        }
        let out = pipe.take();
        if !out.is_empty() {
            let _ = tx.send(Ok(out.into())).await;
        }
    });
    let body =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|x| (x, rx)) });
    let file_name = format!("{}.zip", entry.receipt);
    Response::builder()
        .header(header::CONTENT_TYPE, "application/zip")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_stream(body))
        .map_err(|e| WebError::from(DomainError::internal(e)))
}
