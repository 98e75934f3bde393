//! The rankers khlang must beat: what a WordPress site does (substring matching), and BM25
//! over words or character 3-grams, the two usual first attempts at Thai search.

use std::collections::HashMap;
use std::sync::Arc;

use khlang_core::text::Segmenter;

use crate::collection::{Collection, Passage};
use crate::metrics::Ranker;

/// WordPress's search (`WP_Query` with `s=`): the query is split on spaces and every term must
/// occur, as a substring, in the title, excerpt (summary) or content: `LIKE '%term%'` joined
/// with AND. Matching here ignores letter case only; MySQL collations may fold more (digits,
/// accents) depending on the site's settings. Order follows WordPress's "relevance" `CASE`:
/// whole query in the title, all terms in the title, any term in the title, whole query in the
/// excerpt, whole query in the content, the rest (a one-term query: in the title or not); ties
/// by newest year (WordPress: post date), then id. Quoted phrases, `-exclusions` and
/// WordPress's English stop-word list are left out: Thai queries do not use them.
#[derive(Debug)]
pub struct Substring {
    docs: Vec<SubstringDoc>,
}

#[derive(Debug)]
struct SubstringDoc {
    id: String,
    year: u32,
    title: String,
    summary: String,
    body: String,
}

impl Substring {
    pub fn new(collection: &Collection) -> Substring {
        let docs = collection
            .passages
            .iter()
            .map(|p| SubstringDoc {
                id: p.id.clone(),
                year: p.year.unwrap_or(0),
                title: p.title.to_lowercase(),
                summary: p.summary.clone().unwrap_or_default().to_lowercase(),
                body: p.body.to_lowercase(),
            })
            .collect();
        Substring { docs }
    }
}

impl Ranker for Substring {
    fn name(&self) -> &str {
        "substring (WordPress-like)"
    }

    fn rank(&mut self, query: &str, k: usize) -> Vec<String> {
        let whole = query.trim().to_lowercase();
        let terms: Vec<&str> = whole.split_whitespace().collect();
        if terms.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, &SubstringDoc)> = self
            .docs
            .iter()
            .filter(|d| {
                terms
                    .iter()
                    .all(|t| d.title.contains(t) || d.summary.contains(t) || d.body.contains(t))
            })
            .map(|d| {
                let in_title = |t: &&str| d.title.contains(*t);
                // WP_Query::parse_search_order: one term sorts by "in the title" only; the
                // all/any-terms-in-title levels are skipped from seven terms on.
                let level = if terms.len() == 1 {
                    if d.title.contains(&whole) { 1 } else { 6 }
                } else if d.title.contains(&whole) {
                    1
                } else if terms.len() < 7 && terms.iter().all(in_title) {
                    2
                } else if terms.len() < 7 && terms.iter().any(in_title) {
                    3
                } else if d.summary.contains(&whole) {
                    4
                } else if d.body.contains(&whole) {
                    5
                } else {
                    6
                };
                (level, d)
            })
            .collect();
        hits.sort_by(|(la, a), (lb, b)| {
            la.cmp(lb)
                .then_with(|| b.year.cmp(&a.year))
                .then_with(|| a.id.cmp(&b.id))
        });
        hits.into_iter()
            .take(k)
            .map(|(_, d)| d.id.clone())
            .collect()
    }
}

/// BM25 parameters used by every baseline (Lucene's and Elasticsearch's defaults).
pub const K1: f64 = 1.2;
pub const B: f64 = 0.75;

/// An inverted index with Okapi BM25 scoring, one field (title + summary + body).
/// IDF is Lucene's `ln(1 + (N − df + 0.5) / (df + 0.5))`, never negative. Every query term
/// occurrence adds its score (a repeated term counts twice, as in Lucene and rank_bm25);
/// a passage matching any term is a hit (OR), ties broken by id.
#[derive(Debug)]
struct Bm25Index {
    ids: Vec<String>,
    lengths: Vec<f64>,
    avg_length: f64,
    postings: HashMap<String, Vec<(usize, u32)>>,
}

impl Bm25Index {
    fn build(docs: Vec<(String, Vec<String>)>) -> Bm25Index {
        let mut ids = Vec::with_capacity(docs.len());
        let mut lengths = Vec::with_capacity(docs.len());
        let mut postings: HashMap<String, Vec<(usize, u32)>> = HashMap::new();
        for (i, (id, terms)) in docs.into_iter().enumerate() {
            ids.push(id);
            lengths.push(terms.len() as f64);
            let mut tf: HashMap<String, u32> = HashMap::new();
            for t in terms {
                *tf.entry(t).or_default() += 1;
            }
            for (t, n) in tf {
                postings.entry(t).or_default().push((i, n));
            }
        }
        let avg_length = if lengths.is_empty() {
            0.0
        } else {
            lengths.iter().sum::<f64>() / lengths.len() as f64
        };
        Bm25Index {
            ids,
            lengths,
            avg_length,
            postings,
        }
    }

