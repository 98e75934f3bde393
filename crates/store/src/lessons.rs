//! [`LessonStore`] over the database in plain SQL that SQLite and PostgreSQL both speak;
//! times are Unix milliseconds.

use crate::search::{exec, rows};
use crate::store::{SeaStore, get, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{ItemId, UserId};
use khlang_core::lessons::LessonStore;
use khlang_core::ports::PortResult;
use time::OffsetDateTime;

#[async_trait]
impl LessonStore for SeaStore {
    async fn link_origin(
        &self,
        item: ItemId,
        origin: &str,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        match exec(
            self.connection(),
            "INSERT INTO item_origins (item_id, origin, added_by, added_ms) VALUES (?, ?, ?, ?)",
            vec![item.0.into(), origin.into(), by.0.into(), ms(at).into()],
        )
        .await
        {
            Ok(_) | Err(PortError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn items_of_origin(&self, origin: &str) -> PortResult<Vec<ItemId>> {
        let found = rows(
            self.connection(),
            "SELECT item_id FROM item_origins WHERE origin = ? ORDER BY added_ms DESC, id DESC",
            vec![origin.into()],
        )
        .await?;
        found
            .iter()
            .map(|r| Ok(ItemId(get(r, "item_id")?)))
            .collect()
    }

    async fn origins_of_item(&self, item: ItemId) -> PortResult<Vec<String>> {
        let found = rows(
            self.connection(),
            "SELECT origin FROM item_origins WHERE item_id = ? ORDER BY id",
            vec![item.0.into()],
        )
        .await?;
        found.iter().map(|r| get(r, "origin")).collect()
    }

    async fn record_lesson(
        &self,
        item: ItemId,
        template: &str,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        exec(
            self.connection(),
            "INSERT INTO lesson_items (item_id, template, created_by, created_ms) \
             VALUES (?, ?, ?, ?)",
            vec![item.0.into(), template.into(), by.0.into(), ms(at).into()],
        )
        .await
        .map(|_| ())
    }

    async fn lessons_of(&self, user: UserId, limit: u64) -> PortResult<Vec<(ItemId, String)>> {
        let found = rows(
            self.connection(),
            "SELECT item_id, template FROM lesson_items WHERE created_by = ? \
             ORDER BY created_ms DESC, item_id DESC LIMIT ?",
            vec![user.0.into(), (limit as i64).into()],
        )
        .await?;
        found
            .iter()
            .map(|r| Ok((ItemId(get(r, "item_id")?), get(r, "template")?)))
            .collect()
    }
}
