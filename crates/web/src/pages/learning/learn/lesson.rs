//! One lesson per screen: an item (its files: video, PDF, pictures), a text, or a quiz; big
//! previous/next buttons; "ดูจบแล้ว / อ่านจบแล้ว" and the quiz are plain forms (no JS needed).

use super::{CsrfOnly, layout, lesson_rows, th};
use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath};
use crate::view::{Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::{AttemptId, LessonId};
use khlang_core::learning::learners::quiz::{Paper, QuizState};
use khlang_core::learning::learners::rules::LessonState;
use khlang_core::learning::model::{LessonBody, QuestionKind};
use std::collections::HashMap;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/learn/lessons/{id}", get(lesson_page))
        .route("/learn/lessons/{id}/done", post(finish))
        .route("/learn/lessons/{id}/attempts", post(start))
        .route("/learn/lessons/{id}/attempts/{attempt}", post(submit))
}

struct FileView {
    url: String,
    name: String,
    kind: String,
}

struct ChoiceView {
    index: usize,
    text: String,
    chosen: bool,
    correct: bool,
    feedback: String,
}

struct QuestionView {
    number: String,
    /// The form field: `q{position}`.
    field: String,
    prompt: String,
    multiple: bool,
    kind: &'static str,
    right: bool,
    choices: Vec<ChoiceView>,
}

struct PaperView {
    attempt: i64,
    number: String,
    score: String,
    passed: bool,
    correct: String,
    questions: Vec<QuestionView>,
}

struct QuizView {
    intro_html: String,
    pass: String,
    questions: String,
    retries: bool,
    attempts: String,
    passed: bool,
    may_start: bool,
    open: Option<PaperView>,
    last: Option<PaperView>,
}

#[derive(Template)]
#[template(path = "learning/learn/lesson.html")]
struct LessonPage {
    layout: Layout,
    course_id: i64,
    course_title: String,
    id: i64,
    title: String,
    kind: &'static str,
    position: String,
    percent: u8,
    done_count: String,
    may_study: bool,
    done: bool,
    locked: Option<(i64, String)>,
    unavailable: bool,
    prev: Option<i64>,
    next: Option<i64>,
    item_title: String,
    item_summary: String,
    files: Vec<FileView>,
    has_video: bool,
    text_html: String,
    done_label: &'static str,
    quiz: Option<QuizView>,
    flash: Option<String>,
    completed: Option<String>,
}

