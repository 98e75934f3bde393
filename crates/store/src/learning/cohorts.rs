//! [`CohortStore`]: cohorts, enrolling them in bulk, and their reports. Reports read the
//! counters on `enrolments` (one row per learner), never `lesson_progress`.

use super::{corrupt, count, marks};
use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{CohortId, CourseId, UnitId, UserId};
use khlang_core::learning::CohortStore;
use khlang_core::learning::cohorts::model::{
    ENROL_CHUNK, LearnerQuery, LearnerRow, LearnerSort, LearnerStatus, Match, UnitCount,
};
use khlang_core::learning::cohorts::ports::CohortSummary;
use khlang_core::learning::model::{Cohort, CohortCriteria, CohortFields};
use khlang_core::org::Role;
use khlang_core::ports::{Page, PortResult};
use khlang_core::text::BANGKOK;
use sea_orm::{QueryResult, TransactionTrait, Value};
use time::{Date, Duration, OffsetDateTime};

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

/// 00:00 of a Bangkok day.
fn day_start(d: Date) -> OffsetDateTime {
    d.midnight().assume_offset(BANGKOK)
}

/// A COUNT or SUM (BIGINT on PostgreSQL: SUM over integers; NULL for a SUM of no rows).
fn total(r: &QueryResult, col: &str) -> PortResult<u64> {
    Ok(get::<Option<i64>>(r, col)?.unwrap_or(0).max(0) as u64)
}

const STARTED: &str = "completed_ms IS NOT NULL OR lessons_done > 0 OR last_ms IS NOT NULL";

fn status_sql(s: LearnerStatus) -> &'static str {
    match s {
        LearnerStatus::Completed => "e.completed_ms IS NOT NULL",
        LearnerStatus::InProgress => {
            "e.completed_ms IS NULL AND (e.lessons_done > 0 OR e.last_ms IS NOT NULL)"
        }
        LearnerStatus::NotStarted => {
            "e.completed_ms IS NULL AND e.lessons_done = 0 AND e.last_ms IS NULL"
        }
    }
}

