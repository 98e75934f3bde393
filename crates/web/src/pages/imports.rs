//! `/imports`: bringing existing knowledge in — a WordPress export with a ZIP of its
//! `uploads` folder, or khlang's workbook (`/imports/template.xlsx`) with a ZIP of files.
//! An upload is read straight away into a dry run shown at `/imports/{id}` (what would be
//! made, what was imported before, every problem by post or row); "เริ่มนำเข้า" then runs
//! it as a background job whose progress the same page shows.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiPath as Path;
use crate::pages::jobs::JobView;
use crate::sheets;
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use khlang_core::file::human_size;
use khlang_core::ids::UnitId;
use khlang_core::imports::sheet::COLUMNS;
use khlang_core::imports::{Bundle, Import, ImportId, Source, Target};
use khlang_core::item::KnowledgeType;
use khlang_core::text::{arabic_digits, format_be_datetime, thai_digits};
use khlang_core::{DomainError, FieldError};
use std::path::PathBuf;

/// The export or workbook itself is read whole: a WordPress export of several thousand
/// posts is a few tens of megabytes. The ZIP beside it is streamed to disk, up to the
/// upload limit.
const SOURCE_LIMIT: u64 = 64 * 1024 * 1024;
/// Entries listed on the dry-run page; the rest are counted.
const SHOWN: usize = 100;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/imports", get(index))
        .route("/imports/template.xlsx", get(template))
        .route(
            "/imports/new",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/imports/{id}", get(show))
        .route("/imports/{id}/start", post(start))
}

fn import_id(id: &str) -> Result<ImportId, WebError> {
    arabic_digits(id)
        .parse::<i64>()
        .map(ImportId)
        .map_err(|_| WebError::Domain(DomainError::NotFound))
}

/// What the upload form keeps when it comes back with errors.
#[derive(Default)]
struct Chosen {
    source: String,
    unit: String,
    target: String,
}

struct ListedImport {
    id: i64,
    what: &'static str,
    file_name: String,
    created: String,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "imports/index.html")]
struct IndexPage {
    layout: Layout,
    units: Vec<(i64, String)>,
    chosen: Chosen,
    errors: Errors,
    limit: String,
    imports: Vec<ListedImport>,
}

async fn index(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let r = index_page(&state, &member, Chosen::default(), Vec::new()).await?;
    Ok(member.0.finish_form(r))
}

async fn index_page(
    state: &AppState,
    member: &Member,
    chosen: Chosen,
    errors: Vec<FieldError>,
) -> Result<Response, WebError> {
    let core = &state.core;
    let actor = member.actor();
    let units = core.knowledge_units(actor).await?;
    let imports = core.my_imports(actor).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = IndexPage {
        layout: Layout::new(
            "นำเข้าองค์ความรู้",
            "imports",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        units: units.into_iter().map(|(id, n)| (id.0, n)).collect(),
        chosen,
        errors: Errors(errors),
        limit: human_size(state.config.upload_limit),
        imports: imports
            .iter()
            .map(|i| ListedImport {
                id: i.id.0,
                what: i.source.label_th(),
                file_name: i.file_name.clone(),
                created: format_be_datetime(i.created_at),
                state: if i.job.is_some() {
                    "สั่งนำเข้าแล้ว"
                } else if i.plan.blocked() {
                    "ต้องแก้ไขก่อน"
                } else {
                    "รอเริ่มนำเข้า"
                },
            })
            .collect(),
    };
    Ok((status, render(&page)).into_response())
}

/// A file the browser sent, kept on disk until read.
struct Spooled {
    path: PathBuf,
    size: u64,
}

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Spooled {
    fn stream(self) -> khlang_core::ports::ByteStream {
        use tokio::io::AsyncReadExt;
        let chunks = futures::stream::unfold(Some((self, None)), |state| async move {
            let (me, file) = state?;
            let mut file = match file {
                Some(f) => f,
                None => match tokio::fs::File::open(&me.path).await {
                    Ok(f) => f,
                    Err(e) => return Some((Err(e), None)),
                },
            };
            let mut buf = vec![0u8; 1 << 20];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(Bytes::from(buf)), Some((me, Some(file)))))
                }
                Err(e) => Some((Err(e), None)),
            }
        });
        Box::pin(chunks)
    }
}

