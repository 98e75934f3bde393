//! khlang's import workbook: the columns of its template, and reading filled-in rows into
//! a [`Plan`] with a Thai error per row and column. Every row error blocks the import: a
//! spreadsheet goes in whole or not at all, so an officer fixes the rows and sends it again.
//!
//! Columns are found by their heading, so a sheet whose columns were moved still reads.

use super::model::{Entry, EntryFile, Plan, Problem, row_key};
use crate::ids::{TermId, UnitId};
use crate::item::KnowledgeType;
use crate::text::{arabic_digits, thai_digits, tidy};
use std::collections::HashMap;

/// One column of the template.
pub struct Column {
    pub key: &'static str,
    pub section: &'static str,
    pub heading: &'static str,
    pub required: bool,
    pub wide: bool,
    /// How to fill it in (the template's instructions sheet).
    pub help: &'static str,
}

const MAIN: &str = "ข้อมูลองค์ความรู้";
const FILES: &str = "ไฟล์และเนื้อหา";

pub const COLUMNS: &[Column] = &[
    Column {
        key: "ref",
        section: MAIN,
        heading: "รหัสอ้างอิง",
        required: false,
        wide: false,
        help: "ไม่บังคับ: เลขที่หรือรหัสเดิมของเอกสาร ห้ามซ้ำกันในแผ่นงาน — นำเข้าซ้ำด้วยรหัสเดิมจะไม่สร้างเรื่องใหม่ (ถ้าเว้นว่าง ระบบใช้ชื่อเรื่อง หน่วยงาน และชื่อไฟล์แทน)",
    },
    Column {
        key: "title",
        section: MAIN,
        heading: "ชื่อเรื่อง",
        required: true,
        wide: true,
        help: "บังคับ: ไม่เกิน 300 ตัวอักษร",
    },
    Column {
        key: "summary",
        section: MAIN,
        heading: "บทคัดย่อ",
        required: false,
        wide: true,
        help: "สรุปสั้น ๆ ไม่เกิน 2,000 ตัวอักษร",
    },
    Column {
        key: "unit",
        section: MAIN,
        heading: "หน่วยงาน",
        required: false,
        wide: false,
        help: "ชื่อหรือเลขหน่วยงานตามแผ่นงาน \"หน่วยงาน\" — เว้นว่างได้ ระบบใช้หน่วยงานที่เลือกในหน้านำเข้า",
    },
    Column {
        key: "category",
        section: MAIN,
        heading: "หมวดหมู่",
        required: false,
        wide: false,
        help: "ชื่อหมวดหมู่ตามแผ่นงาน \"หมวดหมู่\" หลายหมวดคั่นด้วยจุลภาค (,)",
    },
    Column {
        key: "type",
        section: MAIN,
        heading: "ประเภทความรู้",
        required: false,
        wide: false,
        help: "ตามแผ่นงาน \"ประเภทความรู้\" — เว้นว่างได้ ระบบใช้ \"ความรู้ที่ชัดแจ้ง\"",
    },
    Column {
        key: "fiscal_year",
        section: MAIN,
        heading: "ปีงบประมาณ (พ.ศ.)",
        required: false,
        wide: false,
        help: "ปี พ.ศ. เช่น 2567 หรือ ๒๕๖๗",
    },
    Column {
        key: "authors",
        section: MAIN,
        heading: "ผู้เขียน",
        required: false,
        wide: false,
        help: "ชื่อผู้เขียนหรือผู้ให้ความรู้ หลายคนคั่นด้วยจุลภาค (,)",
    },
    Column {
        key: "tags",
        section: MAIN,
        heading: "คำสำคัญ",
        required: false,
        wide: false,
        help: "คำค้นหา คั่นด้วยจุลภาค (,) ไม่เกิน 20 คำ",
    },
    Column {
        key: "files",
        section: FILES,
        heading: "ชื่อไฟล์ใน ZIP",
        required: false,
        wide: true,
        help: "ชื่อไฟล์ที่อยู่ในไฟล์ ZIP ที่ส่งมาพร้อมกัน หลายไฟล์คั่นด้วยจุลภาค (,) ถ้ามีชื่อซ้ำในหลายโฟลเดอร์ให้ใส่โฟลเดอร์ด้วย เช่น 2567/คู่มือ.pdf",
    },
    Column {
        key: "body",
        section: FILES,
        heading: "เนื้อหา",
        required: false,
        wide: true,
        help: "ไม่บังคับ: เนื้อหาเต็มของเรื่อง",
    },
];

