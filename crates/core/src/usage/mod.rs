//! Usage statistics (สถิติการใช้งาน): views of item pages and downloads of their files, per
//! item and file and day, counted as the COUNTER Code of Practice counts them (robots left
//! out, a double click within 30 seconds counted once). Counts only: no person, and no
//! address, is kept; the double-click window keeps a keyed hash for 30 seconds.

pub mod model;
pub mod ports;
pub mod service;

pub use model::{
    Client, DOUBLE_CLICK_WINDOW, Hit, MonthlyUse, UseCount, counts_as_download, is_robot,
};
pub use ports::{ItemUse, TopQuery, UsageStore};
pub use service::{UsageParts, UsageReport, UsageRow};
