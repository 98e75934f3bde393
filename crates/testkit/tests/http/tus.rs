//! Resumable uploads (tus 1.0.0) at /files/tus/, driven over HTTP against the real app:
//! creation, chunked PATCHes, a connection cut off mid-request, refused content,
//! permissions, termination and expiry.

use bytes::Bytes;
use futures::StreamExt;
use khlang_core::ids::{FileId, ItemId};
use khlang_core::item::ItemInput;
use khlang_core::org::Actor;
use khlang_core::service::items::blob_key;
use khlang_testkit::reqwest::{Body, Client, Method, RequestBuilder, Response};
use khlang_testkit::{TestApp, fresh_config, spawn_app, spawn_with};
use serde_json::Value;
use std::time::Duration;

const PASSWORD: &str = "รหัสผ่านทดสอบ99";
const UNIT: &str = "DHSS-PHC";

/// Someone with a role in a unit, holding an API token.
struct Person {
    actor: Actor,
    token: String,
}

async fn person(app: &TestApp, username: &str, role: &str) -> Person {
    let user = app.user_with_role(username, UNIT, role).await;
    let actor = app.core().actor_for(&user).await.unwrap();
    let token = app.token_for(username).await;
    Person { actor, token }
}

/// A draft knowledge item of `owner`'s, created through the core.
async fn draft(app: &TestApp, owner: &Person) -> ItemId {
    app.core()
        .create_item(
            &owner.actor,
            &ItemInput {
                title: "คู่มือการดูแลผู้สูงอายุในชุมชน".into(),
                unit_id: app.unit_id(UNIT).await.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

/// Standard base64, as tus clients encode Upload-Metadata values.
pub(super) fn b64(s: &str) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in s.as_bytes().chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= c.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A small valid-looking PDF of exactly `len` bytes, with varied padding so any reordering
/// or lost chunk changes the content.
fn pdf(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut i = 0u32;
    while v.len() < len {
        v.push((i.wrapping_mul(2_654_435_761) >> 24) as u8);
        i += 1;
    }
    v.truncate(len);
    v
}

fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A tus client speaking as one person.
struct Tus<'a> {
    app: &'a TestApp,
    client: Client,
    token: &'a str,
}

impl<'a> Tus<'a> {
    fn new(app: &'a TestApp, who: &'a Person) -> Self {
        Self {
            app,
            client: app.client(),
            token: &who.token,
        }
    }

    fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.app.url(path))
            .bearer_auth(self.token)
            .header("tus-resumable", "1.0.0")
    }

    async fn create(&self, item: ItemId, filename: &str, length: u64) -> Response {
        self.req(Method::POST, "/files/tus/")
            .header("upload-length", length.to_string())
            .header(
                "upload-metadata",
                format!(
                    "filename {},item_id {}",
                    b64(filename),
                    b64(&item.to_string())
                ),
            )
            .send()
            .await
            .unwrap()
    }

    /// Creates an upload and returns its path (`/files/tus/{id}`).
    async fn created(&self, item: ItemId, filename: &str, length: u64) -> String {
        let res = self.create(item, filename, length).await;
        assert_eq!(res.status(), 201, "creation");
        assert_eq!(header(&res, "tus-resumable"), "1.0.0");
        let location = header(&res, "location").to_string();
        assert!(location.starts_with("/files/tus/"), "{location}");
        location
    }

    async fn patch(&self, path: &str, offset: u64, bytes: impl Into<Body>) -> Response {
        self.req(Method::PATCH, path)
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", offset.to_string())
            .body(bytes)
            .send()
            .await
            .unwrap()
    }

    async fn head(&self, path: &str) -> Response {
        self.req(Method::HEAD, path).send().await.unwrap()
    }

    async fn offset(&self, path: &str) -> u64 {
        let res = self.head(path).await;
        assert_eq!(res.status(), 200, "HEAD {path}");
        header(&res, "upload-offset").parse().unwrap()
    }
}

