//! Thai search over community threads: the same analysis as items (normalisation, word
//! segmentation, Thai and Arabic digits equal), and the same rule as items' visibility:
//! a members-only community's threads are found only by its members.

use crate::error::DomainResult;
use crate::ids::{CommunityId, ThreadId};
use crate::service::Khlang;
use async_trait::async_trait;
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

/// The threads' search index; owned by thread search.
#[async_trait]
pub trait ThreadIndex: Send + Sync {}

impl Khlang {
    /// Puts the thread's current text in the index, replacing what was there. Communities call
    /// it after every write to a thread or its posts (hiding a post included).
    pub async fn index_thread(&self, _doc: ThreadDoc) -> DomainResult<()> {
        Ok(()) // contract: filled in by thread search
    }

    /// Takes a thread out of the index (deleted threads).
    pub async fn unindex_thread(&self, _thread: ThreadId) -> DomainResult<()> {
        Ok(()) // contract: filled in by thread search
    }
}
