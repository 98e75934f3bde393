//! Learning paths: curricula, courses and their lessons, quiz question banks, enrolments with
//! per-lesson progress and quiz attempts, cohorts; and the account a certificate was issued to.
//! Times are Unix milliseconds; a question's choices and an attempt's draw and answers are JSON
//! text. Nothing a learner did is deleted with a course: courses and lessons are withdrawn or
//! removed by a time stamp, so progress stays.

use crate::schema::{a, big, big_null, flag, id, index, long, text, text_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0023_learning"
    }
}

fn fk(from: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(from), a(col))
        .to(a(to), a("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn int(name: &str) -> ColumnDef {
    ColumnDef::new(a(name))
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}

fn int_null(name: &str) -> ColumnDef {
    ColumnDef::new(a(name)).integer().null().to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // หลักสูตร
        m.create_table(
            Table::create()
                .table(a("curricula"))
                .col(id())
                .col(text("title", 300))
                // volunteers · trainers · km_officers · everyone
                .col(text("audience", 20))
                .col(big("unit_id"))
                .col(long("goals"))
                .col(int("hours"))
                .col(big("created_by"))
                .col(big("created_ms"))
                .col(big("updated_ms"))
                .col(big_null("archived_ms"))
                .foreign_key(&mut fk("curricula", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        index(m, "ix_curricula_unit", "curricula", &["unit_id"], false).await?;

        // รายวิชา
        m.create_table(
            Table::create()
                .table(a("courses"))
                .col(id())
                .col(big_null("curriculum_id"))
                // Order within the curriculum.
                .col(int("position"))
                .col(text("title", 300))
                .col(long("summary"))
                .col(big("unit_id"))
                // Study time printed on the certificate, in minutes.
                .col(int("minutes"))
                // Anyone signed in may enrol themselves.
                .col(flag("open"))
                // Lessons unlock one after another.
                .col(flag("sequential"))
                // Completing it qualifies a trainer (ทำเนียบครูฝึก).
                .col(flag("qualifies_trainers"))
                // draft · published · withdrawn
                .col(text("status", 20))
                .col(big_null("withdrawn_ms"))
                .col(text_null("withdrawn_reason", 500))
                .col(big("created_by"))
                .col(big("created_ms"))
                .col(big("updated_ms"))
                // Where an imported package came from (its `package_id`), for idempotent imports.
                .col(text_null("origin", 100))
                .foreign_key(&mut fk("courses", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_courses_unit",
            "courses",
            &["unit_id", "status"],
            false,
        )
        .await?;
        index(
            m,
            "ix_courses_curriculum",
            "courses",
            &["curriculum_id"],
            false,
        )
        .await?;

        // What changed in a course that its learners should know (a lesson's item was
        // unpublished, the course withdrawn, a lesson removed).
        m.create_table(
            Table::create()
                .table(a("course_changes"))
                .col(id())
                .col(big("course_id"))
                .col(big("at_ms"))
                .col(big_null("by_user"))
                .col(long("what"))
                .foreign_key(&mut fk("course_changes", "course_id", "courses"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_course_changes_course",
            "course_changes",
            &["course_id", "at_ms"],
            false,
        )
        .await?;

        // บทเรียน
        m.create_table(
            Table::create()
                .table(a("course_lessons"))
                .col(id())
                .col(big("course_id"))
                .col(int("position"))
                .col(text("title", 300))
                // item · text · quiz
                .col(text("kind", 10))
                .col(big_null("item_id"))
                // The text lesson's Markdown, or the quiz's introduction.
                .col(long("body"))
                .col(flag("required"))
                .col(int("minutes"))
                // Quiz rules: pass mark in percent, how many questions are drawn from the bank
                // (NULL: all), and whether a failed quiz may be tried again.
                .col(int_null("pass_percent"))
                .col(int_null("draw"))
                .col(flag("retries"))
                .col(big_null("removed_ms"))
                .foreign_key(&mut fk("course_lessons", "course_id", "courses"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_course_lessons_course",
            "course_lessons",
            &["course_id", "position"],
            false,
        )
        .await?;
        index(
            m,
            "ix_course_lessons_item",
            "course_lessons",
            &["item_id"],
            false,
        )
        .await?;

        // คลังข้อสอบ
        m.create_table(
            Table::create()
                .table(a("quiz_questions"))
                .col(id())
                .col(big("lesson_id"))
                .col(int("position"))
                // single · multiple · true_false
                .col(text("kind", 20))
                .col(long("prompt"))
                // JSON: [{"text": …, "correct": bool, "feedback": …}]
                .col(long("choices"))
                .col(big_null("removed_ms"))
                .foreign_key(&mut fk("quiz_questions", "lesson_id", "course_lessons"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_quiz_questions_lesson",
            "quiz_questions",
            &["lesson_id", "position"],
            false,
        )
        .await?;

        // รุ่น
        m.create_table(
            Table::create()
                .table(a("cohorts"))
                .col(id())
                .col(big("course_id"))
                .col(text("name", 300))
                // The unit whose officer enrolled it.
                .col(big("unit_id"))
                // JSON: {"units": [ids], "subtree": bool, "role": "km_officer" | null}
                .col(long("criteria"))
                // Bangkok calendar days as Unix ms of 00:00 +07 (starts) and 23:59:59.999 (ends).
                .col(big("starts_ms"))
                .col(big("ends_ms"))
                .col(int("size"))
                .col(big("created_by"))
                .col(big("created_ms"))
                .foreign_key(&mut fk("cohorts", "course_id", "courses"))
                .to_owned(),
        )
        .await?;
        index(m, "ix_cohorts_course", "cohorts", &["course_id"], false).await?;
        index(m, "ix_cohorts_ends", "cohorts", &["ends_ms"], false).await?;

        // การลงทะเบียนเรียน: one row per learner and course, with counters kept in step with
        // `lesson_progress` in the same transaction so that reports read one row per learner.
        m.create_table(
            Table::create()
                .table(a("enrolments"))
                .col(id())
                .col(big("course_id"))
                .col(big("user_id"))
                .col(big_null("cohort_id"))
                // The learner's unit for reports and the roll-up up the unit tree.
                .col(big("unit_id"))
                .col(big("enrolled_ms"))
                .col(big("enrolled_by"))
                .col(int("lessons_done"))
                .col(int("required_done"))
                .col(big_null("last_lesson_id"))
                .col(big_null("last_ms"))
                .col(big("seconds"))
                // Best passing score of the course's quizzes, in percent (mean over quizzes).
                .col(int_null("score"))
                .col(big_null("completed_ms"))
                .col(text_null("certificate_code", 40))
                .col(big_null("left_ms"))
                .foreign_key(&mut fk("enrolments", "course_id", "courses"))
                .foreign_key(&mut fk("enrolments", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_enrolments_learner",
            "enrolments",
            &["course_id", "user_id"],
            true,
        )
        .await?;
        index(
            m,
            "ix_enrolments_cohort",
            "enrolments",
            &["cohort_id", "completed_ms"],
            false,
        )
        .await?;
        index(m, "ix_enrolments_user", "enrolments", &["user_id"], false).await?;

        m.create_table(
            Table::create()
                .table(a("lesson_progress"))
                .col(id())
                .col(big("enrolment_id"))
                .col(big("lesson_id"))
                .col(big("first_ms"))
                .col(big_null("done_ms"))
                .col(big("seconds"))
                // Best quiz score in percent.
                .col(int_null("score"))
                .foreign_key(&mut fk("lesson_progress", "enrolment_id", "enrolments"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_lesson_progress",
            "lesson_progress",
            &["enrolment_id", "lesson_id"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("quiz_attempts"))
                .col(id())
                .col(big("enrolment_id"))
                .col(big("lesson_id"))
                // 1, 2, …: UNIQUE, so two submissions at once make one attempt.
                .col(int("number"))
                // JSON: [{"question": id, "order": [choice indexes as shown]}]
                .col(long("drawn"))
                // JSON: [[chosen choice indexes]] in the drawn order; "[]" until submitted.
                .col(long("answers"))
                .col(int("correct"))
                .col(int("total"))
                .col(int("score"))
                .col(flag("passed"))
                .col(big("started_ms"))
                .col(big_null("submitted_ms"))
                .foreign_key(&mut fk("quiz_attempts", "enrolment_id", "enrolments"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_quiz_attempts",
            "quiz_attempts",
            &["enrolment_id", "lesson_id", "number"],
            true,
        )
        .await?;

        // The account a certificate was issued to, when it has one: a person's certificates
        // on their profile and in the trainer directory.
        m.alter_table(
            Table::alter()
                .table(a("certificates"))
                .add_column(big_null("holder_user_id"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_certificates_holder_user",
            "certificates",
            &["holder_user_id"],
            false,
        )
        .await?;
        Ok(())
    }
}
