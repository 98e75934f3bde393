//! Thai word segmentation (การตัดคำ) for search: the second step of the search pipeline, after
//! [`normalize`](super::normalize). Thai is written without spaces between words, so a word inside
//! unspaced text can only be found once the text is cut into words.
//!
//! The engine is [`newmm`](super::newmm): PyThaiNLP's newmm (dictionary maximal matching
//! constrained by Thai character clusters; Apache-2.0), ported from the `nlpo3` crate and cutting
//! exactly as it does, with PyThaiNLP's `words_th.txt` word list (CC0) embedded in the binary
//! plus khlang's own entries (`dict/khlang_words.txt`) and whatever the caller adds (taxonomy
//! terms, unit names). It was chosen by measurement against PyThaiNLP's newmm on the seeds:
//! see `tests/segment_quality.rs` and `dict/README.md`.
//!
//! newmm runs once per line: a whole document in one call cut a few Thai words differently
//! from the same text line by line. Very long lines are cut at whitespace first.
//!
//! Cost: the dictionary takes under 2 MiB of memory and a `Segmenter` about 50 ms to build
//! (with nlpo3's trie: 50 MiB and 0.1–0.3 s), so one `Segmenter` per process, shared, is still
//! the rule; the embedded word list adds 305 kB to the binary.

use std::collections::HashSet;
use std::fmt;

use super::newmm::Newmm;
use super::normalize::{is_thai_mark, normalize};

/// PyThaiNLP's `words_th.txt`, zlib-compressed (see `dict/README.md` for source and licence).
static WORDS_TH_ZLIB: &[u8] = include_bytes!("dict/words_th.txt.zlib");
/// Thai function words, flagged so that queries can treat them as optional.
static STOP_WORDS_TH: &str = include_str!("dict/stopwords_th.txt");
/// khlang's own abbreviations and terms.
static KHLANG_WORDS: &str = include_str!("dict/khlang_words.txt");

/// Lines longer than this (bytes) are cut at whitespace before segmenting, to bound the work
/// of one newmm call (a PDF can hold a paragraph of 100 kB without a line break).
const MAX_PIECE_BYTES: usize = 4096;
/// Longest run of Thai characters (letters and marks) before each dot of an abbreviation
/// not in the dictionary: จปฐ. and รพ.สต. are abbreviations, อำเภอ. is a word and a full stop.
const MAX_ABBREVIATION_GROUP_CHARS: usize = 4;

/// One word of a text, as the search index stores it and as a query looks it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word, normalised (lower case, Arabic digits, NFC Thai …).
    pub text: String,
    /// Byte offset of the word in the *normalised* text (`normalize(input)`).
    pub start: usize,
    /// Byte offset just past the word in the normalised text.
    pub end: usize,
    /// A Thai function word (การ, ของ, และ …): indexed like any word, optional in a query.
    pub is_stop_word: bool,
    /// An extra spelling of the token just before it, at the same place and with the same
    /// offsets: อสม for อสม., 10000 for 10,000. Counts as the same position for phrases.
    pub is_alias: bool,
}

/// The Thai word segmenter: built once (it holds a 62,000-word dictionary; building takes a few
/// tens of milliseconds), then shared (`Arc<Segmenter>`) by every indexing job and query.
/// It is `Send + Sync` and [`tokens`](Segmenter::tokens) takes `&self`.
///
/// When admins change the dictionary, build a new one with [`Segmenter::with_words`], swap it in
/// and re-index: the index and queries must always use the same dictionary.
pub struct Segmenter {
    newmm: Newmm,
    stop_words: HashSet<String>,
    added_words: usize,
}

impl fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Segmenter")
            .field("added_words", &self.added_words)
            .field("stop_words", &self.stop_words.len())
            .finish_non_exhaustive()
    }
}

impl Default for Segmenter {
    fn default() -> Self {
        Self::new()
    }
}

