//! [`LearnerStore`]: enrolments, lesson progress and quiz attempts. Counters on `enrolments`
//! change in the same transaction as the `lesson_progress` row they count.

use super::corrupt;
use super::courses::to_course;
use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{AttemptId, CohortId, CourseId, EnrolmentId, LessonId, UnitId, UserId};
use khlang_core::learning::LearnerStore;
use khlang_core::learning::learners::ports::{DoneMark, Submission};
use khlang_core::learning::model::{Attempt, Course, Drawn, Enrolment, LessonProgress};
use khlang_core::ports::PortResult;
use sea_orm::{QueryResult, TransactionTrait};
use time::OffsetDateTime;

const ENROLMENT: &str = "id, course_id, user_id, cohort_id, unit_id, enrolled_ms, enrolled_by, \
     lessons_done, required_done, last_lesson_id, last_ms, seconds, score, completed_ms, \
     certificate_code, left_ms";

const ATTEMPT: &str = "id, enrolment_id, lesson_id, number, drawn, answers, correct, total, \
     score, passed, started_ms, submitted_ms";

fn opt_time(r: &QueryResult, col: &str) -> PortResult<Option<OffsetDateTime>> {
    get::<Option<i64>>(r, col)?.map(from_ms).transpose()
}

fn opt_score(r: &QueryResult, col: &str) -> PortResult<Option<u8>> {
    Ok(get::<Option<i32>>(r, col)?.map(|s| s.clamp(0, 100) as u8))
}

fn to_enrolment(r: &QueryResult) -> PortResult<Enrolment> {
    Ok(Enrolment {
        id: EnrolmentId(get(r, "id")?),
        course_id: CourseId(get(r, "course_id")?),
        user_id: UserId(get(r, "user_id")?),
        cohort_id: get::<Option<i64>>(r, "cohort_id")?.map(CohortId),
        unit_id: UnitId(get(r, "unit_id")?),
        enrolled_at: from_ms(get(r, "enrolled_ms")?)?,
        enrolled_by: UserId(get(r, "enrolled_by")?),
        lessons_done: super::count(r, "lessons_done")?,
        required_done: super::count(r, "required_done")?,
        last_lesson: get::<Option<i64>>(r, "last_lesson_id")?.map(LessonId),
        last_at: opt_time(r, "last_ms")?,
        seconds: get::<i64>(r, "seconds")?.max(0) as u64,
        score: opt_score(r, "score")?,
        completed_at: opt_time(r, "completed_ms")?,
        certificate_code: get(r, "certificate_code")?,
        left_at: opt_time(r, "left_ms")?,
    })
}

fn to_attempt(r: &QueryResult) -> PortResult<Attempt> {
    let drawn: String = get(r, "drawn")?;
    let answers: String = get(r, "answers")?;
    Ok(Attempt {
        id: AttemptId(get(r, "id")?),
        enrolment_id: EnrolmentId(get(r, "enrolment_id")?),
        lesson_id: LessonId(get(r, "lesson_id")?),
        number: super::count(r, "number")?,
        drawn: serde_json::from_str(&drawn).map_err(|e| corrupt("attempt draw", e))?,
        answers: serde_json::from_str(&answers).map_err(|e| corrupt("attempt answers", e))?,
        correct: super::count(r, "correct")?,
        total: super::count(r, "total")?,
        score: get::<i32>(r, "score")?.clamp(0, 100) as u8,
        passed: get(r, "passed")?,
        started_at: from_ms(get(r, "started_ms")?)?,
        submitted_at: opt_time(r, "submitted_ms")?,
    })
}

