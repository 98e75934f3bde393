//! Periods and quantities as Thai people write them in the forms, both ways:
//! [`Period::label_th`] / [`Period::parse_th`] and [`Quantity::label_th`] /
//! [`Quantity::parse_th`]. Whatever `label_th` writes, `parse_th` reads back unchanged; the
//! seed's own spellings ("พฤษภาคม - มิถุนายน ๒๕๖๔", "ระหว่างวันที่ ๒๓-๒๕ มีนาคม ๒๕๖๔",
//! "กรกฎาคม- สิงหาคม ๒๕๖๔") are read as well.

use super::model::{FISCAL_MONTHS_TH, FISCAL_MONTHS_TH_LONG, FiscalYear, Period, Quantity};
use crate::error::FieldError;
use time::{Date, Month};

/// Short Thai month names by calendar month (index 0 = มกราคม).
const MONTHS_SHORT: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];

fn short_month(m: Month) -> &'static str {
    MONTHS_SHORT[usize::from(u8::from(m)) - 1]
}

/// The message for a period outside the plan's year, e.g. "ระยะเวลาต้องอยู่ในปีงบประมาณ 2568
/// (1 ต.ค. 2567 – 30 ก.ย. 2568)".
pub fn outside_year_message(year: FiscalYear) -> String {
    format!(
        "ระยะเวลาต้องอยู่ในปีงบประมาณ {} (1 ต.ค. {} – 30 ก.ย. {})",
        year.be(),
        year.be() - 1,
        year.be()
    )
}

impl Period {
    /// The whole fiscal year.
    pub const WHOLE_YEAR: Period = Period::Months { mask: 0x0fff };

