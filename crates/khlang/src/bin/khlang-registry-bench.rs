//! `khlang-registry-bench`: loads a fresh khlang with innovations through the registry's own
//! import (500 rows a transaction, published), serves it, and prints p50/p95 of the statistics
//! page and the innovation catalogue, requested one after another by one client (latency, not
//! throughput).
//!
//! A benchmark, not a test: figures depend on the machine and on what else runs on it; it never
//! fails on a number. Command lines and measured figures: `docs/bench.md`.
//!
//! ```text
//! cargo build --release -p khlang --bin khlang-registry-bench
//! target/release/khlang-registry-bench --data-dir /tmp/khlang-registry-sqlite
//! target/release/khlang-registry-bench --data-dir /tmp/khlang-registry-pg \
//!     --database-url postgres://postgres@127.0.0.1:5432/khlang_registry_bench
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use khlang::bench::{self, Served, measure, pct};
use khlang_core::registry_tables::import_service::ImportRequest;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "khlang-registry-bench",
    about = "Import innovations, serve them, and measure the statistics page and the catalogue"
)]
struct Args {
    /// A fresh directory for the SQLite database and the stored files.
    #[arg(long)]
    data_dir: PathBuf,
    /// `postgres://…` of an empty database, to use PostgreSQL instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Innovations to import.
    #[arg(long, default_value_t = 20_000)]
    innovations: usize,
    /// Requests per page measured.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// After measuring, keep serving for this many seconds (to look at the pages).
    #[arg(long, default_value_t = 0)]
    keep_serving: u64,
}

/// One province per regional centre's area, and a few more, by name or code as typed.
const PROVINCES: [&str; 10] = [
    "เชียงใหม่",
    "40",
    "นนทบุรี",
    "นครศรีธรรมราช",
    "96",
    "ลำปาง",
    "อุดรธานี",
    "ชลบุรี",
    "สงขลา",
    "ยะลา",
];

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let (rt, listener) = bench::fresh(
        "khlang-registry-bench",
        &args.data_dir,
        args.database_url.as_deref(),
    )
    .await?;

    let admin = rt
        .core
        .create_user_from_console(
            "registry-bench",
            "ผู้ทดสอบสมรรถนะบัญชีนวัตกรรม",
            "รหัสผ่านทดสอบสมรรถนะ-2567",
            true,
        )
        .await
        .context("create the bench administrator")?;
    let actor = rt.core.actor_for(&admin).await?;
    let layout = rt.core.import_layout().await?;
    let headers: Vec<String> = layout.columns.iter().map(|c| c.header.clone()).collect();
    let col = |h: &str| headers.iter().position(|x| x == h).unwrap_or(0);
    let (c_results, c_success) = (col("ผลการดำเนินงาน"), col("ปัจจัยความสำเร็จ"));
    let (c_branch, c_year, c_who, c_province, c_problem, c_what) = (
        col("สาขา อสม.ดีเด่น"),
        col("ปีงบประมาณ"),
        col("ผู้คิดค้นนวัตกรรม (อสม.)"),
        col("จังหวัด"),
        col("ปัญหาสุขภาพในพื้นที่"),
        col("นวัตกรรม/ผลงานที่ดำเนินการในพื้นที่"),
    );
    let tree = rt.core.unit_tree().await?;
    let centres: Vec<_> = [
        "DHSS-PHC-N",
        "DHSS-PHC-NE",
        "DHSS-PHC-C",
        "DHSS-PHC-S",
        "DHSS-PHC-SB",
    ]
    .iter()
    .filter_map(|code| tree.units().iter().find(|u| u.code.as_str() == *code))
    .map(|u| u.id)
    .collect();
    if centres.is_empty() {
        bail!("the reference units are missing");
    }

    let started = Instant::now();
    let mut done = 0;
    let mut batch_times = Vec::new();
    while done < args.innovations {
        let n = (args.innovations - done).min(500);
        let mut rows = vec![vec![String::new(); headers.len()], headers.clone()];
        for i in done..done + n {
            let mut r = vec![String::new(); headers.len()];
            r[0] = format!("นวัตกรรมชุมชนลำดับที่ {i} การดูแลสุขภาพด้วยภูมิปัญญาท้องถิ่น");
            r[c_branch] = ((i * 7) % 13 + 1).to_string();
            r[c_year] = (2563 + i % 5).to_string();
            r[c_who] = format!("อาสาสมัคร คนที่ {i}");
            r[c_province] = PROVINCES[i % PROVINCES.len()].to_string();
            r[c_problem] = "ผู้สูงอายุมีโรคความดันโลหิตสูงและเบาหวาน ขาดการออกกำลังกาย".into();
            r[c_what] =
                format!("นวัตกรรมที่ {i}: อสม. ใช้วัสดุในชุมชนทำอุปกรณ์ช่วยออกกำลังกายและติดตามความดันโลหิตที่บ้าน");
            r[c_results] = "ผู้สูงอายุในหมู่บ้านวัดความดันได้เองทุกสัปดาห์ ความดันควบคุมได้มากขึ้น".into();
            r[c_success] = "ชุมชน อสม. และ รพ.สต. ร่วมมือกัน".into();
            rows.push(r);
        }
        let t = Instant::now();
        rt.core
            .import_innovations(
                &actor,
                &ImportRequest {
                    unit: centres[(done / 500) % centres.len()],
                    publish: true,
                    file_name: format!("bench-{done}.xlsx"),
                    rows,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("import: {e:?}"))?;
        batch_times.push(t.elapsed());
        done += n;
        if done % 5000 == 0 || done == args.innovations {
            println!("imported {done} innovations ({:.1?})", started.elapsed());
        }
    }
    batch_times.sort();
    println!(
        "import of 500 rows (one transaction): p50 {:.2?}, p95 {:.2?}",
        pct(&batch_times, 50),
        pct(&batch_times, 95)
    );

    let served = Served::start(rt.clone(), listener)?;
    let base = served.base.clone();
    let client = reqwest::Client::new();
    let unit = centres[1].0;
    for (name, path) in [
        ("statistics, all", "/innovations/statistics".to_string()),
        (
            "statistics, one centre and year",
            format!("/innovations/statistics?unit={unit}&year=2565"),
        ),
        (
            "statistics.xlsx",
            "/innovations/statistics.xlsx".to_string(),
        ),
        ("catalogue, page 1", "/innovations".to_string()),
        ("catalogue, page 50", "/innovations?page=50".to_string()),
    ] {
        measure(&client, &base, name, &path, args.requests).await?;
    }
    if args.keep_serving > 0 {
        println!("serving on {base} for {} s", args.keep_serving);
        tokio::time::sleep(Duration::from_secs(args.keep_serving)).await;
    }
    served.stop().await;
    Ok(())
}
