//! Issue 9 §1, robustness: page numbers bounded when parsed, every refusal rendered by the one
//! error renderer (Thai page or Thai problem+json, never axum's English text), control
//! characters refused in text fields on both backends, and hidden items answering exactly as
//! missing ones.

use khlang_core::ids::UnitId;
use khlang_core::org::Role;
use khlang_testkit::reqwest::multipart::{Form, Part};
use khlang_testkit::reqwest::{Client, Method, Response};
use khlang_testkit::{TestApp, spawn_app};
use serde_json::{Value, json};

const PASSWORD: &str = "รหัสผ่านทดสอบ99";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

fn is_thai(s: &str) -> bool {
    s.chars().any(|c| ('\u{0E01}'..='\u{0E5B}').contains(&c))
}

fn content_type(res: &Response) -> String {
    res.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// An API answer: `status`, problem+json with a Thai title; returns the problem.
async fn problem(res: Response, status: u16, what: &str) -> Value {
    assert_eq!(res.status(), status, "{what}");
    assert_eq!(content_type(&res), "application/problem+json", "{what}");
    let p: Value = res.json().await.unwrap();
    assert!(is_thai(p["title"].as_str().unwrap()), "{what}: {p}");
    assert_eq!(p["status"], status, "{what}");
    p
}

/// A page answer: `status`, a Thai HTML error page.
async fn thai_page(res: Response, status: u16, what: &str) -> String {
    assert_eq!(res.status(), status, "{what}");
    assert!(content_type(&res).starts_with("text/html"), "{what}");
    let body = res.text().await.unwrap();
    assert!(
        body.contains("<html lang=\"th\">") && is_thai(&body),
        "{what}: {body}"
    );
    body
}

/// A user with grants and an API token, calling with the token.
struct Api<'a> {
    app: &'a TestApp,
    http: Client,
    token: Option<String>,
}

impl<'a> Api<'a> {
    fn anonymous(app: &'a TestApp) -> Self {
        Self {
            app,
            http: app.client(),
            token: None,
        }
    }

    async fn user(app: &'a TestApp, name: &str, site_admin: bool, grants: &[(&str, &str)]) -> Self {
        let user = app.create_user(name, PASSWORD, site_admin).await;
        for (role, unit) in grants {
            app.core()
                .store
                .insert_grant(
                    user.id,
                    Role::parse(role).unwrap(),
                    UnitId(app.unit_id(unit).await),
                )
                .await
                .unwrap();
        }
        let (_, secret) = app.core().create_token_from_console(name).await.unwrap();
        Self {
            app,
            http: app.client(),
            token: Some(secret.expose().to_string()),
        }
    }

    fn req(&self, method: Method, path: &str) -> khlang_testkit::reqwest::RequestBuilder {
        let r = self.http.request(method, self.app.url(path));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.unwrap()
    }

    async fn send(&self, method: Method, path: &str, body: Value) -> Response {
        self.req(method, path).json(&body).send().await.unwrap()
    }
}

