//! [`RecognitionStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::search::{exec, rows};
use crate::store::{SeaStore, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::ids::UserId;
use khlang_core::ports::PortResult;
use khlang_core::recognition::RecognitionStore;
use sea_orm::{TransactionTrait, Value};
use std::collections::HashMap;
use time::OffsetDateTime;

#[async_trait]
impl RecognitionStore for SeaStore {
    async fn toggle_praise(
        &self,
        target: &str,
        user: UserId,
        at: OffsetDateTime,
    ) -> PortResult<bool> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let removed = exec(
            &txn,
            "DELETE FROM praise WHERE target = ? AND user_id = ?",
            vec![target.into(), user.0.into()],
        )
        .await?;
        if removed == 0 {
            exec(
                &txn,
                "INSERT INTO praise (target, user_id, created_ms) VALUES (?, ?, ?)",
                vec![target.into(), user.0.into(), ms(at).into()],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(removed == 0)
    }

    async fn praise_counts(
        &self,
        targets: &[String],
        reader: Option<UserId>,
    ) -> PortResult<HashMap<String, (u64, bool)>> {
        if targets.is_empty() {
            return Ok(HashMap::new());
        }
        let marks = vec!["?"; targets.len()].join(", ");
        // A reader id no account has (0) when anonymous: `mine` is then never true.
        let mut values: Vec<Value> = vec![reader.map_or(0, |u| u.0).into()];
        values.extend(targets.iter().map(|t| Value::from(t.as_str())));
        let found = rows(
            self.connection(),
            &format!(
                "SELECT target, COUNT(*) AS n, \
                 SUM(CASE WHEN user_id = ? THEN 1 ELSE 0 END) AS mine \
                 FROM praise WHERE target IN ({marks}) GROUP BY target"
            ),
            values,
        )
        .await?;
        found
            .iter()
            .map(|r| {
                let n: i64 = get(r, "n")?;
                let mine: i64 = get(r, "mine")?;
                Ok((get(r, "target")?, (n as u64, mine > 0)))
            })
            .collect()
    }
}
