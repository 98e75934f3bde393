//! Recognition (issue 13): praise (ชื่นชม) toggles, one per person per item; refused for
//! anonymous visitors, for items the user cannot read, and for a `back` that leaves the site.
//! Badges from the data (1 and 10 published items, 5 accepted answers), awarded once under
//! concurrent refreshes and kept after archiving; the public profile shows only what its
//! owner chose and nothing personal; bad profile input changes nothing.

use super::{body, location, member, post_form};
use khlang_core::ids::{ItemId, UserId};
use khlang_core::item::{ItemInput, Transition};
use khlang_core::org::Actor;
use khlang_core::recognition::{Badge, PraiseTarget};
use khlang_core::service::org::MemberInput;
use khlang_testkit::reqwest::Client;
use khlang_testkit::reqwest::multipart::Form;
use khlang_testkit::{TestApp, spawn_app};

const UNIT: &str = "CDD-P-24-D01";
const OTHER: &str = "DHSS-PHC-NE";

async fn actor(app: &TestApp, username: &str, role: &str, unit: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

async fn draft(app: &TestApp, by: &Actor, title: &str) -> ItemId {
    draft_seen_by(app, by, title, "public").await
}

async fn draft_seen_by(app: &TestApp, by: &Actor, title: &str, visibility: &str) -> ItemId {
    draft_in(app, by, title, visibility, UNIT).await
}

async fn draft_in(app: &TestApp, by: &Actor, title: &str, visibility: &str, unit: &str) -> ItemId {
    app.core()
        .create_item(
            by,
            &ItemInput {
                title: title.into(),
                summary: "สรุปย่อ".into(),
                knowledge_type: "tacit".into(),
                visibility: visibility.into(),
                unit_id: app.unit_id(unit).await.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

async fn count(app: &TestApp, id: ItemId) -> u64 {
    let t = PraiseTarget::Item(id);
    app.core()
        .praise_counts(&Actor::Anonymous, &[t])
        .await
        .unwrap()[&t]
        .count
}

async fn praise(
    app: &TestApp,
    client: &khlang_testkit::reqwest::Client,
    page: &str,
    target: &str,
    back: &str,
) -> khlang_testkit::reqwest::Response {
    post_form(
        app,
        client,
        page,
        "/praise",
        &[("target", target), ("back", back)],
    )
    .await
}

#[tokio::test]
async fn praise_toggles_once_per_person_and_is_refused_where_it_must_be() {
    let app = spawn_app().await;
    let officer = actor(&app, "officer", "km_officer", UNIT).await;
    let reviewer = actor(&app, "reviewer", "reviewer", "CDD-P-24").await;
    let published = draft(&app, &officer, "เรื่องที่เผยแพร่แล้ว").await;
    for (who, t) in [
        (&officer, Transition::Submit),
        (&reviewer, Transition::Approve),
    ] {
        app.core().transition(who, published, t, "").await.unwrap();
    }
    let hidden = draft(&app, &officer, "ร่างที่ยังไม่เผยแพร่").await;
    app.user_with_role("reader", OTHER, "contributor").await;
    let reader = app.sign_in("reader", khlang_testkit::PASSWORD).await;
    app.user_with_role("second", OTHER, "contributor").await;
    let second = app.sign_in("second", khlang_testkit::PASSWORD).await;
    let page = format!("/items/{published}");
    let back = format!("/items/{published}#praise");
    let target = format!("item:{published}");

    let html = body(reader.get(app.url(&page)).send().await.unwrap()).await;
    assert!(
        html.contains("ชื่นชม 0 คน") && html.contains("value=\"item:"),
        "{html}"
    );
    let res = praise(&app, &reader, &page, &target, &back).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), back);
    assert_eq!(count(&app, published).await, 1);
    let html = body(reader.get(app.url(&page)).send().await.unwrap()).await;
    assert!(
        html.contains("ชื่นชม 1 คน") && html.contains("เลิกชื่นชม"),
        "{html}"
    );
    praise(&app, &second, &page, &target, &back).await;
    assert_eq!(count(&app, published).await, 2);
    // Again: taken back, never two from one person.
    praise(&app, &reader, &page, &target, &back).await;
    assert_eq!(count(&app, published).await, 1);
    let html = body(reader.get(app.url(&page)).send().await.unwrap()).await;
    assert!(html.contains("ชื่นชม 1 คน") && !html.contains("เลิกชื่นชม"));

    // Anonymous: sent to sign in, nothing counted; the count shows, the button does not.
    let anon = app.client();
    let public = body(anon.get(app.url(&page)).send().await.unwrap()).await;
    assert!(public.contains("ชื่นชม 1 คน") && !public.contains("action=\"/praise\""));
    // (Anonymous pages carry no form, so this post has the visitor's cookie and no token.)
    let res = anon
        .post(app.url("/praise"))
        .form(&[("target", target.as_str()), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200);
    assert!(location(&res).starts_with("/login") || res.status().is_client_error());
    assert_eq!(count(&app, published).await, 1);

    // An item the reader may not read: the same 404 as a missing one, nothing counted.
    for t in [format!("item:{hidden}"), "item:99999".into(), "junk".into()] {
        let res = post_form(
            &app,
            &reader,
            &page,
            "/praise",
            &[("target", &t), ("back", &back)],
        )
        .await;
        assert_eq!(res.status(), 404, "{t}");
    }
    assert_eq!(count(&app, hidden).await, 0);

    // `back` must stay on this site.
    for bad in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
        let res = post_form(
            &app,
            &second,
            &page,
            "/praise",
            &[("target", &target), ("back", bad)],
        )
        .await;
        assert_eq!(res.status(), 400, "{bad}");
        assert!(location(&res).is_empty());
    }
    assert_eq!(count(&app, published).await, 1);

    // Without the CSRF token: refused.
    let res = second
        .post(app.url("/praise"))
        .form(&[("target", target.as_str()), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(count(&app, published).await, 1);
    app.stop().await;
}

/// Submitted by its author and approved by the reviewer: published.
async fn publish(app: &TestApp, author: &Actor, reviewer: &Actor, id: ItemId) {
    for (who, t) in [
        (author, Transition::Submit),
        (reviewer, Transition::Approve),
    ] {
        app.core().transition(who, id, t, "").await.unwrap();
    }
}

async fn held(app: &TestApp, user: UserId) -> Vec<Badge> {
    app.core()
        .badges_of(user)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.badge)
        .collect()
}

async fn page(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status().as_u16(), body(res).await)
}

#[tokio::test]
async fn badges_come_from_published_items_once_and_are_kept_after_archiving() {
    let app = spawn_app().await;
    let officer = actor(&app, "bofficer", "km_officer", UNIT).await;
    let reviewer = actor(&app, "breviewer", "reviewer", "CDD-P-24").await;
    let me = officer.user_id().unwrap();
    assert_eq!(app.core().refresh_badges(me).await.unwrap(), 0);
    assert!(held(&app, me).await.is_empty());
    // A draft is not a published item.
    let first = draft(&app, &officer, "บันทึกชิ้นแรก").await;
    app.core().refresh_badges(me).await.unwrap();
    assert!(held(&app, me).await.is_empty());

    publish(&app, &officer, &reviewer, first).await;
    // The profile recomputes when shown: anonymous visitors see the badge.
    let (s, html) = page(&app, &app.client(), &format!("/u/{me}")).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("ผลงานแรก") && !html.contains("นักแบ่งปัน"),
        "{html}"
    );
    assert_eq!(held(&app, me).await, vec![Badge::FirstItem]);
    let first_date = app.core().badges_of(me).await.unwrap()[0].earned_at;

    let mut ids = vec![first];
    for n in 2..=10 {
        let id = draft(&app, &officer, &format!("บันทึกชิ้นที่ {n}")).await;
        publish(&app, &officer, &reviewer, id).await;
        ids.push(id);
    }
    // Two processes refreshing at once: the badge is awarded once.
    let (a, b) = tokio::join!(app.core().refresh_badges(me), app.core().refresh_badges(me));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(held(&app, me).await, vec![Badge::FirstItem, Badge::Sharer]);
    assert_eq!(
        app.core().badges_of(me).await.unwrap()[0].earned_at,
        first_date
    );

    // Archived items no longer count, but what was earned stays (the sweep too).
    for id in &ids[..2] {
        app.core()
            .transition(&officer, *id, Transition::Archive, "")
            .await
            .unwrap();
    }
    assert_eq!(app.core().refresh_all_badges().await.unwrap(), 0);
    assert_eq!(held(&app, me).await, vec![Badge::FirstItem, Badge::Sharer]);
    let (_, html) = page(&app, &app.client(), &format!("/u/{me}")).await;
    assert!(html.contains("ผลงานแรก") && html.contains("นักแบ่งปัน"));
    // Nobody else earned anything.
    assert!(held(&app, reviewer.user_id().unwrap()).await.is_empty());
    app.stop().await;
}

/// A members-only community where `asker` asks a question; returns the thread's path.
async fn question(app: &TestApp, fac: &Client, asker: &Client) -> String {
    let unit = app.unit_id(UNIT).await.to_string();
    let res = post_form(
        app,
        fac,
        "/communities/new",
        "/communities/new",
        &[
            ("name", "ชุมชนถามตอบเรื่องปุ๋ย"),
            ("description", "แลกเปลี่ยนเรื่องปุ๋ยหมัก"),
            ("unit_id", &unit),
            ("access", "members"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let id: i64 = location(&res)
        .trim_start_matches("/communities/")
        .parse()
        .unwrap();
    let members = format!("/communities/{id}/members");
    for u in ["aasker", "aanswerer"] {
        let res = post_form(
            app,
            fac,
            &members,
            &members,
            &[("username", u), ("role", "member")],
        )
        .await;
        assert_eq!(res.status(), 303);
    }
    let new = format!("/communities/{id}/threads/new");
    let form = Form::new()
        .text("csrf", app.csrf(asker, &new).await)
        .text("kind", "question")
        .text("title", "ทำปุ๋ยหมักให้เร็วขึ้นได้อย่างไร")
        .text("body", "ใช้เวลานานมาก");
    let res = asker
        .post(app.url(&new))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    location(&res)
}

/// `answerer` replies `n` times to the question; the asker accepts each reply.
async fn accepted_answers(
    app: &TestApp,
    thread: &str,
    asker: &Client,
    answerer: &Client,
    n: usize,
) {
    for i in 1..=n {
        let form = Form::new()
            .text("csrf", app.csrf(answerer, thread).await)
            .text("body", format!("วิธีที่ {i}: พลิกกองทุกสามวัน"));
        let res = answerer
            .post(app.url(&format!("{thread}/reply")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let post: i64 = location(&res)
            .rsplit("#post-")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let accept = format!("/communities/posts/{post}/accept");
        let res = post_form(app, asker, thread, &accept, &[("value", "1")]).await;
        assert_eq!(res.status(), 303);
    }
}

#[tokio::test]
async fn five_accepted_answers_earn_a_badge_four_do_not() {
    let app = spawn_app().await;
    let fac = member(&app, "afac", UNIT, "km_officer").await;
    let asker = member(&app, "aasker", UNIT, "contributor").await;
    let answerer = member(&app, "aanswerer", UNIT, "viewer").await;
    let who = app
        .core()
        .store
        .user_by_username(&khlang_core::account::Username::parse("aanswerer").unwrap())
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let thread = question(&app, &fac, &asker).await;
    accepted_answers(&app, &thread, &asker, &answerer, 4).await;
    let (_, html) = page(&app, &app.client(), &format!("/u/{who}")).await;
    assert!(!html.contains("ผู้ตอบที่ได้รับการยอมรับ"), "{html}");
    assert!(held(&app, who).await.is_empty());
    accepted_answers(&app, &thread, &asker, &answerer, 1).await;
    // The sweep finds the answerer (no published item) and awards it.
    assert_eq!(app.core().refresh_all_badges().await.unwrap(), 1);
    assert_eq!(held(&app, who).await, vec![Badge::AcceptedAnswers]);
    let (_, html) = page(&app, &app.client(), &format!("/u/{who}")).await;
    assert!(html.contains("ผู้ตอบที่ได้รับการยอมรับ"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn the_profile_shows_only_what_its_owner_chose_and_nothing_personal() {
    let app = spawn_app().await;
    let admin = app
        .create_user("padmin", khlang_testkit::PASSWORD, true)
        .await;
    let admin = app.core().actor_for(&admin).await.unwrap();
    let person = app
        .core()
        .create_member(
            &admin,
            MemberInput {
                username: "somsri_k".into(),
                display_name: "สมศรี ใจดี".into(),
                email: "somsri@example.go.th".into(),
                phone: "0812345678".into(),
                password: khlang_testkit::PASSWORD.into(),
                home_unit_id: Some(khlang_core::ids::UnitId(app.unit_id(UNIT).await)),
                role: Some("contributor".into()),
            },
        )
        .await
        .unwrap();
    let owner = app.core().actor_for(&person).await.unwrap();
    let reviewer = actor(&app, "previewer", "reviewer", "CDD-P-24").await;
    let open = draft_seen_by(&app, &owner, "เรื่องเล่าที่ทุกคนอ่านได้", "public").await;
    let inside = draft_seen_by(&app, &owner, "บันทึกเฉพาะหน่วยงาน", "unit").await;
    for id in [open, inside] {
        publish(&app, &owner, &reviewer, id).await;
    }
    let me = format!("/u/{}", person.id);
    let personal = ["somsri_k", "somsri@example.go.th", "0812345678", "081-234"];

    // Defaults: name, badges and readable items; no unit.
    let anon = app.client();
    let (s, html) = page(&app, &anon, &me).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("สมศรี ใจดี") && html.contains("ผลงานแรก"),
        "{html}"
    );
    assert!(html.contains("เรื่องเล่าที่ทุกคนอ่านได้") && !html.contains("บันทึกเฉพาะหน่วยงาน"));
    assert!(!html.contains("หน่วยงาน:"));
    for p in personal {
        assert!(!html.contains(p), "{p} on {html}");
    }
    // A reader of the unit sees the unit-only item too.
    let colleague = member(&app, "pcolleague", UNIT, "viewer").await;
    let (_, html) = page(&app, &colleague, &me).await;
    assert!(html.contains("บันทึกเฉพาะหน่วยงาน"), "{html}");

    // The owner shows the unit and hides badges and items.
    let c = app.sign_in("somsri_k", khlang_testkit::PASSWORD).await;
    let (_, account) = page(&app, &c, "/account").await;
    assert!(account.contains("href=\"/account/profile\"") && account.contains("โปรไฟล์ของฉัน"));
    let res = post_form(
        &app,
        &c,
        "/account/profile",
        "/account/profile",
        &[("show_unit", "on")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, html) = page(&app, &anon, &me).await;
    assert!(
        html.contains("สมศรี ใจดี") && html.contains("หน่วยงาน:"),
        "{html}"
    );
    assert!(!html.contains("ผลงานแรก") && !html.contains("เรื่องเล่าที่ทุกคนอ่านได้"));
    for p in personal {
        assert!(!html.contains(p), "{p} on {html}");
    }
    let (_, form) = page(&app, &c, "/account/profile").await;
    assert!(
        form.contains("name=\"show_unit\" checked")
            && !form.contains("name=\"show_items\" checked")
    );

    // Junk and a missing token change nothing.
    let res = post_form(
        &app,
        &c,
        "/account/profile",
        "/account/profile",
        &[("show_items", "<script>"), ("show_badges", "on")],
    )
    .await;
    assert_eq!(res.status(), 400);
    let res = c
        .post(app.url("/account/profile"))
        .form(&[("show_items", "on"), ("show_badges", "on")])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    let prefs = app.core().profile_prefs(person.id).await.unwrap();
    assert!(prefs.show_unit && !prefs.show_badges && !prefs.show_items);
    // Anonymous visitors cannot choose for anyone.
    let res = anon
        .post(app.url("/account/profile"))
        .form(&[("show_items", "on")])
        .send()
        .await
        .unwrap();
    assert!(location(&res).starts_with("/login") || res.status().is_client_error());
    let prefs = app.core().profile_prefs(person.id).await.unwrap();
    assert!(prefs.show_unit && !prefs.show_badges && !prefs.show_items);

    // Unknown person: 404 in Thai.
    let (s, html) = page(&app, &anon, "/u/999999").await;
    assert_eq!(s, 404);
    assert!(html.contains("ไม่พบ"), "{html}");
    app.stop().await;
}

#[tokio::test]
async fn sharing_counts_units_by_month_for_those_who_may_view_them() {
    use calamine::{Data, Reader, Xlsx};
    use khlang_core::recognition::sharing::fiscal_month;
    use khlang_core::text::fiscal_year_be;
    let app = spawn_app().await;
    let officer = actor(&app, "sofficer", "km_officer", UNIT).await;
    let other = actor(&app, "sother", "km_officer", "CDD-P-24-D02").await;
    let reviewer = actor(&app, "sreviewer", "reviewer", "CDD-P-24").await;
    let province = app.unit_id("CDD-P-24").await;
    let d01 = app.unit_id(UNIT).await;
    let d02 = app.unit_id("CDD-P-24-D02").await;

    // One item published 40 days ago, then three today (one a lesson), one still a draft.
    app.move_clock(-40 * 86_400);
    let early = app.core().clock.now();
    let id = draft(&app, &officer, "บันทึกเมื่อเดือนก่อน").await;
    publish(&app, &officer, &reviewer, id).await;
    app.move_clock(0);
    let now = app.core().clock.now();
    for (who, title, unit) in [
        (&officer, "บันทึกวันนี้", UNIT),
        (&other, "บันทึกของอีกอำเภอ", "CDD-P-24-D02"),
    ] {
        let id = draft_in(&app, who, title, "public", unit).await;
        publish(&app, who, &reviewer, id).await;
    }
    let lesson = app
        .core()
        .start_lesson(
            &officer,
            "story",
            &d01.to_string(),
            "เรื่องเล่าเร้าพลังกลุ่มทอผ้า",
            None,
        )
        .await
        .unwrap();
    publish(&app, &officer, &reviewer, lesson.id).await;
    draft(&app, &officer, "ร่างที่ยังไม่เผยแพร่").await;

    let fy = fiscal_year_be(now);
    let (m_early, m_now) = (fiscal_month(early), fiscal_month(now));
    let same_year = fiscal_year_be(early) == fy;
    let exec = app
        .core()
        .actor_for(&app.user_with_role("sexec", "CDD-P-24", "viewer").await)
        .await
        .unwrap();
    let r = app
        .core()
        .sharing_report(&exec, Some(khlang_core::ids::UnitId(province)), Some(fy))
        .await
        .unwrap();
    let row = |unit: i64| r.rows.iter().find(|x| x.unit_id.0 == unit).unwrap().counts;
    assert_eq!(r.rows[0].unit_id.0, province);
    let early_here = u64::from(same_year && m_early == m_now);
    assert_eq!(row(province).items[m_now], 3 + early_here);
    assert_eq!(row(province).lessons[m_now], 1);
    assert_eq!(row(d01).items[m_now], 2 + early_here);
    assert_eq!(row(d01).lessons[m_now], 1);
    assert_eq!(row(d02).items[m_now], 1);
    assert_eq!(row(d02).lessons.iter().sum::<u64>(), 0);
    let year_total: u64 = row(province).items.iter().sum();
    assert_eq!(year_total, 3 + u64::from(same_year));
    if same_year && m_early != m_now {
        assert_eq!(row(d01).items[m_early], 1);
    }

    // The page: table and chart, units only, no person's name.
    let c = app.sign_in("sexec", khlang_testkit::PASSWORD).await;
    let (s, html) = page(&app, &c, &format!("/sharing?unit={province}&year={fy}")).await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("(รวมทั้งสังกัด)") && html.contains("<svg"),
        "{html}"
    );
    for name in ["ผู้ใช้ sofficer", "ผู้ใช้ sother", "ผู้ใช้ sreviewer", "sofficer"]
    {
        assert!(!html.contains(name), "{name}");
    }
    // Thai digits in the query are the same numbers.
    let thai: String = fy
        .to_string()
        .chars()
        .map(|d| char::from_u32('๐' as u32 + d.to_digit(10).unwrap()).unwrap())
        .collect();
    let (s, _) = page(&app, &c, &format!("/sharing?year={thai}")).await;
    assert_eq!(s, 200);

    // The workbook opens and holds the same numbers.
    let res = c
        .get(app.url(&format!("/sharing.xlsx?unit={province}&year={fy}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("สถิติการแบ่งปัน").unwrap();
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    _ => String::new(),
                })
                .collect()
        })
        .collect();
    let whole = cells
        .iter()
        .find(|r| r.first().is_some_and(|c| c.ends_with("(รวมทั้งสังกัด)")))
        .expect("the unit's row");
    assert_eq!(whole[1 + m_now], (3 + early_here).to_string());
    assert_eq!(whole[13], (3 + u64::from(same_year)).to_string());
    assert!(!cells.iter().flatten().any(|c| c.contains("sofficer")));

    // A person of another district may not see the province; one without a role sees nothing.
    let outsider = app.sign_in("sother", khlang_testkit::PASSWORD).await;
    for path in [
        format!("/sharing?unit={province}"),
        format!("/sharing.xlsx?unit={province}"),
    ] {
        let (s, html) = page(&app, &outsider, &path).await;
        assert_eq!(s, 403, "{path}");
        assert!(html.contains("ไม่มีสิทธิ์") || html.contains("สิทธิ์"), "{html}");
    }
    let (s, html) = page(&app, &outsider, "/sharing").await;
    assert_eq!(s, 200);
    assert!(!html.contains(&format!("value=\"{province}\"")), "{html}");
    app.create_user("snorole", khlang_testkit::PASSWORD, false)
        .await;
    let norole = app.sign_in("snorole", khlang_testkit::PASSWORD).await;
    let (s, _) = page(&app, &norole, "/sharing").await;
    assert_eq!(s, 403);
    // Junk is refused, never guessed.
    for path in [
        "/sharing?unit=abc",
        "/sharing?year=25x",
        "/sharing?year=1999",
    ] {
        let (s, _) = page(&app, &c, path).await;
        assert!((400..500).contains(&s) && s != 404, "{path}: {s}");
    }
    let anon = app.client();
    let res = anon.get(app.url("/sharing")).send().await.unwrap();
    assert!(location(&res).starts_with("/login"), "{}", res.status());
    app.stop().await;
}
