//! Quizzes: an attempt draws a paper at random from the bank and keeps it (a reload shows the
//! same paper); handing it in scores it once; a pass marks the lesson done with its score.

use super::ports::Submission;
use super::rules::{draw_paper, is_right, percent};
use super::service::{Finished, LessonScreen};
use crate::error::{DomainError, DomainResult};
use crate::ids::{AttemptId, LessonId, QuestionId};
use crate::learning::model::{
    Attempt, Choice, Enrolment, LessonBody, Question, QuestionKind, QuizRules,
};
use crate::org::Actor;
use crate::service::Khlang;
use std::collections::HashMap;

/// One question as it stands on a learner's paper.
#[derive(Debug, Clone)]
pub struct PaperQuestion {
    pub number: usize,
    pub question: QuestionId,
    pub kind: QuestionKind,
    pub prompt: String,
    /// (index into the question's choices, the choice) in the order shown.
    pub choices: Vec<(usize, Choice)>,
    /// What the learner chose (after hand-in).
    pub chosen: Vec<usize>,
    pub right: bool,
}

/// An attempt with its questions, for the paper and the result.
#[derive(Debug, Clone)]
pub struct Paper {
    pub attempt: Attempt,
    pub questions: Vec<PaperQuestion>,
}

/// A quiz lesson's state for one learner.
#[derive(Debug, Clone)]
pub struct QuizState {
    pub rules: QuizRules,
    pub intro: String,
    pub bank_size: usize,
    /// Every attempt, oldest first.
    pub attempts: Vec<Attempt>,
    /// The attempt being answered.
    pub open: Option<Paper>,
    /// The last attempt handed in, with feedback.
    pub last: Option<Paper>,
    pub passed: bool,
    /// A new attempt may start now.
    pub may_start: bool,
}

fn rules_of(s: &LessonScreen) -> DomainResult<(QuizRules, String)> {
    match &s.lesson.fields.body {
        LessonBody::Quiz { intro, rules } => Ok((*rules, intro.clone())),
        _ => Err(DomainError::Conflict("บทเรียนนี้ไม่ใช่แบบทดสอบ".into())),
    }
}

fn paper(attempt: Attempt, bank: &HashMap<QuestionId, Question>) -> Paper {
    let questions = attempt
        .drawn
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let q = bank.get(&d.question)?;
            let chosen = attempt.answers.get(i).cloned().unwrap_or_default();
            Some(PaperQuestion {
                number: i + 1,
                question: q.id,
                kind: q.fields.kind,
                prompt: q.fields.prompt.clone(),
                choices: d
                    .order
                    .iter()
                    .filter_map(|&k| q.fields.choices.get(k).map(|c| (k, c.clone())))
                    .collect(),
                right: attempt.submitted_at.is_some()
                    && is_right(q.fields.kind, &q.fields.choices, &chosen),
                chosen,
            })
        })
        .collect();
    Paper { attempt, questions }
}

impl Khlang {
    /// Every question a quiz ever had (removed ones too: old papers still show them).
    async fn whole_bank(&self, lesson: LessonId) -> DomainResult<HashMap<QuestionId, Question>> {
        Ok(self
            .course_store()?
            .questions_of(lesson)
            .await?
            .into_iter()
            .map(|q| (q.id, q))
            .collect())
    }

    /// The quiz as the learner sees it on the lesson screen.
    pub async fn quiz_state(&self, s: &LessonScreen) -> DomainResult<QuizState> {
        let (rules, intro) = rules_of(s)?;
        let bank = self.whole_bank(s.lesson.id).await?;
        let bank_size = bank.values().filter(|q| q.removed_at.is_none()).count();
        let attempts = match &s.progress.enrolment {
            Some(e) => self.learner_store()?.attempts(e.id, s.lesson.id).await?,
            None => Vec::new(),
        };
        let passed = attempts.iter().any(|a| a.passed);
        let open = attempts
            .iter()
            .find(|a| a.submitted_at.is_none())
            .cloned()
            .map(|a| paper(a, &bank));
        let last = attempts
            .iter()
            .rev()
            .find(|a| a.submitted_at.is_some())
            .cloned()
            .map(|a| paper(a, &bank));
        let may_start = s.progress.may_study()
            && open.is_none()
            && !passed
            && bank_size > 0
            && (attempts.is_empty() || rules.retries);
        Ok(QuizState {
            rules,
            intro,
            bank_size,
            attempts,
            open,
            last,
            passed,
            may_start,
        })
    }

    /// Quizzes of a cohort closed after its last day take no more answers.
    async fn check_cohort_open(&self, e: &Enrolment) -> DomainResult<()> {
        if let Some(cohort) = e.cohort_id {
            let c = self.cohort_of(cohort).await?;
            if c.is_closed(self.clock.now()) {
                return Err(cohort_closed(c.fields.ends_on));
            }
        }
        Ok(())
    }

