//! Indexes for the executive dashboard's counts.
//!
//! Every block of the dashboard counts one fiscal year's items of a subtree, grouped by unit,
//! status and knowledge type. Without an index on the year, that is a scan of the whole
//! `items` table (100,000 rows for the department); with these four columns in one index, the
//! count reads only the year's part of the index and never the rows.

use crate::schema::{a, index};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_dashboard"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        index(
            m,
            "ix_items_year_unit",
            "items",
            &["fiscal_year", "unit_id", "status", "knowledge_type"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_items_year_unit")
                .table(a("items"))
                .to_owned(),
        )
        .await
    }
}
