//! The innovation registry (บัญชีนวัตกรรม): an innovation is a knowledge item whose entry uses
//! the "innovation" form template (seed 000 §2.3). This context keeps a projection of those
//! items — branch, place, fiscal year, media, innovators, how often others applied it — so the
//! catalogue's filters and the statistics stay fast at tens of thousands of innovations, and
//! the "นำไปใช้แล้ว" (applied it) reports that carry level 5 of the success ladder.

mod entry;
pub mod model;
pub mod ports;
pub mod service;

pub use model::{
    AppliedInput, AppliedReport, Catalogue, InnovationCount, InnovationRow, MediaKind,
    RegionalCentre,
};
pub use ports::InnovationStore;
