//! khlang's HTTP face: Thai HTML pages (askama, htmx, works with JavaScript off) and the JSON
//! API, both thin over the core. This crate never sees the database or object store.

mod api;
mod assets;
mod auth;
mod caching;
mod charts;
mod discovery;
mod error;
mod files;
mod forms;
mod gantt;
mod markdown;
mod oai;
mod ops;
mod pages;
mod qr;
mod sheets;
mod tus;
mod usage;
mod view;

pub use error::WebError;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode, header};
use khlang_core::service::Khlang;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Settings the web layer needs from configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Where people reach khlang, e.g. `https://km.example.go.th`; used in printed links.
    pub public_base_url: String,
    /// Largest accepted upload in bytes.
    pub upload_limit: u64,
    /// Mark cookies `Secure` (true when the public URL is https).
    pub secure_cookies: bool,
}

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub core: Khlang,
    pub config: Arc<WebConfig>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application as one router (pages, API, assets, health checks).
pub fn router(core: Khlang, config: WebConfig) -> Router {
    // Browsers that once reached khlang over https never fall back to plain http.
    let hsts = config
        .public_base_url
        .starts_with("https://")
        .then(|| HeaderValue::from_static("max-age=31536000"));
    let state = AppState {
        core,
        config: Arc::new(config),
    };
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .merge(api::docs())
        .merge(files::routes())
        .merge(tus::routes())
        .merge(ops::routes())
        .merge(oai::routes())
        .merge(assets::routes())
        .fallback(pages::not_found)
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                // File bodies are sent as stored: compressing them would break ranges and lengths.
                .layer(CompressionLayer::new().compress_when(DefaultPredicate::new().and(
                    |_: StatusCode, _: axum::http::Version, h: &axum::http::HeaderMap, _: &axum::http::Extensions| {
                        !h.contains_key(header::ACCEPT_RANGES)
                    },
                )))
                // Every error answer, also those made before a handler (axum's rejections,
                // 405, 413, the 408 below), is rendered by error.rs: Thai, HTML or problem+json.
                .layer(axum::middleware::from_fn(error::render_rejections))
                .layer(axum::middleware::from_fn(caching::conditional))
                .layer(axum::middleware::from_fn(time_limit))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
                .layer(SetResponseHeaderLayer::if_not_present(header::STRICT_TRANSPORT_SECURITY, hsts))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("same-origin"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(
                        "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
                    ),
                )),
        )
}

/// Uploads may take as long as a weak connection needs; everything else answers within
/// 60 seconds or gets a 408.
async fn time_limit(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let upload = matches!(
        *req.method(),
        axum::http::Method::POST | axum::http::Method::PATCH
    ) && req.uri().path().contains("/files");
    if upload {
        return next.run(req).await;
    }
    match tokio::time::timeout(Duration::from_secs(60), next.run(req)).await {
        Ok(res) => res,
        Err(_) => (StatusCode::REQUEST_TIMEOUT, "หมดเวลา กรุณาลองใหม่").into_response(),
    }
}
