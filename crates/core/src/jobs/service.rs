//! Queuing, claiming, running and reading background jobs.
//!
//! Any process may run any job: [`Khlang::run_pending_jobs`] claims each claimable job with
//! one conditional write (so of several processes exactly one runs it), runs its kind's
//! handler while renewing the lease, stores the result file in the object store and only then
//! marks the job done — or failed, with a Thai message and no file. A process that dies
//! mid-job leaves its lease to run out; the job is then claimed again by whoever looks next.
//! The binary calls [`Khlang::run_jobs`] in the background; tests call
//! [`Khlang::run_pending_jobs`] to run what is queued to completion, deterministically.

use super::model::{
    GAVE_UP_MESSAGE, HEARTBEAT_EVERY, Job, JobFailure, JobFile, JobId, JobKind, LEASE,
    MAX_ATTEMPTS, NewJob, Outcome, Progress, may_see,
};
use super::ports::JobStore;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::org::Actor;
use crate::ports::ByteStream;
use crate::service::Khlang;
use bytes::Bytes;
use std::sync::Arc;
use std::sync::Mutex;

/// The jobs context's parts inside [`Khlang`]: its store and the bell that wakes this
/// process's worker when a job is queued here.
pub struct JobParts {
    pub(crate) store: Arc<dyn JobStore>,
    pub(crate) wake: tokio::sync::Notify,
}

impl JobParts {
    pub fn new(store: Arc<dyn JobStore>) -> Self {
        Self {
            store,
            wake: tokio::sync::Notify::new(),
        }
    }
}

/// What a handler made: the bytes of one file to download.
pub struct JobOutput {
    pub bytes: Vec<u8>,
    pub name: String,
    pub mime: String,
}

/// A claimed job as its handler sees it: the job, and a way to report progress (which
/// also proves the claim is still ours).
pub struct JobRun<'a> {
    pub job: &'a Job,
    holder: String,
    store: Arc<dyn JobStore>,
    clock: Arc<dyn crate::ports::Clock>,
    last: Mutex<Progress>,
}

