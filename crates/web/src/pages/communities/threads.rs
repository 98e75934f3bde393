//! Threads: /communities/{id}/threads/new, /communities/threads/{id} (posts, accepted answers
//! first, replies, praise), and the post actions (accept, report, hide, unhide), the
//! "ทำเป็นองค์ความรู้" button and attachments (/communities/files/{id}).

use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use khlang_core::DomainError;
use khlang_core::communities::model::{FILE_LIMIT, Post, ThreadKind};
use khlang_core::communities::service::{Attachment, ThreadInput, ThreadView};
use khlang_core::error::FieldError;
use khlang_core::file::{FileName, content_disposition};
use khlang_core::ids::{CommunityId, FileId, PostId, ThreadId};
use khlang_core::recognition::PraiseTarget;
use khlang_core::text::format_be_datetime;
use serde::Deserialize;
use std::collections::HashMap;

/// Five attachments of the largest size and the text.
const BODY_LIMIT: usize = 5 * FILE_LIMIT as usize + 256 * 1024;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/communities/{id}/threads/new",
            get(new_page)
                .post(create)
                .layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/communities/threads/{id}", get(show))
        .route(
            "/communities/threads/{id}/reply",
            post(reply).layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .route("/communities/threads/{id}/item", post(make_item))
        .route("/communities/posts/{id}/accept", post(accept))
        .route("/communities/posts/{id}/report", post(report))
        .route("/communities/posts/{id}/hide", post(hide))
        .route("/communities/posts/{id}/unhide", post(unhide))
        .route("/communities/files/{id}", get(download))
}

/// A multipart post form: its text fields and its files (`files`), CSRF checked first.
struct PostForm {
    fields: HashMap<String, String>,
    files: Vec<Attachment>,
    error: Option<FieldError>,
}

impl PostForm {
    fn get(&self, k: &str) -> String {
        self.fields.get(k).cloned().unwrap_or_default()
    }
}

async fn read_form(member: &Member, mut multipart: Multipart) -> Result<PostForm, WebError> {
    let bad = |_| WebError::BadRequest("อ่านข้อมูลที่ส่งมาไม่ได้ กรุณาลองใหม่".into());
    let mut csrf_ok = false;
    let mut out = PostForm {
        fields: HashMap::new(),
        files: Vec::new(),
        error: None,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "csrf" {
            member.0.check_csrf(&field.text().await.map_err(bad)?)?;
            csrf_ok = true;
            continue;
        }
        if !csrf_ok {
            return Err(WebError::Csrf);
        }
        if name == "files" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut bytes = Vec::new();
            let mut too_big = false;
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if (bytes.len() + chunk.len()) as u64 > FILE_LIMIT {
                    too_big = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            if too_big {
                out.error = Some(FieldError::new(
                    "files",
                    format!(
                        "ไฟล์ {file_name} ใหญ่เกิน {}",
                        khlang_core::file::human_size(FILE_LIMIT)
                    ),
                ));
            } else if !(bytes.is_empty() && file_name.is_empty()) {
                out.files.push(Attachment {
                    name: file_name,
                    bytes: Bytes::from(bytes),
                });
            }
        } else {
            let v = field.text().await.map_err(bad)?;
            out.fields.insert(name, v);
        }
    }
    if !csrf_ok {
        return Err(WebError::Csrf);
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "communities/thread_new.html")]
struct NewPage {
    layout: Layout,
    community_id: i64,
    community_name: String,
    form: ThreadInput,
    errors: Errors,
}

async fn new_form(
    state: &AppState,
    member: &Member,
    id: i64,
    form: ThreadInput,
    errors: Errors,
) -> Result<NewPage, WebError> {
    let view = state
        .core
        .community_view(
            member.actor(),
            CommunityId(id),
            khlang_core::paging::PageNumber::parse_or_first(None).map_err(DomainError::from)?,
        )
        .await?;
    if !view.access.may_read() {
        return Err(DomainError::NotFound.into());
    }
    if !view.access.may_post() {
        return Err(DomainError::Forbidden.into());
    }
    Ok(NewPage {
        layout: Layout::new(
            format!("ตั้งกระทู้ใน {}", view.community.name),
            "communities",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        community_id: id,
        community_name: view.community.name,
        form,
        errors,
    })
}

async fn new_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let page = new_form(
        &state,
        &member,
        id,
        ThreadInput::default(),
        Errors::default(),
    )
    .await?;
    Ok(member.0.finish_form(render(&page)))
}