    /// The period's Thai label in the fiscal year: "พ.ค. – มิ.ย. 2568", "23–25 มี.ค. 2568",
    /// "ต.ค. 2567, ธ.ค. 2567", "ต.ค. 2567 – ก.ย. 2568".
    pub fn label_th(&self, year: FiscalYear) -> String {
        match *self {
            Period::Months { mask } => {
                let mask = mask & 0x0fff;
                let mut runs: Vec<(usize, usize)> = Vec::new();
                for i in 0..12 {
                    if mask & (1 << i) == 0 {
                        continue;
                    }
                    match runs.last_mut() {
                        Some((_, end)) if *end + 1 == i => *end = i,
                        _ => runs.push((i, i)),
                    }
                }
                runs.iter()
                    .map(|&(a, b)| {
                        let (ya, ma) = year.month_at(a);
                        let (yb, mb) = year.month_at(b);
                        if a == b {
                            format!("{} {}", short_month(ma), ya + 543)
                        } else if ya == yb {
                            format!("{} – {} {}", short_month(ma), short_month(mb), yb + 543)
                        } else {
                            format!(
                                "{} {} – {} {}",
                                short_month(ma),
                                ya + 543,
                                short_month(mb),
                                yb + 543
                            )
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }
            Period::Dates { start, end } => {
                let (ys, ye) = (start.year() + 543, end.year() + 543);
                let (ms, me) = (short_month(start.month()), short_month(end.month()));
                if start == end {
                    format!("{} {ms} {ys}", start.day())
                } else if ys == ye && start.month() == end.month() {
                    format!("{}–{} {ms} {ys}", start.day(), end.day())
                } else if ys == ye {
                    format!("{} {ms} – {} {me} {ye}", start.day(), end.day())
                } else {
                    format!("{} {ms} {ys} – {} {me} {ye}", start.day(), end.day())
                }
            }
        }
    }

    /// Reads a period back: every [`Period::label_th`] output and the forms' own spellings,
    /// Thai or Arabic digits. Months are kept as months, days as dates; everything must lie
    /// in `year`.
    pub fn parse_th(text: &str, year: FiscalYear) -> Result<Period, FieldError> {
        let bad = || {
            FieldError::new(
                "period",
                "อ่านระยะเวลาไม่ได้ กรุณาเลือกเดือน หรือเขียนเช่น \"พ.ค. – มิ.ย. 2568\" หรือ \"23–25 มี.ค. 2568\"",
            )
        };
        let outside = || FieldError::new("period", outside_year_message(year));
        let mut t = crate::text::arabic_digits(text);
        for word in ["ระหว่างวันที่", "ระหว่าง", "วันที่", "เดือน"]
        {
            t = t.replace(word, " ");
        }
        for dash in ['–', '—', '−', '~'] {
            t = t.replace(dash, "-");
        }
        t = t.replace("ถึง", "-");
        if t.trim().is_empty() {
            return Err(FieldError::new("period", "กรุณาระบุระยะเวลา"));
        }
        let mut mask = 0u16;
        let mut dates: Option<(Date, Date)> = None;
        let parts: Vec<&str> = t
            .split([',', '/'])
            .filter(|p| !p.trim().is_empty())
            .collect();
        for part in &parts {
            let sides: Vec<&str> = part.split('-').collect();
            if sides.len() > 2 || sides.iter().any(|s| s.trim().is_empty()) {
                return Err(bad());
            }
            let mut parsed: Vec<Side> = sides
                .iter()
                .map(|s| Side::read(s))
                .collect::<Option<_>>()
                .ok_or_else(bad)?;
            // "23-25 มีนาคม 2568": the right side lends its month and year to the left.
            if parsed.len() == 2 {
                let right = parsed[1];
                let left = &mut parsed[0];
                if left.month.is_none() {
                    left.month = right.month;
                }
                if left.year.is_none() {
                    left.year = match (left.month, right.month, right.year) {
                        (Some(a), Some(b), Some(y)) if a > b => Some(y - 1),
                        (_, _, y) => y,
                    };
                }
            }
            let mut points = Vec::new();
            for s in &parsed {
                let month = s.month.ok_or_else(bad)?;
                let y = s.year.unwrap_or(if month >= 10 {
                    year.be() - 1
                } else {
                    year.be()
                }) - 543;
                let m = Month::try_from(month).map_err(|_| bad())?;
                points.push((y, m, s.day));
            }
            let with_days = points.iter().any(|p| p.2.is_some());
            if with_days {
                if parts.len() > 1 || dates.is_some() {
                    return Err(FieldError::new(
                        "period",
                        "ระบุช่วงวันที่ได้ช่วงเดียว หากมีหลายช่วงกรุณาเลือกเป็นเดือน",
                    ));
                }
                let to_date = |(y, m, d): (i32, Month, Option<u8>), last: bool| {
                    let d = match d {
                        Some(d) => d,
                        None if last => m.length(y),
                        None => 1,
                    };
                    Date::from_calendar_date(y, m, d).map_err(|_| bad())
                };
                let start = to_date(points[0], false)?;
                let end = to_date(*points.last().expect("one side at least"), true)?;
                dates = Some((start, end));
            } else {
                let index = |(y, m, _): (i32, Month, Option<u8>)| {
                    let d = Date::from_calendar_date(y, m, 1).map_err(|_| bad())?;
                    year.month_index(d).ok_or_else(outside)
                };
                let a = index(points[0])?;
                let b = index(*points.last().expect("one side at least"))?;
                if a > b {
                    return Err(FieldError::new("period", "เดือนเริ่มต้องไม่อยู่หลังเดือนสิ้นสุด"));
                }
                mask |= (a..=b).fold(0u16, |m, i| m | 1 << i);
            }
        }
        let period = match dates {
            Some((start, end)) => Period::Dates { start, end },
            None => Period::Months { mask },
        };
        period
            .check(year)
            .map_err(|m| FieldError::new("period", m))?;
        Ok(period)
    }

    /// Why the period cannot be in a plan of `year`, if it cannot.
    pub fn check(&self, year: FiscalYear) -> Result<(), String> {
        match *self {
            Period::Months { mask } => {
                if mask & 0x0fff == 0 {
                    return Err("กรุณาเลือกอย่างน้อยหนึ่งเดือน".into());
                }
                if mask & !0x0fff != 0 {
                    return Err(outside_year_message(year));
                }
            }
            Period::Dates { start, end } => {
                if start > end {
                    return Err("วันเริ่มต้องไม่อยู่หลังวันสิ้นสุด".into());
                }
                if !year.contains(start) || !year.contains(end) {
                    return Err(outside_year_message(year));
                }
            }
        }
        Ok(())
    }

    /// The same period a year later (a copy of last year's plan); None when it cannot be
    /// (29 February).
    pub fn next_year(&self) -> Option<Period> {
        match *self {
            Period::Months { mask } => Some(Period::Months { mask }),
            Period::Dates { start, end } => {
                let shift = |d: Date| d.replace_year(d.year() + 1).ok();
                Some(Period::Dates {
                    start: shift(start)?,
                    end: shift(end)?,
                })
            }
        }
    }
}

/// One side of a range: "23", "มีนาคม", "25 มี.ค. 2568", "ต.ค. 67".
#[derive(Debug, Clone, Copy, Default)]
struct Side {
    day: Option<u8>,
    /// Calendar month 1..=12.
    month: Option<u8>,
    /// BE year.
    year: Option<i32>,
}

impl Side {
    fn read(s: &str) -> Option<Side> {
        let mut side = Side::default();
        let mut rest = s.trim();
        while !rest.is_empty() {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '.');
            if rest.is_empty() {
                break;
            }
            if rest.starts_with(|c: char| c.is_ascii_digit()) {
                let end = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                let n: i32 = rest[..end].parse().ok()?;
                rest = &rest[end..];
                if side.month.is_none() && side.day.is_none() && (1..=31).contains(&n) {
                    side.day = Some(n as u8);
                } else if side.year.is_none() && n >= 2400 {
                    side.year = Some(n);
                } else if side.year.is_none() && (1900..2400).contains(&n) {
                    side.year = Some(n + 543);
                } else if side.year.is_none() && side.month.is_some() && (0..100).contains(&n) {
                    side.year = Some(2500 + n);
                } else {
                    return None;
                }
                continue;
            }
            let (month, len) = month_at_start(rest)?;
            if side.month.is_some() {
                return None;
            }
            side.month = Some(month);
            rest = &rest[len..];
        }
        // A lone number is a day only when a month follows on the other side.
        Some(side)
    }
}

/// The calendar month a Thai month name at the start of `s` names, and its length in bytes:
/// full names, short names with or without dots ("พ.ค.", "พค").
fn month_at_start(s: &str) -> Option<(u8, usize)> {
    let mut best: Option<(u8, usize)> = None;
    for (i, long) in FISCAL_MONTHS_TH_LONG.iter().enumerate() {
        let month = ((i + 9) % 12 + 1) as u8;
        let short = FISCAL_MONTHS_TH[i];
        let bare: String = short.chars().filter(|c| *c != '.').collect();
        for name in [long.to_string(), short.to_string(), bare] {
            if s.starts_with(name.as_str()) && best.is_none_or(|(_, l)| name.len() > l) {
                best = Some((month, name.len()));
            }
        }
    }
    best
}

impl Quantity {
    /// "60 องค์ความรู้", "ร้อยละ 90", "12 คน", or the words alone.
    pub fn label_th(&self) -> String {
        match self.number {
            None => self.unit.clone(),
            Some(n) => {
                let n = format_number(n);
                if self.unit == "ร้อยละ" {
                    format!("ร้อยละ {n}")
                } else if self.unit.is_empty() {
                    n
                } else {
                    format!("{n} {}", self.unit)
                }
            }
        }
    }

    /// Reads "๖๐ องค์ความรู้", "60 องค์ความรู้", "ร้อยละ 90", "1,200 คน"; any other text
    /// ("อย่างน้อย ๖๐ คน", "คณะทำงานประมวลฯ") is kept as words without a number.
    pub fn parse_th(text: &str) -> Quantity {
        let t = crate::text::tidy(&crate::text::arabic_digits(text));
        if let Some(rest) = t.strip_prefix("ร้อยละ")
            && let Some(n) = number(rest.trim())
        {
            return Quantity {
                number: Some(n),
                unit: "ร้อยละ".into(),
            };
        }
        let end = t
            .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
            .unwrap_or(t.len());
        if end > 0
            && let Some(n) = number(&t[..end])
        {
            return Quantity {
                number: Some(n),
                unit: t[end..].trim().to_string(),
            };
        }
        Quantity {
            number: None,
            unit: t,
        }
    }
}

fn number(s: &str) -> Option<f64> {
    let s: String = s.chars().filter(|c| *c != ',').collect();
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// 60 → "60", 2.5 → "2.5".
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n}");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn y(n: i32) -> FiscalYear {
        FiscalYear::parse(&n.to_string()).unwrap()
    }

