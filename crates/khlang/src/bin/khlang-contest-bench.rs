//! `khlang-contest-bench`: one contest round with 2,000 entries × 3 documents, registered and
//! filled through the core's own use-cases, then judging; serves it and prints p50/p95 of a
//! judge's list (`/judging/rounds/{id}`) and of the organiser's round page with its statistics
//! (`/contests/rounds/{id}`), requested one after another by one signed-in client (latency,
//! not throughput).
//!
//! A benchmark, not a test: figures depend on the machine and on what else runs on it; it never
//! fails on a number. Command lines and measured figures: `docs/bench.md`.
//!
//! ```text
//! cargo build --release -p khlang --bin khlang-contest-bench
//! target/release/khlang-contest-bench --data-dir /tmp/khlang-contest-sqlite
//! target/release/khlang-contest-bench --data-dir /tmp/khlang-contest-pg \
//!     --database-url postgres://postgres@127.0.0.1:5432/khlang_contest_bench
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use khlang::bench::{self, Served, fail, measure, pct};
use khlang_core::contests::RoundStatus;
use khlang_core::contests::judging::{JudgeInput, ScoreInput};
use khlang_core::contests::rounds::{
    ContestInput, CriterionInput, DocumentInput, EntrantInput, EntryAccess, RoundInput, local_input,
};
use khlang_core::ids::RoundId;
use std::path::PathBuf;
use std::time::Instant;
use tokio_util::bytes::Bytes;

#[derive(Parser)]
#[command(
    name = "khlang-contest-bench",
    about = "Fill one contest round with entries and documents, and measure a judge's list and the round's statistics page"
)]
struct Args {
    /// A fresh directory for the SQLite database and the stored files.
    #[arg(long)]
    data_dir: PathBuf,
    /// `postgres://…` of an empty database, to use PostgreSQL instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
    /// Entries in the round (each with three documents).
    #[arg(long, default_value_t = 2_000)]
    entries: usize,
    /// Entries the judge scores before the list is measured.
    #[arg(long, default_value_t = 500)]
    scored: usize,
    /// Requests per page measured.
    #[arg(long, default_value_t = 200)]
    requests: usize,
}

