//! The contests' storage: [`rounds`] (contests, rounds, entries, links, documents) and
//! [`judging`] (judges, sheets, scores, conflicts, results), in plain SQL that SQLite and
//! PostgreSQL both speak; times are Unix milliseconds.

mod judging;
mod rounds;
