//! Target use-cases.

use super::model::ProgressReport;
use crate::error::DomainResult;
use crate::ids::UnitId;
use crate::org::Actor;
use crate::planning::FiscalYear;
use crate::service::Khlang;

impl Khlang {
    /// Progress of `root` and of each of its children for the year, live from the repository.
    pub async fn target_progress(
        &self,
        _actor: &Actor,
        root: UnitId,
        _year: FiscalYear,
    ) -> DomainResult<ProgressReport> {
        // Contract placeholder, replaced by the targets work before it lands.
        Ok(ProgressReport {
            root: super::model::Progress::empty(root),
            children: Vec::new(),
        })
    }
}
