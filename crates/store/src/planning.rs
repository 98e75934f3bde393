//! [`PlanStore`] over the database in plain SQL that SQLite and PostgreSQL both speak; times
//! are Unix milliseconds, the content is JSON text.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{PlanId, UnitId, UserId};
use khlang_core::org::Role;
use khlang_core::planning::PlanStore;
use khlang_core::planning::model::{FiscalYear, KmPlan, PlanContent, PlanStatus};
use khlang_core::planning::ports::{NewPlan, PlanEvent, PlanEventKind, PlanSummary};
use khlang_core::planning::progress::ActivityCounts;
use khlang_core::ports::PortResult;
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait, Value};

const COLUMNS: &str = "id, unit_id, fiscal_year, status, content, version, copied_from, \
     created_by, created_ms, updated_ms, submitted_ms, decided_ms";

const SUMMARY: &str = "id, unit_id, fiscal_year, status, version, updated_ms, n_total, n_done, \
     n_in_progress, n_cancelled";

fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored plan {what} is invalid: {e}"))
}

fn status(r: &QueryResult) -> PortResult<PlanStatus> {
    let s: String = get(r, "status")?;
    PlanStatus::parse(&s).ok_or_else(|| corrupt("status", s))
}

fn year(r: &QueryResult) -> PortResult<FiscalYear> {
    let y: i32 = get(r, "fiscal_year")?;
    FiscalYear::parse(&y.to_string()).map_err(|e| corrupt("fiscal year", e))
}

fn to_plan(r: &QueryResult) -> PortResult<KmPlan> {
    let content: String = get(r, "content")?;
    Ok(KmPlan {
        id: PlanId(get(r, "id")?),
        unit_id: UnitId(get(r, "unit_id")?),
        fiscal_year: year(r)?,
        status: status(r)?,
        content: serde_json::from_str(&content).map_err(|e| corrupt("content", e))?,
        version: get(r, "version")?,
        copied_from: get::<Option<i64>>(r, "copied_from")?.map(PlanId),
        created_by: UserId(get(r, "created_by")?),
        created_at: from_ms(get(r, "created_ms")?)?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
        submitted_at: get::<Option<i64>>(r, "submitted_ms")?
            .map(from_ms)
            .transpose()?,
        decided_at: get::<Option<i64>>(r, "decided_ms")?
            .map(from_ms)
            .transpose()?,
    })
}

fn count(r: &QueryResult, col: &str) -> PortResult<u32> {
    Ok(get::<i32>(r, col)?.max(0) as u32)
}

fn to_summary(r: &QueryResult) -> PortResult<PlanSummary> {
    Ok(PlanSummary {
        id: PlanId(get(r, "id")?),
        unit_id: UnitId(get(r, "unit_id")?),
        fiscal_year: year(r)?,
        status: status(r)?,
        version: get(r, "version")?,
        counts: ActivityCounts {
            total: count(r, "n_total")?,
            done: count(r, "n_done")?,
            in_progress: count(r, "n_in_progress")?,
            cancelled: count(r, "n_cancelled")?,
        },
        updated_at: from_ms(get(r, "updated_ms")?)?,
    })
}

fn to_event(r: &QueryResult) -> PortResult<PlanEvent> {
    let kind: String = get(r, "kind")?;
    Ok(PlanEvent {
        plan_id: PlanId(get(r, "plan_id")?),
        at: from_ms(get(r, "at_ms")?)?,
        user_id: UserId(get(r, "user_id")?),
        kind: PlanEventKind::parse(&kind).ok_or_else(|| corrupt("event kind", kind))?,
        text: get(r, "text")?,
        status: status(r)?,
    })
}