impl JobRun<'_> {
    /// Records `done` of `total` and the step under way (Thai); Err(Lost) when another
    /// process took the job over meanwhile.
    pub async fn progress(
        &self,
        done: u32,
        total: u32,
        message: impl Into<String>,
    ) -> Result<(), JobFailure> {
        let p = Progress::new(done, total, message);
        if let Ok(mut last) = self.last.lock() {
            *last = p.clone();
        }
        self.beat(&p).await
    }

    async fn beat(&self, p: &Progress) -> Result<(), JobFailure> {
        let until = self.clock.now() + LEASE;
        match self
            .store
            .heartbeat(self.job.id, &self.holder, until, p)
            .await
        {
            Ok(true) => Ok(()),
            Ok(false) => Err(JobFailure::Lost),
            Err(e) => Err(JobFailure::Fault(e.to_string())),
        }
    }

    fn last(&self) -> Progress {
        self.last.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

impl Khlang {
    pub(crate) fn job_parts(&self) -> DomainResult<&Arc<JobParts>> {
        self.jobs.as_ref().ok_or_else(|| {
            DomainError::Conflict("ระบบนี้ไม่ได้เปิดใช้งานเบื้องหลัง กรุณาติดต่อผู้ดูแลระบบ".into())
        })
    }

    /// Queues a job for `owner` (whose reading rights it will run with) and wakes this
    /// process's worker. Callers check permissions and validate `params` first: a queued job
    /// is one that should succeed.
    pub(crate) async fn enqueue_job(
        &self,
        owner: UserId,
        kind: JobKind,
        params: serde_json::Value,
        first_step: &str,
    ) -> DomainResult<Job> {
        let parts = self.job_parts()?;
        let job = parts
            .store
            .insert_job(&NewJob {
                kind,
                owner,
                params,
                created_at: self.clock.now(),
                progress: Progress::new(0, 0, first_step),
            })
            .await?;
        parts.wake.notify_one();
        self.audit(
            Some(owner),
            "job.queue",
            format!("job:{}", job.id),
            kind.as_str().into(),
        )
        .await?;
        Ok(job)
    }

    /// A job, for its owner and site administrators; NotFound for everyone else (as for a
    /// job that does not exist).
    pub async fn job(&self, actor: &Actor, id: JobId) -> DomainResult<Job> {
        actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let job = self.job_parts()?.store.get_job(id).await?;
        if may_see(actor, &job) {
            Ok(job)
        } else {
            Err(DomainError::NotFound)
        }
    }

    /// The actor's own recent jobs, newest first.
    pub async fn my_jobs(&self, actor: &Actor) -> DomainResult<Vec<Job>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        Ok(self.job_parts()?.store.jobs_of(me, 20).await?)
    }

    /// The file a finished job made, for those who may see the job.
    pub async fn open_job_file(
        &self,
        actor: &Actor,
        id: JobId,
    ) -> DomainResult<(JobFile, ByteStream)> {
        let job = self.job(actor, id).await?;
        let file = job.result.ok_or(DomainError::NotFound)?;
        let (_, stream) = self.blobs.get(&file.key, None).await?;
        Ok((file, stream))
    }

    /// Claims the oldest claimable job for `holder`, if any (see [`JobStore::claim_job`]).
    /// The worker names itself uniquely per claim; tests use this to play a process that
    /// claims a job and dies.
    pub async fn claim_next_job(&self, holder: &str) -> DomainResult<Option<Job>> {
        let store = &self.job_parts()?.store;
        let now = self.clock.now();
        for id in store.claimable_jobs(now, 20).await? {
            if store.claim_job(id, holder, now, now + LEASE).await? {
                return Ok(Some(store.get_job(id).await?));
            }
        }
        Ok(None)
    }

    /// Runs every claimable job, one after another, until none is left that this process
    /// can claim; returns how many it ran. Safe to call from several processes at once.
    pub async fn run_pending_jobs(&self) -> DomainResult<usize> {
        if self.jobs.is_none() {
            return Ok(0);
        }
        let mut ran = 0;
        loop {
            let holder = crate::service::nodes::node_name();
            let Some(job) = self.claim_next_job(&holder).await? else {
                return Ok(ran);
            };
            self.run_claimed(&job, holder).await?;
            ran += 1;
        }
    }

    /// Runs jobs for as long as the process lives: woken when one is queued here, and every
    /// few seconds for jobs queued by other processes or left by a dead one.
    pub async fn run_jobs(&self) {
        let Some(parts) = self.jobs.clone() else {
            return;
        };
        loop {
            if let Err(e) = self.run_pending_jobs().await {
                tracing::warn!(error = %e, "running background jobs failed; will retry");
            }
            let _ = tokio::time::timeout(std::time::Duration::from_secs(5), parts.wake.notified())
                .await;
        }
    }

    /// Runs one claimed job to its end (or until another process takes it over).
    async fn run_claimed(&self, job: &Job, holder: String) -> DomainResult<()> {
        let store = self.job_parts()?.store.clone();
        let now = self.clock.now();
        if job.attempts > MAX_ATTEMPTS {
            store
                .finish_job(
                    job.id,
                    &holder,
                    now,
                    &Outcome::Failed(GAVE_UP_MESSAGE.into()),
                )
                .await?;
            return Ok(());
        }
        let run = JobRun {
            job,
            holder: holder.clone(),
            store: store.clone(),
            clock: self.clock.clone(),
            last: Mutex::new(job.progress.clone()),
        };
        let result = {
            let work = self.handle(&run);
            tokio::pin!(work);
            let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
            beat.tick().await;
            loop {
                tokio::select! {
                    r = &mut work => break r,
                    _ = beat.tick() => {
                        if let Err(e) = run.beat(&run.last()).await {
                            break Err(e);
                        }
                    }
                }
            }
        };
        let outcome = match result {
            Ok(out) => {
                let ext = out.name.rsplit_once('.').map_or("bin", |(_, e)| e);
                let key = format!("jobs/{}/{holder}.{ext}", job.id);
                let size = out.bytes.len() as u64;
                let body: ByteStream = Box::pin(futures::stream::once(async move {
                    Ok::<Bytes, std::io::Error>(Bytes::from(out.bytes))
                }));
                self.blobs.put(&key, body).await?;
                let file = JobFile {
                    key: key.clone(),
                    name: out.name,
                    mime: out.mime,
                    size,
                };
                if !store
                    .finish_job(job.id, &holder, self.clock.now(), &Outcome::Done(file))
                    .await?
                {
                    // Taken over while the file was written: the other process's file counts.
                    self.blobs.delete(&key).await.ok();
                }
                return Ok(());
            }
            Err(JobFailure::Lost) => {
                tracing::info!(job = %job.id, "job taken over by another process");
                return Ok(());
            }
            Err(f) => {
                if let JobFailure::Fault(cause) = &f {
                    tracing::warn!(job = %job.id, kind = job.kind.as_str(), %cause, "job failed");
                }
                Outcome::Failed(f.message().to_string())
            }
        };
        store
            .finish_job(job.id, &holder, self.clock.now(), &outcome)
            .await?;
        Ok(())
    }

    /// The handler of the job's kind.
    async fn handle(&self, run: &JobRun<'_>) -> Result<JobOutput, JobFailure> {
        match run.job.kind {
            JobKind::Book => self.build_book(run).await,
            JobKind::Import => self.run_import(run).await,
        }
    }
}
