//! Background jobs as their owner watches them: `/jobs` (mine), `/jobs/{id}` with a progress
//! bar that refreshes itself (htmx every 2 s; without JavaScript the page reloads itself and
//! has a link), `/jobs/{id}/download` for the finished file. Only the owner and site
//! administrators see a job; anyone else gets the page a missing job gets.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiPath as Path;
use crate::view::{Layout, render};
use askama::Template;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::jobs::{Job, JobId, JobKind, JobState};
use khlang_core::text::{format_be_datetime, thai_digits};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs", get(list))
        .route("/jobs/{id}", get(show))
        .route("/jobs/{id}/progress", get(progress))
        .route("/jobs/{id}/download", get(download))
}

fn job_id(id: &str) -> Result<JobId, WebError> {
    khlang_core::text::arabic_digits(id)
        .parse::<i64>()
        .map(JobId)
        .map_err(|_| WebError::Domain(DomainError::NotFound))
}

/// A size for people: กิโลไบต์ or เมกะไบต์.
fn size_th(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// A job as its pages show it.
pub(crate) struct JobView {
    pub(crate) id: i64,
    pub(crate) kind: &'static str,
    pub(crate) state: &'static str,
    pub(crate) state_key: &'static str,
    pub(crate) finished: bool,
    pub(crate) percent: u32,
    pub(crate) steps: String,
    pub(crate) message: String,
    pub(crate) error: Option<String>,
    /// (name, size) of the file to download, when done.
    pub(crate) file: Option<(String, String)>,
    pub(crate) created: String,
    pub(crate) finished_at: Option<String>,
    /// Where the owner goes from here: (href, label).
    pub(crate) next: (String, &'static str),
}

impl JobView {
    pub(crate) fn of(job: &Job) -> Self {
        let p = &job.progress;
        Self {
            id: job.id.0,
            kind: job.kind.label_th(),
            state: job.state.label_th(),
            state_key: job.state.as_str(),
            finished: job.state.finished(),
            percent: if job.state == JobState::Done {
                100
            } else {
                p.percent()
            },
            steps: if p.total > 0 {
                format!(
                    "{} / {}",
                    thai_digits(&p.done.to_string()),
                    thai_digits(&p.total.to_string())
                )
            } else {
                String::new()
            },
            message: p.message.clone(),
            error: job.error.clone(),
            file: job
                .result
                .as_ref()
                .map(|f| (f.name.clone(), size_th(f.size))),
            created: format_be_datetime(job.created_at),
            finished_at: job.finished_at.map(format_be_datetime),
            next: match job.kind {
                JobKind::Book => ("/books/new".into(), "สร้างหนังสือเล่มใหม่"),
                JobKind::Import => (
                    format!("/imports/{}", job.params["import"].as_i64().unwrap_or(0)),
                    "ดูผลการนำเข้าและรายการที่นำเข้า",
                ),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "jobs/show.html")]
struct ShowPage {
    layout: Layout,
    job: JobView,
}

#[derive(Template)]
#[template(path = "jobs/_progress.html")]
struct ProgressPart {
    job: JobView,
}

#[derive(Template)]
#[template(path = "jobs/list.html")]
struct ListPage {
    layout: Layout,
    jobs: Vec<JobView>,
}

async fn list(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    let jobs = state.core.my_jobs(member.actor()).await?;
    let page = ListPage {
        layout: Layout::new(
            "งานเบื้องหลังของฉัน",
            "jobs",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        jobs: jobs.iter().map(JobView::of).collect(),
    };
    Ok(no_store(render(&page)))
}

async fn show(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let job = state.core.job(member.actor(), job_id(&id)?).await?;
    let page = ShowPage {
        layout: Layout::new(
            job.kind.label_th(),
            "jobs",
            Some(member.ctx()),
            member.0.csrf(),
        ),
        job: JobView::of(&job),
    };
    Ok(no_store(render(&page)))
}

/// The progress block alone, for htmx to swap in.
async fn progress(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let job = state.core.job(member.actor(), job_id(&id)?).await?;
    Ok(no_store(render(&ProgressPart {
        job: JobView::of(&job),
    })))
}

async fn download(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (file, stream) = state
        .core
        .open_job_file(member.actor(), job_id(&id)?)
        .await?;
    let mut res = Body::from_stream(stream).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&file.mime) {
        h.insert(header::CONTENT_TYPE, v);
    }
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(file.size));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(crate::caching::private(res))
}

/// Progress changes every moment: never from a cache.
fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
