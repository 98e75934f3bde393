//! Thai search over community threads: the same analysis as items (normalisation, word
//! segmentation, Thai and Arabic digits equal), and the same rule as items' visibility:
//! a members-only community's threads are found only by its members.

use crate::error::{DomainError, DomainResult};
use crate::ids::{CommunityId, ThreadId};
use crate::org::Actor;
use crate::ports::PortResult;
use crate::search::analyze::{self, MAX_GRAM_CHARS};
use crate::search::snippet::snippet;
use crate::search::{Clause, ENOUGH_EXACT, MAX_GRAM_HITS, MAX_HITS, Query, Snippet};
use crate::service::Khlang;
use async_trait::async_trait;
use std::collections::HashMap;
use time::OffsetDateTime;

/// What the index holds of one thread: its words, never who may read it (that is decided at
/// query time from the communities the reader may read, so a community turned members-only
/// hides its threads at once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadDoc {
    pub thread_id: ThreadId,
    pub community_id: CommunityId,
    pub title: String,
    /// The opening post and every reply not hidden by a facilitator, Markdown as typed.
    pub posts: Vec<String>,
    /// The last post's time (newest first when ranks tie).
    pub updated_at: OffsetDateTime,
}

/// A thread analysed for the index: space-separated index words (as items' entries) and the
/// text snippets are cut from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadEntry {
    pub thread_id: ThreadId,
    pub community_id: CommunityId,
    /// Title as typed (shown in results).
    pub title: String,
    /// The posts as typed, one after another (snippets are cut from it).
    pub text: String,
    /// Index words of the title (weighted higher) and of the posts.
    pub title_words: String,
    pub body_words: String,
    pub grams: String,
    pub updated_at: OffsetDateTime,
}

/// One thread found by the index, already inside the readable communities.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadIndexHit {
    pub thread_id: ThreadId,
    pub community_id: CommunityId,
    /// Higher is better; only comparable within one index query.
    pub score: f64,
    pub updated_at: OffsetDateTime,
}

/// The threads' search index; owned by thread search. Every query takes the communities the
/// reader may read and never returns a thread outside them.
#[async_trait]
pub trait ThreadIndex: Send + Sync {
    /// Replaces the thread's entry (one entry per thread, however often it is written).
    async fn put_thread(&self, entry: &ThreadEntry) -> PortResult<()>;
    async fn remove_thread(&self, thread: ThreadId) -> PortResult<()>;
    /// Threads of `readable` containing every clause of `all` (or, when `all` is empty, any
    /// of `any`) and none of `none`; best first, at most `limit`.
    async fn thread_words(
        &self,
        readable: &[CommunityId],
        all: &[Clause],
        any: &[Clause],
        none: &[Clause],
        limit: usize,
    ) -> PortResult<Vec<ThreadIndexHit>>;
    /// Threads of `readable` sharing n-grams with the query, none of `none`; best first.
    async fn thread_grams(
        &self,
        readable: &[CommunityId],
        grams: &[String],
        none: &[Clause],
        limit: usize,
    ) -> PortResult<Vec<ThreadIndexHit>>;
    /// The entries of these threads (any order; unknown ids left out).
    async fn thread_entries(&self, ids: &[ThreadId]) -> PortResult<Vec<ThreadEntry>>;
}

/// Thread results per page.
pub const THREADS_PER_PAGE: u64 = 10;
/// As items: an n-gram-only hit joins when it scores at least this share of the best one.
const GRAM_FLOOR: f64 = 0.35;
/// As items: hits containing every word lead unless a partial one is much closer.
const EXACT_BONUS: f64 = 0.2;

