//! `khlang-dashboard-bench`: the executive dashboard over a whole department. Fills the
//! reference Community Development Department (กรมการพัฒนาชุมชน: its central units and 76
//! provincial offices) up to 11 district offices per province (about 900 units) through the
//! core's own use-case, loads 100,000 items spread over units, categories, knowledge types, statuses and
//! four fiscal years in plain SQL (500 rows a statement, one transaction), registers the
//! published innovations among them in the registry, then measures, one after another (latency,
//! not throughput), the dashboard service call and the `/dashboard` page of a viewer at the top
//! of the department: p50 and p95.
//!
//! A benchmark, not a test: figures depend on the machine and on what else runs on it; it never
//! fails on a number. Command lines and measured figures: `docs/bench.md`.
//!
//! ```text
//! cargo build --release -p khlang --bin khlang-dashboard-bench
//! target/release/khlang-dashboard-bench --data-dir /tmp/khlang-dashboard-sqlite
//! KHLANG_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dash \
//!     target/release/khlang-dashboard-bench --data-dir /tmp/khlang-dashboard-pg
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use khlang::bench::{self, Served, fail, measure, pct};
use khlang_core::ids::{TermId, UnitId};
use khlang_core::item::{ItemStatus, KnowledgeType};
use khlang_core::org::UnitKind;
use khlang_core::planning::FiscalYear;
use khlang_core::service::org::UnitInput;
use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "khlang-dashboard-bench",
    about = "Build a department of 933 units with 100,000 items and measure the executive dashboard"
)]
struct Args {
    /// A fresh directory for the SQLite database and the stored files.
    #[arg(long)]
    data_dir: PathBuf,
    /// `postgres://…` of an empty database, to use PostgreSQL instead of SQLite (also read
    /// from KHLANG_BENCH_DATABASE_URL).
    #[arg(long)]
    database_url: Option<String>,
    /// Items to load.
    #[arg(long, default_value_t = 100_000)]
    items: usize,
    /// District offices under each provincial office (added to the reference data's).
    #[arg(long, default_value_t = 11)]
    districts: usize,
    /// Measurements of the service call and of the page.
    #[arg(long, default_value_t = 50)]
    requests: usize,
}

const PASSWORD: &str = "รหัสผ่านทดสอบสมรรถนะ-2567";
/// Rows per INSERT statement (13 values a row: under both engines' parameter limits).
const BATCH: usize = 500;

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

