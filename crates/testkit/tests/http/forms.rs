//! Form templates through the pages: the innovation wizard on a phone's path (left at step 4,
//! resumed from องค์ความรู้ของฉัน, submitted, approved), bad input at the field with nothing
//! saved, private answers kept from the public, and template versions that never break old
//! entries.

use super::*;
use khlang_core::ids::ItemId;
use khlang_testkit::reqwest::multipart;
use khlang_testkit::spawn_app;

const UNIT: &str = "CDD-P-24-D01";

/// The answers of each of the 7 sections of the innovation form, as the wizard posts them.
fn section(n: usize) -> Vec<(&'static str, &'static str)> {
    match n {
        1 => vec![
            ("p.innovators.mode", "new"),
            ("p.innovators.new.name", "นางสมศรี ใจดี"),
            ("p.innovators.new.place.province", "40"),
            ("p.innovators.new.phone", "0899999999"),
            ("f.years_as_osm", "๑๒"),
            ("f.inspiration", "อยากให้ผู้สูงอายุในหมู่บ้านลุกเดินได้เอง"),
        ],
        2 => vec![
            ("f.place.province", "40"),
            ("f.place.district", "4001"),
            ("f.place.subdistrict", "400101"),
            ("f.place.village_no", "3"),
            ("f.place.village", "หนองแวง"),
            ("f.health_problems", "ผู้สูงอายุติดบ้านและหกล้มบ่อย"),
        ],
        3 => vec![
            ("f.name", "ไม้เท้าสามขาจากท่อพีวีซี"),
            ("f.branch", "branch-02"),
            ("f.description", "ไม้เท้าราคาถูกที่ทำเองได้จากท่อพีวีซีและยางรถจักรยาน"),
            ("f.started_on", "15/2/2567"),
        ],
        4 => vec![(
            "f.results",
            "ผู้ป่วยเบาหวานและผู้สูงอายุ ๒๐ คนเดินออกกำลังกายได้ทุกเช้า",
        )],
        5 => vec![("f.obstacles_before", "")],
        6 => vec![("f.success_factors", "รพ.สต. และ อบต. ช่วยสนับสนุนวัสดุ")],
        7 => vec![
            ("f.impact", "ชุมชนอื่นขอไปทำตาม"),
            ("f.visit_notes", "เบอร์บ้านผู้ประดิษฐ์ 0812345678"),
        ],
        _ => unreachable!(),
    }
}

