//! The search index on both engines, over words khlang has already segmented: SQLite FTS5
//! with the `ascii` tokenizer (every byte ≥ 128 is a word character, so a Thai word is never
//! cut, and spaces — which khlang puts between words — separate), and PostgreSQL tsvectors
//! written and queried as literals (so PostgreSQL's parser, which would cut Thai at its vowel
//! marks under some locales, never sees the text). Every word reaches the engine quoted: query
//! syntax typed by a user can only ever be a word.
//!
//! SQLite keeps three tables (see `m0005_search_split`): `search_words` (contentless FTS5 with
//! positions), `search_grams` (contentless FTS5, document lists only) and `search_facets`.
//! PostgreSQL keeps one row per item in `search_docs`.

use crate::store::map_err;
use khlang_core::error::PortError;
use khlang_core::file::FileKind;
use khlang_core::ids::{ItemId, TermId, UnitId, UserId};
use khlang_core::item::{KnowledgeType, Visibility};
use khlang_core::ports::{DictionaryWord, ExtractionJob, IndexChange, IndexField, PortResult};
use khlang_core::search::{Clause, Facets, IndexHit, SearchEntry};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use time::OffsetDateTime;

/// Column weights: title > summary, tags and authors > body > file text.
const SQLITE_WEIGHTS: &str = "8.0, 4.0, 2.0, 1.0";
/// `ts_rank` weights in PostgreSQL's order {D, C, B, A}: files, body, summary, title.
const PG_WEIGHTS: &str = "'{0.125, 0.25, 0.5, 1.0}'";
/// PostgreSQL keeps at most this many positions per word, and none above 16,383.
const PG_MAX_POSITIONS: usize = 255;
const PG_MAX_POSITION: usize = 16_383;

const FACET_COLUMNS: &str =
    "visibility, unit_id, fiscal_year, knowledge_type, terms, formats, published_at";
/// The facet columns of `search_facets` as `f`, for joins.
const FACET_COLUMNS_F: &str = "f.visibility, f.unit_id, f.fiscal_year, f.knowledge_type, \
     f.terms, f.formats, f.published_at";

fn facet_values(f: &Facets) -> Vec<Value> {
    vec![
        f.visibility.as_str().into(),
        f.unit_id.0.into(),
        f.fiscal_year.into(),
        f.knowledge_type.as_str().into(),
        f.terms
            .iter()
            .map(|t| t.0.to_string())
            .collect::<Vec<_>>()
            .join(" ")
            .into(),
        f.formats
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(" ")
            .into(),
        f.published_at.unix_timestamp().into(),
    ]
}

/// SQLite's index tables, created by the migration and again, with a suffix, for a rebuild.
/// `ascii`: bytes ≥ 128 are word characters, so Thai words stay whole; khlang separates words
/// with spaces before they get here. Contentless: the text is never read back, and storing it
/// had tripled the database.
pub(crate) fn sqlite_index_tables(suffix: &str) -> Vec<String> {
    vec![
        format!(
            "CREATE VIRTUAL TABLE search_words{suffix} USING fts5(title, summary, body, files, \
             tokenize = 'ascii', content = '', contentless_delete = 1)"
        ),
        format!(
            "CREATE VIRTUAL TABLE search_grams{suffix} USING fts5(grams, tokenize = 'ascii', \
             content = '', contentless_delete = 1)"
        ),
        format!(
            "CREATE TABLE search_facets{suffix} (item_id INTEGER PRIMARY KEY, \
             visibility TEXT NOT NULL, unit_id INTEGER NOT NULL, fiscal_year INTEGER NOT NULL, \
             knowledge_type TEXT NOT NULL, terms TEXT NOT NULL, formats TEXT NOT NULL, \
             published_at INTEGER NOT NULL)"
        ),
    ]
}

/// How many items hold a term, read from the term's own document list.
pub(crate) const SQLITE_VOCAB_TABLES: [&str; 2] = [
    "CREATE VIRTUAL TABLE search_words_vocab USING fts5vocab(search_words, 'row')",
    "CREATE VIRTUAL TABLE search_grams_vocab USING fts5vocab(search_grams, 'row')",
];

