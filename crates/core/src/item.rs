//! A knowledge item (องค์ความรู้): what it is, how it was obtained, who may see it, and the
//! screening workflow it goes through before the public sees it.

use crate::error::{DomainError, FieldError};
use crate::ids::{FileId, ItemId, TermId, UnitId, UserId};
use crate::text::{grapheme_len, tidy};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// ประเภทความรู้ (seed 000): explicit, tacit, external, or new knowledge/innovation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KnowledgeType {
    Explicit,
    Tacit,
    External,
    Innovation,
}

/// How the knowledge was obtained — the three Cs of 3C-SURE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Acquisition {
    Collect,
    Capture,
    Create,
}

/// Who may read a published item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// ประชาชนทั่วไป
    Public,
    /// ผู้ใช้ที่เข้าสู่ระบบ
    SignedIn,
    /// เฉพาะหน่วยงานเจ้าของและหน่วยงานย่อย
    Unit,
}

/// Where an item stands in screening (ux.md's words in `label_th`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Draft,
    Submitted,
    ChangesRequested,
    Resubmitted,
    Published,
    Rejected,
    Archived,
}

macro_rules! enum_strings {
    ($t:ty, $field:literal, $msg:literal, [$($v:ident => $s:literal, $th:literal, $en:literal);* $(;)?]) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn as_str(self) -> &'static str { match self { $(<$t>::$v => $s),* } }
            pub fn label_th(self) -> &'static str { match self { $(<$t>::$v => $th),* } }
            pub fn label_en(self) -> &'static str { match self { $(<$t>::$v => $en),* } }
            pub fn parse(s: &str) -> Result<Self, FieldError> {
                match s.trim() { $($s => Ok(<$t>::$v),)* _ => Err(FieldError::new($field, $msg)) }
            }
        }
    };
}

enum_strings!(KnowledgeType, "knowledge_type", "กรุณาเลือกประเภทความรู้", [
    Explicit => "explicit", "ความรู้ที่ชัดแจ้ง (เอกสาร คู่มือ รายงาน)", "Explicit knowledge";
    Tacit => "tacit", "ความรู้ที่ฝังในตัวคน (ประสบการณ์ เคล็ดลับ)", "Tacit knowledge";
    External => "external", "ความรู้จากภายนอก", "External knowledge";
    Innovation => "innovation", "ความรู้ใหม่ / นวัตกรรม", "New knowledge / innovation";
]);

enum_strings!(Acquisition, "acquisition", "กรุณาเลือกวิธีได้มาของความรู้", [
    Collect => "collect", "รวบรวมความรู้ที่มีอยู่ (Collect)", "Collect";
    Capture => "capture", "ถอดความรู้จากคน (Capture)", "Capture";
    Create => "create", "สร้างความรู้ใหม่ (Create)", "Create";
]);

enum_strings!(Visibility, "visibility", "กรุณาเลือกว่าใครอ่านได้", [
    Public => "public", "ทุกคน (เผยแพร่สู่สาธารณะ)", "Everyone";
    SignedIn => "signed_in", "เฉพาะผู้ที่เข้าสู่ระบบ", "Signed-in users";
    Unit => "unit", "เฉพาะหน่วยงานเจ้าของและหน่วยงานย่อย", "Owning unit only";
]);

enum_strings!(ItemStatus, "status", "สถานะไม่ถูกต้อง", [
    Draft => "draft", "ฉบับร่าง", "Draft";
    Submitted => "submitted", "ส่งพิจารณาแล้ว", "Submitted";
    ChangesRequested => "changes_requested", "ส่งกลับแก้ไข", "Changes requested";
    Resubmitted => "resubmitted", "ส่งพิจารณาอีกครั้ง", "Resubmitted";
    Published => "published", "เผยแพร่แล้ว", "Published";
    Rejected => "rejected", "ไม่ผ่านการพิจารณา", "Rejected";
    Archived => "archived", "เก็บถาวร", "Archived";
]);

impl ItemStatus {
    /// Waiting in the screening committee's queue.
    pub fn awaiting_review(self) -> bool {
        matches!(self, ItemStatus::Submitted | ItemStatus::Resubmitted)
    }
}