fn paper_view(p: &Paper) -> PaperView {
    let a = &p.attempt;
    PaperView {
        attempt: a.id.0,
        number: th(a.number),
        score: th(a.score),
        passed: a.passed,
        correct: format!("{}/{}", th(a.correct), th(a.total)),
        questions: p
            .questions
            .iter()
            .map(|q| QuestionView {
                number: th(q.number),
                field: format!("q{}", q.number - 1),
                prompt: q.prompt.clone(),
                multiple: q.kind == QuestionKind::Multiple,
                kind: q.kind.label_th(),
                right: q.right,
                choices: q
                    .choices
                    .iter()
                    .map(|(i, c)| ChoiceView {
                        index: *i,
                        text: c.text.clone(),
                        chosen: q.chosen.contains(i),
                        correct: c.correct,
                        feedback: c.feedback.clone(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn quiz_view(q: &QuizState) -> QuizView {
    QuizView {
        intro_html: crate::markdown::render(&q.intro),
        pass: th(q.rules.pass_percent),
        questions: th(q
            .rules
            .draw
            .map_or(q.bank_size, |d| (d as usize).min(q.bank_size))),
        retries: q.rules.retries,
        attempts: th(q
            .attempts
            .iter()
            .filter(|a| a.submitted_at.is_some())
            .count()),
        passed: q.passed,
        may_start: q.may_start,
        open: q.open.as_ref().map(paper_view),
        last: q.last.as_ref().map(paper_view),
    }
}

async fn lesson_view(
    state: &AppState,
    v: &Visitor,
    id: LessonId,
    flash: Option<String>,
) -> Result<LessonPage, WebError> {
    let actor = v.actor();
    let s = state.core.open_lesson(&actor, id).await?;
    let p = &s.progress;
    let quiz = match s.lesson.fields.body {
        LessonBody::Quiz { .. } => Some(quiz_view(&state.core.quiz_state(&s).await?)),
        _ => None,
    };
    let locked = match s.state {
        LessonState::Locked(first) => p
            .outline
            .lessons
            .iter()
            .find(|l| l.id == first)
            .map(|l| (l.id.0, l.fields.title.clone())),
        _ => None,
    };
    let files: Vec<FileView> = s
        .item
        .as_ref()
        .map(|i| {
            i.files
                .iter()
                .map(|f| FileView {
                    url: format!("/files/{}", f.id.0),
                    name: f.name.clone(),
                    kind: f.kind.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let rows = lesson_rows(p);
    let done_rows = rows.iter().filter(|r| r.done).count();
    Ok(LessonPage {
        layout: layout(v, s.lesson.fields.title.clone()),
        course_id: p.outline.course.id.0,
        course_title: p.outline.course.fields.title.clone(),
        id: s.lesson.id.0,
        title: s.lesson.fields.title.clone(),
        kind: s.lesson.fields.body.kind_th(),
        position: format!("บทที่ {}/{}", th(s.index + 1), th(p.outline.lessons.len())),
        percent: p.percent(),
        done_count: format!("เรียนแล้ว {} จาก {} บท", th(done_rows), th(rows.len())),
        may_study: p.may_study(),
        done: s.state == LessonState::Done,
        locked,
        unavailable: s.state == LessonState::Unavailable,
        prev: s.prev().map(|l| l.0),
        next: s.next().map(|l| l.0),
        item_title: s
            .item
            .as_ref()
            .map(|i| i.item.fields.title.as_str().to_string())
            .unwrap_or_default(),
        item_summary: s
            .item
            .as_ref()
            .map(|i| i.item.fields.summary.clone())
            .unwrap_or_default(),
        has_video: files.iter().any(|f| f.kind == "video"),
        files,
        text_html: match &s.lesson.fields.body {
            LessonBody::Text(t) => crate::markdown::render(t),
            _ => String::new(),
        },
        done_label: if matches!(s.lesson.fields.body, LessonBody::Text(_)) {
            "อ่านจบแล้ว"
        } else {
            "ดูจบแล้ว"
        },
        quiz,
        flash,
        completed: p
            .enrolment
            .as_ref()
            .and_then(|e| e.certificate_code.clone()),
    })
}

async fn lesson_page(
    State(state): State<AppState>,
    m: Member,
    ThaiPath(id): ThaiPath<i64>,
) -> Result<Response, WebError> {
    let page = lesson_view(&state, &m.0, LessonId(id), None).await?;
    Ok(m.0.finish(render(&page)))
}

/// A refusal shown on the lesson's own screen (409), nothing changed.
async fn refused(
    state: &AppState,
    m: &Member,
    id: LessonId,
    e: DomainError,
) -> Result<Response, WebError> {
    match e {
        DomainError::Conflict(msg) => {
            let page = lesson_view(state, &m.0, id, Some(msg)).await?;
            Ok(m.0.finish_form((StatusCode::CONFLICT, render(&page)).into_response()))
        }
        e => Err(e.into()),
    }
}

/// After a lesson is done: the next lesson, or the course page when the course was just
/// completed (it shows the certificate and its QR).
fn onwards(state_next: Option<LessonId>, course: i64, completed: bool) -> Response {
    if completed {
        return Redirect::to(&format!("/learn/courses/{course}?completed=1")).into_response();
    }
    match state_next {
        Some(n) => Redirect::to(&format!("/learn/lessons/{}", n.0)).into_response(),
        None => Redirect::to(&format!("/learn/courses/{course}")).into_response(),
    }
}

async fn finish(
    State(state): State<AppState>,
    m: Member,
    ThaiPath(id): ThaiPath<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    m.0.check_csrf(&form.csrf)?;
    let lesson = LessonId(id);
    match state.core.finish_lesson(m.actor(), lesson).await {
        Ok(f) => {
            let s = state.core.open_lesson(m.actor(), lesson).await?;
            Ok(onwards(
                s.next(),
                s.progress.outline.course.id.0,
                f.certificate.is_some(),
            ))
        }
        Err(e) => refused(&state, &m, lesson, e).await,
    }
}

async fn start(
    State(state): State<AppState>,
    m: Member,
    ThaiPath(id): ThaiPath<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    m.0.check_csrf(&form.csrf)?;
    match state.core.start_attempt(m.actor(), LessonId(id)).await {
        Ok(_) => Ok(Redirect::to(&format!("/learn/lessons/{id}#paper")).into_response()),
        Err(e) => refused(&state, &m, LessonId(id), e).await,
    }
}

/// The paper's answers: `q{position}` = the chosen choice's index (repeated for multiple).
fn answers(form: &[(String, String)]) -> HashMap<usize, Vec<usize>> {
    let mut out: HashMap<usize, Vec<usize>> = HashMap::new();
    for (k, v) in form {
        let (Some(q), Ok(c)) = (
            k.strip_prefix('q').and_then(|n| n.parse::<usize>().ok()),
            khlang_core::text::arabic_digits(v.trim()).parse::<usize>(),
        ) else {
            continue;
        };
        let chosen = out.entry(q).or_default();
        if !chosen.contains(&c) {
            chosen.push(c);
        }
    }
    out
}

async fn submit(
    State(state): State<AppState>,
    m: Member,
    ThaiPath((id, attempt)): ThaiPath<(i64, i64)>,
    ThaiForm(form): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    m.0.check_csrf(csrf)?;
    let lesson = LessonId(id);
    match state
        .core
        .submit_attempt(m.actor(), lesson, AttemptId(attempt), &answers(&form))
        .await
    {
        Ok((_, f)) if f.certificate.is_some() => {
            let s = state.core.open_lesson(m.actor(), lesson).await?;
            Ok(onwards(None, s.progress.outline.course.id.0, true))
        }
        Ok(_) => Ok(Redirect::to(&format!("/learn/lessons/{id}#result")).into_response()),
        Err(e) => refused(&state, &m, lesson, e).await,
    }
}
