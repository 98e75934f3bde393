//! The course builder's lesson list (`/learn/courses/{id}/edit`), adding and editing lessons,
//! the item picker, and a quiz's question bank. No JavaScript: every button is a small form.

use super::views::{LessonRow, is_draft, lesson_rows, minutes_th};
use super::{CsrfOnly, field_errors, layout, unprocessable};
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::{CourseId, ItemId, LessonId, QuestionId};
use khlang_core::learning::courses::rules::{CHOICES_MAX, ChoiceDraft, LessonDraft, QuestionDraft};
use khlang_core::learning::model::{LessonBody, LessonFields, QuestionKind};
use khlang_core::service::search::SearchRequest;
use serde::Deserialize;
use std::collections::HashMap;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/learn/courses/{id}/edit", get(edit_page))
        .route(
            "/learn/courses/{id}/lessons/new",
            get(new_lesson).post(create_lesson),
        )
        .route(
            "/learn/lessons/{id}/edit",
            get(edit_lesson).post(save_lesson),
        )
        .route("/learn/lessons/{id}/remove", post(remove_lesson))
        .route("/learn/lessons/{id}/up", post(move_up))
        .route("/learn/lessons/{id}/down", post(move_down))
        .route(
            "/learn/lessons/{id}/questions",
            get(questions_page).post(add_question),
        )
        .route(
            "/learn/questions/{id}/edit",
            get(edit_question).post(save_question),
        )
        .route("/learn/questions/{id}/remove", post(remove_question))
}

#[derive(Template)]
#[template(path = "learning/manage/course.html")]
struct WorkbenchPage {
    layout: Layout,
    id: i64,
    title: String,
    status: &'static str,
    status_key: &'static str,
    draft: bool,
    withdrawn: Option<String>,
    minutes: String,
    lessons: Vec<LessonRow>,
    problems: Vec<String>,
    errors: Errors,
    reason: String,
    done: String,
}

#[derive(Deserialize)]
struct Done {
    #[serde(default)]
    done: String,
}

pub(super) async fn workbench(
    state: &AppState,
    member: &Member,
    id: CourseId,
    errors: Errors,
    reason: String,
) -> Result<Response, WebError> {
    page(state, member, id, errors, reason, String::new()).await
}

async fn page(
    state: &AppState,
    member: &Member,
    id: CourseId,
    errors: Errors,
    reason: String,
    done: String,
) -> Result<Response, WebError> {
    let w = state.core.course_workbench(member.actor(), id).await?;
    let c = &w.outline.course;
    let bad = errors.any();
    let r = render(&WorkbenchPage {
        layout: layout(&member.0, c.fields.title.clone()),
        id: id.0,
        title: c.fields.title.clone(),
        status: c.status.label_th(),
        status_key: c.status.as_str(),
        draft: is_draft(c.status),
        withdrawn: c
            .withdrawn
            .as_ref()
            .map(|(at, why)| format!("{} · {why}", khlang_core::text::format_be_date(*at))),
        minutes: minutes_th(c.fields.minutes),
        lessons: lesson_rows(&w),
        problems: w.problems.clone(),
        errors,
        reason,
        done: match done.as_str() {
            "published" => "เปิดสอนรายวิชาแล้ว".into(),
            "withdrawn" => "ยกเลิกรายวิชาแล้ว ผู้เรียนยังเห็นความก้าวหน้าของตนเอง".into(),
            "lesson" => "บันทึกบทเรียนแล้ว".into(),
            "imported" => "นำเข้ารายวิชาจากแพ็กเกจเป็นฉบับร่างแล้ว บทเรียนองค์ความรู้จะพร้อมใช้เมื่อองค์ความรู้ฉบับร่างที่นำเข้าผ่านการกลั่นกรองและเผยแพร่".into(),
            "exists" => "แพ็กเกจนี้เคยนำเข้าหน่วยงานนี้แล้ว ระบบไม่ได้สร้างซ้ำ — นี่คือรายวิชาเดิม".into(),
            _ => String::new(),
        },
    });
    Ok(if bad { unprocessable(r) } else { r })
}

