//! Success levels (ระดับความสำเร็จ 1–5) per unit and fiscal year.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
