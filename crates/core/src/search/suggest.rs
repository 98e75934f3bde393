//! "Did you mean" (หรือคุณหมายถึง): a corrected query for a search that found nothing or only
//! partial matches. Two phases, because the index's word counts live in the database:
//! [`candidates`] finds the stretches of the query that look misspelt and the dictionary words
//! near each; the caller looks up the [`Correction::lookups`] in one batch; [`choose`] keeps the
//! candidate the index holds most often and rewrites the query.
//!
//! A misspelt Thai word typed without spaces rarely comes back from the segmenter as one unknown
//! word: newmm cuts it into whatever dictionary words it can find (สาธารนสุข → สา|ธาร|น|สุข).
//! So a stretch is suspect when it holds a word the dictionary does not know or a run of short
//! pieces, and it is matched against the dictionary as the run of letters the person typed.
//!
//! Nearness is an edit distance counted in half edits ([`EDIT`]): letters that sound alike
//! (ศ/ษ/ส, น/ณ, ร/ล …), short and long vowels (ุ/ู, ั/ะ …), one tone mark for another, and a
//! missing or extra tone mark or karan cost half an edit, because they are what Thai typists get
//! wrong. The search walks the segmenter's own trie, pruning every branch that is already too
//! far, so it needs no second copy of the 62,000 words.

use std::cmp::Reverse;
use std::ops::Range;

use super::analyze::word_forms;
use crate::text::newmm::{Newmm, TRIE_ROOT};
use crate::text::{Segmenter, Token, normalize, tidy};

/// Candidates kept per suspect stretch: the page shows one suggestion, and each candidate costs
/// the caller a few word lookups.
pub const MAX_CANDIDATES: usize = 8;
/// One ordinary edit (insert, delete, replace, swap two neighbours), in half edits.
pub const EDIT: u16 = 2;
/// A sound-alike letter, a short/long vowel or a tone mark for another; a tone mark or karan
/// left out or added.
pub const NEAR_EDIT: u16 = 1;
/// Pieces of at most this many chars are fragments when they stand next to each other:
/// newmm cuts a misspelt word into short dictionary words (งบประมาน → งบ|ประ|มาน).
const FRAGMENT_CHARS: usize = 3;
/// Stretches shorter than this are not searched: too many words are one edit from two letters.
const MIN_SUSPECT_CHARS: usize = 3;
/// Stretches longer than this are not searched: a pasted sentence is not a misspelt word.
const MAX_SUSPECT_CHARS: usize = 30;
/// An unknown run of at most this many consonants and nothing else is an abbreviation typed
/// without its dots (สปสช, รพสต), not a misspelling.
const MAX_ABBREVIATION_CHARS: usize = 5;
/// Dictionary searches per query at most, so that a pasted paragraph costs no more than a
/// few words.
const MAX_SEARCHES: usize = 8;
/// A stretch whose pieces the index all holds is still replaced when the candidate is this many
/// times more frequent than its rarest piece: the pieces appear alone (สา, ธาร, น, สุข) far more
/// often than together, so only a much more frequent word is worth suggesting.
const MIN_GAIN: u64 = 10;

/// A stretch of the query that looks misspelt, and the dictionary words it could have been.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// Which chunk of the query it is in: the runs between spaces, quoted phrases and
    /// exclusions included, counted from 0.
    pub chunk: usize,
    /// The chunk as typed, normalised.
    pub typed: String,
    /// Byte range in `typed` of the stretch that looks misspelt.
    pub suspect: Range<usize>,
    /// The stretch's words in index form, as the segmenter cut it.
    pub forms: Vec<String>,
    /// Nearest first, at most [`MAX_CANDIDATES`].
    pub candidates: Vec<Candidate>,
}

/// A dictionary word that may be what the person meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub word: String,
    /// Byte range in [`Correction::typed`] the word replaces: the suspect stretch, or the
    /// stretch with a neighbouring word that belongs to the misspelling (ความ|รุ้ → ความรู้).
    pub replaces: Range<usize>,
    /// Edit distance in half edits ([`EDIT`], [`NEAR_EDIT`]).
    pub cost: u16,
    /// The word in index form: more than one word for a compound khlang added to the
    /// dictionary (a unit name, โคกหนองนา), as the index stores it.
    pub forms: Vec<String>,
}