/// Replaces the item's entry (delete + insert: FTS5 has no upsert).
pub(crate) async fn put(db: &impl ConnectionTrait, e: &SearchEntry) -> PortResult<()> {
    remove(db, e.item_id).await?;
    insert(db, e, "").await
}

/// Marks the index as changed, in the transaction that changes it (see
/// `m0007_search_generation`): answers remembered under the old number are never used again.
async fn changed(db: &impl ConnectionTrait) -> PortResult<()> {
    exec(
        db,
        "UPDATE search_generation SET n = n + 1 WHERE id = 1",
        vec![],
    )
    .await?;
    Ok(())
}

/// The index's generation: it differs after every committed write to the index.
pub(crate) async fn generation(db: &impl ConnectionTrait) -> PortResult<u64> {
    let found = rows(db, "SELECT n FROM search_generation WHERE id = 1", vec![]).await?;
    let n: i64 = match found.first() {
        Some(r) => r.try_get("", "n").map_err(map_err)?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}

/// Adds the item's entry to tables that do not hold it (`suffix` names a rebuild's tables).
async fn insert(db: &impl ConnectionTrait, e: &SearchEntry, suffix: &str) -> PortResult<()> {
    let backend = db.get_database_backend();
    let id: Value = e.item_id.0.into();
    let mut statements: Vec<(String, Vec<Value>)> = Vec::new();
    match backend {
        DbBackend::Postgres => {
            let mut values = vec![id, pg_words(e).into(), pg_lexemes(&e.grams).into()];
            values.extend(facet_values(&e.facets));
            statements.push((
                format!(
                    "INSERT INTO search_docs (item_id, words, grams, {FACET_COLUMNS}) \
                     VALUES ($1, $2::tsvector, $3::tsvector, $4, $5, $6, $7, $8, $9, $10)"
                ),
                values,
            ));
        }
        _ => {
            statements.push((
                format!(
                    "INSERT INTO search_words{suffix} (rowid, title, summary, body, files) \
                     VALUES (?, ?, ?, ?, ?)"
                ),
                vec![
                    id.clone(),
                    e.title.as_str().into(),
                    e.summary.as_str().into(),
                    e.body.as_str().into(),
                    e.files.as_str().into(),
                ],
            ));
            statements.push((
                format!("INSERT INTO search_grams{suffix} (rowid, grams) VALUES (?, ?)"),
                vec![id.clone(), e.grams.as_str().into()],
            ));
            let mut values = vec![id];
            values.extend(facet_values(&e.facets));
            statements.push((
                format!(
                    "INSERT INTO search_facets{suffix} (item_id, {FACET_COLUMNS}) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                values,
            ));
        }
    }
    for (sql, values) in statements {
        db.execute(Statement::from_sql_and_values(backend, sql, values))
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn remove(db: &impl ConnectionTrait, id: ItemId) -> PortResult<()> {
    let backend = db.get_database_backend();
    let tables: &[&str] = match backend {
        DbBackend::Postgres => &["DELETE FROM search_docs WHERE item_id = $1"],
        _ => &[
            "DELETE FROM search_words WHERE rowid = ?",
            "DELETE FROM search_grams WHERE rowid = ?",
            "DELETE FROM search_facets WHERE item_id = ?",
        ],
    };
    for sql in tables {
        db.execute(Statement::from_sql_and_values(backend, *sql, [id.0.into()]))
            .await
            .map_err(map_err)?;
    }
    // Every write of an entry starts with this removal (`put`), so one bump covers both.
    changed(db).await
}

/// How many items the index holds.
pub(crate) async fn count(db: &impl ConnectionTrait) -> PortResult<u64> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT COUNT(*) AS n FROM search_docs",
        _ => "SELECT COUNT(*) AS n FROM search_facets",
    };
    let row = db
        .query_one(Statement::from_string(backend, sql))
        .await
        .map_err(map_err)?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n").map_err(map_err)?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}

/// SQLite builds a full re-index in new tables: rewriting every entry in place leaves FTS5 a
/// tombstone per entry, which its merges then check hit by hit (a re-index of 12,000 items
/// spent half its time there, at 240 items/s). PostgreSQL rewrites rows in place.
const REBUILD: &str = "_next";

pub(crate) async fn begin_rebuild(db: &impl ConnectionTrait) -> PortResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        return Ok(());
    }
    // What a rebuild that stopped half-way left behind.
    for table in ["search_words", "search_grams", "search_facets"] {
        exec(
            db,
            &format!("DROP TABLE IF EXISTS {table}{REBUILD}"),
            vec![],
        )
        .await?;
    }
    for sql in sqlite_index_tables(REBUILD) {
        exec(db, &sql, vec![]).await?;
    }
    Ok(())
}

pub(crate) async fn write_rebuild(
    db: &impl ConnectionTrait,
    item: ItemId,
    change: &IndexChange,
) -> PortResult<()> {
    match (db.get_database_backend(), change) {
        (DbBackend::Postgres, IndexChange::Put(e)) => put(db, e).await,
        (DbBackend::Postgres, IndexChange::Remove) => remove(db, item).await,
        (_, IndexChange::Put(e)) => insert(db, e, REBUILD).await,
        (_, IndexChange::Remove) => Ok(()),
    }
}

/// Merges the new tables' segments into one and puts them in place of the old ones
/// (PostgreSQL: merges what the GIN indexes deferred and refreshes the statistics the
/// planner chooses them by).
pub(crate) async fn finish_rebuild(db: &impl ConnectionTrait) -> PortResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        for sql in [
            "SELECT gin_clean_pending_list('ix_search_docs_words'::regclass)",
            "SELECT gin_clean_pending_list('ix_search_docs_grams'::regclass)",
            "ANALYZE search_docs",
        ] {
            rows(db, sql, vec![]).await?;
        }
        return changed(db).await;
    }
    for table in ["search_words", "search_grams"] {
        exec(
            db,
            &format!("INSERT INTO {table}{REBUILD}({table}{REBUILD}) VALUES ('optimize')"),
            vec![],
        )
        .await?;
    }
    exec(db, "DROP TABLE search_words_vocab", vec![]).await?;
    exec(db, "DROP TABLE search_grams_vocab", vec![]).await?;
    for table in ["search_words", "search_grams", "search_facets"] {
        exec(db, &format!("DROP TABLE {table}"), vec![]).await?;
        exec(
            db,
            &format!("ALTER TABLE {table}{REBUILD} RENAME TO {table}"),
            vec![],
        )
        .await?;
    }
    for sql in SQLITE_VOCAB_TABLES {
        exec(db, sql, vec![]).await?;
    }
    changed(db).await
}

