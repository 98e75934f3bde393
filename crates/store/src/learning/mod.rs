//! The learning context's ports over the database in plain SQL that SQLite and PostgreSQL both
//! speak (m0023): one file per room. Times are Unix milliseconds.

mod cohorts;
mod courses;
mod learners;

use khlang_core::error::PortError;

/// `?, ?, …` for `n` values.
pub(crate) fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

pub(crate) fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored learning {what} is invalid: {e}"))
}

/// A non-negative INTEGER column.
pub(crate) fn count(r: &sea_orm::QueryResult, col: &str) -> khlang_core::ports::PortResult<u32> {
    Ok(crate::store::get::<i32>(r, col)?.max(0) as u32)
}
