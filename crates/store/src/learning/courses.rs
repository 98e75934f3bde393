//! [`CourseStore`]: curricula, courses, lessons and question banks.

use super::{corrupt, count, marks};
use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{CourseId, CurriculumId, ItemId, LessonId, QuestionId, UnitId, UserId};
use khlang_core::learning::CourseStore;
use khlang_core::learning::courses::ports::{CourseChange, CourseEditStore};
use khlang_core::learning::model::{
    Audience, Choice, Course, CourseFields, CourseStatus, Curriculum, CurriculumFields, Lesson,
    LessonBody, LessonFields, Question, QuestionFields, QuestionKind, QuizRules,
};
use khlang_core::ports::PortResult;
use sea_orm::{QueryResult, TransactionTrait, Value};
use time::OffsetDateTime;

const CURRICULUM: &str =
    "id, title, audience, unit_id, goals, hours, created_by, created_ms, updated_ms, archived_ms";

const COURSE: &str = "id, curriculum_id, position, title, summary, unit_id, minutes, open, \
     sequential, qualifies_trainers, status, withdrawn_ms, withdrawn_reason, created_by, \
     created_ms, updated_ms, origin";

const LESSON: &str = "id, course_id, position, title, kind, item_id, body, required, minutes, \
     pass_percent, draw, retries, removed_ms";

const QUESTION: &str = "id, lesson_id, position, kind, prompt, choices, removed_ms";

fn opt_time(r: &QueryResult, col: &str) -> PortResult<Option<OffsetDateTime>> {
    get::<Option<i64>>(r, col)?.map(from_ms).transpose()
}

fn first_id(found: Vec<QueryResult>) -> PortResult<i64> {
    found
        .first()
        .map(|r| get(r, "id"))
        .transpose()?
        .ok_or(PortError::NotFound)
}

pub(crate) fn to_curriculum(r: &QueryResult) -> PortResult<Curriculum> {
    let audience: String = get(r, "audience")?;
    Ok(Curriculum {
        id: CurriculumId(get(r, "id")?),
        fields: CurriculumFields {
            title: get(r, "title")?,
            audience: Audience::parse(&audience).ok_or_else(|| corrupt("audience", &audience))?,
            unit_id: UnitId(get(r, "unit_id")?),
            goals: get(r, "goals")?,
            hours: count(r, "hours")?,
        },
        created_by: UserId(get(r, "created_by")?),
        created_at: from_ms(get(r, "created_ms")?)?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
        archived_at: opt_time(r, "archived_ms")?,
    })
}

pub(crate) fn to_course(r: &QueryResult) -> PortResult<Course> {
    let status: String = get(r, "status")?;
    let withdrawn = match (
        opt_time(r, "withdrawn_ms")?,
        get::<Option<String>>(r, "withdrawn_reason")?,
    ) {
        (Some(at), why) => Some((at, why.unwrap_or_default())),
        _ => None,
    };
    Ok(Course {
        id: CourseId(get(r, "id")?),
        fields: CourseFields {
            curriculum_id: get::<Option<i64>>(r, "curriculum_id")?.map(CurriculumId),
            title: get(r, "title")?,
            summary: get(r, "summary")?,
            unit_id: UnitId(get(r, "unit_id")?),
            minutes: count(r, "minutes")?,
            open: get(r, "open")?,
            sequential: get(r, "sequential")?,
            qualifies_trainers: get(r, "qualifies_trainers")?,
        },
        position: count(r, "position")?,
        status: CourseStatus::parse(&status).ok_or_else(|| corrupt("course status", &status))?,
        withdrawn,
        created_by: UserId(get(r, "created_by")?),
        created_at: from_ms(get(r, "created_ms")?)?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
        origin: get(r, "origin")?,
    })
}

pub(crate) fn to_lesson(r: &QueryResult) -> PortResult<Lesson> {
    let kind: String = get(r, "kind")?;
    let body_text: String = get(r, "body")?;
    let body = match kind.as_str() {
        "item" => LessonBody::Item(ItemId(
            get::<Option<i64>>(r, "item_id")?.ok_or_else(|| corrupt("lesson item", "none"))?,
        )),
        "text" => LessonBody::Text(body_text),
        "quiz" => LessonBody::Quiz {
            intro: body_text,
            rules: QuizRules {
                pass_percent: get::<Option<i32>>(r, "pass_percent")?
                    .unwrap_or(0)
                    .clamp(0, 100) as u8,
                draw: get::<Option<i32>>(r, "draw")?.map(|d| d.max(0) as u32),
                retries: get(r, "retries")?,
            },
        },
        other => return Err(corrupt("lesson kind", other)),
    };
    Ok(Lesson {
        id: LessonId(get(r, "id")?),
        course_id: CourseId(get(r, "course_id")?),
        position: count(r, "position")?,
        fields: LessonFields {
            title: get(r, "title")?,
            body,
            required: get(r, "required")?,
            minutes: count(r, "minutes")?,
        },
        removed_at: opt_time(r, "removed_ms")?,
    })
}

