//! Resumable uploads over tus 1.0.0 (core protocol + creation + termination) at
//! `/files/tus/`, for volunteers whose mobile connection drops halfway through a video.
//!
//! Bytes are appended to `upload_staging_dir/{id}.part` as they arrive, and the offset the
//! server reports is what was actually written there, even when the connection breaks
//! mid-request. Once every byte is in, the staged file goes through the core's
//! `attach_file` (type check, hashing, storage, versioning) and the staging file is removed.
//! Who may upload where, which offsets are accepted and what happens to refused content
//! are decided in `khlang_core::service::uploads`.
//!
//! Staged bytes live on the local disk of the node that received them, so with several
//! nodes a client has to keep reaching the same one for the same upload.

use crate::AppState;
use crate::api::openapi as doc;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{head, options};
use futures::StreamExt;
use khlang_core::DomainError;
use khlang_core::org::Actor;
use khlang_core::ports::{ByteStream, Upload};
use khlang_core::service::Khlang;
use khlang_core::service::uploads::{self, Completion, NewUpload};
use std::collections::HashMap;
use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, PoisonError, Weak};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufWriter};

const VERSION: &str = "1.0.0";
const TUS_RESUMABLE: HeaderName = HeaderName::from_static("tus-resumable");
const TUS_VERSION: HeaderName = HeaderName::from_static("tus-version");
const TUS_EXTENSION: HeaderName = HeaderName::from_static("tus-extension");
const TUS_MAX_SIZE: HeaderName = HeaderName::from_static("tus-max-size");
const UPLOAD_LENGTH: HeaderName = HeaderName::from_static("upload-length");
const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");
const UPLOAD_METADATA: HeaderName = HeaderName::from_static("upload-metadata");
/// khlang's own addition: the attached file's id, on the response that completes an upload
/// (and on HEAD afterwards, for a client that lost that response).
const FILE_ID: HeaderName = HeaderName::from_static("khlang-file-id");
const OFFSET_OCTET_STREAM: &str = "application/offset+octet-stream";

/// A chunk with no byte arriving for this long is treated as a dropped connection.
const IDLE: Duration = Duration::from_secs(30);
/// How long a request waits for another request on the same upload before answering 423.
const LOCK_WAIT: Duration = Duration::from_secs(10);
/// During a long PATCH, progress is recorded every this many bytes, so even a server
/// restart loses little.
const CHECKPOINT: u64 = 8 << 20;
const WRITE_BUFFER: usize = 256 << 10;
const READ_CHUNK: usize = 256 << 10;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/files/tus", options(capabilities).post(create))
        .route("/files/tus/", options(capabilities).post(create))
        .route(
            "/files/tus/{id}",
            head(progress)
                .patch(append)
                .delete(terminate)
                .options(capabilities),
        )
        .layer(middleware::from_fn(protocol))
}

/// Every response says which tus version it speaks; every request but OPTIONS must speak it.
async fn protocol(req: Request, next: Next) -> Response {
    let speaks_ours = req.method() == Method::OPTIONS
        || req
            .headers()
            .get(&TUS_RESUMABLE)
            .is_some_and(|v| v.as_bytes() == VERSION.as_bytes());
    let mut res = if speaks_ours {
        next.run(req).await
    } else {
        let mut res = TusError::protocol(
            StatusCode::PRECONDITION_FAILED,
            "tus-version",
            "โปรแกรมอัปโหลดใช้โปรโตคอล tus รุ่นที่ระบบไม่รองรับ (ต้องเป็น 1.0.0)",
        )
        .into_response();
        res.headers_mut()
            .insert(TUS_VERSION, HeaderValue::from_static(VERSION));
        res
    };
    res.headers_mut()
        .insert(TUS_RESUMABLE, HeaderValue::from_static(VERSION));
    res
}

