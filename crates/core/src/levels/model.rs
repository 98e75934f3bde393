//! The five success levels (seed 000 §1.1), a confirmed level with its evidence, the data
//! that suggests levels 3–5, and the rule for the level reached.

use crate::error::FieldError;
use crate::ids::{UnitId, UserId};
use crate::planning::FiscalYear;
use crate::text::{grapheme_len, tidy};
use serde::Serialize;
use time::{Date, OffsetDateTime};

/// The ladder: (level, what is done, how khlang sees it).
pub const LEVELS: [(u8, &str, &str); 5] = [
    (
        1,
        "จัดตั้งคณะทำงานและประชุมคณะทำงาน",
        "มีคำสั่งแต่งตั้งคณะทำงานการจัดการความรู้ และมีบันทึกการประชุมคณะทำงาน (แนบลิงก์คำสั่งหรือรายงานการประชุมเป็นหลักฐาน)",
    ),
    (
        2,
        "จัดทำแนวทางการพัฒนาศูนย์ฯ",
        "มีแนวทางหรือแผนการจัดการความรู้ของหน่วยงาน (แนบลิงก์แผนหรือแนวทางเป็นหลักฐาน)",
    ),
    (
        3,
        "ส่งเสริม สนับสนุน การจัดการความรู้และรวบรวมผลงาน",
        "มีผลงานองค์ความรู้ของหน่วยงานและหน่วยงานในสังกัดส่งเข้าระบบหรือเผยแพร่ในปีงบประมาณ",
    ),
    (
        4,
        "จัดทำบัญชีนวัตกรรม",
        "มีนวัตกรรมของหน่วยงานและหน่วยงานในสังกัดเผยแพร่ในบัญชีนวัตกรรมของปีงบประมาณ",
    ),
    (
        5,
        "เผยแพร่ผลงานนวัตกรรมไปใช้ประโยชน์",
        "นวัตกรรมที่เผยแพร่มีรายงานการนำไปใช้ประโยชน์ (\"นำไปใช้แล้ว\") อย่างน้อย 1 ครั้ง",
    ),
];

/// The title of a level (1..=5); empty for anything else.
pub fn level_title(level: u8) -> &'static str {
    LEVELS
        .iter()
        .find(|(l, _, _)| *l == level)
        .map(|(_, t, _)| *t)
        .unwrap_or("")
}

/// A level a person confirmed for a unit and year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelRecord {
    pub unit_id: UnitId,
    pub fiscal_year: i32,
    pub level: u8,
    pub achieved_on: Date,
    /// Links (http…, or a page of khlang such as `/items/12`) and item ids (`item:12`).
    pub evidence: Vec<String>,
    pub note: String,
    pub confirmed_by: Option<UserId>,
    pub confirmed_at: OffsetDateTime,
}

/// What the data of a unit's subtree says for a year (each unit's own; add them up for a
/// subtree with [`UnitActivity::add`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UnitActivity {
    pub unit_id: UnitId,
    /// Knowledge items submitted (waiting, back for changes or resubmitted) or published.
    pub works: u64,
    /// Innovations published in the innovation registry.
    pub innovations: u64,
    /// "นำไปใช้แล้ว" reports on those innovations.
    pub applied: u64,
}

impl UnitActivity {
    /// Nothing yet.
    pub fn new(unit_id: UnitId) -> Self {
        Self {
            unit_id,
            works: 0,
            innovations: 0,
            applied: 0,
        }
    }

    pub fn add(&mut self, other: &UnitActivity) {
        self.works += other.works;
        self.innovations += other.innovations;
        self.applied += other.applied;
    }

    /// Whether the data backs `level` (only 3, 4 and 5 can be seen in the data).
    pub fn supports(&self, level: u8) -> bool {
        match level {
            3 => self.works > 0,
            4 => self.innovations > 0,
            5 => self.innovations > 0 && self.applied > 0,
            _ => false,
        }
    }

