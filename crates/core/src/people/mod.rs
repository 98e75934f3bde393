//! The person register (ทะเบียนบุคคล): innovators and other people, most without an account,
//! reused across innovations and contests, with consent, export and erasure under PDPA.

pub mod model;
pub mod ports;
pub mod service;

pub use model::{
    ANONYMOUS, Consent, Duplicate, Person, PersonDraft, PersonFields, PersonInput, PublicPerson,
    PublicScope,
};
pub use ports::PeopleStore;
pub use service::PersonExport;
