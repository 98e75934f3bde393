//! Downloads of attached files: `/files/{id}` and `/files/{id}/{pretty Thai name}`, and the
//! copies of pictures: `/files/{id}/thumb` and `/files/{id}/display`.
//!
//! Streams from storage (never buffered), answers `Range` for video players and PDF viewers,
//! and `If-None-Match` against the content's SHA-256. Who may read is decided by the core,
//! and so is what they get: a picture's original (with its EXIF, GPS and all) only goes to
//! those who may edit its item; every other reader gets a copy without metadata, from every
//! one of these URLs.

use crate::AppState;
use crate::auth::{ApiCaller, SESSION_COOKIE, cookie, percent_encode};
use crate::error::WebError;
use crate::usage::UsageClient;
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::account::Secret;
use khlang_core::file::{self, FileName, RangeRequest};
use khlang_core::ids::FileId;
use khlang_core::item::ItemFile;
use khlang_core::media::{Derivative, Want};
use khlang_core::org::Actor;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/files/{file_id}", get(download_page))
        .route("/files/{file_id}/thumb", get(thumb_page))
        .route("/files/{file_id}/display", get(display_page))
        .route("/files/{file_id}/{name}", get(download_page_named))
}

/// Whoever reads: a bearer token when one is sent (it must be valid), else a valid session
/// cookie, else nobody. Reading needs no CSRF token; a stale session cookie reads as nobody.
pub(crate) async fn reader(parts: &mut Parts, state: &AppState) -> Result<Actor, WebError> {
    if parts.headers.contains_key(header::AUTHORIZATION) {
        return ApiCaller::from_request_parts(parts, state)
            .await
            .map(|c| c.actor)
            .map_err(|e| e.0);
    }
    match cookie(&parts.headers, SESSION_COOKIE) {
        Some(secret) => Ok(state
            .core
            .resolve_session(&Secret::from_presented(secret))
            .await?
            .map_or(Actor::Anonymous, |s| s.actor)),
        None => Ok(Actor::Anonymous),
    }
}

/// A reader of downloads in the browser.
pub(crate) struct Reader(pub Actor);

impl FromRequestParts<AppState> for Reader {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        reader(parts, state).await.map(Reader)
    }
}

#[utoipa::path(
    method(get, head),
    path = "/files/{file_id}",
    operation_id = "downloadFileLink",
    tag = "files",
    summary = "ดาวน์โหลดไฟล์ (ลิงก์สำหรับผู้ใช้) — Download a file (link for people)",
    description = "The download behind khlang's pages: as `/api/v1/files/{file_id}`, but errors \
                   are Thai HTML pages. A file this reader may not see answers exactly as a \
                   missing one (404), for anonymous visitors too.",
    security((), ("bearer" = []), ("session" = [])),
    params(
        ("file_id" = i64, Path, description = "File id"),
        ("Range" = Option<String>, Header, description = "e.g. `bytes=0-1023`"),
        ("If-Range" = Option<String>, Header, description = "The `ETag` the client holds"),
        ("If-None-Match" = Option<String>, Header, description = "`ETag`s the client holds"),
    ),
    responses(
        (status = 200, description = "The whole file, in its stored type",
            content(("application/octet-stream")),
            headers(
                ("ETag" = String, description = "Quoted SHA-256 of the content"),
                ("Content-Disposition" = String, description = "`inline` for PDF, images, video and audio; else `attachment`; the Thai name as `filename*`"),
                ("Accept-Ranges" = String, description = "`bytes`"),
                ("Cache-Control" = String, description = "`private, no-cache`"),
            )),
        (status = 206, description = "The requested range",
            content(("application/octet-stream")),
            headers(("Content-Range" = String, description = "`bytes first-last/size`"))),
        (status = 304, description = "Not modified (`If-None-Match` matched)"),
        (status = 401, description = "An invalid bearer token", content_type = "text/html"),
        (status = 404, description = "No such file, or none this reader may see", content_type = "text/html"),
        (status = 416, description = "The range is outside the file",
            headers(("Content-Range" = String, description = "`bytes */size`"))),
    )
)]
async fn download_page(
    State(state): State<AppState>,
    Reader(actor): Reader,
    Path(file_id): Path<String>,
    method: Method,
    headers: HeaderMap,
    UsageClient(client): UsageClient,
) -> Response {
    let res = page_response(&state, &actor, &file_id, Want::Original, &method, &headers).await;
    count_download(&state, &client, &file_id, &method, res).await
}

