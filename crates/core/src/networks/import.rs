//! Importing a register from a sheet in the seed's layout (the layout the export writes):
//! all rows or none, each problem reported with its row number in Thai, every person recorded
//! in the person register, names already in the register flagged as the register does.

use super::model::{MemberDraft, MemberFields, Registry};
use super::ports::ImportRow;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::UnitId;
use crate::org::{Action, Actor, Target, authorize};
use crate::people::model::name_key;
use crate::people::ports::NewPerson;
use crate::people::{PersonDraft, PersonFields};
use crate::ports::AuditEntry;
use crate::service::Khlang;

/// Rows in one file at most.
pub const MAX_ROWS: usize = 1000;
/// Row errors reported at most (the rest are counted).
const MAX_ERRORS: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Name,
    Position,
    Affiliation,
    Phone,
    Works,
    Training,
    Subjects,
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn column_of(heading: &str) -> Option<Col> {
    let h = squash(heading);
    Some(if h.starts_with("ชื่อ") {
        Col::Name
    } else if h.starts_with("ตำแหน่ง") {
        Col::Position
    } else if h.starts_with("สังกัด") {
        Col::Affiliation
    } else if h.contains("โทร") {
        Col::Phone
    } else if h.starts_with("ผลงาน") {
        Col::Works
    } else if h.contains("อบรม") {
        Col::Training
    } else if h.contains("วิชา") {
        Col::Subjects
    } else {
        return None;
    })
}

/// A phone that Excel stored as a number lost its leading 0 (`812345678`).
fn phone_cell(s: &str) -> String {
    let d = crate::text::arabic_digits(s.trim());
    if d.len() == 9 && d.chars().all(|c| c.is_ascii_digit()) && !d.starts_with('0') {
        format!("0{d}")
    } else {
        d
    }
}

struct Parsed {
    line: usize,
    person: PersonFields,
    fields: MemberFields,
}