async fn edit_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    page(
        &state,
        &member,
        CourseId(id),
        Errors::default(),
        String::new(),
        q.done,
    )
    .await
}

#[derive(Template)]
#[template(path = "learning/manage/lesson_form.html")]
struct LessonFormPage {
    layout: Layout,
    course: i64,
    course_title: String,
    /// None: a new lesson.
    id: Option<i64>,
    kind: String,
    kind_th: &'static str,
    form: LessonDraft,
    errors: Errors,
    q: String,
    searched: bool,
    hits: Vec<(i64, String, String)>,
}

#[derive(Deserialize, Default)]
struct NewLessonQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    q: String,
}

fn kind_th(kind: &str) -> &'static str {
    match kind {
        "item" => "องค์ความรู้",
        "quiz" => "แบบทดสอบ",
        _ => "เนื้อหา",
    }
}

#[allow(clippy::too_many_arguments)]
async fn lesson_form(
    state: &AppState,
    member: &Member,
    course: CourseId,
    id: Option<i64>,
    kind: &str,
    form: LessonDraft,
    errors: Errors,
    q: &str,
) -> Result<Response, WebError> {
    let w = state.core.course_workbench(member.actor(), course).await?;
    let kind = match kind {
        "item" | "quiz" => kind,
        _ => "text",
    };
    let q = q.trim();
    let mut hits = Vec::new();
    if kind == "item" && !q.is_empty() {
        let found = state
            .core
            .search(
                member.actor(),
                &SearchRequest {
                    q: q.to_string(),
                    page: 1,
                    per_page: 20,
                    filters: Default::default(),
                },
            )
            .await?;
        hits = found
            .hits
            .iter()
            .map(|h| {
                (
                    h.id.0,
                    h.title.clone(),
                    khlang_core::text::format_be_date(h.published_at),
                )
            })
            .collect();
    }
    let bad = errors.any();
    let r = render(&LessonFormPage {
        layout: layout(&member.0, "บทเรียน"),
        course: course.0,
        course_title: w.outline.course.fields.title.clone(),
        id,
        kind: kind.to_string(),
        kind_th: kind_th(kind),
        form,
        errors,
        q: q.to_string(),
        searched: !q.is_empty(),
        hits,
    });
    Ok(if bad { unprocessable(r) } else { r })
}

async fn new_lesson(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<NewLessonQuery>,
) -> Result<Response, WebError> {
    let form = if q.kind == "quiz" {
        LessonDraft::new_quiz()
    } else {
        LessonDraft {
            required: "on".into(),
            ..Default::default()
        }
    };
    lesson_form(
        &state,
        &member,
        CourseId(id),
        None,
        &q.kind,
        form,
        Errors::default(),
        &q.q,
    )
    .await
}

#[derive(Deserialize)]
struct LessonForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
    /// The picked item (item lessons).
    #[serde(default)]
    item: String,
    #[serde(flatten)]
    draft: LessonDraft,
}

fn lesson_fields(
    form: &LessonForm,
    kind: &str,
    item: Option<ItemId>,
) -> Result<LessonFields, DomainError> {
    form.draft
        .parse(kind, item)
        .map(|(title, body, required, minutes)| LessonFields {
            title,
            body,
            required,
            minutes,
        })
        .map_err(DomainError::Invalid)
}

