//! OAI-PMH 2.0 (the Open Archives Initiative Protocol for Metadata Harvesting) at `/oai`:
//! library catalogues, ThaiLIS and national harvesters copy the metadata of published public
//! items from here. The rules — a request parsed into a typed value, resumption tokens, the
//! protocol's error codes, which items are records and which are deleted records — live in
//! [`model`]; the use-case in [`service`]; the query behind [`ports::OaiStore`].

pub mod model;
pub mod ports;
pub mod service;

pub use model::{
    Datestamp, DublinCore, Header, METADATA_PREFIX, OaiArgs, OaiError, OaiErrorCode, OaiRequest,
    OaiSettings, Record, ResumptionToken, SetSpec, Verb,
};
pub use ports::{OaiQuery, OaiRow, OaiStore};
pub use service::{OaiAnswer, OaiReply, OaiSet, RecordList, TokenInfo};
