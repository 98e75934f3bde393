//! Lessons learned (ถอดบทเรียน): the AAR/BAR/DAR, storytelling, 8-box and winners' lessons
//! templates (form templates of [`crate::forms`]) and where a lesson was started from (an
//! event, a plan activity, a contest entry).

pub mod model;
pub mod ports;
pub mod service;

pub use model::{LESSON_TEMPLATES, Origin, OriginLabel, is_lesson_template};
pub use ports::LessonStore;
pub use service::MyLesson;
