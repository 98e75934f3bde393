//! Two khlang processes (nodes) on one database and one file storage behave as one: an
//! upload goes on wherever its pieces land, a change made on one node shows on the other,
//! and background jobs run once between them.

use khlang_core::ids::{ItemId, UnitId};
use khlang_core::item::ItemInput;
use khlang_core::org::Role;
use khlang_core::ports::{Clock, SystemClock, TextExtractor, TextRefused};
use khlang_core::service::items::blob_key;
use khlang_core::service::{Khlang, Policy};
use khlang_testkit::reqwest::{Method, RequestBuilder, Response};
use khlang_testkit::{TestApp, fresh_config, spawn_app, spawn_node_beside};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const UNIT: &str = "DHSS-PHC";

fn header<'a>(res: &'a Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A request with a bearer token and the tus header, to either node.
fn tus(app: &TestApp, token: &str, method: Method, path: &str) -> RequestBuilder {
    app.client()
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("tus-resumable", "1.0.0")
}

async fn patch(app: &TestApp, token: &str, path: &str, offset: u64, bytes: &[u8]) -> Response {
    tus(app, token, Method::PATCH, path)
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", offset.to_string())
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
}

/// A PDF-looking body whose every byte depends on its position.
fn pdf(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n".to_vec();
    let mut i = 0u32;
    while v.len() < len {
        v.push((i.wrapping_mul(2_654_435_761) >> 24) as u8);
        i += 1;
    }
    v
}

