//! The person register (ทะเบียนบุคคล): innovators and other people, most without an account,
//! with the personal data that PDPA (พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562) protects.

use crate::error::FieldError;
use crate::geo::{Gazetteer, Place, PlaceDraft};
use crate::ids::{PersonId, UnitId, UserId};
use crate::text::{arabic_digits, grapheme_len, tidy};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

/// What is shown in place of an erased person's name (and of a person who asked for nothing
/// to be public).
pub const ANONYMOUS: &str = "ไม่ประสงค์ออกนาม";

/// What a person agreed may be shown to the public (ข้อมูลที่เปิดเผยได้).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PublicScope {
    /// ชื่อเท่านั้น
    NameOnly,
    /// ชื่อและจังหวัด (the default of the issue)
    #[default]
    NameAndProvince,
    /// ไม่เปิดเผย: shown as "ไม่ประสงค์ออกนาม"
    Nothing,
}

impl PublicScope {
    pub const ALL: [PublicScope; 3] = [
        PublicScope::NameAndProvince,
        PublicScope::NameOnly,
        PublicScope::Nothing,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            PublicScope::NameOnly => "name_only",
            PublicScope::NameAndProvince => "name_province",
            PublicScope::Nothing => "nothing",
        }
    }
    pub fn label_th(self) -> &'static str {
        match self {
            PublicScope::NameOnly => "เปิดเผยชื่อเท่านั้น",
            PublicScope::NameAndProvince => "เปิดเผยชื่อและจังหวัด",
            PublicScope::Nothing => "ไม่เปิดเผยชื่อ (แสดงว่า \"ไม่ประสงค์ออกนาม\")",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s.trim())
    }
}

/// Consent recorded for one person (ความยินยอม): why the data is kept, when the person agreed,
/// who recorded it, and what may be public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    pub purpose: String,
    pub given_on: Date,
    pub recorded_by: Option<UserId>,
    pub public: PublicScope,
}

/// The purpose written when the form leaves it empty.
pub const DEFAULT_PURPOSE: &str =
    "บันทึกและเผยแพร่นวัตกรรมและผลงานของ อสม. ในบัญชีนวัตกรรม และติดต่อกลับเรื่องผลงาน";

/// One person of the register, as officers of the owning unit see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub id: PersonId,
    /// The unit that keeps the record; its officers (and those above) see the personal data.
    pub unit_id: UnitId,
    pub name: String,
    /// ที่อยู่: หมู่ที่, หมู่บ้าน, ตำบล, อำเภอ, จังหวัด.
    pub place: Option<Place>,
    pub phone: Option<String>,
    pub occupation: Option<String>,
    /// สถานภาพ
    pub status: Option<String>,
    /// ระดับการศึกษา
    pub education: Option<String>,
    /// ระยะเวลาเป็น อสม. (ปี)
    pub volunteer_years: Option<u16>,
    /// เลขประจำตัว อสม., when known.
    pub volunteer_no: Option<String>,
    pub consent: Option<Consent>,
    /// Erased on request: the personal fields hold placeholders.
    pub erased: bool,
    /// Merged into another person: every reference to this id means that one.
    pub merged_into: Option<PersonId>,
    pub created_by: Option<UserId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Person {
    /// What the public may see of this person (see [`PublicPerson`]).
    pub fn public(&self) -> PublicPerson {
        let scope = self.consent.as_ref().map(|c| c.public).unwrap_or_default();
        let hidden = self.erased || scope == PublicScope::Nothing;
        PublicPerson {
            id: self.id,
            name: if hidden {
                ANONYMOUS.to_string()
            } else {
                self.name.clone()
            },
            province_name: match (hidden, scope, &self.place) {
                (false, PublicScope::NameAndProvince, Some(p)) => {
                    Some(Gazetteer::get().province_name(p.province))
                }
                _ => None,
            },
        }
    }

    /// Name and province for officers' lists: "นางสมศรี ใจดี (ขอนแก่น)".
    pub fn label(&self) -> String {
        match &self.place {
            Some(p) if !self.erased => format!(
                "{} ({})",
                self.name,
                Gazetteer::get().province_name(p.province)
            ),
            _ => self.name.clone(),
        }
    }
}

