//! The test collection: passages cut from the five seed documents, the queries Thai users type,
//! and graded judgments made by reading the passages, before any khlang ranker existed.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::Deserialize;

/// The collection file, embedded so that every build evaluates the same judgments.
const COLLECTION_TOML: &str = include_str!("../data/collection.toml");
/// Queries over the same passages that khlang's ranker was never tuned on (issue 9).
const HELD_OUT_TOML: &str = include_str!("../data/heldout.toml");

/// Graded relevance (ระดับความเกี่ยวข้อง): 3 answers the query or is about it, 2 highly relevant,
/// 1 partly relevant or mentions it. A passage a query does not judge counts as 0.
pub type Grade = u8;

/// One searchable item: a paragraph or section of a seed document, text kept as in the seed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Passage {
    /// `SSS-NNN`: seed number, then position in that seed. Stable: judgments refer to it.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    pub body: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    /// Buddhist-Era year of the source document, when it has one.
    #[serde(default)]
    pub year: Option<u32>,
}

impl Passage {
    /// Title, summary and body, one per line: what a ranker without fields indexes.
    pub fn full_text(&self) -> String {
        let mut s = self.title.clone();
        if let Some(summary) = &self.summary {
            s.push('\n');
            s.push_str(summary);
        }
        s.push('\n');
        s.push_str(&self.body);
        s
    }
}

/// What sort of query it is, so that the report shows where a ranker fails (per-kind table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Several words typed without spaces, as Thai is written: การจัดการความรู้ภาคประชาชน.
    KeywordUnspaced,
    /// Keywords separated by spaces: อสม ดีเด่น.
    Multiword,
    /// Abbreviations with or without dots: สสม., จปฐ, CoP.
    Abbreviation,
    /// The query's digits differ from the text's (๒๕๖๗ against 2567 or the reverse).
    ThaiDigits,
    /// English and Thai mixed: KM Action Plan กรมสนับสนุนบริการสุขภาพ.
    EnglishMixed,
    /// A misspelling (ปฎิบัติ for ปฏิบัติ, สาธารนสุข for สาธารณสุข) or a correct spelling the
    /// text misspells.
    Misspelling,
    /// Sara am typed as nikhahit + sara aa (U+0E4D U+0E32), as old keyboards and PDFs produce.
    SaraAmDecomposed,
    /// A natural-language question.
    Question,
    /// A fixed phrase copied from somewhere: a slogan, a programme name.
    Phrase,
    /// A long, specific query.
    LongTail,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::KeywordUnspaced,
        Kind::Multiword,
        Kind::Abbreviation,
        Kind::ThaiDigits,
        Kind::EnglishMixed,
        Kind::Misspelling,
        Kind::SaraAmDecomposed,
        Kind::Question,
        Kind::Phrase,
        Kind::LongTail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::KeywordUnspaced => "keyword_unspaced",
            Kind::Multiword => "multiword",
            Kind::Abbreviation => "abbreviation",
            Kind::ThaiDigits => "thai_digits",
            Kind::EnglishMixed => "english_mixed",
            Kind::Misspelling => "misspelling",
            Kind::SaraAmDecomposed => "sara_am_decomposed",
            Kind::Question => "question",
            Kind::Phrase => "phrase",
            Kind::LongTail => "long_tail",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A query as a user types it, with its graded judgments (passage id → grade 1–3).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    pub id: String,
    pub text: String,
    pub kind: Kind,
    pub judgments: BTreeMap<String, Grade>,
}

impl Query {
    /// The grade of `passage_id` for this query; 0 when unjudged.
    pub fn grade(&self, passage_id: &str) -> Grade {
        self.judgments.get(passage_id).copied().unwrap_or(0)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    passage: Vec<Passage>,
    #[serde(default)]
    query: Vec<Query>,
}

/// Passages and queries, checked to be consistent (see [`Collection::parse`]).
#[derive(Debug, Clone)]
pub struct Collection {
    pub passages: Vec<Passage>,
    pub queries: Vec<Query>,
}

/// Why a collection file was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollectionError {
    Toml(String),
    DuplicatePassage(String),
    DuplicateQuery(String),
    EmptyQuery(String),
    UnknownPassage {
        query: String,
        passage: String,
    },
    BadGrade {
        query: String,
        passage: String,
        grade: Grade,
    },
    NoHighlyRelevant(String),
    EmptyPassage(String),
}

