//! The outstanding-volunteer contest (การคัดเลือก อสม.ดีเด่น, seeds 000 and 002) and contests
//! for offices (seed 001): rounds that climb province → health zone → region → nation per
//! branch, entries submitted from a phone through a link without an account, judging with
//! conflicts of interest excluded, declared tie-breaks, published results that promote the
//! winners into the next round, and certificates.
//!
//! - [`model`]: the shared types.
//! - [`rounds`]: contests, rounds and their settings, entrants, entry links, documents,
//!   the organiser's tables and the ZIP of an entry.
//! - [`judging`]: judges, scores, conflicts, ranking, results, promotion.
//! - [`public`]: what anyone may read: the rounds with published results.
//! - [`rules`]: the pure rules of judging (weighted totals, tie-breaks, z-scores, conflicts).

pub mod judging;
pub mod model;
pub mod ports;
pub mod public;
pub mod rounds;
pub mod rules;

pub use model::{Contest, Entry, Round, RoundLevel, RoundStatus};
pub use ports::{JudgingStore, RoundStore};
