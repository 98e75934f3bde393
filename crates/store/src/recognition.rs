//! [`RecognitionStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
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

    async fn badge_counts(&self, user: UserId) -> PortResult<(u64, u64, u64)> {
        let db = self.connection();
        let n = |r: Vec<sea_orm::QueryResult>| -> PortResult<u64> {
            match r.first() {
                Some(r) => Ok(get::<i64>(r, "n")?.max(0) as u64),
                None => Ok(0),
            }
        };
        let published = n(rows(
            db,
            "SELECT COUNT(*) AS n FROM items WHERE created_by = ? AND status = 'published'",
            vec![user.0.into()],
        )
        .await?)?;
        // Reports by someone else on their innovations: being applied by others is the point.
        let applied = n(rows(
            db,
            "SELECT COUNT(*) AS n FROM innovation_applied a JOIN items i ON i.id = a.item_id \
             WHERE i.created_by = ? AND a.reported_by <> ?",
            vec![user.0.into(), user.0.into()],
        )
        .await?)?;
        let aars = n(rows(
            db,
            "SELECT COUNT(DISTINCT i.id) AS n FROM items i \
             JOIN lesson_items l ON l.item_id = i.id \
             JOIN item_origins o ON o.item_id = i.id \
             WHERE i.created_by = ? AND i.status = 'published' AND l.template = 'aar' \
             AND o.origin LIKE 'event:%'",
            vec![user.0.into()],
        )
        .await?)?;
        Ok((published, applied, aars))
    }

    async fn award_badges(
        &self,
        user: UserId,
        keys: &[&str],
        at: OffsetDateTime,
    ) -> PortResult<u64> {
        let mut new = 0;
        for key in keys {
            // DO NOTHING keeps the first date and makes two processes awarding at once safe.
            new += exec(
                self.connection(),
                "INSERT INTO badges (user_id, badge, earned_ms) VALUES (?, ?, ?) \
                 ON CONFLICT (user_id, badge) DO NOTHING",
                vec![user.0.into(), (*key).into(), ms(at).into()],
            )
            .await?;
        }
        Ok(new)
    }

    async fn badges_of(&self, user: UserId) -> PortResult<Vec<(String, OffsetDateTime)>> {
        rows(
            self.connection(),
            "SELECT badge, earned_ms FROM badges WHERE user_id = ? ORDER BY earned_ms, badge",
            vec![user.0.into()],
        )
        .await?
        .iter()
        .map(|r| Ok((get(r, "badge")?, from_ms(get(r, "earned_ms")?)?)))
        .collect()
    }

    async fn profile_prefs(&self, user: UserId) -> PortResult<Option<(bool, bool, bool)>> {
        let found = rows(
            self.connection(),
            "SELECT show_unit, show_badges, show_items FROM profile_prefs WHERE user_id = ?",
            vec![user.0.into()],
        )
        .await?;
        found
            .first()
            .map(|r| {
                Ok((
                    get::<i64>(r, "show_unit")? != 0,
                    get::<i64>(r, "show_badges")? != 0,
                    get::<i64>(r, "show_items")? != 0,
                ))
            })
            .transpose()
    }

    async fn set_profile_prefs(
        &self,
        user: UserId,
        (unit, badges, items): (bool, bool, bool),
        at: OffsetDateTime,
    ) -> PortResult<()> {
        let b = |v: bool| Value::from(i64::from(v));
        exec(
            self.connection(),
            "INSERT INTO profile_prefs (user_id, show_unit, show_badges, show_items, updated_ms) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET \
             show_unit = excluded.show_unit, show_badges = excluded.show_badges, \
             show_items = excluded.show_items, updated_ms = excluded.updated_ms",
            vec![user.0.into(), b(unit), b(badges), b(items), ms(at).into()],
        )
        .await?;
        Ok(())
    }

    async fn badge_candidates(&self) -> PortResult<Vec<UserId>> {
        rows(
            self.connection(),
            "SELECT created_by AS id FROM items WHERE status = 'published' \
             UNION SELECT author_id AS id FROM community_posts WHERE accepted = 1",
            vec![],
        )
        .await?
        .iter()
        .map(|r| Ok(UserId(get(r, "id")?)))
        .collect()
    }
}
