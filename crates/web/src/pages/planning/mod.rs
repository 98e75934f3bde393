//! KM plan pages (แผนการจัดการความรู้): the list, Forms 1 and 2, review and history, the
//! Gantt; `export` holds the official XLSX and PDF layouts and the XLSX import.

mod export;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().merge(export::routes())
}
