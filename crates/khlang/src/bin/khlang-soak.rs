//! `khlang-soak`: runs a real `khlang serve` for a long while under mixed reads and writes —
//! create a draft, upload a file, submit, approve, search, read pages, download — from many
//! connections at once, and prints what a soak should catch: 5xx answers, failed connections,
//! p50/p99 per route, and the server's memory at the start, half-way and the end.
//!
//! A benchmark, not a test: it never fails on a number (only when khlang cannot be started or
//! set up). The server is a child process, so its RSS is the server's alone.
//!
//! ```text
//! cargo build --release -p khlang --bins
//! target/release/khlang-soak --data-dir /tmp/soak-sqlite --minutes 10
//! target/release/khlang-soak --data-dir /tmp/soak-pg --minutes 10 \
//!     --database-url postgres://postgres@127.0.0.1:5432/khlang_soak
//! ```

use anyhow::{Context, anyhow, bail};
use clap::Parser;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "khlang-soak",
    about = "Mixed reads and writes against a real khlang for minutes; prints 5xx, p99 per route, RSS"
)]
struct Args {
    /// A fresh directory for the server's data (SQLite database, files, logs).
    #[arg(long)]
    data_dir: PathBuf,
    /// `postgres://…` of an empty database, to soak PostgreSQL instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// How long the load runs.
    #[arg(long, default_value_t = 10.0)]
    minutes: f64,
    /// Concurrent clients, each with its own connection pool of one.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// The khlang binary to run; by default the one beside this program.
    #[arg(long)]
    khlang: Option<PathBuf>,
}

/// (item id, id of its file) of every item the run published, for the reads to pick from.
type Published = Arc<Mutex<Vec<(i64, Option<i64>)>>>;

/// What one route saw.
#[derive(Default)]
struct RouteStats {
    latencies_us: Vec<u64>,
    status: BTreeMap<u16, u64>,
    failed: u64,
}

#[derive(Default)]
struct Stats {
    routes: BTreeMap<&'static str, RouteStats>,
}

impl Stats {
    fn record(&mut self, route: &'static str, took: Duration, status: Option<StatusCode>) {
        let r = self.routes.entry(route).or_default();
        match status {
            Some(s) => {
                *r.status.entry(s.as_u16()).or_default() += 1;
                r.latencies_us
                    .push(u64::try_from(took.as_micros()).unwrap_or(u64::MAX));
            }
            None => r.failed += 1,
        }
    }
}

