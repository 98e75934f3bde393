//! What the core needs from the outside world. The store and blobs crates implement these;
//! the core never learns which database or object store is behind them.

use crate::account::{ApiToken, NewUser, PasswordHashString, SecretHash, Session, User, Username};
use crate::error::PortError;
use crate::ids::{GrantId, TokenId, UnitId, UserId};
use crate::org::{Role, Unit, UnitCode, UnitKind, UnitName};
use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use time::OffsetDateTime;

pub type PortResult<T> = Result<T, PortError>;

pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub code: UnitCode,
    pub kind: UnitKind,
    pub name_th: UnitName,
    pub name_en: Option<String>,
    pub short_th: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Grant {
    pub id: GrantId,
    pub user_id: UserId,
    pub role: Role,
    pub unit_id: UnitId,
}

/// One page of a list, 1-based.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// One entry of the audit log: who did what to what, when.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Option<UserId>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub at: OffsetDateTime,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Cheap round-trip for /readyz.
    async fn ping(&self) -> PortResult<()>;

    // Units
    async fn list_units(&self) -> PortResult<Vec<Unit>>;
    async fn insert_unit(&self, unit: NewUnit) -> PortResult<Unit>;
    /// Writes name, parent, kind, English/short names and retired flag of an existing unit.
    async fn update_unit(&self, unit: &Unit) -> PortResult<()>;

    // Users
    async fn count_users(&self) -> PortResult<u64>;
    async fn insert_user(&self, user: NewUser) -> PortResult<User>;
    async fn get_user(&self, id: UserId) -> PortResult<User>;
    async fn user_by_username(
        &self,
        username: &Username,
    ) -> PortResult<Option<(User, PasswordHashString)>>;
    async fn list_users(
        &self,
        home_units: Option<&[UnitId]>,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<User>>;
    async fn set_password(&self, id: UserId, hash: &PasswordHashString) -> PortResult<()>;

    // Role grants
    async fn grants_for_user(&self, user: UserId) -> PortResult<Vec<Grant>>;
    async fn insert_grant(&self, user: UserId, role: Role, unit: UnitId) -> PortResult<Grant>;
    async fn get_grant(&self, id: GrantId) -> PortResult<Grant>;
    async fn delete_grant(&self, id: GrantId) -> PortResult<()>;

    // Sessions
    async fn insert_session(&self, session: &Session) -> PortResult<()>;
    async fn session(&self, hash: &SecretHash) -> PortResult<Option<Session>>;
    async fn delete_session(&self, hash: &SecretHash) -> PortResult<()>;
    async fn delete_sessions_of(&self, user: UserId) -> PortResult<()>;
    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> PortResult<u64>;

    // API tokens
    async fn insert_token(
        &self,
        user: UserId,
        name: &str,
        prefix: &str,
        hash: &SecretHash,
        at: OffsetDateTime,
    ) -> PortResult<ApiToken>;
    async fn token_by_hash(&self, hash: &SecretHash) -> PortResult<Option<ApiToken>>;
    async fn list_tokens(&self, user: UserId) -> PortResult<Vec<ApiToken>>;
    async fn revoke_token(&self, user: UserId, id: TokenId, at: OffsetDateTime) -> PortResult<()>;
    async fn touch_token(&self, id: TokenId, at: OffsetDateTime) -> PortResult<()>;

    // Sign-in throttling: failures keyed by "user:<name>" or "addr:<ip>".
    async fn record_login_failure(&self, key: &str, at: OffsetDateTime) -> PortResult<()>;
    async fn login_failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> PortResult<(u64, Option<OffsetDateTime>)>;
    async fn clear_login_failures(&self, key: &str) -> PortResult<()>;

    // The one-time first-administrator link
    async fn insert_setup_token(
        &self,
        hash: &SecretHash,
        expires_at: OffsetDateTime,
    ) -> PortResult<()>;
    /// Deletes the token and says whether it existed and was still valid.
    async fn take_setup_token(&self, hash: &SecretHash, now: OffsetDateTime) -> PortResult<bool>;
    async fn setup_token_valid(&self, hash: &SecretHash, now: OffsetDateTime) -> PortResult<bool>;

    async fn audit(&self, entry: AuditEntry) -> PortResult<()>;
    async fn recent_audit(&self, limit: u64) -> PortResult<Vec<AuditEntry>>;
}

/// A stream of file bytes as it arrives (upload) or leaves (download).
pub type ByteStream = BoxStream<'static, Result<Bytes, std::io::Error>>;

