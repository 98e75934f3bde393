//! Search normalisation (การปรับข้อความให้เป็นมาตรฐาน): the first step of the search pipeline,
//! applied to indexed text and to queries alike, so that the many ways Thai users type the same
//! word end up as one string.
//!
//! What [`normalize`] does, in order:
//! 1. deletes zero-width characters (U+200B, U+200C, U+200D, U+2060, U+FEFF) that Thai keyboards,
//!    word processors and copy-paste leave inside words;
//! 2. Thai digits ๐–๙ → 0–9, and lower-cases every cased letter (Latin above all: `KM` → `km`);
//! 3. Unicode NFC. Never NFKC/NFKD: those decompose ำ (U+0E33) into ํ + า and would undo step 4.
//!    NFC puts a below vowel before a tone mark (ก + ่ + ุ → ก + ุ + ่), a typing-order variant;
//! 4. repairs Thai spelled out of order or twice (each is invisible on screen):
//!    * ํ + า (U+0E4D U+0E32, the decomposed sara am) → ำ, and ํ + tone + า → tone + ำ, because in
//!      the canonical spelling the tone mark comes before ำ: น้ำ is น + ้ + ำ;
//!    * ำ + tone → tone + ำ (the tone typed after sara am: นำ้ → น้ำ);
//!    * the same above/below mark typed twice in a row (ก่่ → ก่): never valid Thai;
//!    * เ + เ → แ (sara e typed twice for sara ae, also what PDF extraction often produces):
//!      two sara e never follow each other in Thai;
//! 5. folds a few common misspellings, see [`FOLDS`].
//!
//! The result is idempotent: `normalize(&normalize(s)) == normalize(s)`. Whitespace and
//! punctuation are left alone (segmentation drops them); lengths may change, so byte offsets of
//! search tokens always refer to the normalised text.

use unicode_normalization::UnicodeNormalization;

const NIKHAHIT: char = '\u{0E4D}'; // ํ
const SARA_AA: char = '\u{0E32}'; // า
const SARA_AM: char = '\u{0E33}'; // ำ
const SARA_E: char = '\u{0E40}'; // เ
const SARA_AE: char = '\u{0E41}'; // แ

/// A misspelling fold: every occurrence of `wrong` becomes `right`, except where `wrong` directly
/// follows `unless_after`.
#[derive(Debug, Clone, Copy)]
pub struct Fold {
    pub wrong: &'static str,
    pub right: &'static str,
    pub unless_after: Option<&'static str>,
}

/// Common misspellings folded into the correct spelling, conservatively: each `wrong` string is
/// never a correct spelling of anything, and no word of the embedded 62,107-word dictionary
/// contains it except a few entries that are themselves the same misspelling (a test checks this
/// against the dictionary). Word-level only where the wrong form cannot arise from two correct
/// words side by side (no Thai word starts with a following vowel such as ิ, ุ or า).
///
/// Not folded, because both spellings are real words: กฎ/กฏ in general (ปรากฏ is correct),
/// ปฎ/ปฏ in general (ปฎล is correct), เกษียณ/เกษียน, ศรีษะ (also part of the common misspelling
/// of ศรีสะเกษ).
pub const FOLDS: &[Fold] = &[
    // ปฏิบัติ, ปฏิทิน, ปฏิรูป, ปฏิเสธ, ปฏิสัมพันธ์ … typed with ฎ (do chada) for ฏ (to patak).
    // The only words spelled ปฎ (ปฎล and compounds) never have ิ after ฎ.
    Fold {
        wrong: "ปฎิ",
        right: "ปฏิ",
        unless_after: None,
    },
    // กฎหมาย (law) typed with ฏ. Not after ปรา: ปรากฏ (correct) + หมาย… (ปรากฏหมายเลข).
    Fold {
        wrong: "กฏหมาย",
        right: "กฎหมาย",
        unless_after: Some("ปรา"),
    },
    // อนุญาต (permit): the extra ิ is never right (no word starts with ิ).
    Fold {
        wrong: "อนุญาติ",
        right: "อนุญาต",
        unless_after: None,
    },
    // สังเกต (observe): the extra ุ is never right.
    Fold {
        wrong: "สังเกตุ",
        right: "สังเกต",
        unless_after: None,
    },
    // บุคลากร (personnel), typed after บุคคล (person). Government documents are full of it.
    Fold {
        wrong: "บุคคลากร",
        right: "บุคลากร",
        unless_after: None,
    },
    // โอกาส (opportunity) typed with ศ; the dictionary lists โอกาศ as a known misspelling.
    Fold {
        wrong: "โอกาศ",
        right: "โอกาส",
        unless_after: None,
    },
    // คลินิก (clinic) typed with ค; the dictionary lists คลินิค and two compounds of it.
    Fold {
        wrong: "คลินิค",
        right: "คลินิก",
        unless_after: None,
    },
];

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

