//! Form template versions (แบบฟอร์ม): one row per version, the template as JSON, kept
//! forever because every entry renders with the version it was filled in.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_forms"
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
                .table(a("form_template_versions"))
                .col(ColumnDef::new(a("template_key")).string_len(40).not_null())
                .col(ColumnDef::new(a("version")).integer().not_null())
                // The template body as JSON (khlang_core::forms::TemplateBody).
                .col(ColumnDef::new(a("body")).text().not_null())
                .col(ColumnDef::new(a("created_by")).big_integer().null())
                // RFC 3339, UTC.
                .col(ColumnDef::new(a("created_at")).string_len(40).not_null())
                .primary_key(Index::create().col(a("template_key")).col(a("version")))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("form_template_versions")).to_owned())
            .await
    }
}
