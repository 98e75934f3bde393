//! Property tests for the parsers that take text from outside: search normalisation and
//! segmentation, the search query parser, snippets, file names, `Range` headers and BE dates.
//! Each property states an invariant the rest of khlang relies on, not merely "no panic".

use khlang_core::file::{FileName, RangeRequest, content_disposition, parse_range};
use khlang_core::search::analyze::index_form;
use khlang_core::search::query::{MAX_QUERY_WORDS, Query};
use khlang_core::search::snippet::snippet;
use khlang_core::text::{Segmenter, normalize};
use proptest::prelude::*;
use std::sync::OnceLock;

fn segmenter() -> &'static Segmenter {
    static SEG: OnceLock<Segmenter> = OnceLock::new();
    SEG.get_or_init(Segmenter::new)
}

/// Text the way people type it: Thai letters, vowels and tone marks in any order (including
/// the invalid orders normalisation repairs), Thai and Arabic digits, Latin, punctuation,
/// spaces, line breaks, zero-width characters and now and then any character at all.
fn messy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        8 => prop::char::range('\u{0E01}', '\u{0E2E}').prop_map(String::from),
        4 => prop::char::range('\u{0E30}', '\u{0E4E}').prop_map(String::from),
        2 => prop::char::range('\u{0E50}', '\u{0E59}').prop_map(String::from),
        2 => prop::char::range('0', '9').prop_map(String::from),
        2 => prop::char::range('A', 'z').prop_map(String::from),
        2 => prop::sample::select(vec![" ", "\n", ".", ",", "-", "\"", "*", "(", ")", "/"])
            .prop_map(String::from),
        1 => prop::sample::select(vec!["\u{200B}", "\u{200D}", "\u{FEFF}", "\u{0E4D}\u{0E32}"])
            .prop_map(String::from),
        2 => prop::sample::select(vec![
            "อสม.", "การจัดการความรู้", "นวัตกรรม", "ปฎิบัติ", "กฏหมาย", "น้ำ", "นำ้", "แผน KM",
            "๒๕๖๗", "10,000", "รพ.สต.", "สสม.",
        ])
        .prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn to_thai_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(0x0E50 + (c as u32 - '0' as u32)).unwrap_or(c),
            c => c,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Index and query meet only if normalising twice changes nothing.
    #[test]
    fn normalize_is_idempotent(s in messy_text()) {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once.clone());
        let zero_width = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];
        prop_assert!(!once.contains(zero_width), "zero-width left in {:?}", once);
        let thai_digit = |c: char| ('\u{0E50}'..='\u{0E59}').contains(&c);
        prop_assert!(!once.chars().any(thai_digit), "Thai digit left in {:?}", once);
    }

    /// Thai and Arabic digits are the same in search.
    #[test]
    fn thai_and_arabic_digits_normalise_alike(s in messy_text()) {
        prop_assert_eq!(normalize(&to_thai_digits(&s)), normalize(&s));
    }

    /// Token offsets point into the normalised text, in order, on character boundaries, and a
    /// token that is not an alias is exactly the text at its offsets.
    #[test]
    fn tokens_are_slices_of_the_normalised_text(s in messy_text()) {
        let norm = normalize(&s);
        let tokens = segmenter().tokens(&s);
        let mut last_end = 0;
        for t in &tokens {
            prop_assert!(t.start < t.end && t.end <= norm.len(), "{:?} in {:?}", t, norm);
            prop_assert!(norm.is_char_boundary(t.start) && norm.is_char_boundary(t.end));
            prop_assert!(!t.text.is_empty());
            prop_assert!(!t.text.chars().any(char::is_whitespace), "{:?}", t);
            if !t.is_alias {
                prop_assert!(t.start >= last_end, "overlap at {:?} in {:?}", t, norm);
                prop_assert_eq!(&norm[t.start..t.end], t.text.as_str());
                last_end = t.end;
            }
        }
    }

    /// No Thai letter or digit is lost: every one lies inside some word, so every word a person
    /// wrote can be found.
    #[test]
    fn segmentation_keeps_every_letter_and_digit(s in messy_text()) {
        let norm = normalize(&s);
        let tokens = segmenter().tokens(&s);
        for (i, c) in norm.char_indices() {
            let thai_letter = ('\u{0E01}'..='\u{0E2E}').contains(&c);
            if thai_letter || c.is_ascii_alphanumeric() {
                prop_assert!(
                    tokens.iter().any(|t| t.start <= i && i < t.end),
                    "{:?} at {} dropped from {:?}", c, i, norm
                );
            }
        }
    }

    /// Whatever is typed into the search box, the parsed query holds only non-empty words in
    /// index form, never more than the word budget, and parsing its own text again
    /// understands the same thing.
    #[test]
    fn query_words_are_normalised_and_bounded(raw in messy_text()) {
        let q = Query::parse(&raw, segmenter());
        let clauses = q.required.iter().chain(&q.optional).chain(&q.excluded);
        let mut words = 0;
        for c in clauses {
            for w in c.words() {
                prop_assert!(!w.is_empty());
                // Index form: what the index stores for the same text, so they can meet.
                prop_assert_eq!(index_form(w), w.to_string());
                prop_assert!(!w.chars().any(|c| c.is_control() || c.is_whitespace()), "{:?}", w);
                words += 1;
            }
        }
        prop_assert!(words <= MAX_QUERY_WORDS, "{} words from {:?}", words, raw);
        prop_assert_eq!(q.is_empty(), q.required.is_empty() && q.optional.is_empty());
        if !q.truncated {
            let again = Query::parse(&q.text, segmenter());
            prop_assert_eq!(again.marked_words(), q.marked_words(), "text {:?}", q.text);
        }
    }

    /// A snippet is safe HTML: the only markup in it is `<mark>`, whatever the text holds.
    #[test]
    fn snippets_carry_no_markup_but_mark(text in messy_text(), extra in "[<>&\"' a-z]{0,20}") {
        let body = format!("{text}{extra}<script>alert(1)</script>{text}");
        let words: Vec<String> = segmenter()
            .tokens(&text)
            .into_iter()
            .filter(|t| !t.is_alias)
            .map(|t| t.text)
            .take(3)
            .collect();
        let html = snippet(segmenter(), &body, &words, &[]).to_html();
        let stripped = html.replace("<mark>", "").replace("</mark>", "");
        prop_assert!(!stripped.contains('<') && !stripped.contains('>'), "{}", html);
        prop_assert!(!stripped.contains('"'), "{}", html);
    }

    /// A stored file name has no path, no control or bidi characters, and its
    /// Content-Disposition is one header line of visible ASCII.
    #[test]
    fn file_names_are_safe_to_store_and_send(raw in any::<String>(), thai in messy_text()) {
        for candidate in [raw.clone(), format!("{thai}.pdf"), format!("../../{raw}/x{thai}")] {
            let Ok(name) = FileName::parse(&candidate) else { continue };
            let s = name.as_str();
            prop_assert!(!s.is_empty());
            prop_assert!(!s.contains(['/', '\\']), "{:?}", s);
            prop_assert!(!s.chars().any(|c| c.is_control()), "{:?}", s);
            prop_assert!(!s.chars().any(|c| ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)), "{:?}", s);
            let again = FileName::parse(s).map(|n| n.as_str().to_string()).ok();
            prop_assert_eq!(again.as_deref(), Some(s));
            for inline in [true, false] {
                let header = content_disposition(&name, inline);
                prop_assert!(header.bytes().all(|b| (b' '..=b'~').contains(&b)), "{:?}", header);
            }
        }
    }

    /// A partial answer never reaches past the file, and a satisfiable range is never empty.
    #[test]
    fn ranges_stay_inside_the_file(
        size in 0u64..10_000,
        a in prop::option::of(0u64..20_000),
        b in prop::option::of(0u64..20_000),
        junk in "[ -~]{0,12}",
    ) {
        let spec = match (a, b) {
            (Some(a), Some(b)) => format!("bytes={a}-{b}"),
            (Some(a), None) => format!("bytes={a}-"),
            (None, Some(b)) => format!("bytes=-{b}"),
            (None, None) => junk,
        };
        if let Ok(RangeRequest::Partial(r)) = parse_range(Some(&spec), size) {
            prop_assert!(r.start < r.end && r.end <= size, "{} of {} gave {:?}", spec, size, r);
        }
    }
}
