//! [`LineStore`] over the database in plain SQL that SQLite and PostgreSQL both speak;
//! times are Unix milliseconds.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::UserId;
use khlang_core::line::LineStore;
use khlang_core::ports::PortResult;
use sea_orm::TransactionTrait;
use time::OffsetDateTime;

#[async_trait]
impl LineStore for SeaStore {
    async fn put_link_code(
        &self,
        user: UserId,
        hash: &str,
        expires: OffsetDateTime,
    ) -> PortResult<()> {
        let tx = self.connection().begin().await.map_err(map_err)?;
        exec(
            &tx,
            "DELETE FROM line_link_codes WHERE user_id = ?",
            vec![user.0.into()],
        )
        .await?;
        exec(
            &tx,
            "INSERT INTO line_link_codes (user_id, code_hash, expires_ms) VALUES (?, ?, ?)",
            vec![user.0.into(), hash.into(), ms(expires).into()],
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }

    async fn take_link_code(&self, hash: &str, now: OffsetDateTime) -> PortResult<Option<UserId>> {
        let found = rows(
            self.connection(),
            "SELECT user_id FROM line_link_codes WHERE code_hash = ? AND expires_ms > ?",
            vec![hash.into(), ms(now).into()],
        )
        .await?;
        let Some(row) = found.first() else {
            return Ok(None);
        };
        let user: i64 = get(row, "user_id")?;
        // Whoever deletes the row took the code: two deliveries at once link once.
        let taken = exec(
            self.connection(),
            "DELETE FROM line_link_codes WHERE code_hash = ? AND user_id = ?",
            vec![hash.into(), user.into()],
        )
        .await?;
        Ok((taken == 1).then_some(UserId(user)))
    }

    async fn link_line_user(
        &self,
        line_user: &str,
        user: UserId,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        let tx = self.connection().begin().await.map_err(map_err)?;
        exec(
            &tx,
            "DELETE FROM line_accounts WHERE line_user_id = ? OR user_id = ?",
            vec![line_user.into(), user.0.into()],
        )
        .await?;
        exec(
            &tx,
            "INSERT INTO line_accounts (line_user_id, user_id, linked_ms) VALUES (?, ?, ?)",
            vec![line_user.into(), user.0.into(), ms(at).into()],
        )
        .await?;
        tx.commit().await.map_err(map_err)
    }

    async fn user_of_line(&self, line_user: &str) -> PortResult<Option<UserId>> {
        let found = rows(
            self.connection(),
            "SELECT user_id FROM line_accounts WHERE line_user_id = ?",
            vec![line_user.into()],
        )
        .await?;
        found
            .first()
            .map(|r| get(r, "user_id").map(UserId))
            .transpose()
    }

    async fn line_linked_at(&self, user: UserId) -> PortResult<Option<OffsetDateTime>> {
        let found = rows(
            self.connection(),
            "SELECT linked_ms FROM line_accounts WHERE user_id = ?",
            vec![user.0.into()],
        )
        .await?;
        found
            .first()
            .map(|r| from_ms(get(r, "linked_ms")?))
            .transpose()
    }

    async fn unlink_line(&self, user: UserId) -> PortResult<()> {
        exec(
            self.connection(),
            "DELETE FROM line_accounts WHERE user_id = ?",
            vec![user.0.into()],
        )
        .await
        .map(|_| ())
    }

    async fn first_delivery(&self, event_id: &str, at: OffsetDateTime) -> PortResult<bool> {
        match exec(
            self.connection(),
            "INSERT INTO line_events (event_id, received_ms) VALUES (?, ?)",
            vec![event_id.into(), ms(at).into()],
        )
        .await
        {
            Ok(_) => Ok(true),
            Err(PortError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
