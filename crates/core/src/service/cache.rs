//! Values that nearly every page reads and that change rarely — the unit tree, the vocabulary,
//! published lists — kept in memory between requests.
//!
//! This process drops an entry as soon as it changes what the entry was made from, and counts
//! the change in the database ([`crate::ports::Coordination::bump_version`]). Every
//! [`CHECK_EVERY`] a process compares those counts with what it last saw, so a change made by
//! another process (a second node on the same PostgreSQL, a console command) shows here within
//! about that long. Every entry also expires after [`TTL`], in case a count was lost.

use super::Khlang;
use crate::ids::{TermId, UnitId};
use crate::item::KnowledgeType;
use crate::org::UnitTree;
use crate::ports::{ItemSummary, Page, Readable};
use crate::taxonomy::Vocabulary;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

pub(crate) const TTL: Duration = Duration::from_secs(60);

/// How often this process asks the database whether another one changed something cached.
pub(crate) const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Published lists kept at most; one is a page of summaries (about 30 KB for 20 items).
const MAX_LISTS: usize = 512;

/// A published list as one kind of reader asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ListKey {
    pub visibility: Option<Readable>,
    pub unit: Option<UnitId>,
    pub term: Option<TermId>,
    pub knowledge_type: Option<KnowledgeType>,
    pub fiscal_year: Option<i32>,
    pub page: u64,
    pub per_page: u64,
}

#[derive(Default)]
pub(crate) struct Caches {
    pub units: Memo<(), UnitTree>,
    pub vocabulary: Memo<(), Vocabulary>,
    pub lists: Memo<ListKey, Page<ItemSummary>>,
    /// The change counts as last read from the database, and when.
    seen: Mutex<Seen>,
    /// True while one request reads the counts (the others go on with what they have).
    checking: AtomicBool,
}

#[derive(Default)]
struct Seen {
    at: Option<Instant>,
    versions: HashMap<String, i64>,
}

/// What a change is counted under; each names the cached values made from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Topic {
    /// Units, taxonomies, terms: the tree, the vocabulary and every list.
    Reference,
    /// A published (or once published) item: the lists.
    Lists,
    /// The segmentation dictionary: the segmenter.
    Dictionary,
}

impl Topic {
    const ALL: [Topic; 3] = [Topic::Reference, Topic::Lists, Topic::Dictionary];

    fn name(self) -> &'static str {
        match self {
            Topic::Reference => "reference",
            Topic::Lists => "lists",
            Topic::Dictionary => "dictionary",
        }
    }
}

