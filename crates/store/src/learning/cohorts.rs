//! [`CohortStore`]: cohorts, enrolling them in bulk, and their reports.

use super::{corrupt, count};
use crate::search::rows;
use crate::store::{SeaStore, from_ms, get};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{CohortId, CourseId, UnitId, UserId};
use khlang_core::learning::CohortStore;
use khlang_core::learning::model::{Cohort, CohortCriteria, CohortFields};
use khlang_core::ports::PortResult;
use khlang_core::text::BANGKOK;
use sea_orm::QueryResult;

pub(crate) const COHORT: &str =
    "id, course_id, name, unit_id, criteria, starts_ms, ends_ms, size, created_by, created_ms";

pub(crate) fn to_cohort(r: &QueryResult) -> PortResult<Cohort> {
    let criteria: String = get(r, "criteria")?;
    let criteria: CohortCriteria =
        serde_json::from_str(&criteria).map_err(|e| corrupt("cohort criteria", e))?;
    let day = |col: &str| -> PortResult<time::Date> {
        Ok(from_ms(get(r, col)?)?.to_offset(BANGKOK).date())
    };
    Ok(Cohort {
        id: CohortId(get(r, "id")?),
        fields: CohortFields {
            course_id: CourseId(get(r, "course_id")?),
            name: get(r, "name")?,
            unit_id: UnitId(get(r, "unit_id")?),
            criteria,
            starts_on: day("starts_ms")?,
            ends_on: day("ends_ms")?,
        },
        size: count(r, "size")?,
        created_by: UserId(get(r, "created_by")?),
        created_at: from_ms(get(r, "created_ms")?)?,
    })
}

#[async_trait]
impl CohortStore for SeaStore {
    async fn cohort(&self, id: CohortId) -> PortResult<Cohort> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COHORT} FROM cohorts WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        to_cohort(found.first().ok_or(PortError::NotFound)?)
    }
}