/// What public pages show of an innovator: the name and province by default, less when the
/// person's consent says so, and "ไม่ประสงค์ออกนาม" after erasure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicPerson {
    pub id: PersonId,
    pub name: String,
    /// None when consent keeps the province private, or none is known.
    pub province_name: Option<String>,
}

impl PublicPerson {
    /// "นางสมศรี ใจดี จ.ขอนแก่น"
    pub fn label(&self) -> String {
        match &self.province_name {
            Some(p) => format!("{} จ.{}", self.name, p),
            None => self.name.clone(),
        }
    }
}

/// A person as a form sends it: every field as typed. Field names (after the widget's
/// prefix): `name`, `place.*` (see [`PlaceDraft`]), `phone`, `occupation`, `status`,
/// `education`, `volunteer_years`, `volunteer_no`, `consent_purpose`, `consent_date`
/// (วัน/เดือน/ปี พ.ศ. or ISO `2024-03-01`), `consent_public` ([`PublicScope::as_str`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub place: PlaceDraft,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub volunteer_years: String,
    #[serde(default)]
    pub volunteer_no: String,
    #[serde(default)]
    pub consent_purpose: String,
    #[serde(default)]
    pub consent_date: String,
    #[serde(default)]
    pub consent_public: String,
}

/// `prefix.name`, or `name` without a prefix.
pub fn field_key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

impl PersonDraft {
    /// Picks the fields named `{prefix}.…` (or unprefixed when `prefix` is empty) out of a
    /// submitted form's pairs.
    pub fn from_pairs<'a>(
        prefix: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Self {
        let mut d = Self {
            place: PlaceDraft::from_pairs(&field_key(prefix, "place"), pairs.clone()),
            ..Default::default()
        };
        for (k, v) in pairs {
            let rest = if prefix.is_empty() {
                k
            } else {
                match k.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) {
                    Some(r) => r,
                    None => continue,
                }
            };
            let slot = match rest {
                "name" => &mut d.name,
                "phone" => &mut d.phone,
                "occupation" => &mut d.occupation,
                "status" => &mut d.status,
                "education" => &mut d.education,
                "volunteer_years" => &mut d.volunteer_years,
                "volunteer_no" => &mut d.volunteer_no,
                "consent_purpose" => &mut d.consent_purpose,
                "consent_date" => &mut d.consent_date,
                "consent_public" => &mut d.consent_public,
                _ => continue,
            };
            *slot = v.to_string();
        }
        d
    }

    /// The draft of a stored person, to edit it.
    pub fn of(p: &Person) -> Self {
        Self {
            name: p.name.clone(),
            place: p.place.as_ref().map(PlaceDraft::of).unwrap_or_default(),
            phone: p.phone.clone().unwrap_or_default(),
            occupation: p.occupation.clone().unwrap_or_default(),
            status: p.status.clone().unwrap_or_default(),
            education: p.education.clone().unwrap_or_default(),
            volunteer_years: p.volunteer_years.map(|n| n.to_string()).unwrap_or_default(),
            volunteer_no: p.volunteer_no.clone().unwrap_or_default(),
            consent_purpose: p
                .consent
                .as_ref()
                .map(|c| c.purpose.clone())
                .unwrap_or_default(),
            consent_date: p
                .consent
                .as_ref()
                .map(|c| format_date_be(c.given_on))
                .unwrap_or_default(),
            consent_public: p
                .consent
                .as_ref()
                .map(|c| c.public.as_str().to_string())
                .unwrap_or_default(),
        }
    }

    /// Parses every field; all problems at once, each at `{prefix}.{field}` with a Thai
    /// message. `today` fills an empty consent date.
    pub fn parse(&self, prefix: &str, today: Date) -> Result<PersonFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let key = |n: &str| field_key(prefix, n);
        let name = match short_text(&self.name, "ชื่อ-นามสกุล", 200) {
            Ok(s) if s.is_empty() => {
                errors.push(FieldError::new(key("name"), "กรุณาใส่ชื่อ-นามสกุล"));
                String::new()
            }
            Ok(s) => s,
            Err(m) => {
                errors.push(FieldError::new(key("name"), m));
                String::new()
            }
        };
        let place = match self.place.parse(&key("place"), false) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                None
            }
        };
        let phone = match crate::account::Phone::parse_optional(&self.phone) {
            Ok(p) => p.map(|p| p.as_str().to_string()),
            Err(e) => {
                errors.push(FieldError::new(key("phone"), e.message));
                None
            }
        };
        let mut opt =
            |field: &str, label: &str, v: &str, max: usize| match short_text(v, label, max) {
                Ok(s) => (!s.is_empty()).then_some(s),
                Err(m) => {
                    errors.push(FieldError::new(key(field), m));
                    None
                }
            };
        let occupation = opt("occupation", "อาชีพ", &self.occupation, 100);
        let status = opt("status", "สถานภาพ", &self.status, 100);
        let education = opt("education", "ระดับการศึกษา", &self.education, 100);
        let volunteer_no = opt("volunteer_no", "เลขประจำตัว อสม.", &self.volunteer_no, 30);
        let purpose = opt("consent_purpose", "วัตถุประสงค์", &self.consent_purpose, 500);
        let volunteer_years = match arabic_digits(self.volunteer_years.trim()).as_str() {
            "" => None,
            s => match s.parse::<u16>() {
                Ok(n) if n <= 80 => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        key("volunteer_years"),
                        "ระยะเวลาเป็น อสม. ต้องเป็นจำนวนปี 0 ถึง 80",
                    ));
                    None
                }
            },
        };
        let given_on = match self.consent_date.trim() {
            "" => Some(today),
            s => match parse_date(s) {
                Some(d) if d <= today => Some(d),
                Some(_) => {
                    errors.push(FieldError::new(
                        key("consent_date"),
                        "วันที่ให้ความยินยอมต้องไม่เลยวันนี้",
                    ));
                    None
                }
                None => {
                    errors.push(FieldError::new(
                        key("consent_date"),
                        "วันที่ไม่ถูกต้อง กรุณาใส่ วัน/เดือน/ปี พ.ศ. เช่น 15/2/2567",
                    ));
                    None
                }
            },
        };
        let public = match self.consent_public.trim() {
            "" => PublicScope::default(),
            s => PublicScope::parse(s).unwrap_or_else(|| {
                errors.push(FieldError::new(
                    key("consent_public"),
                    "กรุณาเลือกว่าเปิดเผยข้อมูลใดได้",
                ));
                PublicScope::default()
            }),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PersonFields {
            name,
            place,
            phone,
            occupation,
            status,
            education,
            volunteer_years,
            volunteer_no,
            consent: ConsentFields {
                purpose: purpose.unwrap_or_else(|| DEFAULT_PURPOSE.to_string()),
                given_on: given_on.unwrap_or(today),
                public,
            },
        })
    }
}

