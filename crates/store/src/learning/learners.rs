//! [`LearnerStore`]: enrolments, lesson progress and quiz attempts. Contract: filled in by the
//! learners helper.

use crate::store::SeaStore;
use khlang_core::learning::LearnerStore;

impl LearnerStore for SeaStore {}
