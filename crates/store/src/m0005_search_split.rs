//! SQLite's search index split for speed, measured at 10k and 100k items (docs/bench.md):
//! one FTS5 table kept the words, the n-grams and the facets together and stored a copy of
//! all their text (90 MB of a 206 MB database at 10k items), and every hit read its facets out
//! of that copy. Now the words and the n-grams are separate contentless tables, each with a
//! vocabulary table that says how many items hold a term (so a query can leave out the
//! n-grams nearly every item has), and the facets are a plain table. The index is derived
//! data: it is dropped here and rebuilt by the server at start (`catch_up_index`).
//! PostgreSQL's `search_docs` already keeps these apart; its GIN indexes defer less of
//! their inserts (see below).

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_search_split"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        if backend == DbBackend::Postgres {
            // GIN's fast-update list keeps recent entries unsorted until it holds 4 MB, and
            // every query reads all of it: after a re-index the planner gave up on the index
            // and read the whole table (170 ms for one n-gram query at 10k items; 34 ms once
            // the list was merged). Without the list each item's thousand n-grams go into the
            // index one by one (imports fell from 117 to 50 items/s), so the list stays but
            // is merged at 256 kB.
            for sql in [
                "ALTER INDEX ix_search_docs_words SET (gin_pending_list_limit = 256)",
                "ALTER INDEX ix_search_docs_grams SET (gin_pending_list_limit = 256)",
                "SELECT gin_clean_pending_list('ix_search_docs_words'::regclass)",
                "SELECT gin_clean_pending_list('ix_search_docs_grams'::regclass)",
            ] {
                db.execute(Statement::from_string(backend, sql)).await?;
            }
            return Ok(());
        }
        let mut statements = vec!["DROP TABLE IF EXISTS search_fts".to_string()];
        statements.extend(crate::search::sqlite_index_tables(""));
        statements.extend(crate::search::SQLITE_VOCAB_TABLES.map(String::from));
        for sql in statements {
            db.execute(Statement::from_string(backend, sql)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        if backend == DbBackend::Postgres {
            for sql in [
                "ALTER INDEX ix_search_docs_words RESET (gin_pending_list_limit)",
                "ALTER INDEX ix_search_docs_grams RESET (gin_pending_list_limit)",
            ] {
                db.execute(Statement::from_string(backend, sql)).await?;
            }
            return Ok(());
        }
        for sql in [
            "DROP TABLE search_words_vocab",
            "DROP TABLE search_grams_vocab",
            "DROP TABLE search_words",
            "DROP TABLE search_grams",
            "DROP TABLE search_facets",
            "CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, files, grams, \
             visibility UNINDEXED, unit_id UNINDEXED, fiscal_year UNINDEXED, \
             knowledge_type UNINDEXED, terms UNINDEXED, formats UNINDEXED, \
             published_at UNINDEXED, tokenize = 'ascii')",
        ] {
            db.execute(Statement::from_string(backend, sql)).await?;
        }
        Ok(())
    }
}
