//! What several khlang processes on one database agree on through it (see `crate::nodes`):
//! leases (who runs a periodic job, who is writing an upload) and a count of changes per
//! cached topic, which each process compares with what it last saw.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_nodes"
    }
}

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("leases"))
                .col(
                    ColumnDef::new(a("name"))
                        .string_len(200)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(a("holder")).string_len(100).not_null())
                // Unix milliseconds.
                .col(ColumnDef::new(a("until_ms")).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("cache_versions"))
                .col(
                    ColumnDef::new(a("topic"))
                        .string_len(100)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(a("version")).big_integer().not_null())
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["cache_versions", "leases"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
