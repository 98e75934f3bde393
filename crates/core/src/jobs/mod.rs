//! Background jobs (งานเบื้องหลัง): work too long for a request — building a knowledge book,
//! importing a WordPress export or a spreadsheet of items — queued by a person, run by
//! whichever khlang process claims it first, with progress they can watch and a file to
//! download at the end. One mechanism for every kind (see [`model::JobKind`]).

pub mod model;
pub mod ports;
pub mod service;

pub use model::{Job, JobFile, JobId, JobKind, JobState, Progress};
pub use ports::JobStore;
pub use service::{JobOutput, JobRun};
