//! LINE capture (issue 15): recorded webhook payloads, signed with the channel secret, sent to
//! a real khlang whose LINE API is a fake on loopback. A forged signature changes nothing; an
//! unlinked person is told how to link; a one-time code from the account page links them; a
//! linked person's text, picture and file become drafts of theirs with a reply carrying the
//! link; a redelivery makes nothing twice; a refused file type leaves no draft; wrong codes are
//! throttled; unlinking stops capture; without configuration the webhook does not exist.

use super::{body, member};
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use base64::Engine;
use khlang_core::item::ItemStatus;
use khlang_core::ports::ItemFilter;
use khlang_testkit::reqwest::Client;
use khlang_testkit::{TestApp, fresh_config, spawn_app, spawn_with};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const SECRET: &str = "d0c4f1e2a3b4c5d6e7f8091a2b3c4d5e";
const LINE_USER: &str = "U4af4980629d4b8e0c6e1b6a2f7d9c3b1";
const UNIT: &str = "CDD-P-24-D01";

/// What the fake LINE API saw and what it serves.
#[derive(Default)]
struct FakeLine {
    replies: Mutex<Vec<(String, String)>>,
    content: Mutex<HashMap<String, Vec<u8>>>,
}

async fn fake_reply(
    State(f): State<Arc<FakeLine>>,
    axum::Json(v): axum::Json<Value>,
) -> &'static str {
    f.replies.lock().unwrap().push((
        v["replyToken"].as_str().unwrap_or_default().to_string(),
        v["messages"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ));
    "{}"
}

async fn fake_content(
    State(f): State<Arc<FakeLine>>,
    Path(id): Path<String>,
) -> Result<Vec<u8>, axum::http::StatusCode> {
    f.content
        .lock()
        .unwrap()
        .get(&id)
        .cloned()
        .ok_or(axum::http::StatusCode::NOT_FOUND)
}

async fn fake_line() -> (String, Arc<FakeLine>) {
    let fake = Arc::new(FakeLine::default());
    let app = Router::new()
        .route("/v2/bot/message/reply", post(fake_reply))
        .route("/v2/bot/message/{id}/content", get(fake_content))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, fake)
}

async fn app_with_line() -> (TestApp, Arc<FakeLine>) {
    let (url, fake) = fake_line().await;
    let mut config = fresh_config().await;
    config.line_channel_secret = SECRET.into();
    config.line_access_token = "test-token".into();
    config.line_api_url = url.clone();
    config.line_data_url = url;
    (spawn_with(config).await, fake)
}

fn sign(body: &str, secret: &str) -> String {
    // HMAC-SHA256 by hand (RFC 2104), independent of the code under test.
    let mut key = [0u8; 64];
    key[..secret.len()].copy_from_slice(secret.as_bytes());
    let inner = Sha256::new()
        .chain_update(key.map(|b| b ^ 0x36))
        .chain_update(body.as_bytes())
        .finalize();
    let mac = Sha256::new()
        .chain_update(key.map(|b| b ^ 0x5c))
        .chain_update(inner)
        .finalize();
    base64::engine::general_purpose::STANDARD.encode(mac)
}

/// A message event as LINE records it (the shape of the Messaging API's webhook docs).
fn payload(event_id: &str, message: Value) -> String {
    serde_json::json!({
        "destination": "Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "events": [{
            "type": "message",
            "message": message,
            "webhookEventId": event_id,
            "deliveryContext": {"isRedelivery": false},
            "timestamp": 1_764_830_000_000_i64,
            "source": {"type": "user", "userId": LINE_USER},
            "replyToken": format!("reply-{event_id}"),
            "mode": "active"
        }]
    })
    .to_string()
}

fn text(event_id: &str, id: &str, t: &str) -> String {
    payload(
        event_id,
        serde_json::json!({"id": id, "type": "text", "quoteToken": "q", "text": t}),
    )
}

async fn deliver(app: &TestApp, body: &str, signature: &str) -> u16 {
    app.client()
        .post(app.url("/line/webhook"))
        .header("x-line-signature", signature)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn last_reply(fake: &FakeLine) -> (String, String) {
    fake.replies
        .lock()
        .unwrap()
        .last()
        .cloned()
        .unwrap_or_default()
}

async fn drafts_of(app: &TestApp, username: &str) -> Vec<(i64, String)> {
    let u = khlang_core::account::Username::parse(username).unwrap();
    let user = app
        .core()
        .store
        .user_by_username(&u)
        .await
        .unwrap()
        .unwrap()
        .0;
    let filter = ItemFilter {
        statuses: vec![ItemStatus::Draft],
        created_by: Some(user.id),
        ..Default::default()
    };
    app.core()
        .knowledge
        .list_items(&filter, 1, 100)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|s| (s.id.0, s.title))
        .collect()
}

