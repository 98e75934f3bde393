//! The knowledge book (หนังสือองค์ความรู้): an officer chooses published items — by
//! category, unit, fiscal year, KM plan or by hand — puts them in order, and khlang builds a
//! PDF in a background job ([`crate::jobs`]): cover, table of contents with page numbers, and
//! each item with its authors, unit, summary, body, pictures and a QR code to its page, in
//! Sarabun on A4 or A5 with Thai or Arabic page numbers.

pub mod layout;
pub mod markdown;
pub mod model;
pub mod service;

pub use model::{BookForm, BookSpec, MAX_ITEMS, Reorder};
pub use service::{BookEntry, Chosen, Selection};
