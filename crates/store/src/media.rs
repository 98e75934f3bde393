//! [`MediaStore`] over the database: the record of picture copies, in plain SQL that SQLite
//! and PostgreSQL both speak (as the file-text queue in `crate::search`).

use crate::search::{exec, rows};
use crate::store::{SeaStore, map_err};
use async_trait::async_trait;
use khlang_core::media::{CopiesOutcome, CopiesRecord, CopiesState, DerivationJob, MediaStore};
use khlang_core::ports::PortResult;
use time::OffsetDateTime;

/// How long a process may take over one picture in the background before another may.
const LEASE_SECS: i64 = 600;

#[async_trait]
impl MediaStore for SeaStore {
    async fn queue_copies(
        &self,
        sha256: &str,
        mime: &str,
        size: u64,
        version: i32,
        now: OffsetDateTime,
    ) -> PortResult<()> {
        let t = now.unix_timestamp();
        // Content is stored once, so its copies are made once; copies of an older version
        // are made again.
        exec(
            self.connection(),
            "INSERT INTO picture_copies (sha256, mime, size, status, version, attempts, \
             next_attempt_at, updated_at) VALUES (?, ?, ?, 'pending', ?, 0, ?, ?) \
             ON CONFLICT (sha256) DO UPDATE SET status = 'pending', version = excluded.version, \
             attempts = 0, next_attempt_at = excluded.next_attempt_at, reason = NULL, \
             updated_at = excluded.updated_at WHERE picture_copies.version < excluded.version",
            vec![
                sha256.into(),
                mime.into(),
                (size as i64).into(),
                version.into(),
                t.into(),
                t.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn next_copies(&self, now: OffsetDateTime) -> PortResult<Option<DerivationJob>> {
        let db = self.connection();
        let t = now.unix_timestamp();
        loop {
            let found = rows(
                db,
                "SELECT sha256, mime, size, attempts, next_attempt_at FROM picture_copies \
                 WHERE status = 'pending' AND next_attempt_at <= ? \
                 ORDER BY next_attempt_at LIMIT 1",
                vec![t.into()],
            )
            .await?;
            let Some(r) = found.first() else {
                return Ok(None);
            };
            let sha256: String = r.try_get("", "sha256").map_err(map_err)?;
            let due: i64 = r.try_get("", "next_attempt_at").map_err(map_err)?;
            // Taken only if nobody else took it since the read.
            let taken = exec(
                db,
                "UPDATE picture_copies SET next_attempt_at = ? WHERE sha256 = ? \
                 AND next_attempt_at = ? AND status = 'pending'",
                vec![(t + LEASE_SECS).into(), sha256.clone().into(), due.into()],
            )
            .await?;
            if taken == 1 {
                let size: i64 = r.try_get("", "size").map_err(map_err)?;
                return Ok(Some(DerivationJob {
                    sha256,
                    mime: r.try_get("", "mime").map_err(map_err)?,
                    size: size.max(0) as u64,
                    attempts: r.try_get("", "attempts").map_err(map_err)?,
                }));
            }
        }
    }

    async fn copies(&self, sha256: &str) -> PortResult<Option<CopiesRecord>> {
        let found = rows(
            self.connection(),
            "SELECT status, version, thumb_bytes, display_bytes, reason FROM picture_copies \
             WHERE sha256 = ?",
            vec![sha256.into()],
        )
        .await?;
        let Some(r) = found.first() else {
            return Ok(None);
        };
        let status: String = r.try_get("", "status").map_err(map_err)?;
        let bytes = |col: &str| -> PortResult<u64> {
            let v: Option<i64> = r.try_get("", col).map_err(map_err)?;
            Ok(v.unwrap_or(0).max(0) as u64)
        };
        let state = match status.as_str() {
            "done" => CopiesState::Done {
                thumb_bytes: bytes("thumb_bytes")?,
                display_bytes: bytes("display_bytes")?,
            },
            "refused" => CopiesState::Refused,
            "failed" => CopiesState::Failed,
            _ => CopiesState::Pending,
        };
        Ok(Some(CopiesRecord {
            state,
            version: r.try_get("", "version").map_err(map_err)?,
            reason: r.try_get("", "reason").map_err(map_err)?,
        }))
    }

    async fn finish_copies(
        &self,
        sha256: &str,
        outcome: CopiesOutcome<'_>,
        now: OffsetDateTime,
    ) -> PortResult<()> {
        let t = now.unix_timestamp();
        let db = self.connection();
        match outcome {
            CopiesOutcome::Done {
                version,
                thumb_bytes,
                display_bytes,
            } => {
                exec(
                    db,
                    "UPDATE picture_copies SET status = 'done', version = ?, thumb_bytes = ?, \
                     display_bytes = ?, reason = NULL, attempts = attempts + 1, updated_at = ? \
                     WHERE sha256 = ?",
                    vec![
                        version.into(),
                        (thumb_bytes as i64).into(),
                        (display_bytes as i64).into(),
                        t.into(),
                        sha256.into(),
                    ],
                )
                .await?
            }
            CopiesOutcome::Refused(why) => {
                exec(
                    db,
                    "UPDATE picture_copies SET status = 'refused', reason = ?, \
                     attempts = attempts + 1, updated_at = ? WHERE sha256 = ?",
                    vec![why.into(), t.into(), sha256.into()],
                )
                .await?
            }
            CopiesOutcome::Failed { why, retry_at } => {
                let (status, next) = match retry_at {
                    Some(at) => ("pending", at.unix_timestamp()),
                    None => ("failed", t),
                };
                exec(
                    db,
                    "UPDATE picture_copies SET status = ?, reason = ?, attempts = attempts + 1, \
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
}
