//! Thai search (การค้นหา): one pipeline for indexing and for queries — normalise, segment
//! ([`crate::text`]), then [`analyze`] for the index and [`query`] for what people type —
//! and the rules that turn index hits into a page of results: visibility, filters, the
//! fallback from "every word" to "closest", facets and snippets.

pub mod analyze;
pub mod query;
pub mod snippet;
pub mod suggest;

pub use analyze::{EntryText, Facets, SearchEntry};
pub use query::{Clause, Query};
pub use snippet::{Piece, Snippet};

use crate::file::FileKind;
use crate::ids::{ItemId, TermId, UnitId};
use crate::item::{KnowledgeType, Visibility};
use crate::ports::Readable;
use std::collections::HashMap;

/// Hits an index query returns at most, best first. Counts and facets above this are
/// reported as "more than".
pub const MAX_HITS: usize = 1_000;
/// Hits taken from the n-gram field: it only rescues queries the words miss.
pub const MAX_GRAM_HITS: usize = 200;
/// With fewer hits containing every word than this, closer-but-partial matches are added below.
pub const ENOUGH_EXACT: usize = 10;
/// An n-gram hit joins the results only when it scores at least this share of the best one.
const GRAM_FLOOR: f64 = 0.35;
/// Weight of the n-gram score against the word score (each a share of its list's best).
const GRAM_WEIGHT: f64 = 1.0;
/// Added to hits that contain every required word: they lead unless a partial match is much
/// closer by its words and n-grams together. Tuned on the judged collection (khlang-search-bench).
const EXACT_BONUS: f64 = 0.2;

/// One hit from the index, with what core needs to filter and count it.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexHit {
    pub item_id: ItemId,
    /// Higher is better; only comparable within one index query.
    pub score: f64,
    pub facets: Facets,
}

/// Filters chosen from the facets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub term: Option<TermId>,
    /// The unit and everything under it.
    pub units: Option<Vec<UnitId>>,
    pub fiscal_year: Option<i32>,
    pub knowledge_type: Option<KnowledgeType>,
    pub format: Option<FileKind>,
}

impl Filters {
    fn admit(&self, f: &Facets) -> bool {
        self.term.is_none_or(|t| f.terms.contains(&t))
            && self.units.as_ref().is_none_or(|u| u.contains(&f.unit_id))
            && self.fiscal_year.is_none_or(|y| f.fiscal_year == y)
            && self.knowledge_type.is_none_or(|k| f.knowledge_type == k)
            && self.format.is_none_or(|k| f.formats.contains(&k))
    }
}

/// Whether a reader with `readable` (None: sees everything) may see a published item.
pub fn may_see(readable: Option<&Readable>, f: &Facets) -> bool {
    let Some(r) = readable else {
        return true;
    };
    match f.visibility {
        Visibility::Public => true,
        Visibility::SignedIn => r.signed_in,
        Visibility::Unit => r.readable_units.contains(&f.unit_id),
    }
}

/// Counts per facet value, most frequent first.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct FacetCounts {
    pub category: Vec<(TermId, usize)>,
    pub unit: Vec<(UnitId, usize)>,
    pub year: Vec<(i32, usize)>,
    #[serde(rename = "type")]
    pub knowledge_type: Vec<(KnowledgeType, usize)>,
    pub format: Vec<(FileKind, usize)>,
}

