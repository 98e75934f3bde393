//! Search quality and speed, measured on the real core (not a test: figures, not assertions).
//!
//! `khlang-search-bench quality` indexes the Thai test collection of `khlang-searcheval`
//! (passages cut from the seeds, 70 judged queries, and 40 held-out queries over the same
//! passages that the ranker was never tuned on) and prints nDCG@10, Recall@10 and MRR for
//! khlang's search and for the baselines: substring matching (what WordPress does), BM25 over
//! newmm words, and BM25 over character 3-grams.
//!
//! `khlang-search-bench speed --items 10000` generates items from recombined seed passages,
//! reports indexing throughput (items/s), then query latency p50/p95 for 50 mixed queries.
//!
//! `khlang-search-bench page` publishes 125 of the collection's passages, serves khlang and
//! drives `/search` with `wrk -t2 -c16` (the collection's queries in rotation, one per
//! request), printing the medians of 3 rounds' req/s and p99 beside the load average.
//!
//! All take `--database-url postgres://…` to run on PostgreSQL instead of a fresh SQLite file.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use khlang::{Config, Runtime};
use khlang_core::ids::{ItemId, UserId};
use khlang_core::item::{Acquisition, ItemFields, KnowledgeType, Title, Visibility};
use khlang_core::org::Actor;
use khlang_core::service::search::SearchRequest;
use khlang_core::text::Segmenter;
use khlang_searcheval::{
    Bm25Trigrams, Bm25Words, Collection, Ranker, Substring, WordAnalysis, evaluate,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Measure khlang's Thai search: quality on the judged collection, and speed")]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// A fresh directory for the SQLite database and files (a temporary one if not given).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// `postgres://…` of an empty database, to use PostgreSQL instead of SQLite.
    #[arg(long, global = true)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// nDCG@10, Recall@10 and MRR of khlang and the baselines on the judged collection.
    Quality {
        /// Also list every query with khlang's top 5.
        #[arg(long)]
        verbose: bool,
        /// Also run on SQLite when --database-url is given, and report how far the two
        /// backends' top 10 agree.
        #[arg(long)]
        compare: bool,
    },
    /// The /search page served over HTTP on passages cut from the seeds, driven by wrk with
    /// the collection's queries in rotation: req/s and p99, medians of the rounds.
    Page {
        /// Passages of the collection to publish (the corpus: 125).
        #[arg(long, default_value_t = 125)]
        passages: usize,
        /// wrk connections (-c); repeat to measure several.
        #[arg(long = "connections", default_values_t = [16])]
        connections: Vec<u32>,
        /// wrk threads (-t).
        #[arg(long, default_value_t = 2)]
        threads: u32,
        /// Seconds per wrk run.
        #[arg(long, default_value_t = 10)]
        duration: u32,
        #[arg(long, default_value_t = 3)]
        rounds: usize,
        /// Search without remembered answers: every request segments, queries and cuts
        /// snippets.
        #[arg(long)]
        no_answers: bool,
    },
    /// Indexing throughput and query latency on generated items.
    Speed {
        #[arg(long, default_value_t = 10_000)]
        items: usize,
        /// Times each of the 50 queries is run (latencies are over all runs).
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Also time a full re-index of every item (what a dictionary change starts).
        #[arg(long)]
        reindex: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // `RUST_LOG=khlang_core=debug` shows where each search spends its time.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(args))
}

async fn open(args: &Args) -> anyhow::Result<(Runtime, Option<tempdir::Dir>)> {
    let (dir, temp) = match &args.data_dir {
        Some(d) => {
            // `speed` tops up an earlier run's items; `quality` needs a fresh index.
            if args.database_url.is_none()
                && matches!(args.command, Command::Quality { .. })
                && std::fs::read_dir(d).is_ok_and(|mut e| e.next().is_some())
            {
                bail!("{} is not empty; give a fresh directory", d.display());
            }
            (d.clone(), None)
        }
        None => {
            let t = tempdir::Dir::new()?;
            (t.path.clone(), Some(t))
        }
    };
    let config = Config {
        data_dir: dir,
        database_url: args.database_url.clone().unwrap_or_default(),
        ..Config::default()
    };
    let rt = khlang::open(config).await?;
    rt.bootstrap().await?;
    Ok((rt, temp))
}

/// A throwaway directory removed on drop (no extra dependency for one bench).
mod tempdir {
    pub struct Dir {
        pub path: std::path::PathBuf,
    }
    impl Dir {
        pub fn new() -> std::io::Result<Dir> {
            let path = std::env::temp_dir().join(format!(
                "khlang-search-bench-{}-{}",
                std::process::id(),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or(0)
            ));
            std::fs::create_dir_all(&path)?;
            Ok(Dir { path })
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let (rt, _temp) = open(&args).await?;
    let backend = if args.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let admin_id = admin(&rt).await?;
    match args.command {
        Command::Quality { verbose, compare } => {
            let here = quality(&rt, admin_id, backend, verbose).await?;
            if compare && args.database_url.is_some() {
                let sqlite_args = Args {
                    command: Command::Quality {
                        verbose,
                        compare: false,
                    },
                    data_dir: None,
                    database_url: None,
                };
                let (lite, _t) = open(&sqlite_args).await?;
                let lite_admin = admin(&lite).await?;
                let there = quality(&lite, lite_admin, "SQLite", verbose).await?;
                overlap(&here, &there);
            }
            Ok(())
        }
        Command::Speed {
            items,
            rounds,
            reindex,
        } => speed(&rt, admin_id, backend, items, rounds, reindex).await,
        Command::Page {
            passages,
            connections,
            threads,
            duration,
            rounds,
            no_answers,
        } => {
            let wrk = Wrk {
                connections,
                threads,
                duration,
                rounds,
            };
            page(rt, admin_id, backend, passages, wrk, no_answers).await
        }
    }
}

/// How far two backends agree: the share of each query's top 10 found in the other's.
fn overlap(a: &HashMap<String, Vec<String>>, b: &HashMap<String, Vec<String>>) {
    let mut shares = Vec::new();
    let mut same_first = 0;
    for (q, top_a) in a {
        let top_b = b.get(q).cloned().unwrap_or_default();
        let n = top_a.len().max(top_b.len());
        if n == 0 {
            continue;
        }
        let common = top_a.iter().filter(|x| top_b.contains(x)).count();
        shares.push(common as f64 / n as f64);
        same_first += usize::from(top_a.first() == top_b.first());
    }
    let mean = shares.iter().sum::<f64>() / shares.len().max(1) as f64;
    println!(
        "top-10 overlap PostgreSQL vs SQLite over {} queries: mean {:.1}%, same first result in {}",
        shares.len(),
        mean * 100.0,
        same_first
    );
}

async fn admin(rt: &Runtime) -> anyhow::Result<UserId> {
    match rt
        .core
        .create_user_from_console(
            "search-bench",
            "ผู้ทดสอบการค้นหา",
            "search-bench-password-1",
            true,
        )
        .await
    {
        Ok(u) => Ok(u.id),
        Err(_) => Ok(rt.core.first_site_admin().await?),
    }
}

fn fields(
    rt_unit: khlang_core::ids::UnitId,
    title: &str,
    summary: &str,
    body: &str,
    year: Option<i32>,
) -> anyhow::Result<ItemFields> {
    Ok(ItemFields {
        title: Title::parse(title).map_err(|e| anyhow::anyhow!("title {title:?}: {e}"))?,
        summary: summary.to_string(),
        body: body.to_string(),
        knowledge_type: KnowledgeType::Explicit,
        acquisition: Acquisition::Collect,
        km_steps: vec![],
        terms: vec![],
        tags: vec![],
        authors: vec![],
        unit_id: rt_unit,
        fiscal_year: year,
        visibility: Visibility::Public,
        licence: "CC-BY-4.0".into(),
        links: vec![],
        entry: None,
    })
}

async fn some_unit(rt: &Runtime) -> anyhow::Result<khlang_core::ids::UnitId> {
    let tree = rt.core.unit_tree().await?;
    tree.units()
        .first()
        .map(|u| u.id)
        .context("no units: bootstrap did not load the reference units")
}

/// Answers from khlang, asked beforehand (the core is async, the evaluator is not).
struct Precomputed {
    name: String,
    answers: HashMap<String, Vec<String>>,
}

impl Ranker for Precomputed {
    fn name(&self) -> &str {
        &self.name
    }
    fn rank(&mut self, query: &str, k: usize) -> Vec<String> {
        let mut v = self.answers.get(query).cloned().unwrap_or_default();
        v.truncate(k);
        v
    }
}

/// Prints the reports for the tuned collection and for the held-out queries (the same
/// passages); returns khlang's top 10 per query of both (for the backend comparison).
async fn quality(
    rt: &Runtime,
    admin: UserId,
    backend: &str,
    verbose: bool,
) -> anyhow::Result<HashMap<String, Vec<String>>> {
    let tuned = Collection::embedded();
    let unit = some_unit(rt).await?;
    let mut passage_of: HashMap<ItemId, String> = HashMap::new();
    let at = time::OffsetDateTime::now_utc();
    for p in &tuned.passages {
        let year = p.year.map(|y| y as i32);
        let f = fields(
            unit,
            &p.title,
            p.summary.as_deref().unwrap_or(""),
            &p.body,
            year,
        )?;
        let id = rt
            .core
            .import_published(admin, f, at, "search-bench")
            .await?;
        passage_of.insert(id, p.id.clone());
    }
    let mut all_answers = HashMap::new();
    let segmenter = Arc::new(Segmenter::new());
    for (set, collection) in [
        ("tuned: the queries khlang was tuned on", tuned),
        (
            "held out: queries written and judged before khlang ran on them, never tuned on",
            Collection::held_out(),
        ),
    ] {
        let mut answers = HashMap::new();
        for q in &collection.queries {
            let r = rt
                .core
                .search(
                    &Actor::Anonymous,
                    &SearchRequest {
                        q: q.text.clone(),
                        page: 1,
                        per_page: 10,
                        ..SearchRequest::default()
                    },
                )
                .await?;
            let ids: Vec<String> = r
                .hits
                .iter()
                .filter_map(|h| passage_of.get(&h.id).cloned())
                .collect();
            if verbose {
                println!(
                    "{:>4} {:<40} {}",
                    q.id,
                    q.text,
                    ids.iter().take(5).cloned().collect::<Vec<_>>().join(" ")
                );
            }
            answers.insert(q.text.clone(), ids);
        }
        let judged: usize = collection.queries.iter().map(|q| q.judgments.len()).sum();
        println!(
            "\n## {set}\ncollection: {} passages, {} queries, {} judgments; khlang on {backend}\n",
            collection.passages.len(),
            collection.queries.len(),
            judged
        );
        let mut rankers: Vec<Box<dyn Ranker>> = vec![
            Box::new(Precomputed {
                name: format!("khlang ({backend})"),
                answers: answers.clone(),
            }),
            Box::new(Substring::new(&collection)),
            Box::new(Bm25Words::new(
                &collection,
                Arc::clone(&segmenter),
                WordAnalysis::Raw,
            )),
            Box::new(Bm25Words::new(
                &collection,
                Arc::clone(&segmenter),
                WordAnalysis::Normalized,
            )),
            Box::new(Bm25Trigrams::new(&collection)),
        ];
        let mut summary = Vec::new();
        for r in &mut rankers {
            let report = evaluate(&collection, r.as_mut());
            summary.push((report.ranker.clone(), report.overall));
            println!("{report}");
        }
        println!("| ranker | nDCG@10 | Recall@10 | MRR | queries with no result |");
        println!("|---|---:|---:|---:|---:|");
        for (name, s) in summary {
            println!(
                "| {name} | {:.3} | {:.3} | {:.3} | {} of {} |",
                s.ndcg, s.recall, s.mrr, s.zero_results, s.queries
            );
        }
        all_answers.extend(answers);
    }
    Ok(all_answers)
}

/// A tiny deterministic generator (xorshift), so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

async fn speed(
    rt: &Runtime,
    admin: UserId,
    backend: &str,
    items: usize,
    rounds: usize,
    reindex: bool,
) -> anyhow::Result<()> {
    let collection = Collection::embedded();
    let unit = some_unit(rt).await?;
    // Sentences of every passage, recombined: new items with the seeds' own vocabulary.
    let sentences: Vec<&str> = collection
        .passages
        .iter()
        .flat_map(|p| p.body.split(['\n', ' ']).filter(|s| s.chars().count() > 8))
        .collect();
    let titles: Vec<&str> = collection
        .passages
        .iter()
        .map(|p| p.title.as_str())
        .collect();
    let mut rng = Rng(0x6B68_6C61_6E67);
    let at = time::OffsetDateTime::now_utc();
    println!(
        "khlang search bench on {backend}: generating {items} items from recombined seed text…"
    );
    let already = rt.core.indexed_count().await? as usize;
    if already > 0 {
        println!("{already} items already indexed in this data directory: adding the rest");
    }
    let started = Instant::now();
    let mut chars = 0usize;
    for n in 0..items {
        let title = format!("{} ({})", titles[rng.below(titles.len())], n + 1);
        let mut body = String::new();
        for _ in 0..(16 + rng.below(48)) {
            body.push_str(sentences[rng.below(sentences.len())]);
            body.push(if rng.below(4) == 0 { '\n' } else { ' ' });
        }
        let summary: String = body.chars().take(160).collect();
        chars += body.chars().count();
        let year = Some(2560 + rng.below(9) as i32);
        if n < already {
            continue;
        }
        let f = fields(unit, &title, &summary, &body, year)?;
        rt.core
            .import_published(admin, f, at, "search-bench")
            .await?;
        if (n + 1) % 1000 == 0 {
            eprintln!(
                "  {} items, {:.0} items/s",
                n + 1,
                (n + 1 - already) as f64 / started.elapsed().as_secs_f64()
            );
        }
    }
    let added = items.saturating_sub(already);
    if added > 0 {
        let secs = started.elapsed().as_secs_f64();
        println!(
            "imported {added} items (mean {} characters of body) in {secs:.1} s: {:.0} items/s \
             (each its own transaction: item, version, segmenting, index entry)",
            chars / items.max(1),
            added as f64 / secs
        );
    }
    if reindex {
        let started = Instant::now();
        let n = rt.core.reindex_all().await?;
        let secs = started.elapsed().as_secs_f64();
        println!(
            "re-indexed {n} items in {secs:.1} s: {:.0} items/s (read, segment, write the entry)",
            n as f64 / secs
        );
    }
    // Each query runs several times: remembered answers would time only the first.
    rt.core.remember_answers(false);
    // 50 mixed queries: the collection's 70 kinds of query, first 50.
    let queries: Vec<&str> = collection
        .queries
        .iter()
        .map(|q| q.text.as_str())
        .take(50)
        .collect();
    let mut latencies: Vec<f64> = Vec::new();
    let mut by_query: Vec<(f64, &str, usize)> = Vec::new();
    // One untimed pass to warm caches (segmenter, SQLite pages).
    for q in &queries {
        search_once(rt, q).await?;
    }
    for _ in 0..rounds {
        for q in &queries {
            let t = Instant::now();
            let total = search_once(rt, q).await?;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            latencies.push(ms);
            by_query.push((ms, q, total));
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "query latency over {} searches (50 queries × {rounds}): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        latencies.len(),
        pct(0.50),
        pct(0.95),
        latencies.last().copied().unwrap_or(0.0)
    );
    by_query.sort_by(|a, b| b.0.total_cmp(&a.0));
    by_query.dedup_by(|a, b| a.1 == b.1);
    println!("slowest queries:");
    for (ms, q, total) in by_query.iter().take(5) {
        println!("  {ms:>7.1} ms  {total:>6} results  {q}");
    }
    Ok(())
}

async fn search_once(rt: &Runtime, q: &str) -> anyhow::Result<usize> {
    let r = rt
        .core
        .search(
            &Actor::Anonymous,
            &SearchRequest {
                q: q.to_string(),
                page: 1,
                per_page: 10,
                ..SearchRequest::default()
            },
        )
        .await?;
    Ok(r.total)
}

/// How wrk is run by `page`.
struct Wrk {
    connections: Vec<u32>,
    threads: u32,
    duration: u32,
    rounds: usize,
}

/// Publishes `passages` of the collection, serves khlang, and drives `/search` with wrk: each
/// request the next query of the collection (a Lua script rotates through them, each wrk
/// thread from its own starting point).
async fn page(
    rt: Runtime,
    admin: UserId,
    backend: &str,
    passages: usize,
    wrk: Wrk,
    no_answers: bool,
) -> anyhow::Result<()> {
    let collection = Collection::embedded();
    let unit = some_unit(&rt).await?;
    let at = time::OffsetDateTime::now_utc();
    for p in collection.passages.iter().take(passages) {
        let f = fields(
            unit,
            &p.title,
            p.summary.as_deref().unwrap_or(""),
            &p.body,
            p.year.map(|y| y as i32),
        )?;
        rt.core
            .import_published(admin, f, at, "search-bench")
            .await?;
    }
    if no_answers {
        rt.core.remember_answers(false);
    }
    let queries: Vec<String> = collection.queries.iter().map(|q| q.text.clone()).collect();
    let paths: Vec<String> = queries
        .iter()
        .map(|q| {
            format!(
                "/search?q={}",
                url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            )
        })
        .collect();
    let script =
        std::env::temp_dir().join(format!("khlang-search-bench-{}.lua", std::process::id()));
    let list = paths
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect::<Vec<_>>()
        .join(",\n  ");
    std::fs::write(
        &script,
        format!(
            "-- khlang-search-bench: the collection's queries in rotation\n\
             local paths = {{\n  {list}\n}}\n\
             local i = 0\n\
             function init(args)\n  \
               math.randomseed(os.time() + math.floor(os.clock() * 1000000))\n  \
               i = math.random(#paths)\nend\n\
             request = function()\n  i = i % #paths + 1\n  \
               return wrk.format(nil, paths[i])\nend\n"
        ),
    )?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let rt = Arc::new(rt);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = {
        let rt = Arc::clone(&rt);
        tokio::spawn(async move {
            rt.serve(listener, async {
                let _ = stopped.await;
            })
            .await
        })
    };
    // Every query once, untimed: the segmenter is built and each answer checked.
    let mut found = 0usize;
    for p in &paths {
        let (status, body) = get(addr, p).await?;
        if status != 200 {
            bail!("GET {p} answered {status}");
        }
        found += usize::from(body.contains("/items/"));
    }
    println!(
        "khlang /search on {backend}: {} passages, {} queries in rotation ({found} with results), \
         answers {}; wrk -t{} -d{}s, {} rounds; {} cores",
        passages.min(collection.passages.len()),
        paths.len(),
        if no_answers {
            "never remembered"
        } else {
            "remembered per index generation"
        },
        wrk.threads,
        wrk.duration,
        wrk.rounds,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
    println!(
        "| connections | req/s (median) | p50 ms | p99 ms (median) | errors | load average before each round |"
    );
    println!("|---:|---:|---:|---:|---:|---|");
    for &c in &wrk.connections {
        let mut runs = Vec::new();
        let mut loads = Vec::new();
        for _ in 0..wrk.rounds {
            loads.push(load_average());
            let mut cmd = std::process::Command::new("wrk");
            cmd.arg(format!("-t{}", wrk.threads))
                .arg(format!("-c{c}"))
                .arg(format!("-d{}s", wrk.duration))
                .arg("--latency")
                .arg("-s")
                .arg(&script)
                .arg(format!("http://{addr}/"));
            let out = tokio::task::spawn_blocking(move || cmd.output())
                .await?
                .context("running wrk (apt-get install -y wrk)")?;
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            if !out.status.success() {
                bail!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
            }
            runs.push(parse_wrk(&text).with_context(|| format!("reading wrk:\n{text}"))?);
        }
        let med = |f: fn(&WrkRun) -> f64| {
            let mut v: Vec<f64> = runs.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let range = |f: fn(&WrkRun) -> f64| {
            let v: Vec<f64> = runs.iter().map(f).collect();
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(0.0, f64::max);
            format!("{lo:.1}–{hi:.1}")
        };
        println!(
            "| {c} | {:.0} ({}) | {:.1} | {:.1} ({}) | {} | {} |",
            med(|r| r.rps),
            range(|r| r.rps),
            med(|r| r.p50_ms),
            med(|r| r.p99_ms),
            range(|r| r.p99_ms),
            runs.iter().map(|r| r.errors).sum::<u64>(),
            loads.join("; ")
        );
    }
    let _ = std::fs::remove_file(&script);
    let _ = stop.send(());
    server.await??;
    Ok(())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A bare HTTP/1.1 GET (status and body), to check every query answers before measuring.
async fn get(addr: std::net::SocketAddr, path: &str) -> anyhow::Result<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await?;
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no status line")?;
    Ok((status, text))
}

struct WrkRun {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Non-2xx/3xx answers and socket errors.
    errors: u64,
}

fn parse_wrk(text: &str) -> anyhow::Result<WrkRun> {
    let (mut rps, mut p50, mut p99, mut errors) = (None, None, None, 0u64);
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
            errors += rest
                .split(',')
                .filter_map(|p| p.split_whitespace().nth(1)?.parse::<u64>().ok())
                .sum::<u64>();
        }
    }
    Ok(WrkRun {
        rps: rps.context("no Requests/sec line")?,
        p50_ms: p50.context("no 50% line")?,
        p99_ms: p99.context("no 99% line")?,
        errors,
    })
}

/// wrk's `812.00us`, `4.20ms`, `1.05s` in milliseconds.
fn latency_ms(v: &str) -> Option<f64> {
    let split = v.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (n, unit) = v.split_at(split);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}