/// Provinces of health zone 7 (ขอนแก่น, มหาสารคาม, ร้อยเอ็ด, กาฬสินธุ์).
const PROVINCES: [&str; 4] = ["40", "44", "45", "46"];
const PASSWORD: &str = "รหัสผ่านทดสอบสมรรถนะ-2567";

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let (rt, listener) = bench::fresh(
        "khlang-contest-bench",
        &args.data_dir,
        args.database_url.as_deref(),
    )
    .await?;
    let core = &rt.core;

    let admin = core
        .create_user_from_console("contest-bench", "ผู้ทดสอบสมรรถนะการคัดเลือก", PASSWORD, true)
        .await
        .context("create the bench administrator")?;
    let judge = core
        .create_user_from_console("contest-judge", "กรรมการทดสอบสมรรถนะ", PASSWORD, false)
        .await
        .context("create the bench judge")?;
    let actor = core.actor_for(&admin).await?;
    let tree = core.unit_tree().await?;
    let unit = |code: &str| {
        tree.units()
            .iter()
            .find(|u| u.code.as_str() == code)
            .map(|u| u.id)
            .with_context(|| format!("no reference unit {code}"))
    };
    let centre = unit("DHSS-PHC-NE")?;
    let zone_unit = unit("DHSS-HSS07")?;
    core.grant_role(&actor, judge.id, "viewer", zone_unit)
        .await
        .map_err(fail("give the judge a unit"))?;
    let judge_actor = core.actor_for(&judge).await?;

    let contest = core
        .create_contest(
            &actor,
            &ContestInput {
                unit: centre.to_string(),
                title: "การคัดเลือก อสม.ดีเด่น ปี 2569 (ทดสอบสมรรถนะ)".into(),
                fiscal_year: "2569".into(),
                kind: "volunteer".into(),
            },
        )
        .await
        .map_err(fail("create the contest"))?;
    let branches = core.contest_branches().await.map_err(fail("branches"))?;
    if branches.is_empty() {
        bail!("no branches (the osm_branch taxonomy is empty)");
    }
    let now = core.clock.now();
    let input = RoundInput {
        title: "ระดับเขตสุขภาพที่ 7".into(),
        level: "health_zone".into(),
        unit: centre.to_string(),
        area: "z:7".into(),
        next_round: String::new(),
        opens: local_input(now - time::Duration::hours(1)),
        closes: local_input(now + time::Duration::days(1)),
        branches: branches.iter().map(|b| b.0.to_string()).collect(),
        documents: ["profile", "slides", "photo"]
            .iter()
            .map(|k| DocumentInput {
                key: (*k).into(),
                name: format!("เอกสาร {k}"),
                kinds: vec![],
                max_mb: "20".into(),
                required: true,
            })
            .collect(),
        criteria: [("work", "60"), ("result", "40")]
            .iter()
            .map(|(k, w)| CriterionInput {
                key: (*k).into(),
                name: format!("เกณฑ์ {k}"),
                weight: (*w).into(),
                max_points: "10".into(),
                levels: String::new(),
            })
            .collect(),
        advance: "1".into(),
        tie_breaks: vec!["criterion:result".into(), "chair".into()],
        entry_template: String::new(),
    };
    let round = core
        .create_round(&actor, contest.id, &input)
        .await
        .map_err(fail("create the round"))?;
    core.update_round(&actor, round.id, &input)
        .await
        .map_err(fail("set the round up"))?;
    for (b, _) in &branches {
        core.assign_judge(
            &actor,
            round.id,
            &JudgeInput {
                username: "contest-judge".into(),
                branch: b.to_string(),
                province: "34".into(),
                chair: true,
            },
        )
        .await
        .map_err(fail("assign the judge"))?;
    }
    core.move_round(&actor, round.id, RoundStatus::Open)
        .await
        .map_err(fail("open the round"))?;

    let started = Instant::now();
    let mut entries = Vec::with_capacity(args.entries);
    let mut times = Vec::with_capacity(args.entries);
    let pdf = bench_pdf();
    for i in 0..args.entries {
        let t = Instant::now();
        let (entry, _) = core
            .register_entrant(
                &actor,
                round.id,
                &EntrantInput {
                    branch: branches[i % branches.len()].0.to_string(),
                    kind: "person".into(),
                    new_name: format!("อาสาสมัครทดสอบ คนที่ {i}"),
                    province: PROVINCES[i % PROVINCES.len()].into(),
                    allow_duplicate: Some("1".into()),
                    ..EntrantInput::default()
                },
            )
            .await
            .map_err(fail("register an entrant"))?;
        for key in ["profile", "slides", "photo"] {
            // Each entrant's own bytes: 6,000 distinct files, as in a real round.
            let mut body = pdf.clone();
            body.extend_from_slice(format!("% {key} {i}\n%%EOF\n").as_bytes());
            let stream = futures::stream::once(async move { Ok(Bytes::from(body)) });
            core.add_entry_document(
                &EntryAccess::Officer(&actor),
                Some(entry.id),
                key,
                &format!("{key}-{i}.pdf"),
                Box::pin(stream),
            )
            .await
            .map_err(fail("add a document"))?;
        }
        times.push(t.elapsed());
        entries.push(entry);
        if (i + 1) % 500 == 0 {
            println!(
                "{} entries × 3 documents ({:.1?})",
                i + 1,
                started.elapsed()
            );
        }
    }
    times.sort();
    println!(
        "one entrant registered with 3 documents: p50 {:.2?}, p95 {:.2?}",
        pct(&times, 50),
        pct(&times, 95)
    );
    for to in [RoundStatus::Closed, RoundStatus::Judging] {
        core.move_round(&actor, round.id, to)
            .await
            .map_err(fail("move the round"))?;
    }
    for e in entries.iter().take(args.scored) {
        core.save_scores(
            &judge_actor,
            e.id,
            0,
            &[
                ScoreInput {
                    criterion: "work".into(),
                    points: "7".into(),
                    comment: String::new(),
                },
                ScoreInput {
                    criterion: "result".into(),
                    points: "8".into(),
                    comment: String::new(),
                },
            ],
        )
        .await
        .map_err(fail("score"))?;
    }

    let served = Served::start(rt.clone(), listener)?;
    let base = served.base.clone();
    let organiser = signed_in(&base, "contest-bench").await?;
    let judge_client = signed_in(&base, "contest-judge").await?;
    let id = round.id;
    measure(
        &judge_client,
        &base,
        "judge's list, page 1",
        &judge_list(id, 1),
        args.requests,
    )
    .await?;
    measure(
        &judge_client,
        &base,
        "judge's list, page 20",
        &judge_list(id, 20),
        args.requests,
    )
    .await?;
    measure(
        &organiser,
        &base,
        "round statistics page",
        &format!("/contests/rounds/{id}"),
        args.requests,
    )
    .await?;
    served.stop().await;
    Ok(())
}

fn judge_list(round: RoundId, page: u64) -> String {
    format!("/judging/rounds/{round}?page={page}")
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

/// Bytes that are a PDF by their signature (what the round's kind check reads); nobody
/// opens them here.
fn bench_pdf() -> Vec<u8> {
    b"%PDF-1.4\n% khlang contest bench\n".to_vec()
}
