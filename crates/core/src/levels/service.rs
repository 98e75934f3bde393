//! Success level use-cases.

use super::UnitLevel;
use crate::error::DomainResult;
use crate::ids::UnitId;
use crate::org::Actor;
use crate::planning::FiscalYear;
use crate::service::Khlang;

impl Khlang {
    /// The level of `root` and of each of its children for the year.
    pub async fn success_levels(
        &self,
        _actor: &Actor,
        _root: UnitId,
        _year: FiscalYear,
    ) -> DomainResult<Vec<UnitLevel>> {
        // Contract placeholder, replaced by the levels work before it lands.
        Ok(Vec::new())
    }
}
