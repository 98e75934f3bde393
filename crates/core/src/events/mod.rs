//! Events (กิจกรรม): co-learning sessions, CoP forums, KM สัญจร field visits and the KM Market
//! fair; registration with capacity and a waitlist, check-in by QR code, attendance
//! certificates, outputs and booths.

pub mod form;
pub mod model;
pub mod ports;
pub mod service;

pub use ports::EventStore;
