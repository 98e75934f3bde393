//! Event and booth forms as typed, parsed into checked fields with a Thai message at each
//! field; Bangkok wall-clock times, Thai or Arabic digits, BE or CE years.

use super::model::{AgendaRow, Audience, BoothFields, EventFields, EventKind};
use crate::error::FieldError;
use crate::ids::{CommunityId, ItemId, UnitId};
use crate::text::BANGKOK;
use crate::text::{grapheme_len, tidy, tidy_multiline};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

/// An event form as typed: every field text, so a failed form comes back as it was.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct EventDraft {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub online_url: String,
    /// `YYYY-MM-DDTHH:MM` in Bangkok time (a datetime-local input), BE or CE year.
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub ends: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub waitlist: String,
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
    /// `public`, `signed_in`, `unit`, `community`.
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub audience_unit: String,
    #[serde(default)]
    pub audience_community: String,
    /// One agenda row a line: `เวลา | หัวข้อ | วิทยากร`.
    #[serde(default)]
    pub agenda: String,
}

/// Thai and Arabic digits read the same.
pub fn arabic(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '๐'..='๙' => char::from_u32(c as u32 - '๐' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// A Bangkok wall-clock time typed as `2569-12-10T09:00` or `2026-12-10 09:00` (BE years
/// are recognised by being past 2400), stored in UTC.
pub fn parse_local_time(s: &str) -> Option<OffsetDateTime> {
    let s = arabic(s.trim());
    let (d, t) = s.split_once(['T', ' '])?;
    let mut ds = d.split('-');
    let mut year: i32 = ds.next()?.parse().ok()?;
    let month: u8 = ds.next()?.parse().ok()?;
    let day: u8 = ds.next()?.parse().ok()?;
    if ds.next().is_some() {
        return None;
    }
    if year > 2400 {
        year -= 543;
    }
    let (h, m) = t.split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    let date = Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let time = Time::from_hms(h, m, 0).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_offset(BANGKOK))
}

/// The value a datetime-local input shows for a stored time (Bangkok, CE year).
pub fn local_input(t: OffsetDateTime) -> String {
    let b = t.to_offset(BANGKOK);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        b.year(),
        b.month() as u8,
        b.day(),
        b.hour(),
        b.minute()
    )
}

fn line(
    s: &str,
    field: &'static str,
    label: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    let s = tidy(s);
    if grapheme_len(&s) > max {
        errors.push(FieldError::new(
            field,
            format!("{label}ยาวเกิน {max} ตัวอักษร"),
        ));
    }
    s
}

