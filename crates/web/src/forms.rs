//! Body extractors whose failures speak Thai instead of axum's English plain text.

use crate::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// An HTML form body; unreadable input gets a Thai 400 page.
pub struct ThaiForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ThaiForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(ThaiForm(v)),
            Err(e) => {
                tracing::debug!(error = %e, "unreadable form");
                Err(WebError::BadRequest(
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
            Err(e) => {
                let why = if e.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                    "ต้องส่งข้อมูลเป็น JSON (Content-Type: application/json)".to_string()
                } else {
                    format!("ข้อมูล JSON ไม่ถูกต้อง: {}", e.body_text())
                };
                Err(ApiError(WebError::BadRequest(why)))
            }
        }
    }
}

/// A numeric id in the URL; anything else is a 404 problem, not axum's plain-text 400.
pub struct ApiId(pub i64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ApiId {
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