fn to_learner(r: &QueryResult) -> PortResult<LearnerRow> {
    let opt = |col: &str| -> PortResult<Option<OffsetDateTime>> {
        get::<Option<i64>>(r, col)?.map(from_ms).transpose()
    };
    Ok(LearnerRow {
        user: UserId(get(r, "user_id")?),
        name: get(r, "display_name")?,
        unit_id: UnitId(get(r, "unit_id")?),
        unit_name: String::new(),
        lessons_done: count(r, "lessons_done")?,
        score: get::<Option<i32>>(r, "score")?.map(|s| s.clamp(0, 100) as u8),
        seconds: get::<i64>(r, "seconds")?.max(0) as u64,
        last_at: opt("last_ms")?,
        completed_at: opt("completed_ms")?,
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

    async fn grants_on(&self, units: &[UnitId], role: Option<Role>) -> PortResult<Vec<Match>> {
        let mut out = Vec::new();
        for chunk in units.chunks(ENROL_CHUNK) {
            let mut values: Vec<Value> = vec![false.into()];
            values.extend(chunk.iter().map(|u| Value::from(u.0)));
            let by_role = match role {
                Some(r) => {
                    values.push(r.as_str().into());
                    " AND g.role = ?"
                }
                None => "",
            };
            let found = rows(
                self.connection(),
                &format!(
                    "SELECT g.user_id, g.unit_id FROM role_grants g JOIN users u ON u.id = g.user_id \
                     WHERE u.disabled = ? AND g.unit_id IN ({}){by_role}",
                    marks(chunk.len())
                ),
                values,
            )
            .await?;
            for r in &found {
                out.push(Match {
                    user: UserId(get(r, "user_id")?),
                    unit: UnitId(get(r, "unit_id")?),
                });
            }
        }
        Ok(out)
    }

    async fn enrolled_among(&self, course: CourseId, users: &[UserId]) -> PortResult<u32> {
        let mut n = 0;
        for chunk in users.chunks(ENROL_CHUNK) {
            let mut values: Vec<Value> = vec![course.0.into()];
            values.extend(chunk.iter().map(|u| Value::from(u.0)));
            let found = rows(
                self.connection(),
                &format!(
                    "SELECT COUNT(*) AS n FROM enrolments WHERE course_id = ? AND user_id IN ({})",
                    marks(chunk.len())
                ),
                values,
            )
            .await?;
            n += found
                .first()
                .map(|r| total(r, "n"))
                .transpose()?
                .unwrap_or(0);
        }
        Ok(n as u32)
    }

    async fn insert_cohort(
        &self,
        f: &CohortFields,
        learners: &[Match],
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<(CohortId, Vec<UserId>)> {
        let criteria =
            serde_json::to_string(&f.criteria).map_err(|e| corrupt("cohort criteria", e))?;
        let ends = day_start(f.ends_on) + Duration::days(1) - Duration::milliseconds(1);
        let txn = self.connection().begin().await.map_err(map_err)?;
        let found = rows(
            &txn,
            &format!(
                "INSERT INTO cohorts (course_id, name, unit_id, criteria, starts_ms, ends_ms, size, \
                 created_by, created_ms) VALUES ({}) RETURNING id",
                marks(9)
            ),
            vec![
                f.course_id.0.into(),
                f.name.as_str().into(),
                f.unit_id.0.into(),
                criteria.into(),
                ms(day_start(f.starts_on)).into(),
                ms(ends).into(),
                0i32.into(),
                by.0.into(),
                ms(at).into(),
            ],
        )
        .await?;
        let id: i64 = get(found.first().ok_or(PortError::NotFound)?, "id")?;
        for chunk in learners.chunks(ENROL_CHUNK) {
            let row = "(?, ?, ?, ?, ?, ?, 0, 0, 0)";
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 6);
            for m in chunk {
                values.extend([
                    f.course_id.0.into(),
                    m.user.0.into(),
                    id.into(),
                    m.unit.0.into(),
                    ms(at).into(),
                    by.0.into(),
                ]);
            }
            exec(
                &txn,
                &format!(
                    "INSERT INTO enrolments (course_id, user_id, cohort_id, unit_id, enrolled_ms, \
                     enrolled_by, lessons_done, required_done, seconds) VALUES {} \
                     ON CONFLICT (course_id, user_id) DO NOTHING",
                    vec![row; chunk.len()].join(", ")
                ),
                values,
            )
            .await?;
        }
        let enrolled = rows(
            &txn,
            "SELECT user_id FROM enrolments WHERE cohort_id = ? ORDER BY user_id",
            vec![id.into()],
        )
        .await?
        .iter()
        .map(|r| Ok(UserId(get(r, "user_id")?)))
        .collect::<PortResult<Vec<_>>>()?;
        exec(
            &txn,
            "UPDATE cohorts SET size = ? WHERE id = ?",
            vec![(enrolled.len() as i32).into(), id.into()],
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok((CohortId(id), enrolled))
    }

    async fn cohorts_of(&self, course: CourseId) -> PortResult<Vec<CohortSummary>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COHORT}, (SELECT COUNT(*) FROM enrolments e WHERE e.cohort_id = cohorts.id \
                 AND e.completed_ms IS NOT NULL) AS done FROM cohorts WHERE course_id = ? \
                 ORDER BY starts_ms DESC, id DESC"
            ),
            vec![course.0.into()],
        )
        .await?;
        found
            .iter()
            .map(|r| {
                Ok(CohortSummary {
                    cohort: to_cohort(r)?,
                    completed: total(r, "done")?,
                })
            })
            .collect()
    }

    async fn unit_counts(&self, cohort: CohortId) -> PortResult<Vec<UnitCount>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT unit_id, COUNT(*) AS enrolled, \
                 SUM(CASE WHEN {STARTED} THEN 1 ELSE 0 END) AS started, \
                 SUM(CASE WHEN completed_ms IS NOT NULL THEN 1 ELSE 0 END) AS completed \
                 FROM enrolments WHERE cohort_id = ? GROUP BY unit_id"
            ),
            vec![cohort.0.into()],
        )
        .await?;
        found
            .iter()
            .map(|r| {
                Ok(UnitCount {
                    unit_id: UnitId(get(r, "unit_id")?),
                    enrolled: total(r, "enrolled")?,
                    started: total(r, "started")?,
                    completed: total(r, "completed")?,
                })
            })
            .collect()
    }

    async fn learners(
        &self,
        cohort: CohortId,
        units: Option<&[UnitId]>,
        query: LearnerQuery,
        per_page: u64,
    ) -> PortResult<Page<LearnerRow>> {
        let mut filter = String::from("e.cohort_id = ?");
        let mut values: Vec<Value> = vec![cohort.0.into()];
        if let Some(units) = units {
            if units.is_empty() {
                filter.push_str(" AND 1 = 0");
            } else {
                filter.push_str(&format!(" AND e.unit_id IN ({})", marks(units.len())));
                values.extend(units.iter().map(|u| Value::from(u.0)));
            }
        }
        if let Some(s) = query.status {
            filter.push_str(" AND ");
            filter.push_str(status_sql(s));
        }
        let counted = rows(
            self.connection(),
            &format!("SELECT COUNT(*) AS n FROM enrolments e WHERE {filter}"),
            values.clone(),
        )
        .await?;
        let total_rows = counted
            .first()
            .map(|r| total(r, "n"))
            .transpose()?
            .unwrap_or(0);
        let order = match query.sort {
            LearnerSort::Name => "u.display_name, e.user_id",
            LearnerSort::ProgressDesc => {
                "CASE WHEN e.completed_ms IS NULL THEN 0 ELSE 1 END DESC, e.lessons_done DESC, \
                 u.display_name, e.user_id"
            }
            LearnerSort::ProgressAsc => {
                "CASE WHEN e.completed_ms IS NULL THEN 0 ELSE 1 END, e.lessons_done, \
                 u.display_name, e.user_id"
            }
        };
        let page = query.page.max(1);
        values.push(((per_page) as i64).into());
        values.push((((page - 1) * per_page) as i64).into());
        let found = rows(
            self.connection(),
            &format!(
                "SELECT e.user_id, u.display_name, e.unit_id, e.lessons_done, e.score, e.seconds, \
                 e.last_ms, e.completed_ms FROM enrolments e JOIN users u ON u.id = e.user_id \
                 WHERE {filter} ORDER BY {order} LIMIT ? OFFSET ?"
            ),
            values,
        )
        .await?;
        Ok(Page {
            items: found.iter().map(to_learner).collect::<PortResult<_>>()?,
            page,
            per_page,
            total: total_rows,
        })
    }

    async fn cohorts_ending(
        &self,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> PortResult<Vec<Cohort>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COHORT} FROM cohorts WHERE ends_ms >= ? AND ends_ms <= ? ORDER BY id"
            ),
            vec![ms(from).into(), ms(to).into()],
        )
        .await?;
        found.iter().map(to_cohort).collect()
    }

    async fn unfinished(&self, cohort: CohortId) -> PortResult<Vec<(UserId, u32)>> {
        let found = rows(
            self.connection(),
            "SELECT user_id, lessons_done FROM enrolments WHERE cohort_id = ? \
             AND completed_ms IS NULL AND left_ms IS NULL ORDER BY user_id",
            vec![cohort.0.into()],
        )
        .await?;
        found
            .iter()
            .map(|r| Ok((UserId(get(r, "user_id")?), count(r, "lessons_done")?)))
            .collect()
    }
}