impl Correction {
    /// The words whose document frequency [`choose`] needs, in index form, each once.
    pub fn lookups(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let all = self
            .forms
            .iter()
            .chain(self.candidates.iter().flat_map(|c| &c.forms));
        for f in all {
            if !out.contains(f) {
                out.push(f.clone());
            }
        }
        out
    }
}

/// `text` with `word` in place of the bytes `at`.
fn replaced(text: &str, at: &Range<usize>, word: &str) -> String {
    format!("{}{}{}", &text[..at.start], word, &text[at.end..])
}

/// The stretches of `query_text` that could be misspelt, each with its nearest dictionary
/// words. Quoted phrases, exclusions, prefixes (`นวัตก*`), Latin words, numbers, abbreviations
/// and words the dictionary knows are left alone; so is what [`normalize()`] already repairs.
pub fn candidates(query_text: &str, segmenter: &Segmenter) -> Vec<Correction> {
    let dictionary = segmenter.dictionary();
    let mut searches = 0;
    let mut out = Vec::new();
    for (ordinal, chunk) in chunks(query_text).into_iter().enumerate() {
        if !chunk.plain || searches >= MAX_SEARCHES {
            continue;
        }
        let typed = normalize(&query_text[chunk.range]);
        let tokens: Vec<Token> = segmenter
            .tokens_normalized(&typed)
            .into_iter()
            .filter(|t| !t.is_alias)
            .collect();
        for suspect in suspects(&typed, &tokens, dictionary, segmenter) {
            let kept = nearest(&typed, &tokens, &suspect, segmenter, &mut searches);
            if kept.is_empty() {
                continue;
            }
            out.push(Correction {
                chunk: ordinal,
                typed: typed.clone(),
                suspect: tokens[suspect.run.start].start..tokens[suspect.run.end - 1].end,
                forms: word_forms(&tokens[suspect.run]),
                candidates: kept,
            });
        }
    }
    out
}

/// The dictionary words nearest to `suspect`, searching its tiers of windows until one finds
/// some, at most [`MAX_CANDIDATES`], each giving a different corrected chunk (รู้ for รุ้ and
/// ความรู้ for ความรุ้ are one suggestion).
fn nearest(
    typed: &str,
    tokens: &[Token],
    suspect: &Suspect,
    segmenter: &Segmenter,
    searches: &mut usize,
) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = Vec::new();
    for tier in &suspect.tiers {
        for window in tier {
            if *searches >= MAX_SEARCHES {
                break;
            }
            *searches += 1;
            let span = tokens[window.start].start..tokens[window.end - 1].end;
            let letters: Vec<char> = typed[span.clone()].chars().collect();
            for (word, cost) in near_words(segmenter.dictionary(), &letters) {
                found.push(Candidate {
                    word,
                    replaces: span.clone(),
                    cost,
                    forms: vec![],
                });
            }
        }
        if !found.is_empty() {
            break;
        }
    }
    // The longer stretch first among equals: it carries the context of the mistake.
    found.sort_by(|a, b| {
        (a.cost, Reverse(a.replaces.len()), &a.word).cmp(&(
            b.cost,
            Reverse(b.replaces.len()),
            &b.word,
        ))
    });
    let mut kept: Vec<Candidate> = Vec::new();
    let mut corrected: Vec<String> = Vec::new();
    for mut c in found {
        if kept.len() == MAX_CANDIDATES {
            break;
        }
        let chunk = replaced(typed, &c.replaces, &c.word);
        if corrected.contains(&chunk) {
            continue;
        }
        c.forms = word_forms(&segmenter.tokens_normalized(&c.word));
        if !c.forms.is_empty() {
            corrected.push(chunk);
            kept.push(c);
        }
    }
    kept
}

