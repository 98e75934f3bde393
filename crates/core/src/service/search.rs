//! Search as readers use it, and the index kept in step with published knowledge: entries are
//! written in the same transaction as the change that causes them (see [`IndexChange`]), file
//! text follows from a background job, and a dictionary change re-indexes everything.

use super::Khlang;
use crate::error::{DomainError, DomainResult};
use crate::file::FileKind;
use crate::ids::{ItemId, UnitId};
use crate::item::{Item, ItemStatus, KnowledgeType};
use crate::org::{Action, Actor, Target, authorize};
use crate::ports::{IndexChange, IndexField};
use crate::search::{
    self, EntryText, FacetCounts, Facets, Filters, Hits, MAX_GRAM_HITS, MAX_HITS, Query,
    SearchEntry, Snippet,
};
use crate::text::Segmenter;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use time::OffsetDateTime;

/// Entries a re-index writes per transaction.
const REINDEX_BATCH: usize = 200;
/// Items a re-index reads and segments at once.
const REINDEX_PARALLEL: usize = 4;

/// Results per page unless asked; the API allows up to [`MAX_PER_PAGE`].
pub const DEFAULT_PER_PAGE: u64 = 10;
pub const MAX_PER_PAGE: u64 = 50;
/// Files larger than this are not read for text (the whole file is held in memory while it is).
pub const MAX_EXTRACT_BYTES: u64 = 64 * 1024 * 1024;
/// Attempts before a file whose text cannot be read is given up on.
pub const MAX_EXTRACT_ATTEMPTS: i32 = 3;

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub q: String,
    pub page: u64,
    pub per_page: u64,
    pub filters: Filters,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchHit {
    pub id: ItemId,
    pub title: String,
    pub snippet: Snippet,
    pub score: f64,
    /// Contains every word of the query (otherwise a closest match).
    pub exact: bool,
    pub unit_id: UnitId,
    pub fiscal_year: i32,
    pub knowledge_type: KnowledgeType,
    pub formats: Vec<FileKind>,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub query: Query,
    pub total: usize,
    /// The index had more than [`MAX_HITS`]; `total` and facets count the best of them.
    pub more: bool,
    /// How many of `total` contain every word.
    pub exact: usize,
    /// A corrected query, when no hit contains every word and the query looks misspelt.
    pub suggestion: Option<String>,
    pub hits: Vec<SearchHit>,
    pub facets: FacetCounts,
    pub page: u64,
    pub per_page: u64,
}

impl SearchResults {
    pub fn pages(&self) -> u64 {
        (self.total as u64).div_ceil(self.per_page.max(1))
    }
}

/// The segmenter in use, and the state of background index work.
#[derive(Default)]
pub(crate) struct SearchState {
    pub segmenter: std::sync::RwLock<Option<Arc<Segmenter>>>,
    /// Held while a segmenter is being built, so concurrent first searches build one.
    pub building: tokio::sync::Mutex<()>,
    pub reindexing: AtomicBool,
    pub reindex_done: AtomicUsize,
    pub reindex_total: AtomicUsize,
    /// Wakes the extraction worker when a file arrives.
    pub wake: tokio::sync::Notify,
    /// While a full re-index runs: items whose entries were written to the old index.
    pub touched: std::sync::Mutex<Option<std::collections::HashSet<ItemId>>>,
    /// How many items hold a term, as last looked up (see [`DocFreq`]).
    pub doc_freq: std::sync::Mutex<DocFreq>,
    /// Answers to recent searches (see [`Answers`]).
    pub answers: std::sync::Mutex<Answers>,
    /// Set by the speed bench, which measures the searching itself.
    pub answers_off: AtomicBool,
}

/// Recent answers, each under the index generation it was made in
/// ([`crate::ports::KnowledgeStore::index_generation`]): readers ask the same few queries
/// again and again (a search page cost 2 ms of segmenting, index reads and snippets; a
/// remembered one, one read of the generation). Any write to the index — in this process or
/// another — changes the generation, and the first search that sees the new number forgets
/// everything remembered under the old one.
#[derive(Default)]
pub(crate) struct Answers {
    generation: u64,
    by_key: std::collections::HashMap<String, Arc<SearchResults>>,
}

/// Answers remembered at most; the memory is cleared when it is full (a page of results is
/// a few kilobytes).
const MAX_ANSWERS: usize = 1_000;

impl Answers {
    fn get(&self, generation: u64, key: &str) -> Option<Arc<SearchResults>> {
        (self.generation == generation)
            .then(|| self.by_key.get(key).cloned())
            .flatten()
    }

    fn put(&mut self, generation: u64, key: String, results: SearchResults) {
        if generation != self.generation {
            // An answer made under an older number than the one remembered is not kept.
            if generation < self.generation {
                return;
            }
            self.by_key.clear();
            self.generation = generation;
        }
        if self.by_key.len() >= MAX_ANSWERS {
            self.by_key.clear();
        }
        self.by_key.insert(key, Arc::new(results));
    }
}

