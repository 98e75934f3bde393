//! Form templates (แบบฟอร์ม) as data: a named, versioned list of sections of typed fields, and
//! the entries filled in against one version. An [`Entry`] is only made by checking raw input
//! against a [`TemplateVersion`] ([`parse_section`]), so stored answers always fit the version
//! they name; rendering, diffing and search text read the same version back.

use crate::error::FieldError;
use crate::file::FileKind;
use crate::geo::{DistrictCode, Place, ProvinceCode, SubdistrictCode};
use crate::ids::{FileId, PersonId, UserId};
use crate::text::{arabic_digits, grapheme_len, tidy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use time::OffsetDateTime;

/// Short text fields default to this many graphemes when the template sets no limit.
pub const SHORT_TEXT_LIMIT: u32 = 200;
/// Long text (Markdown) fields default to this many graphemes.
pub const LONG_TEXT_LIMIT: u32 = 20_000;
/// Files, people, links and choices default to this many values.
pub const LIST_LIMIT: u32 = 20;

/// What a field holds and how it is typed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldKind {
    /// One line.
    ShortText,
    /// Several paragraphs, Markdown.
    LongText,
    /// A number (Thai or Arabic digits), with its unit shown after it ("ปี", "คน").
    Number {
        #[serde(default)]
        unit: String,
        #[serde(default)]
        min: Option<i64>,
        #[serde(default)]
        max: Option<i64>,
    },
    /// A day, typed and shown in the Buddhist Era.
    Date,
    /// One (or, with `multiple`, several) of a taxonomy's terms or of a fixed list.
    Choice {
        #[serde(default)]
        multiple: bool,
        /// A taxonomy key (`osm_branch`); its terms are the options, stored by term key.
        #[serde(default)]
        taxonomy: Option<String>,
        /// A fixed list, when no taxonomy is named.
        #[serde(default)]
        options: Vec<ChoiceOption>,
    },
    /// People from the person register (ทะเบียนบุคคล), stored by id.
    Person,
    /// จังหวัด → อำเภอ → ตำบล → หมู่บ้าน.
    Place,
    /// Files attached to the item, of the accepted kinds ([`FileKind::as_str`]).
    Files {
        #[serde(default)]
        accept: Vec<String>,
    },
    /// Web addresses (https://…).
    Links,
}

impl FieldKind {
    pub fn label_th(&self) -> &'static str {
        match self {
            FieldKind::ShortText => "ข้อความสั้น",
            FieldKind::LongText => "ข้อความยาว",
            FieldKind::Number { .. } => "ตัวเลข",
            FieldKind::Date => "วันที่ (พ.ศ.)",
            FieldKind::Choice {
                multiple: false, ..
            } => "เลือกหนึ่งข้อ",
            FieldKind::Choice { multiple: true, .. } => "เลือกได้หลายข้อ",
            FieldKind::Person => "บุคคล",
            FieldKind::Place => "สถานที่",
            FieldKind::Files { .. } => "ไฟล์",
            FieldKind::Links => "ลิงก์",
        }
    }

    /// The accepted file kinds of a files field (unknown names are ignored).
    pub fn accepted_kinds(&self) -> Vec<FileKind> {
        match self {
            FieldKind::Files { accept } => {
                accept.iter().filter_map(|k| FileKind::parse(k)).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub key: String,
    pub label: String,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One question of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Stable identifier stored in entries; never renamed or reused.
    pub key: String,
    /// Thai label shown above the input.
    pub label: String,
    /// Shown under the label.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    pub kind: FieldKind,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Graphemes for text, values for lists; the kind's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Shown to the public and in the public API (false: only to those who may edit or screen).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub public: bool,
    /// Its text goes into the search index (only public fields ever do).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub searchable: bool,
    /// No longer asked; old answers still render and diff.
    #[serde(default, skip_serializing_if = "is_false")]
    pub retired: bool,
}

impl Field {
    pub fn limit(&self) -> u32 {
        self.limit.unwrap_or(match self.kind {
            FieldKind::ShortText => SHORT_TEXT_LIMIT,
            FieldKind::LongText => LONG_TEXT_LIMIT,
            FieldKind::Choice {
                multiple: false, ..
            } => 1,
            _ => LIST_LIMIT,
        })
    }

    /// The key an error or an input carries (`entry.health_problems`).
    pub fn error_key(&self) -> String {
        format!("entry.{}", self.key)
    }

    pub(crate) fn error(&self, message: impl Into<String>) -> FieldError {
        FieldError::new(self.error_key(), message)
    }

    /// Asked in the wizard: not retired.
    pub fn active(&self) -> bool {
        !self.retired
    }
}

/// One screen of the wizard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub key: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    #[serde(rename = "field")]
    pub fields: Vec<Field>,
}

/// What a template says, without its version number (stored as the JSON body of a version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    pub key: String,
    pub name_th: String,
    #[serde(default)]
    pub description: String,
    /// The short text field whose answer is the item's title.
    #[serde(default)]
    pub title_field: Option<String>,
    /// The long text field whose opening becomes the item's summary.
    #[serde(default)]
    pub summary_field: Option<String>,
    /// The item's ประเภทความรู้ ([`crate::item::KnowledgeType`]) for items of this template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knowledge_type: Option<String>,
    /// The item's วิธีได้มา ([`crate::item::Acquisition`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition: Option<String>,
    /// Where a built-in template comes from (seed and section).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(rename = "section")]
    pub sections: Vec<Section>,
}

/// One saved version of a template; entries name the version they were filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TemplateVersion {
    pub version: u32,
    #[serde(flatten)]
    pub body: TemplateBody,
    /// None for the built-in version loaded from reference data.
    pub created_by: Option<UserId>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl TemplateVersion {
    pub fn key(&self) -> &str {
        &self.body.key
    }

    pub fn sections(&self) -> &[Section] {
        &self.body.sections
    }

    /// Every field with its section's index (0-based), in form order.
    pub fn fields(&self) -> impl Iterator<Item = (usize, &Field)> {
        self.body
            .sections
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.fields.iter().map(move |f| (i, f)))
    }

    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields().map(|(_, f)| f).find(|f| f.key == key)
    }
}

/// An answer to one field, of the field kind's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Short or long text (long text is Markdown).
    Text(String),
    /// A number as typed, in Arabic digits without separators (`12`, `3.5`).
    Number(String),
    /// ISO date (`2024-02-05`), shown in the Buddhist Era.
    Date(String),
    /// Term keys of the taxonomy, or keys of the fixed list.
    Choice(Vec<String>),
    People(Vec<PersonId>),
    Place(Place),
    Files(Vec<FileId>),
    Links(Vec<String>),
}

/// A filled form: which template version, and the answers by field key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The template's key (`innovation`).
    pub template: String,
    pub version: u32,
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// Where the wizard was left (1-based section; one past the last is the review screen),
    /// so a draft list leads back to that step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
}

