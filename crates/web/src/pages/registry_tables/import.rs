//! `/innovations/import`: the template workbook, the upload form and its outcome.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiQuery as Query;
use crate::sheets;
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::FieldError;
use khlang_core::ids::UnitId;
use khlang_core::item::ItemStatus;
use khlang_core::registry_tables::import::{ColumnKind, MAX_ROWS};
use khlang_core::registry_tables::import_service::ImportRequest;
use khlang_core::text::arabic_digits;
use serde::Deserialize;

/// Largest workbook accepted: 5,000 rows of long answers fit well within it.
const MAX_FILE: usize = 20 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/innovations/import",
            get(import_page)
                .post(import_upload)
                .layer(DefaultBodyLimit::max(MAX_FILE + 64 * 1024)),
        )
        .route("/innovations/import/template.xlsx", get(template))
}

#[derive(Template)]
#[template(path = "registry_tables/import.html")]
struct ImportPage {
    layout: Layout,
    flash: Option<String>,
    errors: Errors,
    /// Row problems, in order ("แถว 37 คอลัมน์ จังหวัด: …").
    problems: Vec<String>,
    units: Vec<(i64, String, bool)>,
    may_publish: bool,
    publish: bool,
    max_rows: String,
    columns: Vec<(String, String, bool)>,
}

#[derive(Debug, Default, Deserialize)]
struct DoneParams {
    #[serde(default)]
    done: String,
    #[serde(default)]
    n: String,
}