/// A small deterministic generator (xorshift), so every run loads the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let (rt, listener) = bench::fresh(
        "khlang-dashboard-bench",
        &args.data_dir,
        args.database_url.as_deref(),
    )
    .await?;
    let core = &rt.core;
    let admin = core
        .create_user_from_console("dashboard-bench", "ผู้ทดสอบสมรรถนะแดชบอร์ด", PASSWORD, true)
        .await
        .context("create the bench administrator")?;
    let viewer = core
        .create_user_from_console("dashboard-exec", "ผู้บริหารทดสอบสมรรถนะ", PASSWORD, false)
        .await
        .context("create the executive")?;
    let actor = core.actor_for(&admin).await?;

    // The department as the reference data has it (central units, 76 provincial offices,
    // one province's districts), each provincial office filled up to `districts` district
    // offices through the core (so its caches and checks see every unit).
    let started = Instant::now();
    let tree = core.unit_tree().await?;
    let top = tree
        .units()
        .iter()
        .find(|u| u.code.as_str() == "CDD")
        .map(|u| u.id)
        .context("no reference unit CDD (กรมการพัฒนาชุมชน)")?;
    let provinces: Vec<(UnitId, String, String, usize)> = tree
        .children(Some(top))
        .filter(|u| u.kind == UnitKind::ProvincialOffice)
        .map(|u| {
            (
                u.id,
                u.code.as_str().to_string(),
                u.name_th.as_str().to_string(),
                tree.children(Some(u.id)).count(),
            )
        })
        .collect();
    drop(tree);
    for (id, code, name, existing) in &provinces {
        for d in *existing..args.districts {
            core.create_unit(
                &actor,
                UnitInput {
                    parent_id: Some(*id),
                    code: format!("{code}-B{:02}", d + 1),
                    kind: "district_office".into(),
                    name_th: format!(
                        "สำนักงานพัฒนาชุมชนอำเภอทดสอบที่ {} ({})",
                        d + 1,
                        name.replace("สำนักงานพัฒนาชุมชนจังหวัด", "")
                    ),
                    name_en: String::new(),
                },
            )
            .await
            .map_err(fail("create a district office"))?;
        }
    }
    let tree = core.unit_tree().await?;
    let units: Vec<UnitId> = tree
        .units()
        .iter()
        .filter(|u| tree.is_within(u.id, top))
        .map(|u| u.id)
        .collect();
    drop(tree);
    println!("{} units ({:.1?})", units.len(), started.elapsed());
    core.grant_role(&actor, viewer.id, "viewer", top)
        .await
        .map_err(fail("make the executive a viewer of the department"))?;
    let exec = core.actor_for(&viewer).await?;

    let vocab = core.vocabulary().await.map_err(fail("vocabulary"))?;
    let terms_of = |key: &str| -> Vec<TermId> {
        vocab
            .taxonomies
            .iter()
            .find(|t| t.key == key)
            .map(|tx| vocab.terms_of(tx.id).map(|t| t.id).collect())
            .unwrap_or_default()
    };
    let categories = terms_of("category");
    let branches = terms_of("osm_branch");
    if categories.is_empty() || branches.is_empty() {
        bail!("the category or osm_branch taxonomy is empty");
    }

    let current = FiscalYear::of(core.clock.now()).be();
    let started = Instant::now();
    load_items(&rt.db, &args, &units, admin.id.0, current).await?;
    label_items(&rt.db, &categories, &branches).await?;
    println!(
        "{} items, their categories and innovations ({:.1?})",
        args.items,
        started.elapsed()
    );

    // The service call, as the page makes it.
    let year = Some(FiscalYear::of(core.clock.now()));
    let first = core
        .dashboard(&exec, None, year)
        .await
        .map_err(fail("the dashboard"))?;
    println!(
        "dashboard of {} for {}: {} items ({} published), {} innovations, {} children",
        first.unit.name,
        current,
        first.items.total,
        first.items.published,
        first.innovations.total,
        first.children.len()
    );
    let mut times = Vec::with_capacity(args.requests);
    for i in 0..args.requests + 5 {
        let t = Instant::now();
        let d = core
            .dashboard(&exec, None, year)
            .await
            .map_err(fail("the dashboard"))?;
        let took = t.elapsed();
        std::hint::black_box(d);
        if i >= 5 {
            times.push(took);
        }
    }
    times.sort();
    report("dashboard service call", &times);

    let served = Served::start(rt.clone(), listener)?;
    let base = served.base.clone();
    let client = signed_in(&base, "dashboard-exec").await?;
    measure(
        &client,
        &base,
        "/dashboard page",
        "/dashboard",
        args.requests,
    )
    .await?;
    let province = provinces
        .first()
        .map(|p| p.0)
        .context("no provincial office")?;
    measure(
        &client,
        &base,
        "/dashboard of one province",
        &format!("/dashboard?unit={province}"),
        args.requests,
    )
    .await?;
    measure(
        &client,
        &base,
        "/dashboard.xlsx",
        "/dashboard.xlsx",
        args.requests,
    )
    .await?;
    served.stop().await;
    Ok(())
}

fn report(name: &str, times: &[Duration]) {
    println!(
        "{name:<34} p50 {:>8.2?}  p95 {:>8.2?}  ({} calls)",
        pct(times, 50),
        pct(times, 95),
        times.len()
    );
}

/// `?, ?, …` or `$1, $2, …` for `rows` rows of `width` values.
fn value_rows(backend: DbBackend, rows: usize, width: usize) -> String {
    let mut out = Vec::with_capacity(rows);
    for r in 0..rows {
        let marks: Vec<String> = (0..width)
            .map(|c| match backend {
                DbBackend::Postgres => format!("${}", r * width + c + 1),
                _ => "?".into(),
            })
            .collect();
        out.push(format!("({})", marks.join(", ")));
    }
    out.join(", ")
}

