//! Thai text: digits, Buddhist-Era dates, and lengths counted in graphemes
//! (Thai stacks vowels and tone marks, so `chars().count()` over-counts).

mod be_date;
pub mod newmm;
pub mod normalize;
pub mod segment;
mod tcc;

pub use be_date::{
    BANGKOK, fiscal_year_be, format_be_date, format_be_date_long, format_be_datetime,
};

pub use normalize::normalize;
pub use segment::{Segmenter, Token};

use unicode_segmentation::UnicodeSegmentation;

/// Length as a reader counts it: ก่ is one character, not two.
pub fn grapheme_len(s: &str) -> usize {
    s.graphemes(true).count()
}

/// Thai digits ๐–๙ → 0–9; everything else unchanged. Search, sorting and numeric input
/// treat both digit sets as equal.
pub fn arabic_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0E50}'..='\u{0E59}' => char::from(b'0' + (c as u32 - 0x0E50) as u8),
            c => c,
        })
        .collect()
}

/// 0–9 → ๐–๙, for sites that show Thai digits as official documents do.
pub fn thai_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x0E50 + (c as u32 - '0' as u32)).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// Trims and collapses inner runs of whitespace to one space; removes zero-width characters
/// that Thai keyboards and copy-paste leave behind.
pub fn tidy(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
            )
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Like [`tidy`] but keeps line breaks (comments, summaries): trims each line, drops
/// zero-width characters and runs of more than one blank line.
pub fn tidy_multiline(s: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in s.replace("\r\n", "\n").lines() {
        let t = tidy(line);
        if t.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(t);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thai_marks_count_as_one_grapheme() {
        assert_eq!(grapheme_len("อสม."), 4);
        assert_eq!(grapheme_len("ก่"), 1);
        assert_eq!("ก่".chars().count(), 2);
    }

    #[test]
    fn digits_round_trip() {
        assert_eq!(arabic_digits("ปี ๒๕๖๗"), "ปี 2567");
        assert_eq!(thai_digits("15 ก.พ. 2567"), "๑๕ ก.พ. ๒๕๖๗");
        assert_eq!(arabic_digits(&thai_digits("0123456789")), "0123456789");
    }

    #[test]
    fn tidy_multiline_keeps_paragraphs() {
        assert_eq!(
            tidy_multiline("\n  ข้อ 1  \r\n\n\n ข้อ 2\n\n"),
            "ข้อ 1\n\nข้อ 2"
        );
        assert_eq!(tidy_multiline("  \n \u{200B} "), "");
    }

    #[test]
    fn tidy_drops_zero_width_and_extra_space() {
        assert_eq!(tidy("  กอง\u{200B}สุขศึกษา \n  ภาค  "), "กองสุขศึกษา ภาค");
    }
}
