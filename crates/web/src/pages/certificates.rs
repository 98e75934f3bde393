//! Certificates: the public verification page, the printable A4 certificate, revocation.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