/// Errors of this module: the domain's (rendered as problem+json by [`ApiError`]) and the
/// few that only the tus protocol has (412, 415, 423), rendered the same way.
enum TusError {
    Api(ApiError),
    Protocol {
        status: StatusCode,
        kind: &'static str,
        title: &'static str,
    },
}

impl TusError {
    fn protocol(status: StatusCode, kind: &'static str, title: &'static str) -> Self {
        TusError::Protocol {
            status,
            kind,
            title,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        TusError::Api(ApiError(WebError::BadRequest(message.into())))
    }
}

impl From<DomainError> for TusError {
    fn from(e: DomainError) -> Self {
        TusError::Api(ApiError::from(e))
    }
}

impl IntoResponse for TusError {
    fn into_response(self) -> Response {
        match self {
            TusError::Api(e) => e.into_response(),
            TusError::Protocol {
                status,
                kind,
                title,
            } => {
                let body = serde_json::json!({
                    "type": format!("https://khlang.dev/problems/{kind}"),
                    "title": title,
                    "status": status.as_u16(),
                });
                let mut res = (status, body.to_string()).into_response();
                res.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/problem+json"),
                );
                res
            }
        }
    }
}

type TusResult = Result<Response, TusError>;

fn io_error(e: std::io::Error) -> TusError {
    DomainError::internal(format!("upload staging: {e}")).into()
}

fn number(v: u64) -> HeaderValue {
    HeaderValue::from(v)
}

/// OPTIONS: what this server supports.
#[utoipa::path(
    options,
    path = "/files/tus/",
    operation_id = "tusCapabilities",
    tag = "uploads",
    summary = "ความสามารถของการอัปโหลด — What this tus server supports",
    description = "Needs no `Tus-Resumable` header and no caller. Also answered at `/files/tus` \
                   and `/files/tus/{id}`.",
    security(()),
    responses(
        (status = 204, description = "Supported versions, extensions and size",
            headers(
                ("Tus-Resumable" = String, description = "`1.0.0`"),
                ("Tus-Version" = String, description = "`1.0.0`"),
                ("Tus-Extension" = String, description = "`creation,termination`"),
                ("Tus-Max-Size" = u64, description = "The largest file accepted, in bytes"),
            )),
    )
)]
async fn capabilities(State(state): State<AppState>) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    let h = res.headers_mut();
    h.insert(TUS_VERSION, HeaderValue::from_static(VERSION));
    h.insert(
        TUS_EXTENSION,
        HeaderValue::from_static("creation,termination"),
    );
    h.insert(TUS_MAX_SIZE, number(state.config.upload_limit));
    res
}

/// A header that must be a whole number of bytes.
fn header_u64(headers: &HeaderMap, name: &HeaderName) -> Result<Option<u64>, ()> {
    match headers.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .map(Some)
            .ok_or(()),
    }
}

/// `Upload-Metadata`: comma-separated `key base64value` pairs (the value may be absent).
fn parse_metadata(raw: &str) -> Result<HashMap<String, Vec<u8>>, ()> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
    let mut out = HashMap::new();
    for pair in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = match pair.split_once(' ') {
            Some((k, v)) => (k, v.trim()),
            None => (pair, ""),
        };
        let decoded = STANDARD
            .decode(value)
            .or_else(|_| STANDARD_NO_PAD.decode(value))
            .map_err(|_| ())?;
        out.insert(key.to_string(), decoded);
    }
    Ok(out)
}