/// Multipart: `csrf` first, then `source`, `unit`, `target`, `file` and `bundle`.
async fn upload(
    State(state): State<AppState>,
    member: Member,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    use tokio::io::AsyncWriteExt;
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let limit = state.config.upload_limit;
    let mut csrf_ok = false;
    let mut chosen = Chosen::default();
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut bundle: Option<Spooled> = None;
    let mut errors = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => {
                member.0.check_csrf(&field.text().await.map_err(bad)?)?;
                csrf_ok = true;
            }
            _ if !csrf_ok => return Err(WebError::Csrf),
            Some("source") => chosen.source = field.text().await.map_err(bad)?,
            Some("unit") => chosen.unit = field.text().await.map_err(bad)?,
            Some("target") => chosen.target = field.text().await.map_err(bad)?,
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if (bytes.len() + chunk.len()) as u64 > SOURCE_LIMIT {
                        errors.push(FieldError::new(
                            "file",
                            format!("ไฟล์ใหญ่เกิน {} — แบ่งเป็นหลายไฟล์", human_size(SOURCE_LIMIT)),
                        ));
                        bytes.clear();
                        while field.chunk().await.map_err(bad)?.is_some() {}
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if !bytes.is_empty() {
                    file = Some((name, bytes));
                }
            }
            Some("bundle") => {
                let path = std::env::temp_dir().join(format!(
                    "khlang-upload-{}.zip",
                    uuid::Uuid::new_v4().simple()
                ));
                let mut spooled = Spooled { path, size: 0 };
                let mut out = tokio::fs::File::create(&spooled.path)
                    .await
                    .map_err(DomainError::internal)?;
                let mut over = false;
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    spooled.size += chunk.len() as u64;
                    if spooled.size > limit {
                        over = true;
                        continue;
                    }
                    out.write_all(&chunk).await.map_err(DomainError::internal)?;
                }
                out.flush().await.map_err(DomainError::internal)?;
                if over {
                    errors.push(FieldError::new(
                        "bundle",
                        format!("ไฟล์ ZIP ใหญ่เกิน {}", human_size(limit)),
                    ));
                } else if spooled.size > 0 {
                    bundle = Some(spooled);
                }
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(WebError::Csrf);
    }
    let source = Source::parse(chosen.source.trim());
    let unit = arabic_digits(chosen.unit.trim())
        .parse::<i64>()
        .ok()
        .map(UnitId);
    let target = Target::parse(&chosen.target);
    if source.is_none() {
        errors.push(FieldError::new("source", "กรุณาเลือกแหล่งที่จะนำเข้า"));
    }
    if unit.is_none() {
        errors.push(FieldError::new("unit", "กรุณาเลือกหน่วยงานที่จะรับองค์ความรู้"));
    }
    if target.is_none() {
        errors.push(FieldError::new(
            "target",
            "กรุณาเลือกว่าจะนำเข้าเป็นฉบับร่างหรือส่งเข้าคิวกลั่นกรอง",
        ));
    }
    if file.is_none() && errors.iter().all(|e| e.field != "file") {
        errors.push(FieldError::new(
            "file",
            match source {
                Some(Source::Sheet) => "กรุณาเลือกไฟล์ Excel (.xlsx) ที่กรอกตามแม่แบบ",
                _ => "กรุณาเลือกไฟล์ส่งออกของ WordPress (.xml)",
            },
        ));
    }
    let (Some(source), Some(unit), Some(target), Some((name, bytes)), true) =
        (source, unit, target, file, errors.is_empty())
    else {
        return index_page(&state, &member, chosen, errors).await;
    };
    let bundle = bundle.map(|b| Bundle { body: b.stream() });
    let core = &state.core;
    let staged = match source {
        Source::Wordpress => {
            core.stage_wordpress_import(member.actor(), unit, target, &name, &bytes, bundle, limit)
                .await
        }
        Source::Sheet => match sheets::read_xlsx(&bytes) {
            Ok(rows) => {
                core.stage_sheet_import(member.actor(), unit, target, &name, &rows, bundle, limit)
                    .await
            }
            Err(e) => Err(DomainError::invalid("file", e.0)),
        },
    };
    match staged {
        Ok(import) => Ok(Redirect::to(&format!("/imports/{}", import.id)).into_response()),
        Err(DomainError::Invalid(errors)) => index_page(&state, &member, chosen, errors).await,
        Err(DomainError::TooLarge(m)) => {
            index_page(&state, &member, chosen, vec![FieldError::new("bundle", m)]).await
        }
        Err(e) => Err(e.into()),
    }
}

