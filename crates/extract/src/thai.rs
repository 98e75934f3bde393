//! Repairs Thai text that comes out of fonts rather than keyboards.
//!
//! Three faults show up in text taken from PDFs (and in text pasted from them into Office
//! files), and each one splits a word so search cannot find it:
//!
//! 1. **Private-use glyphs.** Thai fonts without OpenType positioning (Windows' Tahoma,
//!    Angsana, the *UPC family, and Mac fonts) draw a shifted tone mark or a consonant with
//!    its descender removed as a separate glyph in the Private Use Area, and a PDF's
//!    ToUnicode map often hands that code point back. [`pua_to_thai`] maps both known
//!    blocks back: Windows U+F700–U+F71A and Mac U+F884–U+F89E. The table is the one
//!    HarfBuzz's Thai fallback shaper uses to *produce* those glyphs (hb-ot-shaper-thai.cc:
//!    shift-down, shift-down-left, shift-left, remove-descender), read backwards.
//! 2. **SARA AM split.** Shapers draw ำ (U+0E33) as NIKHAHIT ํ (U+0E4D) + SARA AA า
//!    (U+0E32), moving the nikhahit before any tone mark; per-glyph maps then yield
//!    "ดําเนิน" or "น ํ ้ า". Both orders are composed back to U+0E33.
//! 3. **Mark order.** Glyph order puts a tone mark before an above or below vowel when the
//!    font stacks them that way ("ท่ี"); Thai's stored order is vowel first ("ที่"). Unicode
//!    normalisation does not fix this (the above vowels have combining class 0), so a tone
//!    mark directly followed by such a vowel is swapped.
//!
//! Text typed in a keyboard never contains these sequences, so running this over every
//! format is safe.

/// Maps one Thai private-use glyph back to the standard character, or returns `c` unchanged.
pub(crate) fn pua_to_thai(c: char) -> char {
    let mapped = match c as u32 {
        // Windows block.
        0xF700 => 0x0E10,                              // THO THAN without descender
        0xF701..=0xF704 => c as u32 - 0xF701 + 0x0E34, // SARA I, II, UE, UEE shifted left
        0xF705..=0xF709 => c as u32 - 0xF705 + 0x0E48, // tone marks, thanthakhat: down-left
        0xF70A..=0xF70E => c as u32 - 0xF70A + 0x0E48, // tone marks, thanthakhat: down
        0xF70F => 0x0E0D,                              // YO YING without lower part
        0xF710 => 0x0E31,                              // MAI HAN-AKAT shifted left
        0xF711 => 0x0E4D,                              // NIKHAHIT shifted left
        0xF712 => 0x0E47,                              // MAITAIKHU shifted left
        0xF713..=0xF717 => c as u32 - 0xF713 + 0x0E48, // tone marks, thanthakhat: left
        0xF718..=0xF71A => c as u32 - 0xF718 + 0x0E38, // SARA U, UU, PHINTHU shifted down
        // Mac block.
        0xF884 => 0x0E31,
        0xF885..=0xF888 => c as u32 - 0xF885 + 0x0E34,
        0xF889 => 0x0E47,
        // Tone marks and thanthakhat, three variants each (left, down, down-left).
        0xF88A..=0xF898 => 0x0E48 + (c as u32 - 0xF88A) / 3,
        0xF899 => 0x0E4D,
        0xF89A => 0x0E0D,
        0xF89B..=0xF89D => c as u32 - 0xF89B + 0x0E38,
        0xF89E => 0x0E10,
        _ => return c,
    };
    char::from_u32(mapped).unwrap_or(c)
}

fn is_tone(c: char) -> bool {
    ('\u{0E48}'..='\u{0E4C}').contains(&c)
}

/// Vowels and signs written above or below the consonant, before any tone mark.
fn is_inner_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}')
}

/// Thai combining marks: a glyph that carries one of these never starts a new word.
pub(crate) fn is_combining(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
        || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Applies all three repairs described in the module docs. Never makes text longer.
pub(crate) fn repair(text: &str) -> String {
    let mut out: Vec<char> = Vec::with_capacity(text.len() / 2);
    for c in text.chars().map(pua_to_thai) {
        match c {
            // ํ + า, or ํ + tone + า → (tone +) ำ
            '\u{0E32}' => match out.as_slice() {
                [.., '\u{0E4D}'] => {
                    out.pop();
                    out.push('\u{0E33}');
                }
                [.., '\u{0E4D}', t] if is_tone(*t) => {
                    let t = *t;
                    out.truncate(out.len() - 2);
                    out.push(t);
                    out.push('\u{0E33}');
                }
                _ => out.push(c),
            },
            c if is_inner_mark(c) && out.last().is_some_and(|p| is_tone(*p)) => {
                let tone = out.pop().unwrap_or(c);
                out.push(c);
                out.push(tone);
            }
            c => out.push(c),
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_windows_pua_marks() {
        // ผู้ with the tone mark as the shifted-down glyph U+F70B.
        assert_eq!(repair("\u{0E1C}\u{0E39}\u{F70B}"), "ผู้");
        // ป + SARA II shifted left + MAI EK shifted left.
        assert_eq!(repair("\u{0E1B}\u{F702}\u{F713}"), "ปี่");
        assert_eq!(repair("\u{F70A}"), "\u{0E48}");
        assert_eq!(repair("\u{0E10}\u{F700}"), "\u{0E10}\u{0E10}");
        assert_eq!(repair("\u{F71A}"), "\u{0E3A}");
    }

    #[test]
    fn maps_mac_pua_marks() {
        assert_eq!(pua_to_thai('\u{F88A}'), '\u{0E48}');
        assert_eq!(pua_to_thai('\u{F88C}'), '\u{0E48}');
        assert_eq!(pua_to_thai('\u{F88D}'), '\u{0E49}');
        assert_eq!(pua_to_thai('\u{F898}'), '\u{0E4C}');
        assert_eq!(pua_to_thai('\u{F89E}'), '\u{0E10}');
        assert_eq!(pua_to_thai('\u{F8FF}'), '\u{F8FF}');
    }

    #[test]
    fn composes_split_sara_am() {
        assert_eq!(repair("ด\u{0E4D}\u{0E32}เนิน"), "ดำเนิน");
        // Shaper order: nikhahit moved before the tone mark.
        assert_eq!(repair("น\u{0E4D}\u{0E49}\u{0E32}"), "น้ำ");
        // Already correct text is untouched.
        assert_eq!(repair("น้ำใจ"), "น้ำใจ");
    }

    #[test]
    fn puts_vowel_before_tone_mark() {
        assert_eq!(repair("ท\u{0E48}\u{0E35}"), "ที่");
        assert_eq!(repair("ผ\u{0E49}\u{0E39}"), "ผู้");
        assert_eq!(repair("ที่ทุกคน"), "ที่ทุกคน");
    }

    #[test]
    fn leaves_other_text_alone() {
        let s = "Knowledge Management (KM) ๑๕ กุมภาพันธ์ ๒๕๖๗ é";
        assert_eq!(repair(s), s);
    }
}