/// People the load acts as: an administrator who sets up, a contributor who writes and a
/// reviewer of the same unit who approves.
struct Cast {
    contributor: String,
    reviewer: String,
    unit: i64,
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Words people search for in the seeds' domain, with and without spaces.
const QUERIES: &[&str] = &[
    "อสม",
    "นวัตกรรม",
    "การจัดการความรู้",
    "ถอดบทเรียน",
    "แผนการจัดการความรู้",
    "ผู้สูงอายุ",
    "โคกหนองนา",
    "สุขภาพภาคประชาชน",
    "ชุมชนนักปฏิบัติ",
    "ไข้เลือดออก",
    "\"คลังความรู้\"",
    "นวัตก*",
];

const SENTENCES: &[&str] = &[
    "อสม. ใช้แบบเก็บรวบรวมนวัตกรรม 7 หัวข้อ เพื่อจัดทำบัญชีนวัตกรรมด้านสุขภาพภาคประชาชน",
    "การถอดบทเรียนหลังการปฏิบัติงาน (AAR) ช่วยให้ทีมเรียนรู้จากสิ่งที่เกิดขึ้นจริง",
    "แผนการจัดการความรู้ของสำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา กำหนดเป้าหมายรายอำเภอ",
    "ชุมชนนักปฏิบัติแลกเปลี่ยนเรียนรู้การดูแลผู้สูงอายุติดเตียงในหมู่บ้าน",
    "การป้องกันไข้เลือดออกด้วยการกำจัดลูกน้ำยุงลายทุกสัปดาห์โดย อสม. และครัวเรือน",
    "โคกหนองนาโมเดลเป็นการจัดการน้ำและที่ดินเพื่อเศรษฐกิจพอเพียง",
];

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let khlang = match &args.khlang {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no folder beside this program")?
            .join("khlang"),
    };
    if !khlang.is_file() {
        bail!(
            "no khlang binary at {} (build it: cargo build --release -p khlang --bins)",
            khlang.display()
        );
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let data_dir = args.data_dir.canonicalize()?;
    let port = free_port()?;
    let env = Env {
        khlang: &khlang,
        data_dir: &data_dir,
        database_url: args.database_url.as_deref(),
        listen: format!("127.0.0.1:{port}"),
    };
    let admin_token = env.setup_people()?;
    let server = env.serve()?;
    let http = Client::builder()
        .pool_max_idle_per_host(args.connections)
        .timeout(Duration::from_secs(60))
        .build()?;
    wait_ready(&http, &server.base).await?;
    let cast = grant_roles(&http, &server.base, &admin_token, &env).await?;
    let pid = server.child.id();

    let engine = if args.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    println!(
        "khlang-soak: {engine}, {} connections, {} min, server pid {pid} at {}",
        args.connections, args.minutes, server.base
    );
    // A few published items first, so that reads have something to read.
    let published = Published::default();
    let stats = Arc::new(Mutex::new(Stats::default()));
    for n in 0..8 {
        let w = Worker {
            http: http.clone(),
            base: server.base.clone(),
            cast: &cast,
            stats: stats.clone(),
            published: published.clone(),
            n,
        };
        w.write_cycle().await;
    }
    *stats.lock().map_err(|_| anyhow!("stats poisoned"))? = Stats::default();

    let rss_start = rss_kib(pid);
    let started = Instant::now();
    let total = Duration::from_secs_f64(args.minutes * 60.0);
    let deadline = started + total;
    let mut tasks = Vec::new();
    let cast = Arc::new(cast);
    for c in 0..args.connections {
        let http = Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(60))
            .build()?;
        let (base, stats, published, cast) = (
            server.base.clone(),
            stats.clone(),
            published.clone(),
            cast.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = (c as u64 + 1) * 7_919;
            while Instant::now() < deadline {
                n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let w = Worker {
                    http: http.clone(),
                    base: base.clone(),
                    cast: &cast,
                    stats: stats.clone(),
                    published: published.clone(),
                    n: n >> 33,
                };
                w.one().await;
            }
        }));
    }
    // RSS half-way, while the load runs.
    tokio::time::sleep(total / 2).await;
    let rss_half = rss_kib(pid);
    for t in tasks {
        t.await?;
    }
    let elapsed = started.elapsed();
    let rss_end = rss_kib(pid);
    let hwm = hwm_kib(pid);
    let server_alive = std::fs::metadata(format!("/proc/{pid}")).is_ok();
    drop(server);

    let stats = stats.lock().map_err(|_| anyhow!("stats poisoned"))?;
    report(&stats, elapsed, [rss_start, rss_half, rss_end, hwm]);
    let items = published.lock().map_err(|_| anyhow!("poisoned"))?.len();
    println!("published during the run (with the 8 before it): {items}");
    println!(
        "server still running at the end: {}",
        if server_alive { "yes" } else { "NO" }
    );
    Ok(())
}

struct Worker<'a> {
    http: Client,
    base: String,
    cast: &'a Cast,
    stats: Arc<Mutex<Stats>>,
    published: Published,
    n: u64,
}

