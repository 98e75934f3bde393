//! Issue 10 §2–3: the person register (ทะเบียนบุคคล) and geography — who sees personal data
//! (and that each look is audited), export, erasure, merging duplicates, bad input that saves
//! nothing, and the place picker without JavaScript.

use super::*;
use khlang_core::ids::PersonId;
use khlang_core::people::ANONYMOUS;
use khlang_testkit::spawn_app;

/// The fields of a volunteer in ขอนแก่น, อ.เมืองขอนแก่น, ต.ในเมือง, หมู่ 5.
fn somsri(unit: &str) -> Vec<(&'static str, String)> {
    vec![
        ("unit_id", unit.to_string()),
        ("name", "นางสมศรี ใจดี".into()),
        ("place.province", "40".into()),
        ("place.district", "4001".into()),
        ("place.subdistrict", "400101".into()),
        ("place.village_no", "5".into()),
        ("place.village", "บ้านโนนทัน".into()),
        ("phone", "081-234-5678".into()),
        ("occupation", "เกษตรกร".into()),
        ("status", "สมรส".into()),
        ("education", "มัธยมศึกษาตอนปลาย".into()),
        ("volunteer_years", "๑๒".into()),
        ("volunteer_no", "อสม-4001-123".into()),
        ("consent_public", "name_province".into()),
    ]
}

async fn post_new(app: &TestApp, client: &Client, fields: &[(&str, String)]) -> Response {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post_form(app, client, "/people/new", "/people/new", &f).await
}

/// Records a person through the page and returns the id from the redirect.
async fn record(app: &TestApp, client: &Client, fields: &[(&str, String)]) -> PersonId {
    let res = post_new(app, client, fields).await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let to = location(&res);
    let id = to
        .strip_prefix("/people/")
        .and_then(|r| r.split('?').next())
        .and_then(|n| n.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("redirect {to}"));
    PersonId(id)
}

async fn audited(app: &TestApp, action: &str, id: PersonId) -> bool {
    app.core()
        .store
        .recent_audit(200)
        .await
        .unwrap()
        .iter()
        .any(|e| e.action == action && e.target == format!("person:{id}"))
}

