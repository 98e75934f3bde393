//! `khlang-learning-bench`: the cohort report over a large cohort. Builds a published course of
//! `--lessons` text lessons through the core, `--learners` volunteers over the reference
//! province CDD-P-24's district offices, enrols them as one cohort through the core (one
//! transaction), then gives them varied progress in bulk SQL (a bench-only path: counters on
//! `enrolments` and the matching `lesson_progress` rows), and measures, one request after
//! another (latency, not throughput), the report's first page, a drill-down to one district,
//! a learners page sorted by progress, and the XLSX: p50 and p95.
//!
//! A benchmark, not a test: it never fails on a number. Figures: `docs/learning.md`.
//!
//! ```text
//! cargo run --release --bin khlang-learning-bench -- --learners 10000 --lessons 20 \
//!     --data-dir /tmp/khlang-learning-sqlite
//! cargo run --release --bin khlang-learning-bench -- --learners 10000 --lessons 20 \
//!     --data-dir /tmp/khlang-learning-pg --database-url postgres://postgres@127.0.0.1:5432/bench_learning
//! ```

use anyhow::{Context, bail};
use clap::Parser;
use khlang::bench::{self, Served, fail, measure};
use khlang_core::account::{DisplayName, NewUser, PasswordHashString, Username};
use khlang_core::ids::UnitId;
use khlang_core::learning::cohorts::model::CohortInput;
use khlang_core::learning::model::{CourseFields, LessonBody, LessonFields};
use khlang_core::org::Role;
use sea_orm::{ConnectionTrait, Statement, Value};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "khlang-learning-bench",
    about = "Enrol a cohort of 10,000 learners in a 20-lesson course and measure its report"
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
    #[arg(long, default_value_t = 10_000)]
    learners: usize,
    #[arg(long, default_value_t = 20)]
    lessons: usize,
    /// Measurements of each page.
    #[arg(long, default_value_t = 30)]
    requests: usize,
    /// Keep serving this many seconds after measuring, to look at the pages in a browser
    /// (signed in as `learning-bench` with the bench password).
    #[arg(long, default_value_t = 0)]
    hold: u64,
}

