//! Use-cases of the courses room: the KM officers of a course's unit (ManageKnowledge) build
//! and publish it; signed-in people read published courses.

use super::ports::CourseStore;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{CourseId, CurriculumId, LessonId, QuestionId};
use crate::item::ItemStatus;
use crate::learning::model::{
    Course, CourseFields, CourseStatus, Curriculum, CurriculumFields, Lesson, LessonBody,
    LessonFields, Question, QuestionFields, QuestionKind,
};
use crate::org::{Action, Actor, Target, authorize};
use crate::service::Khlang;
use crate::text::tidy;
use std::sync::Arc;

pub use super::rules::TITLE_MAX;
use super::rules::title;

/// A course with its lessons in order (removed ones left out).
#[derive(Debug, Clone)]
pub struct CourseOutline {
    pub course: Course,
    pub lessons: Vec<Lesson>,
    /// Item lessons whose item is no longer published (archived, or sent back for changes):
    /// shown as unavailable, and not required for completion until it is published again.
    pub unavailable: Vec<LessonId>,
}

/// The last guard on a question whatever the form checked: a prompt, 2–6 choices, and the
/// right number of correct ones.
pub(crate) fn check_question_fields(fields: &QuestionFields) -> DomainResult<()> {
    let right = fields.choices.iter().filter(|c| c.correct).count();
    let ok = match fields.kind {
        QuestionKind::Single | QuestionKind::TrueFalse => right == 1,
        QuestionKind::Multiple => right >= 1,
    };
    if tidy(&fields.prompt).is_empty()
        || fields.choices.len() < 2
        || fields.choices.len() > super::rules::CHOICES_MAX
        || !ok
    {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "choices",
            "ข้อสอบต้องมีคำถาม ตัวเลือก ๒–๖ ข้อ และคำตอบที่ถูก",
        )]));
    }
    Ok(())
}

impl Khlang {
    pub(crate) fn course_store(&self) -> DomainResult<&Arc<dyn CourseStore>> {
        self.courses
            .as_ref()
            .ok_or_else(|| DomainError::internal("learning has no store"))
    }

    /// The course's officers: ManageKnowledge on its unit.
    pub(crate) async fn check_course_officer(
        &self,
        actor: &Actor,
        unit: crate::ids::UnitId,
    ) -> DomainResult<()> {
        let path = self.unit_tree().await?.path(unit)?;
        authorize(actor, Action::ManageKnowledge, &Target::Unit(path))?;
        Ok(())
    }

    /// Whether the actor builds courses of `course`'s unit.
    pub async fn may_manage_course(&self, actor: &Actor, course: &Course) -> DomainResult<bool> {
        Ok(self
            .check_course_officer(actor, course.fields.unit_id)
            .await
            .is_ok())
    }

