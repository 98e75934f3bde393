//! Cohorts (รุ่น): an officer enrols the people holding a role on chosen units, with start and
//! end dates; progress per learner, per cohort and per unit rolled up the unit tree; reminders
//! in the inbox before a cohort ends.

pub mod model;
pub mod ports;
mod reminders;
pub mod service;

pub use ports::CohortStore;
