//! HTTP tests of events (issue 13): who may create and edit; audiences; seats, the waitlist
//! and promotion with a notice; concurrent registrations never over-fill; guests in the
//! person register (phone for register officers only, audited); check-in by ticket, by the
//! event's QR and by hand; certificates for attendees only, once; booths; bad input changes
//! nothing.

use super::{body, location, member, post_form};
use khlang_core::events::model::local_input;
use khlang_core::ids::{EventId, ItemId, UserId};
use khlang_core::item::{ItemInput, Transition};
use khlang_core::org::Actor;
use khlang_testkit::reqwest::Client;
use khlang_testkit::{TestApp, spawn_app};
use time::{Duration, OffsetDateTime};

const UNIT: &str = "DHSS-PHC-NE";
const SIBLING: &str = "DHSS-PHC-N";

fn at(days: i64, hours: i64) -> String {
    local_input(OffsetDateTime::now_utc() + Duration::days(days) + Duration::hours(hours))
}

/// Creates an event through the form as `officer`; returns its id.
async fn create(app: &TestApp, officer: &Client, extra: &[(&str, &str)]) -> i64 {
    let unit = app.unit_id(UNIT).await.to_string();
    let (s, e) = (at(2, 0), at(2, 6));
    let mut f: Vec<(&str, &str)> = vec![
        ("title", "KM สัญจร ตำบลบ้านใหม่"),
        ("kind", "field_visit"),
        ("unit", &unit),
        ("place", "รพ.สต.บ้านใหม่"),
        ("starts", &s),
        ("ends", &e),
        ("capacity", "2"),
        ("waitlist", "on"),
        ("audience", "public"),
        ("agenda", "09:00 | เปิดงาน | นายอำเภอ"),
    ];
    for (k, v) in extra {
        f.retain(|(x, _)| x != k);
        f.push((k, v));
    }
    let res = post_form(app, officer, "/events/new", "/events/new", &f).await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let loc = location(&res);
    loc.trim_start_matches("/events/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Registers the signed-in client; returns (status code, the secret from the redirect).
async fn register(app: &TestApp, c: &Client, id: i64) -> (u16, String) {
    let page = format!("/events/{id}");
    let res = post_form(app, c, &page, &format!("/events/{id}/register"), &[]).await;
    let code = res.status().as_u16();
    let secret = location(&res)
        .trim_start_matches("/events/my/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    (code, secret)
}

async fn actor(app: &TestApp, name: &str) -> Actor {
    let u = khlang_core::account::Username::parse(name).unwrap();
    let user = app
        .core()
        .store
        .user_by_username(&u)
        .await
        .unwrap()
        .unwrap()
        .0;
    app.core().actor_for(&user).await.unwrap()
}

async fn ticket(app: &TestApp, secret: &str) -> String {
    app.core()
        .registration_by_secret(secret)
        .await
        .unwrap()
        .1
        .ticket
}

async fn count_events(app: &TestApp) -> u64 {
    let admin = Actor::User(khlang_core::org::SignedIn {
        user_id: UserId(1),
        site_admin: true,
        grants: vec![],
    });
    app.core()
        .list_events(&admin, None, None, 1)
        .await
        .unwrap()
        .total
}

#[tokio::test]
async fn only_the_organising_units_officers_create_and_edit_and_bad_input_changes_nothing() {
    let app = spawn_app().await;
    let officer = member(&app, "ev.officer", UNIT, "km_officer").await;
    let viewer = member(&app, "ev.viewer", UNIT, "viewer").await;
    let contributor = member(&app, "ev.contrib", UNIT, "contributor").await;
    let reviewer = member(&app, "ev.reviewer", UNIT, "reviewer").await;
    let sibling = member(&app, "ev.sibling", SIBLING, "km_officer").await;
    let unit = app.unit_id(UNIT).await.to_string();

    for c in [&viewer, &contributor, &reviewer] {
        let res = c.get(app.url("/events/new")).send().await.unwrap();
        assert_eq!(res.status(), 403);
    }
    // Anonymous visitors are sent to sign in.
    let res = app
        .client()
        .get(app.url("/events/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    // Bad input: a Thai message at each field, what was typed kept, nothing saved.
    let res = post_form(
        &app,
        &officer,
        "/events/new",
        "/events/new",
        &[
            ("title", ""),
            ("kind", "field_visit"),
            ("unit", &unit),
            ("place", "ลานวัด"),
            ("online_url", "http://meet.example/x"),
            ("starts", "2569-12-10T09:00"),
            ("ends", "2569-12-10T08:00"),
            ("capacity", "สอง"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    for m in [
        "กรุณาใส่ชื่อกิจกรรม",
        "https://",
        "ต้องอยู่หลังวันเวลาเริ่ม",
        "จำนวนที่นั่ง",
        "ลานวัด",
    ] {
        assert!(html.contains(m), "{m}");
    }
    assert_eq!(count_events(&app).await, 0);

    // Another unit's officer cannot organise in the name of this unit.
    let s = at(2, 0);
    let e = at(2, 3);
    let res = post_form(
        &app,
        &sibling,
        "/events/new",
        "/events/new",
        &[
            ("title", "x"),
            ("kind", "co_learning"),
            ("unit", &unit),
            ("place", "x"),
            ("starts", &s),
            ("ends", &e),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert_eq!(count_events(&app).await, 0);

    let id = create(&app, &officer, &[]).await;
    let page = body(
        app.client()
            .get(app.url(&format!("/events/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.contains("KM สัญจร ตำบลบ้านใหม่") && page.contains("เปิดงาน"));
    assert!(page.contains(" น."), "Bangkok time with น.");

    // Edit: the officer yes; the sibling and the viewer no.
    let edit = format!("/events/{id}/edit");
    for c in [&sibling, &viewer] {
        assert_eq!(c.get(app.url(&edit)).send().await.unwrap().status(), 403);
    }
    let ev = app
        .core()
        .event_view(&Actor::Anonymous, EventId(id))
        .await
        .unwrap()
        .event;
    let mut draft = khlang_core::events::model::EventDraft::of(&ev.fields);
    draft.title = "KM สัญจร ตำบลบ้านเก่า".into();
    let fields: Vec<(&str, &str)> = vec![
        ("title", &draft.title),
        ("kind", &draft.kind),
        ("unit", &draft.unit),
        ("place", &draft.place),
        ("starts", &draft.starts),
        ("ends", &draft.ends),
        ("capacity", &draft.capacity),
        ("waitlist", &draft.waitlist),
        ("audience", &draft.audience),
        ("agenda", &draft.agenda),
    ];
    let res = post_form(&app, &sibling, "/events", &edit, &fields).await;
    assert_eq!(res.status(), 403);
    let res = post_form(&app, &officer, &edit, &edit, &fields).await;
    assert_eq!(res.status(), 303);
    let ev = app
        .core()
        .event_view(&Actor::Anonymous, EventId(id))
        .await
        .unwrap()
        .event;
    assert_eq!(ev.fields.title, "KM สัญจร ตำบลบ้านเก่า");
    assert_eq!(ev.fields.capacity, Some(2));
    app.stop().await;
}

#[tokio::test]
async fn a_freed_seat_goes_to_the_first_waiting_who_gets_a_notice() {
    let app = spawn_app().await;
    let officer = member(&app, "wl.officer", UNIT, "km_officer").await;
    let a = member(&app, "wl.a", UNIT, "viewer").await;
    let b = member(&app, "wl.b", SIBLING, "viewer").await;
    let c = member(&app, "wl.c", UNIT, "contributor").await;
    let id = create(&app, &officer, &[]).await;

    let (s, sa) = register(&app, &a, id).await;
    assert_eq!(s, 303);
    assert_eq!(register(&app, &b, id).await.0, 303);
    let (s, sc) = register(&app, &c, id).await;
    assert_eq!(s, 303);
    let mine = body(
        c.get(app.url(&format!("/events/my/{sc}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(mine.contains("อยู่ในรายชื่อรอ"));
    assert!(!mine.contains("<svg"), "no ticket while waiting");

    // Twice: a clear message, nothing changed.
    let res = post_form(
        &app,
        &a,
        &format!("/events/{id}"),
        &format!("/events/{id}/register"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ลงทะเบียนกิจกรรมนี้แล้ว"));
    let view = app
        .core()
        .event_view(&Actor::Anonymous, EventId(id))
        .await
        .unwrap();
    assert_eq!((view.confirmed, view.waiting), (2, 1));

    // A cancels by her link; C moves up and is told.
    let res = post_form(
        &app,
        &a,
        &format!("/events/my/{sa}"),
        &format!("/events/my/{sa}/cancel"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    let mine = body(
        c.get(app.url(&format!("/events/my/{sc}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(mine.contains("ได้ที่นั่งแล้ว") && mine.contains("<svg"), "{mine}");
    let inbox = app
        .core()
        .inbox(&actor(&app, "wl.c").await, 1)
        .await
        .unwrap();
    assert!(
        inbox
            .items
            .iter()
            .any(|n| n.title.contains("เลื่อนจากรายชื่อรอ"))
    );
    // Cancelling again changes nothing.
    let res = post_form(
        &app,
        &a,
        &format!("/events/my/{sa}"),
        &format!("/events/my/{sa}/cancel"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 409);

    // Full with no waitlist: refused.
    let id2 = create(&app, &officer, &[("capacity", "1"), ("waitlist", "")]).await;
    assert_eq!(register(&app, &a, id2).await.0, 303);
    let res = post_form(
        &app,
        &b,
        &format!("/events/{id2}"),
        &format!("/events/{id2}/register"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ที่นั่งเต็มแล้ว"));
    app.stop().await;
}

async fn seats(app: &TestApp, id: i64) -> khlang_core::events::service::EventView {
    app.core()
        .event_view(&Actor::Anonymous, EventId(id))
        .await
        .unwrap()
}

/// The edit form's fields for the event as stored, with `capacity` changed.
fn edit_fields(ev: &khlang_core::events::model::Event, capacity: &str) -> Vec<(String, String)> {
    let d = khlang_core::events::model::EventDraft::of(&ev.fields);
    [
        ("title", d.title),
        ("kind", d.kind),
        ("unit", d.unit),
        ("place", d.place),
        ("starts", d.starts),
        ("ends", d.ends),
        ("capacity", capacity.to_string()),
        ("waitlist", d.waitlist),
        ("audience", d.audience),
        ("agenda", d.agenda),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

#[tokio::test]
async fn raising_the_capacity_promotes_the_waiting_in_order_who_get_a_notice() {
    let app = spawn_app().await;
    let officer = member(&app, "cap.officer", UNIT, "km_officer").await;
    let a = member(&app, "cap.a", UNIT, "viewer").await;
    let b = member(&app, "cap.b", UNIT, "viewer").await;
    let c = member(&app, "cap.c", UNIT, "viewer").await;
    let d = member(&app, "cap.d", UNIT, "viewer").await;
    let id = create(&app, &officer, &[("capacity", "1")]).await;
    let mut secrets = Vec::new();
    for who in [&a, &b, &c, &d] {
        let (s, secret) = register(&app, who, id).await;
        assert_eq!(s, 303);
        secrets.push(secret);
    }
    let v = seats(&app, id).await;
    assert_eq!((v.confirmed, v.waiting), (1, 3));

    // Bad input on the edit: nothing changes, nobody moves.
    let edit = format!("/events/{id}/edit");
    let bad = edit_fields(&v.event, "สาม");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = post_form(&app, &officer, &edit, &edit, &bad).await;
    assert_eq!(res.status(), 422);
    let after = seats(&app, id).await;
    assert_eq!((after.confirmed, after.waiting), (1, 3));

    // 1 → 3: the first two waiting (b, c) move up, d still waits.
    let up = edit_fields(&v.event, "3");
    let up: Vec<(&str, &str)> = up.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = post_form(&app, &officer, &edit, &edit, &up).await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let v = seats(&app, id).await;
    assert_eq!((v.confirmed, v.waiting), (3, 1));
    use khlang_core::events::model::RegStatus;
    for (secret, want) in secrets[1..].iter().zip([
        RegStatus::Confirmed,
        RegStatus::Confirmed,
        RegStatus::Waitlisted,
    ]) {
        let r = app.core().registration_by_secret(secret).await.unwrap().1;
        assert_eq!(r.status, want);
    }
    for (name, told) in [("cap.b", true), ("cap.c", true), ("cap.d", false)] {
        let inbox = app.core().inbox(&actor(&app, name).await, 1).await.unwrap();
        let has = inbox
            .items
            .iter()
            .any(|n| n.title.contains("เลื่อนจากรายชื่อรอ"));
        assert_eq!(has, told, "{name}");
    }

    // No limit: everyone waiting moves up.
    let all = edit_fields(&v.event, "");
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = post_form(&app, &officer, &edit, &edit, &all).await;
    assert_eq!(res.status(), 303);
    let v = seats(&app, id).await;
    assert_eq!((v.confirmed, v.waiting), (4, 0));
    app.stop().await;
}

#[tokio::test]
async fn concurrent_registrations_never_exceed_capacity() {
    let app = spawn_app().await;
    let officer = member(&app, "cc.officer", UNIT, "km_officer").await;
    let id = create(&app, &officer, &[("capacity", "3"), ("waitlist", "")]).await;
    let mut clients = Vec::new();
    for n in 0..10 {
        clients.push(member(&app, &format!("cc.user{n}"), UNIT, "viewer").await);
    }
    let mut csrfs = Vec::new();
    for c in &clients {
        csrfs.push(app.csrf(c, &format!("/events/{id}")).await);
    }
    let url = app.url(&format!("/events/{id}/register"));
    let sends = clients
        .iter()
        .zip(&csrfs)
        .map(|(c, t)| c.post(&url).form(&[("csrf", t.as_str())]).send());
    let codes: Vec<u16> = futures::future::join_all(sends)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == 303).count(), 3, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == 409).count(), 7, "{codes:?}");
    let view = app
        .core()
        .event_view(&Actor::Anonymous, EventId(id))
        .await
        .unwrap();
    assert_eq!(view.confirmed, 3);
    app.stop().await;
}

#[tokio::test]
async fn audiences_and_the_window_decide_who_registers() {
    let app = spawn_app().await;
    let officer = member(&app, "au.officer", UNIT, "km_officer").await;
    let inside = member(&app, "au.inside", UNIT, "viewer").await;
    let outside = member(&app, "au.outside", SIBLING, "viewer").await;
    let unit = app.unit_id(UNIT).await.to_string();
    let id = create(
        &app,
        &officer,
        &[("audience", "unit"), ("audience_unit", &unit)],
    )
    .await;
    // Outside the subtree: the event does not exist for them; anonymous: sign in first.
    assert_eq!(
        outside
            .get(app.url(&format!("/events/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Registering anyway is refused (the event stays unknown to them) and changes nothing.
    let res = post_form(
        &app,
        &outside,
        "/events",
        &format!("/events/{id}/register"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 404);
    let outsider = actor(&app, "au.outside").await;
    let refused = app
        .core()
        .register_for_event(&outsider, EventId(id))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("เฉพาะกลุ่มเป้าหมาย"), "{refused}");
    let organiser = actor(&app, "au.officer").await;
    assert_eq!(
        app.core()
            .event_view(&organiser, EventId(id))
            .await
            .unwrap()
            .confirmed,
        0
    );
    let res = app
        .client()
        .get(app.url(&format!("/events/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), format!("/login?next=/events/{id}"));
    let list = body(outside.get(app.url("/events")).send().await.unwrap()).await;
    assert!(!list.contains("บ้านใหม่"));
    assert_eq!(register(&app, &inside, id).await.0, 303);

    // Signed-in audience: guests are asked to sign in, cannot register as guests.
    let id2 = create(&app, &officer, &[("audience", "signed_in")]).await;
    let guest = app.client();
    let res = guest
        .get(app.url(&format!("/events/{id2}")))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), format!("/login?next=/events/{id2}"));
    let res = post_form(
        &app,
        &guest,
        "/login",
        &format!("/events/{id2}/register"),
        &[
            ("guest.name", "นายก"),
            ("guest.affiliation", "อบต."),
            ("guest.phone", "0812345678"),
        ],
    )
    .await;
    assert_eq!(res.status(), 401);

    // Not yet open; closed.
    let opens = at(1, 0);
    let id3 = create(&app, &officer, &[("opens", &opens)]).await;
    let res = post_form(
        &app,
        &inside,
        &format!("/events/{id3}"),
        &format!("/events/{id3}/register"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ยังไม่เปิดรับลงทะเบียน"));
    app.move_clock(2 * 86_400 + 3600);
    let res = post_form(
        &app,
        &inside,
        &format!("/events/{id3}"),
        &format!("/events/{id3}/register"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ปิดรับลงทะเบียนแล้ว"));
    let view = app
        .core()
        .event_view(&Actor::Anonymous, EventId(id3))
        .await
        .unwrap();
    assert_eq!(view.confirmed, 0);
    app.stop().await;
}

#[tokio::test]
async fn a_guest_registers_into_the_person_register_and_only_officers_see_the_phone() {
    let app = spawn_app().await;
    let officer = member(&app, "gu.officer", UNIT, "km_officer").await;
    let other = member(&app, "gu.other", UNIT, "viewer").await;
    let id = create(&app, &officer, &[]).await;
    let guest = app.client();
    let page = format!("/events/{id}");
    let action = format!("/events/{id}/register");

    // Missing phone: refused at the field, what was typed kept, nobody recorded.
    let res = post_form(
        &app,
        &guest,
        &page,
        &action,
        &[
            ("guest.name", "นางสมศรี ใจดี"),
            ("guest.affiliation", "อสม. บ้านใหม่"),
            ("guest.phone", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("กรุณาใส่เบอร์โทรศัพท์") && html.contains("นางสมศรี ใจดี"));
    assert_eq!(
        app.core()
            .event_view(&Actor::Anonymous, EventId(id))
            .await
            .unwrap()
            .confirmed,
        0
    );

    let res = post_form(
        &app,
        &guest,
        &page,
        &action,
        &[
            ("guest.name", "นางสมศรี ใจดี"),
            ("guest.affiliation", "อสม. บ้านใหม่"),
            ("guest.phone", "081-234-5678"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let secret = location(&res)
        .trim_start_matches("/events/my/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let mine = body(
        guest
            .get(app.url(&format!("/events/my/{secret}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(mine.contains("นางสมศรี ใจดี") && mine.contains("ได้ที่นั่งแล้ว") && mine.contains("<svg"));

    // The same phone again (a lost link, a second tap): told so, no second seat, no second
    // record in the register.
    let res = post_form(
        &app,
        &app.client(),
        &page,
        &action,
        &[
            ("guest.name", "สมศรี ใจดี"),
            ("guest.affiliation", "อสม. บ้านใหม่"),
            ("guest.phone", "0812345678"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ลงทะเบียนกิจกรรมนี้ไว้แล้ว"));
    assert_eq!(
        app.core()
            .event_view(&Actor::Anonymous, EventId(id))
            .await
            .unwrap()
            .confirmed,
        1
    );
    let creates = app.core().store.recent_audit(200).await.unwrap();
    assert_eq!(
        creates
            .iter()
            .filter(|e| e.action == "person.create")
            .count(),
        1
    );

    // Never public: the event page, to anyone, shows neither name nor phone.
    for c in [&app.client(), &other, &officer] {
        let html = body(c.get(app.url(&page)).send().await.unwrap()).await;
        assert!(!html.contains("สมศรี") && !html.contains("5678"));
    }
    // The organisers' list: the name; the phone only when asked, and the look is audited.
    let list = body(
        officer
            .get(app.url(&format!("/events/{id}/manage")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(list.contains("นางสมศรี ใจดี") && !list.contains("5678"));
    let list = body(
        officer
            .get(app.url(&format!("/events/{id}/manage?phones=1")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(list.contains("5678"), "{list}");
    let audit = app.core().store.recent_audit(200).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "person.create"));
    assert!(audit.iter().any(|e| e.action == "person.read"));
    // Not an organiser: no list at all.
    assert_eq!(
        other
            .get(app.url(&format!("/events/{id}/manage?phones=1")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    app.stop().await;
}

#[tokio::test]
async fn check_in_three_ways_then_certificates_for_attendees_only_once() {
    let app = spawn_app().await;
    let officer = member(&app, "ci.officer", UNIT, "km_officer").await;
    let a = member(&app, "ci.a", UNIT, "viewer").await;
    let b = member(&app, "ci.b", UNIT, "viewer").await;
    let c = member(&app, "ci.c", UNIT, "viewer").await;
    let d = member(&app, "ci.d", UNIT, "viewer").await;
    let id = create(&app, &officer, &[("capacity", "3")]).await;
    let (_, sa) = register(&app, &a, id).await;
    register(&app, &b, id).await;
    let (_, sc) = register(&app, &c, id).await;
    let (_, sd) = register(&app, &d, id).await; // waitlisted
    let (ta, td) = (ticket(&app, &sa).await, ticket(&app, &sd).await);

    // Certificates before the event starts: refused.
    let manage = format!("/events/{id}/manage");
    let res = post_form(
        &app,
        &officer,
        &manage,
        &format!("/events/{id}/certificates"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 409);

    // (a) The ticket: someone else sees nothing personal and cannot check in; the organiser can.
    let t = format!("/events/t/{ta}");
    let html = body(b.get(app.url(&t)).send().await.unwrap()).await;
    assert!(!html.contains("ci.a") && !html.contains("ยืนยันเข้าร่วม"));
    let res = post_form(&app, &b, &t, &t, &[]).await;
    assert_eq!(res.status(), 403);
    let html = body(officer.get(app.url(&t)).send().await.unwrap()).await;
    assert!(html.contains("ยืนยันเข้าร่วม"));
    let res = post_form(&app, &officer, &t, &t, &[]).await;
    assert_eq!(res.status(), 200);
    assert!(body(res).await.contains("บันทึกการเข้าร่วม"));
    let res = post_form(&app, &officer, &t, &t, &[]).await;
    assert_eq!(res.status(), 409, "twice");
    // The waitlisted cannot be checked in.
    let t = format!("/events/t/{td}");
    let res = post_form(&app, &officer, &t, &t, &[]).await;
    assert_eq!(res.status(), 409);

    // (b) The event's QR: only on the event day, only for registrants.
    let ev = app
        .core()
        .event_view(&Actor::Anonymous, EventId(id))
        .await
        .unwrap()
        .event;
    let self_url = format!("/events/checkin/{}", ev.checkin_secret);
    let res = post_form(&app, &b, &self_url, &self_url, &[]).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("เฉพาะวันที่จัดกิจกรรม"));
    app.move_clock(2 * 86_400 + 3600);
    let res = post_form(&app, &b, &self_url, &self_url, &[]).await;
    assert_eq!(res.status(), 200);
    let res = post_form(&app, &d, &self_url, &self_url, &[]).await;
    assert_eq!(res.status(), 409, "waitlisted");
    let stranger = member(&app, "ci.stranger", UNIT, "viewer").await;
    let res = post_form(&app, &stranger, &self_url, &self_url, &[]).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ไม่ได้ลงทะเบียน"));

    // (c) By hand, from the list: C.
    let rc = app.core().registration_by_secret(&sc).await.unwrap().1.id;
    let res = post_form(
        &app,
        &a,
        "/events",
        &format!("/events/{id}/registrations/{rc}/checkin"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post_form(
        &app,
        &officer,
        &manage,
        &format!("/events/{id}/registrations/{rc}/checkin"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    let print = body(
        officer
            .get(app.url(&format!("/events/{id}/print")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(print.contains("ใบลงชื่อเข้าร่วม") && print.contains("ci.a"));

    // Certificates: the three attendees, not the waitlisted; twice issues nothing new.
    let res = post_form(
        &app,
        &officer,
        &manage,
        &format!("/events/{id}/certificates"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(body(res).await.contains("ออกเกียรติบัตรแล้ว 3 ใบ"));
    let res = post_form(
        &app,
        &officer,
        &manage,
        &format!("/events/{id}/certificates"),
        &[],
    )
    .await;
    assert!(body(res).await.contains("ไม่มีผู้เข้าร่วมรายใหม่"));
    let certs = app
        .core()
        .certificates_of_source(&format!("event:{id}"))
        .await
        .unwrap();
    assert_eq!(certs.len(), 3);
    let code = app
        .core()
        .registration_by_secret(&sa)
        .await
        .unwrap()
        .1
        .certificate_code
        .unwrap();
    let mine = body(
        a.get(app.url(&format!("/events/my/{sa}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(mine.contains(&code));
    let verify = body(
        app.client()
            .get(app.url(&format!("/c/{code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(verify.contains("ถูกต้อง"), "{verify}");
    assert!(
        app.core()
            .registration_by_secret(&sd)
            .await
            .unwrap()
            .1
            .certificate_code
            .is_none()
    );
    app.stop().await;
}

#[tokio::test]
async fn a_km_market_shows_its_booths_with_published_items_only() {
    let app = spawn_app().await;
    let officer = member(&app, "bo.officer", UNIT, "km_officer").await;
    member(&app, "bo.reviewer", UNIT, "reviewer").await;
    let (author, reviewer) = (
        actor(&app, "bo.officer").await,
        actor(&app, "bo.reviewer").await,
    );
    let unit = app.unit_id(UNIT).await.to_string();
    let mut items: Vec<ItemId> = Vec::new();
    for title in ["ตลาดนัดสมุนไพรชุมชน", "ร่างที่ยังไม่เผยแพร่"]
    {
        let it = app
            .core()
            .create_item(
                &author,
                &ItemInput {
                    title: title.into(),
                    unit_id: unit.clone(),
                    visibility: "public".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .id;
        items.push(it);
    }
    app.core()
        .transition(&author, items[0], Transition::Submit, "")
        .await
        .unwrap();
    app.core()
        .transition(&reviewer, items[0], Transition::Approve, "")
        .await
        .unwrap();
    let id = create(
        &app,
        &officer,
        &[("kind", "km_market"), ("title", "ตลาดนัดความรู้ 2569")],
    )
    .await;
    let manage = format!("/events/{id}/manage");
    let list = format!("{}, {}", items[0], items[1]);
    // Bad input: nothing added.
    let res = post_form(
        &app,
        &officer,
        &manage,
        &format!("/events/{id}/booths"),
        &[("name", ""), ("unit", &unit), ("items", "abc")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_form(
        &app,
        &officer,
        &manage,
        &format!("/events/{id}/booths"),
        &[
            ("name", "บูธสมุนไพร"),
            ("unit", &unit),
            ("description", "สมุนไพรไล่ยุง"),
            ("items", &list),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = body(
        app.client()
            .get(app.url(&format!("/events/{id}/booths")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("บูธสมุนไพร") && html.contains("ตลาดนัดสมุนไพรชุมชน"));
    assert!(!html.contains("ร่างที่ยังไม่เผยแพร่"));
    // Other kinds have no booths.
    let other = create(&app, &officer, &[]).await;
    assert_eq!(
        app.client()
            .get(app.url(&format!("/events/{other}/booths")))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    app.stop().await;
}
