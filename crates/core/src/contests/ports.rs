//! What the contest needs from storage, in two parts: rounds and entries ([`RoundStore`]),
//! and judging and results ([`JudgingStore`]). Times are stored as Unix milliseconds.

use super::model::{
    Contest, ContestKind, DeclaredConflict, Entry, EntryDocument, EntryFilter, EntryLinkState,
    Judge, NewEntry, NewEntryDocument, ResultRow, Round, RoundStats, RoundStatus, Score,
    SheetState,
};
use crate::ids::{ContestId, EntryId, RoundId, TermId, UnitId, UserId};
use crate::ports::{Page, PortResult};
use async_trait::async_trait;
use time::OffsetDateTime;

/// A contest about to be created.
#[derive(Debug, Clone)]
pub struct NewContest {
    pub unit_id: UnitId,
    pub title: String,
    pub fiscal_year: i32,
    pub kind: ContestKind,
    pub created_by: UserId,
    pub at: OffsetDateTime,
}

/// Contests, rounds, entries, entry links and documents.
///
/// Owned by the rounds-and-submissions side; methods may be added as it needs them.
#[async_trait]
pub trait RoundStore: Send + Sync {
    async fn insert_contest(&self, new: &NewContest) -> PortResult<Contest>;
    async fn get_contest(&self, id: ContestId) -> PortResult<Contest>;
    /// Newest fiscal year first.
    async fn list_contests(&self, page: u64, per_page: u64) -> PortResult<Page<Contest>>;

    /// Stores a new round (its id and times from the argument are ignored / kept).
    async fn insert_round(&self, round: &Round) -> PortResult<Round>;
    async fn get_round(&self, id: RoundId) -> PortResult<Round>;
    async fn contest_rounds(&self, contest: ContestId) -> PortResult<Vec<Round>>;
    /// Title, area, next round, window and settings of a draft round.
    async fn update_round(&self, round: &Round) -> PortResult<()>;
    /// Moves a round from `from` to `to`; Conflict if its status is no longer `from`
    /// (another organiser moved it first).
    async fn set_round_status(
        &self,
        id: RoundId,
        from: RoundStatus,
        to: RoundStatus,
        at: OffsetDateTime,
    ) -> PortResult<()>;

    async fn get_entry(&self, id: EntryId) -> PortResult<Entry>;

    // --- rounds helper ---
    /// Every entry of one branch of a round, unpaged (for ranking), oldest first.
    async fn round_entries(&self, round: RoundId, branch: TermId) -> PortResult<Vec<Entry>>;
    /// Promotion: a new entry in `next_round` with `promoted_from = entry`, the same entrant,
    /// branch, province and answers, a new receipt and no link; its document rows are copied
    /// with the same SHA-256 (no new bytes). One transaction. Idempotent: the entry already
    /// copied into `next_round` is returned as it is.
    async fn copy_entry_into(
        &self,
        entry: EntryId,
        next_round: RoundId,
        at: OffsetDateTime,
    ) -> PortResult<EntryId>;
    /// Stores a new entry with the next receipt number of its round (`R12-0007`).
    async fn insert_entry(&self, new: &NewEntry) -> PortResult<Entry>;
    /// The entry whose current (or previous, replaced) link has this hash.
    async fn entry_by_link(&self, link_hash: &str) -> PortResult<EntryLinkState>;
    /// Whether the entry has a link, and whether it is revoked (None: no link at all).
    async fn entry_link(&self, entry: EntryId) -> PortResult<Option<EntryLinkState>>;
    /// Gives the entry a new link; the old one is remembered as replaced.
    async fn set_entry_link(
        &self,
        entry: EntryId,
        link_hash: &str,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    async fn revoke_entry_link(&self, entry: EntryId, at: OffsetDateTime) -> PortResult<()>;
    async fn insert_document(&self, doc: &NewEntryDocument) -> PortResult<EntryDocument>;
    /// Removes one document of an entry and returns it; NotFound when it is not that entry's.
    async fn remove_document(
        &self,
        entry: EntryId,
        document: i64,
        at: OffsetDateTime,
    ) -> PortResult<EntryDocument>;
    /// Oldest first.
    async fn entry_documents(&self, entry: EntryId) -> PortResult<Vec<EntryDocument>>;
    /// A round's entries, newest first; `required` are the keys of the required documents
    /// (for the complete/incomplete filter).
    async fn list_entries(
        &self,
        round: RoundId,
        filter: &EntryFilter,
        required: &[String],
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Entry>>;
    /// Entries by branch and province, completeness, documents and deduplicated bytes.
    async fn round_stats(&self, round: RoundId, required: &[String]) -> PortResult<RoundStats>;
}

/// Judges, score sheets, conflicts, results and promotion.
///
/// Owned by the judging side; methods may be added as it needs them.
#[async_trait]
pub trait JudgingStore: Send + Sync {
    async fn round_judges(&self, round: RoundId) -> PortResult<Vec<Judge>>;
    /// Every score of every entry of one branch of a round.
    async fn branch_scores(&self, round: RoundId, branch: TermId) -> PortResult<Vec<Score>>;

    // --- judging helper ---
    /// Every round and branch a user judges.
    async fn judge_assignments(&self, user: UserId) -> PortResult<Vec<Judge>>;
    /// Conflict when the user already judges that branch of the round.
    async fn add_judge(&self, judge: &Judge) -> PortResult<()>;
    async fn remove_judge(&self, round: RoundId, branch: TermId, user: UserId) -> PortResult<()>;
    /// The version of every sheet saved in a round.
    async fn round_sheets(&self, round: RoundId) -> PortResult<Vec<SheetState>>;
    /// Every judge's scores of one entry.
    async fn entry_scores(&self, entry: EntryId) -> PortResult<Vec<Score>>;
    /// Replaces a judge's sheet for an entry when its version is still `expected` (0: never
    /// saved) and returns the new version; Conflict when someone saved it in between. One
    /// transaction: on Conflict nothing changes.
    async fn save_sheet(
        &self,
        entry: EntryId,
        judge: UserId,
        expected: i64,
        scores: &[Score],
        at: OffsetDateTime,
    ) -> PortResult<i64>;
    /// Records (or rewords) a conflict a judge declared.
    async fn declare_conflict(&self, conflict: &DeclaredConflict) -> PortResult<()>;
    async fn round_conflicts(&self, round: RoundId) -> PortResult<Vec<DeclaredConflict>>;
    /// The chair's order of entries still tied in a branch, first = best.
    async fn chair_order(&self, round: RoundId, branch: TermId) -> PortResult<Vec<EntryId>>;
    async fn set_chair_order(
        &self,
        round: RoundId,
        branch: TermId,
        order: &[EntryId],
    ) -> PortResult<()>;
    /// Publishes a round: stores its result sheet and moves it from judging to published, in
    /// one transaction; Conflict when it is no longer judging or a row exists already (another
    /// organiser published it first), and then nothing is stored.
    async fn insert_results(
        &self,
        round: RoundId,
        rows: &[ResultRow],
        at: OffsetDateTime,
    ) -> PortResult<()>;
    /// A round's published result sheet (empty before publication), by branch and rank.
    async fn round_results(&self, round: RoundId) -> PortResult<Vec<ResultRow>>;
}
