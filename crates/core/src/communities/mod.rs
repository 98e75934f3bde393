//! Communities of practice (ชุมชนนักปฏิบัติ, CoP): communities per topic or unit, open or
//! members-only, with facilitators (คุณอำนวย); threads and questions with replies, accepted
//! answers, moderation, and a thread turned into a knowledge item.

mod answers;
mod attachments;
mod members;
pub mod model;
pub mod ports;
pub mod search;
pub mod service;

pub use ports::CommunityStore;
pub use search::ThreadIndex;
