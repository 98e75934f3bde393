//! The learning context's shared types (no I/O). Each room keeps its own rules beside its
//! service; what is here is what more than one room reads.

use crate::ids::{
    AttemptId, CohortId, CourseId, CurriculumId, EnrolmentId, ItemId, LessonId, QuestionId, UnitId,
    UserId,
};
use crate::org::Role;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who a curriculum is for (กลุ่มเป้าหมาย).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// อสม.
    Volunteers,
    /// ครูฝึก
    Trainers,
    /// นักจัดการความรู้
    KmOfficers,
    /// ทุกคน
    Everyone,
}

impl Audience {
    pub const ALL: [Audience; 4] = [
        Audience::Volunteers,
        Audience::Trainers,
        Audience::KmOfficers,
        Audience::Everyone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Volunteers => "volunteers",
            Audience::Trainers => "trainers",
            Audience::KmOfficers => "km_officers",
            Audience::Everyone => "everyone",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Audience::Volunteers => "อสม.",
            Audience::Trainers => "ครูฝึก",
            Audience::KmOfficers => "นักจัดการความรู้",
            Audience::Everyone => "ทุกคน",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// A curriculum as typed (checked by the courses room).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurriculumFields {
    pub title: String,
    pub audience: Audience,
    pub unit_id: UnitId,
    /// เป้าหมาย/วัตถุประสงค์, Markdown.
    pub goals: String,
    /// จำนวนชั่วโมง
    pub hours: u32,
}

/// หลักสูตร
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Curriculum {
    pub id: CurriculumId,
    pub fields: CurriculumFields,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub archived_at: Option<OffsetDateTime>,
}

/// Where a course stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseStatus {
    /// ฉบับร่าง: its officers build it; nobody else sees it.
    Draft,
    /// เปิดสอน: in the catalogue; learners may enrol (itself or by cohort).
    Published,
    /// ยกเลิก: no new learners; those in it keep their progress and see why.
    Withdrawn,
}

impl CourseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CourseStatus::Draft => "draft",
            CourseStatus::Published => "published",
            CourseStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            CourseStatus::Draft => "ฉบับร่าง",
            CourseStatus::Published => "เปิดสอน",
            CourseStatus::Withdrawn => "ยกเลิกแล้ว",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Published, Self::Withdrawn]
            .into_iter()
            .find(|x| x.as_str() == s.trim())
    }
}

/// A course as typed (checked by the courses room).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseFields {
    pub curriculum_id: Option<CurriculumId>,
    pub title: String,
    /// คำอธิบายรายวิชา, Markdown.
    pub summary: String,
    pub unit_id: UnitId,
    /// Study time printed on the certificate.
    pub minutes: u32,
    /// Anyone signed in may enrol themselves (เปิดให้ลงทะเบียนเอง).
    pub open: bool,
    /// Lessons unlock one after another (เรียนตามลำดับ).
    pub sequential: bool,
    /// Completing it qualifies a trainer (ผ่านแล้วขึ้นทำเนียบครูฝึก).
    pub qualifies_trainers: bool,
}

/// รายวิชา
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
    pub id: CourseId,
    pub fields: CourseFields,
    /// Order within its curriculum.
    pub position: u32,
    pub status: CourseStatus,
    /// When and why it was withdrawn.
    pub withdrawn: Option<(OffsetDateTime, String)>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// The package id it was imported from.
    pub origin: Option<String>,
}

/// A quiz's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuizRules {
    /// เกณฑ์ผ่าน, percent of the questions drawn.
    pub pass_percent: u8,
    /// How many questions are drawn from the bank at random; None: every question.
    pub draw: Option<u32>,
    /// A failed quiz may be tried again (สอบใหม่ได้).
    pub retries: bool,
}

/// What a lesson shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LessonBody {
    /// A published knowledge item (document, video, infographic).
    Item(ItemId),
    /// A short text in Markdown.
    Text(String),
    /// A quiz, with an introduction in Markdown.
    Quiz { intro: String, rules: QuizRules },
}

impl LessonBody {
    pub fn kind(&self) -> &'static str {
        match self {
            LessonBody::Item(_) => "item",
            LessonBody::Text(_) => "text",
            LessonBody::Quiz { .. } => "quiz",
        }
    }

    pub fn kind_th(&self) -> &'static str {
        match self {
            LessonBody::Item(_) => "องค์ความรู้",
            LessonBody::Text(_) => "เนื้อหา",
            LessonBody::Quiz { .. } => "แบบทดสอบ",
        }
    }
}

/// A lesson as typed (checked by the courses room).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonFields {
    pub title: String,
    pub body: LessonBody,
    /// บทเรียนบังคับ; optional lessons do not hold back completion.
    pub required: bool,
    /// Estimated study time.
    pub minutes: u32,
}

