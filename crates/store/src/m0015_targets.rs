//! Tables for targets per unit and fiscal year, and inboxes (notifications).
//!
//! `km_targets`: one row per unit, fiscal year and category (NULL: every category); the
//! uniqueness is an expression index on `COALESCE(category_term_id, 0)` so that two
//! all-categories targets clash too (NULLs never do in a plain unique index), which SQLite
//! and PostgreSQL both build. The due date is ISO text (`YYYY-MM-DD`): it sorts and compares
//! as a date on both engines.
//!
//! `notices`: an inbox row per person; `once_key` with UNIQUE (user_id, once_key) makes a
//! reminder go out once whatever the number of processes (inserts use `ON CONFLICT DO
//! NOTHING`).

use crate::schema::{a, big, big_null, id, index, text, text_null};
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_targets"
    }
}

fn fk(from: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(from), a(col))
        .to(a(to), a("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("km_targets"))
                .col(id())
                .col(big("unit_id"))
                .col(ColumnDef::new(a("fiscal_year")).integer().not_null())
                .col(big_null("category_term_id"))
                .col(big("people"))
                .col(big("items_per_person"))
                .col(text_null("due_date", 10))
                .col(big("set_by"))
                .col(big("set_ms"))
                .foreign_key(&mut fk("km_targets", "unit_id", "units"))
                .foreign_key(&mut fk("km_targets", "category_term_id", "terms"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_km_targets ON km_targets \
                 (unit_id, fiscal_year, COALESCE(category_term_id, 0))",
            )
            .await?;
        index(
            m,
            "ix_km_targets_year",
            "km_targets",
            &["fiscal_year", "category_term_id"],
            false,
        )
        .await?;
        index(m, "ix_km_targets_due", "km_targets", &["due_date"], false).await?;

        m.create_table(
            Table::create()
                .table(a("notices"))
                .col(id())
                .col(big("user_id"))
                .col(text("kind", 40))
                .col(text("title", 1000))
                .col(text("link", 1000))
                .col(big("created_ms"))
                .col(big_null("read_ms"))
                .col(text_null("once_key", 200))
                .foreign_key(&mut fk("notices", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_notices_once",
            "notices",
            &["user_id", "once_key"],
            true,
        )
        .await?;
        // The bell's COUNT and the inbox's newest-first page.
        index(
            m,
            "ix_notices_unread",
            "notices",
            &["user_id", "read_ms"],
            false,
        )
        .await?;
        index(m, "ix_notices_user", "notices", &["user_id", "id"], false).await?;
        Ok(())
    }
}
