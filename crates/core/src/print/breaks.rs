//! Zero-width spaces between Thai words, so a typesetter breaks lines between words.

use crate::text::Segmenter;
use crate::text::normalize::is_thai_mark;

/// U+200B: an invisible break opportunity.
pub const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// Thai letters, vowels, digits and signs (the Thai block).
fn is_thai(c: char) -> bool {
    ('\u{0E01}'..='\u{0E5B}').contains(&c)
}

/// `text` with U+200B between adjacent Thai words, as the segmenter cuts them; nothing else
/// changes (spaces, Latin words and line breaks stay as they are, and no break is put before a
/// vowel or tone mark). Existing zero-width spaces are kept, none is doubled.
pub fn break_words(segmenter: &Segmenter, text: &str) -> String {
    if !text.chars().any(is_thai) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    // Whitespace-separated pieces bound the work of one segmenter call (and the segmenter
    // never joins across whitespace anyway).
    for piece in text.split_inclusive(char::is_whitespace) {
        if !piece.chars().any(is_thai) {
            out.push_str(piece);
            continue;
        }
        let spans = segmenter.dictionary().segment(piece);
        let mut prev: Option<char> = None;
        for (start, end) in spans {
            let word = &piece[start..end];
            if let (Some(before), Some(first)) = (prev, word.chars().next())
                && is_thai(before)
                && is_thai(first)
                && !is_thai_mark(first)
            {
                out.push(ZERO_WIDTH_SPACE);
            }
            out.push_str(word);
            prev = word.chars().next_back().or(prev);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static SEG: LazyLock<Segmenter> = LazyLock::new(Segmenter::general);

    #[test]
    fn thai_words_get_a_zero_width_space_between_them() {
        let out = break_words(&SEG, "การจัดการความรู้ของหน่วยงาน");
        assert!(out.contains(ZERO_WIDTH_SPACE), "{out:?}");
        assert_eq!(out.replace(ZERO_WIDTH_SPACE, ""), "การจัดการความรู้ของหน่วยงาน");
        // Never before a vowel or tone mark.
        for (i, c) in out.char_indices() {
            if c == ZERO_WIDTH_SPACE {
                let next = out[i + c.len_utf8()..].chars().next().unwrap();
                assert!(!is_thai_mark(next), "{out:?}");
            }
        }
    }

    #[test]
    fn other_text_is_unchanged() {
        for s in ["", "KM plan 2568", "ก", "สวัสดี ครับ\nบรรทัดใหม่"]
        {
            let out = break_words(&SEG, s);
            assert_eq!(out.replace(ZERO_WIDTH_SPACE, ""), s);
        }
        assert_eq!(break_words(&SEG, "KM plan 2568"), "KM plan 2568");
        assert!(!break_words(&SEG, "ครับ KM").contains(ZERO_WIDTH_SPACE));
    }
}
