//! Page numbers and page sizes as they arrive in links and API queries, bounded when parsed
//! so that no list, search or offset computation downstream can overflow.

use crate::FieldError;
use crate::text::arabic_digits;
use std::fmt;

/// The highest page anyone may ask for. At 100 per page that is a million rows in: past
/// any real list here, and far from where `(page - 1) * per_page` could overflow.
pub const MAX_PAGE: u64 = 10_000;

/// A 1-based page number, 1..=[`MAX_PAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageNumber(u64);

impl PageNumber {
    pub const FIRST: PageNumber = PageNumber(1);

    /// Thai or Arabic digits, surrounding space ignored; empty means the first page.
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = arabic_digits(s.trim());
        if s.is_empty() {
            return Ok(Self::FIRST);
        }
        match s.parse::<u64>() {
            Ok(n @ 1..=MAX_PAGE) => Ok(Self(n)),
            _ => Err(FieldError::new(
                "page",
                "เลขหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 10,000 — กลับไปหน้าแรกของรายการแล้วเลือกหน้าใหม่",
            )),
        }
    }

    /// An optional query value: absent is the first page.
    pub fn parse_opt(s: Option<&str>) -> Result<Self, FieldError> {
        s.map_or(Ok(Self::FIRST), Self::parse)
    }

    /// For links people follow and edit (pages, search): what is not a page number at all
    /// (`abc`, `0`, `-5`) means the first page, as it always has; a number past
    /// [`MAX_PAGE`] is still refused, since no list reaches it.
    pub fn parse_or_first(s: Option<&str>) -> Result<Self, FieldError> {
        let digits = arabic_digits(s.unwrap_or("").trim());
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.trim_start_matches('0').is_empty()
        {
            Self::parse(&digits)
        } else {
            Ok(Self::FIRST)
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for PageNumber {
    fn default() -> Self {
        Self::FIRST
    }
}

impl fmt::Display for PageNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Rows per page, 1..=`max` (the list's own ceiling, at most 100 everywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PerPage(u64);

impl PerPage {
    /// The most any list returns at once.
    pub const MAX: u64 = 100;

    /// Empty gives `default`; anything outside 1..=`max` is refused.
    pub fn parse(s: &str, default: u64, max: u64) -> Result<Self, FieldError> {
        let max = max.min(Self::MAX);
        let s = arabic_digits(s.trim());
        if s.is_empty() {
            return Ok(Self(default.clamp(1, max)));
        }
        match s.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(Self(n)),
            _ => Err(FieldError::new(
                "per_page",
                format!("จำนวนต่อหน้าต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง {max}"),
            )),
        }
    }

    /// An optional query value.
    pub fn parse_opt(s: Option<&str>, default: u64, max: u64) -> Result<Self, FieldError> {
        Self::parse(s.unwrap_or(""), default, max)
    }

    /// For links people edit (search): junk gives `default`, too many gives `max`.
    pub fn parse_or_default(s: Option<&str>, default: u64, max: u64) -> Self {
        let max = max.min(Self::MAX);
        let digits = arabic_digits(s.unwrap_or("").trim());
        match digits.parse::<u64>() {
            Ok(n) if n >= 1 => Self(n.min(max)),
            Err(_) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => Self(max),
            _ => Self(default.clamp(1, max)),
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded_when_parsed() {
        assert_eq!(PageNumber::parse("").unwrap().get(), 1);
        assert_eq!(PageNumber::parse(" 3 ").unwrap().get(), 3);
        assert_eq!(PageNumber::parse("๑๒").unwrap().get(), 12);
        assert_eq!(PageNumber::parse("10000").unwrap().get(), MAX_PAGE);
        for bad in [
            "0",
            "-5",
            "10001",
            "461168601842738792",
            "9223372036854775807",
            "99999999999999999999999",
            "1.5",
            "abc",
        ] {
            let e = PageNumber::parse(bad).unwrap_err();
            assert_eq!(e.field, "page", "{bad}");
            assert!(e.message.contains("10,000"), "{}", e.message);
        }
        // The largest offset any list can be asked for fits comfortably.
        assert!((MAX_PAGE - 1).checked_mul(PerPage::MAX).is_some());
    }

    #[test]
    fn links_people_edit_fall_back_to_the_first_page_but_not_past_the_last() {
        for junk in [
            None,
            Some(""),
            Some("abc"),
            Some("0"),
            Some("000"),
            Some("-5"),
            Some("1.5"),
        ] {
            assert_eq!(
                PageNumber::parse_or_first(junk).unwrap(),
                PageNumber::FIRST,
                "{junk:?}"
            );
        }
        assert_eq!(PageNumber::parse_or_first(Some("๗")).unwrap().get(), 7);
        for huge in ["10001", "9223372036854775807", "99999999999999999999999"] {
            assert!(PageNumber::parse_or_first(Some(huge)).is_err(), "{huge}");
        }
        assert_eq!(PerPage::parse_or_default(Some("-5"), 10, 50).get(), 10);
        assert_eq!(PerPage::parse_or_default(Some("500"), 10, 50).get(), 50);
        assert_eq!(
            PerPage::parse_or_default(Some("99999999999999999999"), 10, 50).get(),
            50
        );
        assert_eq!(PerPage::parse_or_default(None, 10, 50).get(), 10);
    }

    #[test]
    fn page_sizes_are_bounded_by_the_list() {
        assert_eq!(PerPage::parse("", 20, 100).unwrap().get(), 20);
        assert_eq!(PerPage::parse("50", 20, 50).unwrap().get(), 50);
        assert_eq!(PerPage::parse("", 500, 1000).unwrap().get(), 100);
        for bad in ["0", "51", "-1", "x", "18446744073709551616"] {
            assert_eq!(PerPage::parse(bad, 10, 50).unwrap_err().field, "per_page");
        }
    }
}
