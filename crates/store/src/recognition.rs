//! [`RecognitionStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms, utc};
use async_trait::async_trait;
use khlang_core::ids::UnitId;
use khlang_core::ids::UserId;
use khlang_core::ports::PortResult;
use khlang_core::recognition::RecognitionStore;
use khlang_core::recognition::sharing::SharedItem;
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

    async fn published_between(
        &self,
        units: &[UnitId],
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> PortResult<Vec<SharedItem>> {
        use crate::entities::item;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.connection();
        let ids: Vec<i64> = units.iter().map(|u| u.0).collect();
        // The entity compares timestamps the way each engine stores them.
        let found: Vec<(i64, i64, Option<OffsetDateTime>)> = item::Entity::find()
            .select_only()
            .column(item::Column::Id)
            .column(item::Column::UnitId)
            .column(item::Column::PublishedAt)
            .filter(item::Column::Status.eq("published"))
            .filter(item::Column::UnitId.is_in(ids.clone()))
            .filter(item::Column::PublishedAt.gte(utc(from)))
            .filter(item::Column::PublishedAt.lt(utc(to)))
            .into_tuple()
            .all(db)
            .await
            .map_err(map_err)?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; ids.len()].join(", ");
        let values: Vec<Value> = ids.iter().map(|i| Value::from(*i)).collect();
        let templates: HashMap<i64, String> = rows(
            db,
            &format!(
                "SELECT l.item_id, l.template FROM lesson_items l JOIN items i ON i.id = l.item_id \
                 WHERE i.status = 'published' AND i.unit_id IN ({marks})"
            ),
            values.clone(),
        )
        .await?
        .iter()
        .map(|r| Ok((get(r, "item_id")?, get(r, "template")?)))
        .collect::<PortResult<_>>()?;
        let innovations: std::collections::HashSet<i64> = rows(
            db,
            &format!(
                "SELECT n.item_id FROM innovations n JOIN items i ON i.id = n.item_id \
                 WHERE i.status = 'published' AND i.unit_id IN ({marks})"
            ),
            values,
        )
        .await?
        .iter()
        .map(|r| get(r, "item_id"))
        .collect::<PortResult<_>>()?;
        Ok(found
            .into_iter()
            .filter_map(|(id, unit, at)| {
                Some(SharedItem {
                    unit_id: UnitId(unit),
                    published_at: at?,
                    template: templates.get(&id).cloned(),
                    innovation: innovations.contains(&id),
                })
            })
            .collect())
    }
}
