//! Buddhist-Era dates (พ.ศ. = ค.ศ. + 543) with Thai month names, shown in Asia/Bangkok time.

use time::{Month, OffsetDateTime, UtcOffset};

/// Thailand keeps UTC+7 all year (no daylight saving).
pub const BANGKOK: UtcOffset = match UtcOffset::from_hms(7, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

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
const MONTHS_LONG: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];

fn month_index(m: Month) -> usize {
    m as usize - 1
}

/// `15 ก.พ. 2567` — for lists.
pub fn format_be_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(BANGKOK);
    format!(
        "{} {} {}",
        t.day(),
        MONTHS_SHORT[month_index(t.month())],
        t.year() + 543
    )
}

/// `15 กุมภาพันธ์ 2567` — for item pages and documents.
pub fn format_be_date_long(t: OffsetDateTime) -> String {
    let t = t.to_offset(BANGKOK);
    format!(
        "{} {} {}",
        t.day(),
        MONTHS_LONG[month_index(t.month())],
        t.year() + 543
    )
}

/// `15 ก.พ. 2567 09:30 น.`
pub fn format_be_datetime(t: OffsetDateTime) -> String {
    let b = t.to_offset(BANGKOK);
    format!("{} {:02}:{:02} น.", format_be_date(t), b.hour(), b.minute())
}

/// The government fiscal year (1 Oct – 30 Sep), named by the BE year it ends in:
/// 1 Oct 2023 belongs to ปีงบประมาณ 2567.
pub fn fiscal_year_be(t: OffsetDateTime) -> i32 {
    let t = t.to_offset(BANGKOK);
    let be = t.year() + 543;
    if t.month() as u8 >= 10 { be + 1 } else { be }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn be_dates_in_bangkok_time() {
        let t = datetime!(2024-02-14 20:00 UTC); // 03:00 on the 15th in Bangkok
        assert_eq!(format_be_date(t), "15 ก.พ. 2567");
        assert_eq!(format_be_date_long(t), "15 กุมภาพันธ์ 2567");
        assert_eq!(format_be_datetime(t), "15 ก.พ. 2567 03:00 น.");
    }

    #[test]
    fn fiscal_year_turns_on_first_of_october() {
        assert_eq!(fiscal_year_be(datetime!(2023-09-30 12:00 +7)), 2566);
        assert_eq!(fiscal_year_be(datetime!(2023-10-01 00:00 +7)), 2567);
        assert_eq!(fiscal_year_be(datetime!(2024-09-30 23:59 +7)), 2567);
    }
}
