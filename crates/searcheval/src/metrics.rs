//! nDCG, recall and reciprocal rank over graded judgments, and the report of one ranker.
//!
//! Conventions, fixed here so that every number in a note means the same thing:
//! * a ranked list counts each passage id once, at its first position (a ranker cannot earn
//!   gain twice by repeating an id); ids the query does not judge have grade 0;
//! * nDCG@k: gain 2^g − 1, discount log2(rank + 1); the ideal list is built from *all* the
//!   query's judgments, so a ranker that misses a relevant passage cannot reach 1;
//! * Recall@k: relevant means grade ≥ 1 ("mentions" counts: a user scanning results would want
//!   it); the denominator is every relevant passage, even beyond k;
//! * reciprocal rank: 1 / rank of the first passage graded ≥ 2. A passage that only mentions the
//!   topic (grade 1) at rank 1 does not answer the user, so it does not count; every query has a
//!   grade-≥2 passage (the collection checks this), so the maximum is always 1.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use crate::collection::{Collection, Grade, Kind, Query};

/// The cut-off the report uses: the first page of results.
pub const K: usize = 10;

/// Grade at which a passage counts for the reciprocal rank.
pub const MRR_MIN_GRADE: Grade = 2;

/// A search engine under test: given a query, the ids of at most `k` passages, best first.
pub trait Ranker {
    fn name(&self) -> &str;
    fn rank(&mut self, query: &str, k: usize) -> Vec<String>;
}

/// The first `k` distinct ids of `ranked`, each with its grade for `query`.
fn grades_at(query: &Query, ranked: &[String], k: usize) -> Vec<Grade> {
    let mut seen = HashSet::new();
    ranked
        .iter()
        .filter(|id| seen.insert(id.as_str()))
        .take(k)
        .map(|id| query.grade(id))
        .collect()
}

fn dcg(grades: impl IntoIterator<Item = Grade>) -> f64 {
    // fold from +0.0: `sum()` of nothing is −0.0, which would print as "-0.000".
    grades
        .into_iter()
        .enumerate()
        .map(|(i, g)| (2f64.powi(i32::from(g)) - 1.0) / ((i + 2) as f64).log2())
        .fold(0.0, |a, b| a + b)
}

/// nDCG@k of `ranked` for `query`; 0 when the query judges nothing relevant.
pub fn ndcg_at(query: &Query, ranked: &[String], k: usize) -> f64 {
    let mut ideal: Vec<Grade> = query.judgments.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    ideal.truncate(k);
    let ideal = dcg(ideal);
    if ideal == 0.0 {
        return 0.0;
    }
    dcg(grades_at(query, ranked, k)) / ideal
}

/// Share of the query's relevant passages (grade ≥ 1) found in the first `k`.
pub fn recall_at(query: &Query, ranked: &[String], k: usize) -> f64 {
    let relevant = query.judgments.values().filter(|&&g| g >= 1).count();
    if relevant == 0 {
        return 0.0;
    }
    let found = grades_at(query, ranked, k)
        .into_iter()
        .filter(|&g| g >= 1)
        .count();
    found as f64 / relevant as f64
}

/// 1 / rank of the first passage graded ≥ [`MRR_MIN_GRADE`]; 0 if none is ranked.
pub fn reciprocal_rank(query: &Query, ranked: &[String]) -> f64 {
    grades_at(query, ranked, usize::MAX)
        .into_iter()
        .position(|g| g >= MRR_MIN_GRADE)
        .map_or(0.0, |i| 1.0 / (i + 1) as f64)
}

/// One query's scores.
#[derive(Debug, Clone)]
pub struct QueryScore {
    pub id: String,
    pub text: String,
    pub kind: Kind,
    pub ndcg: f64,
    pub recall: f64,
    pub rr: f64,
    /// How many passages the ranker returned (0 = the user saw an empty page).
    pub returned: usize,
}

/// Means over a group of queries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub queries: usize,
    pub ndcg: f64,
    pub recall: f64,
    pub mrr: f64,
    pub zero_results: usize,
}

