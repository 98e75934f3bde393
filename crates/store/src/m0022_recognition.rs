//! Badges earned (`badges`: one row per person per badge, kept with the date first earned, never
//! removed) and what each person chose to show on their public profile (`profile_prefs`).

use crate::schema::{a, big, index, text};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0022_recognition"
    }
}

fn to_users(from: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(from), a("user_id"))
        .to(a("users"), a("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("badges"))
                .col(big("user_id"))
                // khlang_core::recognition::Badge::key (`first_item`, `sharer`, …).
                .col(text("badge", 40))
                .col(big("earned_ms"))
                .foreign_key(&mut to_users("badges"))
                .to_owned(),
        )
        .await?;
        // Awarded once even when several processes refresh the same person at once.
        index(m, "ux_badges", "badges", &["user_id", "badge"], true).await?;

        m.create_table(
            Table::create()
                .table(a("profile_prefs"))
                .col(
                    ColumnDef::new(a("user_id"))
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                // 0/1 integers: both engines read them back the same way in plain SQL.
                .col(big("show_unit"))
                .col(big("show_badges"))
                .col(big("show_items"))
                .col(big("updated_ms"))
                .foreign_key(&mut to_users("profile_prefs"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