/// What reading rows needs from the repository.
pub struct Context<'a> {
    /// The unit chosen on the page, for rows that leave the unit empty.
    pub unit: UnitId,
    /// The units the officer may import into: (id, name).
    pub units: &'a [(UnitId, String)],
    /// Category labels (lower case) and their terms.
    pub terms: &'a [(String, TermId)],
    /// Paths inside the ZIP (None: no ZIP came).
    pub zip_paths: Option<&'a [String]>,
}

fn split(v: &str) -> Vec<String> {
    v.split([',', '\n', '，', '、'])
        .map(tidy)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The knowledge type a cell names: its key, its Thai label or the label's first words.
fn knowledge_type(v: &str) -> Option<KnowledgeType> {
    let v = tidy(v).to_lowercase();
    if v.is_empty() {
        return Some(KnowledgeType::Explicit);
    }
    KnowledgeType::ALL.iter().copied().find(|t| {
        let th = t.label_th();
        let short = th.split(" (").next().unwrap_or(th);
        v == t.as_str() || v == th || v == short || v == t.label_en().to_lowercase()
    })
}

/// The ZIP path a cell names: the exact path, or a file name found once anywhere in it.
fn zip_path<'z>(zip: &'z [String], name: &str) -> Result<&'z String, String> {
    let name = name.trim_start_matches("./").trim_start_matches('/');
    if let Some(p) = zip.iter().find(|p| p.as_str() == name) {
        return Ok(p);
    }
    let suffix = format!("/{name}");
    let found: Vec<&String> = zip.iter().filter(|p| p.ends_with(&suffix)).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("ไม่พบไฟล์ \"{name}\" ใน ZIP")),
        _ => Err(format!(
            "มีไฟล์ชื่อ \"{name}\" หลายไฟล์ใน ZIP — ใส่ชื่อโฟลเดอร์ด้วย เช่น {}",
            found[0]
        )),
    }
}

