//! `khlang-book-bench`: how long a knowledge book takes and how much memory it needs. Loads
//! the demo items, publishes `--items` items made from them (every `--pictures-every`th with
//! a 1600×1200 photo), makes the picture copies, queues one book of them all through the core
//! and runs the job, timing it and reading the process's peak memory (VmHWM) before and
//! after. Writes the PDF to `--out` for a look (`pdftoppm -r 60 -png`).
//!
//! A benchmark, not a test: it never fails on a number. Figures: `docs/books.md`.
//!
//! ```text
//! cargo run --release --bin khlang-book-bench -- --items 100 --out /tmp/book.pdf
//! ```

use anyhow::Context;
use clap::Parser;
use futures::TryStreamExt;
use khlang::bench::{self, fail, peak_mb};
use khlang_core::books::BookForm;
use khlang_core::item::{ItemInput, Transition};
use khlang_core::service::items::Browse;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "khlang-book-bench",
    about = "Build a knowledge book of many demo items and measure time and memory"
)]
struct Args {
    /// A fresh directory for the SQLite database and the stored files (default: a new
    /// temporary directory).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    #[arg(long)]
    database_url: Option<String>,
    #[arg(long, default_value_t = 100)]
    items: usize,
    /// Every n-th item gets a photo (0: none).
    #[arg(long, default_value_t = 3)]
    pictures_every: usize,
    #[arg(long, default_value = "a4")]
    paper: String,
    #[arg(long, default_value = "thai")]
    digits: String,
    /// Where to write the PDF.
    #[arg(long)]
    out: Option<PathBuf>,
}

const PASSWORD: &str = "รหัสผ่านทดสอบสมรรถนะ-2567";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let dir = match &args.data_dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("khlang-book-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let (rt, _listener) =
        bench::fresh("khlang-book-bench", &dir, args.database_url.as_deref()).await?;
    let core = &rt.core;
    let author = core
        .create_user_from_console("book-author", "ผู้เขียนทดสอบ", PASSWORD, true)
        .await
        .context("create the author")?;
    let screener = core
        .create_user_from_console("book-screener", "ผู้กลั่นกรองทดสอบ", PASSWORD, true)
        .await
        .context("create the screener")?;
    let by = core.actor_for(&author).await?;
    let screen = core.actor_for(&screener).await?;
    core.load_demo(author.id)
        .await
        .map_err(fail("demo items"))?;
    let demo = core
        .browse(&by, &Browse::default(), 1, 50)
        .await
        .map_err(fail("demo list"))?;
    let mut sources = Vec::new();
    for s in &demo.items {
        sources.push(
            core.item_view(&by, s.id)
                .await
                .map_err(fail("demo item"))?
                .item,
        );
    }
    anyhow::ensure!(!sources.is_empty(), "no demo items");

    let started = Instant::now();
    let mut ids = Vec::new();
    for i in 0..args.items {
        let d = &sources[i % sources.len()].fields;
        let item = core
            .create_item(
                &by,
                &ItemInput {
                    title: format!("{} (เรื่องที่ {})", d.title.as_str(), i + 1),
                    summary: d.summary.clone(),
                    body: d.body.clone(),
                    authors: d.authors.clone(),
                    unit_id: d.unit_id.to_string(),
                    visibility: "public".into(),
                    ..Default::default()
                },
            )
            .await
            .map_err(fail("create an item"))?;
        if args.pictures_every > 0 && i % args.pictures_every == 0 {
            let photo = khlang_media::fixtures::jpeg(1600, 1200, i as u32);
            let body = futures::stream::once(async move { Ok(axum::body::Bytes::from(photo)) });
            core.attach_file(&by, item.id, "ภาพกิจกรรม.jpg", Box::pin(body), 64 << 20)
                .await
                .map_err(fail("attach a photo"))?;
        }
        core.transition(&by, item.id, Transition::Submit, "")
            .await
            .map_err(fail("submit"))?;
        core.transition(&screen, item.id, Transition::Approve, "")
            .await
            .map_err(fail("approve"))?;
        ids.push(item.id);
    }
    core.copies_pending()
        .await
        .map_err(fail("picture copies"))?;
    println!(
        "{} items published (pictures on every {}th) in {:.1} s",
        ids.len(),
        args.pictures_every,
        started.elapsed().as_secs_f64()
    );

    let unit = sources[0].fields.unit_id;
    let job = core
        .queue_book(
            &by,
            &BookForm {
                title: "หนังสือองค์ความรู้ ประจำปีงบประมาณ พ.ศ. ๒๕๖๘".into(),
                subtitle: "รวมองค์ความรู้จากการปฏิบัติงานของหน่วยงานและเครือข่าย".into(),
                foreword: "หนังสือเล่มนี้รวบรวมองค์ความรู้ที่ผ่านการกลั่นกรองแล้ว เพื่อเผยแพร่ให้บุคลากรและภาคีเครือข่ายนำไปใช้ประโยชน์ในการปฏิบัติงาน\n\nคณะทำงานการจัดการความรู้".into(),
                unit_id: unit.to_string(),
                fiscal_year: "2568".into(),
                paper: args.paper.clone(),
                digits: args.digits.clone(),
                items: ids.iter().map(|i| i.0.to_string()).collect(),
            },
            "https://khlang.example.go.th",
        )
        .await
        .map_err(fail("queue the book"))?;
    let before = peak_mb();
    let t = Instant::now();
    let ran = core.run_pending_jobs().await.map_err(fail("run the job"))?;
    let took = t.elapsed();
    let after = peak_mb();
    let done = core.job(&by, job.id).await.map_err(fail("read the job"))?;
    anyhow::ensure!(ran == 1, "ran {ran} jobs");
    let (file, stream) = core
        .open_job_file(&by, job.id)
        .await
        .map_err(|e| anyhow::anyhow!("book not made: {e:?} ({:?})", done.error))?;
    let pdf: Vec<u8> = stream.map_ok(|b| b.to_vec()).try_concat().await?;
    let pages = pdf
        .windows(12)
        .filter(|w| w.starts_with(b"/Type /Page") && w[11] != b's')
        .count();
    println!(
        "book of {} items: {:.1} s, {:.1} MB PDF ({} bytes, {pages} pages), peak memory {before} MB before the job, {after} MB after",
        ids.len(),
        took.as_secs_f64(),
        file.size as f64 / 1_048_576.0,
        file.size,
    );
    if let Some(out) = &args.out {
        std::fs::write(out, &pdf)?;
        println!("written to {}", out.display());
    }
    Ok(())
}
