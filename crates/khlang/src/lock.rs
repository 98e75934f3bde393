//! The data directory's lock file: how `restore` knows a server is using the data, whatever
//! address either of them was told to listen on.
//!
//! `serve` holds a *shared* OS lock on `<data_dir>/khlang.lock` (and on `<db>.lock` beside an
//! SQLite file kept outside the data directory) for as long as it runs; commands that replace
//! the data take the *exclusive* lock first and refuse if they cannot. The lock is the
//! kernel's (`flock` on Unix, `LockFileEx` on Windows), so it goes away with the process,
//! also on `kill -9`; a stale file left behind locks nothing. Shared, not exclusive, so that
//! two server processes may still serve one data directory beside each other.

use crate::Config;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// Held while it lives; dropping it (or the process ending) releases the lock.
#[derive(Debug)]
pub struct DataLock {
    _files: Vec<File>,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it in a conflicting way.
    #[error("{0}")]
    Busy(String),
    #[error("cannot use lock file {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// The lock files for a configuration: one in the data directory, and one beside the SQLite
/// database when that lives somewhere else.
fn lock_paths(config: &Config) -> Vec<PathBuf> {
    let mut paths = vec![config.data_dir.join("khlang.lock")];
    if let Some(db) = khlang_store::sqlite_path(&config.database_url()) {
        let beside = PathBuf::from(format!("{}.lock", db.display()));
        let in_data_dir = db.parent().is_some_and(|p| same_dir(p, &config.data_dir));
        if !in_data_dir {
            paths.push(beside);
        }
    }
    paths
}

fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canon(a) == canon(b)
}

fn open(path: &Path) -> Result<File, LockError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| LockError::Io(path.to_path_buf(), e))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| LockError::Io(path.to_path_buf(), e))
}

impl DataLock {
    /// For `serve`: refused only while a restore holds the data.
    pub fn serving(config: &Config) -> Result<Self, LockError> {
        Self::take(config, false)
    }

    /// For commands that replace the data: refused while any server runs on it.
    pub fn exclusive(config: &Config) -> Result<Self, LockError> {
        Self::take(config, true)
    }

    fn take(config: &Config, exclusive: bool) -> Result<Self, LockError> {
        let mut files = Vec::new();
        for path in lock_paths(config) {
            let file = open(&path)?;
            let taken = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match taken {
                Ok(()) => files.push(file),
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Busy(if exclusive {
                        format!(
                            "khlang กำลังทำงานกับข้อมูลใน {} อยู่ กรุณาหยุดเซิร์ฟเวอร์ก่อน \
                             (khlang is running on this data directory; stop it before restoring)",
                            config.data_dir.display()
                        )
                    } else {
                        format!(
                            "กำลังกู้คืนข้อมูลใน {} อยู่ กรุณารอให้เสร็จก่อนเริ่มเซิร์ฟเวอร์ \
                             (a restore is replacing this data directory; start khlang after it ends)",
                            config.data_dir.display()
                        )
                    }));
                }
                Err(TryLockError::Error(e)) => return Err(LockError::Io(path, e)),
            }
        }
        Ok(Self { _files: files })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> Config {
        Config {
            data_dir: dir.to_path_buf(),
            ..Config::default()
        }
    }

    #[test]
    fn servers_share_and_restore_excludes() {
        let dir = std::env::temp_dir().join(format!("khlang-lock-{}", std::process::id()));
        let c = config(&dir);
        let a = DataLock::serving(&c).unwrap();
        let b = DataLock::serving(&c).unwrap();
        assert!(matches!(DataLock::exclusive(&c), Err(LockError::Busy(_))));
        drop((a, b));
        let r = DataLock::exclusive(&c).unwrap();
        assert!(matches!(DataLock::serving(&c), Err(LockError::Busy(_))));
        drop(r);
        assert!(DataLock::serving(&c).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