/// A thread on a page of results.
#[derive(Debug, Clone)]
pub struct ThreadSearchHit {
    pub thread_id: ThreadId,
    pub community_id: CommunityId,
    /// The community's name, or its number when communities do not know it.
    pub community: String,
    pub title: String,
    pub snippet: Snippet,
    /// Contains every word of the query (otherwise a closest match).
    pub exact: bool,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct ThreadResults {
    pub query: Query,
    /// Threads the reader may read that match, over all pages.
    pub total: usize,
    pub hits: Vec<ThreadSearchHit>,
    pub page: u64,
    pub per_page: u64,
}

impl ThreadResults {
    pub fn pages(&self) -> u64 {
        (self.total as u64).div_ceil(self.per_page.max(1))
    }
}

/// Analyses a thread for the index with the items' pipeline.
pub fn thread_entry(segmenter: &crate::text::Segmenter, doc: &ThreadDoc) -> ThreadEntry {
    let text = doc.posts.join("\n\n");
    let title_words = analyze::words(segmenter, &doc.title).join(" ");
    let body_words = analyze::words(segmenter, &text).join(" ");
    let grams = analyze::grams(segmenter, &format!("{}\n{text}", doc.title), MAX_GRAM_CHARS);
    ThreadEntry {
        thread_id: doc.thread_id,
        community_id: doc.community_id,
        title: doc.title.clone(),
        text,
        title_words,
        body_words,
        grams: grams.join(" "),
        updated_at: doc.updated_at,
    }
}

/// Orders hits as items are ordered: every-word hits first (by their share of the best word
/// score plus a bonus), then, when they are few, partial and strong n-gram matches; the
/// n-grams add to every hit's score.
pub fn rank_threads(
    all: Vec<ThreadIndexHit>,
    any: Vec<ThreadIndexHit>,
    grams: Vec<ThreadIndexHit>,
) -> Vec<(ThreadIndexHit, bool)> {
    let top = |v: &[ThreadIndexHit]| v.iter().map(|h| h.score).fold(0.0_f64, f64::max);
    let share = |s: f64, t: f64| if t > 0.0 { s / t } else { 0.0 };
    let (top_all, top_any, top_gram) = (top(&all), top(&any), top(&grams));
    let mut ranked: HashMap<ThreadId, (ThreadIndexHit, bool)> = HashMap::new();
    for mut h in all {
        h.score = share(h.score, top_all) + EXACT_BONUS;
        ranked.insert(h.thread_id, (h, true));
    }
    let partial_too = ranked.len() < ENOUGH_EXACT;
    for mut h in any {
        if partial_too && !ranked.contains_key(&h.thread_id) {
            h.score = share(h.score, top_any);
            ranked.insert(h.thread_id, (h, false));
        }
    }
    for mut h in grams {
        let g = share(h.score, top_gram);
        match ranked.get_mut(&h.thread_id) {
            Some((r, _)) => r.score += g,
            None if partial_too && g >= GRAM_FLOOR => {
                h.score = g;
                ranked.insert(h.thread_id, (h, false));
            }
            None => {}
        }
    }
    let mut out: Vec<(ThreadIndexHit, bool)> = ranked.into_values().collect();
    out.sort_by(|(a, _), (b, _)| {
        b.score
            .total_cmp(&a.score)
            .then(b.updated_at.cmp(&a.updated_at))
            .then(b.thread_id.0.cmp(&a.thread_id.0))
    });
    out
}

impl Khlang {
    fn thread_index(&self) -> DomainResult<&std::sync::Arc<dyn ThreadIndex>> {
        self.thread_index
            .as_ref()
            .ok_or_else(|| DomainError::internal("thread search has no store"))
    }

    /// Puts the thread's current text in the index, replacing what was there. Communities call
    /// it after every write to a thread or its posts (hiding a post included).
    pub async fn index_thread(&self, doc: ThreadDoc) -> DomainResult<()> {
        let index = self.thread_index()?.clone();
        let segmenter = self.segmenter().await?;
        // Segmenting a long thread takes milliseconds: off the async threads.
        let entry = tokio::task::spawn_blocking(move || thread_entry(&segmenter, &doc))
            .await
            .map_err(|e| DomainError::Internal(format!("indexing a thread: {e}")))?;
        index.put_thread(&entry).await?;
        Ok(())
    }

    /// Takes a thread out of the index (deleted threads).
    pub async fn unindex_thread(&self, thread: ThreadId) -> DomainResult<()> {
        self.thread_index()?.remove_thread(thread).await?;
        Ok(())
    }

    /// Threads the actor may read that match `q`, [`THREADS_PER_PAGE`] a page.
    pub async fn search_threads(
        &self,
        actor: &Actor,
        q: &str,
        page: u64,
    ) -> DomainResult<ThreadResults> {
        let readable = self.readable_communities(actor).await?;
        self.search_threads_in(&readable, q, page).await
    }