impl Segmenter {
    /// The embedded word list plus khlang's own entries (อสม., สสม., พช., สบส., โคกหนองนา, KM …).
    pub fn new() -> Self {
        Self::with_words(std::iter::empty::<&str>())
    }

    /// Like [`new`](Segmenter::new), plus `words` (taxonomy terms, unit names, admin entries).
    pub fn with_words<I, S>(words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Self::build(true, words)
    }

    /// PyThaiNLP's word list alone, without khlang's entries: search uses it to split a term
    /// khlang added (a unit name, โคกหนองนา) into the everyday words it is made of.
    pub fn general() -> Self {
        Self::build(false, std::iter::empty::<&str>())
    }

    fn build<I, S>(with_khlang_words: bool, words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let khlang_words = if with_khlang_words {
            dictionary_entries(
                KHLANG_WORDS
                    .lines()
                    .map(|l| l.split('#').next().unwrap_or_default()),
            )
        } else {
            vec![]
        };
        let added = dictionary_entries(words);
        let added_words = khlang_words.len() + added.len();
        // Streamed into one build: each add_words call rebuilds the dictionary.
        let inflated = inflate_word_list();
        let dictionary = word_list_lines(&inflated)
            .map(normalize)
            .filter(|w| !w.is_empty() && !w.contains(char::is_whitespace))
            .chain(khlang_words)
            .chain(added);
        let newmm = Newmm::new(dictionary);
        let stop_words = STOP_WORDS_TH
            .lines()
            .map(|l| normalize(l.split('#').next().unwrap_or_default().trim()))
            .filter(|w| !w.is_empty())
            .collect();
        Segmenter {
            newmm,
            stop_words,
            added_words,
        }
    }

    /// Adds words to the dictionary (before the segmenter is shared). Each is normalised; an
    /// entry with spaces adds each of its parts; an entry with dots (อสม., รพ.สต.) is also added
    /// without them, so that อสมทุกคน segments as อสม|ทุกคน.
    pub fn add_words<I, S>(&mut self, words: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let entries = dictionary_entries(words);
        self.added_words += entries.len();
        self.newmm.add_words(entries);
    }

    /// The dictionary the text is cut with: spelling suggestions look up and walk its words.
    pub fn dictionary(&self) -> &Newmm {
        &self.newmm
    }

    /// Whether `word` (normalised) is one of the Thai stop words.
    pub fn is_stop_word(&self, word: &str) -> bool {
        self.stop_words.contains(word)
    }

