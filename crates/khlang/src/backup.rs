//! `khlang backup DIR` / `khlang restore DIR` for the embedded setup: a consistent SQLite copy
//! (VACUUM INTO, safe while the server runs) plus every stored file, and the way back.

use crate::Runtime;
use futures::TryStreamExt;
use khlang_core::ports::Blobs;
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

const DB_FILE: &str = "khlang.db";
const FILES_DIR: &str = "files";
const MANIFEST: &str = "khlang-backup.toml";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Refused(String),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}")]
    Other(String),
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |e| BackupError::Io(what, e)
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: u64,
    pub bytes: u64,
}

/// Writes DIR/khlang.db, DIR/files/… and DIR/khlang-backup.toml. DIR must be empty or new.
pub async fn backup(rt: &Runtime, dir: &Path) -> Result<Summary, BackupError> {
    if khlang_store::Backend::of(&rt.config.database_url()).ok()
        != Some(khlang_store::Backend::Sqlite)
    {
        return Err(BackupError::Refused(
            "built-in backup covers the embedded SQLite database; for PostgreSQL use pg_dump (see README)".into(),
        ));
    }
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(io(dir.display().to_string()))?
            .next()
            .is_some()
    {
        return Err(BackupError::Refused(format!(
            "{} is not empty; choose a new directory",
            dir.display()
        )));
    }
    tokio::fs::create_dir_all(dir.join(FILES_DIR))
        .await
        .map_err(io(dir.display().to_string()))?;
    let db_path = std::path::absolute(dir.join(DB_FILE)).map_err(io("backup path"))?;
    khlang_store::backup_sqlite(&rt.db, &db_path)
        .await
        .map_err(|e| BackupError::Other(format!("database copy failed: {e}")))?;

    let mut summary = Summary::default();
    for (key, _) in rt
        .blobs
        .list(None)
        .await
        .map_err(|e| BackupError::Other(e.to_string()))?
    {
        if key.starts_with("_khlang/") {
            continue;
        }
        let dest = safe_join(&dir.join(FILES_DIR), &key)?;
        if let Some(parent) = dest.parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(io(parent.display().to_string()))?;
        }
        let (_, mut stream) = rt
            .blobs
            .get(&key, None)
            .await
            .map_err(|e| BackupError::Other(format!("{key}: {e}")))?;
        let mut out = tokio::fs::File::create(&dest)
            .await
            .map_err(io(dest.display().to_string()))?;
        while let Some(chunk) = stream.try_next().await.map_err(io(key.clone()))? {
            summary.bytes += chunk.len() as u64;
            out.write_all(&chunk)
                .await
                .map_err(io(dest.display().to_string()))?;
        }
        out.flush().await.map_err(io(dest.display().to_string()))?;
        summary.files += 1;
    }
    let manifest = format!(
        "# khlang backup\ncreated_at = \"{}\"\nversion = \"{}\"\nfiles = {}\nbytes = {}\n",
        time::OffsetDateTime::now_utc(),
        env!("CARGO_PKG_VERSION"),
        summary.files,
        summary.bytes
    );
    tokio::fs::write(dir.join(MANIFEST), manifest)
        .await
        .map_err(io("manifest"))?;
    Ok(summary)
}

/// Keys are khlang-made, but a backup directory is outside input: never write above `root`.
fn safe_join(root: &Path, key: &str) -> Result<PathBuf, BackupError> {
    if key
        .split('/')
        .any(|p| p.is_empty() || p == "." || p == "..")
    {
        return Err(BackupError::Other(format!("refusing odd file key {key}")));
    }
    Ok(root.join(key))
}

/// Replaces the SQLite database and the stored files with the backup in DIR. No server may
/// be using the data: the data directory's lock decides (see [`crate::lock`]), not a guess at
/// its address. Nothing live is touched until the whole backup has been checked: the
/// manifest, every file against it, and a staged copy of the database that SQLite has read
/// through. Files not in the backup are removed so the result equals the backup exactly.
pub async fn restore(config: &crate::Config, dir: &Path) -> Result<Summary, BackupError> {
    if !dir.join(MANIFEST).is_file() || !dir.join(DB_FILE).is_file() {
        return Err(BackupError::Refused(format!(
            "{} is not a khlang backup (no {MANIFEST} or {DB_FILE})",
            dir.display()
        )));
    }
    let url = config.database_url();
    let Some(db_path) = khlang_store::sqlite_path(&url) else {
        return Err(BackupError::Refused(
            "restore covers the embedded SQLite database; for PostgreSQL use pg_restore".into(),
        ));
    };
    let _lock = crate::lock::DataLock::exclusive(config).map_err(|e| match e {
        crate::lock::LockError::Busy(why) => BackupError::Refused(why),
        other => BackupError::Other(other.to_string()),
    })?;

    // 1. Check everything in the backup.
    let root = dir.join(FILES_DIR);
    let files = backup_files(&root).await?;
    check_manifest(dir, &files).await?;
    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(io(parent.display().to_string()))?;
    }
    let staged = PathBuf::from(format!("{}.restoring", db_path.display()));
    remove_db_files(&staged).await?;
    tokio::fs::copy(dir.join(DB_FILE), &staged)
        .await
        .map_err(io(staged.display().to_string()))?;
    if let Err(e) = check_database(&staged).await {
        let _ = remove_db_files(&staged).await;
        return Err(e);
    }

    // 2. Swap: the old database's log must go with it, or SQLite would replay it into the
    // new file.
    for suffix in ["-wal", "-shm"] {
        remove_file(&PathBuf::from(format!("{}{suffix}", db_path.display()))).await?;
    }
    tokio::fs::rename(&staged, &db_path)
        .await
        .map_err(io(db_path.display().to_string()))?;
    for suffix in ["-wal", "-shm"] {
        remove_file(&PathBuf::from(format!("{}{suffix}", staged.display()))).await?;
    }

    let rt = crate::open(config.clone())
        .await
        .map_err(|e| BackupError::Other(e.to_string()))?;
    let mut wanted = std::collections::HashSet::new();
    let mut summary = Summary::default();
    for (key, path) in files {
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(io(path.display().to_string()))?;
        let stream = tokio_util::io::ReaderStream::new(file);
        let n = rt
            .blobs
            .put(&key, Box::pin(stream))
            .await
            .map_err(|e| BackupError::Other(format!("{key}: {e}")))?;
        summary.files += 1;
        summary.bytes += n;
        wanted.insert(key);
    }
    for (key, _) in rt
        .blobs
        .list(None)
        .await
        .map_err(|e| BackupError::Other(e.to_string()))?
    {
        if !wanted.contains(&key) && !key.starts_with("_khlang/") {
            rt.blobs
                .delete(&key)
                .await
                .map_err(|e| BackupError::Other(format!("{key}: {e}")))?;
        }
    }
    rt.db
        .close()
        .await
        .map_err(|e| BackupError::Other(e.to_string()))?;
    Ok(summary)
}