fn is_tone_mark(c: char) -> bool {
    matches!(c, '\u{0E48}'..='\u{0E4B}')
}

/// Thai vowel signs, tone marks and other marks written above or below a consonant.
pub(crate) fn is_thai_mark(c: char) -> bool {
    matches!(c, '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}')
}

/// Normalises text for search; see the module documentation for the exact steps.
pub fn normalize(s: &str) -> String {
    let mut pre = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if is_zero_width(c) => {}
            '\u{0E50}'..='\u{0E59}' => pre.push(char::from(b'0' + (c as u32 - 0x0E50) as u8)),
            c if c.is_ascii_uppercase() => pre.push(c.to_ascii_lowercase()),
            c if !c.is_ascii() && c.is_uppercase() => pre.extend(c.to_lowercase()),
            c => pre.push(c),
        }
    }
    let mut out = String::with_capacity(pre.len());
    for c in pre.nfc() {
        push_repaired(&mut out, c);
    }
    fold_misspellings(out)
}

/// Appends `c`, repairing the Thai sequences listed in the module documentation on the way.
fn push_repaired(out: &mut String, c: char) {
    let last = out.chars().next_back();
    if c == SARA_AA {
        if last == Some(NIKHAHIT) {
            out.pop();
            out.push(SARA_AM);
            return;
        }
        if let Some(tone) = last.filter(|&t| is_tone_mark(t)) {
            let mut before = out.chars().rev().skip(1);
            if before.next() == Some(NIKHAHIT) {
                out.pop();
                out.pop();
                out.push(tone);
                out.push(SARA_AM);
                return;
            }
        }
    }
    if is_tone_mark(c) && last == Some(SARA_AM) {
        out.pop();
        push_repaired(out, c);
        out.push(SARA_AM);
        return;
    }
    if is_thai_mark(c) && last == Some(c) {
        return;
    }
    if c == SARA_E && last == Some(SARA_E) {
        out.pop();
        out.push(SARA_AE);
        return;
    }
    out.push(c);
}