/// What makes two searches the same: the query as understood, the page, the filters and
/// what the reader may see.
fn answer_key(
    q: &Query,
    page: u64,
    per_page: u64,
    filters: &Filters,
    readable: Option<&crate::ports::Readable>,
) -> String {
    format!(
        "{:?}|{:?}|{:?}|{}|{}|{}|{page}|{per_page}|{filters:?}|{readable:?}",
        q.required,
        q.optional,
        q.excluded,
        q.text,
        q.truncated,
        q.grams.len()
    )
}

/// Document frequencies change slowly and queries repeat their terms (Thai queries share
/// most of their n-grams), so a lookup is kept for a while instead of asked every time.
#[derive(Default)]
pub(crate) struct DocFreq {
    terms: std::collections::HashMap<(IndexField, String), (u64, std::time::Instant)>,
    indexed: Option<(u64, std::time::Instant)>,
    /// The index generation these counts were looked up in: another process's write changes
    /// it, and a count of 0 remembered from before would hide what it wrote.
    generation: Option<u64>,
}

/// How long a looked-up frequency is trusted.
const DOC_FREQ_TTL: std::time::Duration = std::time::Duration::from_secs(300);
/// Terms remembered at most; the memory is cleared when it is full.
const DOC_FREQ_MAX_TERMS: usize = 50_000;

/// The index queries one search asks (see [`Khlang::plan`]).
struct Plan {
    /// Every required word is in some item.
    all_possible: bool,
    /// Clauses for the ranked "any word" fallback.
    any: Vec<search::Clause>,
    /// How rare each required clause, and each of `any`, is (see [`crate::ports::KnowledgeStore::search_words`]).
    required_idf: Vec<f64>,
    any_idf: Vec<f64>,
    /// N-grams to ask, rarest first.
    grams: Vec<String>,
}

/// Partial ("any word") hits asked for at most: they only fill a short list.
const MAX_PARTIAL_HITS: usize = 500;
/// N-grams held by more than this share of items are not asked: BM25 gives them no weight.
const MAX_GRAM_SHARE: f64 = 0.5;
/// Document-list entries the n-gram query may read, summed over its n-grams; n-grams more
/// common than this are left to the words. Measured on 100k items (docs/bench.md): BM25
/// costs about a microsecond per entry.
const GRAM_POSTINGS: u64 = 5_000;
/// The same for the "any word" fallback (the rarest word is always asked).
const ANY_POSTINGS: u64 = 10_000;

/// Progress of a full re-index, for the dictionary page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReindexProgress {
    pub done: usize,
    pub total: usize,
    pub running: bool,
}

impl Khlang {
    /// The segmenter every index write and query uses; built on first use (a few hundred
    /// milliseconds) with the dictionary as it stands.
    pub async fn segmenter(&self) -> DomainResult<Arc<Segmenter>> {
        if let Some(s) = self
            .search_state
            .segmenter
            .read()
            .ok()
            .and_then(|s| s.clone())
        {
            return Ok(s);
        }
        let _building = self.search_state.building.lock().await;
        if let Some(s) = self
            .search_state
            .segmenter
            .read()
            .ok()
            .and_then(|s| s.clone())
        {
            return Ok(s);
        }
        let s = self.build_segmenter().await?;
        if let Ok(mut slot) = self.search_state.segmenter.write() {
            *slot = Some(s.clone());
        }
        Ok(s)
    }

    /// Every word khlang adds to the embedded list: taxonomy terms, unit names and the
    /// admins' own entries.
    pub async fn dictionary_extra(&self) -> DomainResult<Vec<String>> {
        let mut words: Vec<String> = self.knowledge.dictionary_words().await?;
        let vocabulary = self.vocabulary().await?;
        words.extend(vocabulary.terms.iter().map(|t| t.label_th.clone()));
        let tree = self.unit_tree().await?;
        words.extend(tree.units().iter().map(|u| u.name_th.as_str().to_string()));
        Ok(words)
    }

    async fn build_segmenter(&self) -> DomainResult<Arc<Segmenter>> {
        let words = self.dictionary_extra().await?;
        tokio::task::spawn_blocking(move || Arc::new(Segmenter::with_words(words)))
            .await
            .map_err(|e| DomainError::Internal(format!("segmenter build: {e}")))
    }

    /// What the index must do after `item` was saved: published items are (re)written, all
    /// others removed — archived, rejected or back in screening, they leave the results.
    pub(crate) async fn index_change(&self, item: &Item) -> DomainResult<IndexChange> {
        if item.status != ItemStatus::Published {
            return Ok(IndexChange::Remove);
        }
        Ok(IndexChange::Put(Box::new(
            self.search_entry(item, None).await?,
        )))
    }

