//! A person's data for a PDPA access request: JSON and an XLSX workbook (one sheet, label and
//! value per row). Both reads are audited by the core.

use super::person_id;
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiPath as Path;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use khlang_core::DomainError;
use rust_xlsxwriter::{Format, Workbook};

fn attachment(mut res: Response, name: &str, mime: &'static str) -> Response {
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    crate::caching::private(res)
}

/// `GET /people/{id}/export.json`
pub(super) async fn json(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    let export = state.core.export_person(member.actor(), id).await?;
    let body = serde_json::to_vec_pretty(&export).map_err(DomainError::internal)?;
    Ok(attachment(
        body.into_response(),
        &format!("person-{id}.json"),
        "application/json",
    ))
}

/// `GET /people/{id}/export.xlsx`
pub(super) async fn xlsx(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    let export = state.core.export_person(member.actor(), id).await?;
    let body = workbook(&export.rows).map_err(DomainError::internal)?;
    Ok(attachment(
        body.into_response(),
        &format!("person-{id}.xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ))
}

fn workbook(rows: &[(&'static str, String)]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("ข้อมูลบุคคล")?;
    sheet.write_string_with_format(0, 0, "หัวข้อ", &bold)?;
    sheet.write_string_with_format(0, 1, "ข้อมูล", &bold)?;
    for (i, (label, value)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, *label)?;
        sheet.write_string(r, 1, value)?;
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(1, 60)?;
    book.save_to_buffer()
}
