//! LINE capture: one-time link codes (hashed), LINE users linked to people, and the webhook
//! events already handled (so a redelivery, on any process, makes nothing twice).

use crate::schema::{a, big, index, text};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0027_line"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("line_link_codes"))
                .col(
                    ColumnDef::new(a("user_id"))
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(text("code_hash", 64))
                .col(big("expires_ms"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_line_link_codes_hash",
            "line_link_codes",
            &["code_hash"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("line_accounts"))
                .col(
                    ColumnDef::new(a("line_user_id"))
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(big("user_id"))
                .col(big("linked_ms"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_line_accounts_user",
            "line_accounts",
            &["user_id"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("line_events"))
                .col(
                    ColumnDef::new(a("event_id"))
                        .string_len(100)
                        .not_null()
                        .primary_key(),
                )
                .col(big("received_ms"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["line_events", "line_accounts", "line_link_codes"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