impl Worker<'_> {
    /// One request, or one write cycle of four, chosen by weight: 85% reads, as on a real site.
    async fn one(&self) {
        let pick = self.n % 100;
        let known = self.pick_published();
        match (pick, known) {
            (0..=14, _) => self.get("home", "/".to_string(), None).await,
            (15..=24, _) => {
                let page = self.n % 5 + 1;
                self.get("browse", format!("/items?page={page}"), None)
                    .await
            }
            (25..=39, Some((id, _))) => self.get("item page", format!("/items/{id}"), None).await,
            (40..=54, _) => {
                let q = QUERIES[(self.n as usize / 7) % QUERIES.len()];
                self.get("search page", format!("/search?q={}", enc(q)), None)
                    .await
            }
            (55..=62, _) => {
                let q = QUERIES[(self.n as usize / 3) % QUERIES.len()];
                let token = self.cast.contributor.clone();
                self.get(
                    "search api",
                    format!("/api/v1/search?q={}", enc(q)),
                    Some(&token),
                )
                .await
            }
            (63..=74, Some((_, Some(file)))) => {
                self.get("download", format!("/files/{file}"), None).await
            }
            (75..=84, _) => {
                let token = self.cast.contributor.clone();
                self.get(
                    "api items",
                    "/api/v1/items?status=mine".into(),
                    Some(&token),
                )
                .await
            }
            (85..=99, _) => self.write_cycle().await,
            // Nothing published yet to read: the home page instead.
            _ => self.get("home", "/".to_string(), None).await,
        }
    }

    fn pick_published(&self) -> Option<(i64, Option<i64>)> {
        let list = self.published.lock().ok()?;
        if list.is_empty() {
            return None;
        }
        Some(list[(self.n as usize / 11) % list.len()])
    }

    async fn get(&self, route: &'static str, path: String, token: Option<&str>) {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let t = Instant::now();
        let res = req.send().await;
        let status = match res {
            Ok(r) => {
                let s = r.status();
                // Read the whole body, as a browser would.
                let ok = r.bytes().await.is_ok();
                ok.then_some(s)
            }
            Err(_) => None,
        };
        self.record(route, t.elapsed(), status);
    }

    fn record(&self, route: &'static str, took: Duration, status: Option<StatusCode>) {
        if let Ok(mut s) = self.stats.lock() {
            s.record(route, took, status);
        }
    }

    async fn call(
        &self,
        route: &'static str,
        method: Method,
        path: &str,
        token: &str,
        body: Body,
    ) -> Option<Value> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        req = match body {
            Body::Json(v) => req.json(&v),
            Body::File(name, bytes) => req
                .header("content-type", "application/octet-stream")
                .header(
                    "content-disposition",
                    format!("attachment; filename=\"{name}\""),
                )
                .body(bytes),
        };
        let t = Instant::now();
        let res = req.send().await;
        let took = t.elapsed();
        match res {
            Ok(r) => {
                let s = r.status();
                let v = r.json::<Value>().await.ok();
                self.record(route, took, Some(s));
                if s.is_success() { v } else { None }
            }
            Err(_) => {
                self.record(route, took, None);
                None
            }
        }
    }

    /// A contributor drafts an item, attaches a PDF, submits it; the reviewer approves it.
    async fn write_cycle(&self) {
        let c = &self.cast;
        let i = self.n as usize;
        let body = json!({
            "title": format!("ผลการทดสอบต่อเนื่อง ครั้งที่ {i}"),
            "summary": SENTENCES[(i + 1) % SENTENCES.len()],
            "body": format!("{}\n\n{}", SENTENCES[i % SENTENCES.len()], SENTENCES[(i + 2) % SENTENCES.len()]),
            "unit_id": c.unit,
            "visibility": "public",
        });
        let Some(item) = self
            .call(
                "create draft",
                Method::POST,
                "/api/v1/items",
                &c.contributor,
                Body::Json(body),
            )
            .await
        else {
            return;
        };
        let Some(id) = item["id"].as_i64() else {
            return;
        };
        let file = self
            .call(
                "upload file",
                Method::POST,
                &format!("/api/v1/items/{id}/files"),
                &c.contributor,
                Body::File(format!("soak-{i}.pdf"), small_pdf(i)),
            )
            .await
            .and_then(|v| v["file_id"].as_i64());
        if self
            .call(
                "submit",
                Method::POST,
                &format!("/api/v1/items/{id}/submit"),
                &c.contributor,
                Body::Json(json!({})),
            )
            .await
            .is_none()
        {
            return;
        }
        if self
            .call(
                "approve",
                Method::POST,
                &format!("/api/v1/items/{id}/review"),
                &c.reviewer,
                Body::Json(json!({"decision": "approve"})),
            )
            .await
            .is_some()
            && let Ok(mut list) = self.published.lock()
        {
            list.push((id, file));
        }
    }
}

