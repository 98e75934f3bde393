//! Issue 14, learners room: self-enrolment, lessons, quizzes, completion and certificates.
//! Contract: filled in by the learners helper.
