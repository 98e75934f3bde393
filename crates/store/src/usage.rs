//! [`UsageStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::search::{exec, rows};
use crate::store::{SeaStore, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::ids::{ItemId, UnitId};
use khlang_core::item::Visibility;
use khlang_core::ports::PortResult;
use khlang_core::usage::UsageStore;
use khlang_core::usage::model::{Hit, UseCount};
use khlang_core::usage::ports::{ItemUse, Recording, TopQuery, UnitMonth};
use sea_orm::{QueryResult, TransactionTrait, Value};
use std::collections::HashMap;
use time::OffsetDateTime;

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn count(r: &QueryResult, col: &str) -> PortResult<u64> {
    Ok(get::<Option<i64>>(r, col)?.unwrap_or(0).max(0) as u64)
}

#[async_trait]
impl UsageStore for SeaStore {
    async fn usage_secret(&self, fresh: &str) -> PortResult<String> {
        let db = self.connection();
        // The first process to ask writes it; every later one reads the same.
        exec(
            db,
            "INSERT INTO usage_secret (id, secret) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
            vec![fresh.into()],
        )
        .await?;
        let found = rows(db, "SELECT secret FROM usage_secret WHERE id = 1", vec![]).await?;
        match found.first() {
            Some(r) => get(r, "secret"),
            None => Err(khlang_core::error::PortError::NotFound),
        }
    }

    async fn record_use(&self, r: &Recording) -> PortResult<bool> {
        let db = self.connection();
        // Only what is published now counts: a draft's preview records nothing at all.
        let (sql, id, file_id) = match r.hit {
            Hit::View(item) => (
                "SELECT id AS item_id FROM items WHERE id = ? AND status = 'published'",
                item.0,
                0,
            ),
            Hit::Download(file) => (
                "SELECT f.item_id AS item_id FROM item_files f JOIN items i ON i.id = f.item_id \
                 WHERE f.id = ? AND i.status = 'published'",
                file.0,
                file.0,
            ),
        };
        let found = rows(db, sql, vec![id.into()]).await?;
        let Some(item_id) = found
            .first()
            .map(|r| get::<i64>(r, "item_id"))
            .transpose()?
        else {
            return Ok(false);
        };
        let (at, start) = (ms(r.at), ms(r.window_start));
        let txn = db.begin().await.map_err(map_err)?;
        exec(
            &txn,
            "DELETE FROM usage_recent WHERE seen_ms < ?",
            vec![start.into()],
        )
        .await?;
        // Seen within the window: a double click. The window starts again from now.
        let repeat = exec(
            &txn,
            "UPDATE usage_recent SET seen_ms = ? WHERE fingerprint = ? AND seen_ms >= ?",
            vec![at.into(), r.fingerprint.as_str().into(), start.into()],
        )
        .await?;
        if repeat > 0 {
            txn.commit().await.map_err(map_err)?;
            return Ok(false);
        }
        // Two processes counting the same client at once: the unique key lets one insert; the
        // other finds a row seen within the window and changes nothing.
        let first = exec(
            &txn,
            "INSERT INTO usage_recent (fingerprint, seen_ms) VALUES (?, ?) \
             ON CONFLICT (fingerprint) DO UPDATE SET seen_ms = excluded.seen_ms \
             WHERE usage_recent.seen_ms < ?",
            vec![r.fingerprint.as_str().into(), at.into(), start.into()],
        )
        .await?;
        if first == 0 {
            txn.commit().await.map_err(map_err)?;
            return Ok(false);
        }
        let (views, downloads): (i64, i64) = match r.hit {
            Hit::View(_) => (1, 0),
            Hit::Download(_) => (0, 1),
        };
        exec(
            &txn,
            "INSERT INTO usage_daily (item_id, file_id, day, views, downloads) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_id, file_id, day) DO UPDATE SET \
             views = usage_daily.views + excluded.views, \
             downloads = usage_daily.downloads + excluded.downloads",
            vec![
                item_id.into(),
                file_id.into(),
                r.day.into(),
                views.into(),
                downloads.into(),
            ],
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok(true)
    }

    async fn forget_seen_before(&self, before: OffsetDateTime) -> PortResult<u64> {
        exec(
            self.connection(),
            "DELETE FROM usage_recent WHERE seen_ms < ?",
            vec![ms(before).into()],
        )
        .await
    }

    async fn use_counts(&self, items: &[ItemId]) -> PortResult<HashMap<ItemId, UseCount>> {
        if items.is_empty() {
            return Ok(HashMap::new());
        }
        let values: Vec<Value> = items.iter().map(|i| Value::from(i.0)).collect();
        rows(
            self.connection(),
            &format!(
                "SELECT item_id, CAST(SUM(views) AS BIGINT) AS v, \
                 CAST(SUM(downloads) AS BIGINT) AS d FROM usage_daily \
                 WHERE item_id IN ({}) GROUP BY item_id",
                marks(items.len())
            ),
            values,
        )
        .await?
        .iter()
        .map(|r| {
            Ok((
                ItemId(get(r, "item_id")?),
                UseCount {
                    views: count(r, "v")?,
                    downloads: count(r, "d")?,
                },
            ))
        })
        .collect()
    }

    async fn use_by_unit_month(
        &self,
        units: &[UnitId],
        from: i64,
        to: i64,
    ) -> PortResult<Vec<UnitMonth>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut values: Vec<Value> = vec![from.into(), to.into()];
        values.extend(units.iter().map(|u| Value::from(u.0)));
        // Summed per item and month first (the day index), then joined to the few items.
        rows(
            self.connection(),
            &format!(
                "SELECT i.unit_id AS unit_id, t.month AS month, \
                 CAST(SUM(t.v) AS BIGINT) AS v, CAST(SUM(t.dl) AS BIGINT) AS dl \
                 FROM (SELECT item_id, day / 100 AS month, SUM(views) AS v, \
                 SUM(downloads) AS dl FROM usage_daily WHERE day >= ? AND day < ? \
                 GROUP BY item_id, day / 100) t JOIN items i ON i.id = t.item_id \
                 WHERE i.unit_id IN ({}) GROUP BY i.unit_id, t.month",
                marks(units.len())
            ),
            values,
        )
        .await?
        .iter()
        .map(|r| {
            Ok(UnitMonth {
                unit_id: UnitId(get(r, "unit_id")?),
                month: get(r, "month")?,
                views: count(r, "v")?,
                downloads: count(r, "dl")?,
            })
        })
        .collect()
    }

    async fn top_items(&self, q: &TopQuery) -> PortResult<Vec<ItemUse>> {
        let mut cond = vec!["1 = 1".to_string()];
        let mut values: Vec<Value> = vec![q.from.into(), q.to.into()];
        if let Some(units) = &q.units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            cond.push(format!("i.unit_id IN ({})", marks(units.len())));
            values.extend(units.iter().map(|u| Value::from(u.0)));
        }
        if q.published_only {
            cond.push("i.status = 'published'".into());
        }
        if let Some(r) = &q.readable {
            // As every list of published items decides it (see the knowledge store).
            let mut any = vec!["i.visibility = ?".to_string()];
            values.push(Visibility::Public.as_str().into());
            if r.signed_in {
                any.push("i.visibility = ?".into());
                values.push(Visibility::SignedIn.as_str().into());
            }
            if !r.readable_units.is_empty() {
                any.push(format!(
                    "(i.visibility = ? AND i.unit_id IN ({}))",
                    marks(r.readable_units.len())
                ));
                values.push(Visibility::Unit.as_str().into());
                values.extend(r.readable_units.iter().map(|u| Value::from(u.0)));
            }
            cond.push(format!("({})", any.join(" OR ")));
        }
        values.push((q.limit.clamp(1, 100) as i64).into());
        rows(
            self.connection(),
            &format!(
                // Summed per item first (the day index), then joined to the items.
                "SELECT t.item_id AS item_id, i.title AS title, i.unit_id AS unit_id, \
                 t.v AS v, t.dl AS dl \
                 FROM (SELECT item_id, CAST(SUM(views) AS BIGINT) AS v, \
                 CAST(SUM(downloads) AS BIGINT) AS dl FROM usage_daily \
                 WHERE day >= ? AND day < ? GROUP BY item_id) t \
                 JOIN items i ON i.id = t.item_id WHERE {} \
                 ORDER BY t.v DESC, t.dl DESC, t.item_id DESC LIMIT ?",
                cond.join(" AND ")
            ),
            values,
        )
        .await?
        .iter()
        .map(|r| {
            Ok(ItemUse {
                item_id: ItemId(get(r, "item_id")?),
                title: get(r, "title")?,
                unit_id: UnitId(get(r, "unit_id")?),
                views: count(r, "v")?,
                downloads: count(r, "dl")?,
            })
        })
        .collect()
    }
}