/// How many items hold each term (in the same order). On SQLite the vocabulary tables read
/// only the term's own document list; on PostgreSQL each count is one GIN lookup.
pub(crate) async fn doc_counts(
    db: &impl ConnectionTrait,
    field: IndexField,
    terms: &[String],
) -> PortResult<Vec<u64>> {
    if terms.is_empty() {
        return Ok(vec![]);
    }
    let backend = db.get_database_backend();
    let mut counts = std::collections::HashMap::new();
    match backend {
        DbBackend::Postgres => {
            let column = match field {
                IndexField::Words => "words",
                IndexField::Grams => "grams",
            };
            for t in terms {
                let found = rows(
                    db,
                    &format!(
                        "SELECT COUNT(*) AS n FROM search_docs WHERE {column} @@ CAST(? AS tsquery)"
                    ),
                    vec![pg_quote(t).into()],
                )
                .await?;
                let n: i64 = match found.first() {
                    Some(r) => r.try_get("", "n").map_err(map_err)?,
                    None => 0,
                };
                counts.insert(t.as_str(), n.max(0) as u64);
            }
        }
        _ => {
            let table = match field {
                IndexField::Words => "search_words_vocab",
                IndexField::Grams => "search_grams_vocab",
            };
            let marks = vec!["?"; terms.len()].join(", ");
            let found = rows(
                db,
                &format!("SELECT term, doc FROM {table} WHERE term IN ({marks})"),
                terms.iter().map(|t| t.as_str().into()).collect(),
            )
            .await?;
            for r in &found {
                let term: String = r.try_get("", "term").map_err(map_err)?;
                let n: i64 = r.try_get("", "doc").map_err(map_err)?;
                if let Some(t) = terms.iter().find(|t| **t == term) {
                    counts.insert(t.as_str(), n.max(0) as u64);
                }
            }
        }
    }
    Ok(terms
        .iter()
        .map(|t| counts.get(t.as_str()).copied().unwrap_or(0))
        .collect())
}

