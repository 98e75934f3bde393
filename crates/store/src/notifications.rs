//! [`NoticeStore`] over the database in plain SQL that SQLite and PostgreSQL both speak;
//! times are Unix milliseconds.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::ids::{NoticeId, UserId};
use khlang_core::notifications::{CommunityDelivery, HeldNotice, NewNotice, Notice, NoticeStore};
use khlang_core::ports::{Page, PortResult};
use sea_orm::{QueryResult, TransactionTrait};
use time::OffsetDateTime;

const COLUMNS: &str = "id, user_id, kind, title, link, created_ms, read_ms";

fn to_notice(r: &QueryResult) -> PortResult<Notice> {
    Ok(Notice {
        id: NoticeId(get(r, "id")?),
        user: UserId(get(r, "user_id")?),
        kind: get(r, "kind")?,
        title: get(r, "title")?,
        link: get(r, "link")?,
        created_at: from_ms(get(r, "created_ms")?)?,
        read_at: get::<Option<i64>>(r, "read_ms")?.map(from_ms).transpose()?,
    })
}

#[async_trait]
impl NoticeStore for SeaStore {
    async fn insert_notices(&self, notices: &[NewNotice], at: OffsetDateTime) -> PortResult<u64> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let mut added = 0;
        for n in notices {
            // Both engines take a conflict target-less DO NOTHING; rows without a key never
            // conflict (NULLs are distinct in the unique index).
            added += exec(
                &txn,
                "INSERT INTO notices (user_id, kind, title, link, created_ms, read_ms, once_key) \
                 VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING",
                vec![
                    n.user.0.into(),
                    n.kind.clone().into(),
                    n.title.clone().into(),
                    n.link.clone().into(),
                    ms(at).into(),
                    n.once_key.clone().into(),
                ],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(added)
    }

    async fn unread_notices(&self, user: UserId) -> PortResult<u64> {
        let found = rows(
            self.connection(),
            "SELECT COUNT(*) AS n FROM notices WHERE user_id = ? AND read_ms IS NULL",
            vec![user.0.into()],
        )
        .await?;
        Ok(match found.first() {
            Some(r) => u64::try_from(get::<i64>(r, "n")?).unwrap_or(0),
            None => 0,
        })
    }

    async fn list_notices(
        &self,
        user: UserId,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Notice>> {
        let total = rows(
            self.connection(),
            "SELECT COUNT(*) AS n FROM notices WHERE user_id = ?",
            vec![user.0.into()],
        )
        .await?;
        let total = match total.first() {
            Some(r) => u64::try_from(get::<i64>(r, "n")?).unwrap_or(0),
            None => 0,
        };
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM notices WHERE user_id = ? ORDER BY id DESC \
                 LIMIT ? OFFSET ?"
            ),
            vec![
                user.0.into(),
                (per_page as i64).into(),
                (page.saturating_sub(1).saturating_mul(per_page) as i64).into(),
            ],
        )
        .await?;
        Ok(Page {
            items: found.iter().map(to_notice).collect::<PortResult<_>>()?,
            page,
            per_page,
            total,
        })
    }

