//! What the learners room needs from storage (enrolments, lesson progress, quiz attempts).

use crate::ids::{AttemptId, CourseId, EnrolmentId, LessonId, UnitId, UserId};
use crate::learning::model::{Attempt, Course, Drawn, Enrolment, LessonProgress};
use crate::ports::PortResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// A lesson marked done: what the enrolment's counters add.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoneMark {
    pub lesson: LessonId,
    /// Counts towards `required_done`.
    pub required: bool,
    /// Seconds to add to the lesson and the enrolment.
    pub seconds: u64,
    /// A quiz's passing score.
    pub score: Option<u8>,
}

/// A quiz attempt as it is handed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub answers: Vec<Vec<usize>>,
    pub correct: u32,
    pub total: u32,
    pub score: u8,
    pub passed: bool,
}

/// Owned by the learners room.
#[async_trait]
pub trait LearnerStore: Send + Sync {
    /// The learner's enrolment in a course, if any.
    async fn enrolment_of(&self, course: CourseId, user: UserId) -> PortResult<Option<Enrolment>>;
    /// Enrols once: a second call returns the enrolment already there.
    async fn enrol(
        &self,
        course: CourseId,
        user: UserId,
        unit: UnitId,
        at: OffsetDateTime,
    ) -> PortResult<Enrolment>;
    /// A learner's enrolments with their courses, most recently studied first.
    async fn enrolments_of_user(&self, user: UserId) -> PortResult<Vec<(Enrolment, Course)>>;
    async fn progress_of(&self, enrolment: EnrolmentId) -> PortResult<Vec<LessonProgress>>;
    /// A lesson opened: its progress row exists from now on, and the enrolment resumes there.
    async fn lesson_viewed(
        &self,
        enrolment: EnrolmentId,
        lesson: LessonId,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    /// Marks a lesson done once; the enrolment's counters, time and mean quiz score change in
    /// the same transaction. False (and nothing changed) when it was done already.
    async fn mark_done(
        &self,
        enrolment: EnrolmentId,
        mark: DoneMark,
        at: OffsetDateTime,
    ) -> PortResult<bool>;
    /// Sets `completed_ms` if it is not set: true for the one caller that set it.
    async fn complete(&self, enrolment: EnrolmentId, at: OffsetDateTime) -> PortResult<bool>;
    async fn set_certificate_code(&self, enrolment: EnrolmentId, code: &str) -> PortResult<()>;
    /// The enrolment's attempts at a quiz, in order.
    async fn attempts(&self, enrolment: EnrolmentId, lesson: LessonId) -> PortResult<Vec<Attempt>>;
    async fn attempt(&self, id: AttemptId) -> PortResult<Attempt>;
    /// A new attempt numbered `number`: Conflict when that number is taken.
    async fn insert_attempt(
        &self,
        enrolment: EnrolmentId,
        lesson: LessonId,
        number: u32,
        drawn: &[Drawn],
        at: OffsetDateTime,
    ) -> PortResult<Attempt>;
    /// Hands in an attempt once: false (nothing changed) when it was handed in already.
    async fn submit_attempt(
        &self,
        id: AttemptId,
        s: &Submission,
        at: OffsetDateTime,
    ) -> PortResult<bool>;
}
