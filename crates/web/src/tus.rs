//! Resumable uploads over tus 1.0.0 (core protocol + creation + termination) at
//! `/files/tus/`, for volunteers whose mobile connection drops halfway through a video.
//!
//! This module speaks the protocol; `khlang_core::service::uploads` decides who may upload
//! where and which offsets are accepted, and keeps the bytes that arrive in the object store
//! with the offset in the database — so every node sees every upload, and the pieces of one
//! upload may reach different nodes. The offset the server reports is what was actually
//! stored, even when the connection breaks mid-request. Once every byte is in, the file goes
//! through the core's `attach_file` (type check, hashing, storage, versioning).

use crate::AppState;
use crate::api::openapi as doc;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{head, options};
use futures::StreamExt;
use khlang_core::DomainError;
use khlang_core::org::Actor;
use khlang_core::ports::ByteStream;
use khlang_core::service::uploads::{Appended, NewUpload, UploadCaller};
use std::collections::HashMap;
use std::time::Duration;

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
        // A contest entry's documents, from an entrant without an account: the link's
        // secret is the key, for that entry only.
        .route("/e/{secret}/tus", options(capabilities).post(entry_create))
        .route("/e/{secret}/tus/", options(capabilities).post(entry_create))
        .route(
            "/e/{secret}/tus/{id}",
            head(entry_progress)
                .patch(entry_append)
                .delete(entry_terminate)
                .options(capabilities),
        )
        .layer(middleware::from_fn(protocol))
}

/// Who works on an upload, owned (it moves into the task that writes the bytes).
enum Who {
    User(Actor),
    EntryLink(String),
}

impl Who {
    fn caller(&self) -> UploadCaller<'_> {
        match self {
            Who::User(a) => UploadCaller::User(a),
            Who::EntryLink(s) => UploadCaller::EntryLink(s),
        }
    }
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
            .map(str::trim)
            // `u64::from_str` also takes a leading `+`; tus 1.0 allows digits only.
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse::<u64>().ok())
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

