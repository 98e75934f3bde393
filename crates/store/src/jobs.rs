//! [`JobStore`] over the `jobs` table in plain SQL that SQLite and PostgreSQL both speak.
//! Claims, heartbeats and endings are single conditional UPDATEs whose affected-row count
//! says who won: SQLite serialises writers, and PostgreSQL re-checks the WHERE clause of a
//! row another transaction just changed, so two processes never both take one job.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::UserId;
use khlang_core::jobs::model::{JobFile, NewJob, Outcome};
use khlang_core::jobs::{Job, JobId, JobKind, JobState, JobStore, Progress};
use khlang_core::ports::PortResult;
use sea_orm::QueryResult;
use time::OffsetDateTime;

const COLUMNS: &str = "id, kind, owner_id, params, state, progress_done, progress_total, \
    progress_message, result_key, result_name, result_mime, result_size, error, created_ms, \
    started_ms, finished_ms, lease_holder, lease_until_ms, attempts";

fn corrupt(what: &str) -> PortError {
    PortError::Other(format!("stored job has an unknown {what}"))
}

fn opt_time(v: Option<i64>) -> PortResult<Option<OffsetDateTime>> {
    v.map(from_ms).transpose()
}

fn job_of(r: &QueryResult) -> PortResult<Job> {
    let kind: String = get(r, "kind")?;
    let state: String = get(r, "state")?;
    let params: String = get(r, "params")?;
    let result = match get::<Option<String>>(r, "result_key")? {
        Some(key) => Some(JobFile {
            key,
            name: get::<Option<String>>(r, "result_name")?.unwrap_or_default(),
            mime: get::<Option<String>>(r, "result_mime")?.unwrap_or_default(),
            size: get::<Option<i64>>(r, "result_size")?.unwrap_or(0).max(0) as u64,
        }),
        None => None,
    };
    Ok(Job {
        id: JobId(get(r, "id")?),
        kind: JobKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        owner: UserId(get(r, "owner_id")?),
        params: serde_json::from_str(&params).map_err(|_| corrupt("parameter set"))?,
        state: JobState::parse(&state).ok_or_else(|| corrupt("state"))?,
        progress: Progress {
            done: get::<i64>(r, "progress_done")?.clamp(0, i64::from(u32::MAX)) as u32,
            total: get::<i64>(r, "progress_total")?.clamp(0, i64::from(u32::MAX)) as u32,
            message: get(r, "progress_message")?,
        },
        result,
        error: get(r, "error")?,
        created_at: from_ms(get(r, "created_ms")?)?,
        started_at: opt_time(get(r, "started_ms")?)?,
        finished_at: opt_time(get(r, "finished_ms")?)?,
        lease_holder: get(r, "lease_holder")?,
        lease_until: opt_time(get(r, "lease_until_ms")?)?,
        attempts: get::<i64>(r, "attempts")? as i32,
    })
}