/// บทเรียน
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lesson {
    pub id: LessonId,
    pub course_id: CourseId,
    /// 1, 2, … in the course's order.
    pub position: u32,
    pub fields: LessonFields,
    /// Taken out of the course: kept for the progress already made on it.
    pub removed_at: Option<OffsetDateTime>,
}

/// The kind of a quiz question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionKind {
    /// ปรนัยเลือกคำตอบเดียว
    Single,
    /// เลือกได้หลายคำตอบ: right when exactly the correct choices are chosen.
    Multiple,
    /// ถูก/ผิด: two choices, ถูก and ผิด.
    TrueFalse,
}

impl QuestionKind {
    pub const ALL: [QuestionKind; 3] = [Self::Single, Self::Multiple, Self::TrueFalse];

    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::TrueFalse => "true_false",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            QuestionKind::Single => "เลือกคำตอบเดียว",
            QuestionKind::Multiple => "เลือกได้หลายคำตอบ",
            QuestionKind::TrueFalse => "ถูก/ผิด",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// One choice of a question, with the Thai feedback shown after it is chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub text: String,
    pub correct: bool,
    #[serde(default)]
    pub feedback: String,
}

/// A question as typed (checked by the courses room).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionFields {
    pub kind: QuestionKind,
    pub prompt: String,
    pub choices: Vec<Choice>,
}

/// ข้อสอบ in a quiz's bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: QuestionId,
    pub lesson_id: LessonId,
    pub position: u32,
    pub fields: QuestionFields,
    pub removed_at: Option<OffsetDateTime>,
}

/// One learner in one course, with counters kept in step with their lesson progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub id: EnrolmentId,
    pub course_id: CourseId,
    pub user_id: UserId,
    pub cohort_id: Option<CohortId>,
    /// The learner's unit in reports.
    pub unit_id: UnitId,
    pub enrolled_at: OffsetDateTime,
    pub enrolled_by: UserId,
    pub lessons_done: u32,
    pub required_done: u32,
    /// Where to resume.
    pub last_lesson: Option<LessonId>,
    pub last_at: Option<OffsetDateTime>,
    /// Time spent on lessons, as far as pages can tell.
    pub seconds: u64,
    /// Mean of the best quiz scores, percent.
    pub score: Option<u8>,
    pub completed_at: Option<OffsetDateTime>,
    pub certificate_code: Option<String>,
    /// Left the course (their progress stays).
    pub left_at: Option<OffsetDateTime>,
}

/// One learner's progress on one lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonProgress {
    pub lesson_id: LessonId,
    pub first_at: OffsetDateTime,
    pub done_at: Option<OffsetDateTime>,
    pub seconds: u64,
    /// Best quiz score, percent.
    pub score: Option<u8>,
}

/// One question as a learner was shown it: which question, and its choices' order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drawn {
    pub question: QuestionId,
    /// Indexes into the question's choices, in the order shown.
    pub order: Vec<usize>,
}

/// One go at a quiz.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: AttemptId,
    pub enrolment_id: EnrolmentId,
    pub lesson_id: LessonId,
    /// 1, 2, …
    pub number: u32,
    pub drawn: Vec<Drawn>,
    /// Chosen choice indexes (into the question's choices) per drawn question; empty until
    /// submitted.
    pub answers: Vec<Vec<usize>>,
    pub correct: u32,
    pub total: u32,
    /// Percent.
    pub score: u8,
    pub passed: bool,
    pub started_at: OffsetDateTime,
    pub submitted_at: Option<OffsetDateTime>,
}

/// Who a cohort enrols: people holding `role` (any role when None) on one of `units` (and,
/// with `subtree`, on a unit below one of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortCriteria {
    pub units: Vec<UnitId>,
    pub subtree: bool,
    #[serde(with = "role_key")]
    pub role: Option<Role>,
}

mod role_key {
    use crate::org::Role;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(r: &Option<Role>, s: S) -> Result<S::Ok, S::Error> {
        match r {
            Some(r) => s.serialize_some(r.as_str()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Role>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        Ok(s.and_then(|s| Role::ALL.into_iter().find(|r| r.as_str() == s)))
    }
}

/// A cohort as typed (checked by the cohorts room).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CohortFields {
    pub course_id: CourseId,
    pub name: String,
    /// The enrolling officer's unit.
    pub unit_id: UnitId,
    pub criteria: CohortCriteria,
    /// First and last day, Bangkok calendar.
    pub starts_on: time::Date,
    pub ends_on: time::Date,
}

/// รุ่น
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    pub id: CohortId,
    pub fields: CohortFields,
    /// How many were enrolled.
    pub size: u32,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
}

impl Cohort {
    /// After its last day (Bangkok): quizzes are closed to its learners.
    pub fn is_closed(&self, now: OffsetDateTime) -> bool {
        now.to_offset(crate::text::BANGKOK).date() > self.fields.ends_on
    }
}