/// Items containing every clause of `all` (or, when `all` is empty, any of `any`), none of
/// `none`; best first, at most `limit`.
pub(crate) async fn words(
    db: &impl ConnectionTrait,
    all: &[Clause],
    any: &[Clause],
    none: &[Clause],
    idf: &[f64],
    limit: usize,
) -> PortResult<Vec<IndexHit>> {
    let (positive, join) = if all.is_empty() {
        (any, " OR ")
    } else {
        (all, " AND ")
    };
    if positive.is_empty() {
        return Ok(vec![]);
    }
    let backend = db.get_database_backend();
    let (sql, values): (String, Vec<Value>) = match backend {
        DbBackend::Postgres => {
            let join = if all.is_empty() { " | " } else { " & " };
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
            // ts_rank has no inverse document frequency: each clause is ranked on its own
            // and weighted by the rarity core passes in (BM25's idf), then summed.
            let mut values: Vec<Value> = vec![q.into(), (limit as i64).into()];
            let mut score = Vec::new();
            for (i, c) in positive.iter().enumerate() {
                values.push(pg_clause(c).into());
                let w = idf.get(i).copied().unwrap_or(1.0);
                score.push(format!(
                    "{w:.4} * ts_rank({PG_WEIGHTS}, words, CAST(${} AS tsquery), 1)",
                    i + 3
                ));
            }
            (
                format!(
                    "SELECT item_id AS id, ({})::float8 AS score, {FACET_COLUMNS} \
                     FROM search_docs, CAST($1 AS tsquery) AS q WHERE words @@ q \
                     ORDER BY score DESC, published_at DESC LIMIT $2",
                    score.join(" + ")
                ),
                values,
            )
        }
        _ => {
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
            // Scores first, facets only for the hits kept.
            (
                format!(
                    "SELECT h.id AS id, h.score AS score, {FACET_COLUMNS_F} FROM \
                     (SELECT rowid AS id, -bm25(search_words, {SQLITE_WEIGHTS}) AS score \
                      FROM search_words WHERE search_words MATCH ? ORDER BY score DESC LIMIT ?) h \
                     JOIN search_facets f ON f.item_id = h.id \
                     ORDER BY h.score DESC, f.published_at DESC"
                ),
                vec![q.into(), (limit as i64).into()],
            )
        }
    };
    hits(db, backend, sql, values).await
}

