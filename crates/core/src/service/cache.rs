//! Values that nearly every page reads and that change rarely — the unit tree, the vocabulary,
//! published lists — kept in memory between requests.
//!
//! This process drops an entry as soon as it changes what the entry was made from. Another
//! process (a second server on the same PostgreSQL, a console command) cannot tell it, so
//! every entry also expires after [`TTL`]: that is how late such a change may show here.

use crate::ids::{TermId, UnitId};
use crate::item::KnowledgeType;
use crate::org::UnitTree;
use crate::ports::{ItemSummary, Page, Readable};
use crate::taxonomy::Vocabulary;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

pub(crate) const TTL: Duration = Duration::from_secs(10);

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
