//! Targets (เป้าหมาย, seed 003's district table): per unit and fiscal year, people and items
//! required per person by a due date, optionally per category; progress computed live from
//! the repository and rolled up the unit tree (see [`progress`]).

pub mod model;
pub mod ports;
pub mod progress;
pub mod service;

pub use model::{Progress, ProgressReport, Target, TargetInput};
pub use ports::TargetStore;
