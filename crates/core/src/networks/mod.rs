//! The KM network registry (ทะเบียนเครือข่ายนักจัดการความรู้, seed 003) and the trainer
//! directory (ทำเนียบครูฝึก, seed 000 §2.1). Members are people of the person register, so
//! their personal fields are kept, shown, audited, exported and erased as it does.

pub mod import;
pub mod model;
pub mod ports;
pub mod service;

pub use model::{Member, MemberDraft, MemberFields, MemberRow, Registry};
pub use ports::NetworkStore;
pub use service::{MemberView, RegisterPage, RegisterSheet};
