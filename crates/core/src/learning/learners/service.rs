//! Use-cases of the learners room: enrolling oneself, a course's page with one's progress,
//! opening a lesson (resume is kept there), marking it done, and completion with its
//! certificate. Quizzes are in [`super::quiz`].

use super::ports::{DoneMark, LearnerStore};
use super::rules::{
    LessonState, MAX_VIEW_SECONDS, certificate_title, is_complete, lesson_states,
    required_progress, resume_lesson,
};
use crate::error::{DomainError, DomainResult};
use crate::ids::{CourseId, LessonId, UserId};
use crate::learning::courses::service::CourseOutline;
use crate::learning::model::{Course, CourseStatus, Enrolment, Lesson, LessonBody};
use crate::notifications::NewNotice;
use crate::org::Actor;
use crate::service::Khlang;
use std::collections::HashSet;
use std::sync::Arc;

/// A course as one person sees it: lessons with their states and that person's progress.
#[derive(Debug, Clone)]
pub struct CourseProgress {
    pub outline: CourseOutline,
    pub enrolment: Option<Enrolment>,
    /// One per lesson of `outline.lessons`.
    pub states: Vec<LessonState>,
    /// Required available lessons done, and how many there are.
    pub required_done: u32,
    pub required_total: u32,
    /// Where "เรียนต่อ" goes.
    pub resume: Option<LessonId>,
    /// Signed in, not enrolled, and the course takes learners by themselves.
    pub may_enrol: bool,
    /// Builds this course (links to its edit and cohort pages).
    pub may_manage: bool,
}

impl CourseProgress {
    pub fn percent(&self) -> u8 {
        super::rules::percent(self.required_done, self.required_total)
    }

    /// The position (0-based) of a lesson in the outline.
    pub fn index_of(&self, lesson: LessonId) -> Option<usize> {
        self.outline.lessons.iter().position(|l| l.id == lesson)
    }

    /// Progress may still be made: enrolled, not left, and the course not withdrawn.
    pub fn may_study(&self) -> bool {
        self.enrolment.as_ref().is_some_and(|e| e.left_at.is_none())
            && self.outline.course.status == CourseStatus::Published
    }
}

/// One of my courses on /learn.
#[derive(Debug, Clone)]
pub struct MyCourse {
    pub course: Course,
    pub enrolment: Enrolment,
    pub required_done: u32,
    pub required_total: u32,
    pub resume: Option<LessonId>,
}

/// /learn: my courses, then the catalogue.
#[derive(Debug, Clone)]
pub struct MyLearning {
    pub courses: Vec<MyCourse>,
    /// Published courses by curriculum (the courses room's catalogue).
    pub catalogue: Vec<crate::learning::courses::CatalogueEntry>,
}

/// One lesson on its screen.
#[derive(Debug, Clone)]
pub struct LessonScreen {
    pub progress: CourseProgress,
    pub lesson: Lesson,
    /// 0-based position in the outline.
    pub index: usize,
    pub state: LessonState,
    /// An item lesson's item and its current files (when available).
    pub item: Option<LessonItem>,
}

/// A knowledge item as a lesson shows it.
#[derive(Debug, Clone)]
pub struct LessonItem {
    pub item: crate::item::Item,
    /// What readers see now.
    pub files: Vec<crate::item::ItemFile>,
}

impl LessonScreen {
    pub fn prev(&self) -> Option<LessonId> {
        self.index
            .checked_sub(1)
            .and_then(|i| self.progress.outline.lessons.get(i))
            .map(|l| l.id)
    }

    pub fn next(&self) -> Option<LessonId> {
        self.progress
            .outline
            .lessons
            .get(self.index + 1)
            .map(|l| l.id)
    }
}

/// What marking a lesson done led to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finished {
    /// The course was completed just now: the certificate's code.
    pub certificate: Option<String>,
}

