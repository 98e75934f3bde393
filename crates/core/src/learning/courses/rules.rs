//! What an officer types into the course builder's forms, and the checks that turn it into
//! the model's fields: one Thai message per field, so the form can be shown again as typed.

use crate::error::FieldError;
use crate::ids::{CurriculumId, UnitId};
use crate::learning::model::{
    Audience, Choice, CourseFields, CurriculumFields, LessonBody, QuestionFields, QuestionKind,
    QuizRules,
};
use crate::text::{arabic_digits, grapheme_len, tidy};
use serde::{Deserialize, Serialize};

/// Longest title of a curriculum, course or lesson, in graphemes.
pub const TITLE_MAX: usize = 300;
/// Most choices a question may have.
pub const CHOICES_MAX: usize = 6;
/// Longest withdrawal reason, in graphemes.
pub const REASON_MAX: usize = 500;

pub(crate) fn title(field: &'static str, s: &str) -> Result<String, FieldError> {
    let t = tidy(s);
    if t.is_empty() {
        return Err(FieldError::new(field, "กรุณากรอกชื่อ"));
    }
    if grapheme_len(&t) > TITLE_MAX {
        return Err(FieldError::new(
            field,
            format!("ชื่อยาวเกิน {TITLE_MAX} ตัวอักษร"),
        ));
    }
    Ok(t)
}

/// A whole number typed in Thai or Arabic digits; blank is `None`.
pub(crate) fn number(
    field: &'static str,
    s: &str,
    max: u32,
    what: &str,
) -> Result<Option<u32>, FieldError> {
    let t = arabic_digits(s.trim());
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<u32>() {
        Ok(n) if n <= max => Ok(Some(n)),
        _ => Err(FieldError::new(field, format!("{what}ต้องเป็นตัวเลข ๐–{max}"))),
    }
}

fn checked(s: &str) -> bool {
    !s.trim().is_empty()
}

fn id_of(field: &'static str, s: &str) -> Result<Option<i64>, FieldError> {
    let t = arabic_digits(s.trim());
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .map(Some)
        .map_err(|_| FieldError::new(field, "กรุณาเลือกจากรายการ"))
}

fn collect<T>(v: T, errors: Vec<FieldError>) -> Result<T, Vec<FieldError>> {
    if errors.is_empty() {
        Ok(v)
    } else {
        Err(errors)
    }
}

/// The curriculum form as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CurriculumDraft {
    pub title: String,
    pub audience: String,
    pub unit_id: String,
    pub goals: String,
    pub hours: String,
}

impl CurriculumDraft {
    pub fn of(f: &CurriculumFields) -> Self {
        Self {
            title: f.title.clone(),
            audience: f.audience.as_str().into(),
            unit_id: f.unit_id.0.to_string(),
            goals: f.goals.clone(),
            hours: f.hours.to_string(),
        }
    }

    pub fn parse(&self) -> Result<CurriculumFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = title("title", &self.title)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let audience = Audience::parse(&self.audience);
        if audience.is_none() {
            errors.push(FieldError::new("audience", "กรุณาเลือกกลุ่มเป้าหมาย"));
        }
        let unit = id_of("unit_id", &self.unit_id)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if unit.is_none() && !errors.iter().any(|e| e.field == "unit_id") {
            errors.push(FieldError::new("unit_id", "กรุณาเลือกหน่วยงานเจ้าของหลักสูตร"));
        }
        let hours = number("hours", &self.hours, 10_000, "จำนวนชั่วโมง")
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .unwrap_or(0);
        collect(
            CurriculumFields {
                title,
                audience: audience.unwrap_or(Audience::Everyone),
                unit_id: UnitId(unit.unwrap_or(0)),
                goals: self.goals.trim().to_string(),
                hours,
            },
            errors,
        )
    }
}

/// The course form as typed; study time as hours and minutes.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CourseDraft {
    pub curriculum_id: String,
    pub title: String,
    pub summary: String,
    pub unit_id: String,
    pub hours: String,
    pub minutes: String,
    pub open: String,
    pub sequential: String,
    pub qualifies_trainers: String,
}