async fn count_people(app: &TestApp) -> u64 {
    let root = app
        .create_user("counter", khlang_testkit::PASSWORD, true)
        .await;
    let actor = app.core().actor_for(&root).await.unwrap();
    app.core()
        .find_people(&actor, "", khlang_core::paging::PageNumber::FIRST)
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn officers_of_the_owning_subtree_see_the_phone_and_each_read_is_audited() {
    let app = spawn_app().await;
    let kk = app.unit_id("CDD-P-40").await.to_string();
    let officer = member(&app, "kk.officer", "CDD-P-40", "km_officer").await;
    let id = record(&app, &officer, &somsri(&kk)).await;

    let page = body(
        officer
            .get(app.url(&format!("/people/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("0812345678"), "officer sees the phone");
    assert!(
        page.contains("ต.ในเมือง อ.เมืองขอนแก่น จ.ขอนแก่น"),
        "and the address"
    );
    assert!(
        audited(&app, "person.read", id).await,
        "the read is audited"
    );

    // An officer above (the department) sees it too.
    let above = member(&app, "cdd.admin", "CDD", "admin").await;
    let res = above
        .get(app.url(&format!("/people/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // An officer of another province, a contributor of the same one, and the public do not.
    let other = member(&app, "ccs.officer", "CDD-P-24", "km_officer").await;
    let res = other
        .get(app.url(&format!("/people/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(!body(res).await.contains("0812345678"));
    let res = other.get(app.url("/people?q=สมศรี")).send().await.unwrap();
    let list = body(res).await;
    assert!(
        !list.contains(&format!("/people/{id}")) && list.contains("ไม่พบบุคคลที่ตรงกับ"),
        "not in the other province's register"
    );
    let contributor = member(&app, "kk.writer", "CDD-P-40", "contributor").await;
    let res = contributor
        .get(app.url(&format!("/people/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(
        contributor
            .get(app.url("/people"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let res = app
        .client()
        .get(app.url(&format!("/people/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "anonymous visitors are sent to sign in");
    for path in ["export.json", "export.xlsx"] {
        let res = app
            .client()
            .get(app.url(&format!("/people/{id}/{path}")))
            .send()
            .await
            .unwrap();
        assert_ne!(res.status(), 200);
        let res = other
            .get(app.url(&format!("/people/{id}/{path}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404);
    }

    // The public sees the name and the province only.
    let public = app.core().people_public(&[id]).await.unwrap();
    assert_eq!(public[0].name, "นางสมศรี ใจดี");
    assert_eq!(public[0].province_name.as_deref(), Some("ขอนแก่น"));

    // The officer's list finds her by name and by part of the phone; the admin page links it.
    let list = body(officer.get(app.url("/people?q=สมศรี")).send().await.unwrap()).await;
    assert!(list.contains(&format!("/people/{id}")));
    let list = body(
        officer
            .get(app.url("/people?q=234-5678"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(list.contains(&format!("/people/{id}")));
    let admin = body(officer.get(app.url("/admin")).send().await.unwrap()).await;
    assert!(admin.contains("ทะเบียนบุคคล") && admin.contains("href=\"/people\""));
}

#[tokio::test]
async fn a_person_exports_as_json_and_xlsx_and_is_erased_on_request() {
    use calamine::{DataType, Reader, Xlsx};
    let app = spawn_app().await;
    let kk = app.unit_id("CDD-P-40").await.to_string();
    let officer = member(&app, "kk.officer", "CDD-P-40", "km_officer").await;
    let id = record(&app, &officer, &somsri(&kk)).await;

    let res = officer
        .get(app.url(&format!("/people/{id}/export.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(json["person"]["name"], "นางสมศรี ใจดี");
    assert_eq!(json["person"]["phone"], "0812345678");
    assert_eq!(json["person"]["volunteer_years"], 12);
    assert_eq!(
        json["address"],
        "หมู่ 5 บ้านโนนทัน ต.ในเมือง อ.เมืองขอนแก่น จ.ขอนแก่น"
    );
    assert!(audited(&app, "person.export", id).await);

    let res = officer
        .get(app.url(&format!("/people/{id}/export.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).expect("a workbook");
    let sheet = book.worksheet_range("ข้อมูลบุคคล").expect("the sheet");
    let row = |label: &str| {
        sheet
            .rows()
            .find(|r| r[0].get_string() == Some(label))
            .map(|r| r[1].to_string())
            .unwrap_or_else(|| panic!("row {label}"))
    };
    assert_eq!(row("ชื่อ-นามสกุล"), "นางสมศรี ใจดี");
    assert_eq!(row("เบอร์โทรศัพท์"), "0812345678");
    assert_eq!(row("ข้อมูลที่เปิดเผยได้"), "เปิดเผยชื่อและจังหวัด");

    // Erasure: a confirmation page, then placeholders, audited; the export shows no phone.
    let confirm = body(
        officer
            .get(app.url(&format!("/people/{id}/erase")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(confirm.contains("ย้อนกลับไม่ได้"));
    let res = post_form(
        &app,
        &officer,
        &format!("/people/{id}/erase"),
        &format!("/people/{id}/erase"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(audited(&app, "person.erase", id).await);
    let page = body(
        officer
            .get(app.url(&format!("/people/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains(ANONYMOUS) && !page.contains("0812345678") && !page.contains("สมศรี"));
    let public = app.core().people_public(&[id]).await.unwrap();
    assert_eq!(public[0].name, ANONYMOUS);
    assert_eq!(public[0].province_name, None);
    let json: serde_json::Value = officer
        .get(app.url(&format!("/people/{id}/export.json")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["person"]["phone"], serde_json::Value::Null);
    assert_eq!(json["person"]["erased"], true);
    // Erased people are not edited back.
    let res = officer
        .get(app.url(&format!("/people/{id}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
}

#[tokio::test]
async fn duplicates_are_warned_and_merged_into_one() {
    let app = spawn_app().await;
    let kk = app.unit_id("CDD-P-40").await.to_string();
    let officer = member(&app, "kk.officer", "CDD-P-40", "km_officer").await;
    let keep = record(&app, &officer, &somsri(&kk)).await;

    // Same name (titles and spaces aside) in the same subdistrict: a warning at the name.
    let mut again = somsri(&kk);
    again[1].1 = "สมศรี  ใจดี".into();
    again.retain(|(k, _)| *k != "phone");
    let res = post_new(&app, &officer, &again).await;
    assert_eq!(res.status(), 422);
    let page = body(res).await;
    assert!(page.contains("อาจซ้ำกับบุคคลที่มีอยู่แล้ว"), "{page}");
    assert!(page.contains("บันทึกเป็นบุคคลใหม่"));
    assert!(
        page.contains("value=\"บ้านโนนทัน\""),
        "what was typed is kept"
    );
    // Ticking "บันทึกเป็นบุคคลใหม่" records the second one.
    again.push(("allow_duplicate", "1".into()));
    let drop = record(&app, &officer, &again).await;

    let merge = body(
        officer
            .get(app.url(&format!("/people/{keep}/merge")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        merge.contains(&format!("value=\"{drop}\"")),
        "the duplicate is offered"
    );
    // Merging with oneself or with nobody is a Thai error at the field.
    let res = post_form(
        &app,
        &officer,
        &format!("/people/{keep}/merge"),
        &format!("/people/{keep}/merge"),
        &[("other", &keep.to_string())],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("เลือกคนเดิมไม่ได้"));
    let res = post_form(
        &app,
        &officer,
        &format!("/people/{keep}/merge"),
        &format!("/people/{keep}/merge"),
        &[("other", &drop.to_string())],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(audited(&app, "person.merge", keep).await);
    // References to the dropped one now mean the kept one, once.
    let public = app.core().people_public(&[drop, keep]).await.unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].id, keep);
    assert_eq!(app.core().resolve_person(drop).await.unwrap(), keep);
    let list = body(officer.get(app.url("/people?q=สมศรี")).send().await.unwrap()).await;
    assert!(list.contains(&format!("/people/{keep}\"")));
    assert!(!list.contains(&format!("/people/{drop}\"")));
    let page = body(
        officer
            .get(app.url(&format!("/people/{drop}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains(&format!("href=\"/people/{keep}\"")));

    // Same phone, different name: also a duplicate.
    let mut by_phone = somsri(&kk);
    by_phone[1].1 = "นายสมชาย ใจดี".into();
    by_phone[4].1 = String::new();
    by_phone[3].1 = String::new();
    let res = post_new(&app, &officer, &by_phone).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("เบอร์โทรศัพท์เดียวกัน"));
}

#[tokio::test]
async fn bad_input_gets_thai_messages_at_the_field_and_saves_nothing() {
    let app = spawn_app().await;
    let kk = app.unit_id("CDD-P-40").await.to_string();
    let officer = member(&app, "kk.officer", "CDD-P-40", "km_officer").await;

    let mut unknown = somsri(&kk);
    unknown[2].1 = "99".into();
    unknown[3].1 = String::new();
    unknown[4].1 = String::new();
    let res = post_new(&app, &officer, &unknown).await;
    assert_eq!(res.status(), 422);
    let page = body(res).await;
    assert!(page.contains("ไม่พบจังหวัดรหัส 99"), "{page}");

    let mut long = somsri(&kk);
    long[1].1 = "ก".repeat(10_000);
    let res = post_new(&app, &officer, &long).await;
    assert_eq!(res.status(), 422);
    let page = body(res).await;
    assert!(page.contains("ชื่อ-นามสกุลยาวเกิน 200 ตัวอักษร"), "{page}");

    let mut several = somsri(&kk);
    several[1].1 = String::new();
    several[7].1 = "12".into();
    several[11].1 = "สองร้อย".into();
    several.push(("consent_date", "31/2/2567".into()));
    let res = post_new(&app, &officer, &several).await;
    assert_eq!(res.status(), 422);
    let page = body(res).await;
    for msg in [
        "กรุณาใส่ชื่อ-นามสกุล",
        "เบอร์โทรศัพท์ต้องเป็นตัวเลข",
        "ระยะเวลาเป็น อสม. ต้องเป็นจำนวนปี",
        "วันที่ไม่ถูกต้อง",
    ] {
        assert!(page.contains(msg), "{msg}");
    }
    // Not a unit the officer manages.
    let other_unit = app.unit_id("CDD-P-24").await.to_string();
    let res = post_new(&app, &officer, &somsri(&other_unit)).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาเลือกหน่วยงานที่เก็บข้อมูลบุคคลนี้"));
    // Junk ids are a Thai 404, not a 500.
    for path in ["/people/abc", "/people/99999999", "/people/-1/export.xlsx"] {
        let res = officer.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    assert_eq!(count_people(&app).await, 0, "nothing was saved");
}

#[tokio::test]
async fn the_place_picker_works_without_javascript() {
    let app = spawn_app().await;
    let kk = app.unit_id("CDD-P-40").await.to_string();
    let officer = member(&app, "kk.officer", "CDD-P-40", "km_officer").await;
    let form = body(officer.get(app.url("/people/new")).send().await.unwrap()).await;
    assert!(form.contains("<option value=\"40\">ขอนแก่น</option>"));
    assert!(
        form.contains("name=\"place.pick\""),
        "a เลือก button for no-JS"
    );
    assert!(form.contains("/static/geo.js"));

    // Choose the province and press เลือก: the districts are listed, nothing is saved.
    let res = post_new(
        &app,
        &officer,
        &[
            ("unit_id", kk.clone()),
            ("name", "นางสมศรี ใจดี".into()),
            ("place.province", "40".into()),
            ("place.pick", "province".into()),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let page = body(res).await;
    assert!(page.contains("<option value=\"40\" selected>ขอนแก่น</option>"));
    assert!(
        page.contains("<option value=\"4001\">เมืองขอนแก่น</option>"),
        "{page}"
    );
    assert!(
        page.contains("value=\"นางสมศรี ใจดี\""),
        "what was typed is kept"
    );
    // Then the district: its subdistricts.
    let res = post_new(
        &app,
        &officer,
        &[
            ("unit_id", kk.clone()),
            ("name", "นางสมศรี ใจดี".into()),
            ("place.province", "40".into()),
            ("place.district", "4001".into()),
            ("place.pick", "district".into()),
        ],
    )
    .await;
    let page = body(res).await;
    assert!(page.contains("<option value=\"400101\">ในเมือง</option>"));
    assert_eq!(count_people(&app).await, 0);

    // With JavaScript the same lists come as JSON.
    let json: serde_json::Value = app
        .client()
        .get(app.url("/geo/districts?province=40"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "4001" && d["name"] == "เมืองขอนแก่น")
    );
    let json: serde_json::Value = app
        .client()
        .get(app.url("/geo/search?q=ในเมือง"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|h| h["subdistrict"] == "400101")
    );
    let res = app
        .client()
        .get(app.url("/geo/districts?province=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .client()
        .get(app.url("/static/geo.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