/// Progress messages are kept to the column's width (whole characters).
fn bounded(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[async_trait]
impl JobStore for SeaStore {
    async fn insert_job(&self, job: &NewJob) -> PortResult<Job> {
        let found = rows(
            self.connection(),
            "INSERT INTO jobs (kind, owner_id, params, state, progress_done, progress_total, \
             progress_message, created_ms, attempts) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, 0) \
             RETURNING id",
            vec![
                job.kind.as_str().into(),
                job.owner.0.into(),
                job.params.to_string().into(),
                i64::from(job.progress.done).into(),
                i64::from(job.progress.total).into(),
                bounded(&job.progress.message, 500).into(),
                ms(job.created_at).into(),
            ],
        )
        .await?;
        let id: i64 = match found.first() {
            Some(r) => get(r, "id")?,
            None => return Err(PortError::Other("no job id returned".into())),
        };
        self.get_job(JobId(id)).await
    }

    async fn get_job(&self, id: JobId) -> PortResult<Job> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        match found.first() {
            Some(r) => job_of(r),
            None => Err(PortError::NotFound),
        }
    }

    async fn claimable_jobs(&self, now: OffsetDateTime, limit: u64) -> PortResult<Vec<JobId>> {
        let found = rows(
            self.connection(),
            "SELECT id FROM jobs WHERE state = 'queued' \
             OR (state = 'running' AND (lease_until_ms IS NULL OR lease_until_ms < ?)) \
             ORDER BY id LIMIT ?",
            vec![ms(now).into(), (limit.min(1000) as i64).into()],
        )
        .await?;
        found.iter().map(|r| Ok(JobId(get(r, "id")?))).collect()
    }

    async fn claim_job(
        &self,
        id: JobId,
        holder: &str,
        now: OffsetDateTime,
        lease_until: OffsetDateTime,
    ) -> PortResult<bool> {
        let n = exec(
            self.connection(),
            "UPDATE jobs SET state = 'running', lease_holder = ?, lease_until_ms = ?, \
             started_ms = COALESCE(started_ms, ?), attempts = attempts + 1 \
             WHERE id = ? AND (state = 'queued' \
             OR (state = 'running' AND (lease_until_ms IS NULL OR lease_until_ms < ?)))",
            vec![
                bounded(holder, 100).into(),
                ms(lease_until).into(),
                ms(now).into(),
                id.0.into(),
                ms(now).into(),
            ],
        )
        .await?;
        Ok(n == 1)
    }

    async fn heartbeat(
        &self,
        id: JobId,
        holder: &str,
        lease_until: OffsetDateTime,
        progress: &Progress,
    ) -> PortResult<bool> {
        let n = exec(
            self.connection(),
            "UPDATE jobs SET progress_done = ?, progress_total = ?, progress_message = ?, \
             lease_until_ms = ? WHERE id = ? AND state = 'running' AND lease_holder = ?",
            vec![
                i64::from(progress.done).into(),
                i64::from(progress.total).into(),
                bounded(&progress.message, 500).into(),
                ms(lease_until).into(),
                id.0.into(),
                bounded(holder, 100).into(),
            ],
        )
        .await?;
        Ok(n == 1)
    }

    async fn finish_job(
        &self,
        id: JobId,
        holder: &str,
        at: OffsetDateTime,
        outcome: &Outcome,
    ) -> PortResult<bool> {
        let (state, file, error, message) = match outcome {
            Outcome::Done(f) => ("done", Some(f), None, "เสร็จแล้ว".to_string()),
            Outcome::Failed(m) => ("failed", None, Some(m.clone()), "ไม่สำเร็จ".to_string()),
        };
        let n = exec(
            self.connection(),
            "UPDATE jobs SET state = ?, result_key = ?, result_name = ?, result_mime = ?, \
             result_size = ?, error = ?, finished_ms = ?, progress_message = ?, \
             progress_done = CASE WHEN ? = 'done' THEN progress_total ELSE progress_done END, \
             lease_holder = NULL, lease_until_ms = NULL \
             WHERE id = ? AND state = 'running' AND lease_holder = ?",
            vec![
                state.into(),
                file.map(|f| f.key.clone()).into(),
                file.map(|f| bounded(&f.name, 300)).into(),
                file.map(|f| bounded(&f.mime, 100)).into(),
                file.map(|f| f.size as i64).into(),
                error.into(),
                ms(at).into(),
                message.into(),
                state.into(),
                id.0.into(),
                bounded(holder, 100).into(),
            ],
        )
        .await?;
        Ok(n == 1)
    }

    async fn jobs_of(&self, owner: UserId, limit: u64) -> PortResult<Vec<Job>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM jobs WHERE owner_id = ? ORDER BY id DESC LIMIT ?"),
            vec![owner.0.into(), (limit.min(1000) as i64).into()],
        )
        .await?;
        found.iter().map(job_of).collect()
    }
}
