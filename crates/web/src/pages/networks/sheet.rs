//! A register as an XLSX workbook in the seed's column layout (the phone column only for
//! officers; the core audits each person written), and importing the same layout back.

use super::{ListQuery, chosen_unit, list_link, registry_of};
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiQuery as Query;
use crate::sheets;
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::ids::UnitId;
use khlang_core::networks::{RegisterSheet, Registry};
use khlang_core::{DomainError, FieldError};
use rust_xlsxwriter::{Format, FormatBorder, Workbook};

/// Largest workbook accepted: a register of a thousand people is far smaller.
const MAX_FILE: usize = 5 * 1024 * 1024;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/network/export.xlsx", get(export))
        .route(
            "/network/import",
            get(import_page)
                .post(import_upload)
                .layer(DefaultBodyLimit::max(MAX_FILE + 64 * 1024)),
        )
}

fn workbook(sheet: &RegisterSheet) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_text_wrap().set_border(FormatBorder::Thin);
    let ws = book.add_worksheet();
    ws.set_name("ทะเบียน")?;
    ws.write_string_with_format(0, 0, &sheet.title, &title)?;
    for (c, h) in sheet.headings.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(2, c, *h, &head)?;
        let width = match *h {
            "ที่" => 6.0,
            "ชื่อ - สกุล" | "ตำแหน่ง" | "สังกัด" => 28.0,
            "เบอร์โทรศัพท์" => 16.0,
            _ => 36.0,
        };
        ws.set_column_width(c, width)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = 3 + r as u32;
        for (c, v) in row.iter().enumerate() {
            // Text, so that a phone keeps its leading 0.
            ws.write_string_with_format(r, c as u16, v, &cell)?;
        }
    }
    book.save_to_buffer()
}

/// `GET /network/export.xlsx?registry=&unit=`
async fn export(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let registry = registry_of(&q.registry)?;
    let tree = state.core.unit_tree().await?;
    let (unit, _) = chosen_unit(&tree, member.actor(), &q.unit)?;
    let sheet = state
        .core
        .register_sheet(member.actor(), registry, unit)
        .await?;
    let body = workbook(&sheet).map_err(DomainError::internal)?;
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(sheets::XLSX_MIME),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-{unit}.xlsx\"",
        registry.as_str()
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(crate::caching::private(res))
}

#[derive(Template)]
#[template(path = "networks/import.html")]
struct ImportPage {
    layout: Layout,
    heading: String,
    registry: &'static str,
    unit: i64,
    columns: String,
    cancel: String,
    allow_duplicate: bool,
    errors: Errors,
}

fn import_view(
    member: &Member,
    registry: Registry,
    unit: UnitId,
    unit_name: String,
    allow_duplicate: bool,
    errors: Vec<FieldError>,
) -> ImportPage {
    ImportPage {
        layout: Layout::new(
            format!("นำเข้า{}", registry.label_th()),
            "network",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        heading: format!("นำเข้า{} {unit_name}", registry.label_th()),
        registry: registry.as_str(),
        unit: unit.0,
        columns: khlang_core::networks::service::headings(registry, true).join(" | "),
        cancel: list_link(registry, unit),
        allow_duplicate,
        errors: Errors(errors),
    }
}

/// `GET /network/import?registry=&unit=`
async fn import_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let registry = registry_of(&q.registry)?;
    let tree = state.core.unit_tree().await?;
    let (unit, _) = chosen_unit(&tree, member.actor(), &q.unit)?;
    // Only those who may import see the page.
    state.core.register_accounts(member.actor(), unit).await?;
    Ok(render(&import_view(
        &member,
        registry,
        unit,
        tree.display_path(unit),
        false,
        Vec::new(),
    )))
}

/// Multipart: `csrf` first, then `file` and `allow_duplicate`; registry and unit in the query.
async fn import_upload(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let registry = registry_of(&q.registry)?;
    let tree = state.core.unit_tree().await?;
    let (unit, _) = chosen_unit(&tree, member.actor(), &q.unit)?;
    let mut csrf_ok = false;
    let mut allow_duplicate = false;
    let mut file: Option<Vec<u8>> = None;
    let mut errors: Vec<FieldError> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => {
                let v = field.text().await.map_err(bad)?;
                member.0.check_csrf(&v)?;
                csrf_ok = true;
            }
            _ if !csrf_ok => return Err(WebError::Csrf),
            Some("allow_duplicate") => {
                allow_duplicate = !field.text().await.map_err(bad)?.is_empty()
            }
            Some("file") => {
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
                    errors.push(FieldError::new("file", "ไฟล์ใหญ่เกิน 5 MB"));
                } else if !bytes.is_empty() {
                    file = Some(bytes);
                }
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(WebError::Csrf);
    }
    let grid = match &file {
        None => {
            if errors.is_empty() {
                errors.push(FieldError::new(
                    "file",
                    "กรุณาเลือกไฟล์ Excel (.xlsx) ที่กรอกตามแบบทะเบียน",
                ));
            }
            None
        }
        Some(bytes) => match sheets::read_xlsx(bytes) {
            Ok(g) => Some(g),
            Err(e) => {
                errors.push(FieldError::new("file", e.0));
                None
            }
        },
    };
    let result = match grid {
        Some(grid) if errors.is_empty() => {
            state
                .core
                .import_register(member.actor(), registry, unit, &grid, allow_duplicate)
                .await
        }
        _ => Err(DomainError::Invalid(errors)),
    };
    match result {
        Ok(n) => Ok(
            Redirect::to(&format!("{}&done=imported:{n}", list_link(registry, unit)))
                .into_response(),
        ),
        Err(DomainError::Invalid(e)) => {
            let page = import_view(
                &member,
                registry,
                unit,
                tree.display_path(unit),
                allow_duplicate,
                e,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
