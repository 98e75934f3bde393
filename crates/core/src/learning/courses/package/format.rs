//! The course package format `khlang-course/1`: a ZIP holding `course.json` and the item
//! lessons' files under `files/<lesson position>/<file name>`. Reading checks everything an
//! import needs before anything is written, and answers every problem in Thai.

use crate::file::{FileName, sniff};
use crate::item::ItemInput;
use crate::learning::courses::rules::{CHOICES_MAX, title};
use crate::learning::model::{Choice, QuestionFields, QuestionKind, QuizRules};
use crate::text::{grapheme_len, tidy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// The only format version this site reads and writes.
pub const FORMAT: &str = "khlang-course/1";
/// The package's manifest inside the ZIP.
pub const MANIFEST: &str = "course.json";
/// Longest package id (the `origin` column holds 100 characters).
pub const PACKAGE_ID_MAX: usize = 100;
/// Most entries a package may hold (a zip bomb of tiny entries costs little).
const MAX_ENTRIES: usize = 2_000;

/// `course.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// Stable across exports of one course; an import into a unit happens once per id.
    pub package_id: String,
    pub course: PackageCourse,
    /// Informational: an import does not create curricula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curriculum: Option<PackageCurriculum>,
    pub lessons: Vec<PackageLesson>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageCourse {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub minutes: u32,
    #[serde(default)]
    pub open: bool,
    #[serde(default)]
    pub sequential: bool,
    #[serde(default)]
    pub qualifies_trainers: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageCurriculum {
    pub title: String,
    pub audience: String,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub hours: u32,
}

/// One lesson; which of `text`, `intro`/`rules`/`questions`, `item` it carries follows `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageLesson {
    /// `item`, `text` or `quiz`.
    pub kind: String,
    pub title: String,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub minutes: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<PackageRules>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<PackageQuestion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<PackageItem>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PackageRules {
    pub pass_percent: u8,
    #[serde(default)]
    pub draw: Option<u32>,
    #[serde(default)]
    pub retries: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageQuestion {
    /// `single`, `multiple` or `true_false`.
    pub kind: String,
    pub prompt: String,
    pub choices: Vec<Choice>,
}

/// The knowledge item an item lesson shows; imported as a draft of the importer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageItem {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub knowledge_type: String,
    #[serde(default)]
    pub acquisition: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    #[serde(default)]
    pub visibility: String,
    #[serde(default)]
    pub licence: String,
    #[serde(default)]
    pub links: Vec<String>,
    #[serde(default)]
    pub files: Vec<PackageFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageFile {
    pub name: String,
    /// Path inside the ZIP, `files/<lesson position>/<name>`.
    pub path: String,
    pub size: u64,
}

impl PackageItem {
    /// The item form as an import fills it in `unit`.
    pub fn input(&self, unit: crate::ids::UnitId) -> ItemInput {
        ItemInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            body: self.body.clone(),
            knowledge_type: self.knowledge_type.clone(),
            acquisition: self.acquisition.clone(),
            tags: self.tags.clone(),
            authors: self.authors.clone(),
            visibility: self.visibility.clone(),
            licence: self.licence.clone(),
            links: self.links.clone(),
            unit_id: unit.0.to_string(),
            ..Default::default()
        }
    }
}

impl PackageRules {
    pub fn of(r: &QuizRules) -> Self {
        Self {
            pass_percent: r.pass_percent,
            draw: r.draw,
            retries: r.retries,
        }
    }
    pub fn rules(&self) -> QuizRules {
        QuizRules {
            pass_percent: self.pass_percent,
            draw: self.draw,
            retries: self.retries,
        }
    }
}

impl PackageQuestion {
    pub fn of(q: &QuestionFields) -> Self {
        Self {
            kind: q.kind.as_str().into(),
            prompt: q.prompt.clone(),
            choices: q.choices.clone(),
        }
    }
}

/// A package that passed every check: its manifest with questions parsed, and the bytes of
/// every file it names.
#[derive(Debug, Clone)]
pub struct ReadPackage {
    pub manifest: Manifest,
    /// Per lesson (same order), the quiz's questions.
    pub questions: Vec<Vec<QuestionFields>>,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Writes a package; `files` are (path, bytes) in the order the manifest names them.
pub fn write(manifest: &Manifest, files: &[(String, Vec<u8>)]) -> std::io::Result<Vec<u8>> {
    let json = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    let mut entries = vec![(MANIFEST, json.as_slice())];
    entries.extend(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    write_entries(&entries)
}

/// A ZIP of `entries` (path, bytes) with fixed timestamps, so one course gives one package.
pub fn write_entries(entries: &[(&str, &[u8])]) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default())
        .large_file(true);
    for (path, bytes) in entries {
        zip.start_file(*path, options)
            .map_err(std::io::Error::other)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

/// The path of an item lesson's file in the package.
pub fn file_path(position: usize, name: &str) -> String {
    format!("files/{position}/{name}")
}

/// Reads and checks a package: ZIP, manifest, version, sizes (`limit` bytes in all once
/// unpacked), titles, quiz rules and questions, items' fields, every named file present and
/// of an accepted type. Every problem found, in Thai; nothing is written.
pub fn read(bytes: &[u8], limit: u64) -> Result<ReadPackage, Vec<String>> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(vec![
            "ไฟล์นี้ไม่ใช่แพ็กเกจรายวิชา (ต้องเป็นไฟล์ ZIP ที่ส่งออกจากระบบ)".into(),
        ]);
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| vec!["เปิดไฟล์ ZIP ไม่ได้ ไฟล์อาจเสียหายหรือดาวน์โหลดมาไม่ครบ".to_string()])?;
    if archive.len() > MAX_ENTRIES {
        return Err(vec![format!("แพ็กเกจมีไฟล์มากเกิน {MAX_ENTRIES} ไฟล์")]);
    }
    let mut budget = limit;
    let mut entry = |archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
                     name: &str|
     -> Result<Option<Vec<u8>>, String> {
        let f = match archive.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(_) => return Err(format!("อ่านไฟล์ {name} ในแพ็กเกจไม่ได้")),
        };
        let mut out = Vec::new();
        let read = f.take(budget + 1).read_to_end(&mut out);
        if read.is_err() {
            return Err(format!("อ่านไฟล์ {name} ในแพ็กเกจไม่ได้ ไฟล์อาจเสียหาย"));
        }
        if out.len() as u64 > budget {
            return Err(format!(
                "แพ็กเกจใหญ่เกิน {} เมื่อแตกไฟล์",
                crate::file::human_size(limit)
            ));
        }
        budget -= out.len() as u64;
        Ok(Some(out))
    };
    let json = match entry(&mut archive, MANIFEST) {
        Ok(Some(j)) => j,
        Ok(None) => return Err(vec![format!("ไม่พบไฟล์ {MANIFEST} ในแพ็กเกจ")]),
        Err(e) => return Err(vec![e]),
    };
    let head: serde_json::Value = serde_json::from_slice(&json).map_err(|e| {
        vec![format!(
            "{MANIFEST} ไม่ใช่ JSON ที่ถูกต้อง (บรรทัด {} ตำแหน่ง {})",
            e.line(),
            e.column()
        )]
    })?;
    match head.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(vec![format!(
                "ระบบอ่านแพ็กเกจรุ่น {FORMAT} เท่านั้น แพ็กเกจนี้เป็นรุ่น {other}"
            )]);
        }
        None => return Err(vec![format!("{MANIFEST} ไม่ระบุรุ่นของแพ็กเกจ (format)")]),
    }
    let manifest: Manifest = serde_json::from_value(head)
        .map_err(|e| vec![format!("{MANIFEST} มีข้อมูลไม่ครบหรือผิดรูปแบบ: {e}")])?;
    let mut problems = Vec::new();
    let id = manifest.package_id.trim();
    if id.is_empty() || id.chars().count() > PACKAGE_ID_MAX || id.chars().any(char::is_control) {
        problems.push(format!(
            "รหัสแพ็กเกจ (package_id) ต้องมี ๑–{PACKAGE_ID_MAX} ตัวอักษร"
        ));
    }
    if let Err(e) = title("title", &manifest.course.title) {
        problems.push(format!("ชื่อรายวิชา: {}", e.message));
    }
    if manifest.course.minutes > 100_000 {
        problems.push("เวลาเรียนของรายวิชามากเกินไป".into());
    }
    if manifest.lessons.is_empty() {
        problems.push("แพ็กเกจไม่มีบทเรียน".into());
    }
    let mut questions = Vec::new();
    let mut files = BTreeMap::new();
    for (i, l) in manifest.lessons.iter().enumerate() {
        let at = format!("บทเรียนที่ {}", i + 1);
        if let Err(e) = title("title", &l.title) {
            problems.push(format!("{at}: {}", e.message));
        }
        if l.minutes > 10_000 {
            problems.push(format!("{at}: เวลาเรียนมากเกินไป"));
        }
        let mut bank = Vec::new();
        match l.kind.as_str() {
            "text" => {
                if l.text.as_deref().is_none_or(|t| t.trim().is_empty()) {
                    problems.push(format!("{at}: บทเรียนเนื้อหาต้องมีข้อความ (text)"));
                }
            }
            "quiz" => {
                match l.rules {
                    None => problems.push(format!("{at}: แบบทดสอบต้องมีเกณฑ์ (rules)")),
                    Some(r) if r.pass_percent == 0 || r.pass_percent > 100 => {
                        problems.push(format!("{at}: เกณฑ์ผ่านต้องเป็นร้อยละ ๑–๑๐๐"))
                    }
                    Some(r)
                        if r.draw == Some(0)
                            || r.draw.unwrap_or(0) as usize > l.questions.len() =>
                    {
                        problems.push(format!(
                            "{at}: จำนวนข้อที่สุ่มต้องมากกว่า ๐ และไม่เกินจำนวนข้อสอบ ({} ข้อ)",
                            l.questions.len()
                        ))
                    }
                    Some(_) => {}
                }
                for (j, q) in l.questions.iter().enumerate() {
                    match question(q) {
                        Ok(f) => bank.push(f),
                        Err(e) => problems.push(format!("{at} ข้อสอบข้อที่ {}: {e}", j + 1)),
                    }
                }
            }
            "item" => match &l.item {
                None => problems.push(format!("{at}: บทเรียนองค์ความรู้ต้องมีข้อมูลองค์ความรู้ (item)")),
                Some(item) => {
                    if let Err(crate::error::DomainError::Invalid(errs)) =
                        item.input(crate::ids::UnitId(0)).parse()
                    {
                        for e in errs {
                            problems.push(format!("{at} องค์ความรู้: {}", e.message));
                        }
                    }
                    for f in &item.files {
                        if FileName::parse(&f.name).is_err() {
                            problems.push(format!("{at}: ชื่อไฟล์ \"{}\" ใช้ไม่ได้", f.name));
                            continue;
                        }
                        match entry(&mut archive, &f.path) {
                            Ok(Some(b)) => {
                                if let Err(e) =
                                    sniff(&b[..b.len().min(crate::file::SNIFF_BYTES)], &f.name)
                                {
                                    problems.push(format!("{at} ไฟล์ {}: {}", f.name, e.message));
                                }
                                files.insert(f.path.clone(), b);
                            }
                            Ok(None) => problems.push(format!("{at}: ไม่พบไฟล์ {} ในแพ็กเกจ", f.path)),
                            Err(e) => problems.push(e),
                        }
                    }
                }
            },
            other => problems.push(format!(
                "{at}: ไม่รู้จักชนิดบทเรียน \"{other}\" (ใช้ได้: item, text, quiz)"
            )),
        }
        questions.push(bank);
    }
    if problems.is_empty() {
        Ok(ReadPackage {
            manifest,
            questions,
            files,
        })
    } else {
        Err(problems)
    }
}

