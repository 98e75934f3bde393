//! Liveness and readiness for load balancers and operators.

use super::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// The process answers.
async fn healthz() -> &'static str {
    "ok"
}

/// Database and file storage both answer; the cause goes to the log, not the response.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.core.ready().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(cause) => {
            tracing::warn!(%cause, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready")
        }
    }
}
