//! The innovation registry's tables (ตารางสถิติและการนำเข้าบัญชีนวัตกรรม): the statistics of
//! seed 000 §1.4 (innovations by branch with shares, by branch × regional centre, the applied
//! count of success level 5) and the import of many innovations from an XLSX laid out on the
//! 7-section collection form, all or nothing.
//!
//! It reads innovations only through the innovations context's service
//! (`Khlang::innovation_counts`) and writes them through its own batch port ([`ports`]), so
//! that an import is one database transaction.

pub mod import;
pub mod import_service;
pub mod model;
pub mod ports;
pub mod service;

pub use model::{FiscalYear, Statistics, StatisticsFilter};