/// Usage statistics: a download by a person's link counts once it starts at the first byte
/// (see [`crate::usage::counted_download`]); HEAD, 304 and later chunks do not.
async fn count_download(
    state: &AppState,
    client: &khlang_core::usage::Client,
    file_id: &str,
    method: &Method,
    res: Response,
) -> Response {
    if method == Method::GET
        && crate::usage::counted_download(&res)
        && let Ok(id) = file_id.parse::<i64>()
    {
        let hit = khlang_core::usage::Hit::Download(FileId(id));
        crate::usage::count(state, client, hit).await;
    }
    res
}

/// The name in the URL is for people and saved links; the id decides.
#[utoipa::path(
    method(get, head),
    path = "/files/{file_id}/{name}",
    operation_id = "downloadFileNamed",
    tag = "files",
    summary = "ดาวน์โหลดไฟล์พร้อมชื่อ — Download a file by a link with its name",
    description = "As `/files/{file_id}`; the name (percent-encoded, e.g. the `url` of a file in \
                   the API) is for people and saved links, the id decides.",
    security((), ("bearer" = []), ("session" = [])),
    params(
        ("file_id" = i64, Path, description = "File id"),
        ("name" = String, Path, description = "Any name; usually the file's own"),
        ("Range" = Option<String>, Header, description = "e.g. `bytes=0-1023`"),
        ("If-Range" = Option<String>, Header, description = "The `ETag` the client holds"),
        ("If-None-Match" = Option<String>, Header, description = "`ETag`s the client holds"),
    ),
    responses(
        (status = 200, description = "The whole file, in its stored type",
            content(("application/octet-stream")),
            headers(
                ("ETag" = String, description = "Quoted SHA-256 of the content"),
                ("Content-Disposition" = String, description = "`inline` for PDF, images, video and audio; else `attachment`; the Thai name as `filename*`"),
                ("Accept-Ranges" = String, description = "`bytes`"),
                ("Cache-Control" = String, description = "`private, no-cache`"),
            )),
        (status = 206, description = "The requested range",
            content(("application/octet-stream")),
            headers(("Content-Range" = String, description = "`bytes first-last/size`"))),
        (status = 304, description = "Not modified (`If-None-Match` matched)"),
        (status = 401, description = "An invalid bearer token", content_type = "text/html"),
        (status = 404, description = "No such file, or none this reader may see", content_type = "text/html"),
        (status = 416, description = "The range is outside the file",
            headers(("Content-Range" = String, description = "`bytes */size`"))),
    )
)]
async fn download_page_named(
    State(state): State<AppState>,
    Reader(actor): Reader,
    Path((file_id, _name)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    UsageClient(client): UsageClient,
) -> Response {
    let res = page_response(&state, &actor, &file_id, Want::Original, &method, &headers).await;
    count_download(&state, &client, &file_id, &method, res).await
}

/// A picture's thumbnail (long edge 480 px), re-encoded as JPEG without metadata.
#[utoipa::path(
    method(get, head),
    path = "/files/{file_id}/thumb",
    operation_id = "pictureThumb",
    tag = "files",
    summary = "ภาพย่อ — A picture's thumbnail",
    description = "A JPEG whose long edge is at most 480 px, upright, with no EXIF (no GPS), \
                   made on the server from an attached JPEG, PNG, WebP or GIF, for whoever may \
                   read its item. Anything that is not a picture answers 404.",
    security((), ("bearer" = []), ("session" = [])),
    params(
        ("file_id" = i64, Path, description = "File id"),
        ("If-None-Match" = Option<String>, Header, description = "`ETag`s the client holds"),
    ),
    responses(
        (status = 200, description = "The thumbnail", content(("image/jpeg")),
            headers(("ETag" = String, description = "Quoted; differs from the original's"))),
        (status = 304, description = "Not modified (`If-None-Match` matched)"),
        (status = 404, description = "No such file, none this reader may see, or not a picture", content_type = "text/html"),
        (status = 422, description = "A picture that cannot be copied (too many pixels, damaged); Thai reason", content_type = "text/html"),
    )
)]
async fn thumb_page(
    State(state): State<AppState>,
    Reader(actor): Reader,
    Path(file_id): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let want = Want::Copy(Derivative::Thumb);
    page_response(&state, &actor, &file_id, want, &method, &headers).await
}

