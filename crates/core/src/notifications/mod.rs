//! In-app notifications (การแจ้งเตือน): a bell with the unread count and an inbox. Other
//! contexts call [`crate::service::Khlang::notify`]; e-mail goes out too when configured.

pub mod model;
pub mod ports;
pub mod service;

pub use model::NewNotice;
pub use ports::NoticeStore;
