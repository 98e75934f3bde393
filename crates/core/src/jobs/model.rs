//! What a background job is, and the rules about it that need no I/O: who may see it, when
//! it may be claimed, how its progress reads.

use crate::ids::UserId;
use crate::org::Actor;
use serde::{Deserialize, Serialize};
use std::fmt;
use time::{Duration, OffsetDateTime};

/// A background job (งานเบื้องหลัง).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct JobId(pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How long a claim lasts without a heartbeat: a process that dies mid-job gives it back
/// after this, and another process takes it over.
pub const LEASE: Duration = Duration::minutes(2);
/// How often a running job renews its lease (well inside [`LEASE`]).
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(20);
/// A job taken over this many times has killed every process that ran it: it is failed
/// instead of being tried again.
pub const MAX_ATTEMPTS: i32 = 3;

/// What a job does; each kind has one handler (see [`super::service`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// หนังสือองค์ความรู้: a PDF of chosen published items (see [`crate::books`]).
    Book,
    /// นำเข้าองค์ความรู้: a staged WordPress export or spreadsheet (see [`crate::imports`]).
    Import,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Book => "book",
            JobKind::Import => "import",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "book" => Some(JobKind::Book),
            "import" => Some(JobKind::Import),
            _ => None,
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            JobKind::Book => "สร้างหนังสือองค์ความรู้ (PDF)",
            JobKind::Import => "นำเข้าองค์ความรู้",
        }
    }
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// รอคิว
    Queued,
    /// กำลังทำงาน
    Running,
    /// เสร็จแล้ว: the result file is ready.
    Done,
    /// ไม่สำเร็จ: with a Thai message, and no result.
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ => return None,
        })
    }

    pub fn label_th(self) -> &'static str {
        match self {
            JobState::Queued => "รอคิว",
            JobState::Running => "กำลังทำงาน",
            JobState::Done => "เสร็จแล้ว",
            JobState::Failed => "ไม่สำเร็จ",
        }
    }

    /// Done or failed: nothing will change any more.
    pub fn finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed)
    }
}

/// How far a job got: `done` of `total` steps, and the step now under way in Thai.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
    pub message: String,
}

impl Progress {
    pub fn new(done: u32, total: u32, message: impl Into<String>) -> Self {
        Self {
            done: done.min(total),
            total,
            message: message.into(),
        }
    }

    /// 0–100, rounded down; 0 before the total is known.
    pub fn percent(&self) -> u32 {
        if self.total == 0 {
            0
        } else {
            (u64::from(self.done.min(self.total)) * 100 / u64::from(self.total)) as u32
        }
    }
}

/// The file a finished job made, kept in the object store so any process can serve it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFile {
    pub key: String,
    /// The name to download it under.
    pub name: String,
    pub mime: String,
    pub size: u64,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done(JobFile),
    /// Why, in Thai, for the person who asked.
    Failed(String),
}

/// A job as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: JobId,
    pub kind: JobKind,
    pub owner: UserId,
    /// What the handler needs, as the request made it.
    pub params: serde_json::Value,
    pub state: JobState,
    pub progress: Progress,
    pub result: Option<JobFile>,
    /// Why it failed (Thai); only when failed.
    pub error: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// The process (and claim) running it now.
    #[serde(skip)]
    pub lease_holder: Option<String>,
    #[serde(skip)]
    pub lease_until: Option<OffsetDateTime>,
    /// How many times it was claimed.
    pub attempts: i32,
}

/// A job to queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub owner: UserId,
    pub params: serde_json::Value,
    pub created_at: OffsetDateTime,
    pub progress: Progress,
}

impl Job {
    /// A job may be claimed when queued, or when running under a lease that has run out
    /// (its process died or hangs).
    pub fn claimable(&self, now: OffsetDateTime) -> bool {
        match self.state {
            JobState::Queued => true,
            JobState::Running => self.lease_until.is_none_or(|until| until < now),
            JobState::Done | JobState::Failed => false,
        }
    }
}

/// Only the person who asked for a job, and site administrators, see it and its file: a
/// job's result is built with its owner's reading rights.
pub fn may_see(actor: &Actor, job: &Job) -> bool {
    match actor {
        Actor::Anonymous => false,
        Actor::User(u) => u.site_admin || u.user_id == job.owner,
    }
}

