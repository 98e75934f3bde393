//! [`LevelStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{UnitId, UserId};
use khlang_core::levels::{LevelRecord, LevelStore, UnitActivity};
use khlang_core::ports::{AuditEntry, PortResult};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait};

fn to_record(r: &QueryResult) -> PortResult<LevelRecord> {
    let achieved: String = get(r, "achieved_on")?;
    let evidence: String = get(r, "evidence")?;
    let level: i32 = get(r, "level")?;
    Ok(LevelRecord {
        unit_id: UnitId(get(r, "unit_id")?),
        fiscal_year: get(r, "fiscal_year")?,
        level: u8::try_from(level).map_err(|e| PortError::Other(format!("level: {e}")))?,
        achieved_on: khlang_core::people::model::parse_date(&achieved)
            .ok_or_else(|| PortError::Other(format!("stored date is invalid: {achieved}")))?,
        evidence: serde_json::from_str(&evidence)
            .map_err(|e| PortError::Other(format!("stored evidence is invalid: {e}")))?,
        note: get(r, "note")?,
        confirmed_by: get::<Option<i64>>(r, "confirmed_by")?.map(UserId),
        confirmed_at: from_ms(get(r, "confirmed_ms")?)?,
    })
}

pub(crate) async fn write_audit(db: &impl ConnectionTrait, e: AuditEntry) -> PortResult<()> {
    use crate::entities::audit_entry;
    use sea_orm::{ActiveModelTrait, Set};
    audit_entry::ActiveModel {
        actor_id: Set(e.actor.map(|a| a.0)),
        action: Set(e.action),
        target: Set(e.target),
        detail: Set(e.detail),
        at: Set(crate::store::utc(e.at)),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// Statuses of an item that count as a work collected (ส่งแล้วหรือเผยแพร่แล้ว).
const COLLECTED: &str = "'submitted', 'changes_requested', 'resubmitted', 'published'";

#[async_trait]
impl LevelStore for SeaStore {
    async fn levels_of_year(&self, fiscal_year: i32) -> PortResult<Vec<LevelRecord>> {
        let found = rows(
            self.connection(),
            "SELECT unit_id, fiscal_year, level, achieved_on, evidence, note, confirmed_by, \
             confirmed_ms FROM km_success_levels WHERE fiscal_year = ? ORDER BY unit_id, level",
            vec![fiscal_year.into()],
        )
        .await?;
        found.iter().map(to_record).collect()
    }

    async fn activity_of_year(&self, fiscal_year: i32) -> PortResult<Vec<UnitActivity>> {
        let sql = format!(
            "SELECT unit_id, CAST(SUM(w) AS BIGINT) AS works, CAST(SUM(inn) AS BIGINT) AS innovations, \
             CAST(SUM(ap) AS BIGINT) AS applied FROM ( \
               SELECT unit_id, COUNT(*) AS w, 0 AS inn, 0 AS ap FROM items \
                 WHERE fiscal_year = ? AND status IN ({COLLECTED}) GROUP BY unit_id \
               UNION ALL \
               SELECT unit_id, 0 AS w, COUNT(*) AS inn, 0 AS ap FROM innovations \
                 WHERE fiscal_year = ? AND status = 'published' GROUP BY unit_id \
               UNION ALL \
               SELECT i.unit_id, 0 AS w, 0 AS inn, COUNT(*) AS ap FROM innovation_applied a \
                 JOIN innovations i ON i.item_id = a.item_id \
                 WHERE i.fiscal_year = ? AND i.status = 'published' GROUP BY i.unit_id \
             ) t GROUP BY unit_id"
        );
        let found = rows(
            self.connection(),
            &sql,
            vec![fiscal_year.into(), fiscal_year.into(), fiscal_year.into()],
        )
        .await?;
        let n = |r: &QueryResult, c: &str| -> PortResult<u64> {
            Ok(get::<Option<i64>>(r, c)?.unwrap_or(0).max(0) as u64)
        };
        found
            .iter()
            .map(|r| {
                Ok(UnitActivity {
                    unit_id: UnitId(get(r, "unit_id")?),
                    works: n(r, "works")?,
                    innovations: n(r, "innovations")?,
                    applied: n(r, "applied")?,
                })
            })
            .collect()
    }

    async fn confirm_level(&self, record: &LevelRecord, audit: AuditEntry) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        exec(
            &txn,
            "INSERT INTO km_success_levels (unit_id, fiscal_year, level, achieved_on, evidence, \
             note, confirmed_by, confirmed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                record.unit_id.0.into(),
                record.fiscal_year.into(),
                i32::from(record.level).into(),
                record.achieved_on.to_string().into(),
                serde_json::to_string(&record.evidence)
                    .map_err(|e| PortError::Other(e.to_string()))?
                    .into(),
                record.note.clone().into(),
                record.confirmed_by.map(|u| u.0).into(),
                ms(record.confirmed_at).into(),
            ],
        )
        .await?;
        write_audit(&txn, audit).await?;
        txn.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn withdraw_level(
        &self,
        unit: UnitId,
        fiscal_year: i32,
        level: u8,
        audit: AuditEntry,
    ) -> PortResult<bool> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let n = exec(
            &txn,
            "DELETE FROM km_success_levels WHERE unit_id = ? AND fiscal_year = ? AND level = ?",
            vec![unit.0.into(), fiscal_year.into(), i32::from(level).into()],
        )
        .await?;
        if n == 0 {
            return Ok(false);
        }
        write_audit(&txn, audit).await?;
        txn.commit().await.map_err(map_err)?;
        Ok(true)
    }
}