/// Where uploaded files live: a directory or an S3 bucket. Keys are khlang-made, never user input.
#[async_trait]
pub trait Blobs: Send + Sync {
    /// Streams `body` to `key` in parts; nothing is visible under `key` until it completes.
    async fn put(&self, key: &str, body: ByteStream) -> PortResult<u64>;
    /// Reads `range` (or all) of `key`; returns the object's full size and the byte stream.
    async fn get(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> PortResult<(u64, ByteStream)>;
    async fn delete(&self, key: &str) -> PortResult<()>;
    /// Moves an object to a new key (a rename on disk, copy-and-delete on S3).
    async fn rename(&self, from: &str, to: &str) -> PortResult<()>;
    /// Writes, reads and deletes a tiny probe object (for /readyz and start-up).
    async fn check(&self) -> PortResult<()>;
    /// Every key under the folder `prefix` (no trailing slash) with its size, in no order.
    async fn list_under(&self, prefix: &str) -> PortResult<Vec<(String, u64)>>;
}

/// What several khlang processes (nodes) on one database agree on through it: who runs a
/// job or holds an upload right now (leases), and which cached values changed (versions).
#[async_trait]
pub trait Coordination: Send + Sync {
    /// Takes the lease `name` for `holder` until `until`, or renews it if `holder` has it;
    /// false while another holder's lease runs past `now`.
    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> PortResult<bool>;
    /// Gives the lease back (nothing happens if `holder` no longer has it).
    async fn release_lease(&self, name: &str, holder: &str) -> PortResult<()>;
    /// Counts one more change of `topic`; returns the new count.
    async fn bump_version(&self, topic: &str) -> PortResult<i64>;
    /// Every topic's count of changes.
    async fn versions(&self) -> PortResult<Vec<(String, i64)>>;
}

/// Time, injectable so tests can move it (session expiry, throttling windows).
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// Which items a list may show: the reader's scope, computed in core from [`crate::org::authorize`].
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Only these statuses (empty = any).
    pub statuses: Vec<crate::item::ItemStatus>,
    /// Only items owned by these units (None = any unit).
    pub units: Option<Vec<UnitId>>,
    pub term: Option<crate::ids::TermId>,
    pub created_by: Option<UserId>,
    /// Leave out items created by this person (reviewers never screen their own work).
    pub not_created_by: Option<UserId>,
    pub knowledge_type: Option<crate::item::KnowledgeType>,
    pub fiscal_year: Option<i32>,
    /// Published items the reader may see: public always; signed-in ones if `signed_in`;
    /// unit-only ones of `readable_units`. Items outside the published state are not subject to
    /// this (the other fields restrict them).
    pub visibility: Option<Readable>,
    /// Also items whose pending revision (ฉบับแก้ไข) is in one of these statuses.
    pub revision_statuses: Vec<crate::item::ItemStatus>,
    pub order: ItemOrder,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Readable {
    pub signed_in: bool,
    pub readable_units: Vec<UnitId>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ItemOrder {
    /// Newest publication first (home, browse).
    #[default]
    NewestPublished,
    /// Longest waiting first (review queue).
    OldestUpdated,
    /// Recently touched first (my items).
    RecentlyUpdated,
}

/// A row in a list: enough to show a card without loading bodies.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemSummary {
    pub id: crate::ids::ItemId,
    pub title: String,
    pub summary: String,
    pub status: crate::item::ItemStatus,
    pub unit_id: UnitId,
    pub knowledge_type: crate::item::KnowledgeType,
    pub visibility: crate::item::Visibility,
    pub created_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    pub fiscal_year: i32,
    /// Where a pending revision stands — filled in only for those who may know of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_revision: Option<crate::item::ItemStatus>,
}

/// An entry of an item's conversation: a comment, or a transition with its comment.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Comment {
    pub author_id: UserId,
    pub author_name: String,
    pub body: String,
    pub from_status: Option<crate::item::ItemStatus>,
    pub to_status: Option<crate::item::ItemStatus>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

pub struct NewFile {
    pub item_id: crate::ids::ItemId,
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub mime: String,
    pub kind: String,
    pub added_by: UserId,
    pub at: OffsetDateTime,
    /// False for a file added to a pending revision: readers do not get it until approval.
    pub current: bool,
}

/// A resumable (tus) upload in progress; its bytes are staged as parts in [`Blobs`] until
/// complete, so that any node can continue it.
#[derive(Debug, Clone)]
pub struct Upload {
    pub id: String,
    /// Who started it; None for an entrant without an account (through an entry link).
    pub user_id: Option<UserId>,
    /// The item the file is for; None for a contest entry's document.
    pub item_id: Option<crate::ids::ItemId>,
    pub filename: String,
    pub length: u64,
    pub offset: u64,
    pub created_at: OffsetDateTime,
    /// Once complete: the attached item file, or for an entry the stored document's id.
    pub file_id: Option<crate::ids::FileId>,
    /// The contest entry the document is for, and which required document it answers.
    pub entry_id: Option<crate::ids::EntryId>,
    pub requirement: Option<String>,
}

/// Items, their files, versions and conversation; taxonomies.
#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    async fn list_taxonomies(&self) -> PortResult<Vec<crate::taxonomy::Taxonomy>>;
    async fn list_terms(&self) -> PortResult<Vec<crate::taxonomy::Term>>;
    async fn insert_taxonomy(
        &self,
        key: &str,
        name_th: &str,
        name_en: &str,
    ) -> PortResult<crate::taxonomy::Taxonomy>;
    async fn insert_term(
        &self,
        taxonomy: crate::ids::TaxonomyId,
        key: &str,
        label_th: &str,
        label_en: &str,
        parent: Option<crate::ids::TermId>,
    ) -> PortResult<crate::taxonomy::Term>;
    async fn update_term(&self, term: &crate::taxonomy::Term) -> PortResult<()>;

