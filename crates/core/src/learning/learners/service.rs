//! Use-cases of the learners room. Contract: filled in by the learners helper.

use super::ports::LearnerStore;
use crate::error::{DomainError, DomainResult};
use crate::service::Khlang;
use std::sync::Arc;

impl Khlang {
    #[allow(dead_code)] // contract: used by the learners room
    pub(crate) fn learner_store(&self) -> DomainResult<&Arc<dyn LearnerStore>> {
        self.learners
            .as_ref()
            .ok_or_else(|| DomainError::internal("learning has no store"))
    }
}