fn sorted<K: Ord + Copy>(m: HashMap<K, usize>) -> Vec<(K, usize)> {
    let mut v: Vec<(K, usize)> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

impl FacetCounts {
    pub fn count<'a>(facets: impl IntoIterator<Item = &'a Facets>) -> Self {
        let (mut c, mut u, mut y, mut k, mut f) = (
            HashMap::new(),
            HashMap::new(),
            HashMap::new(),
            HashMap::new(),
            HashMap::new(),
        );
        for x in facets {
            for t in &x.terms {
                *c.entry(*t).or_insert(0) += 1;
            }
            *u.entry(x.unit_id).or_insert(0) += 1;
            *y.entry(x.fiscal_year).or_insert(0) += 1;
            let kind = KnowledgeType::ALL
                .iter()
                .position(|k| *k == x.knowledge_type);
            *k.entry(kind.unwrap_or(usize::MAX)).or_insert(0) += 1;
            for fmt in &x.formats {
                *f.entry(
                    FileKind::ALL
                        .iter()
                        .position(|k| k == fmt)
                        .unwrap_or(usize::MAX),
                )
                .or_insert(0) += 1;
            }
        }
        let mut year = sorted(y);
        year.sort_by_key(|y| std::cmp::Reverse(y.0));
        FacetCounts {
            category: sorted(c),
            unit: sorted(u),
            year,
            knowledge_type: sorted(k)
                .into_iter()
                .filter_map(|(i, n)| KnowledgeType::ALL.get(i).map(|k| (*k, n)))
                .collect(),
            format: sorted(f)
                .into_iter()
                .filter_map(|(i, n)| FileKind::ALL.get(i).map(|k| (*k, n)))
                .collect(),
        }
    }
}

/// A hit after fusion: `exact` when it contains every required word.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub item_id: ItemId,
    pub score: f64,
    pub exact: bool,
    pub facets: Facets,
}

/// Index hits for one query, before visibility and filters.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    /// Containing every required clause.
    pub all: Vec<IndexHit>,
    /// Containing any clause (asked only when `all` is short).
    pub any: Vec<IndexHit>,
    /// Sharing n-grams with the query (asked only when `all` is short).
    pub grams: Vec<IndexHit>,
}

/// Orders what the reader may see. Hits containing every required word score their word
/// BM25 (as a share of the best) plus [`EXACT_BONUS`]; when there are fewer than
/// [`ENOUGH_EXACT`] of them, partial word matches and strong n-gram matches join, so that a
/// natural question or a misspelling still answers. Every hit also gains its n-gram score.
pub fn rank(hits: Hits, readable: Option<&Readable>, filters: &Filters) -> Vec<Ranked> {
    let keep = |h: &IndexHit| may_see(readable, &h.facets) && filters.admit(&h.facets);
    let top = |v: &[IndexHit]| v.iter().map(|h| h.score).fold(0.0_f64, f64::max);
    let (top_all, top_any, top_gram) = (top(&hits.all), top(&hits.any), top(&hits.grams));
    let mut ranked: HashMap<ItemId, Ranked> = HashMap::new();
    for h in hits.all.into_iter().filter(keep) {
        ranked.insert(
            h.item_id,
            Ranked {
                item_id: h.item_id,
                score: share(h.score, top_all),
                exact: true,
                facets: h.facets,
            },
        );
    }
    let partial_too = ranked.len() < ENOUGH_EXACT;
    for h in hits.any.into_iter().filter(keep) {
        if partial_too && !ranked.contains_key(&h.item_id) {
            ranked.insert(
                h.item_id,
                Ranked {
                    item_id: h.item_id,
                    score: share(h.score, top_any),
                    exact: false,
                    facets: h.facets,
                },
            );
        }
    }
    // The n-grams re-rank every hit (a passage that also shares most of the query's letter
    // sequences is closer to it) and rescue misspellings the words miss.
    for h in hits.grams.into_iter().filter(keep) {
        let g = share(h.score, top_gram);
        match ranked.get_mut(&h.item_id) {
            Some(r) => r.score += GRAM_WEIGHT * g,
            None if partial_too && g >= GRAM_FLOOR => {
                ranked.insert(
                    h.item_id,
                    Ranked {
                        item_id: h.item_id,
                        score: GRAM_WEIGHT * g,
                        exact: false,
                        facets: h.facets,
                    },
                );
            }
            None => {}
        }
    }
    let mut out: Vec<Ranked> = ranked.into_values().collect();
    for r in &mut out {
        if r.exact {
            r.score += EXACT_BONUS;
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.facets.published_at.cmp(&a.facets.published_at))
            .then(b.item_id.0.cmp(&a.item_id.0))
    });
    out
}

