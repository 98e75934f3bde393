//! Communities of practice: members-only content never reaches outsiders (pages, counts,
//! attachments, notifications), open communities are read by everyone and posted in by
//! members, accepted answers by the asker or a facilitator only, a question turned into one
//! draft item credited to its authors and screened as usual, moderation with audit, rate
//! limits, and bad input that changes nothing.

use crate::{body, location, member, post_form};
use khlang_core::account::Username;
use khlang_core::ids::UserId;
use khlang_testkit::reqwest::Client;
use khlang_testkit::reqwest::multipart::{Form, Part};
use khlang_testkit::{TestApp, spawn_app};

const UNIT: &str = "CDD-P-24-D01";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

async fn user_id(app: &TestApp, name: &str) -> UserId {
    app.core()
        .store
        .user_by_username(&Username::parse(name).unwrap())
        .await
        .unwrap()
        .expect("user")
        .0
        .id
}

async fn notices(app: &TestApp, name: &str) -> Vec<(String, String, String)> {
    let u = app
        .core()
        .store
        .get_user(user_id(app, name).await)
        .await
        .unwrap();
    let actor = app.core().actor_for(&u).await.unwrap();
    app.core()
        .inbox(&actor, 1)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| (n.kind, n.title, n.link))
        .collect()
}