impl Khlang {
    /// Drops what this process cached from `topic` and counts the change in the database for
    /// the others. The count is written in the background: callers are sync and a lost count
    /// only delays the others until [`TTL`].
    pub(crate) fn announce(&self, topic: Topic) {
        self.forget(topic);
        let core = self.clone();
        tokio::spawn(async move {
            match core.coordination.bump_version(topic.name()).await {
                Ok(v) => {
                    // Our own change is no news to us (unless someone else's came in between).
                    if let Ok(mut seen) = core.caches.seen.lock() {
                        let last = seen.versions.entry(topic.name().to_string()).or_insert(0);
                        if *last == v - 1 {
                            *last = v;
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, topic = topic.name(), "could not count a change")
                }
            }
        });
    }

    fn forget(&self, topic: Topic) {
        match topic {
            Topic::Reference => {
                self.caches.units.clear();
                self.caches.vocabulary.clear();
                self.caches.lists.clear();
            }
            Topic::Lists => self.caches.lists.clear(),
            Topic::Dictionary => {
                if let Ok(mut s) = self.search_state.segmenter.write() {
                    *s = None;
                }
            }
        }
    }

    /// Drops what another process changed since the last look, at most every [`CHECK_EVERY`].
    /// Called before cached values are read; a failed look is logged and tried again later.
    pub(crate) async fn sync_caches(&self) {
        let due = self
            .caches
            .seen
            .lock()
            .map(|s| s.at.is_none_or(|at| at.elapsed() >= CHECK_EVERY))
            .unwrap_or(false);
        if !due || self.caches.checking.swap(true, Ordering::AcqRel) {
            return;
        }
        let read = self.coordination.versions().await;
        let mut changed = Vec::new();
        match read {
            Ok(versions) => {
                if let Ok(mut seen) = self.caches.seen.lock() {
                    let first = seen.at.is_none();
                    for (topic, v) in versions {
                        if seen.versions.get(&topic) != Some(&v) {
                            if !first {
                                changed
                                    .extend(Topic::ALL.into_iter().filter(|t| t.name() == topic));
                            }
                            seen.versions.insert(topic, v);
                        }
                    }
                    seen.at = Some(Instant::now());
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read the change counts"),
        }
        self.caches.checking.store(false, Ordering::Release);
        for topic in changed {
            tracing::debug!(topic = topic.name(), "changed by another process");
            self.forget(topic);
        }
    }
}

/// Entries by key, each kept until [`TTL`] passes or [`Memo::clear`] is called.
pub(crate) struct Memo<K, V> {
    /// Bumped by every clear, so a value computed before a change is not stored after it.
    generation: AtomicU64,
    entries: RwLock<HashMap<K, (Instant, Arc<V>)>>,
    /// Keys being refreshed in the background (see [`Memo::begin_refresh`]).
    refreshing: Mutex<HashSet<K>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self {
            generation: AtomicU64::new(0),
            entries: RwLock::new(HashMap::new()),
            refreshing: Mutex::new(HashSet::new()),
        }
    }
}

impl<K: Hash + Eq + Clone, V> Memo<K, V> {
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        match self.get_or_stale(key)? {
            (value, true) => Some(value),
            (_, false) => None,
        }
    }

    /// The entry and whether it is younger than [`TTL`]. An older one is still right as far as
    /// this process knows (its own writes clear entries at once).
    pub fn get_or_stale(&self, key: &K) -> Option<(Arc<V>, bool)> {
        let entries = self.entries.read().ok()?;
        let (at, value) = entries.get(key)?;
        Some((value.clone(), at.elapsed() < TTL))
    }

    /// True for the one caller that should refresh `key`; [`Memo::end_refresh`] when done.
    pub fn begin_refresh(&self, key: &K) -> bool {
        self.refreshing
            .lock()
            .map(|mut r| r.insert(key.clone()))
            .unwrap_or(false)
    }

    pub fn end_refresh(&self, key: &K) {
        if let Ok(mut r) = self.refreshing.lock() {
            r.remove(key);
        }
    }

    /// Read before computing a value; pass to [`Memo::put`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `value` unless the memo was cleared since `generation` was read.
    pub fn put(&self, key: K, generation: u64, value: Arc<V>) {
        let Ok(mut entries) = self.entries.write() else {
            return;
        };
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= MAX_LISTS {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= MAX_LISTS {
                entries.clear();
            }
        }
        entries.insert(key, (Instant::now(), value));
    }

    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        if let Ok(mut entries) = self.entries.write() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_until_cleared_and_drops_what_raced_a_clear() {
        let m: Memo<u8, String> = Memo::default();
        assert!(m.get(&1).is_none());
        let g = m.generation();
        m.put(1, g, Arc::new("a".into()));
        assert_eq!(m.get(&1).as_deref().map(String::as_str), Some("a"));
        let stale = m.generation();
        m.clear();
        assert!(m.get(&1).is_none());
        // Computed before the clear: not kept.
        m.put(1, stale, Arc::new("old".into()));
        assert!(m.get(&1).is_none());
        m.put(1, m.generation(), Arc::new("new".into()));
        assert_eq!(m.get(&1).as_deref().map(String::as_str), Some("new"));
    }

    #[test]
    fn one_caller_refreshes_a_key_at_a_time() {
        let m: Memo<u8, u8> = Memo::default();
        m.put(1, m.generation(), Arc::new(7));
        assert_eq!(
            m.get_or_stale(&1).map(|(v, fresh)| (*v, fresh)),
            Some((7, true))
        );
        assert!(m.begin_refresh(&1));
        assert!(
            !m.begin_refresh(&1),
            "a second refresh of the same key waits"
        );
        assert!(m.begin_refresh(&2));
        m.end_refresh(&1);
        assert!(m.begin_refresh(&1));
    }

    #[test]
    fn stays_bounded() {
        let m: Memo<usize, usize> = Memo::default();
        for i in 0..MAX_LISTS * 2 {
            m.put(i, m.generation(), Arc::new(i));
        }
        assert!(m.entries.read().unwrap().len() <= MAX_LISTS);
    }
}