    /// The numbers behind a level, in Thai; None for levels 1 and 2.
    pub fn backing(&self, level: u8) -> Option<String> {
        let n = thousands;
        match level {
            3 => Some(format!(
                "มีผลงานองค์ความรู้ส่งเข้าระบบหรือเผยแพร่ {} รายการ",
                n(self.works)
            )),
            4 => Some(format!("มีนวัตกรรมเผยแพร่ {} รายการ", n(self.innovations))),
            5 => Some(format!(
                "มีนวัตกรรมเผยแพร่ {} รายการ มีรายงานการนำไปใช้ {} ครั้ง",
                n(self.innovations),
                n(self.applied)
            )),
            _ => None,
        }
    }

    /// The highest level the data supports (0: none).
    pub fn highest_supported(&self) -> u8 {
        (3..=5).rev().find(|l| self.supports(*l)).unwrap_or(0)
    }
}

/// `12345` → `12,345`.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The level reached: the highest level confirmed with every lower level confirmed.
pub fn reached(confirmed: &[u8]) -> u8 {
    let mut n = 0;
    while confirmed.contains(&(n + 1)) {
        n += 1;
    }
    n
}

/// A confirmation as typed: the date (วัน/เดือน/ปี พ.ศ.), evidence one per line, a note.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
pub struct LevelDraft {
    #[serde(default)]
    pub achieved_on: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub note: String,
}

/// Evidence lines at most.
pub const MAX_EVIDENCE: usize = 20;

/// A confirmation, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelFields {
    pub achieved_on: Date,
    pub evidence: Vec<String>,
    pub note: String,
}

