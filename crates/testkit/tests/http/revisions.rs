//! Edits to published knowledge are screened (issue 9 §2): an edit, a file change or a wider
//! readership becomes a pending revision (ฉบับแก้ไข) that readers never see until the
//! committee approves it; rejection and withdrawal keep the published version; a reviewer's
//! minor correction (แก้ไขเล็กน้อย) is published at once and audited; owners cannot bypass it.

use super::{body, location, member, post_form};
use khlang_testkit::reqwest::{Client, Method};
use khlang_testkit::{ApiCaller, PASSWORD, TestApp, spawn_app};
use serde_json::{Value, json};

const PDF_1: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PDF_2: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n% second\n";
const PDF_3: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n% third\n";

/// Someone calling the API (shared with the other API tests).
type Caller<'a> = ApiCaller<'a>;

/// The district's author (who also sits on its screening committee, so that "never your own
/// work" is what stops them), the province's reviewer, and a KM officer of the district.
async fn team(app: &TestApp) -> (i64, Caller<'_>, Caller<'_>, Caller<'_>) {
    let district = app.unit_id("CDD-P-24-D01").await;
    let author = Caller::user(
        app,
        "author",
        &[
            ("contributor", "CDD-P-24-D01"),
            ("reviewer", "CDD-P-24-D01"),
        ],
    )
    .await;
    let reviewer = Caller::user(app, "reviewer", &[("reviewer", "CDD-P-24")]).await;
    let officer = Caller::user(app, "officer", &[("km_officer", "CDD-P-24-D01")]).await;
    (district, author, reviewer, officer)
}

/// Drafts (with `extra` keys and `files`), submits and approves an item; returns its id and
/// the ids of its files.
async fn published(
    author: &Caller<'_>,
    reviewer: &Caller<'_>,
    unit: i64,
    extra: Value,
    files: &[(&str, &[u8])],
) -> (i64, Vec<i64>) {
    let mut b = json!({"unit_id": unit});
    for (k, v) in extra.as_object().unwrap() {
        b[k] = v.clone();
    }
    let id = author.expect(Method::POST, "/api/v1/items", b, 201).await["id"]
        .as_i64()
        .unwrap();
    let mut ids = Vec::new();
    for (name, bytes) in files {
        let res = author.upload(id, name, bytes).await;
        assert_eq!(res.status(), 201);
        ids.push(
            res.json::<Value>().await.unwrap()["file_id"]
                .as_i64()
                .unwrap(),
        );
    }
    author
        .expect(
            Method::POST,
            &format!("/api/v1/items/{id}/submit"),
            json!({}),
            200,
        )
        .await;
    reviewer
        .expect(
            Method::POST,
            &format!("/api/v1/items/{id}/review"),
            json!({"decision": "approve"}),
            200,
        )
        .await;
    (id, ids)
}

