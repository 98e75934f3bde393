//! The search index, the text read from files, and the admins' dictionary words. The index
//! differs by engine (an FTS5 table; a table of tsvectors with GIN indexes), so this migration
//! speaks each engine's SQL.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_search"
    }
}

/// Columns every hit carries back so that core can check visibility and count facets without
/// loading the item (the same names on both engines).
const FACETS_SQLITE: &str = "visibility UNINDEXED, unit_id UNINDEXED, fiscal_year UNINDEXED, \
     knowledge_type UNINDEXED, terms UNINDEXED, formats UNINDEXED, published_at UNINDEXED";

const FACETS_PG: &str = "visibility TEXT NOT NULL, unit_id BIGINT NOT NULL, \
     fiscal_year INTEGER NOT NULL, knowledge_type TEXT NOT NULL, terms TEXT NOT NULL, \
     formats TEXT NOT NULL, published_at BIGINT NOT NULL";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let index = match backend {
            // `ascii`: bytes ≥ 128 are word characters, so Thai words stay whole; khlang
            // separates words with spaces before they get here.
            DbBackend::Sqlite => vec![format!(
                "CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, files, grams, \
                 {FACETS_SQLITE}, tokenize = 'ascii')"
            )],
            _ => vec![
                format!(
                    "CREATE TABLE search_docs (item_id BIGINT PRIMARY KEY REFERENCES items(id), \
                     words TSVECTOR NOT NULL, grams TSVECTOR NOT NULL, {FACETS_PG})"
                ),
                "CREATE INDEX ix_search_docs_words ON search_docs USING GIN (words)".into(),
                "CREATE INDEX ix_search_docs_grams ON search_docs USING GIN (grams)".into(),
            ],
        };
        for sql in index {
            db.execute(Statement::from_string(backend, sql)).await?;
        }
        let a = Alias::new;
        m.create_table(
            Table::create()
                .table(a("file_texts"))
                .col(
                    ColumnDef::new(a("sha256"))
                        .string_len(64)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(a("mime")).string_len(200).not_null())
                .col(ColumnDef::new(a("size")).big_integer().not_null())
                // pending → done | failed; a job being read has its next attempt pushed out.
                .col(ColumnDef::new(a("status")).string_len(16).not_null())
                .col(ColumnDef::new(a("text")).text())
                .col(
                    ColumnDef::new(a("truncated"))
                        .boolean()
                        .not_null()
                        .default(false),
                )
                .col(
                    ColumnDef::new(a("attempts"))
                        .integer()
                        .not_null()
                        .default(0),
                )
                .col(ColumnDef::new(a("error")).text())
                .col(
                    ColumnDef::new(a("next_attempt_at"))
                        .big_integer()
                        .not_null(),
                )
                .col(ColumnDef::new(a("updated_at")).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_file_texts_due")
                .table(a("file_texts"))
                .col(a("status"))
                .col(a("next_attempt_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("dictionary_words"))
                .col(
                    ColumnDef::new(a("word"))
                        .string_len(200)
                        .not_null()
                        .primary_key(),
                )
                .col(ColumnDef::new(a("added_by")).big_integer().not_null())
                .col(ColumnDef::new(a("added_at")).big_integer().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_item_files_sha256")
                .table(a("item_files"))
                .col(a("sha256"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let table = match backend {
            DbBackend::Sqlite => "DROP TABLE search_fts",
            _ => "DROP TABLE search_docs",
        };
        db.execute(Statement::from_string(backend, table)).await?;
        let a = Alias::new;
        m.drop_index(
            Index::drop()
                .name("ix_item_files_sha256")
                .table(a("item_files"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(a("dictionary_words")).to_owned())
            .await?;
        m.drop_table(Table::drop().table(a("file_texts")).to_owned())
            .await
    }
}