/// Items sharing character n-grams with the query, none of `none`; best first.
pub(crate) async fn grams(
    db: &impl ConnectionTrait,
    grams: &[String],
    none: &[Clause],
    limit: usize,
) -> PortResult<Vec<IndexHit>> {
    if grams.is_empty() {
        return Ok(vec![]);
    }
    let backend = db.get_database_backend();
    let (sql, values): (String, Vec<Value>) = match backend {
        DbBackend::Postgres => {
            let q = grams
                .iter()
                .map(|g| pg_quote(g))
                .collect::<Vec<_>>()
                .join(" | ");
            let mut filter = String::new();
            let mut values: Vec<Value> = vec![q.into(), (limit as i64).into()];
            if !none.is_empty() {
                filter = " AND NOT words @@ CAST($3 AS tsquery)".into();
                values.push(
                    none.iter()
                        .map(pg_clause)
                        .collect::<Vec<_>>()
                        .join(" | ")
                        .into(),
                );
            }
            (
                format!(
                    "SELECT item_id AS id, ts_rank(grams, q, 1)::float8 AS score, {FACET_COLUMNS} \
                     FROM search_docs, CAST($1 AS tsquery) AS q WHERE grams @@ q{filter} \
                     ORDER BY score DESC, published_at DESC LIMIT $2"
                ),
                values,
            )
        }
        _ => {
            let q = grams
                .iter()
                .map(|g| fts_quote(g))
                .collect::<Vec<_>>()
                .join(" OR ");
            let mut values: Vec<Value> = vec![q.into()];
            let mut filter = String::new();
            if !none.is_empty() {
                filter = " AND rowid NOT IN \
                          (SELECT rowid FROM search_words WHERE search_words MATCH ?)"
                    .into();
                values.push(
                    none.iter()
                        .map(fts_clause)
                        .collect::<Vec<_>>()
                        .join(" OR ")
                        .into(),
                );
            }
            values.push((limit as i64).into());
            (
                format!(
                    "SELECT h.id AS id, h.score AS score, {FACET_COLUMNS_F} FROM \
                     (SELECT rowid AS id, -bm25(search_grams) AS score FROM search_grams \
                      WHERE search_grams MATCH ?{filter} ORDER BY score DESC LIMIT ?) h \
                     JOIN search_facets f ON f.item_id = h.id \
                     ORDER BY h.score DESC, f.published_at DESC"
                ),
                values,
            )
        }
    };
    hits(db, backend, sql, values).await
}

/// Moves SQLite's write-ahead log into the database file: a rebuild of 100k items left
/// 440 MB of it, which every later read looked pages up in (search p95 48 → 76 ms).
pub(crate) async fn after_rebuild(db: &impl ConnectionTrait) -> PortResult<()> {
    if db.get_database_backend() == DbBackend::Postgres {
        return Ok(());
    }
    rows(db, "PRAGMA wal_checkpoint(TRUNCATE)", vec![]).await?;
    Ok(())
}

/// A transaction in which PostgreSQL reads search hits through the GIN indexes. Its planner
/// prices `@@` on a row as one operator call, but each call unpacks the row's tsvector (about
/// 16 µs at 2 kB): it read all 10,000 rows of the bench to find 1,798 (161 ms).
pub(crate) async fn index_scans(
    db: &sea_orm::DatabaseConnection,
) -> PortResult<sea_orm::DatabaseTransaction> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await.map_err(map_err)?;
    exec(&txn, "SET LOCAL enable_seqscan = off", vec![]).await?;
    Ok(txn)
}

/// What ranking one hit costs relative to SQLite's FTS5 (about a microsecond): PostgreSQL
/// unpacks the hit's tsvector for `ts_rank`, 10–20 µs measured at 10k items (docs/bench.md).
pub(crate) fn ranking_cost(backend: DbBackend) -> u64 {
    match backend {
        DbBackend::Postgres => 10,
        _ => 1,
    }
}

async fn hits(
    db: &impl ConnectionTrait,
    backend: DbBackend,
    sql: String,
    values: Vec<Value>,
) -> PortResult<Vec<IndexHit>> {
    let rows = db
        .query_all(Statement::from_sql_and_values(backend, sql, values))
        .await
        .map_err(map_err)?;
    rows.iter().map(hit).collect()
}

