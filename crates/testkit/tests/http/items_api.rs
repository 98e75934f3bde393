//! The items API and file downloads on the real app: screening from draft to the public,
//! bad input, permissions by role and unit, restricted knowledge, versions, and files.

use khlang_testkit::reqwest::{Method, Response};
use khlang_testkit::{ApiCaller, fresh_config, spawn_app, spawn_with};
use serde_json::{Value, json};

/// A tiny but real-looking PDF (142 bytes) and its SHA-256.
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
const PDF_SHA256: &str = "93e31154c364805a3ef8c904bc257f5ef77600c31b67d392704cd6e1e9cd0657";
/// The start of an MP4 (ftyp box, brand mp42), 52 bytes.
const MP4: &[u8] = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free\x00\x00\x00\x10mdat0123456789ab";
/// A Windows executable's first bytes.
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode.";

/// Someone calling the API (shared with the other API tests).
type Caller<'a> = ApiCaller<'a>;

/// A file sent as the raw body with its own Content-Disposition (only these tests need it).
trait RawUpload {
    async fn upload_raw(&self, item: i64, disposition: &str, bytes: &[u8]) -> Response;
}

impl RawUpload for Caller<'_> {
    async fn upload_raw(&self, item: i64, disposition: &str, bytes: &[u8]) -> Response {
        self.req(Method::POST, &format!("/api/v1/items/{item}/files"))
            .header("content-type", "application/octet-stream")
            .header("content-disposition", disposition)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap()
    }
}