async fn create_lesson(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(mut form): ThaiForm<LessonForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let item = form.item.trim().parse::<i64>().ok().map(ItemId);
    let kind = if item.is_some() {
        "item".to_string()
    } else {
        form.kind.clone()
    };
    if kind == "item" && item.is_none() {
        return Err(DomainError::Invalid(vec![khlang_core::FieldError::new(
            "item",
            "กรุณาเลือกองค์ความรู้",
        )])
        .into());
    }
    if let Some(i) = item
        && form.draft.title.trim().is_empty()
    {
        // The picker's "เพิ่ม" button sends no title: the item's own title is the lesson's.
        form.draft.title = state
            .core
            .item_view(member.actor(), i)
            .await
            .map(|v| v.item.fields.title.as_str().to_string())
            .unwrap_or_default();
    }
    let result = match lesson_fields(&form, &kind, item) {
        Ok(f) => state.core.add_lesson(member.actor(), CourseId(id), f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(l) if kind == "quiz" => {
            Ok(Redirect::to(&format!("/learn/lessons/{}/questions", l.0)).into_response())
        }
        Ok(_) => Ok(Redirect::to(&format!("/learn/courses/{id}/edit?done=lesson")).into_response()),
        Err(e) => {
            let errors = field_errors(e)?;
            lesson_form(
                &state,
                &member,
                CourseId(id),
                None,
                &kind,
                form.draft,
                errors,
                "",
            )
            .await
        }
    }
}

async fn edit_lesson(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (c, l) = state
        .core
        .lesson_for_edit(member.actor(), LessonId(id))
        .await?;
    let form = LessonDraft::of(
        &l.fields.title,
        &l.fields.body,
        l.fields.required,
        l.fields.minutes,
    );
    lesson_form(
        &state,
        &member,
        c.id,
        Some(id),
        l.fields.body.kind(),
        form,
        Errors::default(),
        "",
    )
    .await
}

async fn save_lesson(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<LessonForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let (c, l) = state
        .core
        .lesson_for_edit(member.actor(), LessonId(id))
        .await?;
    let kind = l.fields.body.kind();
    let item = match l.fields.body {
        LessonBody::Item(i) => Some(i),
        _ => None,
    };
    let result = match lesson_fields(&form, kind, item) {
        Ok(f) => {
            state
                .core
                .update_lesson(member.actor(), LessonId(id), f)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/learn/courses/{}/edit?done=lesson", c.id.0)).into_response(),
        ),
        Err(e) => {
            let errors = field_errors(e)?;
            lesson_form(
                &state,
                &member,
                c.id,
                Some(id),
                kind,
                form.draft,
                errors,
                "",
            )
            .await
        }
    }
}

async fn remove_lesson(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let c = state
        .core
        .remove_lesson(member.actor(), LessonId(id))
        .await?;
    Ok(Redirect::to(&format!("/learn/courses/{}/edit", c.0)).into_response())
}

async fn move_up(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let c = state
        .core
        .move_lesson(member.actor(), LessonId(id), true)
        .await?;
    Ok(Redirect::to(&format!("/learn/courses/{}/edit#l{id}", c.0)).into_response())
}

async fn move_down(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let c = state
        .core
        .move_lesson(member.actor(), LessonId(id), false)
        .await?;
    Ok(Redirect::to(&format!("/learn/courses/{}/edit#l{id}", c.0)).into_response())
}

/// A question as the bank page lists it.
struct QuestionRow {
    id: i64,
    no: usize,
    kind: &'static str,
    prompt: String,
    choices: Vec<(String, bool)>,
}

#[derive(Template)]
#[template(path = "learning/manage/questions.html")]
struct QuestionsPage {
    layout: Layout,
    course: i64,
    course_title: String,
    lesson: i64,
    lesson_title: String,
    rules: String,
    questions: Vec<QuestionRow>,
    /// The add form, or the edit form when `editing`.
    editing: Option<i64>,
    form: QuestionDraft,
    errors: Errors,
    kinds: Vec<(&'static str, &'static str)>,
    flash: String,
}

async fn bank_page(
    state: &AppState,
    member: &Member,
    lesson: LessonId,
    editing: Option<i64>,
    form: QuestionDraft,
    errors: Errors,
    flash: String,
) -> Result<Response, WebError> {
    let (c, l, bank) = state.core.quiz_for_edit(member.actor(), lesson).await?;
    let rules = match &l.fields.body {
        LessonBody::Quiz { rules, .. } => format!(
            "ผ่านร้อยละ {} · {}",
            rules.pass_percent,
            rules
                .draw
                .map(|d| format!("สุ่ม {d} ข้อจากคลัง"))
                .unwrap_or_else(|| "ใช้ทุกข้อ".into())
        ),
        _ => String::new(),
    };
    let bad = errors.any();
    let r = render(&QuestionsPage {
        layout: layout(&member.0, format!("คลังข้อสอบ: {}", l.fields.title)),
        course: c.id.0,
        course_title: c.fields.title.clone(),
        lesson: lesson.0,
        lesson_title: l.fields.title.clone(),
        rules,
        questions: bank
            .iter()
            .enumerate()
            .map(|(i, q)| QuestionRow {
                id: q.id.0,
                no: i + 1,
                kind: q.fields.kind.label_th(),
                prompt: q.fields.prompt.clone(),
                choices: q
                    .fields
                    .choices
                    .iter()
                    .map(|c| (c.text.clone(), c.correct))
                    .collect(),
            })
            .collect(),
        editing,
        form: form.padded(),
        errors,
        kinds: QuestionKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th()))
            .collect(),
        flash,
    });
    Ok(if bad { unprocessable(r) } else { r })
}

