//! Tables for the KM network registry, the trainer directory and success levels.
//! A registry member is a person of the person register (`people`): the name and phone live
//! there, so consent, audited reads, export and erasure work as they do for the register.

use crate::schema::{a, big, big_null, id, index, long, text};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_networks"
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
                .table(a("km_network_members"))
                .col(id())
                // network · trainers
                .col(text("registry", 20))
                // Whose register the row belongs to.
                .col(big("unit_id"))
                .col(big("person_id"))
                .col(text("position", 800))
                // สังกัด as written on the form.
                .col(text("affiliation", 800))
                // ผลงาน/รางวัล ด้านการจัดการความรู้
                .col(long("works"))
                // วิชาที่สอน (trainers)
                .col(long("subjects"))
                // ผ่านอบรมกิจกรรมที่ ๑.๒: NULL when not known.
                .col(ColumnDef::new(a("training_passed")).boolean().null())
                // The person's account, when they have one.
                .col(big_null("user_id"))
                .col(big_null("created_by"))
                .col(big("created_ms"))
                .col(big("updated_ms"))
                .foreign_key(&mut fk("km_network_members", "unit_id", "units"))
                .foreign_key(&mut fk("km_network_members", "person_id", "people"))
                .to_owned(),
        )
        .await?;
        // One row per person in a unit's register; lists read a unit's rows by registry.
        index(
            m,
            "ux_km_network_members_person",
            "km_network_members",
            &["registry", "unit_id", "person_id"],
            true,
        )
        .await?;
        index(
            m,
            "ix_km_network_members_person",
            "km_network_members",
            &["person_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("km_success_levels"))
                .col(id())
                .col(big("unit_id"))
                .col(ColumnDef::new(a("fiscal_year")).integer().not_null())
                // 1..=5
                .col(ColumnDef::new(a("level")).integer().not_null())
                // YYYY-MM-DD
                .col(text("achieved_on", 10))
                // JSON array of links and `item:<id>`.
                .col(long("evidence"))
                .col(long("note"))
                .col(big_null("confirmed_by"))
                .col(big("confirmed_ms"))
                .foreign_key(&mut fk("km_success_levels", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_km_success_levels",
            "km_success_levels",
            &["unit_id", "fiscal_year", "level"],
            true,
        )
        .await?;
        // Overviews read a whole year at once.
        index(
            m,
            "ix_km_success_levels_year",
            "km_success_levels",
            &["fiscal_year"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["km_success_levels", "km_network_members"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