    /// Normalises `text` and cuts it into words. Offsets refer to `normalize(text)`.
    /// Whitespace and punctuation are dropped; Latin words and numbers are kept as words;
    /// a dotted abbreviation is followed by its dotless alias (อสม. then อสม).
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        self.tokens_normalized(&normalize(text))
    }

    /// [`tokens`](Segmenter::tokens) for text that is already normalised (callers that also
    /// need the normalised text, e.g. to cut snippets, normalise once and call this).
    pub fn tokens_normalized(&self, normalized: &str) -> Vec<Token> {
        let mut out = Vec::new();
        let mut line_start = 0;
        for line in normalized.split('\n') {
            for (piece_start, piece) in pieces(line) {
                for (part_start, part) in self.split_full_stops(piece) {
                    if part.trim().is_empty() {
                        continue;
                    }
                    let spans = merge_abbreviations(part, self.segment_piece(part));
                    let base = line_start + piece_start + part_start;
                    for (s, e) in spans {
                        self.emit(part, s, e, base, &mut out);
                    }
                }
            }
            line_start += line.len() + 1;
        }
        out
    }

    /// Cuts `piece` at each dot that ends a sentence rather than an abbreviation. Thai has no
    /// full stop, but documents use one; and the dictionary's one-letter abbreviations (ม., ส.)
    /// then capture the end of the word before it (ส่งเสริม. → ส่ง|เส|ริ|ม.). A dot after Thai
    /// text that is not part of an abbreviation is a full stop when the Thai run before it cuts
    /// into fewer words without it than with it.
    fn split_full_stops<'a>(&self, piece: &'a str) -> Vec<(usize, &'a str)> {
        if !piece.contains('.') {
            return vec![(0, piece)];
        }
        let abbreviations = find_abbreviations(piece);
        let mut cuts = Vec::new();
        for (dot, _) in piece.match_indices('.') {
            let before = &piece[..dot];
            if !before
                .chars()
                .next_back()
                .is_some_and(is_thai_letter_or_mark)
                || abbreviations.iter().any(|&(a, b)| a <= dot && dot < b)
            {
                continue;
            }
            let run_start = before
                .char_indices()
                .rev()
                .find(|&(_, c)| !is_thai_letter_or_mark(c))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let without = self.word_count(&piece[run_start..dot]);
            let with = self.word_count(&piece[run_start..=dot]);
            if without < with {
                cuts.push(dot);
            }
        }
        let mut parts = Vec::with_capacity(2 * cuts.len() + 1);
        let mut start = 0;
        for dot in cuts {
            parts.push((start, &piece[start..dot]));
            start = dot;
        }
        parts.push((start, &piece[start..]));
        parts
    }

    fn word_count(&self, text: &str) -> usize {
        self.segment_piece(text)
            .into_iter()
            .filter(|&(s, e)| text[s..e].chars().any(is_word_char))
            .count()
    }

    /// Byte spans of the words of one piece of a line, covering it exactly.
    fn segment_piece(&self, piece: &str) -> Vec<(usize, usize)> {
        self.newmm.segment(piece)
    }

    /// Turns one raw segment into zero or more tokens: splits on whitespace, trims punctuation
    /// (keeping an abbreviation's dots), drops what is left without a letter or digit, and adds
    /// the aliases.
    fn emit(&self, piece: &str, s: usize, e: usize, base: usize, out: &mut Vec<Token>) {
        let raw = &piece[s..e];
        for part in raw.split(char::is_whitespace).filter(|p| !p.is_empty()) {
            let part_start = s + (part.as_ptr() as usize - raw.as_ptr() as usize);
            if !part.chars().any(is_word_char) {
                continue;
            }
            let Some(first) = part.find(is_word_body) else {
                continue;
            };
            let body = &part[first..];
            let end = if is_abbreviation(body) {
                body.len()
            } else {
                body.char_indices()
                    .rev()
                    .find(|&(_, c)| is_word_body(c) || is_thai_mark(c))
                    .map_or(body.len(), |(i, c)| i + c.len_utf8())
            };
            let word = &body[..end];
            let start = base + part_start + first;
            let token = Token {
                text: word.to_string(),
                start,
                end: start + word.len(),
                is_stop_word: self.is_stop_word(word),
                is_alias: false,
            };
            let alias = alias_of(word);
            let stop = token.is_stop_word;
            let (ts, te) = (token.start, token.end);
            out.push(token);
            if let Some(alias) = alias {
                out.push(Token {
                    is_stop_word: stop || self.is_stop_word(&alias),
                    text: alias,
                    start: ts,
                    end: te,
                    is_alias: true,
                });
            }
        }
    }
}

/// What [`Segmenter::add_words`] puts in the dictionary for `words`: each normalised, split at
/// whitespace, parts without a letter or digit dropped, and dotted parts also without the dots.
fn dictionary_entries<I, S>(words: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut entries: Vec<String> = Vec::new();
    for word in words {
        let word = normalize(word.as_ref());
        for part in word.split_whitespace() {
            if !part.chars().any(is_word_char) {
                continue;
            }
            entries.push(part.to_string());
            if part.contains('.') {
                let dotless: String = part.chars().filter(|&c| c != '.').collect();
                entries.push(dotless);
            }
        }
    }
    entries
}

/// PyThaiNLP's word list as shipped (62,107 entries, not normalised), inflated from the copy
/// embedded in the binary.
pub fn embedded_words() -> Vec<String> {
    word_list_lines(&inflate_word_list())
        .map(str::to_string)
        .collect()
}