fn new_question() -> QuestionDraft {
    QuestionDraft {
        kind: "single".into(),
        ..Default::default()
    }
}

async fn questions_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Result<Response, WebError> {
    let flash = if q.done == "saved" {
        "บันทึกข้อสอบแล้ว".to_string()
    } else {
        String::new()
    };
    bank_page(
        &state,
        &member,
        LessonId(id),
        None,
        new_question(),
        Errors::default(),
        flash,
    )
    .await
}

/// The question form's flat fields (`c1_text`, `c1_correct`, `c1_feedback` … `c6_…`) as a
/// draft.
fn question_draft(form: &HashMap<String, String>) -> QuestionDraft {
    let f = |k: &str| form.get(k).cloned().unwrap_or_default();
    QuestionDraft {
        kind: f("kind"),
        prompt: f("prompt"),
        choices: (1..=CHOICES_MAX)
            .map(|i| ChoiceDraft {
                text: f(&format!("c{i}_text")),
                correct: f(&format!("c{i}_correct")),
                feedback: f(&format!("c{i}_feedback")),
            })
            .collect(),
    }
}

async fn add_question(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    member
        .0
        .check_csrf(form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let draft = question_draft(&form);
    let result = match draft.parse() {
        Ok(f) => state
            .core
            .add_question(member.actor(), LessonId(id), f)
            .await
            .map(|_| ()),
        Err(e) => Err(DomainError::Invalid(e)),
    };
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/learn/lessons/{id}/questions?done=saved")).into_response())
        }
        Err(e) => {
            let errors = field_errors(e)?;
            bank_page(
                &state,
                &member,
                LessonId(id),
                None,
                draft,
                errors,
                String::new(),
            )
            .await
        }
    }
}

async fn edit_question(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (_, l, q) = state
        .core
        .question_for_edit(member.actor(), QuestionId(id))
        .await?;
    bank_page(
        &state,
        &member,
        l.id,
        Some(id),
        QuestionDraft::of(&q.fields),
        Errors::default(),
        String::new(),
    )
    .await
}

async fn save_question(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    member
        .0
        .check_csrf(form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let (_, l, _) = state
        .core
        .question_for_edit(member.actor(), QuestionId(id))
        .await?;
    let draft = question_draft(&form);
    let result = match draft.parse() {
        Ok(f) => {
            state
                .core
                .update_question(member.actor(), QuestionId(id), f)
                .await
        }
        Err(e) => Err(DomainError::Invalid(e)),
    };
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/learn/lessons/{}/questions?done=saved", l.id.0))
                .into_response(),
        ),
        Err(e) => {
            let errors = field_errors(e)?;
            bank_page(
                &state,
                &member,
                l.id,
                Some(id),
                draft,
                errors,
                String::new(),
            )
            .await
        }
    }
}

async fn remove_question(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let l = state
        .core
        .remove_question(member.actor(), QuestionId(id))
        .await?;
    Ok(Redirect::to(&format!("/learn/lessons/{}/questions", l.0)).into_response())
}
