//! [`Coordination`] over the database: leases and change counts shared by every khlang
//! process on it, in plain SQL that SQLite and PostgreSQL both speak (`ON CONFLICT`,
//! `RETURNING`).

use crate::search::{exec, rows};
use crate::store::{SeaStore, map_err, ms};
use async_trait::async_trait;
use khlang_core::ports::{Coordination, PortResult};
use time::OffsetDateTime;

#[async_trait]
impl Coordination for SeaStore {
    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> PortResult<bool> {
        // One statement: the row is taken only if free, expired or already ours, so two
        // processes asking at once cannot both get it.
        let taken = exec(
            self.connection(),
            "INSERT INTO leases (name, holder, until_ms) VALUES (?, ?, ?) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
             WHERE leases.until_ms <= ? OR leases.holder = excluded.holder",
            vec![name.into(), holder.into(), ms(until).into(), ms(now).into()],
        )
        .await?;
        Ok(taken == 1)
    }

    async fn release_lease(&self, name: &str, holder: &str) -> PortResult<()> {
        exec(
            self.connection(),
            "DELETE FROM leases WHERE name = ? AND holder = ?",
            vec![name.into(), holder.into()],
        )
        .await?;
        Ok(())
    }

    async fn bump_version(&self, topic: &str) -> PortResult<i64> {
        let found = rows(
            self.connection(),
            "INSERT INTO cache_versions (topic, version) VALUES (?, 1) \
             ON CONFLICT (topic) DO UPDATE SET version = cache_versions.version + 1 \
             RETURNING version",
            vec![topic.into()],
        )
        .await?;
        let row = found
            .first()
            .ok_or_else(|| khlang_core::error::PortError::Other("no version returned".into()))?;
        row.try_get("", "version").map_err(map_err)
    }

    async fn versions(&self) -> PortResult<Vec<(String, i64)>> {
        rows(
            self.connection(),
            "SELECT topic, version FROM cache_versions",
            vec![],
        )
        .await?
        .iter()
        .map(|r| {
            Ok((
                r.try_get("", "topic").map_err(map_err)?,
                r.try_get("", "version").map_err(map_err)?,
            ))
        })
        .collect()
    }
}