    fn search(&self, terms: &[String], k: usize) -> Vec<String> {
        self.scored(terms)
            .into_iter()
            .take(k)
            .map(|(i, _)| self.ids[i].clone())
            .collect()
    }

    /// Every matching document with its score, best first.
    fn scored(&self, terms: &[String]) -> Vec<(usize, f64)> {
        let n = self.ids.len() as f64;
        let mut scores = vec![0.0f64; self.ids.len()];
        let mut matched = vec![false; self.ids.len()];
        for t in terms {
            let Some(list) = self.postings.get(t) else {
                continue;
            };
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(doc, tf) in list {
                let tf = f64::from(tf);
                let norm = K1 * (1.0 - B + B * self.lengths[doc] / self.avg_length);
                scores[doc] += idf * tf * (K1 + 1.0) / (tf + norm);
                matched[doc] = true;
            }
        }
        let mut hits: Vec<usize> = (0..self.ids.len()).filter(|&i| matched[i]).collect();
        hits.sort_by(|&a, &b| {
            scores[b]
                .total_cmp(&scores[a])
                .then_with(|| self.ids[a].cmp(&self.ids[b]))
        });
        hits.into_iter().map(|i| (i, scores[i])).collect()
    }
}

/// How [`Bm25Words`] turns text into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordAnalysis {
    /// `Segmenter::tokens`: khlang's normalisation (digits, case, sara am, misspelling folds),
    /// then segmentation, with the aliases it adds (อสม beside อสม.).
    Normalized,
    /// The raw text segmented without normalisation and without aliases: closer to "BM25
    /// over newmm words" as a plain PyThaiNLP setup does it. It still uses khlang's dictionary
    /// additions (อสม., สสม., โคกหนองนา …) and abbreviation handling, which `Segmenter` has no
    /// switch to turn off.
    Raw,
}

/// BM25 over the words of khlang's word segmenter (newmm over PyThaiNLP's dictionary).
pub struct Bm25Words {
    segmenter: Arc<Segmenter>,
    analysis: WordAnalysis,
    index: Bm25Index,
}

impl Bm25Words {
    pub fn new(collection: &Collection, segmenter: Arc<Segmenter>, analysis: WordAnalysis) -> Self {
        let docs = collection
            .passages
            .iter()
            .map(|p| (p.id.clone(), words(&segmenter, analysis, &p.full_text())))
            .collect();
        Bm25Words {
            index: Bm25Index::build(docs),
            segmenter,
            analysis,
        }
    }
}

fn words(segmenter: &Segmenter, analysis: WordAnalysis, text: &str) -> Vec<String> {
    match analysis {
        WordAnalysis::Normalized => segmenter.tokens(text).into_iter().map(|t| t.text).collect(),
        // tokens_normalized skips normalize(); given raw text it segments the text as typed.
        WordAnalysis::Raw => segmenter
            .tokens_normalized(text)
            .into_iter()
            .filter(|t| !t.is_alias)
            .map(|t| t.text)
            .collect(),
    }
}

impl Ranker for Bm25Words {
    fn name(&self) -> &str {
        match self.analysis {
            WordAnalysis::Normalized => "BM25 words (khlang tokens, normalised)",
            WordAnalysis::Raw => "BM25 words (raw newmm-style)",
        }
    }

    fn rank(&mut self, query: &str, k: usize) -> Vec<String> {
        let terms = words(&self.segmenter, self.analysis, query);
        self.index.search(&terms, k)
    }
}

/// BM25 over overlapping character 3-grams of the lower-cased text with all whitespace removed:
/// no dictionary, so it survives unknown words and some misspellings. A query shorter than three
/// characters has no 3-gram and finds nothing.
#[derive(Debug)]
pub struct Bm25Trigrams {
    index: Bm25Index,
}

impl Bm25Trigrams {
    pub fn new(collection: &Collection) -> Bm25Trigrams {
        let docs = collection
            .passages
            .iter()
            .map(|p: &Passage| (p.id.clone(), trigrams(&p.full_text())))
            .collect();
        Bm25Trigrams {
            index: Bm25Index::build(docs),
        }
    }
}

/// The character 3-grams of `text` without whitespace, lower-cased.
pub fn trigrams(text: &str) -> Vec<String> {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    chars.windows(3).map(|w| w.iter().collect()).collect()
}

impl Ranker for Bm25Trigrams {
    fn name(&self) -> &str {
        "BM25 character 3-grams"
    }