/// A picture's display copy (long edge 1600 px), re-encoded as JPEG without metadata.
#[utoipa::path(
    method(get, head),
    path = "/files/{file_id}/display",
    operation_id = "pictureDisplay",
    tag = "files",
    summary = "ภาพสำหรับแสดง — A picture's display copy",
    description = "As `/files/{file_id}/thumb` with a long edge of at most 1600 px. This is also \
                   what `/files/{file_id}` serves for a picture to anyone who may not edit its item.",
    security((), ("bearer" = []), ("session" = [])),
    params(
        ("file_id" = i64, Path, description = "File id"),
        ("If-None-Match" = Option<String>, Header, description = "`ETag`s the client holds"),
    ),
    responses(
        (status = 200, description = "The display copy", content(("image/jpeg")),
            headers(("ETag" = String, description = "Quoted; differs from the original's"))),
        (status = 304, description = "Not modified (`If-None-Match` matched)"),
        (status = 404, description = "No such file, none this reader may see, or not a picture", content_type = "text/html"),
        (status = 422, description = "A picture that cannot be copied (too many pixels, damaged); Thai reason", content_type = "text/html"),
    )
)]
async fn display_page(
    State(state): State<AppState>,
    Reader(actor): Reader,
    Path(file_id): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let want = Want::Copy(Derivative::Display);
    page_response(&state, &actor, &file_id, want, &method, &headers).await
}

