//! Extractors whose failures speak Thai instead of axum's English plain text: bodies (form,
//! JSON), query strings and path parameters, each in a page flavour (Thai error page) and an
//! API flavour (problem+json). What slips past them is caught by
//! [`crate::error::render_rejections`].

use crate::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use khlang_core::DomainError;
use serde::de::DeserializeOwned;

/// A body refused by axum: the limit and the content type keep their status, anything else
/// is a 400 saying `what`.
fn body_rejection(status: StatusCode, what: String) -> WebError {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            WebError::Rejected(status)
        }
        _ => WebError::BadRequest(what),
    }
}

/// A query string that does not fit the handler's shape. Handlers take numbers as text and
/// parse them into domain types themselves, so this is rare: a repeated or garbled key.
fn query_rejection(e: &axum::extract::rejection::QueryRejection) -> WebError {
    tracing::debug!(error = %e.body_text(), "unreadable query string");
    WebError::BadRequest("ค่าหลังเครื่องหมาย ? ในที่อยู่อ่านไม่ได้ กรุณากลับไปหน้าก่อนแล้วใช้ลิงก์ในหน้านั้น".into())
}

/// Query parameters of a page.
pub struct ThaiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ThaiQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ThaiQuery(q.0))
            .map_err(|e| query_rejection(&e))
    }
}

/// Query parameters of an API call.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError(query_rejection(&e)))
    }
}

/// Path parameters of a page (`/items/{id}`): one that does not parse names nothing, so
/// `/items/abc` is the same Thai 404 as `/items/999999`.
pub struct ThaiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ThaiPath<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, WebError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ThaiPath(p.0))
            .map_err(|_| WebError::Domain(DomainError::NotFound))
    }
}

/// A page number from a query value, bounded when parsed; out of range is a field error.
pub fn page_param(v: Option<&str>) -> Result<khlang_core::paging::PageNumber, DomainError> {
    khlang_core::paging::PageNumber::parse_opt(v).map_err(DomainError::from)
}

/// A page number from a link people follow (pages, search): junk is the first page, past
/// the last possible page a field error.
pub fn page_link_param(v: Option<&str>) -> Result<khlang_core::paging::PageNumber, DomainError> {
    khlang_core::paging::PageNumber::parse_or_first(v).map_err(DomainError::from)
}

/// A page size from a query value: empty is `default`, more than `max` is a field error.
pub fn per_page_param(
    v: Option<&str>,
    default: u64,
    max: u64,
) -> Result<khlang_core::paging::PerPage, DomainError> {
    khlang_core::paging::PerPage::parse_opt(v, default, max).map_err(DomainError::from)
}

/// An HTML form body; unreadable input gets a Thai 400 page.
pub struct ThaiForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ThaiForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(ThaiForm(v)),
            Err(e) => {
                tracing::debug!(error = %e, "unreadable form");
                Err(body_rejection(
                    e.status(),
                    "อ่านข้อมูลจากแบบฟอร์มไม่ได้ กรุณาลองส่งใหม่อีกครั้ง".into(),
                ))
            }
        }
    }
}

/// A JSON body; malformed JSON or wrong fields get a problem+json 400 naming the cause.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(ApiError(match e.status() {
                StatusCode::UNSUPPORTED_MEDIA_TYPE => WebError::BadRequest(
                    "ต้องส่งข้อมูลเป็น JSON (Content-Type: application/json)".to_string(),
                ),
                status => body_rejection(status, format!("ข้อมูล JSON ไม่ถูกต้อง: {}", e.body_text())),
            })),
        }
    }
}

/// A numeric id in the URL; anything else is a 404 problem, not axum's plain-text 400.
pub struct ApiId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for ApiId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<i64>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(id)) => Ok(ApiId(id)),
            Err(_) => Err(ApiError(WebError::Domain(
                khlang_core::DomainError::NotFound,
            ))),
        }
    }
}
