//! Use-cases of the cohorts room. Contract: filled in by the cohorts helper.

use super::ports::CohortStore;
use crate::error::{DomainError, DomainResult};
use crate::ids::CohortId;
use crate::learning::model::Cohort;
use crate::service::Khlang;
use std::sync::Arc;

#[allow(dead_code)] // contract: used by the learners and cohorts rooms
impl Khlang {
    pub(crate) fn cohort_store(&self) -> DomainResult<&Arc<dyn CohortStore>> {
        self.cohorts
            .as_ref()
            .ok_or_else(|| DomainError::internal("learning has no store"))
    }

    /// One cohort (the learners room checks whether it has closed).
    pub(crate) async fn cohort_of(&self, id: CohortId) -> DomainResult<Cohort> {
        Ok(self.cohort_store()?.cohort(id).await?)
    }
}
