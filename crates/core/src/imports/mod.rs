//! Bringing existing knowledge in (การนำเข้า): a WordPress export (WXR) with its uploads
//! folder, or a spreadsheet of metadata with a ZIP of files — the paths an agency takes off
//! WordPress, Google Sites or a shared drive.
//!
//! Both go the same way: the upload is read into a [`model::Plan`] (every entry it would
//! make and every problem, by post or row) and kept with its files in the object store; the
//! officer reads that dry run and starts the import, which runs as a background job
//! ([`crate::jobs`]) any process may take over. Each entry carries a key kept with its item
//! in the same transaction, so importing twice, or resuming a job cut short, makes nothing
//! twice.

mod bundle;
pub mod html;
pub mod model;
pub mod ports;
mod service;
pub mod sheet;
pub mod wxr;

pub use model::{Entry, EntryFile, Import, ImportId, Plan, Problem, Source, Target};
pub use ports::ImportStore;
pub use service::{Bundle, ImportParts};