fn hit(r: &QueryResult) -> PortResult<IndexHit> {
    let get_i64 = |c: &str| -> PortResult<i64> { r.try_get("", c).map_err(map_err) };
    let get_str = |c: &str| -> PortResult<String> { r.try_get("", c).map_err(map_err) };
    let corrupt = |what: &str| PortError::Other(format!("search index: bad {what}"));
    let fiscal_year: i32 = r.try_get("", "fiscal_year").map_err(map_err)?;
    Ok(IndexHit {
        item_id: ItemId(get_i64("id")?),
        score: r.try_get("", "score").map_err(map_err)?,
        facets: Facets {
            visibility: Visibility::parse(&get_str("visibility")?)
                .map_err(|_| corrupt("visibility"))?,
            unit_id: UnitId(get_i64("unit_id")?),
            fiscal_year,
            knowledge_type: KnowledgeType::parse(&get_str("knowledge_type")?)
                .map_err(|_| corrupt("knowledge_type"))?,
            terms: get_str("terms")?
                .split_whitespace()
                .filter_map(|t| t.parse().ok().map(TermId))
                .collect(),
            formats: get_str("formats")?
                .split_whitespace()
                .filter_map(FileKind::parse)
                .collect(),
            published_at: OffsetDateTime::from_unix_timestamp(get_i64("published_at")?)
                .map_err(|_| corrupt("published_at"))?,
        },
    })
}

/// An FTS5 string: the word in double quotes, inner quotes doubled.
pub(crate) fn fts_quote(w: &str) -> String {
    format!("\"{}\"", w.replace('"', "\"\""))
}

pub(crate) fn fts_clause(c: &Clause) -> String {
    match c {
        Clause::Word(w) => fts_quote(w),
        Clause::Prefix(w) => format!("{} *", fts_quote(w)),
        // Inside one FTS5 string, words separated by spaces are a phrase.
        Clause::Phrase(ws) => fts_quote(&ws.join(" ")),
    }
}

/// A tsquery/tsvector lexeme literal: single quotes, inner quotes and backslashes doubled.
pub(crate) fn pg_quote(w: &str) -> String {
    format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''"))
}

pub(crate) fn pg_clause(c: &Clause) -> String {
    match c {
        Clause::Word(w) => pg_quote(w),
        Clause::Prefix(w) => format!("{}:*", pg_quote(w)),
        Clause::Phrase(ws) => format!(
            "({})",
            ws.iter()
                .map(|w| pg_quote(w))
                .collect::<Vec<_>>()
                .join(" <-> ")
        ),
    }
}

/// The words of every field as one tsvector literal, with positions (for phrases) and the
/// field as the weight (A title, B summary, C body, D files).
fn pg_words(e: &SearchEntry) -> String {
    pg_tsvector(&[
        (&e.title, 'A'),
        (&e.summary, 'B'),
        (&e.body, 'C'),
        (&e.files, 'D'),
    ])
}

/// Fields of space-separated words, each with its weight, as one tsvector literal with
/// positions (community threads use it too).
pub(crate) fn pg_tsvector(fields: &[(&str, char)]) -> String {
    use std::collections::BTreeMap;
    let mut lexemes: BTreeMap<&str, Vec<(usize, char)>> = BTreeMap::new();
    let mut position = 0usize;
    for &(field, weight) in fields {
        for w in field.split(' ').filter(|w| !w.is_empty()) {
            position = (position + 1).min(PG_MAX_POSITION);
            let at = lexemes.entry(w).or_default();
            if at.len() < PG_MAX_POSITIONS && at.last().is_none_or(|(p, _)| *p != position) {
                at.push((position, weight));
            }
        }
    }
    let mut out = String::new();
    for (w, at) in lexemes {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&pg_quote(w));
        out.push(':');
        let list: Vec<String> = at.iter().map(|(p, wt)| format!("{p}{wt}")).collect();
        out.push_str(&list.join(","));
    }
    out
}