    /// The index entry `item` gets once `files` are its current ones (an approved revision
    /// is indexed in the same transaction that makes its files current).
    pub(crate) async fn index_change_with_files(
        &self,
        item: &Item,
        files: &[crate::ids::FileId],
    ) -> DomainResult<IndexChange> {
        if item.status != ItemStatus::Published {
            return Ok(IndexChange::Remove);
        }
        Ok(IndexChange::Put(Box::new(
            self.search_entry(item, Some(files)).await?,
        )))
    }

    async fn search_entry(
        &self,
        item: &Item,
        files: Option<&[crate::ids::FileId]>,
    ) -> DomainResult<SearchEntry> {
        let segmenter = self.segmenter().await?;
        let (files, texts) = match files {
            None => (
                self.knowledge.item_files(item.id).await?,
                self.knowledge.item_file_texts(item.id).await?,
            ),
            Some(ids) => (
                self.knowledge.files_by_ids(ids).await?,
                self.knowledge.file_texts(ids).await?,
            ),
        };
        let mut formats: Vec<FileKind> = files
            .iter()
            .filter_map(|f| FileKind::parse(&f.kind))
            .collect();
        formats.sort_by_key(|k| FileKind::ALL.iter().position(|x| x == k));
        formats.dedup();
        let facets = Facets {
            visibility: item.fields.visibility,
            unit_id: item.fields.unit_id,
            fiscal_year: item.fiscal_year(),
            knowledge_type: item.fields.knowledge_type,
            terms: item.fields.terms.clone(),
            formats,
            published_at: item.published_at.unwrap_or(item.updated_at),
        };
        let f = &item.fields;
        // A form entry's searchable public answers are searched like the body.
        let entry_text = self.entry_search_text(f).await?;
        let body = if entry_text.is_empty() {
            f.body.clone()
        } else {
            format!("{}\n\n{entry_text}", f.body)
        };
        let owned = OwnedText {
            title: f.title.as_str().to_string(),
            summary: f.summary.clone(),
            tags: f.tags.clone(),
            authors: f.authors.clone(),
            body,
            files: texts,
        };
        let id = item.id;
        // Segmenting a long body or file text takes milliseconds: off the async threads.
        tokio::task::spawn_blocking(move || {
            let text = EntryText {
                title: &owned.title,
                summary: &owned.summary,
                tags: &owned.tags,
                authors: &owned.authors,
                body: &owned.body,
                files: &owned.files,
            };
            search::analyze::entry(&segmenter, id, &text, facets)
        })
        .await
        .map_err(|e| DomainError::Internal(format!("indexing: {e}")))
    }

    /// Re-writes one item's entry outside of a save (its file text arrived).
    pub async fn reindex_item(&self, id: ItemId) -> DomainResult<()> {
        let change = self.fresh_index_change(id).await?;
        self.knowledge.write_index(&[(id, change)]).await?;
        self.index_written(id);
        Ok(())
    }

    /// After an index write: remembered word counts may be wrong now (a word no item held
    /// must be found at once), and during a full re-index the write went to the old index
    /// and must be made again once the new one is in place.
    pub(crate) fn index_written(&self, id: ItemId) {
        self.forget_doc_freq();
        if let Ok(mut t) = self.search_state.touched.lock()
            && let Some(set) = t.as_mut()
        {
            set.insert(id);
        }
    }

    async fn fresh_index_change(&self, id: ItemId) -> DomainResult<IndexChange> {
        match self.knowledge.get_item(id).await {
            Ok(item) => self.index_change(&item).await,
            // Deleted since the list of ids was taken.
            Err(crate::error::PortError::NotFound) => Ok(IndexChange::Remove),
            Err(e) => Err(e.into()),
        }
    }