/// Why a handler stopped: a Thai message for the owner (bad input, an item gone), or a
/// fault for the log (the owner reads a general message).
#[derive(Debug)]
pub enum JobFailure {
    Refused(String),
    Fault(String),
    /// Another process took the job over (this one's lease ran out): stop, write nothing.
    Lost,
}

/// What the owner reads when a job fails for a reason that is not theirs.
pub const FAULT_MESSAGE: &str =
    "เกิดข้อผิดพลาดภายในระบบระหว่างทำงานนี้ กรุณาลองใหม่อีกครั้ง หากยังไม่สำเร็จโปรดแจ้งผู้ดูแลระบบ";
/// What the owner reads when a job was taken over too often.
pub const GAVE_UP_MESSAGE: &str =
    "งานนี้หยุดกลางคันหลายครั้งจึงยกเลิกไว้ กรุณาลดจำนวนรายการแล้วลองใหม่ หรือแจ้งผู้ดูแลระบบ";

impl From<crate::DomainError> for JobFailure {
    fn from(e: crate::DomainError) -> Self {
        use crate::DomainError::*;
        match e {
            Internal(cause) => JobFailure::Fault(cause),
            Invalid(fields) => JobFailure::Refused(
                fields
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            NotFound => {
                JobFailure::Refused("ไม่พบข้อมูลบางรายการที่งานนี้ต้องใช้ หรือท่านไม่มีสิทธิ์อ่านแล้ว".into())
            }
            other => JobFailure::Refused(other.to_string()),
        }
    }
}

impl JobFailure {
    /// The message the owner reads.
    pub fn message(&self) -> &str {
        match self {
            JobFailure::Refused(m) => m,
            JobFailure::Fault(_) | JobFailure::Lost => FAULT_MESSAGE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::SignedIn;

    fn job(state: JobState, lease_until: Option<OffsetDateTime>) -> Job {
        Job {
            id: JobId(1),
            kind: JobKind::Book,
            owner: UserId(7),
            params: serde_json::Value::Null,
            state,
            progress: Progress::default(),
            result: None,
            error: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            started_at: None,
            finished_at: None,
            lease_holder: None,
            lease_until,
            attempts: 0,
        }
    }

    fn user(id: i64, site_admin: bool) -> Actor {
        Actor::User(SignedIn {
            user_id: UserId(id),
            site_admin,
            grants: Vec::new(),
        })
    }

    #[test]
    fn only_the_owner_and_site_admins_see_a_job() {
        let j = job(JobState::Done, None);
        assert!(may_see(&user(7, false), &j));
        assert!(may_see(&user(1, true), &j));
        assert!(!may_see(&user(8, false), &j));
        assert!(!may_see(&Actor::Anonymous, &j));
    }

    #[test]
    fn a_running_job_is_claimable_only_after_its_lease() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::hours(1);
        assert!(job(JobState::Queued, None).claimable(now));
        assert!(!job(JobState::Running, Some(now + LEASE)).claimable(now));
        assert!(job(JobState::Running, Some(now - Duration::seconds(1))).claimable(now));
        assert!(!job(JobState::Done, None).claimable(now));
        assert!(!job(JobState::Failed, None).claimable(now));
    }

    #[test]
    fn progress_reads_as_a_percentage() {
        assert_eq!(Progress::new(0, 0, "").percent(), 0);
        assert_eq!(Progress::new(1, 3, "").percent(), 33);
        assert_eq!(Progress::new(5, 3, "").percent(), 100);
        assert_eq!(Progress::new(3, 3, "").percent(), 100);
    }

    #[test]
    fn names_read_back() {
        for s in [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
        ] {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobKind::parse("book"), Some(JobKind::Book));
        assert_eq!(JobKind::parse("nope"), None);
    }

    #[test]
    fn faults_are_not_shown_to_the_owner() {
        let f = JobFailure::from(crate::DomainError::internal("disk full at /var/x"));
        assert_eq!(f.message(), FAULT_MESSAGE);
        let f = JobFailure::from(crate::DomainError::Conflict("เรื่องนี้ถูกเก็บถาวรแล้ว".into()));
        assert_eq!(f.message(), "เรื่องนี้ถูกเก็บถาวรแล้ว");
    }
}
