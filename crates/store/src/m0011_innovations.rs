//! The innovation registry: a projection of innovation items (one row each, refreshed on every
//! write to the item) indexed for the catalogue's filters and the statistics, and the
//! "นำไปใช้แล้ว" reports.

use crate::schema::{a, big, flag, index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_innovations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("innovations"))
                .col(big("item_id").primary_key())
                .col(big("unit_id"))
                .col(ColumnDef::new(a("status")).string_len(20).not_null())
                .col(ColumnDef::new(a("visibility")).string_len(20).not_null())
                .col(ColumnDef::new(a("title")).string_len(2000).not_null())
                .col(ColumnDef::new(a("summary")).text().not_null())
                .col(ColumnDef::new(a("branch_id")).big_integer().null())
                .col(ColumnDef::new(a("province")).string_len(2).null())
                .col(ColumnDef::new(a("district")).string_len(4).null())
                .col(ColumnDef::new(a("health_zone")).integer().null())
                .col(ColumnDef::new(a("regional_centre")).string_len(4).null())
                .col(ColumnDef::new(a("fiscal_year")).integer().not_null())
                .col(flag("has_photo"))
                .col(flag("has_video"))
                .col(flag("has_slides"))
                // JSON array of person ids.
                .col(ColumnDef::new(a("innovators")).text().not_null())
                .col(ColumnDef::new(a("photo_file_id")).big_integer().null())
                .col(big("applied_count").default(0))
                // Unix milliseconds: plain SQL reads them alike on both engines.
                .col(ColumnDef::new(a("published_ms")).big_integer().null())
                .col(big("updated_ms"))
                .foreign_key(
                    ForeignKey::create()
                        .from(a("innovations"), a("item_id"))
                        .to(a("items"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The catalogue reads published rows newest first; each filter narrows by one column.
        index(
            m,
            "ix_innovations_listing",
            "innovations",
            &["status", "published_ms"],
            false,
        )
        .await?;
        for col in [
            "branch_id",
            "regional_centre",
            "health_zone",
            "province",
            "fiscal_year",
            "unit_id",
        ] {
            index(
                m,
                &format!("ix_innovations_{col}"),
                "innovations",
                &["status", col],
                false,
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table(a("innovation_applied"))
                .col(
                    ColumnDef::new(a("id"))
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(big("item_id"))
                .col(big("reported_by"))
                .col(ColumnDef::new(a("province")).string_len(2).null())
                .col(ColumnDef::new(a("place")).string_len(2000).not_null())
                .col(ColumnDef::new(a("how")).text().not_null())
                .col(ColumnDef::new(a("result")).text().not_null())
                .col(big("at_ms"))
                .foreign_key(
                    ForeignKey::create()
                        .from(a("innovation_applied"), a("item_id"))
                        .to(a("items"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(a("innovation_applied"), a("reported_by"))
                        .to(a("users"), a("id")),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_innovation_applied_item",
            "innovation_applied",
            &["item_id", "id"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["innovation_applied", "innovations"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
