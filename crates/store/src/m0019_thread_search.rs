//! The search index of community threads, and notice preferences (daily digest).
//!
//! Threads: `thread_docs` holds each thread's text as typed (for snippets) and its community
//! (visibility is decided at query time). SQLite indexes the pre-segmented words in two
//! contentless FTS5 tables with the `ascii` tokenizer (`thread_words`: title and posts;
//! `thread_grams`), rowid = thread id; PostgreSQL keeps tsvector columns on `thread_docs`
//! with GIN indexes. As for items, khlang segments the Thai before either engine sees it.
//!
//! Digest: `notice_prefs` says who wants community notices once a day; `notice_held` keeps
//! those notices aside until the day's digest takes them (`digest_day`, Bangkok date).

use crate::schema::{a, big, id, index, text, text_null};
use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0019_thread_search"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let statements: Vec<&str> = if backend == sea_orm::DbBackend::Postgres {
            vec![
                "CREATE TABLE thread_docs (thread_id BIGINT PRIMARY KEY, \
                 community_id BIGINT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, \
                 title_words TEXT NOT NULL, body_words TEXT NOT NULL, grams_text TEXT NOT NULL, \
                 updated_ms BIGINT NOT NULL, words tsvector NOT NULL, grams tsvector NOT NULL)",
                "CREATE INDEX ix_thread_docs_words ON thread_docs USING GIN (words)",
                "CREATE INDEX ix_thread_docs_grams ON thread_docs USING GIN (grams)",
                "CREATE INDEX ix_thread_docs_community ON thread_docs (community_id)",
            ]
        } else {
            vec![
                "CREATE TABLE thread_docs (thread_id INTEGER PRIMARY KEY, \
                 community_id INTEGER NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, \
                 title_words TEXT NOT NULL, body_words TEXT NOT NULL, grams_text TEXT NOT NULL, \
                 updated_ms INTEGER NOT NULL)",
                "CREATE INDEX ix_thread_docs_community ON thread_docs (community_id)",
                "CREATE VIRTUAL TABLE thread_words USING fts5(title, body, tokenize = 'ascii', \
                 content = '', contentless_delete = 1)",
                "CREATE VIRTUAL TABLE thread_grams USING fts5(grams, tokenize = 'ascii', \
                 content = '', contentless_delete = 1)",
            ]
        };
        for sql in statements {
            db.execute(sea_orm::Statement::from_string(backend, sql))
                .await?;
        }
        m.create_table(
            Table::create()
                .table(a("notice_prefs"))
                .col(
                    ColumnDef::new(a("user_id"))
                        .big_integer()
                        .not_null()
                        .primary_key(),
                )
                // `immediate` or `digest`, for notices whose kind starts `community_`.
                .col(text("community", 20))
                .col(big("updated_ms"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("notice_held"))
                .col(id())
                .col(big("user_id"))
                .col(text("kind", 40))
                .col(text("title", 1000))
                .col(text("link", 1000))
                .col(big("created_ms"))
                // The Bangkok date (YYYY-MM-DD) of the digest that took it; NULL: waiting.
                .col(text_null("digest_day", 10))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "ix_notice_held_user_day",
            "notice_held",
            &["user_id", "digest_day"],
            false,
        )
        .await?;
        Ok(())
    }
}
