//! Learners: enrolling oneself in an open course, going through its lessons one screen at a
//! time (resume where one left off), quizzes with random draws and attempts, completion and
//! the course certificate (`course:N`), linked to the learner's account.

pub mod ports;
pub mod quiz;
pub mod rules;
pub mod service;

pub use ports::LearnerStore;
