//! Lessons learned: /lessons, the templates to start from, and lessons of an event or activity.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
