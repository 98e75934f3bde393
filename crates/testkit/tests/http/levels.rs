//! Issue 12: success levels (ระดับความสำเร็จ 1–5). Confirming needs ManageKnowledge on the
//! unit or above it (a viewer is refused); the level reached needs every lower level; levels
//! 4 and 5 are suggested, with their numbers, after an innovation is published and its use
//! reported; `Khlang::success_levels` gives a unit and its children.

use super::{body, location, member, post_form};
use khlang_core::forms::{RawAnswers, Strictness};
use khlang_core::ids::{ItemId, UnitId};
use khlang_core::innovations::AppliedInput;
use khlang_core::item::Transition;
use khlang_core::org::Actor;
use khlang_core::planning::FiscalYear;
use khlang_testkit::reqwest::Client;
use khlang_testkit::{TestApp, spawn_app};

const UNIT: &str = "DHSS-PHC-NE";
const PARENT: &str = "DHSS-PHC";

/// Today as วัน/เดือน/ปี พ.ศ. (Thai time) and its fiscal year.
fn today(app: &TestApp) -> (String, FiscalYear) {
    let now = app.core().clock.now();
    let d = now.to_offset(khlang_core::text::BANGKOK).date();
    (
        format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year() + 543),
        FiscalYear::of(now),
    )
}

async fn confirm(
    app: &TestApp,
    client: &Client,
    unit: i64,
    year: FiscalYear,
    level: u8,
    date: &str,
) -> khlang_testkit::reqwest::Response {
    // The account page carries a CSRF token for anyone signed in.
    post_form(
        app,
        client,
        "/account",
        "/levels/confirm",
        &[
            ("unit", &unit.to_string()),
            ("year", &year.to_string()),
            ("level", &level.to_string()),
            ("achieved_on", date),
            ("evidence", "https://example.org/order.pdf\n12"),
            ("note", "คำสั่งแต่งตั้งคณะทำงาน"),
        ],
    )
    .await
}

