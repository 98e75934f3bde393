//! The learners room's rules without I/O: which lessons are open, when a course is complete,
//! how a quiz paper is drawn and scored, and what the certificate says.

use crate::ids::LessonId;
use crate::learning::model::{Choice, Drawn, Lesson, Question, QuestionKind};
use rand::Rng;
use rand::seq::SliceRandom;
use std::collections::HashSet;

/// Longest time one lesson view counts for: a phone left open overnight is not study.
pub const MAX_VIEW_SECONDS: u64 = 2 * 60 * 60;

/// Where a lesson stands for one learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LessonState {
    /// เรียนแล้ว
    Done,
    /// Open to study.
    Open,
    /// 🔒 a sequential course's earlier required lesson is not done yet: that lesson.
    Locked(LessonId),
    /// Its knowledge item is no longer published: not counted, not studied.
    Unavailable,
}

impl LessonState {
    pub fn label_th(self) -> &'static str {
        match self {
            LessonState::Done => "เรียนแล้ว",
            LessonState::Open => "ยังไม่ได้เรียน",
            LessonState::Locked(_) => "ยังไม่เปิด",
            LessonState::Unavailable => "ไม่พร้อมใช้งาน",
        }
    }
}

/// Each lesson's state, in the course's order. In a sequential course a lesson waits for
/// every earlier available required lesson; unavailable lessons hold nothing back.
pub fn lesson_states(
    lessons: &[Lesson],
    unavailable: &[LessonId],
    done: &HashSet<LessonId>,
    sequential: bool,
) -> Vec<LessonState> {
    let mut blocker: Option<LessonId> = None;
    lessons
        .iter()
        .map(|l| {
            let state = if unavailable.contains(&l.id) {
                LessonState::Unavailable
            } else if done.contains(&l.id) {
                LessonState::Done
            } else if let (true, Some(b)) = (sequential, blocker) {
                LessonState::Locked(b)
            } else {
                LessonState::Open
            };
            if blocker.is_none()
                && l.fields.required
                && !matches!(state, LessonState::Done | LessonState::Unavailable)
            {
                blocker = Some(l.id);
            }
            state
        })
        .collect()
}

/// The required lessons that count (available ones), and how many of them are done.
pub fn required_progress(
    lessons: &[Lesson],
    unavailable: &[LessonId],
    done: &HashSet<LessonId>,
) -> (u32, u32) {
    let counted: Vec<&Lesson> = lessons
        .iter()
        .filter(|l| l.fields.required && !unavailable.contains(&l.id))
        .collect();
    let finished = counted.iter().filter(|l| done.contains(&l.id)).count();
    (finished as u32, counted.len() as u32)
}

/// Complete when every available required lesson is done (a course of only optional
/// lessons: when at least one lesson is done).
pub fn is_complete(lessons: &[Lesson], unavailable: &[LessonId], done: &HashSet<LessonId>) -> bool {
    let (finished, total) = required_progress(lessons, unavailable, done);
    if total == 0 {
        lessons.iter().any(|l| done.contains(&l.id))
    } else {
        finished == total
    }
}

/// Where "เรียนต่อ" goes: the first open lesson not done, else the last one viewed, else the
/// first available lesson.
pub fn resume_lesson(
    lessons: &[Lesson],
    states: &[LessonState],
    last: Option<LessonId>,
) -> Option<LessonId> {
    lessons
        .iter()
        .zip(states)
        .find(|(_, s)| **s == LessonState::Open)
        .map(|(l, _)| l.id)
        .or(last.filter(|id| lessons.iter().any(|l| l.id == *id)))
        .or_else(|| {
            lessons
                .iter()
                .zip(states)
                .find(|(_, s)| **s != LessonState::Unavailable)
                .map(|(l, _)| l.id)
        })
}

/// A fresh paper: `draw` questions (all when None or more than the bank) in random order,
/// each with its choices shuffled (true/false keeps ถูก before ผิด).
pub fn draw_paper(bank: &[Question], draw: Option<u32>, rng: &mut impl Rng) -> Vec<Drawn> {
    let mut picked: Vec<&Question> = bank.iter().collect();
    picked.shuffle(rng);
    if let Some(n) = draw {
        picked.truncate((n as usize).max(1));
    }
    picked
        .into_iter()
        .map(|q| {
            let mut order: Vec<usize> = (0..q.fields.choices.len()).collect();
            if q.fields.kind != QuestionKind::TrueFalse {
                order.shuffle(rng);
            }
            Drawn {
                question: q.id,
                order,
            }
        })
        .collect()
}