    async fn open_notice(
        &self,
        user: UserId,
        id: NoticeId,
        at: OffsetDateTime,
    ) -> PortResult<Option<Notice>> {
        exec(
            self.connection(),
            "UPDATE notices SET read_ms = ? WHERE id = ? AND user_id = ? AND read_ms IS NULL",
            vec![ms(at).into(), id.0.into(), user.0.into()],
        )
        .await?;
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM notices WHERE id = ? AND user_id = ?"),
            vec![id.0.into(), user.0.into()],
        )
        .await?;
        found.first().map(to_notice).transpose()
    }

    async fn read_all_notices(&self, user: UserId, at: OffsetDateTime) -> PortResult<u64> {
        exec(
            self.connection(),
            "UPDATE notices SET read_ms = ? WHERE user_id = ? AND read_ms IS NULL",
            vec![ms(at).into(), user.0.into()],
        )
        .await
    }

    async fn community_delivery(&self, user: UserId) -> PortResult<CommunityDelivery> {
        let found = rows(
            self.connection(),
            "SELECT community FROM notice_prefs WHERE user_id = ?",
            vec![user.0.into()],
        )
        .await?;
        match found.first() {
            // An unknown stored value reads as the default rather than failing the inbox.
            Some(r) => {
                Ok(CommunityDelivery::parse(&get::<String>(r, "community")?).unwrap_or_default())
            }
            None => Ok(CommunityDelivery::default()),
        }
    }

    async fn set_community_delivery(
        &self,
        user: UserId,
        delivery: CommunityDelivery,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        exec(
            self.connection(),
            "INSERT INTO notice_prefs (user_id, community, updated_ms) VALUES (?, ?, ?) \
             ON CONFLICT (user_id) DO UPDATE SET community = excluded.community, \
             updated_ms = excluded.updated_ms",
            vec![user.0.into(), delivery.as_str().into(), ms(at).into()],
        )
        .await?;
        Ok(())
    }

    async fn digest_takers(&self, users: &[UserId]) -> PortResult<Vec<UserId>> {
        if users.is_empty() {
            return Ok(vec![]);
        }
        let marks = vec!["?"; users.len()].join(", ");
        let mut values: Vec<sea_orm::Value> = vec![CommunityDelivery::Digest.as_str().into()];
        values.extend(users.iter().map(|u| sea_orm::Value::from(u.0)));
        rows(
            self.connection(),
            &format!(
                "SELECT user_id FROM notice_prefs WHERE community = ? AND user_id IN ({marks})"
            ),
            values,
        )
        .await?
        .iter()
        .map(|r| Ok(UserId(get(r, "user_id")?)))
        .collect()
    }

    async fn hold_notices(&self, notices: &[NewNotice], at: OffsetDateTime) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        for n in notices {
            exec(
                &txn,
                "INSERT INTO notice_held (user_id, kind, title, link, created_ms, digest_day) \
                 VALUES (?, ?, ?, ?, ?, NULL)",
                vec![
                    n.user.0.into(),
                    n.kind.clone().into(),
                    n.title.clone().into(),
                    n.link.clone().into(),
                    ms(at).into(),
                ],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)
    }

    async fn people_with_held(&self) -> PortResult<Vec<UserId>> {
        rows(
            self.connection(),
            "SELECT DISTINCT user_id FROM notice_held WHERE digest_day IS NULL ORDER BY user_id",
            vec![],
        )
        .await?
        .iter()
        .map(|r| Ok(UserId(get(r, "user_id")?)))
        .collect()
    }

    async fn waiting_held(&self, user: UserId) -> PortResult<(u64, i64)> {
        let found = rows(
            self.connection(),
            "SELECT COUNT(*) AS n, MAX(id) AS up_to FROM notice_held \
             WHERE user_id = ? AND digest_day IS NULL",
            vec![user.0.into()],
        )
        .await?;
        Ok(match found.first() {
            Some(r) => (
                u64::try_from(get::<i64>(r, "n")?).unwrap_or(0),
                get::<Option<i64>>(r, "up_to")?.unwrap_or(0),
            ),
            None => (0, 0),
        })
    }

    async fn insert_digest(
        &self,
        digest: &NewNotice,
        day: &str,
        up_to: i64,
        at: OffsetDateTime,
    ) -> PortResult<bool> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        // A racing process's insert waits on the unique (user, once_key) until this commits,
        // then adds nothing and so marks nothing.
        let added = exec(
            &txn,
            "INSERT INTO notices (user_id, kind, title, link, created_ms, read_ms, once_key) \
             VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING",
            vec![
                digest.user.0.into(),
                digest.kind.clone().into(),
                digest.title.clone().into(),
                digest.link.clone().into(),
                ms(at).into(),
                digest.once_key.clone().into(),
            ],
        )
        .await?;
        if added == 1 {
            exec(
                &txn,
                "UPDATE notice_held SET digest_day = ? \
                 WHERE user_id = ? AND digest_day IS NULL AND id <= ?",
                vec![day.into(), digest.user.0.into(), up_to.into()],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(added == 1)
    }

    async fn digest_notices(&self, user: UserId, day: &str) -> PortResult<Vec<HeldNotice>> {
        rows(
            self.connection(),
            "SELECT id, kind, title, link, created_ms FROM notice_held \
             WHERE user_id = ? AND digest_day = ? ORDER BY id",
            vec![user.0.into(), day.into()],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(HeldNotice {
                id: get(r, "id")?,
                kind: get(r, "kind")?,
                title: get(r, "title")?,
                link: get(r, "link")?,
                created_at: from_ms(get(r, "created_ms")?)?,
            })
        })
        .collect()
    }
}