#[tokio::test]
async fn an_upload_goes_on_whichever_node_its_pieces_reach() {
    let a = spawn_app().await;
    let b = spawn_node_beside(&a).await;
    let user = a.create_user("volunteer1", "รหัสผ่านทดสอบ99", false).await;
    a.core()
        .store
        .insert_grant(user.id, Role::Contributor, UnitId(a.unit_id(UNIT).await))
        .await
        .unwrap();
    let actor = a.core().actor_for(&user).await.unwrap();
    let token = a
        .core()
        .create_token_from_console("volunteer1")
        .await
        .unwrap()
        .1
        .expose()
        .to_string();
    let item: ItemId = a
        .core()
        .create_item(
            &actor,
            &ItemInput {
                title: "คู่มือการดูแลผู้สูงอายุในชุมชน".into(),
                unit_id: a.unit_id(UNIT).await.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    let content = pdf(300_000);

    // Created on A ("filename a.pdf", "item_id N" in base64).
    let res = tus(&a, &token, Method::POST, "/files/tus/")
        .header("upload-length", "300000")
        .header(
            "upload-metadata",
            format!(
                "filename YS5wZGY=,item_id {}",
                base64_ascii(&item.0.to_string())
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let path = header(&res, "location").to_string();

    // Half on B; A knows where it stands.
    let res = patch(&b, &token, &path, 0, &content[..150_000]).await;
    assert_eq!(res.status(), 204, "PATCH on B");
    let res = tus(&a, &token, Method::HEAD, &path).send().await.unwrap();
    assert_eq!(res.status(), 200, "HEAD on A");
    assert_eq!(header(&res, "upload-offset"), "150000");

    // A piece on A, the rest on B.
    let res = patch(&a, &token, &path, 150_000, &content[150_000..200_000]).await;
    assert_eq!(header(&res, "upload-offset"), "200000", "PATCH on A");
    let res = patch(&b, &token, &path, 200_000, &content[200_000..]).await;
    assert_eq!(res.status(), 204, "last PATCH on B");
    let file: i64 = header(&res, "khlang-file-id").parse().expect("attached");

    // A serves what B attached, byte for byte.
    let got = a
        .sign_in("volunteer1", "รหัสผ่านทดสอบ99")
        .await
        .get(a.url(&format!("/files/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200, "download on A");
    let got = got.bytes().await.unwrap();
    assert_eq!(got.len(), content.len());
    assert!(got[..] == content[..], "the same bytes");
    let staged = a
        .core()
        .blobs
        .list_under(&format!(
            "uploads/{}",
            path.trim_start_matches("/files/tus/")
        ))
        .await
        .unwrap();
    assert!(staged.is_empty(), "no staged parts left: {staged:?}");
}

/// Standard base64 of a short ASCII text, as tus clients encode Upload-Metadata values.
fn base64_ascii(s: &str) -> String {
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

#[tokio::test]
async fn a_unit_renamed_on_one_node_shows_on_the_other_at_once() {
    let a = spawn_app().await;
    let b = spawn_node_beside(&a).await;
    a.create_user("admin1", "รหัสผ่านผู้ดูแล123", true).await;
    let token = a
        .core()
        .create_token_from_console("admin1")
        .await
        .unwrap()
        .1
        .expose()
        .to_string();
    let unit = a.unit_id(UNIT).await;
    let name_on_b = || async {
        let units: Value = b
            .client()
            .get(b.url("/api/v1/units"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        units
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == unit)
            .map(|u| u["name_th"].as_str().unwrap_or_default().to_string())
            .unwrap()
    };
    // B has the tree in memory.
    let before = name_on_b().await;
    assert_ne!(before, "กลุ่มงานส่งเสริมสุขภาพชุมชน");

    let res = a
        .client()
        .patch(a.url(&format!("/api/v1/units/{unit}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name_th": "กลุ่มงานส่งเสริมสุขภาพชุมชน"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "rename on A: {}", res.status());

    // B learns of it from the database within a second or so, long before its cache
    // would run out (a minute): this bound is the promise, not a speed measurement.
    let started = Instant::now();
    loop {
        if name_on_b().await == "กลุ่มงานส่งเสริมสุขภาพชุมชน"
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "B still shows “{before}” after 5 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Reads every file as the text "read by <runner>", counting how often each was read.
struct Counting {
    runner: &'static str,
    reads: Arc<Mutex<HashMap<String, u32>>>,
}

impl TextExtractor for Counting {
    fn handles(&self, _mime: &str) -> bool {
        true
    }
    fn extract(&self, _mime: &str, bytes: &[u8]) -> Result<String, TextRefused> {
        // Slow enough that both runners are at work at the same time.
        std::thread::sleep(Duration::from_millis(20));
        let key = String::from_utf8_lossy(bytes).to_string();
        *self.reads.lock().unwrap().entry(key).or_default() += 1;
        Ok(format!("read by {}", self.runner))
    }
}

#[tokio::test]
async fn background_jobs_run_once_across_two_job_runners_on_one_database() {
    // Two processes' worth of ports (own connection pools) on one database, neither serving:
    // only the job runners below touch the queue.
    let config = fresh_config().await;
    let one = khlang::open(config.clone()).await.unwrap();
    let two = khlang::open(config).await.unwrap();
    let reads = Arc::new(Mutex::new(HashMap::new()));
    let runner = |rt: &khlang::Runtime, name: &'static str| {
        Khlang::new(
            rt.core.store.clone(),
            rt.core.knowledge.clone(),
            rt.core.blobs.clone(),
            Arc::new(SystemClock),
            Policy::default(),
        )
        .with_coordination(Arc::new(khlang_store::SeaStore::new(rt.db.clone())))
        .with_extractor(Arc::new(Counting {
            runner: name,
            reads: reads.clone(),
        }))
    };
    let (r1, r2) = (runner(&one, "one"), runner(&two, "two"));

    let now = SystemClock.now();
    let mut shas = Vec::new();
    for i in 0..30 {
        let text = format!("file {i}");
        let sha = format!("{:064x}", i + 1);
        let body = futures::stream::once(async move {
            Ok::<_, std::io::Error>(bytes::Bytes::from(text.into_bytes()))
        });
        one.core
            .blobs
            .put(&blob_key(&sha), Box::pin(body))
            .await
            .unwrap();
        one.core
            .knowledge
            .queue_extraction(&sha, "text/plain", 6, now)
            .await
            .unwrap();
        shas.push(sha);
    }
    let (n1, n2) = tokio::join!(r1.extract_pending(), r2.extract_pending());
    let (n1, n2) = (n1.unwrap(), n2.unwrap());
    assert_eq!(n1 + n2, 30, "every job taken once: {n1} + {n2}");
    let reads = reads.lock().unwrap().clone();
    assert_eq!(reads.len(), 30);
    assert!(
        reads.values().all(|&n| n == 1),
        "a file read twice: {reads:?}"
    );

    // The hourly cleanup: both runners are due, one does it.
    let (c1, c2) = tokio::join!(r1.periodic_cleanup(), r2.periodic_cleanup());
    let ran = [c1.unwrap(), c2.unwrap()];
    assert_eq!(
        ran.iter().filter(|r| r.is_some()).count(),
        1,
        "exactly one node cleaned up: {ran:?}"
    );
    assert!(
        r1.periodic_cleanup().await.unwrap().is_none(),
        "not again this hour"
    );
}

/// What a reverse proxy or CDN in front of the nodes needs to keep a copy.
#[tokio::test]
async fn anonymous_pages_set_no_cookie_and_may_be_cached() {
    let app = spawn_app().await;
    let client = app.client();
    for path in ["/", "/items", "/search?q=%E0%B8%AD%E0%B8%AA%E0%B8%A1."] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(
            res.headers().get("set-cookie").is_none(),
            "{path} sets a cookie: {:?}",
            res.headers().get("set-cookie")
        );
        let cc = header(&res, "cache-control");
        assert!(cc.starts_with("public"), "{path}: Cache-Control {cc}");
        assert!(
            header(&res, "vary").to_ascii_lowercase().contains("cookie"),
            "{path}: Vary"
        );
        let tag = header(&res, "etag").to_string();
        assert!(!tag.is_empty(), "{path}: ETag");
        let body = res.text().await.unwrap();

        let again = client
            .get(app.url(path))
            .header("if-none-match", &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path} with If-None-Match");
        assert_eq!(header(&again, "etag"), tag);
        assert!(again.bytes().await.unwrap().is_empty());
        // The same page to another anonymous visitor: the same tag (no per-visitor token).
        let other = app.client().get(app.url(path)).send().await.unwrap();
        assert_eq!(
            header(&other, "etag"),
            tag,
            "{path} differs between visitors"
        );
        assert_eq!(other.text().await.unwrap(), body);
    }

    // The sign-in form needs the CSRF cookie and is nobody's to keep.
    let res = client.get(app.url("/login")).send().await.unwrap();
    assert!(header(&res, "set-cookie").starts_with("khlang_csrf="));
    assert_eq!(header(&res, "cache-control"), "private, no-store");

    // Signed-in pages are private.
    app.create_user("reader1", "รหัสผ่านทดสอบ99", false).await;
    let member = app.sign_in("reader1", "รหัสผ่านทดสอบ99").await;
    for path in ["/", "/items", "/account"] {
        let res = member.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path} signed in");
        assert_eq!(header(&res, "cache-control"), "private, no-store", "{path}");
        assert!(res.headers().get("etag").is_none(), "{path}");
    }
}
