//! The XLSX import of innovations (นำเข้าบัญชีนวัตกรรม): a workbook laid out on the 7-section
//! collection form of seed 000 §2.3, one row per innovation. Every row is checked before
//! anything is written; a problem is reported as "แถว 37 คอลัมน์ จังหวัด: …" with the row number
//! Excel shows and the column's heading, and then nothing is saved.
//!
//! This module is the layout and the checks (no I/O): the web layer turns the upload into rows
//! of text cells, the service writes the checked rows in one transaction.

use crate::error::FieldError;
use crate::geo::Place;
use crate::ids::TermId;
use crate::item::Title;
use crate::registry_tables::model::FiscalYear;
use crate::text::{arabic_digits, grapheme_len, tidy, tidy_multiline};
use std::collections::BTreeMap;
use std::fmt;

/// What a column holds and how its cells are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// ชื่อนวัตกรรม → the item's title.
    Title,
    /// สรุปย่อ → the item's summary.
    Summary,
    /// สาขา: the branch by its number in the table (1–13), its key or its exact name.
    Branch,
    FiscalYear,
    /// The innovator's and the innovation's place, by name or official code.
    Province,
    District,
    Subdistrict,
    /// หมู่ที่ 1–99.
    VillageNo,
    /// The innovator (ผู้คิดค้น): a person of the register, most without an account.
    PersonName,
    /// Short text of the innovator (phone, occupation, status, education, volunteer number).
    PersonText(usize),
    /// ระยะเวลาเป็น อสม. in whole years.
    PersonYears,
    /// One answer of the form: single-line up to `max` graphemes.
    ShortAnswer(usize),
    /// One answer of the form: multi-line (Markdown) up to `max` graphemes.
    LongAnswer(usize),
}

/// One column of the template workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportColumn {
    /// Where the value goes: an item field, a person field, or the form's field key.
    pub key: String,
    /// The heading in the workbook, also the column's name in error messages.
    pub header: String,
    /// The form section above the heading ("1 ข้อมูลส่วนตัว").
    pub section: String,
    /// What to type, shown in the template's note row.
    pub help: String,
    pub required: bool,
    pub kind: ColumnKind,
}

/// The columns, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLayout {
    pub columns: Vec<ImportColumn>,
}

/// A form answer column the template contributes (a field of the innovation form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerColumn {
    pub key: String,
    pub label: String,
    pub section: String,
    pub help: String,
    pub required: bool,
    pub multiline: bool,
    pub max: usize,
}

/// Most rows one import takes; bigger registries are split into several files.
pub const MAX_ROWS: usize = 5000;
/// Most problems listed; the rest are counted.
pub const MAX_ERRORS: usize = 200;

fn col(
    key: &str,
    header: &str,
    section: &str,
    help: &str,
    required: bool,
    kind: ColumnKind,
) -> ImportColumn {
    ImportColumn {
        key: key.into(),
        header: header.into(),
        section: section.into(),
        help: help.into(),
        required,
        kind,
    }
}

/// Section names of seed 000 §2.3, numbered as on the form.
pub const SECTION_ITEM: &str = "นวัตกรรม";
pub const SECTION_PERSON: &str = "1 ข้อมูลส่วนตัว";

