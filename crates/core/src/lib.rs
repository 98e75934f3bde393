//! khlang's domain core: the rules of a Thai knowledge-management platform, free of HTTP,
//! SQL and object storage. Everything outside talks to it through [`ports`].

pub mod account;
pub mod books;
pub mod certificates;
pub mod communities;
pub mod contests;
pub mod dashboard;
pub mod error;
pub mod events;
pub mod feeds;
pub mod field;
pub mod file;
pub mod forms;
pub mod geo;
pub mod ids;
pub mod imports;
pub mod innovations;
pub mod item;
pub mod jobs;
pub mod learning;
pub mod lessons;
pub mod levels;
pub mod line;
pub mod media;
pub mod networks;
pub mod notifications;
pub mod oai;
pub mod org;
pub mod paging;
pub mod people;
pub mod planning;
pub mod ports;
pub mod print;
pub mod recognition;
pub mod reference;
pub mod registry_tables;
pub mod report;
pub mod search;
pub mod service;
pub mod targets;
pub mod taxonomy;
pub mod text;
pub mod usage;

pub use error::{DomainError, FieldError};
