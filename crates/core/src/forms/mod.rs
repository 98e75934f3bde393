//! Form templates (แบบฟอร์ม): the one mechanism every structured form reuses — the innovation
//! collection form of seed 000 §2.3 first, later lessons-learned, contest entry and KM plan forms.
//! [`model`] holds the types and rules, [`service`] the use-cases on [`crate::service::Khlang`],
//! [`ports`] the storage trait the database adapter implements.

pub mod model;
pub mod ports;
pub mod service;

pub use model::{
    Answer, Audience, ChoiceOption, Entry, EntryChange, Field, FieldKind, FileRef, Lookups,
    RawAnswers, RenderedField, RenderedSection, Section, Strictness, TemplateBody, TemplateVersion,
    diff, missing, parse_section, render, render_with, search_text,
};
pub use ports::TemplateStore;
