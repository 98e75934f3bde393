//! [`ThreadIndex`] over the database in plain SQL that SQLite and PostgreSQL both speak, the
//! way items' index does it (see `search.rs`): SQLite FTS5 with the `ascii` tokenizer over
//! words khlang segmented, PostgreSQL tsvector literals. Every word reaches the engine quoted;
//! every query is limited to the communities the reader may read before it is cut to a limit.

use crate::search::{
    exec, fts_clause, fts_quote, pg_clause, pg_lexemes, pg_quote, pg_tsvector, rows,
};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::communities::ThreadIndex;
use khlang_core::communities::search::{ThreadEntry, ThreadIndexHit};
use khlang_core::ids::{CommunityId, ThreadId};
use khlang_core::ports::PortResult;
use khlang_core::search::Clause;
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, TransactionTrait, Value};

/// Title words weigh more than posts (as items' titles do).
const SQLITE_WEIGHTS: &str = "4.0, 1.0";
/// `ts_rank` weights {D, C, B, A}: posts are C, titles A.
const PG_WEIGHTS: &str = "'{0.1, 0.25, 0.5, 1.0}'";

/// `?, ?, …` for a list, and its values.
fn list(ids: impl Iterator<Item = i64>) -> (String, Vec<Value>) {
    let values: Vec<Value> = ids.map(Value::from).collect();
    let marks = vec!["?"; values.len()].join(", ");
    (marks, values)
}

fn to_hit(r: &QueryResult) -> PortResult<ThreadIndexHit> {
    Ok(ThreadIndexHit {
        thread_id: ThreadId(get(r, "id")?),
        community_id: CommunityId(get(r, "community_id")?),
        score: get(r, "score")?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
    })
}

fn to_entry(r: &QueryResult) -> PortResult<ThreadEntry> {
    Ok(ThreadEntry {
        thread_id: ThreadId(get(r, "thread_id")?),
        community_id: CommunityId(get(r, "community_id")?),
        title: get(r, "title")?,
        text: get(r, "body")?,
        title_words: get(r, "title_words")?,
        body_words: get(r, "body_words")?,
        grams: get(r, "grams_text")?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
    })
}

async fn delete(db: &impl ConnectionTrait, thread: ThreadId) -> PortResult<()> {
    let id: Value = thread.0.into();
    if db.get_database_backend() != DbBackend::Postgres {
        exec(
            db,
            "DELETE FROM thread_words WHERE rowid = ?",
            vec![id.clone()],
        )
        .await?;
        exec(
            db,
            "DELETE FROM thread_grams WHERE rowid = ?",
            vec![id.clone()],
        )
        .await?;
    }
    exec(db, "DELETE FROM thread_docs WHERE thread_id = ?", vec![id]).await?;
    Ok(())
}

#[async_trait]
impl ThreadIndex for SeaStore {
    async fn put_thread(&self, e: &ThreadEntry) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let id: Value = e.thread_id.0.into();
        let mut values: Vec<Value> = vec![
            id.clone(),
            e.community_id.0.into(),
            e.title.clone().into(),
            e.text.clone().into(),
            e.title_words.clone().into(),
            e.body_words.clone().into(),
            e.grams.clone().into(),
            ms(e.updated_at).into(),
        ];
        if txn.get_database_backend() == DbBackend::Postgres {
            // One statement: two writers of the same thread cannot both insert.
            values.push(pg_tsvector(&[(&e.title_words, 'A'), (&e.body_words, 'C')]).into());
            values.push(pg_lexemes(&e.grams).into());
            exec(
                &txn,
                "INSERT INTO thread_docs (thread_id, community_id, title, body, title_words, \
                 body_words, grams_text, updated_ms, words, grams) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS tsvector), CAST(? AS tsvector)) \
                 ON CONFLICT (thread_id) DO UPDATE SET community_id = excluded.community_id, \
                 title = excluded.title, body = excluded.body, \
                 title_words = excluded.title_words, body_words = excluded.body_words, \
                 grams_text = excluded.grams_text, updated_ms = excluded.updated_ms, \
                 words = excluded.words, grams = excluded.grams",
                values,
            )
            .await?;
        } else {
            // FTS5 has no upsert: the old rows go first, in the same transaction.
            delete(&txn, e.thread_id).await?;
            exec(
                &txn,
                "INSERT INTO thread_docs (thread_id, community_id, title, body, title_words, \
                 body_words, grams_text, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            .await?;
            exec(
                &txn,
                "INSERT INTO thread_words (rowid, title, body) VALUES (?, ?, ?)",
                vec![
                    id.clone(),
                    e.title_words.clone().into(),
                    e.body_words.clone().into(),
                ],
            )
            .await?;
            exec(
                &txn,
                "INSERT INTO thread_grams (rowid, grams) VALUES (?, ?)",
                vec![id, e.grams.clone().into()],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)
    }

    async fn remove_thread(&self, thread: ThreadId) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        delete(&txn, thread).await?;
        txn.commit().await.map_err(map_err)
    }