/// A person's fields, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFields {
    pub name: String,
    pub place: Option<Place>,
    pub phone: Option<String>,
    pub occupation: Option<String>,
    pub status: Option<String>,
    pub education: Option<String>,
    pub volunteer_years: Option<u16>,
    pub volunteer_no: Option<String>,
    pub consent: ConsentFields,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentFields {
    pub purpose: String,
    pub given_on: Date,
    pub public: PublicScope,
}

/// What [`crate::service::Khlang::create_person`] takes: the owning unit and the form.
#[derive(Debug, Clone)]
pub struct PersonInput {
    pub unit_id: UnitId,
    pub draft: PersonDraft,
    /// The prefix of the form's field names, so errors land at the right field
    /// (empty on the register's own pages).
    pub prefix: String,
    /// Record even if a likely duplicate exists (the form's "บันทึกเป็นบุคคลใหม่" box).
    pub allow_duplicate: bool,
}

/// One line of text, tidied; a Thai message when too long or holding control characters.
fn short_text(s: &str, label: &str, max: usize) -> Result<String, String> {
    if s.chars().any(crate::field::is_refused_control) {
        return Err(format!(
            "{label}มีอักขระควบคุมที่มองไม่เห็น — กรุณาลบออก หรือพิมพ์ข้อความนั้นใหม่"
        ));
    }
    let s = tidy(s);
    let n = grapheme_len(&s);
    if n > max {
        return Err(format!(
            "{label}ยาวเกิน {max} ตัวอักษร (มี {n} ตัวอักษร) กรุณาย่อให้สั้นลง"
        ));
    }
    Ok(s)
}