    /// Starts an attempt: a paper drawn at random and kept. An attempt still open is returned
    /// as it is; after a pass, or after a fail when retries are not allowed: a Thai refusal.
    pub async fn start_attempt(&self, actor: &Actor, lesson: LessonId) -> DomainResult<Attempt> {
        let s = self.studyable(actor, lesson).await?;
        let (rules, _) = rules_of(&s)?;
        let e = s.progress.enrolment.as_ref().ok_or(DomainError::NotFound)?;
        self.check_cohort_open(e).await?;
        let store = self.learner_store()?;
        let attempts = store.attempts(e.id, lesson).await?;
        if let Some(open) = attempts.iter().find(|a| a.submitted_at.is_none()) {
            return Ok(open.clone());
        }
        if attempts.iter().any(|a| a.passed) {
            return Err(DomainError::Conflict("คุณสอบผ่านแบบทดสอบนี้แล้ว".into()));
        }
        if !attempts.is_empty() && !rules.retries {
            return Err(no_retries());
        }
        let bank = self.quiz_bank(lesson).await?;
        if bank.is_empty() {
            return Err(DomainError::Conflict("แบบทดสอบนี้ยังไม่มีข้อสอบ".into()));
        }
        let drawn = draw_paper(&bank, rules.draw, &mut rand::thread_rng());
        let number = attempts.iter().map(|a| a.number).max().unwrap_or(0) + 1;
        match store
            .insert_attempt(e.id, lesson, number, &drawn, self.clock.now())
            .await
        {
            Ok(a) => Ok(a),
            // Started twice at once: the other start's paper is the one.
            Err(crate::error::PortError::Conflict(_)) => store
                .attempts(e.id, lesson)
                .await?
                .into_iter()
                .find(|a| a.number == number)
                .ok_or(DomainError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Hands in an attempt: `answers` maps a drawn question's position (0-based) to the
    /// chosen choice indexes (into the question's choices). Scored once; a second hand-in of
    /// the same attempt changes nothing and shows the first result.
    pub async fn submit_attempt(
        &self,
        actor: &Actor,
        lesson: LessonId,
        attempt: AttemptId,
        answers: &HashMap<usize, Vec<usize>>,
    ) -> DomainResult<(Paper, Finished)> {
        let s = self.studyable(actor, lesson).await?;
        let (rules, _) = rules_of(&s)?;
        let e = s.progress.enrolment.as_ref().ok_or(DomainError::NotFound)?;
        let store = self.learner_store()?;
        let a = store.attempt(attempt).await?;
        if a.enrolment_id != e.id || a.lesson_id != lesson {
            return Err(DomainError::NotFound);
        }
        let bank = self.whole_bank(lesson).await?;
        if a.submitted_at.is_some() {
            return Ok((paper(a, &bank), Finished::default()));
        }
        self.check_cohort_open(e).await?;
        let mut chosen = Vec::with_capacity(a.drawn.len());
        let mut correct = 0;
        for (i, d) in a.drawn.iter().enumerate() {
            let mine = answers.get(&i).cloned().unwrap_or_default();
            if let Some(q) = bank.get(&d.question)
                && is_right(q.fields.kind, &q.fields.choices, &mine)
            {
                correct += 1;
            }
            chosen.push(mine);
        }
        let total = a.drawn.len() as u32;
        let score = percent(correct, total);
        let passed = score >= rules.pass_percent;
        let sub = Submission {
            answers: chosen,
            correct,
            total,
            score,
            passed,
        };
        let won = store.submit_attempt(a.id, &sub, self.clock.now()).await?;
        let a = store.attempt(attempt).await?;
        let finished = if won && passed {
            self.mark_lesson_done(&s, Some(score)).await?
        } else {
            Finished::default()
        };
        Ok((paper(a, &bank), finished))
    }
}

/// "รุ่นนี้ปิดแล้วเมื่อ …" with the cohort's last day.
pub fn cohort_closed(ends_on: time::Date) -> DomainError {
    let end = time::PrimitiveDateTime::new(ends_on, time::Time::MIDNIGHT)
        .assume_offset(crate::text::BANGKOK);
    DomainError::Conflict(format!(
        "รุ่นนี้ปิดแล้วเมื่อ {} — ส่งคำตอบไม่ได้ ความก้าวหน้าเดิมยังอยู่ครบ",
        crate::text::format_be_date_long(end)
    ))
}

fn no_retries() -> DomainError {
    DomainError::Conflict("แบบทดสอบนี้สอบได้ครั้งเดียว — คุณสอบไปแล้ว".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CohortId, CourseId, UnitId, UserId};
    use crate::learning::model::{Cohort, CohortCriteria, CohortFields};
    use time::macros::{date, datetime};

    #[test]
    fn a_closed_cohort_refuses_answers_in_thai() {
        let c = Cohort {
            id: CohortId(1),
            fields: CohortFields {
                course_id: CourseId(1),
                name: "รุ่นที่ ๑".into(),
                unit_id: UnitId(1),
                criteria: CohortCriteria {
                    units: vec![],
                    subtree: false,
                    role: None,
                },
                starts_on: date!(2026 - 12 - 01),
                ends_on: date!(2026 - 12 - 03),
            },
            size: 0,
            created_by: UserId(1),
            created_at: datetime!(2026-12-01 0:00 UTC),
        };
        // 23:30 Bangkok on the last day: still open; 00:10 the next day: closed.
        assert!(!c.is_closed(datetime!(2026-12-03 16:30 UTC)));
        assert!(c.is_closed(datetime!(2026-12-03 17:10 UTC)));
        match cohort_closed(c.fields.ends_on) {
            DomainError::Conflict(m) => assert!(m.starts_with("รุ่นนี้ปิดแล้วเมื่อ"), "{m}"),
            e => panic!("{e:?}"),
        }
    }
}