/// `query_text` with each suspect stretch the index does not know replaced by its best
/// candidate, or `None` when nothing is replaced. `doc_freq` is the number of indexed items
/// holding a word (index form).
///
/// A stretch is replaced when one of its words is not in the index at all, or when the
/// segmenter could only cut it into pieces and a candidate is ten times (`MIN_GAIN`) more
/// frequent than the rarest piece. Of the candidates the index holds, the nearest wins, then
/// the most frequent. Everything else the person typed is kept as typed, runs of spaces aside.
pub fn choose(
    query_text: &str,
    corrections: &[Correction],
    doc_freq: &dyn Fn(&str) -> u64,
) -> Option<String> {
    // A candidate is found only where the index holds every one of its words.
    let freq = |forms: &[String]| forms.iter().map(|f| doc_freq(f)).min().unwrap_or(0);
    let chunks = chunks(query_text);
    // (chunk, correction, the candidate chosen for it)
    let mut chosen: Vec<(usize, &Correction, &Candidate)> = Vec::new();
    for c in corrections {
        let Some(chunk) = chunks.get(c.chunk).filter(|k| k.plain) else {
            continue;
        };
        if normalize(&query_text[chunk.range.clone()]) != c.typed {
            continue;
        }
        let rarest = freq(&c.forms);
        let absent = rarest == 0;
        let pieces = c.forms.len() > 1;
        let best = c
            .candidates
            .iter()
            .map(|k| (k, freq(&k.forms)))
            .filter(|&(_, f)| f > 0 && (absent || (pieces && f >= MIN_GAIN.saturating_mul(rarest))))
            .min_by_key(|&(k, f)| (k.cost, Reverse(f)));
        if let Some((k, _)) = best {
            let overlaps = chosen.iter().any(|&(n, _, o)| {
                n == c.chunk
                    && o.replaces.start < k.replaces.end
                    && k.replaces.start < o.replaces.end
            });
            if !overlaps {
                chosen.push((c.chunk, c, k));
            }
        }
    }
    if chosen.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(query_text.len() + 16);
    let mut copied = 0;
    for (ordinal, chunk) in chunks.iter().enumerate() {
        let mut mine: Vec<&(usize, &Correction, &Candidate)> =
            chosen.iter().filter(|(n, ..)| *n == ordinal).collect();
        let Some(&&(_, first, _)) = mine.first() else {
            continue;
        };
        // Right to left, so that each range still points where it did in the typed chunk.
        mine.sort_by_key(|(.., k)| Reverse(k.replaces.start));
        let mut text = first.typed.clone();
        for (.., k) in mine {
            text = replaced(&text, &k.replaces, &k.word);
        }
        out.push_str(&query_text[copied..chunk.range.start]);
        out.push_str(&text);
        copied = chunk.range.end;
    }
    out.push_str(&query_text[copied..]);
    Some(tidy(&out))
}

/// A run of the query between spaces, read as [`super::query`] reads it.
struct Chunk {
    /// Byte range of the chunk's text (inside the quotes of a phrase, after the `-` of an
    /// exclusion).
    range: Range<usize>,
    /// Neither quoted, excluded nor a prefix: the only kind a suggestion rewrites.
    plain: bool,
}

const QUOTES: [char; 3] = ['"', '“', '”'];

/// Splits as the query parser does: on spaces outside quotes; a quote left open runs to the
/// end; `-` excludes at the start of a chunk with something after it; `*` at the end of a
/// word of two or more chars makes it a prefix. Control characters count as spaces.
fn chunks(s: &str) -> Vec<Chunk> {
    let is_space = |c: char| c.is_whitespace() || c.is_control();
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        at = s[at..]
            .find(|c: char| !is_space(c))
            .map_or(s.len(), |i| at + i);
        if at == s.len() {
            break;
        }
        let excluded = s[at..].starts_with('-') && s.len() - at > 1;
        let body = at + usize::from(excluded);
        if let Some(inner) = s[body..].strip_prefix(QUOTES) {
            let start = s.len() - inner.len();
            let end = inner.find(QUOTES).map_or(s.len(), |i| start + i);
            out.push(Chunk {
                range: start..end,
                plain: false,
            });
            at = s[end..]
                .strip_prefix(QUOTES)
                .map_or(end, |r| s.len() - r.len());
            continue;
        }
        let end = s[body..]
            .find(|c: char| is_space(c) || QUOTES.contains(&c))
            .map_or(s.len(), |i| body + i);
        let word = &s[body..end];
        let prefix = word.ends_with('*') && word.trim_end_matches('*').chars().count() >= 2;
        out.push(Chunk {
            range: body..end,
            plain: !excluded && !prefix,
        });
        at = end;
    }
    out
}

/// A run of a chunk's tokens that looks misspelt, and the token ranges to match against the
/// dictionary in tiers, widest first. A narrower tier is searched only when no wider one found
/// a word: a short window matches many words by chance (รุ้ → รุ, รุก, รุด …), and a wide one
/// keeps the part of the word the segmenter cut off (ความ|รุ้ → ความรู้).
struct Suspect {
    run: Range<usize>,
    tiers: Vec<Vec<Range<usize>>>,
}

