//! `khlang-usage-bench`: what counting costs and what /stats costs on a large history.
//! Publishes `--items` items over the reference province CDD-P-24's district offices through
//! the core, writes `--days` counted days of views and downloads for each straight into
//! `usage_daily` (a bench-only path: `--items` × `--days` rows, 1,000,000 by default), then
//! measures, one request after another (latency, not throughput): recording a view through the
//! core, an item page that counts (a new client each time), the same page from a robot (not
//! counted), /stats for the province, /stats.xlsx and the home page: p50 and p95.
//!
//! A benchmark, not a test: it never fails on a number. Figures: `docs/usage.md`.
//!
//! ```text
//! cargo run --release --bin khlang-usage-bench -- --data-dir /tmp/khlang-usage-sqlite
//! cargo run --release --bin khlang-usage-bench -- --data-dir /tmp/khlang-usage-pg \
//!     --database-url postgres://postgres@127.0.0.1:5432/bench_usage
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use khlang::bench::{self, Served, fail, measure, pct};
use khlang_core::ids::{ItemId, UnitId};
use khlang_core::item::{ItemInput, Transition};
use khlang_core::usage::{Client, Hit};
use sea_orm::{ConnectionTrait, Statement, TransactionTrait, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "khlang-usage-bench",
    about = "Count views on a database of 1,000,000 counted days and measure /stats"
)]
struct Args {
    /// A fresh directory for the SQLite database and the stored files (default: a new
    /// temporary directory).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// `postgres://…` of an empty database, to use PostgreSQL instead of SQLite (also read
    /// from KHLANG_BENCH_DATABASE_URL).
    #[arg(long)]
    database_url: Option<String>,
    #[arg(long, default_value_t = 500)]
    items: usize,
    /// Counted days per item, ending today.
    #[arg(long, default_value_t = 2_000)]
    days: usize,
    /// Measurements of each page.
    #[arg(long, default_value_t = 50)]
    requests: usize,
    /// Keep serving this many seconds after measuring (signed in as `usage-bench`).
    #[arg(long, default_value_t = 0)]
    hold: u64,
}

const PASSWORD: &str = "รหัสผ่านทดสอบสมรรถนะ-2567";
const PROVINCE: &str = "CDD-P-24";
const BROWSER: &str = "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";

fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    if args.database_url.is_none() {
        args.database_url = std::env::var("KHLANG_BENCH_DATABASE_URL")
            .ok()
            .filter(|s| !s.is_empty());
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("khlang-usage-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let (rt, listener) =
        bench::fresh("khlang-usage-bench", &dir, args.database_url.as_deref()).await?;
    let core = &rt.core;
    let admin = core
        .create_user_from_console("usage-bench", "ผู้ทดสอบสมรรถนะสถิติ", PASSWORD, true)
        .await
        .context("create the bench administrator")?;
    let actor = core.actor_for(&admin).await?;
    let second = core
        .create_user_from_console("usage-review", "ผู้กลั่นกรองทดสอบ", PASSWORD, true)
        .await
        .context("create the bench reviewer")?;
    let reviewer = core.actor_for(&second).await?;
    let tree = core.unit_tree().await?;
    let province = tree
        .units()
        .iter()
        .find(|u| u.code.as_str() == PROVINCE)
        .context("no CDD-P-24 in the reference units")?
        .id;
    let districts: Vec<UnitId> = tree.children(Some(province)).map(|u| u.id).collect();
    if districts.is_empty() {
        bail!("{PROVINCE} has no district offices");
    }

    // Published items, through the core.
    let started = Instant::now();
    let mut items: Vec<ItemId> = Vec::with_capacity(args.items);
    for i in 0..args.items {
        let unit = districts[i % districts.len()];
        let item = core
            .create_item(
                &actor,
                &ItemInput {
                    title: format!("องค์ความรู้ทดสอบสมรรถนะ ลำดับที่ {i}"),
                    summary: "สรุปย่อสำหรับทดสอบ".into(),
                    knowledge_type: "tacit".into(),
                    visibility: "public".into(),
                    unit_id: unit.to_string(),
                    ..Default::default()
                },
            )
            .await
            .map_err(fail("create an item"))?;
        core.transition(&actor, item.id, Transition::Submit, "")
            .await
            .map_err(fail("submit"))?;
        core.transition(&reviewer, item.id, Transition::Approve, "")
            .await
            .map_err(fail("approve"))?;
        items.push(item.id);
    }
    println!(
        "{} items published ({:.1?})",
        items.len(),
        started.elapsed()
    );

    // The counted history, bench-only: item k was viewed (k + d) mod 40 times on day d and
    // downloaded a quarter as often.
    let started = Instant::now();
    let db = &rt.db;
    let backend = db.get_database_backend();
    let today = core
        .clock
        .now()
        .to_offset(khlang_core::text::BANGKOK)
        .date();
    let days: Vec<i64> = (0..args.days)
        .map(|d| {
            let day = today - time::Duration::days(d as i64);
            i64::from(day.year()) * 10_000
                + i64::from(u8::from(day.month())) * 100
                + i64::from(day.day())
        })
        .collect();
    let txn = db.begin().await?;
    let per_statement = 1_000;
    let mut rows: Vec<(i64, i64, i64)> = Vec::with_capacity(per_statement);
    let mut written = 0usize;
    for (k, item) in items.iter().enumerate() {
        for (d, day) in days.iter().enumerate() {
            let views = ((k + d) % 40) as i64;
            rows.push((item.0, *day, views));
            if rows.len() == per_statement {
                written += insert(&txn, backend, &rows).await?;
                rows.clear();
            }
        }
    }
    if !rows.is_empty() {
        written += insert(&txn, backend, &rows).await?;
    }
    txn.commit().await?;
    println!("{written} counted days written ({:.1?})", started.elapsed());

    // Recording, straight through the core: each a new client (counted), one after another.
    let mut times = Vec::with_capacity(args.requests);
    for i in 0..args.requests + 5 {
        let client = Client {
            address: format!("10.{}.{}.{}", i / 65_536 % 256, i / 256 % 256, i % 256),
            user_agent: Some(BROWSER.into()),
            session: None,
        };
        let t = Instant::now();
        let counted = core
            .record_use(&client, Hit::View(items[i % items.len()]))
            .await
            .map_err(fail("record a view"))?;
        let took = t.elapsed();
        if !counted {
            bail!("a new client's view was not counted");
        }
        if i >= 5 {
            times.push(took);
        }
    }
    report("record a view (core)", &mut times);

    let served = Served::start(rt.clone(), listener)?;
    let base = served.base.clone();
    let anonymous = reqwest::Client::new();
    for (name, agent, counted) in [
        ("item page, counted (new client)", BROWSER, true),
        ("item page, robot (not counted)", "Googlebot/2.1", false),
    ] {
        let mut times = Vec::with_capacity(args.requests);
        for i in 0..args.requests + 5 {
            let path = format!("{base}/items/{}", items[i % items.len()]);
            let t = Instant::now();
            let res = anonymous
                .get(&path)
                .header("user-agent", agent)
                .header(
                    "x-forwarded-for",
                    format!(
                        "172.16.{}.{}",
                        i / 256 % 256,
                        i % 256 + usize::from(counted)
                    ),
                )
                .send()
                .await?;
            let status = res.status();
            res.bytes().await?;
            let took = t.elapsed();
            if !status.is_success() {
                bail!("{path}: {status}");
            }
            if i >= 5 {
                times.push(took);
            }
        }
        report(name, &mut times);
    }
    let client = signed_in(&base, "usage-bench").await?;
    measure(
        &client,
        &base,
        "/stats (province, this year)",
        &format!("/stats?unit={province}"),
        args.requests,
    )
    .await?;
    measure(
        &client,
        &base,
        "/stats (one district)",
        &format!("/stats?unit={}", districts[0]),
        args.requests,
    )
    .await?;
    measure(
        &client,
        &base,
        "/stats.xlsx (province)",
        &format!("/stats.xlsx?unit={province}"),
        args.requests,
    )
    .await?;
    measure(
        &anonymous,
        &base,
        "home page (anonymous)",
        "/",
        args.requests,
    )
    .await?;
    if args.hold > 0 {
        println!("serving {base} for {} s", args.hold);
        tokio::time::sleep(Duration::from_secs(args.hold)).await;
    }
    served.stop().await;
    Ok(())
}

fn report(name: &str, times: &mut [Duration]) {
    times.sort();
    println!(
        "{name:<34} p50 {:>8.2?}  p95 {:>8.2?}  ({} requests)",
        pct(times, 50),
        pct(times, 95),
        times.len()
    );
}

/// One multi-row insert of (item, day, views) with downloads a quarter of the views.
async fn insert(
    db: &impl ConnectionTrait,
    backend: sea_orm::DbBackend,
    rows: &[(i64, i64, i64)],
) -> anyhow::Result<usize> {
    let mut sql =
        String::from("INSERT INTO usage_daily (item_id, file_id, day, views, downloads) VALUES ");
    let mut values: Vec<Value> = Vec::with_capacity(rows.len() * 4);
    for (n, (item, day, views)) in rows.iter().enumerate() {
        if n > 0 {
            sql.push_str(", ");
        }
        let k = n * 4;
        if backend == sea_orm::DbBackend::Postgres {
            sql.push_str(&format!(
                "(${}, 0, ${}, ${}, ${})",
                k + 1,
                k + 2,
                k + 3,
                k + 4
            ));
        } else {
            sql.push_str("(?, 0, ?, ?, ?)");
        }
        values.extend([
            Value::from(*item),
            Value::from(*day),
            Value::from(*views),
            Value::from(*views / 4),
        ]);
    }
    db.execute(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(rows.len())
}

/// A client with a session: signs in through the login form (with its CSRF token).
async fn signed_in(base: &str, username: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .context("no CSRF token on /login")?
        .to_string();
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
        ])
        .send()
        .await?;
    if res.url().path().starts_with("/login") {
        bail!("{username} could not sign in");
    }
    Ok(client)
}