pub(crate) fn to_question(r: &QueryResult) -> PortResult<Question> {
    let kind: String = get(r, "kind")?;
    let choices: String = get(r, "choices")?;
    let choices: Vec<Choice> =
        serde_json::from_str(&choices).map_err(|e| corrupt("question choices", e))?;
    Ok(Question {
        id: QuestionId(get(r, "id")?),
        lesson_id: LessonId(get(r, "lesson_id")?),
        position: count(r, "position")?,
        fields: QuestionFields {
            kind: QuestionKind::parse(&kind).ok_or_else(|| corrupt("question kind", &kind))?,
            prompt: get(r, "prompt")?,
            choices,
        },
        removed_at: opt_time(r, "removed_ms")?,
    })
}

/// The lesson's columns after `course_id, position`: title … retries.
pub(crate) fn lesson_values(f: &LessonFields) -> Vec<Value> {
    let (item, body, pass, draw, retries): (Option<i64>, &str, Option<i32>, Option<i32>, bool) =
        match &f.body {
            LessonBody::Item(i) => (Some(i.0), "", None, None, false),
            LessonBody::Text(t) => (None, t.as_str(), None, None, false),
            LessonBody::Quiz { intro, rules } => (
                None,
                intro.as_str(),
                Some(i32::from(rules.pass_percent)),
                rules.draw.map(|d| d as i32),
                rules.retries,
            ),
        };
    vec![
        f.title.as_str().into(),
        f.body.kind().into(),
        item.into(),
        body.into(),
        f.required.into(),
        (f.minutes as i32).into(),
        pass.into(),
        draw.into(),
        retries.into(),
    ]
}

#[async_trait]
impl CourseStore for SeaStore {
    async fn insert_curriculum(
        &self,
        f: &CurriculumFields,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<CurriculumId> {
        let found = rows(
            self.connection(),
            &format!(
                "INSERT INTO curricula (title, audience, unit_id, goals, hours, created_by, \
                 created_ms, updated_ms) VALUES ({}) RETURNING id",
                marks(8)
            ),
            vec![
                f.title.as_str().into(),
                f.audience.as_str().into(),
                f.unit_id.0.into(),
                f.goals.as_str().into(),
                (f.hours as i32).into(),
                by.0.into(),
                ms(at).into(),
                ms(at).into(),
            ],
        )
        .await?;
        Ok(CurriculumId(first_id(found)?))
    }

    async fn curriculum(&self, id: CurriculumId) -> PortResult<Curriculum> {
        let found = rows(
            self.connection(),
            &format!("SELECT {CURRICULUM} FROM curricula WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        to_curriculum(found.first().ok_or(PortError::NotFound)?)
    }

    async fn insert_course(
        &self,
        f: &CourseFields,
        origin: Option<&str>,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<CourseId> {
        let found = rows(
            self.connection(),
            &format!(
                "INSERT INTO courses (curriculum_id, position, title, summary, unit_id, minutes, \
                 open, sequential, qualifies_trainers, status, created_by, created_ms, \
                 updated_ms, origin) VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM \
                 courses WHERE curriculum_id = ?), {}) RETURNING id",
                marks(12)
            ),
            vec![
                f.curriculum_id.map(|c| c.0).into(),
                f.curriculum_id.map(|c| c.0).into(),
                f.title.as_str().into(),
                f.summary.as_str().into(),
                f.unit_id.0.into(),
                (f.minutes as i32).into(),
                f.open.into(),
                f.sequential.into(),
                f.qualifies_trainers.into(),
                CourseStatus::Draft.as_str().into(),
                by.0.into(),
                ms(at).into(),
                ms(at).into(),
                origin.map(str::to_string).into(),
            ],
        )
        .await?;
        Ok(CourseId(first_id(found)?))
    }

    async fn course(&self, id: CourseId) -> PortResult<Course> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COURSE} FROM courses WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        to_course(found.first().ok_or(PortError::NotFound)?)
    }

    async fn publish_course(&self, id: CourseId, at: OffsetDateTime) -> PortResult<bool> {
        let n = exec(
            self.connection(),
            "UPDATE courses SET status = 'published', updated_ms = ? \
             WHERE id = ? AND status = 'draft'",
            vec![ms(at).into(), id.0.into()],
        )
        .await?;
        Ok(n > 0)
    }

    async fn insert_lesson(
        &self,
        course: CourseId,
        f: &LessonFields,
        _at: OffsetDateTime,
    ) -> PortResult<LessonId> {
        let mut values: Vec<Value> = vec![course.0.into(), course.0.into()];
        values.extend(lesson_values(f));
        let found = rows(
            self.connection(),
            &format!(
                "INSERT INTO course_lessons (course_id, position, title, kind, item_id, body, \
                 required, minutes, pass_percent, draw, retries) VALUES (?, (SELECT \
                 COALESCE(MAX(position), 0) + 1 FROM course_lessons WHERE course_id = ?), {}) \
                 RETURNING id",
                marks(9)
            ),
            values,
        )
        .await?;
        Ok(LessonId(first_id(found)?))
    }

    async fn lesson(&self, id: LessonId) -> PortResult<Lesson> {
        let found = rows(
            self.connection(),
            &format!("SELECT {LESSON} FROM course_lessons WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        to_lesson(found.first().ok_or(PortError::NotFound)?)
    }

    async fn lessons_of(&self, course: CourseId) -> PortResult<Vec<Lesson>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {LESSON} FROM course_lessons WHERE course_id = ? ORDER BY position, id"
            ),
            vec![course.0.into()],
        )
        .await?;
        found.iter().map(to_lesson).collect()
    }

    async fn insert_question(
        &self,
        lesson: LessonId,
        f: &QuestionFields,
    ) -> PortResult<QuestionId> {
        let choices =
            serde_json::to_string(&f.choices).map_err(|e| corrupt("question choices", e))?;
        let found = rows(
            self.connection(),
            "INSERT INTO quiz_questions (lesson_id, position, kind, prompt, choices) VALUES (?, \
             (SELECT COALESCE(MAX(position), 0) + 1 FROM quiz_questions WHERE lesson_id = ?), \
             ?, ?, ?) RETURNING id",
            vec![
                lesson.0.into(),
                lesson.0.into(),
                f.kind.as_str().into(),
                f.prompt.as_str().into(),
                choices.into(),
            ],
        )
        .await?;
        Ok(QuestionId(first_id(found)?))
    }

    async fn questions_of(&self, lesson: LessonId) -> PortResult<Vec<Question>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {QUESTION} FROM quiz_questions WHERE lesson_id = ? ORDER BY position, id"
            ),
            vec![lesson.0.into()],
        )
        .await?;
        found.iter().map(to_question).collect()
    }
}