async fn search_ids(app: &TestApp, q: &str) -> Vec<i64> {
    let v: Value = app
        .client()
        .get(app.url("/api/v1/search"))
        .query(&[("q", q)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

async fn page(app: &TestApp, client: &Client, path: &str) -> (u16, String) {
    let res = client.get(app.url(path)).send().await.unwrap();
    (res.status().as_u16(), body(res).await)
}

fn file_ids(item: &Value) -> Vec<i64> {
    item["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn an_edit_of_published_knowledge_waits_for_screening_and_the_public_never_sees_it() {
    let app = spawn_app().await;
    let (district, author, reviewer, _) = team(&app).await;
    let public = Caller::anonymous(&app);
    let (id, _) = published(
        &author,
        &reviewer,
        district,
        json!({"title": "ปุ๋ยหมักสูตรดั้งเดิม", "summary": "ใช้มูลวัวและฟางข้าว"}),
        &[],
    )
    .await;
    let path = format!("/api/v1/items/{id}");

    // The owner's edit becomes a draft revision; the answer is still the published item.
    let edited = author
        .expect(
            Method::PATCH,
            &path,
            json!({"title": "ปุ๋ยหมักสูตรน้ำหมักชีวภาพ", "summary": "เพิ่มกากน้ำตาล"}),
            200,
        )
        .await;
    assert_eq!(edited["status"], "published");
    assert_eq!(edited["title"], "ปุ๋ยหมักสูตรดั้งเดิม");
    assert_eq!(edited["version"], 1);
    let pending = &edited["pending_revision"];
    assert_eq!(pending["status"], "draft");
    assert_eq!(pending["fields"]["title"], "ปุ๋ยหมักสูตรน้ำหมักชีวภาพ");
    let changed: Vec<&str> = pending["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["title", "summary"]);
    assert_eq!(pending["diff"][0]["before"], "ปุ๋ยหมักสูตรดั้งเดิม");
    assert_eq!(
        pending["actions"],
        json!(["edit", "submit", "withdraw"]),
        "the owner edits, submits or withdraws"
    );

    // The public sees the published version everywhere, and nothing of the revision.
    let seen = public.read(&path).await;
    assert_eq!(seen["title"], "ปุ๋ยหมักสูตรดั้งเดิม");
    assert!(seen.get("pending_revision").is_none(), "{seen}");
    assert!(!seen.to_string().contains("น้ำหมักชีวภาพ"));
    let (status, html) = page(&app, &app.client(), &format!("/items/{id}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("ปุ๋ยหมักสูตรดั้งเดิม"));
    assert!(!html.contains("น้ำหมักชีวภาพ") && !html.contains("ฉบับแก้ไข"));
    let list = public.read("/api/v1/items").await;
    assert_eq!(list["items"][0]["title"], "ปุ๋ยหมักสูตรดั้งเดิม");
    assert!(list["items"][0].get("pending_revision").is_none());
    assert!(!list.to_string().contains("น้ำหมักชีวภาพ"));
    assert_eq!(search_ids(&app, "น้ำหมักชีวภาพ").await, Vec::<i64>::new());
    assert_eq!(search_ids(&app, "ดั้งเดิม").await, vec![id]);
    // A signed-in reader outside the committee learns nothing either.
    let colleague = Caller::user(&app, "colleague", &[("contributor", "CDD-P-24-D01")]).await;
    assert!(
        colleague
            .read(&path)
            .await
            .get("pending_revision")
            .is_none()
    );

    // The owner keeps editing the draft revision, then submits it.
    let edited = author
        .expect(Method::PATCH, &path, json!({"body": "ขั้นที่ 1 หมักสามวัน"}), 200)
        .await;
    assert_eq!(
        edited["pending_revision"]["fields"]["body"],
        "ขั้นที่ 1 หมักสามวัน"
    );
    assert_eq!(
        edited["pending_revision"]["fields"]["title"],
        "ปุ๋ยหมักสูตรน้ำหมักชีวภาพ"
    );
    let submitted = author
        .expect(Method::POST, &format!("{path}/submit"), json!({}), 200)
        .await;
    assert_eq!(submitted["status"], "published");
    assert_eq!(submitted["pending_revision"]["status"], "submitted");
    assert_eq!(
        submitted["pending_revision"]["actions"],
        json!(["withdraw"])
    );
    assert_eq!(
        author.read(&path).await["actions"],
        json!([]),
        "nothing to edit now"
    );
    // Once submitted it is the committee's: no more edits until it comes back.
    author
        .expect(Method::PATCH, &path, json!({"title": "แก้ระหว่างรอ"}), 409)
        .await;

    // The owner sits on the committee but cannot approve their own revision, nor skip
    // screening with a minor correction.
    author
        .expect(
            Method::POST,
            &format!("{path}/review"),
            json!({"decision": "approve"}),
            403,
        )
        .await;
    assert_eq!(
        author.read("/api/v1/items?status=review").await["total"],
        0,
        "not in the owner's own queue"
    );

    // The committee sees it in its queue, marked as a revision, with a field-by-field diff.
    let queue = reviewer.read("/api/v1/items?status=review").await;
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["id"], id);
    assert_eq!(queue["items"][0]["pending_revision"], "submitted");
    let view = reviewer.read(&path).await;
    assert_eq!(
        view["pending_revision"]["actions"],
        json!(["approve", "request_changes", "reject"])
    );
    assert_eq!(
        view["actions"],
        json!(["approve", "request_changes", "reject"])
    );

    // Sent back, changed, sent again, approved.
    let back = reviewer
        .expect(
            Method::POST,
            &format!("{path}/review"),
            json!({"decision": "request_changes", "comment": "ขอแหล่งอ้างอิงสูตร"}),
            200,
        )
        .await;
    assert_eq!(back["pending_revision"]["status"], "changes_requested");
    assert_eq!(
        author.read(&path).await["pending_revision"]["status"],
        "changes_requested"
    );
    author
        .expect(
            Method::PATCH,
            &path,
            json!({"links": ["https://example.go.th/compost"]}),
            200,
        )
        .await;
    let again = author
        .expect(Method::POST, &format!("{path}/submit"), json!({}), 200)
        .await;
    assert_eq!(again["pending_revision"]["status"], "resubmitted");
    assert_eq!(public.read(&path).await["title"], "ปุ๋ยหมักสูตรดั้งเดิม");
    let approved = reviewer
        .expect(
            Method::POST,
            &format!("{path}/review"),
            json!({"decision": "approve"}),
            200,
        )
        .await;
    assert_eq!(approved["title"], "ปุ๋ยหมักสูตรน้ำหมักชีวภาพ");
    assert_eq!(approved["version"], 2);

    // Now everyone reads it, search follows, and the history shows both versions.
    let seen = public.read(&path).await;
    assert_eq!(seen["title"], "ปุ๋ยหมักสูตรน้ำหมักชีวภาพ");
    assert_eq!(seen["body"], "ขั้นที่ 1 หมักสามวัน");
    assert_eq!(seen["links"], json!(["https://example.go.th/compost"]));
    assert_eq!(seen["status"], "published");
    assert!(author.read(&path).await.get("pending_revision").is_none());
    assert_eq!(search_ids(&app, "น้ำหมักชีวภาพ").await, vec![id]);
    assert_eq!(search_ids(&app, "ดั้งเดิม").await, Vec::<i64>::new());
    let history = public.read(&format!("{path}/versions")).await;
    let numbers: Vec<i64> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [2, 1]);
    assert_eq!(history["items"][0]["diff"][0]["field"], "title");
    let (_, html) = page(&app, &app.client(), &format!("/items/{id}/history")).await;
    assert!(html.contains("ฉบับที่ 2") && html.contains("ฉบับที่ 1"));
    assert!(html.contains("อนุมัติเผยแพร่ฉบับแก้ไข"));
    // Restoring version 1 from the history page is screened like any edit.
    let owner = app.sign_in("author", PASSWORD).await;
    let history = format!("/items/{id}/history");
    let res = post_form(&app, &owner, &history, &format!("{history}/1/restore"), &[]).await;
    assert_eq!(location(&res), format!("/items/{id}?done=revision_saved"));
    assert_eq!(public.read(&path).await["title"], "ปุ๋ยหมักสูตรน้ำหมักชีวภาพ");
    let pending = author.read(&path).await["pending_revision"].clone();
    assert_eq!(pending["fields"]["title"], "ปุ๋ยหมักสูตรดั้งเดิม");
    app.stop().await;
}

#[tokio::test]
async fn a_wider_readership_stays_unpublished_until_approved_and_rejection_keeps_the_old() {
    let app = spawn_app().await;
    let (district, author, reviewer, _) = team(&app).await;
    let public = Caller::anonymous(&app);
    let (id, _) = published(
        &author,
        &reviewer,
        district,
        json!({"title": "แผนน้ำประปาหมู่บ้าน", "visibility": "unit"}),
        &[],
    )
    .await;
    let path = format!("/api/v1/items/{id}");
    public.expect(Method::GET, &path, Value::Null, 404).await;

    // Widening to the public is an edit like any other: screened first.
    author
        .expect(Method::PATCH, &path, json!({"visibility": "public"}), 200)
        .await;
    author
        .expect(Method::POST, &format!("{path}/submit"), json!({}), 200)
        .await;
    public.expect(Method::GET, &path, Value::Null, 404).await;
    let (status, html) = page(&app, &app.client(), &format!("/items/{id}")).await;
    assert_ne!(status, 200, "{html}");
    assert!(!html.contains("แผนน้ำประปา"));
    assert_eq!(public.read("/api/v1/items").await["total"], 0);
    assert_eq!(search_ids(&app, "น้ำประปา").await, Vec::<i64>::new());
    let view = author.read(&path).await;
    assert_eq!(view["visibility"], "unit");
    assert_eq!(view["pending_revision"]["fields"]["visibility"], "public");

    // Rejected: the revision ends, the published version stays as it was.
    reviewer
        .expect(
            Method::POST,
            &format!("{path}/review"),
            json!({"decision": "reject"}),
            422,
        )
        .await;
    reviewer
        .expect(
            Method::POST,
            &format!("{path}/review"),
            json!({"decision": "reject", "comment": "แผนภายในยังไม่ควรเผยแพร่"}),
            200,
        )
        .await;
    let view = author.read(&path).await;
    assert_eq!(view["status"], "published");
    assert_eq!(view["visibility"], "unit");
    assert_eq!(view["version"], 1);
    assert!(view.get("pending_revision").is_none());
    let said: Vec<&str> = view["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert!(
        said.contains(&"(ฉบับแก้ไข) แผนภายในยังไม่ควรเผยแพร่"),
        "{said:?}"
    );
    public.expect(Method::GET, &path, Value::Null, 404).await;
    assert_eq!(
        reviewer.read("/api/v1/items?status=review").await["total"],
        0
    );

    // Asked again and approved: now the public reads it.
    author
        .expect(Method::PATCH, &path, json!({"visibility": "public"}), 200)
        .await;
    author
        .expect(Method::POST, &format!("{path}/submit"), json!({}), 200)
        .await;
    reviewer
        .expect(
            Method::POST,
            &format!("{path}/review"),
            json!({"decision": "approve"}),
            200,
        )
        .await;
    assert_eq!(public.read(&path).await["visibility"], "public");
    assert_eq!(search_ids(&app, "น้ำประปา").await, vec![id]);
    app.stop().await;
}

#[tokio::test]
async fn files_of_a_revision_reach_readers_only_on_approval() {
    let app = spawn_app().await;
    let (district, author, reviewer, _) = team(&app).await;
    let public = Caller::anonymous(&app);
    let (id, files) = published(
        &author,
        &reviewer,
        district,
        json!({"title": "คู่มือเก็บเมล็ดพันธุ์"}),
        &[("คู่มือ-ฉบับแรก.pdf", PDF_1)],
    )
    .await;
    let first = files[0];
    let path = format!("/api/v1/items/{id}");

    // A new file and the old one removed, in the revision only.
    let res = author.upload(id, "คู่มือ-ฉบับปรับปรุง.pdf", PDF_2).await;
    assert_eq!(res.status(), 201);
    let second = res.json::<Value>().await.unwrap()["file_id"]
        .as_i64()
        .unwrap();
    author
        .expect(
            Method::DELETE,
            &format!("{path}/files/{first}"),
            Value::Null,
            204,
        )
        .await;
    let seen = public.read(&path).await;
    assert_eq!(file_ids(&seen), [first]);
    assert_eq!(public.get(&format!("/files/{first}")).await.status(), 200);
    assert_eq!(public.get(&format!("/files/{second}")).await.status(), 404);
    assert_eq!(
        public
            .get(&format!("/api/v1/files/{second}"))
            .await
            .status(),
        404
    );
    // The owner and the committee may open the revision's file.
    let file = format!("/api/v1/files/{second}");
    assert_eq!(author.get(&file).await.status(), 200);
    assert_eq!(reviewer.get(&file).await.status(), 200);
    let mine = author.read(&path).await;
    assert_eq!(file_ids(&mine), [first], "the published files");
    assert_eq!(file_ids(&mine["pending_revision"]), [second]);
    let changed: Vec<&str> = mine["pending_revision"]["diff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["files"]);

    author
        .expect(Method::POST, &format!("{path}/submit"), json!({}), 200)
        .await;
    reviewer
        .expect(
            Method::POST,
            &format!("{path}/review"),
            json!({"decision": "approve"}),
            200,
        )
        .await;
    let seen = public.read(&path).await;
    assert_eq!(file_ids(&seen), [second]);
    let res = public.get(&format!("/files/{second}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF_2);
    // The first file stays reachable through the history, as before.
    assert_eq!(public.get(&format!("/files/{first}")).await.status(), 200);

    // A file of a withdrawn revision never reaches readers.
    let res = author.upload(id, "ร่างที่ไม่ใช้.pdf", PDF_3).await;
    let third = res.json::<Value>().await.unwrap()["file_id"]
        .as_i64()
        .unwrap();
    let withdrawn = author
        .expect(
            Method::DELETE,
            &format!("{path}/revision"),
            Value::Null,
            200,
        )
        .await;
    assert!(withdrawn.get("pending_revision").is_none());
    assert_eq!(file_ids(&public.read(&path).await), [second]);
    assert_eq!(public.get(&format!("/files/{third}")).await.status(), 404);
    author
        .expect(
            Method::DELETE,
            &format!("{path}/revision"),
            Value::Null,
            409,
        )
        .await;
    app.stop().await;
}

#[tokio::test]
async fn a_minor_correction_is_published_at_once_and_audited_but_not_by_the_owner() {
    let app = spawn_app().await;
    let (district, author, reviewer, officer) = team(&app).await;
    let public = Caller::anonymous(&app);
    let (id, _) = published(
        &author,
        &reviewer,
        district,
        json!({"title": "การเลี้ยงไก่ไข่อินทรีย", "summary": "อาหารไก่จากวัตถุดิบในชุมชน"}),
        &[],
    )
    .await;
    let path = format!("/api/v1/items/{id}");

    // The owner cannot skip screening.
    author
        .expect(
            Method::PATCH,
            &path,
            json!({"title": "การเลี้ยงไก่ไข่อินทรีย์", "minor_correction": "แก้คำผิด"}),
            403,
        )
        .await;
    // A reviewer must say why, and may not change who reads it.
    reviewer
        .expect(
            Method::PATCH,
            &path,
            json!({"title": "การเลี้ยงไก่ไข่อินทรีย์", "minor_correction": "  "}),
            422,
        )
        .await;
    let problem = reviewer
        .expect(
            Method::PATCH,
            &path,
            json!({"visibility": "unit", "minor_correction": "ปรับผู้อ่าน"}),
            422,
        )
        .await;
    assert_eq!(problem["errors"][0]["field"], "visibility");

    let fixed = reviewer
        .expect(
            Method::PATCH,
            &path,
            json!({"title": "การเลี้ยงไก่ไข่อินทรีย์", "minor_correction": "แก้คำที่พิมพ์ผิดในชื่อเรื่อง"}),
            200,
        )
        .await;
    assert_eq!(fixed["version"], 2);
    assert!(fixed.get("pending_revision").is_none());
    assert_eq!(public.read(&path).await["title"], "การเลี้ยงไก่ไข่อินทรีย์");
    let history = public.read(&format!("{path}/versions")).await;
    assert_eq!(
        history["items"][0]["note"],
        "แก้ไขเล็กน้อย: แก้คำที่พิมพ์ผิดในชื่อเรื่อง"
    );
    let audit = app.core().store.recent_audit(50).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "item.minor_correction")
        .expect("the correction is in the audit log");
    assert_eq!(entry.target, format!("item:{id}"));
    assert!(
        entry.detail.contains("แก้คำที่พิมพ์ผิดในชื่อเรื่อง"),
        "{}",
        entry.detail
    );

    // A KM officer corrects through the page, with the reason asked for on the form.
    let officer_web = member(&app, "officer_web", "CDD-P-24-D01", "km_officer").await;
    let _ = officer;
    let form = format!("/items/{id}/correct");
    let (status, html) = page(&app, &officer_web, &form).await;
    assert_eq!(status, 200);
    assert!(html.contains("เหตุผลของการแก้ไขเล็กน้อย"));
    let unit = district.to_string();
    let fields = [
        ("title", "การเลี้ยงไก่ไข่อินทรีย์"),
        ("summary", "อาหารไก่จากวัตถุดิบในท้องถิ่น"),
        ("unit_id", unit.as_str()),
        ("visibility", "public"),
    ];
    let res = post_form(&app, &officer_web, &form, &form, &fields).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาบอกเหตุผลของการแก้ไขเล็กน้อย"));
    let mut with_reason = fields.to_vec();
    with_reason.push(("reason", "ใช้คำว่าท้องถิ่นตามต้นฉบับ"));
    let res = post_form(&app, &officer_web, &form, &form, &with_reason).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/items/{id}?done=corrected"));
    assert_eq!(
        public.read(&path).await["summary"],
        "อาหารไก่จากวัตถุดิบในท้องถิ่น"
    );
    // The owner is offered no such shortcut.
    let owner_web = app.sign_in("author", PASSWORD).await;
    assert_eq!(page(&app, &owner_web, &form).await.0, 403);

    // While a revision is pending, corrections wait for it.
    author
        .expect(Method::PATCH, &path, json!({"body": "เพิ่มตารางอาหาร"}), 200)
        .await;
    reviewer
        .expect(
            Method::PATCH,
            &path,
            json!({"title": "ไก่ไข่", "minor_correction": "สั้นลง"}),
            409,
        )
        .await;
    assert_eq!(page(&app, &officer_web, &form).await.0, 409);
    app.stop().await;
}

#[tokio::test]
async fn the_pages_show_a_pending_revision_only_to_those_who_may_see_it() {
    let app = spawn_app().await;
    let (district, author, reviewer, _) = team(&app).await;
    let (id, _) = published(
        &author,
        &reviewer,
        district,
        json!({"title": "ตลาดนัดชุมชนวันเสาร์"}),
        &[],
    )
    .await;
    let owner = app.sign_in("author", PASSWORD).await;
    let committee = app.sign_in("reviewer", PASSWORD).await;
    let edit = format!("/items/{id}/edit");
    let (_, form) = page(&app, &owner, &edit).await;
    assert!(form.contains("ฉบับแก้ไข") && form.contains("ผู้อ่านยังเห็นฉบับเดิม"));
    let unit = district.to_string();
    let res = post_form(
        &app,
        &owner,
        &edit,
        &edit,
        &[
            ("title", "ตลาดนัดชุมชนวันอาทิตย์"),
            ("unit_id", unit.as_str()),
            ("visibility", "public"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/items/{id}?done=revision_saved"));
    let item = format!("/items/{id}");
    let (_, html) = page(&app, &owner, &item).await;
    assert!(html.contains("ฉบับแก้ไข") && html.contains("ตลาดนัดชุมชนวันอาทิตย์"));
    assert!(html.contains("ถอนฉบับแก้ไข"));
    let (_, html) = page(&app, &app.client(), &item).await;
    assert!(!html.contains("วันอาทิตย์") && !html.contains("ฉบับแก้ไข"));
    let (_, mine) = page(&app, &owner, "/my/items").await;
    assert!(mine.contains("ฉบับแก้ไข: ฉบับร่าง"), "the owner's list");
    let (_, home) = page(&app, &app.client(), "/items").await;
    assert!(home.contains("ตลาดนัดชุมชนวันเสาร์") && !home.contains("ฉบับแก้ไข"));

    // Submitted through the page; the committee's queue marks it as a revision.
    let res = post_form(
        &app,
        &owner,
        &item,
        &format!("/items/{id}/transition"),
        &[("decision", "submit")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, queue) = page(&app, &committee, "/review").await;
    assert!(queue.contains("ตลาดนัดชุมชนวันเสาร์") && queue.contains("ฉบับแก้ไข"));
    let (_, html) = page(&app, &committee, &item).await;
    assert!(html.contains("ผลการกลั่นกรองฉบับแก้ไข"));
    assert!(
        html.contains("วันเสาร์") && html.contains("วันอาทิตย์"),
        "the diff"
    );

    // Withdrawn by its owner: gone, the published version untouched.
    let res = post_form(
        &app,
        &owner,
        &item,
        &format!("/items/{id}/revision/withdraw"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&app, &owner, &location(&res)).await;
    assert!(html.contains("ถอนฉบับแก้ไขแล้ว"));
    assert!(!html.contains("วันอาทิตย์"));
    let (_, queue) = page(&app, &committee, "/review").await;
    assert!(!queue.contains("ตลาดนัดชุมชนวันเสาร์"));
    app.stop().await;
}

#[tokio::test]
async fn archiving_ends_a_pending_revision_and_an_unchanged_one_cannot_be_sent() {
    let app = spawn_app().await;
    let (district, author, reviewer, officer) = team(&app).await;
    let (id, _) = published(
        &author,
        &reviewer,
        district,
        json!({"title": "ธนาคารขยะชุมชน"}),
        &[],
    )
    .await;
    let path = format!("/api/v1/items/{id}");
    // An upload taken back leaves the revision as the published version: nothing to screen.
    let res = author.upload(id, "ร่าง.pdf", PDF_2).await;
    let file = res.json::<Value>().await.unwrap()["file_id"]
        .as_i64()
        .unwrap();
    author
        .expect(
            Method::DELETE,
            &format!("{path}/files/{file}"),
            Value::Null,
            204,
        )
        .await;
    author
        .expect(Method::POST, &format!("{path}/submit"), json!({}), 409)
        .await;
    author
        .expect(
            Method::PATCH,
            &path,
            json!({"summary": "คัดแยกขยะแลกเงิน"}),
            200,
        )
        .await;
    author
        .expect(Method::POST, &format!("{path}/submit"), json!({}), 200)
        .await;
    assert_eq!(
        reviewer.read("/api/v1/items?status=review").await["total"],
        1
    );
    // Archived by the unit's KM officer: the revision goes with it, out of the queue.
    officer
        .expect(Method::POST, &format!("{path}/archive"), json!({}), 200)
        .await;
    assert_eq!(
        reviewer.read("/api/v1/items?status=review").await["total"],
        0
    );
    assert!(author.read(&path).await.get("pending_revision").is_none());
    app.stop().await;
}
