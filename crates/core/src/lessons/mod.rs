//! Lessons learned (ถอดบทเรียน): the AAR/BAR/DAR, storytelling, 8-box and winners' lessons
//! templates (form templates of [`crate::forms`]) and where a lesson was started from (an
//! event, a plan activity, a contest entry).

pub mod model;
pub mod ports;
pub mod service;

pub use model::Origin;
pub use ports::LessonStore;