impl CourseDraft {
    /// A new course's defaults: lessons in order.
    pub fn new_in(unit: Option<UnitId>) -> Self {
        Self {
            unit_id: unit.map(|u| u.0.to_string()).unwrap_or_default(),
            sequential: "on".into(),
            ..Default::default()
        }
    }

    pub fn of(f: &CourseFields) -> Self {
        let on = |b: bool| if b { "on".to_string() } else { String::new() };
        Self {
            curriculum_id: f.curriculum_id.map(|c| c.0.to_string()).unwrap_or_default(),
            title: f.title.clone(),
            summary: f.summary.clone(),
            unit_id: f.unit_id.0.to_string(),
            hours: (f.minutes / 60).to_string(),
            minutes: (f.minutes % 60).to_string(),
            open: on(f.open),
            sequential: on(f.sequential),
            qualifies_trainers: on(f.qualifies_trainers),
        }
    }

    pub fn parse(&self) -> Result<CourseFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = title("title", &self.title)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let unit = id_of("unit_id", &self.unit_id)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if unit.is_none() && !errors.iter().any(|e| e.field == "unit_id") {
            errors.push(FieldError::new("unit_id", "กรุณาเลือกหน่วยงานเจ้าของรายวิชา"));
        }
        let curriculum = id_of("curriculum_id", &self.curriculum_id)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let hours = number("hours", &self.hours, 1_000, "จำนวนชั่วโมง")
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .unwrap_or(0);
        let minutes = number("minutes", &self.minutes, 59, "จำนวนนาที")
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .unwrap_or(0);
        collect(
            CourseFields {
                curriculum_id: curriculum.map(CurriculumId),
                title,
                summary: self.summary.trim().to_string(),
                unit_id: UnitId(unit.unwrap_or(0)),
                minutes: hours * 60 + minutes,
                open: checked(&self.open),
                sequential: checked(&self.sequential),
                qualifies_trainers: checked(&self.qualifies_trainers),
            },
            errors,
        )
    }
}

/// A text or quiz lesson's form as typed (item lessons are added from the picker).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LessonDraft {
    pub title: String,
    /// The text's Markdown, or the quiz's introduction.
    pub body: String,
    pub required: String,
    pub minutes: String,
    pub pass_percent: String,
    /// Blank: every question.
    pub draw: String,
    pub retries: String,
}

impl LessonDraft {
    pub fn new_quiz() -> Self {
        Self {
            required: "on".into(),
            pass_percent: "80".into(),
            retries: "on".into(),
            ..Default::default()
        }
    }

    pub fn of(title: &str, body: &LessonBody, required: bool, minutes: u32) -> Self {
        let on = |b: bool| if b { "on".to_string() } else { String::new() };
        let mut d = Self {
            title: title.into(),
            required: on(required),
            minutes: minutes.to_string(),
            ..Default::default()
        };
        match body {
            LessonBody::Item(_) => {}
            LessonBody::Text(t) => d.body = t.clone(),
            LessonBody::Quiz { intro, rules } => {
                d.body = intro.clone();
                d.pass_percent = rules.pass_percent.to_string();
                d.draw = rules.draw.map(|n| n.to_string()).unwrap_or_default();
                d.retries = on(rules.retries);
            }
        }
        d
    }

