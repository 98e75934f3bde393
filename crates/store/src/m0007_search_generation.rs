//! A number that changes with every write to the search index, so that a process may keep
//! answers to repeated searches and still never show one the index no longer gives — even
//! when another process wrote: each search reads the number (one row, one lookup) and a
//! remembered answer counts only under the number it was made with.

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_search_generation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let backend = db.get_database_backend();
        for sql in [
            "CREATE TABLE search_generation (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)",
            "INSERT INTO search_generation (id, n) VALUES (1, 0)",
        ] {
            db.execute(Statement::from_string(backend, sql)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute(Statement::from_string(
            db.get_database_backend(),
            "DROP TABLE search_generation",
        ))
        .await?;
        Ok(())
    }
}
