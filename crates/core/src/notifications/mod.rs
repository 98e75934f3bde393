//! In-app notifications (การแจ้งเตือน): a bell with the unread count and an inbox. Other
//! contexts call [`crate::service::Khlang::notify`]. E-mail is not sent yet.

pub mod model;
pub mod ports;
pub mod service;

pub use model::{CommunityDelivery, HeldNotice, NewNotice, Notice};
pub use ports::NoticeStore;