/// `15/2/2567` (พ.ศ.; Thai or Arabic digits, `/`, `-` or `.`) or ISO `2024-02-15`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = arabic_digits(s.trim());
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if parts.len() != 3 {
        return None;
    }
    let nums: Vec<i32> = parts
        .iter()
        .map(|p| p.trim().parse::<i32>().ok())
        .collect::<Option<_>>()?;
    let (y, m, d) = if parts[0].len() == 4 {
        (nums[0], nums[1], nums[2])
    } else {
        let y = if nums[2] > 2400 {
            nums[2] - 543
        } else {
            nums[2]
        };
        (y, nums[1], nums[0])
    };
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()
}

/// `15/2/2567`
pub fn format_date_be(d: Date) -> String {
    format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year() + 543)
}

/// Key for duplicate checks and name search: the name tidied, without spaces, lower case, and
/// without the usual titles (นาย, นาง, นางสาว, น.ส.).
pub fn name_key(name: &str) -> String {
    let s = tidy(name);
    let s = s.trim();
    let s = ["นางสาว", "น.ส.", "นาง", "นาย"]
        .iter()
        .find_map(|t| s.strip_prefix(t))
        .unwrap_or(s);
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A possible duplicate of a person being recorded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    pub person: PersonId,
    pub label: String,
    pub reason: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_calendar_date(2024, time::Month::March, 1).unwrap()
    }

    #[test]
    fn a_full_draft_parses() {
        let d = PersonDraft {
            name: "  นางสมศรี   ใจดี ".into(),
            place: PlaceDraft {
                province: "40".into(),
                district: "4001".into(),
                subdistrict: "400101".into(),
                village_no: "๕".into(),
                village: "บ้านโนน".into(),
            },
            phone: "081-234-5678".into(),
            volunteer_years: "๑๒".into(),
            consent_date: "15/2/2567".into(),
            consent_public: "name_only".into(),
            ..Default::default()
        };
        let p = d.parse("", today()).unwrap();
        assert_eq!(p.name, "นางสมศรี ใจดี");
        assert_eq!(p.phone.as_deref(), Some("0812345678"));
        assert_eq!(p.volunteer_years, Some(12));
        assert_eq!(p.consent.given_on.to_string(), "2024-02-15");
        assert_eq!(p.consent.public, PublicScope::NameOnly);
        assert_eq!(p.consent.purpose, DEFAULT_PURPOSE);
        assert_eq!(p.place.unwrap().village_no, Some(5));
    }

    #[test]
    fn bad_fields_each_get_a_thai_message_at_their_key() {
        let d = PersonDraft {
            name: "ก".repeat(10_000),
            place: PlaceDraft {
                province: "99".into(),
                ..Default::default()
            },
            phone: "12".into(),
            volunteer_years: "200".into(),
            consent_date: "31/2/2567".into(),
            ..Default::default()
        };
        let e = d.parse("who", today()).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            fields,
            [
                "who.name",
                "who.place.province",
                "who.phone",
                "who.volunteer_years",
                "who.consent_date"
            ]
        );
        assert!(e[0].message.contains("ยาวเกิน 200"), "{}", e[0].message);
        let empty = PersonDraft::default().parse("", today()).unwrap_err();
        assert_eq!(empty[0].message, "กรุณาใส่ชื่อ-นามสกุล");
    }

    #[test]
    fn name_keys_and_dates() {
        assert_eq!(name_key("นาง สมศรี  ใจดี"), name_key("สมศรี ใจดี"));
        assert_eq!(name_key("น.ส.สมศรี ใจดี"), "สมศรีใจดี");
        assert_eq!(parse_date("2024-02-15").unwrap().to_string(), "2024-02-15");
        assert_eq!(parse_date("๑๕/๒/๒๕๖๗").unwrap().to_string(), "2024-02-15");
        assert!(parse_date("abc").is_none());
        assert_eq!(
            format_date_be(parse_date("2024-02-15").unwrap()),
            "15/2/2567"
        );
    }
}
