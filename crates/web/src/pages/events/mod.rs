//! Events: /events, registration, check-in by QR, attendance list, certificates, booths.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
