//! What the learners room needs from storage (enrolments, lesson progress, quiz attempts).

use async_trait::async_trait;

/// Owned by the learners room; contract: filled in by the learners helper.
#[async_trait]
pub trait LearnerStore: Send + Sync {}
