//! The course builder's use-cases beyond creating: the officer's desk, editing, ordering and
//! removing lessons, question banks, withdrawing. Every one is for the KM officers of the
//! course's unit (ManageKnowledge); the rest get 403, or 404 for drafts they may not see.

use super::rules::{draw_too_large, title, withdraw_reason};
use super::service::CourseOutline;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{CourseId, CurriculumId, LessonId, QuestionId, UnitId};
use crate::item::ItemStatus;
use crate::learning::model::{
    Course, CourseFields, CourseStatus, Curriculum, CurriculumFields, Lesson, LessonBody,
    LessonFields, Question, QuestionFields,
};
use crate::org::{Action, Actor, Target, Unit, authorize};
use crate::service::Khlang;

/// What an officer builds: the units they run KM for, with those units' curricula and
/// courses (drafts included).
#[derive(Debug, Clone)]
pub struct CourseDesk {
    pub units: Vec<Unit>,
    pub curricula: Vec<Curriculum>,
    pub courses: Vec<Course>,
}

/// A course on the builder's page: its outline, each quiz's bank size, what keeps it from
/// being published.
#[derive(Debug, Clone)]
pub struct CourseWorkbench {
    pub outline: CourseOutline,
    /// Live questions per quiz lesson.
    pub banks: Vec<(LessonId, usize)>,
    pub problems: Vec<String>,
}

fn invalid(e: FieldError) -> DomainError {
    DomainError::Invalid(vec![e])
}

impl Khlang {
    /// The units where the actor runs KM (ManageKnowledge), retired ones left out.
    pub async fn course_units(&self, actor: &Actor) -> DomainResult<Vec<Unit>> {
        actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let tree = self.unit_tree().await?;
        Ok(tree
            .units()
            .iter()
            .filter(|u| !u.retired)
            .filter(|u| {
                tree.path(u.id).is_ok_and(|p| {
                    authorize(actor, Action::ManageKnowledge, &Target::Unit(p)).is_ok()
                })
            })
            .cloned()
            .collect())
    }

    /// The officer's desk; 403 for people who run KM nowhere.
    pub async fn course_desk(&self, actor: &Actor) -> DomainResult<CourseDesk> {
        let units = self.course_units(actor).await?;
        if units.is_empty() {
            return Err(DomainError::Forbidden);
        }
        let ids: Vec<UnitId> = units.iter().map(|u| u.id).collect();
        let store = self.course_store()?;
        let curricula = store
            .all_curricula()
            .await?
            .into_iter()
            .filter(|c| ids.contains(&c.fields.unit_id))
            .collect();
        let courses = store.courses_of_units(&ids).await?;
        Ok(CourseDesk {
            units,
            curricula,
            courses,
        })
    }

    /// A curriculum for its officers to edit.
    pub async fn curriculum_for_edit(
        &self,
        actor: &Actor,
        id: CurriculumId,
    ) -> DomainResult<Curriculum> {
        let c = self.course_store()?.curriculum(id).await?;
        self.check_course_officer(actor, c.fields.unit_id).await?;
        Ok(c)
    }

    pub async fn update_curriculum(
        &self,
        actor: &Actor,
        id: CurriculumId,
        mut fields: CurriculumFields,
    ) -> DomainResult<()> {
        let c = self.curriculum_for_edit(actor, id).await?;
        self.check_course_officer(actor, fields.unit_id).await?;
        if c.archived_at.is_some() {
            return Err(DomainError::Conflict("หลักสูตรนี้จัดเก็บแล้ว".into()));
        }
        fields.title = title("title", &fields.title).map_err(invalid)?;
        Ok(self
            .course_store()?
            .update_curriculum(id, &fields, self.clock.now())
            .await?)
    }

    /// Takes a curriculum out of the catalogue; its courses stay (listed without it).
    pub async fn archive_curriculum(&self, actor: &Actor, id: CurriculumId) -> DomainResult<()> {
        self.curriculum_for_edit(actor, id).await?;
        Ok(self
            .course_store()?
            .archive_curriculum(id, self.clock.now())
            .await?)
    }

    /// A course's curriculum must be one its officers run, and not archived.
    pub(crate) async fn check_curriculum_choice(
        &self,
        actor: &Actor,
        id: Option<CurriculumId>,
    ) -> DomainResult<()> {
        let Some(id) = id else { return Ok(()) };
        let c = match self.course_store()?.curriculum(id).await {
            Ok(c) => c,
            Err(crate::error::PortError::NotFound) => {
                return Err(invalid(FieldError::new("curriculum_id", "ไม่พบหลักสูตรที่เลือก")));
            }
            Err(e) => return Err(e.into()),
        };
        if c.archived_at.is_some()
            || self
                .check_course_officer(actor, c.fields.unit_id)
                .await
                .is_err()
        {
            return Err(invalid(FieldError::new(
                "curriculum_id",
                "เลือกได้เฉพาะหลักสูตรของหน่วยงานที่ท่านดูแล",
            )));
        }
        Ok(())
    }

