//! What the contest needs from storage, in two parts: rounds and entries ([`RoundStore`]),
//! and judging and results ([`JudgingStore`]). Times are stored as Unix milliseconds.

use super::model::{
    Contest, ContestKind, DeclaredConflict, Entry, Judge, ResultRow, Round, RoundStatus, Score,
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
    /// Stores a round's result sheet in one transaction; Conflict when a row exists already
    /// (the round was published).
    async fn insert_results(&self, rows: &[ResultRow]) -> PortResult<()>;
    /// A round's published result sheet (empty before publication), by branch and rank.
    async fn round_results(&self, round: RoundId) -> PortResult<Vec<ResultRow>>;
}
