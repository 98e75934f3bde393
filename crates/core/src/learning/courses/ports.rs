//! What the courses room needs from storage. The other rooms of the learning context read
//! courses, lessons and questions through this port too.

use crate::ids::{CourseId, CurriculumId, LessonId, QuestionId, UserId};
use crate::learning::model::{
    Course, CourseFields, Curriculum, CurriculumFields, Lesson, LessonFields, Question,
    QuestionFields,
};
use crate::ports::PortResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Owned by the courses room; methods may be added as it needs them.
#[async_trait]
pub trait CourseStore: Send + Sync {
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