    async fn thread_words(
        &self,
        readable: &[CommunityId],
        all: &[Clause],
        any: &[Clause],
        none: &[Clause],
        limit: usize,
    ) -> PortResult<Vec<ThreadIndexHit>> {
        let (positive, and) = if all.is_empty() {
            (any, false)
        } else {
            (all, true)
        };
        if positive.is_empty() || readable.is_empty() {
            return Ok(vec![]);
        }
        let (marks, communities) = list(readable.iter().map(|c| c.0));
        let db = self.connection();
        let (sql, mut values) = if db.get_database_backend() == DbBackend::Postgres {
            let join = if and { " & " } else { " | " };
            let mut q = format!(
                "({})",
                positive
                    .iter()
                    .map(pg_clause)
                    .collect::<Vec<_>>()
                    .join(join)
            );
            if !none.is_empty() {
                q = format!(
                    "{q} & !({})",
                    none.iter().map(pg_clause).collect::<Vec<_>>().join(" | ")
                );
            }
            (
                format!(
                    "SELECT thread_id AS id, ts_rank({PG_WEIGHTS}, words, q, 1)::float8 AS score, \
                     community_id, updated_ms FROM thread_docs, CAST(? AS tsquery) AS q \
                     WHERE words @@ q AND community_id IN ({marks}) \
                     ORDER BY score DESC, updated_ms DESC LIMIT ?"
                ),
                vec![Value::from(q)],
            )
        } else {
            let join = if and { " AND " } else { " OR " };
            let mut q = format!(
                "({})",
                positive
                    .iter()
                    .map(fts_clause)
                    .collect::<Vec<_>>()
                    .join(join)
            );
            if !none.is_empty() {
                q = format!(
                    "{q} NOT ({})",
                    none.iter().map(fts_clause).collect::<Vec<_>>().join(" OR ")
                );
            }
            (
                format!(
                    "SELECT h.id AS id, h.score AS score, d.community_id AS community_id, \
                     d.updated_ms AS updated_ms FROM \
                     (SELECT rowid AS id, -bm25(thread_words, {SQLITE_WEIGHTS}) AS score \
                      FROM thread_words WHERE thread_words MATCH ?) h \
                     JOIN thread_docs d ON d.thread_id = h.id \
                     WHERE d.community_id IN ({marks}) \
                     ORDER BY h.score DESC, d.updated_ms DESC LIMIT ?"
                ),
                vec![Value::from(q)],
            )
        };
        values.extend(communities);
        values.push((limit as i64).into());
        rows(db, &sql, values).await?.iter().map(to_hit).collect()
    }

    async fn thread_grams(
        &self,
        readable: &[CommunityId],
        grams: &[String],
        none: &[Clause],
        limit: usize,
    ) -> PortResult<Vec<ThreadIndexHit>> {
        if grams.is_empty() || readable.is_empty() {
            return Ok(vec![]);
        }
        let (marks, communities) = list(readable.iter().map(|c| c.0));
        let db = self.connection();
        let mut values: Vec<Value> = Vec::new();
        let sql = if db.get_database_backend() == DbBackend::Postgres {
            let q: Vec<String> = grams.iter().map(|g| pg_quote(g)).collect();
            values.push(q.join(" | ").into());
            let mut filter = String::new();
            if !none.is_empty() {
                filter = " AND NOT words @@ CAST(? AS tsquery)".into();
                let n: Vec<String> = none.iter().map(pg_clause).collect();
                values.push(n.join(" | ").into());
            }
            format!(
                "SELECT thread_id AS id, ts_rank(grams, q, 1)::float8 AS score, community_id, \
                 updated_ms FROM thread_docs, CAST(? AS tsquery) AS q \
                 WHERE grams @@ q{filter} AND community_id IN ({marks}) \
                 ORDER BY score DESC, updated_ms DESC LIMIT ?"
            )
        } else {
            let q: Vec<String> = grams.iter().map(|g| fts_quote(g)).collect();
            values.push(q.join(" OR ").into());
            let mut filter = String::new();
            if !none.is_empty() {
                filter = " AND rowid NOT IN \
                          (SELECT rowid FROM thread_words WHERE thread_words MATCH ?)"
                    .into();
                let n: Vec<String> = none.iter().map(fts_clause).collect();
                values.push(n.join(" OR ").into());
            }
            format!(
                "SELECT h.id AS id, h.score AS score, d.community_id AS community_id, \
                 d.updated_ms AS updated_ms FROM \
                 (SELECT rowid AS id, -bm25(thread_grams) AS score FROM thread_grams \
                  WHERE thread_grams MATCH ?{filter}) h \
                 JOIN thread_docs d ON d.thread_id = h.id WHERE d.community_id IN ({marks}) \
                 ORDER BY h.score DESC, d.updated_ms DESC LIMIT ?"
            )
        };
        values.extend(communities);
        values.push((limit as i64).into());
        rows(db, &sql, values).await?.iter().map(to_hit).collect()
    }

    async fn thread_entries(&self, ids: &[ThreadId]) -> PortResult<Vec<ThreadEntry>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let (marks, values) = list(ids.iter().map(|t| t.0));
        rows(
            self.connection(),
            &format!(
                "SELECT thread_id, community_id, title, body, title_words, body_words, \
                 grams_text, updated_ms FROM thread_docs WHERE thread_id IN ({marks})"
            ),
            values,
        )
        .await?
        .iter()
        .map(to_entry)
        .collect()
    }
}