/// The fields a 422 problem names, after checking it is problem+json.
async fn problem_fields(res: Response) -> Vec<String> {
    assert_eq!(res.status(), 422);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

async fn problem_type(res: Response) -> String {
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let p: Value = res.json().await.unwrap();
    p["type"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

fn header(res: &Response, name: &str) -> String {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Drafts, submits and approves an item; returns its id.
async fn published(author: &Caller<'_>, reviewer: &Caller<'_>, unit: i64, extra: Value) -> i64 {
    let id = author.draft(unit, extra).await;
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
    id
}

#[tokio::test]
async fn an_item_goes_from_draft_through_screening_to_the_public() {
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let author = Caller::user(&app, "author", &[("contributor", "CDD-P-24-D01")]).await;
    // Screening committee of the province, above the district.
    let reviewer = Caller::user(&app, "reviewer", &[("reviewer", "CDD-P-24")]).await;
    let public = Caller::anonymous(&app);

    // The vocabulary, as a client's category picker loads it.
    let taxonomies = public.read("/api/v1/taxonomies").await;
    let category = taxonomies
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "category")
        .expect("category taxonomy");
    let terms = category["terms"].as_array().unwrap();
    assert!(terms.len() >= 2 && terms[0]["label_th"].as_str().is_some());
    let (term, other_term) = (
        terms[0]["id"].as_i64().unwrap(),
        terms[1]["id"].as_i64().unwrap(),
    );

    // 1. The contributor drafts it with proper JSON types.
    let res = author
        .post(
            "/api/v1/items",
            json!({
                "title": "  คู่มือการถอดบทเรียน   อสม. ",
                "summary": "วิธีถอดบทเรียนจากการทำงานของ อสม.",
                "knowledge_type": "tacit",
                "acquisition": "capture",
                "km_steps": [2, 1],
                "terms": [term],
                "tags": ["อสม.", "ถอดบทเรียน"],
                "authors": ["นางสาวอาสา ทดลอง"],
                "unit_id": district,
                "fiscal_year": 2567,
                "links": ["https://www.youtube.com/watch?v=abc"]
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let item: Value = res.json::<Value>().await.unwrap();
    let id = item["id"].as_i64().unwrap();
    assert_eq!(item["status"], "draft");
    assert_eq!(item["title"], "คู่มือการถอดบทเรียน อสม.", "tidied by the core");
    assert_eq!(item["km_steps"], json!([1, 2]));
    assert_eq!(item["terms"], json!([term]));
    assert_eq!(item["fiscal_year"], 2567);
    assert_eq!(item["visibility"], "public");
    assert_eq!(item["licence"], "CC-BY-4.0");
    let path = format!("/api/v1/items/{id}");

    // 2. A PDF by multipart (with a Thai name, as browsers send it) …
    let res = author.upload(id, "คู่มือ อสม.pdf", PDF).await;
    assert_eq!(res.status(), 201);
    let pdf_url = header(&res, "location");
    let pdf: Value = res.json().await.unwrap();
    assert_eq!(pdf["name"], "คู่มือ อสม.pdf");
    assert_eq!(pdf["mime"], "application/pdf");
    assert_eq!(pdf["size"], PDF.len());
    assert_eq!(pdf["sha256"], PDF_SHA256);
    assert_eq!(pdf["url"], pdf_url.as_str());
    let pdf_id = pdf["file_id"].as_i64().unwrap();
    assert!(pdf_url.starts_with(&format!("/files/{pdf_id}/")));

    // … and a video as the raw body, named in Content-Disposition (RFC 6266 filename*).
    let res = author
        .upload_raw(
            id,
            "attachment; filename=\"video.mp4\"; filename*=UTF-8''%E0%B8%A7%E0%B8%B4%E0%B8%94%E0%B8%B5%E0%B9%82%E0%B8%AD.mp4",
            MP4,
        )
        .await;
    assert_eq!(res.status(), 201);
    let mp4: Value = res.json().await.unwrap();
    assert_eq!(mp4["name"], "วิดีโอ.mp4");
    assert_eq!(mp4["mime"], "video/mp4");
    assert_eq!(mp4["size"], MP4.len());
    let mp4_id = mp4["file_id"].as_i64().unwrap();

    // A draft is nobody else's business.
    assert_eq!(public.get(&path).await.status(), 404);
    assert_eq!(
        public
            .get(&format!("/api/v1/files/{pdf_id}"))
            .await
            .status(),
        404
    );
    let view = author.read(&path).await;
    assert_eq!(view["files"].as_array().unwrap().len(), 2);
    assert_eq!(view["actions"], json!(["edit", "submit"]));

    // 3. Submitted: the author waits, the committee sees it in its queue.
    let res = author.post(&format!("{path}/submit"), json!({})).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "submitted");
    let res = author
        .send(Method::PATCH, &path, json!({"title": "แก้ระหว่างรอ"}))
        .await;
    assert_eq!(res.status(), 403, "no edits while the committee reads it");
    let queue = reviewer.read("/api/v1/items?status=review").await;
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["id"], id);
    assert!(
        author.read("/api/v1/items?status=review").await["items"]
            .as_array()
            .unwrap()
            .is_empty(),
        "a contributor has no queue"
    );
    let view = reviewer.read(&path).await;
    assert_eq!(
        view["actions"],
        json!(["approve", "request_changes", "reject"])
    );

    // 4. The committee asks for changes, saying what.
    let res = reviewer
        .post(
            &format!("{path}/review"),
            json!({"decision": "request_changes", "comment": "กรุณาเพิ่มขั้นตอนการถอดบทเรียนในบทคัดย่อ"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["status"],
        "changes_requested"
    );
    let view = author.read(&path).await;
    let last = view["comments"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["body"], "กรุณาเพิ่มขั้นตอนการถอดบทเรียนในบทคัดย่อ");
    assert_eq!(last["to_status"], "changes_requested");

    // 5. The author edits only the summary, replies, and sends it again.
    let res = author
        .send(
            Method::PATCH,
            &path,
            json!({"summary": "ขั้นตอน: เตรียม ถาม สรุป และแบ่งปัน"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let edited: Value = res.json().await.unwrap();
    assert_eq!(edited["summary"], "ขั้นตอน: เตรียม ถาม สรุป และแบ่งปัน");
    assert_eq!(edited["title"], "คู่มือการถอดบทเรียน อสม.", "untouched");
    assert_eq!(edited["tags"], json!(["อสม.", "ถอดบทเรียน"]), "untouched");
    assert_eq!(edited["terms"], json!([term]), "untouched");
    let res = author
        .post(&format!("{path}/comments"), json!({"body": "แก้ไขแล้วครับ"}))
        .await;
    assert_eq!(res.status(), 204);
    let res = author
        .post(&format!("{path}/submit"), json!({"comment": "เพิ่มขั้นตอนแล้ว"}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "resubmitted");

    // 6. Approved: published.
    let res = reviewer
        .post(&format!("{path}/review"), json!({"decision": "approve"}))
        .await;
    assert_eq!(res.status(), 200);
    let item: Value = res.json().await.unwrap();
    assert_eq!(item["status"], "published");
    assert!(item["published_at"].is_string());

    // 7. Anyone reads it, finds it in the lists, and downloads its files.
    let view = public.read(&path).await;
    assert_eq!(view["status"], "published");
    assert_eq!(view["files"].as_array().unwrap().len(), 2);
    assert_eq!(view["actions"], json!([]));
    assert_eq!(
        view["comments"],
        json!([]),
        "the conversation is not public"
    );
    let list = public.read("/api/v1/items").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
    let with = public
        .read(&format!("/api/v1/items?category={term}&unit={district}"))
        .await;
    assert_eq!(with["total"], 1);
    let without = public
        .read(&format!("/api/v1/items?category={other_term}"))
        .await;
    assert_eq!(without["total"], 0);
    let mine = author.read("/api/v1/items?status=mine").await;
    assert_eq!(mine["items"][0]["status"], "published");

    let res = public.get(&pdf_url).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "application/pdf");
    assert_eq!(
        header(&res, "content-disposition"),
        "inline; filename=\"______ ___.pdf\"; filename*=UTF-8''%E0%B8%84%E0%B8%B9%E0%B9%88%E0%B8%A1%E0%B8%B7%E0%B8%AD%20%E0%B8%AD%E0%B8%AA%E0%B8%A1.pdf"
    );
    assert_eq!(header(&res, "accept-ranges"), "bytes");
    assert_eq!(header(&res, "content-length"), PDF.len().to_string());
    let etag = header(&res, "etag");
    assert_eq!(etag, format!("\"{PDF_SHA256}\""));
    assert!(header(&res, "cache-control").contains("private"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    let res = public
        .req(Method::GET, &pdf_url)
        .header("range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(
        header(&res, "content-range"),
        format!("bytes 10-19/{}", PDF.len())
    );
    assert_eq!(header(&res, "content-length"), "10");
    assert_eq!(res.bytes().await.unwrap().as_ref(), &PDF[10..20]);

    let res = public
        .req(Method::GET, &format!("/files/{pdf_id}"))
        .header("range", "bytes=999999-")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 416);
    assert_eq!(
        header(&res, "content-range"),
        format!("bytes */{}", PDF.len())
    );

    let res = public
        .req(Method::GET, &pdf_url)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert!(res.bytes().await.unwrap().is_empty());

    let res = public.req(Method::HEAD, &pdf_url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-length"), PDF.len().to_string());
    assert_eq!(header(&res, "etag"), etag);

    // The video, through the API's download route: shown inline, seekable.
    let res = public
        .req(Method::GET, &format!("/api/v1/files/{mp4_id}"))
        .header("range", "bytes=4-11")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(header(&res, "content-type"), "video/mp4");
    assert!(header(&res, "content-disposition").starts_with("inline;"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"ftypmp42");
}

#[tokio::test]
async fn bad_input_is_refused_field_by_field_and_changes_nothing() {
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let elsewhere = app.unit_id("CDD-P-11").await;
    let author = Caller::user(&app, "author", &[("contributor", "CDD-P-24-D01")]).await;
    let reviewer = Caller::user(&app, "reviewer", &[("reviewer", "CDD-P-24")]).await;

    let res = author
        .post(
            "/api/v1/items",
            json!({"title": "   ", "unit_id": district}),
        )
        .await;
    assert_eq!(problem_fields(res).await, ["title"]);
    let res = author
        .post(
            "/api/v1/items",
            json!({"title": "มีหมวดหมู่ที่ไม่มีอยู่", "unit_id": district, "terms": [999999]}),
        )
        .await;
    assert_eq!(problem_fields(res).await, ["terms"]);
    let res = author
        .post(
            "/api/v1/items",
            json!({"title": "หลายช่องผิด", "unit_id": district, "km_steps": [9], "links": ["javascript:alert(1)"], "fiscal_year": "ปีหน้า"}),
        )
        .await;
    assert_eq!(
        problem_fields(res).await,
        ["km_steps", "fiscal_year", "links"]
    );
    let res = author
        .post(
            "/api/v1/items",
            json!({"title": "ช่องแปลก", "unit_id": district, "colour": "red"}),
        )
        .await;
    assert_eq!(res.status(), 400, "unknown keys are refused");
    assert_eq!(problem_type(res).await, "bad-request");
    let res = author
        .post(
            "/api/v1/items",
            json!({"title": "หน่วยงานอื่น", "unit_id": elsewhere}),
        )
        .await;
    assert_eq!(res.status(), 403, "contributes only to its own unit");
    let res = Caller::anonymous(&app)
        .post(
            "/api/v1/items",
            json!({"title": "ใครก็ได้", "unit_id": district}),
        )
        .await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        author.read("/api/v1/items?status=mine").await["total"],
        0,
        "nothing was created"
    );
    let res = author.get("/api/v1/items?status=everything").await;
    assert_eq!(problem_fields(res).await, ["status"]);
    let res = author.get("/api/v1/items?page=abc").await;
    assert_eq!(problem_fields(res).await, ["page"]);

    // A browser session needs the CSRF header, as everywhere in the API.
    let browser = super::member(&app, "browser", "CDD-P-24-D01", "contributor").await;
    let body = json!({"title": "จากเบราว์เซอร์", "unit_id": district});
    let res = browser
        .post(app.url("/api/v1/items"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(problem_type(res).await, "csrf");
    let csrf = app.csrf(&browser, "/account").await;
    let res = browser
        .post(app.url("/api/v1/items"))
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // Screening moves that the state machine or the rules refuse.
    let id = author.draft(district, json!({})).await;
    let path = format!("/api/v1/items/{id}");
    let res = reviewer
        .post(&format!("{path}/review"), json!({"decision": "approve"}))
        .await;
    assert_eq!(res.status(), 409, "a draft cannot be approved");
    let p: Value = res.json().await.unwrap();
    assert!(p["title"].as_str().unwrap().contains("ฉบับร่าง"), "{p}");
    assert_eq!(author.status_of(id).await, "draft");

    author.post(&format!("{path}/submit"), json!({})).await;
    let res = reviewer
        .post(
            &format!("{path}/review"),
            json!({"decision": "request_changes", "comment": "  "}),
        )
        .await;
    assert_eq!(problem_fields(res).await, ["comment"]);
    let res = reviewer
        .post(
            &format!("{path}/review"),
            json!({"decision": "archive", "comment": "เก็บ"}),
        )
        .await;
    assert_eq!(problem_fields(res).await, ["decision"]);
    assert_eq!(author.status_of(id).await, "submitted");
    let res = author.post(&format!("{path}/submit"), json!({})).await;
    assert_eq!(res.status(), 409, "already submitted");

    let res = reviewer
        .post(
            &format!("{path}/review"),
            json!({"decision": "request_changes", "comment": "เพิ่มบทคัดย่อ"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = author
        .send(Method::PATCH, &path, json!({"title": ""}))
        .await;
    assert_eq!(problem_fields(res).await, ["title"]);
    assert_eq!(
        author.read(&path).await["title"],
        "คู่มือการถอดบทเรียน อสม.",
        "unchanged"
    );
    assert_eq!(
        author.get("/api/v1/items/999999").await.status(),
        404,
        "no such item"
    );
    assert_eq!(author.get("/api/v1/items/abc").await.status(), 404);
}

#[tokio::test]
async fn uploads_are_judged_by_content_and_size() {
    let mut config = fresh_config().await;
    config.upload_limit = "1KiB".into();
    let app = spawn_with(config).await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let author = Caller::user(&app, "author", &[("contributor", "CDD-P-24-D01")]).await;
    let id = author.draft(district, json!({})).await;
    let files_of = |v: Value| v["files"].as_array().unwrap().len();

    // An executable renamed to look like a report is refused, either way it arrives.
    let res = author.upload(id, "report.pdf", EXE).await;
    assert_eq!(problem_fields(res).await, ["file"]);
    let res = author
        .upload_raw(id, "attachment; filename=\"report.pdf\"", EXE)
        .await;
    assert_eq!(problem_fields(res).await, ["file"]);

    // Over the limit (1 KiB): 413, by multipart and raw.
    let mut big = PDF.to_vec();
    big.resize(4096, b' ');
    let res = author.upload(id, "ใหญ่.pdf", &big).await;
    assert_eq!(res.status(), 413);
    assert_eq!(problem_type(res).await, "too-large");
    let res = author
        .upload_raw(id, "attachment; filename=\"big.pdf\"", &big)
        .await;
    assert_eq!(res.status(), 413);
    let p: Value = res.json().await.unwrap();
    assert!(p["title"].as_str().unwrap().contains("1.0 KB"), "{p}");

    // A raw body must say its name.
    let res = author
        .req(Method::POST, &format!("/api/v1/items/{id}/files"))
        .header("content-type", "application/pdf")
        .body(PDF.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(problem_fields(res).await, ["file"]);

    // Nothing was attached, and nothing was left in storage.
    assert_eq!(
        files_of(author.read(&format!("/api/v1/items/{id}")).await),
        0
    );
    let blobs = &app.runtime.blobs;
    assert!(blobs.list(Some("blobs")).await.unwrap().is_empty());
    assert!(blobs.list(Some("incoming")).await.unwrap().is_empty());

    // Within the limit it is accepted.
    let res = author.upload(id, "คู่มือ.pdf", PDF).await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        files_of(author.read(&format!("/api/v1/items/{id}")).await),
        1
    );
}

#[tokio::test]
async fn screening_and_editing_follow_roles_and_units() {
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let province = app.unit_id("CDD-P-24").await;
    let author = Caller::user(&app, "author", &[("contributor", "CDD-P-24-D01")]).await;
    let colleague = Caller::user(&app, "colleague", &[("contributor", "CDD-P-24-D01")]).await;
    let reviewer = Caller::user(&app, "reviewer", &[("reviewer", "CDD-P-24")]).await;
    let outsider = Caller::user(&app, "outsider", &[("reviewer", "CDD-P-11")]).await;

    let id = author.draft(district, json!({})).await;
    let path = format!("/api/v1/items/{id}");
    let res = author.upload(id, "คู่มือ.pdf", PDF).await;
    let file_id = res.json::<Value>().await.unwrap()["file_id"]
        .as_i64()
        .unwrap();
    author.post(&format!("{path}/submit"), json!({})).await;

    // A reviewer of another province cannot approve it; the core does not even say it exists.
    let res = outsider
        .post(&format!("{path}/review"), json!({"decision": "approve"}))
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(problem_type(res).await, "not-found");
    assert_eq!(outsider.get(&path).await.status(), 404);
    assert!(
        outsider.read("/api/v1/items?status=review").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(author.status_of(id).await, "submitted", "unchanged");

    // A reviewer never screens their own work.
    let own = reviewer
        .draft(province, json!({"title": "งานของผู้กลั่นกรองเอง"}))
        .await;
    reviewer
        .post(&format!("/api/v1/items/{own}/submit"), json!({}))
        .await;
    let res = reviewer
        .post(
            &format!("/api/v1/items/{own}/review"),
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(problem_type(res).await, "forbidden");
    assert_eq!(reviewer.status_of(own).await, "submitted");

    // A colleague cannot touch someone else's submission (nor see it) …
    let res = colleague
        .send(Method::PATCH, &path, json!({"title": "ของฉันแล้ว"}))
        .await;
    assert_eq!(res.status(), 404);

    // … nor, once it is published, edit it, change its files, or join the conversation.
    let res = reviewer
        .post(&format!("{path}/review"), json!({"decision": "approve"}))
        .await;
    assert_eq!(res.status(), 200);
    let res = colleague
        .send(Method::PATCH, &path, json!({"title": "ของฉันแล้ว"}))
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(problem_type(res).await, "forbidden");
    let res = colleague
        .req(Method::DELETE, &format!("{path}/files/{file_id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = colleague.upload(id, "แทรก.pdf", PDF).await;
    assert_eq!(res.status(), 403);
    let res = colleague
        .post(&format!("{path}/comments"), json!({"body": "ขอแก้ด้วย"}))
        .await;
    assert_eq!(res.status(), 403);
    // Archiving is for KM officers, not authors.
    let res = author.post(&format!("{path}/archive"), json!({})).await;
    assert_eq!(res.status(), 403);
    let view = author.read(&path).await;
    assert_eq!(view["title"], "คู่มือการถอดบทเรียน อสม.");
    assert_eq!(view["files"].as_array().unwrap().len(), 1);
    assert_eq!(view["status"], "published");
    assert_eq!(view["actions"], json!(["edit"]));
}

#[tokio::test]
async fn unit_only_knowledge_stays_inside_the_unit() {
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let author = Caller::user(&app, "author", &[("contributor", "CDD-P-24-D01")]).await;
    let reviewer = Caller::user(&app, "reviewer", &[("reviewer", "CDD-P-24")]).await;
    let outsider = Caller::user(&app, "outsider", &[("viewer", "CDD-P-11")]).await;
    let public = Caller::anonymous(&app);
    // A reader of the province, signed in through the browser (session cookie).
    let insider = super::member(&app, "insider", "CDD-P-24", "viewer").await;

    let id = author
        .draft(
            district,
            json!({"visibility": "unit", "title": "แผนภายในหน่วยงาน"}),
        )
        .await;
    let res = author.upload(id, "แผน.pdf", PDF).await;
    let file_id = res.json::<Value>().await.unwrap()["file_id"]
        .as_i64()
        .unwrap();
    author
        .post(&format!("/api/v1/items/{id}/submit"), json!({}))
        .await;
    reviewer
        .post(
            &format!("/api/v1/items/{id}/review"),
            json!({"decision": "approve"}),
        )
        .await;
    let path = format!("/api/v1/items/{id}");
    let file = format!("/files/{file_id}");

    // Anonymous: not found, through the API and the browser download alike.
    assert_eq!(public.get(&path).await.status(), 404);
    assert_eq!(
        public
            .get(&format!("/api/v1/files/{file_id}"))
            .await
            .status(),
        404
    );
    assert_eq!(public.get(&format!("{path}/versions")).await.status(), 404);
    assert_eq!(
        public.get(&file).await.status(),
        404,
        "hidden as if missing"
    );
    assert_eq!(public.read("/api/v1/items").await["total"], 0);

    // Signed in elsewhere: not found either.
    assert_eq!(outsider.get(&path).await.status(), 404);
    let res = outsider.get(&file).await;
    assert_eq!(res.status(), 404);
    assert_eq!(outsider.read("/api/v1/items").await["total"], 0);

    // A viewer of the unit's province reads it, lists it, and downloads it.
    let view: Value = insider
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["title"], "แผนภายในหน่วยงาน");
    let list: Value = insider
        .get(app.url("/api/v1/items"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let res = insider.get(app.url(&file)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
}

/// Submits and approves an item's pending revision; the item as approved.
async fn screen(author: &Caller<'_>, reviewer: &Caller<'_>, path: &str) -> Value {
    let res = author.post(&format!("{path}/submit"), json!({})).await;
    assert_eq!(res.status(), 200);
    let res = reviewer
        .post(&format!("{path}/review"), json!({"decision": "approve"}))
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn editing_published_knowledge_keeps_versions_that_can_be_restored() {
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let author = Caller::user(&app, "author", &[("contributor", "CDD-P-24-D01")]).await;
    let reviewer = Caller::user(&app, "reviewer", &[("reviewer", "CDD-P-24")]).await;
    let id = published(
        &author,
        &reviewer,
        district,
        json!({"summary": "ฉบับแรก", "tags": "อสม., KM"}),
    )
    .await;
    let path = format!("/api/v1/items/{id}");

    let history = author.read(&format!("{path}/versions")).await;
    let versions = history["items"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["number"], 1);
    assert_eq!(versions[0]["diff"], json!([]));

    // An edit after publication is a revision; once approved, a new version with a diff
    // naming what changed (the screening itself: tests/http/revisions.rs).
    let res = author
        .send(Method::PATCH, &path, json!({"summary": "ฉบับปรับปรุง"}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 1);
    assert_eq!(screen(&author, &reviewer, &path).await["version"], 2);
    let history = author.read(&format!("{path}/versions")).await;
    let versions = history["items"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["number"], 2);
    assert_eq!(
        versions[0]["diff"],
        json!([{"field": "summary", "label_th": "บทคัดย่อ", "before": "ฉบับแรก", "after": "ฉบับปรับปรุง"}])
    );

    // Restoring version 1 makes version 3, equal to 1, once screened like any edit.
    let res = author
        .post(&format!("{path}/versions/1/restore"), json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let pending: Value = res.json().await.unwrap();
    assert_eq!(pending["pending_revision"]["fields"]["summary"], "ฉบับแรก");
    let restored = screen(&author, &reviewer, &path).await;
    assert_eq!(restored["version"], 3);
    assert_eq!(restored["summary"], "ฉบับแรก");
    let history = author.read(&format!("{path}/versions")).await;
    let versions = history["items"].as_array().unwrap();
    let numbers: Vec<i64> = versions
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert_eq!(versions[0]["snapshot"], versions[2]["snapshot"]);
    assert_eq!(versions[0]["diff"][0]["field"], "summary");
    assert_eq!(versions[0]["diff"][0]["after"], "ฉบับแรก");
    assert_eq!(author.read(&path).await["versions_count"], 3);

    // Readers see the history of what they may read; only editors restore.
    assert_eq!(
        Caller::anonymous(&app)
            .read(&format!("{path}/versions"))
            .await["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let res = reviewer
        .post(&format!("{path}/versions/2/restore"), json!({}))
        .await;
    assert_eq!(res.status(), 403);
    let res = author
        .post(&format!("{path}/versions/99/restore"), json!({}))
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn the_same_bytes_in_two_items_are_stored_once() {
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let author = Caller::user(&app, "author", &[("contributor", "CDD-P-24-D01")]).await;
    let first = author.draft(district, json!({"title": "เรื่องที่หนึ่ง"})).await;
    let second = author.draft(district, json!({"title": "เรื่องที่สอง"})).await;

    let res = author.upload(first, "คู่มือ.pdf", PDF).await;
    assert_eq!(res.status(), 201);
    let a: Value = res.json().await.unwrap();
    let res = author
        .upload_raw(second, "attachment; filename=\"copy.pdf\"", PDF)
        .await;
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.unwrap();
    assert_eq!(a["sha256"], PDF_SHA256);
    assert_eq!(b["sha256"], PDF_SHA256);
    assert_ne!(a["file_id"], b["file_id"]);

    assert!(app.core().knowledge.blob_exists(PDF_SHA256).await.unwrap());
    let blobs = &app.runtime.blobs;
    let stored = blobs.list(Some("blobs")).await.unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].0.ends_with(PDF_SHA256));
    assert_eq!(stored[0].1, PDF.len() as u64);
    assert!(blobs.list(Some("incoming")).await.unwrap().is_empty());

    // Taking the file off one item leaves the other's copy readable.
    let res = author
        .req(
            Method::DELETE,
            &format!("/api/v1/items/{first}/files/{}", a["file_id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let view = author.read(&format!("/api/v1/items/{first}")).await;
    assert_eq!(view["files"], json!([]));
    let res = author
        .req(
            Method::DELETE,
            &format!("/api/v1/items/{first}/files/{}", a["file_id"]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = author.get(b["url"].as_str().unwrap()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
}
