//! `khlang-bench`: fills a fresh khlang with published items (each with a small attached PDF),
//! serves it, and measures the home page, a browse page and an item page with `wrk`.
//!
//! A benchmark, not a test: figures depend on the machine and on what else runs on it, so it
//! reports medians of several rounds and never fails on a number. Command lines and measured
//! figures: `docs/bench.md`.
//!
//! ```text
//! cargo build --release -p khlang --bin khlang-bench
//! target/release/khlang-bench --data-dir /tmp/khlang-bench-sqlite
//! target/release/khlang-bench --data-dir /tmp/khlang-bench-pg \
//!     --database-url postgres://postgres@127.0.0.1:5432/khlang_bench
//! ```

use anyhow::{Context, anyhow, bail};
use axum::body::Bytes;
use clap::Parser;
use futures::StreamExt;
use khlang::{Config, Runtime};
use khlang_core::account::User;
use khlang_core::ids::{ItemId, TermId, UnitId};
use khlang_core::item::{
    Acquisition, Item, ItemFields, ItemStatus, KnowledgeType, Title, Visibility,
};
use khlang_core::org::Actor;
use khlang_core::ports::ByteStream;
use khlang_core::service::items::Browse;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The issue's targets: at least this many requests/s …
const TARGET_RPS: f64 = 3000.0;
/// … with p99 under this many milliseconds …
const TARGET_P99_MS: f64 = 20.0;
/// … and pages under this many bytes on the wire (compressed), without their files.
const TARGET_PAGE_BYTES: u64 = 100 * 1000;

/// What a browser sends (Chrome, Firefox): khlang picks brotli from it.
const BROWSER_ACCEPT: &str = "gzip, deflate, br, zstd";

#[derive(Parser)]
#[command(
    name = "khlang-bench",
    about = "Generate published items, serve them, and measure pages with wrk (needs wrk installed)"
)]
struct Args {
    /// A fresh directory for the SQLite database and the stored files.
    #[arg(long)]
    data_dir: PathBuf,
    /// `postgres://…` of an empty database, to use PostgreSQL instead of SQLite
    /// (files still go to --data-dir).
    #[arg(long)]
    database_url: Option<String>,
    /// Published items to generate, each with one small attached file.
    #[arg(long, default_value_t = 10_000)]
    items: usize,
    /// Items generated at the same time.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Measure the data already in --data-dir / --database-url instead of generating it
    /// (the directory and database need not be fresh).
    #[arg(long)]
    reuse: bool,
    /// Port to serve on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// wrk threads (-t).
    #[arg(long, default_value_t = 2)]
    threads: u32,
    /// wrk connections (-c).
    #[arg(long, default_value_t = 16)]
    connections: u32,
    /// Seconds per wrk run (-d).
    #[arg(long, default_value_t = 10)]
    duration: u32,
    /// wrk runs per page and encoding; the table shows their medians.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// What wrk asks for: `identity` (no Accept-Encoding, wrk's default), `gzip`, `br`, or
    /// `browser` ("gzip, deflate, br, zstd"). Repeat to measure several.
    #[arg(long = "encoding", default_values_t = ["identity".to_string(), "browser".to_string()])]
    encodings: Vec<String>,
    /// Measure only the three fixed pages, not also a random list page and a random item
    /// per request (which no cache can serve from one entry).
    #[arg(long)]
    fixed_only: bool,
    /// Generate the data and stop.
    #[arg(long)]
    generate_only: bool,
    /// Generate (unless --reuse), then serve until Ctrl-C without measuring — to profile or
    /// to run wrk by hand.
    #[arg(long)]
    serve_only: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let wrk = find_in_path("wrk");
    if wrk.is_none() && !args.generate_only && !args.serve_only {
        eprintln!(
            "khlang-bench: wrk is not installed. Install it and run again:\n    \
             apt-get install -y wrk      (Debian, Ubuntu)\n    \
             dnf install -y wrk          (Fedora)\n    \
             brew install wrk            (macOS)"
        );
        return ExitCode::from(2);
    }
    if let Err(e) = check_args(&args) {
        eprintln!("khlang-bench: {e}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("khlang-bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args, wrk)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("khlang-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check_args(a: &Args) -> anyhow::Result<()> {
    if a.rounds == 0 || a.duration == 0 || a.connections == 0 || a.threads == 0 {
        bail!("--rounds, --duration, --connections and --threads must be at least 1");
    }
    if a.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    for e in &a.encodings {
        accept_header(e)?;
    }
    Ok(())
}

/// The Accept-Encoding header wrk sends for an `--encoding` value.
fn accept_header(encoding: &str) -> anyhow::Result<Option<&'static str>> {
    Ok(match encoding {
        "identity" => None,
        "gzip" => Some("gzip"),
        "br" => Some("br"),
        "browser" => Some(BROWSER_ACCEPT),
        other => bail!("--encoding {other:?}: expected identity, gzip, br or browser"),
    })
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    })
}

