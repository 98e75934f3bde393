//! Usage statistics (issue 15): views of item pages and downloads of files, counted as COUNTER
//! counts them — robots and empty user agents left out, a repeat by the same client within
//! 30 s counted once (the window moves with the core's clock), a draft never counted, a
//! video's later chunks not counted as downloads — with no address kept anywhere; /stats and
//! its workbook agree with what was recorded and roll children up into their parent, for
//! officers only; the home page's most-read and most-applied lists show only what the visitor
//! may read.

use super::{body, location, member};
use khlang_core::ids::{FileId, ItemId, UnitId};
use khlang_core::item::{ItemInput, Transition};
use khlang_core::org::Actor;
use khlang_core::usage::{Client as UsageClient, Hit};
use khlang_testkit::reqwest::{Client, Response};
use khlang_testkit::{TestApp, spawn_app};
use sea_orm::{ConnectionTrait, Statement};

const PROVINCE: &str = "CDD-P-24";
const D01: &str = "CDD-P-24-D01";
const D02: &str = "CDD-P-24-D02";
const BROWSER: &str = "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn actor(app: &TestApp, username: &str, role: &str, unit: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

async fn draft(app: &TestApp, by: &Actor, title: &str, visibility: &str, unit: &str) -> ItemId {
    app.core()
        .create_item(
            by,
            &ItemInput {
                title: title.into(),
                summary: "สรุปย่อ".into(),
                knowledge_type: "tacit".into(),
                visibility: visibility.into(),
                unit_id: app.unit_id(unit).await.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

async fn publish(app: &TestApp, author: &Actor, reviewer: &Actor, id: ItemId) {
    for (who, t) in [
        (author, Transition::Submit),
        (reviewer, Transition::Approve),
    ] {
        app.core().transition(who, id, t, "").await.unwrap();
    }
}

/// A GET as a browser at `address` (behind the local proxy that tests connect through).
async fn get_as(
    app: &TestApp,
    c: &Client,
    path: &str,
    agent: Option<&str>,
    address: &str,
    range: Option<&str>,
) -> Response {
    let mut req = c.get(app.url(path)).header("x-forwarded-for", address);
    if let Some(a) = agent {
        req = req.header("user-agent", a);
    }
    if let Some(r) = range {
        req = req.header("range", r);
    }
    req.send().await.unwrap()
}

async fn view(app: &TestApp, c: &Client, id: ItemId, agent: Option<&str>, address: &str) -> String {
    let res = get_as(app, c, &format!("/items/{id}"), agent, address, None).await;
    assert_eq!(res.status(), 200);
    body(res).await
}

async fn counts(app: &TestApp, id: ItemId) -> (u64, u64) {
    let c = app.core().item_use(id).await.unwrap();
    (c.views, c.downloads)
}

async fn texts(app: &TestApp, sql: &str) -> Vec<Vec<String>> {
    let db = &app.runtime.db;
    db.query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let fp: String = r.try_get("", "fingerprint").unwrap();
            let seen: i64 = r.try_get("", "seen_ms").unwrap();
            vec![fp, seen.to_string()]
        })
        .collect()
}

#[tokio::test]
async fn views_count_once_per_client_and_window_and_never_for_robots_or_drafts() {
    let app = spawn_app().await;
    let officer = actor(&app, "officer", "km_officer", D01).await;
    let reviewer = actor(&app, "reviewer", "reviewer", PROVINCE).await;
    let id = draft(&app, &officer, "คู่มือการทำปุ๋ยหมัก", "public", D01).await;
    publish(&app, &officer, &reviewer, id).await;
    let hidden = draft(&app, &officer, "ร่างที่ยังไม่เผยแพร่", "public", D01).await;
    let a = app.client();
    let b = app.client();

    // Robots: by name, and with no user agent at all.
    for agent in [
        Some("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
        Some("facebookexternalhit/1.1"),
        Some("curl/8.5.0"),
        Some(""),
        None,
    ] {
        view(&app, &a, id, agent, "203.0.113.10").await;
    }
    // HEAD asks about the page without reading it.
    let res = a
        .head(app.url(&format!("/items/{id}")))
        .header("user-agent", BROWSER)
        .header("x-forwarded-for", "203.0.113.20")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(counts(&app, id).await, (0, 0));

    // A reader: once, however often within 30 s; the page shows the count.
    let html = view(&app, &a, id, Some(BROWSER), "203.0.113.10").await;
    assert!(html.contains("เปิดอ่าน 1 ครั้ง · ดาวน์โหลด 0 ครั้ง"), "{html}");
    for _ in 0..3 {
        view(&app, &a, id, Some(BROWSER), "203.0.113.10").await;
    }
    assert_eq!(counts(&app, id).await, (1, 0));
    // Another client (another address) counts on its own.
    view(&app, &b, id, Some(BROWSER), "203.0.113.11").await;
    assert_eq!(counts(&app, id).await, (2, 0));

    // After the window, the first reader counts again; a repeat 14 s later does not.
    app.move_clock(31);
    view(&app, &a, id, Some(BROWSER), "203.0.113.10").await;
    assert_eq!(counts(&app, id).await, (3, 0));
    app.move_clock(45);
    let html = view(&app, &a, id, Some(BROWSER), "203.0.113.10").await;
    assert_eq!(counts(&app, id).await, (3, 0));
    assert!(html.contains("เปิดอ่าน 3 ครั้ง"), "{html}");

    // The editor previewing a draft: nothing counted, nothing shown.
    let editor = app.sign_in("officer", khlang_testkit::PASSWORD).await;
    let html = view(&app, &editor, hidden, Some(BROWSER), "203.0.113.12").await;
    assert!(!html.contains("เปิดอ่าน"), "{html}");
    assert_eq!(counts(&app, hidden).await, (0, 0));
    // Even asked straight, the core counts no draft.
    let counted = app
        .core()
        .record_use(
            &UsageClient {
                address: "203.0.113.13".into(),
                user_agent: Some(BROWSER.into()),
                session: None,
            },
            Hit::View(hidden),
        )
        .await
        .unwrap();
    assert!(!counted);
    assert_eq!(counts(&app, hidden).await, (0, 0));

    // No address anywhere: the window holds keyed hashes only, and forgets them after 30 s.
    let recent = texts(&app, "SELECT fingerprint, seen_ms FROM usage_recent").await;
    assert!(!recent.is_empty());
    for row in &recent {
        assert_eq!(row[0].len(), 64, "{row:?}");
        assert!(row[0].chars().all(|c| c.is_ascii_hexdigit()), "{row:?}");
        for addr in ["203.0.113", "127.0.0.1", "Mozilla"] {
            assert!(!row.iter().any(|v| v.contains(addr)), "{row:?}");
        }
    }
    let db = &app.runtime.db;
    let backend = db.get_database_backend();
    let dump = db
        .query_all(Statement::from_string(
            backend,
            "SELECT item_id, file_id, day, views, downloads FROM usage_daily",
        ))
        .await
        .unwrap();
    assert_eq!(dump.len(), 1, "one row: the item's page, today");
    app.move_clock(45 + 31);
    assert!(app.core().forget_usage_window().await.unwrap() >= 1);
    assert!(
        texts(&app, "SELECT fingerprint, seen_ms FROM usage_recent")
            .await
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn downloads_count_from_the_first_byte_only() {
    let app = spawn_app().await;
    let author = khlang_testkit::ApiCaller::user(&app, "writer", &[("km_officer", D01)]).await;
    let reviewer = actor(&app, "reviewer", "reviewer", PROVINCE).await;
    let unit = app.unit_id(D01).await;
    let id = author
        .draft(unit, serde_json::json!({"visibility": "public"}))
        .await;
    let res = author.upload(id, "คู่มือ.pdf", PDF).await;
    assert_eq!(res.status(), 201);
    let file: serde_json::Value = res.json().await.unwrap();
    let file = file["file_id"].as_i64().unwrap();
    let name = khlang_core::account::Username::parse("writer").unwrap();
    let (user, _) = app
        .core()
        .store
        .user_by_username(&name)
        .await
        .unwrap()
        .unwrap();
    let writer = app.core().actor_for(&user).await.unwrap();
    let id = ItemId(id);
    publish(&app, &writer, &reviewer, id).await;
    let c = app.client();
    let path = format!("/files/{file}");

    // The whole file: counted.
    let res = get_as(&app, &c, &path, Some(BROWSER), "198.51.100.1", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(counts(&app, id).await, (0, 1));
    // A video player's later chunk from another client: not a download.
    let res = get_as(
        &app,
        &c,
        &path,
        Some(BROWSER),
        "198.51.100.2",
        Some("bytes=10-20"),
    )
    .await;
    assert_eq!(res.status(), 206);
    assert_eq!(counts(&app, id).await, (0, 1));
    // A range from the first byte: counted.
    let res = get_as(
        &app,
        &c,
        &path,
        Some(BROWSER),
        "198.51.100.3",
        Some("bytes=0-9"),
    )
    .await;
    assert_eq!(res.status(), 206);
    assert_eq!(counts(&app, id).await, (0, 2));
    // HEAD, a robot, and the first client again by the named link within 30 s: not counted.
    let res = c
        .head(app.url(&path))
        .header("user-agent", BROWSER)
        .header("x-forwarded-for", "198.51.100.4")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    get_as(&app, &c, &path, Some("Wget/1.21"), "198.51.100.5", None).await;
    let named = format!("/files/{file}/%E0%B8%84%E0%B8%B9%E0%B9%88%E0%B8%A1%E0%B8%B7%E0%B8%AD.pdf");
    let res = get_as(&app, &c, &named, Some(BROWSER), "198.51.100.1", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(counts(&app, id).await, (0, 2));
    // After the window it counts again.
    app.move_clock(40);
    get_as(&app, &c, &named, Some(BROWSER), "198.51.100.1", None).await;
    assert_eq!(counts(&app, id).await, (0, 3));
    let html = view(&app, &c, id, Some(BROWSER), "198.51.100.1").await;
    assert!(html.contains("เปิดอ่าน 1 ครั้ง · ดาวน์โหลด 3 ครั้ง"), "{html}");
    // Per file and day: the download rows name the file.
    let db = &app.runtime.db;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT file_id, downloads FROM usage_daily WHERE downloads > 0",
        ))
        .await
        .unwrap();
    let per_file: Vec<(i64, i64)> = rows
        .iter()
        .map(|r| {
            (
                r.try_get("", "file_id").unwrap(),
                r.try_get("", "downloads").unwrap(),
            )
        })
        .collect();
    assert_eq!(per_file, vec![(file, 3)]);
    let _ = FileId(file);
    app.stop().await;
}

/// Records `n` views of `id`, each by a different client.
async fn views_by_many(app: &TestApp, id: ItemId, n: u32, tag: &str) {
    for i in 0..n {
        let client = UsageClient {
            address: format!("192.0.2.{i}"),
            user_agent: Some(format!("{BROWSER} {tag}")),
            session: None,
        };
        assert!(app.core().record_use(&client, Hit::View(id)).await.unwrap());
    }
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status().as_u16(), body(res).await)
}

fn sheet_cells(bytes: Vec<u8>) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("สถิติการใช้งาน").unwrap();
    sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn stats_roll_children_up_agree_with_the_workbook_and_are_for_officers_only() {
    use khlang_core::recognition::sharing::fiscal_month;
    use khlang_core::text::fiscal_year_be;
    let app = spawn_app().await;
    let o1 = actor(&app, "officer1", "km_officer", D01).await;
    let o2 = actor(&app, "officer2", "km_officer", D02).await;
    let reviewer = actor(&app, "reviewer", "reviewer", PROVINCE).await;
    let province = app.unit_id(PROVINCE).await;
    let (d01, d02) = (app.unit_id(D01).await, app.unit_id(D02).await);
    let first = draft(&app, &o1, "การออมทรัพย์กลุ่มแม่บ้าน", "public", D01).await;
    let second = draft(&app, &o1, "ตลาดชุมชนวันเสาร์", "unit", D01).await;
    let third = draft(&app, &o2, "ผ้าทอมือบ้านนา", "public", D02).await;
    for (who, id) in [(&o1, first), (&o1, second), (&o2, third)] {
        publish(&app, who, &reviewer, id).await;
    }
    views_by_many(&app, first, 5, "a").await;
    views_by_many(&app, second, 2, "b").await;
    views_by_many(&app, third, 3, "c").await;

    let now = app.core().clock.now();
    let (fy, m) = (fiscal_year_be(now), fiscal_month(now));
    let chief = actor(&app, "chief", "km_officer", PROVINCE).await;
    let r = app
        .core()
        .usage_report(&chief, Some(UnitId(province)), Some(fy))
        .await
        .unwrap();
    let row = |u: i64| r.rows.iter().find(|x| x.unit_id.0 == u).unwrap().counts;
    assert_eq!(r.rows[0].unit_id.0, province);
    assert_eq!(row(province).views[m], 10);
    assert_eq!(row(d01).views[m], 7);
    assert_eq!(row(d02).views[m], 3);
    // The parent is the sum of its children, month by month.
    let children: Vec<_> = r.rows.iter().skip(1).collect();
    for month in 0..12 {
        let sum: u64 = children.iter().map(|c| c.counts.views[month]).sum();
        assert_eq!(row(province).views[month], sum, "month {month}");
    }
    assert_eq!(
        r.top
            .iter()
            .map(|t| (t.item_id, t.views))
            .collect::<Vec<_>>(),
        vec![(first, 5), (third, 3), (second, 2)]
    );

    // The page and the workbook say the same.
    let c = app.sign_in("chief", khlang_testkit::PASSWORD).await;
    let (s, html) = page(&app, &c, &format!("/stats?unit={province}&year={fy}")).await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("<strong id=\"total-views\">10</strong>"),
        "{html}"
    );
    assert!(html.contains("<svg") && html.contains("(รวมทั้งสังกัด)"));
    assert!(html.contains(&format!("href=\"/items/{first}\"")));
    assert!(!html.contains("ผู้ใช้ officer1"));
    let res = c
        .get(app.url(&format!("/stats.xlsx?unit={province}&year={fy}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cells = sheet_cells(res.bytes().await.unwrap().to_vec());
    let unit_rows: Vec<&Vec<String>> = cells
        .iter()
        .filter(|r| r.len() >= 14 && r.first().is_some_and(|c| !c.is_empty()))
        .collect();
    let whole = unit_rows
        .iter()
        .find(|r| r[0].ends_with("(รวมทั้งสังกัด)"))
        .expect("the unit's row");
    assert_eq!(whole[1 + m], "10");
    assert_eq!(whole[13], "10");
    let d01_name = app
        .core()
        .unit_tree()
        .await
        .unwrap()
        .get(UnitId(d01))
        .unwrap()
        .name_th
        .as_str()
        .to_string();
    let d01_row = unit_rows
        .iter()
        .find(|r| r[0] == d01_name)
        .expect("D01's row");
    assert_eq!(d01_row[13], "7");
    assert!(
        cells
            .iter()
            .any(|r| r.first().is_some_and(|c| c == "การออมทรัพย์กลุ่มแม่บ้าน")
                && r.get(2).is_some_and(|v| v == "5"))
    );

    // Who may: officers and admins of the unit, site admins. Not members, nor other districts.
    app.user_with_role("unitadmin", PROVINCE, "admin").await;
    let unitadmin = app.sign_in("unitadmin", khlang_testkit::PASSWORD).await;
    let (s, _) = page(&app, &unitadmin, &format!("/stats?unit={province}")).await;
    assert_eq!(s, 200);
    let admin = app.admin().await;
    let (s, html) = page(&app, &admin, &format!("/stats?unit={province}&year={fy}")).await;
    assert_eq!(s, 200);
    assert!(html.contains("<strong id=\"total-views\">10</strong>"));
    for (name, role) in [
        ("plain", "contributor"),
        ("reader", "viewer"),
        ("screen", "reviewer"),
    ] {
        let c = member(&app, name, PROVINCE, role).await;
        for path in ["/stats".to_string(), format!("/stats.xlsx?unit={province}")] {
            let (s, _) = page(&app, &c, &path).await;
            assert_eq!(s, 403, "{role} {path}");
        }
    }
    let other = app.sign_in("officer2", khlang_testkit::PASSWORD).await;
    let (s, _) = page(&app, &other, &format!("/stats?unit={province}")).await;
    assert_eq!(s, 403);
    let (s, html) = page(&app, &other, "/stats").await;
    assert_eq!(s, 200);
    assert!(
        html.contains("<strong id=\"total-views\">3</strong>"),
        "{html}"
    );
    assert!(!html.contains(&format!("value=\"{province}\"")));
    let anon = app.client();
    for path in ["/stats", "/stats.xlsx"] {
        let res = anon.get(app.url(path)).send().await.unwrap();
        assert!(
            location(&res).starts_with("/login"),
            "{path}: {}",
            res.status()
        );
    }
    // Junk is refused, never guessed.
    for path in ["/stats?unit=abc", "/stats?year=25x", "/stats?year=1999"] {
        let (s, _) = page(&app, &c, path).await;
        assert!((400..500).contains(&s) && s != 404, "{path}: {s}");
    }
    app.stop().await;
}

#[tokio::test]
async fn the_home_page_lists_most_read_and_most_applied_that_the_visitor_may_read() {
    let app = spawn_app().await;
    let officer = actor(&app, "officer", "km_officer", D01).await;
    let reviewer = actor(&app, "reviewer", "reviewer", PROVINCE).await;
    let open = draft(&app, &officer, "เรื่องเปิดให้ทุกคนอ่าน", "public", D01).await;
    let inside = draft(&app, &officer, "เรื่องเฉพาะหน่วยงานภายใน", "unit", D01).await;
    publish(&app, &officer, &reviewer, open).await;
    publish(&app, &officer, &reviewer, inside).await;
    let anon = app.client();

    // Nothing read, nothing applied yet: the empty states.
    let html = body(anon.get(app.url("/")).send().await.unwrap()).await;
    assert!(
        html.contains("อ่านมากที่สุด") && html.contains("ยังไม่มีการเปิดอ่าน"),
        "{html}"
    );
    assert!(html.contains("นำไปใช้มากที่สุด") && html.contains("ยังไม่มีรายงานการนำนวัตกรรมไปใช้"));

    views_by_many(&app, open, 2, "x").await;
    views_by_many(&app, inside, 4, "y").await;
    let html = body(anon.get(app.url("/")).send().await.unwrap()).await;
    let list = html
        .split("id=\"most-read-h\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    assert!(
        list.contains("เรื่องเปิดให้ทุกคนอ่าน") && list.contains("เปิดอ่าน 2 ครั้ง"),
        "{list}"
    );
    assert!(
        !html.contains("เรื่องเฉพาะหน่วยงานภายใน"),
        "unit-only knowledge leaked: {html}"
    );
    let insider = member(&app, "insider", D01, "viewer").await;
    let html = body(insider.get(app.url("/")).send().await.unwrap()).await;
    let list = html
        .split("id=\"most-read-h\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    let (a, b) = (
        list.find("เรื่องเฉพาะหน่วยงานภายใน").unwrap(),
        list.find("เรื่องเปิดให้ทุกคนอ่าน").unwrap(),
    );
    assert!(a < b, "most read first: {list}");

    // An innovation reported as applied twice, another once: most first; a restricted one hidden.
    let core = app.core();
    let unit = app.unit_id(D01).await.to_string();
    let mut innovations = Vec::new();
    for (title, visibility) in [
        ("ถังขยะเปียกลดยุงลาย", "public"),
        ("สมุนไพรไล่ยุง", "public"),
        ("นวัตกรรมภายในหน่วยงาน", "unit"),
    ] {
        let item = core
            .start_entry(&officer, "innovation", &unit, title)
            .await
            .unwrap();
        let (current, _) = core.editable_item(&officer, item.id).await.unwrap();
        let mut input = ItemInput::from(&current.fields);
        input.visibility = visibility.into();
        core.update_item(&officer, item.id, &input).await.unwrap();
        publish(&app, &officer, &reviewer, item.id).await;
        innovations.push(item.id);
    }
    let volunteer = actor(&app, "volunteer", "viewer", D01).await;
    let report = khlang_core::innovations::model::AppliedInput {
        province: String::new(),
        place: "บ้านโนนม่วง".into(),
        how: "ทำตามคู่มือ".into(),
        result: "ลูกน้ำลดลง".into(),
    };
    for id in [
        innovations[1],
        innovations[1],
        innovations[0],
        innovations[2],
        innovations[2],
        innovations[2],
    ] {
        core.report_applied(&volunteer, id, &report).await.unwrap();
    }
    let html = body(anon.get(app.url("/")).send().await.unwrap()).await;
    let list = html
        .split("id=\"most-applied-h\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .to_string();
    let (a, b) = (
        list.find("สมุนไพรไล่ยุง").unwrap(),
        list.find("ถังขยะเปียกลดยุงลาย").unwrap(),
    );
    assert!(a < b, "{list}");
    assert!(
        list.contains("นำไปใช้ 2 ครั้ง")
            && list.contains(&format!("href=\"/innovations/{}\"", innovations[1]))
    );
    assert!(!list.contains("นวัตกรรมภายในหน่วยงาน"), "{list}");
    app.stop().await;
}