async fn page_response(
    state: &AppState,
    actor: &Actor,
    file_id: &str,
    want: Want,
    method: &Method,
    headers: &HeaderMap,
) -> Response {
    // A file hidden from this reader answers as a missing one (no sign-in redirect that a
    // missing id would not get); the Thai 404 page offers sign-in to both alike.
    serve(state, actor, file_id, want, method, headers)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

/// The path of a file's download with its name, e.g. `/files/12/%E0%B8%84….pdf`.
pub(crate) fn download_path(f: &ItemFile) -> String {
    format!("/files/{}/{}", f.id, percent_encode(&f.name))
}

/// Browsers show these themselves; everything else is saved.
fn shown_inline(mime: &str) -> bool {
    mime == "application/pdf"
        || ["image/", "video/", "audio/"]
            .iter()
            .any(|p| mime.starts_with(p))
}

/// RFC 9110 §13.1.2: weak comparison, a list of tags, or `*`.
fn none_match(header: Option<&HeaderValue>, etag: &str) -> bool {
    let Some(v) = header.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    v.split(',').map(str::trim).any(|tag| {
        tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag.trim_start_matches("W/")
    })
}

/// RFC 9110 §13.1.5: a range is only for the representation the client already holds
/// (strong comparison; a date cannot be checked here, so it means "send everything").
fn range_still_applies(if_range: Option<&HeaderValue>, etag: &str) -> bool {
    match if_range {
        None => true,
        Some(v) => v.to_str().is_ok_and(|v| v.trim() == etag),
    }
}

fn header_value(s: &str) -> Result<HeaderValue, WebError> {
    HeaderValue::from_str(s).map_err(|e| DomainError::internal(format!("header {s:?}: {e}")).into())
}

/// The download behind `/api/v1/files/{id}`: see [`serve`].
pub(crate) async fn download(
    state: &AppState,
    actor: &Actor,
    file_id: &str,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    serve(state, actor, file_id, Want::Original, method, headers).await
}

/// The one download handler: 200, 206, 304 or 416, with the type, a Thai-safe
/// `Content-Disposition` and a strong `ETag` of what the core chose to serve this reader
/// (the file as stored, or a picture's copy without metadata).
pub(crate) async fn serve(
    state: &AppState,
    actor: &Actor,
    file_id: &str,
    want: Want,
    method: &Method,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    let id = file_id
        .parse::<i64>()
        .map(FileId)
        .map_err(|_| DomainError::NotFound)?;
    let f = state.core.served_file(actor, id, want).await?;
    let etag = f.etag.clone();
    let mut h = HeaderMap::new();
    h.insert(header::ETAG, header_value(&etag)?);
    // Items can be restricted: shared caches must not keep a copy; the browser revalidates.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    // Who asks decides what a picture's URL serves (original or copy).
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Authorization"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // The item page previews PDFs in a frame of its own origin; nobody else may frame them,
    // and nothing inside a file may load or run anything.
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; media-src 'self'; object-src 'self'; frame-ancestors 'self'"),
    );
    if none_match(headers.get(header::IF_NONE_MATCH), &etag) {
        return Ok((StatusCode::NOT_MODIFIED, h).into_response());
    }
    let range_header = headers
        .get(header::RANGE)
        .filter(|_| range_still_applies(headers.get(header::IF_RANGE), &etag))
        .and_then(|v| v.to_str().ok());
    let range = match file::parse_range(range_header, f.size) {
        Ok(r) => r,
        Err(file::Unsatisfiable) => {
            h.insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes */{}", f.size))?,
            );
            return Ok((StatusCode::RANGE_NOT_SATISFIABLE, h).into_response());
        }
    };
    h.insert(header::CONTENT_TYPE, header_value(&f.mime)?);
    h.insert(
        header::CONTENT_DISPOSITION,
        header_value(&file::content_disposition(
            &FileName::from_trusted(f.name.clone()),
            shown_inline(&f.mime),
        ))?,
    );
    let (status, length) = match &range {
        RangeRequest::Full => (StatusCode::OK, f.size),
        RangeRequest::Partial(r) => {
            h.insert(
                header::CONTENT_RANGE,
                header_value(&format!("bytes {}-{}/{}", r.start, r.end - 1, f.size))?,
            );
            (StatusCode::PARTIAL_CONTENT, r.end - r.start)
        }
    };
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if method == Method::HEAD {
        // The headers are the answer; storage is not asked for bytes nobody will read.
        return Ok((status, h).into_response());
    }
    let stream = state.core.open_served(&f, range).await?;
    Ok((status, h, Body::from_stream(stream)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists() {
        let etag = "\"abc\"";
        let v = |s: &'static str| HeaderValue::from_static(s);
        assert!(none_match(Some(&v("\"abc\"")), etag));
        assert!(none_match(Some(&v("W/\"abc\"")), etag));
        assert!(none_match(Some(&v("\"x\", \"abc\"")), etag));
        assert!(none_match(Some(&v("*")), etag));
        assert!(!none_match(Some(&v("\"abcd\"")), etag));
        assert!(!none_match(None, etag));
        assert!(range_still_applies(None, etag));
        assert!(range_still_applies(Some(&v("\"abc\"")), etag));
        assert!(!range_still_applies(Some(&v("W/\"abc\"")), etag));
        assert!(!range_still_applies(
            Some(&v("Wed, 21 Oct 2015 07:28:00 GMT")),
            etag
        ));
    }

    #[test]
    fn media_and_documents_open_in_the_browser_others_download() {
        for m in ["application/pdf", "image/png", "video/mp4", "audio/mpeg"] {
            assert!(shown_inline(m), "{m}");
        }
        for m in ["application/zip", "application/msword"] {
            assert!(!shown_inline(m), "{m}");
        }
    }
}
