//! Learning paths (เส้นทางการเรียนรู้): curricula (หลักสูตร) of online courses (รายวิชา) built
//! from the repository's own published knowledge, quizzes with question banks, learners'
//! progress, cohorts (รุ่น) enrolled by unit and role with a roll-up up the unit tree, and a
//! verifiable certificate on completion.
//!
//! Three rooms share this context's tables:
//! - [`courses`]: curricula, courses, lessons and question banks; the catalogue; packages.
//! - [`learners`]: enrolling oneself, going through lessons, quizzes, completion and the
//!   certificate.
//! - [`cohorts`]: cohorts, their reports and roll-up, reminders before a cohort ends.

pub mod cohorts;
pub mod courses;
pub mod learners;
pub mod model;

pub use cohorts::CohortStore;
pub use courses::CourseStore;
pub use learners::LearnerStore;