    /// Title, required, minutes and the body of `kind` ("text" or "quiz"); an item lesson
    /// keeps `item`.
    pub fn parse(
        &self,
        kind: &str,
        item: Option<crate::ids::ItemId>,
    ) -> Result<(String, LessonBody, bool, u32), Vec<FieldError>> {
        let mut errors = Vec::new();
        let t = title("title", &self.title)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        let minutes = number("minutes", &self.minutes, 10_000, "เวลาเรียน")
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .unwrap_or(0);
        let body = match (kind, item) {
            (_, Some(i)) => LessonBody::Item(i),
            ("text", _) => {
                if self.body.trim().is_empty() {
                    errors.push(FieldError::new("body", "กรุณากรอกเนื้อหา"));
                }
                LessonBody::Text(self.body.trim().to_string())
            }
            _ => {
                let pass = number("pass_percent", &self.pass_percent, 100, "เกณฑ์ผ่าน")
                    .map_err(|e| errors.push(e))
                    .ok()
                    .flatten();
                if pass.is_none() && !errors.iter().any(|e| e.field == "pass_percent") {
                    errors.push(FieldError::new("pass_percent", "กรุณากรอกเกณฑ์ผ่าน (ร้อยละ)"));
                }
                let draw = number("draw", &self.draw, 1_000, "จำนวนข้อที่สุ่ม")
                    .map_err(|e| errors.push(e))
                    .ok()
                    .flatten();
                if draw == Some(0) {
                    errors.push(FieldError::new(
                        "draw",
                        "จำนวนข้อที่สุ่มต้องมากกว่า ๐ (เว้นว่างไว้ถ้าใช้ทุกข้อ)",
                    ));
                }
                LessonBody::Quiz {
                    intro: self.body.trim().to_string(),
                    rules: QuizRules {
                        pass_percent: pass.unwrap_or(0) as u8,
                        draw,
                        retries: checked(&self.retries),
                    },
                }
            }
        };
        collect((t, body, checked(&self.required), minutes), errors)
    }
}

/// One choice row of the question form.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChoiceDraft {
    pub text: String,
    pub correct: String,
    pub feedback: String,
}

/// The question form as typed: up to [`CHOICES_MAX`] choice rows (the web flattens them).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct QuestionDraft {
    pub kind: String,
    pub prompt: String,
    pub choices: Vec<ChoiceDraft>,
}

impl QuestionDraft {
    pub fn of(f: &QuestionFields) -> Self {
        Self {
            kind: f.kind.as_str().into(),
            prompt: f.prompt.clone(),
            choices: f
                .choices
                .iter()
                .map(|c| ChoiceDraft {
                    text: c.text.clone(),
                    correct: if c.correct {
                        "on".into()
                    } else {
                        String::new()
                    },
                    feedback: c.feedback.clone(),
                })
                .collect(),
        }
    }

    /// Choice rows padded to [`CHOICES_MAX`] for the form.
    pub fn padded(mut self) -> Self {
        while self.choices.len() < CHOICES_MAX {
            self.choices.push(ChoiceDraft::default());
        }
        self
    }

    /// A true/false question gets the choices ถูก and ผิด whatever was typed in the rows; the
    /// row marked right (or the first one's mark) says which is true.
    pub fn parse(&self) -> Result<QuestionFields, Vec<FieldError>> {
        check_question(self)
    }
}