fn inflate_word_list() -> String {
    let bytes = miniz_oxide::inflate::decompress_to_vec_zlib(WORDS_TH_ZLIB)
        .expect("the embedded word list is valid zlib (checked by a test)");
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The entries of the inflated word list, trimmed, without empty lines.
fn word_list_lines(inflated: &str) -> impl Iterator<Item = &str> {
    inflated
        .lines()
        .map(|l| l.trim_start_matches('\u{FEFF}').trim())
        .filter(|l| !l.is_empty())
}

/// A letter or digit that makes a token a word. Thai is decided by range (this runs for every
/// character of every token; the generic Unicode lookup was a tenth of the segmenting time):
/// consonants, vowel letters and digits are; the marks above and below, ฯ, ๆ, ฿ and the text
/// signs ๏ ๚ ๛ are not.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if matches!(c, '\u{0E00}'..='\u{0E7F}') {
        return matches!(
            c,
            '\u{0E01}'..='\u{0E2E}'
                | '\u{0E30}'
                | '\u{0E32}'
                | '\u{0E33}'
                | '\u{0E40}'..='\u{0E45}'
                | '\u{0E50}'..='\u{0E59}'
        );
    }
    c.is_alphanumeric()
}

/// What a token keeps at its edges besides letters and digits: ฯ (ฯลฯ, ฯพณฯ). ๆ is trimmed
/// (ต่างๆ is indexed as ต่าง, as the query ต่าง ๆ is), and so is other punctuation.
fn is_word_body(c: char) -> bool {
    is_word_char(c) || c == '\u{0E2F}'
}

/// Thai letters and marks that can make up an abbreviation (no digits, ฯ or ๆ).
fn is_thai_letter_or_mark(c: char) -> bool {
    matches!(c, '\u{0E01}'..='\u{0E4E}') && !matches!(c, '\u{0E2F}' | '\u{0E3F}' | '\u{0E46}')
}

/// อสม., ก.พ., รพ.สต.: Thai letters and dots only, with a letter first and a dot somewhere.
fn is_abbreviation(word: &str) -> bool {
    word.contains('.')
        && word.chars().next().is_some_and(is_thai_letter_or_mark)
        && word.chars().all(|c| c == '.' || is_thai_letter_or_mark(c))
}

/// The extra spelling indexed beside `word`: without dots for an abbreviation, without
/// thousands separators for a number.
fn alias_of(word: &str) -> Option<String> {
    if is_abbreviation(word) {
        let dotless: String = word.chars().filter(|&c| c != '.').collect();
        return (!dotless.is_empty()).then_some(dotless);
    }
    let is_grouped_number = word.contains(',')
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && word
            .split(',')
            .skip(1)
            .all(|g| g.len() >= 3 && g.as_bytes()[..3].iter().all(u8::is_ascii_digit));
    is_grouped_number.then(|| word.replace(',', ""))
}

/// Cuts a line into pieces of at most about [`MAX_PIECE_BYTES`], at whitespace where possible,
/// else before a character that starts a new cluster. Returns (offset in line, piece).
fn pieces(line: &str) -> Vec<(usize, &str)> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut out = Vec::new();
    let mut start = 0;
    while line.len() - start > MAX_PIECE_BYTES {
        let window = &line[start..];
        let mut limit = MAX_PIECE_BYTES;
        while !window.is_char_boundary(limit) {
            limit -= 1;
        }
        let cut = window[..limit]
            .rfind(char::is_whitespace)
            .filter(|&i| i > 0)
            .map(|i| i + window[i..].chars().next().map_or(1, char::len_utf8))
            .or_else(|| {
                window[..limit]
                    .char_indices()
                    .rev()
                    .find(|&(i, c)| i > 0 && !is_thai_mark(c) && !is_following_vowel(c))
                    .map(|(i, _)| i)
            })
            .unwrap_or(limit);
        out.push((start, &window[..cut]));
        start += cut;
    }
    out.push((start, &line[start..]));
    out
}

