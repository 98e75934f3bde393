//! The contest's pages (การคัดเลือก): organisers set up rounds ([`rounds`]) and register
//! entrants and act on their entries ([`entries`]), entrants complete their entry from a link
//! ([`entry`]), judges score ([`judging`]), everyone reads published results and verifies
//! certificates ([`results`]).

mod entries;
mod entry;
mod judging;
mod results;
mod round_form;
mod rounds;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(rounds::routes())
        .merge(entries::routes())
        .merge(entry::routes())
        .merge(judging::routes())
        .merge(results::routes())
}
