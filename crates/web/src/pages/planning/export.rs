//! A plan in the official layouts: XLSX (seed 003's Forms 1 and 2) and PDF, and the XLSX
//! import of the same layout.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