/// The code shown on the account page after pressing the button.
async fn code_from_page(app: &TestApp, c: &Client) -> String {
    let res = super::post_form(app, c, "/account/line", "/account/line/code", &[]).await;
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    let start = html.find("class=\"line-code mono\"").expect("code shown");
    let rest = &html[start..];
    let code: String = rest[rest.find('>').unwrap() + 1..rest.find("</p>").unwrap()].to_string();
    assert_eq!(code.len(), 7, "{code}");
    code
}

#[tokio::test]
async fn a_linked_person_s_messages_become_their_drafts_and_nothing_else_does() {
    let (app, fake) = app_with_line().await;
    let somsri = member(&app, "somsri", UNIT, "contributor").await;

    // Forged: refused before anything is read, nothing answered.
    let body0 = text("01JFORGED", "1001", "ข้อความปลอม");
    assert_eq!(
        deliver(&app, &body0, &sign(&body0, "wrong-secret")).await,
        401
    );
    assert_eq!(deliver(&app, &body0, "").await, 401);
    assert!(fake.replies.lock().unwrap().is_empty());
    // Signed but not the webhook's JSON.
    assert_eq!(deliver(&app, "[]", &sign("[]", SECRET)).await, 400);

    // Not linked yet: told how, no draft.
    let b = text("01JA", "1002", "สวัสดีค่ะ");
    assert_eq!(deliver(&app, &b, &sign(&b, SECRET)).await, 200);
    let (token, reply) = last_reply(&fake);
    assert_eq!(token, "reply-01JA");
    assert!(reply.contains("ยังไม่ได้เชื่อมบัญชี LINE"), "{reply}");
    assert!(drafts_of(&app, "somsri").await.is_empty());

    // The code from the account page, sent in Thai digits, links the account.
    let code = code_from_page(&app, &somsri).await;
    let thai: String = code
        .chars()
        .map(|c| {
            c.to_digit(10)
                .map(|d| char::from_u32('๐' as u32 + d).unwrap())
                .unwrap_or(c)
        })
        .collect();
    let b = text("01JB", "1003", &thai);
    assert_eq!(deliver(&app, &b, &sign(&b, SECRET)).await, 200);
    assert!(
        last_reply(&fake).1.contains("เชื่อมบัญชี LINE กับคลังความรู้ของ"),
        "{:?}",
        last_reply(&fake)
    );
    let page = body(somsri.get(app.url("/account/line")).send().await.unwrap()).await;
    assert!(page.contains("เชื่อมบัญชี LINE แล้ว"), "{page}");
    // Once linked, even six digits are a message: a draft, not another link.
    let b = text("01JB2", "1004", &code);
    deliver(&app, &b, &sign(&b, SECRET)).await;
    assert!(
        drafts_of(&app, "somsri")
            .await
            .iter()
            .any(|(_, t)| t == &code),
        "a linked person's text is a draft"
    );

    // Text: a draft titled with its first line; the reply carries its link.
    let b = text("01JC", "1005", "วิธีทำยาดมสมุนไพร\nใช้การบูร พิมเสน และเมนทอล");
    assert_eq!(deliver(&app, &b, &sign(&b, SECRET)).await, 200);
    let drafts = drafts_of(&app, "somsri").await;
    let (id, _) = drafts
        .iter()
        .find(|(_, t)| t == "วิธีทำยาดมสมุนไพร")
        .cloned()
        .expect("a draft from the text");
    assert!(
        last_reply(&fake).1.contains(&format!("/items/{id}")),
        "{:?}",
        last_reply(&fake)
    );
    let item = app
        .core()
        .knowledge
        .get_item(khlang_core::ids::ItemId(id))
        .await
        .unwrap();
    assert!(item.fields.body.contains("การบูร"));

    // The same event again (LINE redelivers): nothing new.
    let before = drafts_of(&app, "somsri").await.len();
    assert_eq!(deliver(&app, &b, &sign(&b, SECRET)).await, 200);
    assert_eq!(drafts_of(&app, "somsri").await.len(), before);

    // A picture: a draft with the picture attached.
    let png = khlang_media::fixtures::png(64, 48, false);
    fake.content.lock().unwrap().insert("2001".into(), png);
    let b = payload(
        "01JD",
        serde_json::json!({"id": "2001", "type": "image", "contentProvider": {"type": "line"}}),
    );
    assert_eq!(deliver(&app, &b, &sign(&b, SECRET)).await, 200);
    let drafts = drafts_of(&app, "somsri").await;
    assert_eq!(drafts.len(), before + 1);
    let (pid, ptitle) = drafts
        .iter()
        .find(|(_, t)| t.starts_with("รูปภาพจาก LINE"))
        .cloned()
        .unwrap();
    assert!(
        last_reply(&fake).1.contains(&format!("/items/{pid}")),
        "{ptitle}"
    );
    let files = app
        .core()
        .knowledge
        .item_files(khlang_core::ids::ItemId(pid))
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].kind, "image");

    // A program disguised as a document: refused with a Thai reply, no draft left behind.
    fake.content.lock().unwrap().insert(
        "3001".into(),
        b"MZ\x90\x00\x03\x00\x00\x00 not a document".to_vec(),
    );
    let b = payload(
        "01JE",
        serde_json::json!({"id": "3001", "type": "file", "fileName": "คู่มือ.pdf", "fileSize": 25}),
    );
    assert_eq!(deliver(&app, &b, &sign(&b, SECRET)).await, 200);
    assert!(
        last_reply(&fake).1.starts_with("บันทึกไม่ได้"),
        "{:?}",
        last_reply(&fake)
    );
    assert_eq!(drafts_of(&app, "somsri").await.len(), before + 1);

    // A real PDF file: a draft named after the file.
    fake.content.lock().unwrap().insert(
        "3002".into(),
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
    );
    let b = payload(
        "01JF",
        serde_json::json!({"id": "3002", "type": "file", "fileName": "แผนงาน อสม.pdf", "fileSize": 50}),
    );
    assert_eq!(deliver(&app, &b, &sign(&b, SECRET)).await, 200);
    assert!(
        drafts_of(&app, "somsri")
            .await
            .iter()
            .any(|(_, t)| t == "แผนงาน อสม.pdf")
    );

    // Unlinked: messages are no longer captured.
    let res = super::post_form(&app, &somsri, "/account/line", "/account/line/unlink", &[]).await;
    assert_eq!(res.status(), 303);
    let n = drafts_of(&app, "somsri").await.len();
    let b = text("01JG", "1006", "หลังยกเลิก");
    deliver(&app, &b, &sign(&b, SECRET)).await;
    assert_eq!(drafts_of(&app, "somsri").await.len(), n);
    assert!(last_reply(&fake).1.contains("ยังไม่ได้เชื่อมบัญชี LINE"));
}