/// The suspect runs of one chunk: unknown words and runs of short pieces. A chunk the
/// dictionary knows whole, an abbreviation, or one with a dotted word has none.
fn suspects(
    typed: &str,
    tokens: &[Token],
    dictionary: &Newmm,
    segmenter: &Segmenter,
) -> Vec<Suspect> {
    if tokens.is_empty() || tokens.iter().any(|t| t.text.contains('.')) {
        return vec![];
    }
    let whole = &typed[tokens[0].start..tokens[tokens.len() - 1].end];
    if dictionary.contains(whole) || looks_like_abbreviation(whole) {
        return vec![];
    }
    let thai = |t: &Token| is_thai_word(&t.text);
    let odd = |t: &Token| {
        thai(t) && (t.text.chars().count() <= FRAGMENT_CHARS || !dictionary.contains(&t.text))
    };
    // A run is suspect when it holds an unknown word, or two pieces that are not all function
    // words (ในการ is two real words).
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !odd(&tokens[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < tokens.len() && odd(&tokens[i]) {
            i += 1;
        }
        let run = &tokens[start..i];
        let has_unknown = run.iter().any(|t| !dictionary.contains(&t.text));
        let content = run.iter().any(|t| !segmenter.is_stop_word(&t.text));
        if has_unknown || (run.len() >= 2 && content) {
            runs.push(start..i);
        }
    }
    let searchable = |r: &Range<usize>| {
        let n = typed[tokens[r.start].start..tokens[r.end - 1].end]
            .chars()
            .count();
        (MIN_SUSPECT_CHARS..=MAX_SUSPECT_CHARS).contains(&n) && tokens[r.clone()].iter().all(thai)
    };
    let all = 0..tokens.len();
    // With one suspect run in a chunk of Thai, the chunk is most likely one word or a compound
    // the dictionary lists (กระทรวงสาธารณสุข).
    let whole_first = runs.len() == 1 && searchable(&all);
    runs.into_iter()
        .map(|run| {
            let left = run.start.saturating_sub(1);
            let right = (run.end + 1).min(tokens.len());
            let mut tiers = vec![
                vec![left..right],
                vec![left..run.end, run.start..right],
                vec![run.clone()],
            ];
            if whole_first {
                tiers.insert(0, vec![all.clone()]);
            }
            let mut seen: Vec<Range<usize>> = Vec::new();
            for tier in &mut tiers {
                tier.retain(|w| {
                    let new = !seen.contains(w);
                    seen.push(w.clone());
                    new && searchable(w)
                });
            }
            tiers.retain(|t| !t.is_empty());
            Suspect { run, tiers }
        })
        .filter(|s| !s.tiers.is_empty())
        .collect()
}

/// A word of Thai letters only (Latin words, numbers and mixed tokens are never corrected).
fn is_thai_word(s: &str) -> bool {
    s.chars().any(|c| matches!(c, 'ก'..='ฮ'))
        && s.chars().all(|c| matches!(c, '\u{0E01}'..='\u{0E4E}'))
}

/// สปสช, รพสต: a short run of consonants and nothing else.
fn looks_like_abbreviation(s: &str) -> bool {
    s.chars().count() <= MAX_ABBREVIATION_CHARS && s.chars().all(|c| matches!(c, 'ก'..='ฮ'))
}

/// Dictionary words within reach of `typed`: one edit for up to four chars, two beyond.
/// Only Thai words of two chars or more; no abbreviations (a dotted entry is never what a
/// misspelt word meant).
fn near_words(dictionary: &Newmm, typed: &[char]) -> Vec<(String, u16)> {
    let max = if typed.len() <= 4 { EDIT } else { 2 * EDIT };
    let width = typed.len() + 1;
    let mut first = Vec::with_capacity(width * 16);
    first.push(0);
    for j in 1..width {
        first.push(first[j - 1] + delete_cost(typed[j - 1]));
    }
    let mut walk = Walk {
        dictionary,
        typed,
        max,
        rows: first,
        path: Vec::with_capacity(32),
        found: Vec::new(),
    };
    walk.from(TRIE_ROOT);
    walk.found
        .retain(|(w, _)| w.chars().count() >= 2 && is_thai_word(w));
    walk.found
}

/// A depth-first walk of the dictionary's trie carrying one row of the edit-distance table per
/// char of the path, so that words sharing a prefix share its work, and a subtree is dropped as
/// soon as no cell of its row is within reach.
struct Walk<'a> {
    dictionary: &'a Newmm,
    typed: &'a [char],
    max: u16,
    /// Row `d` (`typed.len() + 1` cells from `d * width`): the cost of turning each prefix of
    /// `typed` into the first `d` chars of `path`.
    rows: Vec<u16>,
    path: Vec<char>,
    found: Vec<(String, u16)>,
}

