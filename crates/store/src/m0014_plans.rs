//! Tables for KM plans (Forms 1 and 2) with their history and comments.
//!
//! A plan's content (`PlanContent`) is one JSON document: it is read and written whole and
//! versioned (a stale save is refused). The activity counts are kept beside it in columns so
//! that overviews of hundreds of units read no JSON.

use crate::schema::{a, big, big_null, id, index, long, text};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_plans"
    }
}

fn int(name: &str) -> ColumnDef {
    ColumnDef::new(a(name))
        .integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("km_plans"))
                .col(id())
                .col(big("unit_id"))
                .col(int("fiscal_year"))
                // draft · submitted · approved · returned
                .col(text("status", 20))
                // PlanContent as JSON.
                .col(long("content"))
                .col(int("version"))
                .col(big_null("copied_from"))
                .col(big("created_by"))
                .col(big("created_ms"))
                .col(big("updated_ms"))
                .col(big_null("submitted_ms"))
                .col(big_null("decided_ms"))
                .col(int("n_total"))
                .col(int("n_done"))
                .col(int("n_in_progress"))
                .col(int("n_cancelled"))
                .foreign_key(
                    ForeignKey::create()
                        .from(a("km_plans"), a("unit_id"))
                        .to(a("units"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_km_plans_unit_year",
            "km_plans",
            &["unit_id", "fiscal_year"],
            true,
        )
        .await?;
        index(m, "ix_km_plans_year", "km_plans", &["fiscal_year"], false).await?;

        m.create_table(
            Table::create()
                .table(a("km_plan_events"))
                .col(id())
                .col(big("plan_id"))
                .col(big("at_ms"))
                .col(big("user_id"))
                // PlanEventKind::as_str
                .col(text("kind", 20))
                // The comment, or what changed.
                .col(long("text"))
                // The plan's status after the event.
                .col(text("status", 20))
                .foreign_key(
                    ForeignKey::create()
                        .from(a("km_plan_events"), a("plan_id"))
                        .to(a("km_plans"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_km_plan_events_plan",
            "km_plan_events",
            &["plan_id", "at_ms"],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["km_plan_events", "km_plans"] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
