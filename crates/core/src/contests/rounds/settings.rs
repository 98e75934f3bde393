//! The round form read into settings, with every problem named at its field. Pure (no store,
//! no clock) and long, so it sits apart from the set-up use-cases in [`super`] that call it,
//! and `entrants` shares its number reading.

use super::{MB, RoundInput, parse_local};
use crate::contests::model::{
    Area, Criterion, RequiredDocument, Round, RoundLevel, RoundSettings, TieBreak, parse_title,
};
use crate::error::FieldError;
use crate::file::FileKind;
use crate::ids::{RoundId, TermId};
use time::OffsetDateTime;

/// A short key for a document or criterion: ASCII letters, digits, `_` or `-`, 1–40.
fn parse_key(raw: &str, fallback: String, field: String) -> Result<String, FieldError> {
    let k = raw.trim();
    if k.is_empty() {
        return Ok(fallback);
    }
    if k.len() > 40
        || !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(FieldError::new(
            field,
            "รหัสย่อใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ ตัวเลข _ หรือ - ไม่เกิน 40 ตัว",
        ));
    }
    Ok(k.to_ascii_lowercase())
}

pub(super) fn whole(raw: &str) -> Option<u64> {
    crate::text::arabic_digits(raw.trim()).parse().ok()
}

/// The basic fields of a round, parsed.
pub(super) struct RoundBasics {
    pub(super) title: String,
    pub(super) level: RoundLevel,
    pub(super) area: Area,
    pub(super) next_round: Option<RoundId>,
    pub(super) opens_at: OffsetDateTime,
    pub(super) closes_at: OffsetDateTime,
}

pub(super) fn parse_basics(
    input: &RoundInput,
    errors: &mut Vec<FieldError>,
) -> Option<RoundBasics> {
    let title = parse_title(&input.title, "title").map_err(|e| errors.push(e));
    let level = RoundLevel::parse(input.level.trim())
        .ok_or_else(|| errors.push(FieldError::new("level", "กรุณาเลือกระดับของรอบ")));
    let area = Area::parse(input.area.trim())
        .ok_or_else(|| errors.push(FieldError::new("area", "กรุณาเลือกพื้นที่ที่รับสมัคร")));
    let next_round = if input.next_round.trim().is_empty() {
        Ok(None)
    } else {
        whole(&input.next_round)
            .map(|n| Some(RoundId(n as i64)))
            .ok_or_else(|| errors.push(FieldError::new("next_round", "กรุณาเลือกรอบถัดไปจากรายการ")))
    };
    let opens = parse_local(&input.opens).ok_or_else(|| {
        errors.push(FieldError::new(
            "opens",
            "กรุณาใส่วันและเวลาเปิดรับ (เวลาประเทศไทย)",
        ))
    });
    let closes = parse_local(&input.closes).ok_or_else(|| {
        errors.push(FieldError::new(
            "closes",
            "กรุณาใส่วันและเวลาปิดรับ (เวลาประเทศไทย)",
        ))
    });
    if let (Ok(o), Ok(c)) = (&opens, &closes)
        && c <= o
    {
        errors.push(FieldError::new("closes", "เวลาปิดรับต้องหลังเวลาเปิดรับ"));
        return None;
    }
    Some(RoundBasics {
        title: title.ok()?,
        level: level.ok()?,
        area: area.ok()?,
        next_round: next_round.ok()?,
        opens_at: opens.ok()?,
        closes_at: closes.ok()?,
    })
}