/// A question as the question form would accept it.
fn question(q: &PackageQuestion) -> Result<QuestionFields, String> {
    let kind =
        QuestionKind::parse(&q.kind).ok_or_else(|| format!("ไม่รู้จักชนิดข้อสอบ \"{}\"", q.kind))?;
    let prompt = tidy(&q.prompt);
    if prompt.is_empty() || grapheme_len(&prompt) > 2_000 {
        return Err("ต้องมีคำถาม ไม่เกิน ๒,๐๐๐ ตัวอักษร".into());
    }
    let right = q.choices.iter().filter(|c| c.correct).count();
    let ok = match kind {
        QuestionKind::Single | QuestionKind::TrueFalse => right == 1,
        QuestionKind::Multiple => right >= 1,
    };
    if q.choices.len() < 2
        || q.choices.len() > CHOICES_MAX
        || !ok
        || q.choices.iter().any(|c| tidy(&c.text).is_empty())
    {
        return Err("ต้องมีตัวเลือก ๒–๖ ข้อ และคำตอบที่ถูกตามชนิดข้อสอบ".into());
    }
    Ok(QuestionFields {
        kind,
        prompt,
        choices: q.choices.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT.into(),
            package_id: "khlang:1:2".into(),
            course: PackageCourse {
                title: "รายวิชา".into(),
                summary: String::new(),
                minutes: 30,
                open: true,
                sequential: false,
                qualifies_trainers: false,
            },
            curriculum: None,
            lessons: vec![PackageLesson {
                kind: "quiz".into(),
                title: "แบบทดสอบ".into(),
                required: true,
                minutes: 10,
                text: None,
                intro: Some("ตอบทุกข้อ".into()),
                rules: Some(PackageRules {
                    pass_percent: 80,
                    draw: Some(1),
                    retries: true,
                }),
                questions: vec![PackageQuestion {
                    kind: "true_false".into(),
                    prompt: "ถูกหรือผิด".into(),
                    choices: vec![
                        Choice {
                            text: "ถูก".into(),
                            correct: true,
                            feedback: String::new(),
                        },
                        Choice {
                            text: "ผิด".into(),
                            correct: false,
                            feedback: "ยังไม่ถูก".into(),
                        },
                    ],
                }],
                item: None,
            }],
        }
    }

    #[test]
    fn a_written_package_reads_back_the_same() {
        let zip = write(&manifest(), &[]).unwrap();
        assert_eq!(
            zip,
            write(&manifest(), &[]).unwrap(),
            "same bytes each time"
        );
        let read = read(&zip, 1 << 20).unwrap();
        assert_eq!(read.manifest, manifest());
        assert_eq!(read.questions[0].len(), 1);
    }

    #[test]
    fn every_problem_is_reported_in_thai() {
        let mut m = manifest();
        m.course.title = " ".into();
        m.lessons[0].rules = Some(PackageRules {
            pass_percent: 80,
            draw: Some(5),
            retries: false,
        });
        m.lessons[0].questions[0].choices[1].correct = true;
        m.lessons.push(PackageLesson {
            kind: "video".into(),
            ..m.lessons[0].clone()
        });
        let problems = read(&write(&m, &[]).unwrap(), 1 << 20).unwrap_err();
        assert!(problems.iter().any(|p| p.starts_with("ชื่อรายวิชา")));
        assert!(problems.iter().any(|p| p.contains("จำนวนข้อที่สุ่ม")));
        assert!(problems.iter().any(|p| p.contains("ข้อสอบข้อที่ 1")));
        assert!(
            problems
                .iter()
                .any(|p| p.contains("ไม่รู้จักชนิดบทเรียน \"video\""))
        );
    }

    #[test]
    fn a_package_unpacking_past_the_limit_is_refused() {
        let big = vec![b'a'; 10_000];
        let zip = write_entries(&[(MANIFEST, &big)]).unwrap();
        assert!(zip.len() < 1_000);
        let problems = read(&zip, 5_000).unwrap_err();
        assert!(problems[0].contains("ใหญ่เกิน"), "{problems:?}");
    }
}