/// Every file under the backup's `files/`, as (storage key, path), keys checked.
async fn backup_files(root: &Path) -> Result<Vec<(String, PathBuf)>, BackupError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries = match tokio::fs::read_dir(&d).await {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(BackupError::Io(d.display().to_string(), e)),
        };
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(io(d.display().to_string()))?
        {
            let path = entry.path();
            let kind = entry
                .file_type()
                .await
                .map_err(io(path.display().to_string()))?;
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            if !kind.is_file() {
                return Err(BackupError::Refused(format!(
                    "{} is not a regular file; the backup is not as khlang wrote it",
                    path.display()
                )));
            }
            let key = path
                .strip_prefix(root)
                .map_err(|e| BackupError::Other(e.to_string()))?
                .to_string_lossy()
                .replace('\\', "/");
            safe_join(root, &key)?;
            out.push((key, path));
        }
    }
    out.sort();
    Ok(out)
}

/// The manifest's counts must match the files present: a backup cut short (a full disk, an
/// interrupted copy) is refused before anything is replaced.
async fn check_manifest(dir: &Path, files: &[(String, PathBuf)]) -> Result<(), BackupError> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        files: u64,
        bytes: u64,
    }
    let text = tokio::fs::read_to_string(dir.join(MANIFEST))
        .await
        .map_err(io(MANIFEST))?;
    let m: Manifest = toml::from_str(&text)
        .map_err(|e| BackupError::Refused(format!("{MANIFEST} is not readable: {e}")))?;
    let mut bytes = 0;
    for (_, path) in files {
        bytes += tokio::fs::metadata(path)
            .await
            .map_err(io(path.display().to_string()))?
            .len();
    }
    if m.files != files.len() as u64 || m.bytes != bytes {
        return Err(BackupError::Refused(format!(
            "the backup is incomplete: {MANIFEST} lists {} files ({} bytes), {FILES_DIR}/ holds {} ({bytes} bytes)",
            m.files,
            m.bytes,
            files.len()
        )));
    }
    Ok(())
}

/// Opens the staged copy alone, has SQLite check every page, and sees khlang's tables.
async fn check_database(path: &Path) -> Result<(), BackupError> {
    use sea_orm::{ConnectionTrait, Statement};
    let bad =
        |why: String| BackupError::Refused(format!("{DB_FILE} in the backup is not usable: {why}"));
    let mut head = [0u8; 16];
    {
        use tokio::io::AsyncReadExt;
        let mut f = tokio::fs::File::open(path)
            .await
            .map_err(io(path.display().to_string()))?;
        f.read_exact(&mut head)
            .await
            .map_err(|_| bad("too short".into()))?;
    }
    if &head != b"SQLite format 3\0" {
        return Err(bad("not an SQLite database".into()));
    }
    let db = khlang_store::connect(&format!("sqlite://{}", path.display()))
        .await
        .map_err(|e| bad(e.to_string()))?;
    let result = async {
        let one = |sql: &str| Statement::from_string(sea_orm::DbBackend::Sqlite, sql.to_string());
        let rows = db
            .query_all(one("PRAGMA integrity_check"))
            .await
            .map_err(|e| bad(e.to_string()))?;
        let verdict: Vec<String> = rows
            .iter()
            .filter_map(|r| r.try_get_by_index::<String>(0).ok())
            .collect();
        if verdict != ["ok"] {
            return Err(bad(verdict.join("; ")));
        }
        db.query_one(one("SELECT count(*) FROM seaql_migrations"))
            .await
            .map_err(|e| bad(format!("no khlang tables ({e})")))?;
        // Leave one self-contained file: the log is folded in before it moves.
        db.execute(one("PRAGMA wal_checkpoint(TRUNCATE)"))
            .await
            .map_err(|e| bad(e.to_string()))?;
        Ok(())
    }
    .await;
    db.close().await.map_err(|e| bad(e.to_string()))?;
    result
}

/// Removes an SQLite file with its `-wal` and `-shm` companions, if present.
async fn remove_db_files(db: &Path) -> Result<(), BackupError> {
    for suffix in ["", "-wal", "-shm"] {
        remove_file(&PathBuf::from(format!("{}{suffix}", db.display()))).await?;
    }
    Ok(())
}

async fn remove_file(p: &Path) -> Result<(), BackupError> {
    match tokio::fs::remove_file(p).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(BackupError::Io(p.display().to_string(), e)),
    }
}
