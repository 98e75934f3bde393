//! The executive dashboard: one subtree, one fiscal year, one screen.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
