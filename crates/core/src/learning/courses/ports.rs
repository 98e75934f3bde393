//! What the courses room needs from storage. The other rooms of the learning context read
//! courses, lessons and questions through this port too.

use crate::ids::{CourseId, CurriculumId, LessonId, QuestionId, UnitId, UserId};
use crate::learning::model::{
    Course, CourseFields, CourseStatus, Curriculum, CurriculumFields, Lesson, LessonFields,
    Question, QuestionFields,
};
use crate::ports::PortResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Owned by the courses room; methods may be added as it needs them.
#[async_trait]
pub trait CourseStore: CourseEditStore + Send + Sync {
    async fn insert_curriculum(
        &self,
        fields: &CurriculumFields,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<CurriculumId>;
    async fn curriculum(&self, id: CurriculumId) -> PortResult<Curriculum>;
    /// A new course is a draft, placed last in its curriculum.
    async fn insert_course(
        &self,
        fields: &CourseFields,
        origin: Option<&str>,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<CourseId>;
    async fn course(&self, id: CourseId) -> PortResult<Course>;
    /// Draft → published (false when it was not a draft).
    async fn publish_course(&self, id: CourseId, at: OffsetDateTime) -> PortResult<bool>;
    /// Appended after the course's last lesson.
    async fn insert_lesson(
        &self,
        course: CourseId,
        fields: &LessonFields,
        at: OffsetDateTime,
    ) -> PortResult<LessonId>;
    async fn lesson(&self, id: LessonId) -> PortResult<Lesson>;
    /// The course's lessons in order, removed ones included (they carry `removed_at`).
    async fn lessons_of(&self, course: CourseId) -> PortResult<Vec<Lesson>>;
    /// Appended after the quiz's last question.
    async fn insert_question(
        &self,
        lesson: LessonId,
        fields: &QuestionFields,
    ) -> PortResult<QuestionId>;
    /// The quiz's bank in order, removed questions included.
    async fn questions_of(&self, lesson: LessonId) -> PortResult<Vec<Question>>;
}

/// What a learner should know changed in a course (a lesson removed, the course withdrawn).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseChange {
    pub at: OffsetDateTime,
    pub what: String,
}

/// The rest of the courses room's storage: listing, editing, ordering, withdrawing.
#[async_trait]
pub trait CourseEditStore: Send + Sync {
    /// Every curriculum, archived ones included, oldest first.
    async fn all_curricula(&self) -> PortResult<Vec<Curriculum>>;
    /// Courses in one of `statuses`, by curriculum then position.
    async fn courses_with_status(&self, statuses: &[CourseStatus]) -> PortResult<Vec<Course>>;
    /// Courses of any of `units`, drafts included.
    async fn courses_of_units(&self, units: &[UnitId]) -> PortResult<Vec<Course>>;
    /// A course imported from `origin` into `unit`, if any.
    async fn course_by_origin(&self, unit: UnitId, origin: &str) -> PortResult<Option<Course>>;
    async fn update_curriculum(
        &self,
        id: CurriculumId,
        fields: &CurriculumFields,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    async fn archive_curriculum(&self, id: CurriculumId, at: OffsetDateTime) -> PortResult<()>;
    async fn update_course(
        &self,
        id: CourseId,
        fields: &CourseFields,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    /// Draft or published → withdrawn, with the reason (false when already withdrawn).
    async fn withdraw_course(
        &self,
        id: CourseId,
        reason: &str,
        at: OffsetDateTime,
    ) -> PortResult<bool>;
    async fn insert_change(
        &self,
        course: CourseId,
        by: Option<UserId>,
        what: &str,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    /// Newest first.
    async fn changes_of(&self, course: CourseId) -> PortResult<Vec<CourseChange>>;
    async fn update_lesson(&self, id: LessonId, fields: &LessonFields) -> PortResult<()>;
    async fn remove_lesson(&self, id: LessonId, at: OffsetDateTime) -> PortResult<()>;
    /// Swaps the positions of two lessons of one course.
    async fn swap_lessons(&self, a: LessonId, b: LessonId) -> PortResult<()>;
    async fn question(&self, id: QuestionId) -> PortResult<Question>;
    async fn update_question(&self, id: QuestionId, fields: &QuestionFields) -> PortResult<()>;
    async fn remove_question(&self, id: QuestionId, at: OffsetDateTime) -> PortResult<()>;
    /// Deletes a course with its lessons, questions and change notes: only for taking back
    /// an import that failed midway (nobody has seen the draft yet).
    async fn delete_course(&self, id: CourseId) -> PortResult<()>;
}