    /// The course builder's page.
    pub async fn course_workbench(
        &self,
        actor: &Actor,
        id: CourseId,
    ) -> DomainResult<CourseWorkbench> {
        let store = self.course_store()?;
        let course = store.course(id).await?;
        self.officer_or_hidden(actor, &course).await?;
        let outline = self.course_outline(actor, id).await?;
        let mut banks = Vec::new();
        for l in &outline.lessons {
            if matches!(l.fields.body, LessonBody::Quiz { .. }) {
                banks.push((l.id, self.quiz_bank(l.id).await?.len()));
            }
        }
        let problems = self.publish_problems(id).await?;
        Ok(CourseWorkbench {
            outline,
            banks,
            problems,
        })
    }

    /// 404 for drafts the actor may not see, 403 for the rest who do not build the course.
    async fn officer_or_hidden(&self, actor: &Actor, course: &Course) -> DomainResult<()> {
        match self
            .check_course_officer(actor, course.fields.unit_id)
            .await
        {
            Ok(()) => Ok(()),
            Err(_) if course.status == CourseStatus::Draft => Err(DomainError::NotFound),
            Err(e) => Err(e),
        }
    }

    async fn course_as_officer(&self, actor: &Actor, id: CourseId) -> DomainResult<Course> {
        let c = self.course_store()?.course(id).await?;
        self.officer_or_hidden(actor, &c).await?;
        Ok(c)
    }

    async fn lesson_as_officer(
        &self,
        actor: &Actor,
        id: LessonId,
    ) -> DomainResult<(Course, Lesson)> {
        let l = self.course_store()?.lesson(id).await?;
        if l.removed_at.is_some() {
            return Err(DomainError::NotFound);
        }
        let c = self.course_as_officer(actor, l.course_id).await?;
        Ok((c, l))
    }

    pub async fn update_course(
        &self,
        actor: &Actor,
        id: CourseId,
        mut fields: CourseFields,
    ) -> DomainResult<()> {
        self.course_as_officer(actor, id).await?;
        self.check_course_officer(actor, fields.unit_id).await?;
        fields.title = title("title", &fields.title).map_err(invalid)?;
        self.check_curriculum_choice(actor, fields.curriculum_id)
            .await?;
        Ok(self
            .course_store()?
            .update_course(id, &fields, self.clock.now())
            .await?)
    }

    /// Closes a course to new learners, with the reason they will read; their progress and
    /// certificates stay.
    pub async fn withdraw_course(
        &self,
        actor: &Actor,
        id: CourseId,
        reason: &str,
    ) -> DomainResult<()> {
        self.course_as_officer(actor, id).await?;
        let reason = withdraw_reason(reason).map_err(invalid)?;
        let store = self.course_store()?;
        let now = self.clock.now();
        if !store.withdraw_course(id, &reason, now).await? {
            return Err(DomainError::Conflict("รายวิชานี้ยกเลิกไปแล้ว".into()));
        }
        store
            .insert_change(id, actor.user_id(), &format!("ยกเลิกรายวิชา: {reason}"), now)
            .await?;
        Ok(())
    }

    /// A lesson for its course's officers to edit.
    pub async fn lesson_for_edit(
        &self,
        actor: &Actor,
        id: LessonId,
    ) -> DomainResult<(Course, Lesson)> {
        self.lesson_as_officer(actor, id).await
    }

    /// Changes a lesson; its kind (and an item lesson's item) stays.
    pub async fn update_lesson(
        &self,
        actor: &Actor,
        id: LessonId,
        mut fields: LessonFields,
    ) -> DomainResult<()> {
        let (_, l) = self.lesson_as_officer(actor, id).await?;
        fields.title = title("title", &fields.title).map_err(invalid)?;
        if fields.body.kind() != l.fields.body.kind() {
            return Err(DomainError::Conflict("เปลี่ยนชนิดของบทเรียนไม่ได้".into()));
        }
        if let LessonBody::Item(_) = l.fields.body {
            fields.body = l.fields.body.clone();
        }
        if let LessonBody::Quiz { rules, .. } = &fields.body {
            let bank = self.quiz_bank(id).await?.len();
            if bank > 0 && draw_too_large(rules, bank) {
                return Err(invalid(FieldError::new(
                    "draw",
                    format!("คลังข้อสอบมีเพียง {bank} ข้อ จำนวนข้อที่สุ่มต้องไม่เกินนี้"),
                )));
            }
        }
        Ok(self.course_store()?.update_lesson(id, &fields).await?)
    }

    /// Takes a lesson out of the course; progress made on it stays. Learners of a published
    /// course are told.
    pub async fn remove_lesson(&self, actor: &Actor, id: LessonId) -> DomainResult<CourseId> {
        let (c, l) = self.lesson_as_officer(actor, id).await?;
        let store = self.course_store()?;
        let now = self.clock.now();
        store.remove_lesson(id, now).await?;
        if c.status == CourseStatus::Published {
            store
                .insert_change(
                    c.id,
                    actor.user_id(),
                    &format!("นำบทเรียน \"{}\" ออกจากรายวิชา", l.fields.title),
                    now,
                )
                .await?;
        }
        Ok(c.id)
    }

