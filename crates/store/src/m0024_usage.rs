//! Usage statistics: daily counts per item and file (`usage_daily`), the double-click window
//! (`usage_recent`: a keyed hash and when it was last seen — no address, no user agent, no
//! account) and the window's secret (`usage_secret`, one row).

use crate::schema::{a, big, index, text};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0024_usage"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("usage_daily"))
                .col(big("item_id"))
                // The file downloaded; 0 for views of the item's page.
                .col(big("file_id"))
                // yyyymmdd, Bangkok time: months are day / 100 on both engines.
                .col(big("day"))
                .col(big("views"))
                .col(big("downloads"))
                .foreign_key(
                    ForeignKey::create()
                        .from(a("usage_daily"), a("item_id"))
                        .to(a("items"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // One row per item, file and day, raised in place by every process.
        index(
            m,
            "ux_usage_daily",
            "usage_daily",
            &["item_id", "file_id", "day"],
            true,
        )
        .await?;
        // Covers the reports' sums over a range of days without reading the table.
        index(
            m,
            "ix_usage_daily_day",
            "usage_daily",
            &["day", "item_id", "views", "downloads"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("usage_recent"))
                .col(
                    ColumnDef::new(a("fingerprint"))
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(big("seen_ms"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_usage_recent_seen",
            "usage_recent",
            &["seen_ms"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("usage_secret"))
                .col(
                    ColumnDef::new(a("id"))
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(text("secret", 100))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