/// Right when exactly the correct choices were chosen (single and true/false: one choice,
/// the right one; multiple: the whole correct set and nothing else).
pub fn is_right(kind: QuestionKind, choices: &[Choice], chosen: &[usize]) -> bool {
    let chosen: HashSet<usize> = chosen
        .iter()
        .copied()
        .filter(|i| *i < choices.len())
        .collect();
    let correct: HashSet<usize> = choices
        .iter()
        .enumerate()
        .filter(|(_, c)| c.correct)
        .map(|(i, _)| i)
        .collect();
    match kind {
        QuestionKind::Single | QuestionKind::TrueFalse => chosen.len() == 1 && chosen == correct,
        QuestionKind::Multiple => !chosen.is_empty() && chosen == correct,
    }
}

/// Percent right, rounded down (4 of 5 is 80, 2 of 3 is 66): a pass is never rounded up.
pub fn percent(correct: u32, total: u32) -> u8 {
    if total == 0 {
        0
    } else {
        (u64::from(correct) * 100 / u64::from(total)).min(100) as u8
    }
}

/// Mean of the quiz scores, rounded to the nearest percent.
pub fn mean_score(scores: &[u8]) -> Option<u8> {
    if scores.is_empty() {
        return None;
    }
    let sum: u32 = scores.iter().map(|s| u32::from(*s)).sum();
    let n = scores.len() as u32;
    Some(((sum + n / 2) / n) as u8)
}

/// "๑ ชั่วโมง ๓๐ นาที", "๔๕ นาที".
pub fn duration_th(minutes: u32) -> String {
    use crate::text::thai_digits;
    let (h, m) = (minutes / 60, minutes % 60);
    let mut parts = Vec::new();
    if h > 0 {
        parts.push(format!("{} ชั่วโมง", thai_digits(&h.to_string())));
    }
    if m > 0 || h == 0 {
        parts.push(format!("{} นาที", thai_digits(&m.to_string())));
    }
    parts.join(" ")
}

