//! The clock khlang runs on: the system's, or for rehearsals and browser tests the system's
//! moved by an offset kept in a file, so that every process reading the same file agrees on
//! "now" (a test moves past a contest's deadline without sleeping).

use khlang_core::ports::{Clock, SystemClock};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;
use time::OffsetDateTime;

/// The system clock, or a [`ShiftedClock`] when `offset_file` is set.
pub fn from_config(offset_file: &str) -> Arc<dyn Clock> {
    if offset_file.trim().is_empty() {
        Arc::new(SystemClock)
    } else {
        tracing::warn!(
            file = offset_file,
            "the clock is moved by the offset in this file"
        );
        Arc::new(ShiftedClock::new(PathBuf::from(offset_file)))
    }
}

/// The system clock plus the whole seconds written in a file (`86400`, `-60`); a missing or
/// unreadable file counts as 0. Re-read when the file's modification time changes.
pub struct ShiftedClock {
    path: PathBuf,
    last: Mutex<Option<(SystemTime, i64)>>,
}

impl ShiftedClock {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            last: Mutex::new(None),
        }
    }

    fn offset(&self) -> i64 {
        let Ok(modified) = std::fs::metadata(&self.path).and_then(|m| m.modified()) else {
            return 0;
        };
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((seen, secs)) = *last
            && seen == modified
        {
            return secs;
        }
        let secs = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .unwrap_or(0);
        *last = Some((modified, secs));
        secs
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc() + time::Duration::seconds(self.offset())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_in_the_file_moves_the_clock() {
        let path = std::env::temp_dir().join(format!("khlang-clock-{}", std::process::id()));
        std::fs::write(&path, "86400\n").unwrap();
        let clock = ShiftedClock::new(path.clone());
        let ahead = clock.now() - OffsetDateTime::now_utc();
        assert!(ahead > time::Duration::hours(23), "{ahead}");
        std::fs::remove_file(&path).unwrap();
        let missing = ShiftedClock::new(path);
        let ahead = missing.now() - OffsetDateTime::now_utc();
        assert!(ahead < time::Duration::seconds(5), "{ahead}");
    }
}
