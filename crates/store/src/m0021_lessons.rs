//! Where lessons were started from (`item_origins`), which items are lessons of which
//! template (`lesson_items`), and praise (`praise`): one per person per target.

use crate::schema::{a, big, id, index, text};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0021_lessons"
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
                .table(a("item_origins"))
                .col(id())
                .col(big("item_id"))
                // `event:5`, `plan:3:activity:2`, `entry:9` (khlang_core::lessons::Origin).
                .col(text("origin", 60))
                .col(big("added_by"))
                .col(big("added_ms"))
                .foreign_key(&mut fk("item_origins", "item_id", "items"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_item_origins",
            "item_origins",
            &["item_id", "origin"],
            true,
        )
        .await?;
        index(
            m,
            "ix_item_origins_origin",
            "item_origins",
            &["origin"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("lesson_items"))
                .col(
                    ColumnDef::new(a("item_id"))
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                .col(text("template", 40))
                .col(big("created_by"))
                .col(big("created_ms"))
                .foreign_key(&mut fk("lesson_items", "item_id", "items"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_lesson_items_creator",
            "lesson_items",
            &["created_by", "created_ms"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("praise"))
                .col(id())
                // `item:5`, `post:7` (khlang_core::recognition::PraiseTarget).
                .col(text("target", 40))
                .col(big("user_id"))
                .col(big("created_ms"))
                .foreign_key(&mut fk("praise", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        index(m, "ux_praise", "praise", &["target", "user_id"], true).await?;
        Ok(())
    }
}
