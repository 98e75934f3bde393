//! Background jobs (`jobs`): one row per job — the knowledge book now, imports later — with
//! its owner, parameters, state, progress, result file or Thai error, and the lease that
//! lets exactly one of several khlang processes on the database run it.

use crate::schema::{a, big, big_null, id, index, long, text, text_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0025_books"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("jobs"))
                .col(id())
                // khlang_core::jobs::JobKind::as_str (`book`, …).
                .col(text("kind", 40))
                .col(big("owner_id"))
                // JSON: what the handler needs.
                .col(long("params"))
                // queued | running | done | failed
                .col(text("state", 20))
                .col(big("progress_done"))
                .col(big("progress_total"))
                .col(text("progress_message", 500))
                .col(text_null("result_key", 500))
                .col(text_null("result_name", 300))
                .col(text_null("result_mime", 100))
                .col(big_null("result_size"))
                .col(ColumnDef::new(a("error")).text().null())
                .col(big("created_ms"))
                .col(big_null("started_ms"))
                .col(big_null("finished_ms"))
                .col(text_null("lease_holder", 100))
                .col(big_null("lease_until_ms"))
                .col(big("attempts"))
                .foreign_key(
                    &mut ForeignKey::create()
                        .from(a("jobs"), a("owner_id"))
                        .to(a("users"), a("id"))
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        // The worker's question: what is queued, or running under a lease that ran out.
        index(
            m,
            "ix_jobs_state",
            "jobs",
            &["state", "lease_until_ms"],
            false,
        )
        .await?;
        index(
            m,
            "ix_jobs_owner",
            "jobs",
            &["owner_id", "created_ms"],
            false,
        )
        .await?;
        Ok(())
    }
}
