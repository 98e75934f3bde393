//! Rules every text field shares, whichever form or API it arrives through.
//!
//! Control characters (NUL, ESC, DEL, the C1 range …) are refused outright rather than
//! dropped: nobody types them, they make text that looks the same compare differently, and
//! PostgreSQL cannot store NUL at all while SQLite can — letting them through would make the
//! two backends disagree about the same input. Tab, line feed and carriage return are
//! whitespace: single-line fields fold them into one space ([`crate::text::tidy`]), multi-line
//! ones keep the line breaks.

use crate::FieldError;

/// A character no text field accepts.
pub fn is_refused_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Refuses `s` if it holds a control character, with a Thai message naming the field by its
/// label on the form (`label`, e.g. "ชื่อเรื่อง") and by its key for the API (`field`).
pub fn refuse_controls(field: &'static str, label: &str, s: &str) -> Result<(), FieldError> {
    match s.chars().position(is_refused_control) {
        None => Ok(()),
        Some(at) => Err(FieldError::new(
            field,
            format!(
                "{label}มีอักขระควบคุมที่มองไม่เห็น (ตำแหน่งที่ {}) — กรุณาลบออก หรือพิมพ์ข้อความนั้นใหม่แทนการคัดลอกมาวาง",
                at + 1
            ),
        )),
    }
}

/// [`refuse_controls`] over each entry of a list field (tags, authors, links).
pub fn refuse_controls_in(
    field: &'static str,
    label: &str,
    values: &[String],
) -> Result<(), FieldError> {
    values
        .iter()
        .try_for_each(|v| refuse_controls(field, label, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_other_controls_are_refused_with_the_field_named() {
        for bad in [
            "ก\0ข",
            "\u{1}",
            "a\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}x",
        ] {
            let e = refuse_controls("title", "ชื่อเรื่อง", bad).unwrap_err();
            assert_eq!(e.field, "title");
            assert!(e.message.starts_with("ชื่อเรื่องมีอักขระควบคุม"), "{e:?}");
        }
    }

    #[test]
    fn whitespace_thai_and_format_characters_pass() {
        for ok in [
            "",
            "ข้อ 1\r\nข้อ 2\tท้าย",
            "อสม. ๑๒๓",
            "ก\u{200B}ข", // zero-width space: a format character, tidied elsewhere
            "emoji 👍🏽",
        ] {
            assert!(refuse_controls("body", "เนื้อหา", ok).is_ok(), "{ok:?}");
        }
        assert!(refuse_controls_in("tags", "คำสำคัญ", &["ก".into(), "ข\0".into()]).is_err());
    }
}