const PASSWORD: &str = "รหัสผ่านทดสอบสมรรถนะ-2567";
const PROVINCE: &str = "CDD-P-24";

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
        None => std::env::temp_dir().join(format!("khlang-learning-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let (rt, listener) =
        bench::fresh("khlang-learning-bench", &dir, args.database_url.as_deref()).await?;
    let core = &rt.core;
    let admin = core
        .create_user_from_console("learning-bench", "ผู้ทดสอบสมรรถนะการเรียนรู้", PASSWORD, true)
        .await
        .context("create the bench administrator")?;
    let actor = core.actor_for(&admin).await?;
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

    // The course, through the core.
    let course = core
        .create_course(
            &actor,
            CourseFields {
                curriculum_id: None,
                title: "หลักสูตรทดสอบสมรรถนะ".into(),
                summary: String::new(),
                unit_id: province,
                minutes: 600,
                open: false,
                sequential: true,
                qualifies_trainers: false,
            },
        )
        .await
        .map_err(fail("create the course"))?;
    for i in 1..=args.lessons {
        core.add_lesson(
            &actor,
            course,
            LessonFields {
                title: format!("บทที่ {i}"),
                body: LessonBody::Text(format!("เนื้อหาบทที่ {i}")),
                required: true,
                minutes: 30,
            },
        )
        .await
        .map_err(fail("add a lesson"))?;
    }
    core.publish_course(&actor, course)
        .await
        .map_err(fail("publish the course"))?;

    // The learners: volunteers (viewers) of the districts, straight into the store (no
    // password hashing; they never sign in).
    let started = Instant::now();
    let all: Vec<usize> = (0..args.learners).collect();
    for chunk in all.chunks(100) {
        let made = futures::future::join_all(chunk.iter().map(|i| {
            let unit = districts[i % districts.len()];
            async move {
                let user = core
                    .store
                    .insert_user(NewUser {
                        username: Username::parse(&format!("osm{i:05}"))
                            .map_err(|e| anyhow::anyhow!(e.message))?,
                        display_name: DisplayName::parse(&format!("อาสาสมัคร ลำดับที่ {i}"))
                            .map_err(|e| anyhow::anyhow!(e.message))?,
                        email: None,
                        phone: None,
                        home_unit_id: Some(unit),
                        site_admin: false,
                        password_hash: PasswordHashString("bench".into()),
                    })
                    .await?;
                core.store.insert_grant(user.id, Role::Viewer, unit).await?;
                anyhow::Ok(())
            }
        }))
        .await;
        for m in made {
            m?;
        }
    }
    println!("{} learners ({:.1?})", args.learners, started.elapsed());

    let started = Instant::now();
    let today = core
        .clock
        .now()
        .to_offset(khlang_core::text::BANGKOK)
        .date();
    let be = |d: time::Date| format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year() + 543);
    let created = core
        .create_cohort(
            &actor,
            course,
            &CohortInput {
                name: "รุ่นทดสอบสมรรถนะ".into(),
                starts: be(today),
                ends: be(today + time::Duration::days(30)),
                unit: province.to_string(),
                units: vec![province.to_string()],
                subtree: true,
                role: "viewer".into(),
            },
        )
        .await
        .map_err(fail("enrol the cohort"))?;
    println!(
        "cohort of {} enrolled, notices sent ({:.1?})",
        created.enrolled,
        started.elapsed()
    );

    // Varied progress, bench-only: learner k has done k mod (lessons + 1) lessons, so about
    // one in 21 has completed; the progress rows match the counters.
    let started = Instant::now();
    let db = &rt.db;
    let backend = db.get_database_backend();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    let n = args.lessons as i64;
    let sql = |s: &str| {
        s.replace("{n}", &n.to_string())
            .replace("{m}", &(n + 1).to_string())
    };
    let run = |s: String, values: Vec<Value>| {
        let s = if backend == sea_orm::DbBackend::Postgres {
            let mut out = String::new();
            let mut k = 0;
            for c in s.chars() {
                if c == '?' {
                    k += 1;
                    out.push_str(&format!("${k}"));
                } else {
                    out.push(c);
                }
            }
            out
        } else {
            s
        };
        db.execute(Statement::from_sql_and_values(backend, s, values))
    };
    run(
        sql(
            "UPDATE enrolments SET lessons_done = id % {m}, required_done = id % {m}, \
             seconds = (id % {m}) * 600, \
             last_ms = CASE WHEN id % {m} = 0 THEN NULL ELSE ? END, \
             score = CASE WHEN id % {m} = {n} THEN 80 + id % 21 ELSE NULL END, \
             completed_ms = CASE WHEN id % {m} = {n} THEN ? ELSE NULL END \
             WHERE cohort_id = ?",
        ),
        vec![now.into(), now.into(), created.id.0.into()],
    )
    .await?;
    run(
        "INSERT INTO lesson_progress (enrolment_id, lesson_id, first_ms, done_ms, seconds, score) \
         SELECT e.id, l.id, ?, ?, 600, NULL FROM enrolments e JOIN course_lessons l \
         ON l.course_id = e.course_id AND l.position <= e.lessons_done WHERE e.cohort_id = ?"
            .to_string(),
        vec![now.into(), now.into(), created.id.0.into()],
    )
    .await?;
    println!("progress written ({:.1?})", started.elapsed());

    let served = Served::start(rt.clone(), listener)?;
    let base = served.base.clone();
    let client = signed_in(&base, "learning-bench").await?;
    let id = created.id;
    measure(
        &client,
        &base,
        "cohort report, first page",
        &format!("/learn/cohorts/{id}"),
        args.requests,
    )
    .await?;
    measure(
        &client,
        &base,
        "cohort report, one district",
        &format!("/learn/cohorts/{id}?unit={}", districts[0]),
        args.requests,
    )
    .await?;
    measure(
        &client,
        &base,
        "learners by progress, page 100",
        &format!("/learn/cohorts/{id}?sort=progress_asc&page=100"),
        args.requests,
    )
    .await?;
    measure(
        &client,
        &base,
        "cohort XLSX (every learner)",
        &format!("/learn/cohorts/{id}.xlsx"),
        args.requests,
    )
    .await?;
    if args.hold > 0 {
        // Contributors outside the cohort (it enrolled viewers), so the new-cohort form's dry
        // run has someone to count.
        for i in 0..48 {
            let unit = districts[i % 2];
            let user = core
                .store
                .insert_user(NewUser {
                    username: Username::parse(&format!("writer{i:02}"))
                        .map_err(|e| anyhow::anyhow!(e.message))?,
                    display_name: DisplayName::parse(&format!("ผู้ส่งองค์ความรู้ {i}"))
                        .map_err(|e| anyhow::anyhow!(e.message))?,
                    email: None,
                    phone: None,
                    home_unit_id: Some(unit),
                    site_admin: false,
                    password_hash: PasswordHashString("bench".into()),
                })
                .await?;
            core.store
                .insert_grant(user.id, Role::Contributor, unit)
                .await?;
        }
        println!(
            "serving {base} for {} s: /learn/courses/{course}/cohorts/new, /learn/cohorts/{id}",
            args.hold
        );
        tokio::time::sleep(std::time::Duration::from_secs(args.hold)).await;
    }
    served.stop().await;
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