    /// Inserts a new item with version 1 in one transaction.
    async fn insert_item(
        &self,
        item: &crate::item::Item,
        note: &str,
    ) -> PortResult<crate::ids::ItemId>;
    async fn get_item(&self, id: crate::ids::ItemId) -> PortResult<crate::item::Item>;
    /// Saves the item; with `version`, also records that snapshot; applies `index` to the
    /// search index — all in one transaction, so results never disagree with the item.
    async fn save_item(
        &self,
        item: &crate::item::Item,
        version: Option<&crate::item::Version>,
        index: &IndexChange,
    ) -> PortResult<()>;
    async fn list_items(
        &self,
        filter: &ItemFilter,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<ItemSummary>>;
    async fn versions(&self, item: crate::ids::ItemId) -> PortResult<Vec<crate::item::Version>>;

    async fn blob_exists(&self, sha256: &str) -> PortResult<bool>;
    async fn insert_blob(
        &self,
        sha256: &str,
        size: u64,
        mime: &str,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    async fn insert_file(&self, file: NewFile) -> PortResult<crate::item::ItemFile>;
    async fn get_file(&self, id: crate::ids::FileId) -> PortResult<crate::item::ItemFile>;
    /// The files currently attached, in the order they were added.
    async fn item_files(&self, item: crate::ids::ItemId) -> PortResult<Vec<crate::item::ItemFile>>;
    async fn files_by_ids(
        &self,
        ids: &[crate::ids::FileId],
    ) -> PortResult<Vec<crate::item::ItemFile>>;
    /// Detaches or re-attaches files so exactly `ids` are current (restore, removal).
    async fn set_current_files(
        &self,
        item: crate::ids::ItemId,
        ids: &[crate::ids::FileId],
    ) -> PortResult<()>;

    /// The pending revision (ฉบับแก้ไข) of a published item, if there is one.
    async fn get_revision(
        &self,
        item: crate::ids::ItemId,
    ) -> PortResult<Option<crate::item::Revision>>;
    /// Creates or replaces the item's pending revision; the published item is untouched.
    async fn save_revision(&self, revision: &crate::item::Revision) -> PortResult<()>;
    async fn delete_revision(&self, item: crate::ids::ItemId) -> PortResult<()>;
    /// Makes an approved revision the published version in one transaction: the item row,
    /// `version` (whose snapshot's files become the current ones), the search index, and the
    /// revision gone.
    async fn publish_revision(
        &self,
        item: &crate::item::Item,
        version: &crate::item::Version,
        index: &IndexChange,
    ) -> PortResult<()>;
    /// Text read from these files (those whose text is known), in the order given.
    async fn file_texts(&self, ids: &[crate::ids::FileId]) -> PortResult<Vec<String>>;

    async fn insert_comment(&self, item: crate::ids::ItemId, comment: &Comment) -> PortResult<()>;
    async fn comments(&self, item: crate::ids::ItemId) -> PortResult<Vec<Comment>>;

    async fn insert_upload(&self, upload: &Upload) -> PortResult<()>;
    async fn get_upload(&self, id: &str) -> PortResult<Upload>;
    async fn set_upload_offset(
        &self,
        id: &str,
        offset: u64,
        file: Option<crate::ids::FileId>,
    ) -> PortResult<()>;
    async fn delete_upload(&self, id: &str) -> PortResult<()>;
    async fn uploads_older_than(&self, at: OffsetDateTime) -> PortResult<Vec<Upload>>;

    /// Applies index changes on their own (file text arrived, re-index), all in one
    /// transaction: a re-index writes many entries per commit.
    async fn write_index(&self, changes: &[(crate::ids::ItemId, IndexChange)]) -> PortResult<()>;
    /// Starts building a whole new index beside the one in use (a full re-index): searches
    /// keep using the old one until [`KnowledgeStore::finish_index_rebuild`].
    async fn begin_index_rebuild(&self) -> PortResult<()>;
    /// Writes entries into the index being built (one transaction per call).
    async fn write_index_rebuild(
        &self,
        changes: &[(crate::ids::ItemId, IndexChange)],
    ) -> PortResult<()>;
    /// Puts the built index in place of the old one, in one transaction.
    async fn finish_index_rebuild(&self) -> PortResult<()>;
    /// How many indexed items hold each term (in the order given; 0 for an unknown term).
    async fn doc_counts(&self, field: IndexField, terms: &[String]) -> PortResult<Vec<u64>>;
    /// Items containing every clause of `all` — or, when `all` is empty, any of `any` — and
    /// none of `none`; best first, at most `limit`. `idf` weighs each clause of the list
    /// used, for an engine whose ranking does not weigh rare words itself (PostgreSQL's
    /// `ts_rank`; SQLite's BM25 does).
    async fn search_words(
        &self,
        all: &[crate::search::Clause],
        any: &[crate::search::Clause],
        none: &[crate::search::Clause],
        idf: &[f64],
        limit: usize,
    ) -> PortResult<Vec<crate::search::IndexHit>>;
    /// What ranking one hit costs on this engine, relative to SQLite's FTS5 (1): search
    /// divides its budgets of ranked hits by it.
    fn ranking_cost(&self) -> u64 {
        1
    }
    /// Items sharing character n-grams with the query (and none of `none`); best first.
    async fn search_grams(
        &self,
        grams: &[String],
        none: &[crate::search::Clause],
        limit: usize,
    ) -> PortResult<Vec<crate::search::IndexHit>>;
    async fn indexed_count(&self) -> PortResult<u64>;
    /// A number that differs after every committed write to the search index, in every
    /// process (search keeps answers under it); `None` when the store cannot tell.
    async fn index_generation(&self) -> PortResult<Option<u64>> {
        Ok(None)
    }
    async fn published_item_ids(&self) -> PortResult<Vec<crate::ids::ItemId>>;

    async fn dictionary_words(&self) -> PortResult<Vec<String>> {
        Ok(self
            .dictionary()
            .await?
            .into_iter()
            .map(|w| w.word)
            .collect())
    }
    async fn dictionary(&self) -> PortResult<Vec<DictionaryWord>>;
    async fn add_dictionary_word(&self, word: &DictionaryWord) -> PortResult<()>;
    async fn remove_dictionary_word(&self, word: &str) -> PortResult<()>;

    /// Asks for the text of stored content to be read (once per content).
    async fn queue_extraction(
        &self,
        sha256: &str,
        mime: &str,
        size: u64,
        now: OffsetDateTime,
    ) -> PortResult<()>;
    /// Takes the next file due for reading, leasing it so no one else reads it meanwhile.
    async fn next_extraction(&self, now: OffsetDateTime) -> PortResult<Option<ExtractionJob>>;
    /// Records the text, or why it could not be read and when to try again (None: give up).
    async fn finish_extraction(
        &self,
        sha256: &str,
        outcome: Result<&str, &str>,
        retry_at: Option<OffsetDateTime>,
    ) -> PortResult<()>;
    /// Text read from the item's current files.
    async fn item_file_texts(&self, item: crate::ids::ItemId) -> PortResult<Vec<String>>;
    /// Items showing this content as a current file.
    async fn items_with_blob(&self, sha256: &str) -> PortResult<Vec<crate::ids::ItemId>>;
}

/// The two kinds of term the search index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexField {
    Words,
    Grams,
}

/// What a save does to the search index.
#[derive(Debug, Clone, PartialEq)]
pub enum IndexChange {
    /// Write (or rewrite) the item's entry: it is published.
    Put(Box<crate::search::SearchEntry>),
    /// Take the item out: it is not (or no longer) published.
    Remove,
}

/// A file whose text is due to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionJob {
    pub sha256: String,
    pub mime: String,
    pub size: u64,
    /// Attempts already made.
    pub attempts: i32,
}

/// A word admins added to the segmentation dictionary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DictionaryWord {
    pub word: String,
    pub added_by: UserId,
    #[serde(with = "time::serde::rfc3339")]
    pub added_at: OffsetDateTime,
}

/// Reads the text inside a document (PDF, Word, PowerPoint, Excel). Synchronous and CPU-bound:
/// core calls it on a blocking thread.
pub trait TextExtractor: Send + Sync {
    /// Whether files of this MIME type have text to read at all.
    fn handles(&self, mime: &str) -> bool;
    fn extract(&self, mime: &str, bytes: &[u8]) -> Result<String, TextRefused>;
}

/// Why a file gave no text, with the reason (Thai first) to record beside it. The same
/// bytes always give the same answer (too big, encrypted, damaged, unsupported), so a
/// refused file is recorded as done without text and never tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRefused(pub String);