/// The seven steps of the Thai public-sector KM process (seed 003, Form 2).
pub const KM_STEPS: [&str; 7] = [
    "การบ่งชี้ความรู้",
    "การสร้างและแสวงหาความรู้",
    "การจัดการความรู้ให้เป็นระบบ",
    "การประมวลและกลั่นกรองความรู้",
    "การเข้าถึงความรู้",
    "การแบ่งปันแลกเปลี่ยนความรู้",
    "การเรียนรู้",
];

/// Licences offered; public items default to CC BY 4.0.
pub const LICENCES: [(&str, &str); 5] = [
    ("CC-BY-4.0", "CC BY 4.0 — นำไปใช้ได้ โดยอ้างอิงที่มา"),
    (
        "CC-BY-SA-4.0",
        "CC BY-SA 4.0 — อ้างอิงที่มาและเผยแพร่ต่อด้วยสัญญาอนุญาตเดียวกัน",
    ),
    ("CC-BY-NC-4.0", "CC BY-NC 4.0 — อ้างอิงที่มา ห้ามใช้เพื่อการค้า"),
    ("CC0-1.0", "CC0 — สาธารณสมบัติ"),
    ("all-rights-reserved", "สงวนลิขสิทธิ์"),
];

/// Where a licence is written down, for machines (schema.org, OAI-PMH); None when there is
/// no public text (all rights reserved).
pub fn licence_url(key: &str) -> Option<&'static str> {
    match key {
        "CC-BY-4.0" => Some("https://creativecommons.org/licenses/by/4.0/"),
        "CC-BY-SA-4.0" => Some("https://creativecommons.org/licenses/by-sa/4.0/"),
        "CC-BY-NC-4.0" => Some("https://creativecommons.org/licenses/by-nc/4.0/"),
        "CC0-1.0" => Some("https://creativecommons.org/publicdomain/zero/1.0/"),
        _ => None,
    }
}

/// The title: required, at most 300 graphemes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Title(String);

impl Title {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        crate::field::refuse_controls("title", "ชื่อเรื่อง", s)?;
        let s = tidy(s);
        match grapheme_len(&s) {
            0 => Err(FieldError::new("title", "กรุณาใส่ชื่อเรื่อง")),
            n if n > 300 => Err(FieldError::new(
                "title",
                format!("ชื่อเรื่องยาว {n} ตัวอักษร — ไม่เกิน 300 ตัวอักษร"),
            )),
            _ => Ok(Self(s)),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything an author fills in; one value for drafts, edits and version snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFields {
    pub title: Title,
    pub summary: String,
    /// Markdown; rendered and sanitised for display.
    pub body: String,
    pub knowledge_type: KnowledgeType,
    pub acquisition: Acquisition,
    /// 1–7, see [`KM_STEPS`].
    pub km_steps: Vec<u8>,
    pub terms: Vec<TermId>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub unit_id: UnitId,
    /// ปีงบประมาณ (พ.ศ.) when the author sets it; otherwise derived from the date.
    pub fiscal_year: Option<i32>,
    pub visibility: Visibility,
    pub licence: String,
    pub links: Vec<String>,
    /// The answers of a form template (แบบฟอร์ม), for items made with one; None for others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<crate::forms::Entry>,
}

/// The form or JSON as typed; [`ItemInput::parse`] turns it into [`ItemFields`] or field errors.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ItemInput {
    pub title: String,
    pub summary: String,
    pub body: String,
    pub knowledge_type: String,
    pub acquisition: String,
    pub km_steps: Vec<String>,
    pub terms: Vec<String>,
    /// Comma- or newline-separated, or one per entry.
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub unit_id: String,
    pub fiscal_year: String,
    pub visibility: String,
    pub licence: String,
    pub links: Vec<String>,
}

fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

fn split_list(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        for part in v.split([',', '\n', '、']) {
            let t = tidy(part);
            if !t.is_empty() && !out.iter().any(|o| o.to_lowercase() == t.to_lowercase()) {
                out.push(t);
            }
        }
    }
    out
}

