//! Spreadsheets out of [`ReportTable`]s, for every report khlang offers to download:
//! a real XLSX workbook (rust_xlsxwriter: header row bold, Thai text, numbers as numbers,
//! shares as numbers shown with one decimal, column widths to fit) and CSV in UTF-8 with a
//! byte-order mark, so that Excel on a Thai Windows opens the Thai text correctly. Both keep the
//! layout of the page: a title line, the headed table, the total row.
//!
//! Also the reading side for imports: [`read_xlsx`] turns an uploaded workbook's first sheet
//! into rows of text cells (calamine), refusing anything that is not an XLSX workbook with a
//! Thai message.

use khlang_core::report::{Cell, ReportTable};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};
use unicode_segmentation::UnicodeSegmentation;

/// The content types of the two outputs.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_MIME: &str = "text/csv; charset=utf-8";

/// Why a workbook could not be written (a bug or resource problem, never the user's input).
#[derive(Debug, thiserror::Error)]
#[error("เขียนไฟล์ Excel ไม่สำเร็จ: {0}")]
pub struct SheetError(String);

impl From<XlsxError> for SheetError {
    fn from(e: XlsxError) -> Self {
        Self(e.to_string())
    }
}

impl From<SheetError> for khlang_core::DomainError {
    fn from(e: SheetError) -> Self {
        khlang_core::DomainError::internal(e)
    }
}

/// One worksheet: its tab name and the tables on it, one under another.
pub struct Sheet<'a> {
    pub name: &'a str,
    pub tables: Vec<&'a ReportTable>,
}

/// How wide a column must be for `s`: Thai vowels and tone marks above and below the line
/// take no width of their own, so graphemes are counted, not chars.
fn display_width(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Excel's limits on a tab name: 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(31)
        .collect();
    if clean.trim().is_empty() {
        "Sheet".into()
    } else {
        clean
    }
}

/// A workbook with one worksheet per [`Sheet`]: each table as a bold title line, a bold header
/// row, its rows and a bold total row, then a blank line before the next table.
pub fn xlsx(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, SheetError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap();
    let bold = Format::new().set_bold();
    let share = Format::new().set_num_format("0.0");
    let bold_share = Format::new().set_bold().set_num_format("0.0");
    let count = Format::new().set_num_format("#,##0");
    let bold_count = Format::new().set_bold().set_num_format("#,##0");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet_name(sheet.name))?;
        let mut widths: Vec<usize> = Vec::new();
        let mut row: u32 = 0;
        for (n, table) in sheet.tables.iter().enumerate() {
            if n > 0 {
                row += 1;
            }
            ws.write_string_with_format(row, 0, &table.title, &title)?;
            row += 1;
            if n == 0 {
                ws.set_freeze_panes(row + 1, 0)?;
            }
            for (c, col) in table.columns.iter().enumerate() {
                ws.write_string_with_format(row, c as u16, &col.heading, &head)?;
                grow(&mut widths, c, display_width(&col.heading));
            }
            row += 1;
            let body = table.rows.iter().map(|r| (r, false));
            for (cells, is_total) in body.chain(table.total.iter().map(|r| (r, true))) {
                for (c, cell) in cells.iter().enumerate() {
                    let col = c as u16;
                    match cell {
                        Cell::Text(s) => {
                            if is_total {
                                ws.write_string_with_format(row, col, s, &bold)?;
                            } else {
                                ws.write_string(row, col, s)?;
                            }
                            grow(&mut widths, c, display_width(s));
                        }
                        Cell::Count(v) => {
                            let f = if is_total { &bold_count } else { &count };
                            ws.write_number_with_format(row, col, *v as f64, f)?;
                            grow(&mut widths, c, v.to_string().len() + 2);
                        }
                        Cell::Percent(p) => {
                            let f = if is_total { &bold_share } else { &share };
                            ws.write_number_with_format(row, col, p.as_f64(), f)?;
                            grow(&mut widths, c, 6);
                        }
                    }
                }
                row += 1;
            }
        }
        for (c, w) in widths.iter().enumerate() {
            // Thai glyphs are wider than Latin ones in Excel's default font.
            let width = ((*w as f64) * 1.3 + 2.0).clamp(8.0, 70.0);
            ws.set_column_width(c as u16, width)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

fn grow(widths: &mut Vec<usize>, c: usize, w: usize) {
    if widths.len() <= c {
        widths.resize(c + 1, 0);
    }
    widths[c] = widths[c].max(w);
}

/// CSV (RFC 4180, CRLF lines) in UTF-8 with a byte-order mark: for each table a title line,
/// the header, the rows and the total row; a blank line between tables. Text that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is quoted with a leading `'`.
pub fn csv(tables: &[&ReportTable]) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for (n, table) in tables.iter().enumerate() {
        if n > 0 {
            out.push_str("\r\n");
        }
        push_line(&mut out, &[csv_text(&table.title)]);
        for (i, row) in table.text_rows().into_iter().enumerate() {
            let cells: Vec<String> = if i == 0 {
                row.iter().map(|s| csv_text(s)).collect()
            } else {
                let source = table.rows.iter().chain(table.total.iter()).nth(i - 1);
                row.iter()
                    .enumerate()
                    .map(|(c, s)| match source.and_then(|r| r.get(c)) {
                        Some(Cell::Text(_)) | None => csv_text(s),
                        Some(_) => s.clone(),
                    })
                    .collect()
            };
            push_line(&mut out, &cells);
        }
    }
    out.into_bytes()
}

fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn push_line(out: &mut String, cells: &[String]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

/// A blank form workbook for people to fill in and import: the first sheet has a row of
/// section names above a bold row of headings (required ones marked `*` in the section row's
/// note below), wide wrapped columns for long answers; `notes` go on a second sheet of
/// instructions (one line each) and `lists` on further sheets (a heading row and rows).
pub struct FormBook<'a> {
    pub sheet: &'a str,
    /// (section, heading, required, wide)
    pub columns: Vec<(&'a str, &'a str, bool, bool)>,
    pub notes_sheet: &'a str,
    pub notes: Vec<Vec<String>>,
    pub lists: Vec<(&'a str, Vec<Vec<String>>)>,
}

pub fn form_xlsx(book: &FormBook<'_>) -> Result<Vec<u8>, SheetError> {
    let mut wb = Workbook::new();
    let section = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xE6F0F4));
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(FormatBorder::Thin);
    let required = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_font_color(rust_xlsxwriter::Color::RGB(0xA4161A))
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@").set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(book.sheet))?;
    let mut last = "";
    for (c, (sec, heading, req, wide)) in book.columns.iter().enumerate() {
        let col = c as u16;
        if *sec != last {
            ws.write_string_with_format(0, col, *sec, &section)?;
            last = sec;
        }
        ws.write_string_with_format(1, col, *heading, if *req { &required } else { &head })?;
        let width = if *wide {
            45.0
        } else {
            (display_width(heading) as f64 * 1.3 + 4.0).clamp(12.0, 30.0)
        };
        ws.set_column_width(col, width)?;
        // Typed values stay text (codes such as 08 keep their leading zero).
        ws.set_column_format(col, &text)?;
    }
    ws.set_row_height(1, 36)?;
    ws.set_freeze_panes(2, 1)?;
    let notes = wb.add_worksheet();
    notes.set_name(sheet_name(book.notes_sheet))?;
    notes.set_column_width(0, 30)?;
    notes.set_column_width(1, 90)?;
    for (r, line) in book.notes.iter().enumerate() {
        for (c, v) in line.iter().enumerate() {
            if r == 0 {
                notes.write_string_with_format(r as u32, c as u16, v, &head)?;
            } else {
                notes.write_string(r as u32, c as u16, v)?;
            }
        }
    }
    for (name, rows) in &book.lists {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(name))?;
        let mut widths = Vec::new();
        for (r, line) in rows.iter().enumerate() {
            for (c, v) in line.iter().enumerate() {
                grow(&mut widths, c, display_width(v));
                if r == 0 {
                    ws.write_string_with_format(r as u32, c as u16, v, &head)?;
                } else {
                    ws.write_string(r as u32, c as u16, v)?;
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as u16, ((*w as f64) * 1.3 + 2.0).clamp(8.0, 70.0))?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// Why an uploaded spreadsheet could not be read, in Thai, for the person uploading it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

fn not_xlsx() -> ReadError {
    ReadError(
        "ไฟล์นี้ไม่ใช่ไฟล์ Excel แบบ .xlsx — กรุณาดาวน์โหลดแม่แบบ กรอกข้อมูล แล้วบันทึกเป็น Excel Workbook (.xlsx) ก่อนนำเข้า"
            .into(),
    )
}

/// The first worksheet of an XLSX workbook as rows of trimmed text cells (numbers written as
/// Excel shows them: `2567`, not `2567.0`), without trailing empty rows. Anything that is not
/// an XLSX workbook (a CSV, an old .xls, a PDF, a damaged file) gets a Thai message.
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    use calamine::{Reader, Xlsx};
    // Every XLSX is a ZIP archive; refuse others before calamine tries.
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(not_xlsx());
    }
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        tracing::debug!(error = %e, "unreadable xlsx");
        not_xlsx()
    })?;
    let range = match book.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            tracing::debug!(error = %e, "unreadable worksheet");
            return Err(not_xlsx());
        }
        None => return Err(ReadError("ไฟล์ Excel นี้ไม่มีแผ่นงาน".into())),
    };
    Ok(range_rows(&range))
}