/// Bytes of the upload staged in the object store (its parts), whichever node took them.
async fn staged(app: &TestApp, path: &str) -> u64 {
    let id = path.trim_start_matches("/files/tus/");
    app.core()
        .blobs
        .list_under(&format!("uploads/{id}"))
        .await
        .unwrap()
        .iter()
        .map(|(_, size)| size)
        .sum()
}

async fn problem(res: Response) -> Value {
    assert_eq!(header(&res, "content-type"), "application/problem+json");
    assert_eq!(header(&res, "tus-resumable"), "1.0.0");
    let p: Value = res.json().await.unwrap();
    let title = p["title"].as_str().unwrap_or_default();
    assert!(
        title
            .chars()
            .any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)),
        "a Thai title: {p}"
    );
    p
}

/// The stored content of an attached file, read back through the blob store.
async fn stored_bytes(app: &TestApp, item: ItemId, file: FileId) -> Vec<u8> {
    let files = app.core().knowledge.item_files(item).await.unwrap();
    let f = files
        .iter()
        .find(|f| f.id == file)
        .expect("file attached to the item");
    let (_, stream) = app
        .core()
        .blobs
        .get(&blob_key(&f.sha256), None)
        .await
        .unwrap();
    let parts: Vec<Bytes> = stream.map(|c| c.unwrap()).collect().await;
    parts.concat()
}

