//! KM plan use-cases.

use super::PlanOverview;
use super::model::FiscalYear;
use crate::error::DomainResult;
use crate::ids::UnitId;
use crate::org::Actor;
use crate::service::Khlang;

impl Khlang {
    /// Every unit of the subtree under `root` that the actor may read, with its plan for the
    /// year (if any) and its activity counts; the root first, then the tree in order.
    pub async fn plan_overview(
        &self,
        _actor: &Actor,
        _root: UnitId,
        _year: FiscalYear,
    ) -> DomainResult<Vec<PlanOverview>> {
        // Contract placeholder, replaced by the planning work before it lands.
        Ok(Vec::new())
    }
}
