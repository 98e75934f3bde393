//! Issue 15, the knowledge book (หนังสือองค์ความรู้): an officer chooses published items and
//! orders them, the PDF is built in a background job with progress, and the download is a
//! PDF with the cover, the table of contents and the items in order. Refusals change nothing:
//! an unreadable item, too many items, the wrong role. Jobs are private to their owner, a job
//! whose process died is taken over, and a failed job says why in Thai and leaves no file.

use super::*;
use bytes::Bytes;
use khlang_core::ids::ItemId;
use khlang_core::item::{ItemInput, Transition};
use khlang_core::jobs::model::LEASE;
use khlang_core::jobs::{Job, JobId, JobState};
use khlang_core::org::Actor;
use khlang_testkit::{PASSWORD, TestApp, spawn_app, spawn_node_beside};

const UNIT: &str = "DHSS-PHC";
const OTHER_UNIT: &str = "CDD-P-24";
const TITLES: [&str; 3] = [
    "การดูแลผู้สูงอายุติดเตียงโดยอาสาสมัครสาธารณสุข",
    "นวัตกรรมไม้เท้าช่วยเดินจากท่อพีวีซี",
    "ถอดบทเรียนการคัดกรองเบาหวานในชุมชน",
];

struct Team {
    author: Actor,
    reviewer: Actor,
    officer: Actor,
}

