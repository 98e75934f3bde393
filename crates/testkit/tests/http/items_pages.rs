//! The repository through its Thai pages, as a volunteer, a reviewer and a visitor use it.

use super::*;
use khlang_testkit::reqwest::multipart;
use khlang_testkit::spawn_app;

fn pdf() -> Vec<u8> {
    let mut b = b"%PDF-1.4\n% khlang test\n".to_vec();
    b.resize(3000, b'x');
    b
}

async fn upload(
    app: &TestApp,
    client: &Client,
    item: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let csrf = app.csrf(client, &format!("/items/{item}/files")).await;
    let form = multipart::Form::new().text("csrf", csrf).part(
        "file",
        multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    client
        .post(app.url(&format!("/items/{item}/files?wizard=1")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn item_id(location: &str) -> String {
    location
        .trim_start_matches("/items/")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn wizard_review_and_publication_through_the_pages() {
    let app = spawn_app().await;
    let volunteer = member(&app, "asa", "CDD-P-24-D01", "contributor").await;
    let reviewer = member(&app, "committee", "CDD-P-24", "reviewer").await;
    let unit = app.unit_id("CDD-P-24-D01").await.to_string();

    // Step 1: what is it.
    let res = post_form(
        &app,
        &volunteer,
        "/items/new",
        "/items/new",
        &[
            ("title", ""),
            ("knowledge_type", "tacit"),
            ("unit_id", &unit),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาใส่ชื่อเรื่อง"));
    let res = post_form(
        &app,
        &volunteer,
        "/items/new",
        "/items/new",
        &[
            ("title", "การทำปุ๋ยหมักจากเศษอาหาร"),
            ("knowledge_type", "tacit"),
            ("unit_id", &unit),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let loc = location(&res);
    assert!(loc.ends_with("/files?wizard=1"), "{loc}");
    let id = item_id(&loc);

    // Step 2: files — a renamed executable is refused, a PDF is stored.
    let res = upload(
        &app,
        &volunteer,
        &id,
        "คู่มือ.pdf",
        b"MZ\x90\x00 this is a program".to_vec(),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไฟล์ประเภทนี้อัปโหลดไม่ได้"));
    let res = upload(&app, &volunteer, &id, "คู่มือปุ๋ยหมัก.pdf", pdf()).await;
    assert_eq!(res.status(), 303);
    let files = body(
        volunteer
            .get(app.url(&format!("/items/{id}/files?wizard=1&done=uploaded")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(files.contains("อัปโหลดไฟล์สำเร็จ") && files.contains("คู่มือปุ๋ยหมัก.pdf"));

    // Step 3: details; step 4: check and send.
    let page = format!("/items/{id}/edit?wizard=1");
    let res = post_form(
        &app,
        &volunteer,
        &page,
        &page,
        &[
            ("title", "การทำปุ๋ยหมักจากเศษอาหาร"),
            ("knowledge_type", "tacit"),
            ("unit_id", &unit),
            ("summary", "วิธีทำปุ๋ยหมักในครัวเรือน"),
            ("body", "## ขั้นตอน\n\n1. แยกเศษอาหาร\n2. หมัก 30 วัน"),
            ("km_steps", "2"),
            ("km_steps", "6"),
            ("tags", "ปุ๋ย, ครัวเรือน"),
            ("visibility", "public"),
            ("licence", "CC-BY-4.0"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/items/{id}/check"));
    let check = body(
        volunteer
            .get(app.url(&format!("/items/{id}/check")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(check.contains("ขั้นที่ 4 จาก 4") && check.contains("คู่มือปุ๋ยหมัก.pdf"));
    let res = post_form(
        &app,
        &volunteer,
        &format!("/items/{id}/check"),
        &format!("/items/{id}/transition"),
        &[("decision", "submit")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let mine = body(volunteer.get(app.url("/my/items")).send().await.unwrap()).await;
    assert!(mine.contains("ส่งพิจารณาแล้ว"));

    // Not public yet.
    assert_eq!(
        app.client()
            .get(app.url(&format!("/items/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // The reviewer finds it in the queue and asks for changes (a reason is required).
    let queue = body(reviewer.get(app.url("/review")).send().await.unwrap()).await;
    assert!(queue.contains("การทำปุ๋ยหมักจากเศษอาหาร"));
    let item_page = format!("/items/{id}");
    let res = post_form(
        &app,
        &reviewer,
        &item_page,
        &format!("/items/{id}/transition"),
        &[("decision", "request_changes"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_form(
        &app,
        &reviewer,
        &item_page,
        &format!("/items/{id}/transition"),
        &[
            ("decision", "request_changes"),
            ("comment", "กรุณาเพิ่มปริมาณวัตถุดิบ"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);

    // The volunteer sees the comment, edits and resubmits.
    let page = body(volunteer.get(app.url(&item_page)).send().await.unwrap()).await;
    assert!(page.contains("กรุณาเพิ่มปริมาณวัตถุดิบ") && page.contains("ส่งกลับแก้ไข"));
    let edit = format!("/items/{id}/edit");
    let res = post_form(
        &app,
        &volunteer,
        &edit,
        &edit,
        &[
            ("title", "การทำปุ๋ยหมักจากเศษอาหาร"),
            ("knowledge_type", "tacit"),
            ("unit_id", &unit),
            ("summary", "วิธีทำปุ๋ยหมักในครัวเรือน"),
            ("body", "## วัตถุดิบ\n\nเศษอาหาร 3 กิโลกรัม"),
            ("visibility", "public"),
            ("licence", "CC-BY-4.0"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post_form(
        &app,
        &volunteer,
        &item_page,
        &format!("/items/{id}/transition"),
        &[("decision", "submit")],
    )
    .await;
    assert_eq!(res.status(), 303);

    // A forbidden move says why; then approval publishes it.
    let res = post_form(
        &app,
        &reviewer,
        &item_page,
        &format!("/items/{id}/transition"),
        &[("decision", "archive")],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post_form(
        &app,
        &reviewer,
        &item_page,
        &format!("/items/{id}/transition"),
        &[("decision", "approve"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 303);

    // Anyone finds it on the home page and opens it; the file is linked.
    let visitor = app.client();
    let home = body(visitor.get(app.url("/")).send().await.unwrap()).await;
    assert!(home.contains("การทำปุ๋ยหมักจากเศษอาหาร"));
    let page = body(visitor.get(app.url(&item_page)).send().await.unwrap()).await;
    assert!(
        page.contains("เผยแพร่แล้ว")
            && page.contains("<h2>วัตถุดิบ</h2>")
            && page.contains("คู่มือปุ๋ยหมัก.pdf")
    );
    assert!(
        !page.contains("กรุณาเพิ่มปริมาณวัตถุดิบ"),
        "the screening conversation is not public"
    );
    let history = body(
        visitor
            .get(app.url(&format!("/items/{id}/history")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(history.contains("ฉบับที่ 1"));
}

#[tokio::test]
async fn browse_filters_paginate_and_hide_what_a_reader_may_not_see() {
    let app = spawn_app().await;
    let admin_user = app.create_user("boss", "รหัสผ่านยาวพอ1", true).await;
    assert_eq!(app.core().load_demo(admin_user.id).await.unwrap(), 8);
    assert_eq!(
        app.core().load_demo(admin_user.id).await.unwrap(),
        0,
        "loading twice adds nothing"
    );
    let visitor = app.client();
    let list = body(visitor.get(app.url("/items")).send().await.unwrap()).await;
    assert!(list.contains("พบ 8 รายการ"));
    assert!(list.contains("ยุทธศาสตร์ KM 3.0"));
    let vocab = app.core().vocabulary().await.unwrap();
    let tx = vocab
        .taxonomies
        .iter()
        .find(|t| t.key == "category")
        .unwrap();
    let model_area = vocab
        .terms_of(tx.id)
        .find(|t| t.key == "model-area")
        .unwrap()
        .id;
    let filtered = body(
        visitor
            .get(app.url(&format!("/items?category={model_area}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!filtered.contains("พบ 8 รายการ"));
    let none = body(
        visitor
            .get(app.url("/items?year=2400"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(none.contains("ไม่พบองค์ความรู้ตามเงื่อนไขที่เลือก"));
    // Thai digits in the year filter work like Arabic ones.
    let thai = body(
        visitor
            .get(app.url("/items?year=๒๕๖๔"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let arabic = body(
        visitor
            .get(app.url("/items?year=2564"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        thai.matches("class=\"card\"").count(),
        arabic.matches("class=\"card\"").count()
    );
    // Garbage in filters is ignored, never a 500.
    assert_eq!(
        visitor
            .get(app.url("/items?category=abc&unit=%27&page=0"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Drafts of others are not listed or readable.
    let asa = member(&app, "asa", "CDD-P-24", "contributor").await;
    let unit = app.unit_id("CDD-P-24").await.to_string();
    let res = post_form(
        &app,
        &asa,
        "/items/new",
        "/items/new",
        &[("title", "ร่างลับของอาสา"), ("unit_id", &unit)],
    )
    .await;
    let id = item_id(&location(&res));
    assert!(
        !body(visitor.get(app.url("/items")).send().await.unwrap())
            .await
            .contains("ร่างลับของอาสา")
    );
    let other = member(&app, "other", "CDD-P-24", "contributor").await;
    assert_eq!(
        other
            .get(app.url(&format!("/items/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        other
            .get(app.url(&format!("/items/{id}/edit")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn taxonomy_admin_adds_renames_and_retires_terms() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let page = body(
        admin
            .get(app.url("/admin/taxonomies"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("การพัฒนาพื้นที่ต้นแบบ"));
    let vocab = app.core().vocabulary().await.unwrap();
    let tx = vocab
        .taxonomies
        .iter()
        .find(|t| t.key == "category")
        .unwrap()
        .id;
    let res = post_form(
        &app,
        &admin,
        "/admin/taxonomies",
        &format!("/admin/taxonomies/{tx}/terms"),
        &[("label_th", ""), ("label_en", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_form(
        &app,
        &admin,
        "/admin/taxonomies",
        &format!("/admin/taxonomies/{tx}/terms"),
        &[
            ("label_th", "สวัสดิการชุมชน"),
            ("label_en", "Community welfare"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let term = app
        .core()
        .vocabulary()
        .await
        .unwrap()
        .terms
        .iter()
        .find(|t| t.label_th == "สวัสดิการชุมชน")
        .cloned()
        .unwrap();
    assert_eq!(term.key, "community-welfare");
    let res = post_form(
        &app,
        &admin,
        "/admin/taxonomies",
        &format!("/admin/terms/{}/retire", term.id),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    // A retired term cannot be chosen for new items.
    app.create_user("writer", "รหัสผ่านยาวพอ1", true).await;
    let writer = app.sign_in("writer", "รหัสผ่านยาวพอ1").await;
    let unit = app.unit_id("CDD").await.to_string();
    let res = post_form(
        &app,
        &writer,
        "/items/new",
        "/items/new",
        &[
            ("title", "เรื่องใหม่"),
            ("unit_id", &unit),
            ("terms", &term.id.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    // Contributors may not manage taxonomies.
    let c = member(&app, "contrib", "CDD", "contributor").await;
    assert_eq!(
        c.get(app.url("/admin/taxonomies"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
}

#[tokio::test]
async fn items_keep_retired_terms_and_files_download_uncompressed() {
    let app = spawn_app().await;
    let admin = app.create_user("chief", "รหัสผ่านยาวพอ1", true).await;
    let chief = app.sign_in("chief", "รหัสผ่านยาวพอ1").await;
    let actor = app.core().actor_for(&admin).await.unwrap();
    let vocab = app.core().vocabulary().await.unwrap();
    let term = vocab
        .terms
        .iter()
        .find(|t| t.key == "regulations-laws")
        .unwrap()
        .id;
    let unit = app.unit_id("CDD").await.to_string();
    let input = khlang_core::item::ItemInput {
        title: "ระเบียบการเบิกจ่าย".into(),
        unit_id: unit.clone(),
        terms: vec![term.0.to_string()],
        ..Default::default()
    };
    let item = app.core().create_item(&actor, &input).await.unwrap();
    app.core()
        .set_term_retired(&actor, term, true)
        .await
        .unwrap();
    let edit = format!("/items/{}/edit", item.id);
    let res = post_form(
        &app,
        &chief,
        &edit,
        &edit,
        &[
            ("title", "ระเบียบการเบิกจ่าย (ปรับปรุง)"),
            ("unit_id", &unit),
            ("terms", &term.0.to_string()),
            ("visibility", "public"),
            ("licence", "CC-BY-4.0"),
        ],
    )
    .await;
    assert_eq!(
        res.status(),
        303,
        "a retired term may stay on an item being edited"
    );

    let res = upload(&app, &chief, &item.id.to_string(), "ระเบียบ.pdf", pdf()).await;
    assert_eq!(res.status(), 303);
    let file = app
        .core()
        .knowledge
        .item_files(item.id)
        .await
        .unwrap()
        .remove(0);
    let res = chief
        .get(app.url(&format!("/files/{}", file.id)))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers().get("content-encoding").is_none(),
        "files are sent as stored"
    );
    assert_eq!(res.headers()["content-length"], "3000");
    assert_eq!(res.headers()["accept-ranges"], "bytes");
}

#[tokio::test]
async fn files_may_be_framed_only_by_khlang_itself() {
    let app = spawn_app().await;
    let admin = app.create_user("framer", "รหัสผ่านยาวพอ1", true).await;
    let client = app.sign_in("framer", "รหัสผ่านยาวพอ1").await;
    let actor = app.core().actor_for(&admin).await.unwrap();
    let unit = app.unit_id("CDD").await.to_string();
    let item = app
        .core()
        .create_item(
            &actor,
            &khlang_core::item::ItemInput {
                title: "คู่มือ".into(),
                unit_id: unit,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        upload(&app, &client, &item.id.to_string(), "คู่มือ.pdf", pdf())
            .await
            .status(),
        303
    );
    let file = app
        .core()
        .knowledge
        .item_files(item.id)
        .await
        .unwrap()
        .remove(0);
    let res = client
        .get(app.url(&format!("/files/{}", file.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-frame-options"], "SAMEORIGIN");
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'self'")
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline")
    );
    let token = app
        .core()
        .create_token_from_console("framer")
        .await
        .unwrap()
        .1;
    let api = app
        .client()
        .patch(app.url("/api/v1/units/abc"))
        .bearer_auth(token.expose())
        .json(&serde_json::json!({"retired": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404, "a non-numeric id is a problem+json 404");
    assert_eq!(api.headers()["content-type"], "application/problem+json");
}