impl ItemInput {
    pub fn parse(&self) -> Result<ItemFields, DomainError> {
        let mut errors = Vec::new();
        let title = keep(&mut errors, Title::parse(&self.title));
        use crate::field::{refuse_controls, refuse_controls_in};
        for check in [
            refuse_controls("summary", "บทคัดย่อ", &self.summary),
            refuse_controls("body", "เนื้อหา", &self.body),
            refuse_controls_in("tags", "คำสำคัญ", &self.tags),
            refuse_controls_in("authors", "ชื่อผู้เขียน", &self.authors),
            refuse_controls_in("links", "ลิงก์", &self.links),
        ] {
            keep(&mut errors, check);
        }
        let summary = tidy(&self.summary);
        if grapheme_len(&summary) > 2000 {
            errors.push(FieldError::new("summary", "บทคัดย่อยาวเกิน 2,000 ตัวอักษร"));
        }
        let body = self.body.replace("\r\n", "\n");
        if body.len() > 500_000 {
            errors.push(FieldError::new("body", "เนื้อหายาวเกินไป — แนบเป็นไฟล์แทน"));
        }
        let knowledge_type = keep(
            &mut errors,
            KnowledgeType::parse(if self.knowledge_type.is_empty() {
                "explicit"
            } else {
                &self.knowledge_type
            }),
        );
        let acquisition = keep(
            &mut errors,
            Acquisition::parse(if self.acquisition.is_empty() {
                "collect"
            } else {
                &self.acquisition
            }),
        );
        let visibility = keep(
            &mut errors,
            Visibility::parse(if self.visibility.is_empty() {
                "public"
            } else {
                &self.visibility
            }),
        );
        let mut km_steps: Vec<u8> = Vec::new();
        for s in split_list(&self.km_steps) {
            match crate::text::arabic_digits(&s).parse::<u8>() {
                Ok(n @ 1..=7) if !km_steps.contains(&n) => km_steps.push(n),
                Ok(1..=7) => {}
                _ => {
                    errors.push(FieldError::new("km_steps", "ขั้นตอนการจัดการความรู้ต้องเป็น 1–7"));
                }
            }
        }
        km_steps.sort_unstable();
        let mut terms = Vec::new();
        for t in split_list(&self.terms) {
            match t.parse::<i64>() {
                Ok(id) if !terms.contains(&TermId(id)) => terms.push(TermId(id)),
                Ok(_) => {}
                Err(_) => {
                    errors.push(FieldError::new("terms", "หมวดหมู่ไม่ถูกต้อง กรุณาเลือกจากรายการ"));
                }
            }
        }
        let tags = split_list(&self.tags);
        if tags.len() > 20 || tags.iter().any(|t| grapheme_len(t) > 50) {
            errors.push(FieldError::new(
                "tags",
                "คำสำคัญได้ไม่เกิน 20 คำ คำละไม่เกิน 50 ตัวอักษร",
            ));
        }
        let authors = split_list(&self.authors);
        if authors.len() > 30 || authors.iter().any(|a| grapheme_len(a) > 100) {
            errors.push(FieldError::new(
                "authors",
                "ผู้เขียนได้ไม่เกิน 30 คน ชื่อละไม่เกิน 100 ตัวอักษร",
            ));
        }
        let unit_id = match self.unit_id.trim().parse::<i64>() {
            Ok(id) => Some(UnitId(id)),
            Err(_) => {
                errors.push(FieldError::new("unit_id", "กรุณาเลือกหน่วยงานเจ้าของ"));
                None
            }
        };
        let fy = crate::text::arabic_digits(self.fiscal_year.trim());
        let fiscal_year = if fy.is_empty() {
            None
        } else {
            match fy.parse::<i32>() {
                Ok(y @ 2500..=2700) => Some(y),
                Ok(y @ 1957..=2157) => Some(y + 543),
                _ => {
                    errors.push(FieldError::new(
                        "fiscal_year",
                        "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2567",
                    ));
                    None
                }
            }
        };
        let licence = if self.licence.trim().is_empty() {
            "CC-BY-4.0".to_string()
        } else {
            self.licence.trim().to_string()
        };
        if !LICENCES.iter().any(|(k, _)| *k == licence) {
            errors.push(FieldError::new("licence", "กรุณาเลือกสัญญาอนุญาตจากรายการ"));
        }
        let links = split_list(&self.links);
        if links.len() > 10
            || links.iter().any(|l| {
                l.len() > 2000
                    || !(l.starts_with("https://") || l.starts_with("http://"))
                    || l.contains(' ')
            })
        {
            errors.push(FieldError::new(
                "links",
                "ลิงก์ต้องขึ้นต้นด้วย https:// (ไม่เกิน 10 ลิงก์) เช่น https://www.youtube.com/watch?v=…",
            ));
        }
        match (
            title,
            knowledge_type,
            acquisition,
            visibility,
            unit_id,
            errors.is_empty(),
        ) {
            (
                Some(title),
                Some(knowledge_type),
                Some(acquisition),
                Some(visibility),
                Some(unit_id),
                true,
            ) => Ok(ItemFields {
                title,
                summary,
                body,
                knowledge_type,
                acquisition,
                km_steps,
                terms,
                tags,
                authors,
                unit_id,
                fiscal_year,
                visibility,
                licence,
                links,
                entry: None,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

impl From<&ItemFields> for ItemInput {
    /// For re-filling a form with stored values.
    fn from(f: &ItemFields) -> Self {
        Self {
            title: f.title.as_str().to_string(),
            summary: f.summary.clone(),
            body: f.body.clone(),
            knowledge_type: f.knowledge_type.as_str().into(),
            acquisition: f.acquisition.as_str().into(),
            km_steps: f.km_steps.iter().map(|s| s.to_string()).collect(),
            terms: f.terms.iter().map(|t| t.0.to_string()).collect(),
            tags: vec![f.tags.join(", ")],
            authors: vec![f.authors.join(", ")],
            unit_id: f.unit_id.0.to_string(),
            fiscal_year: f.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
            visibility: f.visibility.as_str().into(),
            licence: f.licence.clone(),
            links: vec![f.links.join("\n")],
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: ItemId,
    #[serde(flatten)]
    pub fields: ItemFields,
    pub status: ItemStatus,
    pub created_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub updated_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    /// Number of the latest version (1 for a new draft).
    pub version: i32,
}

impl Item {
    /// The fiscal year shown and filtered on: as set, else from publication (or creation).
    pub fn fiscal_year(&self) -> i32 {
        self.fields.fiscal_year.unwrap_or_else(|| {
            crate::text::fiscal_year_be(self.published_at.unwrap_or(self.created_at))
        })
    }
}

/// A file attached to an item (content stored once per SHA-256).
#[derive(Debug, Clone, Serialize)]
pub struct ItemFile {
    pub id: FileId,
    pub item_id: ItemId,
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub mime: String,
    pub kind: String,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
    pub added_by: UserId,
    /// Part of what readers see now; a file of a pending revision, or one removed, is not.
    #[serde(skip)]
    pub current: bool,
}

/// One saved state of an item, kept for history and restore.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Snapshot {
    pub fields: ItemFields,
    pub files: Vec<FileId>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub item_id: ItemId,
    pub number: i32,
    pub snapshot: Snapshot,
    pub created_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub note: String,
}

/// A screened edit of published knowledge (ฉบับแก้ไข). Readers keep the published version —
/// its page, files, search hit and lists — until the screening committee approves this one
/// (seed 003: knowledge is screened before publication, also when it changes).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Revision {
    pub item_id: ItemId,
    /// The fields and files it would publish.
    pub snapshot: Snapshot,
    /// Draft, submitted, changes requested or resubmitted; approval merges it, rejection
    /// and withdrawal end it.
    pub status: ItemStatus,
    pub created_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub updated_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Revision {
    /// Still with its author, who may change it; once submitted it waits for the committee.
    pub fn with_author(&self) -> bool {
        matches!(
            self.status,
            ItemStatus::Draft | ItemStatus::ChangesRequested
        )
    }
}

/// A minor correction (แก้ไขเล็กน้อย) skips screening, so it may fix wording but never change
/// who may read the item or which unit answers for it.
pub fn check_minor_correction(before: &ItemFields, after: &ItemFields) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if before.visibility != after.visibility {
        errors.push(FieldError::new(
            "visibility",
            "การแก้ไขเล็กน้อยเปลี่ยนผู้อ่านไม่ได้ — บันทึกเป็นฉบับแก้ไขแล้วส่งพิจารณาแทน",
        ));
    }
    if before.unit_id != after.unit_id {
        errors.push(FieldError::new(
            "unit_id",
            "การแก้ไขเล็กน้อยเปลี่ยนหน่วยงานเจ้าของไม่ได้ — บันทึกเป็นฉบับแก้ไขแล้วส่งพิจารณาแทน",
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// One changed field between two versions, with labels for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub label_th: &'static str,
    pub before: String,
    pub after: String,
}

/// Field-level differences, in form order. File lists compare by id.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<FieldChange> {
    let (a, b) = (&before.fields, &after.fields);
    let mut out = Vec::new();
    let mut cmp = |field, label_th, x: String, y: String| {
        if x != y {
            out.push(FieldChange {
                field,
                label_th,
                before: x,
                after: y,
            });
        }
    };
    let join = |v: &[String]| v.join(", ");
    cmp(
        "title",
        "ชื่อเรื่อง",
        a.title.as_str().into(),
        b.title.as_str().into(),
    );
    cmp("summary", "บทคัดย่อ", a.summary.clone(), b.summary.clone());
    cmp("body", "เนื้อหา", a.body.clone(), b.body.clone());
    cmp(
        "knowledge_type",
        "ประเภทความรู้",
        a.knowledge_type.label_th().into(),
        b.knowledge_type.label_th().into(),
    );
    cmp(
        "acquisition",
        "วิธีได้มา",
        a.acquisition.label_th().into(),
        b.acquisition.label_th().into(),
    );
    let steps = |s: &[u8]| {
        s.iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    cmp(
        "km_steps",
        "ขั้นตอน KM",
        steps(&a.km_steps),
        steps(&b.km_steps),
    );
    let ids = |t: &[TermId]| {
        t.iter()
            .map(|n| n.0.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    cmp("terms", "หมวดหมู่", ids(&a.terms), ids(&b.terms));
    cmp("tags", "คำสำคัญ", join(&a.tags), join(&b.tags));
    cmp("authors", "ผู้เขียน", join(&a.authors), join(&b.authors));
    cmp(
        "unit_id",
        "หน่วยงานเจ้าของ",
        a.unit_id.to_string(),
        b.unit_id.to_string(),
    );
    let fy = |y: Option<i32>| y.map(|y| y.to_string()).unwrap_or_else(|| "อัตโนมัติ".into());
    cmp(
        "fiscal_year",
        "ปีงบประมาณ",
        fy(a.fiscal_year),
        fy(b.fiscal_year),
    );
    cmp(
        "visibility",
        "ผู้อ่านได้",
        a.visibility.label_th().into(),
        b.visibility.label_th().into(),
    );
    cmp("licence", "สัญญาอนุญาต", a.licence.clone(), b.licence.clone());
    cmp("links", "ลิงก์", join(&a.links), join(&b.links));
    let files = |f: &[FileId]| {
        f.iter()
            .map(|n| n.0.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    cmp("files", "ไฟล์แนบ", files(&before.files), files(&after.files));
    out
}

/// A screening decision or an author's move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    Submit,
    Approve,
    RequestChanges,
    Reject,
    Archive,
}

impl Transition {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        match s.trim() {
            "submit" => Ok(Self::Submit),
            "approve" => Ok(Self::Approve),
            "request_changes" => Ok(Self::RequestChanges),
            "reject" => Ok(Self::Reject),
            "archive" => Ok(Self::Archive),
            _ => Err(FieldError::new(
                "decision",
                "กรุณาเลือกผลการพิจารณา: อนุมัติเผยแพร่ ส่งกลับแก้ไข หรือไม่อนุมัติ",
            )),
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Self::Submit => "ส่งพิจารณา",
            Self::Approve => "อนุมัติเผยแพร่",
            Self::RequestChanges => "ส่งกลับแก้ไข",
            Self::Reject => "ไม่อนุมัติ",
            Self::Archive => "เก็บถาวร",
        }
    }

    /// Asking for changes or rejecting must say why.
    pub fn needs_comment(self) -> bool {
        matches!(self, Self::RequestChanges | Self::Reject)
    }

    /// The state machine: where `from` goes under this transition, or a Conflict saying why not.
    pub fn apply(self, from: ItemStatus) -> Result<ItemStatus, DomainError> {
        use ItemStatus::*;
        let to = match (self, from) {
            (Self::Submit, Draft) => Submitted,
            (Self::Submit, ChangesRequested) => Resubmitted,
            (Self::Approve, Submitted | Resubmitted) => Published,
            (Self::RequestChanges, Submitted | Resubmitted) => ChangesRequested,
            (Self::Reject, Submitted | Resubmitted) => Rejected,
            (Self::Archive, Published) => Archived,
            _ => {
                return Err(DomainError::Conflict(format!(
                    "ทำรายการ \"{}\" ไม่ได้ เพราะองค์ความรู้นี้อยู่ในสถานะ \"{}\"",
                    self.label_th(),
                    from.label_th()
                )));
            }
        };
        Ok(to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ItemInput {
        ItemInput {
            title: "  คู่มือ   การถอดบทเรียน ".into(),
            unit_id: "3".into(),
            km_steps: vec!["๒, 1".into(), "2".into()],
            tags: vec!["อสม., KM\nอสม.".into()],
            links: vec!["https://www.youtube.com/watch?v=x".into()],
            fiscal_year: "๒๕๖๗".into(),
            ..Default::default()
        }
    }

    #[test]
    fn parses_with_sensible_defaults() {
        let f = input().parse().unwrap();
        assert_eq!(f.title.as_str(), "คู่มือ การถอดบทเรียน");
        assert_eq!(f.km_steps, vec![1, 2]);
        assert_eq!(f.tags, vec!["อสม.", "KM"]);
        assert_eq!(f.fiscal_year, Some(2567));
        assert_eq!(f.visibility, Visibility::Public);
        assert_eq!(f.licence, "CC-BY-4.0");
        assert_eq!(f.knowledge_type, KnowledgeType::Explicit);
        // Round trip through the form shape.
        assert_eq!(ItemInput::from(&f).parse().unwrap(), f);
    }

    #[test]
    fn reports_every_bad_field_at_once() {
        let bad = ItemInput {
            title: "".into(),
            knowledge_type: "gossip".into(),
            km_steps: vec!["9".into()],
            links: vec!["javascript:alert(1)".into()],
            licence: "mine".into(),
            fiscal_year: "next year".into(),
            ..Default::default()
        };
        let Err(DomainError::Invalid(errors)) = bad.parse() else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_ref()).collect();
        for f in [
            "title",
            "knowledge_type",
            "km_steps",
            "unit_id",
            "fiscal_year",
            "licence",
            "links",
        ] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
        let long = "ก".repeat(301);
        assert!(Title::parse(&long).is_err());
        assert!(
            Title::parse(&"ก่".repeat(300)).is_ok(),
            "300 graphemes with marks is fine"
        );
    }

    #[test]
    fn the_state_machine_allows_only_the_screening_paths() {
        use ItemStatus::*;
        use Transition::*;
        let allowed = [
            (Submit, Draft, Submitted),
            (Submit, ChangesRequested, Resubmitted),
            (Approve, Submitted, Published),
            (Approve, Resubmitted, Published),
            (RequestChanges, Submitted, ChangesRequested),
            (RequestChanges, Resubmitted, ChangesRequested),
            (Reject, Submitted, Rejected),
            (Reject, Resubmitted, Rejected),
            (Archive, Published, Archived),
        ];
        for t in [Submit, Approve, RequestChanges, Reject, Archive] {
            for from in ItemStatus::ALL {
                let want = allowed
                    .iter()
                    .find(|(tt, f, _)| *tt == t && f == from)
                    .map(|x| x.2);
                match (t.apply(*from), want) {
                    (Ok(to), Some(w)) => assert_eq!(to, w),
                    (Err(DomainError::Conflict(msg)), None) => {
                        assert!(msg.contains(from.label_th()))
                    }
                    (got, want) => panic!("{t:?} from {from:?}: got {got:?}, want {want:?}"),
                }
            }
        }
        assert!(
            RequestChanges.needs_comment() && Reject.needs_comment() && !Approve.needs_comment()
        );
    }

    #[test]
    fn diff_names_changed_fields_only() {
        let a = Snapshot {
            fields: input().parse().unwrap(),
            files: vec![FileId(1)],
        };
        let mut b = a.clone();
        b.fields.title = Title::parse("ชื่อใหม่").unwrap();
        b.files.push(FileId(2));
        let d = diff(&a, &b);
        assert_eq!(
            d.iter().map(|c| c.field).collect::<Vec<_>>(),
            ["title", "files"]
        );
        assert_eq!(d[0].after, "ชื่อใหม่");
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn a_minor_correction_keeps_readers_and_unit() {
        let a = input().parse().unwrap();
        let mut typo = a.clone();
        typo.title = Title::parse("คู่มือการถอดบทเรียน").unwrap();
        assert!(check_minor_correction(&a, &typo).is_ok());
        let mut wider = a.clone();
        wider.visibility = Visibility::Unit;
        wider.unit_id = UnitId(4);
        let Err(DomainError::Invalid(errors)) = check_minor_correction(&a, &wider) else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["visibility", "unit_id"]);
    }
}