/// POST `/e/{secret}/tus/`: starts an upload of one of the entry's documents. Metadata:
/// `filename` and `requirement` (the required document's key).
async fn entry_create(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    headers: HeaderMap,
) -> TusResult {
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
    let text = |k: &str| {
        meta.get(k)
            .and_then(|v| std::str::from_utf8(v).ok())
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let filename = text("filename")
        .ok_or_else(|| TusError::bad_request("กรุณาระบุชื่อไฟล์ (filename) ใน Upload-Metadata"))?;
    let requirement = text("requirement").ok_or_else(|| {
        TusError::bad_request("กรุณาระบุเอกสารที่จะส่ง (requirement) ใน Upload-Metadata")
    })?;
    let upload = state
        .core
        .start_entry_upload(&secret, &requirement, &filename, length)
        .await?;
    let location = HeaderValue::from_str(&format!("/e/{secret}/tus/{}", upload.id))
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

/// Waits for other requests on the upload (on any node) to finish; 423 if they do not.
async fn lock_upload(
    state: &AppState,
    id: &str,
) -> Result<khlang_core::service::nodes::Lease, TusError> {
    state.core.lock_upload(id, LOCK_WAIT).await?.ok_or_else(|| {
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
    progress_of(&state, Who::User(caller.actor), &id).await
}

/// HEAD of an entry document's upload (`/e/{secret}/tus/{id}`).
async fn entry_progress(
    State(state): State<AppState>,
    Path((secret, id)): Path<(String, String)>,
) -> TusResult {
    progress_of(&state, Who::EntryLink(secret), &id).await
}

async fn progress_of(state: &AppState, who: Who, id: &str) -> TusResult {
    let id = checked_id(id)?;
    let lock = lock_upload(state, id).await?;
    let upload = state.core.caller_upload(&who.caller(), id).await;
    state.core.release(lock).await;
    let upload = upload?;
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
    append_as(state, Who::User(caller.actor), id, headers, body).await
}

/// PATCH of an entry document's upload (`/e/{secret}/tus/{id}`).
async fn entry_append(
    State(state): State<AppState>,
    Path((secret, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> TusResult {
    append_as(state, Who::EntryLink(secret), id, headers, body).await
}

async fn append_as(
    state: AppState,
    who: Who,
    id: String,
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
    let lock = lock_upload(&state, &id).await?;
    let work = tokio::spawn(async move {
        let limit = state.config.upload_limit;
        let appended = state
            .core
            .append_upload_as(
                &who.caller(),
                &id,
                claimed,
                declared,
                quiet_ends(body),
                limit,
            )
            .await;
        state.core.release(lock).await;
        appended
    });
    let appended = match work.await {
        Ok(result) => result?,
        Err(e) => return Err(DomainError::internal(format!("upload task: {e}")).into()),
    };
    let mut res = StatusCode::NO_CONTENT.into_response();
    match appended {
        Appended::Progress(offset) => {
            res.headers_mut().insert(UPLOAD_OFFSET, number(offset));
        }
        Appended::Attached { file, length } => {
            res.headers_mut().insert(UPLOAD_OFFSET, number(length));
            res.headers_mut().insert(FILE_ID, HeaderValue::from(file.0));
        }
        Appended::Stored { length, .. } => {
            res.headers_mut().insert(UPLOAD_OFFSET, number(length));
        }
        Appended::Interrupted(_) => {
            return Err(TusError::bad_request(
                "การเชื่อมต่อขาดหายระหว่างอัปโหลด — ส่วนที่ได้รับแล้วถูกเก็บไว้ ส่งต่อจากตำแหน่งล่าสุดได้",
            ));
        }
    }
    Ok(res)
}

/// The request body as the core reads it: a chunk with no byte arriving for [`IDLE`] ends it
/// like a dropped connection does.
fn quiet_ends(body: Body) -> ByteStream {
    futures::stream::unfold(body.into_data_stream(), |mut s| async move {
        match tokio::time::timeout(IDLE, s.next()).await {
            Ok(None) => None,
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), s)),
            Ok(Some(Err(e))) => Some((Err(std::io::Error::other(e)), s)),
            Err(_) => Some((
                Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "no byte for a while",
                )),
                s,
            )),
        }
    })
    .boxed()
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
    terminate_as(&state, Who::User(caller.actor), &id).await
}

/// DELETE of an entry document's upload (`/e/{secret}/tus/{id}`).
async fn entry_terminate(
    State(state): State<AppState>,
    Path((secret, id)): Path<(String, String)>,
) -> TusResult {
    terminate_as(&state, Who::EntryLink(secret), &id).await
}

async fn terminate_as(state: &AppState, who: Who, id: &str) -> TusResult {
    let id = checked_id(id)?;
    let lock = lock_upload(state, id).await?;
    let cancelled = state.core.cancel_upload_as(&who.caller(), id).await;
    state.core.release(lock).await;
    cancelled?;
    Ok(StatusCode::NO_CONTENT.into_response())
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

/// Properties of the tus header parsers, which read whatever a client sends.
#[cfg(test)]
mod properties {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use proptest::prelude::*;

    fn headers(name: &HeaderName, value: &str) -> Option<HeaderMap> {
        let mut h = HeaderMap::new();
        h.insert(name.clone(), HeaderValue::from_str(value).ok()?);
        Some(h)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        /// What a tus client encodes (keys without spaces or commas, any bytes as values),
        /// khlang decodes to the same pairs.
        #[test]
        fn metadata_round_trips(
            pairs in prop::collection::btree_map("[!-+\\--~]{1,16}", prop::collection::vec(any::<u8>(), 0..64), 0..6),
        ) {
            let raw = pairs
                .iter()
                .map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k} {}", STANDARD.encode(v)) })
                .collect::<Vec<_>>()
                .join(",");
            let parsed = parse_metadata(&raw).map_err(|()| TestCaseError::fail(raw.clone()))?;
            prop_assert_eq!(parsed.len(), pairs.len());
            for (k, v) in &pairs {
                prop_assert_eq!(parsed.get(k), Some(v), "{}", raw);
            }
        }

        /// Any header text parses or is refused; a key is never empty nor holds a separator.
        #[test]
        fn metadata_keys_are_clean(raw in "[ -~]{0,80}") {
            if let Ok(m) = parse_metadata(&raw) {
                for k in m.keys() {
                    prop_assert!(!k.is_empty() && !k.contains([' ', ',']), "{:?} from {:?}", k, raw);
                }
            }
        }

        /// `Upload-Offset` and `Upload-Length` are non-negative integers (tus 1.0): digits only,
        /// read exactly; anything else is refused, never guessed at.
        #[test]
        fn offsets_are_plain_digits(raw in "[ +\\-0-9a-f.]{0,24}", n in any::<u64>()) {
            let name = HeaderName::from_static("upload-offset");
            if let Some(h) = headers(&name, &raw)
                && let Ok(Some(v)) = header_u64(&h, &name)
            {
                let digits = raw.trim();
                prop_assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{:?} read as {}", raw, v);
                prop_assert_eq!(digits.trim_start_matches('0').to_string(), if v == 0 { String::new() } else { v.to_string() });
            }
            let h = headers(&name, &n.to_string()).expect("digits are a header value");
            prop_assert_eq!(header_u64(&h, &name), Ok(Some(n)));
        }
    }
}