/// POST (creation): announces a file for an item; answers with the upload's URL.
#[utoipa::path(
    post,
    path = "/files/tus/",
    operation_id = "tusCreate",
    tag = "uploads",
    summary = "เริ่มอัปโหลดไฟล์ — Start a resumable upload (tus creation)",
    description = "Announces a file for an item the caller may edit; the body is empty. \
                   `Upload-Metadata` carries `filename` and `item_id`, each base64-encoded, as \
                   comma-separated `key value` pairs. Send the bytes with PATCH to `Location`; \
                   when the last byte is in, the file is checked and attached like \
                   `POST /api/v1/items/{id}/files`. Also answered at `/files/tus`.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("Upload-Length" = u64, Header, description = "The file's size in bytes"),
        ("Upload-Metadata" = String, Header,
            description = "e.g. `filename 4LiE4Li54LmI4Lih4Li34LitLnBkZg==,item_id NDI=`"),
    ),
    responses(
        (status = 201, description = "Started",
            headers(
                ("Location" = String, description = "`/files/tus/{id}`, the upload's address"),
                ("Upload-Offset" = u64, description = "`0`"),
            )),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 412, response = doc::PreconditionFailed),
        (status = 413, response = doc::TooLarge),
        (status = 422, response = doc::Invalid),
    )
)]
async fn create(State(state): State<AppState>, caller: ApiCaller, headers: HeaderMap) -> TusResult {
    let length = header_u64(&headers, &UPLOAD_LENGTH)
        .ok()
        .flatten()
        .ok_or_else(|| TusError::bad_request("กรุณาระบุขนาดไฟล์ (Upload-Length) เป็นจำนวนไบต์"))?;
    let meta = headers
        .get(&UPLOAD_METADATA)
        .and_then(|v| v.to_str().ok())
        .map(parse_metadata)
        .unwrap_or_else(|| Ok(HashMap::new()))
        .map_err(|_| TusError::bad_request("Upload-Metadata ไม่ถูกต้อง (ต้องเป็นคู่ชื่อกับค่าแบบ base64)"))?;
    let filename = meta
        .get("filename")
        .and_then(|v| std::str::from_utf8(v).ok())
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| TusError::bad_request("กรุณาระบุชื่อไฟล์ (filename) ใน Upload-Metadata"))?;
    let item_id = meta
        .get("item_id")
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|s| s.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            TusError::bad_request("กรุณาระบุองค์ความรู้ที่จะแนบไฟล์ (item_id) ใน Upload-Metadata")
        })?;
    let upload = state
        .core
        .start_upload(
            &caller.actor,
            NewUpload {
                item_id: khlang_core::ids::ItemId(item_id),
                filename: filename.to_string(),
                length,
            },
            state.config.upload_limit,
        )
        .await?;
    let location = HeaderValue::from_str(&format!("/files/tus/{}", upload.id))
        .map_err(DomainError::internal)?;
    let mut res = StatusCode::CREATED.into_response();
    res.headers_mut().insert(header::LOCATION, location);
    res.headers_mut().insert(UPLOAD_OFFSET, number(0));
    Ok(res)
}

/// Upload ids are khlang-made (URL-safe base64); anything else is not one of ours and
/// must never reach a file path.
fn checked_id(id: &str) -> Result<&str, TusError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(id)
    } else {
        Err(DomainError::NotFound.into())
    }
}

fn staging_path(dir: &FsPath, id: &str) -> PathBuf {
    dir.join(format!("{id}.part"))
}

/// One request at a time per upload: a PATCH still writing (say, from a connection that
/// died a moment ago) finishes and records its bytes before HEAD or the next PATCH look.
/// Uploads are staged on this node's disk, so a lock in this process is enough.
static LOCKS: LazyLock<Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(Default::default);

async fn lock_upload(id: &str) -> Result<tokio::sync::OwnedMutexGuard<()>, TusError> {
    let lock = {
        let mut locks = LOCKS.lock().unwrap_or_else(PoisonError::into_inner);
        locks.retain(|_, l| l.strong_count() > 0);
        match locks.get(id).and_then(Weak::upgrade) {
            Some(l) => l,
            None => {
                let l = Arc::new(tokio::sync::Mutex::new(()));
                locks.insert(id.to_string(), Arc::downgrade(&l));
                l
            }
        }
    };
    tokio::time::timeout(LOCK_WAIT, lock.lock_owned())
        .await
        .map_err(|_| {
            TusError::protocol(
                StatusCode::LOCKED,
                "locked",
                "ไฟล์นี้กำลังถูกอัปโหลดอยู่จากการเชื่อมต่ออื่น กรุณารอสักครู่แล้วลองใหม่",
            )
        })
}