/// Thai vowels written after their consonant (ะ า ำ ๅ): never the start of a cluster.
fn is_following_vowel(c: char) -> bool {
    matches!(c, '\u{0E30}' | '\u{0E32}' | '\u{0E33}' | '\u{0E45}')
}

/// Joins the segments of a dotted abbreviation the dictionary does not know (จปฐ. → จ|ป|ฐ|.)
/// into one. An abbreviation starts after a non-Thai character (so the full stop after a word,
/// ส่งเสริม., is not one) and is one or more groups of up to four Thai characters, each
/// followed by a dot. A chain the segmenter already cut into dotted words (รศ.|ดร.|นพ.) is kept.
fn merge_abbreviations(piece: &str, spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    if !piece.contains('.') {
        return spans;
    }
    let found = find_abbreviations(piece);
    if found.is_empty() {
        return spans;
    }
    let mut out = Vec::with_capacity(spans.len());
    let mut i = 0;
    while i < spans.len() {
        let merged = found.iter().find_map(|&(a, b)| {
            if spans[i].0 != a {
                return None;
            }
            let j = (i..spans.len()).find(|&j| spans[j].1 >= b)?;
            let aligned = spans[j].1 == b && j > i;
            let all_dotted = spans[i..=j]
                .iter()
                .all(|&(s, e)| piece[s..e].len() > 1 && is_abbreviation(&piece[s..e]));
            (aligned && !all_dotted).then_some(j)
        });
        match merged {
            Some(j) => {
                out.push((spans[i].0, spans[j].1));
                i = j + 1;
            }
            None => {
                out.push(spans[i]);
                i += 1;
            }
        }
    }
    out
}

