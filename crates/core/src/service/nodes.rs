//! Several khlang processes (nodes, เครื่องให้บริการหลายเครื่อง) behind one address, on one
//! PostgreSQL and one object store: what they must agree on goes through the database.
//!
//! - A lease ([`Khlang::try_lease`]) says which process runs a periodic job or writes an
//!   upload right now; one that stops holding it (crash, lost network) loses it when it runs out.
//! - Change counts keep the caches of every process honest (see `cache`).

use super::Khlang;
use crate::error::DomainResult;
use crate::ports::{Coordination, PortResult};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use time::OffsetDateTime;

/// A name for this process in leases: unique among the processes on one database.
pub(crate) fn node_name() -> String {
    let random = crate::account::Secret::generate("");
    format!("{}-{}", std::process::id(), &random.expose()[..10])
}

/// How often the periodic cleanup runs, on whichever node gets to it first.
pub const CLEANUP_EVERY: Duration = Duration::from_secs(3600);

/// A lease this process holds until it gives it back ([`Khlang::release`]) or it runs out.
/// While held for long work it is renewed in the background (see [`Khlang::hold`]).
#[derive(Debug)]
pub struct Lease {
    name: String,
    /// This process and this taking of the lease: two requests in one process exclude each
    /// other as two processes do.
    holder: String,
    renewal: Option<tokio::task::AbortHandle>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(r) = self.renewal.take() {
            r.abort();
        }
    }
}

/// What one run of the periodic cleanup removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cleanup {
    pub sessions: u64,
    pub uploads: usize,
}

impl Khlang {
    /// Takes the lease `name` for `ttl`, unless another process holds it.
    pub async fn try_lease(&self, name: &str, ttl: Duration) -> DomainResult<Option<Lease>> {
        static TAKEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = TAKEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let holder = format!("{}/{n}", self.node);
        let now = self.clock.now();
        let got = self
            .coordination
            .try_lease(name, &holder, now, now + ttl)
            .await?;
        Ok(got.then(|| Lease {
            name: name.to_string(),
            holder,
            renewal: None,
        }))
    }

    /// Takes the lease `name`, waiting up to `wait` for another holder to give it back, and
    /// keeps renewing it every third of `ttl` until released: a holder that stops (a crash)
    /// loses it within `ttl`.
    pub async fn hold(
        &self,
        name: &str,
        ttl: Duration,
        wait: Duration,
    ) -> DomainResult<Option<Lease>> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut lease = loop {
            if let Some(l) = self.try_lease(name, ttl).await? {
                break l;
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let core = self.clone();
        let key = name.to_string();
        let holder = lease.holder.clone();
        let renewal = tokio::spawn(async move {
            loop {
                tokio::time::sleep(ttl / 3).await;
                let now = core.clock.now();
                match core
                    .coordination
                    .try_lease(&key, &holder, now, now + ttl)
                    .await
                {
                    Ok(true) => {}
                    Ok(false) => {
                        tracing::warn!(lease = %key, "lease taken over by another process");
                        return;
                    }
                    Err(e) => tracing::warn!(lease = %key, error = %e, "could not renew a lease"),
                }
            }
        });
        lease.renewal = Some(renewal.abort_handle());
        Ok(Some(lease))
    }

    /// Gives a lease back at once (otherwise it runs out by itself).
    pub async fn release(&self, lease: Lease) {
        if let Err(e) = self
            .coordination
            .release_lease(&lease.name, &lease.holder)
            .await
        {
            tracing::warn!(lease = %lease.name, error = %e, "could not give a lease back");
        }
    }

    /// Removes expired sessions and uploads abandoned for a day — once per
    /// [`CLEANUP_EVERY`] across all nodes: `None` when another process has done it lately.
    /// The lease is not given back: it marks the period as done.
    pub async fn periodic_cleanup(&self) -> DomainResult<Option<Cleanup>> {
        let period = CLEANUP_EVERY - Duration::from_secs(60);
        let Some(_lease) = self.try_lease("job:cleanup", period).await? else {
            return Ok(None);
        };
        let sessions = self.store.delete_expired_sessions(self.clock.now()).await?;
        let uploads = self.expire_uploads(time::Duration::days(1)).await?.len();
        Ok(Some(Cleanup { sessions, uploads }))
    }
}

/// Leases and change counts kept in this process: right for a process alone, and for tests
/// of the core without a database.
#[derive(Default)]
pub(crate) struct InProcess {
    leases: Mutex<HashMap<String, (String, OffsetDateTime)>>,
    versions: Mutex<HashMap<String, i64>>,
}

fn poisoned() -> crate::error::PortError {
    crate::error::PortError::Other("lock poisoned".into())
}

#[async_trait::async_trait]
impl Coordination for InProcess {
    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> PortResult<bool> {
        let mut leases = self.leases.lock().map_err(|_| poisoned())?;
        match leases.get(name) {
            Some((h, end)) if h != holder && *end > now => Ok(false),
            _ => {
                leases.insert(name.to_string(), (holder.to_string(), until));
                Ok(true)
            }
        }
    }

    async fn release_lease(&self, name: &str, holder: &str) -> PortResult<()> {
        let mut leases = self.leases.lock().map_err(|_| poisoned())?;
        if leases.get(name).is_some_and(|(h, _)| h == holder) {
            leases.remove(name);
        }
        Ok(())
    }

    async fn bump_version(&self, topic: &str) -> PortResult<i64> {
        let mut v = self.versions.lock().map_err(|_| poisoned())?;
        let n = v.entry(topic.to_string()).or_insert(0);
        *n += 1;
        Ok(*n)
    }

    async fn versions(&self) -> PortResult<Vec<(String, i64)>> {
        let v = self.versions.lock().map_err(|_| poisoned())?;
        Ok(v.iter().map(|(k, n)| (k.clone(), *n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_lease_is_one_holders_until_it_runs_out_or_is_given_back() {
        let c = InProcess::default();
        let t = OffsetDateTime::UNIX_EPOCH;
        let later = t + time::Duration::seconds(60);
        assert!(c.try_lease("job", "a", t, later).await.unwrap());
        assert!(!c.try_lease("job", "b", t, later).await.unwrap());
        assert!(c.try_lease("job", "a", t, later).await.unwrap(), "renewal");
        assert!(
            c.try_lease("job", "b", later, later).await.unwrap(),
            "ran out"
        );
        c.release_lease("job", "a").await.unwrap();
        assert!(
            !c.try_lease("job", "a", t, later).await.unwrap(),
            "not a's any more"
        );
        c.release_lease("job", "b").await.unwrap();
        assert!(c.try_lease("job", "a", t, later).await.unwrap());
    }
}