/// HEAD: how many bytes the server has, so the client knows where to go on.
#[utoipa::path(
    head,
    path = "/files/tus/{id}",
    operation_id = "tusProgress",
    tag = "uploads",
    summary = "ตรวจสอบความคืบหน้า — How many bytes the server has",
    description = "Where to go on after a dropped connection. Only the one who started the \
                   upload sees it. Errors have no body (HEAD).",
    security(("bearer" = []), ("session" = [])),
    params(
        ("id" = String, Path, description = "The upload's id (from `Location`)"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
    ),
    responses(
        (status = 200, description = "The upload's progress",
            headers(
                ("Upload-Offset" = u64, description = "Bytes received and kept"),
                ("Upload-Length" = u64, description = "The announced size"),
                ("Cache-Control" = String, description = "`no-store`"),
                ("Khlang-File-Id" = i64,
                    description = "Once complete: the attached file's id (for a client that lost that response)"),
            )),
        (status = 401, description = "No caller, or an invalid token or session"),
        (status = 404, description = "No such upload for this caller"),
        (status = 412, description = "`Tus-Resumable` is not `1.0.0`"),
        (status = 423, description = "Another request on this upload is still running"),
    )
)]
async fn progress(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> TusResult {
    let id = checked_id(&id)?;
    let _guard = lock_upload(id).await?;
    let upload = state.core.own_upload(&caller.actor, id).await?;
    let mut res = StatusCode::OK.into_response();
    let h = res.headers_mut();
    h.insert(UPLOAD_OFFSET, number(upload.offset));
    h.insert(UPLOAD_LENGTH, number(upload.length));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(file) = upload.file_id {
        h.insert(FILE_ID, HeaderValue::from(file.0));
    }
    Ok(res)
}

/// PATCH: appends the body at `Upload-Offset`. The work runs in its own task, so when the
/// client goes away and this handler is dropped, the bytes that arrived are still counted.
#[utoipa::path(
    patch,
    path = "/files/tus/{id}",
    operation_id = "tusAppend",
    tag = "uploads",
    summary = "ส่งข้อมูลต่อ — Send more bytes",
    description = "Appends the body at `Upload-Offset`, which must equal the server's offset. \
                   Bytes that arrive before a connection drops are kept. The request that \
                   completes the upload attaches the file (or is refused, and the upload is gone).",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(
        ("id" = String, Path, description = "The upload's id (from `Location`)"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
        ("Upload-Offset" = u64, Header, description = "Where these bytes start"),
    ),
    request_body(
        description = "The next bytes of the file.",
        content(("application/offset+octet-stream")),
    ),
    responses(
        (status = 204, description = "Stored",
            headers(
                ("Upload-Offset" = u64, description = "Bytes received and kept so far"),
                ("Khlang-File-Id" = i64, description = "Only when complete: the attached file's id"),
            )),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 412, response = doc::PreconditionFailed),
        (status = 413, response = doc::TooLarge),
        (status = 415, response = doc::UnsupportedMediaType),
        (status = 422, response = doc::Invalid),
        (status = 423, response = doc::Locked),
    )
)]
async fn append(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> TusResult {
    let id = checked_id(&id)?.to_string();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    if content_type != Some(OFFSET_OCTET_STREAM) {
        return Err(TusError::protocol(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "ข้อมูลที่ส่งต่อต้องมี Content-Type: application/offset+octet-stream",
        ));
    }
    let claimed = header_u64(&headers, &UPLOAD_OFFSET)
        .ok()
        .flatten()
        .ok_or_else(|| TusError::bad_request("กรุณาระบุตำแหน่งที่ส่งต่อ (Upload-Offset) เป็นจำนวนไบต์"))?;
    let declared = header_u64(&headers, &header::CONTENT_LENGTH)
        .map_err(|_| TusError::bad_request("Content-Length ไม่ถูกต้อง"))?;
    let guard = lock_upload(&id).await?;
    let actor = caller.actor;
    let work = tokio::spawn(async move {
        let _guard = guard;
        append_locked(&state, &actor, &id, claimed, declared, body).await
    });
    match work.await {
        Ok(result) => result,
        Err(e) => Err(DomainError::internal(format!("upload task: {e}")).into()),
    }
}

fn completed(length: u64, file: khlang_core::ids::FileId) -> Response {
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(UPLOAD_OFFSET, number(length));
    res.headers_mut().insert(FILE_ID, HeaderValue::from(file.0));
    res
}

async fn append_locked(
    state: &AppState,
    actor: &Actor,
    id: &str,
    claimed: u64,
    declared: Option<u64>,
    body: Body,
) -> TusResult {
    let core = &state.core;
    let mut upload = core.own_upload(actor, id).await?;
    uploads::check_chunk(&upload, claimed, declared)?;
    if let Some(file) = upload.file_id {
        // Already attached: a client repeating the last request gets the same answer.
        if declared.unwrap_or(0) > 0 {
            return Err(uploads::chunk_too_large(&upload).into());
        }
        return Ok(completed(upload.length, file));
    }

    let dir = &state.config.upload_staging_dir;
    tokio::fs::create_dir_all(dir).await.map_err(io_error)?;
    let path = staging_path(dir, id);
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .await
        .map_err(io_error)?;
    let on_disk = file.metadata().await.map_err(io_error)?.len();
    if on_disk < upload.offset {
        // The staged bytes were lost (disk cleaned, another node): the client must go back.
        core.record_upload_progress(&upload, on_disk).await?;
        return Err(DomainError::Conflict(format!(
            "ข้อมูลที่อัปโหลดไว้บางส่วนหายไป กรุณาส่งต่อจากตำแหน่ง {on_disk} ไบต์"
        ))
        .into());
    }
    // Bytes past the recorded offset were never counted (a crash between writing and
    // recording); they are dropped so the file and the record agree.
    file.set_len(upload.offset).await.map_err(io_error)?;
    file.seek(std::io::SeekFrom::Start(upload.offset))
        .await
        .map_err(io_error)?;
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);

    let start = upload.offset;
    let mut offset = start;
    let mut last_recorded = start;
    let mut stream = body.into_data_stream();
    let mut failure: Option<TusError> = None;
    loop {
        let chunk = match tokio::time::timeout(IDLE, stream.next()).await {
            Ok(None) => break,
            Ok(Some(Ok(chunk))) => chunk,
            Ok(Some(Err(_))) | Err(_) => {
                failure = Some(TusError::bad_request(
                    "การเชื่อมต่อขาดหายระหว่างอัปโหลด — ส่วนที่ได้รับแล้วถูกเก็บไว้ ส่งต่อจากตำแหน่งล่าสุดได้",
                ));
                break;
            }
        };
        if offset + chunk.len() as u64 > upload.length {
            // More than announced: this request does not count at all.
            drop(out);
            truncate(&path, start).await;
            if last_recorded != start {
                core.record_upload_progress(&upload, start).await?;
            }
            return Err(uploads::chunk_too_large(&upload).into());
        }
        if let Err(e) = out.write_all(&chunk).await {
            failure = Some(io_error(e));
            break;
        }
        offset += chunk.len() as u64;
        if offset - last_recorded >= CHECKPOINT {
            out.flush().await.map_err(io_error)?;
            core.record_upload_progress(&upload, offset).await?;
            last_recorded = offset;
        }
    }
    // Whatever happened to the connection, what reached the disk counts.
    if let Err(e) = out.flush().await {
        truncate(&path, last_recorded).await;
        offset = last_recorded;
        failure.get_or_insert(io_error(e));
    }
    drop(out);
    if offset != last_recorded {
        core.record_upload_progress(&upload, offset).await?;
    }
    upload.offset = offset;
    if let Some(e) = failure {
        return Err(e);
    }
    if upload.offset < upload.length {
        let mut res = StatusCode::NO_CONTENT.into_response();
        res.headers_mut()
            .insert(UPLOAD_OFFSET, number(upload.offset));
        return Ok(res);
    }
    finish(state, actor, &upload, &path).await
}