impl ImportLayout {
    /// The fixed columns (the innovation's title, branch, year; the innovator and their
    /// place) followed by one column per answer of the form.
    pub fn new(answers: &[AnswerColumn]) -> Self {
        use ColumnKind::*;
        let mut columns = vec![
            col(
                "title",
                "ชื่อนวัตกรรม",
                SECTION_ITEM,
                "ไม่เกิน 300 ตัวอักษร",
                true,
                Title,
            ),
            col(
                "branch",
                "สาขา",
                SECTION_ITEM,
                "ลำดับสาขา 1–13 หรือชื่อสาขาตามแผ่นงาน “สาขา”",
                true,
                Branch,
            ),
            col(
                "fiscal_year",
                "ปีงบประมาณ",
                SECTION_ITEM,
                "ปี พ.ศ. เช่น 2567",
                true,
                FiscalYear,
            ),
            col(
                "summary",
                "สรุปย่อ",
                SECTION_ITEM,
                "ไม่เกิน 500 ตัวอักษร",
                false,
                Summary,
            ),
            col(
                "person.name",
                "ชื่อ-นามสกุล",
                SECTION_PERSON,
                "ชื่อผู้คิดค้นนวัตกรรม",
                true,
                PersonName,
            ),
            col(
                "person.village_no",
                "หมู่ที่",
                SECTION_PERSON,
                "1–99",
                false,
                VillageNo,
            ),
            col(
                "person.subdistrict",
                "ตำบล",
                SECTION_PERSON,
                "ชื่อหรือรหัส 6 หลัก",
                false,
                Subdistrict,
            ),
            col(
                "person.district",
                "อำเภอ",
                SECTION_PERSON,
                "ชื่อหรือรหัส 4 หลัก",
                false,
                District,
            ),
            col(
                "person.province",
                "จังหวัด",
                SECTION_PERSON,
                "ชื่อหรือรหัส 2 หลัก เช่น 40 หรือ ขอนแก่น",
                true,
                Province,
            ),
            col(
                "person.phone",
                "โทรศัพท์",
                SECTION_PERSON,
                "",
                false,
                PersonText(20),
            ),
            col(
                "person.occupation",
                "อาชีพ",
                SECTION_PERSON,
                "",
                false,
                PersonText(100),
            ),
            col(
                "person.status",
                "สถานภาพ",
                SECTION_PERSON,
                "",
                false,
                PersonText(50),
            ),
            col(
                "person.education",
                "ระดับการศึกษา",
                SECTION_PERSON,
                "",
                false,
                PersonText(100),
            ),
            col(
                "person.years",
                "ระยะเวลาเป็น อสม. (ปี)",
                SECTION_PERSON,
                "(9) จำนวนปีเต็ม",
                false,
                PersonYears,
            ),
            col(
                "person.volunteer_no",
                "เลขประจำตัว อสม.",
                SECTION_PERSON,
                "ถ้ามี",
                false,
                PersonText(30),
            ),
        ];
        for a in answers {
            columns.push(ImportColumn {
                key: a.key.clone(),
                header: a.label.clone(),
                section: a.section.clone(),
                help: a.help.clone(),
                required: a.required,
                kind: if a.multiline {
                    ColumnKind::LongAnswer(a.max)
                } else {
                    ColumnKind::ShortAnswer(a.max)
                },
            });
        }
        Self { columns }
    }
}

/// A branch the import accepts, with its number in the table (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchChoice {
    pub id: TermId,
    pub number: usize,
    pub key: String,
    pub label: String,
}

/// Which part of a place a resolver refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacePart {
    Province,
    District,
    Subdistrict,
}

/// Turns what was typed for province, district and subdistrict (names or codes) into a
/// place, or says which part is wrong and why (the geography reference data answers).
pub trait PlaceResolver {
    fn resolve(
        &self,
        province: &str,
        district: &str,
        subdistrict: &str,
    ) -> Result<Place, (PlacePart, String)>;
}

/// The innovator as the row gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InnovatorRow {
    pub name: String,
    pub phone: String,
    pub occupation: String,
    pub status: String,
    pub education: String,
    pub years_as_volunteer: Option<u16>,
    pub volunteer_no: String,
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The row number Excel shows.
    pub row: usize,
    pub title: Title,
    pub summary: String,
    pub branch: TermId,
    pub fiscal_year: FiscalYear,
    pub place: Place,
    pub innovator: InnovatorRow,
    /// Answers of the form by field key (empty ones left out).
    pub answers: BTreeMap<String, String>,
}

/// One problem: row, column and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row number Excel shows (0 for the file as a whole).
    pub row: usize,
    /// The column's heading (empty for the row or the file as a whole).
    pub column: String,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.column.as_str()) {
            (0, "") => f.write_str(&self.message),
            (0, c) => write!(f, "คอลัมน์ {c}: {}", self.message),
            (r, "") => write!(f, "แถว {r}: {}", self.message),
            (r, c) => write!(f, "แถว {r} คอลัมน์ {c}: {}", self.message),
        }
    }
}

