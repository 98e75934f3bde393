//! The innovation registry (issue 10 §2): an item filled in with the innovation template is
//! projected into the registry on every write (draft, submit, publish, archive); the catalogue
//! and its API filter by branch, regional centre, health zone, province, fiscal year and
//! media; the innovation's page carries Open Graph tags; signed-in people report having
//! applied a published innovation, anonymous visitors cannot.

use super::{body, location, member, post_form};
use khlang_core::forms::{RawAnswers, Strictness};
use khlang_core::ids::{ItemId, UnitId};
use khlang_core::item::Transition;
use khlang_core::org::Actor;
use khlang_testkit::{TestApp, spawn_app};
use serde_json::{Value, json};

const UNIT: &str = "DHSS-PHC-NE";

async fn actor(app: &TestApp, username: &str, role: &str, unit: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

/// The officer and reviewer of the north-eastern regional centre.
pub(super) struct Team {
    pub(super) officer: Actor,
    pub(super) reviewer: Actor,
    /// A volunteer without an account, in the person register.
    person: String,
}

const ADDRESS: &str = "บ้านโคกสูง";
const PHONE: &str = "0812345678";

pub(super) async fn team(app: &TestApp) -> Team {
    let officer = actor(app, "officer", "km_officer", UNIT).await;
    let draft = khlang_core::people::PersonDraft {
        name: "นางสมศรี ใจดี".into(),
        place: khlang_core::geo::PlaceDraft {
            province: "40".into(),
            village_no: "3".into(),
            village: ADDRESS.into(),
            ..Default::default()
        },
        phone: PHONE.into(),
        occupation: "เกษตรกร".into(),
        education: "มัธยมศึกษาตอนปลาย".into(),
        volunteer_years: "12".into(),
        consent_purpose: "เผยแพร่นวัตกรรมในบัญชีนวัตกรรม".into(),
        consent_date: "5/2/2567".into(),
        ..Default::default()
    };
    let person = app
        .core()
        .create_person(
            &officer,
            khlang_core::people::PersonInput {
                unit_id: UnitId(app.unit_id(UNIT).await),
                draft,
                prefix: String::new(),
                allow_duplicate: true,
            },
        )
        .await
        .expect("a person in the register");
    Team {
        officer,
        reviewer: actor(app, "reviewer", "reviewer", UNIT).await,
        person: person.0.to_string(),
    }
}

/// The wizard's inputs are named `f.<field key>`.
fn raw(pairs: &[(&str, &str)]) -> RawAnswers {
    let named: Vec<(String, &str)> = pairs.iter().map(|(k, v)| (format!("f.{k}"), *v)).collect();
    RawAnswers::from_pairs(named.iter().map(|(k, v)| (k.as_str(), *v)))
}

/// Records a draft innovation through the form entry: innovators, place and branch.
pub(super) async fn record(
    app: &TestApp,
    t: &Team,
    title: &str,
    branch: &str,
    province: &str,
    year: &str,
) -> ItemId {
    let core = app.core();
    let unit = app.unit_id(UNIT).await.to_string();
    let item = core
        .start_entry(&t.officer, "innovation", &unit, title)
        .await
        .unwrap();
    let id = item.id;
    for (n, pairs) in [
        (1, vec![("innovators", t.person.as_str())]),
        (2, vec![("place.province", province)]),
        (
            3,
            vec![
                ("name", title),
                ("branch", branch),
                ("description", "คำอธิบายนวัตกรรมสำหรับทดสอบ"),
            ],
        ),
    ] {
        core.save_entry_section(&t.officer, id, n, &raw(&pairs), Strictness::Draft, n + 1)
            .await
            .unwrap();
    }
    if !year.is_empty() {
        let (item, _) = core.editable_item(&t.officer, id).await.unwrap();
        let mut input = khlang_core::item::ItemInput::from(&item.fields);
        input.fiscal_year = year.into();
        // The plain edit keeps the stored entry.
        core.update_item(&t.officer, id, &input).await.unwrap();
    }
    id
}

pub(super) async fn publish(app: &TestApp, t: &Team, id: ItemId) {
    let core = app.core();
    core.transition(&t.officer, id, Transition::Submit, "")
        .await
        .unwrap();
    core.transition(&t.reviewer, id, Transition::Approve, "")
        .await
        .unwrap();
}

async fn row(app: &TestApp, id: ItemId) -> Option<khlang_core::innovations::InnovationRow> {
    app.core()
        .innovation(&Actor::Anonymous, id, 1)
        .await
        .ok()
        .map(|v| v.row)
}

async fn api(app: &TestApp, path: &str) -> (u16, Value) {
    let res = app.client().get(app.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_projection_follows_save_submit_publish_and_archive() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let id = record(&app, &t, "ยาดมสมุนไพรลดความดัน", "branch-03", "40", "").await;
    let core = app.core();

    // A draft is in the registry for those who may read it, not in the public catalogue.
    let view = core.innovation(&t.officer, id, 1).await.unwrap();
    assert_eq!(view.row.status.as_str(), "draft");
    assert_eq!(view.row.title, "ยาดมสมุนไพรลดความดัน");
    assert_eq!(view.row.province.unwrap().to_string(), "40");
    assert!(view.row.branch.is_some(), "branch from the entry's choice");
    assert_eq!(view.row.innovators.len(), 1);
    assert!(
        row(&app, id).await.is_none(),
        "anonymous cannot read a draft"
    );
    let (_, list) = api(&app, "/api/v1/innovations").await;
    assert_eq!(list["total"], 0);

    core.transition(&t.officer, id, Transition::Submit, "")
        .await
        .unwrap();
    let view = core.innovation(&t.officer, id, 1).await.unwrap();
    assert_eq!(view.row.status.as_str(), "submitted");

    core.transition(&t.reviewer, id, Transition::Approve, "")
        .await
        .unwrap();
    let published = row(&app, id).await.expect("published and public");
    assert_eq!(published.status.as_str(), "published");
    assert!(published.published_at.is_some());
    let (_, list) = api(&app, "/api/v1/innovations").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id.0);
    assert_eq!(list["items"][0]["title"], "ยาดมสมุนไพรลดความดัน");
    let html = body(
        app.client()
            .get(app.url("/innovations"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        html.contains("ยาดมสมุนไพรลดความดัน"),
        "the card is in the catalogue"
    );
    assert!(html.contains(&format!("/innovations/{id}")));

    // The statistics count it by branch (the regional centre comes from the gazetteer).
    let counts = core.innovation_counts(None, None).await.unwrap();
    assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), 1);
    assert_eq!(counts[0].branch, published.branch);
    let unit = UnitId(app.unit_id(UNIT).await);
    assert_eq!(
        core.innovation_counts(Some(unit), None)
            .await
            .unwrap()
            .len(),
        1
    );
    let other = UnitId(app.unit_id("DHSS-PHC-N").await);
    assert!(
        core.innovation_counts(Some(other), None)
            .await
            .unwrap()
            .is_empty()
    );

    // A KM officer of the unit archives it: it leaves the catalogue and the statistics.
    core.transition(&t.officer, id, Transition::Archive, "")
        .await
        .unwrap();
    let view = core.innovation(&t.officer, id, 1).await.unwrap();
    assert_eq!(view.row.status.as_str(), "archived");
    let (_, list) = api(&app, "/api/v1/innovations").await;
    assert_eq!(list["total"], 0, "archived innovations leave the catalogue");
    assert!(core.innovation_counts(None, None).await.unwrap().is_empty());

    // An ordinary knowledge item is not an innovation.
    let plain = core
        .create_item(
            &t.officer,
            &khlang_core::item::ItemInput {
                title: "คู่มือทั่วไป".into(),
                unit_id: unit.0.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        core.innovation(&t.officer, plain.id, 1).await,
        Err(khlang_core::DomainError::NotFound)
    ));
    app.stop().await;
}

#[tokio::test]
async fn the_catalogue_filters_and_refuses_bad_filters_in_thai() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let a = record(&app, &t, "นวัตกรรมขอนแก่น", "branch-01", "40", "2567").await;
    let b = record(&app, &t, "นวัตกรรมเชียงใหม่", "branch-02", "50", "2566").await;
    let c = record(&app, &t, "นวัตกรรมขอนแก่นสอง", "branch-02", "40", "2567").await;
    let draft = record(&app, &t, "ร่างที่ยังไม่เผยแพร่", "branch-01", "40", "2567").await;
    for id in [a, b, c] {
        publish(&app, &t, id).await;
    }
    let _ = draft;
    let vocab = app.core().vocabulary().await.unwrap();
    let term = |key: &str| {
        vocab
            .terms
            .iter()
            .find(|t| t.key == key)
            .map(|t| t.id.0)
            .unwrap()
    };
    let ids = |v: &Value| {
        let mut ids: Vec<i64> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        ids.sort();
        ids
    };
    let (_, all) = api(&app, "/api/v1/innovations").await;
    assert_eq!(ids(&all), vec![a.0, b.0, c.0]);
    let (_, kk) = api(&app, "/api/v1/innovations?province=%E0%B9%94%E0%B9%90").await; // ๔๐
    assert_eq!(ids(&kk), vec![a.0, c.0]);
    let (_, br) = api(
        &app,
        &format!("/api/v1/innovations?branch={}", term("branch-02")),
    )
    .await;
    assert_eq!(ids(&br), vec![b.0, c.0]);
    let (_, both) = api(
        &app,
        &format!(
            "/api/v1/innovations?branch={}&province=40&year=2567",
            term("branch-02")
        ),
    )
    .await;
    assert_eq!(ids(&both), vec![c.0]);
    let (_, ne) = api(&app, "/api/v1/innovations?centre=ne").await;
    assert_eq!(
        ids(&ne),
        vec![a.0, c.0],
        "ขอนแก่น is served by สสม.ภาคตะวันออกเฉียงเหนือ"
    );
    let (_, zone1) = api(&app, "/api/v1/innovations?zone=1").await;
    assert_eq!(ids(&zone1), vec![b.0], "เชียงใหม่ is in เขตสุขภาพที่ 1");
    assert_eq!(zone1["items"][0]["regional_centre"], "n");
    assert_eq!(zone1["items"][0]["province_name"], "เชียงใหม่");
    let (_, y) = api(&app, "/api/v1/innovations?year=2023").await; // ค.ศ. → 2566
    assert_eq!(ids(&y), vec![b.0]);
    let (_, none) = api(&app, "/api/v1/innovations?media=video").await;
    assert_eq!(none["total"], 0);
    let (_, paged) = api(&app, "/api/v1/innovations?per_page=2&page=2").await;
    assert_eq!(paged["total"], 3);
    assert_eq!(paged["pages"], 2);
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);

    // Bad filters: a Thai message at the field, never a 500.
    let (status, problem) = api(&app, "/api/v1/innovations?zone=99&province=4&media=vinyl").await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["zone", "province", "media"]);
    let res = app
        .client()
        .get(app.url("/innovations?zone=99&year=soon"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(html.contains("เขตสุขภาพต้องเป็นเลข 1–13"), "{html}");
    assert!(html.contains("ปีงบประมาณต้องเป็นปี พ.ศ."));

    // The page's filters are a GET form that works without JS, with the choice kept.
    let html = body(
        app.client()
            .get(app.url(&format!(
                "/innovations?branch={}&province=40",
                term("branch-02")
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("<form method=\"get\" action=\"/innovations\""));
    assert!(html.contains("พบ 1 นวัตกรรม"), "{html}");
    assert!(html.contains("นวัตกรรมขอนแก่นสอง"));
    assert!(!html.contains("ร่างที่ยังไม่เผยแพร่"));
    let empty = body(
        app.client()
            .get(app.url("/innovations?province=96"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(empty.contains("ไม่พบนวัตกรรมตามเงื่อนไขที่เลือก"));
    app.stop().await;
}

#[tokio::test]
async fn the_page_has_open_graph_tags_and_a_printable_sheet() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let id = record(&app, &t, "กระเป๋ายาสามัญประจำบ้าน", "branch-04", "40", "").await;
    publish(&app, &t, id).await;
    let html = body(
        app.client()
            .get(app.url(&format!("/innovations/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("<meta property=\"og:title\" content=\"กระเป๋ายาสามัญประจำบ้าน\">"));
    assert!(html.contains(&format!(
        "<meta property=\"og:url\" content=\"{}\">",
        app.url(&format!("/innovations/{id}"))
    )));
    assert!(html.contains("property=\"og:description\" content=\"คำอธิบายนวัตกรรมสำหรับทดสอบ\""));
    assert!(html.contains("twitter:card"));
    assert!(
        html.contains("คำอธิบายนวัตกรรมสำหรับทดสอบ"),
        "entry sections shown"
    );
    let sheet = app
        .client()
        .get(app.url(&format!("/innovations/{id}/sheet")))
        .send()
        .await
        .unwrap();
    assert_eq!(sheet.status(), 200);
    let sheet = body(sheet).await;
    assert!(sheet.contains("class=\"sheet\""));
    assert!(sheet.contains("og:title"));
    let css = body(
        app.client()
            .get(app.url("/static/khlang.css"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(css.contains("size:A4"), "print stylesheet for A4");
    // Not an innovation, or not there: the Thai 404.
    let res = app
        .client()
        .get(app.url("/innovations/999999"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .client()
        .get(app.url("/innovations/abc"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn signed_in_people_report_applying_it_and_anonymous_cannot() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let id = record(&app, &t, "ถังขยะเปียกลดยุงลาย", "branch-05", "40", "").await;
    let page = format!("/innovations/{id}");
    let action = format!("/innovations/{id}/applied");

    // Not yet published: nobody can report it.
    let volunteer = member(&app, "osm1", "DHSS-PHC-N", "viewer").await;
    let res = post_form(
        &app,
        &volunteer,
        "/account",
        &action,
        &[("place", "บ้านหนองแวง"), ("how", "ทำตาม"), ("result", "ดี")],
    )
    .await;
    assert_eq!(
        res.status(),
        404,
        "a draft is not readable by a viewer elsewhere"
    );
    publish(&app, &t, id).await;

    // Anonymous: the form is not offered; posting goes to sign-in; the count stays.
    let anon = app.client();
    let html = body(anon.get(app.url(&page)).send().await.unwrap()).await;
    assert!(!html.contains(&format!("action=\"{action}\"")));
    assert!(html.contains("เข้าสู่ระบบ</a> เพื่อรายงาน"));
    let csrf = app.csrf(&anon, "/login").await;
    let res = anon
        .post(app.url(&action))
        .form(&[
            ("csrf", csrf.as_str()),
            ("place", "x"),
            ("how", "x"),
            ("result", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"));
    let res = anon
        .post(app.url(&format!("/api/v1/innovations/{id}/applied")))
        .json(&json!({"place": "x", "how": "x", "result": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(row(&app, id).await.unwrap().applied_count, 0);

    // Missing answers: Thai messages at the fields, what was typed kept, nothing saved.
    let res = post_form(
        &app,
        &volunteer,
        &page,
        &action,
        &[("place", "บ้านโนนม่วง"), ("how", ""), ("result", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("กรุณาเล่าว่านำไปใช้อย่างไร"));
    assert!(html.contains("value=\"บ้านโนนม่วง\""));
    let long = "ก".repeat(10_000);
    let res = post_form(
        &app,
        &volunteer,
        &page,
        &action,
        &[("place", &long), ("how", "x"), ("result", "x")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(row(&app, id).await.unwrap().applied_count, 0);

    // A good report counts, shows on the page and in the API.
    let res = post_form(
        &app,
        &volunteer,
        &page,
        &action,
        &[
            ("place", "บ้านโนนม่วง หมู่ ๓"),
            ("province", "๔๐"),
            ("how", "สอนแกนนำ อสม. ทำถังขยะเปียก"),
            ("result", "ลูกน้ำยุงลายลดลงครึ่งหนึ่ง"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        format!("/innovations/{id}?done=applied#applied")
    );
    assert_eq!(row(&app, id).await.unwrap().applied_count, 1);
    let html = body(anon.get(app.url(&page)).send().await.unwrap()).await;
    assert!(html.contains("นำไปใช้แล้ว 1 ครั้ง"));
    assert!(html.contains("ลูกน้ำยุงลายลดลงครึ่งหนึ่ง"));
    let (_, detail) = api(&app, &format!("/api/v1/innovations/{id}")).await;
    assert_eq!(detail["applied_count"], 1);
    assert_eq!(detail["applied"][0]["how"], "สอนแกนนำ อสม. ทำถังขยะเปียก");
    assert_eq!(detail["applied"][0]["province"], "40");
    let total = app
        .core()
        .innovation_applied_total(None, None)
        .await
        .unwrap();
    assert_eq!(total, 1);
    let audit = app.core().store.recent_audit(50).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "innovation.applied"));

    // Past 20 reports the page pages them, newest first: the first report moves to page 2.
    for n in 2..=21 {
        let result = format!("รอบที่ {n} ได้ผลดี");
        let res = post_form(
            &app,
            &volunteer,
            &page,
            &action,
            &[
                ("place", "บ้านโนนม่วง"),
                ("province", "40"),
                ("how", "ทำตามคู่มือ"),
                ("result", result.as_str()),
            ],
        )
        .await;
        assert_eq!(res.status(), 303);
    }
    let first = body(anon.get(app.url(&page)).send().await.unwrap()).await;
    assert!(first.contains("นำไปใช้แล้ว 21 ครั้ง"));
    assert!(first.contains("หน้า 1 จาก 2"));
    assert!(first.contains("รอบที่ 21 ได้ผลดี"));
    assert!(!first.contains("ลูกน้ำยุงลายลดลงครึ่งหนึ่ง"));
    let second = body(
        anon.get(app.url(&format!("{page}?page=2")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(second.contains("หน้า 2 จาก 2"));
    assert!(second.contains("ลูกน้ำยุงลายลดลงครึ่งหนึ่ง"));
    app.stop().await;
}

#[tokio::test]
async fn the_api_shows_the_public_view_only() {
    let app = spawn_app().await;
    let t = team(&app).await;
    let id = record(&app, &t, "สมุดบันทึกสุขภาพครอบครัว", "branch-06", "40", "").await;
    let (status, _) = api(&app, &format!("/api/v1/innovations/{id}")).await;
    assert_eq!(status, 404, "a draft is hidden from the public");
    publish(&app, &t, id).await;
    let (status, detail) = api(&app, &format!("/api/v1/innovations/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(detail["title"], "สมุดบันทึกสุขภาพครอบครัว");
    assert_eq!(detail["province"], "40");
    assert_eq!(detail["url"], app.url(&format!("/innovations/{id}")));
    let text = detail.to_string();
    assert_eq!(detail["innovators"][0]["name"], "นางสมศรี ใจดี");
    assert_eq!(detail["regional_centre"], "ne");
    assert_eq!(detail["health_zone"], 7);
    for private in ["phone", "address", "education", PHONE, ADDRESS] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    let (status, _) = api(&app, "/api/v1/innovations/abc").await;
    assert_eq!(status, 404);
    app.stop().await;
}
