//! Imports: staged uploads with their dry run, and the key every imported item carries
//! (one row per item, written in the item's own transaction, unique so that no source
//! entry is imported twice — by a second upload or by two processes at once).

use crate::schema::{a, big, big_null, id, index, long, text, text_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0028_imports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("imports"))
                .col(id())
                // khlang_core::imports::Source::as_str
                .col(text("source", 20))
                .col(big("owner_id"))
                .col(big("unit_id"))
                // khlang_core::imports::Target::as_str
                .col(text("target", 20))
                .col(text("file_name", 300))
                // JSON: the dry run (entries and problems).
                .col(long("plan"))
                .col(text_null("bundle_key", 300))
                .col(big_null("job_id"))
                .col(big("created_ms"))
                .foreign_key(
                    &mut ForeignKey::create()
                        .from(a("imports"), a("owner_id"))
                        .to(a("users"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_imports_owner",
            "imports",
            &["owner_id", "created_ms"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("import_keys"))
                .col(
                    ColumnDef::new(a("import_key"))
                        .string_len(600)
                        .not_null()
                        .primary_key(),
                )
                .col(big("item_id"))
                .col(big("import_id"))
                .col(big("made_ms"))
                .foreign_key(
                    &mut ForeignKey::create()
                        .from(a("import_keys"), a("item_id"))
                        .to(a("items"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_import_keys_import",
            "import_keys",
            &["import_id"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["import_keys", "imports"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