fn in_list(n: usize) -> String {
    if n == 0 { "NULL".into() } else { marks(n) }
}

#[async_trait]
impl CourseEditStore for SeaStore {
    async fn all_curricula(&self) -> PortResult<Vec<Curriculum>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {CURRICULUM} FROM curricula ORDER BY id"),
            vec![],
        )
        .await?;
        found.iter().map(to_curriculum).collect()
    }

    async fn courses_with_status(&self, statuses: &[CourseStatus]) -> PortResult<Vec<Course>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COURSE} FROM courses WHERE status IN ({}) \
                 ORDER BY curriculum_id, position, id",
                in_list(statuses.len())
            ),
            statuses.iter().map(|s| s.as_str().into()).collect(),
        )
        .await?;
        found.iter().map(to_course).collect()
    }

    async fn courses_of_units(&self, units: &[UnitId]) -> PortResult<Vec<Course>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COURSE} FROM courses WHERE unit_id IN ({}) ORDER BY updated_ms DESC, id",
                in_list(units.len())
            ),
            units.iter().map(|u| u.0.into()).collect(),
        )
        .await?;
        found.iter().map(to_course).collect()
    }

    async fn course_by_origin(&self, unit: UnitId, origin: &str) -> PortResult<Option<Course>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COURSE} FROM courses WHERE unit_id = ? AND origin = ? ORDER BY id"),
            vec![unit.0.into(), origin.into()],
        )
        .await?;
        found.first().map(to_course).transpose()
    }

    async fn update_curriculum(
        &self,
        id: CurriculumId,
        f: &CurriculumFields,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE curricula SET title = ?, audience = ?, unit_id = ?, goals = ?, hours = ?, \
             updated_ms = ? WHERE id = ?",
            vec![
                f.title.as_str().into(),
                f.audience.as_str().into(),
                f.unit_id.0.into(),
                f.goals.as_str().into(),
                (f.hours as i32).into(),
                ms(at).into(),
                id.0.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn archive_curriculum(&self, id: CurriculumId, at: OffsetDateTime) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE curricula SET archived_ms = ?, updated_ms = ? WHERE id = ? \
             AND archived_ms IS NULL",
            vec![ms(at).into(), ms(at).into(), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn update_course(
        &self,
        id: CourseId,
        f: &CourseFields,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE courses SET curriculum_id = ?, title = ?, summary = ?, unit_id = ?, \
             minutes = ?, open = ?, sequential = ?, qualifies_trainers = ?, updated_ms = ? \
             WHERE id = ?",
            vec![
                f.curriculum_id.map(|c| c.0).into(),
                f.title.as_str().into(),
                f.summary.as_str().into(),
                f.unit_id.0.into(),
                (f.minutes as i32).into(),
                f.open.into(),
                f.sequential.into(),
                f.qualifies_trainers.into(),
                ms(at).into(),
                id.0.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn withdraw_course(
        &self,
        id: CourseId,
        reason: &str,
        at: OffsetDateTime,
    ) -> PortResult<bool> {
        let n = exec(
            self.connection(),
            "UPDATE courses SET status = 'withdrawn', withdrawn_ms = ?, withdrawn_reason = ?, \
             updated_ms = ? WHERE id = ? AND status <> 'withdrawn'",
            vec![ms(at).into(), reason.into(), ms(at).into(), id.0.into()],
        )
        .await?;
        Ok(n > 0)
    }

    async fn insert_change(
        &self,
        course: CourseId,
        by: Option<UserId>,
        what: &str,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        exec(
            self.connection(),
            "INSERT INTO course_changes (course_id, at_ms, by_user, what) VALUES (?, ?, ?, ?)",
            vec![
                course.0.into(),
                ms(at).into(),
                by.map(|u| u.0).into(),
                what.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn changes_of(&self, course: CourseId) -> PortResult<Vec<CourseChange>> {
        let found = rows(
            self.connection(),
            "SELECT at_ms, what FROM course_changes WHERE course_id = ? ORDER BY at_ms DESC, id DESC",
            vec![course.0.into()],
        )
        .await?;
        found
            .iter()
            .map(|r| {
                Ok(CourseChange {
                    at: from_ms(get(r, "at_ms")?)?,
                    what: get(r, "what")?,
                })
            })
            .collect()
    }

    async fn update_lesson(&self, id: LessonId, f: &LessonFields) -> PortResult<()> {
        let mut values = lesson_values(f);
        values.push(id.0.into());
        exec(
            self.connection(),
            "UPDATE course_lessons SET title = ?, kind = ?, item_id = ?, body = ?, required = ?, \
             minutes = ?, pass_percent = ?, draw = ?, retries = ? WHERE id = ?",
            values,
        )
        .await?;
        Ok(())
    }

    async fn remove_lesson(&self, id: LessonId, at: OffsetDateTime) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE course_lessons SET removed_ms = ? WHERE id = ? AND removed_ms IS NULL",
            vec![ms(at).into(), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn swap_lessons(&self, a: LessonId, b: LessonId) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let pos = |r: &QueryResult| get::<i32>(r, "position");
        let pa = rows(
            &txn,
            "SELECT position FROM course_lessons WHERE id = ?",
            vec![a.0.into()],
        )
        .await?;
        let pb = rows(
            &txn,
            "SELECT position FROM course_lessons WHERE id = ?",
            vec![b.0.into()],
        )
        .await?;
        let (pa, pb) = (
            pos(pa.first().ok_or(PortError::NotFound)?)?,
            pos(pb.first().ok_or(PortError::NotFound)?)?,
        );
        for (id, p) in [(a, pb), (b, pa)] {
            exec(
                &txn,
                "UPDATE course_lessons SET position = ? WHERE id = ?",
                vec![p.into(), id.0.into()],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn question(&self, id: QuestionId) -> PortResult<Question> {
        let found = rows(
            self.connection(),
            &format!("SELECT {QUESTION} FROM quiz_questions WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        to_question(found.first().ok_or(PortError::NotFound)?)
    }

    async fn update_question(&self, id: QuestionId, f: &QuestionFields) -> PortResult<()> {
        let choices =
            serde_json::to_string(&f.choices).map_err(|e| corrupt("question choices", e))?;
        exec(
            self.connection(),
            "UPDATE quiz_questions SET kind = ?, prompt = ?, choices = ? WHERE id = ?",
            vec![
                f.kind.as_str().into(),
                f.prompt.as_str().into(),
                choices.into(),
                id.0.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn remove_question(&self, id: QuestionId, at: OffsetDateTime) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE quiz_questions SET removed_ms = ? WHERE id = ? AND removed_ms IS NULL",
            vec![ms(at).into(), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn delete_course(&self, id: CourseId) -> PortResult<()> {
        let c = self.connection();
        exec(
            c,
            "DELETE FROM quiz_questions WHERE lesson_id IN \
             (SELECT id FROM course_lessons WHERE course_id = ?)",
            vec![id.0.into()],
        )
        .await?;
        for sql in [
            "DELETE FROM course_lessons WHERE course_id = ?",
            "DELETE FROM course_changes WHERE course_id = ?",
            "DELETE FROM courses WHERE id = ?",
        ] {
            exec(c, sql, vec![id.0.into()]).await?;
        }
        Ok(())
    }
}
