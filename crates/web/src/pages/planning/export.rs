//! A plan in the official layouts: XLSX (seed 003's Forms 1 and 2) and PDF, and the XLSX
//! import of the same layout (`/plans/{id}/import`: ManageKnowledge on the plan's unit, a
//! draft or returned plan; any bad row refuses the whole file with every row named).

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiPath as Path;
use crate::sheets::{self, XLSX_MIME};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::FieldError;
use khlang_core::ids::PlanId;
use khlang_core::planning::KmPlan;
use khlang_core::print::plan_sheets::{FORM1_SHEET, FORM2_SHEET, RowKind, SheetGrid};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// Largest workbook accepted: a plan of a few thousand rows is well under 1 MB.
const MAX_FILE: usize = 5 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plans/{id}/export.pdf", get(pdf))
        .route("/plans/{id}/export.xlsx", get(xlsx))
        .route(
            "/plans/{id}/import",
            get(import_page)
                .post(import_upload)
                .layer(DefaultBodyLimit::max(MAX_FILE + 64 * 1024)),
        )
}

fn plan_id(id: &str) -> Result<PlanId, WebError> {
    khlang_core::text::arabic_digits(id)
        .parse::<i64>()
        .map(PlanId)
        .map_err(|_| WebError::Domain(DomainError::NotFound))
}

fn attachment(body: Vec<u8>, name: &str, mime: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    crate::caching::private(res)
}

fn file_name(plan: &KmPlan, ext: &str) -> String {
    format!("km-plan-{}-{}.{ext}", plan.fiscal_year.be(), plan.id.0)
}

/// `GET /plans/{id}/export.pdf`: Forms 1 and 2 and the Gantt, A4 landscape.
async fn pdf(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (plan, bytes) = state.core.plan_pdf(member.actor(), plan_id(&id)?).await?;
    Ok(attachment(
        bytes,
        &file_name(&plan, "pdf"),
        "application/pdf",
    ))
}

/// `GET /plans/{id}/export.xlsx`: the two sheets, which the import reads back.
async fn xlsx(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (plan, grids) = state
        .core
        .plan_sheets(member.actor(), plan_id(&id)?)
        .await?;
    let bytes = workbook(&grids).map_err(DomainError::internal)?;
    Ok(attachment(bytes, &file_name(&plan, "xlsx"), XLSX_MIME))
}

/// The sheets with the forms' look: titles bold across the table, a bordered header, step
/// rows shaded, text wrapped at the top of its cell, issue and objective merged down.
fn workbook(grids: &[SheetGrid]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(13);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_border(FormatBorder::Thin)
        .set_background_color("#E8E8E8");
    let step = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2F2F2");
    let body = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Thin);
    for grid in grids {
        let ws = book.add_worksheet();
        ws.set_name(grid.name)?;
        let last_col = grid.widths.len().saturating_sub(1) as u16;
        for (c, w) in grid.widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        let merged: std::collections::HashSet<(u32, u16)> = grid
            .merges
            .iter()
            .flat_map(|&(a, b, c)| (a..=b).map(move |r| (r, c)))
            .collect();
        for (r, row) in grid.rows.iter().enumerate() {
            let r = r as u32;
            match row.kind {
                RowKind::Title => {
                    let text = row.cells.first().map(String::as_str).unwrap_or("");
                    ws.merge_range(r, 0, r, last_col, text, &title)?;
                }
                RowKind::Header => {
                    for (c, s) in row.cells.iter().enumerate() {
                        ws.write_string_with_format(r, c as u16, s, &head)?;
                    }
                    ws.set_freeze_panes(r + 1, 0)?;
                }
                RowKind::Step | RowKind::Body => {
                    let f = if row.kind == RowKind::Step {
                        &step
                    } else {
                        &body
                    };
                    for c in 0..=last_col {
                        if merged.contains(&(r, c)) {
                            continue;
                        }
                        let s = row.cells.get(c as usize).map(String::as_str).unwrap_or("");
                        ws.write_string_with_format(r, c, s, f)?;
                    }
                }
            }
        }
        for &(first, last, c) in &grid.merges {
            let text = grid.rows[first as usize]
                .cells
                .get(c as usize)
                .map(String::as_str)
                .unwrap_or("");
            ws.merge_range(first, c, last, c, text, &body)?;
        }
    }
    book.save_to_buffer()
}