/// Space-separated words as a tsvector literal without positions (the n-gram field).
pub(crate) fn pg_lexemes(text: &str) -> String {
    let mut words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.dedup();
    words
        .iter()
        .map(|w| pg_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `?` placeholders as the engine wants them (`$1, $2 …` on PostgreSQL).
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_string();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

pub(crate) async fn exec(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> PortResult<u64> {
    let backend = db.get_database_backend();
    let r = db
        .execute(Statement::from_sql_and_values(
            backend,
            placeholders(backend, sql),
            values,
        ))
        .await
        .map_err(map_err)?;
    Ok(r.rows_affected())
}

pub(crate) async fn rows(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> PortResult<Vec<QueryResult>> {
    let backend = db.get_database_backend();
    db.query_all(Statement::from_sql_and_values(
        backend,
        placeholders(backend, sql),
        values,
    ))
    .await
    .map_err(map_err)
}

/// How a lease on an extraction job lasts: a process that dies while reading a file gives the
/// job back after this.
const LEASE_SECS: i64 = 600;

pub(crate) async fn queue_extraction(
    db: &impl ConnectionTrait,
    sha256: &str,
    mime: &str,
    size: u64,
    now: OffsetDateTime,
) -> PortResult<()> {
    let t = now.unix_timestamp();
    // Content is stored once, so its text is read once: a second upload of it changes nothing.
    let sql = "INSERT INTO file_texts (sha256, mime, size, status, attempts, next_attempt_at, updated_at) \
               VALUES (?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT (sha256) DO NOTHING";
    exec(
        db,
        sql,
        vec![
            sha256.into(),
            mime.into(),
            (size as i64).into(),
            t.into(),
            t.into(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn next_extraction(
    db: &impl ConnectionTrait,
    now: OffsetDateTime,
) -> PortResult<Option<ExtractionJob>> {
    let t = now.unix_timestamp();
    loop {
        let found = rows(
            db,
            "SELECT sha256, mime, size, attempts, next_attempt_at FROM file_texts \
             WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 1",
            vec![t.into()],
        )
        .await?;
        let Some(r) = found.first() else {
            return Ok(None);
        };
        let sha256: String = r.try_get("", "sha256").map_err(map_err)?;
        let due: i64 = r.try_get("", "next_attempt_at").map_err(map_err)?;
        // Take the lease only if nobody else took it since the read.
        let taken = exec(
            db,
            "UPDATE file_texts SET next_attempt_at = ? WHERE sha256 = ? AND next_attempt_at = ? \
             AND status = 'pending'",
            vec![(t + LEASE_SECS).into(), sha256.clone().into(), due.into()],
        )
        .await?;
        if taken == 1 {
            let size: i64 = r.try_get("", "size").map_err(map_err)?;
            return Ok(Some(ExtractionJob {
                sha256,
                mime: r.try_get("", "mime").map_err(map_err)?,
                size: size.max(0) as u64,
                attempts: r.try_get("", "attempts").map_err(map_err)?,
            }));
        }
    }
}

pub(crate) async fn finish_extraction(
    db: &impl ConnectionTrait,
    sha256: &str,
    outcome: Result<&str, &str>,
    retry_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> PortResult<()> {
    let t = now.unix_timestamp();
    match outcome {
        Ok(text) => {
            exec(
                db,
                "UPDATE file_texts SET status = 'done', text = ?, error = NULL, \
                 attempts = attempts + 1, updated_at = ? WHERE sha256 = ?",
                vec![text.into(), t.into(), sha256.into()],
            )
            .await?
        }
        Err(why) => {
            let (status, next) = match retry_at {
                Some(at) => ("pending", at.unix_timestamp()),
                None => ("failed", t),
            };
            exec(
                db,
                "UPDATE file_texts SET status = ?, error = ?, attempts = attempts + 1, \
                 next_attempt_at = ?, updated_at = ? WHERE sha256 = ?",
                vec![
                    status.into(),
                    why.into(),
                    next.into(),
                    t.into(),
                    sha256.into(),
                ],
            )
            .await?
        }
    };
    Ok(())
}

/// Text read from the item's current files, in the order they were added.
pub(crate) async fn item_file_texts(
    db: &impl ConnectionTrait,
    item: ItemId,
) -> PortResult<Vec<String>> {
    let found = rows(
        db,
        "SELECT t.text AS text FROM item_files f JOIN file_texts t ON t.sha256 = f.sha256 \
         WHERE f.item_id = ? AND f.current = ? AND t.status = 'done' ORDER BY f.id",
        vec![item.0.into(), true.into()],
    )
    .await?;
    found
        .iter()
        .map(|r| {
            r.try_get::<Option<String>>("", "text")
                .map(Option::unwrap_or_default)
                .map_err(map_err)
        })
        .collect()
}

/// Items that show this content as a current file.
pub(crate) async fn items_with_blob(
    db: &impl ConnectionTrait,
    sha256: &str,
) -> PortResult<Vec<ItemId>> {
    let found = rows(
        db,
        "SELECT DISTINCT item_id FROM item_files WHERE sha256 = ? AND current = ?",
        vec![sha256.into(), true.into()],
    )
    .await?;
    found
        .iter()
        .map(|r| r.try_get("", "item_id").map(ItemId).map_err(map_err))
        .collect()
}

pub(crate) async fn published_item_ids(db: &impl ConnectionTrait) -> PortResult<Vec<ItemId>> {
    let found = rows(
        db,
        "SELECT id FROM items WHERE status = 'published' ORDER BY id",
        vec![],
    )
    .await?;
    found
        .iter()
        .map(|r| r.try_get("", "id").map(ItemId).map_err(map_err))
        .collect()
}

pub(crate) async fn dictionary(db: &impl ConnectionTrait) -> PortResult<Vec<DictionaryWord>> {
    let found = rows(
        db,
        "SELECT word, added_by, added_at FROM dictionary_words ORDER BY word",
        vec![],
    )
    .await?;
    found
        .iter()
        .map(|r| {
            let at: i64 = r.try_get("", "added_at").map_err(map_err)?;
            Ok(DictionaryWord {
                word: r.try_get("", "word").map_err(map_err)?,
                added_by: UserId(r.try_get("", "added_by").map_err(map_err)?),
                added_at: OffsetDateTime::from_unix_timestamp(at)
                    .map_err(|e| PortError::Other(format!("dictionary: {e}")))?,
            })
        })
        .collect()
}

pub(crate) async fn add_dictionary_word(
    db: &impl ConnectionTrait,
    w: &DictionaryWord,
) -> PortResult<()> {
    exec(
        db,
        "INSERT INTO dictionary_words (word, added_by, added_at) VALUES (?, ?, ?)",
        vec![
            w.word.clone().into(),
            w.added_by.0.into(),
            w.added_at.unix_timestamp().into(),
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn remove_dictionary_word(
    db: &impl ConnectionTrait,
    word: &str,
) -> PortResult<()> {
    match exec(
        db,
        "DELETE FROM dictionary_words WHERE word = ?",
        vec![word.into()],
    )
    .await?
    {
        0 => Err(PortError::NotFound),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_syntax_can_only_be_a_word() {
        assert_eq!(
            fts_clause(&Clause::Word("a\"OR\"b".into())),
            "\"a\"\"OR\"\"b\""
        );
        assert_eq!(pg_clause(&Clause::Word("it's\\".into())), "'it''s\\\\'");
        assert_eq!(
            pg_clause(&Clause::Phrase(vec!["ก".into(), "ข".into()])),
            "('ก' <-> 'ข')"
        );
        assert_eq!(fts_clause(&Clause::Prefix("นวัต".into())), "\"นวัต\" *");
    }

    #[test]
    fn tsvector_literal_keeps_positions_and_weights() {
        let e = SearchEntry {
            item_id: ItemId(1),
            title: "อสม ดีเด่น".into(),
            summary: "อสม".into(),
            body: String::new(),
            files: "km".into(),
            grams: String::new(),
            facets: Facets {
                visibility: Visibility::Public,
                unit_id: UnitId(1),
                fiscal_year: 2567,
                knowledge_type: KnowledgeType::Explicit,
                terms: vec![],
                formats: vec![],
                published_at: OffsetDateTime::UNIX_EPOCH,
            },
        };
        assert_eq!(pg_words(&e), "'km':4D 'ดีเด่น':2A 'อสม':1A,3B");
        assert_eq!(pg_lexemes("ข ก ข"), "'ก' 'ข'");
    }
}