    fn months(list: &[usize]) -> Period {
        Period::Months {
            mask: list.iter().fold(0, |m, i| m | 1 << i),
        }
    }

    #[test]
    fn labels() {
        let fy = y(2568);
        assert_eq!(months(&[7, 8]).label_th(fy), "พ.ค. – มิ.ย. 2568");
        assert_eq!(months(&[0, 2]).label_th(fy), "ต.ค. 2567, ธ.ค. 2567");
        assert_eq!(Period::WHOLE_YEAR.label_th(fy), "ต.ค. 2567 – ก.ย. 2568");
        assert_eq!(months(&[6]).label_th(fy), "เม.ย. 2568");
        let d = Period::Dates {
            start: date!(2025 - 03 - 23),
            end: date!(2025 - 03 - 25),
        };
        assert_eq!(d.label_th(fy), "23–25 มี.ค. 2568");
        let d = Period::Dates {
            start: date!(2024 - 12 - 30),
            end: date!(2025 - 01 - 02),
        };
        assert_eq!(d.label_th(fy), "30 ธ.ค. 2567 – 2 ม.ค. 2568");
    }

    #[test]
    fn seed_spellings() {
        let fy = y(2564);
        assert_eq!(Period::parse_th("เมษายน ๒๕๖๔", fy).unwrap(), months(&[6]));
        assert_eq!(
            Period::parse_th("พฤษภาคม - มิถุนายน ๒๕๖๔", fy).unwrap(),
            months(&[7, 8])
        );
        assert_eq!(
            Period::parse_th("กรกฎาคม- สิงหาคม ๒๕๖๔", fy).unwrap(),
            months(&[9, 10])
        );
        assert_eq!(
            Period::parse_th("ระหว่างวันที่ ๒๓-๒๕ มีนาคม ๒๕๖๔", fy).unwrap(),
            Period::Dates {
                start: date!(2021 - 03 - 23),
                end: date!(2021 - 03 - 25)
            }
        );
        assert_eq!(
            Period::parse_th("ระหว่างวันที่ ๒๓ - ๒๕ มีนาคม ๒๕๖๔", fy).unwrap(),
            Period::parse_th("23–25 มี.ค. 2564", fy).unwrap()
        );
        assert_eq!(
            Period::parse_th("พฤษภาคม - กันยายน ๒๕๖๔", fy).unwrap(),
            months(&[7, 8, 9, 10, 11])
        );
    }

