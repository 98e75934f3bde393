//! Picture copies (ภาพย่อและภาพสำหรับแสดง): photos from phones carry the GPS position of the
//! volunteer's house in their EXIF. Every picture is shown to readers through copies made on
//! the server — a thumbnail and a display copy, re-encoded so that no metadata survives —
//! and only those who may edit the item download the original bytes (PDPA, issue 10 §3).
//!
//! The copies are made in the background after an upload and, when missing, on the first
//! request; they live in the object store under keys derived from the content's SHA-256, and
//! the database records which exist (so every process on it agrees). The decoding itself is
//! outside core (it is heavy): the binary wires an [`ImageDeriver`] in.

pub mod model;
pub mod ports;
pub mod service;

pub use model::{Derivative, Want, copy_name, is_picture};
pub use ports::{
    CopiesOutcome, CopiesRecord, CopiesState, DerivationJob, ImageDeriver, MediaStore,
    PictureRefused,
};
pub use service::Served;