async fn create(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let form = read_form(&member, multipart).await?;
    let input = ThreadInput {
        kind: form.get("kind"),
        title: form.get("title"),
        body: form.get("body"),
    };
    let result = match form.error {
        Some(e) => Err(DomainError::Invalid(vec![e])),
        None => {
            state
                .core
                .start_thread(member.actor(), CommunityId(id), &input, form.files)
                .await
        }
    };
    match result {
        Ok(t) => Ok(Redirect::to(&format!("/communities/threads/{t}")).into_response()),
        Err(DomainError::Invalid(e)) => {
            let page = new_form(&state, &member, id, input, Errors(e)).await?;
            Ok(member
                .0
                .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

struct FileView {
    href: String,
    name: String,
    size: String,
    image: bool,
}

struct PostView {
    id: i64,
    author: String,
    when: String,
    body_html: String,
    accepted: bool,
    hidden_reason: Option<String>,
    files: Vec<FileView>,
    praise: String,
    praised: bool,
    opening: bool,
}

#[derive(Template)]
#[template(path = "communities/thread.html")]
struct ThreadPage {
    layout: Layout,
    id: i64,
    back: String,
    community_id: i64,
    community_name: String,
    title: String,
    question: bool,
    opening: Vec<PostView>,
    replies: Vec<PostView>,
    accepted_count: usize,
    may_post: bool,
    may_accept: bool,
    may_moderate: bool,
    may_make_item: bool,
    signed_in: bool,
    item_href: Option<String>,
    reply_body: String,
    errors: Errors,
    flash: Option<&'static str>,
}

fn post_view(
    v: &ThreadView,
    p: &Post,
    praise: &HashMap<PraiseTarget, khlang_core::recognition::PraiseCount>,
) -> PostView {
    let moderator = v.access.may_moderate();
    let files = if p.hidden_reason.is_some() && !moderator {
        Vec::new()
    } else {
        v.files
            .iter()
            .filter(|f| f.post_id == p.id)
            .map(|f| FileView {
                href: format!("/communities/files/{}", f.id),
                name: f.name.clone(),
                size: khlang_core::file::human_size(f.size),
                image: f.kind == "image",
            })
            .collect()
    };
    let count = praise
        .get(&PraiseTarget::Post(p.id))
        .copied()
        .unwrap_or_default();
    PostView {
        id: p.id.0,
        author: v.names.get(&p.author_id).cloned().unwrap_or_default(),
        when: format_be_datetime(p.created_at),
        // Readers see the reason only; facilitators also see what was hidden.
        body_html: if p.hidden_reason.is_some() && !moderator {
            String::new()
        } else {
            crate::markdown::render(&p.body)
        },
        accepted: p.accepted,
        hidden_reason: p.hidden_reason.clone(),
        files,
        praise: number(count.count),
        praised: count.mine,
        opening: p.opening,
    }
}

async fn thread_page(
    state: &AppState,
    v: &Visitor,
    id: i64,
    reply_body: String,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<ThreadPage, WebError> {
    let actor = v.actor();
    let view = state.core.thread_view(&actor, ThreadId(id)).await?;
    let targets: Vec<PraiseTarget> = view
        .replies
        .iter()
        .map(|p| PraiseTarget::Post(p.id))
        .collect();
    let praise = state.core.praise_counts(&actor, &targets).await?;
    let replies: Vec<PostView> = view
        .replies
        .iter()
        .map(|p| post_view(&view, p, &praise))
        .collect();
    let accepted_count = replies.iter().filter(|p| p.accepted).count();
    let is_asker = actor.user_id() == Some(view.thread.author_id);
    Ok(ThreadPage {
        layout: Layout::new(
            view.thread.title.clone(),
            "communities",
            v.session.as_ref(),
            v.csrf(),
        ),
        id,
        back: format!("/communities/threads/{id}"),
        community_id: view.community.id.0,
        community_name: view.community.name.clone(),
        title: view.thread.title.clone(),
        question: view.thread.kind == ThreadKind::Question,
        opening: vec![post_view(&view, &view.opening, &praise)],
        accepted_count,
        may_post: view.access.may_post(),
        may_accept: view.may_accept,
        may_moderate: view.access.may_moderate(),
        may_make_item: view.thread.kind == ThreadKind::Question
            && view.access.may_make_item(is_asker)
            && view.thread.item_id.is_none()
            && accepted_count > 0,
        signed_in: view.access.signed_in,
        item_href: view.thread.item_id.map(|i| format!("/items/{i}")),
        replies,
        reply_body,
        errors,
        flash,
    })
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    #[serde(default)]
    done: String,
}

async fn show(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    crate::forms::ThaiQuery(q): crate::forms::ThaiQuery<ShowQuery>,
) -> Result<Response, WebError> {
    let flash = match q.done.as_str() {
        "reported" => Some("แจ้งคุณอำนวยแล้ว ขอบคุณที่ช่วยดูแลชุมชน"),
        "hidden" => Some("ซ่อนข้อความแล้ว"),
        "shown" => Some("แสดงข้อความอีกครั้งแล้ว"),
        _ => None,
    };
    let page = thread_page(&state, &v, id, String::new(), Errors::default(), flash).await?;
    let res = render(&page);
    Ok(if page.signed_in {
        v.finish_form(res)
    } else {
        v.finish(res)
    })
}

async fn reply(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let form = read_form(&member, multipart).await?;
    let body = form.get("body");
    let result = match form.error {
        Some(e) => Err(DomainError::Invalid(vec![e])),
        None => {
            state
                .core
                .reply(member.actor(), ThreadId(id), &body, form.files)
                .await
        }
    };
    match result {
        Ok(p) => Ok(Redirect::to(&format!("/communities/threads/{id}#post-{p}")).into_response()),
        Err(DomainError::Invalid(e)) => {
            let page = thread_page(&state, &member.0, id, body, Errors(e), None).await?;
            Ok(member
                .0
                .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    reason: String,
}

async fn accept(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<ActionForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let t = state
        .core
        .set_accepted_answer(member.actor(), PostId(id), f.value != "0")
        .await?;
    Ok(Redirect::to(&format!("/communities/threads/{t}#post-{id}")).into_response())
}

/// A refused reason shows the thread again with the message next to the post's form.
async fn refused(
    state: &AppState,
    member: &Member,
    post: i64,
    e: DomainError,
) -> Result<Response, WebError> {
    let DomainError::Invalid(errors) = e else {
        return Err(e.into());
    };
    let p = state
        .core
        .thread_of_post(member.actor(), PostId(post))
        .await?;
    let page = thread_page(state, &member.0, p.0, String::new(), Errors(errors), None).await?;
    Ok(member
        .0
        .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()))
}

async fn report(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<ActionForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    match state
        .core
        .report_post(member.actor(), PostId(id), &f.reason)
        .await
    {
        Ok(t) => Ok(
            Redirect::to(&format!("/communities/threads/{t}?done=reported#post-{id}"))
                .into_response(),
        ),
        Err(e) => refused(&state, &member, id, e).await,
    }
}

async fn hide(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<ActionForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    match state
        .core
        .moderate_post(member.actor(), PostId(id), Some(&f.reason))
        .await
    {
        Ok(t) => Ok(
            Redirect::to(&format!("/communities/threads/{t}?done=hidden#post-{id}"))
                .into_response(),
        ),
        Err(e) => refused(&state, &member, id, e).await,
    }
}

async fn unhide(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<ActionForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let t = state
        .core
        .moderate_post(member.actor(), PostId(id), None)
        .await?;
    Ok(Redirect::to(&format!("/communities/threads/{t}?done=shown#post-{id}")).into_response())
}

async fn make_item(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(f): ThaiForm<ActionForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let item = state
        .core
        .thread_to_item(member.actor(), ThreadId(id))
        .await?;
    Ok(Redirect::to(&format!("/items/{item}")).into_response())
}

/// An attachment: NotFound (as for a missing id) to anyone who may not read its thread.
async fn download(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (f, size, stream) = state.core.open_post_file(&v.actor(), FileId(id)).await?;
    let name = FileName::from_trusted(f.name.clone());
    let inline = f.kind == "image" || f.kind == "pdf";
    let res = Response::builder()
        .header(header::CONTENT_TYPE, f.mime.as_str())
        .header(header::CONTENT_LENGTH, size)
        .header(
            header::CONTENT_DISPOSITION,
            content_disposition(&name, inline),
        )
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CONTENT_SECURITY_POLICY, "sandbox")
        .body(Body::from_stream(stream))
        .map_err(DomainError::internal)?;
    Ok(crate::caching::private(res))
}
