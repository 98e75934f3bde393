//! Picture copies (see `khlang_core::media`): one row per picture content (SHA-256) saying
//! whether its metadata-free copies are made, waiting (a job queue with a lease, as
//! `file_texts`), or refused (too many pixels, damaged), and what they weigh.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_media"
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
                .table(a("picture_copies"))
                .col(
                    ColumnDef::new(a("sha256"))
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(a("mime")).string_len(100).not_null())
                .col(ColumnDef::new(a("size")).big_integer().not_null())
                // pending · done · refused · failed
                .col(ColumnDef::new(a("status")).string_len(16).not_null())
                .col(ColumnDef::new(a("version")).integer().not_null())
                .col(ColumnDef::new(a("attempts")).integer().not_null())
                // Unix seconds: when a pending row is due (or its lease runs out).
                .col(
                    ColumnDef::new(a("next_attempt_at"))
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(a("thumb_bytes")).big_integer().null())
                .col(ColumnDef::new(a("display_bytes")).big_integer().null())
                .col(ColumnDef::new(a("reason")).text().null())
                .col(ColumnDef::new(a("updated_at")).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("picture_copies_due")
                .table(a("picture_copies"))
                .col(a("status"))
                .col(a("next_attempt_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("picture_copies")).to_owned())
            .await
    }
}