fn check_question(d: &QuestionDraft) -> Result<QuestionFields, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = QuestionKind::parse(&d.kind);
    if kind.is_none() {
        errors.push(FieldError::new("kind", "กรุณาเลือกชนิดของข้อสอบ"));
    }
    let prompt = d.prompt.trim().to_string();
    if prompt.is_empty() {
        errors.push(FieldError::new("prompt", "กรุณากรอกคำถาม"));
    }
    let kind = kind.unwrap_or(QuestionKind::Single);
    let choices: Vec<Choice> = if kind == QuestionKind::TrueFalse {
        let truth = d
            .choices
            .iter()
            .position(|c| checked(&c.correct))
            .map(|i| i == 0);
        if truth.is_none() {
            errors.push(FieldError::new("choices", "กรุณาเลือกว่าข้อความนี้ถูกหรือผิด"));
        }
        let truth = truth.unwrap_or(true);
        let fb = |i: usize| {
            d.choices
                .get(i)
                .map(|c| c.feedback.trim().to_string())
                .unwrap_or_default()
        };
        vec![
            Choice {
                text: "ถูก".into(),
                correct: truth,
                feedback: fb(0),
            },
            Choice {
                text: "ผิด".into(),
                correct: !truth,
                feedback: fb(1),
            },
        ]
    } else {
        let typed: Vec<Choice> = d
            .choices
            .iter()
            .filter(|c| !c.text.trim().is_empty())
            .map(|c| Choice {
                text: c.text.trim().to_string(),
                correct: checked(&c.correct),
                feedback: c.feedback.trim().to_string(),
            })
            .collect();
        if d.choices
            .iter()
            .any(|c| c.text.trim().is_empty() && checked(&c.correct))
        {
            errors.push(FieldError::new(
                "choices",
                "ตัวเลือกที่ทำเครื่องหมายว่าถูกต้องมีข้อความ",
            ));
        }
        if typed.len() < 2 {
            errors.push(FieldError::new("choices", "กรุณากรอกตัวเลือกอย่างน้อย ๒ ข้อ"));
        } else if typed.len() > CHOICES_MAX {
            errors.push(FieldError::new("choices", "ตัวเลือกได้ไม่เกิน ๖ ข้อ"));
        }
        let right = typed.iter().filter(|c| c.correct).count();
        if right == 0 {
            errors.push(FieldError::new("correct", "กรุณาเลือกคำตอบที่ถูกอย่างน้อย ๑ ข้อ"));
        } else if kind == QuestionKind::Single && right > 1 {
            errors.push(FieldError::new(
                "correct",
                "ข้อสอบแบบเลือกคำตอบเดียวมีคำตอบที่ถูกได้ข้อเดียว",
            ));
        }
        typed
    };
    collect(
        QuestionFields {
            kind,
            prompt,
            choices,
        },
        errors,
    )
}

/// The withdrawal reason: required, so learners see why.
pub fn withdraw_reason(s: &str) -> Result<String, FieldError> {
    let t = tidy(s);
    if t.is_empty() {
        return Err(FieldError::new("reason", "กรุณาระบุเหตุผลที่ยกเลิกรายวิชา"));
    }
    if grapheme_len(&t) > REASON_MAX {
        return Err(FieldError::new(
            "reason",
            format!("เหตุผลยาวเกิน {REASON_MAX} ตัวอักษร"),
        ));
    }
    Ok(t)
}

/// A quiz whose draw asks for more questions than its bank has.
pub fn draw_too_large(rules: &QuizRules, bank: usize) -> bool {
    rules.draw.is_some_and(|n| n as usize > bank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiz_question_needs_a_right_answer() {
        let d = QuestionDraft {
            kind: "single".into(),
            prompt: "ข้อใดถูก".into(),
            choices: vec![
                ChoiceDraft {
                    text: "ก".into(),
                    ..Default::default()
                },
                ChoiceDraft {
                    text: "ข".into(),
                    ..Default::default()
                },
            ],
        };
        let e = d.parse().unwrap_err();
        assert!(e.iter().any(|e| e.field == "correct"));
    }

    #[test]
    fn true_false_fills_its_choices() {
        let d = QuestionDraft {
            kind: "true_false".into(),
            prompt: "ฟ้าสีฟ้า".into(),
            choices: vec![
                ChoiceDraft::default(),
                ChoiceDraft {
                    correct: "on".into(),
                    ..Default::default()
                },
            ],
        };
        let q = d.parse().unwrap();
        assert_eq!(q.choices[0].text, "ถูก");
        assert!(q.choices[1].correct && !q.choices[0].correct);
    }

    #[test]
    fn course_time_is_hours_and_minutes_in_thai_digits() {
        let d = CourseDraft {
            title: "วิชา".into(),
            unit_id: "3".into(),
            hours: "๑".into(),
            minutes: "30".into(),
            ..Default::default()
        };
        assert_eq!(d.parse().unwrap().minutes, 90);
        let bad = CourseDraft {
            title: " ".into(),
            ..Default::default()
        };
        let e = bad.parse().unwrap_err();
        assert!(e.iter().any(|e| e.field == "title") && e.iter().any(|e| e.field == "unit_id"));
    }
}
