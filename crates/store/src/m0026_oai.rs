//! OAI-PMH: items carry when their record last changed as Unix milliseconds (`updated_ms`,
//! the same instant as `updated_at`), because both engines compare and sort integers alike
//! while SQLite compares `updated_at` as RFC 3339 text, whose fraction digits vary in length.
//! The harvest walks (visibility, updated_ms, id), so a page reads an index range.

use crate::schema::{a, index};
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;
use time::OffsetDateTime;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0026_oai"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("items"))
                .add_column(
                    ColumnDef::new(a("updated_ms"))
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
        // Existing items: the same instant as their updated_at.
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let select = Query::select()
            .columns([a("id"), a("updated_at")])
            .from(a("items"))
            .to_owned();
        let rows = db.query_all(backend.build(&select)).await?;
        for row in rows {
            let id: i64 = row.try_get("", "id")?;
            let at: OffsetDateTime = row.try_get("", "updated_at")?;
            let ms = (at.unix_timestamp_nanos() / 1_000_000) as i64;
            let update = Query::update()
                .table(a("items"))
                .value(a("updated_ms"), ms)
                .and_where(Expr::col(a("id")).eq(id))
                .to_owned();
            db.execute(backend.build(&update)).await?;
        }
        index(
            m,
            "ix_items_oai",
            "items",
            &["visibility", "updated_ms", "id"],
            false,
        )
        .await?;
        Ok(())
    }
}