#[tokio::test]
async fn tus_options_advertise_the_protocol_and_versions_are_required() {
    let mut config = fresh_config().await;
    config.upload_limit = "5MB".into();
    let app = spawn_with(config).await;
    let res = app
        .client()
        .request(Method::OPTIONS, app.url("/files/tus/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "tus-resumable"), "1.0.0");
    assert_eq!(header(&res, "tus-version"), "1.0.0");
    assert_eq!(header(&res, "tus-extension"), "creation,termination");
    assert_eq!(header(&res, "tus-max-size"), "5000000");

    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    // Without Tus-Resumable: 412 with the version the server speaks.
    let res = app
        .client()
        .post(app.url("/files/tus/"))
        .bearer_auth(&me.token)
        .header("upload-length", "100")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 412);
    assert_eq!(header(&res, "tus-version"), "1.0.0");
    problem(res).await;

    let tus = Tus::new(&app, &me);
    // No Upload-Length, no metadata: 400.
    let res = tus.req(Method::POST, "/files/tus/").send().await.unwrap();
    assert_eq!(res.status(), 400);
    problem(res).await;
    let res = tus
        .req(Method::POST, "/files/tus/")
        .header("upload-length", "100")
        .header("upload-metadata", format!("filename {}", b64("a.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "item_id is required");
    // Not signed in: 401.
    let res = app
        .client()
        .post(app.url("/files/tus/"))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", "100")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(header(&res, "tus-resumable"), "1.0.0");

    // A PATCH that is not application/offset+octet-stream: 415.
    let path = tus.created(item, "คู่มือ.pdf", 100).await;
    let res = tus
        .req(Method::PATCH, &path)
        .header("content-type", "application/octet-stream")
        .header("upload-offset", "0")
        .body(pdf(100))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    problem(res).await;
    assert_eq!(tus.offset(&path).await, 0);
}

#[tokio::test]
async fn tus_upload_in_chunks_attaches_the_file_to_the_item() {
    let app = spawn_app().await;
    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    let tus = Tus::new(&app, &me);
    let content = pdf(200_000);
    let path = tus.created(item, "รายงานการเยี่ยมบ้าน.pdf", 200_000).await;

    let res = tus.head(&path).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "upload-offset"), "0");
    assert_eq!(header(&res, "upload-length"), "200000");
    assert_eq!(header(&res, "cache-control"), "no-store");
    assert_eq!(header(&res, "tus-resumable"), "1.0.0");

    let mut offset = 0usize;
    let mut last = None;
    for size in [70_000, 70_000, 60_000] {
        let res = tus
            .patch(
                &path,
                offset as u64,
                content[offset..offset + size].to_vec(),
            )
            .await;
        assert_eq!(res.status(), 204, "chunk at {offset}");
        offset += size;
        assert_eq!(header(&res, "upload-offset"), offset.to_string());
        assert_eq!(header(&res, "tus-resumable"), "1.0.0");
        if offset < content.len() {
            assert_eq!(header(&res, "khlang-file-id"), "");
            assert_eq!(tus.offset(&path).await, offset as u64);
        }
        last = Some(res);
    }
    let file_id: i64 = header(last.as_ref().unwrap(), "khlang-file-id")
        .parse()
        .expect("Khlang-File-Id on the completing PATCH");
    let file = FileId(file_id);

    let files = app.core().knowledge.item_files(item).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].id, file);
    assert_eq!(files[0].name, "รายงานการเยี่ยมบ้าน.pdf");
    assert_eq!(files[0].mime, "application/pdf");
    assert_eq!(files[0].size, 200_000);
    assert_eq!(stored_bytes(&app, item, file).await, content);
    assert_eq!(staged(&app, &path).await, 0, "staging file removed");

    // A client that lost the last answer can ask again and gets the same file.
    let res = tus.head(&path).await;
    assert_eq!(header(&res, "upload-offset"), "200000");
    assert_eq!(header(&res, "khlang-file-id"), file_id.to_string());
    let res = tus.patch(&path, 200_000, Vec::new()).await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "khlang-file-id"), file_id.to_string());
    assert_eq!(
        app.core().knowledge.item_files(item).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn tus_wrong_offset_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    let tus = Tus::new(&app, &me);
    let content = pdf(3_000);
    let path = tus.created(item, "a.pdf", 3_000).await;
    assert_eq!(
        tus.patch(&path, 0, content[..1_000].to_vec())
            .await
            .status(),
        204
    );

    for wrong in [0u64, 500, 2_000] {
        let res = tus.patch(&path, wrong, content[..500].to_vec()).await;
        assert_eq!(res.status(), 409, "offset {wrong}");
        let p = problem(res).await;
        assert!(p["type"].as_str().unwrap().ends_with("/conflict"));
    }
    assert_eq!(tus.offset(&path).await, 1_000);
    assert_eq!(staged(&app, &path).await, 1_000);
    // No Upload-Offset at all: 400, also nothing written.
    let res = tus
        .req(Method::PATCH, &path)
        .header("content-type", "application/offset+octet-stream")
        .body(content[1_000..].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(tus.offset(&path).await, 1_000);

    let res = tus.patch(&path, 1_000, content[1_000..].to_vec()).await;
    assert_eq!(res.status(), 204);
    let file = FileId(header(&res, "khlang-file-id").parse().unwrap());
    assert_eq!(stored_bytes(&app, item, file).await, content);
}

#[tokio::test]
async fn tus_patch_cut_off_midway_keeps_the_bytes_that_arrived() {
    let app = spawn_app().await;
    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    let tus = Tus::new(&app, &me);
    let content = pdf(400_000);
    let path = tus.created(item, "วิดีโอสาธิต.pdf", 400_000).await;

    // 150 000 bytes arrive, then the phone loses its signal.
    let first = Bytes::copy_from_slice(&content[..100_000]);
    let second = Bytes::copy_from_slice(&content[100_000..150_000]);
    let cut =
        futures::stream::iter(vec![Ok(first), Ok(second)]).chain(futures::stream::once(async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "signal lost",
            ))
        }));
    let sent = tus
        .req(Method::PATCH, &path)
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", "0")
        .body(Body::wrap_stream(cut))
        .send()
        .await;
    assert!(
        sent.is_err() || !sent.as_ref().unwrap().status().is_success(),
        "the cut-off request does not succeed"
    );

    // HEAD waits for the broken request to record what it wrote.
    assert_eq!(tus.offset(&path).await, 150_000);
    assert_eq!(staged(&app, &path).await, 150_000);

    // Resume from there, in two more chunks.
    let res = tus
        .patch(&path, 150_000, content[150_000..300_000].to_vec())
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "upload-offset"), "300000");
    let res = tus.patch(&path, 300_000, content[300_000..].to_vec()).await;
    assert_eq!(res.status(), 204);
    let file = FileId(header(&res, "khlang-file-id").parse().unwrap());
    assert_eq!(stored_bytes(&app, item, file).await, content);
}