fn json(content: &PlanContent) -> PortResult<String> {
    serde_json::to_string(content).map_err(|e| PortError::Other(e.to_string()))
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

async fn insert_event(db: &impl ConnectionTrait, e: &PlanEvent) -> PortResult<()> {
    exec(
        db,
        "INSERT INTO km_plan_events (plan_id, at_ms, user_id, kind, text, status) \
         VALUES (?, ?, ?, ?, ?, ?)",
        vec![
            e.plan_id.0.into(),
            ms(e.at).into(),
            e.user_id.0.into(),
            e.kind.as_str().into(),
            e.text.clone().into(),
            e.status.as_str().into(),
        ],
    )
    .await?;
    Ok(())
}

#[async_trait]
impl PlanStore for SeaStore {
    async fn insert_plan(&self, plan: &NewPlan, event: &PlanEvent) -> PortResult<KmPlan> {
        let counts = ActivityCounts::of(&plan.content.activities);
        let txn = self.connection().begin().await.map_err(map_err)?;
        let found = rows(
            &txn,
            "INSERT INTO km_plans (unit_id, fiscal_year, status, content, version, copied_from, \
             created_by, created_ms, updated_ms, submitted_ms, decided_ms, n_total, n_done, \
             n_in_progress, n_cancelled) \
             VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?) RETURNING id",
            vec![
                plan.unit_id.0.into(),
                plan.fiscal_year.be().into(),
                PlanStatus::Draft.as_str().into(),
                json(&plan.content)?.into(),
                plan.copied_from.map(|p| p.0).into(),
                plan.created_by.0.into(),
                ms(plan.at).into(),
                ms(plan.at).into(),
                (counts.total as i32).into(),
                (counts.done as i32).into(),
                (counts.in_progress as i32).into(),
                (counts.cancelled as i32).into(),
            ],
        )
        .await?;
        let id = match found.first() {
            Some(r) => PlanId(get(r, "id")?),
            None => return Err(PortError::Other("no plan id returned".into())),
        };
        insert_event(
            &txn,
            &PlanEvent {
                plan_id: id,
                ..event.clone()
            },
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok(KmPlan {
            id,
            unit_id: plan.unit_id,
            fiscal_year: plan.fiscal_year,
            status: PlanStatus::Draft,
            content: plan.content.clone(),
            version: 1,
            copied_from: plan.copied_from,
            created_by: plan.created_by,
            created_at: plan.at,
            updated_at: plan.at,
            submitted_at: None,
            decided_at: None,
        })
    }

    async fn plan_by_id(&self, id: PlanId) -> PortResult<Option<KmPlan>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM km_plans WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        found.first().map(to_plan).transpose()
    }

    async fn plan_of_unit(&self, unit: UnitId, year: FiscalYear) -> PortResult<Option<KmPlan>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM km_plans WHERE unit_id = ? AND fiscal_year = ?"),
            vec![unit.0.into(), year.be().into()],
        )
        .await?;
        found.first().map(to_plan).transpose()
    }

    async fn update_plan(
        &self,
        plan: &KmPlan,
        expected_version: i32,
        event: &PlanEvent,
    ) -> PortResult<bool> {
        let counts = ActivityCounts::of(&plan.content.activities);
        let txn = self.connection().begin().await.map_err(map_err)?;
        let n = exec(
            &txn,
            "UPDATE km_plans SET status = ?, content = ?, version = ?, updated_ms = ?, \
             submitted_ms = ?, decided_ms = ?, n_total = ?, n_done = ?, n_in_progress = ?, \
             n_cancelled = ? WHERE id = ? AND version = ?",
            vec![
                plan.status.as_str().into(),
                json(&plan.content)?.into(),
                plan.version.into(),
                ms(plan.updated_at).into(),
                plan.submitted_at.map(ms).into(),
                plan.decided_at.map(ms).into(),
                (counts.total as i32).into(),
                (counts.done as i32).into(),
                (counts.in_progress as i32).into(),
                (counts.cancelled as i32).into(),
                plan.id.0.into(),
                expected_version.into(),
            ],
        )
        .await?;
        if n != 1 {
            txn.rollback().await.map_err(map_err)?;
            return Ok(false);
        }
        insert_event(&txn, event).await?;
        txn.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn add_plan_event(&self, event: &PlanEvent) -> PortResult<()> {
        insert_event(self.connection(), event).await
    }

    async fn plan_events(&self, plan: PlanId) -> PortResult<Vec<PlanEvent>> {
        let found = rows(
            self.connection(),
            "SELECT plan_id, at_ms, user_id, kind, text, status FROM km_plan_events \
             WHERE plan_id = ? ORDER BY at_ms, id",
            vec![plan.0.into()],
        )
        .await?;
        found.iter().map(to_event).collect()
    }

    async fn plans_of_year(&self, year: FiscalYear) -> PortResult<Vec<PlanSummary>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {SUMMARY} FROM km_plans WHERE fiscal_year = ? ORDER BY unit_id"),
            vec![year.be().into()],
        )
        .await?;
        found.iter().map(to_summary).collect()
    }

    async fn users_with_roles(&self, units: &[UnitId], roles: &[Role]) -> PortResult<Vec<UserId>> {
        if units.is_empty() || roles.is_empty() {
            return Ok(Vec::new());
        }
        let mut values: Vec<Value> = units.iter().map(|u| Value::from(u.0)).collect();
        values.extend(roles.iter().map(|r| Value::from(r.as_str())));
        let found = rows(
            self.connection(),
            &format!(
                "SELECT DISTINCT g.user_id AS user_id FROM role_grants g \
                 JOIN users u ON u.id = g.user_id \
                 WHERE g.unit_id IN ({}) AND g.role IN ({}) AND u.disabled = ? \
                 ORDER BY g.user_id",
                marks(units.len()),
                marks(roles.len())
            ),
            {
                values.push(false.into());
                values
            },
        )
        .await?;
        found
            .iter()
            .map(|r| Ok(UserId(get(r, "user_id")?)))
            .collect()
    }
}