impl Summary {
    fn of<'a>(scores: impl IntoIterator<Item = &'a QueryScore>) -> Summary {
        let mut s = Summary {
            queries: 0,
            ndcg: 0.0,
            recall: 0.0,
            mrr: 0.0,
            zero_results: 0,
        };
        for q in scores {
            s.queries += 1;
            s.ndcg += q.ndcg;
            s.recall += q.recall;
            s.mrr += q.rr;
            s.zero_results += usize::from(q.returned == 0);
        }
        if s.queries > 0 {
            let n = s.queries as f64;
            s.ndcg /= n;
            s.recall /= n;
            s.mrr /= n;
        }
        s
    }
}

/// Scores of one ranker over a collection at cut-off [`K`].
#[derive(Debug, Clone)]
pub struct Report {
    pub ranker: String,
    pub k: usize,
    pub queries: Vec<QueryScore>,
    pub overall: Summary,
    pub by_kind: BTreeMap<Kind, Summary>,
}

impl Report {
    fn new(ranker: String, k: usize, queries: Vec<QueryScore>) -> Report {
        let overall = Summary::of(&queries);
        let mut by_kind = BTreeMap::new();
        for kind in Kind::ALL {
            let s = Summary::of(queries.iter().filter(|q| q.kind == kind));
            if s.queries > 0 {
                by_kind.insert(kind, s);
            }
        }
        Report {
            ranker,
            k,
            queries,
            overall,
            by_kind,
        }
    }

    /// The `n` queries with the lowest nDCG, worst first (ties by id).
    pub fn worst(&self, n: usize) -> Vec<&QueryScore> {
        let mut v: Vec<&QueryScore> = self.queries.iter().collect();
        v.sort_by(|a, b| a.ndcg.total_cmp(&b.ndcg).then_with(|| a.id.cmp(&b.id)));
        v.truncate(n);
        v
    }
}