/// One worksheet as read: its tab name and its rows of text cells.
pub type NamedRows = (String, Vec<Vec<String>>);

/// Every worksheet of an XLSX workbook, by tab name, as [`read_xlsx`] reads the first one
/// (workbooks of several forms, such as a KM plan's Forms 1 and 2).
pub fn read_xlsx_sheets(bytes: &[u8]) -> Result<Vec<NamedRows>, ReadError> {
    use calamine::{Reader, Xlsx};
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(not_xlsx());
    }
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| {
        tracing::debug!(error = %e, "unreadable xlsx");
        not_xlsx()
    })?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| {
            tracing::debug!(error = %e, "unreadable worksheet");
            not_xlsx()
        })?;
        out.push((name, range_rows(&range)));
    }
    Ok(out)
}

/// A worksheet's cells as trimmed text rows from A1, without trailing empty rows or cells.
fn range_rows(range: &calamine::Range<calamine::Data>) -> Vec<Vec<String>> {
    use calamine::Data;
    // Rows start at the sheet's first row (A1) even when the range begins lower.
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); first_row as usize];
    for r in range.rows() {
        let mut cells: Vec<String> = vec![String::new(); first_col as usize];
        for cell in r {
            cells.push(match cell {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string(),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
                Data::DateTime(d) => d.to_string(),
                Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                Data::Error(_) => String::new(),
            });
        }
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        rows.push(cells);
    }
    while rows.last().is_some_and(Vec::is_empty) {
        rows.pop();
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ReportTable {
        ReportTable::shares(
            "นวัตกรรม จำแนกตามสาขา",
            "สาขา",
            vec![("สุขภาพจิตชุมชน".into(), 1), ("=ลอง, \"อ้าง\"".into(), 3)],
        )
    }

    #[test]
    fn csv_has_a_bom_crlf_and_quotes() {
        let bytes = csv(&[&table()]);
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "นวัตกรรม จำแนกตามสาขา\r\nสาขา,จำนวน,ร้อยละ\r\nสุขภาพจิตชุมชน,1,25.0\r\n\"'=ลอง, \"\"อ้าง\"\"\",3,75.0\r\nรวม,4,100.0\r\n"
        );
    }

    #[test]
    fn a_workbook_reads_back_with_numbers_as_numbers() {
        use calamine::{Data, Reader, Xlsx};
        let t = table();
        let bytes = xlsx(&[Sheet {
            name: "ตามสาขา",
            tables: vec![&t],
        }])
        .unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
        assert_eq!(book.sheet_names(), ["ตามสาขา"]);
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(
            range.get_value((0, 0)),
            Some(&Data::String("นวัตกรรม จำแนกตามสาขา".into()))
        );
        assert_eq!(range.get_value((2, 1)), Some(&Data::Float(1.0)));
        assert_eq!(range.get_value((2, 2)), Some(&Data::Float(25.0)));
        assert_eq!(range.get_value((4, 1)), Some(&Data::Float(4.0)));
        // And through the import reader, as text.
        let rows = read_xlsx(&bytes).unwrap();
        assert_eq!(rows[4], ["รวม", "4", "100"]);
    }

    #[test]
    fn other_files_are_refused_in_thai() {
        for bad in [&b"a,b\r\n1,2"[..], b"%PDF-1.4", b"PK\x03\x04garbage", b""] {
            let e = read_xlsx(bad).unwrap_err();
            assert!(e.0.contains(".xlsx"), "{e}");
        }
    }

    #[test]
    fn sheet_names_fit_excel() {
        assert_eq!(sheet_name("สาขา/สสม."), "สาขา สสม.");
        assert_eq!(sheet_name(&"ก".repeat(40)).chars().count(), 31);
    }
}