impl Walk<'_> {
    fn from(&mut self, node: u32) {
        let dictionary = self.dictionary;
        let width = self.typed.len() + 1;
        let d = self.path.len();
        // Every insert or delete costs at least NEAR_EDIT, so only the cells within `reach` of
        // the diagonal can be in reach; the band is bounded by a cell set to OUT on each side.
        let reach = usize::from(self.max / NEAR_EDIT);
        let lo = (d + 1).saturating_sub(reach);
        let hi = (d + 1 + reach).min(width - 1);
        if lo > hi {
            return;
        }
        self.rows.resize((d + 2) * width, OUT);
        for (c, child, is_word) in dictionary.trie_children(node) {
            let (done, next) = self.rows.split_at_mut((d + 1) * width);
            let row = &done[d * width..];
            if lo > 0 {
                next[lo - 1] = OUT;
            }
            if hi + 1 < width {
                next[hi + 1] = OUT;
            }
            let mut nearest = OUT;
            for j in lo..=hi {
                let mut cost = row[j] + insert_cost(c);
                if j > 0 {
                    let t = self.typed[j - 1];
                    cost = cost
                        .min(next[j - 1] + delete_cost(t))
                        .min(row[j - 1] + replace_cost(t, c));
                    if j >= 2 && d >= 1 && t == self.path[d - 1] && self.typed[j - 2] == c {
                        cost = cost.min(done[(d - 1) * width + j - 2] + EDIT);
                    }
                }
                next[j] = cost;
                nearest = nearest.min(cost);
            }
            if nearest > self.max {
                continue;
            }
            let total = if hi == width - 1 { next[hi] } else { OUT };
            self.path.push(c);
            if is_word && total <= self.max {
                self.found.push((self.path.iter().collect(), total));
            }
            self.from(child);
            self.path.pop();
        }
    }
}

/// A cell of the edit-distance table outside the band: beyond any reach, with room to add to.
const OUT: u16 = u16::MAX / 4;

/// Tone marks and the karan: left out or doubled more than any letter.
fn is_light_mark(c: char) -> bool {
    matches!(c, '\u{0E48}'..='\u{0E4C}')
}

/// The word has `c` where the person typed nothing.
fn insert_cost(c: char) -> u16 {
    if is_light_mark(c) { NEAR_EDIT } else { EDIT }
}

/// The person typed `c` where the word has nothing.
fn delete_cost(c: char) -> u16 {
    insert_cost(c)
}

fn replace_cost(typed: char, word: char) -> u16 {
    if typed == word {
        0
    } else if sound_class(typed).is_some() && sound_class(typed) == sound_class(word) {
        NEAR_EDIT
    } else {
        EDIT
    }
}

