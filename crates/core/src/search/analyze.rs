//! Step 3 of the pipeline: what the index stores for an item. Both database backends receive
//! text that khlang has already normalised and segmented — words separated by single spaces —
//! so neither database's own word splitting (blind to unspaced Thai) ever decides a match.

use crate::text::{Segmenter, Token};

/// Characters taken for n-grams from one item: misspelling recall needs the title, summary
/// and the start of the body, and a cap keeps a 2-million-character PDF from dominating
/// the index.
pub const MAX_GRAM_CHARS: usize = 20_000;

/// Length of the character n-grams (code points). Three is where the held-out measurement
/// put BM25 over n-grams ahead of BM25 over words.
pub const GRAM: usize = 3;

/// Characters a stored token may contain: letters, digits and Thai marks. Punctuation inside a
/// token (the dot of อสม., the comma of 10,000) is dropped here so that SQLite's ASCII
/// tokenizer and PostgreSQL's tsvector see exactly the same words.
fn keep(c: char) -> bool {
    // Thai and ASCII first: `is_alphanumeric` looks Thai up in Unicode's tables, slowly.
    ('\u{0E00}'..='\u{0E7F}').contains(&c) || c.is_ascii_alphanumeric() || c.is_alphanumeric()
}

/// A token as the index stores it (empty when nothing of it is a letter or digit).
pub fn index_form(token: &str) -> String {
    token.chars().filter(|&c| keep(c)).collect()
}

/// Words of `text` in index form, with each dotted abbreviation once (อสม. and its alias อสม
/// are the same word once the dot is gone) and other aliases kept (10,000 → 10000).
pub fn words(segmenter: &Segmenter, text: &str) -> Vec<String> {
    word_forms(&segmenter.tokens(text))
}

/// Index forms of already-segmented tokens (see [`words`]), each compound khlang added to the
/// dictionary replaced by its [`parts`].
pub fn word_forms(tokens: &[Token]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut previous: Option<(usize, usize)> = None;
    let mut last_form = String::new();
    for t in tokens {
        let form = index_form(&t.text);
        if form.is_empty() {
            continue;
        }
        if t.is_alias && previous == Some((t.start, t.end)) && last_form == form {
            continue;
        }
        previous = Some((t.start, t.end));
        out.extend(parts(&form));
        last_form = form;
    }
    out
}

/// PyThaiNLP's word list alone (see [`parts`]).
static GENERAL: std::sync::LazyLock<Segmenter> = std::sync::LazyLock::new(Segmenter::general);

/// Shortest word (characters) that may be a compound worth splitting; abbreviations such as
/// อสม or สสม are shorter and stay whole.
const MIN_COMPOUND_CHARS: usize = 5;

/// The everyday words a dictionary entry khlang added is made of: a unit name
/// (สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา) or a term (โคกหนองนา) is cut as one piece, so that
/// the words around it are cut right, then split here, so that ฉะเชิงเทรา or นา finds it
/// and a text that spaces it (โคก หนอง นา) matches one that does not. Index and queries both
/// go through this. Other words come back as they are.
pub fn parts(form: &str) -> Vec<String> {
    // An everyday word is its own only part: no need to segment it again (this runs for
    // every word indexed and every word shown in a snippet).
    if form.chars().count() < MIN_COMPOUND_CHARS
        || !form.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c))
        || GENERAL.dictionary().contains(form)
    {
        return vec![form.to_string()];
    }
    let split: Vec<String> = GENERAL
        .tokens_normalized(form)
        .iter()
        .filter(|t| !t.is_alias)
        .map(|t| index_form(&t.text))
        .filter(|f| !f.is_empty())
        .collect();
    if split.len() > 1 {
        split
    } else {
        vec![form.to_string()]
    }
}

/// Character n-grams across the words of each line, ignoring where the segmenter cut: a query
/// segmented differently, or misspelt by a letter, still shares most of its n-grams with the
/// passage. A run shorter than [`GRAM`] is one n-gram of its own.
pub fn grams(segmenter: &Segmenter, text: &str, max_chars: usize) -> Vec<String> {
    let mut g = Grams::new(max_chars);
    g.words(segmenter, text);
    g.out
}

/// The n-grams of a query, de-duplicated (a query is one run: its spaces are not meaningful in
/// Thai, and a user who spaces words differently from the document still matches).
pub fn query_grams(words: &[String]) -> Vec<String> {
    let run: Vec<char> = words.iter().flat_map(|w| w.chars()).collect();
    let mut out = Vec::new();
    grams_of(&run, &mut out);
    let mut seen = std::collections::HashSet::new();
    out.retain(|g| seen.insert(g.clone()));
    out
}

fn grams_of(run: &[char], out: &mut Vec<String>) {
    if run.is_empty() {
        return;
    }
    if run.len() < GRAM {
        out.push(run.iter().collect());
        return;
    }
    for w in run.windows(GRAM) {
        out.push(w.iter().collect());
    }
}