impl LevelDraft {
    /// Every problem at once, each at its field with a Thai message. The date must lie in the
    /// fiscal year and not after today.
    pub fn parse(&self, year: FiscalYear, today: Date) -> Result<LevelFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let achieved_on = match crate::people::model::parse_date(&self.achieved_on) {
            None if self.achieved_on.trim().is_empty() => {
                errors.push(FieldError::new(
                    "achieved_on",
                    "กรุณาใส่วันที่ดำเนินการสำเร็จ เช่น 15/3/2568",
                ));
                None
            }
            None => {
                errors.push(FieldError::new(
                    "achieved_on",
                    "วันที่ไม่ถูกต้อง กรุณาใส่ วัน/เดือน/ปี พ.ศ. เช่น 15/3/2568",
                ));
                None
            }
            Some(d) if d > today => {
                errors.push(FieldError::new("achieved_on", "วันที่สำเร็จต้องไม่เลยวันนี้"));
                None
            }
            Some(d) if !year.contains(d) => {
                errors.push(FieldError::new(
                    "achieved_on",
                    format!(
                        "วันที่ต้องอยู่ในปีงบประมาณ {} ({} ถึง {})",
                        year,
                        crate::people::model::format_date_be(year.first_day()),
                        crate::people::model::format_date_be(year.last_day())
                    ),
                ));
                None
            }
            Some(d) => Some(d),
        };
        let mut evidence = Vec::new();
        for (i, line) in self.evidence.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match evidence_entry(line) {
                Ok(e) => evidence.push(e),
                Err(m) => errors.push(FieldError::new(
                    "evidence",
                    format!("บรรทัดที่ {}: {m}", i + 1),
                )),
            }
        }
        if evidence.len() > MAX_EVIDENCE {
            errors.push(FieldError::new(
                "evidence",
                format!("ใส่หลักฐานได้ไม่เกิน {MAX_EVIDENCE} รายการ"),
            ));
        }
        if self.note.chars().any(crate::field::is_refused_control) {
            errors.push(FieldError::new(
                "note",
                "หมายเหตุมีอักขระควบคุมที่มองไม่เห็น — กรุณาลบออก",
            ));
        }
        let note = self.note.trim().to_string();
        if grapheme_len(&note) > 2000 {
            errors.push(FieldError::new("note", "หมายเหตุยาวเกิน 2,000 ตัวอักษร"));
        }
        match (errors.is_empty(), achieved_on) {
            (true, Some(achieved_on)) => Ok(LevelFields {
                achieved_on,
                evidence,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// One evidence line: a web link, a page of khlang (`/items/12`), or an item number
/// (`12` or `item:12`, kept as `item:12`).
fn evidence_entry(line: &str) -> Result<String, &'static str> {
    let s = tidy(line);
    if s.chars().any(crate::field::is_refused_control) || s.contains(char::is_whitespace) {
        return Err("ใส่ลิงก์หรือเลขที่ผลงานบรรทัดละหนึ่งรายการ ไม่มีช่องว่าง");
    }
    if grapheme_len(&s) > 500 {
        return Err("ลิงก์ยาวเกิน 500 ตัวอักษร");
    }
    let digits = crate::text::arabic_digits(&s);
    let id = digits.strip_prefix("item:").unwrap_or(&digits);
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()) {
        return match id.parse::<i64>() {
            Ok(n) if n > 0 => Ok(format!("item:{n}")),
            _ => Err("เลขที่ผลงานไม่ถูกต้อง"),
        };
    }
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("https://")
        || lower.starts_with("http://")
        || (s.starts_with('/') && !s.starts_with("//"))
    {
        return Ok(s);
    }
    Err("หลักฐานต้องเป็นลิงก์ที่ขึ้นต้นด้วย https:// หรือเลขที่ผลงานในคลังความรู้")
}

/// Where an evidence entry leads: `item:12` → `/items/12`, links as they are.
pub fn evidence_href(e: &str) -> String {
    match e.strip_prefix("item:") {
        Some(n) => format!("/items/{n}"),
        None => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn year() -> FiscalYear {
        FiscalYear::parse("2568").unwrap()
    }

    fn today() -> Date {
        Date::from_calendar_date(2025, time::Month::March, 1).unwrap()
    }

    #[test]
    fn the_level_reached_needs_every_lower_level() {
        assert_eq!(reached(&[]), 0);
        assert_eq!(reached(&[1, 2, 4, 5]), 2);
        assert_eq!(reached(&[2, 3]), 0);
        assert_eq!(reached(&[3, 1, 2]), 3);
        assert_eq!(reached(&[1, 2, 3, 4, 5]), 5);
    }

    #[test]
    fn data_supports_levels_three_to_five() {
        let mut a = UnitActivity::new(UnitId(1));
        assert_eq!(a.highest_supported(), 0);
        a.works = 2;
        assert_eq!(a.highest_supported(), 3);
        a.applied = 3;
        assert_eq!(
            a.highest_supported(),
            3,
            "applied without a published innovation"
        );
        a.innovations = 12;
        assert_eq!(a.highest_supported(), 5);
        assert_eq!(
            a.backing(5).unwrap(),
            "มีนวัตกรรมเผยแพร่ 12 รายการ มีรายงานการนำไปใช้ 3 ครั้ง"
        );
        assert!(a.backing(1).is_none());
    }

    #[test]
    fn a_confirmation_parses_and_says_what_is_wrong() {
        let ok = LevelDraft {
            achieved_on: "๑๕/๒/๒๕๖๘".into(),
            evidence: "https://example.org/a\n\n12\n/items/7\nitem:3".into(),
            note: " ประชุมครั้งที่ 1 ".into(),
        }
        .parse(year(), today())
        .unwrap();
        assert_eq!(ok.achieved_on.to_string(), "2025-02-15");
        assert_eq!(
            ok.evidence,
            ["https://example.org/a", "item:12", "/items/7", "item:3"]
        );
        assert_eq!(ok.note, "ประชุมครั้งที่ 1");
        let bad = LevelDraft {
            achieved_on: "1/9/2567".into(),
            evidence: "javascript:alert(1)".into(),
            note: String::new(),
        }
        .parse(year(), today())
        .unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["achieved_on", "evidence"]);
        assert!(
            bad[0].message.contains("ปีงบประมาณ 2568"),
            "{}",
            bad[0].message
        );
        let later = LevelDraft {
            achieved_on: "2/3/2568".into(),
            ..Default::default()
        }
        .parse(year(), today())
        .unwrap_err();
        assert_eq!(later[0].message, "วันที่สำเร็จต้องไม่เลยวันนี้");
        assert_eq!(evidence_href("item:12"), "/items/12");
    }
}
