//! Lessons learned (issue 13): every built-in lessons template loads and its wizard
//! completes; a lesson started from a plan activity or a contest entry links back to it (and
//! an AAR becomes the activity's evidence); refused origins change nothing; an administrator
//! relabels an 8-box box and only new entries take the new label; an AAR is screened and found
//! by Thai search. (Events' `event_label` is the events helper's: an `event:N` origin is
//! refused here until it lands, which `refused_origins_change_nothing` checks.)

use super::{body, location, member, post_form};
use khlang_core::ids::{ItemId, PlanId, UnitId};
use khlang_core::item::ItemStatus;
use khlang_core::lessons::LESSON_TEMPLATES;
use khlang_core::planning::model::{Activity, Evidence, FiscalYear, KmStep};
use khlang_core::planning::service::PlanStart;
use khlang_testkit::reqwest::Client;
use khlang_testkit::{TestApp, spawn_app};

const UNIT: &str = "CDD-P-24-D01";
const OTHER: &str = "DHSS-PHC-NE";

/// Starts a lesson through /lessons/new and returns the item id.
async fn start(app: &TestApp, client: &Client, key: &str, title: &str, origin: &str) -> i64 {
    let unit = app.unit_id(UNIT).await.to_string();
    let page = if origin.is_empty() {
        format!("/lessons/new/{key}")
    } else {
        format!("/lessons/new/{key}?origin={origin}")
    };
    let res = post_form(
        app,
        client,
        &page,
        &format!("/lessons/new/{key}"),
        &[("title", title), ("unit_id", &unit), ("origin", origin)],
    )
    .await;
    assert_eq!(res.status(), 303, "{key}");
    let loc = location(&res);
    assert!(loc.ends_with("/form/1"), "{loc}");
    loc.trim_start_matches("/items/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Fills every section of an entry's wizard: each text field gets `text` (the title field
/// its title), and submits it for screening.
async fn fill_and_submit(app: &TestApp, client: &Client, key: &str, id: i64, text: &str) {
    let tv = app.core().template(key).await.unwrap();
    let item = app.core().knowledge.get_item(ItemId(id)).await.unwrap();
    for (n, s) in tv.sections().iter().enumerate() {
        let mut form: Vec<(String, String)> = vec![("go".into(), "next".into())];
        for f in &s.fields {
            let kind = serde_json::to_value(&f.kind).unwrap();
            let value = if Some(&f.key) == tv.body.title_field.as_ref() {
                item.fields.title.as_str().to_string()
            } else if matches!(kind["type"].as_str(), Some("long_text" | "short_text")) {
                format!("{text} ({})", f.label)
            } else {
                continue;
            };
            form.push((format!("f.{}", f.key), value));
        }
        let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let path = format!("/items/{id}/form/{}", n + 1);
        let res = post_form(app, client, &path, &path, &pairs).await;
        assert_eq!(
            res.status(),
            303,
            "{key} section {}: {}",
            n + 1,
            body(res).await
        );
    }
    let path = format!("/items/{id}/form/review");
    let res = post_form(app, client, &path, &path, &[]).await;
    assert_eq!(
        location(&res),
        format!("/items/{id}?done=submitted"),
        "{key}"
    );
}

/// A plan of UNIT with one activity, made by a KM officer of the unit.
async fn plan_with_activity(app: &TestApp) -> (PlanId, khlang_core::org::Actor) {
    let user = app.user_with_role("km_officer", UNIT, "km_officer").await;
    let actor = app.core().actor_for(&user).await.unwrap();
    let unit = UnitId(app.unit_id(UNIT).await);
    let plan = app
        .core()
        .create_plan(
            &actor,
            unit,
            FiscalYear::parse("2569").unwrap(),
            PlanStart::Blank,
        )
        .await
        .unwrap();
    let mut content = plan.content.clone();
    let mut a = Activity::new(KmStep::Share);
    a.title = "เวทีแลกเปลี่ยนเรียนรู้กลุ่มทอผ้า".into();
    a.indicator = "จำนวนผู้เข้าร่วม".into();
    a.period = khlang_core::planning::model::Period::parse_th(
        "ระหว่างวันที่ ๒๓-๒๕ มีนาคม ๒๕๖๙",
        FiscalYear::parse("2569").unwrap(),
    )
    .unwrap();
    content.activities.push(a);
    app.core()
        .save_plan_content(&actor, plan.id, plan.version, content)
        .await
        .unwrap();
    (plan.id, actor)
}

#[tokio::test]
async fn every_lesson_template_loads_and_its_wizard_completes() {
    let app = spawn_app().await;
    let officer = member(&app, "officer", UNIT, "contributor").await;
    let page = body(officer.get(app.url("/lessons")).send().await.unwrap()).await;
    assert!(page.contains("ยังไม่มีบทเรียนที่คุณเริ่มไว้"), "{page}");
    for key in LESSON_TEMPLATES {
        let tv = app.core().template(key).await.unwrap();
        assert!(
            page.contains(&format!("/lessons/new/{key}")) && page.contains(&tv.body.name_th),
            "{key} card"
        );
        assert!(
            tv.body.source.contains("seed"),
            "{key} says where it comes from"
        );
        let start_page = body(
            officer
                .get(app.url(&format!("/lessons/new/{key}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert!(start_page.contains(&tv.body.name_th), "{start_page}");
        let id = start(&app, &officer, key, &format!("บทเรียน {key}"), "").await;
        fill_and_submit(&app, &officer, key, id, "ข้อความทดสอบ").await;
        let item = app.core().knowledge.get_item(ItemId(id)).await.unwrap();
        assert_eq!(item.status, ItemStatus::Submitted, "{key}");
        assert_eq!(
            item.fields.knowledge_type,
            khlang_core::item::KnowledgeType::Tacit,
            "{key}: tacit knowledge captured"
        );
        assert_eq!(item.fields.entry.as_ref().unwrap().template, key);
    }
    let page = body(officer.get(app.url("/lessons")).send().await.unwrap()).await;
    assert!(
        page.contains("บทเรียน winner_lessons") && page.contains("ส่งพิจารณาแล้ว"),
        "{page}"
    );
    // Not a lessons template: no start page.
    let res = officer
        .get(app.url("/lessons/new/innovation"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn an_aar_of_a_plan_activity_links_back_is_screened_and_found_by_thai_search() {
    let app = spawn_app().await;
    let (plan, actor) = plan_with_activity(&app).await;
    let officer = app.sign_in("km_officer", khlang_testkit::PASSWORD).await;
    let reviewer = member(&app, "committee", "CDD-P-24", "reviewer").await;
    let origin = format!("plan:{plan}:activity:0");
    let page = body(
        officer
            .get(app.url(&format!("/lessons/new/aar?origin={origin}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("ถอดบทเรียนจาก") && page.contains("เวทีแลกเปลี่ยนเรียนรู้กลุ่มทอผ้า"),
        "{page}"
    );
    let id = start(&app, &officer, "aar", "ทบทวนเวทีกลุ่มทอผ้า", &origin).await;
    // The AAR is the activity's evidence now (through the planning service).
    let p = app.core().km_plan(&actor, plan).await.unwrap();
    assert_eq!(
        p.content.activities[0].evidence,
        vec![Evidence::Item { item: ItemId(id) }]
    );
    fill_and_submit(
        &app,
        &officer,
        "aar",
        id,
        "สมาชิกกลุ่มผู้ป่วยเบาหวานมาร่วมมากกว่าที่คาดไว้",
    )
    .await;
    let itempage = format!("/items/{id}");
    let res = post_form(
        &app,
        &reviewer,
        &itempage,
        &format!("/items/{id}/transition"),
        &[("decision", "approve"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = body(officer.get(app.url(&itempage)).send().await.unwrap()).await;
    assert!(
        html.contains("ถอดบทเรียนจาก")
            && html.contains(&format!("href=\"/plans/{plan}\""))
            && html.contains("เวทีแลกเปลี่ยนเรียนรู้กลุ่มทอผ้า"),
        "{html}"
    );
    // The public reads the lesson but not the plan: no link to it.
    let public = body(app.client().get(app.url(&itempage)).send().await.unwrap()).await;
    assert!(public.contains("ทบทวนเวทีกลุ่มทอผ้า") && !public.contains("ถอดบทเรียนจาก"));
    // Thai search finds a word inside the unspaced text of an answer.
    let found = body(
        app.client()
            .get(app.url("/search"))
            .query(&[("q", "เบาหวาน")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(found.contains(&format!("/items/{id}")), "{found}");
    // The items of the origin, for those who may read them.
    let list = app
        .core()
        .items_of_origin(
            &khlang_core::org::Actor::Anonymous,
            khlang_core::lessons::Origin::parse(&origin).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(list.iter().map(|s| s.id.0).collect::<Vec<_>>(), vec![id]);
    app.stop().await;
}

#[tokio::test]
async fn refused_origins_change_nothing() {
    let app = spawn_app().await;
    let (plan, km) = plan_with_activity(&app).await;
    // A contributor of another unit may not see UNIT's plan.
    let outsider_user = app.user_with_role("outsider", OTHER, "contributor").await;
    let outsider = app.sign_in("outsider", khlang_testkit::PASSWORD).await;
    let insider = member(&app, "insider", UNIT, "contributor").await;
    let unit = app.unit_id(UNIT).await.to_string();
    let other_unit = app.unit_id(OTHER).await.to_string();
    let hidden = format!("plan:{plan}:activity:0");
    let cases: Vec<(&Client, String, &str)> = vec![
        (&outsider, hidden.clone(), &other_unit),
        (&insider, format!("plan:{plan}:activity:7"), &unit),
        (&insider, "plan:999:activity:0".into(), &unit),
        (&insider, "entry:999".into(), &unit),
        (&insider, "event:1".into(), &unit),
        (&insider, "junk'<script>".into(), &unit),
    ];
    for (client, origin, unit) in cases {
        let res = client
            .get(app.url("/lessons/new/aar"))
            .query(&[("origin", origin.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "GET {origin}");
        let res = post_form(
            &app,
            client,
            "/lessons/new/aar",
            "/lessons/new/aar",
            &[("title", "ทบทวน"), ("unit_id", unit), ("origin", &origin)],
        )
        .await;
        assert_eq!(res.status(), 404, "POST {origin}");
    }
    // Nothing was made: no item at all.
    assert!(app.core().knowledge.get_item(ItemId(1)).await.is_err());
    // Without a title: the Thai message at the field, the origin kept.
    let res = post_form(
        &app,
        &insider,
        "/lessons/new/aar",
        "/lessons/new/aar",
        &[
            ("title", " "),
            ("unit_id", &unit),
            ("origin", &format!("plan:{plan}:activity:0")),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("กรุณากรอกชื่อกิจกรรมที่ทบทวน"), "{html}");
    assert!(html.contains(&format!("value=\"plan:{plan}:activity:0\"")));
    assert!(app.core().knowledge.get_item(ItemId(1)).await.is_err());
    // Linking through the core: an item the actor cannot edit is refused.
    let id = start(&app, &insider, "story", "เรื่องเล่า", "").await;
    let outsider_actor = app.core().actor_for(&outsider_user).await.unwrap();
    let r = app
        .core()
        .link_item_to_origin(
            &outsider_actor,
            ItemId(id),
            khlang_core::lessons::Origin::parse(&hidden).unwrap(),
        )
        .await;
    assert!(r.is_err(), "{r:?}");
    assert!(
        app.core()
            .items_of_origin(&km, khlang_core::lessons::Origin::parse(&hidden).unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_relabels_an_eight_box_box_and_old_entries_keep_theirs() {
    let app = spawn_app().await;
    let officer = member(&app, "officer", UNIT, "contributor").await;
    let admin = app.admin().await;
    let old = start(&app, &officer, "eight_box", "สรุปงานกลุ่มทอผ้า", "").await;
    fill_and_submit(&app, &officer, "eight_box", old, "สรุป").await;

    let tv = app.core().template("eight_box").await.unwrap();
    let mut form: Vec<(String, String)> = Vec::new();
    for (_, f) in tv.fields() {
        let label = if f.key == "box6" {
            "ช่อง ๖ หัวใจของความสำเร็จ".to_string()
        } else {
            f.label.clone()
        };
        form.push((format!("label.{}", f.key), label));
        form.push((format!("help.{}", f.key), f.help.clone()));
    }
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let res = post_form(
        &app,
        &admin,
        "/admin/templates/eight_box",
        "/admin/templates/eight_box",
        &pairs,
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    assert_eq!(app.core().template("eight_box").await.unwrap().version, 2);

    let new = start(&app, &officer, "eight_box", "สรุปงานอีกเรื่อง", "").await;
    let s2 = body(
        officer
            .get(app.url(&format!("/items/{new}/form/2")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(s2.contains("ช่อง ๖ หัวใจของความสำเร็จ"), "{s2}");
    let oldpage = body(
        officer
            .get(app.url(&format!("/items/{old}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        oldpage.contains("ช่อง ๖ ปัจจัยความสำเร็จ") && !oldpage.contains("หัวใจของความสำเร็จ"),
        "{oldpage}"
    );
    // Only a site administrator relabels.
    let res = officer
        .get(app.url("/admin/templates/eight_box"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn winners_lessons_start_from_a_contest_entry_and_link_back_to_it() {
    let s = super::contest_rounds::open_round().await;
    let (entry, _) = super::contest_rounds::register(&s, "นางบุญมี ศรีสุข").await;
    let app = &s.app;
    let origin = format!("entry:{entry}");
    let page = body(
        s.officer
            .get(app.url(&format!("/lessons/new/winner_lessons?origin={origin}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("ถอดบทเรียนจาก") && page.contains("นางบุญมี ศรีสุข"),
        "{page}"
    );
    let unit = page
        .split("<option value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let res = post_form(
        app,
        &s.officer,
        &format!("/lessons/new/winner_lessons?origin={origin}"),
        "/lessons/new/winner_lessons",
        &[
            ("title", "ถอดบทเรียน อสม.ดีเด่น ๓ มุมมอง"),
            ("unit_id", &unit),
            ("origin", &origin),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let id: i64 = location(&res)
        .trim_start_matches("/items/")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let html = body(
        s.officer
            .get(app.url(&format!("/items/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        html.contains("ถอดบทเรียนจาก")
            && html.contains(&format!("href=\"/contests/entries/{entry}\"")),
        "{html}"
    );
    let linked = app
        .core()
        .items_of_origin(
            &s.actor,
            khlang_core::lessons::Origin::ContestEntry(khlang_core::ids::EntryId(entry)),
        )
        .await
        .unwrap();
    assert_eq!(linked.len(), 1);
    // Someone who does not run the round cannot start from the entry.
    let other = member(app, "outsider", UNIT, "contributor").await;
    let res = other
        .get(app.url(&format!("/lessons/new/winner_lessons?origin={origin}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    s.app.stop().await;
}