#[async_trait]
impl LearnerStore for SeaStore {
    async fn enrolment_of(&self, course: CourseId, user: UserId) -> PortResult<Option<Enrolment>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {ENROLMENT} FROM enrolments WHERE course_id = ? AND user_id = ?"),
            vec![course.0.into(), user.0.into()],
        )
        .await?;
        found.first().map(to_enrolment).transpose()
    }

    async fn enrol(
        &self,
        course: CourseId,
        user: UserId,
        unit: UnitId,
        at: OffsetDateTime,
    ) -> PortResult<Enrolment> {
        // Twice at once: the unique (course, user) index keeps one row, and both get it.
        exec(
            self.connection(),
            "INSERT INTO enrolments (course_id, user_id, cohort_id, unit_id, enrolled_ms, \
             enrolled_by, lessons_done, required_done, seconds) \
             VALUES (?, ?, NULL, ?, ?, ?, 0, 0, 0) ON CONFLICT DO NOTHING",
            vec![
                course.0.into(),
                user.0.into(),
                unit.0.into(),
                ms(at).into(),
                user.0.into(),
            ],
        )
        .await?;
        self.enrolment_of(course, user)
            .await?
            .ok_or(PortError::NotFound)
    }

    async fn enrolments_of_user(&self, user: UserId) -> PortResult<Vec<(Enrolment, Course)>> {
        let cols: String = ENROLMENT
            .split(',')
            .map(|c| format!("e.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {cols} FROM enrolments e WHERE e.user_id = ? \
                 ORDER BY COALESCE(e.last_ms, e.enrolled_ms) DESC, e.id DESC"
            ),
            vec![user.0.into()],
        )
        .await?;
        let mut out = Vec::with_capacity(found.len());
        for r in &found {
            let e = to_enrolment(r)?;
            let c = rows(
                self.connection(),
                "SELECT id, curriculum_id, position, title, summary, unit_id, minutes, open, \
                 sequential, qualifies_trainers, status, withdrawn_ms, withdrawn_reason, \
                 created_by, created_ms, updated_ms, origin FROM courses WHERE id = ?",
                vec![e.course_id.0.into()],
            )
            .await?;
            let c = c
                .first()
                .map(to_course)
                .transpose()?
                .ok_or(PortError::NotFound)?;
            out.push((e, c));
        }
        Ok(out)
    }

    async fn progress_of(&self, enrolment: EnrolmentId) -> PortResult<Vec<LessonProgress>> {
        let found = rows(
            self.connection(),
            "SELECT lesson_id, first_ms, done_ms, seconds, score FROM lesson_progress \
             WHERE enrolment_id = ? ORDER BY id",
            vec![enrolment.0.into()],
        )
        .await?;
        found
            .iter()
            .map(|r| {
                Ok(LessonProgress {
                    lesson_id: LessonId(get(r, "lesson_id")?),
                    first_at: from_ms(get(r, "first_ms")?)?,
                    done_at: opt_time(r, "done_ms")?,
                    seconds: get::<i64>(r, "seconds")?.max(0) as u64,
                    score: opt_score(r, "score")?,
                })
            })
            .collect()
    }

    async fn lesson_viewed(
        &self,
        enrolment: EnrolmentId,
        lesson: LessonId,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        exec(
            &txn,
            "INSERT INTO lesson_progress (enrolment_id, lesson_id, first_ms, seconds) \
             VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING",
            vec![enrolment.0.into(), lesson.0.into(), ms(at).into()],
        )
        .await?;
        exec(
            &txn,
            "UPDATE enrolments SET last_lesson_id = ?, last_ms = ? WHERE id = ?",
            vec![lesson.0.into(), ms(at).into(), enrolment.0.into()],
        )
        .await?;
        txn.commit().await.map_err(map_err)
    }

    async fn mark_done(
        &self,
        enrolment: EnrolmentId,
        mark: DoneMark,
        at: OffsetDateTime,
    ) -> PortResult<bool> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let seconds = mark.seconds.min(i64::MAX as u64) as i64;
        exec(
            &txn,
            "INSERT INTO lesson_progress (enrolment_id, lesson_id, first_ms, seconds) \
             VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING",
            vec![enrolment.0.into(), mark.lesson.0.into(), ms(at).into()],
        )
        .await?;
        let n = exec(
            &txn,
            "UPDATE lesson_progress SET done_ms = ?, seconds = seconds + ?, score = ? \
             WHERE enrolment_id = ? AND lesson_id = ? AND done_ms IS NULL",
            vec![
                ms(at).into(),
                seconds.into(),
                mark.score.map(i32::from).into(),
                enrolment.0.into(),
                mark.lesson.0.into(),
            ],
        )
        .await?;
        if n == 0 {
            txn.rollback().await.map_err(map_err)?;
            return Ok(false);
        }
        let scores: Vec<u8> = rows(
            &txn,
            "SELECT score FROM lesson_progress WHERE enrolment_id = ? AND score IS NOT NULL",
            vec![enrolment.0.into()],
        )
        .await?
        .iter()
        .map(|r| opt_score(r, "score"))
        .collect::<PortResult<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
        let mean = khlang_core::learning::learners::rules::mean_score(&scores);
        exec(
            &txn,
            "UPDATE enrolments SET lessons_done = lessons_done + 1, \
             required_done = required_done + ?, seconds = seconds + ?, score = ? WHERE id = ?",
            vec![
                i32::from(mark.required).into(),
                seconds.into(),
                mean.map(i32::from).into(),
                enrolment.0.into(),
            ],
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn complete(&self, enrolment: EnrolmentId, at: OffsetDateTime) -> PortResult<bool> {
        let n = exec(
            self.connection(),
            "UPDATE enrolments SET completed_ms = ? WHERE id = ? AND completed_ms IS NULL",
            vec![ms(at).into(), enrolment.0.into()],
        )
        .await?;
        Ok(n == 1)
    }

    async fn set_certificate_code(&self, enrolment: EnrolmentId, code: &str) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE enrolments SET certificate_code = ? WHERE id = ?",
            vec![code.into(), enrolment.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn attempts(&self, enrolment: EnrolmentId, lesson: LessonId) -> PortResult<Vec<Attempt>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {ATTEMPT} FROM quiz_attempts WHERE enrolment_id = ? AND lesson_id = ? \
                 ORDER BY number"
            ),
            vec![enrolment.0.into(), lesson.0.into()],
        )
        .await?;
        found.iter().map(to_attempt).collect()
    }

    async fn attempt(&self, id: AttemptId) -> PortResult<Attempt> {
        let found = rows(
            self.connection(),
            &format!("SELECT {ATTEMPT} FROM quiz_attempts WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        found
            .first()
            .map(to_attempt)
            .transpose()?
            .ok_or(PortError::NotFound)
    }

    async fn insert_attempt(
        &self,
        enrolment: EnrolmentId,
        lesson: LessonId,
        number: u32,
        drawn: &[Drawn],
        at: OffsetDateTime,
    ) -> PortResult<Attempt> {
        let json = serde_json::to_string(drawn).map_err(|e| corrupt("attempt draw", e))?;
        let found = rows(
            self.connection(),
            "INSERT INTO quiz_attempts (enrolment_id, lesson_id, number, drawn, answers, \
             correct, total, score, passed, started_ms) \
             VALUES (?, ?, ?, ?, '[]', 0, ?, 0, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            vec![
                enrolment.0.into(),
                lesson.0.into(),
                (number as i32).into(),
                json.into(),
                (drawn.len() as i32).into(),
                false.into(),
                ms(at).into(),
            ],
        )
        .await?;
        let Some(r) = found.first() else {
            return Err(PortError::Conflict(format!("attempt {number} exists")));
        };
        self.attempt(AttemptId(get(r, "id")?)).await
    }

    async fn submit_attempt(
        &self,
        id: AttemptId,
        s: &Submission,
        at: OffsetDateTime,
    ) -> PortResult<bool> {
        let answers = serde_json::to_string(&s.answers).map_err(|e| corrupt("answers", e))?;
        let n = exec(
            self.connection(),
            "UPDATE quiz_attempts SET answers = ?, correct = ?, total = ?, score = ?, \
             passed = ?, submitted_ms = ? WHERE id = ? AND submitted_ms IS NULL",
            vec![
                answers.into(),
                (s.correct as i32).into(),
                (s.total as i32).into(),
                i32::from(s.score).into(),
                s.passed.into(),
                ms(at).into(),
                id.0.into(),
            ],
        )
        .await?;
        Ok(n == 1)
    }
}