    fn rank(&mut self, query: &str, k: usize) -> Vec<String> {
        self.index.search(&trigrams(query), k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collection() -> Collection {
        Collection::parse(
            r#"
[[passage]]
id = "001-001"
title = "การคัดเลือก อสม.ดีเด่น"
body = "ระดับเขตและภาค ปี 2566"
year = 2566

[[passage]]
id = "001-002"
title = "แผนงาน"
body = "การคัดเลือก อสม.ดีเด่น ระดับจังหวัด"
year = 2567

[[passage]]
id = "001-003"
title = "อื่น ๆ"
summary = "สรุป KM"
body = "การจัดการความรู้ภาคประชาชน km"
year = 2567

[[query]]
id = "q"
text = "x"
kind = "multiword"
[query.judgments]
"001-001" = 3
"#,
        )
        .unwrap()
    }

    #[test]
    fn substring_requires_every_space_separated_term() {
        let mut s = Substring::new(&collection());
        assert_eq!(s.rank("อสม ดีเด่น", 10), vec!["001-001", "001-002"]);
        assert_eq!(s.rank("อสม จังหวัด", 10), vec!["001-002"]);
        assert!(s.rank("อสม ภาคประชาชน", 10).is_empty());
        assert!(s.rank("   ", 10).is_empty());
    }

    #[test]
    fn substring_puts_title_matches_first_then_newest() {
        let mut s = Substring::new(&collection());
        // 001-001 has it in the title (level 1) though 001-002 is newer.
        assert_eq!(s.rank("การคัดเลือก", 10), vec!["001-001", "001-002"]);
        assert_eq!(s.rank("km", 10), vec!["001-003"]);
        // Both only in bodies: the newer first.
        assert_eq!(s.rank("ระดับ", 10), vec!["001-002", "001-001"]);
        assert_eq!(s.rank("ระดับ", 1), vec!["001-002"]);
        // Two terms: all in the title (001-001) before only in the body (001-002, newer).
        assert_eq!(s.rank("ดีเด่น การคัดเลือก", 10), vec!["001-001", "001-002"]);
        // Any term in the title before neither, though the other is newer.
        assert_eq!(s.rank("ระดับ การคัดเลือก", 10), vec!["001-001", "001-002"]);
        // Case-insensitive like MySQL's default collations.
        assert_eq!(s.rank("KM", 10), vec!["001-003"]);
    }

    #[test]
    fn trigrams_drop_whitespace_and_case() {
        assert_eq!(trigrams("A b\ncD"), vec!["abc", "bcd"]);
        assert!(trigrams("ab").is_empty());
        assert_eq!(trigrams("อสม.").len(), 2);
    }

    #[test]
    fn bm25_prefers_rare_terms_and_shorter_documents() {
        let docs = vec![
            ("a".to_string(), vec!["x".into(), "y".into()]),
            (
                "b".to_string(),
                vec!["x".into(), "z".into(), "z".into(), "z".into()],
            ),
            ("c".to_string(), vec!["w".into()]),
        ];
        let idx = Bm25Index::build(docs);
        // y is in one document, x in two: y wins for "x y" although both match x.
        assert_eq!(idx.search(&["x".into(), "y".into()], 10), vec!["a", "b"]);
        // Same tf of x, a is shorter.
        assert_eq!(idx.search(&["x".into()], 10), vec!["a", "b"]);
        assert!(idx.search(&["nothing".into()], 10).is_empty());
        // Hand-computed score of a for "x": idf = ln(1 + 1.5/2.5) = 0.470004, avgdl = 7/3,
        // dl/avgdl = 6/7, score = idf · 2.2 / (1 + 1.2 · (0.25 + 0.75 · 6/7)) = 0.499176.
        let scored = idx.scored(&["x".into()]);
        assert_eq!(scored[0].0, 0);
        assert!((scored[0].1 - 0.499_176_27).abs() < 1e-6, "{}", scored[0].1);
    }

    #[test]
    fn trigram_ranker_finds_unspaced_and_spaced_forms() {
        let mut r = Bm25Trigrams::new(&collection());
        assert_eq!(r.rank("ภาคประชาชน", 10)[0], "001-003");
        assert_eq!(r.rank("อสม.ดีเด่น", 10).len(), 2);
        assert!(r.rank("กข", 10).is_empty());
    }

    #[test]
    fn word_rankers_normalise_or_not() {
        let segmenter = Arc::new(Segmenter::new());
        let c = collection();
        let mut norm = Bm25Words::new(&c, Arc::clone(&segmenter), WordAnalysis::Normalized);
        let mut raw = Bm25Words::new(&c, segmenter, WordAnalysis::Raw);
        // Thai digits match Arabic ones only after normalisation.
        assert_eq!(norm.rank("๒๕๖๖", 10), vec!["001-001"]);
        assert!(raw.rank("๒๕๖๖", 10).is_empty());
        assert_eq!(raw.rank("2566", 10), vec!["001-001"]);
        // Both segment unspaced Thai into words that spaced text also has.
        assert_eq!(norm.rank("ภาคประชาชน", 10)[0], "001-003");
        assert_eq!(raw.rank("ภาคประชาชน", 10)[0], "001-003");
    }
}