#[tokio::test]
async fn tus_renamed_executable_is_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    let tus = Tus::new(&app, &me);
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.resize(20_000, 0);
    let path = tus.created(item, "คู่มือ.pdf", exe.len() as u64).await;
    assert_eq!(
        tus.patch(&path, 0, exe[..8_000].to_vec()).await.status(),
        204
    );
    let res = tus.patch(&path, 8_000, exe[8_000..].to_vec()).await;
    assert_eq!(res.status(), 422);
    let p = problem(res).await;
    assert_eq!(p["errors"][0]["field"], "file", "{p}");

    assert!(
        app.core()
            .knowledge
            .item_files(item)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(staged(&app, &path).await, 0, "no staging file left");
    assert_eq!(tus.head(&path).await.status(), 404, "the upload is gone");
}

#[tokio::test]
async fn tus_over_the_limit_is_refused() {
    let mut config = fresh_config().await;
    config.upload_limit = "100000".into();
    let app = spawn_with(config).await;
    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    let tus = Tus::new(&app, &me);

    let res = tus.create(item, "ใหญ่.pdf", 100_001).await;
    assert_eq!(res.status(), 413);
    let p = problem(res).await;
    assert!(p["title"].as_str().unwrap().contains("ไฟล์ใหญ่เกิน"), "{p}");

    // More bytes than announced: refused, and that request does not count.
    let content = pdf(1_001);
    let path = tus.created(item, "a.pdf", 1_000).await;
    let res = tus.patch(&path, 0, content.clone()).await;
    assert_eq!(res.status(), 413);
    problem(res).await;
    assert_eq!(tus.offset(&path).await, 0);
    assert_eq!(
        tus.patch(&path, 0, content[..600].to_vec()).await.status(),
        204
    );
    // Same without a Content-Length to go by (a streamed body).
    let rest = Bytes::copy_from_slice(&content[600..]);
    let res = tus
        .req(Method::PATCH, &path)
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", "600")
        .body(Body::wrap_stream(futures::stream::iter(vec![Ok::<
            _,
            std::io::Error,
        >(
            rest
        )])))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(tus.offset(&path).await, 600);
    assert_eq!(staged(&app, &path).await, 600);
    assert!(
        app.core()
            .knowledge
            .item_files(item)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn tus_uploads_belong_to_their_owner() {
    let app = spawn_app().await;
    let me = person(&app, "volunteer1", "contributor").await;
    let other = person(&app, "volunteer2", "contributor").await;
    let reviewer = person(&app, "reviewer1", "reviewer").await;
    let item = draft(&app, &me).await;
    let mine = Tus::new(&app, &me);
    let theirs = Tus::new(&app, &other);
    let content = pdf(2_000);

    // Someone who may not see the draft cannot start an upload for it…
    let res = theirs.create(item, "a.pdf", 2_000).await;
    assert_eq!(res.status(), 404);
    problem(res).await;
    // …and a reviewer, who may read it but not edit it, neither.
    let res = Tus::new(&app, &reviewer).create(item, "a.pdf", 2_000).await;
    assert_eq!(res.status(), 403);
    problem(res).await;

    let path = mine.created(item, "a.pdf", 2_000).await;
    assert_eq!(
        mine.patch(&path, 0, content[..1_000].to_vec())
            .await
            .status(),
        204
    );
    assert_eq!(theirs.head(&path).await.status(), 404);
    assert_eq!(
        theirs
            .patch(&path, 1_000, content[1_000..].to_vec())
            .await
            .status(),
        404
    );
    assert_eq!(
        theirs
            .req(Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(mine.offset(&path).await, 1_000);
    let anonymous = app
        .client()
        .head(app.url(&path))
        .header("tus-resumable", "1.0.0")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // A browser session works too, with its CSRF token on changes.
    let browser = app.sign_in("volunteer1", PASSWORD).await;
    let session = |m: Method, p: &str| {
        browser
            .request(m, app.url(p))
            .header("tus-resumable", "1.0.0")
    };
    let res = session(Method::HEAD, &path).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let patch = |csrf: Option<String>| {
        let mut r = session(Method::PATCH, &path)
            .header("content-type", "application/offset+octet-stream")
            .header("upload-offset", "1000")
            .body(content[1_000..].to_vec());
        if let Some(c) = csrf {
            r = r.header("x-csrf-token", c);
        }
        r.send()
    };
    assert_eq!(patch(None).await.unwrap().status(), 403);
    let csrf = app.csrf(&browser, "/account").await;
    let res = patch(Some(csrf)).await.unwrap();
    assert_eq!(res.status(), 204);
    assert!(!header(&res, "khlang-file-id").is_empty());
}

#[tokio::test]
async fn tus_termination_forgets_the_upload() {
    let app = spawn_app().await;
    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    let tus = Tus::new(&app, &me);
    let path = tus.created(item, "a.pdf", 5_000).await;
    assert_eq!(tus.patch(&path, 0, pdf(2_000)).await.status(), 204);
    assert_eq!(staged(&app, &path).await, 2_000);

    let res = tus.req(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(header(&res, "tus-resumable"), "1.0.0");
    assert_eq!(staged(&app, &path).await, 0);
    assert_eq!(tus.head(&path).await.status(), 404);
    assert_eq!(tus.patch(&path, 2_000, pdf(3_000)).await.status(), 404);
    assert_eq!(
        tus.req(Method::DELETE, &path)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert!(
        app.core()
            .knowledge
            .item_files(item)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn tus_stale_uploads_expire() {
    let app = spawn_app().await;
    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    let tus = Tus::new(&app, &me);
    let path = tus.created(item, "a.pdf", 5_000).await;
    let id = path.trim_start_matches("/files/tus/");
    assert_eq!(tus.patch(&path, 0, pdf(2_000)).await.status(), 204);

    let kept = app
        .core()
        .expire_uploads(time::Duration::hours(1))
        .await
        .unwrap();
    assert!(kept.is_empty());
    assert_eq!(tus.offset(&path).await, 2_000);

    tokio::time::sleep(Duration::from_millis(50)).await;
    let gone = app
        .core()
        .expire_uploads(time::Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].id, id);
    assert_eq!(tus.head(&path).await.status(), 404);
    assert_eq!(staged(&app, &path).await, 0, "staged bytes removed too");
}

/// A real tus client (tuspy) uploads a 20 MB video in 1 MB chunks, is stopped halfway,
/// and a new client resumes from the stored URL. Needs Python with tuspy: run with
/// `KHLANG_TUS_PYTHON=/path/to/venv/bin/python cargo test -p khlang-testkit --test http
/// tus_real_client -- --ignored` (`.ci/run` does).
#[tokio::test]
#[ignore = "needs Python with tuspy (KHLANG_TUS_PYTHON)"]
async fn tus_real_client_resumes_an_interrupted_upload() {
    let python = std::env::var("KHLANG_TUS_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/tus/resume.py");
    let app = spawn_app().await;
    let me = person(&app, "volunteer1", "contributor").await;
    let item = draft(&app, &me).await;
    let (url, token, item_id) = (app.base.clone(), me.token.clone(), item.to_string());
    let (py, run) = (python.clone(), script);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&py)
            .arg(run)
            .env("KHLANG_URL", url)
            .env("KHLANG_TOKEN", token)
            .env("KHLANG_ITEM_ID", item_id)
            .output()
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("run {python} {script}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "resume.py failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let files = app.core().knowledge.item_files(item).await.unwrap();
    assert_eq!(files.len(), 1, "{stdout}");
    assert_eq!(files[0].kind, "video");
    assert_eq!(files[0].size, 20 << 20);
    println!("{stdout}");
}
