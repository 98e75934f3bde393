//! What the cohorts room needs from storage.

use crate::ids::CohortId;
use crate::learning::model::Cohort;
use crate::ports::PortResult;
use async_trait::async_trait;

/// Owned by the cohorts room; methods may be added as it needs them.
#[async_trait]
pub trait CohortStore: Send + Sync {
    async fn cohort(&self, id: CohortId) -> PortResult<Cohort>;
}