    /// Moves a lesson one place up or down among the live lessons.
    pub async fn move_lesson(
        &self,
        actor: &Actor,
        id: LessonId,
        up: bool,
    ) -> DomainResult<CourseId> {
        let (c, _) = self.lesson_as_officer(actor, id).await?;
        let store = self.course_store()?;
        let live: Vec<Lesson> = store
            .lessons_of(c.id)
            .await?
            .into_iter()
            .filter(|l| l.removed_at.is_none())
            .collect();
        let Some(i) = live.iter().position(|l| l.id == id) else {
            return Err(DomainError::NotFound);
        };
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        if let Some(other) = j.and_then(|j| live.get(j)) {
            store.swap_lessons(id, other.id).await?;
        }
        Ok(c.id)
    }

    /// A quiz lesson with its live bank, for its officers.
    pub async fn quiz_for_edit(
        &self,
        actor: &Actor,
        id: LessonId,
    ) -> DomainResult<(Course, Lesson, Vec<Question>)> {
        let (c, l) = self.lesson_as_officer(actor, id).await?;
        if !matches!(l.fields.body, LessonBody::Quiz { .. }) {
            return Err(DomainError::NotFound);
        }
        let bank = self.quiz_bank(id).await?;
        Ok((c, l, bank))
    }

    pub async fn question_for_edit(
        &self,
        actor: &Actor,
        id: QuestionId,
    ) -> DomainResult<(Course, Lesson, Question)> {
        let q = self.course_store()?.question(id).await?;
        if q.removed_at.is_some() {
            return Err(DomainError::NotFound);
        }
        let (c, l) = self.lesson_as_officer(actor, q.lesson_id).await?;
        Ok((c, l, q))
    }

    pub async fn update_question(
        &self,
        actor: &Actor,
        id: QuestionId,
        fields: QuestionFields,
    ) -> DomainResult<()> {
        self.question_for_edit(actor, id).await?;
        super::service::check_question_fields(&fields)?;
        Ok(self.course_store()?.update_question(id, &fields).await?)
    }

    /// Takes a question out of the bank, unless the quiz would then draw more than it has.
    pub async fn remove_question(&self, actor: &Actor, id: QuestionId) -> DomainResult<LessonId> {
        let (_, l, _) = self.question_for_edit(actor, id).await?;
        let bank = self.quiz_bank(l.id).await?.len();
        if let LessonBody::Quiz { rules, .. } = &l.fields.body
            && draw_too_large(rules, bank.saturating_sub(1))
        {
            return Err(DomainError::Conflict(format!(
                "แบบทดสอบนี้สุ่ม {} ข้อ จึงลบข้อสอบจนเหลือน้อยกว่านั้นไม่ได้ กรุณาแก้จำนวนข้อที่สุ่มก่อน",
                rules.draw.unwrap_or(0)
            )));
        }
        self.course_store()?
            .remove_question(id, self.clock.now())
            .await?;
        Ok(l.id)
    }

    /// What keeps a course from being published, in Thai; empty when it may be.
    pub async fn publish_problems(&self, id: CourseId) -> DomainResult<Vec<String>> {
        let store = self.course_store()?;
        let lessons: Vec<Lesson> = store
            .lessons_of(id)
            .await?
            .into_iter()
            .filter(|l| l.removed_at.is_none())
            .collect();
        let mut out = Vec::new();
        if lessons.is_empty() {
            out.push("รายวิชายังไม่มีบทเรียน".to_string());
        }
        for l in &lessons {
            match &l.fields.body {
                LessonBody::Item(item) => {
                    let published = match self.knowledge.get_item(*item).await {
                        Ok(i) => i.status == ItemStatus::Published,
                        Err(crate::error::PortError::NotFound) => false,
                        Err(e) => return Err(e.into()),
                    };
                    if !published {
                        out.push(format!(
                            "บทเรียนที่ {} \"{}\": องค์ความรู้ยังไม่ได้เผยแพร่",
                            l.position, l.fields.title
                        ));
                    }
                }
                LessonBody::Quiz { rules, .. } => {
                    let bank = self.quiz_bank(l.id).await?.len();
                    if bank == 0 {
                        out.push(format!(
                            "บทเรียนที่ {} \"{}\": คลังข้อสอบยังไม่มีข้อสอบ",
                            l.position, l.fields.title
                        ));
                    } else if draw_too_large(rules, bank) {
                        out.push(format!(
                            "บทเรียนที่ {} \"{}\": สุ่ม {} ข้อ แต่คลังข้อสอบมีเพียง {bank} ข้อ",
                            l.position,
                            l.fields.title,
                            rules.draw.unwrap_or(0)
                        ));
                    }
                }
                LessonBody::Text(_) => {}
            }
        }
        Ok(out)
    }
}