#[tokio::test]
async fn huge_and_negative_page_numbers_get_a_thai_answer_not_a_closed_connection() {
    let app = spawn_app().await;
    let admin = Api::user(&app, "admin", true, &[]).await;
    let browser = app.sign_in("admin", PASSWORD).await;
    // The API takes exactly what it documents: anything else is a field error.
    for page in [
        "461168601842738792",
        "9223372036854775807",
        "-5",
        "0",
        "10001",
        "abc",
    ] {
        for path in [
            "/api/v1/items",
            "/api/v1/items?status=mine",
            "/api/v1/items?status=review",
            "/api/v1/users",
        ] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = format!("{path}{sep}page={page}");
            let p = problem(admin.get(&url).await, 422, &url).await;
            assert_eq!(p["errors"][0]["field"], "page", "{url}");
            assert!(
                p["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("10,000")
            );
        }
    }
    // Links people follow and edit (pages, search): what is no page number at all is the
    // first page, as before; a number past the last possible page is a Thai error.
    let pages = [
        "/items",
        "/my/items",
        "/review",
        "/search?q=อสม",
        "/admin/users",
    ];
    for page in ["461168601842738792", "9223372036854775807", "10001"] {
        let url = format!("/api/v1/search?q=อสม&page={page}");
        let p = problem(admin.get(&url).await, 422, &url).await;
        assert_eq!(p["errors"][0]["field"], "page", "{url}");
        for path in pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = format!("{path}{sep}page={page}");
            let res = browser.get(app.url(&url)).send().await.unwrap();
            let body = thai_page(res, 422, &url).await;
            assert!(body.contains("เลขหน้า"), "{url}: {body}");
        }
    }
    for page in ["-5", "0", "abc"] {
        let url = format!("/api/v1/search?q=อสม&page={page}&per_page=-5");
        assert_eq!(admin.get(&url).await.status(), 200, "{url}");
        for path in pages {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = format!("{path}{sep}page={page}");
            let res = browser.get(app.url(&url)).send().await.unwrap();
            assert_eq!(res.status(), 200, "{url}");
        }
    }
    for per_page in ["0", "101", "18446744073709551616"] {
        let url = format!("/api/v1/items?per_page={per_page}");
        let p = problem(admin.get(&url).await, 422, &url).await;
        assert_eq!(p["errors"][0]["field"], "per_page");
    }
    // The edge of the range is an ordinary, empty page.
    let res = admin.get("/api/v1/items?page=10000&per_page=100").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["items"], json!([]));
    let res = browser
        .get(app.url("/items?page=๑๐๐๐๐"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = browser
        .get(app.url("/search?q=อสม&page=10000&per_page=50"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn every_refusal_is_thai_problem_json_on_the_api_and_a_thai_page_elsewhere() {
    let app = spawn_app().await;
    let author = Api::user(&app, "author", false, &[("contributor", "CDD-P-24-D01")]).await;
    let anon = app.client();

    // Query strings and path ids.
    problem(author.get("/api/v1/items?page=-5").await, 422, "?page=-5").await;
    problem(author.get("/api/v1/items/abc").await, 404, "/items/abc").await;
    problem(author.get("/api/v1/items/%FF").await, 400, "/items/%FF").await;
    problem(
        author.get("/api/v1/items?page=1&page=2").await,
        400,
        "repeated key",
    )
    .await;
    thai_page(
        anon.get(app.url("/items/abc")).send().await.unwrap(),
        404,
        "/items/abc",
    )
    .await;
    thai_page(
        anon.get(app.url("/items/99999999999999999999999"))
            .send()
            .await
            .unwrap(),
        404,
        "id past i64",
    )
    .await;
    thai_page(
        anon.get(app.url("/items?page=99999999999"))
            .send()
            .await
            .unwrap(),
        422,
        "/items?page=99999999999",
    )
    .await;

    // Unknown routes and methods.
    problem(
        author.get("/api/v1/nothing-here").await,
        404,
        "unknown API route",
    )
    .await;
    thai_page(
        anon.get(app.url("/nothing-here")).send().await.unwrap(),
        404,
        "unknown page",
    )
    .await;
    let res = author.send(Method::DELETE, "/api/v1/me", json!({})).await;
    assert!(res.headers().contains_key("allow"), "405 keeps Allow");
    problem(res, 405, "DELETE /api/v1/me").await;
    let res = anon.delete(app.url("/items")).send().await.unwrap();
    thai_page(res, 405, "DELETE /items").await;
    thai_page(
        anon.put(app.url("/login")).send().await.unwrap(),
        405,
        "PUT /login",
    )
    .await;

    // Bodies: bad JSON, wrong type, over the limit.
    let res = author
        .req(Method::POST, "/api/v1/items")
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    problem(res, 400, "truncated JSON").await;
    let res = author
        .req(Method::POST, "/api/v1/items")
        .header("content-type", "text/plain")
        .body("title=x")
        .send()
        .await
        .unwrap();
    problem(res, 400, "not JSON").await;
    let big = format!("{{\"title\": \"{}\"}}", "ก".repeat(800_000));
    let res = author
        .req(Method::POST, "/api/v1/items")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    problem(res, 413, "JSON over the body limit").await;
    let big_form = format!("username=admin&password={}", "x".repeat(2_200_000));
    let res = anon
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big_form)
        .send()
        .await
        .unwrap();
    thai_page(res, 413, "form over the body limit").await;
    let res = anon
        .post(app.url("/login"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    thai_page(res, 415, "form with a JSON body").await;
    let res = anon
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(&b"csrf=\xff\xfe&username=\xc3\x28&password=\xff"[..])
        .send()
        .await
        .unwrap();
    assert!(
        !content_type(&res).starts_with("text/plain") && res.status().as_u16() < 500,
        "invalid UTF-8 form: {} {}",
        res.status(),
        content_type(&res)
    );
    assert!(is_thai(&res.text().await.unwrap()));
}

#[tokio::test]
async fn control_characters_are_refused_in_text_fields_naming_the_field() {
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let admin = Api::user(&app, "admin", true, &[]).await;
    let author = Api::user(&app, "author", false, &[("contributor", "CDD-P-24-D01")]).await;

    for (field, value) in [
        ("title", "คู่มือ\u{0}อสม."),
        ("title", "คู่มือ\u{1b}[31m"),
        ("summary", "บทคัดย่อ\u{7}"),
        ("body", "เนื้อหา\n\u{0}ท้าย"),
        ("tags", "อสม.,ชุมชน\u{0}"),
        ("authors", "สมชาย\u{8}"),
    ] {
        let mut body = json!({"title": "คู่มือการถอดบทเรียน", "unit_id": district});
        body[field] = json!(value);
        let res = author.send(Method::POST, "/api/v1/items", body).await;
        let p = problem(res, 422, field).await;
        let e = p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("{field}: {p}"));
        assert!(
            e["message"].as_str().unwrap().contains("อักขระควบคุม"),
            "{field}: {e}"
        );
    }
    assert_eq!(
        author
            .get("/api/v1/items?status=mine")
            .await
            .json::<Value>()
            .await
            .unwrap()["total"],
        0,
        "nothing was stored"
    );
    // Line breaks and tabs in a multi-line field are ordinary text.
    let res = author
        .send(
            Method::POST,
            "/api/v1/items",
            json!({"title": "คู่มือ\tอสม.", "unit_id": district, "body": "ข้อ 1\r\n\tข้อ 2"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = author
        .send(
            Method::PATCH,
            &format!("/api/v1/items/{id}"),
            json!({"title": "แก้\u{0}ไข"}),
        )
        .await;
    assert_eq!(
        problem(res, 422, "edit").await["errors"][0]["field"],
        "title"
    );
    let res = author
        .send(
            Method::POST,
            &format!("/api/v1/items/{id}/comments"),
            json!({"body": "ความเห็น\u{0}"}),
        )
        .await;
    assert_eq!(
        problem(res, 422, "comment").await["errors"][0]["field"],
        "comment"
    );

    // Units, people and tokens go through the same rule.
    let province = app.unit_id("CDD-P-24").await;
    let res = admin
        .send(
            Method::POST,
            "/api/v1/units",
            json!({"parent_id": province, "code": "CTL-1", "name_th": "หน่วย\u{0}ทดลอง"}),
        )
        .await;
    assert_eq!(
        problem(res, 422, "unit").await["errors"][0]["field"],
        "name_th"
    );
    let res = admin
        .send(
            Method::POST,
            "/api/v1/units",
            json!({"parent_id": province, "code": "CTL-2", "name_th": "หน่วยทดลอง", "name_en": "Unit\u{0}"}),
        )
        .await;
    assert_eq!(
        problem(res, 422, "unit en").await["errors"][0]["field"],
        "name_en"
    );
    for (field, display_name, email) in [
        ("display_name", "สมศรี\u{0}", "somsri@example.go.th"),
        ("email", "สมศรี", "som\u{0}sri@example.go.th"),
    ] {
        let res = admin
            .send(
                Method::POST,
                "/api/v1/users",
                json!({"username": "somsri", "display_name": display_name, "email": email,
                       "password": PASSWORD, "home_unit_id": province}),
            )
            .await;
        let p = problem(res, 422, field).await;
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{field}: {p}"
        );
    }
    let res = admin
        .send(
            Method::POST,
            "/api/v1/tokens",
            json!({"name": "สคริปต์\u{1}"}),
        )
        .await;
    assert_eq!(
        problem(res, 422, "token").await["errors"][0]["field"],
        "name"
    );
}

/// Everything a client can compare, minus what differs between any two requests.
async fn answer(res: Response) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let status = res.status().as_u16();
    let mut headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "date" | "x-request-id"))
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("?").to_string()))
        .collect();
    headers.sort();
    (status, headers, res.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn hidden_items_answer_exactly_as_missing_ones() {
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let author = Api::user(&app, "author", false, &[("contributor", "CDD-P-24-D01")]).await;
    let reviewer = Api::user(&app, "reviewer", false, &[("reviewer", "CDD-P-24")]).await;
    let outsider = Api::user(&app, "outsider", false, &[("viewer", "CDD-P-11")]).await;
    let anonymous = Api::anonymous(&app);
    app.create_user("browser", PASSWORD, false).await;
    let outsider_browser = app.sign_in("browser", PASSWORD).await;

    // One item for signed-in readers, one for its unit only (both published, with a file),
    // and one draft.
    let mut hidden = Vec::new();
    for (visibility, publish) in [("signed_in", true), ("unit", true), ("public", false)] {
        let res = author
            .send(
                Method::POST,
                "/api/v1/items",
                json!({"title": "เอกสารภายใน", "unit_id": district, "visibility": visibility}),
            )
            .await;
        assert_eq!(res.status(), 201);
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let form = Form::new().part(
            "file",
            Part::bytes(PDF.to_vec())
                .file_name("แผน.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
        let res = author
            .req(Method::POST, &format!("/api/v1/items/{id}/files"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let file = res.json::<Value>().await.unwrap()["file_id"]
            .as_i64()
            .unwrap();
        if publish {
            author
                .send(
                    Method::POST,
                    &format!("/api/v1/items/{id}/submit"),
                    json!({}),
                )
                .await;
            let res = reviewer
                .send(
                    Method::POST,
                    &format!("/api/v1/items/{id}/review"),
                    json!({"decision": "approve"}),
                )
                .await;
            assert_eq!(res.status(), 200);
        }
        hidden.push((visibility, id, file));
    }
    let (missing_item, missing_file) = (9_999_999, 9_999_999);
    let paths = |item: i64, file: i64| {
        vec![
            format!("/items/{item}"),
            format!("/files/{file}"),
            format!("/files/{file}/%E0%B9%81%E0%B8%9C%E0%B8%99.pdf"),
            format!("/api/v1/items/{item}"),
            format!("/api/v1/items/{item}/versions"),
            format!("/api/v1/files/{file}"),
        ]
    };
    for (visibility, item, file) in &hidden {
        for (exists, missing) in paths(*item, *file)
            .into_iter()
            .zip(paths(missing_item, missing_file))
        {
            let a = answer(anonymous.get(&exists).await).await;
            let b = answer(anonymous.get(&missing).await).await;
            assert_eq!(a.0, 404, "anonymous {exists} ({visibility})");
            assert_eq!(a, b, "anonymous: {exists} ({visibility}) vs {missing}");
            if *visibility == "signed_in" {
                continue; // any signed-in person may read it
            }
            let a = answer(outsider.get(&exists).await).await;
            let b = answer(outsider.get(&missing).await).await;
            assert_eq!(a.0, 404, "outsider {exists} ({visibility})");
            assert_eq!(a, b, "outsider: {exists} ({visibility}) vs {missing}");
            if !exists.starts_with("/api/") {
                let get = |p: String| outsider_browser.get(app.url(&p)).send();
                let a = answer(get(exists.clone()).await.unwrap()).await;
                let b = answer(get(missing.clone()).await.unwrap()).await;
                assert_eq!(a, b, "outsider in a browser: {exists} ({visibility})");
            }
        }
    }
    // The 404 page offers sign-in to everyone alike.
    let page = anonymous.get("/items/9999999").await.text().await.unwrap();
    assert!(page.contains("href=\"/login\""), "{page}");
}

/// Files whose text cannot be read — refused as too big, or damaged — are recorded once
/// with the reason and not tried again: the same bytes would give the same answer.
#[tokio::test]
async fn files_refused_by_the_text_reader_are_not_retried() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let district = app.unit_id("CDD-P-24-D01").await;
    let author = Api::user(&app, "author", false, &[("contributor", "CDD-P-24-D01")]).await;
    let res = author
        .send(
            Method::POST,
            "/api/v1/items",
            json!({"title": "ไฟล์อ่านไม่ได้", "unit_id": district}),
        )
        .await;
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    // 300,000 numbers in one array: parsed, ~36 MB of objects (over the reader's 32 MiB).
    let mut huge = b"%PDF-1.4\n1 0 obj\n[".to_vec();
    huge.extend(b"0 ".repeat(300_000));
    huge.extend(b"]\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    let damaged = b"%PDF-1.4\nnot really a PDF at all\n%%EOF\n".to_vec();
    for (name, bytes) in [("ใหญ่.pdf", huge), ("เสีย.pdf", damaged)] {
        let form = Form::new().part(
            "file",
            Part::bytes(bytes)
                .file_name(name)
                .mime_str("application/pdf")
                .unwrap(),
        );
        let res = author
            .req(Method::POST, &format!("/api/v1/items/{id}/files"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{name}");
    }
    let db = &app.runtime.db;
    let read = || async {
        db.query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT status, attempts, error FROM file_texts ORDER BY size DESC",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get::<String>("", "status").unwrap(),
                r.try_get::<i32>("", "attempts").unwrap(),
                r.try_get::<Option<String>>("", "error")
                    .unwrap()
                    .unwrap_or_default(),
            )
        })
        .collect::<Vec<_>>()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let rows = loop {
        let rows = read().await;
        if rows.len() == 2 && rows.iter().all(|r| r.1 >= 1) {
            break rows;
        }
        assert!(std::time::Instant::now() < deadline, "not read: {rows:?}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    for (status, attempts, error) in &rows {
        assert_eq!((status.as_str(), *attempts), ("failed", 1), "{rows:?}");
        assert!(
            error
                .chars()
                .any(|c| ('\u{0E01}'..='\u{0E5B}').contains(&c)),
            "{error}"
        );
    }
    assert!(rows[0].2.contains("ใหญ่เกิน"), "{rows:?}");
    assert!(rows[1].2.contains("เสียหาย"), "{rows:?}");
}