/// The officer creates a community; returns its id.
async fn create(app: &TestApp, officer: &Client, name: &str, access: &str) -> i64 {
    let unit = app.unit_id(UNIT).await.to_string();
    let res = post_form(
        app,
        officer,
        "/communities/new",
        "/communities/new",
        &[
            ("name", name),
            ("description", "แลกเปลี่ยนเรื่องการทำเกษตรอินทรีย์"),
            ("unit_id", &unit),
            ("access", access),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "create community");
    location(&res)
        .trim_start_matches("/communities/")
        .parse()
        .unwrap()
}

async fn add(app: &TestApp, fac: &Client, id: i64, username: &str, role: &str) {
    let page = format!("/communities/{id}/members");
    let res = post_form(
        app,
        fac,
        &page,
        &page,
        &[("username", username), ("role", role)],
    )
    .await;
    assert_eq!(res.status(), 303, "add {username}");
}

/// Posts a new thread as multipart; returns the response.
async fn thread_res(
    app: &TestApp,
    c: &Client,
    id: i64,
    kind: &str,
    title: &str,
    text: &str,
    file: Option<(&str, Vec<u8>)>,
) -> khlang_testkit::reqwest::Response {
    let page = format!("/communities/{id}/threads/new");
    let csrf = app.csrf(c, &page).await;
    let mut form = Form::new()
        .text("csrf", csrf)
        .text("kind", kind.to_string())
        .text("title", title.to_string())
        .text("body", text.to_string());
    if let Some((name, bytes)) = file {
        form = form.part("files", Part::bytes(bytes).file_name(name.to_string()));
    }
    c.post(app.url(&page)).multipart(form).send().await.unwrap()
}

async fn thread(app: &TestApp, c: &Client, id: i64, title: &str, text: &str) -> i64 {
    let res = thread_res(app, c, id, "question", title, text, None).await;
    assert_eq!(res.status(), 303, "start thread");
    location(&res)
        .trim_start_matches("/communities/threads/")
        .parse()
        .unwrap()
}

async fn reply(app: &TestApp, c: &Client, thread: i64, text: &str) -> i64 {
    let page = format!("/communities/threads/{thread}");
    let csrf = app.csrf(c, &page).await;
    let form = Form::new()
        .text("csrf", csrf)
        .text("body", text.to_string());
    let res = c
        .post(app.url(&format!("{page}/reply")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "reply");
    location(&res)
        .rsplit("#post-")
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn get(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    let status = res.status().as_u16();
    (status, body(res).await)
}

async fn thread_count(app: &TestApp, id: i64) -> u64 {
    let cards = app
        .core()
        .community_cards(&khlang_core::org::Actor::Anonymous)
        .await
        .unwrap();
    // Counted for an open community; for members-only ask a facilitator's view instead.
    cards
        .iter()
        .find(|c| c.community.id.0 == id)
        .and_then(|c| c.threads)
        .unwrap_or(0)
}

#[tokio::test]
async fn members_only_content_never_reaches_outsiders() {
    let app = spawn_app().await;
    let fac = member(&app, "copfac", UNIT, "km_officer").await;
    let asker = member(&app, "copasker", UNIT, "contributor").await;
    let outsider = member(&app, "copout", UNIT, "viewer").await;
    let id = create(&app, &fac, "ชุมชนเกษตรลับ", "members").await;
    add(&app, &fac, id, "copasker", "member").await;
    let res = thread_res(
        &app,
        &asker,
        id,
        "question",
        "ปุ๋ยหมักชีวภาพสูตรพิเศษ",
        "ถามเรื่องสูตรลับ @copout @copfac",
        Some(("สูตร.pdf", PDF.to_vec())),
    )
    .await;
    assert_eq!(res.status(), 303);
    let t: i64 = location(&res)
        .trim_start_matches("/communities/threads/")
        .parse()
        .unwrap();
    let (_, page) = get(&app, &asker, &format!("/communities/threads/{t}")).await;
    let file_href = page
        .split("href=\"/communities/files/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| format!("/communities/files/{s}"))
        .expect("attachment link");
    let (s, _) = get(&app, &asker, &file_href).await;
    assert_eq!(s, 200, "a member opens the attachment");

    let anon = app.client();
    for (c, signed_in) in [(&outsider, true), (&anon, false)] {
        let (s, list) = get(&app, c, "/communities").await;
        assert_eq!(s, 200);
        assert!(list.contains("ชุมชนเกษตรลับ") && list.contains("แลกเปลี่ยนเรื่องการทำเกษตรอินทรีย์"));
        assert!(!list.contains("ปุ๋ยหมัก") && !list.contains("กระทู้ ·") && !list.contains(" กระทู้<"));
        assert!(!list.contains("สมาชิก 2 คน"), "no counts for outsiders");
        let (s, page) = get(&app, c, &format!("/communities/{id}")).await;
        assert_eq!(s, 200);
        assert!(!page.contains("ปุ๋ยหมัก"));
        assert!(page.contains("ชุมชนนี้เปิดให้เฉพาะสมาชิก"));
        for path in [
            format!("/communities/threads/{t}"),
            file_href.clone(),
            format!("/communities/{id}/members"),
        ] {
            let (s, html) = get(&app, c, &path).await;
            assert!(s == 404 || (!signed_in && s == 303), "{path}: {s}");
            assert!(!html.contains("ปุ๋ยหมัก"));
        }
        let (s, _) = get(&app, c, &format!("/communities/{id}/threads/new")).await;
        assert!(s == 404 || s == 303);
    }
    // The facilitator was told of the mention; the outsider was not (and got nothing else).
    assert!(
        notices(&app, "copfac")
            .await
            .iter()
            .any(|n| n.0 == "community_mention")
    );
    assert!(notices(&app, "copout").await.is_empty());

    // A request to join reads nothing until a facilitator approves it.
    let res = post_form(
        &app,
        &outsider,
        &format!("/communities/{id}"),
        &format!("/communities/{id}/join"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        get(&app, &outsider, &format!("/communities/threads/{t}"))
            .await
            .0,
        404
    );
    let out_id = user_id(&app, "copout").await;
    let res = post_form(
        &app,
        &fac,
        &format!("/communities/{id}/members"),
        &format!("/communities/{id}/members/{out_id}"),
        &[("action", "member")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (s, page) = get(&app, &outsider, &format!("/communities/threads/{t}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("ปุ๋ยหมักชีวภาพสูตรพิเศษ"));
    assert!(
        app.core()
            .readable_communities(
                &app.core()
                    .actor_for(&app.core().store.get_user(out_id).await.unwrap())
                    .await
                    .unwrap()
            )
            .await
            .unwrap()
            .iter()
            .any(|c| c.0 == id)
    );
    assert!(
        app.core()
            .is_community_member(khlang_core::ids::CommunityId(id), out_id)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn open_communities_are_read_by_all_and_posted_in_by_members() {
    let app = spawn_app().await;
    let fac = member(&app, "opfac", UNIT, "km_officer").await;
    let other = member(&app, "opother", UNIT, "viewer").await;
    let id = create(&app, &fac, "ชุมชนเปิด", "open").await;
    let t = thread(&app, &fac, id, "น้ำหมักชีวภาพใช้อย่างไร", "ขอคำแนะนำ").await;
    let (s, page) = get(&app, &app.client(), &format!("/communities/threads/{t}")).await;
    assert_eq!(s, 200);
    assert!(page.contains("น้ำหมักชีวภาพใช้อย่างไร"));
    let (_, list) = get(&app, &app.client(), "/communities").await;
    assert!(list.contains("สมาชิก 1 คน · 1 กระทู้"));
    // A non-member may not reply until joining in one click.
    let csrf = app.csrf(&other, &format!("/communities/threads/{t}")).await;
    let res = other
        .post(app.url(&format!("/communities/threads/{t}/reply")))
        .multipart(Form::new().text("csrf", csrf).text("body", "ตอบ"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = post_form(
        &app,
        &other,
        &format!("/communities/{id}"),
        &format!("/communities/{id}/join"),
        &[],
    )
    .await;
    assert_eq!(location(&res), format!("/communities/{id}?done=joined"));
    let p = reply(&app, &other, t, "ผสมน้ำ 1 ต่อ 500").await;
    let n = notices(&app, "opfac").await;
    assert!(
        n.iter().any(|(k, _, l)| k == "community_reply"
            && *l == format!("/communities/threads/{t}#post-{p}"))
    );
    // Never oneself.
    assert!(
        !notices(&app, "opother")
            .await
            .iter()
            .any(|n| n.0 == "community_reply")
    );
    // A contributor without ManageKnowledge may not create communities.
    let (s, _) = get(&app, &other, "/communities/new").await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn answers_are_accepted_by_the_asker_or_a_facilitator_only() {
    let app = spawn_app().await;
    let fac = member(&app, "acfac", UNIT, "km_officer").await;
    let asker = member(&app, "acasker", UNIT, "contributor").await;
    let m2 = member(&app, "acm2", UNIT, "viewer").await;
    let id = create(&app, &fac, "ชุมชนถามตอบ", "members").await;
    add(&app, &fac, id, "acasker", "member").await;
    add(&app, &fac, id, "acm2", "member").await;
    let t = thread(&app, &asker, id, "กำจัดเพลี้ยอย่างไร", "ช่วยด้วย").await;
    let p = reply(&app, &m2, t, "ใช้สะเดา").await;
    let page = format!("/communities/threads/{t}");
    let accept = format!("/communities/posts/{p}/accept");
    // Another member may not.
    let res = post_form(&app, &m2, &page, &accept, &[("value", "1")]).await;
    assert_eq!(res.status(), 403);
    let res = post_form(&app, &asker, &page, &accept, &[("value", "1")]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&app, &m2, &page).await;
    assert!(html.contains("✓ คำตอบที่ยอมรับ"));
    assert!(
        notices(&app, "acm2")
            .await
            .iter()
            .any(|n| n.0 == "community_accepted")
    );
    assert_eq!(
        app.core()
            .accepted_answers_of(user_id(&app, "acm2").await)
            .await
            .unwrap(),
        1
    );
    // The facilitator takes it back.
    let res = post_form(&app, &fac, &page, &accept, &[("value", "0")]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&app, &m2, &page).await;
    assert!(!html.contains("✓ คำตอบที่ยอมรับ"));
    assert_eq!(
        app.core()
            .accepted_answers_of(user_id(&app, "acm2").await)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_question_becomes_one_draft_item_credited_to_its_authors_and_is_screened() {
    let app = spawn_app().await;
    let fac = member(&app, "itfac", UNIT, "km_officer").await;
    let asker = member(&app, "itasker", UNIT, "contributor").await;
    let a1 = member(&app, "ita1", UNIT, "viewer").await;
    let a2 = member(&app, "ita2", UNIT, "viewer").await;
    let reviewer = member(&app, "itrev", UNIT, "reviewer").await;
    let id = create(&app, &fac, "ชุมชนองค์ความรู้", "members").await;
    for u in ["itasker", "ita1", "ita2"] {
        add(&app, &fac, id, u, "member").await;
    }
    let t = thread(&app, &asker, id, "เก็บรักษาเมล็ดพันธุ์ให้นาน", "ทำอย่างไรดี").await;
    let p1 = reply(&app, &a1, t, "ตากให้แห้งแล้วใส่ขวดปิดสนิท").await;
    let p2 = reply(&app, &a2, t, "ใส่ถ่านดูดความชื้น").await;
    let page = format!("/communities/threads/{t}");
    // Not before an answer is accepted.
    let res = post_form(&app, &asker, &page, &format!("{page}/item"), &[]).await;
    assert_eq!(res.status(), 409);
    for p in [p1, p2] {
        let res = post_form(
            &app,
            &asker,
            &page,
            &format!("/communities/posts/{p}/accept"),
            &[("value", "1")],
        )
        .await;
        assert_eq!(res.status(), 303);
    }
    // An answerer who is not the asker or a facilitator may not.
    let res = post_form(&app, &a1, &page, &format!("{page}/item"), &[]).await;
    assert_eq!(res.status(), 403);
    let res = post_form(&app, &asker, &page, &format!("{page}/item"), &[]).await;
    assert_eq!(res.status(), 303);
    let item = location(&res);
    // Pressing again (here: by the facilitator, who sees no button but posts) gives the same.
    let res = post_form(&app, &fac, &page, &format!("{page}/item"), &[]).await;
    assert_eq!(location(&res), item);
    let (s, html) = get(&app, &asker, &item).await;
    assert_eq!(s, 200);
    for name in ["ผู้ใช้ itasker", "ผู้ใช้ ita1", "ผู้ใช้ ita2"]
    {
        assert!(html.contains(name), "credited {name}");
    }
    assert!(html.contains("ตากให้แห้งแล้วใส่ขวดปิดสนิท"));
    let (_, thread_html) = get(&app, &a2, &page).await;
    assert!(thread_html.contains(&format!("href=\"{item}\"")));
    let res = post_form(
        &app,
        &asker,
        &format!("{item}/check"),
        &format!("{item}/transition"),
        &[("decision", "submit")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, queue) = get(&app, &reviewer, "/review").await;
    assert!(queue.contains("เก็บรักษาเมล็ดพันธุ์ให้นาน"));
}

#[tokio::test]
async fn facilitators_hide_reported_posts_with_a_reason_and_every_step_is_audited() {
    let app = spawn_app().await;
    let fac = member(&app, "mdfac", UNIT, "km_officer").await;
    let m1 = member(&app, "mdm1", UNIT, "viewer").await;
    let m2 = member(&app, "mdm2", UNIT, "viewer").await;
    let id = create(&app, &fac, "ชุมชนดูแล", "open").await;
    add(&app, &fac, id, "mdm1", "member").await;
    add(&app, &fac, id, "mdm2", "member").await;
    let t = thread(&app, &m1, id, "ขายของ", "เปิดกระทู้").await;
    let p = reply(&app, &m2, t, "โฆษณาขายตรงราคาถูก").await;
    let page = format!("/communities/threads/{t}");
    let res = post_form(
        &app,
        &m1,
        &page,
        &format!("/communities/posts/{p}/report"),
        &[("reason", "สแปม")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, queue) = get(&app, &fac, &format!("/communities/{id}/reports")).await;
    assert!(queue.contains("สแปม") && queue.contains("ขายของ"));
    assert_eq!(
        get(&app, &m1, &format!("/communities/{id}/reports"))
            .await
            .0,
        403
    );
    // Only a facilitator hides; a reason is required.
    let hide = format!("/communities/posts/{p}/hide");
    assert_eq!(
        post_form(&app, &m1, &page, &hide, &[("reason", "x")])
            .await
            .status(),
        403
    );
    let res = post_form(&app, &fac, &page, &hide, &[("reason", "")]).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณากรอกเหตุผลที่ซ่อน"));
    let res = post_form(&app, &fac, &page, &hide, &[("reason", "โฆษณาสินค้า")]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&app, &app.client(), &page).await;
    assert!(html.contains("ข้อความนี้ถูกซ่อนโดยผู้อำนวยความสะดวก: โฆษณาสินค้า"));
    assert!(!html.contains("โฆษณาขายตรงราคาถูก"));
    let (_, queue) = get(&app, &fac, &format!("/communities/{id}/reports")).await;
    assert!(!queue.contains("สแปม"), "hiding closes the report");
    let res = post_form(
        &app,
        &fac,
        &page,
        &format!("/communities/posts/{p}/unhide"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&app, &app.client(), &page).await;
    assert!(html.contains("โฆษณาขายตรงราคาถูก"));
    let audit = app.core().store.recent_audit(100).await.unwrap();
    for action in ["community.report", "community.hide", "community.unhide"] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.target == format!("post:{p}")),
            "{action} audited"
        );
    }
}

#[tokio::test]
async fn the_sixth_thread_in_an_hour_waits_and_nothing_is_saved() {
    let app = spawn_app().await;
    let fac = member(&app, "rlfac", UNIT, "km_officer").await;
    let id = create(&app, &fac, "ชุมชนคึกคัก", "open").await;
    for i in 0..5 {
        thread(&app, &fac, id, &format!("กระทู้ที่ {i}"), "เนื้อหา").await;
    }
    let res = thread_res(&app, &fac, id, "discussion", "กระทู้ที่หก", "เนื้อหา", None).await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("กรุณาลองใหม่หลังเวลา"), "says when");
    assert!(html.contains("กระทู้ที่หก"), "keeps what was typed");
    assert_eq!(thread_count(&app, id).await, 5);
    app.move_clock(3601);
    thread(&app, &fac, id, "กระทู้ที่หก", "เนื้อหา").await;
    assert_eq!(thread_count(&app, id).await, 6);
}

#[tokio::test]
async fn bad_input_changes_nothing() {
    let app = spawn_app().await;
    let fac = member(&app, "bdfac", UNIT, "km_officer").await;
    let id = create(&app, &fac, "ชุมชนทดสอบ", "open").await;
    let res = thread_res(&app, &fac, id, "question", "  ", "เนื้อหา", None).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณากรอกหัวข้อ"));
    let huge = "ก".repeat(20_001);
    let res = thread_res(&app, &fac, id, "question", "หัวข้อ", &huge, None).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("รายละเอียดยาวเกิน"));
    let res = thread_res(
        &app,
        &fac,
        id,
        "question",
        "หัวข้อมีไฟล์",
        "เนื้อหา",
        Some((
            "หน้า.html",
            b"<html><script>alert(1)</script></html>".to_vec(),
        )),
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = thread_res(
        &app,
        &fac,
        id,
        "question",
        "หัวข้อมีไฟล์",
        "เนื้อหา",
        Some(("คลิป.zip", b"PK\x03\x04rest-of-a-zip".to_vec())),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("แนบได้เฉพาะ"));
    assert_eq!(thread_count(&app, id).await, 0);
    // A community needs a name; a duplicate name in the unit is refused.
    let unit = app.unit_id(UNIT).await.to_string();
    let res = post_form(
        &app,
        &fac,
        "/communities/new",
        "/communities/new",
        &[("name", ""), ("unit_id", &unit)],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_form(
        &app,
        &fac,
        "/communities/new",
        "/communities/new",
        &[("name", "ชุมชนทดสอบ"), ("unit_id", &unit)],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("มีชุมชนชื่อนี้แล้ว"));
    assert_eq!(
        app.core()
            .community_cards(&khlang_core::org::Actor::Anonymous)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_replier_who_left_a_members_only_community_is_told_nothing_more() {
    let app = spawn_app().await;
    let fac = member(&app, "lvfac", UNIT, "km_officer").await;
    let m1 = member(&app, "lvm1", UNIT, "viewer").await;
    let id = create(&app, &fac, "ชุมชนปิด", "members").await;
    add(&app, &fac, id, "lvm1", "member").await;
    let t = thread(&app, &fac, id, "ทดลองปลูกข้าวอินทรีย์", "เล่าประสบการณ์").await;
    reply(&app, &m1, t, "ผมปลูกแล้วได้ผลดี").await;
    assert!(
        notices(&app, "lvfac")
            .await
            .iter()
            .any(|n| n.0 == "community_reply")
    );
    let res = post_form(
        &app,
        &m1,
        &format!("/communities/{id}"),
        &format!("/communities/{id}/leave"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    reply(&app, &fac, t, "ขอบคุณครับ @lvm1").await;
    let n: Vec<_> = notices(&app, "lvm1")
        .await
        .into_iter()
        .filter(|n| n.0 != "community_member")
        .collect();
    assert!(
        n.is_empty(),
        "no reply or mention notice after leaving: {n:?}"
    );
    assert_eq!(
        get(&app, &m1, &format!("/communities/threads/{t}")).await.0,
        404
    );
    // The last facilitator may not leave.
    let res = post_form(
        &app,
        &fac,
        &format!("/communities/{id}"),
        &format!("/communities/{id}/leave"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 409);
}

/// The search page, end to end: a members-only thread is found by its members only; an open
/// community's thread by everyone; a hidden reply's words by nobody.
#[tokio::test]
async fn thread_search_shows_members_only_threads_to_members_alone() {
    let app = spawn_app().await;
    let fac = member(&app, "srchfac", UNIT, "km_officer").await;
    let asker = member(&app, "srchasker", UNIT, "contributor").await;
    let outsider = member(&app, "srchout", UNIT, "viewer").await;
    let anon = app.client();
    let closed = create(&app, &fac, "ชุมชนปิดค้นหา", "members").await;
    add(&app, &fac, closed, "srchasker", "member").await;
    let open = create(&app, &fac, "ชุมชนเปิดค้นหา", "open").await;
    add(&app, &fac, open, "srchasker", "member").await;
    let secret = thread(
        &app,
        &asker,
        closed,
        "การเลี้ยงปลานิลในบ่อดินแบบประหยัด",
        "บ่อขนาด๒ไร่ใช้อาหารเม็ดลอยน้ำ",
    )
    .await;
    reply(&app, &fac, secret, "ลองใช้กากมะพร้าวผสมรำข้าวดูครับ").await;
    thread(
        &app,
        &asker,
        open,
        "การทำน้ำหมักชีวภาพจากเปลือกสับปะรด",
        "หมักไว้สามเดือนก่อนใช้",
    )
    .await;

    let search = |c: Client, q: &'static str| {
        let app = &app;
        async move {
            let (s, html) = get(app, &c, &format!("/search?q={q}")).await;
            assert_eq!(s, 200, "{q}");
            html
        }
    };
    // A word inside unspaced Thai text, in the title and in a reply.
    for q in ["ปลานิล", "กากมะพร้าว", "๒ไร่"] {
        let html = search(asker.clone(), q).await;
        assert!(html.contains("กระทู้ในชุมชน"), "member finds {q}");
        assert!(html.contains("การเลี้ยงปลานิลในบ่อดินแบบประหยัด"), "{q}");
        for c in [outsider.clone(), anon.clone()] {
            let html = search(c, q).await;
            assert!(!html.contains("กระทู้ในชุมชน"), "outsider: no section for {q}");
            assert!(!html.contains("ปลานิลในบ่อดิน") && !html.contains("ชุมชนปิดค้นหา"));
        }
    }
    // Arabic digits find the Thai ones typed in the thread.
    let html = search(asker.clone(), "2ไร่").await;
    assert!(html.contains("การเลี้ยงปลานิลในบ่อดินแบบประหยัด"));
    // The open community's thread is found by anyone.
    for c in [outsider.clone(), anon.clone(), asker.clone()] {
        let html = search(c, "สับปะรด").await;
        assert!(html.contains("การทำน้ำหมักชีวภาพจากเปลือกสับปะรด"));
        assert!(html.contains("ชุมชนเปิดค้นหา"));
    }
}

/// A phone photo attached to a question is kept only as a copy without EXIF (its GPS is the
/// position of a volunteer's house); a damaged "picture" is refused and nothing is posted.
#[tokio::test]
async fn attached_photos_lose_their_gps() {
    use khlang_media::{fixtures, inspect};
    let app = spawn_app().await;
    let fac = member(&app, "gpsfac", UNIT, "km_officer").await;
    let id = create(&app, &fac, "ชุมชนภาพถ่าย", "open").await;
    let photo = fixtures::photo_with_gps(3000, 2000, 4);
    assert!(inspect::has_exif(&photo));
    let res = thread_res(
        &app,
        &fac,
        id,
        "discussion",
        "ภาพแปลงผักสาธิต",
        "ดูภาพประกอบ",
        Some(("แปลงผัก.jpg", photo)),
    )
    .await;
    assert_eq!(res.status(), 303);
    let t = location(&res);
    let anon = app.client();
    let (_, page) = get(&app, &anon, &t).await;
    let href = page
        .split("href=\"/communities/files/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| format!("/communities/files/{s}"))
        .expect("attachment link");
    for c in [&anon, &fac] {
        let res = c.get(app.url(&href)).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap();
        assert!(
            !inspect::has_exif(&bytes),
            "no EXIF for anyone, the poster included"
        );
        assert_eq!(inspect::dimensions(&bytes), Some((2048, 1365)));
    }

    let mut broken = fixtures::jpeg(400, 300, 1);
    broken.truncate(600);
    let before = thread_count(&app, id).await;
    let res = thread_res(
        &app,
        &fac,
        id,
        "discussion",
        "ภาพเสีย",
        "ไฟล์ภาพเสีย",
        Some(("เสีย.jpg", broken)),
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(thread_count(&app, id).await, before, "nothing posted");
}

/// Two presses at the same moment (two phones, or two processes) make one draft, not two.
#[tokio::test]
async fn two_presses_at_once_make_one_draft() {
    let app = spawn_app().await;
    let fac = member(&app, "twofac", UNIT, "km_officer").await;
    let a1 = member(&app, "twoa1", UNIT, "viewer").await;
    let id = create(&app, &fac, "ชุมชนกดพร้อมกัน", "open").await;
    add(&app, &fac, id, "twoa1", "member").await;
    let t = thread(&app, &fac, id, "วิธีเก็บข้าวเปลือก", "ถามผู้รู้").await;
    let p = reply(&app, &a1, t, "ใส่ยุ้งฉางยกพื้น").await;
    let page = format!("/communities/threads/{t}");
    let res = post_form(
        &app,
        &fac,
        &page,
        &format!("/communities/posts/{p}/accept"),
        &[("value", "1")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let action = format!("{page}/item");
    let (r1, r2) = tokio::join!(
        post_form(&app, &fac, &page, &action, &[]),
        post_form(&app, &fac, &page, &action, &[]),
    );
    assert_eq!(r1.status(), 303);
    assert_eq!(r2.status(), 303);
    assert_eq!(location(&r1), location(&r2));
    let made: i64 = location(&r1).trim_start_matches("/items/").parse().unwrap();
    // The next item made gets the next number: no second draft was left behind.
    let api = khlang_testkit::ApiCaller::user(&app, "twoprobe", &[("contributor", UNIT)]).await;
    let next = api
        .draft(app.unit_id(UNIT).await, serde_json::json!({}))
        .await;
    assert_eq!(next, made + 1);
}

/// Praise (ชื่นชม) on a reply: members praise once and take it back; an outsider of a
/// members-only community cannot praise (nor learn that the post exists), and neither can
/// anyone praise a hidden post.
#[tokio::test]
async fn praise_on_replies_only_by_those_who_may_read_them() {
    let app = spawn_app().await;
    let fac = member(&app, "prfac", UNIT, "km_officer").await;
    let m = member(&app, "prmem", UNIT, "viewer").await;
    let outsider = member(&app, "prout", UNIT, "viewer").await;
    let id = create(&app, &fac, "ชุมชนชื่นชม", "members").await;
    add(&app, &fac, id, "prmem", "member").await;
    let t = thread(&app, &fac, id, "แบ่งปันสูตรน้ำหมัก", "ใครมีสูตรบ้าง").await;
    let p = reply(&app, &m, t, "สูตรของป้าศรีใช้กากน้ำตาล").await;
    let page = format!("/communities/threads/{t}");
    let target = format!("post:{p}");
    let praise = |c: Client| {
        let (app, page, target) = (&app, page.clone(), target.clone());
        async move {
            let csrf = app.csrf(&c, "/account").await;
            c.post(app.url("/praise"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("target", target.as_str()),
                    ("back", page.as_str()),
                ])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(praise(fac.clone()).await, 303);
    let (_, html) = get(&app, &m, &page).await;
    assert!(html.contains("ชื่นชม 1"), "the count shows");
    assert_eq!(praise(outsider.clone()).await, 404);
    let (_, html) = get(&app, &m, &page).await;
    assert!(
        html.contains("ชื่นชม 1"),
        "the outsider's praise was not counted"
    );
    // Hidden by a facilitator: no more praise for it.
    let res = post_form(
        &app,
        &fac,
        &page,
        &format!("/communities/posts/{p}/hide"),
        &[("reason", "ข้อมูลไม่ถูกต้อง")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(praise(m.clone()).await, 404);
}
