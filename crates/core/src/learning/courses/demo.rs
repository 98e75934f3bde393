//! The demo course (`reference/demo_course.toml`): seed 003's online KM training as a published
//! course over the demo items, so `khlang demo` opens a living /learn too. Loaded once: the
//! course keeps its `origin`, and a second run finds it.

use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::learning::model::{
    Choice, CourseFields, LessonBody, LessonFields, QuestionFields, QuestionKind, QuizRules,
};
use crate::service::Khlang;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCourse {
    origin: String,
    unit: String,
    title: String,
    summary: String,
    minutes: u32,
    open: bool,
    sequential: bool,
    lesson: Vec<DemoLesson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoLesson {
    title: String,
    minutes: u32,
    /// A demo item's key.
    item: Option<String>,
    text: Option<String>,
    /// The quiz's introduction.
    quiz: Option<String>,
    pass_percent: Option<u8>,
    #[serde(default)]
    retries: bool,
    #[serde(default)]
    question: Vec<DemoQuestion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoQuestion {
    kind: String,
    prompt: String,
    /// [text, correct, feedback]
    choices: Vec<(String, bool, String)>,
}

/// The demo items' keys and titles.
#[derive(Deserialize)]
struct ItemKeys {
    item: Vec<ItemKey>,
}

#[derive(Deserialize)]
struct ItemKey {
    key: String,
    title: String,
}

impl Khlang {
    /// Builds and publishes the demo course as `by` (a site administrator), unless it is there
    /// already; false when nothing was added.
    pub async fn load_demo_course(&self, by: UserId) -> DomainResult<bool> {
        let demo: DemoCourse = toml::from_str(include_str!("../../reference/demo_course.toml"))
            .map_err(DomainError::internal)?;
        let keys: ItemKeys = toml::from_str(include_str!("../../reference/demo_items.toml"))
            .map_err(DomainError::internal)?;
        let bad = |what: &str| DomainError::internal(format!("demo course: {what}"));
        let unit = self
            .unit_tree()
            .await?
            .units()
            .iter()
            .find(|u| u.code.as_str() == demo.unit)
            .map(|u| u.id)
            .ok_or_else(|| bad("unknown unit"))?;
        let store = self.course_store()?;
        if store.course_by_origin(unit, &demo.origin).await?.is_some() {
            return Ok(false);
        }
        let user = self.store.get_user(by).await?;
        let actor = self.actor_for(&user).await?;
        self.check_course_officer(&actor, unit).await?;
        let titles: HashMap<String, String> =
            keys.item.into_iter().map(|i| (i.key, i.title)).collect();
        let published = self.published_titles().await?;
        let fields = CourseFields {
            curriculum_id: None,
            title: demo.title,
            summary: demo.summary.trim().to_string(),
            unit_id: unit,
            minutes: demo.minutes,
            open: demo.open,
            sequential: demo.sequential,
            qualifies_trainers: false,
        };
        let course = store
            .insert_course(&fields, Some(&demo.origin), by, self.clock.now())
            .await?;
        for l in demo.lesson {
            let body = match (&l.item, &l.text, &l.quiz) {
                (Some(key), None, None) => {
                    let title = titles.get(key).ok_or_else(|| bad("unknown item key"))?;
                    let id = published
                        .get(title.trim())
                        .ok_or_else(|| bad("demo item not published"))?;
                    LessonBody::Item(*id)
                }
                (None, Some(text), None) => LessonBody::Text(text.trim().to_string()),
                (None, None, Some(intro)) => LessonBody::Quiz {
                    intro: intro.clone(),
                    rules: QuizRules {
                        pass_percent: l.pass_percent.unwrap_or(80),
                        draw: None,
                        retries: l.retries,
                    },
                },
                _ => return Err(bad("a lesson is one of item, text or quiz")),
            };
            let lesson = self
                .add_lesson(
                    &actor,
                    course,
                    LessonFields {
                        title: l.title,
                        body,
                        required: true,
                        minutes: l.minutes,
                    },
                )
                .await?;
            for q in l.question {
                let fields = QuestionFields {
                    kind: QuestionKind::parse(&q.kind).ok_or_else(|| bad("question kind"))?,
                    prompt: q.prompt,
                    choices: q
                        .choices
                        .into_iter()
                        .map(|(text, correct, feedback)| Choice {
                            text,
                            correct,
                            feedback,
                        })
                        .collect(),
                };
                self.add_question(&actor, lesson, fields).await?;
            }
        }
        self.publish_course(&actor, course).await?;
        Ok(true)
    }
}
