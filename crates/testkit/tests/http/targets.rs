//! Targets (เป้าหมาย): seed 003's Chachoengsao district table set through the form, progress
//! moved by published items at once, the live tree (a district moved to another province
//! takes its progress along), Thai errors with nothing half-saved, roles, XLSX.

use crate::{body, location, member, post_form};
use khlang_core::ids::UnitId;
use khlang_core::planning::FiscalYear;
use khlang_core::targets::ProgressReport;
use khlang_core::targets::service::thai_date;
use khlang_testkit::reqwest::Client;
use khlang_testkit::{ApiCaller, PASSWORD, TestApp, spawn_app};
use serde_json::json;

/// Seed 003's last table: the 11 districts of Chachoengsao in order, people, 1 item each.
pub const CHACHOENGSAO: [(&str, &str, u32); 11] = [
    ("CDD-P-24-D01", "เมืองฉะเชิงเทรา", 9),
    ("CDD-P-24-D02", "บ้านโพธิ์", 4),
    ("CDD-P-24-D03", "บางปะกง", 5),
    ("CDD-P-24-D04", "บางน้ำเปรี้ยว", 5),
    ("CDD-P-24-D05", "คลองเขื่อน", 3),
    ("CDD-P-24-D06", "บางคล้า", 4),
    ("CDD-P-24-D07", "ราชสาส์น", 3),
    ("CDD-P-24-D08", "พนมสารคาม", 5),
    ("CDD-P-24-D09", "สนามชัยเขต", 5),
    ("CDD-P-24-D10", "แปลงยาว", 3),
    ("CDD-P-24-D11", "ท่าตะเกียบ", 3),
];

pub fn this_year(app: &TestApp) -> FiscalYear {
    FiscalYear::of(app.core().clock.now())
}

/// The last day of the year, as a date input sends it.
fn last_day(year: FiscalYear) -> String {
    let d = year.last_day();
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Posts the targets form of `unit` with `rows` (unit id, people, per person, due).
pub async fn post_targets(
    app: &TestApp,
    client: &Client,
    unit: i64,
    year: FiscalYear,
    rows: &[(i64, String, String, String)],
) -> khlang_testkit::reqwest::Response {
    post_targets_in(app, client, unit, year, "", rows).await
}

/// [`post_targets`] for one category's targets.
pub async fn post_targets_in(
    app: &TestApp,
    client: &Client,
    unit: i64,
    year: FiscalYear,
    category: &str,
    rows: &[(i64, String, String, String)],
) -> khlang_testkit::reqwest::Response {
    // Any page of the session carries its token (the targets page may be refused).
    let page = "/notifications";
    let mut owned: Vec<(String, String)> = vec![
        ("unit".into(), unit.to_string()),
        ("year".into(), year.to_string()),
        ("category".into(), category.to_string()),
    ];
    for (id, people, per, due) in rows {
        owned.push(("units".into(), id.to_string()));
        owned.push((format!("people_{id}"), people.clone()));
        owned.push((format!("per_{id}"), per.clone()));
        owned.push((format!("due_{id}"), due.clone()));
    }
    let fields: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    post_form(app, client, page, "/targets", &fields).await
}

/// Seed 003's table as form rows (due: the year's last day).
pub async fn seed_rows(app: &TestApp, year: FiscalYear) -> Vec<(i64, String, String, String)> {
    let mut rows = Vec::new();
    for (code, _, people) in CHACHOENGSAO {
        rows.push((
            app.unit_id(code).await,
            people.to_string(),
            "1".to_string(),
            last_day(year),
        ));
    }
    rows
}

pub async fn progress(app: &TestApp, unit: i64, year: FiscalYear) -> ProgressReport {
    let admin = app
        .create_user(&format!("padm{unit}x{}", rand_suffix()), PASSWORD, true)
        .await;
    let actor = app.core().actor_for(&admin).await.unwrap();
    app.core()
        .target_progress(&actor, UnitId(unit), year)
        .await
        .unwrap()
}

fn rand_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..6].to_string()
}