impl fmt::Display for CollectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CollectionError::Toml(e) => write!(f, "collection.toml does not parse: {e}"),
            CollectionError::DuplicatePassage(id) => write!(f, "passage id {id} appears twice"),
            CollectionError::DuplicateQuery(id) => write!(f, "query id {id} appears twice"),
            CollectionError::EmptyQuery(id) => write!(f, "query {id} has empty text"),
            CollectionError::UnknownPassage { query, passage } => {
                write!(
                    f,
                    "query {query} judges passage {passage}, which does not exist"
                )
            }
            CollectionError::BadGrade {
                query,
                passage,
                grade,
            } => write!(
                f,
                "query {query} gives passage {passage} grade {grade}; grades are 1, 2 or 3 \
                 (leave a passage out for 0)"
            ),
            CollectionError::NoHighlyRelevant(id) => write!(
                f,
                "query {id} has no passage graded 2 or 3: it cannot be answered, so it \
                 measures nothing"
            ),
            CollectionError::EmptyPassage(id) => write!(f, "passage {id} has an empty body"),
        }
    }
}

impl std::error::Error for CollectionError {}

impl Collection {
    /// The collection shipped in `data/collection.toml`. Panics with the reason if the file is
    /// inconsistent: a broken collection must stop the bench, not skew it silently.
    pub fn embedded() -> Collection {
        match Collection::parse(COLLECTION_TOML) {
            Ok(c) => c,
            Err(e) => panic!("data/collection.toml is invalid: {e}"),
        }
    }

    /// Parses and validates a collection: unique passage and query ids, non-empty texts,
    /// judgments that name existing passages with grades 1–3, and at least one passage graded
    /// 2 or 3 per query.
    pub fn parse(toml_text: &str) -> Result<Collection, CollectionError> {
        let file: File =
            toml::from_str(toml_text).map_err(|e| CollectionError::Toml(e.to_string()))?;
        Collection::checked(file)
    }

    /// The passages of the shipped collection with the held-out queries of
    /// `data/heldout.toml` in place of its own: written and judged for issue 9 before khlang
    /// ran on them, and never tuned on. Panics like [`Collection::embedded`].
    pub fn held_out() -> Collection {
        match Collection::parse_with_queries(COLLECTION_TOML, HELD_OUT_TOML) {
            Ok(c) => c,
            Err(e) => panic!("data/heldout.toml is invalid: {e}"),
        }
    }

