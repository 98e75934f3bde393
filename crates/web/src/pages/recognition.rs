//! Recognition: public profiles, badges, praise, and per-unit sharing counts.

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
