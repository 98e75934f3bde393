//! Pending revisions (ฉบับแก้ไข) of published items: an edit of published knowledge waits here
//! through screening while readers keep the published version in `items`. At most one per
//! item; files it adds sit in `item_files` with `current = false` until it is approved.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_revisions"
    }
}

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let ts = |name: &str| {
            ColumnDef::new(a(name))
                .timestamp_with_time_zone()
                .not_null()
                .to_owned()
        };
        let big = |name: &str| ColumnDef::new(a(name)).big_integer().not_null().to_owned();
        m.create_table(
            Table::create()
                .table(a("item_revisions"))
                .col(
                    ColumnDef::new(a("item_id"))
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(a("status")).string_len(32).not_null())
                .col(ColumnDef::new(a("snapshot")).text().not_null())
                .col(big("created_by"))
                .col(ts("created_at"))
                .col(big("updated_by"))
                .col(ts("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from(a("item_revisions"), a("item_id"))
                        .to(a("items"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The review queue asks which items have a revision waiting.
        m.create_index(
            Index::create()
                .name("ix_item_revisions_status")
                .table(a("item_revisions"))
                .col(a("status"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("item_revisions")).to_owned())
            .await
    }
}
