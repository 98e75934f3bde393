//! Curricula, courses, lessons and question banks: built by the KM officers of the owning unit
//! (ManageKnowledge) from the repository's published items; the catalogue; course packages.

pub mod catalogue;
mod demo;
pub mod manage;
pub mod package;
pub mod ports;
pub mod rules;
pub mod service;

pub use catalogue::CatalogueEntry;
pub use ports::{CourseChange, CourseEditStore, CourseStore};
