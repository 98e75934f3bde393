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

/// Replaces the SQLite database and the stored files with the backup in DIR. The server must
/// be stopped; files not in the backup are removed so the result equals the backup exactly.
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
    if let Ok(addr) = config.listen.parse::<std::net::SocketAddr>()
        && addr.port() != 0
        && std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(300))
            .is_ok()
    {
        return Err(BackupError::Refused(format!(
            "khlang seems to be running on {addr}; stop it before restoring"
        )));
    }
    if let Some(parent) = db_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(io(parent.display().to_string()))?;
    }
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", db_path.display()));
        if side.exists() {
            tokio::fs::remove_file(&side)
                .await
                .map_err(io(side.display().to_string()))?;
        }
    }
    tokio::fs::copy(dir.join(DB_FILE), &db_path)
        .await
        .map_err(io(db_path.display().to_string()))?;

    let rt = crate::open(config.clone())
        .await
        .map_err(|e| BackupError::Other(e.to_string()))?;
    let root = dir.join(FILES_DIR);
    let mut wanted = std::collections::HashSet::new();
    let mut summary = Summary::default();
    let mut stack = vec![root.clone()];
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
            if entry
                .file_type()
                .await
                .map_err(io(path.display().to_string()))?
                .is_dir()
            {
                stack.push(path);
                continue;
            }
            let key = path
                .strip_prefix(&root)
                .map_err(|e| BackupError::Other(e.to_string()))?
                .to_string_lossy()
                .replace('\\', "/");
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
    Ok(summary)
}
