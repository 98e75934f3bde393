//! The KM network registry (ทะเบียนเครือข่ายนักจัดการความรู้) and the trainer directory (ทำเนียบครูฝึก).

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
}