fn fold_misspellings(mut s: String) -> String {
    for fold in FOLDS {
        if !s.contains(fold.wrong) {
            continue;
        }
        let mut folded = String::with_capacity(s.len());
        let mut rest = 0;
        for (at, _) in s.match_indices(fold.wrong) {
            let guarded = fold.unless_after.is_some_and(|g| s[..at].ends_with(g));
            folded.push_str(&s[rest..at]);
            folded.push_str(if guarded { fold.wrong } else { fold.right });
            rest = at + fold.wrong.len();
        }
        folded.push_str(&s[rest..]);
        s = folded;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposed_sara_am_is_recomposed() {
        // กำหนด typed with nikhahit + sara aa.
        assert_eq!(normalize("ก\u{0E4D}\u{0E32}หนด"), "กำหนด");
        // น้ำ typed as น + ํ + ้ + า: the tone mark goes before ำ.
        assert_eq!(normalize("น\u{0E4D}\u{0E49}\u{0E32}"), "น\u{0E49}\u{0E33}");
        assert_eq!(normalize("น\u{0E4D}\u{0E49}\u{0E32}"), "น้ำ");
        // Tone typed first, then the decomposed sara am.
        assert_eq!(normalize("น\u{0E49}\u{0E4D}\u{0E32}"), "น้ำ");
        // Tone typed after a composed sara am.
        assert_eq!(normalize("น\u{0E33}\u{0E49}"), "น้ำ");
        // ทำ, คำ, จำ and ซ้ำ in running text.
        assert_eq!(
            normalize(
                "ท\u{0E4D}\u{0E32}ค\u{0E4D}\u{0E32}จ\u{0E4D}\u{0E32} ซ\u{0E4D}\u{0E49}\u{0E32}"
            ),
            "ทำคำจำ ซ้ำ"
        );
        // A zero-width space between nikhahit and sara aa does not block the repair.
        assert_eq!(normalize("ก\u{0E4D}\u{200B}\u{0E32}หนด"), "กำหนด");
    }

    #[test]
    fn composed_text_is_left_as_is() {
        for word in [
            "กำหนด",
            "น้ำ",
            "ผู้อำนวยการ",
            "การจัดการความรู้",
            "ปรากฏ",
            "กฎหมาย",
            "ปฎล",
        ] {
            assert_eq!(normalize(word), word);
        }
    }

    #[test]
    fn zero_width_characters_are_deleted() {
        assert_eq!(normalize("อส\u{200B}ม."), "อสม.");
        assert_eq!(normalize("\u{FEFF}อสม\u{200C}.\u{200D}\u{2060}"), "อสม.");
        assert_eq!(normalize("กอง\u{200B}สุขศึกษา"), "กองสุขศึกษา");
    }

    #[test]
    fn thai_digits_become_arabic_and_latin_lower_case() {
        assert_eq!(normalize("ปี ๒๕๖๗"), "ปี 2567");
        assert_eq!(normalize("ที่ สธ ๐๗๐๗.๐๔/๒๑"), "ที่ สธ 0707.04/21");
        assert_eq!(normalize("KM และ Co-Learning"), "km และ co-learning");
        assert_eq!(normalize("ÉCOLE"), "école");
    }

    #[test]
    fn nfc_orders_marks_and_never_decomposes_sara_am() {
        // Tone typed before sara u: NFC puts the below vowel first.
        assert_eq!(normalize("ก\u{0E48}\u{0E38}"), "ก\u{0E38}\u{0E48}");
        // NFKC would turn ำ into ํ + า; NFC keeps it.
        assert_eq!(normalize("ทำ"), "ท\u{0E33}");
        // Decomposed Latin is composed.
        assert_eq!(normalize("e\u{0301}"), "é");
    }

    #[test]
    fn doubled_marks_and_sara_e_are_repaired() {
        assert_eq!(normalize("ไม่่"), "ไม่");
        assert_eq!(normalize("ที่่ี"), "ที่ี"); // different marks stay
        assert_eq!(normalize("เเผน"), "แผน");
        assert_eq!(normalize("เเละ เเก้ไข"), "และ แก้ไข");
        // Two words each starting with เ are not touched.
        assert_eq!(normalize("เรา เอง"), "เรา เอง");
    }

    #[test]
    fn misspellings_are_folded() {
        assert_eq!(normalize("ปฎิบัติงาน"), "ปฏิบัติงาน");
        assert_eq!(normalize("การปฎิรูป"), "การปฏิรูป");
        assert_eq!(normalize("กฏหมาย"), "กฎหมาย");
        assert_eq!(normalize("ตามกฏหมายแรงงาน"), "ตามกฎหมายแรงงาน");
        assert_eq!(normalize("อนุญาติให้ใช้"), "อนุญาตให้ใช้");
        assert_eq!(normalize("สังเกตุการณ์"), "สังเกตการณ์");
        assert_eq!(normalize("พัฒนาบุคคลากร"), "พัฒนาบุคลากร");
        assert_eq!(normalize("โอกาศ"), "โอกาส");
        assert_eq!(normalize("คลินิคชุมชน"), "คลินิกชุมชน");
    }

    #[test]
    fn folds_leave_correct_words_alone() {
        // ปฎล is a real word; ปรากฏ + หมายเลข is two real words.
        assert_eq!(normalize("นพปฎล"), "นพปฎล");
        assert_eq!(normalize("ปรากฏหมายเลขโทรศัพท์"), "ปรากฏหมายเลขโทรศัพท์");
        assert_eq!(normalize("ปรากฏ กฏหมาย"), "ปรากฏ กฎหมาย");
        assert_eq!(normalize("บุคคล บุคลากร"), "บุคคล บุคลากร");
    }

    #[test]
    fn normalize_is_idempotent() {
        let samples = [
            "ก\u{0E4D}\u{0E32}หนด น\u{0E4D}\u{0E49}\u{0E32} อส\u{200B}ม. ๑๒๓ KM",
            "น\u{0E33}\u{0E49}\u{0E49} ก\u{0E48}\u{0E38}\u{0E48} เเเผน",
            "ปฎิบัติ กฏหมาย ปรากฏหมาย Ⅻ İstanbul ß",
            "",
            "   \n\t ",
        ];
        for s in samples {
            let once = normalize(s);
            assert_eq!(normalize(&once), once, "not idempotent on {s:?}");
        }
    }

    #[test]
    fn seeds_survive_normalisation_unchanged_in_length() {
        // The seeds are clean NFC Thai: normalising changes digits and case only, one char for one.
        let seed = "เรื่อง รายงานสรุปผลการพัฒนาศักยภาพบุคลากรในการจัดการความรู้ ๑๕ กุมภาพันธ์ ๒๕๖๗";
        let n = normalize(seed);
        assert_eq!(n.chars().count(), seed.chars().count());
        assert!(n.ends_with("15 กุมภาพันธ์ 2567"));
    }
}