    /// Rebuilds the segmenter from the dictionary as it stands and re-indexes every published
    /// item. Runs once at a time; progress is in [`Khlang::reindex_progress`].
    pub async fn reindex_all(&self) -> DomainResult<usize> {
        let state = &self.search_state;
        if state.reindexing.swap(true, Ordering::AcqRel) {
            return Err(DomainError::Conflict("กำลังสร้างดัชนีใหม่อยู่แล้ว".into()));
        }
        let result = async {
            let segmenter = self.build_segmenter().await?;
            if let Ok(mut slot) = state.segmenter.write() {
                *slot = Some(segmenter);
            }
            let ids = self.knowledge.published_item_ids().await?;
            state.reindex_total.store(ids.len(), Ordering::Release);
            state.reindex_done.store(0, Ordering::Release);
            // Items are read and segmented a few at a time (segmenting runs on the blocking
            // threads, one per core) and written a batch per transaction into a new index;
            // searches use the old one meanwhile.
            use futures::StreamExt;
            if let Ok(mut t) = state.touched.lock() {
                *t = Some(std::collections::HashSet::new());
            }
            self.knowledge.begin_index_rebuild().await?;
            for batch in ids.chunks(REINDEX_BATCH) {
                let reads: Vec<_> = batch
                    .iter()
                    .map(|id| self.fresh_index_change(*id))
                    .collect();
                let read: Vec<DomainResult<IndexChange>> = futures::stream::iter(reads)
                    .buffered(REINDEX_PARALLEL)
                    .collect()
                    .await;
                let mut changes = Vec::with_capacity(batch.len());
                for (id, change) in batch.iter().zip(read) {
                    changes.push((*id, change?));
                }
                self.knowledge.write_index_rebuild(&changes).await?;
                state
                    .reindex_done
                    .fetch_add(changes.len(), Ordering::AcqRel);
            }
            self.knowledge.finish_index_rebuild().await?;
            self.forget_doc_freq();
            Ok(ids.len())
        }
        .await;
        // Items saved while the new index was built went into the old one only.
        let touched = state.touched.lock().ok().and_then(|mut t| t.take());
        state.reindexing.store(false, Ordering::Release);
        match (result, touched) {
            (Ok(n), Some(ids)) => {
                for id in ids {
                    self.reindex_item(id).await?;
                }
                Ok(n)
            }
            (r, _) => r,
        }
    }

    pub fn reindex_progress(&self) -> ReindexProgress {
        let s = &self.search_state;
        ReindexProgress {
            done: s.reindex_done.load(Ordering::Acquire),
            total: s.reindex_total.load(Ordering::Acquire),
            running: s.reindexing.load(Ordering::Acquire),
        }
    }

    pub async fn search(&self, actor: &Actor, req: &SearchRequest) -> DomainResult<SearchResults> {
        let segmenter = self.segmenter().await?;
        let query = Query::parse(&req.q, &segmenter);
        let per_page = match req.per_page {
            0 => DEFAULT_PER_PAGE,
            n => n.min(MAX_PER_PAGE),
        };
        let page = req.page.max(1);
        let results = SearchResults {
            query,
            total: 0,
            more: false,
            exact: 0,
            suggestion: None,
            hits: vec![],
            facets: FacetCounts::default(),
            page,
            per_page,
        };
        if results.query.is_empty() {
            return Ok(results);
        }
        let readable = self.readable(actor).await?;
        let key = answer_key(
            &results.query,
            page,
            per_page,
            &req.filters,
            readable.as_ref(),
        );
        let generation = self.knowledge.index_generation().await?;
        if let Some(g) = generation {
            self.doc_freq_for(g);
        }
        let generation =
            generation.filter(|_| !self.search_state.answers_off.load(Ordering::Relaxed));
        if let Some(g) = generation
            && let Some(found) = self
                .search_state
                .answers
                .lock()
                .ok()
                .and_then(|a| a.get(g, &key))
        {
            return Ok((*found).clone());
        }
        let results = self
            .search_index(&segmenter, results, readable.as_ref(), &req.filters)
            .await?;
        if let Some(g) = generation
            && let Ok(mut a) = self.search_state.answers.lock()
        {
            a.put(g, key, results.clone());
        }
        Ok(results)
    }

    /// Searches without [`Answers`] from now on (`false`: with them again). The speed bench
    /// uses this to time the searching itself.
    pub fn remember_answers(&self, on: bool) {
        self.search_state.answers_off.store(!on, Ordering::Relaxed);
    }