#[tokio::test]
async fn wrong_codes_are_throttled_and_the_webhook_is_off_without_configuration() {
    let (app, fake) = app_with_line().await;
    let somsri = member(&app, "somsri", UNIT, "contributor").await;
    let code = code_from_page(&app, &somsri).await;
    let wrong = if code.starts_with('9') {
        "000 000"
    } else {
        "999 999"
    };
    for n in 0..5 {
        let b = text(&format!("01W{n}"), &format!("50{n}"), wrong);
        deliver(&app, &b, &sign(&b, SECRET)).await;
        assert!(
            last_reply(&fake).1.contains("รหัสไม่ถูกต้อง"),
            "{:?}",
            last_reply(&fake)
        );
    }
    // The sixth try, even with the right code, waits.
    let b = text("01W9", "509", &code);
    deliver(&app, &b, &sign(&b, SECRET)).await;
    assert!(
        last_reply(&fake).1.contains("ผิดหลายครั้งเกินไป"),
        "{:?}",
        last_reply(&fake)
    );
    let page = body(somsri.get(app.url("/account/line")).send().await.unwrap()).await;
    assert!(!page.contains("เชื่อมบัญชี LINE แล้ว"));

    // A site without a LINE channel: no webhook, no linking page, no link on the account page.
    let plain = spawn_app().await;
    let b = text("01X", "600", "hi");
    assert_eq!(deliver(&plain, &b, &sign(&b, SECRET)).await, 404);
    let someone = member(&plain, "someone", UNIT, "contributor").await;
    let account = body(someone.get(plain.url("/account")).send().await.unwrap()).await;
    assert!(!account.contains("/account/line"));
    assert_eq!(
        someone
            .get(plain.url("/account/line"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