async fn start(app: &TestApp, client: &Client, title: &str) -> i64 {
    let unit = app.unit_id(UNIT).await.to_string();
    let page = format!("/items/new/innovation?unit={unit}");
    let res = client.get(app.url(&page)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(html.contains("แบบเก็บรวบรวมองค์ความรู้และนวัตกรรม"), "{html}");
    assert!(
        html.contains(&format!("value=\"{unit}\" selected")),
        "unit preselected"
    );
    let res = post_form(
        app,
        client,
        &page,
        "/items/new/innovation",
        &[("title", title), ("unit_id", &unit)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let loc = location(&res);
    assert!(loc.ends_with("/form/1"), "{loc}");
    loc.trim_start_matches("/items/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn save(
    app: &TestApp,
    client: &Client,
    id: i64,
    n: usize,
    extra: &[(&str, &str)],
) -> Response {
    let path = format!("/items/{id}/form/{n}");
    let mut fields = section(n);
    fields.extend_from_slice(extra);
    post_form(app, client, &path, &path, &fields).await
}

async fn item(app: &TestApp, id: i64) -> khlang_core::item::Item {
    app.core().knowledge.get_item(ItemId(id)).await.unwrap()
}

fn pdf() -> Vec<u8> {
    let mut b = b"%PDF-1.4\n% khlang test\n".to_vec();
    b.resize(3000, b'x');
    b
}

#[tokio::test]
async fn seven_sections_left_at_step_four_resumed_submitted_and_published() {
    let app = spawn_app().await;
    let officer = member(&app, "officer", UNIT, "contributor").await;
    let reviewer = member(&app, "committee", "CDD-P-24", "reviewer").await;
    let id = start(&app, &officer, "ไม้เท้าสามขา").await;

    for n in 1..=3 {
        let res = save(&app, &officer, id, n, &[("go", "next")]).await;
        assert_eq!(res.status(), 303, "section {n}");
        assert!(location(&res).contains(&format!("/form/{}", n + 1)));
    }
    let entry = item(&app, id).await.fields.entry.unwrap();
    assert!(
        matches!(
            entry.answers.get("innovators"),
            Some(khlang_core::forms::Answer::People(p)) if p.len() == 1
        ),
        "{entry:?}"
    );
    let page = body(
        officer
            .get(app.url(&format!("/items/{id}/form/4")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("ขั้นที่ 4 จาก 7"), "{page}");
    assert!(page.contains("ผลการดำเนินงาน"));
    assert!(page.contains("/static/form-autosave.js"));
    // An autosave of part of step 4, then the phone is put away.
    let res = save(&app, &officer, id, 4, &[("autosave", "1")]).await;
    assert_eq!(res.status(), 200);

    // Coming back: the draft list leads to step 4, with what was typed.
    let mine = body(officer.get(app.url("/my/items")).send().await.unwrap()).await;
    assert!(
        mine.contains(&format!("/items/{id}/form/4")) && mine.contains("ขั้นที่ 4 จาก 7"),
        "{mine}"
    );
    let page = body(
        officer
            .get(app.url(&format!("/items/{id}/form/4")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("เดินออกกำลังกายได้ทุกเช้า"));
    // Back loses nothing.
    let res = save(&app, &officer, id, 4, &[("go", "back")]).await;
    assert_eq!(location(&res), format!("/items/{id}/form/3"));
    let page = body(
        officer
            .get(app.url(&format!("/items/{id}/form/3")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("ไม้เท้าราคาถูก") && page.contains("15/2/2567"),
        "{page}"
    );
    for n in 4..=7 {
        let res = save(&app, &officer, id, n, &[("go", "next")]).await;
        assert_eq!(res.status(), 303, "section {n}: {}", body(res).await);
    }
    let review = body(
        officer
            .get(app.url(&format!("/items/{id}/form/review")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(review.contains("ส่งพิจารณา") && review.contains("15 กุมภาพันธ์ 2567"));
    assert!(review.contains("12 ปี"), "{review}");
    let path = format!("/items/{id}/form/review");
    let res = post_form(&app, &officer, &path, &path, &[]).await;
    assert_eq!(location(&res), format!("/items/{id}?done=submitted"));
    let stored = item(&app, id).await;
    assert_eq!(stored.fields.title.as_str(), "ไม้เท้าสามขาจากท่อพีวีซี");
    assert!(stored.fields.summary.starts_with("ไม้เท้าราคาถูก"));
    assert_eq!(
        stored.fields.knowledge_type,
        khlang_core::item::KnowledgeType::Innovation
    );

    let itempage = format!("/items/{id}");
    let res = post_form(
        &app,
        &reviewer,
        &itempage,
        &format!("/items/{id}/transition"),
        &[("decision", "approve"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 303);

    // The public sees the sections, never the officer's visit notes.
    let public = body(app.client().get(app.url(&itempage)).send().await.unwrap()).await;
    assert!(public.contains("ปัจจัยความสำเร็จ") && public.contains("การส่งเสริมสุขภาพ"));
    assert!(public.contains("เดินออกกำลังกายได้ทุกเช้า"));
    assert!(!public.contains("0812345678"), "private answer shown");
    let at = public
        .find("ผู้คิดค้นนวัตกรรม")
        .map(|i| public[i..].chars().take(120).collect::<String>())
        .unwrap_or_default();
    assert!(at.contains("นางสมศรี ใจดี"), "innovator by name: {at}");
    assert!(
        !public.contains("0899999999"),
        "the innovator's phone is not public"
    );
    let api = body(
        app.client()
            .get(app.url(&format!("/api/v1/items/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        api.contains("\"entry\"") && api.contains("ผู้สูงอายุติดบ้าน"),
        "{api}"
    );
    assert!(!api.contains("0812345678"), "private answer in the API");
    let officer_view = body(officer.get(app.url(&itempage)).send().await.unwrap()).await;
    assert!(officer_view.contains("0812345678"));

    // Search finds a word that is only in section 4.
    let res = app
        .client()
        .get(app.url("/api/v1/search"))
        .query(&[("q", "เบาหวาน")])
        .send()
        .await
        .unwrap();
    let hits: serde_json::Value = res.json().await.unwrap();
    assert!(
        hits["hits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["id"].as_i64() == Some(id)),
        "{hits}"
    );
    // A private answer is never found.
    let res = app
        .client()
        .get(app.url("/api/v1/search"))
        .query(&[("q", "0812345678")])
        .send()
        .await
        .unwrap();
    let hits: serde_json::Value = res.json().await.unwrap();
    assert_eq!(hits["total"].as_u64(), Some(0), "{hits}");
    app.stop().await;
}

#[tokio::test]
async fn bad_answers_get_thai_messages_at_the_field_and_nothing_is_saved() {
    let app = spawn_app().await;
    let officer = member(&app, "officer", UNIT, "contributor").await;
    let unit = app.unit_id(UNIT).await.to_string();
    let res = post_form(
        &app,
        &officer,
        "/items/new/innovation",
        "/items/new/innovation",
        &[("title", ""), ("unit_id", &unit)],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณากรอกชื่อนวัตกรรม/ผลงานเด่น"));

    let id = start(&app, &officer, "ถุงยาเคลื่อนที่").await;
    let before = item(&app, id).await;
    // Missing required answer.
    let path = format!("/items/{id}/form/2");
    let res = post_form(
        &app,
        &officer,
        &path,
        &path,
        &[
            ("f.place.province", "40"),
            ("f.area", "ที่ราบ"),
            ("go", "next"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("กรุณากรอกปัญหาสุขภาพในพื้นที่"), "{html}");
    assert!(html.contains("ที่ราบ"), "what was typed stays");
    // 10,000 characters in a short field, and a district outside its province.
    let long = "ก".repeat(10_000);
    let path = format!("/items/{id}/form/3");
    let res = post_form(
        &app,
        &officer,
        &path,
        &path,
        &[
            ("f.name", &long),
            ("f.branch", "branch-02"),
            ("f.description", "ข้อความ"),
            ("go", "next"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("ยาวเกิน 300 ตัวอักษร"), "{html}");
    let res = post_form(
        &app,
        &officer,
        &format!("/items/{id}/form/2"),
        &format!("/items/{id}/form/2"),
        &[
            ("f.place.province", "40"),
            ("f.place.district", "4101"),
            ("f.health_problems", "x"),
            ("go", "next"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("อำเภอที่เลือกไม่อยู่ในจังหวัดนี้"));
    // An unknown branch, a bad date, junk in a number.
    let res = post_form(
        &app,
        &officer,
        &path,
        &path,
        &[
            ("f.name", "ชื่อ"),
            ("f.branch", "branch-99"),
            ("f.description", "ข้อความ"),
            ("f.started_on", "31/2/2567"),
            ("go", "next"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("กรุณาเลือกสาขา อสม.ดีเด่นจากรายการ"), "{html}");
    assert!(html.contains("วันที่ไม่ถูกต้อง"));
    let p1 = format!("/items/{id}/form/1");
    let res = post_form(
        &app,
        &officer,
        &p1,
        &p1,
        &[
            ("p.innovators.mode", "new"),
            ("p.innovators.new.name", "นายทดสอบ ไม่บันทึก"),
            ("f.years_as_osm", "สิบ"),
            ("go", "next"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ต้องเป็นตัวเลข"));
    // The person typed inline was not recorded either (the section was refused first).
    let found = app
        .core()
        .people_public(&[khlang_core::ids::PersonId(1)])
        .await
        .unwrap();
    assert!(found.is_empty(), "{found:?}");
    // A forged person id is refused.
    let res = post_form(
        &app,
        &officer,
        &p1,
        &p1,
        &[("f.innovators", "999"), ("go", "next")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไม่พบบุคคลที่เลือก"));
    // Autosave of a bad answer says why, and saves nothing either.
    let res = post_form(
        &app,
        &officer,
        &path,
        &path,
        &[("f.name", &long), ("autosave", "1")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let text = body(res).await;
    assert!(text.contains("ยาวเกิน"), "{text}");

    // A PDF is not a photo: refused before it is stored.
    let csrf = app.csrf(&officer, &path).await;
    let form = multipart::Form::new()
        .text("csrf", csrf)
        .text("f.name", "ถุงยาเคลื่อนที่")
        .part(
            "upload.photos",
            multipart::Part::bytes(pdf()).file_name("รูป.pdf"),
        );
    let res = officer
        .post(app.url(&format!("/items/{id}/form/3/upload/photos")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("ภาพถ่ายรับเฉพาะ รูปภาพ"), "{html}");
    assert!(
        app.core()
            .knowledge
            .item_files(ItemId(id))
            .await
            .unwrap()
            .is_empty()
    );
    // The same PDF is welcome among the slides.
    let csrf = app.csrf(&officer, &path).await;
    let form = multipart::Form::new().text("csrf", csrf).part(
        "upload.presentations",
        multipart::Part::bytes(pdf()).file_name("สไลด์.pdf"),
    );
    let res = officer
        .post(app.url(&format!("/items/{id}/form/3/upload/presentations")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let after = item(&app, id).await;
    let entry = after.fields.entry.clone().unwrap();
    assert_eq!(entry.files().len(), 1);
    // Nothing of the refused posts was saved.
    let mut without_files = entry.clone();
    without_files.answers.remove("presentations");
    without_files.step = before.fields.entry.as_ref().unwrap().step;
    assert_eq!(Some(without_files), before.fields.entry);
    // Submitting an incomplete entry names what is missing.
    let review = format!("/items/{id}/form/review");
    let res = post_form(&app, &officer, &review, &review, &[]).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาเลือกหรือบันทึกผู้คิดค้นนวัตกรรม"));
    // Someone else's draft is not theirs to fill.
    let other = member(&app, "other", "CDD-P-24-D02", "contributor").await;
    let res = other
        .get(app.url(&format!("/items/{id}/form/1")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = officer
        .get(app.url(&format!("/items/{id}/form/9")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn an_added_field_is_a_new_version_and_old_entries_still_render_and_diff() {
    let app = spawn_app().await;
    let officer = member(&app, "officer", UNIT, "contributor").await;
    let reviewer = member(&app, "committee", "CDD-P-24", "reviewer").await;
    let admin = app.admin().await;
    let id = start(&app, &officer, "ไม้เท้า").await;
    for n in 1..=7 {
        let res = save(&app, &officer, id, n, &[("go", "next")]).await;
        assert_eq!(res.status(), 303);
    }
    let review = format!("/items/{id}/form/review");
    post_form(&app, &officer, &review, &review, &[]).await;
    let itempage = format!("/items/{id}");
    let approve = [("decision", "approve"), ("comment", "")];
    let t = format!("/items/{id}/transition");
    assert_eq!(
        post_form(&app, &reviewer, &itempage, &t, &approve)
            .await
            .status(),
        303
    );

    // The administrator adds an optional field to section 4 and renames one.
    let list = body(admin.get(app.url("/admin/templates")).send().await.unwrap()).await;
    assert!(list.contains("/admin/templates/innovation"));
    let admin_home = body(admin.get(app.url("/admin")).send().await.unwrap()).await;
    assert!(admin_home.contains("แบบฟอร์ม"));
    let tv = app.core().template("innovation").await.unwrap();
    assert_eq!(tv.version, 1);
    let mut form: Vec<(String, String)> = Vec::new();
    for (_, f) in tv.fields() {
        let label = if f.key == "results" {
            "ผลการดำเนินงานที่ผ่านมา".to_string()
        } else {
            f.label.clone()
        };
        form.push((format!("label.{}", f.key), label));
        form.push((format!("help.{}", f.key), f.help.clone()));
    }
    form.extend([
        ("new.section".to_string(), "4".to_string()),
        ("new.label".to_string(), "จำนวนผู้ได้รับประโยชน์".to_string()),
        ("new.kind".to_string(), "number".to_string()),
        ("new.unit".to_string(), "คน".to_string()),
        ("new.public".to_string(), "1".to_string()),
        ("new.searchable".to_string(), "1".to_string()),
    ]);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let res = post_form(
        &app,
        &admin,
        "/admin/templates/innovation",
        "/admin/templates/innovation",
        &pairs,
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let v2 = app.core().template("innovation").await.unwrap();
    assert_eq!(v2.version, 2);
    assert!(v2.field("v2_1").is_some());
    // A non-admin may not.
    let res = officer
        .get(app.url("/admin/templates/innovation"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // The old entry renders with its version 1 labels.
    let public = body(app.client().get(app.url(&itempage)).send().await.unwrap()).await;
    assert!(public.contains("ฉบับที่ 1") && public.contains("เดินออกกำลังกายได้ทุกเช้า"));
    assert!(!public.contains("จำนวนผู้ได้รับประโยชน์"));
    // A new entry gets version 2 and its new field.
    let id2 = start(&app, &officer, "อีกเรื่อง").await;
    let s4 = body(
        officer
            .get(app.url(&format!("/items/{id2}/form/4")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(s4.contains("จำนวนผู้ได้รับประโยชน์") && s4.contains("ผลการดำเนินงานที่ผ่านมา"));

    // The old entry is edited (a revision), screened, and its history shows the change.
    let path = format!("/items/{id}/form/4");
    let res = post_form(
        &app,
        &officer,
        &path,
        &path,
        &[("f.results", "ผู้สูงอายุ ๓๐ คนเดินได้เอง"), ("go", "next")],
    )
    .await;
    assert_eq!(res.status(), 303);
    // Readers keep the published answers; the revision shows what would change.
    let public = body(app.client().get(app.url(&itempage)).send().await.unwrap()).await;
    assert!(!public.contains("ผู้สูงอายุ ๓๐ คนเดินได้เอง"));
    let own = body(officer.get(app.url(&itempage)).send().await.unwrap()).await;
    assert!(own.contains("ผู้สูงอายุ ๓๐ คนเดินได้เอง"), "revision changes");
    let res = post_form(
        &app,
        &officer,
        &itempage,
        &t,
        &[("decision", "submit"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        post_form(&app, &reviewer, &itempage, &t, &approve)
            .await
            .status(),
        303
    );
    let history = body(
        app.client()
            .get(app.url(&format!("/items/{id}/history")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        history.contains("ผลการดำเนินงาน › ผลการดำเนินงาน")
            && history.contains("ผู้สูงอายุ ๓๐ คนเดินได้เอง"),
        "{history}"
    );
    assert!(
        !history.contains("0812345678"),
        "private answer in the public history"
    );
    let stored = item(&app, id).await;
    assert_eq!(stored.fields.entry.unwrap().version, 1);
    app.stop().await;
}

#[tokio::test]
async fn template_admin_refuses_bad_edits_and_unknown_templates_are_not_found() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    for path in ["/admin/templates/nope", "/items/new/nope"] {
        let res = admin.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    let tv = app.core().template("innovation").await.unwrap();
    let mut form: Vec<(String, String)> = Vec::new();
    for (_, f) in tv.fields() {
        let label = if f.key == "area" {
            String::new()
        } else {
            f.label.clone()
        };
        form.push((format!("label.{}", f.key), label));
    }
    form.push(("retired.name".into(), "1".into()));
    form.push(("new.section".into(), "9".into()));
    form.push(("new.label".into(), "คำถามใหม่".into()));
    form.push(("new.kind".into(), "choice".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let res = post_form(
        &app,
        &admin,
        "/admin/templates/innovation",
        "/admin/templates/innovation",
        &pairs,
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    for m in [
        "กรุณาใส่ชื่อคำถาม",
        "เป็นคำถามที่ต้องตอบ จึงเลิกใช้ไม่ได้",
        "กรุณาเลือกหัวข้อที่จะเพิ่มคำถาม",
        "ตัวเลือกอย่างน้อย 2 ข้อ",
    ] {
        assert!(html.contains(m), "{m}");
    }
    assert_eq!(app.core().template("innovation").await.unwrap().version, 1);
    app.stop().await;
}