async fn page(app: &TestApp, client: &Client, unit: i64, year: FiscalYear) -> String {
    body(
        client
            .get(app.url(&format!("/levels?unit={unit}&year={year}")))
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn confirming_per_role_and_the_level_reached_needs_every_lower_level() {
    let app = spawn_app().await;
    let unit = app.unit_id(UNIT).await;
    let (date, year) = today(&app);
    let officer = member(&app, "ne.officer", UNIT, "km_officer").await;
    let viewer = member(&app, "ne.viewer", UNIT, "viewer").await;
    let parent = member(&app, "phc.officer", PARENT, "km_officer").await;
    let reviewer = member(&app, "ne.reviewer", UNIT, "reviewer").await;

    // A viewer sees the page without confirm forms, and is refused when posting.
    let html = page(&app, &viewer, unit, year).await;
    assert!(html.contains("จัดตั้งคณะทำงานและประชุมคณะทำงาน") && html.contains("ระดับที่ผ่าน: 0 จาก 5"));
    assert!(!html.contains("action=\"/levels/confirm\""));
    for who in [&viewer, &reviewer] {
        let res = confirm(&app, who, unit, year, 1, &date).await;
        assert_eq!(res.status(), 403);
    }

    // Bad input: Thai messages at the fields, nothing saved.
    let res = post_form(
        &app,
        &officer,
        &format!("/levels?unit={unit}"),
        "/levels/confirm",
        &[
            ("unit", &unit.to_string()),
            ("year", &year.to_string()),
            ("level", "1"),
            ("achieved_on", "31/2/2500"),
            ("evidence", "javascript:alert(1)"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(
        html.contains("วันที่ไม่ถูกต้อง") && html.contains("บรรทัดที่ 1"),
        "{html}"
    );
    assert!(
        html.contains("javascript:alert(1)</textarea>"),
        "the form is kept as typed"
    );

    // Levels 1 and 3 by the unit's officer: reached 1 (level 2 is missing).
    for level in [1, 3] {
        let res = confirm(&app, &officer, unit, year, level, &date).await;
        assert_eq!(res.status(), 303, "{}", body(res).await);
        assert!(location(&res).contains("done=confirmed"));
    }
    let html = page(&app, &viewer, unit, year).await;
    assert!(html.contains("ระดับที่ผ่าน: 1 จาก 5"), "{html}");
    assert!(html.contains("href=\"/items/12\"") && html.contains("https://example.org/order.pdf"));
    // Twice is a conflict.
    let res = confirm(&app, &officer, unit, year, 1, &date).await;
    assert_eq!(res.status(), 409);

    // The parent unit's officer confirms level 2: now 3.
    let res = confirm(&app, &parent, unit, year, 2, &date).await;
    assert_eq!(res.status(), 303);
    let html = page(&app, &viewer, unit, year).await;
    assert!(html.contains("ระดับที่ผ่าน: 3 จาก 5"), "{html}");
    // The other way up is refused.
    let phc = app.unit_id(PARENT).await;
    let res = confirm(&app, &officer, phc, year, 1, &date).await;
    assert_eq!(res.status(), 403);

    // Overviews: the parent and its children in one call.
    let root = app
        .create_user("root", khlang_testkit::PASSWORD, true)
        .await;
    let actor = app.core().actor_for(&root).await.unwrap();
    let levels = app
        .core()
        .success_levels(&actor, UnitId(phc), year)
        .await
        .unwrap();
    assert_eq!(levels[0].unit_id, UnitId(phc));
    let ne = levels.iter().find(|l| l.unit_id == UnitId(unit)).unwrap();
    assert_eq!(ne.confirmed, 3);
    assert!(levels.len() > 2, "root and its children");
    // Withdrawing level 2 drops the level reached back to 1.
    let res = post_form(
        &app,
        &officer,
        &format!("/levels?unit={unit}&year={year}"),
        "/levels/withdraw",
        &[
            ("unit", &unit.to_string()),
            ("year", &year.to_string()),
            ("level", "2"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(
        page(&app, &viewer, unit, year)
            .await
            .contains("ระดับที่ผ่าน: 1 จาก 5")
    );
    let audit = app.core().store.recent_audit(100).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "level.confirm" && e.target == format!("unit:{unit}"))
    );
    assert!(audit.iter().any(|e| e.action == "level.withdraw"));
}

async fn actor(app: &TestApp, username: &str, role: &str, unit: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
    let named: Vec<(String, &str)> = pairs.iter().map(|(k, v)| (format!("f.{k}"), *v)).collect();
    RawAnswers::from_pairs(named.iter().map(|(k, v)| (k.as_str(), *v)))
}

/// A published innovation of `UNIT` (as the innovation tests record one).
async fn published_innovation(app: &TestApp) -> ItemId {
    let core = app.core();
    let officer = actor(app, "inn.officer", "km_officer", UNIT).await;
    let reviewer = actor(app, "inn.reviewer", "reviewer", UNIT).await;
    let person = core
        .create_person(
            &officer,
            khlang_core::people::PersonInput {
                unit_id: UnitId(app.unit_id(UNIT).await),
                draft: khlang_core::people::PersonDraft {
                    name: "นางสมศรี ใจดี".into(),
                    ..Default::default()
                },
                prefix: String::new(),
                allow_duplicate: true,
            },
        )
        .await
        .unwrap();
    let unit = app.unit_id(UNIT).await.to_string();
    let item = core
        .start_entry(&officer, "innovation", &unit, "ถังขยะเปียกลดยุงลาย")
        .await
        .unwrap();
    let person = person.0.to_string();
    for (n, pairs) in [
        (1, vec![("innovators", person.as_str())]),
        (2, vec![("place.province", "40")]),
        (
            3,
            vec![
                ("name", "ถังขยะเปียกลดยุงลาย"),
                ("branch", "branch-05"),
                ("description", "คำอธิบายนวัตกรรมสำหรับทดสอบ"),
            ],
        ),
    ] {
        core.save_entry_section(&officer, item.id, n, &raw(&pairs), Strictness::Draft, n + 1)
            .await
            .unwrap();
    }
    core.transition(&officer, item.id, Transition::Submit, "")
        .await
        .unwrap();
    core.transition(&reviewer, item.id, Transition::Approve, "")
        .await
        .unwrap();
    item.id
}

#[tokio::test]
async fn levels_four_and_five_are_suggested_after_publishing_and_reporting_use() {
    let app = spawn_app().await;
    let unit = app.unit_id(UNIT).await;
    let phc = app.unit_id(PARENT).await;
    let officer = member(&app, "ne.officer", UNIT, "km_officer").await;
    let id = published_innovation(&app).await;
    let row = app
        .core()
        .innovation(&Actor::Anonymous, id, 1)
        .await
        .unwrap()
        .row;
    let year = FiscalYear::parse(&row.fiscal_year.to_string()).unwrap();

    let html = page(&app, &officer, unit, year).await;
    assert!(
        html.contains("มีนวัตกรรมเผยแพร่ 1 รายการ มีรายงานการนำไปใช้ 0 ครั้ง"),
        "{html}"
    );
    assert_eq!(
        html.matches("ข้อมูลชี้ว่าผ่านระดับนี้").count(),
        2,
        "levels 3 and 4: {html}"
    );
    assert!(
        html.contains("ระดับที่ผ่าน: 0 จาก 5"),
        "a suggestion is not a confirmation"
    );

    let user = actor(&app, "user.applied", "viewer", "DHSS-PHC-N").await;
    app.core()
        .report_applied(
            &user,
            id,
            &AppliedInput {
                province: "40".into(),
                place: "บ้านหนองแวง".into(),
                how: "ทำตามคู่มือ".into(),
                result: "ลูกน้ำยุงลายลดลง".into(),
            },
        )
        .await
        .unwrap();
    let html = page(&app, &officer, unit, year).await;
    assert!(
        html.contains("มีนวัตกรรมเผยแพร่ 1 รายการ มีรายงานการนำไปใช้ 1 ครั้ง"),
        "{html}"
    );
    assert_eq!(
        html.matches("ข้อมูลชี้ว่าผ่านระดับนี้").count(),
        3,
        "levels 3, 4 and 5"
    );

    // The parent sees the child's suggestion, and the same through success_levels.
    let parent = member(&app, "phc.viewer", PARENT, "viewer").await;
    let html = page(&app, &parent, phc, year).await;
    assert!(html.contains("ข้อมูลชี้ว่าถึงระดับ 5"), "{html}");
    let viewer = actor(&app, "phc.viewer2", "viewer", PARENT).await;
    let levels = app
        .core()
        .success_levels(&viewer, UnitId(phc), year)
        .await
        .unwrap();
    let ne = levels.iter().find(|l| l.unit_id == UnitId(unit)).unwrap();
    assert_eq!((ne.confirmed, ne.suggested), (0, Some(5)));
    assert_eq!(
        levels[0].suggested,
        Some(5),
        "the parent's subtree holds it too"
    );
    // A viewer elsewhere may not read it.
    let other = actor(&app, "s.viewer", "viewer", "DHSS-PHC-S").await;
    assert!(
        app.core()
            .success_levels(&other, UnitId(phc), year)
            .await
            .is_err()
    );
}
