//! The XLSX import of innovations (นำเข้าบัญชีนวัตกรรม): a workbook laid out on the innovation
//! form template (seed 000 §2.3, `reference/templates/innovation.toml`, whatever version is
//! current), one row per innovation. Every row is checked before anything is written; a problem
//! is reported as "แถว 37 คอลัมน์ จังหวัด: …" with the row number Excel shows and the column's
//! heading, and then nothing is saved.
//!
//! Answers are checked by the forms context's own rules ([`crate::forms::parse_section`]), so an
//! imported entry is exactly what the wizard would have accepted. What a workbook cannot carry
//! (photos and other files) is left for the wizard; the innovators are given by name.
//!
//! This module is the layout and the checks (no I/O): the web layer turns the upload into rows
//! of text cells, the service writes the checked rows in one transaction.

use crate::error::FieldError;
use crate::forms::{Answer, FieldKind, Lookups, RawAnswers, Strictness, TemplateVersion};
use crate::geo::Place;
use crate::ids::TermId;
use crate::item::Title;
use crate::registry_tables::model::FiscalYear;
use crate::text::{arabic_digits, grapheme_len, tidy};
use std::collections::BTreeMap;
use std::fmt;

/// A part of a place field, one column each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacePart {
    Province,
    District,
    Subdistrict,
    VillageNo,
    Village,
}

impl PlacePart {
    const ALL: [PlacePart; 5] = [
        PlacePart::Province,
        PlacePart::District,
        PlacePart::Subdistrict,
        PlacePart::VillageNo,
        PlacePart::Village,
    ];

    fn label(self) -> &'static str {
        match self {
            PlacePart::Province => "จังหวัด",
            PlacePart::District => "อำเภอ",
            PlacePart::Subdistrict => "ตำบล",
            PlacePart::VillageNo => "หมู่ที่",
            PlacePart::Village => "หมู่บ้าน",
        }
    }

    fn help(self) -> &'static str {
        match self {
            PlacePart::Province => "ชื่อจังหวัดหรือรหัส 2 หลัก เช่น ขอนแก่น หรือ 40",
            PlacePart::District => "ชื่ออำเภอหรือรหัส 4 หลัก",
            PlacePart::Subdistrict => "ชื่อตำบลหรือรหัส 6 หลัก",
            PlacePart::VillageNo => "ตัวเลข 1–99",
            PlacePart::Village => "ชื่อหมู่บ้าน",
        }
    }

    /// The input name the forms context reads (`place.province`).
    fn input(self) -> &'static str {
        match self {
            PlacePart::Province => "province",
            PlacePart::District => "district",
            PlacePart::Subdistrict => "subdistrict",
            PlacePart::VillageNo => "village_no",
            PlacePart::Village => "village",
        }
    }
}

/// What a column holds and how its cells are read. `field` is the template field's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    /// The template's title field → also the item's title.
    Title { field: String },
    /// The branch choice: its number in the table (1–13), its key or its exact name.
    Branch { field: String },
    /// ปีงบประมาณ (not a form field: the item's fiscal year).
    FiscalYear,
    /// The innovators by name, one per line (or separated by commas).
    Innovators { field: String },
    /// One part of a place field, by name or official code.
    Place { field: String, part: PlacePart },
    /// Any other answer, checked by the form's rules; `multiline` for long text.
    Answer {
        field: String,
        multiline: bool,
        limit: usize,
    },
}

/// One column of the template workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportColumn {
    /// The heading in the workbook, also the column's name in error messages.
    pub header: String,
    /// The form section above the heading ("3 นวัตกรรม/ผลงานเด่น").
    pub section: String,
    /// What to type (the field's help), for the instructions sheet.
    pub help: String,
    pub required: bool,
    pub kind: ColumnKind,
}

/// The columns, in order, and the template version they were made from.
#[derive(Debug, Clone)]
pub struct ImportLayout {
    pub columns: Vec<ImportColumn>,
    pub template: TemplateVersion,
}

/// Most rows one import takes; bigger registries are split into several files.
pub const MAX_ROWS: usize = 5000;
/// Most problems listed; the rest are counted.
pub const MAX_ERRORS: usize = 200;