    #[test]
    fn outside_the_year_is_refused() {
        let fy = y(2568);
        let e = Period::parse_th("เมษายน 2569", fy).unwrap_err();
        assert_eq!(
            e.message,
            "ระยะเวลาต้องอยู่ในปีงบประมาณ 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)"
        );
        assert!(Period::parse_th("1–3 ต.ค. 2568", fy).is_err());
        assert!(Period::parse_th("มิ.ย. – พ.ค. 2568", fy).is_err());
        assert!(Period::parse_th("", fy).is_err());
        assert!(Period::parse_th("เร็ว ๆ นี้", fy).is_err());
        assert!(Period::Months { mask: 0 }.check(fy).is_err());
        assert!(
            Period::Dates {
                start: date!(2025 - 03 - 25),
                end: date!(2025 - 03 - 23)
            }
            .check(fy)
            .is_err()
        );
    }

    #[test]
    fn every_label_reads_back() {
        let fy = y(2568);
        // Every month mask.
        for mask in 1u16..=0x0fff {
            let p = Period::Months { mask };
            let label = p.label_th(fy);
            assert_eq!(Period::parse_th(&label, fy).unwrap(), p, "{label}");
            // Thai digits too.
            let thai = crate::text::thai_digits(&label);
            assert_eq!(Period::parse_th(&thai, fy).unwrap(), p, "{thai}");
        }
        // A spread of date ranges across the year.
        let first = fy.first_day();
        for a in (0..365).step_by(7) {
            for len in [0i64, 1, 2, 5, 31, 70] {
                let start = first + time::Duration::days(a);
                let end = start + time::Duration::days(len);
                if !fy.contains(end) {
                    continue;
                }
                let p = Period::Dates { start, end };
                let label = p.label_th(fy);
                assert_eq!(Period::parse_th(&label, fy).unwrap(), p, "{label}");
            }
        }
    }

    #[test]
    fn quantities() {
        let q = Quantity::parse_th("๖๐ องค์ความรู้");
        assert_eq!(q.number, Some(60.0));
        assert_eq!(q.unit, "องค์ความรู้");
        assert_eq!(q.label_th(), "60 องค์ความรู้");
        assert_eq!(Quantity::parse_th("ร้อยละ ๙๐").label_th(), "ร้อยละ 90");
        assert_eq!(Quantity::parse_th("1,200 คน").number, Some(1200.0));
        let words = Quantity::parse_th("อย่างน้อย ๖๐ คน");
        assert_eq!(words.number, None);
        assert_eq!(words.label_th(), "อย่างน้อย 60 คน");
        for text in [
            "60 องค์ความรู้",
            "ร้อยละ 90",
            "12 คน",
            "2.5 ชั่วโมง",
            "คณะทำงานประมวลฯ",
            "7",
        ] {
            let q = Quantity::parse_th(text);
            assert_eq!(q.label_th(), text);
            assert_eq!(Quantity::parse_th(&q.label_th()), q);
        }
    }
}
