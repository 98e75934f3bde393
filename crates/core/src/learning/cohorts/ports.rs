//! What the cohorts room needs from storage. Reports read `enrolments` only (its counters are
//! kept in step with lesson progress by the learners room), never `lesson_progress`.

use super::model::{LearnerQuery, LearnerRow, Match, UnitCount};
use crate::ids::{CohortId, CourseId, UnitId, UserId};
use crate::learning::model::{Cohort, CohortFields};
use crate::org::Role;
use crate::ports::{Page, PortResult};
use async_trait::async_trait;
use time::OffsetDateTime;

/// A cohort with how many of it have completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortSummary {
    pub cohort: Cohort,
    pub completed: u64,
}

/// Owned by the cohorts room; methods may be added as it needs them.
#[async_trait]
pub trait CohortStore: Send + Sync {
    async fn cohort(&self, id: CohortId) -> PortResult<Cohort>;

    /// Every (person, unit) grant of a non-disabled person holding `role` (any when None) on
    /// one of `units`.
    async fn grants_on(&self, units: &[UnitId], role: Option<Role>) -> PortResult<Vec<Match>>;

    /// Of `users`, how many are already enrolled in `course`.
    async fn enrolled_among(&self, course: CourseId, users: &[UserId]) -> PortResult<u32>;

    /// Creates the cohort and enrols `learners` in one transaction, in chunks; people already
    /// enrolled in the course keep their enrolment. Returns the cohort and who was enrolled.
    async fn insert_cohort(
        &self,
        fields: &CohortFields,
        learners: &[Match],
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<(CohortId, Vec<UserId>)>;

    /// A course's cohorts, newest first, with their completed counts.
    async fn cohorts_of(&self, course: CourseId) -> PortResult<Vec<CohortSummary>>;

    /// The cohort's learners counted by their enrolment's unit: one grouped query.
    async fn unit_counts(&self, cohort: CohortId) -> PortResult<Vec<UnitCount>>;

    /// One page of the cohort's learners; `units`: only these (None: all).
    async fn learners(
        &self,
        cohort: CohortId,
        units: Option<&[UnitId]>,
        query: LearnerQuery,
        per_page: u64,
    ) -> PortResult<Page<LearnerRow>>;

    /// Cohorts whose last day falls in `[from, to]` (Unix ms of the ends_ms column).
    async fn cohorts_ending(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> PortResult<Vec<Cohort>>;

    /// Learners of a cohort not completed (and not left): who, and how many lessons done.
    async fn unfinished(&self, cohort: CohortId) -> PortResult<Vec<(UserId, u32)>>;
}
