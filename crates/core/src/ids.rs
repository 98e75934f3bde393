//! Typed ids, so a unit id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id! {
    /// หน่วยงาน
    UnitId,
    /// ผู้ใช้
    UserId,
    /// A role grant: one role on one unit subtree.
    GrantId,
    /// An API bearer token.
    TokenId,
    /// องค์ความรู้
    ItemId,
    /// A file attached to an item.
    FileId,
    /// A term of a taxonomy (หมวดหมู่).
    TermId,
    /// A taxonomy.
    TaxonomyId,
    /// A person in the person register (ทะเบียนบุคคล), most without an account.
    PersonId,
    /// A form template (แบบฟอร์ม); its versions share the id.
    TemplateId,
    /// การคัดเลือก: one contest of a year (อสม.ดีเด่น ปี 2568), made of rounds.
    ContestId,
    /// รอบการคัดเลือก: one level of a contest (province, zone, region, nation).
    RoundId,
    /// ผลงานที่ส่งเข้าประกวด: one entrant's entry in one round and branch.
    EntryId,
    /// เกียรติบัตร: a certificate with a public verification code.
    CertificateId,
    /// แผนการจัดการความรู้: one unit's KM plan for one fiscal year (Forms 1 and 2).
    PlanId,
    /// เป้าหมาย: one unit's target for one fiscal year (optionally one category).
    TargetId,
    /// การแจ้งเตือน: one message in someone's inbox.
    NoticeId,
    /// One row of the KM network registry (ทะเบียนเครือข่ายนักจัดการความรู้) or the trainer
    /// directory (ทำเนียบครูฝึก).
    MemberId,
    /// ชุมชนนักปฏิบัติ (CoP): people who learn one topic together.
    CommunityId,
    /// กระทู้: a question or a discussion in a community.
    ThreadId,
    /// One post of a thread: its opening or a reply.
    PostId,
    /// กิจกรรม: a co-learning session, CoP forum, KM สัญจร visit or KM Market fair.
    EventId,
    /// One person's registration for an event (with or without an account).
    RegistrationId,
    /// บูธ: one stand at a KM Market fair.
    BoothId,
    /// หลักสูตร: a curriculum for one audience, made of courses.
    CurriculumId,
    /// รายวิชา: an online course of ordered lessons.
    CourseId,
    /// บทเรียน: one screen of a course: a knowledge item, a short text or a quiz.
    LessonId,
    /// ข้อสอบ: one question of a quiz's bank.
    QuestionId,
    /// One learner's go at a quiz.
    AttemptId,
    /// การลงทะเบียนเรียน: one learner in one course.
    EnrolmentId,
    /// รุ่น: learners enrolled together by an officer, with start and end dates.
    CohortId,
}