/// The same log set-up as `khlang serve`, so each request pays what it pays in production.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .compact()
        .init();
}

async fn run(args: Args, wrk: Option<PathBuf>) -> anyhow::Result<()> {
    init_tracing();
    if !args.reuse
        && args.database_url.is_none()
        && std::fs::read_dir(&args.data_dir).is_ok_and(|mut d| d.next().is_some())
    {
        bail!(
            "{} is not empty; give a fresh directory, or --reuse to measure what is there",
            args.data_dir.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .context("cannot listen on 127.0.0.1")?;
    let addr = listener.local_addr()?;
    let config = Config {
        listen: addr.to_string(),
        data_dir: args.data_dir.clone(),
        database_url: args.database_url.clone().unwrap_or_default(),
        ..Config::default()
    };
    let db_shown = khlang_store::redact_url(&config.database_url());
    let rt = khlang::open(config).await?;
    rt.bootstrap().await?;
    println!(
        "khlang-bench: database {db_shown}, files {}",
        rt.blobs.description()
    );
    println!("machine: {} cores, {}", cores(), load_average());

    let published = count_published(&rt).await?;
    if args.reuse {
        println!("reusing {published} published items (no generation)");
    } else {
        if published > 0 {
            bail!(
                "the database already holds {published} published items; give an empty one, or --reuse"
            );
        }
        generate(&rt, &args).await?;
    }
    let published = count_published(&rt).await?;
    if published == 0 {
        bail!("no published items to measure");
    }
    println!("database size: {}", database_size(&rt).await);
    if args.generate_only {
        return Ok(());
    }

    // The item page: the item in the middle of the newest-first list.
    let middle = rt
        .core
        .browse(
            &Actor::Anonymous,
            &Browse::default(),
            (published / 2 / 20).max(1),
            20,
        )
        .await?;
    let item = middle
        .items
        .first()
        .ok_or_else(|| anyhow!("no item to show"))?
        .id;
    let mut pages = vec![
        Target::fixed("home", "/"),
        Target::fixed("browse", "/items?page=7"),
        Target::fixed("item", &format!("/items/{item}")),
    ];
    if !args.fixed_only {
        pages.extend(random_targets(&rt, &args.data_dir, published).await?);
    }

    let rt = Arc::new(rt);
    let (stop, stopped) = futures::channel::oneshot::channel::<()>();
    let server = {
        let rt = rt.clone();
        tokio::spawn(async move {
            rt.serve(listener, async {
                let _ = stopped.await;
            })
            .await
        })
    };
    println!("serving on http://{addr}");

    if args.serve_only {
        for t in &pages {
            println!("  {:<11} http://{addr}{}", t.name, t.shown);
        }
        println!("Ctrl-C to stop");
        khlang::shutdown_signal().await;
    } else {
        let wrk = wrk.ok_or_else(|| anyhow!("wrk is not installed"))?;
        let db = args
            .database_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .map(|u| u.path().trim_start_matches('/').to_string());
        measure(&args, &wrk, addr, &pages, db.as_deref()).await?;
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// A page wrk asks for: one path, or a Lua script that picks a path per request.
struct Target {
    name: &'static str,
    /// The path, or how the script picks one.
    shown: String,
    path: String,
    script: Option<PathBuf>,
}

impl Target {
    fn fixed(name: &'static str, path: &str) -> Self {
        Self {
            name,
            shown: path.to_string(),
            path: path.to_string(),
            script: None,
        }
    }
}

/// A random list page and a random item for every request: what readers spread over the
/// whole collection cost, with no two requests alike.
async fn random_targets(rt: &Runtime, dir: &Path, published: u64) -> anyhow::Result<Vec<Target>> {
    const PER_PAGE: u64 = 100;
    let pages = published.div_ceil(PER_PAGE);
    let mut ids = Vec::new();
    // Up to 20 pages of 100 spread over the list: up to 2,000 items.
    let step = (pages / 20).max(1);
    let mut page = 1;
    while page <= pages && ids.len() < 2000 {
        let list = rt
            .core
            .browse(&Actor::Anonymous, &Browse::default(), page, PER_PAGE)
            .await?;
        ids.extend(list.items.iter().map(|i| i.id.to_string()));
        page += step;
    }
    let list_pages = published.div_ceil(20);
    let seed = "function init(args)\n  math.randomseed(os.time() + math.floor(os.clock() * 1000000))\nend\n";
    let browse = format!(
        "-- khlang-bench: a random page of the published list per request\n{seed}\
         request = function()\n  return wrk.format(nil, \"/items?page=\" .. math.random(1, {list_pages}))\nend\n"
    );
    let item = format!(
        "-- khlang-bench: a random published item per request\nlocal ids = {{{}}}\n{seed}\
         request = function()\n  return wrk.format(nil, \"/items/\" .. ids[math.random(#ids)])\nend\n",
        ids.join(",")
    );
    let mut out = Vec::new();
    for (name, shown, lua) in [
        (
            "browse-any",
            format!("/items?page=1…{list_pages} (random)"),
            browse,
        ),
        (
            "item-any",
            format!("/items/… ({} items, random)", ids.len()),
            item,
        ),
    ] {
        let path = dir.join(format!("{name}.lua"));
        std::fs::write(&path, lua).with_context(|| format!("writing {}", path.display()))?;
        out.push(Target {
            name,
            shown,
            path: "/".into(),
            script: Some(path),
        });
    }
    Ok(out)
}

async fn count_published(rt: &Runtime) -> anyhow::Result<u64> {
    Ok(rt
        .core
        .browse(&Actor::Anonymous, &Browse::default(), 1, 1)
        .await?
        .total)
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| {
            let v: Vec<&str> = s.split_whitespace().take(3).collect();
            (v.len() == 3).then(|| format!("load average {} {} {}", v[0], v[1], v[2]))
        })
        .unwrap_or_else(|| "load average unknown".into())
}

async fn database_size(rt: &Runtime) -> String {
    let backend = rt.db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT pg_database_size(current_database()) AS n",
        _ => "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()",
    };
    match rt
        .db
        .query_one(Statement::from_string(backend, sql.to_string()))
        .await
    {
        Ok(Some(row)) => row
            .try_get::<i64>("", "n")
            .map(|n| format!("{:.1} MB", n as f64 / 1e6))
            .unwrap_or_else(|e| format!("unknown ({e})")),
        Ok(None) => "unknown".into(),
        Err(e) => format!("unknown ({e})"),
    }
}

// ---------------------------------------------------------------- generation

/// The demo items (seed documents) cut into pieces that are recombined into new items.
struct Corpus {
    titles: Vec<Vec<String>>,
    summaries: Vec<Vec<String>>,
    sections: Vec<String>,
    tags: Vec<String>,
    authors: Vec<String>,
    links: Vec<String>,
}

#[derive(Deserialize)]
struct DemoFile {
    item: Vec<DemoItem>,
}

#[derive(Deserialize)]
struct DemoItem {
    title: String,
    summary: String,
    body: String,
    tags: Vec<String>,
    authors: Vec<String>,
    links: Vec<String>,
}

impl Corpus {
    fn load() -> anyhow::Result<Self> {
        let file: DemoFile =
            toml::from_str(include_str!("../../../core/src/reference/demo_items.toml"))
                .context("demo_items.toml")?;
        let words = |s: &str| -> Vec<String> { s.split_whitespace().map(String::from).collect() };
        let mut c = Corpus {
            titles: vec![],
            summaries: vec![],
            sections: vec![],
            tags: vec![],
            authors: vec![],
            links: vec![],
        };
        for d in file.item {
            c.titles.push(words(&d.title));
            c.summaries.push(words(&d.summary));
            // Sections start at level-2 headings; text before the first is a section too.
            let mut current = String::new();
            for line in d.body.trim().lines() {
                if line.starts_with("## ") && !current.trim().is_empty() {
                    c.sections
                        .push(std::mem::take(&mut current).trim().to_string());
                }
                current.push_str(line);
                current.push('\n');
            }
            if !current.trim().is_empty() {
                c.sections.push(current.trim().to_string());
            }
            c.tags.extend(d.tags);
            c.authors.extend(d.authors);
            c.links.extend(d.links);
        }
        for v in [&mut c.tags, &mut c.authors, &mut c.links] {
            v.sort();
            v.dedup();
        }
        if c.titles.is_empty() || c.sections.is_empty() || c.authors.is_empty() {
            bail!("demo_items.toml has too little text to recombine");
        }
        Ok(c)
    }
}

/// SplitMix64: small, seedable, good enough to pick pieces; keeps runs reproducible.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// In `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// In `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// A run of `lo..=hi` words (at most all of them) from `words`, starting somewhere random.
fn window(rng: &mut Rng, words: &[String], lo: usize, hi: usize) -> String {
    let len = rng.between(lo, hi).clamp(1, words.len().max(1));
    let start = rng.below(words.len() - len + 1);
    words[start..start + len].join(" ")
}

fn truncate_chars(s: &str, max: usize) -> String {
    s.chars().take(max).collect::<String>().trim().to_string()
}

/// What every generated item may point at.
struct Choices {
    units: Vec<(UnitId, String)>,
    categories: Vec<TermId>,
    other_terms: Vec<TermId>,
}

fn make_fields(c: &Corpus, ch: &Choices, rng: &mut Rng, n: usize) -> anyhow::Result<ItemFields> {
    let (unit_id, unit_name) = rng.pick(&ch.units).clone();
    let head = {
        let t = rng.pick(&c.titles);
        window(rng, t, 3, 8)
    };
    let tail = {
        let t = rng.pick(&c.titles);
        window(rng, t, 1, 4)
    };
    let title = match rng.below(4) {
        0 => format!("{head} {tail} ({unit_name})"),
        1 => format!("{head} — {tail} ครั้งที่ {}", n % 97 + 1),
        2 => format!("{head} {tail} ฉบับที่ {n}"),
        _ => format!("{head} ของ{unit_name}"),
    };
    let summary = {
        let a = rng.pick(&c.summaries);
        let b = rng.pick(&c.summaries);
        let a = window(rng, a, 12, 30);
        let b = window(rng, b, 6, 20);
        format!("{a} {b}")
    };
    let sections = rng.between(2, 5);
    let body = (0..sections)
        .map(|_| rng.pick(&c.sections).as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut terms = Vec::new();
    if !ch.categories.is_empty() && rng.chance(90) {
        terms.push(*rng.pick(&ch.categories));
    }
    if !ch.other_terms.is_empty() {
        for _ in 0..rng.below(3) {
            terms.push(*rng.pick(&ch.other_terms));
        }
    }
    terms.sort_by_key(|t| t.0);
    terms.dedup();
    let mut km_steps: Vec<u8> = (0..rng.between(1, 3))
        .map(|_| rng.between(1, 7) as u8)
        .collect();
    km_steps.sort_unstable();
    km_steps.dedup();
    let mut tags: Vec<String> = (0..rng.between(2, 5))
        .map(|_| rng.pick(&c.tags).clone())
        .collect();
    tags.sort();
    tags.dedup();
    let authors = (0..rng.between(1, 2))
        .map(|_| rng.pick(&c.authors).clone())
        .collect();
    let links = if c.links.is_empty() {
        vec![]
    } else {
        (0..rng.below(3))
            .map(|_| rng.pick(&c.links).clone())
            .collect()
    };
    Ok(ItemFields {
        title: Title::parse(&truncate_chars(&title, 250)).map_err(|e| anyhow!("title: {e:?}"))?,
        summary,
        body,
        knowledge_type: *rng.pick(KnowledgeType::ALL),
        acquisition: *rng.pick(Acquisition::ALL),
        km_steps,
        terms,
        tags,
        authors,
        unit_id,
        fiscal_year: None,
        visibility: Visibility::Public,
        licence: "CC-BY-4.0".into(),
        links,
        entry: None,
    })
}

/// A small, valid-looking PDF, different for every item so each is stored as its own blob.
fn small_pdf(rng: &mut Rng, n: usize) -> Vec<u8> {
    let mut s = format!(
        "%PDF-1.4\n%khlang-bench item {n}\n\
         1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n\
         trailer << /Root 1 0 R >>\n"
    );
    for _ in 0..rng.between(4, 60) {
        s.push_str(&format!("% {:016x}{:016x}\n", rng.next(), rng.next()));
    }
    s.push_str("%%EOF\n");
    s.into_bytes()
}

async fn bench_admin(rt: &Runtime) -> anyhow::Result<User> {
    let password = format!("bench-{:016x}", Rng::new(now_nanos()).next());
    let created = rt
        .core
        .create_user_from_console("bench-admin", "ผู้ดูแลระบบทดสอบสมรรถนะ", &password, true)
        .await;
    match created {
        Ok(u) => Ok(u),
        Err(_) => {
            let id = rt.core.first_site_admin().await?;
            Ok(rt.core.store.get_user(id).await?)
        }
    }
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1)
}

async fn generate(rt: &Runtime, args: &Args) -> anyhow::Result<()> {
    let corpus = Corpus::load()?;
    let admin = bench_admin(rt).await?;
    let actor = rt.core.actor_for(&admin).await?;
    let tree = rt.core.unit_tree().await?;
    let vocab = rt.core.vocabulary().await?;
    let category = vocab.taxonomies.iter().find(|t| t.key == "category");
    let choices = Choices {
        units: tree
            .units()
            .iter()
            .filter(|u| !u.retired)
            .map(|u| (u.id, u.name_th.as_str().to_string()))
            .collect(),
        categories: category
            .map(|tx| vocab.terms_of(tx.id).map(|t| t.id).collect())
            .unwrap_or_default(),
        other_terms: vocab
            .terms
            .iter()
            .filter(|t| Some(t.taxonomy_id) != category.map(|c| c.id) && !t.retired)
            .map(|t| t.id)
            .collect(),
    };
    if choices.units.is_empty() {
        bail!("no units: bootstrap did not load the reference units");
    }
    let limit = rt.config.upload_limit_bytes();
    let admin_id = admin.id;
    let done = AtomicUsize::new(0);
    let started = Instant::now();
    println!(
        "generating {} published items with one attached file each ({} at a time)…",
        args.items, args.concurrency
    );
    let results = futures::stream::iter(0..args.items)
        .map(|n| {
            let (corpus, choices, actor, done) = (&corpus, &choices, &actor, &done);
            async move {
                let mut rng = Rng::new(0x6B68_6C61_6E67 ^ (n as u64).wrapping_mul(0x2545_F491));
                let fields = make_fields(corpus, choices, &mut rng, n + 1)?;
                // Spread over fiscal years 2560–2568 (October 2016 – September 2025).
                let fy = rng.between(2560, 2568) as i32;
                let start = time::Date::from_calendar_date(fy - 543 - 1, time::Month::October, 1)?;
                let published = time::PrimitiveDateTime::new(
                    start + time::Duration::days(rng.below(365) as i64),
                    time::Time::from_hms(8 + rng.below(9) as u8, rng.below(60) as u8, 0)?,
                )
                .assume_offset(khlang_core::text::BANGKOK);
                let created = published - time::Duration::days(rng.between(1, 60) as i64);
                let mut fields = fields;
                if rng.chance(50) {
                    fields.fiscal_year = Some(fy);
                }
                let item = Item {
                    id: ItemId(0),
                    fields,
                    status: ItemStatus::Published,
                    created_by: admin_id,
                    created_at: created,
                    updated_by: admin_id,
                    updated_at: published,
                    published_at: Some(published),
                    version: 1,
                };
                let id = rt.core.knowledge.insert_item(&item, "khlang-bench").await?;
                let pdf = Bytes::from(small_pdf(&mut rng, n + 1));
                let body: ByteStream = futures::stream::once(async move { Ok(pdf) }).boxed();
                rt.core
                    .attach_file(
                        actor,
                        id,
                        &format!("เอกสารประกอบ-{}.pdf", n + 1),
                        body,
                        limit,
                    )
                    .await
                    .map_err(|e| anyhow!("attaching a file to item {id}: {e} ({e:?})"))?;
                let k = done.fetch_add(1, Ordering::Relaxed) + 1;
                if k % 1000 == 0 {
                    let s = started.elapsed().as_secs_f64();
                    eprintln!("  {k} items, {:.0} items/s", k as f64 / s);
                }
                anyhow::Ok(())
            }
        })
        .buffer_unordered(args.concurrency)
        .collect::<Vec<_>>()
        .await;
    for r in results {
        r?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "generated {} items and {} files in {secs:.1} s: {:.0} items/s (insert_item + attach_file; {} at a time)",
        args.items,
        args.items,
        args.items as f64 / secs,
        args.concurrency
    );
    Ok(())
}

// ---------------------------------------------------------------- measuring

#[derive(Debug, Clone, Copy)]
struct WrkRun {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Non-2xx/3xx responses plus socket errors.
    errors: u64,
    /// CPU time this process (the server) spent per request, in microseconds.
    server_us: f64,
    /// CPU time wrk spent per request, in microseconds.
    wrk_us: f64,
    /// CPU time PostgreSQL's backends for this database spent per request (0 on SQLite, whose
    /// work is in the server's own figure).
    db_us: f64,
}

/// CPU seconds used so far by this process, and by its finished children (wrk).
fn cpu_seconds() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let t = stat_times(&stat);
    (t[0] + t[1], t[2] + t[3])
}

/// utime, stime, cutime, cstime in seconds from a `/proc/<pid>/stat` line (fields 14–17,
/// counted in USER_HZ, which Linux fixes at 100).
fn stat_times(stat: &str) -> [f64; 4] {
    // Fields are counted after the command name, which may itself hold spaces.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    let tick = |i: usize| f.get(i).copied().unwrap_or(0.0) / 100.0;
    [tick(11), tick(12), tick(13), tick(14)]
}

/// CPU seconds used so far by each PostgreSQL backend of database `db`, found by its process
/// title ("postgres: 15/main: postgres khlang_bench 127.0.0.1(41234) idle").
fn db_cpu_seconds(db: Option<&str>) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    let (Some(db), Ok(procs)) = (db, std::fs::read_dir("/proc")) else {
        return out;
    };
    for p in procs.flatten().map(|e| e.path()) {
        let Ok(cmd) = std::fs::read(p.join("cmdline")) else {
            continue;
        };
        let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
        if cmd.starts_with("postgres: ") && cmd.split_whitespace().take(6).any(|w| w == db) {
            let t = stat_times(&std::fs::read_to_string(p.join("stat")).unwrap_or_default());
            let pid = p.file_name().map(|n| n.to_string_lossy().to_string());
            out.insert(pid.unwrap_or_default(), t[0] + t[1]);
        }
    }
    out
}

