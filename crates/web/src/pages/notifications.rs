//! The inbox (การแจ้งเตือน) behind the header's bell.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