impl Entry {
    /// An entry with no answers yet.
    pub fn new(tv: &TemplateVersion) -> Self {
        Self {
            template: tv.body.key.clone(),
            version: tv.version,
            answers: BTreeMap::new(),
            step: Some(1),
        }
    }

    /// The text of a text answer.
    pub fn text(&self, key: &str) -> Option<&str> {
        match self.answers.get(key) {
            Some(Answer::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The chosen keys of a choice answer.
    pub fn choices(&self, key: &str) -> &[String] {
        match self.answers.get(key) {
            Some(Answer::Choice(c)) => c,
            _ => &[],
        }
    }

    /// Every file id any answer names.
    pub fn files(&self) -> Vec<FileId> {
        self.answers
            .values()
            .filter_map(|a| match a {
                Answer::Files(f) => Some(f.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// Every person id any answer names.
    pub fn people(&self) -> Vec<PersonId> {
        self.answers
            .values()
            .filter_map(|a| match a {
                Answer::People(p) => Some(p.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    }

    /// The step to resume at (1-based; sections + 1 is the review screen).
    pub fn resume_step(&self, tv: &TemplateVersion) -> usize {
        let last = tv.sections().len() + 1;
        (self.step.unwrap_or(1) as usize).clamp(1, last)
    }

    /// Takes the answers of section `n` (0-based) from `answers`, the other sections' kept.
    pub fn replace_section(
        &mut self,
        tv: &TemplateVersion,
        n: usize,
        answers: BTreeMap<String, Answer>,
    ) {
        if let Some(section) = tv.sections().get(n) {
            for f in &section.fields {
                self.answers.remove(&f.key);
            }
        }
        self.answers.extend(answers);
    }

    /// Moves the entry to a newer version of its template: answers whose field still exists
    /// (retired or not) are kept, so nothing typed is lost.
    pub fn upgrade(&mut self, tv: &TemplateVersion) {
        if tv.body.key == self.template && tv.version > self.version {
            self.answers.retain(|k, _| tv.field(k).is_some());
            self.version = tv.version;
        }
    }

    /// Without the answers to non-public fields: what anonymous readers and the public API get.
    pub fn public_only(&self, tv: &TemplateVersion) -> Entry {
        let mut e = self.clone();
        e.answers
            .retain(|k, _| tv.field(k).is_none_or(|f| f.public));
        e
    }
}

/// Who a rendering is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone: non-public fields are left out.
    Public,
    /// Those who may edit or screen the item: everything.
    Editors,
}

/// What raw form input is: values by input name, several for lists and checkboxes. A place
/// field `place` reads `place.province`, `place.district`, `place.subdistrict`,
/// `place.village_no` and `place.village`.
#[derive(Debug, Clone, Default)]
pub struct RawAnswers(pub BTreeMap<String, Vec<String>>);

impl RawAnswers {
    /// From `(name, value)` pairs, keeping those named `f.<key>` (the wizard's inputs).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            if let Some(key) = k.strip_prefix("f.") {
                map.entry(key.to_string()).or_default().push(v.to_string());
            }
        }
        Self(map)
    }

    fn values(&self, key: &str) -> &[String] {
        self.0.get(key).map(Vec::as_slice).unwrap_or(&[])
    }

    fn one(&self, key: &str) -> &str {
        self.values(key).first().map(String::as_str).unwrap_or("")
    }

    /// The input values an answer shows as when the form is filled again.
    pub fn from_answer(key: &str, a: &Answer) -> Vec<(String, String)> {
        let one = |v: String| vec![(key.to_string(), v)];
        match a {
            Answer::Text(t) | Answer::Number(t) => one(t.clone()),
            Answer::Date(d) => one(date_input_value(d)),
            Answer::Choice(c) => c.iter().map(|v| (key.to_string(), v.clone())).collect(),
            Answer::People(p) => p.iter().map(|v| (key.to_string(), v.to_string())).collect(),
            Answer::Files(f) => f.iter().map(|v| (key.to_string(), v.to_string())).collect(),
            Answer::Links(l) => one(l.join("\n")),
            Answer::Place(p) => {
                let mut out = vec![(format!("{key}.province"), p.province.to_string())];
                if let Some(d) = p.district {
                    out.push((format!("{key}.district"), d.to_string()));
                }
                if let Some(s) = p.subdistrict {
                    out.push((format!("{key}.subdistrict"), s.to_string()));
                }
                if let Some(n) = p.village_no {
                    out.push((format!("{key}.village_no"), n.to_string()));
                }
                if let Some(v) = &p.village {
                    out.push((format!("{key}.village"), v.clone()));
                }
                out
            }
        }
    }

    /// The raw form of stored answers (to fill the wizard again).
    pub fn from_entry(entry: &Entry) -> Self {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, a) in &entry.answers {
            for (name, v) in Self::from_answer(k, a) {
                map.entry(name).or_default().push(v);
            }
        }
        Self(map)
    }

    pub fn get(&self, key: &str) -> &str {
        self.one(key)
    }

    pub fn has(&self, key: &str, value: &str) -> bool {
        self.values(key).iter().any(|v| v == value)
    }

    /// Puts back what a person typed (after a failed check, so nothing typed is lost).
    pub fn merge(&mut self, newer: &RawAnswers, tv: &TemplateVersion, n: usize) {
        if let Some(section) = tv.sections().get(n) {
            for f in &section.fields {
                let prefix = format!("{}.", f.key);
                self.0.retain(|k, _| k != &f.key && !k.starts_with(&prefix));
            }
        }
        for (k, v) in &newer.0 {
            self.0.insert(k.clone(), v.clone());
        }
    }
}

/// A file of the item, as a files field sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub id: FileId,
    pub kind: Option<FileKind>,
    pub name: String,
}

/// What checking and showing answers needs from outside the template: the options of the
/// taxonomies it names, the item's files, and names for people and place codes.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    /// Taxonomy key → its current options (term key, Thai label).
    pub taxonomies: BTreeMap<String, Vec<ChoiceOption>>,
    /// Term keys no longer offered but still shown with their label (retired terms).
    pub retired_terms: BTreeMap<String, Vec<ChoiceOption>>,
    pub files: Vec<FileRef>,
    /// Person id → the name to show.
    pub people: BTreeMap<PersonId, String>,
    /// Place code (2, 4 or 6 digits) → Thai name.
    pub places: BTreeMap<String, String>,
}

impl Lookups {
    fn options<'a>(&'a self, kind: &'a FieldKind) -> Vec<&'a ChoiceOption> {
        match kind {
            FieldKind::Choice {
                taxonomy: Some(t), ..
            } => self
                .taxonomies
                .get(t)
                .into_iter()
                .flatten()
                .chain(self.retired_terms.get(t).into_iter().flatten())
                .collect(),
            FieldKind::Choice { options, .. } => options.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The options a person may pick now (no retired terms).
    pub fn offered<'a>(&'a self, kind: &'a FieldKind) -> Vec<&'a ChoiceOption> {
        match kind {
            FieldKind::Choice {
                taxonomy: Some(t), ..
            } => self.taxonomies.get(t).into_iter().flatten().collect(),
            FieldKind::Choice { options, .. } => options.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// How strictly a section is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// "บันทึกแล้วไปต่อ" and submission: required fields must be answered.
    Complete,
    /// Autosave and "ย้อนกลับ": a draft may leave required fields empty, but what is there
    /// must still be valid.
    Draft,
}

/// Checks the answers to section `n` (0-based) of `tv`; every bad field is reported at once,
/// each with a Thai message at its key (`entry.<field>`). Retired fields are not asked: an
/// answer they already have is kept by the caller ([`Entry::replace_section`] keeps only what
/// this returns, so the caller carries retired answers over).
pub fn parse_section(
    tv: &TemplateVersion,
    n: usize,
    raw: &RawAnswers,
    lookups: &Lookups,
    strictness: Strictness,
) -> Result<BTreeMap<String, Answer>, Vec<FieldError>> {
    let Some(section) = tv.sections().get(n) else {
        return Err(vec![FieldError::new("section", "ไม่พบหัวข้อนี้ในแบบฟอร์ม")]);
    };
    let mut answers = BTreeMap::new();
    let mut errors = Vec::new();
    for field in section.fields.iter().filter(|f| f.active()) {
        match parse_field(field, raw, lookups) {
            Ok(Some(a)) => {
                answers.insert(field.key.clone(), a);
            }
            Ok(None) if field.required && strictness == Strictness::Complete => {
                errors.push(field.error(missing_message(field)));
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// The required fields of the whole entry that have no answer, in form order, with the
/// section (0-based) each is in: what stops submission.
pub fn missing(tv: &TemplateVersion, entry: &Entry) -> Vec<(usize, FieldError)> {
    tv.fields()
        .filter(|(_, f)| f.active() && f.required && !entry.answers.contains_key(&f.key))
        .map(|(i, f)| (i, f.error(missing_message(f))))
        .collect()
}

fn missing_message(f: &Field) -> String {
    match f.kind {
        FieldKind::Choice { .. } => format!("กรุณาเลือก{}", f.label),
        FieldKind::Person => format!("กรุณาเลือกหรือบันทึก{}", f.label),
        FieldKind::Place => format!("กรุณาเลือกจังหวัดของ{}", f.label),
        FieldKind::Files { .. } => format!("กรุณาแนบ{}", f.label),
        _ => format!("กรุณากรอก{}", f.label),
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn too_long(f: &Field, n: usize) -> FieldError {
    f.error(format!(
        "{}ยาวเกิน {} ตัวอักษร (พิมพ์ไว้ {} ตัวอักษร) กรุณาย่อให้สั้นลง",
        f.label,
        thousands(f.limit() as usize),
        thousands(n)
    ))
}

fn too_many(f: &Field, n: usize) -> FieldError {
    f.error(format!(
        "{}ได้ไม่เกิน {} รายการ (เลือกไว้ {} รายการ)",
        f.label,
        f.limit(),
        n
    ))
}

fn split_lines(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        for part in v.split(['\n', ',']) {
            let t = tidy(part);
            if !t.is_empty() && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

fn parse_field(
    f: &Field,
    raw: &RawAnswers,
    lookups: &Lookups,
) -> Result<Option<Answer>, FieldError> {
    let check_controls = |s: &str| -> Result<(), FieldError> {
        match s.chars().position(crate::field::is_refused_control) {
            None => Ok(()),
            Some(at) => Err(f.error(format!(
                "{}มีอักขระควบคุมที่มองไม่เห็น (ตำแหน่งที่ {}) — กรุณาลบออก หรือพิมพ์ข้อความนั้นใหม่แทนการคัดลอกมาวาง",
                f.label,
                at + 1
            ))),
        }
    };
    let key = f.key.as_str();
    match &f.kind {
        FieldKind::ShortText => {
            let s = raw.one(key);
            check_controls(s)?;
            let s = tidy(s);
            let n = grapheme_len(&s);
            if n > f.limit() as usize {
                return Err(too_long(f, n));
            }
            Ok((n > 0).then_some(Answer::Text(s)))
        }
        FieldKind::LongText => {
            let s = raw.one(key);
            check_controls(s)?;
            let s = s.replace("\r\n", "\n").trim().to_string();
            let n = grapheme_len(&s);
            if n > f.limit() as usize {
                return Err(too_long(f, n));
            }
            Ok((n > 0).then_some(Answer::Text(s)))
        }
        FieldKind::Number { min, max, unit } => {
            let s = arabic_digits(raw.one(key).trim()).replace([',', ' '], "");
            if s.is_empty() {
                return Ok(None);
            }
            let value: f64 = match s.parse::<f64>() {
                Ok(v) if v.is_finite() && s.len() <= 20 && !s.contains(['e', 'E']) => v,
                _ => {
                    return Err(f.error(format!("{}ต้องเป็นตัวเลข เช่น 12", f.label)));
                }
            };
            let range = match (min, max) {
                (Some(a), Some(b)) => format!("{a}–{b} {unit}"),
                (Some(a), None) => format!("ไม่น้อยกว่า {a} {unit}"),
                (None, Some(b)) => format!("ไม่เกิน {b} {unit}"),
                (None, None) => String::new(),
            };
            if min.is_some_and(|m| value < m as f64) || max.is_some_and(|m| value > m as f64) {
                return Err(f.error(format!("{}ต้องอยู่ในช่วง {}", f.label, range.trim_end())));
            }
            Ok(Some(Answer::Number(s)))
        }
        FieldKind::Date => {
            let s = raw.one(key).trim();
            if s.is_empty() {
                return Ok(None);
            }
            parse_be_date(s)
                .map(|d| Some(Answer::Date(d)))
                .ok_or_else(|| {
                    f.error(format!(
                        "{}: วันที่ไม่ถูกต้อง ใส่เป็น วัน/เดือน/ปี พ.ศ. เช่น 15/2/2567",
                        f.label
                    ))
                })
        }
        FieldKind::Choice { multiple, .. } => {
            let options = lookups.options(&f.kind);
            let mut chosen: Vec<String> = Vec::new();
            for v in raw.values(key) {
                let v = v.trim();
                if v.is_empty() {
                    continue;
                }
                if !options.iter().any(|o| o.key == v) {
                    return Err(f.error(format!("กรุณาเลือก{}จากรายการ", f.label)));
                }
                if !chosen.iter().any(|c| c == v) {
                    chosen.push(v.to_string());
                }
            }
            if !multiple && chosen.len() > 1 {
                return Err(f.error(format!("{}เลือกได้ข้อเดียว", f.label)));
            }
            if chosen.len() > f.limit() as usize {
                return Err(too_many(f, chosen.len()));
            }
            Ok((!chosen.is_empty()).then_some(Answer::Choice(chosen)))
        }
        FieldKind::Person => {
            let mut ids: Vec<PersonId> = Vec::new();
            for v in raw
                .values(key)
                .iter()
                .flat_map(|v| v.split([',', ' ', '\n']))
            {
                let v = arabic_digits(v.trim());
                if v.is_empty() {
                    continue;
                }
                match v.parse::<i64>() {
                    Ok(id) if id > 0 => {
                        if !ids.contains(&PersonId(id)) {
                            ids.push(PersonId(id));
                        }
                    }
                    _ => {
                        return Err(
                            f.error(format!("ไม่พบบุคคลที่เลือกใน{} กรุณาเลือกจากทะเบียนบุคคล", f.label))
                        );
                    }
                }
            }
            if ids.len() > f.limit() as usize {
                return Err(too_many(f, ids.len()));
            }
            Ok((!ids.is_empty()).then_some(Answer::People(ids)))
        }
        FieldKind::Place => parse_place(f, raw).map(|p| p.map(Answer::Place)),
        FieldKind::Files { .. } => {
            let accepted = f.kind.accepted_kinds();
            let mut ids: Vec<FileId> = Vec::new();
            for v in raw.values(key) {
                let Ok(id) = v.trim().parse::<i64>() else {
                    return Err(f.error(format!("ไม่พบไฟล์ที่เลือกใน{}", f.label)));
                };
                let Some(file) = lookups.files.iter().find(|x| x.id == FileId(id)) else {
                    return Err(f.error(format!("ไม่พบไฟล์ที่เลือกใน{} กรุณาอัปโหลดอีกครั้ง", f.label)));
                };
                check_file_kind(f, &accepted, file)?;
                if !ids.contains(&file.id) {
                    ids.push(file.id);
                }
            }
            if ids.len() > f.limit() as usize {
                return Err(too_many(f, ids.len()));
            }
            Ok((!ids.is_empty()).then_some(Answer::Files(ids)))
        }
        FieldKind::Links => {
            let values = raw.values(key);
            for v in values {
                check_controls(v)?;
            }
            let links = split_lines(values);
            if links.len() > f.limit() as usize {
                return Err(too_many(f, links.len()));
            }
            if links.iter().any(|l| {
                l.len() > 2000
                    || !(l.starts_with("https://") || l.starts_with("http://"))
                    || l.contains(' ')
            }) {
                return Err(f.error(format!(
                    "{}ต้องขึ้นต้นด้วย https:// บรรทัดละหนึ่งลิงก์ เช่น https://www.youtube.com/watch?v=…",
                    f.label
                )));
            }
            Ok((!links.is_empty()).then_some(Answer::Links(links)))
        }
    }
}

/// Refuses a file whose kind the field does not accept, naming what it accepts.
pub fn check_file_kind(f: &Field, accepted: &[FileKind], file: &FileRef) -> Result<(), FieldError> {
    if accepted.is_empty() || file.kind.is_some_and(|k| accepted.contains(&k)) {
        return Ok(());
    }
    let wanted: Vec<&str> = accepted.iter().map(|k| k.label_th()).collect();
    let got = file.kind.map(|k| k.label_th()).unwrap_or("ไฟล์ชนิดอื่น");
    Err(f.error(format!(
        "{}รับเฉพาะ {} — ไฟล์ “{}” เป็น{} กรุณาเลือกไฟล์ใหม่",
        f.label,
        wanted.join(" "),
        file.name,
        got
    )))
}

fn parse_place(f: &Field, raw: &RawAnswers) -> Result<Option<Place>, FieldError> {
    let key = &f.key;
    let get = |part: &str| raw.one(&format!("{key}.{part}")).trim().to_string();
    let (province, district, subdistrict, village_no, village) = (
        get("province"),
        get("district"),
        get("subdistrict"),
        get("village_no"),
        tidy(&get("village")),
    );
    if province.is_empty() {
        if [&district, &subdistrict, &village_no, &village]
            .iter()
            .any(|s| !s.is_empty())
        {
            return Err(f.error(format!("กรุณาเลือกจังหวัดของ{}", f.label)));
        }
        return Ok(None);
    }
    let bad = |m: String| f.error(format!("{}: {m}", f.label));
    let province = ProvinceCode::parse(&province).map_err(bad)?;
    let district = match district.as_str() {
        "" => None,
        d => Some(DistrictCode::parse(d).map_err(bad)?),
    };
    let subdistrict = match subdistrict.as_str() {
        "" => None,
        s => Some(SubdistrictCode::parse(s).map_err(bad)?),
    };
    let village_no = match arabic_digits(&village_no).as_str() {
        "" => None,
        n => Some(
            n.parse::<u8>()
                .map_err(|_| f.error(format!("{}: หมู่ที่ต้องเป็นตัวเลข 1 ถึง 99", f.label)))?,
        ),
    };
    if grapheme_len(&village) > 100 {
        return Err(f.error(format!("{}: ชื่อหมู่บ้านยาวเกิน 100 ตัวอักษร", f.label)));
    }
    if village.chars().any(crate::field::is_refused_control) {
        return Err(f.error(format!("{}: ชื่อหมู่บ้านมีอักขระควบคุม", f.label)));
    }
    let place = Place {
        province,
        district,
        subdistrict,
        village_no,
        village: (!village.is_empty()).then_some(village),
    };
    place.check(f.error_key())?;
    // The codes must exist in the reference geography, not only nest.
    crate::geo::Gazetteer::get()
        .check(&place, &f.error_key())
        .map_err(|e| f.error(format!("{}: {}", f.label, e.message)))?;
    Ok(Some(place))
}

/// `15/2/2567`, `15-02-2567`, `๑๕/๒/๒๕๖๗` (Buddhist Era) or ISO `2024-02-15` / `2567-02-15`
/// (years over 2400 are BE) → ISO `2024-02-15` (Common Era).
pub fn parse_be_date(s: &str) -> Option<String> {
    let s = arabic_digits(s.trim());
    let parts: Vec<&str> = s.split(['/', '-', '.']).map(str::trim).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let num = |x: &str| x.parse::<i32>().ok();
    let (y, m, d) = if a.len() == 4 {
        (num(a)?, num(b)?, num(c)?)
    } else {
        (num(c)?, num(b)?, num(a)?)
    };
    let y = if y > 2400 { y - 543 } else { y };
    if !(1900..=2200).contains(&y) {
        return None;
    }
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date = time::Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        date.month() as u8,
        date.day()
    ))
}

fn iso_date(d: &str) -> Option<time::Date> {
    let mut it = d.split('-');
    let y = it.next()?.parse::<i32>().ok()?;
    let m = time::Month::try_from(it.next()?.parse::<u8>().ok()?).ok()?;
    let day = it.next()?.parse::<u8>().ok()?;
    time::Date::from_calendar_date(y, m, day).ok()
}

/// An ISO date in the form's input shape: `15/2/2567`.
pub fn date_input_value(d: &str) -> String {
    match iso_date(d) {
        Some(date) => format!(
            "{}/{}/{}",
            date.day(),
            date.month() as u8,
            date.year() + 543
        ),
        None => d.to_string(),
    }
}

/// An ISO date as people read it: `15 กุมภาพันธ์ 2567`.
pub fn format_date(d: &str) -> String {
    match iso_date(d) {
        Some(date) => {
            crate::text::format_be_date_long(date.midnight().assume_offset(crate::text::BANGKOK))
        }
        None => d.to_string(),
    }
}

/// An answer as one line (or paragraphs) of plain text, names looked up where known.
pub fn answer_text(field: Option<&Field>, answer: &Answer, lookups: &Lookups) -> String {
    match answer {
        Answer::Text(t) => t.clone(),
        Answer::Number(n) => match field.map(|f| &f.kind) {
            Some(FieldKind::Number { unit, .. }) if !unit.is_empty() => format!("{n} {unit}"),
            _ => n.clone(),
        },
        Answer::Date(d) => format_date(d),
        Answer::Choice(keys) => {
            let options = field.map(|f| lookups.options(&f.kind)).unwrap_or_default();
            keys.iter()
                .map(|k| {
                    options
                        .iter()
                        .find(|o| &o.key == k)
                        .map(|o| o.label.clone())
                        .unwrap_or_else(|| k.clone())
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
        Answer::People(ids) => ids
            .iter()
            .map(|id| {
                lookups
                    .people
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("บุคคลหมายเลข {id}"))
            })
            .collect::<Vec<_>>()
            .join(", "),
        Answer::Place(p) if lookups.places.is_empty() => {
            let described = crate::geo::Gazetteer::get().describe(p);
            if described.is_empty() {
                place_text(p, lookups)
            } else {
                described
            }
        }
        Answer::Place(p) => place_text(p, lookups),
        Answer::Files(ids) => ids
            .iter()
            .map(|id| {
                lookups
                    .files
                    .iter()
                    .find(|f| f.id == *id)
                    .map(|f| f.name.clone())
                    .unwrap_or_else(|| format!("ไฟล์หมายเลข {id}"))
            })
            .collect::<Vec<_>>()
            .join(", "),
        Answer::Links(l) => l.join("\n"),
    }
}

/// `หมู่ 3 บ้านหนองแวง ต.ในเมือง อ.เมืองขอนแก่น จ.ขอนแก่น` (names where known, codes otherwise).
pub fn place_text(p: &Place, lookups: &Lookups) -> String {
    let name = |code: String| lookups.places.get(&code).cloned().unwrap_or(code);
    let mut parts = Vec::new();
    if let Some(n) = p.village_no {
        parts.push(format!("หมู่ {n}"));
    }
    if let Some(v) = &p.village {
        parts.push(format!("บ้าน{v}"));
    }
    if let Some(s) = p.subdistrict {
        parts.push(format!("ต.{}", name(s.to_string())));
    }
    if let Some(d) = p.district {
        parts.push(format!("อ.{}", name(d.to_string())));
    }
    parts.push(format!("จ.{}", name(p.province.to_string())));
    parts.join(" ")
}

/// A field with its answer, ready to show.
#[derive(Debug, Clone)]
pub struct RenderedField {
    pub key: String,
    pub label: String,
    pub kind: FieldKind,
    pub answer: Option<Answer>,
    /// The answer as text ([`answer_text`]); empty when unanswered.
    pub text: String,
    pub retired: bool,
}

/// A section with its answered fields.
#[derive(Debug, Clone)]
pub struct RenderedSection {
    pub number: usize,
    pub title: String,
    pub fields: Vec<RenderedField>,
}

/// The entry section by section, with the version it was filled in (`tv` must be that
/// version), answered fields only; for [`Audience::Public`] non-public fields are left out.
pub fn render(tv: &TemplateVersion, entry: &Entry, audience: Audience) -> Vec<RenderedSection> {
    render_with(tv, entry, audience, &Lookups::default())
}

/// [`render`] with names for terms, people, places and files.
pub fn render_with(
    tv: &TemplateVersion,
    entry: &Entry,
    audience: Audience,
    lookups: &Lookups,
) -> Vec<RenderedSection> {
    tv.sections()
        .iter()
        .enumerate()
        .map(|(i, s)| RenderedSection {
            number: i + 1,
            title: s.title.clone(),
            fields: s
                .fields
                .iter()
                .filter(|f| audience == Audience::Editors || f.public)
                .filter_map(|f| {
                    let a = entry.answers.get(&f.key)?;
                    Some(RenderedField {
                        key: f.key.clone(),
                        label: f.label.clone(),
                        kind: f.kind.clone(),
                        answer: Some(a.clone()),
                        text: answer_text(Some(f), a, lookups),
                        retired: f.retired,
                    })
                })
                .collect(),
        })
        .filter(|s| !s.fields.is_empty())
        .collect()
}

/// The text search indexes for an entry: every answered field that is both searchable and
/// public (a private answer must never be found, nor shown in a snippet).
pub fn search_text(tv: &TemplateVersion, entry: &Entry, lookups: &Lookups) -> String {
    let mut out = String::new();
    for (_, f) in tv.fields() {
        if !(f.searchable && f.public) {
            continue;
        }
        let Some(a) = entry.answers.get(&f.key) else {
            continue;
        };
        if matches!(a, Answer::Files(_) | Answer::Links(_)) {
            continue;
        }
        let text = answer_text(Some(f), a, lookups);
        if !text.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&text);
        }
    }
    out
}

/// One changed answer between two entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntryChange {
    pub field: String,
    /// "หัวข้อ › คำถาม", from the newer version (or the older, for a field it no longer has).
    pub label: String,
    pub before: String,
    pub after: String,
}

/// Answer-by-answer differences, each side read with its own template version; fields in the
/// newer version's order, then those only the older one has. `audience` hides non-public ones.
pub fn diff(
    before: Option<(&TemplateVersion, &Entry)>,
    after: Option<(&TemplateVersion, &Entry)>,
    audience: Audience,
    lookups: &Lookups,
) -> Vec<EntryChange> {
    let mut order: Vec<(String, String, bool)> = Vec::new();
    let mut seen = HashSet::new();
    for (tv, _) in [after, before].into_iter().flatten() {
        for (i, f) in tv.fields() {
            if seen.insert(f.key.clone()) {
                let label = format!("{} › {}", tv.sections()[i].title, f.label);
                order.push((f.key.clone(), label, f.public));
            }
        }
    }
    let text = |side: Option<(&TemplateVersion, &Entry)>, key: &str| {
        side.and_then(|(tv, e)| {
            e.answers
                .get(key)
                .map(|a| answer_text(tv.field(key), a, lookups))
        })
        .unwrap_or_default()
    };
    order
        .into_iter()
        .filter(|(_, _, public)| audience == Audience::Editors || *public)
        .filter_map(|(key, label, _)| {
            let (b, a) = (text(before, &key), text(after, &key));
            (b != a).then_some(EntryChange {
                field: format!("entry.{key}"),
                label,
                before: b,
                after: a,
            })
        })
        .collect()
}

/// Why a template body cannot be saved: keys must be unique and well-formed, labels present,
/// choice fields must have options, title and summary fields must exist with the right kind.
pub fn check_body(body: &TemplateBody) -> Result<(), FieldError> {
    let bad = |m: String| Err(FieldError::new("template", m));
    if !valid_key(&body.key) {
        return bad(format!("รหัสแบบฟอร์ม “{}” ต้องเป็น a-z 0-9 _ -", body.key));
    }
    if tidy(&body.name_th).is_empty() {
        return bad("กรุณาใส่ชื่อแบบฟอร์ม".into());
    }
    if body.sections.is_empty() {
        return bad("แบบฟอร์มต้องมีอย่างน้อยหนึ่งหัวข้อ".into());
    }
    let mut keys = HashSet::new();
    for s in &body.sections {
        if tidy(&s.title).is_empty() {
            return bad("กรุณาใส่ชื่อหัวข้อ".into());
        }
        for f in &s.fields {
            if !valid_key(&f.key) {
                return bad(format!("รหัสคำถาม “{}” ต้องเป็น a-z 0-9 _ -", f.key));
            }
            if !keys.insert(f.key.as_str()) {
                return bad(format!("รหัสคำถาม “{}” ซ้ำกัน", f.key));
            }
            if tidy(&f.label).is_empty() {
                return bad(format!("กรุณาใส่ชื่อคำถาม {}", f.key));
            }
            if grapheme_len(&f.label) > 300 || grapheme_len(&f.help) > 1000 {
                return bad(format!("ชื่อหรือคำอธิบายของคำถาม “{}” ยาวเกินไป", f.label));
            }
            if let FieldKind::Choice {
                taxonomy: None,
                options,
                ..
            } = &f.kind
                && options.is_empty()
            {
                return bad(format!("คำถาม “{}” ต้องมีตัวเลือก", f.label));
            }
        }
    }
    for (name, key, want_short) in [
        ("title_field", &body.title_field, true),
        ("summary_field", &body.summary_field, false),
    ] {
        if let Some(k) = key {
            let found = body
                .sections
                .iter()
                .flat_map(|s| &s.fields)
                .find(|f| &f.key == k);
            match found {
                Some(f) if want_short && f.kind == FieldKind::ShortText => {}
                Some(f)
                    if !want_short
                        && matches!(f.kind, FieldKind::LongText | FieldKind::ShortText) => {}
                _ => return bad(format!("{name} “{k}” ต้องเป็นคำถามแบบข้อความในแบบฟอร์ม")),
            }
        }
    }
    Ok(())
}

/// Keys of templates and fields: 1–40 of a-z, 0-9, `_`, `-`.
pub fn valid_key(k: &str) -> bool {
    (1..=40).contains(&k.len())
        && k.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// The built-in templates shipped as reference data.
pub fn reference_templates() -> Result<Vec<TemplateBody>, crate::DomainError> {
    [
        include_str!("../reference/templates/innovation.toml"),
        include_str!("../reference/templates/aar.toml"),
        include_str!("../reference/templates/bar.toml"),
        include_str!("../reference/templates/dar.toml"),
        include_str!("../reference/templates/story.toml"),
        include_str!("../reference/templates/eight_box.toml"),
        include_str!("../reference/templates/winner_lessons.toml"),
    ]
    .into_iter()
    .map(|src| {
        let body: TemplateBody = toml::from_str(src).map_err(crate::DomainError::internal)?;
        check_body(&body).map_err(|e| crate::DomainError::internal(e.message))?;
        Ok(body)
    })
    .collect()
}

/// An administrator's change to one field: label, help, position in its section, retired.
#[derive(Debug, Clone, Default)]
pub struct FieldEdit {
    pub key: String,
    pub label: String,
    pub help: String,
    /// 1-based position within the section, as typed (Thai digits allowed); empty keeps it.
    pub position: String,
    pub retired: bool,
}

/// A new optional field an administrator adds.
#[derive(Debug, Clone, Default)]
pub struct NewField {
    /// 1-based section number, as typed.
    pub section: String,
    pub label: String,
    pub help: String,
    /// `short_text`, `long_text`, `number`, `date`, `choice`, `choice_multiple`, `links`.
    pub kind: String,
    /// Unit of a number field.
    pub unit: String,
    /// Options of a choice field, one per line.
    pub options: String,
    pub public: bool,
    pub searchable: bool,
}

/// What the template admin page sends: every field's edit and at most one new field.
#[derive(Debug, Clone, Default)]
pub struct TemplateEdit {
    pub name_th: String,
    pub fields: Vec<FieldEdit>,
    pub new_field: Option<NewField>,
}

/// The next version's body: `edit` applied to `latest`. Field keys never change; a new field
/// is optional and gets the key `v<next version>_<n>`.
pub fn apply_edit(
    latest: &TemplateVersion,
    edit: &TemplateEdit,
) -> Result<TemplateBody, Vec<FieldError>> {
    let mut body = latest.body.clone();
    let mut errors = Vec::new();
    let name = tidy(&edit.name_th);
    if !name.is_empty() {
        if grapheme_len(&name) > 200 {
            errors.push(FieldError::new("name_th", "ชื่อแบบฟอร์มยาวเกิน 200 ตัวอักษร"));
        }
        body.name_th = name;
    }
    for section in &mut body.sections {
        let mut positions: Vec<(f64, usize)> = Vec::new();
        for (i, f) in section.fields.iter_mut().enumerate() {
            let mut pos = i as f64 + 1.0;
            if let Some(e) = edit.fields.iter().find(|e| e.key == f.key) {
                let err_key = format!("label.{}", f.key);
                let label = tidy(&e.label);
                let help = tidy(&e.help);
                if label.is_empty() {
                    errors.push(FieldError::new(err_key.clone(), "กรุณาใส่ชื่อคำถาม"));
                } else if grapheme_len(&label) > 300 {
                    errors.push(FieldError::new(err_key.clone(), "ชื่อคำถามยาวเกิน 300 ตัวอักษร"));
                }
                if grapheme_len(&help) > 1000 {
                    errors.push(FieldError::new(
                        format!("help.{}", f.key),
                        "คำอธิบายยาวเกิน 1,000 ตัวอักษร",
                    ));
                }
                if label
                    .chars()
                    .chain(help.chars())
                    .any(crate::field::is_refused_control)
                {
                    errors.push(FieldError::new(err_key, "มีอักขระควบคุมที่มองไม่เห็น กรุณาลบออก"));
                }
                if !label.is_empty() {
                    f.label = label;
                }
                f.help = help;
                if e.retired && f.required {
                    errors.push(FieldError::new(
                        format!("retired.{}", f.key),
                        format!("“{}” เป็นคำถามที่ต้องตอบ จึงเลิกใช้ไม่ได้", f.label),
                    ));
                } else {
                    f.retired = e.retired;
                }
                let p = arabic_digits(e.position.trim());
                if !p.is_empty() {
                    match p.parse::<u32>() {
                        // Moving to position p puts it just before the one there now.
                        Ok(n) if n >= 1 => {
                            pos = f64::from(n) - if (n as usize) <= i { 0.5 } else { -0.5 }
                        }
                        _ => errors.push(FieldError::new(
                            format!("position.{}", f.key),
                            "ลำดับต้องเป็นตัวเลขตั้งแต่ 1",
                        )),
                    }
                }
            }
            positions.push((pos, i));
        }
        positions.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let old = std::mem::take(&mut section.fields);
        section.fields = positions.into_iter().map(|(_, i)| old[i].clone()).collect();
    }
    if let Some(nf) = &edit.new_field
        && !(nf.label.trim().is_empty() && nf.kind.trim().is_empty())
    {
        let sec = arabic_digits(nf.section.trim())
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=body.sections.len()).contains(n));
        let label = tidy(&nf.label);
        let kind = match nf.kind.trim() {
            "short_text" => Some(FieldKind::ShortText),
            "long_text" => Some(FieldKind::LongText),
            "number" => Some(FieldKind::Number {
                unit: tidy(&nf.unit),
                min: None,
                max: None,
            }),
            "date" => Some(FieldKind::Date),
            "links" => Some(FieldKind::Links),
            k @ ("choice" | "choice_multiple") => {
                let options: Vec<ChoiceOption> = nf
                    .options
                    .lines()
                    .map(tidy)
                    .filter(|l| !l.is_empty())
                    .enumerate()
                    .map(|(i, l)| ChoiceOption {
                        key: format!("o{}", i + 1),
                        label: l,
                    })
                    .collect();
                if options.len() < 2 {
                    errors.push(FieldError::new(
                        "new.options",
                        "คำถามแบบเลือกต้องมีตัวเลือกอย่างน้อย 2 ข้อ บรรทัดละหนึ่งข้อ",
                    ));
                }
                Some(FieldKind::Choice {
                    multiple: k == "choice_multiple",
                    taxonomy: None,
                    options,
                })
            }
            _ => {
                errors.push(FieldError::new("new.kind", "กรุณาเลือกชนิดของคำถาม"));
                None
            }
        };
        if sec.is_none() {
            errors.push(FieldError::new("new.section", "กรุณาเลือกหัวข้อที่จะเพิ่มคำถาม"));
        }
        if label.is_empty() {
            errors.push(FieldError::new("new.label", "กรุณาใส่ชื่อคำถาม"));
        } else if grapheme_len(&label) > 300 {
            errors.push(FieldError::new("new.label", "ชื่อคำถามยาวเกิน 300 ตัวอักษร"));
        }
        if let (Some(sec), Some(kind), false) = (sec, kind, label.is_empty()) {
            let next = latest.version + 1;
            let mut n = 1;
            while body
                .sections
                .iter()
                .flat_map(|s| &s.fields)
                .any(|f| f.key == format!("v{next}_{n}"))
            {
                n += 1;
            }
            body.sections[sec - 1].fields.push(Field {
                key: format!("v{next}_{n}"),
                label,
                help: tidy(&nf.help),
                kind,
                required: false,
                limit: None,
                public: nf.public,
                searchable: nf.searchable,
                retired: false,
            });
        }
    }
    if errors.is_empty() {
        check_body(&body).map_err(|e| vec![e])?;
        Ok(body)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn innovation() -> TemplateVersion {
        TemplateVersion {
            version: 1,
            body: reference_templates().unwrap().remove(0),
            created_by: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
        RawAnswers::from_pairs(pairs.iter().map(|(k, v)| (*k, *v)))
    }

    fn lookups() -> Lookups {
        let mut l = Lookups::default();
        l.taxonomies.insert(
            "osm_branch".into(),
            vec![ChoiceOption {
                key: "branch-02".into(),
                label: "การส่งเสริมสุขภาพ".into(),
            }],
        );
        l
    }

    #[test]
    fn the_innovation_template_has_the_seven_sections_and_every_prompt() {
        let tv = innovation();
        let titles: Vec<&str> = tv.sections().iter().map(|s| s.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "ข้อมูลส่วนตัว",
                "บริบท/ที่มาและความสำคัญของปัญหา",
                "นวัตกรรม/ผลงานเด่น",
                "ผลการดำเนินงาน",
                "ปัญหาอุปสรรค",
                "ปัจจัยความสำเร็จ",
                "โอกาสพัฒนา/ความต่อเนื่อง",
            ]
        );
        let all: String = tv
            .fields()
            .map(|(_, f)| format!("{} {} ", f.label, f.help))
            .collect();
        for prompt in [
            "ชื่อ",
            "ที่อยู่",
            "อาชีพ",
            "สถานภาพ",
            "ระดับการศึกษา",
            "(9) ระยะเวลาเป็น อสม.",
            "แรงบันดาลใจ",
            "ลักษณะพื้นที่",
            "ลักษณะชุมชน",
            "ประชากร",
            "ปัญหาสุขภาพในพื้นที่",
            "การวิเคราะห์หาปัญหา",
            "(8) How to ความสำเร็จ",
            "(11) การทำงานร่วมกับเครือข่ายเป็นอย่างไร",
            "(10) ผลกระทบจากการทำงาน",
            "ก่อนดำเนินงาน",
            "ระหว่างดำเนินงาน",
        ] {
            assert!(all.contains(prompt), "{prompt}");
        }
        assert!(matches!(
            tv.field("innovators").unwrap().kind,
            FieldKind::Person
        ));
        assert!(matches!(tv.field("place").unwrap().kind, FieldKind::Place));
        assert_eq!(
            tv.field("branch").unwrap().kind,
            FieldKind::Choice {
                multiple: false,
                taxonomy: Some("osm_branch".into()),
                options: vec![]
            }
        );
        assert_eq!(
            tv.field("photos").unwrap().kind.accepted_kinds(),
            [FileKind::Image]
        );
        assert!(!tv.field("visit_notes").unwrap().public);
    }

    #[test]
    fn answers_are_checked_per_field_with_thai_messages() {
        let tv = innovation();
        let long = "ก่".repeat(301);
        let errors = parse_section(
            &tv,
            2,
            &raw(&[
                ("f.name", &long),
                ("f.branch", "nope"),
                ("f.started_on", "๓๒/๑/๒๕๖๗"),
            ]),
            &lookups(),
            Strictness::Complete,
        )
        .unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            keys,
            [
                "entry.name",
                "entry.branch",
                "entry.description",
                "entry.started_on"
            ]
        );
        assert!(errors[0].message.contains("ยาวเกิน 300 ตัวอักษร (พิมพ์ไว้ 301"));
        assert_eq!(errors[2].message, "กรุณากรอกนวัตกรรม/ผลงานที่ดำเนินการในพื้นที่");
        // A draft may leave required answers out, not break limits.
        let ok = parse_section(
            &tv,
            2,
            &raw(&[
                ("f.name", "ไม้เท้า"),
                ("f.started_on", "๑๕/๒/๒๕๖๗"),
                ("f.branch", "branch-02"),
            ]),
            &lookups(),
            Strictness::Draft,
        )
        .unwrap();
        assert_eq!(ok["started_on"], Answer::Date("2024-02-15".into()));
        assert_eq!(ok["branch"], Answer::Choice(vec!["branch-02".into()]));
        let people = parse_section(
            &tv,
            0,
            &raw(&[("f.innovators", "7, ๘")]),
            &lookups(),
            Strictness::Draft,
        )
        .unwrap();
        assert_eq!(
            people["innovators"],
            Answer::People(vec![PersonId(7), PersonId(8)])
        );
        let years = parse_section(
            &tv,
            0,
            &raw(&[
                ("f.years_as_osm", "๑๒"),
                ("f.innovators", "7"),
                ("f.innovators", "7"),
            ]),
            &lookups(),
            Strictness::Complete,
        )
        .unwrap();
        assert_eq!(years["years_as_osm"], Answer::Number("12".into()));
        assert_eq!(years["innovators"], Answer::People(vec![PersonId(7)]));
        let too_old = parse_section(
            &tv,
            0,
            &raw(&[("f.years_as_osm", "81"), ("f.innovators", "7")]),
            &lookups(),
            Strictness::Complete,
        )
        .unwrap_err();
        assert!(too_old[0].message.contains("0–80 ปี"), "{too_old:?}");
    }

    #[test]
    fn files_fields_take_only_their_kinds_and_the_items_files() {
        let tv = innovation();
        let mut l = lookups();
        l.files = vec![
            FileRef {
                id: FileId(1),
                kind: Some(FileKind::Pdf),
                name: "สไลด์.pdf".into(),
            },
            FileRef {
                id: FileId(2),
                kind: Some(FileKind::Image),
                name: "รูป.jpg".into(),
            },
        ];
        let e =
            parse_section(&tv, 2, &raw(&[("f.photos", "1")]), &l, Strictness::Draft).unwrap_err();
        assert!(
            e[0].message
                .contains("ภาพถ่ายรับเฉพาะ รูปภาพ — ไฟล์ “สไลด์.pdf” เป็นPDF")
        );
        let e =
            parse_section(&tv, 2, &raw(&[("f.photos", "99")]), &l, Strictness::Draft).unwrap_err();
        assert!(e[0].message.contains("ไม่พบไฟล์"));
        let ok = parse_section(
            &tv,
            2,
            &raw(&[("f.photos", "2"), ("f.presentations", "1")]),
            &l,
            Strictness::Draft,
        )
        .unwrap();
        assert_eq!(ok["photos"], Answer::Files(vec![FileId(2)]));
    }

    #[test]
    fn rendering_diffing_and_search_text_follow_the_version_and_the_audience() {
        let tv = innovation();
        let mut entry = Entry::new(&tv);
        let l = lookups();
        for (n, pairs) in [
            (
                2,
                vec![
                    ("f.name", "ไม้เท้า"),
                    ("f.branch", "branch-02"),
                    ("f.description", "ทำจากท่อ"),
                ],
            ),
            (6, vec![("f.visit_notes", "โทร 0812345678")]),
        ] {
            let a = parse_section(&tv, n, &raw(&pairs), &l, Strictness::Draft).unwrap();
            entry.replace_section(&tv, n, a);
        }
        let public = render_with(&tv, &entry, Audience::Public, &l);
        assert_eq!(public.len(), 1);
        assert_eq!(public[0].number, 3);
        assert_eq!(public[0].fields[1].text, "การส่งเสริมสุขภาพ");
        let all = render(&tv, &entry, Audience::Editors);
        assert_eq!(all.len(), 2);
        let text = search_text(&tv, &entry, &l);
        assert!(text.contains("ทำจากท่อ") && text.contains("การส่งเสริมสุขภาพ"));
        assert!(!text.contains("0812345678"));
        assert!(!entry.public_only(&tv).answers.contains_key("visit_notes"));

        // Version 2 renames a field and adds one; the old entry diffs against a new one.
        let mut v2 = tv.clone();
        v2.version = 2;
        let edit = TemplateEdit {
            name_th: String::new(),
            fields: vec![FieldEdit {
                key: "description".into(),
                label: "เล่าเรื่องนวัตกรรม".into(),
                help: String::new(),
                position: "1".into(),
                retired: false,
            }],
            new_field: Some(NewField {
                section: "3".into(),
                label: "ต้นทุนต่อชิ้น".into(),
                kind: "number".into(),
                unit: "บาท".into(),
                public: true,
                searchable: true,
                ..Default::default()
            }),
        };
        v2.body = apply_edit(&tv, &edit).unwrap();
        let s3: Vec<&str> = v2.sections()[2]
            .fields
            .iter()
            .map(|f| f.key.as_str())
            .collect();
        assert_eq!(s3[0], "description");
        assert_eq!(*s3.last().unwrap(), "v2_1");
        assert!(!v2.field("v2_1").unwrap().required);
        let mut newer = entry.clone();
        newer.upgrade(&v2);
        newer
            .answers
            .insert("v2_1".into(), Answer::Number("150".into()));
        newer
            .answers
            .insert("description".into(), Answer::Text("ทำจากท่อพีวีซี".into()));
        let d = diff(
            Some((&tv, &entry)),
            Some((&v2, &newer)),
            Audience::Public,
            &l,
        );
        let labels: Vec<&str> = d.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "นวัตกรรม/ผลงานเด่น › เล่าเรื่องนวัตกรรม",
                "นวัตกรรม/ผลงานเด่น › ต้นทุนต่อชิ้น"
            ]
        );
        assert_eq!(d[1].after, "150 บาท");
        // An old version still renders its own labels.
        assert_eq!(
            render(&tv, &entry, Audience::Public)[0].fields[2].label,
            "นวัตกรรม/ผลงานที่ดำเนินการในพื้นที่"
        );
        // Required fields cannot be retired; a bad position is refused.
        let bad = TemplateEdit {
            fields: vec![FieldEdit {
                key: "name".into(),
                label: "ชื่อ".into(),
                retired: true,
                position: "x".into(),
                ..Default::default()
            }],
            ..Default::default()
        };
        let e = apply_edit(&tv, &bad).unwrap_err();
        assert_eq!(e.len(), 2);
    }

    #[test]
    fn be_dates_in_every_spelling() {
        assert_eq!(parse_be_date("15/2/2567").as_deref(), Some("2024-02-15"));
        assert_eq!(parse_be_date("๑๕-๐๒-๒๕๖๗").as_deref(), Some("2024-02-15"));
        assert_eq!(parse_be_date("2024-02-15").as_deref(), Some("2024-02-15"));
        assert_eq!(parse_be_date("2567-02-15").as_deref(), Some("2024-02-15"));
        assert_eq!(parse_be_date("30/2/2567"), None);
        assert_eq!(parse_be_date("พรุ่งนี้"), None);
        assert_eq!(format_date("2024-02-15"), "15 กุมภาพันธ์ 2567");
        assert_eq!(date_input_value("2024-02-15"), "15/2/2567");
    }
}
