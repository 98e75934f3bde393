//! khlang's database adapter. One code path (SeaORM over sqlx) for the embedded SQLite file
//! and for PostgreSQL; driver errors are mapped onto [`PortError`] here and nowhere else.

mod certificates;
mod communities;
mod contests;
mod dashboard;
mod entities;
mod events;
mod forms;
mod imports;
mod innovations;
mod jobs;
mod knowledge;
mod learning;
mod lessons;
mod levels;
mod line;
mod m0004_search;
mod m0005_search_split;
mod m0006_revisions;
mod m0007_search_generation;
mod m0008_nodes;
mod m0009_forms;
mod m0010_people;
mod m0011_innovations;
mod m0012_media;
mod m0013_contests;
mod m0014_plans;
mod m0015_targets;
mod m0016_networks;
mod m0017_dashboard;
mod m0018_communities;
mod m0019_thread_search;
mod m0020_events;
mod m0021_lessons;
mod m0022_recognition;
mod m0023_learning;
mod m0024_usage;
mod m0025_books;
mod m0026_oai;
mod m0027_line;
mod m0028_imports;
mod media;
mod migration;
mod networks;
mod nodes;
mod notifications;
mod oai;
mod people;
mod planning;
mod recognition;
mod registry_tables;
mod schema;
mod search;
mod store;
mod targets;
mod thread_search;
mod usage;

pub use store::SeaStore;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    SqlxSqliteConnector, Statement,
};
use sea_orm_migration::MigratorTrait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Why the database could not be opened or migrated, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("database URL must start with sqlite:// or postgres:// (got {0})")]
    Scheme(String),
    #[error("cannot create the database directory {0}: {1}")]
    Directory(PathBuf, std::io::Error),
    #[error("cannot open database {url}: {cause}")]
    Connect { url: String, cause: String },
    #[error("cannot apply migrations: {0}")]
    Migrate(String),
}

/// Which engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Result<Self, OpenError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(OpenError::Scheme(redact_url(url)))
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for logs and messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// The file behind a `sqlite://` URL (`sqlite://khlang-data/khlang.db`, `sqlite:///abs/path.db`).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(PathBuf::from(path))
    }
}

/// Opens (creating an SQLite file if needed, in WAL mode) and returns the connection.
pub async fn connect(url: &str) -> Result<DatabaseConnection, OpenError> {
    let connect_err = |e: &dyn std::fmt::Display| OpenError::Connect {
        url: redact_url(url),
        cause: e.to_string(),
    };
    match Backend::of(url)? {
        Backend::Sqlite => {
            if let Some(path) = sqlite_path(url)
                && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| OpenError::Directory(dir.to_path_buf(), e))?;
            }
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| connect_err(&e))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Read the file through the OS page cache, shared by all connections, instead
                // of a read() per page into each connection's own cache: a quarter of a search
                // on 100k items was spent in pread. The most SQLite maps by default: 2 GB.
                .pragma("mmap_size", "2147418112");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .map_err(|e| connect_err(&e))?;
            Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
        }
        Backend::Postgres => {
            let mut opts = ConnectOptions::new(url.to_string());
            opts.max_connections(16)
                .min_connections(1)
                .connect_timeout(Duration::from_secs(5))
                .acquire_timeout(Duration::from_secs(10))
                .sqlx_logging(false);
            Database::connect(opts).await.map_err(|e| connect_err(&e))
        }
    }
}

/// Applies every pending migration; safe to run at each start and from `khlang migrate`.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), OpenError> {
    migration::Migrator::up(db, None)
        .await
        .map_err(|e| OpenError::Migrate(e.to_string()))
}

/// A consistent copy of a live SQLite database (`VACUUM INTO`), safe while the server runs.
pub async fn backup_sqlite(db: &DatabaseConnection, dest: &Path) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(DbErr::Custom(
            "online backup is only built in for SQLite; use pg_dump for PostgreSQL".into(),
        ));
    }
    let dest = dest.to_string_lossy().to_string();
    db.execute(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        [dest.into()],
    ))
    .await?;
    Ok(())
}