    /// The search itself, for a reader who may read exactly `readable`: threads of other
    /// communities are never asked for, so they cannot reach hits, the count or snippets.
    /// (Thread search proposes no corrections: "did you mean" comes from items only.)
    pub async fn search_threads_in(
        &self,
        readable: &[CommunityId],
        q: &str,
        page: u64,
    ) -> DomainResult<ThreadResults> {
        let segmenter = self.segmenter().await?;
        let query = Query::parse(q, &segmenter);
        let page = page.max(1);
        let mut results = ThreadResults {
            query,
            total: 0,
            hits: Vec::new(),
            page,
            per_page: THREADS_PER_PAGE,
        };
        // Without a thread index (a core built without communities) there is nothing to find.
        let Some(index) = self.thread_index.as_ref() else {
            return Ok(results);
        };
        if results.query.is_empty() || readable.is_empty() {
            return Ok(results);
        }
        let q = &results.query;
        let all = index
            .thread_words(readable, &q.required, &[], &q.excluded, MAX_HITS)
            .await?;
        let (mut any, mut grams) = (Vec::new(), Vec::new());
        if all.len() < ENOUGH_EXACT {
            any = index
                .thread_words(readable, &[], &q.any(), &q.excluded, MAX_HITS)
                .await?;
        }
        if !q.grams.is_empty() {
            grams = index
                .thread_grams(readable, &q.grams, &q.excluded, MAX_GRAM_HITS)
                .await?;
        }
        // The store filters already; checked again here because a leak would be silent.
        let ranked: Vec<(ThreadIndexHit, bool)> = rank_threads(all, any, grams)
            .into_iter()
            .filter(|(h, _)| readable.contains(&h.community_id))
            .collect();
        results.total = ranked.len();
        let start = ((page - 1) * THREADS_PER_PAGE) as usize;
        let shown: Vec<&(ThreadIndexHit, bool)> = ranked
            .iter()
            .skip(start)
            .take(THREADS_PER_PAGE as usize)
            .collect();
        if shown.is_empty() {
            return Ok(results);
        }
        let ids: Vec<ThreadId> = shown.iter().map(|(h, _)| h.thread_id).collect();
        let entries: HashMap<ThreadId, ThreadEntry> = index
            .thread_entries(&ids)
            .await?
            .into_iter()
            .map(|e| (e.thread_id, e))
            .collect();
        let mut community_ids: Vec<CommunityId> =
            shown.iter().map(|(h, _)| h.community_id).collect();
        community_ids.sort_by_key(|c| c.0);
        community_ids.dedup();
        let names = self.community_names(&community_ids).await?;
        let words = q.marked_words();
        let prefixes: Vec<String> = q
            .required
            .iter()
            .filter_map(|c| match c {
                Clause::Prefix(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        let mut hits = Vec::with_capacity(shown.len());
        for (h, exact) in shown {
            let Some(e) = entries.get(&h.thread_id) else {
                continue;
            };
            let mut cut = snippet(&segmenter, &e.text, &words, &prefixes);
            if cut.hits == 0 || cut.is_empty() {
                let in_title = snippet(&segmenter, &e.title, &words, &prefixes);
                if in_title.hits > 0 || cut.is_empty() {
                    cut = in_title;
                }
            }
            hits.push(ThreadSearchHit {
                thread_id: h.thread_id,
                community_id: h.community_id,
                community: names
                    .get(&h.community_id)
                    .cloned()
                    .unwrap_or_else(|| format!("ชุมชน {}", h.community_id.0)),
                title: e.title.clone(),
                snippet: cut,
                exact: *exact,
                updated_at: h.updated_at,
            });
        }
        results.hits = hits;
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn hit(id: i64, score: f64) -> ThreadIndexHit {
        ThreadIndexHit {
            thread_id: ThreadId(id),
            community_id: CommunityId(1),
            score,
            updated_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    #[test]
    fn every_word_hits_lead_and_weak_ngram_hits_are_dropped() {
        let r = rank_threads(
            vec![hit(1, 2.0)],
            vec![hit(1, 9.0), hit(2, 3.0)],
            vec![hit(3, 10.0), hit(4, 1.0)],
        );
        let ids: Vec<i64> = r.iter().map(|(h, _)| h.thread_id.0).collect();
        assert_eq!(ids, [1, 3, 2]);
        assert!(r[0].1 && !r[1].1 && !r[2].1);
    }

    #[test]
    fn entries_hold_thai_words_and_folded_digits() {
        let seg = crate::text::Segmenter::new();
        let e = thread_entry(
            &seg,
            &ThreadDoc {
                thread_id: ThreadId(1),
                community_id: CommunityId(2),
                title: "ถามเรื่องปุ๋ยหมัก".into(),
                posts: vec!["ใช้มูลวัว ๕๐ กิโลกรัม".into()],
                updated_at: datetime!(2026-01-01 0:00 UTC),
            },
        );
        assert!(e.title_words.split(' ').any(|w| w == "ปุ๋ยหมัก"), "{e:?}");
        assert!(e.body_words.split(' ').any(|w| w == "50"), "{e:?}");
        assert!(!e.grams.is_empty());
    }
}
