//! Communities, their members and facilitators, threads, posts, accepted answers, reports.
//! Flags are integers (0/1) so plain SQL reads and writes them the same on both engines.

use crate::schema::{a, big, big_null, id, index, long, text, text_null};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_communities"
    }
}

fn fk(from: &str, col: &str, to: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(a(from), a(col))
        .to(a(to), a("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
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
                .table(a("communities"))
                .col(id())
                .col(big("unit_id"))
                .col(text("name", 400))
                .col(long("description"))
                // 1: members only (name and description listed, nothing else).
                .col(int("members_only"))
                .col(big("created_by"))
                .col(big("created_ms"))
                // The newest thread or post (lists sort by it).
                .col(big("activity_ms"))
                .foreign_key(&mut fk("communities", "unit_id", "units"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_communities_name",
            "communities",
            &["unit_id", "name"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("community_members"))
                .col(id())
                .col(big("community_id"))
                .col(big("user_id"))
                // pending · member · facilitator
                .col(text("role", 20))
                .col(big("created_ms"))
                .foreign_key(&mut fk("community_members", "community_id", "communities"))
                .foreign_key(&mut fk("community_members", "user_id", "users"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ux_community_members",
            "community_members",
            &["community_id", "user_id"],
            true,
        )
        .await?;
        index(
            m,
            "ix_community_members_user",
            "community_members",
            &["user_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("community_threads"))
                .col(id())
                .col(big("community_id"))
                // question · discussion
                .col(text("kind", 20))
                .col(text("title", 400))
                .col(big("author_id"))
                .col(big("created_ms"))
                .col(big("activity_ms"))
                // The draft item it was turned into (once).
                .col(big_null("item_id"))
                .foreign_key(&mut fk("community_threads", "community_id", "communities"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_community_threads_activity",
            "community_threads",
            &["community_id", "activity_ms"],
            false,
        )
        .await?;
        // Rate limits count a person's recent threads.
        index(
            m,
            "ix_community_threads_author",
            "community_threads",
            &["author_id", "created_ms"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("community_posts"))
                .col(id())
                .col(big("thread_id"))
                .col(big("author_id"))
                .col(long("body"))
                // 1: the thread's opening post.
                .col(int("opening"))
                .col(int("accepted"))
                .col(text_null("hidden_reason", 800))
                .col(big_null("hidden_by"))
                .col(big("created_ms"))
                .foreign_key(&mut fk("community_posts", "thread_id", "community_threads"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_community_posts_thread",
            "community_posts",
            &["thread_id", "id"],
            false,
        )
        .await?;
        index(
            m,
            "ix_community_posts_author",
            "community_posts",
            &["author_id", "created_ms"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("community_files"))
                .col(id())
                .col(big("post_id"))
                .col(text("name", 400))
                .col(text("mime", 200))
                .col(text("kind", 40))
                .col(big("size"))
                .col(text("sha256", 64))
                .col(big("created_ms"))
                .foreign_key(&mut fk("community_files", "post_id", "community_posts"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_community_files_post",
            "community_files",
            &["post_id"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("community_reports"))
                .col(id())
                .col(big("post_id"))
                .col(big("reporter_id"))
                .col(text("reason", 800))
                .col(big("created_ms"))
                .col(big_null("resolved_ms"))
                .foreign_key(&mut fk("community_reports", "post_id", "community_posts"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_community_reports_post",
            "community_reports",
            &["post_id"],
            false,
        )
        .await?;
        Ok(())
    }
}