/// "ผ่านการเรียนรายวิชา การจัดการความรู้ (๑ ชั่วโมง ๓๐ นาที) คะแนน ๙๐%".
pub fn certificate_title(course: &str, minutes: u32, score: Option<u8>) -> String {
    let mut t = format!("ผ่านการเรียนรายวิชา {course}");
    if minutes > 0 {
        t.push_str(&format!(" ({})", duration_th(minutes)));
    }
    if let Some(s) = score {
        t.push_str(&format!(
            " คะแนน {}%",
            crate::text::thai_digits(&s.to_string())
        ));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CourseId, QuestionId};
    use crate::learning::model::{LessonBody, LessonFields, QuestionFields};

    fn lesson(id: i64, required: bool) -> Lesson {
        Lesson {
            id: LessonId(id),
            course_id: CourseId(1),
            position: id as u32,
            fields: LessonFields {
                title: format!("บทที่ {id}"),
                body: LessonBody::Text(String::new()),
                required,
                minutes: 10,
            },
            removed_at: None,
        }
    }

    fn choices(correct: &[bool]) -> Vec<Choice> {
        correct
            .iter()
            .map(|c| Choice {
                text: "ก".into(),
                correct: *c,
                feedback: String::new(),
            })
            .collect()
    }

    #[test]
    fn a_sequential_course_locks_after_the_first_unfinished_required_lesson() {
        let ls = [lesson(1, true), lesson(2, false), lesson(3, true)];
        let none = HashSet::new();
        let s = lesson_states(&ls, &[], &none, true);
        assert_eq!(
            s,
            vec![
                LessonState::Open,
                LessonState::Locked(LessonId(1)),
                LessonState::Locked(LessonId(1))
            ]
        );
        let first: HashSet<_> = [LessonId(1)].into();
        let s = lesson_states(&ls, &[], &first, true);
        assert_eq!(s[1], LessonState::Open);
        assert_eq!(
            s[2],
            LessonState::Open,
            "optional lessons hold nothing back"
        );
        let s = lesson_states(&ls, &[], &none, false);
        assert!(s.iter().all(|s| *s == LessonState::Open));
    }

    #[test]
    fn an_unavailable_lesson_neither_locks_nor_counts() {
        let ls = [lesson(1, true), lesson(2, true)];
        let none = HashSet::new();
        let s = lesson_states(&ls, &[LessonId(1)], &none, true);
        assert_eq!(s, vec![LessonState::Unavailable, LessonState::Open]);
        let second: HashSet<_> = [LessonId(2)].into();
        assert_eq!(required_progress(&ls, &[LessonId(1)], &second), (1, 1));
        assert!(is_complete(&ls, &[LessonId(1)], &second));
        assert!(!is_complete(&ls, &[], &second));
    }

    #[test]
    fn resume_goes_to_the_next_open_lesson() {
        let ls = [lesson(1, true), lesson(2, true), lesson(3, true)];
        let done: HashSet<_> = [LessonId(1)].into();
        let s = lesson_states(&ls, &[], &done, true);
        assert_eq!(resume_lesson(&ls, &s, Some(LessonId(1))), Some(LessonId(2)));
        let all: HashSet<_> = ls.iter().map(|l| l.id).collect();
        let s = lesson_states(&ls, &[], &all, true);
        assert_eq!(resume_lesson(&ls, &s, Some(LessonId(3))), Some(LessonId(3)));
    }

    #[test]
    fn scoring_wants_exactly_the_right_choices() {
        use QuestionKind::*;
        let one = choices(&[false, true, false]);
        assert!(is_right(Single, &one, &[1]));
        assert!(!is_right(Single, &one, &[0]));
        assert!(!is_right(Single, &one, &[1, 2]));
        assert!(!is_right(Single, &one, &[]));
        let many = choices(&[true, false, true]);
        assert!(is_right(Multiple, &many, &[2, 0]));
        assert!(!is_right(Multiple, &many, &[0]));
        assert!(!is_right(Multiple, &many, &[0, 1, 2]));
        assert!(!is_right(Multiple, &many, &[9]));
        let tf = choices(&[true, false]);
        assert!(is_right(TrueFalse, &tf, &[0]));
        assert!(!is_right(TrueFalse, &tf, &[1]));
        assert_eq!(percent(4, 5), 80);
        assert_eq!(percent(2, 3), 66);
        assert_eq!(percent(0, 0), 0);
        assert_eq!(mean_score(&[80, 100]), Some(90));
        assert_eq!(mean_score(&[]), None);
    }

    #[test]
    fn a_paper_draws_from_the_bank_without_repeats() {
        let bank: Vec<Question> = (1..=5)
            .map(|i| Question {
                id: QuestionId(i),
                lesson_id: LessonId(1),
                position: i as u32,
                fields: QuestionFields {
                    kind: QuestionKind::Single,
                    prompt: "?".into(),
                    choices: choices(&[true, false, false]),
                },
                removed_at: None,
            })
            .collect();
        let mut rng = rand::thread_rng();
        let p = draw_paper(&bank, Some(3), &mut rng);
        assert_eq!(p.len(), 3);
        let ids: HashSet<_> = p.iter().map(|d| d.question).collect();
        assert_eq!(ids.len(), 3);
        let all = draw_paper(&bank, None, &mut rng);
        assert_eq!(all.len(), 5);
        for d in &all {
            let mut o = d.order.clone();
            o.sort();
            assert_eq!(o, vec![0, 1, 2]);
        }
    }

    #[test]
    fn the_certificate_title_names_hours_and_score_in_thai_digits() {
        assert_eq!(
            certificate_title("การจัดการความรู้", 90, Some(90)),
            "ผ่านการเรียนรายวิชา การจัดการความรู้ (๑ ชั่วโมง ๓๐ นาที) คะแนน ๙๐%"
        );
        assert_eq!(duration_th(45), "๔๕ นาที");
        assert_eq!(duration_th(120), "๒ ชั่วโมง");
    }
}