    /// The index queries, ranking and snippets of one search.
    async fn search_index(
        &self,
        segmenter: &Arc<Segmenter>,
        mut results: SearchResults,
        readable: Option<&crate::ports::Readable>,
        filters: &Filters,
    ) -> DomainResult<SearchResults> {
        let (page, per_page) = (results.page, results.per_page);
        let q = &results.query;
        // Where the time goes, for `RUST_LOG=khlang_core=debug`.
        let t0 = std::time::Instant::now();
        let plan = self.plan(q).await?;
        let t_plan = t0.elapsed();
        let mut hits = Hits::default();
        if plan.all_possible {
            hits.all = self
                .knowledge
                .search_words(&q.required, &[], &q.excluded, &plan.required_idf, MAX_HITS)
                .await?;
        }
        results.more = hits.all.len() >= MAX_HITS;
        let t_all = t0.elapsed();
        // Partial matches are asked for only when whole ones may run short (some of these
        // may be hidden from the reader) and when they can differ from the whole ones.
        if hits.all.len() < search::ENOUGH_EXACT * 4 && !plan.any.is_empty() {
            hits.any = self
                .knowledge
                .search_words(&[], &plan.any, &q.excluded, &plan.any_idf, MAX_PARTIAL_HITS)
                .await?;
        }
        let t_any = t0.elapsed();
        if !plan.grams.is_empty() {
            hits.grams = self
                .knowledge
                .search_grams(&plan.grams, &q.excluded, MAX_GRAM_HITS)
                .await?;
        }
        let t_grams = t0.elapsed();
        let ranked = search::rank(hits, readable, filters);
        results.total = ranked.len();
        results.exact = ranked.iter().filter(|r| r.exact).count();
        results.facets = FacetCounts::count(ranked.iter().map(|r| &r.facets));
        if results.exact == 0 {
            let understood = results.query.text.clone();
            results.suggestion = self.suggestion(segmenter, &understood).await?;
        }
        let words = q.marked_words();
        let prefixes: Vec<String> = q
            .required
            .iter()
            .filter_map(|c| match c {
                search::Clause::Prefix(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        let t_rank = t0.elapsed();
        let start = ((page - 1) * per_page) as usize;
        // Each hit of the page is read and its snippet cut in a task of its own: the reads
        // overlap and the segmenting runs on every core.
        let (words, prefixes) = (Arc::new(words), Arc::new(prefixes));
        let tasks: Vec<_> = ranked
            .iter()
            .skip(start)
            .take(per_page as usize)
            .map(|r| {
                let (core, seg) = (self.clone(), Arc::clone(segmenter));
                let (words, prefixes, id) = (Arc::clone(&words), Arc::clone(&prefixes), r.item_id);
                tokio::spawn(async move {
                    let item = core.knowledge.get_item(id).await?;
                    let snippet = core.best_snippet(&seg, &item, &words, &prefixes).await?;
                    DomainResult::Ok((item, snippet))
                })
            })
            .collect();
        let page_hits = ranked.iter().skip(start).take(per_page as usize);
        for (r, task) in page_hits.zip(tasks) {
            let (item, snippet) = task
                .await
                .map_err(|e| DomainError::Internal(format!("search hit: {e}")))??;
            results.hits.push(SearchHit {
                id: item.id,
                title: item.fields.title.as_str().to_string(),
                snippet,
                score: r.score,
                exact: r.exact,
                unit_id: r.facets.unit_id,
                fiscal_year: r.facets.fiscal_year,
                knowledge_type: r.facets.knowledge_type,
                formats: r.facets.formats.clone(),
                published_at: r.facets.published_at,
            });
        }
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        tracing::debug!(
            q = %results.query.text,
            plan_ms = ms(t_plan),
            every_word_ms = ms(t_all - t_plan),
            any_word_ms = ms(t_any - t_all),
            grams_ms = ms(t_grams - t_any),
            grams = plan.grams.len(),
            rank_ms = ms(t_rank - t_grams),
            page_ms = ms(t0.elapsed() - t_rank),
            "search timings"
        );
        Ok(results)
    }

    /// Which index queries are worth asking for `q`, from how many items hold its terms:
    /// a word no item holds makes "every word" impossible; a word most items hold adds
    /// nothing to a ranked "any word" (BM25 gives it no weight) but costs a pass over most of
    /// the index, so it is left out there; and only the rarer n-grams are asked, rarest first,
    /// within [`GRAM_POSTINGS`] — the common ones would touch every item to say little.
    async fn plan(&self, q: &Query) -> DomainResult<Plan> {
        let indexed = self.indexed_cached().await?;
        let words: Vec<String> = q
            .any()
            .iter()
            .flat_map(|c| match c {
                search::Clause::Word(w) => vec![w.clone()],
                search::Clause::Phrase(ws) => ws.clone(),
                search::Clause::Prefix(_) => vec![],
            })
            .collect();
        let word_df = self.doc_freq(IndexField::Words, &words).await?;
        let df_of = |w: &str| words.iter().position(|x| x == w).map(|i| word_df[i]);
        let all_possible = q.required.iter().all(|c| match c {
            search::Clause::Word(w) => df_of(w) != Some(0),
            _ => true,
        });
        let mut any: Vec<search::Clause> = q
            .any()
            .into_iter()
            .filter(|c| match c {
                search::Clause::Word(w) => df_of(w).is_some_and(|n| n > 0),
                _ => true,
            })
            .collect();
        let common = |c: &search::Clause| match c {
            search::Clause::Word(w) => df_of(w).is_some_and(|n| n * 2 > indexed),
            _ => false,
        };
        if any.iter().any(|c| !common(c)) {
            any.retain(|c| !common(c));
        }
        // Rarest words first, within a budget of document-list entries (BM25 reads each
        // entry's positions): the rare words are the ones that rank a partial match.
        any.sort_by_key(|c| match c {
            search::Clause::Word(w) => df_of(w).unwrap_or(0),
            _ => 0,
        });
        let cost = self.knowledge.ranking_cost().max(1);
        let mut postings = 0;
        any.retain(|c| {
            let n = match c {
                search::Clause::Word(w) => df_of(w).unwrap_or(0),
                _ => 0,
            };
            let keep = postings == 0 || postings + n <= ANY_POSTINGS / cost;
            postings += n;
            keep
        });
        // The same clauses as "every word" would only repeat its answer.
        if any.len() <= 1 && all_possible && any.iter().all(|c| q.required.contains(c)) {
            any.clear();
        }
        let gram_df = self.doc_freq(IndexField::Grams, &q.grams).await?;
        let mut rare: Vec<(u64, &String)> = gram_df
            .iter()
            .copied()
            .zip(&q.grams)
            .filter(|(n, _)| *n > 0 && (*n as f64) <= indexed as f64 * MAX_GRAM_SHARE)
            .collect();
        rare.sort();
        let mut grams = Vec::new();
        let mut postings = 0;
        for (n, g) in rare {
            if postings + n > GRAM_POSTINGS / cost {
                break;
            }
            postings += n;
            grams.push(g.clone());
        }
        // BM25's inverse document frequency of each clause: a word by its own count, a
        // phrase by its rarest word, a prefix as an average word.
        let idf_of = |n: u64| {
            let (n, total) = (n as f64, indexed.max(1) as f64);
            (1.0 + (total - n + 0.5) / (n + 0.5)).ln()
        };
        let idf = |c: &search::Clause| match c {
            search::Clause::Word(w) => idf_of(df_of(w).unwrap_or(0)),
            search::Clause::Phrase(ws) => ws
                .iter()
                .filter_map(|w| df_of(w))
                .map(idf_of)
                .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))))
                .unwrap_or(1.0),
            search::Clause::Prefix(_) => 1.0,
        };
        Ok(Plan {
            all_possible,
            required_idf: q.required.iter().map(idf).collect(),
            any_idf: any.iter().map(idf).collect(),
            any,
            grams,
        })
    }

    /// "Did you mean": the query with its misspelt-looking stretches replaced by the nearest
    /// dictionary words the index holds most often.
    async fn suggestion(
        &self,
        segmenter: &Arc<Segmenter>,
        q: &str,
    ) -> DomainResult<Option<String>> {
        let (seg, text) = (Arc::clone(segmenter), q.to_string());
        let corrections =
            tokio::task::spawn_blocking(move || search::suggest::candidates(&text, &seg))
                .await
                .map_err(|e| DomainError::Internal(format!("suggestion: {e}")))?;
        if corrections.is_empty() {
            return Ok(None);
        }
        let mut words: Vec<String> = corrections.iter().flat_map(|c| c.lookups()).collect();
        words.sort();
        words.dedup();
        let counts = self.doc_freq(IndexField::Words, &words).await?;
        let freq = |w: &str| {
            words
                .binary_search_by(|x| x.as_str().cmp(w))
                .map_or(0, |i| counts[i])
        };
        Ok(search::suggest::choose(q, &corrections, &freq))
    }

    /// How many items hold each term, from memory when looked up recently.
    async fn doc_freq(&self, field: IndexField, terms: &[String]) -> DomainResult<Vec<u64>> {
        let now = std::time::Instant::now();
        let mut out = vec![0u64; terms.len()];
        let mut missing: Vec<String> = Vec::new();
        if let Ok(memo) = self.search_state.doc_freq.lock() {
            for (i, t) in terms.iter().enumerate() {
                match memo.terms.get(&(field, t.clone())) {
                    Some((n, at)) if now.duration_since(*at) < DOC_FREQ_TTL => out[i] = *n,
                    _ => missing.push(t.clone()),
                }
            }
        }
        if missing.is_empty() {
            return Ok(out);
        }
        missing.sort();
        missing.dedup();
        let found = self.knowledge.doc_counts(field, &missing).await?;
        if let Ok(mut memo) = self.search_state.doc_freq.lock() {
            if memo.terms.len() + missing.len() > DOC_FREQ_MAX_TERMS {
                memo.terms.clear();
            }
            for (t, n) in missing.iter().zip(&found) {
                memo.terms.insert((field, t.clone()), (*n, now));
            }
        }
        for (i, t) in terms.iter().enumerate() {
            if let Ok(j) = missing.binary_search(t) {
                out[i] = found[j];
            }
        }
        Ok(out)
    }

    async fn indexed_cached(&self) -> DomainResult<u64> {
        let now = std::time::Instant::now();
        if let Ok(memo) = self.search_state.doc_freq.lock()
            && let Some((n, at)) = memo.indexed
            && now.duration_since(at) < DOC_FREQ_TTL
        {
            return Ok(n);
        }
        let n = self.knowledge.indexed_count().await?;
        if let Ok(mut memo) = self.search_state.doc_freq.lock() {
            memo.indexed = Some((n, now));
        }
        Ok(n)
    }

    /// Forgets remembered frequencies looked up in another generation of the index.
    fn doc_freq_for(&self, generation: u64) {
        if let Ok(mut memo) = self.search_state.doc_freq.lock()
            && memo.generation != Some(generation)
        {
            *memo = DocFreq {
                generation: Some(generation),
                ..DocFreq::default()
            };
        }
    }

    /// After a re-index the remembered frequencies describe an index that is gone.
    fn forget_doc_freq(&self) {
        if let Ok(mut memo) = self.search_state.doc_freq.lock() {
            *memo = DocFreq::default();
        }
    }

    /// The snippet of the summary, body or file text that shows the most query words.
    async fn best_snippet(
        &self,
        segmenter: &Segmenter,
        item: &Item,
        words: &[String],
        prefixes: &[String],
    ) -> DomainResult<Snippet> {
        let f = &item.fields;
        let mut best = Snippet::default();
        let entry_text = self.entry_search_text(f).await?;
        for text in [&f.summary, &f.body, &entry_text] {
            let s = search::snippet::snippet(segmenter, text, words, prefixes);
            if s.hits > best.hits || best.is_empty() {
                best = s;
            }
        }
        if best.hits < words.len().min(2) {
            for text in self.knowledge.item_file_texts(item.id).await? {
                let s = search::snippet::snippet(segmenter, &text, words, prefixes);
                if s.hits > best.hits {
                    best = s;
                }
            }
        }
        Ok(best)
    }

    /// Asks for a newly attached file's text to be read, when there is text to read in it.
    pub(crate) async fn queue_text(&self, file: &crate::item::ItemFile) -> DomainResult<()> {
        let Some(x) = &self.extractor else {
            return Ok(());
        };
        if !x.handles(&file.mime) {
            return Ok(());
        }
        self.knowledge
            .queue_extraction(&file.sha256, &file.mime, file.size, self.clock.now())
            .await?;
        self.search_state.wake.notify_one();
        Ok(())
    }

    /// Reads file text in the background for as long as the process runs: woken by each new
    /// file, and every half minute for retries that have come due.
    pub async fn run_text_extraction(&self) {
        loop {
            if let Err(e) = self.extract_pending().await {
                tracing::warn!(error = %e, "reading file text failed; will retry");
            }
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(30),
                self.search_state.wake.notified(),
            )
            .await;
        }
    }

    /// Reads the text of files waiting for it, one at a time, and re-indexes their items.
    /// Returns how many files were handled (0 when nothing waits or nothing can read them).
    pub async fn extract_pending(&self) -> DomainResult<usize> {
        let Some(extractor) = self.extractor.clone() else {
            return Ok(0);
        };
        let mut handled = 0;
        while let Some(job) = self.knowledge.next_extraction(self.clock.now()).await? {
            handled += 1;
            // `Refused`: the file itself gives no text; recorded, never tried again.
            // `Failed`: something around the reading broke; tried again later.
            enum NoText {
                Refused(String),
                Failed(String),
            }
            let outcome = if job.size > MAX_EXTRACT_BYTES {
                Err(NoText::Refused("ไฟล์ใหญ่เกินกว่าจะอ่านข้อความ".to_string()))
            } else {
                match self.read_blob(&job.sha256).await {
                    Ok(bytes) => {
                        let x = extractor.clone();
                        let mime = job.mime.clone();
                        match tokio::task::spawn_blocking(move || x.extract(&mime, &bytes)).await {
                            Ok(Ok(text)) => Ok(text),
                            Ok(Err(refused)) => Err(NoText::Refused(refused.0)),
                            Err(e) => Err(NoText::Failed(format!("extraction stopped: {e}"))),
                        }
                    }
                    Err(e) => Err(NoText::Failed(format!("storage: {e}"))),
                }
            };
            let attempts = job.attempts + 1;
            match outcome {
                Ok(text) => {
                    self.knowledge
                        .finish_extraction(&job.sha256, Ok(&text), None)
                        .await?;
                    for id in self.knowledge.items_with_blob(&job.sha256).await? {
                        self.reindex_item(id).await?;
                    }
                }
                Err(NoText::Refused(why)) => {
                    tracing::info!(sha256 = %job.sha256, %why, "file has no text to read");
                    self.knowledge
                        .finish_extraction(&job.sha256, Err(&why), None)
                        .await?;
                }
                Err(NoText::Failed(why)) => {
                    // Retry later with a growing pause; give up after a few attempts.
                    let retry = (attempts < MAX_EXTRACT_ATTEMPTS).then(|| {
                        self.clock.now()
                            + time::Duration::seconds(30 * i64::from(attempts * attempts))
                    });
                    tracing::warn!(sha256 = %job.sha256, attempts, %why, "file text not read");
                    self.knowledge
                        .finish_extraction(&job.sha256, Err(&why), retry)
                        .await?;
                }
            }
        }
        Ok(handled)
    }

    async fn read_blob(&self, sha256: &str) -> DomainResult<Vec<u8>> {
        use futures::StreamExt;
        let (_, mut stream) = self
            .blobs
            .get(&super::items::blob_key(sha256), None)
            .await?;
        let mut out = Vec::new();
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.map_err(DomainError::internal)?);
        }
        Ok(out)
    }
}