/// Byte spans of dotted abbreviations in `piece`; see [`merge_abbreviations`].
fn find_abbreviations(piece: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = piece.char_indices().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let left_ok = i == 0 || {
            let p = chars[i - 1].1;
            !is_thai_letter_or_mark(p) && p != '.'
        };
        if !left_ok || !is_thai_letter_or_mark(chars[i].1) || is_thai_mark(chars[i].1) {
            i += 1;
            continue;
        }
        let mut j = i;
        loop {
            let mut k = j;
            while k < chars.len() && is_thai_letter_or_mark(chars[k].1) {
                k += 1;
            }
            let group = k - j;
            if group == 0
                || group > MAX_ABBREVIATION_GROUP_CHARS
                || k >= chars.len()
                || chars[k].1 != '.'
            {
                break;
            }
            j = k + 1;
        }
        if j > i {
            let end = chars.get(j).map_or(piece.len(), |&(b, _)| b);
            found.push((chars[i].0, end));
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, OnceLock};

    fn seg() -> &'static Segmenter {
        static SEG: OnceLock<Segmenter> = OnceLock::new();
        SEG.get_or_init(Segmenter::new)
    }

    fn words(text: &str) -> Vec<String> {
        seg()
            .tokens(text)
            .into_iter()
            .filter(|t| !t.is_alias)
            .map(|t| t.text)
            .collect()
    }

    fn texts(tokens: &[Token]) -> Vec<&str> {
        tokens.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn segments_unspaced_thai_into_words() {
        assert_eq!(
            words("การจัดการความรู้ด้านสุขภาพภาคประชาชน"),
            ["การ", "จัดการ", "ความรู้", "ด้าน", "สุขภาพ", "ภาค", "ประชาชน"]
        );
        assert_eq!(
            words("ประชุมชี้แจงแนวทางการดำเนินงาน"),
            ["ประชุม", "ชี้แจง", "แนว", "ทางการ", "ดำเนินงาน"]
        );
    }

    #[test]
    fn offsets_point_into_the_normalised_text() {
        let input = "โครงการ KM ปี ๒๕๖๗ (อสม.)";
        let normalized = normalize(input);
        let tokens = seg().tokens(input);
        assert!(!tokens.is_empty());
        for t in &tokens {
            if !t.is_alias {
                assert_eq!(&normalized[t.start..t.end], t.text, "{t:?}");
            }
        }
        assert_eq!(
            texts(&tokens),
            ["โครงการ", "km", "ปี", "2567", "อสม.", "อสม"]
        );
    }

    #[test]
    fn whitespace_and_punctuation_are_dropped() {
        assert_eq!(
            words("  (ICT) — “การเรียนรู้” , ฯลฯ ๆ ! ... คณะทำงานฯ หน่วยงานต่างๆ"),
            ["ict", "การเรียนรู้", "ฯลฯ", "คณะทำงาน", "หน่วยงาน", "ต่าง"]
        );
        assert!(seg().tokens(" \t\n !?()[]{}«»…").is_empty());
        assert!(seg().tokens("").is_empty());
    }

    #[test]
    fn latin_words_and_numbers_are_words() {
        assert_eq!(
            words("Co-Learning Space ครั้งที่ 3 ปี 2567 งบ 10,000 บาท (1.5%)"),
            [
                "co-learning",
                "space",
                "ครั้ง",
                "ที่",
                "3",
                "ปี",
                "2567",
                "งบ",
                "10,000",
                "บาท",
                "1.5"
            ]
        );
        let t = seg().tokens("10,000");
        assert_eq!(texts(&t), ["10,000", "10000"]);
        assert!(t[1].is_alias);
    }

    #[test]
    fn khlang_words_are_in_the_dictionary() {
        assert_eq!(
            words("อสม.ในพื้นที่สสม.ภาคและพช.กับสบส.ทำโคกหนองนาเรื่องKM"),
            [
                "อสม.",
                "ใน",
                "พื้นที่",
                "สสม.",
                "ภาค",
                "และ",
                "พช.",
                "กับ",
                "สบส.",
                "ทำ",
                "โคกหนองนา",
                "เรื่อง",
                "km"
            ]
        );
        // Typed without the dot, the abbreviation is still one word.
        assert_eq!(words("อสมทุกคน"), ["อสม", "ทุกคน"]);
    }

    #[test]
    fn dotted_abbreviations_are_indexed_with_and_without_dots() {
        let t = seg().tokens("อสม. รพ.สต. จปฐ. ก.พ.");
        assert_eq!(
            texts(&t),
            ["อสม.", "อสม", "รพ.สต.", "รพสต", "จปฐ.", "จปฐ", "ก.พ.", "กพ"]
        );
        for pair in t.chunks(2) {
            assert!(!pair[0].is_alias && pair[1].is_alias);
            assert_eq!((pair[0].start, pair[0].end), (pair[1].start, pair[1].end));
        }
        // A query typed with or without the dot finds one of the two forms.
        let indexed: HashSet<String> = seg()
            .tokens("ประชุม อสม.")
            .into_iter()
            .map(|t| t.text)
            .collect();
        for q in ["อสม.", "อสม"] {
            assert!(
                seg().tokens(q).iter().all(|t| indexed.contains(&t.text)),
                "{q}"
            );
        }
    }

    #[test]
    fn unknown_abbreviations_are_joined_but_full_stops_are_not() {
        assert_eq!(words("ข้อมูล สรพ. ปี 2566"), ["ข้อมูล", "สรพ.", "ปี", "2566"]);
        // A full stop after a word is punctuation, not part of an abbreviation.
        assert_eq!(words("เพื่อส่งเสริม. ต่อไป"), ["เพื่อ", "ส่งเสริม", "ต่อไป"]);
        // A chain of titles the dictionary knows stays as the dictionary cuts it.
        assert_eq!(words("รศ.ดร.นพ.บรรยาย"), ["รศ.ดร.", "นพ.", "บรรยาย"]);
    }

    #[test]
    fn stop_words_are_flagged_not_dropped() {
        let t = seg().tokens("การจัดการความรู้ของหน่วยงาน");
        let flagged: Vec<(&str, bool)> = t
            .iter()
            .map(|t| (t.text.as_str(), t.is_stop_word))
            .collect();
        assert_eq!(
            flagged,
            [
                ("การ", true),
                ("จัดการ", false),
                ("ความรู้", false),
                ("ของ", true),
                ("หน่วยงาน", false)
            ]
        );
        assert!(seg().is_stop_word("และ"));
        assert!(!seg().is_stop_word("ปฏิบัติ"));
        assert!(!seg().is_stop_word("ไม่"));
    }

    #[test]
    fn normalisation_happens_before_segmentation() {
        // กำหนด typed with ํา, น้ำ typed as น + ํ + ้ + า, อสม. with a zero-width space inside.
        assert_eq!(
            words("ก\u{0E4D}\u{0E32}หนดการใช้น\u{0E4D}\u{0E49}\u{0E32}ของอส\u{200B}ม."),
            words("กำหนดการใช้น้ำของอสม.")
        );
        assert_eq!(words("ปฎิบัติงาน"), ["ปฏิบัติงาน"]);
    }

    #[test]
    fn added_words_change_segmentation() {
        let base = words("ศูนย์ขอนแก่นโมเดลใหม่");
        let mut s = Segmenter::new();
        s.add_words(["ขอนแก่นโมเดล", "ศูนย์ฝึกอบรม เขต"]);
        let t: Vec<String> = s
            .tokens("ศูนย์ขอนแก่นโมเดลใหม่")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(t, ["ศูนย์", "ขอนแก่นโมเดล", "ใหม่"]);
        assert_ne!(base, t);
    }

    #[test]
    fn segmenter_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Segmenter>();
        let shared = Arc::new(Segmenter::new());
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let s = Arc::clone(&shared);
                std::thread::spawn(move || s.tokens("การจัดการความรู้").len())
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), 3);
        }
    }

    #[test]
    fn long_and_hostile_input_never_fails() {
        let long_line = "การจัดการความรู้ ".repeat(2000);
        let t = seg().tokens(&long_line);
        assert_eq!(t.len(), 6000);
        let unspaced = "การจัดการความรู้".repeat(800);
        let t = seg().tokens(&unspaced);
        assert!(t.len() >= 2400, "{}", t.len());
        let text: String = t.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(text, unspaced);
        for nasty in [
            "\u{0E48}\u{0E48}\u{0E4D}",
            "\0\u{1}\u{7f}ก\u{0301}",
            "🙂ก🙂ข\u{200B}",
            "\"*NEAR:'\"",
            "ก.",
            ".",
            "...ก",
            "\r\n\r\n",
            "ๆๆๆฯฯ",
            "\u{FFFD}\u{E000}",
        ] {
            let _ = seg().tokens(nasty);
        }
    }

    #[test]
    fn pieces_cover_the_line() {
        let line = "ก".repeat(10_000);
        let p = pieces(&line);
        assert!(p.len() > 1);
        assert_eq!(p.iter().map(|(_, s)| *s).collect::<String>(), line);
        let spaced = "คำ ".repeat(3000);
        for (off, s) in pieces(&spaced) {
            assert_eq!(&spaced[off..off + s.len()], s);
            assert!(s.len() <= MAX_PIECE_BYTES);
        }
    }

    #[test]
    fn embedded_word_list_is_intact() {
        let words = embedded_words();
        assert_eq!(words.len(), 62_107);
        for w in ["กติกา", "ปฏิบัติ", "อสม.", "ความรู้"]
        {
            assert!(words.iter().any(|x| x == w), "{w}");
        }
    }

    #[test]
    fn misspelling_folds_are_safe_for_the_dictionary() {
        // A fold's wrong form may occur in the dictionary only inside entries that are that
        // misspelling themselves, listed here on purpose.
        let known_misspellings = ["โอกาศ", "คลินิค", "โพลีคลินิค", "เมโยคลินิค"];
        for w in embedded_words() {
            for fold in super::super::normalize::FOLDS {
                if w.contains(fold.wrong) {
                    assert!(
                        known_misspellings.contains(&w.as_str()),
                        "{w} contains {}",
                        fold.wrong
                    );
                }
            }
        }
    }
}