async fn view(
    state: &AppState,
    member: &Member,
    chosen: Option<UnitId>,
    publish: bool,
    flash: Option<String>,
    errors: Vec<FieldError>,
) -> Result<ImportPage, WebError> {
    let tree = state.core.unit_tree().await?;
    let allowed = state.core.import_units(member.actor()).await?;
    if allowed.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    let may_publish = allowed.iter().any(|(_, p)| *p);
    let units = allowed
        .iter()
        .filter_map(|(id, _)| tree.get(*id))
        .map(|u| {
            (
                u.id.0,
                tree.display_path(u.id),
                Some(u.id) == chosen || allowed.len() == 1,
            )
        })
        .collect();
    let layout = state.core.import_layout().await?;
    let columns = layout
        .columns
        .iter()
        .map(|c| (c.section.clone(), c.header.clone(), c.required))
        .collect();
    let (problems, errors): (Vec<FieldError>, Vec<FieldError>) = errors
        .into_iter()
        .partition(|e| e.field.starts_with("row ") || e.field == "sheet");
    Ok(ImportPage {
        layout: Layout::new(
            "นำเข้าบัญชีนวัตกรรม",
            "innovations",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        flash,
        errors: Errors(errors),
        problems: problems.into_iter().map(|e| e.message).collect(),
        units,
        may_publish,
        publish,
        max_rows: number(MAX_ROWS as u64),
        columns,
    })
}

async fn import_page(
    State(state): State<AppState>,
    member: Member,
    Query(done): Query<DoneParams>,
) -> Result<Response, WebError> {
    let flash = match done.done.as_str() {
        "published" | "submitted" => {
            let n: u64 = arabic_digits(&done.n).parse().unwrap_or(0);
            Some(if done.done == "published" {
                format!("นำเข้าและเผยแพร่นวัตกรรมแล้ว {} รายการ", number(n))
            } else {
                format!(
                    "นำเข้าแล้ว {} รายการ ส่งให้คณะทำงานกลั่นกรองพิจารณาก่อนเผยแพร่",
                    number(n)
                )
            })
        }
        _ => None,
    };
    let page = view(&state, &member, None, false, flash, Vec::new()).await?;
    Ok(member.0.finish_form(render(&page)))
}

/// The template workbook: the columns of the form, instructions, and the branch list.
async fn template(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    if state.core.import_units(member.actor()).await?.is_empty() {
        return Err(DomainError::Forbidden.into());
    }
    let layout = state.core.import_layout().await?;
    let branches = state.core.import_branches().await?;
    let mut notes = vec![vec!["คอลัมน์".to_string(), "วิธีกรอก".to_string()]];
    notes.push(vec![
        "ทั่วไป".into(),
        format!(
            "กรอกนวัตกรรมละ 1 แถว เริ่มแถวที่ 3 ใต้หัวตาราง (ไม่เกิน {} แถวต่อไฟล์) ห้ามแก้ชื่อหัวคอลัมน์ หัวคอลัมน์สีแดงต้องกรอก หากมีแถวใดผิด ระบบจะแจ้งแถวและคอลัมน์ และไม่บันทึกรายการใดเลย",
            number(MAX_ROWS as u64)
        ),
    ]);
    for c in &layout.columns {
        let mut help = c.help.clone();
        if c.required {
            help = format!("ต้องกรอก. {help}");
        }
        if let ColumnKind::Answer {
            limit,
            multiline: true,
            ..
        } = c.kind
        {
            help = format!("{help} (ไม่เกิน {} ตัวอักษร)", number(limit as u64));
        }
        notes.push(vec![c.header.clone(), help.trim().to_string()]);
    }
    let mut list = vec![vec![
        "ลำดับ".to_string(),
        "ชื่อสาขา".to_string(),
        "รหัส".to_string(),
    ]];
    list.extend(
        branches
            .iter()
            .map(|b| vec![b.number.to_string(), b.label.clone(), b.key.clone()]),
    );
    let book = sheets::FormBook {
        sheet: "นวัตกรรม",
        columns: layout
            .columns
            .iter()
            .map(|c| {
                (
                    c.section.as_str(),
                    c.header.as_str(),
                    c.required,
                    matches!(
                        c.kind,
                        ColumnKind::Answer {
                            multiline: true,
                            ..
                        }
                    ),
                )
            })
            .collect(),
        notes_sheet: "วิธีกรอก",
        notes,
        lists: vec![("สาขา", list)],
    };
    let bytes = sheets::form_xlsx(&book).map_err(DomainError::from)?;
    Ok((
        [
            (header::CONTENT_TYPE, sheets::XLSX_MIME.to_string()),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"innovation-import-template.xlsx\"".to_string(),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// Multipart: `csrf` first, then `unit`, `publish` and `file` in any order.
async fn import_upload(
    State(state): State<AppState>,
    member: Member,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let mut csrf_ok = false;
    let mut unit = String::new();
    let mut publish = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut errors: Vec<FieldError> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => {
                let v = field.text().await.map_err(bad)?;
                member.0.check_csrf(&v)?;
                csrf_ok = true;
            }
            _ if !csrf_ok => return Err(WebError::Csrf),
            Some("unit") => unit = field.text().await.map_err(bad)?,
            Some("publish") => publish = field.text().await.map_err(bad)? == "1",
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let mut bytes = Vec::new();
                let mut too_big = false;
                while let Some(chunk) = field.chunk().await.map_err(bad)? {
                    if bytes.len() + chunk.len() > MAX_FILE {
                        too_big = true;
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if too_big {
                    errors.push(FieldError::new(
                        "file",
                        "ไฟล์ใหญ่เกิน 20 MB — กรุณาแบ่งเป็นหลายไฟล์",
                    ));
                } else if !name.is_empty() || !bytes.is_empty() {
                    file = Some((name, bytes));
                }
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(WebError::Csrf);
    }
    let unit_id = arabic_digits(unit.trim()).parse::<i64>().ok().map(UnitId);
    if unit_id.is_none() {
        errors.push(FieldError::new("unit", "กรุณาเลือกหน่วยงานเจ้าของนวัตกรรม"));
    }
    let grid = match &file {
        None if errors.iter().all(|e| e.field != "file") => {
            errors.push(FieldError::new(
                "file",
                "กรุณาเลือกไฟล์ Excel (.xlsx) ที่กรอกตามแม่แบบ",
            ));
            None
        }
        None => None,
        Some((_, bytes)) => match sheets::read_xlsx(bytes) {
            Ok(g) => Some(g),
            Err(e) => {
                errors.push(FieldError::new("file", e.0));
                None
            }
        },
    };
    let failed = |errors: Vec<FieldError>| {
        let state = state.clone();
        let member = &member;
        async move {
            let page = view(&state, member, unit_id, publish, None, errors).await?;
            Ok::<Response, WebError>(
                (StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response(),
            )
        }
    };
    let (Some(unit), Some(rows), true) = (unit_id, grid, errors.is_empty()) else {
        return failed(errors).await;
    };
    let request = ImportRequest {
        unit,
        publish,
        file_name: file.map(|(n, _)| n).unwrap_or_default(),
        rows,
    };
    match state
        .core
        .import_innovations(member.actor(), &request)
        .await
    {
        Ok(outcome) => {
            let done = if outcome.status == ItemStatus::Published {
                "published"
            } else {
                "submitted"
            };
            Ok(Redirect::to(&format!(
                "/innovations/import?done={done}&n={}",
                outcome.items.len()
            ))
            .into_response())
        }
        Err(DomainError::Invalid(errors)) => failed(errors).await,
        Err(e) => Err(e.into()),
    }
}