    /// A collection's passages with queries from another file (which holds only queries).
    pub fn parse_with_queries(
        collection: &str,
        queries: &str,
    ) -> Result<Collection, CollectionError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Queries {
            query: Vec<Query>,
        }
        let file: File =
            toml::from_str(collection).map_err(|e| CollectionError::Toml(e.to_string()))?;
        let queries: Queries =
            toml::from_str(queries).map_err(|e| CollectionError::Toml(e.to_string()))?;
        Collection::checked(File {
            passage: file.passage,
            query: queries.query,
        })
    }

    fn checked(file: File) -> Result<Collection, CollectionError> {
        let mut ids = HashSet::new();
        for p in &file.passage {
            if !ids.insert(p.id.as_str()) {
                return Err(CollectionError::DuplicatePassage(p.id.clone()));
            }
            if p.body.trim().is_empty() {
                return Err(CollectionError::EmptyPassage(p.id.clone()));
            }
        }
        let mut query_ids = HashSet::new();
        for q in &file.query {
            if !query_ids.insert(q.id.as_str()) {
                return Err(CollectionError::DuplicateQuery(q.id.clone()));
            }
            if q.text.trim().is_empty() {
                return Err(CollectionError::EmptyQuery(q.id.clone()));
            }
            for (pid, &grade) in &q.judgments {
                if !ids.contains(pid.as_str()) {
                    return Err(CollectionError::UnknownPassage {
                        query: q.id.clone(),
                        passage: pid.clone(),
                    });
                }
                if !(1..=3).contains(&grade) {
                    return Err(CollectionError::BadGrade {
                        query: q.id.clone(),
                        passage: pid.clone(),
                        grade,
                    });
                }
            }
            if !q.judgments.values().any(|&g| g >= 2) {
                return Err(CollectionError::NoHighlyRelevant(q.id.clone()));
            }
        }
        Ok(Collection {
            passages: file.passage,
            queries: file.query,
        })
    }

    pub fn passage(&self, id: &str) -> Option<&Passage> {
        self.passages.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = r#"
[[passage]]
id = "a"
title = "ก"
body = "ข้อความ"

[[passage]]
id = "b"
title = "ข"
body = "อีกข้อความ"
"#;

    fn with_query(q: &str) -> String {
        format!("{P}\n{q}")
    }

    #[test]
    fn embedded_collection_is_valid_and_big_enough() {
        let c = Collection::embedded();
        assert!(c.passages.len() >= 100, "{} passages", c.passages.len());
        assert!(c.queries.len() >= 50, "{} queries", c.queries.len());
        for kind in Kind::ALL {
            assert!(
                c.queries.iter().any(|q| q.kind == kind),
                "no query of kind {kind}"
            );
        }
    }

    #[test]
    fn held_out_queries_are_valid_and_apart_from_the_tuned_ones() {
        let tuned = Collection::embedded();
        let held = Collection::held_out();
        assert_eq!(held.passages.len(), tuned.passages.len());
        assert!(held.queries.len() >= 30, "{} queries", held.queries.len());
        for q in &held.queries {
            assert!(
                tuned
                    .queries
                    .iter()
                    .all(|t| t.id != q.id && t.text != q.text),
                "{} is also a tuned query",
                q.id
            );
        }
    }

    #[test]
    fn embedded_passages_have_sane_lengths_and_ids() {
        let c = Collection::embedded();
        for p in &c.passages {
            let n = p.body.chars().count();
            assert!((200..=1700).contains(&n), "{}: {n} chars", p.id);
            let (seed, pos) = p.id.split_once('-').expect("id is SSS-NNN");
            assert!(seed.len() == 3 && pos.len() == 3, "{}", p.id);
            assert!(!p.title.trim().is_empty(), "{}", p.id);
        }
    }

    #[test]
    fn decomposed_sara_am_survives_in_the_embedded_queries() {
        let c = Collection::embedded();
        let decomposed: Vec<_> = c
            .queries
            .iter()
            .filter(|q| q.kind == Kind::SaraAmDecomposed)
            .collect();
        assert!(!decomposed.is_empty());
        for q in decomposed {
            assert!(q.text.contains("\u{0E4D}\u{0E32}"), "{}: {}", q.id, q.text);
            assert!(
                !q.text.contains('\u{0E33}'),
                "{} mixes in a composed ำ",
                q.id
            );
        }
    }

    #[test]
    fn accepts_a_consistent_collection() {
        let c = Collection::parse(&with_query(
            r#"
[[query]]
id = "q1"
text = "ข้อความ"
kind = "keyword_unspaced"
[query.judgments]
a = 3
b = 1
"#,
        ))
        .unwrap();
        assert_eq!(c.queries[0].grade("a"), 3);
        assert_eq!(c.queries[0].grade("b"), 1);
        assert_eq!(c.queries[0].grade("zzz"), 0);
        assert_eq!(c.passage("b").unwrap().title, "ข");
    }

    #[test]
    fn rejects_judgment_of_a_missing_passage() {
        let e = Collection::parse(&with_query(
            r#"
[[query]]
id = "q1"
text = "x"
kind = "question"
[query.judgments]
a = 3
nope = 2
"#,
        ))
        .unwrap_err();
        assert_eq!(
            e,
            CollectionError::UnknownPassage {
                query: "q1".into(),
                passage: "nope".into()
            }
        );
        assert!(e.to_string().contains("does not exist"));
    }

    #[test]
    fn rejects_query_without_a_highly_relevant_passage() {
        let e = Collection::parse(&with_query(
            r#"
[[query]]
id = "q1"
text = "x"
kind = "phrase"
[query.judgments]
a = 1
"#,
        ))
        .unwrap_err();
        assert_eq!(e, CollectionError::NoHighlyRelevant("q1".into()));
    }

    #[test]
    fn rejects_duplicates_bad_grades_and_unknown_kinds() {
        let dup = format!("{P}\n[[passage]]\nid = \"a\"\ntitle = \"x\"\nbody = \"y\"\n");
        assert_eq!(
            Collection::parse(&dup).unwrap_err(),
            CollectionError::DuplicatePassage("a".into())
        );
        let q =
            "[[query]]\nid = \"q\"\ntext = \"x\"\nkind = \"question\"\n[query.judgments]\na = 3\n";
        assert_eq!(
            Collection::parse(&with_query(&format!("{q}{q}"))).unwrap_err(),
            CollectionError::DuplicateQuery("q".into())
        );
        let bad = with_query(
            "[[query]]\nid = \"q\"\ntext = \"x\"\nkind = \"question\"\n[query.judgments]\na = 4\n",
        );
        assert!(matches!(
            Collection::parse(&bad).unwrap_err(),
            CollectionError::BadGrade { grade: 4, .. }
        ));
        let kind = with_query(
            "[[query]]\nid = \"q\"\ntext = \"x\"\nkind = \"shouting\"\n[query.judgments]\na = 3\n",
        );
        assert!(matches!(
            Collection::parse(&kind).unwrap_err(),
            CollectionError::Toml(_)
        ));
    }
}