/// The dry run of a filled-in sheet (`rows` as read, headings included).
pub fn plan(rows: &[Vec<String>], cx: &Context<'_>) -> Plan {
    let mut plan = Plan::default();
    let heading_row = rows
        .iter()
        .take(5)
        .position(|r| r.iter().any(|c| tidy(c) == "ชื่อเรื่อง"));
    let Some(h) = heading_row else {
        plan.problems.push(Problem::blocking(
            "แผ่นงาน",
            "ไม่พบหัวตาราง \"ชื่อเรื่อง\" ในแถวแรก ๆ — กรุณาใช้แม่แบบที่ดาวน์โหลดจากหน้านี้ และกรอกในแผ่นงานแรก",
        ));
        return plan;
    };
    let mut col: HashMap<&str, usize> = HashMap::new();
    for (i, cell) in rows[h].iter().enumerate() {
        let cell = tidy(cell).trim_end_matches('*').trim().to_string();
        if let Some(c) = COLUMNS.iter().find(|c| c.heading == cell) {
            col.entry(c.key).or_insert(i);
        }
    }
    let cell = |row: &[String], key: &str| -> String {
        col.get(key)
            .and_then(|i| row.get(*i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut keys: HashMap<String, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate().skip(h + 1) {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let n = i + 1;
        let at = format!("แถวที่ {}", thai_digits(&n.to_string()));
        let mut errors: Vec<String> = Vec::new();
        let title = tidy(&cell(row, "title"));
        if title.is_empty() {
            errors.push("ยังไม่ได้ใส่ชื่อเรื่อง".into());
        }
        let unit_cell = tidy(&cell(row, "unit"));
        let unit = if unit_cell.is_empty() {
            Some(cx.unit)
        } else {
            let number = arabic_digits(&unit_cell).parse::<i64>().ok();
            let found = cx.units.iter().find(|(id, name)| {
                Some(id.0) == number || name.to_lowercase() == unit_cell.to_lowercase()
            });
            if found.is_none() {
                errors.push(format!(
                    "ไม่พบหน่วยงาน \"{unit_cell}\" หรือท่านไม่มีสิทธิ์นำเข้าให้หน่วยงานนี้ — ดูชื่อในแผ่นงาน \"หน่วยงาน\""
                ));
            }
            found.map(|(id, _)| *id)
        };
        let mut terms = Vec::new();
        for c in split(&cell(row, "category")) {
            match cx.terms.iter().find(|(l, _)| *l == c.to_lowercase()) {
                Some((_, id)) if !terms.contains(id) => terms.push(*id),
                Some(_) => {}
                None => errors.push(format!("ไม่พบหมวดหมู่ \"{c}\" — ดูชื่อที่ใช้ได้ในแผ่นงาน \"หมวดหมู่\"")),
            }
        }
        let kind = cell(row, "type");
        let knowledge_type = match knowledge_type(&kind) {
            Some(t) => t.as_str().to_string(),
            None => {
                errors.push(format!(
                    "ประเภทความรู้ \"{kind}\" ไม่ถูกต้อง — เลือกจากแผ่นงาน \"ประเภทความรู้\""
                ));
                String::new()
            }
        };
        let fy = arabic_digits(&tidy(&cell(row, "fiscal_year")));
        let fiscal_year = if fy.is_empty() {
            None
        } else {
            match fy.parse::<i32>() {
                Ok(y @ 2500..=2700) => Some(y),
                _ => {
                    errors.push(format!(
                        "ปีงบประมาณ \"{}\" ไม่ถูกต้อง — ใส่ปี พ.ศ. เช่น 2567",
                        cell(row, "fiscal_year")
                    ));
                    None
                }
            }
        };
        let names = split(&cell(row, "files"));
        let mut files = Vec::new();
        for name in &names {
            match cx.zip_paths {
                None => errors.push(format!("ระบุไฟล์ \"{name}\" แต่ไม่ได้ส่งไฟล์ ZIP มาด้วย")),
                Some(zip) => match zip_path(zip, name) {
                    Ok(path) => {
                        if files.iter().any(|f: &EntryFile| f.path == *path) {
                            continue;
                        }
                        files.push(EntryFile {
                            path: path.clone(),
                            name: path.rsplit('/').next().unwrap_or(path).to_string(),
                            urls: Vec::new(),
                        })
                    }
                    Err(e) => errors.push(e),
                },
            }
        }
        let reference = tidy(&cell(row, "ref"));
        let key = match (&unit, reference.is_empty()) {
            (Some(u), true) => row_key(*u, &title, &names),
            // A reference code is the importing agency's own: scoped by the page's unit.
            (_, false) => format!("sheet-ref:{}:{}", cx.unit.0, reference.to_lowercase()),
            (None, true) => String::new(),
        };
        if !key.is_empty() {
            if let Some(first) = keys.get(&key) {
                errors.push(format!(
                    "ซ้ำกับแถวที่ {} (รหัสอ้างอิง หรือชื่อเรื่อง หน่วยงาน และไฟล์เหมือนกัน)",
                    thai_digits(&first.to_string())
                ));
            } else {
                keys.insert(key.clone(), n);
            }
        }
        if !errors.is_empty() {
            for e in errors {
                plan.problems.push(Problem::blocking(&at, e));
            }
            continue;
        }
        plan.entries.push(Entry {
            key,
            at,
            title,
            summary: cell(row, "summary"),
            body: cell(row, "body"),
            knowledge_type,
            terms,
            tags: split(&cell(row, "tags")),
            authors: split(&cell(row, "authors")),
            unit: unit.unwrap_or(cx.unit),
            fiscal_year,
            date: None,
            published: false,
            files,
            existing: None,
        });
    }
    if plan.entries.is_empty() && plan.problems.is_empty() {
        plan.problems.push(Problem::blocking(
            "แผ่นงาน",
            "ไม่มีแถวข้อมูลใต้หัวตาราง — กรอกอย่างน้อยหนึ่งเรื่อง",
        ));
    }
    if plan.entries.len() + plan.problems.len() > super::model::MAX_ENTRIES {
        plan.problems.push(Problem::blocking(
            "แผ่นงาน",
            format!(
                "นำเข้าได้ครั้งละไม่เกิน {} แถว — แบ่งเป็นหลายไฟล์",
                thai_digits(&super::model::MAX_ENTRIES.to_string())
            ),
        ));
    }
    plan
}

/// The template's headings row, in order.
pub fn headings() -> Vec<&'static str> {
    COLUMNS.iter().map(|c| c.heading).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    fn heading() -> Vec<String> {
        headings().iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn good_rows_become_entries_and_bad_rows_say_why() {
        let units = vec![
            (UnitId(2), "สสจ. ตัวอย่าง".to_string()),
            (UnitId(3), "รพ.สต. บ้านนา".to_string()),
        ];
        let terms = vec![("การดูแลผู้สูงอายุ".to_string(), TermId(9))];
        let zip = vec![
            "docs/คู่มือ.pdf".to_string(),
            "a/x.pdf".to_string(),
            "b/x.pdf".to_string(),
        ];
        let rows = vec![
            row(&["ข้อมูลองค์ความรู้"]),
            heading(),
            row(&[
                "",
                "คู่มือ อสม.",
                "สรุป",
                "",
                "การดูแลผู้สูงอายุ",
                "ความรู้ที่ฝังในตัวคน",
                "๒๕๖๗",
                "ก, ข",
                "x",
                "คู่มือ.pdf",
                "",
            ]),
            row(&["R1", "เรื่องสอง", "", "3", "", "", "", "", "", "", "เนื้อ"]),
            row(&[""; 11]),
            row(&[
                "",
                "",
                "",
                "หน่วยลับ",
                "ไม่มีหมวด",
                "แปลก",
                "67",
                "",
                "",
                "ไม่มี.pdf, x.pdf",
                "",
            ]),
            row(&["r1", "ซ้ำ", "", "", "", "", "", "", "", "", ""]),
        ];
        let plan = plan(
            &rows,
            &Context {
                unit: UnitId(2),
                units: &units,
                terms: &terms,
                zip_paths: Some(&zip),
            },
        );
        assert_eq!(plan.entries.len(), 2, "{:?}", plan.problems);
        let a = &plan.entries[0];
        assert_eq!(
            (a.unit, a.fiscal_year, a.knowledge_type.as_str()),
            (UnitId(2), Some(2567), "tacit")
        );
        assert_eq!(a.terms, vec![TermId(9)]);
        assert_eq!(a.authors, vec!["ก".to_string(), "ข".to_string()]);
        assert_eq!(a.files[0].path, "docs/คู่มือ.pdf");
        assert_eq!(a.at, "แถวที่ ๓");
        assert_eq!(plan.entries[1].unit, UnitId(3));
        assert_eq!(plan.entries[1].key, "sheet-ref:2:r1");
        let bad: Vec<&str> = plan
            .problems
            .iter()
            .filter(|p| p.at == "แถวที่ ๖")
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(bad.len(), 7, "{bad:?}");
        assert!(bad[0].contains("ชื่อเรื่อง"));
        assert!(bad.iter().any(|m| m.contains("หน่วยลับ")));
        assert!(bad.iter().any(|m| m.contains("ไม่มีหมวด")));
        assert!(bad.iter().any(|m| m.contains("แปลก")));
        assert!(bad.iter().any(|m| m.contains("\"67\"")));
        assert!(bad.iter().any(|m| m.contains("ไม่พบไฟล์ \"ไม่มี.pdf\"")));
        assert!(bad.iter().any(|m| m.contains("หลายไฟล์")));
        assert!(
            plan.problems
                .iter()
                .any(|p| p.at == "แถวที่ ๗" && p.message.contains("แถวที่ ๔"))
        );
        assert!(plan.blocked());
    }

    #[test]
    fn a_sheet_without_the_template_headings_is_refused() {
        let plan = plan(
            &[row(&["name", "file"]), row(&["x", "y"])],
            &Context {
                unit: UnitId(1),
                units: &[],
                terms: &[],
                zip_paths: None,
            },
        );
        assert!(plan.blocked());
        assert!(plan.problems[0].message.contains("แม่แบบ"));
    }
}
