//! Recognition (การยกย่อง): badges awarded from the data, a person's public profile (only what
//! they chose to show), praise (ชื่นชม) on items and answers, and per-unit monthly sharing
//! counts for executives (no leaderboard of individuals).

pub mod model;
pub mod ports;
pub mod profile;
pub mod service;
pub mod sharing;

pub use model::{
    Badge, BadgeFacts, HeldBadge, PraiseCount, PraiseTarget, ProfilePrefs, earned_badges,
};
pub use ports::RecognitionStore;
pub use profile::PublicProfile;
