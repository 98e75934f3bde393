//! Issue 10 §3, photos and PDPA: a phone photo carries the GPS position of a volunteer's house
//! in its EXIF. Every picture served to someone who may not edit its item is a copy made on
//! the server without metadata — from `/files/{id}/thumb`, `/files/{id}/display` and every
//! download URL — while the item's editors still get the original, byte for byte.

use bytes::Bytes;
use khlang_core::ids::{FileId, ItemId};
use khlang_core::item::{ItemInput, Transition};
use khlang_core::org::Actor;
use khlang_media::{fixtures, inspect};
use khlang_testkit::reqwest::{Client, Response};
use khlang_testkit::{TestApp, spawn_app, spawn_node_beside};
use std::time::Duration;

const UNIT: &str = "DHSS-PHC";
const LIMIT: u64 = 64 << 20;

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

/// An author, a reviewer, and a public draft of the author's.
struct Scene {
    author: Person,
    reviewer: Person,
    item: ItemId,
}

async fn scene(app: &TestApp) -> Scene {
    let author = person(app, "volunteer.officer", "contributor").await;
    let reviewer = person(app, "screening.member", "reviewer").await;
    let item = app
        .core()
        .create_item(
            &author.actor,
            &ItemInput {
                title: "นวัตกรรมไม้เท้าช่วยเดินจากท่อพีวีซี".into(),
                unit_id: app.unit_id(UNIT).await.to_string(),
                visibility: "public".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    Scene {
        author,
        reviewer,
        item,
    }
}

async fn attach(app: &TestApp, s: &Scene, name: &str, bytes: Vec<u8>) -> FileId {
    let body = futures::stream::once(async move { Ok(Bytes::from(bytes)) });
    app.core()
        .attach_file(&s.author.actor, s.item, name, Box::pin(body), LIMIT)
        .await
        .unwrap()
        .id
}

async fn publish(app: &TestApp, s: &Scene) {
    let core = app.core();
    core.transition(&s.author.actor, s.item, Transition::Submit, "")
        .await
        .unwrap();
    core.transition(&s.reviewer.actor, s.item, Transition::Approve, "")
        .await
        .unwrap();
}

async fn get(client: &Client, app: &TestApp, path: &str, token: Option<&str>) -> Response {
    let mut req = client.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn header(res: &Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A JPEG with no metadata segment but JFIF, and no EXIF anywhere before its image data.
fn assert_clean(bytes: &[u8], what: &str) {
    assert!(bytes.starts_with(&[0xff, 0xd8]), "{what}: a JPEG");
    assert!(!inspect::has_exif(bytes), "{what}: EXIF left");
    assert_eq!(inspect::app_markers(bytes), vec![0xe0], "{what}: JFIF only");
    assert!(
        !bytes.windows(6).any(|w| w == b"Exif\0\0"),
        "{what}: an EXIF header somewhere"
    );
}

#[tokio::test]
async fn the_public_gets_gps_photos_without_exif_and_the_editor_the_original() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let original = fixtures::photo_with_gps(2000, 1500, 7);
    assert!(inspect::has_exif(&original));
    let file = attach(&app, &s, "บ้านคุณยายสมศรี.jpg", original.clone()).await;
    let anon = app.client();

    // A draft is nobody else's business, copies included.
    let res = get(&anon, &app, &format!("/files/{file}/thumb"), None).await;
    assert_eq!(res.status(), 404);

    publish(&app, &s).await;

    let thumb = get(&anon, &app, &format!("/files/{file}/thumb"), None).await;
    assert_eq!(thumb.status(), 200);
    assert_eq!(header(&thumb, "content-type"), "image/jpeg");
    assert_eq!(header(&thumb, "cache-control"), "private, no-cache");
    let thumb_tag = header(&thumb, "etag");
    assert_ne!(thumb_tag, "", "an ETag");
    let thumb = thumb.bytes().await.unwrap();
    assert_clean(&thumb, "thumb");
    assert_eq!(inspect::dimensions(&thumb), Some((480, 360)));

    let display = get(&anon, &app, &format!("/files/{file}/display"), None).await;
    assert_eq!(display.status(), 200);
    let display_tag = header(&display, "etag");
    assert_ne!(display_tag, thumb_tag);
    let display = display.bytes().await.unwrap();
    assert_clean(&display, "display");
    assert_eq!(inspect::dimensions(&display), Some((1600, 1200)));
    assert!(display.len() < original.len(), "smaller than the original");

    // Every download URL gives the public the display copy, never the original.
    for path in [
        format!("/files/{file}"),
        format!("/files/{file}/%E0%B8%9A%E0%B9%89%E0%B8%B2%E0%B8%99.jpg"),
        format!("/api/v1/files/{file}"),
    ] {
        let res = get(&anon, &app, &path, None).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "content-type"), "image/jpeg", "{path}");
        assert_eq!(header(&res, "etag"), display_tag, "{path}");
        assert!(header(&res, "vary").contains("Cookie"), "{path}");
        let body = res.bytes().await.unwrap();
        assert_clean(&body, &path);
        assert_eq!(body, display, "{path}");
    }
    // Revalidation and ranges work on the copy as on any file.
    let res = anon
        .get(app.url(&format!("/files/{file}")))
        .header("if-none-match", &display_tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let res = anon
        .get(app.url(&format!("/files/{file}/display")))
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(res.bytes().await.unwrap(), display[..10]);

    // The item page shows the display copy, to everyone.
    let page = get(&anon, &app, &format!("/items/{}", s.item), None).await;
    let page = page.text().await.unwrap();
    assert!(
        page.contains(&format!("src=\"/files/{file}/display\"")),
        "item page shows the copy"
    );

    // The reviewer reads the item but does not edit it: copies too.
    let res = get(
        &anon,
        &app,
        &format!("/files/{file}"),
        Some(&s.reviewer.token),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_clean(&res.bytes().await.unwrap(), "reviewer's download");

    // The author edits it: the original, byte for byte, GPS and all.
    for path in [format!("/files/{file}"), format!("/api/v1/files/{file}")] {
        let res = get(&anon, &app, &path, Some(&s.author.token)).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "etag"), format!("\"{}\"", sha256(&original)));
        let body = res.bytes().await.unwrap();
        assert_eq!(body, original, "{path}: byte-identical");
        assert!(inspect::has_exif(&body));
    }
    // …and the same copies as everyone else from the copy URLs.
    let res = get(
        &anon,
        &app,
        &format!("/files/{file}/thumb"),
        Some(&s.author.token),
    )
    .await;
    assert_eq!(res.bytes().await.unwrap(), thumb);
    app.stop().await;
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn copies_are_made_in_the_background_after_an_upload() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let photo = fixtures::photo_with_gps(800, 600, 3);
    let file = attach(&app, &s, "ภาพกิจกรรม.jpg", photo.clone()).await;
    let sha = sha256(&photo);
    let prefix = format!("derived/{}/{sha}", &sha[..2]);
    let mut made = Vec::new();
    for _ in 0..100 {
        made = app.core().blobs.list_under(&prefix).await.unwrap();
        if made.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(made.len(), 2, "thumb and display copies stored: {made:?}");
    // Nothing waits any more.
    assert_eq!(app.core().copies_pending().await.unwrap(), 0);
    publish(&app, &s).await;
    let res = get(&app.client(), &app, &format!("/files/{file}/thumb"), None).await;
    assert_eq!(res.status(), 200);
    assert_clean(&res.bytes().await.unwrap(), "thumb");
    app.stop().await;
}

#[tokio::test]
async fn a_copy_lost_from_storage_is_made_again_and_another_node_agrees() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let photo = fixtures::photo_with_gps(900, 700, 5);
    let file = attach(&app, &s, "แปลงผัก.jpg", photo.clone()).await;
    publish(&app, &s).await;
    let first = get(&app.client(), &app, &format!("/files/{file}/display"), None).await;
    let first = first.bytes().await.unwrap();
    let sha = sha256(&photo);
    app.core()
        .blobs
        .delete(&khlang_core::media::Derivative::Display.key(&sha))
        .await
        .unwrap();
    let other = spawn_node_beside(&app).await;
    let again = get(
        &other.client(),
        &other,
        &format!("/files/{file}/display"),
        None,
    )
    .await;
    assert_eq!(again.status(), 200);
    let again = again.bytes().await.unwrap();
    assert_clean(&again, "remade");
    assert_eq!(again, first, "the same copy, made again");
    other.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_transparent_png_is_copied_onto_white_without_metadata() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let png = fixtures::png(1000, 500, true);
    let file = attach(&app, &s, "แผนผังชุมชน.png", png.clone()).await;
    publish(&app, &s).await;
    let anon = app.client();
    let res = get(&anon, &app, &format!("/files/{file}/thumb"), None).await;
    assert_eq!(res.status(), 200);
    let thumb = res.bytes().await.unwrap();
    assert_clean(&thumb, "png thumb");
    assert_eq!(inspect::dimensions(&thumb), Some((480, 240)));
    let res = get(&anon, &app, &format!("/files/{file}"), None).await;
    assert_eq!(header(&res, "content-type"), "image/jpeg");
    assert!(
        header(&res, "content-disposition").contains(".jpg"),
        "saved as a JPEG: {}",
        header(&res, "content-disposition")
    );
    assert_clean(&res.bytes().await.unwrap(), "png download");
    let res = get(
        &anon,
        &app,
        &format!("/files/{file}"),
        Some(&s.author.token),
    )
    .await;
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(res.bytes().await.unwrap(), png);
    app.stop().await;
}

#[tokio::test]
async fn a_document_has_no_copies_and_downloads_as_it_is() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let file = attach(&app, &s, "รายงาน.pdf", pdf.clone()).await;
    publish(&app, &s).await;
    let anon = app.client();
    for kind in ["thumb", "display"] {
        let res = get(&anon, &app, &format!("/files/{file}/{kind}"), None).await;
        assert_eq!(res.status(), 404, "{kind}");
        assert!(res.text().await.unwrap().contains("ไม่พบ"), "a Thai page");
    }
    let res = get(&anon, &app, &format!("/files/{file}"), None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap(), pdf);
    // No such file, and not a number.
    for path in ["/files/999999/thumb", "/files/abc/display"] {
        assert_eq!(get(&anon, &app, path, None).await.status(), 404, "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_in_thai_and_never_served_to_the_public() {
    let app = spawn_app().await;
    let s = scene(&app).await;
    let bomb = fixtures::png_bomb(60_000, 60_000);
    let file = attach(&app, &s, "ภาพใหญ่มาก.png", bomb.clone()).await;
    publish(&app, &s).await;
    let anon = app.client();
    for path in [
        format!("/files/{file}/thumb"),
        format!("/files/{file}/display"),
        format!("/files/{file}"),
    ] {
        let res = get(&anon, &app, &path, None).await;
        assert_eq!(res.status(), 422, "{path}");
        let page = res.text().await.unwrap();
        assert!(page.contains("ใหญ่เกินไป"), "{path}: {page}");
        assert!(!page.contains("IHDR"), "{path}");
    }
    let res = anon
        .get(app.url(&format!("/api/v1/files/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(header(&res, "content-type"), "application/problem+json");
    // The author still has what they uploaded; the server is still there.
    let res = get(
        &anon,
        &app,
        &format!("/files/{file}"),
        Some(&s.author.token),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap(), bomb);
    assert_eq!(get(&anon, &app, "/healthz", None).await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn two_nodes_asked_at_once_make_a_pictures_copies_once() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let other = spawn_node_beside(&app).await;
    let s = scene(&app).await;
    let photo = fixtures::photo_with_gps(1800, 1200, 11);
    let file = attach(&app, &s, "ภาพหน้าบ้าน.jpg", photo.clone()).await;
    publish(&app, &s).await;
    // Both nodes' background jobs and six readers on two nodes, all at once.
    let mut asks = Vec::new();
    for n in 0..6 {
        let node = if n % 2 == 0 { &app } else { &other };
        let kind = if n % 3 == 0 { "thumb" } else { "display" };
        let url = node.url(&format!("/files/{file}/{kind}"));
        let client = node.client();
        asks.push(tokio::spawn(async move {
            let res = client.get(url).send().await.unwrap();
            (res.status().as_u16(), res.bytes().await.unwrap())
        }));
    }
    let mut bodies = std::collections::BTreeMap::new();
    for (n, ask) in asks.into_iter().enumerate() {
        let (status, body) = ask.await.unwrap();
        assert_eq!(status, 200, "reader {n}");
        assert_clean(&body, "copy");
        bodies.entry(n % 3 == 0).or_insert_with(Vec::new).push(body);
    }
    for same in bodies.values() {
        assert!(same.windows(2).all(|w| w[0] == w[1]), "one copy for all");
    }
    let db = &app.runtime.db;
    let row = db
        .query_one(Statement::from_sql_and_values(
            db.get_database_backend(),
            match khlang_testkit::backend() {
                "postgres" => "SELECT status, attempts FROM picture_copies WHERE sha256 = $1",
                _ => "SELECT status, attempts FROM picture_copies WHERE sha256 = ?",
            },
            [sha256(&photo).into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let status: String = row.try_get("", "status").unwrap();
    let attempts: i32 = row.try_get("", "attempts").unwrap();
    assert_eq!((status.as_str(), attempts), ("done", 1), "made once");
    other.stop().await;
    app.stop().await;
}
