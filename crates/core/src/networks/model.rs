//! A row of the KM network registry or the trainer directory, as stored and as typed.

use crate::error::FieldError;
use crate::ids::{MemberId, PersonId, UnitId, UserId};
use crate::text::{grapheme_len, tidy};
use serde::Serialize;
use time::OffsetDateTime;

/// Which register a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Registry {
    /// ทะเบียนเครือข่ายนักจัดการความรู้ (seed 003)
    Network,
    /// ทำเนียบครูฝึก (seed 000 §2.1)
    Trainers,
}

impl Registry {
    pub fn as_str(self) -> &'static str {
        match self {
            Registry::Network => "network",
            Registry::Trainers => "trainers",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "network" | "" => Some(Registry::Network),
            "trainers" => Some(Registry::Trainers),
            _ => None,
        }
    }
    pub fn label_th(self) -> &'static str {
        match self {
            Registry::Network => "ทะเบียนเครือข่ายนักจัดการความรู้",
            Registry::Trainers => "ทำเนียบครูฝึก",
        }
    }
    /// The page of the register.
    pub fn path(self) -> &'static str {
        match self {
            Registry::Network => "/network",
            Registry::Trainers => "/trainers",
        }
    }
}

/// A stored row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: MemberId,
    pub registry: Registry,
    /// Whose register.
    pub unit_id: UnitId,
    pub person_id: PersonId,
    pub position: String,
    /// สังกัด as written.
    pub affiliation: String,
    /// ผลงาน/รางวัล ด้านการจัดการความรู้ (ถ้ามี)
    pub works: String,
    /// วิชาที่สอน (trainers)
    pub subjects: String,
    /// ผ่านอบรมกิจกรรมที่ ๑.๒ (network): None when not known.
    pub training_passed: Option<bool>,
    /// The person's account, when they have one.
    pub user_id: Option<UserId>,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A row's own fields as typed (the person is chosen or recorded by the person field).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct MemberDraft {
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub affiliation: String,
    #[serde(default)]
    pub works: String,
    #[serde(default)]
    pub subjects: String,
    /// `passed` · `failed` · empty (not known); ผ่าน / ไม่ผ่าน in a sheet.
    #[serde(default)]
    pub training: String,
    /// The person's account (a user id of the unit), or empty.
    #[serde(default)]
    pub user_id: String,
}

/// A row's own fields, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberFields {
    pub position: String,
    pub affiliation: String,
    pub works: String,
    pub subjects: String,
    pub training_passed: Option<bool>,
    pub user_id: Option<UserId>,
}

fn text_field(
    errors: &mut Vec<FieldError>,
    key: &'static str,
    label: &str,
    v: &str,
    max: usize,
    multiline: bool,
) -> String {
    let refused = v
        .chars()
        .any(|c| crate::field::is_refused_control(c) && !(multiline && c == '\n'));
    if refused {
        errors.push(FieldError::new(
            key,
            format!("{label}มีอักขระควบคุมที่มองไม่เห็น — กรุณาลบออก"),
        ));
        return String::new();
    }
    let s = if multiline {
        v.replace("\r\n", "\n").trim().to_string()
    } else {
        tidy(v)
    };
    let n = grapheme_len(&s);
    if n > max {
        errors.push(FieldError::new(
            key,
            format!("{label}ยาวเกิน {max} ตัวอักษร (มี {n} ตัวอักษร) กรุณาย่อให้สั้นลง"),
        ));
    }
    s
}

/// `passed`/`ผ่าน` → Some(Some(true)), `failed`/`ไม่ผ่าน` → Some(Some(false)), empty →
/// Some(None); anything else → None.
pub fn parse_training(s: &str) -> Option<Option<bool>> {
    match tidy(s).as_str() {
        "" | "-" => Some(None),
        "passed" | "ผ่าน" | "✓" | "/" => Some(Some(true)),
        "failed" | "ไม่ผ่าน" => Some(Some(false)),
        _ => None,
    }
}

