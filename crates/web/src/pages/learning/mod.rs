//! Learning paths (เรียนรู้): the catalogue and a learner's courses, one lesson per screen and
//! quizzes ([`learn`]); building curricula, courses, lessons and question banks, and course
//! packages ([`manage`]); cohorts and their reports ([`cohorts`]).

mod cohorts;
mod learn;
mod manage;

use crate::AppState;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(learn::routes())
        .merge(manage::routes())
        .merge(cohorts::routes())
}
