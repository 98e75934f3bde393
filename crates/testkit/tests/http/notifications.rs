//! Notifications: due-date reminders to a unit's officers (once each, also with two nodes),
//! none for a target met; the screened item's creator told the decision; the bell's count,
//! the inbox (newest first, 30 a page, unread in bold), opening a notice and reading all.

use crate::targets::{post_targets, publish};
use crate::{body, location, member, post_form};
use khlang_core::account::{User, Username};
use khlang_core::ids::{NoticeId, UserId};
use khlang_core::notifications::NewNotice;
use khlang_core::planning::FiscalYear;
use khlang_core::targets::service::thai_date;
use khlang_testkit::{ApiCaller, PASSWORD, TestApp, spawn_app, spawn_node_beside};
use serde_json::json;
use time::{Date, Duration};

async fn unread(app: &TestApp, user: UserId) -> u64 {
    app.core().unread_notice_count(user).await.unwrap()
}

async fn user_named(app: &TestApp, name: &str) -> User {
    let u = Username::parse(name).unwrap();
    app.core()
        .store
        .user_by_username(&u)
        .await
        .unwrap()
        .expect("user")
        .0
}

async fn inbox_titles(app: &TestApp, username: &str) -> Vec<String> {
    let user = user_named(app, username).await;
    let actor = app.core().actor_for(&user).await.unwrap();
    app.core()
        .inbox(&actor, 1)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.title)
        .collect()
}

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

