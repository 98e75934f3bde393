//! What the bench binaries share: a fresh khlang to load, serving it on a free port, and timing
//! pages one request after another (latency, not throughput). Benches print figures; they
//! never fail on a number.

use crate::{Config, Runtime};
use anyhow::bail;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A fresh khlang on `data_dir` (which must be empty unless the database is PostgreSQL),
/// bootstrapped, and the port it will serve on.
pub async fn fresh(
    name: &str,
    data_dir: &Path,
    database_url: Option<&str>,
) -> anyhow::Result<(Arc<Runtime>, tokio::net::TcpListener)> {
    if database_url.is_none() && std::fs::read_dir(data_dir).is_ok_and(|mut d| d.next().is_some()) {
        bail!(
            "{} is not empty; give a fresh directory",
            data_dir.display()
        );
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let config = Config {
        listen: listener.local_addr()?.to_string(),
        data_dir: data_dir.to_path_buf(),
        database_url: database_url.unwrap_or_default().to_string(),
        ..Config::default()
    };
    let shown = khlang_store::redact_url(&config.database_url());
    let rt = Arc::new(crate::open(config).await?);
    rt.bootstrap().await?;
    println!("{name}: database {shown}");
    Ok((rt, listener))
}

/// khlang serving in the background until [`Served::stop`].
pub struct Served {
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<()>,
}

impl Served {
    pub fn start(rt: Arc<Runtime>, listener: tokio::net::TcpListener) -> anyhow::Result<Self> {
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let _ = rt
                .serve(listener, async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self { base, stop, server })
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.server.await;
    }
}

/// Requests `path` `requests` times after 5 warm-up requests and prints p50 and p95.
pub async fn measure(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    path: &str,
    requests: usize,
) -> anyhow::Result<()> {
    let mut times = Vec::with_capacity(requests);
    let mut bytes = 0;
    for i in 0..requests + 5 {
        let t = Instant::now();
        let res = client.get(format!("{base}{path}")).send().await?;
        let status = res.status();
        let body = res.bytes().await?;
        let took = t.elapsed();
        if !status.is_success() {
            bail!("{path}: {status}");
        }
        bytes = body.len();
        if i >= 5 {
            times.push(took);
        }
    }
    times.sort();
    println!(
        "{name:<34} p50 {:>8.2?}  p95 {:>8.2?}  ({} requests, {} bytes)",
        pct(&times, 50),
        pct(&times, 95),
        times.len(),
        bytes
    );
    Ok(())
}

/// The `p`th percentile of sorted durations (nearest rank).
pub fn pct(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() * p).div_ceil(100))
        .saturating_sub(1)
        .min(sorted.len() - 1)]
}

/// Turns a core error into the bench's error, saying what was being done.
pub fn fail(what: &str) -> impl FnOnce(khlang_core::DomainError) -> anyhow::Error + '_ {
    move |e| anyhow::anyhow!("{what}: {e:?}")
}

/// The process's peak resident memory so far, in MB (Linux; 0 elsewhere).
pub fn peak_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