impl ImportLayout {
    /// The title, branch and fiscal year first (the import finds its header row by the
    /// title's heading), then every field of the form in form order: a place field as five
    /// columns, files left out (a workbook cannot carry photos).
    pub fn new(tv: &TemplateVersion) -> Self {
        let title_key = tv.body.title_field.clone().unwrap_or_default();
        let branch_key = tv
            .fields()
            .find(|(_, f)| {
                matches!(&f.kind, FieldKind::Choice { taxonomy: Some(t), multiple: false, .. }
                    if t == super::service::BRANCH_TAXONOMY)
            })
            .map(|(_, f)| f.key.clone());
        let section_name = |i: usize| {
            format!(
                "{} {}",
                i + 1,
                tv.sections().get(i).map(|s| s.title.as_str()).unwrap_or("")
            )
        };
        let mut columns = Vec::new();
        let mut later = Vec::new();
        let mut places = 0;
        for (i, f) in tv.fields().filter(|(_, f)| f.active()) {
            let section = section_name(i);
            let column = |header: String, required: bool, kind: ColumnKind| ImportColumn {
                header,
                section: section.clone(),
                help: f.help.clone(),
                required,
                kind,
            };
            if f.key == title_key {
                columns.insert(
                    0,
                    column(
                        f.label.clone(),
                        true,
                        ColumnKind::Title {
                            field: f.key.clone(),
                        },
                    ),
                );
                continue;
            }
            if Some(&f.key) == branch_key.as_ref() {
                columns.push(column(
                    f.label.clone(),
                    true,
                    ColumnKind::Branch {
                        field: f.key.clone(),
                    },
                ));
                continue;
            }
            match &f.kind {
                FieldKind::Files { .. } => {}
                FieldKind::Person => later.push(column(
                    f.label.clone(),
                    f.required,
                    ColumnKind::Innovators {
                        field: f.key.clone(),
                    },
                )),
                FieldKind::Place => {
                    places += 1;
                    for part in PlacePart::ALL {
                        let header = if places == 1 {
                            part.label().to_string()
                        } else {
                            format!("{} {}", f.label, part.label())
                        };
                        let mut c = column(
                            header,
                            f.required && part == PlacePart::Province,
                            ColumnKind::Place {
                                field: f.key.clone(),
                                part,
                            },
                        );
                        c.help = part.help().into();
                        later.push(c);
                    }
                }
                kind => later.push(column(
                    f.label.clone(),
                    f.required,
                    ColumnKind::Answer {
                        field: f.key.clone(),
                        multiline: matches!(kind, FieldKind::LongText),
                        limit: f.limit() as usize,
                    },
                )),
            }
        }
        let first = columns.len();
        columns.insert(
            first.min(2),
            ImportColumn {
                header: "ปีงบประมาณ".into(),
                section: columns
                    .first()
                    .map(|c| c.section.clone())
                    .unwrap_or_default(),
                help: "ปี พ.ศ. ที่บันทึกนวัตกรรม เช่น 2567".into(),
                required: true,
                kind: ColumnKind::FiscalYear,
            },
        );
        columns.extend(later);
        Self {
            columns,
            template: tv.clone(),
        }
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

/// Turns what was typed for province, district and subdistrict (names or codes) into codes,
/// or says which part is wrong and why (the geography reference data answers).
pub trait PlaceResolver: Sync {
    fn resolve(
        &self,
        province: &str,
        district: &str,
        subdistrict: &str,
    ) -> Result<Place, (PlacePart, String)>;
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The row number Excel shows.
    pub row: usize,
    pub title: Title,
    pub branch: TermId,
    pub fiscal_year: FiscalYear,
    /// The innovators' names as given.
    pub innovators: Vec<String>,
    /// The entry's answers by field key (title, branch and place included).
    pub answers: BTreeMap<String, Answer>,
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
            "sheet".to_string()
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

/// What checking needs besides the layout: the branches, the options of the form's choices,
/// and the place names.
pub struct Checker<'a> {
    pub layout: &'a ImportLayout,
    pub branches: &'a [BranchChoice],
    pub lookups: &'a Lookups,
    pub places: &'a dyn PlaceResolver,
}

impl Checker<'_> {
    /// Checks every row of `grid` (the first sheet, row 0 = Excel row 1). All rows pass, or
    /// every problem found (up to [`MAX_ERRORS`]) comes back.
    pub fn check(&self, grid: &[Vec<String>]) -> Result<Vec<ImportRow>, Vec<RowError>> {
        let layout = self.layout;
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
            let problem = match layout.columns.iter().position(|c| c.header == h) {
                Some(k) if at[k].is_none() => {
                    at[k] = Some(i);
                    continue;
                }
                Some(_) => "หัวคอลัมน์ซ้ำ กรุณาลบคอลัมน์ที่ซ้ำออก",
                None => "ไม่รู้จักหัวคอลัมน์นี้ — กรุณาใช้หัวคอลัมน์ตามแม่แบบ",
            };
            errors.push(RowError {
                row: head + 1,
                column: h.clone(),
                message: problem.into(),
            });
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
            let values: Vec<&str> = at
                .iter()
                .map(|i| {
                    i.and_then(|i| cells.get(i))
                        .map(String::as_str)
                        .unwrap_or("")
                })
                .collect();
            match self.check_row(index + 1, &values) {
                Ok(r) => rows.push(r),
                Err(mut e) => {
                    total_errors += e.len();
                    e.truncate(MAX_ERRORS.saturating_sub(errors.len()));
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

    /// One row; `values[k]` is the cell of column `k`.
    fn check_row(&self, row: usize, values: &[&str]) -> Result<ImportRow, Vec<RowError>> {
        let layout = self.layout;
        let mut errors = Vec::new();
        let err = |c: &ImportColumn, message: String| RowError {
            row,
            column: c.header.clone(),
            message,
        };
        let mut title = None;
        let mut branch = None;
        let mut fiscal_year = None;
        let mut innovators = Vec::new();
        // Inputs for the form's own checks, as the wizard would post them (`f.<key>`).
        let mut raw: Vec<(String, String)> = Vec::new();
        // Place parts typed, by field key.
        let mut places: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
        for (c, value) in layout.columns.iter().zip(values) {
            if let Some(at) = value.chars().position(crate::field::is_refused_control) {
                errors.push(err(
                    c,
                    format!("มีอักขระควบคุมที่มองไม่เห็น (ตำแหน่งที่ {}) — กรุณาลบออก", at + 1),
                ));
                continue;
            }
            let value = value.trim();
            if value.is_empty() {
                if c.required {
                    errors.push(err(c, "ต้องกรอกช่องนี้".into()));
                }
                continue;
            }
            match &c.kind {
                ColumnKind::Title { field } => match Title::parse(value) {
                    Ok(t) => {
                        raw.push((format!("f.{field}"), t.as_str().to_string()));
                        title = Some(t);
                    }
                    Err(e) => errors.push(err(c, e.message.replace("ชื่อเรื่อง", &c.header))),
                },
                ColumnKind::Branch { field } => match find_branch(self.branches, value) {
                    Ok(b) => {
                        raw.push((format!("f.{field}"), b.key.clone()));
                        branch = Some(b.id);
                    }
                    Err(m) => errors.push(err(c, m)),
                },
                ColumnKind::FiscalYear => match FiscalYear::parse("fiscal_year", value) {
                    Ok(y) => fiscal_year = Some(y),
                    Err(e) => errors.push(err(c, e.message)),
                },
                ColumnKind::Innovators { .. } => {
                    for name in value
                        .split([',', '\n', ';'])
                        .map(tidy)
                        .filter(|n| !n.is_empty())
                    {
                        if grapheme_len(&name) > 100 {
                            errors.push(err(
                                c,
                                format!(
                                    "ชื่อยาวเกิน 100 ตัวอักษร: “{}…”",
                                    name.chars().take(20).collect::<String>()
                                ),
                            ));
                        } else if !innovators.contains(&name) {
                            innovators.push(name);
                        }
                    }
                    if innovators.len() > 10 {
                        errors.push(err(c, "ใส่ได้ไม่เกิน 10 คน".into()));
                    }
                }
                ColumnKind::Place { field, part } => {
                    places
                        .entry(field.as_str())
                        .or_default()
                        .insert(part.input(), value.to_string());
                }
                ColumnKind::Answer {
                    field, multiline, ..
                } => {
                    let name = format!("f.{field}");
                    let f = layout.template.field(field);
                    match f.map(|f| &f.kind) {
                        Some(FieldKind::Choice { .. }) => {
                            for v in value
                                .split([',', '\n'])
                                .map(str::trim)
                                .filter(|v| !v.is_empty())
                            {
                                raw.push((name.clone(), self.choice_key(field, v)));
                            }
                        }
                        _ if *multiline => raw.push((name, value.replace("\r\n", "\n"))),
                        _ => raw.push((name, value.to_string())),
                    }
                }
            }
        }
        // Places: names or codes → codes, through the geography reference data.
        for (field, parts) in &places {
            let get = |k: &str| parts.get(k).map(String::as_str).unwrap_or("");
            let header = |part: PlacePart| {
                layout
                    .columns
                    .iter()
                    .find(|c| matches!(&c.kind, ColumnKind::Place { field: f, part: p } if f == field && *p == part))
                    .map(|c| c.header.clone())
                    .unwrap_or_default()
            };
            if get("province").is_empty() {
                errors.push(RowError {
                    row,
                    column: header(PlacePart::Province),
                    message: "กรุณาใส่จังหวัด (มีอำเภอ ตำบล หรือหมู่บ้านแต่ไม่มีจังหวัด)".into(),
                });
                continue;
            }
            match self
                .places
                .resolve(get("province"), get("district"), get("subdistrict"))
            {
                Ok(p) => {
                    raw.push((format!("f.{field}.province"), p.province.to_string()));
                    if let Some(d) = p.district {
                        raw.push((format!("f.{field}.district"), d.to_string()));
                    }
                    if let Some(s) = p.subdistrict {
                        raw.push((format!("f.{field}.subdistrict"), s.to_string()));
                    }
                    for k in ["village_no", "village"] {
                        if !get(k).is_empty() {
                            raw.push((format!("f.{field}.{k}"), get(k).to_string()));
                        }
                    }
                }
                Err((part, message)) => errors.push(RowError {
                    row,
                    column: header(part),
                    message,
                }),
            }
        }
        // The form's own rules for every section, as a draft (files and people are not in
        // the workbook; the required columns were checked above).
        let raw = RawAnswers::from_pairs(raw.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut answers = BTreeMap::new();
        for n in 0..layout.template.sections().len() {
            match crate::forms::parse_section(
                &layout.template,
                n,
                &raw,
                self.lookups,
                Strictness::Draft,
            ) {
                Ok(a) => answers.extend(a),
                Err(es) => {
                    for e in es {
                        let key = e
                            .field
                            .strip_prefix("entry.")
                            .unwrap_or(&e.field)
                            .to_string();
                        let column = layout
                            .columns
                            .iter()
                            .find(|c| column_field(&c.kind) == Some(key.as_str()))
                            .map(|c| c.header.clone())
                            .unwrap_or_default();
                        // Already reported by our own check of the same cell.
                        if !errors.iter().any(|x: &RowError| x.column == column) {
                            errors.push(RowError {
                                row,
                                column,
                                message: e.message,
                            });
                        }
                    }
                }
            }
        }
        match (errors.is_empty(), title, branch, fiscal_year) {
            (true, Some(title), Some(branch), Some(fiscal_year)) => Ok(ImportRow {
                row,
                title,
                branch,
                fiscal_year,
                innovators,
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

    /// A choice typed by its label or its key → the key (unknown values go through, and the
    /// form's check names the field).
    fn choice_key(&self, field: &str, v: &str) -> String {
        let Some(f) = self.layout.template.field(field) else {
            return v.to_string();
        };
        let options: Vec<&crate::forms::ChoiceOption> = match &f.kind {
            FieldKind::Choice {
                taxonomy: Some(t), ..
            } => self
                .lookups
                .taxonomies
                .get(t)
                .into_iter()
                .flatten()
                .collect(),
            FieldKind::Choice { options, .. } => options.iter().collect(),
            _ => Vec::new(),
        };
        options
            .iter()
            .find(|o| o.key == v || o.label == v)
            .map(|o| o.key.clone())
            .unwrap_or_else(|| v.to_string())
    }
}

fn column_field(kind: &ColumnKind) -> Option<&str> {
    match kind {
        ColumnKind::Title { field }
        | ColumnKind::Branch { field }
        | ColumnKind::Innovators { field }
        | ColumnKind::Place { field, .. }
        | ColumnKind::Answer { field, .. } => Some(field),
        ColumnKind::FiscalYear => None,
    }
}

/// A branch by its number in the table, its key, or its exact name (a name two branches share
/// must be given by number).
fn find_branch<'a>(branches: &'a [BranchChoice], value: &str) -> Result<&'a BranchChoice, String> {
    let digits = arabic_digits(value);
    let number = digits
        .trim_start_matches("สาขาที่")
        .trim_start_matches("สาขา")
        .trim();
    if let Ok(n) = number.parse::<usize>() {
        return branches
            .iter()
            .find(|b| b.number == n)
            .ok_or_else(|| format!("ไม่มีสาขาลำดับที่ {n} (มีสาขา 1–{})", branches.len()));
    }
    if let Some(b) = branches.iter().find(|b| b.key == value) {
        return Ok(b);
    }
    let wanted = tidy(value).trim_end_matches('.').to_string();
    let same: Vec<&BranchChoice> = branches
        .iter()
        .filter(|b| b.label.trim_end_matches('.') == wanted)
        .collect();
    match same.as_slice() {
        [b] => Ok(b),
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
    use crate::forms::ChoiceOption;
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

    fn lookups() -> Lookups {
        let mut l = Lookups::default();
        l.taxonomies.insert(
            "osm_branch".into(),
            branches()
                .into_iter()
                .map(|b| ChoiceOption {
                    key: b.key,
                    label: b.label,
                })
                .collect(),
        );
        l
    }

    fn layout() -> ImportLayout {
        let body = crate::forms::model::reference_templates()
            .unwrap()
            .into_iter()
            .find(|t| t.key == "innovation")
            .unwrap();
        ImportLayout::new(&TemplateVersion {
            version: 1,
            body,
            created_by: None,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        })
    }

    fn headers() -> Vec<String> {
        layout().columns.iter().map(|c| c.header.clone()).collect()
    }

    fn at(h: &str) -> usize {
        headers()
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h}: {:?}", headers()))
    }

    fn grid(rows: &[Vec<String>]) -> Vec<Vec<String>> {
        let l = layout();
        let mut g = vec![
            l.columns.iter().map(|c| c.section.clone()).collect(),
            headers(),
        ];
        g.extend(rows.iter().cloned());
        g
    }

    fn row(title: &str, branch: &str, province: &str) -> Vec<String> {
        let l = layout();
        let mut r = vec![String::new(); l.columns.len()];
        let set = |r: &mut Vec<String>, h: &str, v: &str| r[at(h)] = v.to_string();
        set(&mut r, &l.columns[0].header, title);
        set(&mut r, "สาขา อสม.ดีเด่น", branch);
        set(&mut r, "ปีงบประมาณ", "๒๕๖๖");
        set(&mut r, "ผู้คิดค้นนวัตกรรม (อสม.)", "นางสาวอาสา ใจดี");
        set(&mut r, "จังหวัด", province);
        set(&mut r, "ปัญหาสุขภาพในพื้นที่", "ฟันผุในเด็ก");
        set(
            &mut r,
            "นวัตกรรม/ผลงานที่ดำเนินการในพื้นที่",
            "ทำแปรงสีฟันจากวัสดุในชุมชน",
        );
        set(&mut r, "ผลการดำเนินงาน", "เด็กฟันผุลดลง");
        set(&mut r, "ปัจจัยความสำเร็จ", "ผู้ปกครองร่วมมือ");
        r
    }

    fn check(g: &[Vec<String>]) -> Result<Vec<ImportRow>, Vec<String>> {
        let layout = layout();
        let b = branches();
        let l = lookups();
        Checker {
            layout: &layout,
            branches: &b,
            lookups: &l,
            places: &Codes,
        }
        .check(g)
        .map_err(|e| e.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn the_layout_follows_the_template() {
        let h = headers();
        assert_eq!(h[0], "ชื่อนวัตกรรม/ผลงานเด่น");
        assert_eq!(h[1], "สาขา อสม.ดีเด่น");
        assert_eq!(h[2], "ปีงบประมาณ");
        for want in ["จังหวัด", "อำเภอ", "ตำบล", "หมู่ที่", "(9) ระยะเวลาเป็น อสม."]
        {
            assert!(h.iter().any(|x| x == want), "{want} in {h:?}");
        }
        assert!(
            !h.iter().any(|x| x == "ภาพถ่าย"),
            "files are not in a workbook"
        );
    }

    #[test]
    fn good_rows_pass_with_branch_by_number_key_or_name() {
        let g = grid(&[
            row("ก", "1", "40"),
            row("ข", "branch-03", "๔๐"),
            row("ค", "ทันตสุขภาพ", "40"),
        ]);
        let rows = check(&g).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].row, 3, "Excel's row number");
        assert_eq!(rows[0].branch, TermId(10));
        assert_eq!(rows[1].branch, TermId(12));
        assert_eq!(rows[2].fiscal_year.be(), 2566);
        assert_eq!(
            rows[0].answers["branch"],
            Answer::Choice(vec!["branch-01".into()])
        );
        assert!(
            matches!(&rows[0].answers["place"], Answer::Place(p) if p.province.to_string() == "40")
        );
        assert_eq!(rows[0].innovators, ["นางสาวอาสา ใจดี"]);
    }

    #[test]
    fn bad_cells_name_row_and_column() {
        let long = "ก".repeat(301);
        let mut years = row("ดี", "1", "40");
        years[at("(9) ระยะเวลาเป็น อสม.")] = "ร้อย".into();
        let g = grid(&[
            row("ดี", "1", "40"),
            row("ดี", "1", "99"),
            row(&long, "เอดส์", "40"),
            row("", "14", "4"),
            years,
        ]);
        let errors = check(&g).unwrap_err();
        assert_eq!(errors[0], "แถว 4 คอลัมน์ จังหวัด: ไม่รู้จักรหัสจังหวัด 99");
        assert!(
            errors[1].starts_with("แถว 5 คอลัมน์ ชื่อนวัตกรรม/ผลงานเด่น: "),
            "{errors:?}"
        );
        assert!(
            errors[2].starts_with("แถว 5 คอลัมน์ สาขา อสม.ดีเด่น: มีสาขาชื่อ “เอดส์” 2 สาขา"),
            "{errors:?}"
        );
        assert_eq!(errors[3], "แถว 6 คอลัมน์ ชื่อนวัตกรรม/ผลงานเด่น: ต้องกรอกช่องนี้");
        assert!(
            errors[4].starts_with("แถว 6 คอลัมน์ สาขา อสม.ดีเด่น: ไม่มีสาขาลำดับที่ 14"),
            "{errors:?}"
        );
        assert!(
            errors[5].starts_with("แถว 6 คอลัมน์ จังหวัด: รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก"),
            "{errors:?}"
        );
        assert!(
            errors[6].starts_with("แถว 7 คอลัมน์ (9) ระยะเวลาเป็น อสม.: "),
            "{errors:?}"
        );
        assert_eq!(errors.len(), 7, "{errors:?}");
    }

    #[test]
    fn the_file_must_have_the_headings_and_some_rows() {
        let e = check(&[vec!["a".into()]]).unwrap_err();
        assert!(e[0].starts_with("ไม่พบแถวหัวตาราง"));
        let e = check(&grid(&[])).unwrap_err();
        assert!(e[0].contains("ไม่มีข้อมูลนวัตกรรม"));
        let mut g = grid(&[row("ก", "1", "40")]);
        g[1][5] = "หัวแปลก".into();
        let e = check(&g).unwrap_err();
        assert!(
            e[0].starts_with("แถว 2 คอลัมน์ หัวแปลก: ไม่รู้จักหัวคอลัมน์นี้"),
            "{e:?}"
        );
    }
}