#[tokio::test]
async fn notifications_remind_officers_14_and_3_days_before_a_target_falls_due_once() {
    let app = spawn_app().await;
    let today = thai_date(app.core().clock.now());
    let due = today + Duration::days(14);
    let year = FiscalYear::of(due.midnight().assume_utc());
    let p24 = app.unit_id("CDD-P-24").await;
    let d01 = app.unit_id("CDD-P-24-D01").await;
    let d02 = app.unit_id("CDD-P-24-D02").await;
    let officer = app
        .user_with_role("remkm", "CDD-P-24-D01", "km_officer")
        .await;
    let unit_admin = app.user_with_role("remadm", "CDD-P-24-D01", "admin").await;
    let writer = app
        .user_with_role("remwriter", "CDD-P-24-D01", "contributor")
        .await;
    let other = app
        .user_with_role("remkm2", "CDD-P-24-D02", "km_officer")
        .await;
    let province = member(&app, "remprov", "CDD-P-24", "km_officer").await;
    let res = post_targets(
        &app,
        &province,
        p24,
        year,
        &[
            (d01, "3".into(), "1".into(), iso(due)),
            (d02, "1".into(), "1".into(), iso(due)),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    // บ้านโพธิ์ meets its target: no reminder there.
    let author = ApiCaller::user(&app, "remauth2", &[("contributor", "CDD-P-24-D02")]).await;
    let reviewer = ApiCaller::user(&app, "remrev", &[("reviewer", "CDD-P-24")]).await;
    publish(&author, &reviewer, d02, year, 1).await;

    // Two processes sweep at once and again: each officer has one reminder.
    let node2 = spawn_node_beside(&app).await;
    let now = app.core().clock.now();
    let (a, b) = tokio::join!(
        app.core().send_due_reminders(now),
        node2.core().send_due_reminders(now)
    );
    a.unwrap();
    b.unwrap();
    app.core().send_due_reminders(now).await.unwrap();
    assert_eq!(unread(&app, officer.id).await, 1);
    assert_eq!(unread(&app, unit_admin.id).await, 1);
    assert_eq!(
        unread(&app, writer.id).await,
        0,
        "contributors are not officers"
    );
    assert_eq!(
        unread(&app, other.id).await,
        0,
        "a met target sends nothing"
    );
    let titles = inbox_titles(&app, "remkm").await;
    assert!(
        titles[0].contains("อีก 14 วัน") && titles[0].contains("ยังขาดอีก 3 เรื่อง"),
        "{titles:?}"
    );

    // Eleven days on: 3 days left, the second reminder, once.
    app.move_clock(11 * 86_400);
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let later = app.core().clock.now();
    app.core().send_due_reminders(later).await.unwrap();
    node2.core().send_due_reminders(later).await.unwrap();
    assert_eq!(unread(&app, officer.id).await, 2);
    let titles = inbox_titles(&app, "remkm").await;
    assert!(titles[0].contains("อีก 3 วัน"), "newest first: {titles:?}");

    // The bell shows the count; opening a notice marks it read and goes to the targets.
    let client = app.sign_in("remkm", PASSWORD).await;
    let html = body(client.get(app.url("/")).send().await.unwrap()).await;
    assert!(html.contains("class=\"bell\""), "the bell");
    assert!(html.contains("การแจ้งเตือนที่ยังไม่อ่าน 2 รายการ"));
    let html = body(client.get(app.url("/notifications")).send().await.unwrap()).await;
    assert_eq!(html.matches("<li class=\"unread\">").count(), 2);
    assert!(html.contains("อ่านแล้วทั้งหมด"));
    let user = user_named(&app, "remkm").await;
    let actor = app.core().actor_for(&user).await.unwrap();
    let first = app.core().inbox(&actor, 1).await.unwrap().items[0].id;
    let res = client
        .get(app.url(&format!("/notifications/{first}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), format!("/targets?unit={d01}&year={year}"));
    assert_eq!(unread(&app, officer.id).await, 1);
    // Someone else's notice is not found.
    let stranger = member(&app, "remstranger", "CDD-P-11", "viewer").await;
    let res = stranger
        .get(app.url(&format!("/notifications/{first}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(
        app.core()
            .open_notice(&actor, NoticeId(first.0 + 1000))
            .await
            .is_err()
    );
    // Read all: the bell goes.
    let res = post_form(
        &app,
        &client,
        "/notifications",
        "/notifications/read-all",
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(unread(&app, officer.id).await, 0);
    let html = body(client.get(app.url("/")).send().await.unwrap()).await;
    assert!(!html.contains("class=\"bell\""));
    // Without the CSRF token nothing happens.
    let res = client
        .post(app.url("/notifications/read-all"))
        .form(&[("csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
}

#[tokio::test]
async fn notifications_tell_the_creator_how_their_item_was_screened() {
    let app = spawn_app().await;
    let d01 = app.unit_id("CDD-P-24-D01").await;
    let author = ApiCaller::user(&app, "scrauth", &[("contributor", "CDD-P-24-D01")]).await;
    let reviewer = ApiCaller::user(&app, "scrrev", &[("reviewer", "CDD-P-24")]).await;
    let user = user_named(&app, "scrauth").await;

    let id = author.draft(d01, json!({})).await;
    author
        .post(&format!("/api/v1/items/{id}/submit"), json!({}))
        .await;
    assert_eq!(
        unread(&app, user.id).await,
        0,
        "submitting tells the author nothing"
    );
    let res = reviewer
        .post(
            &format!("/api/v1/items/{id}/review"),
            json!({"decision": "request_changes", "comment": "เพิ่มบทคัดย่อ"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let titles = inbox_titles(&app, "scrauth").await;
    assert!(
        titles[0].contains("ถูกส่งกลับให้แก้ไข") && titles[0].contains("เพิ่มบทคัดย่อ"),
        "{titles:?}"
    );
    author
        .post(&format!("/api/v1/items/{id}/submit"), json!({}))
        .await;
    reviewer
        .post(
            &format!("/api/v1/items/{id}/review"),
            json!({"decision": "approve"}),
        )
        .await;
    let titles = inbox_titles(&app, "scrauth").await;
    assert!(titles[0].contains("ผ่านการพิจารณาและเผยแพร่แล้ว"), "{titles:?}");

    let id2 = author.draft(d01, json!({})).await;
    author
        .post(&format!("/api/v1/items/{id2}/submit"), json!({}))
        .await;
    reviewer
        .post(
            &format!("/api/v1/items/{id2}/review"),
            json!({"decision": "reject", "comment": "ซ้ำกับเรื่องเดิม"}),
        )
        .await;
    let titles = inbox_titles(&app, "scrauth").await;
    assert!(titles[0].contains("ไม่ผ่านการพิจารณา"));
    assert_eq!(unread(&app, user.id).await, 3);
    let reviewer_user = user_named(&app, "scrrev").await;
    assert_eq!(unread(&app, reviewer_user.id).await, 0);
    // The notice leads to the item.
    let client = app.sign_in("scrauth", PASSWORD).await;
    let actor = app.core().actor_for(&user).await.unwrap();
    let newest = app.core().inbox(&actor, 1).await.unwrap().items[0].id;
    let res = client
        .get(app.url(&format!("/notifications/{newest}")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), format!("/items/{id2}"));
}

#[tokio::test]
async fn notifications_inbox_pages_by_thirty_newest_first() {
    let app = spawn_app().await;
    let user = app.user_with_role("pager", "CDD-P-24", "viewer").await;
    let notices: Vec<NewNotice> = (1..=35)
        .map(|i| NewNotice {
            user: user.id,
            kind: "test".into(),
            title: format!("แจ้งเตือนที่ {i:02}"),
            link: "/".into(),
            once_key: Some(format!("k{i}")),
        })
        .collect();
    app.core().notify(notices.clone()).await.unwrap();
    app.core().notify(notices).await.unwrap();
    assert_eq!(
        unread(&app, user.id).await,
        35,
        "once keys keep duplicates out"
    );
    let client = app.sign_in("pager", PASSWORD).await;
    let html = body(client.get(app.url("/notifications")).send().await.unwrap()).await;
    assert_eq!(html.matches("<li class=\"unread\">").count(), 30);
    assert!(html.find("แจ้งเตือนที่ 35").unwrap() < html.find("แจ้งเตือนที่ 34").unwrap());
    assert!(!html.contains("แจ้งเตือนที่ 05"));
    assert!(html.contains("href=\"/notifications?page=2\""));
    let html = body(
        client
            .get(app.url("/notifications?page=2"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(html.matches("<li class=\"unread\">").count(), 5);
    assert!(html.contains("แจ้งเตือนที่ 01"));
    // Empty inbox says what will come.
    let nobody = member(&app, "nobodyyet", "CDD-P-24", "viewer").await;
    let html = body(nobody.get(app.url("/notifications")).send().await.unwrap()).await;
    assert!(html.contains("ยังไม่มีการแจ้งเตือน"));
}

fn community_notice(user: UserId, title: &str) -> NewNotice {
    NewNotice {
        user,
        kind: "community_reply".into(),
        title: title.into(),
        link: "/communities/threads/1".into(),
        once_key: None,
    }
}

#[tokio::test]
async fn notifications_digest_preference_is_saved_and_bad_input_refused() {
    let app = spawn_app().await;
    let client = member(&app, "digpref", "CDD-P-24-D01", "contributor").await;
    let page = body(client.get(app.url("/notifications")).send().await.unwrap()).await;
    assert!(page.contains("สรุปวันละครั้ง"), "{page}");
    assert!(page.contains("value=\"immediate\" checked"), "{page}");
    // Not one of the two choices: refused next to the field, nothing saved.
    let res = post_form(
        &app,
        &client,
        "/notifications",
        "/notifications/preferences",
        &[("community", "weekly")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let page = body(res).await;
    assert!(page.contains("กรุณาเลือก แจ้งทันที หรือ สรุปวันละครั้ง"), "{page}");
    assert!(page.contains("value=\"immediate\" checked"), "{page}");
    // Without the form's token: refused.
    let res = client
        .post(app.url("/notifications/preferences"))
        .form(&[("community", "digest")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    let user = user_named(&app, "digpref").await;
    let actor = app.core().actor_for(&user).await.unwrap();
    assert_eq!(
        app.core().community_delivery(&actor).await.unwrap(),
        khlang_core::notifications::CommunityDelivery::Immediate
    );
    let res = post_form(
        &app,
        &client,
        "/notifications",
        "/notifications/preferences",
        &[("community", "digest")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/notifications?done=saved");
    let page = body(
        client
            .get(app.url("/notifications?done=saved"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("value=\"digest\" checked"), "{page}");
    // Signed out: no preferences to save.
    let res = app
        .client()
        .post(app.url("/notifications/preferences"))
        .form(&[("community", "digest")])
        .send()
        .await
        .unwrap();
    assert_ne!(location(&res), "/notifications?done=saved");
    assert!(
        location(&res).contains("login") || location(&res).contains("sign"),
        "{}",
        location(&res)
    );
    app.stop().await;
}

#[tokio::test]
async fn notifications_digest_holds_community_notices_and_sums_them_up_once_a_day() {
    let app = spawn_app().await;
    let now_client = member(&app, "dignow", "CDD-P-24-D01", "contributor").await;
    let daily_client = member(&app, "digdaily", "CDD-P-24-D01", "contributor").await;
    let res = post_form(
        &app,
        &daily_client,
        "/notifications",
        "/notifications/preferences",
        &[("community", "digest")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (now_user, daily) = (
        user_named(&app, "dignow").await.id,
        user_named(&app, "digdaily").await.id,
    );
    app.core()
        .notify(vec![
            community_notice(now_user, "มีคนตอบกระทู้ของคุณ"),
            community_notice(daily, "มีคนตอบกระทู้ของคุณ"),
            community_notice(daily, "มีคนกล่าวถึงคุณ"),
            NewNotice {
                user: daily,
                kind: "plan_approved".into(),
                title: "แผนได้รับอนุมัติ".into(),
                link: "/plans".into(),
                once_key: None,
            },
        ])
        .await
        .unwrap();
    // Immediate: in the inbox at once. Digest: only the non-community notice counts.
    assert_eq!(unread(&app, now_user).await, 1);
    assert_eq!(unread(&app, daily).await, 1);
    assert_eq!(inbox_titles(&app, "digdaily").await, ["แผนได้รับอนุมัติ"]);
    // 06:30 in Bangkok: no digest yet.
    let day = time::macros::datetime!(2026-12-04 23:30 UTC);
    assert_eq!(app.core().send_digests(day).await.unwrap(), 0);
    // 07:10 on the 5th: two processes at once and again later make one digest.
    let at = time::macros::datetime!(2026-12-05 00:10 UTC);
    let node2 = spawn_node_beside(&app).await;
    let (a, b) = tokio::join!(app.core().send_digests(at), node2.core().send_digests(at));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(app.core().send_digests(at).await.unwrap(), 0);
    assert_eq!(node2.core().send_digests(at).await.unwrap(), 0);
    node2.stop().await;
    assert_eq!(unread(&app, daily).await, 2);
    let titles = inbox_titles(&app, "digdaily").await;
    assert_eq!(
        titles
            .iter()
            .filter(|t| t.starts_with("สรุปความเคลื่อนไหวในชุมชนวันนี้"))
            .count(),
        1,
        "{titles:?}"
    );
    assert!(titles.contains(&"สรุปความเคลื่อนไหวในชุมชนวันนี้: 2 รายการ".to_string()));
    // Nobody in immediate mode gets one.
    assert_eq!(inbox_titles(&app, "dignow").await, ["มีคนตอบกระทู้ของคุณ"]);
    // The digest page lists the two held notices, for their person only.
    let page = body(
        daily_client
            .get(app.url("/notifications/digest/2026-12-05"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("มีคนกล่าวถึงคุณ") && page.contains("มีคนตอบกระทู้ของคุณ"),
        "{page}"
    );
    assert!(page.contains("2 รายการ"), "{page}");
    let other = body(
        now_client
            .get(app.url("/notifications/digest/2026-12-05"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!other.contains("มีคนกล่าวถึงคุณ"), "{other}");
    let res = daily_client
        .get(app.url("/notifications/digest/2026-13-45"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // A notice held after today's digest waits for tomorrow's.
    app.core()
        .notify(vec![community_notice(daily, "คำตอบของคุณได้รับการยอมรับ")])
        .await
        .unwrap();
    let later = time::macros::datetime!(2026-12-05 09:00 UTC);
    assert_eq!(app.core().send_digests(later).await.unwrap(), 0);
    let tomorrow = time::macros::datetime!(2026-12-06 02:00 UTC);
    assert_eq!(app.core().send_digests(tomorrow).await.unwrap(), 1);
    let titles = inbox_titles(&app, "digdaily").await;
    assert!(titles.contains(&"สรุปความเคลื่อนไหวในชุมชนวันนี้: 1 รายการ".to_string()));
    app.stop().await;
}