/// Drafts, submits and approves `n` items of `unit` for `year`.
pub async fn publish(
    author: &ApiCaller<'_>,
    reviewer: &ApiCaller<'_>,
    unit: i64,
    year: FiscalYear,
    n: usize,
) {
    for _ in 0..n {
        let id = author.draft(unit, json!({"fiscal_year": year.be()})).await;
        let res = author
            .post(&format!("/api/v1/items/{id}/submit"), json!({}))
            .await;
        assert_eq!(res.status(), 200);
        let res = reviewer
            .post(
                &format!("/api/v1/items/{id}/review"),
                json!({"decision": "approve"}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
}

fn child(r: &ProgressReport, unit: i64) -> &khlang_core::targets::Progress {
    r.children
        .iter()
        .find(|c| c.unit_id.0 == unit)
        .expect("child row")
}

#[tokio::test]
async fn targets_seed_003_table_is_set_through_the_form_and_published_items_move_it_at_once() {
    let app = spawn_app().await;
    let year = this_year(&app);
    let p24 = app.unit_id("CDD-P-24").await;
    let d01 = app.unit_id("CDD-P-24-D01").await;
    let d02 = app.unit_id("CDD-P-24-D02").await;
    let officer = member(&app, "kmp24", "CDD-P-24", "km_officer").await;

    // The province's officers see a form with one row per district (and one for itself).
    let res = officer
        .get(app.url(&format!("/targets?unit={p24}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(
        html.contains(&format!("ปีงบประมาณ {year}")),
        "default year is this fiscal year"
    );
    assert!(html.contains("บันทึกเป้าหมาย"));
    for (_, name, _) in CHACHOENGSAO {
        assert!(html.contains(name), "{name} is a row");
    }

    let res = post_targets(&app, &officer, p24, year, &seed_rows(&app, year).await).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        format!("/targets?unit={p24}&year={year}&done=1")
    );
    let r = progress(&app, p24, year).await;
    assert_eq!(r.root.required, 49, "9+4+5+5+3+4+3+5+5+3+3");
    assert_eq!(r.children.len(), 11);
    assert_eq!(child(&r, d01).required, 9);
    assert_eq!(r.root.percent(), Some(0));

    // A district's contributor publishes; the district and the province move at once.
    let author = ApiCaller::user(&app, "authd01", &[("contributor", "CDD-P-24-D01")]).await;
    let author2 = ApiCaller::user(&app, "authd02", &[("contributor", "CDD-P-24-D02")]).await;
    let reviewer = ApiCaller::user(&app, "revp24", &[("reviewer", "CDD-P-24")]).await;
    publish(&author, &reviewer, d01, year, 2).await;
    // One more only submitted: it counts as submitted, not published.
    let id = author.draft(d01, json!({"fiscal_year": year.be()})).await;
    author
        .post(&format!("/api/v1/items/{id}/submit"), json!({}))
        .await;
    // บ้านโพธิ์ publishes 6 of its 4: the surplus does not count for the province.
    publish(&author2, &reviewer, d02, year, 6).await;

    let r = progress(&app, p24, year).await;
    let d1 = child(&r, d01);
    assert_eq!((d1.submitted, d1.published, d1.counted), (3, 2, 2));
    assert_eq!(d1.percent(), Some(22));
    let d2 = child(&r, d02);
    assert_eq!((d2.published, d2.counted, d2.percent()), (6, 4, Some(100)));
    assert_eq!((r.root.published, r.root.counted), (8, 6));
    assert_eq!(r.root.percent(), Some(12), "6 of 49");

    let html = body(
        officer
            .get(app.url(&format!("/targets?unit={p24}&year={year}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("22%") && html.contains("12%"));
    assert!(
        html.contains("ร้อยละตามเป้าหมาย = องค์ความรู้ที่เผยแพร่แล้ว"),
        "the rule is printed"
    );
    assert!(
        html.contains(&format!("href=\"/targets?unit={d01}&")),
        "drill down"
    );

    // The district's own page, for its contributor: its numbers, no form.
    let contributor = app.sign_in("authd01", PASSWORD).await;
    let res = contributor
        .get(app.url(&format!("/targets?unit={d01}&year={year}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(html.contains("22%"));
    assert!(!html.contains("บันทึกเป้าหมาย"));
    // … and cannot set targets, nor see the province.
    let res = post_targets(
        &app,
        &contributor,
        d01,
        year,
        &[(d01, "1".into(), "1".into(), String::new())],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = contributor
        .get(app.url(&format!("/targets?unit={p24}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // XLSX of the same table.
    let res = officer
        .get(app.url(&format!("/targets/export.xlsx?unit={p24}&year={year}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"));

    // Anonymous visitors are sent to sign in.
    let res = app.client().get(app.url("/targets")).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn targets_refuse_bad_rows_in_thai_and_save_nothing() {
    let app = spawn_app().await;
    let year = this_year(&app);
    let p24 = app.unit_id("CDD-P-24").await;
    let officer = member(&app, "kmp24b", "CDD-P-24", "km_officer").await;
    let rows = seed_rows(&app, year).await;
    assert_eq!(
        post_targets(&app, &officer, p24, year, &rows)
            .await
            .status(),
        303
    );

    // Row 1 changed to 10 (fine), row 2 negative, row 3 not a number, row 4 due outside the
    // year: nothing is saved, each error at its row, the form as typed.
    let mut bad = rows.clone();
    bad[0].1 = "10".into();
    bad[1].1 = "-1".into();
    bad[2].1 = "ห้า".into();
    bad[3].3 = format!("{}-12-31", year.be() - 543);
    let res = post_targets(&app, &officer, p24, year, &bad).await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert_eq!(html.matches("จำนวนคนต้องเป็นจำนวนเต็มตั้งแต่ 0 ขึ้นไป").count(), 2);
    assert!(html.contains("วันครบกำหนดต้องอยู่ในปีงบประมาณ"));
    // Each error sits at its own row's box.
    let d02_box = html
        .find(&format!("name=\"people_{}\"", rows[1].0))
        .unwrap();
    let next_box = d02_box + html[d02_box..].find("name=\"per_").unwrap();
    assert!(html[d02_box..next_box].contains("จำนวนคนต้องเป็นจำนวนเต็มตั้งแต่ 0 ขึ้นไป"));
    let d01_box = html
        .find(&format!("name=\"people_{}\"", rows[0].0))
        .unwrap();
    let next_box = d01_box + html[d01_box..].find("name=\"per_").unwrap();
    assert!(!html[d01_box..next_box].contains("field-error"));
    assert!(
        html.contains("value=\"-1\"")
            && html.contains("value=\"ห้า\"")
            && html.contains("value=\"10\"")
    );
    let r = progress(&app, p24, year).await;
    assert_eq!(r.root.required, 49, "nothing half-saved");

    // A blank row removes that district's target.
    let mut fewer = rows.clone();
    fewer[10] = (fewer[10].0, String::new(), String::new(), String::new());
    assert_eq!(
        post_targets(&app, &officer, p24, year, &fewer)
            .await
            .status(),
        303
    );
    assert_eq!(progress(&app, p24, year).await.root.required, 46);

    // A district's officer sets its own target, not its neighbour's; another province's
    // officer sets none here.
    let d01 = app.unit_id("CDD-P-24-D01").await;
    let d02 = app.unit_id("CDD-P-24-D02").await;
    let district = member(&app, "kmd01", "CDD-P-24-D01", "km_officer").await;
    let res = post_targets(
        &app,
        &district,
        d01,
        year,
        &[(d01, "12".into(), "1".into(), String::new())],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(progress(&app, p24, year).await.root.required, 49);
    let res = district
        .get(app.url(&format!("/targets?unit={d02}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let other = member(&app, "kmp11", "CDD-P-11", "km_officer").await;
    let res = post_targets(&app, &other, p24, year, &rows).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn targets_follow_a_district_moved_to_another_province_mid_year() {
    let app = spawn_app().await;
    let year = this_year(&app);
    let p24 = app.unit_id("CDD-P-24").await;
    let p11 = app.unit_id("CDD-P-11").await;
    let d11 = app.unit_id("CDD-P-24-D11").await;
    let officer = member(&app, "kmp24c", "CDD-P-24", "km_officer").await;
    assert_eq!(
        post_targets(&app, &officer, p24, year, &seed_rows(&app, year).await)
            .await
            .status(),
        303
    );
    let author = ApiCaller::user(&app, "authd11", &[("contributor", "CDD-P-24-D11")]).await;
    let reviewer = ApiCaller::user(&app, "revd11", &[("reviewer", "CDD-P-24-D11")]).await;
    publish(&author, &reviewer, d11, year, 2).await;
    let before = progress(&app, p24, year).await;
    assert_eq!((before.root.required, before.root.counted), (49, 2));
    let p11_before = progress(&app, p11, year).await;
    assert_eq!(p11_before.root.required, 0);

    // ท่าตะเกียบ moves to another province mid-year.
    let admin = app.create_user("movadmin", PASSWORD, true).await;
    let actor = app.core().actor_for(&admin).await.unwrap();
    app.core()
        .move_unit(&actor, UnitId(d11), UnitId(p11))
        .await
        .expect("move");

    let old = progress(&app, p24, year).await;
    let new = progress(&app, p11, year).await;
    assert_eq!(
        (old.root.required, old.root.counted, old.root.published),
        (46, 0, 0)
    );
    assert_eq!(old.children.len(), 10);
    assert_eq!(
        (new.root.required, new.root.counted, new.root.published),
        (3, 2, 2)
    );
    let moved = child(&new, d11);
    assert_eq!(
        (moved.required, moved.published, moved.percent()),
        (3, 2, Some(66))
    );
}

#[tokio::test]
async fn targets_past_due_and_unmet_show_days_late_in_red() {
    let app = spawn_app().await;
    let year = this_year(&app);
    let p24 = app.unit_id("CDD-P-24").await;
    let d01 = app.unit_id("CDD-P-24-D01").await;
    let officer = member(&app, "kmp24d", "CDD-P-24", "km_officer").await;
    let first = year.first_day();
    let due = format!(
        "{:04}-{:02}-{:02}",
        first.year(),
        first.month() as u8,
        first.day()
    );
    let res = post_targets(
        &app,
        &officer,
        p24,
        year,
        &[(d01, "2".into(), "1".into(), due)],
    )
    .await;
    assert_eq!(res.status(), 303);
    // Two days on (the year's first day has passed whatever today is; sessions last 7).
    let today = thai_date(app.core().clock.now());
    let shift = if today.month() == time::Month::September && today.day() > 15 {
        0
    } else {
        2
    };
    app.move_clock(shift * 86_400);
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let today = thai_date(app.core().clock.now());
    let late = (today - first).whole_days();
    let r = progress(&app, p24, year).await;
    if late > 0 {
        assert_eq!(child(&r, d01).days_late, Some(late));
        let html = body(
            officer
                .get(app.url(&format!("/targets?unit={p24}&year={year}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let want = format!("<span class=\"late\">ช้า {late} วัน</span>");
        assert!(html.contains(&want), "{want} in {html}");
    }
}

#[tokio::test]
async fn targets_of_one_category_count_only_its_items_and_the_default_unit_is_the_officers() {
    let app = spawn_app().await;
    let year = this_year(&app);
    let p24 = app.unit_id("CDD-P-24").await;
    let d01 = app.unit_id("CDD-P-24-D01").await;
    let officer = member(&app, "kmcat", "CDD-P-24", "km_officer").await;
    // Without ?unit= the page is the officer's province, this fiscal year.
    let html = body(officer.get(app.url("/targets")).send().await.unwrap()).await;
    assert!(html.contains("สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา"));
    assert!(html.contains(&format!("name=\"year\" value=\"{year}\"")));

    let v = app.core().vocabulary().await.unwrap();
    let tax = v.taxonomies.iter().find(|t| t.key == "category").unwrap();
    let mut terms = v.terms.iter().filter(|t| t.taxonomy_id == tax.id);
    let (cat, other) = (terms.next().unwrap().id.0, terms.next().unwrap().id.0);
    let res = post_targets_in(
        &app,
        &officer,
        p24,
        year,
        &cat.to_string(),
        &[(d01, "2".into(), "1".into(), String::new())],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        location(&res),
        format!("/targets?unit={p24}&year={year}&category={cat}&done=1")
    );
    let author = ApiCaller::user(&app, "authcat", &[("contributor", "CDD-P-24-D01")]).await;
    let reviewer = ApiCaller::user(&app, "revcat", &[("reviewer", "CDD-P-24")]).await;
    for term in [cat, cat, other] {
        let id = author
            .draft(d01, json!({"fiscal_year": year.be(), "terms": [term]}))
            .await;
        author
            .post(&format!("/api/v1/items/{id}/submit"), json!({}))
            .await;
        reviewer
            .post(
                &format!("/api/v1/items/{id}/review"),
                json!({"decision": "approve"}),
            )
            .await;
    }
    let admin = app.create_user("catadmin", PASSWORD, true).await;
    let actor = app.core().actor_for(&admin).await.unwrap();
    let r = app
        .core()
        .target_progress_in(
            &actor,
            UnitId(p24),
            year,
            Some(khlang_core::ids::TermId(cat)),
        )
        .await
        .unwrap();
    assert_eq!(
        (r.root.required, r.root.published, r.root.counted),
        (2, 2, 2)
    );
    // The all-categories targets are another set: none here.
    assert_eq!(progress(&app, p24, year).await.root.required, 0);
    let html = body(
        officer
            .get(app.url(&format!("/targets?unit={p24}&year={year}&category={cat}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("100%"));
    // A term that is not there is refused.
    let res = post_targets_in(
        &app,
        &officer,
        p24,
        year,
        "999999",
        &[(d01, "2".into(), "1".into(), String::new())],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไม่พบหมวดหมู่ที่เลือก"));
}