    pub async fn create_curriculum(
        &self,
        actor: &Actor,
        mut fields: CurriculumFields,
    ) -> DomainResult<CurriculumId> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        self.check_course_officer(actor, fields.unit_id).await?;
        fields.title = title("title", &fields.title).map_err(|e| DomainError::Invalid(vec![e]))?;
        Ok(self
            .course_store()?
            .insert_curriculum(&fields, me, self.clock.now())
            .await?)
    }

    pub async fn curriculum(&self, id: CurriculumId) -> DomainResult<Curriculum> {
        Ok(self.course_store()?.curriculum(id).await?)
    }

    /// A new draft course; `origin` is an imported package's id.
    pub async fn create_course(
        &self,
        actor: &Actor,
        mut fields: CourseFields,
    ) -> DomainResult<CourseId> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        self.check_course_officer(actor, fields.unit_id).await?;
        fields.title = title("title", &fields.title).map_err(|e| DomainError::Invalid(vec![e]))?;
        self.check_curriculum_choice(actor, fields.curriculum_id)
            .await?;
        Ok(self
            .course_store()?
            .insert_course(&fields, None, me, self.clock.now())
            .await?)
    }

    /// Adds a lesson at the end of a course. An item lesson must name a published item.
    pub async fn add_lesson(
        &self,
        actor: &Actor,
        course: CourseId,
        mut fields: LessonFields,
    ) -> DomainResult<LessonId> {
        let store = self.course_store()?;
        let c = store.course(course).await?;
        self.check_course_officer(actor, c.fields.unit_id).await?;
        fields.title = title("title", &fields.title).map_err(|e| DomainError::Invalid(vec![e]))?;
        if let LessonBody::Item(item) = fields.body {
            let published = self
                .knowledge
                .get_item(item)
                .await
                .ok()
                .is_some_and(|i| i.status == ItemStatus::Published);
            if !published {
                return Err(DomainError::Invalid(vec![FieldError::new(
                    "item",
                    "บทเรียนต้องเป็นองค์ความรู้ที่เผยแพร่แล้ว",
                )]));
            }
        }
        Ok(store
            .insert_lesson(course, &fields, self.clock.now())
            .await?)
    }

    /// Adds a question to a quiz lesson's bank.
    pub async fn add_question(
        &self,
        actor: &Actor,
        lesson: LessonId,
        fields: QuestionFields,
    ) -> DomainResult<QuestionId> {
        let store = self.course_store()?;
        let l = store.lesson(lesson).await?;
        let c = store.course(l.course_id).await?;
        self.check_course_officer(actor, c.fields.unit_id).await?;
        if !matches!(l.fields.body, LessonBody::Quiz { .. }) {
            return Err(DomainError::Conflict("บทเรียนนี้ไม่ใช่แบบทดสอบ".into()));
        }
        check_question_fields(&fields)?;
        Ok(store.insert_question(lesson, &fields).await?)
    }

    /// Opens a draft course to learners, once it has what learners need (see
    /// [`Khlang::publish_problems`]).
    pub async fn publish_course(&self, actor: &Actor, course: CourseId) -> DomainResult<()> {
        let store = self.course_store()?;
        let c = store.course(course).await?;
        self.check_course_officer(actor, c.fields.unit_id).await?;
        if c.status != CourseStatus::Draft {
            return Err(DomainError::Conflict("รายวิชานี้ไม่ได้อยู่ในสถานะฉบับร่าง".into()));
        }
        let missing = self.publish_problems(course).await?;
        if !missing.is_empty() {
            return Err(DomainError::Invalid(
                missing
                    .into_iter()
                    .map(|m| FieldError::new("publish", m))
                    .collect(),
            ));
        }
        if !store.publish_course(course, self.clock.now()).await? {
            return Err(DomainError::Conflict("รายวิชานี้ไม่ได้อยู่ในสถานะฉบับร่าง".into()));
        }
        Ok(())
    }

    /// A course and its lessons: published and withdrawn courses to anyone signed in (the
    /// withdrawn for its learners to see why), drafts to its officers only (others: 404).
    pub async fn course_outline(&self, actor: &Actor, id: CourseId) -> DomainResult<CourseOutline> {
        let store = self.course_store()?;
        let course = store.course(id).await?;
        if course.status == CourseStatus::Draft && !self.may_manage_course(actor, &course).await? {
            return Err(DomainError::NotFound);
        }
        let lessons: Vec<Lesson> = store
            .lessons_of(id)
            .await?
            .into_iter()
            .filter(|l| l.removed_at.is_none())
            .collect();
        let mut unavailable = Vec::new();
        for l in &lessons {
            if let LessonBody::Item(item) = l.fields.body {
                let published = match self.knowledge.get_item(item).await {
                    Ok(i) => i.status == ItemStatus::Published,
                    Err(crate::error::PortError::NotFound) => false,
                    Err(e) => return Err(e.into()),
                };
                if !published {
                    unavailable.push(l.id);
                }
            }
        }
        Ok(CourseOutline {
            course,
            lessons,
            unavailable,
        })
    }

    /// A quiz's bank in order (removed questions left out); for the quiz's own rooms.
    pub(crate) async fn quiz_bank(&self, lesson: LessonId) -> DomainResult<Vec<Question>> {
        Ok(self
            .course_store()?
            .questions_of(lesson)
            .await?
            .into_iter()
            .filter(|q| q.removed_at.is_none())
            .collect())
    }
}