/// Every byte is in: the staged file becomes an attached file, or is refused and removed.
async fn finish(state: &AppState, actor: &Actor, upload: &Upload, path: &FsPath) -> TusResult {
    let staged = tokio::fs::File::open(path).await.map_err(io_error)?;
    let outcome = state
        .core
        .finish_upload(
            actor,
            upload,
            read_stream(staged),
            state.config.upload_limit,
        )
        .await?;
    remove_staged(path).await;
    match outcome {
        Completion::Attached(file) => Ok(completed(upload.length, file.id)),
        Completion::Refused(e) => Err(e.into()),
    }
}

/// Reads a staged file in modest chunks, never all at once.
fn read_stream(file: tokio::fs::File) -> ByteStream {
    futures::stream::try_unfold(file, |mut f| async move {
        let mut buf = vec![0u8; READ_CHUNK];
        let n = f.read(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), f)))
    })
    .boxed()
}

async fn truncate(path: &FsPath, len: u64) {
    let result = async {
        let f = tokio::fs::OpenOptions::new().write(true).open(path).await?;
        f.set_len(len).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(path = %path.display(), error = %e, "could not trim a staged upload");
    }
}

async fn remove_staged(path: &FsPath) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "could not remove a staged upload")
        }
    }
}

/// DELETE (termination): the upload and its staged bytes are gone.
#[utoipa::path(
    delete,
    path = "/files/tus/{id}",
    operation_id = "tusTerminate",
    tag = "uploads",
    summary = "ยกเลิกการอัปโหลด — Cancel an upload (tus termination)",
    description = "The upload and the bytes received so far are removed.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(
        ("id" = String, Path, description = "The upload's id (from `Location`)"),
        ("Tus-Resumable" = String, Header, description = "`1.0.0`"),
    ),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 401, response = doc::Unauthenticated),
        (status = 404, response = doc::NotFound),
        (status = 412, response = doc::PreconditionFailed),
        (status = 423, response = doc::Locked),
    )
)]
async fn terminate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> TusResult {
    let id = checked_id(&id)?;
    let _guard = lock_upload(id).await?;
    let upload = state.core.cancel_upload(&caller.actor, id).await?;
    remove_staged(&staging_path(&state.config.upload_staging_dir, &upload.id)).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes uploads started more than `older_than` ago together with their staged bytes;
/// returns how many went. The binary should run it periodically (say hourly, with a day's
/// age) next to the expired-session cleanup.
pub async fn sweep(
    core: &Khlang,
    staging_dir: &FsPath,
    older_than: time::Duration,
) -> Result<usize, DomainError> {
    let gone = core.expire_uploads(older_than).await?;
    for upload in &gone {
        if checked_id(&upload.id).is_ok() {
            remove_staged(&staging_path(staging_dir, &upload.id)).await;
        }
    }
    Ok(gone.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_is_decoded() {
        // "report.pdf" and "42", as tus clients send them.
        let m = parse_metadata("filename cmVwb3J0LnBkZg==,item_id NDI,is_confidential").unwrap();
        assert_eq!(m["filename"], b"report.pdf");
        assert_eq!(m["item_id"], b"42");
        assert_eq!(m["is_confidential"], b"");
        assert!(parse_metadata("filename ***").is_err());
    }

    #[test]
    fn only_khlang_made_ids_reach_the_disk() {
        assert!(checked_id("abcDEF012_-").is_ok());
        assert!(checked_id("..").is_err());
        assert!(checked_id("a/b").is_err());
        assert!(checked_id("").is_err());
        assert!(checked_id(&"x".repeat(65)).is_err());
    }
}
