//! Targets (เป้าหมาย) per unit and fiscal year and their live progress, rolled up the tree.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