/// What the index holds for one published item: each field as space-separated words, plus
/// the n-grams, plus what filters and facets need.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchEntry {
    pub item_id: crate::ids::ItemId,
    /// Weighted highest.
    pub title: String,
    /// Summary, tags and authors.
    pub summary: String,
    pub body: String,
    /// Text extracted from attached files; weighted lowest.
    pub files: String,
    pub grams: String,
    pub facets: Facets,
}

/// What an index hit carries back so that core can check visibility, filter and count facets
/// without loading the item.
#[derive(Debug, Clone, PartialEq)]
pub struct Facets {
    pub visibility: crate::item::Visibility,
    pub unit_id: crate::ids::UnitId,
    pub fiscal_year: i32,
    pub knowledge_type: crate::item::KnowledgeType,
    pub terms: Vec<crate::ids::TermId>,
    pub formats: Vec<crate::file::FileKind>,
    /// Newest first among equal scores.
    pub published_at: time::OffsetDateTime,
}

/// The item's fields as index text.
pub struct EntryText<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub tags: &'a [String],
    pub authors: &'a [String],
    pub body: &'a str,
    /// Extracted text of each current file.
    pub files: &'a [String],
}

/// Analyses an item for the index. Each field is segmented once: its words go to the word
/// fields and, line by line, to the n-grams.
pub fn entry(
    segmenter: &Segmenter,
    item_id: crate::ids::ItemId,
    text: &EntryText<'_>,
    facets: Facets,
) -> SearchEntry {
    let mut grams = Grams::new(MAX_GRAM_CHARS);
    let title = grams.words(segmenter, text.title);
    let mut summary = grams.words(segmenter, text.summary);
    for t in text.tags.iter().chain(text.authors) {
        summary.extend(grams.words(segmenter, t));
    }
    let body = grams.words(segmenter, text.body);
    let mut files = Vec::new();
    for f in text.files {
        files.extend(words(segmenter, f));
    }
    SearchEntry {
        item_id,
        title: title.join(" "),
        summary: summary.join(" "),
        body: body.join(" "),
        files: files.join(" "),
        grams: grams.out.join(" "),
        facets,
    }
}

/// N-grams gathered while the fields are segmented, up to a character budget.
struct Grams {
    out: Vec<String>,
    left: usize,
}

impl Grams {
    fn new(max_chars: usize) -> Self {
        Grams {
            out: Vec::new(),
            left: max_chars,
        }
    }

    /// The words of `text` (as [`words`]), taking the n-grams of each line on the way.
    fn words(&mut self, segmenter: &Segmenter, text: &str) -> Vec<String> {
        let normalized = crate::text::normalize(text);
        let mut all = Vec::new();
        for line in normalized.lines() {
            let forms = word_forms(&segmenter.tokens_normalized(line));
            if self.left > 0 {
                let run: Vec<char> = forms
                    .iter()
                    .flat_map(|w| w.chars())
                    .take(self.left)
                    .collect();
                self.left -= run.len();
                grams_of(&run, &mut self.out);
            }
            all.extend(forms);
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::LazyLock;

    static SEG: LazyLock<Segmenter> = LazyLock::new(Segmenter::new);

    #[test]
    fn abbreviations_are_one_word_without_their_dot() {
        let w = words(&SEG, "อสม.ทุกคน ช่วยกัน");
        assert!(w.contains(&"อสม".to_string()), "{w:?}");
        assert_eq!(w.iter().filter(|x| *x == "อสม").count(), 1, "{w:?}");
        assert!(w.iter().all(|x| !x.contains('.')));
    }

    #[test]
    fn thai_digits_and_latin_case_are_folded() {
        let w = words(&SEG, "แผน KM ปี ๒๕๖๗");
        assert!(w.contains(&"km".to_string()), "{w:?}");
        assert!(w.contains(&"2567".to_string()), "{w:?}");
    }

    #[test]
    fn grams_cross_word_boundaries_and_survive_a_misspelling() {
        let doc = grams(&SEG, "กระทรวงสาธารณสุข", MAX_GRAM_CHARS);
        let q = query_grams(&words(&SEG, "สาธารนสุข"));
        let shared = q.iter().filter(|g| doc.contains(g)).count();
        assert!(shared * 2 >= q.len(), "{shared} of {q:?} in {doc:?}");
    }

    #[test]
    fn added_compounds_are_split_into_everyday_words() {
        let seg = Segmenter::with_words(["สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา"]);
        let w = words(&seg, "แผนของสำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา");
        assert!(w.contains(&"ฉะเชิงเทรา".to_string()), "{w:?}");
        assert_eq!(words(&SEG, "โคกหนองนา"), words(&SEG, "โคก หนอง นา"));
        assert_eq!(words(&SEG, "อสม"), ["อสม"]);
    }

    #[test]
    fn grams_are_capped() {
        let long = "ก".repeat(100_000);
        assert!(grams(&SEG, &long, 50).len() <= 50);
        assert_eq!(query_grams(&["กข".into()]), vec!["กข".to_string()]);
    }
}