/// Owned copies for the blocking thread.
struct OwnedText {
    title: String,
    summary: String,
    tags: Vec<String>,
    authors: Vec<String>,
    body: String,
    files: Vec<String>,
}

/// Longest dictionary entry accepted (graphemes).
pub const MAX_DICTIONARY_WORD: usize = 60;
/// Entries accepted in one submission of the form.
pub const MAX_DICTIONARY_BATCH: usize = 500;

impl Khlang {
    /// The admins' own dictionary entries, for the dictionary page.
    pub async fn dictionary(
        &self,
        actor: &Actor,
    ) -> DomainResult<Vec<crate::ports::DictionaryWord>> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        Ok(self.knowledge.dictionary().await?)
    }

    /// Adds words (one per line) to the segmentation dictionary, then re-indexes in the
    /// background. Every line is checked first; one bad line adds nothing.
    pub async fn add_dictionary_words(&self, actor: &Actor, text: &str) -> DomainResult<usize> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let existing: std::collections::HashSet<String> = self
            .knowledge
            .dictionary_words()
            .await?
            .into_iter()
            .collect();
        crate::field::refuse_controls("words", "รายการคำ", text)?;
        let mut words: Vec<String> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let word = crate::text::normalize(&crate::text::tidy(line));
            if word.is_empty() {
                continue;
            }
            let problem = if word.contains(' ') {
                Some("ต้องเป็นคำเดียว ไม่มีช่องว่าง (ใส่บรรทัดละหนึ่งคำ)")
            } else if crate::text::grapheme_len(&word) > MAX_DICTIONARY_WORD {
                Some("ยาวเกินไป (ไม่เกิน 60 ตัวอักษร)")
            } else if !word.chars().any(char::is_alphanumeric) {
                Some("ต้องมีตัวอักษรหรือตัวเลข")
            } else {
                None
            };
            if let Some(p) = problem {
                return Err(DomainError::invalid(
                    "words",
                    format!("บรรทัดที่ {}: “{}” {p}", n + 1, line.trim()),
                ));
            }
            if !existing.contains(&word) && !words.contains(&word) {
                words.push(word);
            }
        }
        if words.len() > MAX_DICTIONARY_BATCH {
            return Err(DomainError::invalid(
                "words",
                format!("เพิ่มได้ครั้งละไม่เกิน {MAX_DICTIONARY_BATCH} คำ"),
            ));
        }
        let now = self.clock.now();
        for word in &words {
            self.knowledge
                .add_dictionary_word(&crate::ports::DictionaryWord {
                    word: word.clone(),
                    added_by: me,
                    added_at: now,
                })
                .await?;
        }
        if !words.is_empty() {
            self.audit(
                Some(me),
                "dictionary.add",
                "dictionary".into(),
                words.join(" "),
            )
            .await?;
            self.announce(super::cache::Topic::Dictionary);
            self.reindex_in_background();
        }
        Ok(words.len())
    }

    pub async fn remove_dictionary_word(&self, actor: &Actor, word: &str) -> DomainResult<()> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        self.knowledge.remove_dictionary_word(word).await?;
        self.audit(
            Some(me),
            "dictionary.remove",
            "dictionary".into(),
            word.to_string(),
        )
        .await?;
        self.announce(super::cache::Topic::Dictionary);
        self.reindex_in_background();
        Ok(())
    }

    /// Starts a re-index unless one runs (an admin may also ask for one from the page).
    pub fn reindex_in_background(&self) {
        let core = self.clone();
        tokio::spawn(async move {
            match core.reindex_all().await {
                Ok(n) => tracing::info!(items = n, "search index rebuilt"),
                Err(DomainError::Conflict(_)) => {}
                Err(e) => tracing::warn!(error = %e, "re-index failed"),
            }
        });
    }

    /// Rebuilds the index in the background when it does not hold every published item —
    /// after an upgrade that changed its layout, or a restore of the database without it.
    pub async fn catch_up_index(&self) -> DomainResult<bool> {
        let published = self.knowledge.published_item_ids().await?.len() as u64;
        let indexed = self.knowledge.indexed_count().await?;
        let behind = published != indexed;
        if behind {
            tracing::info!(published, indexed, "search index behind: rebuilding");
            self.reindex_in_background();
        }
        Ok(behind)
    }

    /// Asks for a full re-index (admins).
    pub fn request_reindex(&self, actor: &Actor) -> DomainResult<()> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        self.reindex_in_background();
        Ok(())
    }

    /// How many published items the index holds (the dictionary page shows it).
    pub async fn indexed_count(&self) -> DomainResult<u64> {
        Ok(self.knowledge.indexed_count().await?)
    }
}