impl Khlang {
    /// Imports `grid` (a sheet's rows of text cells) into the unit's register. ManageKnowledge
    /// or ManagePeople on the unit, and ManagePeople to record the people (officers). On any
    /// problem nothing is written and every problem comes back at `file`.
    /// `allow_duplicate`: record people whose names are already in the register anyway.
    pub async fn import_register(
        &self,
        actor: &Actor,
        registry: Registry,
        unit: UnitId,
        grid: &[Vec<String>],
        allow_duplicate: bool,
    ) -> DomainResult<usize> {
        let tree = self.unit_tree().await?;
        Self::authorize_register(actor, &tree, unit)?;
        authorize(actor, Action::ManagePeople, &Target::Unit(tree.path(unit)?))?;
        let err = |m: String| DomainError::Invalid(vec![FieldError::new("file", m)]);
        let Some(head_at) = grid
            .iter()
            .take(15)
            .position(|r| r.iter().any(|c| column_of(c) == Some(Col::Name)))
        else {
            return Err(err(
                "ไม่พบหัวตาราง \"ชื่อ - สกุล\" ในไฟล์ — กรุณาใช้ไฟล์ตามแบบทะเบียน (ดาวน์โหลดได้จากปุ่ม \"ดาวน์โหลด Excel\")".into(),
            ));
        };
        let cols: Vec<Option<Col>> = grid[head_at].iter().map(|c| column_of(c)).collect();
        for (need, label) in [(Col::Position, "ตำแหน่ง")] {
            if !cols.contains(&Some(need)) {
                return Err(err(format!("ไม่พบคอลัมน์ \"{label}\" ในหัวตาราง")));
            }
        }
        if registry == Registry::Trainers && !cols.contains(&Some(Col::Subjects)) {
            return Err(err("ไม่พบคอลัมน์ \"วิชาที่สอน\" ในหัวตาราง".into()));
        }
        let today = self.clock.now().to_offset(crate::text::BANGKOK).date();
        let mut errors: Vec<String> = Vec::new();
        let mut parsed: Vec<Parsed> = Vec::new();
        // The seed's form splits ผ่านอบรม into two ticked columns under a second heading row
        // (ผ่าน | ไม่ผ่าน); the export writes one column. Both are read.
        let split_training = cols
            .iter()
            .position(|c| *c == Some(Col::Training))
            .filter(|&k| {
                grid.get(head_at + 1).is_some_and(|r| {
                    r.get(k).is_some_and(|v| squash(v) == "ผ่าน")
                        && r.get(k + 1).is_some_and(|v| squash(v) == "ไม่ผ่าน")
                })
            });
        let first = head_at + 1 + usize::from(split_training.is_some());
        let body = &grid[first..];
        if body
            .iter()
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .count()
            > MAX_ROWS
        {
            return Err(err(format!(
                "ไฟล์มีรายชื่อเกิน {MAX_ROWS} แถว กรุณาแบ่งเป็นหลายไฟล์"
            )));
        }
        for (i, row) in body.iter().enumerate() {
            let line = first + i + 1;
            let cell = |want: Col| -> String {
                cols.iter()
                    .position(|c| *c == Some(want))
                    .and_then(|k| row.get(k))
                    .cloned()
                    .unwrap_or_default()
            };
            let content: Vec<&String> = cols
                .iter()
                .zip(row.iter())
                .filter(|(c, _)| c.is_some())
                .map(|(_, v)| v)
                .collect();
            if content.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            let pd = PersonDraft {
                name: cell(Col::Name),
                phone: phone_cell(&cell(Col::Phone)),
                ..Default::default()
            };
            let md = MemberDraft {
                position: cell(Col::Position),
                affiliation: cell(Col::Affiliation),
                works: cell(Col::Works),
                subjects: cell(Col::Subjects),
                training: match split_training {
                    None => cell(Col::Training),
                    Some(k) => {
                        let ticked = |c: usize| row.get(c).is_some_and(|v| !v.trim().is_empty());
                        match (ticked(k), ticked(k + 1)) {
                            (true, false) => "ผ่าน".into(),
                            (false, true) => "ไม่ผ่าน".into(),
                            (false, false) => String::new(),
                            (true, true) => "ทั้งสองช่อง".into(),
                        }
                    }
                },
                user_id: String::new(),
            };
            let mut row_errors: Vec<String> = Vec::new();
            let person = pd
                .parse("", today)
                .map_err(|e| row_errors.extend(e.into_iter().map(|e| e.message)))
                .ok();
            let fields = md
                .parse(registry)
                .map_err(|e| row_errors.extend(e.into_iter().map(|e| e.message)))
                .ok();
            match (person, fields) {
                (Some(person), Some(fields)) if row_errors.is_empty() => parsed.push(Parsed {
                    line,
                    person,
                    fields,
                }),
                _ => errors.push(format!("แถวที่ {line}: {}", row_errors.join(" · "))),
            }
        }
        if parsed.is_empty() && errors.is_empty() {
            return Err(err(
                "ไม่พบรายชื่อในไฟล์ — กรอกรายชื่อใต้หัวตารางแล้วนำเข้าอีกครั้ง".into()
            ));
        }
        // The same name twice in the file.
        let keys: Vec<String> = parsed.iter().map(|p| name_key(&p.person.name)).collect();
        for (i, k) in keys.iter().enumerate() {
            if let Some(j) = keys[..i].iter().position(|x| x == k) {
                errors.push(format!(
                    "แถวที่ {}: ชื่อ \"{}\" ซ้ำกับแถวที่ {}",
                    parsed[i].line, parsed[i].person.name, parsed[j].line
                ));
            }
        }
        // Names (or phones) already in the register, as the register flags them.
        if !allow_duplicate {
            let named = self.network_store()?.people_named(&keys).await?;
            let people = self.register_people()?;
            for (p, k) in parsed.iter().zip(&keys) {
                let mut found = named
                    .iter()
                    .find(|n| &n.name_key == k)
                    .map(|n| (n.unit_id, n.name.clone(), n.person_id, "ชื่อเดียวกัน"));
                if found.is_none()
                    && let Some(phone) = p.person.phone.as_deref()
                {
                    found = people
                        .possible_duplicates(k, None, Some(phone))
                        .await?
                        .into_iter()
                        .next()
                        .map(|x| (x.unit_id, x.name, x.id, "เบอร์โทรศัพท์เดียวกัน"));
                }
                if let Some((owner, name, id, reason)) = found {
                    let label = if Self::may_manage_register(actor, &tree, owner)
                        && authorize(
                            actor,
                            Action::ManagePeople,
                            &Target::Unit(tree.path(owner)?),
                        )
                        .is_ok()
                    {
                        format!("{name} เลขที่ {id}")
                    } else {
                        "บุคคลในทะเบียนของหน่วยงานอื่น".to_string()
                    };
                    errors.push(format!(
                        "แถวที่ {}: อาจซ้ำกับบุคคลที่มีอยู่แล้ว: {label} ({reason}) — ถ้าเป็นคนเดียวกัน ให้ลบแถวนี้แล้วเพิ่มจากปุ่ม \"เพิ่มรายชื่อ\" โดยเลือกจากทะเบียนบุคคล ถ้าไม่ใช่ ให้ติ๊ก \"บันทึกเป็นบุคคลใหม่\" แล้วนำเข้าอีกครั้ง",
                        p.line
                    ));
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| {
                e.trim_start_matches("แถวที่ ")
                    .split(':')
                    .next()
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(0)
            });
            let more = errors.len().saturating_sub(MAX_ERRORS);
            let mut list: Vec<FieldError> = errors
                .into_iter()
                .take(MAX_ERRORS)
                .map(|m| FieldError::new("file", m))
                .collect();
            if more > 0 {
                list.push(FieldError::new("file", format!("และอีก {more} รายการ")));
            }
            list.insert(
                0,
                FieldError::new("file", "ยังไม่ได้นำเข้ารายชื่อใด ๆ — แก้ไขแถวต่อไปนี้แล้วนำเข้าอีกครั้ง"),
            );
            return Err(DomainError::Invalid(list));
        }
        let now = self.clock.now();
        let rows: Vec<ImportRow<'_>> = parsed
            .iter()
            .map(|p| ImportRow {
                person: NewPerson {
                    unit_id: unit,
                    fields: &p.person,
                    consent_by: actor.user_id(),
                    created_by: actor.user_id(),
                    at: now,
                },
                fields: &p.fields,
            })
            .collect();
        let n = rows.len();
        self.network_store()?
            .import_members(
                registry,
                unit,
                &rows,
                AuditEntry {
                    actor: actor.user_id(),
                    action: "network.import".into(),
                    target: format!("unit:{unit}"),
                    detail: format!("{} {n} รายการ", registry.as_str()),
                    at: now,
                },
            )
            .await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_of_the_seed_and_of_the_export_are_recognised() {
        assert_eq!(column_of("ชื่อ - สกุล"), Some(Col::Name));
        assert_eq!(column_of("เบอร์โทรศัพท์"), Some(Col::Phone));
        assert_eq!(
            column_of("ผลงาน/รางวัล ด้านการจัดการความรู้ (ถ้ามี)"),
            Some(Col::Works)
        );
        assert_eq!(
            column_of("ผ่านอบรมกิจกรรมที่ ๑.๒ (ผ่าน/ไม่ผ่าน)"),
            Some(Col::Training)
        );
        assert_eq!(column_of("วิชาที่สอน"), Some(Col::Subjects));
        assert_eq!(column_of("ที่"), None);
        assert_eq!(phone_cell("812345678"), "0812345678");
        assert_eq!(phone_cell("081-234-5678"), "081-234-5678");
    }
}
