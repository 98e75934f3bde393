//! What an import is and the rules about it that need no I/O.

use crate::ids::{ItemId, TermId, UnitId, UserId};
use crate::jobs::JobId;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::OffsetDateTime;

/// An upload waiting to be imported, or imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ImportId(pub i64);

impl fmt::Display for ImportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Where the knowledge comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A WordPress export (WXR) with a ZIP of its `uploads` folder.
    Wordpress,
    /// khlang's template workbook with a ZIP of the files it names.
    Sheet,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Wordpress => "wordpress",
            Source::Sheet => "sheet",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "wordpress" => Some(Source::Wordpress),
            "sheet" => Some(Source::Sheet),
            _ => None,
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Source::Wordpress => "เว็บไซต์ WordPress",
            Source::Sheet => "แบบฟอร์ม Excel และไฟล์ ZIP",
        }
    }
}

/// What the imported items become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// ฉบับร่าง of the importer, to check and send on one by one.
    Draft,
    /// Sent straight to the screening committee (รอพิจารณา).
    Screening,
    /// As the source had them: WordPress's published posts are published here too (they were
    /// public already); its drafts stay drafts. Only for those who may screen the unit.
    AsSource,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Draft => "draft",
            Target::Screening => "screening",
            Target::AsSource => "as_source",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "draft" => Some(Target::Draft),
            "screening" => Some(Target::Screening),
            "as_source" => Some(Target::AsSource),
            _ => None,
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Target::Draft => "เป็นฉบับร่าง (ตรวจแล้วส่งพิจารณาเองทีละเรื่อง)",
            Target::Screening => "ส่งเข้าคิวกลั่นกรองทันที",
            Target::AsSource => "ตามสถานะเดิม (เรื่องที่เผยแพร่อยู่แล้วเผยแพร่ต่อ ฉบับร่างเป็นฉบับร่าง)",
        }
    }
}

/// A file an entry brings: where it is in the uploaded ZIP, and the name to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryFile {
    pub path: String,
    pub name: String,
    /// Addresses the source's text used for it (WordPress links into `wp-content/uploads`),
    /// pointed at the kept file once it is attached.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
}

/// One item the import would make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Same source, same key: what makes importing twice make nothing new.
    pub key: String,
    /// Where in the source, for people: "โพสต์ #12", "แถวที่ 5".
    pub at: String,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    pub knowledge_type: String,
    pub terms: Vec<TermId>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub unit: UnitId,
    pub fiscal_year: Option<i32>,
    /// When it was written (WordPress's post date); None: the time of import.
    #[serde(with = "time::serde::rfc3339::option")]
    pub date: Option<OffsetDateTime>,
    /// The source had it public (WordPress `publish`).
    pub published: bool,
    pub files: Vec<EntryFile>,
    /// Already imported before (by this upload or an earlier one): skipped.
    #[serde(default)]
    pub existing: Option<ItemId>,
}

/// Something the dry run found. A blocking problem stops the whole import (nothing is
/// made); the others are told and the rest goes in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub at: String,
    pub message: String,
    pub blocking: bool,
}

impl Problem {
    pub fn blocking(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            message: message.into(),
            blocking: true,
        }
    }

    pub fn note(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            message: message.into(),
            blocking: false,
        }
    }
}

/// The dry run: every entry and every problem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub entries: Vec<Entry>,
    pub problems: Vec<Problem>,
    /// What the source held that is not knowledge (menus, revisions, trashed posts…), by
    /// kind, for the report.
    #[serde(default)]
    pub skipped: Vec<(String, u32)>,
}

impl Plan {
    pub fn blocked(&self) -> bool {
        self.problems.iter().any(|p| p.blocking)
    }

    /// Entries the import would make (those not imported before).
    pub fn new_entries(&self) -> usize {
        self.entries.iter().filter(|e| e.existing.is_none()).count()
    }

    pub fn file_count(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.existing.is_none())
            .map(|e| e.files.len())
            .sum()
    }
}

/// An upload with its dry run, kept until imported.
#[derive(Debug, Clone)]
pub struct Import {
    pub id: ImportId,
    pub source: Source,
    pub owner: UserId,
    pub unit: UnitId,
    pub target: Target,
    /// The uploaded file's name, for the list.
    pub file_name: String,
    pub plan: Plan,
    /// The ZIP of files in the object store, if one came.
    pub bundle: Option<String>,
    pub job: Option<JobId>,
    pub created_at: OffsetDateTime,
}

/// A new import as staged.
#[derive(Debug, Clone)]
pub struct NewImport {
    pub source: Source,
    pub owner: UserId,
    pub unit: UnitId,
    pub target: Target,
    pub file_name: String,
    pub plan: Plan,
    pub bundle: Option<String>,
    pub created_at: OffsetDateTime,
}

/// The most entries one upload may hold: seed 003 imported 968 in a year; a larger
/// collection goes in several uploads, each a job that ends in minutes.
pub const MAX_ENTRIES: usize = 2000;

/// A plain key for a row without a reference code: the same title, unit and files make
/// the same key, so the same sheet imported twice makes nothing new.
pub fn row_key(unit: UnitId, title: &str, files: &[String]) -> String {
    use sha2::{Digest, Sha256};
    let mut names: Vec<String> = files.iter().map(|f| f.to_lowercase()).collect();
    names.sort();
    let mut h = Sha256::new();
    h.update(unit.0.to_string());
    h.update([0]);
    h.update(crate::text::tidy(title).to_lowercase());
    for n in names {
        h.update([0]);
        h.update(n);
    }
    format!("sheet:{}", &hex::encode(h.finalize())[..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for s in [Source::Wordpress, Source::Sheet] {
            assert_eq!(Source::parse(s.as_str()), Some(s));
        }
        for t in [Target::Draft, Target::Screening, Target::AsSource] {
            assert_eq!(Target::parse(t.as_str()), Some(t));
        }
        assert_eq!(Target::parse("publish"), None);
    }

    #[test]
    fn a_row_key_ignores_spacing_case_and_file_order() {
        let a = row_key(UnitId(3), "คู่มือ  อสม.", &["B.pdf".into(), "a.jpg".into()]);
        let b = row_key(UnitId(3), " คู่มือ อสม. ", &["a.jpg".into(), "b.pdf".into()]);
        assert_eq!(a, b);
        assert_ne!(
            a,
            row_key(UnitId(4), "คู่มือ อสม.", &["a.jpg".into(), "b.pdf".into()])
        );
        assert_ne!(
            a,
            row_key(UnitId(3), "คู่มือ อสม. ๒", &["a.jpg".into(), "b.pdf".into()])
        );
    }
}