/// CPU the backends used between two snapshots. A backend that exited in between is lost
/// (its figures go with it), so this can only undercount.
fn db_cpu_used(before: &HashMap<String, f64>, after: &HashMap<String, f64>) -> f64 {
    after
        .iter()
        .map(|(pid, t)| t - before.get(pid).copied().unwrap_or(0.0))
        .sum()
}

async fn wrk_run(
    wrk: &Path,
    args: &Args,
    url: String,
    script: Option<&Path>,
    accept: Option<&'static str>,
    secs: u32,
    db: Option<&str>,
) -> anyhow::Result<WrkRun> {
    let mut cmd = std::process::Command::new(wrk);
    cmd.arg(format!("-t{}", args.threads))
        .arg(format!("-c{}", args.connections))
        .arg(format!("-d{secs}s"))
        .arg("--latency");
    if let Some(a) = accept {
        cmd.arg("-H").arg(format!("Accept-Encoding: {a}"));
    }
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    cmd.arg(&url);
    let (before, db_before) = (cpu_seconds(), db_cpu_seconds(db));
    let out = tokio::task::spawn_blocking(move || cmd.output()).await??;
    let (after, db_after) = (cpu_seconds(), db_cpu_seconds(db));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!(
            "wrk failed ({}): {}{}",
            out.status,
            text,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut run = parse_wrk(&text).with_context(|| format!("cannot read wrk's output:\n{text}"))?;
    let requests = (run.rps * secs as f64).max(1.0);
    run.server_us = (after.0 - before.0) * 1e6 / requests;
    run.wrk_us = (after.1 - before.1) * 1e6 / requests;
    run.db_us = db_cpu_used(&db_before, &db_after) * 1e6 / requests;
    Ok(run)
}

fn parse_wrk(text: &str) -> anyhow::Result<WrkRun> {
    let mut rps = None;
    let (mut p50, mut p99) = (None, None);
    let mut errors = 0u64;
    for line in text.lines().map(str::trim) {
        let mut parts = line.split_whitespace();
        match (parts.next(), parts.next()) {
            (Some("Requests/sec:"), Some(v)) => rps = v.parse::<f64>().ok(),
            (Some("50%"), Some(v)) => p50 = latency_ms(v),
            (Some("99%"), Some(v)) => p99 = latency_ms(v),
            _ => {}
        }
        if let Some(n) = line.strip_prefix("Non-2xx or 3xx responses:") {
            errors += n.trim().parse::<u64>().unwrap_or(0);
        }
        if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            errors += rest
                .split(',')
                .filter_map(|p| p.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Ok(WrkRun {
        rps: rps.ok_or_else(|| anyhow!("no Requests/sec line"))?,
        p50_ms: p50.ok_or_else(|| anyhow!("no 50% line"))?,
        p99_ms: p99.ok_or_else(|| anyhow!("no 99% line"))?,
        errors,
        server_us: 0.0,
        wrk_us: 0.0,
        db_us: 0.0,
    })
}

/// wrk's `812.00us`, `4.20ms`, `1.05s`, `2.00m` in milliseconds.
fn latency_ms(v: &str) -> Option<f64> {
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (n, unit) = v.split_at(split);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        "h" => n * 3_600_000.0,
        _ => return None,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// One response as it crossed the wire.
struct Fetched {
    status: u16,
    encoding: String,
    /// Body bytes on the wire (after undoing chunked framing, before decompressing).
    body: Vec<u8>,
}

/// A bare HTTP/1.1 GET, so the size is what was sent (no client-side decompression).
async fn fetch(addr: SocketAddr, path: &str, accept: Option<&str>) -> anyhow::Result<Fetched> {
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(a) = accept {
        req.push_str(&format!("Accept-Encoding: {a}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| anyhow!("GET {path}: no end of headers"))?;
    let head = std::str::from_utf8(&buf[..end])?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("GET {path}: no status line"))?;
    let mut encoding = "identity".to_string();
    let mut chunked = false;
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-encoding" => encoding = v.trim().to_string(),
                "transfer-encoding" => chunked = v.to_ascii_lowercase().contains("chunked"),
                _ => {}
            }
        }
    }
    let raw = &buf[end + 4..];
    let body = if chunked { dechunk(raw)? } else { raw.to_vec() };
    Ok(Fetched {
        status,
        encoding,
        body,
    })
}

fn dechunk(mut raw: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| anyhow!("bad chunk"))?;
        let size_text = std::str::from_utf8(&raw[..eol])?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if raw.len() < size + 2 {
            bail!("truncated chunk");
        }
        out.extend_from_slice(&raw[..size]);
        raw = &raw[size + 2..];
    }
}

/// `/static/…` files a first visit loads: the page's stylesheets and scripts, and the fonts
/// their stylesheets name.
async fn assets_of(addr: SocketAddr, html: &str) -> anyhow::Result<Vec<String>> {
    let mut found = refs(html, &["href=\"/static/", "src=\"/static/"], '"');
    let mut i = 0;
    while i < found.len() {
        if found[i].ends_with(".css") {
            let css = fetch(addr, &found[i], None).await?;
            for f in refs(&String::from_utf8_lossy(&css.body), &["url(/static/"], ')') {
                if !found.contains(&f) {
                    found.push(f);
                }
            }
        }
        i += 1;
    }
    Ok(found)
}

/// Paths that follow any of `starts` (which end in `/static/`) up to `end`.
fn refs(text: &str, starts: &[&str], end: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for start in starts {
        let prefix_len = start.len() - "/static/".len();
        for (at, _) in text.match_indices(start) {
            let rest = &text[at + prefix_len..];
            if let Some(stop) = rest.find(end) {
                let path = rest[..stop].to_string();
                if !out.contains(&path) {
                    out.push(path);
                }
            }
        }
    }
    out
}

struct Sizes {
    identity: u64,
    gzip: u64,
    br: u64,
    /// The page plus its stylesheets, scripts and fonts, as a browser gets them.
    first_visit: u64,
    assets: usize,
}

async fn page_sizes(addr: SocketAddr, path: &str) -> anyhow::Result<Sizes> {
    let plain = fetch(addr, path, None).await?;
    if plain.status != 200 {
        bail!("GET {path} answered {}", plain.status);
    }
    let gzip = fetch(addr, path, Some("gzip")).await?;
    let br = fetch(addr, path, Some("br")).await?;
    for (f, want) in [(&gzip, "gzip"), (&br, "br")] {
        if f.encoding != want {
            bail!(
                "GET {path} with Accept-Encoding: {want} came back as {}",
                f.encoding
            );
        }
    }
    let browser = fetch(addr, path, Some(BROWSER_ACCEPT)).await?;
    let assets = assets_of(addr, &String::from_utf8_lossy(&plain.body)).await?;
    let mut first_visit = browser.body.len() as u64;
    for a in &assets {
        let f = fetch(addr, a, Some(BROWSER_ACCEPT)).await?;
        if f.status != 200 {
            bail!("GET {a} answered {}", f.status);
        }
        first_visit += f.body.len() as u64;
    }
    Ok(Sizes {
        identity: plain.body.len() as u64,
        gzip: gzip.body.len() as u64,
        br: br.body.len() as u64,
        first_visit,
        assets: assets.len(),
    })
}

fn kb(n: u64) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

async fn measure(
    args: &Args,
    wrk: &Path,
    addr: SocketAddr,
    pages: &[Target],
    db: Option<&str>,
) -> anyhow::Result<()> {
    println!("\npage sizes (body bytes on the wire; KB = 1000 bytes):");
    let fixed: Vec<&Target> = pages.iter().filter(|t| t.script.is_none()).collect();
    let mut sizes = Vec::new();
    for t in &fixed {
        sizes.push(page_sizes(addr, &t.path).await?);
    }
    println!(
        "| page | path | identity | gzip | br | first visit (br + {} assets) | < 100 KB |",
        sizes.first().map(|s| s.assets).unwrap_or(0)
    );
    println!("|---|---|---:|---:|---:|---:|---|");
    for (t, s) in fixed.iter().zip(&sizes) {
        println!(
            "| {} | `{}` | {} | {} | {} | {} | {} |",
            t.name,
            t.shown,
            kb(s.identity),
            kb(s.gzip),
            kb(s.br),
            kb(s.first_visit),
            if s.gzip.max(s.br) < TARGET_PAGE_BYTES {
                "yes"
            } else {
                "**no**"
            }
        );
    }

    let url = |path: &str| format!("http://{addr}{path}");
    println!(
        "\nwarming up ({}s per page)…",
        args.duration.min(3) // short: caches and connection pools, not a measurement
    );
    for t in pages {
        let script = t.script.as_deref();
        wrk_run(
            wrk,
            args,
            url(&t.path),
            script,
            None,
            args.duration.min(3),
            db,
        )
        .await?;
    }

    let mut tables = Vec::new();
    for enc in &args.encodings {
        let accept = accept_header(enc)?;
        let mut runs: Vec<Vec<WrkRun>> = vec![Vec::new(); pages.len()];
        for round in 1..=args.rounds {
            // Pages take turns within a round so a burst of outside load hits all of them.
            for (i, t) in pages.iter().enumerate() {
                let script = t.script.as_deref();
                let r = wrk_run(wrk, args, url(&t.path), script, accept, args.duration, db).await?;
                eprintln!(
                    "  {enc:<8} round {round}/{} {:<10} {:>6.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  server {:>5.0} µs/req{}  wrk {:>4.0} µs/req{}  ({})",
                    args.rounds,
                    t.name,
                    r.rps,
                    r.p50_ms,
                    r.p99_ms,
                    r.server_us,
                    if db.is_some() {
                        format!("  database {:>5.0} µs/req", r.db_us)
                    } else {
                        String::new()
                    },
                    r.wrk_us,
                    if r.errors > 0 {
                        format!("  {} errors", r.errors)
                    } else {
                        String::new()
                    },
                    load_average()
                );
                runs[i].push(r);
            }
        }
        tables.push((accept, runs));
    }

    println!(
        "\nwrk -t{} -c{} -d{}s --latency, {} rounds; medians (min–max); {} cores shared by server and wrk",
        args.threads,
        args.connections,
        args.duration,
        args.rounds,
        cores()
    );
    println!(
        "target: ≥ {TARGET_RPS:.0} req/s and p99 < {TARGET_P99_MS:.0} ms per page; {}",
        load_average()
    );
    println!(
        "CPU-bound req/s = {} cores ÷ (server + database + wrk CPU per request): what the machine \
         could serve with nothing else running",
        cores()
    );
    for (accept, runs) in &tables {
        println!(
            "\nAccept-Encoding: {}",
            accept.map_or("(none: wrk's default)".to_string(), |a| a.to_string())
        );
        println!(
            "| page | path | req/s | p50 ms | p99 ms | errors | server CPU µs/req | database CPU µs/req | wrk CPU µs/req | CPU-bound req/s | target |"
        );
        println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (t, rs) in pages.iter().zip(runs) {
            let rps: Vec<f64> = rs.iter().map(|r| r.rps).collect();
            let p99: Vec<f64> = rs.iter().map(|r| r.p99_ms).collect();
            let p50: Vec<f64> = rs.iter().map(|r| r.p50_ms).collect();
            let errors: u64 = rs.iter().map(|r| r.errors).sum();
            let range = |v: &[f64], digits: usize| {
                let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
                let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                format!("{lo:.digits$}–{hi:.digits$}")
            };
            let (m_rps, m_p99) = (median(rps.clone()), median(p99.clone()));
            let server = median(rs.iter().map(|r| r.server_us).collect());
            let client = median(rs.iter().map(|r| r.wrk_us).collect());
            let database = median(rs.iter().map(|r| r.db_us).collect());
            // What the cores could serve if the server, database and wrk had them to themselves.
            let ceiling = cores() as f64 * 1e6 / (server + database + client);
            let ok = m_rps >= TARGET_RPS && m_p99 < TARGET_P99_MS && errors == 0;
            println!(
                "| {} | `{}` | {m_rps:.0} ({}) | {:.2} | {m_p99:.2} ({}) | {errors} | {server:.0} | {} | {client:.0} | {ceiling:.0} | {} |",
                t.name,
                t.shown,
                range(&rps, 0),
                median(p50),
                range(&p99, 2),
                if db.is_some() {
                    format!("{database:.0}")
                } else {
                    "(in server)".to_string()
                },
                if ok { "met" } else { "**missed**" }
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WRK: &str = "Running 10s test @ http://127.0.0.1:8080/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.12ms    2.01ms  30.00ms   80.00%
    Req/Sec     1.60k   200.00     2.00k    70.00%
  Latency Distribution
     50%  812.00us
     75%    6.00ms
     90%    7.50ms
     99%    1.20s
  32000 requests in 10.00s, 1.50GB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 5
Requests/sec:   3200.50
Transfer/sec:    150.00MB
";

    #[test]
    fn reads_wrk_output() {
        let r = parse_wrk(WRK).unwrap();
        assert_eq!(r.rps, 3200.5);
        assert_eq!(r.p50_ms, 0.812);
        assert_eq!(r.p99_ms, 1200.0);
        assert_eq!(r.errors, 10);
        assert!(parse_wrk("nothing").is_err());
    }

    #[test]
    fn reads_proc_stat() {
        let line = "1234 (tokio (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 7 3 20 0";
        assert_eq!(stat_times(line), [2.5, 0.5, 0.07, 0.03]);
        assert_eq!(stat_times(""), [0.0; 4]);
    }

    #[test]
    fn database_cpu_counts_each_backend_once() {
        let before: HashMap<String, f64> = [("1".into(), 2.0), ("2".into(), 5.0)].into();
        let after: HashMap<String, f64> = [("1".into(), 3.5), ("3".into(), 0.5)].into();
        // Backend 2 exited (lost), 3 is new (all of it counts).
        assert_eq!(db_cpu_used(&before, &after), 2.0);
    }

    #[test]
    fn medians_and_chunks() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0]), 2.5);
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert!(dechunk(b"9\r\nabc\r\n").is_err());
    }

    #[test]
    fn finds_static_references() {
        let html = r#"<link href="/static/a.css"><script src="/static/h.js"></script><a href="/static/a.css">"#;
        assert_eq!(
            refs(html, &["href=\"/static/", "src=\"/static/"], '"'),
            vec!["/static/a.css", "/static/h.js"]
        );
        assert_eq!(
            refs(
                "src:url(/static/fonts/x.woff2) format",
                &["url(/static/"],
                ')'
            ),
            vec!["/static/fonts/x.woff2"]
        );
    }

    #[test]
    fn generated_items_are_valid() {
        let c = Corpus::load().unwrap();
        let ch = Choices {
            units: vec![(UnitId(1), "กองสนับสนุนสุขภาพภาคประชาชน".into())],
            categories: vec![TermId(1), TermId(2)],
            other_terms: vec![TermId(9)],
        };
        for n in 0..200 {
            let mut rng = Rng::new(n);
            let f = make_fields(&c, &ch, &mut rng, n as usize).unwrap();
            assert!(!f.summary.is_empty() && f.body.len() > 200);
            assert!(f.km_steps.iter().all(|s| (1..=7).contains(s)));
            let pdf = small_pdf(&mut rng, n as usize);
            assert!(pdf.starts_with(b"%PDF-") && pdf.len() < 4096);
        }
    }
}