struct EntryRow {
    at: String,
    title: String,
    files: usize,
    /// The item an earlier import made, if any.
    existing: Option<i64>,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "imports/show.html")]
struct ShowPage {
    layout: Layout,
    id: i64,
    source: &'static str,
    file_name: String,
    unit: String,
    target: &'static str,
    created: String,
    total: String,
    new_count: String,
    existing_count: String,
    file_count: String,
    blocking: Vec<(String, String)>,
    notes: Vec<(String, String)>,
    skipped: Vec<(String, String)>,
    entries: Vec<EntryRow>,
    more: String,
    started: bool,
    /// The start button shows: nothing started yet, or the last run failed (it resumes).
    may_start: bool,
    job: Option<JobView>,
    /// Items this import made (title, id), once its job has run.
    made: Vec<(String, i64)>,
}

async fn show(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let core = &state.core;
    let actor = member.actor();
    let import: Import = core.import(actor, import_id(&id)?).await?;
    let tree = core.unit_tree().await?;
    let job = match import.job {
        Some(j) => Some(core.job(actor, j).await?),
        None => None,
    };
    let made = core
        .imported_items(actor, import.id)
        .await?
        .into_iter()
        .map(|k| {
            let title = import
                .plan
                .entries
                .iter()
                .find(|e| e.key == k.key)
                .map(|e| e.title.clone())
                .unwrap_or_default();
            (title, k.item.0)
        })
        .collect();
    let plan = &import.plan;
    let status = |e: &khlang_core::imports::Entry| -> &'static str {
        if e.existing.is_some() {
            return "มีอยู่แล้ว ข้าม";
        }
        match import.target {
            Target::Draft => "ฉบับร่าง",
            Target::Screening => "รอพิจารณา",
            Target::AsSource if e.published => "เผยแพร่",
            Target::AsSource => "ฉบับร่าง",
        }
    };
    let problems = |blocking: bool| -> Vec<(String, String)> {
        plan.problems
            .iter()
            .filter(|p| p.blocking == blocking)
            .map(|p| (p.at.clone(), p.message.clone()))
            .collect()
    };
    let page = ShowPage {
        layout: Layout::new(
            "ผลตรวจสอบก่อนนำเข้า",
            "imports",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        id: import.id.0,
        source: import.source.label_th(),
        file_name: import.file_name.clone(),
        unit: tree
            .get(import.unit)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default(),
        target: import.target.label_th(),
        created: format_be_datetime(import.created_at),
        total: number(plan.entries.len() as u64),
        new_count: number(plan.new_entries() as u64),
        existing_count: number((plan.entries.len() - plan.new_entries()) as u64),
        file_count: number(plan.file_count() as u64),
        blocking: problems(true),
        notes: problems(false),
        skipped: plan
            .skipped
            .iter()
            .map(|(k, n)| (k.clone(), number(u64::from(*n))))
            .collect(),
        entries: plan
            .entries
            .iter()
            .take(SHOWN)
            .map(|e| EntryRow {
                at: e.at.clone(),
                title: e.title.clone(),
                files: e.files.len(),
                existing: e.existing.map(|i| i.0),
                status: status(e),
            })
            .collect(),
        more: if plan.entries.len() > SHOWN {
            thai_digits(&(plan.entries.len() - SHOWN).to_string())
        } else {
            String::new()
        },
        started: import.job.is_some(),
        may_start: !plan.blocked()
            && job
                .as_ref()
                .is_none_or(|j| j.state == khlang_core::jobs::JobState::Failed),
        job: job.as_ref().map(JobView::of),
        made,
    };
    let mut res = render(&page);
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

#[derive(serde::Deserialize)]
struct StartForm {
    #[serde(default)]
    csrf: String,
}

async fn start(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    crate::forms::ThaiForm(form): crate::forms::ThaiForm<StartForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let id = import_id(&id)?;
    state
        .core
        .start_import(member.actor(), id, state.config.upload_limit)
        .await?;
    Ok(Redirect::to(&format!("/imports/{id}")).into_response())
}

/// The workbook to fill in: the columns, a sheet of instructions, and the units,
/// categories and knowledge types to choose from.
async fn template(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let core = &state.core;
    let units = core.knowledge_units(member.actor()).await?;
    let vocab = core.vocabulary().await?;
    let mut notes = vec![vec!["คอลัมน์".to_string(), "วิธีกรอก".to_string()]];
    notes.extend(
        COLUMNS
            .iter()
            .map(|c| vec![c.heading.to_string(), c.help.to_string()]),
    );
    notes.push(vec![String::new(), String::new()]);
    notes.push(vec![
        "ไฟล์ ZIP".into(),
        "รวมไฟล์ทุกไฟล์ที่ระบุในคอลัมน์ \"ชื่อไฟล์ใน ZIP\" ไว้ในไฟล์ .zip เดียว แล้วอัปโหลดพร้อมแบบฟอร์มนี้".into(),
    ]);
    notes.push(vec![
        "การนำเข้าซ้ำ".into(),
        "นำเข้าไฟล์เดิมซ้ำได้ เรื่องที่นำเข้าแล้วจะถูกข้าม ไม่สร้างซ้ำ".into(),
    ]);
    let mut unit_list = vec![vec!["เลขหน่วยงาน".to_string(), "ชื่อหน่วยงาน".to_string()]];
    unit_list.extend(
        units
            .iter()
            .map(|(id, n)| vec![id.0.to_string(), n.clone()]),
    );
    let mut term_list = vec![vec!["หมวดหมู่".to_string(), "ชุดหมวดหมู่".to_string()]];
    term_list.extend(vocab.terms.iter().filter(|t| !t.retired).map(|t| {
        vec![
            t.label_th.clone(),
            vocab
                .taxonomy(t.taxonomy_id)
                .map(|x| x.name_th.clone())
                .unwrap_or_default(),
        ]
    }));
    let mut type_list = vec![vec!["ประเภทความรู้".to_string()]];
    type_list.extend(
        KnowledgeType::ALL
            .iter()
            .map(|t| vec![t.label_th().split(" (").next().unwrap_or("").to_string()]),
    );
    let book = sheets::FormBook {
        sheet: "องค์ความรู้",
        columns: COLUMNS
            .iter()
            .map(|c| (c.section, c.heading, c.required, c.wide))
            .collect(),
        notes_sheet: "วิธีกรอก",
        notes,
        lists: vec![
            ("หน่วยงาน", unit_list),
            ("หมวดหมู่", term_list),
            ("ประเภทความรู้", type_list),
        ],
    };
    let bytes = sheets::form_xlsx(&book).map_err(DomainError::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, sheets::XLSX_MIME.to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"khlang-import-template.xlsx\"".to_string(),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
