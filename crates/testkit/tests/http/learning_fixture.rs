#![allow(dead_code)] // not every test file uses every part of the fixture
//! What the learning tests share: a published course of three lessons (a published item, a
//! short text, a 5-question quiz) built through the core as the unit's KM officer.

use khlang_core::ids::{CourseId, ItemId, LessonId};
use khlang_core::item::{ItemInput, Transition};
use khlang_core::learning::model::{
    Choice, CourseFields, LessonBody, LessonFields, QuestionFields, QuestionKind, QuizRules,
};
use khlang_core::org::Actor;
use khlang_testkit::TestApp;

/// The unit that owns the course and its item (a province office).
pub const COURSE_UNIT: &str = "CDD-P-24";

pub struct CourseFixture {
    pub course: CourseId,
    pub item: ItemId,
    /// The item, text and quiz lessons, in order.
    pub lessons: [LessonId; 3],
    pub quiz: LessonId,
    /// The KM officer of [`COURSE_UNIT`] who built it.
    pub officer: Actor,
}

pub async fn actor(app: &TestApp, username: &str, role: &str, unit: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

/// A public item of [`COURSE_UNIT`], submitted by `author` and approved by its reviewer.
pub async fn published_item(app: &TestApp, author: &Actor, title: &str) -> ItemId {
    let id = app
        .core()
        .create_item(
            author,
            &ItemInput {
                title: title.into(),
                summary: "สรุปย่อสำหรับบทเรียน".into(),
                knowledge_type: "explicit".into(),
                visibility: "public".into(),
                unit_id: app.unit_id(COURSE_UNIT).await.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let reviewer = actor(app, &format!("rv{}", id.0), "reviewer", COURSE_UNIT).await;
    app.core()
        .transition(author, id, Transition::Submit, "")
        .await
        .unwrap();
    app.core()
        .transition(&reviewer, id, Transition::Approve, "")
        .await
        .unwrap();
    id
}

/// The quiz's five questions: the first answer is right in each, with feedback.
pub fn five_questions() -> Vec<QuestionFields> {
    let tf = |prompt: &str, truth: bool| QuestionFields {
        kind: QuestionKind::TrueFalse,
        prompt: prompt.into(),
        choices: vec![
            Choice {
                text: "ถูก".into(),
                correct: truth,
                feedback: if truth {
                    "ถูกต้อง"
                } else {
                    "ยังไม่ถูก"
                }
                .into(),
            },
            Choice {
                text: "ผิด".into(),
                correct: !truth,
                feedback: if truth {
                    "ยังไม่ถูก"
                } else {
                    "ถูกต้อง"
                }
                .into(),
            },
        ],
    };
    let single = |prompt: &str, right: &str, wrong: &str| QuestionFields {
        kind: QuestionKind::Single,
        prompt: prompt.into(),
        choices: vec![
            Choice {
                text: right.into(),
                correct: true,
                feedback: "ถูกต้อง".into(),
            },
            Choice {
                text: wrong.into(),
                correct: false,
                feedback: "ลองทบทวนบทเรียนอีกครั้ง".into(),
            },
        ],
    };
    vec![
        tf("อสม. ย่อมาจาก อาสาสมัครสาธารณสุขประจำหมู่บ้าน", true),
        tf("การจัดการความรู้มี ๑๐ ขั้นตอน", false),
        single("ขั้นตอนที่ ๗ ของการจัดการความรู้คือ", "การเรียนรู้", "การจัดเก็บ"),
        single(
            "AAR ย่อมาจาก",
            "After Action Review",
            "Annual Activity Report",
        ),
        single("ผู้อำนวยความสะดวกในวงแลกเปลี่ยนเรียกว่า", "คุณอำนวย", "คุณกิจ"),
    ]
}

/// A published course of [`COURSE_UNIT`]: item, text, then a quiz of five questions (pass
/// mark 80 %, retries allowed), lessons in order; `open`: self-enrolment.
pub async fn three_lesson_course(app: &TestApp, officer_name: &str, open: bool) -> CourseFixture {
    let officer = actor(app, officer_name, "km_officer", COURSE_UNIT).await;
    let item = published_item(app, &officer, "คู่มือการจัดการความรู้สำหรับ อสม.").await;
    let core = app.core();
    let course = core
        .create_course(
            &officer,
            CourseFields {
                curriculum_id: None,
                title: "การจัดการความรู้เบื้องต้นสำหรับ อสม.".into(),
                summary: "เรียนรู้ ๗ ขั้นตอนของการจัดการความรู้".into(),
                unit_id: khlang_core::ids::UnitId(app.unit_id(COURSE_UNIT).await),
                minutes: 90,
                open,
                sequential: true,
                qualifies_trainers: false,
            },
        )
        .await
        .unwrap();
    let lesson = |title: &str, body: LessonBody| LessonFields {
        title: title.into(),
        body,
        required: true,
        minutes: 30,
    };
    let first = core
        .add_lesson(&officer, course, lesson("อ่านคู่มือ", LessonBody::Item(item)))
        .await
        .unwrap();
    let second = core
        .add_lesson(
            &officer,
            course,
            lesson(
                "สรุปสาระสำคัญ",
                LessonBody::Text("ขั้นตอนที่ ๗ คือ **การเรียนรู้**".into()),
            ),
        )
        .await
        .unwrap();
    let quiz = core
        .add_lesson(
            &officer,
            course,
            lesson(
                "แบบทดสอบท้ายบท",
                LessonBody::Quiz {
                    intro: "ตอบให้ถูกอย่างน้อย ๔ ใน ๕ ข้อ".into(),
                    rules: QuizRules {
                        pass_percent: 80,
                        draw: None,
                        retries: true,
                    },
                },
            ),
        )
        .await
        .unwrap();
    for q in five_questions() {
        core.add_question(&officer, quiz, q).await.unwrap();
    }
    core.publish_course(&officer, course).await.unwrap();
    CourseFixture {
        course,
        item,
        lessons: [first, second, quiz],
        quiz,
        officer,
    }
}
