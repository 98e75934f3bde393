//! What the jobs context needs from storage: the `jobs` table, shared by every process on
//! the database. Claims, heartbeats and endings are conditional writes, so two processes
//! never both hold one job.

use super::model::{Job, JobId, NewJob, Outcome, Progress};
use crate::ids::UserId;
use crate::ports::PortResult;
use async_trait::async_trait;
use time::OffsetDateTime;

#[async_trait]
pub trait JobStore: Send + Sync {
    async fn insert_job(&self, job: &NewJob) -> PortResult<Job>;
    /// NotFound when there is no such job.
    async fn get_job(&self, id: JobId) -> PortResult<Job>;
    /// Jobs that may be claimed at `now` (queued, or running under a lease that ran out),
    /// oldest first, at most `limit`.
    async fn claimable_jobs(&self, now: OffsetDateTime, limit: u64) -> PortResult<Vec<JobId>>;
    /// Takes the job for `holder` until `lease_until` if it is still claimable at `now` — one
    /// conditional UPDATE, so of several processes trying at once exactly one gets `true`.
    /// Counts the attempt and sets the start time on the first.
    async fn claim_job(
        &self,
        id: JobId,
        holder: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> PortResult<bool>;
    /// Records progress and extends the lease; false when `holder` no longer holds the job
    /// (another process took it over).
    async fn heartbeat(
        &self,
        id: JobId,
        holder: &str,
        lease_until: OffsetDateTime,
        progress: &Progress,
    ) -> PortResult<bool>;
    /// Ends the job as done or failed, only while `holder` holds it; false otherwise (then
    /// nothing changed).
    async fn finish_job(
        &self,
        id: JobId,
        holder: &str,
        at: OffsetDateTime,
        outcome: &Outcome,
    ) -> PortResult<bool>;
    /// The owner's jobs, newest first, at most `limit`.
    async fn jobs_of(&self, owner: UserId, limit: u64) -> PortResult<Vec<Job>>;
}