impl From<RowError> for FieldError {
    fn from(e: RowError) -> Self {
        let field = if e.row == 0 {
            "file".to_string()
        } else {
            format!("row {}", e.row)
        };
        FieldError::new(field, e.to_string())
    }
}

fn file_error(message: impl Into<String>) -> RowError {
    RowError {
        row: 0,
        column: String::new(),
        message: message.into(),
    }
}

/// Where the headings are: the first of the top rows holding the title column's heading.
fn header_row(layout: &ImportLayout, grid: &[Vec<String>]) -> Option<usize> {
    let title = &layout.columns.first()?.header;
    grid.iter()
        .take(10)
        .position(|r| r.iter().any(|c| tidy(c) == *title))
}

/// Checks every row of `grid` (the first sheet, row 0 = Excel row 1) against the layout.
/// All rows pass, or every problem found (up to [`MAX_ERRORS`]) comes back.
pub fn check_rows(
    layout: &ImportLayout,
    grid: &[Vec<String>],
    branches: &[BranchChoice],
    places: &dyn PlaceResolver,
) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let Some(head) = header_row(layout, grid) else {
        return Err(vec![file_error(format!(
            "ไม่พบแถวหัวตาราง (ต้องมีคอลัมน์ “{}”) — กรุณาใช้แม่แบบที่ดาวน์โหลดจากหน้านี้",
            layout
                .columns
                .first()
                .map(|c| c.header.as_str())
                .unwrap_or("")
        ))]);
    };
    // Column positions by heading; unknown headings are refused (a typo would lose data).
    let mut at: Vec<Option<usize>> = vec![None; layout.columns.len()];
    let mut errors = Vec::new();
    for (i, cell) in grid[head].iter().enumerate() {
        let h = tidy(cell);
        if h.is_empty() {
            continue;
        }
        match layout.columns.iter().position(|c| c.header == h) {
            Some(k) if at[k].is_none() => at[k] = Some(i),
            Some(_) => errors.push(RowError {
                row: head + 1,
                column: h.clone(),
                message: "หัวคอลัมน์ซ้ำ กรุณาลบคอลัมน์ที่ซ้ำออก".into(),
            }),
            None => errors.push(RowError {
                row: head + 1,
                column: h.clone(),
                message: "ไม่รู้จักหัวคอลัมน์นี้ — กรุณาใช้หัวคอลัมน์ตามแม่แบบ".into(),
            }),
        }
    }
    for (k, c) in layout.columns.iter().enumerate() {
        if c.required && at[k].is_none() {
            errors.push(RowError {
                row: head + 1,
                column: c.header.clone(),
                message: "ไม่พบคอลัมน์นี้ในแถวหัวตาราง ซึ่งต้องมี".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let data: Vec<(usize, &Vec<String>)> = grid
        .iter()
        .enumerate()
        .skip(head + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    if data.is_empty() {
        return Err(vec![file_error(
            "ไฟล์นี้ไม่มีข้อมูลนวัตกรรม — กรุณากรอกอย่างน้อย 1 แถวใต้หัวตาราง",
        )]);
    }
    if data.len() > MAX_ROWS {
        return Err(vec![file_error(format!(
            "ไฟล์นี้มี {} แถว นำเข้าได้ครั้งละไม่เกิน {MAX_ROWS} แถว — กรุณาแบ่งเป็นหลายไฟล์",
            data.len()
        ))]);
    }
    let mut rows = Vec::with_capacity(data.len());
    let mut total_errors = 0usize;
    for (index, cells) in data {
        let cell = |k: usize| -> &str {
            at[k]
                .and_then(|i| cells.get(i))
                .map(String::as_str)
                .unwrap_or("")
        };
        match check_row(layout, index + 1, &cell, branches, places) {
            Ok(r) => rows.push(r),
            Err(mut e) => {
                total_errors += e.len();
                let room = MAX_ERRORS.saturating_sub(errors.len());
                e.truncate(room);
                errors.extend(e);
            }
        }
    }
    if total_errors > errors.len() {
        errors.push(file_error(format!(
            "และพบปัญหาอีก {} รายการ — แก้รายการข้างบนแล้วนำเข้าใหม่เพื่อดูส่วนที่เหลือ",
            total_errors - errors.len()
        )));
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn check_row<'a>(
    layout: &ImportLayout,
    row: usize,
    cell: &dyn Fn(usize) -> &'a str,
    branches: &[BranchChoice],
    places: &dyn PlaceResolver,
) -> Result<ImportRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut fail = |c: &ImportColumn, message: String| {
        errors.push(RowError {
            row,
            column: c.header.clone(),
            message,
        })
    };
    let mut title = None;
    let mut summary = String::new();
    let mut branch = None;
    let mut fiscal_year = None;
    let (mut province, mut district, mut subdistrict) = (None, String::new(), String::new());
    let mut village_no = None;
    let mut innovator = InnovatorRow::default();
    let mut answers = BTreeMap::new();
    for (k, c) in layout.columns.iter().enumerate() {
        let raw = cell(k);
        if let Some(at) = raw.chars().position(crate::field::is_refused_control) {
            fail(
                c,
                format!("มีอักขระควบคุมที่มองไม่เห็น (ตำแหน่งที่ {}) — กรุณาลบออก", at + 1),
            );
            continue;
        }
        let multiline = matches!(c.kind, ColumnKind::LongAnswer(_));
        let value = if multiline {
            tidy_multiline(raw)
        } else {
            tidy(raw)
        };
        if value.is_empty() {
            if c.required {
                fail(c, "ต้องกรอกช่องนี้".into());
            }
            continue;
        }
        let too_long = |max: usize| {
            let n = grapheme_len(&value);
            (n > max).then(|| format!("ยาวเกิน {max} ตัวอักษร (มี {n}) กรุณาย่อให้สั้นลง"))
        };
        match c.kind {
            ColumnKind::Title => match Title::parse(&value) {
                Ok(t) => title = Some(t),
                Err(e) => fail(c, e.message),
            },
            ColumnKind::Summary => match too_long(500) {
                Some(m) => fail(c, m),
                None => summary = value,
            },
            ColumnKind::Branch => match find_branch(branches, &value) {
                Ok(b) => branch = Some(b),
                Err(m) => fail(c, m),
            },
            ColumnKind::FiscalYear => match FiscalYear::parse("fiscal_year", &value) {
                Ok(y) => fiscal_year = Some(y),
                Err(e) => fail(c, e.message),
            },
            ColumnKind::Province => province = Some((k, value)),
            ColumnKind::District => district = value,
            ColumnKind::Subdistrict => subdistrict = value,
            ColumnKind::VillageNo => match arabic_digits(&value).parse::<u8>() {
                Ok(n @ 1..=99) => village_no = Some(n),
                _ => fail(c, format!("หมู่ที่ต้องเป็นตัวเลข 1–99 (ได้ “{value}”)")),
            },
            ColumnKind::PersonName => match too_long(200) {
                Some(m) => fail(c, m),
                None => innovator.name = value,
            },
            ColumnKind::PersonText(max) => match too_long(max) {
                Some(m) => fail(c, m),
                None => match c.key.as_str() {
                    "person.phone" => innovator.phone = value,
                    "person.occupation" => innovator.occupation = value,
                    "person.status" => innovator.status = value,
                    "person.education" => innovator.education = value,
                    _ => innovator.volunteer_no = value,
                },
            },
            ColumnKind::PersonYears => match arabic_digits(&value).parse::<u16>() {
                Ok(n) if n <= 80 => innovator.years_as_volunteer = Some(n),
                _ => fail(c, format!("ต้องเป็นจำนวนปีเต็ม 0–80 (ได้ “{value}”)")),
            },
            ColumnKind::ShortAnswer(max) | ColumnKind::LongAnswer(max) => match too_long(max) {
                Some(m) => fail(c, m),
                None => {
                    answers.insert(c.key.clone(), value);
                }
            },
        }
    }
    let header_of = |kind: ColumnKind| {
        layout
            .columns
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| c.header.clone())
            .unwrap_or_default()
    };
    let mut place = None;
    if let Some((_, p)) = &province {
        match places.resolve(p, &district, &subdistrict) {
            Ok(mut pl) => {
                pl.village_no = village_no;
                place = Some(pl);
            }
            Err((part, message)) => errors.push(RowError {
                row,
                column: header_of(match part {
                    PlacePart::Province => ColumnKind::Province,
                    PlacePart::District => ColumnKind::District,
                    PlacePart::Subdistrict => ColumnKind::Subdistrict,
                }),
                message,
            }),
        }
    }
    match (errors.is_empty(), title, branch, fiscal_year, place) {
        (true, Some(title), Some(branch), Some(fiscal_year), Some(place)) => Ok(ImportRow {
            row,
            title,
            summary,
            branch,
            fiscal_year,
            place,
            innovator,
            answers,
        }),
        _ if errors.is_empty() => Err(vec![RowError {
            row,
            column: String::new(),
            message: "ข้อมูลไม่ครบ".into(),
        }]),
        _ => Err(errors),
    }
}

/// A branch by its number in the table, its key, or its exact name (a name two branches share
/// must be given by number).
fn find_branch(branches: &[BranchChoice], value: &str) -> Result<TermId, String> {
    let digits = arabic_digits(value);
    let number = digits
        .trim_start_matches("สาขาที่")
        .trim_start_matches("สาขา")
        .trim();
    if let Ok(n) = number.parse::<usize>() {
        return branches
            .iter()
            .find(|b| b.number == n)
            .map(|b| b.id)
            .ok_or_else(|| format!("ไม่มีสาขาลำดับที่ {n} (มีสาขา 1–{})", branches.len()));
    }
    if let Some(b) = branches.iter().find(|b| b.key == value) {
        return Ok(b.id);
    }
    let wanted = tidy(value).trim_end_matches('.').to_string();
    let same: Vec<&BranchChoice> = branches
        .iter()
        .filter(|b| b.label.trim_end_matches('.') == wanted)
        .collect();
    match same.as_slice() {
        [b] => Ok(b.id),
        [] => Err(format!(
            "ไม่รู้จักสาขา “{value}” — กรุณาใส่ลำดับสาขา 1–{} หรือชื่อตามแผ่นงาน “สาขา”",
            branches.len()
        )),
        many => Err(format!(
            "มีสาขาชื่อ “{value}” {} สาขา (ลำดับที่ {}) — กรุณาใส่ลำดับสาขาแทนชื่อ",
            many.len(),
            many.iter()
                .map(|b| b.number.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::ProvinceCode;

    struct Codes;
    impl PlaceResolver for Codes {
        fn resolve(&self, p: &str, _: &str, _: &str) -> Result<Place, (PlacePart, String)> {
            let province = ProvinceCode::parse(p).map_err(|m| (PlacePart::Province, m))?;
            if province.as_u32() == 99 {
                return Err((PlacePart::Province, "ไม่รู้จักรหัสจังหวัด 99".into()));
            }
            Ok(Place {
                province,
                district: None,
                subdistrict: None,
                village_no: None,
                village: None,
            })
        }
    }

    fn branches() -> Vec<BranchChoice> {
        ["ทันตสุขภาพ", "เอดส์", "เอดส์"]
            .iter()
            .enumerate()
            .map(|(i, l)| BranchChoice {
                id: TermId(i as i64 + 10),
                number: i + 1,
                key: format!("branch-0{}", i + 1),
                label: l.to_string(),
            })
            .collect()
    }

    fn layout() -> ImportLayout {
        ImportLayout::new(&[AnswerColumn {
            key: "s3.innovation".into(),
            label: "นวัตกรรม/ผลงานเด่น".into(),
            section: "3 นวัตกรรม/ผลงานเด่น".into(),
            help: String::new(),
            required: true,
            multiline: true,
            max: 5000,
        }])
    }

    fn grid(rows: &[&[&str]]) -> Vec<Vec<String>> {
        let l = layout();
        let mut g = vec![
            l.columns.iter().map(|c| c.section.clone()).collect(),
            l.columns
                .iter()
                .map(|c| c.header.clone())
                .collect::<Vec<_>>(),
        ];
        for r in rows {
            g.push(r.iter().map(|s| s.to_string()).collect());
        }
        g
    }

    fn row<'a>(title: &'a str, branch: &'a str, province: &'a str) -> Vec<&'a str> {
        let mut r = vec![""; layout().columns.len()];
        r[0] = title;
        r[1] = branch;
        r[2] = "๒๕๖๖";
        r[4] = "นางสาวอาสา ใจดี";
        r[8] = province;
        r[15] = "ทำแปรงสีฟันจากวัสดุในชุมชน";
        r
    }

    #[test]
    fn good_rows_pass_with_branch_by_number_key_or_name() {
        let g = grid(&[
            &row("ก", "1", "40"),
            &row("ข", "branch-03", "๔๐"),
            &row("ค", "ทันตสุขภาพ", "40"),
        ]);
        let rows = check_rows(&layout(), &g, &branches(), &Codes).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].row, 3, "Excel's row number");
        assert_eq!(rows[0].branch, TermId(10));
        assert_eq!(rows[1].branch, TermId(12));
        assert_eq!(rows[2].fiscal_year.be(), 2566);
        assert_eq!(rows[0].answers["s3.innovation"], "ทำแปรงสีฟันจากวัสดุในชุมชน");
    }

    #[test]
    fn bad_cells_name_row_and_column() {
        let long = "ก".repeat(301);
        let g = grid(&[
            &row("ดี", "1", "40"),
            &row("ดี", "1", "99"),
            &row(&long, "เอดส์", "40"),
            &row("", "14", "4"),
        ]);
        let errors: Vec<String> = check_rows(&layout(), &g, &branches(), &Codes)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errors[0], "แถว 4 คอลัมน์ จังหวัด: ไม่รู้จักรหัสจังหวัด 99");
        assert!(
            errors[1].starts_with("แถว 5 คอลัมน์ ชื่อนวัตกรรม: "),
            "{errors:?}"
        );
        assert!(
            errors[2].starts_with("แถว 5 คอลัมน์ สาขา: มีสาขาชื่อ “เอดส์” 2 สาขา"),
            "{errors:?}"
        );
        assert_eq!(errors[3], "แถว 6 คอลัมน์ ชื่อนวัตกรรม: ต้องกรอกช่องนี้");
        assert!(
            errors[4].starts_with("แถว 6 คอลัมน์ สาขา: ไม่มีสาขาลำดับที่ 14"),
            "{errors:?}"
        );
        assert!(
            errors[5].starts_with("แถว 6 คอลัมน์ จังหวัด: รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก"),
            "{errors:?}"
        );
        assert_eq!(errors.len(), 6);
    }

    #[test]
    fn the_file_must_have_the_headings_and_some_rows() {
        let e = check_rows(&layout(), &[vec!["a".into()]], &branches(), &Codes).unwrap_err();
        assert!(e[0].to_string().starts_with("ไม่พบแถวหัวตาราง"));
        let e = check_rows(&layout(), &grid(&[]), &branches(), &Codes).unwrap_err();
        assert!(e[0].to_string().contains("ไม่มีข้อมูลนวัตกรรม"));
        let mut g = grid(&[&row("ก", "1", "40")]);
        g[1][3] = "หัวแปลก".into();
        g[1][0] = String::new();
        let e: Vec<String> = check_rows(&layout(), &g, &branches(), &Codes)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        // Without the title heading there is no header row at all.
        assert!(e[0].starts_with("ไม่พบแถวหัวตาราง"), "{e:?}");
        let mut g = grid(&[&row("ก", "1", "40")]);
        g[1][3] = "หัวแปลก".into();
        let e: Vec<String> = check_rows(&layout(), &g, &branches(), &Codes)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            e,
            ["แถว 2 คอลัมน์ หัวแปลก: ไม่รู้จักหัวคอลัมน์นี้ — กรุณาใช้หัวคอลัมน์ตามแม่แบบ"]
        );
    }
}