#[derive(Template)]
#[template(path = "planning/import.html")]
struct ImportPage {
    layout: Layout,
    plan_id: i64,
    year: i32,
    unit: String,
    errors: Errors,
    /// Row problems, in order ("แผ่นงาน แบบฟอร์มที่ ๒ แถวที่ 14: ไม่มีตัวชี้วัด").
    problems: Vec<String>,
}

async fn view(
    state: &AppState,
    member: &Member,
    plan: &KmPlan,
    errors: Vec<FieldError>,
) -> Result<ImportPage, WebError> {
    let tree = state.core.unit_tree().await?;
    let unit = tree
        .get(plan.unit_id)
        .map(|u| u.name_th.as_str().to_string())
        .unwrap_or_default();
    let (file, problems): (Vec<FieldError>, Vec<FieldError>) =
        errors.into_iter().partition(|e| e.field == "file");
    Ok(ImportPage {
        layout: Layout::new(
            "นำเข้าแผนการจัดการความรู้จาก Excel",
            "plans",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        plan_id: plan.id.0,
        year: plan.fiscal_year.be(),
        unit,
        errors: Errors(file),
        problems: problems
            .into_iter()
            .map(|e| {
                if e.field.starts_with("แผ่นงาน") {
                    format!("{}: {}", e.field, e.message)
                } else {
                    e.message
                }
            })
            .collect(),
    })
}

/// `GET /plans/{id}/import`
async fn import_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let plan = state
        .core
        .plan_for_import(member.actor(), plan_id(&id)?)
        .await?;
    let page = view(&state, &member, &plan, Vec::new()).await?;
    Ok(member.0.finish_form(render(&page)))
}

/// The sheet named `name`, else the one at `index` (a renamed tab still imports).
fn sheet<'a>(
    sheets: &'a [(String, Vec<Vec<String>>)],
    name: &str,
    index: usize,
) -> Option<&'a [Vec<String>]> {
    sheets
        .iter()
        .find(|(n, _)| n.trim() == name)
        .or_else(|| sheets.get(index))
        .map(|(_, rows)| rows.as_slice())
}

/// `POST /plans/{id}/import`, multipart: `csrf` first, then `file`.
async fn import_upload(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let id = plan_id(&id)?;
    let bad = |_| WebError::BadRequest("อ่านไฟล์ที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let mut csrf_ok = false;
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
                    errors.push(FieldError::new(
                        "file",
                        "ไฟล์ใหญ่เกิน 5 MB — แผนหนึ่งฉบับไม่ควรใหญ่ขนาดนี้ กรุณาตรวจว่าเลือกไฟล์ถูก",
                    ));
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
    // Refused before reading the file when the plan may not be imported into.
    let plan = state.core.plan_for_import(member.actor(), id).await?;
    let sheets = match &file {
        None => {
            if errors.is_empty() {
                errors.push(FieldError::new(
                    "file",
                    "กรุณาเลือกไฟล์ Excel (.xlsx) ของแผน (ดาวน์โหลดจากปุ่ม \"ดาวน์โหลด Excel\" แล้วแก้ไข)",
                ));
            }
            None
        }
        Some(bytes) => match sheets::read_xlsx_sheets(bytes) {
            Ok(s) => Some(s),
            Err(e) => {
                errors.push(FieldError::new("file", e.0));
                None
            }
        },
    };
    let outcome = match sheets {
        Some(sheets) => {
            match (
                sheet(&sheets, FORM1_SHEET, 0),
                sheet(&sheets, FORM2_SHEET, 1),
            ) {
                (Some(form1), Some(form2)) => {
                    state
                        .core
                        .import_plan_sheets(member.actor(), id, form1, form2)
                        .await
                }
                _ => Err(DomainError::invalid(
                    "file",
                    format!(
                        "ไฟล์ต้องมีแผ่นงาน \"{FORM1_SHEET}\" และ \"{FORM2_SHEET}\" ตามไฟล์ที่ดาวน์โหลดจากแผน"
                    ),
                )),
            }
        }
        None => Err(DomainError::Invalid(errors)),
    };
    match outcome {
        Ok(plan) => Ok(Redirect::to(&format!("/plans/{}?imported=1", plan.id.0)).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let page = view(&state, &member, &plan, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
