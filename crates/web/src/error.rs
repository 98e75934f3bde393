//! The one place errors become responses: an HTML page for browsers, `application/problem+json`
//! for the API. Internal causes are logged with the request's span, never shown.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use khlang_core::DomainError;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The form's CSRF token is missing or does not match the session.
    #[error("แบบฟอร์มหมดอายุหรือไม่ถูกต้อง กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง")]
    Csrf,
    /// The request itself could not be read (bad encoding, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// Refused before any handler ran (a method the route lacks, a body over the limit, a
    /// media type it does not take …): axum's status, khlang's words.
    #[error("{}", rejection_message(*.0))]
    Rejected(StatusCode),
}

/// Marks a response this module rendered, so [`render_rejections`] leaves it alone.
#[derive(Debug, Clone, Copy)]
struct Rendered;

/// What to tell someone whose request was turned away with `status` before reaching khlang.
fn rejection_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => "ไม่พบหน้าที่ต้องการ กรุณาตรวจที่อยู่อีกครั้ง",
        405 => "ที่อยู่นี้ไม่รับคำขอแบบนี้ กรุณากลับไปหน้าก่อนแล้วใช้ปุ่มหรือลิงก์ในหน้านั้น",
        408 => "หมดเวลา กรุณาลองใหม่",
        411 => "คำขอต้องระบุขนาดข้อมูล (Content-Length)",
        413 => "ข้อมูลที่ส่งมาใหญ่เกินกำหนด — ลดขนาดข้อความหรือไฟล์แล้วลองอีกครั้ง",
        415 => "ชนิดข้อมูลที่ส่งมาไม่รองรับ กรุณาส่งจากแบบฟอร์มในหน้าเว็บ หรือตามรูปแบบที่เอกสาร API ระบุ",
        s if s >= 500 => "ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง",
        _ => "คำขอไม่ถูกต้อง กรุณาตรวจที่อยู่หรือข้อมูลที่ส่งแล้วลองใหม่",
    }
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Rejected(status) => *status,
            WebError::Domain(e) => match e {
                DomainError::NotFound => StatusCode::NOT_FOUND,
                DomainError::Conflict(_) => StatusCode::CONFLICT,
                DomainError::Forbidden => StatusCode::FORBIDDEN,
                DomainError::Unauthenticated => StatusCode::UNAUTHORIZED,
                DomainError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                DomainError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
                DomainError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    /// Machine-readable problem type, stable for API clients.
    fn kind(&self) -> &'static str {
        match self {
            WebError::Csrf => "csrf",
            WebError::BadRequest(_) => "bad-request",
            WebError::Rejected(status) => match status.as_u16() {
                404 => "not-found",
                405 => "method-not-allowed",
                408 => "timeout",
                413 => "too-large",
                415 => "unsupported-media-type",
                s if s >= 500 => "internal",
                _ => "bad-request",
            },
            WebError::Domain(e) => match e {
                DomainError::NotFound => "not-found",
                DomainError::Conflict(_) => "conflict",
                DomainError::Forbidden => "forbidden",
                DomainError::Unauthenticated => "unauthenticated",
                DomainError::Invalid(_) => "invalid",
                DomainError::Throttled { .. } => "throttled",
                DomainError::TooLarge(_) => "too-large",
                DomainError::Internal(_) => "internal",
            },
        }
    }

    fn log(&self) {
        if let WebError::Domain(DomainError::Internal(cause)) = self {
            tracing::error!(%cause, "internal error");
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            WebError::Domain(DomainError::Throttled { retry_after_secs }) => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }

    fn with_retry_after(&self, mut res: Response) -> Response {
        if let Some(secs) = self.retry_after()
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }

    fn field_messages(&self) -> Vec<String> {
        match self {
            WebError::Domain(DomainError::Invalid(errors)) => {
                errors.iter().map(|e| e.message.clone()).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// Browsers get a small Thai page that says what happened and where to go next.
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let next = match status {
            StatusCode::UNAUTHORIZED => r#"<a href="/login">เข้าสู่ระบบ</a>"#,
            StatusCode::FORBIDDEN if matches!(self, WebError::Csrf) => {
                r#"<a href="javascript:history.back()">กลับไปหน้าก่อน</a> แล้วโหลดหน้าใหม่"#
            }
            // The same words whether the thing is missing or only hidden from this reader.
            StatusCode::NOT_FOUND => {
                r#"<a href="/">กลับหน้าแรก</a> · หากเป็นเอกสารเฉพาะสมาชิก กรุณา<a href="/login">เข้าสู่ระบบ</a>แล้วเปิดลิงก์อีกครั้ง"#
            }
            _ => r#"<a href="/">กลับหน้าแรก</a>"#,
        };
        let details: String = self
            .field_messages()
            .iter()
            .map(|m| format!("<li>{}</li>", crate::view::escape(m)))
            .collect();
        let body = format!(
            r#"<!doctype html><html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} — คลัง</title><link rel="stylesheet" href="/static/khlang.css"></head><body><header class="site"><a class="brand" href="/">คลัง</a></header><main><h1>{title}</h1><div class="flash error"><p>{msg}</p>{list}</div><p>{next}</p></main></body></html>"#,
            title = status_title(status),
            msg = crate::view::escape(&self.to_string()),
            list = if details.is_empty() {
                String::new()
            } else {
                format!("<ul>{details}</ul>")
            },
        );
        let mut res = (status, Html(body)).into_response();
        res.extensions_mut().insert(Rendered);
        self.with_retry_after(res)
    }
}

fn status_title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "คำขอไม่ถูกต้อง",
        401 => "กรุณาเข้าสู่ระบบ",
        403 => "ไม่มีสิทธิ์เข้าถึง",
        404 => "ไม่พบหน้าที่ต้องการ",
        409 => "ข้อมูลซ้ำหรือขัดแย้ง",
        405 => "ใช้คำขอนี้ไม่ได้",
        408 => "หมดเวลา",
        413 => "ข้อมูลใหญ่เกินกำหนด",
        415 => "ชนิดข้อมูลไม่รองรับ",
        422 => "ข้อมูลไม่ถูกต้อง",
        429 => "ลองใหม่ภายหลัง",
        _ => "ระบบขัดข้อง",
    }
}