pub fn training_label(t: Option<bool>) -> &'static str {
    match t {
        Some(true) => "ผ่าน",
        Some(false) => "ไม่ผ่าน",
        None => "",
    }
}

impl MemberDraft {
    pub fn of(m: &Member) -> Self {
        Self {
            position: m.position.clone(),
            affiliation: m.affiliation.clone(),
            works: m.works.clone(),
            subjects: m.subjects.clone(),
            training: match m.training_passed {
                Some(true) => "passed".into(),
                Some(false) => "failed".into(),
                None => String::new(),
            },
            user_id: m.user_id.map(|u| u.to_string()).unwrap_or_default(),
        }
    }

    /// Every problem at once at its field, in Thai. The position is required.
    pub fn parse(&self, registry: Registry) -> Result<MemberFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let position = text_field(
            &mut errors,
            "position",
            "ตำแหน่ง",
            &self.position,
            200,
            false,
        );
        if position.is_empty() && errors.iter().all(|e| e.field != "position") {
            errors.push(FieldError::new("position", "กรุณาใส่ตำแหน่ง"));
        }
        let affiliation = text_field(
            &mut errors,
            "affiliation",
            "สังกัด",
            &self.affiliation,
            200,
            false,
        );
        let works = text_field(&mut errors, "works", "ผลงาน/รางวัล", &self.works, 2000, true);
        let subjects = text_field(
            &mut errors,
            "subjects",
            "วิชาที่สอน",
            &self.subjects,
            2000,
            true,
        );
        if registry == Registry::Trainers
            && subjects.is_empty()
            && errors.iter().all(|e| e.field != "subjects")
        {
            errors.push(FieldError::new("subjects", "กรุณาใส่วิชาที่สอน"));
        }
        let training_passed = match parse_training(&self.training) {
            Some(t) => t,
            None => {
                errors.push(FieldError::new(
                    "training",
                    "กรุณาเลือกผลการอบรม: ผ่าน หรือ ไม่ผ่าน (เว้นว่างได้ถ้ายังไม่ทราบ)",
                ));
                None
            }
        };
        let user_id = match crate::text::arabic_digits(self.user_id.trim()).as_str() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(n) if n > 0 => Some(UserId(n)),
                _ => {
                    errors.push(FieldError::new("user_id", "กรุณาเลือกบัญชีผู้ใช้จากรายการ"));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(MemberFields {
            position,
            affiliation,
            works,
            subjects,
            training_passed: if registry == Registry::Network {
                training_passed
            } else {
                None
            },
            user_id,
        })
    }
}

/// A row as a page or a sheet shows it: the register's name (or "ไม่ประสงค์ออกนาม"), and the
/// phone only for officers who manage the person.
#[derive(Debug, Clone, Serialize)]
pub struct MemberRow {
    pub member: Member,
    pub name: String,
    /// Some only when the reader manages the person (and the read was audited).
    pub phone: Option<String>,
    /// Whether the reader sees personal data of this row.
    pub private: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_parses_and_says_what_is_missing() {
        let d = MemberDraft {
            position: "  นักพัฒนาชุมชน  ชำนาญการ ".into(),
            affiliation: "สพอ.เมือง".into(),
            works: "รางวัล KM ดีเด่น\r\nปี 2567".into(),
            training: "ผ่าน".into(),
            ..Default::default()
        };
        let f = d.parse(Registry::Network).unwrap();
        assert_eq!(f.position, "นักพัฒนาชุมชน ชำนาญการ");
        assert_eq!(f.works, "รางวัล KM ดีเด่น\nปี 2567");
        assert_eq!(f.training_passed, Some(true));
        let e = MemberDraft {
            training: "บางส่วน".into(),
            user_id: "x".into(),
            ..Default::default()
        }
        .parse(Registry::Trainers)
        .unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["position", "subjects", "training", "user_id"]);
        assert_eq!(Registry::parse("trainers"), Some(Registry::Trainers));
        assert_eq!(Registry::parse("x"), None);
        assert_eq!(parse_training("ไม่ผ่าน"), Some(Some(false)));
    }
}