pub(crate) fn withdrawn_refusal(course: &Course) -> DomainError {
    let when = course
        .withdrawn
        .as_ref()
        .map(|(at, _)| format!(" เมื่อ {}", crate::text::format_be_date(*at)))
        .unwrap_or_default();
    DomainError::Conflict(format!(
        "รายวิชานี้ยกเลิกแล้ว{when} — บันทึกความก้าวหน้าเพิ่มไม่ได้ ความก้าวหน้าเดิมยังอยู่ครบ"
    ))
}

impl Khlang {
    pub(crate) fn learner_store(&self) -> DomainResult<&Arc<dyn LearnerStore>> {
        self.learners
            .as_ref()
            .ok_or_else(|| DomainError::internal("learning has no store"))
    }

    /// A person's certificates in force from courses that qualify trainers (ทำเนียบครูฝึก).
    pub async fn trainer_certificates(
        &self,
        user: UserId,
    ) -> DomainResult<Vec<crate::certificates::Certificate>> {
        if self.certificates.is_none() || self.courses.is_none() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for c in self.certificates_of_user(user).await? {
            let Some(id) = c
                .source
                .strip_prefix("course:")
                .and_then(|n| n.parse::<i64>().ok())
            else {
                continue;
            };
            match self.course_store()?.course(CourseId(id)).await {
                Ok(course) if course.fields.qualifies_trainers => out.push(c),
                Ok(_) | Err(crate::error::PortError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }

    /// /learn: the signed-in person's courses (with where to resume), then the catalogue.
    pub async fn my_learning(&self, actor: &Actor) -> DomainResult<MyLearning> {
        let mut courses = Vec::new();
        if let Some(me) = actor.user_id() {
            for (enrolment, course) in self.learner_store()?.enrolments_of_user(me).await? {
                // A course back in draft (never expected) leaves the list rather than the page.
                let p = match self.course_progress(actor, course.id).await {
                    Ok(p) => p,
                    Err(DomainError::NotFound) => continue,
                    Err(e) => return Err(e),
                };
                courses.push(MyCourse {
                    course,
                    enrolment,
                    required_done: p.required_done,
                    required_total: p.required_total,
                    resume: p.resume,
                });
            }
        }
        let catalogue = self.catalogue(actor).await?;
        Ok(MyLearning { courses, catalogue })
    }

    /// A course with the actor's progress. Drafts are 404 to all but their officers.
    pub async fn course_progress(
        &self,
        actor: &Actor,
        course: CourseId,
    ) -> DomainResult<CourseProgress> {
        let outline = self.course_outline(actor, course).await?;
        let may_manage = self.may_manage_course(actor, &outline.course).await?;
        let store = self.learner_store()?;
        let enrolment = match actor.user_id() {
            Some(me) => store.enrolment_of(course, me).await?,
            None => None,
        };
        let done: HashSet<LessonId> = match &enrolment {
            Some(e) => store
                .progress_of(e.id)
                .await?
                .into_iter()
                .filter(|p| p.done_at.is_some())
                .map(|p| p.lesson_id)
                .collect(),
            None => HashSet::new(),
        };
        let c = &outline.course;
        let states = lesson_states(
            &outline.lessons,
            &outline.unavailable,
            &done,
            c.fields.sequential,
        );
        let (required_done, required_total) =
            required_progress(&outline.lessons, &outline.unavailable, &done);
        let resume = resume_lesson(
            &outline.lessons,
            &states,
            enrolment.as_ref().and_then(|e| e.last_lesson),
        );
        let may_enrol = actor.user_id().is_some()
            && enrolment.is_none()
            && c.fields.open
            && c.status == CourseStatus::Published;
        Ok(CourseProgress {
            outline,
            enrolment,
            states,
            required_done,
            required_total,
            resume,
            may_enrol,
            may_manage,
        })
    }

    /// Enrols the signed-in actor in an open, published course; enrolling twice gives the
    /// same enrolment.
    pub async fn enrol(&self, actor: &Actor, course: CourseId) -> DomainResult<Enrolment> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let c = self.course_outline(actor, course).await?.course;
        let store = self.learner_store()?;
        if let Some(e) = store.enrolment_of(course, me).await? {
            return Ok(e);
        }
        match c.status {
            CourseStatus::Published => {}
            CourseStatus::Withdrawn => return Err(withdrawn_refusal(&c)),
            CourseStatus::Draft => return Err(DomainError::NotFound),
        }
        if !c.fields.open {
            return Err(DomainError::Conflict(
                "รายวิชานี้ไม่เปิดให้ลงทะเบียนเอง ผู้เรียนจะได้รับการลงทะเบียนเป็นรุ่นโดยเจ้าหน้าที่".into(),
            ));
        }
        let user = self.store.get_user(me).await?;
        let unit = user
            .home_unit_id
            .or_else(|| match actor {
                Actor::User(s) => s.grants.first().map(|g| g.1),
                Actor::Anonymous => None,
            })
            .unwrap_or(c.fields.unit_id);
        Ok(store.enrol(course, me, unit, self.clock.now()).await?)
    }

    /// Opens one lesson: who may read it is who may read its course. An enrolled learner
    /// resumes here next time (unless the lesson is locked or the course withdrawn).
    pub async fn open_lesson(&self, actor: &Actor, lesson: LessonId) -> DomainResult<LessonScreen> {
        let l = self.course_store()?.lesson(lesson).await?;
        if l.removed_at.is_some() {
            return Err(DomainError::NotFound);
        }
        let progress = self.course_progress(actor, l.course_id).await?;
        let index = progress.index_of(lesson).ok_or(DomainError::NotFound)?;
        let state = progress.states[index];
        let item = match (&l.fields.body, state) {
            (LessonBody::Item(_), LessonState::Unavailable | LessonState::Locked(_)) => None,
            (LessonBody::Item(id), _) => match self.item_view(actor, *id).await {
                Ok(v) => Some(LessonItem {
                    item: v.item,
                    files: v.files.into_iter().filter(|f| f.current).collect(),
                }),
                Err(DomainError::NotFound | DomainError::Forbidden) => None,
                Err(e) => return Err(e),
            },
            _ => None,
        };
        if let (true, Some(e)) = (
            progress.may_study() && matches!(state, LessonState::Open | LessonState::Done),
            &progress.enrolment,
        ) {
            self.learner_store()?
                .lesson_viewed(e.id, lesson, self.clock.now())
                .await?;
        }
        Ok(LessonScreen {
            progress,
            lesson: l,
            index,
            state,
            item,
        })
    }

    /// The lesson screen for a lesson the actor may now make progress on: enrolled, the
    /// course published, the lesson available and unlocked; Thai refusals otherwise.
    pub(crate) async fn studyable(
        &self,
        actor: &Actor,
        lesson: LessonId,
    ) -> DomainResult<LessonScreen> {
        actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let l = self.course_store()?.lesson(lesson).await?;
        if l.removed_at.is_some() {
            return Err(DomainError::Conflict(
                "บทเรียนนี้ถูกนำออกจากรายวิชาแล้ว — ไม่นับในความก้าวหน้า".into(),
            ));
        }
        let progress = self.course_progress(actor, l.course_id).await?;
        let index = progress.index_of(lesson).ok_or(DomainError::NotFound)?;
        let state = progress.states[index];
        let Some(e) = &progress.enrolment else {
            return Err(DomainError::Conflict("กรุณาลงทะเบียนเรียนรายวิชานี้ก่อน".into()));
        };
        if e.left_at.is_some() {
            return Err(DomainError::Conflict("คุณออกจากรายวิชานี้แล้ว".into()));
        }
        if progress.outline.course.status != CourseStatus::Published {
            return Err(withdrawn_refusal(&progress.outline.course));
        }
        match state {
            LessonState::Unavailable => Err(DomainError::Conflict(
                "องค์ความรู้ของบทเรียนนี้ไม่ได้เผยแพร่แล้ว — บทเรียนนี้จึงไม่นับในความก้าวหน้า".into(),
            )),
            LessonState::Locked(first) => {
                let before = progress
                    .outline
                    .lessons
                    .iter()
                    .find(|x| x.id == first)
                    .map(|x| x.fields.title.clone())
                    .unwrap_or_default();
                Err(DomainError::Conflict(format!(
                    "บทเรียนนี้ยังไม่เปิด — กรุณาเรียน \"{before}\" ให้จบก่อน"
                )))
            }
            LessonState::Open | LessonState::Done => Ok(LessonScreen {
                progress,
                lesson: l,
                index,
                state,
                item: None,
            }),
        }
    }

    /// "ดูจบแล้ว / อ่านจบแล้ว" on an item or text lesson: done once (again is no error);
    /// the time since the lesson was opened counts, up to two hours.
    pub async fn finish_lesson(&self, actor: &Actor, lesson: LessonId) -> DomainResult<Finished> {
        let s = self.studyable(actor, lesson).await?;
        if matches!(s.lesson.fields.body, LessonBody::Quiz { .. }) {
            return Err(DomainError::Conflict(
                "แบบทดสอบจะนับว่าเรียนแล้วเมื่อสอบผ่าน".into(),
            ));
        }
        self.mark_lesson_done(&s, None).await
    }

    /// Marks the lesson done and completes the course when it was the last one needed.
    pub(crate) async fn mark_lesson_done(
        &self,
        s: &LessonScreen,
        score: Option<u8>,
    ) -> DomainResult<Finished> {
        let e = s.progress.enrolment.as_ref().ok_or(DomainError::NotFound)?;
        let now = self.clock.now();
        let seconds = match (e.last_lesson, e.last_at) {
            (Some(l), Some(at)) if l == s.lesson.id && at <= now => {
                ((now - at).whole_seconds().max(0) as u64).min(MAX_VIEW_SECONDS)
            }
            _ => 0,
        };
        let store = self.learner_store()?;
        store
            .mark_done(
                e.id,
                DoneMark {
                    lesson: s.lesson.id,
                    required: s.lesson.fields.required,
                    seconds,
                    score,
                },
                now,
            )
            .await?;
        self.complete_if_done(s.progress.outline.course.id, e.user_id)
            .await
    }

    /// Completion: every available required lesson done → `completed_ms` once (the store's
    /// UPDATE … WHERE completed_ms IS NULL picks one winner), then the one certificate and an
    /// inbox notice.
    async fn complete_if_done(&self, course: CourseId, user: UserId) -> DomainResult<Finished> {
        let store = self.learner_store()?;
        let Some(e) = store.enrolment_of(course, user).await? else {
            return Ok(Finished::default());
        };
        if e.completed_at.is_some() {
            return Ok(Finished::default());
        }
        // The outline as an officer would see it: what counts does not depend on who asks.
        let outline = self
            .course_outline(&Actor::Anonymous, course)
            .await
            .or(Err(DomainError::NotFound))?;
        let done: HashSet<LessonId> = store
            .progress_of(e.id)
            .await?
            .into_iter()
            .filter(|p| p.done_at.is_some())
            .map(|p| p.lesson_id)
            .collect();
        if !is_complete(&outline.lessons, &outline.unavailable, &done) {
            return Ok(Finished::default());
        }
        if !store.complete(e.id, self.clock.now()).await? {
            return Ok(Finished::default());
        }
        let c = &outline.course;
        let holder = self.person_name(user).await?;
        let title = certificate_title(&c.fields.title, c.fields.minutes, e.score);
        let issued = self
            .issue_certificates(
                user,
                vec![crate::certificates::NewCertificate {
                    holder,
                    title,
                    unit_id: c.fields.unit_id,
                    source: format!("course:{}", c.id),
                    holder_user: Some(user),
                }],
            )
            .await?;
        let Some(cert) = issued.first() else {
            return Ok(Finished::default());
        };
        store.set_certificate_code(e.id, &cert.code).await?;
        self.notify(vec![NewNotice {
            user,
            kind: "course_completed".into(),
            title: format!(
                "คุณเรียนจบรายวิชา \"{}\" แล้ว — เกียรติบัตรพร้อมแล้ว",
                c.fields.title
            ),
            link: format!("/c/{}", cert.code),
            once_key: Some(format!("course_completed:{}", e.id)),
        }])
        .await?;
        Ok(Finished {
            certificate: Some(cert.code.clone()),
        })
    }
}