/// Runs every query of `collection` through `ranker` (top [`K`]) and scores the lists.
pub fn evaluate(collection: &Collection, ranker: &mut dyn Ranker) -> Report {
    let scores = collection
        .queries
        .iter()
        .map(|q| {
            let ranked = ranker.rank(&q.text, K);
            QueryScore {
                id: q.id.clone(),
                text: q.text.clone(),
                kind: q.kind,
                ndcg: ndcg_at(q, &ranked, K),
                recall: recall_at(q, &ranked, K),
                rr: reciprocal_rank(q, &ranked),
                returned: ranked.len(),
            }
        })
        .collect();
    Report::new(ranker.name().to_string(), K, scores)
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let k = self.k;
        writeln!(f, "== {} ==", self.ranker)?;
        writeln!(
            f,
            "{:<20} {:>4} {:>8} {:>10} {:>6} {:>6}",
            "",
            "n",
            format!("nDCG@{k}"),
            format!("Recall@{k}"),
            "MRR",
            "empty"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, label: &str, s: &Summary| {
            writeln!(
                f,
                "{:<20} {:>4} {:>8.3} {:>10.3} {:>6.3} {:>6}",
                label, s.queries, s.ndcg, s.recall, s.mrr, s.zero_results
            )
        };
        row(f, "overall", &self.overall)?;
        for (kind, s) in &self.by_kind {
            row(f, kind.as_str(), s)?;
        }
        writeln!(
            f,
            "worst 10 by nDCG@{k}:\n  {:<5} {:>6} {:>6} {:>3} {:<18} query",
            "id", "nDCG", "RR", "n", "kind"
        )?;
        for q in self.worst(10) {
            writeln!(
                f,
                "  {:<5} {:>6.3} {:>6.3} {:>3} {:<18} {}",
                q.id,
                q.ndcg,
                q.rr,
                q.returned,
                q.kind.as_str(),
                q.text
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(judgments: &[(&str, Grade)]) -> Query {
        Query {
            id: "q".into(),
            text: "t".into(),
            kind: Kind::Multiword,
            judgments: judgments
                .iter()
                .map(|(id, g)| ((*id).to_string(), *g))
                .collect(),
        }
    }

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_string()).collect()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn ndcg_by_hand() {
        // Judged a=3, b=2, c=1. Ranked: x(0) a(3) c(1).
        // DCG  = 0/1 + 7/log2(3) + 1/log2(4) = 4.416508275 + 0.5 = 4.916508275
        // IDCG = 7/1 + 3/log2(3) + 1/log2(4) = 7 + 1.892789261 + 0.5 = 9.392789261
        let q = query(&[("a", 3), ("b", 2), ("c", 1)]);
        let got = ndcg_at(&q, &ids(&["x", "a", "c"]), 10);
        let want = (7.0 / 3f64.log2() + 0.5) / (7.0 + 3.0 / 3f64.log2() + 0.5);
        close(got, want);
        close(got, 0.523_434_321_6);
        close(ndcg_at(&q, &ids(&["a", "b", "c"]), 10), 1.0);
        close(ndcg_at(&q, &[], 10), 0.0);
        assert!(ndcg_at(&q, &[], 10).is_sign_positive(), "prints as -0.000");
    }

    #[test]
    fn ndcg_cut_off_applies_to_ranking_and_ideal() {
        let q = query(&[("a", 3), ("b", 3)]);
        // At k=1 the ideal is one grade-3 passage: finding b first is perfect.
        close(ndcg_at(&q, &ids(&["b", "x"]), 1), 1.0);
        // At k=2 the same list misses a: 7 / (7 + 7/log2(3)).
        close(
            ndcg_at(&q, &ids(&["b", "x"]), 2),
            7.0 / (7.0 + 7.0 / 3f64.log2()),
        );
        // a beyond the cut-off earns nothing.
        close(ndcg_at(&q, &ids(&["x", "y", "a"]), 2), 0.0);
    }

    #[test]
    fn repeated_ids_earn_gain_once() {
        let q = query(&[("a", 3), ("b", 3)]);
        let once = ndcg_at(&q, &ids(&["a"]), 10);
        close(ndcg_at(&q, &ids(&["a", "a", "a"]), 10), once);
        close(recall_at(&q, &ids(&["a", "a"]), 10), 0.5);
    }

    #[test]
    fn recall_counts_grade_one_and_all_relevant() {
        let q = query(&[("a", 3), ("b", 1), ("c", 2), ("d", 1)]);
        close(recall_at(&q, &ids(&["b", "x", "d"]), 10), 0.5);
        close(recall_at(&q, &ids(&["a", "b", "c", "d"]), 2), 0.5);
        close(recall_at(&q, &ids(&["a", "b", "c", "d"]), 10), 1.0);
    }

    #[test]
    fn reciprocal_rank_skips_mentions() {
        let q = query(&[("a", 1), ("b", 2)]);
        close(reciprocal_rank(&q, &ids(&["a", "x", "b"])), 1.0 / 3.0);
        close(reciprocal_rank(&q, &ids(&["a", "x"])), 0.0);
        close(reciprocal_rank(&q, &ids(&["b"])), 1.0);
    }

    struct Fixed(Vec<(&'static str, Vec<String>)>);

    impl Ranker for Fixed {
        fn name(&self) -> &str {
            "fixed"
        }
        fn rank(&mut self, query: &str, k: usize) -> Vec<String> {
            let mut v = self
                .0
                .iter()
                .find(|(q, _)| *q == query)
                .map(|(_, r)| r.clone())
                .unwrap_or_default();
            v.truncate(k);
            v
        }
    }

    #[test]
    fn evaluate_means_kinds_and_empty_results() {
        let mut q1 = query(&[("a", 3)]);
        q1.id = "q1".into();
        q1.text = "one".into();
        let mut q2 = query(&[("a", 2), ("b", 2)]);
        q2.id = "q2".into();
        q2.text = "two".into();
        q2.kind = Kind::Question;
        let collection = Collection {
            passages: vec![],
            queries: vec![q1, q2],
        };
        let mut r = Fixed(vec![("one", ids(&["a"]))]);
        let report = evaluate(&collection, &mut r);
        close(report.overall.ndcg, 0.5);
        close(report.overall.recall, 0.5);
        close(report.overall.mrr, 0.5);
        assert_eq!(report.overall.zero_results, 1);
        assert_eq!(report.by_kind[&Kind::Question].zero_results, 1);
        close(report.by_kind[&Kind::Multiword].ndcg, 1.0);
        assert_eq!(report.worst(1)[0].id, "q2");
        let text = report.to_string();
        assert!(
            text.contains("fixed") && text.contains("question"),
            "{text}"
        );
        assert!(text.contains("overall"), "{text}");
    }
}