impl EventDraft {
    /// The draft of an event as stored, for the edit form.
    pub fn of(e: &EventFields) -> Self {
        let opt = |t: Option<OffsetDateTime>| t.map(local_input).unwrap_or_default();
        Self {
            title: e.title.clone(),
            kind: e.kind.as_str().into(),
            unit: e.unit_id.0.to_string(),
            description: e.description.clone(),
            place: e.place.clone(),
            online_url: e.online_url.clone().unwrap_or_default(),
            starts: local_input(e.starts_at),
            ends: local_input(e.ends_at),
            capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
            waitlist: if e.waitlist {
                "on".into()
            } else {
                String::new()
            },
            opens: opt(e.opens_at),
            closes: opt(e.closes_at),
            audience: e.audience.kind().into(),
            audience_unit: match e.audience {
                Audience::Unit(u) => u.0.to_string(),
                _ => String::new(),
            },
            audience_community: match e.audience {
                Audience::Community(c) => c.0.to_string(),
                _ => String::new(),
            },
            agenda: e
                .agenda
                .iter()
                .map(|r| format!("{} | {} | {}", r.time, r.topic, r.speaker))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// Parses every field; all problems at once, each at its field with a Thai message.
    pub fn parse(&self) -> Result<EventFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = line(&self.title, "title", "ชื่อกิจกรรม", 200, &mut errors);
        if title.is_empty() {
            errors.push(FieldError::new("title", "กรุณาใส่ชื่อกิจกรรม"));
        }
        let kind = EventKind::parse(&self.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "กรุณาเลือกประเภทกิจกรรม"));
        }
        let unit = arabic(self.unit.trim()).parse::<i64>().ok().map(UnitId);
        if unit.is_none() {
            errors.push(FieldError::new("unit", "กรุณาเลือกหน่วยงานผู้จัด"));
        }
        let description = tidy_multiline(&self.description);
        if grapheme_len(&description) > 5000 {
            errors.push(FieldError::new(
                "description",
                "รายละเอียดยาวเกิน 5,000 ตัวอักษร",
            ));
        }
        let place = line(&self.place, "place", "สถานที่", 300, &mut errors);
        let url = tidy(&self.online_url);
        let online_url = if url.is_empty() {
            None
        } else if url.starts_with("https://")
            && url.len() > 8
            && !url.contains(char::is_whitespace)
            && url.len() <= 500
        {
            Some(url)
        } else {
            errors.push(FieldError::new(
                "online_url",
                "ลิงก์ออนไลน์ต้องขึ้นต้นด้วย https:// (เช่น https://meet.google.com/…)",
            ));
            None
        };
        if place.is_empty()
            && online_url.is_none()
            && !errors.iter().any(|e| e.field == "online_url")
        {
            errors.push(FieldError::new(
                "place",
                "กรุณาใส่สถานที่ หรือลิงก์ออนไลน์ อย่างน้อยหนึ่งอย่าง",
            ));
        }
        let time = |s: &str,
                    field: &'static str,
                    label: &str,
                    required: bool,
                    errors: &mut Vec<FieldError>| {
            if s.trim().is_empty() {
                if required {
                    errors.push(FieldError::new(field, format!("กรุณาใส่{label}")));
                }
                return None;
            }
            let t = parse_local_time(s);
            if t.is_none() {
                errors.push(FieldError::new(
                    field,
                    format!("{label}ไม่ถูกต้อง ใส่วันที่และเวลา เช่น 2569-12-10 09:00"),
                ));
            }
            t
        };
        let starts = time(&self.starts, "starts", "วันเวลาเริ่ม", true, &mut errors);
        let ends = time(&self.ends, "ends", "วันเวลาสิ้นสุด", true, &mut errors);
        let opens = time(
            &self.opens,
            "opens",
            "วันเวลาเปิดรับลงทะเบียน",
            false,
            &mut errors,
        );
        let closes = time(
            &self.closes,
            "closes",
            "วันเวลาปิดรับลงทะเบียน",
            false,
            &mut errors,
        );
        if let (Some(s), Some(e)) = (starts, ends)
            && e <= s
        {
            errors.push(FieldError::new("ends", "วันเวลาสิ้นสุดต้องอยู่หลังวันเวลาเริ่ม"));
        }
        if let (Some(o), Some(c)) = (opens, closes)
            && c <= o
        {
            errors.push(FieldError::new("closes", "วันปิดรับลงทะเบียนต้องอยู่หลังวันเปิดรับ"));
        }
        if let (Some(c), Some(e)) = (closes, ends)
            && c > e
        {
            errors.push(FieldError::new("closes", "ต้องปิดรับลงทะเบียนก่อนกิจกรรมจบ"));
        }
        let cap = arabic(self.capacity.trim()).replace(',', "");
        let capacity = if cap.is_empty() {
            None
        } else {
            match cap.parse::<u32>() {
                Ok(n) if (1..=100_000).contains(&n) => Some(n),
                _ => {
                    errors.push(FieldError::new(
                        "capacity",
                        "จำนวนที่นั่งต้องเป็นตัวเลข 1 ขึ้นไป หรือเว้นว่างถ้าไม่จำกัด",
                    ));
                    None
                }
            }
        };
        let id = |s: &str| arabic(s.trim()).parse::<i64>().ok();
        let audience = match self.audience.trim() {
            "" | "public" => Some(Audience::Public),
            "signed_in" => Some(Audience::SignedIn),
            "unit" => id(&self.audience_unit).map(|u| Audience::Unit(UnitId(u))),
            "community" => {
                id(&self.audience_community).map(|c| Audience::Community(CommunityId(c)))
            }
            _ => None,
        };
        if audience.is_none() {
            let field = if self.audience.trim() == "community" {
                "audience_community"
            } else if self.audience.trim() == "unit" {
                "audience_unit"
            } else {
                "audience"
            };
            errors.push(FieldError::new(
                field,
                "กรุณาเลือกกลุ่มเป้าหมาย (หน่วยงานหรือชุมชนที่เปิดให้ลงทะเบียน)",
            ));
        }
        let mut agenda = Vec::new();
        for (n, l) in self
            .agenda
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            let mut parts = l.splitn(3, '|').map(tidy);
            let time = parts.next().unwrap_or_default();
            let topic = parts.next().unwrap_or_default();
            let speaker = parts.next().unwrap_or_default();
            if topic.is_empty()
                || grapheme_len(&time) > 40
                || grapheme_len(&topic) > 300
                || grapheme_len(&speaker) > 200
            {
                errors.push(FieldError::new(
                    "agenda",
                    format!(
                        "กำหนดการบรรทัดที่ {}: เขียนเป็น เวลา | หัวข้อ | วิทยากร (หัวข้อต้องมี)",
                        n + 1
                    ),
                ));
                break;
            }
            agenda.push(AgendaRow {
                time,
                topic,
                speaker,
            });
        }
        if agenda.len() > 60 {
            errors.push(FieldError::new("agenda", "กำหนดการยาวเกิน 60 บรรทัด"));
        }
        match (kind, unit, starts, ends, audience) {
            (Some(kind), Some(unit_id), Some(starts_at), Some(ends_at), Some(audience))
                if errors.is_empty() =>
            {
                Ok(EventFields {
                    title,
                    kind,
                    unit_id,
                    description,
                    place,
                    online_url,
                    starts_at,
                    ends_at,
                    capacity,
                    waitlist: matches!(self.waitlist.trim(), "on" | "true" | "1" | "yes"),
                    opens_at: opens,
                    closes_at: closes,
                    audience,
                    agenda,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Reads an item number as typed: `12`, `๑๒`, `#12` or a URL ending in `/items/12`.
pub fn item_number(s: &str) -> Option<ItemId> {
    let s = arabic(s.trim());
    let s = s.trim_end_matches('/');
    let tail = s.rsplit('/').next().unwrap_or(s).trim_start_matches('#');
    let tail = tail.split(['?', '#']).next().unwrap_or(tail);
    tail.parse::<i64>().ok().filter(|n| *n > 0).map(ItemId)
}

/// A booth form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct BoothDraft {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub description: String,
    /// Item numbers or URLs, separated by commas, spaces or lines.
    #[serde(default)]
    pub items: String,
}

impl BoothDraft {
    pub fn parse(&self) -> Result<BoothFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = line(&self.name, "booth_name", "ชื่อบูธ", 200, &mut errors);
        if name.is_empty() {
            errors.push(FieldError::new("booth_name", "กรุณาใส่ชื่อบูธ"));
        }
        let unit = arabic(self.unit.trim()).parse::<i64>().ok().map(UnitId);
        if unit.is_none() {
            errors.push(FieldError::new("booth_unit", "กรุณาเลือกหน่วยงานเจ้าของบูธ"));
        }
        let description = tidy_multiline(&self.description);
        if grapheme_len(&description) > 1000 {
            errors.push(FieldError::new(
                "booth_description",
                "คำอธิบายยาวเกิน 1,000 ตัวอักษร",
            ));
        }
        let mut items = Vec::new();
        for w in self
            .items
            .split([',', ' ', '\n', '\r', '\t'])
            .filter(|w| !w.trim().is_empty())
        {
            match item_number(w) {
                Some(i) if !items.contains(&i) => items.push(i),
                Some(_) => {}
                None => {
                    errors.push(FieldError::new(
                        "booth_items",
                        format!("\"{}\" ไม่ใช่เลขที่องค์ความรู้", tidy(w)),
                    ));
                    break;
                }
            }
        }
        if items.len() > 30 {
            errors.push(FieldError::new(
                "booth_items",
                "บูธหนึ่งนำเสนอได้ไม่เกิน 30 องค์ความรู้",
            ));
        }
        match unit {
            Some(unit_id) if errors.is_empty() => Ok(BoothFields {
                name,
                unit_id,
                description,
                items,
            }),
            _ => Err(errors),
        }
    }
}