async fn actor(app: &TestApp, username: &str, unit: &str, role: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

async fn team(app: &TestApp) -> Team {
    Team {
        author: actor(app, "writer", UNIT, "contributor").await,
        reviewer: actor(app, "screener", UNIT, "reviewer").await,
        officer: actor(app, "officer", UNIT, "km_officer").await,
    }
}

/// A draft of `UNIT` with a body in Markdown.
async fn draft(app: &TestApp, t: &Team, title: &str, visibility: &str) -> ItemId {
    app.core()
        .create_item(
            &t.author,
            &ItemInput {
                title: title.into(),
                summary: "สรุปสาระสำคัญของเรื่องนี้สำหรับผู้อ่าน".into(),
                body: "## ความเป็นมา\n\nชุมชนร่วมกันดูแลผู้ป่วยที่บ้าน\n\n- ขั้นที่หนึ่ง\n- ขั้นที่สอง".into(),
                authors: vec!["สมศรี ใจดี".into()],
                unit_id: app.unit_id(UNIT).await.to_string(),
                visibility: visibility.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

async fn publish(app: &TestApp, t: &Team, id: ItemId) {
    app.core()
        .transition(&t.author, id, Transition::Submit, "")
        .await
        .unwrap();
    app.core()
        .transition(&t.reviewer, id, Transition::Approve, "")
        .await
        .unwrap();
}

/// Three published items; the second with a phone photo (GPS in its EXIF).
async fn three_items(app: &TestApp, t: &Team) -> Vec<ItemId> {
    let mut ids = Vec::new();
    for (i, title) in TITLES.iter().enumerate() {
        let id = draft(app, t, title, "public").await;
        if i == 1 {
            let photo = khlang_media::fixtures::photo_with_gps(640, 480, 7);
            let body = futures::stream::once(async move { Ok(Bytes::from(photo)) });
            app.core()
                .attach_file(&t.author, id, "ไม้เท้า.jpg", Box::pin(body), 64 << 20)
                .await
                .unwrap();
        }
        publish(app, t, id).await;
        ids.push(id);
    }
    ids
}

/// POSTs the book form (with its CSRF token) and returns the response.
async fn post_book(
    app: &TestApp,
    client: &Client,
    fields: &[(&str, String)],
) -> khlang_testkit::reqwest::Response {
    let csrf = app.csrf(client, "/books/new").await;
    let mut form: Vec<(&str, String)> = vec![("csrf", csrf)];
    form.extend(fields.iter().cloned());
    client
        .post(app.url("/books/new"))
        .form(&form)
        .send()
        .await
        .expect("POST")
}

fn book_fields(ids: &[ItemId], unit: i64) -> Vec<(&'static str, String)> {
    let mut f = vec![
        ("action", "build".to_string()),
        ("title", "หนังสือองค์ความรู้ ประจำปีงบประมาณ ๒๕๖๘".to_string()),
        ("subtitle", "รวมเรื่องเล่าจากการปฏิบัติงาน".to_string()),
        (
            "foreword",
            "หนังสือเล่มนี้รวบรวมความรู้จากการปฏิบัติงานจริง".to_string(),
        ),
        ("unit_id", unit.to_string()),
        ("fiscal_year", "2568".to_string()),
        ("paper", "a4".to_string()),
        ("digits", "thai".to_string()),
    ];
    for id in ids {
        f.push(("item", id.0.to_string()));
    }
    f
}

fn job_of_location(res: &khlang_testkit::reqwest::Response) -> JobId {
    let loc = location(res);
    let id = loc
        .strip_prefix("/jobs/")
        .unwrap_or_else(|| panic!("not a job page: {loc}"));
    JobId(id.parse().unwrap())
}

async fn job(app: &TestApp, owner: &Actor, id: JobId) -> Job {
    app.core().job(owner, id).await.unwrap()
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{200B}')
        .collect()
}

fn pdf_text(pdf: &[u8]) -> String {
    let text = khlang_extract::extract(
        khlang_extract::Format::Pdf,
        pdf,
        &khlang_extract::Limits::default(),
    )
    .expect("text of the PDF")
    .text;
    squeeze(&text)
}

#[tokio::test]
async fn a_book_of_three_items_is_built_in_the_background_and_downloads_as_a_pdf() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    let client = app.sign_in("officer", PASSWORD).await;
    // The officer's order: third, first, second.
    let order = [ids[2], ids[0], ids[1]];
    let res = post_book(&app, &client, &book_fields(&order, app.unit_id(UNIT).await)).await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let id = job_of_location(&res);

    // Queued: the page polls (htmx) and reloads itself without JavaScript.
    let page = client
        .get(app.url(&format!("/jobs/{}", id.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = body(page).await;
    assert!(html.contains("รอคิว"), "{html}");
    assert!(html.contains("hx-trigger=\"every 2s\""));
    assert!(html.contains("http-equiv=\"refresh\""));
    assert_eq!(job(&app, &t.officer, id).await.state, JobState::Queued);
    let nothing = client
        .get(app.url(&format!("/jobs/{}/download", id.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(nothing.status(), 404, "no file before it is done");

    assert_eq!(app.core().run_pending_jobs().await.unwrap(), 1);
    let done = job(&app, &t.officer, id).await;
    assert_eq!(done.state, JobState::Done, "{:?}", done.error);
    assert_eq!(done.progress.percent(), 100);
    let part = client
        .get(app.url(&format!("/jobs/{}/progress", id.0)))
        .send()
        .await
        .unwrap();
    let html = body(part).await;
    assert!(
        html.contains("เสร็จแล้ว") && html.contains("ดาวน์โหลด"),
        "{html}"
    );
    assert!(!html.contains("hx-trigger"), "polling stops when done");

    let res = client
        .get(app.url(&format!("/jobs/{}/download", id.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    if let Ok(path) = std::env::var("KHLANG_BOOK_PDF_OUT") {
        std::fs::write(path, &pdf).unwrap();
    }
    // The picture is the copy without metadata: no EXIF (GPS) reaches the book.
    assert!(!pdf.windows(6).any(|w| w == b"Exif\0\0"), "EXIF in the PDF");
    let text = pdf_text(&pdf);
    assert!(text.contains(&squeeze("สารบัญ")), "{text}");
    assert!(text.contains(&squeeze("หนังสือองค์ความรู้ ประจำปีงบประมาณ")));
    assert!(text.contains(&squeeze("คำนำ")));
    let titles = [TITLES[2], TITLES[0], TITLES[1]].map(squeeze);
    // Each title twice: in the table of contents, then on its page; both times in order.
    let mut firsts = Vec::new();
    let mut seconds = Vec::new();
    for t in &titles {
        let first = text
            .find(t.as_str())
            .unwrap_or_else(|| panic!("{t} in {text}"));
        let second = text[first + t.len()..]
            .find(t.as_str())
            .map(|p| p + first + t.len())
            .unwrap_or_else(|| panic!("{t} only once"));
        firsts.push(first);
        seconds.push(second);
    }
    assert!(firsts.windows(2).all(|w| w[0] < w[1]), "contents in order");
    assert!(seconds.windows(2).all(|w| w[0] < w[1]), "pages in order");
    assert!(firsts[2] < seconds[0], "contents before the items");
    assert!(text.contains(&squeeze("สแกนเพื่ออ่านฉบับออนไลน์")));
    assert!(text.contains(&format!("/items/{}", ids[2].0)), "QR address");
    app.stop().await;
}

#[tokio::test]
async fn items_are_chosen_by_unit_and_ordered_with_buttons() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    let hidden = draft(&app, &t, "ร่างที่ยังไม่เผยแพร่", "public").await;
    let client = app.sign_in("officer", PASSWORD).await;
    let unit = app.unit_id(UNIT).await.to_string();
    let res = post_book(
        &app,
        &client,
        &[
            ("action", "find".into()),
            ("sel_unit", unit.clone()),
            ("sel_subunits", "on".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    for title in TITLES {
        assert!(html.contains(title), "{title} found");
    }
    assert!(!html.contains("ร่างที่ยังไม่เผยแพร่"), "drafts are not offered");
    assert!(!html.contains(&format!("name=\"pick\" value=\"{}\"", hidden.0)));
    for id in &ids {
        assert!(html.contains(&format!("name=\"pick\" value=\"{}\"", id.0)));
    }

    // Add all three, then move the last one up: 0, 2, 1.
    let mut fields: Vec<(&str, String)> = vec![("action", "add".into())];
    for id in &ids {
        fields.push(("pick", id.0.to_string()));
    }
    let html = body(post_book(&app, &client, &fields).await).await;
    assert!(html.contains("เพิ่ม ๓ เรื่องแล้ว"), "{html}");
    let mut fields: Vec<(&str, String)> = vec![("action", format!("up:{}", ids[2].0))];
    for id in &ids {
        fields.push(("item", id.0.to_string()));
    }
    let html = body(post_book(&app, &client, &fields).await).await;
    let at = |id: ItemId| {
        html.find(&format!("name=\"item\" value=\"{}\"", id.0))
            .unwrap()
    };
    assert!(
        at(ids[0]) < at(ids[2]) && at(ids[2]) < at(ids[1]),
        "moved up"
    );

    // The numbers typed beside them sort them.
    let mut fields: Vec<(&str, String)> = vec![("action", "renumber".into())];
    for (id, n) in ids.iter().zip(["3", "๑", "2"]) {
        fields.push(("item", id.0.to_string()));
        fields.push(("order", n.to_string()));
    }
    let html = body(post_book(&app, &client, &fields).await).await;
    let at = |id: ItemId| {
        html.find(&format!("name=\"item\" value=\"{}\"", id.0))
            .unwrap()
    };
    assert!(
        at(ids[1]) < at(ids[2]) && at(ids[2]) < at(ids[0]),
        "renumbered"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unreadable_or_unpublished_item_is_refused_and_nothing_is_queued() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    // A unit-only item of another unit: published, but the officer may not read it.
    let outsider = actor(&app, "far.writer", OTHER_UNIT, "contributor").await;
    let far_reviewer = actor(&app, "far.screener", OTHER_UNIT, "reviewer").await;
    let secret = app
        .core()
        .create_item(
            &outsider,
            &ItemInput {
                title: "เรื่องภายในของหน่วยงานอื่น".into(),
                unit_id: app.unit_id(OTHER_UNIT).await.to_string(),
                visibility: "unit".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    app.core()
        .transition(&outsider, secret, Transition::Submit, "")
        .await
        .unwrap();
    app.core()
        .transition(&far_reviewer, secret, Transition::Approve, "")
        .await
        .unwrap();
    let draft_id = draft(&app, &t, "ร่างของเรา", "public").await;
    let client = app.sign_in("officer", PASSWORD).await;
    let unit = app.unit_id(UNIT).await;
    for bad in [secret, draft_id, ItemId(999_999)] {
        let res = post_book(&app, &client, &book_fields(&[ids[0], bad], unit)).await;
        assert_eq!(res.status(), 422);
        let html = body(res).await;
        assert!(html.contains("ไม่ได้เผยแพร่ หรือท่านไม่มีสิทธิ์อ่าน"), "{html}");
        assert!(
            !html.contains("เรื่องภายในของหน่วยงานอื่น"),
            "the title stays hidden"
        );
    }
    assert!(app.core().my_jobs(&t.officer).await.unwrap().is_empty());
    assert_eq!(app.core().run_pending_jobs().await.unwrap(), 0);
    app.stop().await;
}

#[tokio::test]
async fn a_book_of_500_items_is_refused_before_anything_is_queued() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    let client = app.sign_in("officer", PASSWORD).await;
    let mut many: Vec<ItemId> = ids.clone();
    many.extend((1..=497).map(|i| ItemId(1_000_000 + i)));
    let res = post_book(&app, &client, &book_fields(&many, app.unit_id(UNIT).await)).await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("ไม่เกิน ๒๐๐ เรื่อง แต่เลือกไว้ ๕๐๐ เรื่อง"), "{html}");
    assert!(app.core().my_jobs(&t.officer).await.unwrap().is_empty());
    assert_eq!(app.core().run_pending_jobs().await.unwrap(), 0);
    app.stop().await;
}

#[tokio::test]
async fn only_km_officers_and_unit_admins_build_books() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    let unit = app.unit_id(UNIT).await;
    app.user_with_role("unit.admin", UNIT, "admin").await;
    app.user_with_role("reader", UNIT, "viewer").await;
    for (who, allowed) in [
        ("officer", true),
        ("unit.admin", true),
        ("screener", false),
        ("writer", false),
        ("reader", false),
    ] {
        let client = app.sign_in(who, PASSWORD).await;
        let page = client.get(app.url("/books/new")).send().await.unwrap();
        assert_eq!(page.status() == 200, allowed, "{who} sees /books/new");
        if !allowed {
            assert_eq!(page.status(), 403, "{who}");
            // Not even a forged form queues a book.
            let csrf = app.csrf(&client, "/account").await;
            let mut form = vec![("csrf", csrf)];
            form.extend(book_fields(&ids, unit));
            let res = client
                .post(app.url("/books/new"))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 403, "{who} posts");
        }
    }
    // Of another unit: may not publish a book in this unit's name.
    actor(&app, "far.officer", OTHER_UNIT, "km_officer").await;
    let client = app.sign_in("far.officer", PASSWORD).await;
    let res = post_book(&app, &client, &book_fields(&ids, unit)).await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.core().run_pending_jobs().await.unwrap(), 0);
    let anonymous = app.client();
    let res = anonymous.get(app.url("/books/new")).send().await.unwrap();
    assert_ne!(res.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_job_is_seen_only_by_its_owner_and_site_admins() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    let client = app.sign_in("officer", PASSWORD).await;
    let res = post_book(&app, &client, &book_fields(&ids, app.unit_id(UNIT).await)).await;
    let id = job_of_location(&res);
    app.core().run_pending_jobs().await.unwrap();
    let other = actor(&app, "officer2", UNIT, "km_officer").await;
    let other_client = app.sign_in("officer2", PASSWORD).await;
    for path in ["", "/progress", "/download"] {
        let res = other_client
            .get(app.url(&format!("/jobs/{}{path}", id.0)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    assert!(app.core().job(&other, id).await.is_err());
    let listed = body(other_client.get(app.url("/jobs")).send().await.unwrap()).await;
    assert!(!listed.contains(&format!("/jobs/{}\"", id.0)));
    let mine = body(client.get(app.url("/jobs")).send().await.unwrap()).await;
    assert!(mine.contains(&format!("/jobs/{}\"", id.0)), "{mine}");
    let admin = app.admin().await;
    let res = admin
        .get(app.url(&format!("/jobs/{}/download", id.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let anonymous = app.client();
    let res = anonymous
        .get(app.url(&format!("/jobs/{}/download", id.0)))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_job_whose_process_died_is_taken_over_after_its_lease() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    let client = app.sign_in("officer", PASSWORD).await;
    let res = post_book(&app, &client, &book_fields(&ids, app.unit_id(UNIT).await)).await;
    let id = job_of_location(&res);
    // A process claims it and dies before doing anything.
    let claimed = app
        .core()
        .claim_next_job("a-process-that-died")
        .await
        .unwrap();
    assert_eq!(claimed.map(|j| j.id), Some(id));
    assert_eq!(job(&app, &t.officer, id).await.state, JobState::Running);
    // Within the lease nobody else touches it.
    assert_eq!(app.core().run_pending_jobs().await.unwrap(), 0);
    assert_eq!(job(&app, &t.officer, id).await.state, JobState::Running);
    app.move_clock(LEASE.whole_seconds() + 60);
    // Another node on the same database takes it over, once.
    let other = spawn_node_beside(&app).await;
    let (a, b) = tokio::join!(
        app.core().run_pending_jobs(),
        other.core().run_pending_jobs()
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "run exactly once");
    let done = job(&app, &t.officer, id).await;
    assert_eq!(done.state, JobState::Done, "{:?}", done.error);
    assert_eq!(done.attempts, 2);
    other.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn two_processes_never_run_one_job_twice() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    let client = app.sign_in("officer", PASSWORD).await;
    let unit = app.unit_id(UNIT).await;
    for _ in 0..2 {
        let res = post_book(&app, &client, &book_fields(&ids[..1], unit)).await;
        assert_eq!(res.status(), 303);
    }
    let other = spawn_node_beside(&app).await;
    let (a, b) = tokio::join!(
        app.core().run_pending_jobs(),
        other.core().run_pending_jobs()
    );
    assert_eq!(a.unwrap() + b.unwrap(), 2);
    let jobs = app.core().my_jobs(&t.officer).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(
        jobs.iter()
            .all(|j| j.state == JobState::Done && j.attempts == 1)
    );
    // One file per job in storage, none left over.
    let files = app.core().blobs.list_under("jobs").await.unwrap();
    assert_eq!(files.len(), 2, "{files:?}");
    other.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_failed_job_says_why_in_thai_and_leaves_no_file() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let ids = three_items(&app, &t).await;
    let client = app.sign_in("officer", PASSWORD).await;
    let res = post_book(&app, &client, &book_fields(&ids, app.unit_id(UNIT).await)).await;
    let id = job_of_location(&res);
    // Archived after the book was queued: the book cannot be made whole.
    app.core()
        .transition(&t.officer, ids[1], Transition::Archive, "")
        .await
        .unwrap();
    assert_eq!(app.core().run_pending_jobs().await.unwrap(), 1);
    let failed = job(&app, &t.officer, id).await;
    assert_eq!(failed.state, JobState::Failed);
    assert!(failed.result.is_none());
    let message = failed.error.unwrap();
    assert!(message.contains("ไม่ได้เผยแพร่แล้ว"), "{message}");
    let page = body(
        client
            .get(app.url(&format!("/jobs/{}", id.0)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("ไม่สำเร็จ") && page.contains("ไม่ได้เผยแพร่แล้ว"));
    assert!(!page.contains("/download"));
    let res = client
        .get(app.url(&format!("/jobs/{}/download", id.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        app.core()
            .blobs
            .list_under("jobs")
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}
