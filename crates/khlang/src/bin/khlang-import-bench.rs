//! `khlang-import-bench`: what a year's bulk import costs. Seed 003 imported 968 items in a
//! year; this stages a sheet of `--rows` rows with a ZIP of as many PDFs (`--file-kb` each)
//! through the core, runs the import job, then stages and runs the same sheet again (which
//! must make nothing), `--runs` times on one database (each run's titles are its own). It
//! prints, per run and as medians: the dry run (ZIP spooled, every row and file checked), the
//! job (rows per second), the second import, and the process's peak memory.
//!
//! The workbook is handed over as rows (the web layer's XLSX reading is not measured).
//! A benchmark, not a test: it never fails on a number. Figures: `docs/imports.md`.
//!
//! ```text
//! cargo run --release --bin khlang-import-bench -- --data-dir /tmp/khlang-import-sqlite
//! cargo run --release --bin khlang-import-bench -- --data-dir /tmp/khlang-import-pg \
//!     --database-url postgres://postgres@127.0.0.1:5432/bench_import
//! ```

use anyhow::{Context, ensure};
use clap::Parser;
use khlang::bench::{self, fail, peak_mb};
use khlang_core::ids::UnitId;
use khlang_core::imports::{Bundle, Target};
use khlang_core::org::Role;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "khlang-import-bench",
    about = "Import a year's documents from a sheet and a ZIP"
)]
struct Args {
    /// A fresh directory for the SQLite database and the stored files.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// `postgres://…` of an empty database, to use PostgreSQL instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    #[arg(long, default_value_t = 968)]
    rows: usize,
    /// Size of each document in the ZIP.
    #[arg(long, default_value_t = 200)]
    file_kb: usize,
    #[arg(long, default_value_t = 3)]
    runs: usize,
}

const PASSWORD: &str = "รหัสผ่านทดสอบสมรรถนะ-2567";
const UNIT: &str = "DHSS-PHC";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

/// A valid PDF of about `kb` kilobytes (a comment pads it), different for each `n`.
fn pdf(n: usize, kb: usize) -> Vec<u8> {
    let mut out = format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n\
         3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n% document {n}\n"
    )
    .into_bytes();
    let line = format!("% padding for document {n} ........................................\n");
    while out.len() < kb * 1024 {
        out.extend_from_slice(line.as_bytes());
    }
    out.extend_from_slice(b"trailer<</Root 1 0 R>>\n%%EOF\n");
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn run(args: Args) -> anyhow::Result<()> {
    let dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("khlang-import-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let (rt, _listener) =
        bench::fresh("khlang-import-bench", &dir, args.database_url.as_deref()).await?;
    let core = &rt.core;
    let user = core
        .create_user_from_console("import-officer", "นักจัดการความรู้ทดสอบ", PASSWORD, false)
        .await
        .context("create the officer")?;
    let tree = core.unit_tree().await.map_err(fail("units"))?;
    let unit: UnitId = tree
        .units()
        .iter()
        .find(|u| u.code.as_str() == UNIT)
        .context("reference unit")?
        .id;
    core.store
        .insert_grant(user.id, Role::KmOfficer, unit)
        .await
        .context("grant")?;
    let officer = core.actor_for(&user).await.map_err(fail("actor"))?;
    let limit = 2u64 << 30;
    let mut headings: Vec<String> = vec![String::new(); 11];
    headings[0] = "ข้อมูลองค์ความรู้".into();
    let heading_row: Vec<String> = khlang_core::imports::sheet::headings()
        .iter()
        .map(|h| h.to_string())
        .collect();
    println!(
        "{} rows, {} KB each, {} runs",
        args.rows, args.file_kb, args.runs
    );
    let (mut stages, mut jobs, mut agains) = (Vec::new(), Vec::new(), Vec::new());
    for r in 1..=args.runs {
        let mut rows = vec![headings.clone(), heading_row.clone()];
        let zip_path = dir.join(format!("bench-{r}.zip"));
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path)?);
        // Stored, as PDFs are already compressed: the ZIP is as large as its documents.
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for n in 1..=args.rows {
            let name = format!("ปี2567/เอกสาร-{r}-{n:04}.pdf");
            zip.start_file(name.as_str(), opts)?;
            zip.write_all(&pdf(n, args.file_kb))?;
            let mut row = vec![String::new(); 11];
            row[1] = format!("องค์ความรู้ชุดที่ {r} เรื่องที่ {n} การดูแลผู้สูงอายุในชุมชน");
            row[2] = "สรุปแนวทางการดำเนินงานของอาสาสมัครสาธารณสุขประจำหมู่บ้าน".into();
            row[6] = "2567".into();
            row[7] = "สมศรี ใจดี".into();
            row[9] = name;
            rows.push(row);
        }
        zip.finish()?;
        let size_mb = std::fs::metadata(&zip_path)?.len() / (1 << 20);
        let officer = &officer;
        // The ZIP is streamed from disk in parts, as the upload handler streams it.
        let stage = |rows: Vec<Vec<String>>, path: PathBuf| async move {
            let file = tokio::fs::File::open(&path).await?;
            let body = tokio_util::io::ReaderStream::with_capacity(file, 1 << 20);
            core.stage_sheet_import(
                officer,
                unit,
                Target::Draft,
                "bench.xlsx",
                &rows,
                Some(Bundle {
                    body: Box::pin(body),
                }),
                limit,
            )
            .await
            .map_err(fail("stage"))
        };
        let t = Instant::now();
        let import = stage(rows.clone(), zip_path.clone()).await?;
        let staged = t.elapsed();
        ensure!(!import.plan.blocked(), "{:?}", import.plan.problems.first());
        ensure!(import.plan.new_entries() == args.rows, "all rows new");
        let t = Instant::now();
        core.start_import(officer, import.id, limit)
            .await
            .map_err(fail("start"))?;
        core.run_pending_jobs().await.map_err(fail("run"))?;
        let job_time = t.elapsed();
        let made = core
            .imported_items(officer, import.id)
            .await
            .map_err(fail("made"))?
            .len();
        ensure!(made == args.rows, "made {made} of {}", args.rows);
        // The same sheet again: found whole in the dry run, nothing made.
        let t = Instant::now();
        let again = stage(rows, zip_path.clone()).await?;
        ensure!(
            again.plan.new_entries() == 0,
            "the second dry run finds them all"
        );
        core.start_import(officer, again.id, limit)
            .await
            .map_err(fail("start again"))?;
        core.run_pending_jobs().await.map_err(fail("run again"))?;
        let again_time = t.elapsed();
        ensure!(
            core.imported_items(officer, again.id)
                .await
                .map_err(fail("made again"))?
                .is_empty(),
            "the second import made nothing"
        );
        println!(
            "run {r}: ZIP {size_mb} MB · dry run {:.2} s · import {:.1} s ({:.0} rows/s) · same sheet again {:.2} s · peak {} MB",
            staged.as_secs_f64(),
            job_time.as_secs_f64(),
            args.rows as f64 / job_time.as_secs_f64(),
            again_time.as_secs_f64(),
            peak_mb()
        );
        std::fs::remove_file(&zip_path)?;
        stages.push(staged);
        jobs.push(job_time);
        agains.push(again_time);
    }
    let job = median(jobs);
    println!(
        "median of {}: dry run {:.2} s · import {:.1} s ({:.0} rows/s) · same sheet again {:.2} s · peak memory {} MB",
        args.runs,
        median(stages).as_secs_f64(),
        job.as_secs_f64(),
        args.rows as f64 / job.as_secs_f64(),
        median(agains).as_secs_f64(),
        peak_mb()
    );
    Ok(())
}