enum Body {
    Json(Value),
    File(String, Vec<u8>),
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A small valid one-page PDF with a correct cross-reference table.
fn small_pdf(n: usize) -> Vec<u8> {
    let stream = format!("BT /F1 18 Tf 72 760 Td (khlang soak {n}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>".to_string(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

struct Env<'a> {
    khlang: &'a Path,
    data_dir: &'a Path,
    database_url: Option<&'a str>,
    listen: String,
}

impl Env<'_> {
    fn command(&self) -> Command {
        let mut c = Command::new(self.khlang);
        c.current_dir(self.data_dir)
            .env_remove("KHLANG_CONFIG")
            .env_remove("KHLANG_STORAGE_URL")
            .env_remove("KHLANG_PUBLIC_BASE_URL")
            .env("KHLANG_DATA_DIR", self.data_dir.join("data"))
            .env("KHLANG_LISTEN", &self.listen)
            .env("RUST_LOG", "warn");
        match self.database_url {
            Some(url) => c.env("KHLANG_DATABASE_URL", url),
            None => c.env_remove("KHLANG_DATABASE_URL"),
        };
        c
    }

    /// Creates the administrator, contributor and reviewer with the CLI; returns the
    /// administrator's API token.
    fn setup_people(&self) -> anyhow::Result<String> {
        for (name, admin) in [
            ("soak_admin", true),
            ("soak_writer", false),
            ("soak_reviewer", false),
        ] {
            let mut c = self.command();
            c.args(["user", "create", name, "--password-stdin"]);
            if admin {
                c.arg("--admin");
            }
            let mut child = c
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()?;
            use std::io::Write;
            child
                .stdin
                .take()
                .context("stdin")?
                .write_all(format!("{}\n", random_secret()).as_bytes())?;
            let out = child.wait_with_output()?;
            if !out.status.success() {
                bail!(
                    "khlang user create {name}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        self.token("soak_admin")
    }

    fn token(&self, user: &str) -> anyhow::Result<String> {
        let out = self
            .command()
            .args(["user", "token", "create", user])
            .output()?;
        if !out.status.success() {
            bail!(
                "khlang user token create {user}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_string())
    }

    fn serve(&self) -> anyhow::Result<Server> {
        let log = std::fs::File::create(self.data_dir.join("server.log"))?;
        let child = self
            .command()
            .arg("serve")
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("start khlang serve")?;
        Ok(Server {
            child,
            base: format!("http://{}", self.listen),
        })
    }
}

fn random_secret() -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..24)
        .map(|_| char::from(b"abcdefghijkmnpqrstuvwxyz23456789"[rng.gen_range(0..32)]))
        .collect()
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_ready(http: &Client, base: &str) -> anyhow::Result<()> {
    for _ in 0..300 {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    bail!("the server did not answer /readyz within 60 s")
}

/// The contributor writes in a district office, the reviewer screens for its province.
async fn grant_roles(
    http: &Client,
    base: &str,
    admin: &str,
    env: &Env<'_>,
) -> anyhow::Result<Cast> {
    let units: Value = http
        .get(format!("{base}/api/v1/units"))
        .bearer_auth(admin)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let id_of = |code: &str| {
        units
            .as_array()
            .and_then(|a| a.iter().find(|u| u["code"] == code))
            .and_then(|u| u["id"].as_i64())
            .ok_or_else(|| anyhow!("no unit {code}"))
    };
    let (district, province) = (id_of("CDD-P-24-D01")?, id_of("CDD-P-24")?);
    let users: Value = http
        .get(format!("{base}/api/v1/users?per_page=100"))
        .bearer_auth(admin)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let user_id = |name: &str| {
        users
            .as_array()
            .or_else(|| users["items"].as_array())
            .and_then(|a| a.iter().find(|u| u["username"] == name))
            .and_then(|u| u["id"].as_i64())
            .ok_or_else(|| anyhow!("no user {name} in /api/v1/users"))
    };
    for (user, role, unit) in [
        ("soak_writer", "contributor", district),
        ("soak_reviewer", "reviewer", province),
    ] {
        let id = user_id(user)?;
        http.post(format!("{base}/api/v1/users/{id}/grants"))
            .bearer_auth(admin)
            .json(&json!({"role": role, "unit_id": unit}))
            .send()
            .await?
            .error_for_status()
            .with_context(|| format!("grant {role} to {user}"))?;
    }
    Ok(Cast {
        contributor: env.token("soak_writer")?,
        reviewer: env.token("soak_reviewer")?,
        unit: district,
    })
}

fn proc_status(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
}

fn rss_kib(pid: u32) -> Option<u64> {
    proc_status(pid, "VmRSS:")
}

fn hwm_kib(pid: u32) -> Option<u64> {
    proc_status(pid, "VmHWM:")
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

fn report(stats: &Stats, elapsed: Duration, rss: [Option<u64>; 4]) {
    let mib = |k: Option<u64>| k.map_or("?".to_string(), |k| format!("{:.1}", k as f64 / 1024.0));
    println!();
    println!("| route | requests | 2xx/3xx | 4xx | 5xx | failed | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut all, mut all5, mut allf) = (0u64, 0u64, 0u64);
    for (route, r) in &stats.routes {
        let mut l = r.latencies_us.clone();
        l.sort_unstable();
        let count = |f: &dyn Fn(u16) -> bool| -> u64 {
            r.status
                .iter()
                .filter(|(s, _)| f(**s))
                .map(|(_, n)| n)
                .sum()
        };
        let ok = count(&|s| s < 400);
        let c4 = count(&|s| (400..500).contains(&s));
        let c5 = count(&|s| s >= 500);
        let n = l.len() as u64 + r.failed;
        all += n;
        all5 += c5;
        allf += r.failed;
        println!(
            "| {route} | {n} | {ok} | {c4} | {c5} | {} | {:.1} | {:.1} | {:.1} |",
            r.failed,
            percentile(&l, 50.0),
            percentile(&l, 99.0),
            l.last().copied().unwrap_or(0) as f64 / 1000.0
        );
    }
    println!();
    println!(
        "{all} requests in {:.0} s ({:.0} req/s); 5xx: {all5}; failed connections: {allf}",
        elapsed.as_secs_f64(),
        all as f64 / elapsed.as_secs_f64().max(0.001)
    );
    println!(
        "server RSS MiB: start {}, half-way {}, end {}; peak (VmHWM) {}",
        mib(rss[0]),
        mib(rss[1]),
        mib(rss[2]),
        mib(rss[3])
    );
}
