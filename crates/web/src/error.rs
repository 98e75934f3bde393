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
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
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
        let res = (status, Html(body)).into_response();
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
        413 => "ไฟล์ใหญ่เกินกำหนด",
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
        e.with_retry_after(res)
    }
}