/// The items: half of them in the current fiscal year (the one measured), the rest over the
/// three before; units, statuses and knowledge types drawn at random (60% published).
async fn load_items(
    db: &sea_orm::DatabaseConnection,
    args: &Args,
    units: &[UnitId],
    user: i64,
    current: i32,
) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let now = time::OffsetDateTime::now_utc();
    let others = [
        ItemStatus::Draft,
        ItemStatus::Submitted,
        ItemStatus::ChangesRequested,
        ItemStatus::Resubmitted,
        ItemStatus::Rejected,
        ItemStatus::Archived,
    ];
    let mut done = 0;
    while done < args.items {
        let n = BATCH.min(args.items - done);
        let mut values: Vec<Value> = Vec::with_capacity(n * 13);
        for k in 0..n {
            let i = done + k;
            let status = if rng.below(100) < 60 {
                ItemStatus::Published
            } else {
                others[rng.below(others.len())]
            };
            let kind = KnowledgeType::ALL[rng.below(KnowledgeType::ALL.len())];
            let year = if rng.below(2) == 0 {
                current
            } else {
                current - 1 - rng.below(3) as i32
            };
            values.extend([
                Value::from(format!("องค์ความรู้ทดสอบสมรรถนะ เรื่องที่ {i}")),
                Value::from("สรุปย่อขององค์ความรู้ทดสอบ".to_string()),
                Value::from(status.as_str().to_string()),
                Value::from(units[rng.below(units.len())].0),
                Value::from(kind.as_str().to_string()),
                Value::from("public".to_string()),
                Value::from(year),
                Value::from("{}".to_string()),
                Value::from(1i32),
                Value::from(user),
                Value::from(now),
                Value::from(user),
                Value::from(now),
            ]);
        }
        // published_at is written by one UPDATE below (a NULL would need a typed value).
        let sql = format!(
            "INSERT INTO items (title, summary, status, unit_id, knowledge_type, visibility, \
             fiscal_year, fields, version, created_by, created_at, updated_by, updated_at) \
             VALUES {}",
            value_rows(backend, n, 13)
        );
        txn.execute(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        done += n;
        if done % 20_000 == 0 {
            println!("{done} items");
        }
    }
    txn.execute(Statement::from_sql_and_values(
        backend,
        "UPDATE items SET published_at = updated_at WHERE status = 'published'",
        [],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Categories (a quarter of the items have none, a tenth have two) and, for the published
/// innovations, their row in the registry with a branch and a regional centre.
async fn label_items(
    db: &sea_orm::DatabaseConnection,
    categories: &[TermId],
    branches: &[TermId],
) -> anyhow::Result<()> {
    let backend = db.get_database_backend();
    let mark = |n: usize| match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".into(),
    };
    let txn = db.begin().await?;
    let buckets = categories.len() + 1;
    for (k, term) in categories.iter().enumerate() {
        txn.execute(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO item_terms (item_id, term_id) SELECT id, {} FROM items \
                 WHERE id % {buckets} = {k} OR (id % 10 = 0 AND id % {buckets} = {})",
                mark(1),
                (k + 1) % buckets
            ),
            [Value::from(term.0)],
        ))
        .await?;
    }
    let centres = ["n", "ne", "c", "s", "sb"];
    for (k, branch) in branches.iter().enumerate() {
        txn.execute(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO innovations (item_id, unit_id, status, visibility, title, summary, \
                 branch_id, regional_centre, fiscal_year, innovators, published_ms, updated_ms) \
                 SELECT id, unit_id, status, visibility, title, summary, {}, {}, fiscal_year, \
                 '[]', 0, 0 FROM items WHERE knowledge_type = 'innovation' \
                 AND status = 'published' AND id % {} = {k}",
                mark(1),
                mark(2),
                branches.len()
            ),
            [
                Value::from(branch.0),
                Value::from(centres[k % centres.len()].to_string()),
            ],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(())
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