/// Letters and marks Thai typists confuse because they sound the same: consonants of one
/// sound, a short vowel and its long form, one tone mark for another.
fn sound_class(c: char) -> Option<u8> {
    Some(match c {
        'ข' | 'ฃ' | 'ค' | 'ฅ' | 'ฆ' => 1,
        'ช' | 'ฉ' | 'ฌ' => 2,
        'ซ' | 'ศ' | 'ษ' | 'ส' => 3,
        'ด' | 'ฎ' => 4,
        'ต' | 'ฏ' => 5,
        'ถ' | 'ฐ' | 'ท' | 'ธ' | 'ฑ' | 'ฒ' => 6,
        'น' | 'ณ' => 7,
        'ผ' | 'พ' | 'ภ' => 8,
        'ฝ' | 'ฟ' => 9,
        'ย' | 'ญ' => 10,
        'ร' | 'ล' | 'ฬ' => 11,
        'ห' | 'ฮ' => 12,
        'ั' | 'ะ' => 13,
        'ิ' | 'ี' => 14,
        'ึ' | 'ื' => 15,
        'ุ' | 'ู' => 16,
        'ใ' | 'ไ' => 17,
        '\u{0E48}'..='\u{0E4B}' => 18,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::LazyLock;

    static SEG: LazyLock<Segmenter> = LazyLock::new(Segmenter::new);

    /// An index holding these words in this many items each.
    fn index(words: &[(&str, u64)]) -> impl Fn(&str) -> u64 + use<> {
        let m: HashMap<String, u64> = words.iter().map(|(w, n)| (w.to_string(), *n)).collect();
        move |w| m.get(w).copied().unwrap_or(0)
    }

    /// A health-promotion index: the words a KM library of the Ministry of Public Health holds,
    /// with the pieces misspellings are cut into present but rare.
    fn health_index() -> impl Fn(&str) -> u64 + use<> {
        index(&[
            ("สาธารณสุข", 900),
            ("กระทรวงสาธารณสุข", 300),
            ("กระทรวง", 400),
            ("นวัตกรรม", 250),
            ("นวัตกร", 12),
            ("ความรู้", 1200),
            ("ความ", 3000),
            ("การ", 5000),
            ("จัดการ", 1500),
            ("กฎหมาย", 80),
            ("อสม", 700),
            ("km", 600),
            ("สุข", 200),
            ("สา", 15),
            ("ธาร", 2),
            ("น", 800),
            ("กรม", 500),
            ("วัต", 3),
            ("ชุมชน", 1100),
            ("โควิด", 40),
            ("แผน", 900),
            ("สูง", 300),
            ("ความดันโลหิต", 120),
        ])
    }

    fn suggest(q: &str) -> Option<String> {
        let corrections = candidates(q, &SEG);
        choose(q, &corrections, &health_index())
    }

    fn words(c: &Correction) -> Vec<&str> {
        c.candidates.iter().map(|k| k.word.as_str()).collect()
    }

    #[test]
    fn a_misspelt_word_cut_into_known_pieces_is_found_whole() {
        let c = candidates("สาธารนสุข", &SEG);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].typed, "สาธารนสุข");
        assert_eq!(c[0].candidates[0].word, "สาธารณสุข", "{:?}", words(&c[0]));
        // น for ณ is a sound-alike: half an edit.
        assert_eq!(c[0].candidates[0].cost, NEAR_EDIT);
        assert!(c[0].lookups().contains(&"สาธารณสุข".to_string()));
        assert!(c[0].lookups().contains(&"ธาร".to_string()));
        // Every piece (สา, ธาร, น, สุข) is in the index, but สาธารณสุข far more often.
        assert_eq!(suggest("สาธารนสุข").as_deref(), Some("สาธารณสุข"));
    }

    #[test]
    fn a_missing_letter_and_a_wrong_vowel_are_corrected() {
        assert_eq!(suggest("นวัตกรม").as_deref(), Some("นวัตกรรม"));
        assert_eq!(suggest("ความรุ้").as_deref(), Some("ความรู้"));
        let c = candidates("ความรุ้", &SEG);
        assert_eq!(c[0].candidates[0].word, "ความรู้", "{:?}", words(&c[0]));
    }

    #[test]
    fn the_misspelt_word_inside_a_longer_chunk_is_replaced_alone() {
        assert_eq!(suggest("การจัดการความรุ้").as_deref(), Some("การจัดการความรู้"));
        assert_eq!(suggest("ความดันโลหิตสุง").as_deref(), Some("ความดันโลหิตสูง"));
    }

    #[test]
    fn what_normalisation_already_repairs_is_not_suggested() {
        assert_eq!(normalize("กฏหมาย"), "กฎหมาย");
        assert!(candidates("กฏหมาย", &SEG).is_empty());
        assert_eq!(suggest("กฏหมาย"), None);
    }

    #[test]
    fn abbreviations_latin_words_and_correct_queries_stay() {
        for q in [
            "อสม",
            "สปสช",
            "km",
            "KM",
            "สาธารณสุข",
            "การจัดการความรู้",
            "นวัตกรรม ชุมชน",
            "แผน 2567",
        ] {
            assert!(
                candidates(q, &SEG).is_empty(),
                "{q}: {:?}",
                candidates(q, &SEG)
            );
            assert_eq!(suggest(q), None, "{q}");
        }
    }

    #[test]
    fn an_unknown_word_the_index_holds_is_not_corrected() {
        // A single word the dictionary may not know, but the index does.
        assert_eq!(suggest("โควิด"), None);
        // Two real words (ผล|การ) look like pieces and have a near word (พลการ), but the index
        // holds both pieces and the near word is not much more frequent: they stay.
        let q = "ผลการ";
        let c = candidates(q, &SEG);
        assert!(!c.is_empty());
        let everything_common = |_: &str| 1000;
        assert_eq!(choose(q, &c, &everything_common), None, "{c:?}");
    }

    #[test]
    fn phrases_exclusions_and_other_chunks_are_kept_as_typed() {
        let q = "KM  \"ความรุ้ ชุมชน\" -สาธารนสุข นวัตกรม อสม.";
        let c = candidates(q, &SEG);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].chunk, 3);
        assert_eq!(
            suggest(q).as_deref(),
            Some("KM \"ความรุ้ ชุมชน\" -สาธารนสุข นวัตกรรม อสม.")
        );
        // A prefix being typed is not a misspelling.
        assert_eq!(suggest("นวัตก*"), None);
    }

    #[test]
    fn two_misspelt_chunks_are_both_corrected() {
        assert_eq!(
            suggest("นวัตกรม สาธารนสุข").as_deref(),
            Some("นวัตกรรม สาธารณสุข")
        );
    }

    #[test]
    fn nothing_the_index_holds_means_no_suggestion() {
        let c = candidates("สาธารนสุข", &SEG);
        assert_eq!(choose("สาธารนสุข", &c, &|_| 0), None);
        // Corrections for another query text are ignored.
        assert_eq!(choose("ชุมชน", &c, &health_index()), None);
    }

    #[test]
    fn chunks_follow_the_query_syntax() {
        let q = "a -b \"c d\" -\"e\" fg* h* “g” -";
        let got: Vec<(&str, bool)> = chunks(q)
            .iter()
            .map(|c| (&q[c.range.clone()], c.plain))
            .collect();
        assert_eq!(
            got,
            [
                ("a", true),
                ("b", false),
                ("c d", false),
                ("e", false),
                ("fg*", false),
                // One letter before the star: the parser reads the word h.
                ("h*", true),
                ("g", false),
                ("-", true)
            ]
        );
        assert!(chunks("  ").is_empty());
        assert_eq!(chunks("\"open").len(), 1);
    }

    #[test]
    fn edit_costs_favour_thai_confusions() {
        let near = |typed: &str| -> Vec<(String, u16)> {
            let t: Vec<char> = typed.chars().collect();
            near_words(SEG.dictionary(), &t)
        };
        let cost = |typed: &str, word: &str| {
            near(typed)
                .into_iter()
                .find(|(w, _)| w == word)
                .map(|(_, c)| c)
        };
        assert_eq!(cost("ประชาสัมพัน", "ประชาสัมพันธ์"), Some(EDIT + NEAR_EDIT));
        assert_eq!(cost("เบาหวาณ", "เบาหวาน"), Some(NEAR_EDIT));
        assert_eq!(cost("ผุ้สูงอายุ", "ผู้สูงอายุ"), Some(NEAR_EDIT));
        assert_eq!(cost("สาะารณสุข", "สาธารณสุข"), Some(EDIT));
        // Two neighbours swapped are one edit.
        assert_eq!(cost("สาธาณรสุข", "สาธารณสุข"), Some(EDIT));
        assert_eq!(cost("กรม", "กรรม"), Some(EDIT));
        assert_eq!(cost("กม", "กรรม"), None);
    }

    #[test]
    #[ignore = "timing: run in release with --ignored --nocapture"]
    fn timing_of_a_three_chunk_query() {
        let seg = &*SEG;
        let time = |q: &str| {
            let runs = 30;
            let _ = candidates(q, seg);
            let start = std::time::Instant::now();
            let mut found = 0;
            for _ in 0..runs {
                found = candidates(q, seg).len();
            }
            println!(
                "{:>10.2?}  {found:>2} corrections  {q}",
                start.elapsed() / runs
            );
        };
        time("สาธารนสุข นวัตกรม การจัดการความรุ้");
        time("ประชาสัมพัน งบประมาน ความดันโลหิตสุง");
        time("กระทรวงสาธารนสุข");
        time("การจัดการความรู้ ภูมิปัญญาท้องถิ่น");
        // A pasted run of misspellings: bounded by MAX_SEARCHES.
        time(
            "สาธารนสุข นวัตกรม ความรุ้ งบประมาน ประชาสัมพัน อาสาสมัค ยาเสพติค เศรษกิจพอเพียง \
             ภูมิปัญาท้องถิ่น ความดันโลหิตสุง ผุ้สูงอายุ เบาหวาณ",
        );
    }
}
