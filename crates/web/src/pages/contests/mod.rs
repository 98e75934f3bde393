//! The contest's pages (การคัดเลือก): organisers set up rounds and register entrants
//! ([`rounds`]), entrants complete their entry from a link ([`entry`]), judges score
//! ([`judging`]), everyone reads published results and verifies certificates ([`results`]).

mod entry;
mod judging;
mod results;
mod rounds;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(rounds::routes())
        .merge(entry::routes())
        .merge(judging::routes())
        .merge(results::routes())
}