/// The same error for API clients, as RFC 9457 problem details with a Thai title.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let status = e.status();
        let mut body = json!({
            "type": format!("https://khlang.dev/problems/{}", e.kind()),
            "title": e.to_string(),
            "status": status.as_u16(),
        });
        if let WebError::Domain(DomainError::Invalid(errors)) = &e {
            body["errors"] = errors
                .iter()
                .map(|f| json!({"field": f.field, "message": f.message}))
                .collect();
        }
        let mut res = (status, Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res.extensions_mut().insert(Rendered);
        e.with_retry_after(res)
    }
}

/// Whether a request is answered as the API (problem+json) rather than as a page.
fn wants_problem_json(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || path.starts_with("/files/tus")
}

/// The safety net behind the extractors: any error answer that did not come from this
/// module — axum's plain-text rejections (bad query, path, body, JSON, content type, body
/// limit), the router's empty 405, a bare status — is rendered here like every other error,
/// keeping its status and headers (`Allow`, `Tus-Resumable` …). Pages that render their own
/// error page (a form shown again with 422) are HTML and pass through untouched.
pub async fn render_rejections(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let api = wants_problem_json(req.uri().path());
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error())
        || res.extensions().get::<Rendered>().is_some()
    {
        return res;
    }
    let plain = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|ct| ct.starts_with("text/plain"));
    if !plain {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    if status.is_server_error() {
        // The cause was not ours to show; keep it for the log.
        if let Ok(bytes) = axum::body::to_bytes(body, 4096).await {
            tracing::error!(%status, cause = %String::from_utf8_lossy(&bytes), "error answered outside the renderer");
        }
    } else {
        tracing::debug!(%status, "request refused before a handler");
    }
    let e = WebError::Rejected(status);
    let fresh = if api {
        ApiError(e).into_response()
    } else {
        e.into_response()
    };
    let (fresh_parts, fresh_body) = fresh.into_parts();
    for name in [header::CONTENT_TYPE, header::CONTENT_LENGTH] {
        parts.headers.remove(&name);
        if let Some(v) = fresh_parts.headers.get(&name) {
            parts.headers.insert(name, v.clone());
        }
    }
    parts.extensions.insert(Rendered);
    Response::from_parts(parts, fresh_body)
}