fn share(score: f64, top: f64) -> f64 {
    if top > 0.0 { score / top } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn hit(id: i64, score: f64, visibility: Visibility, unit: i64) -> IndexHit {
        IndexHit {
            item_id: ItemId(id),
            score,
            facets: Facets {
                visibility,
                unit_id: UnitId(unit),
                fiscal_year: 2567,
                knowledge_type: KnowledgeType::Explicit,
                terms: vec![TermId(id % 3)],
                formats: vec![FileKind::Pdf],
                published_at: datetime!(2024-01-01 0:00 UTC),
            },
        }
    }

    #[test]
    fn words_and_ngrams_rank_together_and_weak_ngram_hits_are_dropped() {
        let hits = Hits {
            all: vec![hit(1, 2.0, Visibility::Public, 1)],
            any: vec![
                hit(1, 9.0, Visibility::Public, 1),
                hit(2, 3.0, Visibility::Public, 1),
            ],
            grams: vec![
                hit(3, 10.0, Visibility::Public, 1),
                hit(4, 1.0, Visibility::Public, 1),
                hit(2, 10.0, Visibility::Public, 1),
            ],
        };
        let r = rank(hits, Some(&Readable::default()), &Filters::default());
        let ids: Vec<i64> = r.iter().map(|r| r.item_id.0).collect();
        // 1: exact 2/2 + bonus 0.2 = 1.2 (no n-grams); 2: words 3/9 + n-grams 10/10 = 1.33;
        // 3: n-grams alone 1.0; 4: n-grams 0.1, below the floor.
        assert_eq!(ids, [2, 1, 3]);
        assert!(r[1].exact && !r[0].exact && !r[2].exact);
    }

    #[test]
    fn unreadable_hits_are_never_returned_or_counted() {
        let hits = Hits {
            all: vec![
                hit(1, 1.0, Visibility::Public, 1),
                hit(2, 5.0, Visibility::SignedIn, 1),
                hit(3, 5.0, Visibility::Unit, 7),
            ],
            ..Hits::default()
        };
        let anonymous = rank(
            hits.clone(),
            Some(&Readable::default()),
            &Filters::default(),
        );
        assert_eq!(anonymous.len(), 1);
        let member = Readable {
            signed_in: true,
            readable_units: vec![UnitId(7)],
        };
        assert_eq!(
            rank(hits.clone(), Some(&member), &Filters::default()).len(),
            3
        );
        let outsider = Readable {
            signed_in: true,
            readable_units: vec![UnitId(8)],
        };
        let seen = rank(hits.clone(), Some(&outsider), &Filters::default());
        assert_eq!(seen.iter().map(|r| r.item_id.0).collect::<Vec<_>>(), [2, 1]);
        let facets = FacetCounts::count(seen.iter().map(|r| &r.facets));
        assert_eq!(facets.unit, vec![(UnitId(1), 2)]);
    }

    #[test]
    fn filters_narrow_and_facets_count() {
        let hits = Hits {
            all: (0..12)
                .map(|i| hit(i, i as f64, Visibility::Public, i % 2))
                .collect(),
            ..Hits::default()
        };
        let f = Filters {
            units: Some(vec![UnitId(1)]),
            ..Filters::default()
        };
        let r = rank(hits, None, &f);
        assert_eq!(r.len(), 6);
        let c = FacetCounts::count(r.iter().map(|r| &r.facets));
        assert_eq!(c.format, vec![(FileKind::Pdf, 6)]);
        assert_eq!(c.year, vec![(2567, 6)]);
        assert_eq!(c.category.iter().map(|x| x.1).sum::<usize>(), 6);
    }
}