/// Settings as typed → settings, with every problem named at its field. Branch ids are
/// checked against the vocabulary by the caller.
pub(super) fn parse_settings(input: &RoundInput, errors: &mut Vec<FieldError>) -> RoundSettings {
    let mut s = RoundSettings::default();
    for b in &input.branches {
        match whole(b) {
            Some(n) => {
                let t = TermId(n as i64);
                if !s.branches.contains(&t) {
                    s.branches.push(t);
                }
            }
            None => errors.push(FieldError::new("branches", "กรุณาเลือกสาขาจากรายการ")),
        }
    }
    for (i, d) in input.documents.iter().enumerate() {
        let name = d.name.trim();
        if name.is_empty() {
            continue;
        }
        let n = i + 1;
        let key = match parse_key(&d.key, format!("doc{n}"), format!("doc_key_{i}")) {
            Ok(k) => k,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if s.documents.iter().any(|x| x.key == key) {
            errors.push(FieldError::new(
                format!("doc_key_{i}"),
                "รหัสย่อของเอกสารซ้ำกัน กรุณาใช้รหัสที่ไม่ซ้ำ",
            ));
            continue;
        }
        let mut kinds = Vec::new();
        for k in &d.kinds {
            match FileKind::parse(k.trim()) {
                Some(kind) => kinds.push(kind.as_str().to_string()),
                None => errors.push(FieldError::new(
                    format!("doc_kinds_{i}"),
                    "กรุณาเลือกชนิดไฟล์จากรายการ",
                )),
            }
        }
        let max_mb = match whole(&d.max_mb) {
            Some(m) if (1..=4096).contains(&m) => m,
            _ => {
                errors.push(FieldError::new(
                    format!("doc_max_{i}"),
                    "กรุณาใส่ขนาดไฟล์สูงสุดเป็นเมกะไบต์ (1–4096)",
                ));
                continue;
            }
        };
        s.documents.push(RequiredDocument {
            key,
            name: name.chars().take(200).collect(),
            kinds,
            max_bytes: max_mb * MB,
            required: d.required,
        });
    }
    for (i, c) in input.criteria.iter().enumerate() {
        let name = c.name.trim();
        if name.is_empty() {
            continue;
        }
        let key = match parse_key(&c.key, format!("c{}", i + 1), format!("crit_key_{i}")) {
            Ok(k) => k,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if s.rubric.iter().any(|x| x.key == key) {
            errors.push(FieldError::new(
                format!("crit_key_{i}"),
                "รหัสย่อของเกณฑ์ซ้ำกัน กรุณาใช้รหัสที่ไม่ซ้ำ",
            ));
            continue;
        }
        let weight = match whole(&c.weight) {
            Some(w) if w <= 100 => w as u32,
            _ => {
                errors.push(FieldError::new(
                    format!("crit_weight_{i}"),
                    "กรุณาใส่น้ำหนักเป็นร้อยละ (0–100)",
                ));
                continue;
            }
        };
        let max_points = match whole(&c.max_points) {
            Some(m) if (1..=1000).contains(&m) => m as u32,
            _ => {
                errors.push(FieldError::new(
                    format!("crit_max_{i}"),
                    "คะแนนเต็มต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป",
                ));
                continue;
            }
        };
        s.rubric.push(Criterion {
            key,
            name: name.chars().take(300).collect(),
            weight,
            max_points,
            levels: c
                .levels
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    if !s.rubric.is_empty() {
        let sum: u32 = s.rubric.iter().map(|c| c.weight).sum();
        if sum != 100 {
            errors.push(FieldError::new(
                "criteria",
                format!("น้ำหนักของทุกเกณฑ์รวมกันต้องได้ 100 (ตอนนี้รวมได้ {sum})"),
            ));
        }
    }
    s.advance_per_branch = match whole(&input.advance) {
        Some(n) if (1..=1000).contains(&n) => n as u32,
        _ => {
            errors.push(FieldError::new(
                "advance",
                "จำนวนที่ผ่านเข้ารอบต่อสาขาต้องตั้งแต่ 1 ขึ้นไป",
            ));
            1
        }
    };
    for t in &input.tie_breaks {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let rule = if t == "chair" {
            TieBreak::ChairDecision
        } else if let Some(k) = t.strip_prefix("criterion:")
            && s.rubric.iter().any(|c| c.key == k)
        {
            TieBreak::Criterion(k.to_string())
        } else {
            errors.push(FieldError::new(
                "tie_breaks",
                "เกณฑ์ตัดสินเมื่อคะแนนเท่ากันต้องเป็นเกณฑ์ในรายการ หรือ \"ประธานกรรมการตัดสิน\"",
            ));
            continue;
        };
        if !s.tie_breaks.contains(&rule) {
            s.tie_breaks.push(rule);
        }
    }
    let template = input.entry_template.trim();
    s.entry_template = (!template.is_empty()).then(|| template.to_string());
    s
}

/// What must be set before a round opens.
pub(super) fn ready_to_open(round: &Round) -> Vec<FieldError> {
    let s = &round.settings;
    let mut errors = Vec::new();
    if s.branches.is_empty() {
        errors.push(FieldError::new(
            "branches",
            "ก่อนเปิดรับ กรุณาเลือกอย่างน้อย 1 สาขา",
        ));
    }
    if s.documents.is_empty() {
        errors.push(FieldError::new(
            "documents",
            "ก่อนเปิดรับ กรุณากำหนดเอกสารที่ต้องส่งอย่างน้อย 1 รายการ",
        ));
    }
    if s.rubric.is_empty() {
        errors.push(FieldError::new(
            "criteria",
            "ก่อนเปิดรับ กรุณากำหนดเกณฑ์การให้คะแนนอย่างน้อย 1 ข้อ",
        ));
    }
    errors
}
