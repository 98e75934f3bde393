//! KM plans (issue 12): a unit's officer creates the plan, adds rows one at a time (each a
//! new version), submits it to the parent unit, whose officer returns it with a comment and
//! then approves it; viewers read but never edit, a sibling unit's officer and the plan's own
//! officer never approve; a stale form and a period outside the fiscal year are refused with
//! nothing saved; copies start fresh; the Gantt's bars sit in their month columns.

use super::{body, location, member, post_form};
use khlang_core::ids::PlanId;
use khlang_core::org::Actor;
use khlang_core::planning::model::{ActivityStatus, FiscalYear, KmPlan, PlanStatus};
use khlang_core::planning::service::PlanStart;
use khlang_testkit::TestApp;
use khlang_testkit::spawn_app;

const PARENT: &str = "DHSS-PHC";
const UNIT: &str = "DHSS-PHC-NE";
const SIBLING: &str = "DHSS-PHC-N";

async fn plan(app: &TestApp, actor: &Actor, id: i64) -> KmPlan {
    app.core().km_plan(actor, PlanId(id)).await.unwrap()
}

fn id_of(loc: &str) -> i64 {
    loc.trim_start_matches("/plans/")
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no plan id in {loc}"))
}

fn activity<'a>(version: &'a str, title: &'a str, months: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("version", version),
        ("step", "share"),
        ("title", title),
        ("indicator", "จำนวนองค์ความรู้"),
        ("target", "๖๐ องค์ความรู้"),
        ("target_group", "บุคลากร"),
        ("responsible", "กลุ่มงานวิชาการ"),
        ("status", "not_started"),
        ("start", ""),
        ("end", ""),
        ("evidence", ""),
    ];
    for m in months {
        f.push((m, "on"));
    }
    f
}

#[tokio::test]
async fn a_plan_is_written_submitted_returned_and_approved_by_the_right_people() {
    let app = spawn_app().await;
    let officer_user = app.user_with_role("ne_officer", UNIT, "km_officer").await;
    let officer = app.sign_in("ne_officer", khlang_testkit::PASSWORD).await;
    let actor = app.core().actor_for(&officer_user).await.unwrap();
    let viewer = member(&app, "ne_viewer", UNIT, "viewer").await;
    let sibling = member(&app, "north_officer", SIBLING, "km_officer").await;
    let parent = member(&app, "phc_officer", PARENT, "km_officer").await;
    let unit = app.unit_id(UNIT).await.to_string();

    // The officer starts a blank plan for 2568.
    let res = post_form(
        &app,
        &officer,
        "/plans",
        "/plans",
        &[("unit", &unit), ("year", "2568"), ("start", "blank")],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let id = id_of(&location(&res));
    let page = format!("/plans/{id}");

    // A viewer reads it but cannot add a row.
    let res = viewer.get(app.url(&page)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(!body(res).await.contains("เพิ่มกิจกรรมในแบบฟอร์มที่ ๒"));
    let res = post_form(
        &app,
        &viewer,
        &page,
        &format!("/plans/{id}/activities/new"),
        &activity("1", "แอบเพิ่ม", &["m7"]),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(plan(&app, &actor, id).await.content.activities.is_empty());

    // The officer adds an activity in พ.ค. and มิ.ย. (version 1 → 2).
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/activities/new"),
        &activity("1", "ส่งเสริมให้บุคลากรจัดการความรู้ของตนเอง", &["m7", "m8"]),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let p = plan(&app, &actor, id).await;
    assert_eq!(p.version, 2);
    assert_eq!(p.content.activities[0].target.number, Some(60.0));

    // A period outside the fiscal year is refused, what was typed is kept, nothing saved.
    let mut outside = activity("2", "กิจกรรมปีหน้า", &[]);
    outside.retain(|(k, _)| *k != "start" && *k != "end");
    outside.push(("start", "2025-10-01"));
    outside.push(("end", "2025-10-02"));
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/activities/new"),
        &outside,
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(
        html.contains("ระยะเวลาต้องอยู่ในปีงบประมาณ 2568 (1 ต.ค. 2567 – 30 ก.ย. 2568)"),
        "{html}"
    );
    assert!(html.contains("กิจกรรมปีหน้า"));
    // No indicator: refused too.
    let mut no_indicator = activity("2", "ไม่มีตัวชี้วัด", &["m1"]);
    no_indicator.retain(|(k, _)| *k != "indicator");
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/activities/new"),
        &no_indicator,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาระบุตัวชี้วัดของกิจกรรม"));
    let p = plan(&app, &actor, id).await;
    assert_eq!((p.version, p.content.activities.len()), (2, 1));

    // A form opened before the last save (version 1) is refused as stale.
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/activities/new"),
        &activity("1", "จากหน้าเก่า", &["m3"]),
    )
    .await;
    assert_eq!(res.status(), 409);
    assert_eq!(plan(&app, &actor, id).await.content.activities.len(), 1);

    // The Gantt: bars in columns 7 (พ.ค.) and 8 (มิ.ย.) only.
    let res = officer
        .get(app.url(&format!("/plans/{id}/gantt")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(html.contains(r#"class="bar" data-month="7""#), "{html}");
    assert!(html.contains(r#"class="bar" data-month="8""#));
    for m in [0, 1, 2, 3, 4, 5, 6, 9, 10, 11] {
        assert!(
            !html.contains(&format!(r#"class="bar" data-month="{m}""#)),
            "month {m}"
        );
    }
    assert!(html.contains("พ.ค. 68"));
    assert!(html.contains("size:A4 landscape") || html.contains("khlang.css"));

    // The officer submits.
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/review"),
        &[("version", "2"), ("action", "submit"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    assert_eq!(plan(&app, &actor, id).await.status, PlanStatus::Submitted);

    // Neither the plan's own officer nor a sibling unit's officer may approve.
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/review"),
        &[("version", "3"), ("action", "approve"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = post_form(
        &app,
        &sibling,
        "/plans",
        &format!("/plans/{id}/review"),
        &[("version", "3"), ("action", "approve"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(plan(&app, &actor, id).await.status, PlanStatus::Submitted);

    // The parent unit's officer sees the buttons; returning needs a comment.
    let html = body(parent.get(app.url(&page)).send().await.unwrap()).await;
    assert!(html.contains("อนุมัติแผน"));
    let res = post_form(
        &app,
        &parent,
        &page,
        &format!("/plans/{id}/review"),
        &[("version", "3"), ("action", "return"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาเขียนความเห็น"));
    let res = post_form(
        &app,
        &parent,
        &page,
        &format!("/plans/{id}/review"),
        &[
            ("version", "3"),
            ("action", "return"),
            ("comment", "เพิ่มกิจกรรมขั้นตอนการเรียนรู้ด้วย"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(plan(&app, &actor, id).await.status, PlanStatus::Returned);

    // Resubmitted, then approved by the parent.
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/review"),
        &[
            ("version", "4"),
            ("action", "submit"),
            ("comment", "แก้ไขแล้ว"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post_form(
        &app,
        &parent,
        &page,
        &format!("/plans/{id}/review"),
        &[("version", "5"), ("action", "approve"), ("comment", "")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(plan(&app, &actor, id).await.status, PlanStatus::Approved);

    // Progress (status) keeps the approval; changing the activity puts the plan back to draft.
    let mut done = activity("6", "ส่งเสริมให้บุคลากรจัดการความรู้ของตนเอง", &["m7", "m8"]);
    done.retain(|(k, _)| *k != "status");
    done.push(("status", "done"));
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/activities/0"),
        &done,
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let p = plan(&app, &actor, id).await;
    assert_eq!(p.status, PlanStatus::Approved);
    assert_eq!(p.content.activities[0].status, ActivityStatus::Done);
    let html = body(officer.get(app.url(&page)).send().await.unwrap()).await;
    assert!(html.contains("100%"), "done over all activities");
    assert!(html.contains("ร้อยละความสำเร็จของแผน"));
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/plans/{id}/activities/0"),
        &activity("7", "ชื่อใหม่", &["m7"]),
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(plan(&app, &actor, id).await.status, PlanStatus::Draft);

    // Comments from either side; the history says who did what.
    let res = post_form(
        &app,
        &parent,
        &page,
        &format!("/plans/{id}/comment"),
        &[("comment", "ขอบคุณครับ")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post_form(
        &app,
        &sibling,
        "/plans",
        &format!("/plans/{id}/comment"),
        &[("comment", "แทรก")],
    )
    .await;
    assert_eq!(res.status(), 403);
    let html = body(officer.get(app.url(&page)).send().await.unwrap()).await;
    for text in [
        "ขอบคุณครับ",
        "เพิ่มกิจกรรมขั้นตอนการเรียนรู้ด้วย",
        "แผนกลับเป็นร่าง",
        "อนุมัติแผน",
    ] {
        assert!(html.contains(text), "{text}");
    }
    let history = app.core().plan_history(&actor, PlanId(id)).await.unwrap();
    assert_eq!(
        history.len(),
        9,
        "created, 1 add, submit, return, submit, approve, 2 edits, comment"
    );

    // The parent lists its children's plans with their status.
    let html = body(
        parent
            .get(app.url("/plans?year=2568"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains(&format!("/plans/{id}")), "{html}");
    let overview = app
        .core()
        .plan_overview(
            &actor,
            khlang_core::ids::UnitId(app.unit_id(UNIT).await),
            FiscalYear::parse("2568").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(overview[0].plan.map(|p| p.0), Some(PlanId(id)));
}

#[tokio::test]
async fn copies_start_fresh_from_last_year_or_the_parent() {
    let app = spawn_app().await;
    let user = app.user_with_role("ne_officer", UNIT, "km_officer").await;
    let actor = app.core().actor_for(&user).await.unwrap();
    let officer = app.sign_in("ne_officer", khlang_testkit::PASSWORD).await;
    let parent_user = app
        .user_with_role("phc_officer", PARENT, "km_officer")
        .await;
    let parent_actor = app.core().actor_for(&parent_user).await.unwrap();
    let unit = khlang_core::ids::UnitId(app.unit_id(UNIT).await);
    let parent_unit = khlang_core::ids::UnitId(app.unit_id(PARENT).await);
    let y67 = FiscalYear::parse("2567").unwrap();
    let y68 = FiscalYear::parse("2568").unwrap();

    // Last year's plan, with a dated activity done and its evidence.
    let last = app
        .core()
        .create_plan(&actor, unit, y67, PlanStart::Blank)
        .await
        .unwrap();
    let mut content = last.content.clone();
    let mut a =
        khlang_core::planning::model::Activity::new(khlang_core::planning::model::KmStep::Create);
    a.title = "อบรมเชิงปฏิบัติการ".into();
    a.indicator = "จำนวนผู้เข้าอบรม".into();
    a.period =
        khlang_core::planning::model::Period::parse_th("ระหว่างวันที่ ๒๓-๒๕ มีนาคม ๒๕๖๗", y67).unwrap();
    a.status = ActivityStatus::Done;
    a.evidence
        .push(khlang_core::planning::model::Evidence::Link {
            url: "https://example.org/km".into(),
            label: String::new(),
        });
    content.activities.push(a);
    app.core()
        .save_plan_content(&actor, last.id, 1, content.clone())
        .await
        .unwrap();
    // A stale whole-plan save (the import's path) is refused.
    assert!(matches!(
        app.core()
            .save_plan_content(&actor, last.id, 1, content)
            .await,
        Err(khlang_core::DomainError::Conflict(_))
    ));

    let res = post_form(
        &app,
        &officer,
        "/plans",
        "/plans",
        &[
            ("unit", &unit.0.to_string()),
            ("year", "2568"),
            ("start", "last_year"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let p = plan(&app, &actor, id_of(&location(&res))).await;
    assert_eq!(p.copied_from, Some(last.id));
    let a = &p.content.activities[0];
    assert_eq!(a.status, ActivityStatus::NotStarted);
    assert!(a.evidence.is_empty());
    assert_eq!(a.period.label_th(y68), "23–25 มี.ค. 2568");

    // Copying the parent's plan: refused while it has none, then a fresh copy.
    let sibling_user = app
        .user_with_role("north_officer", SIBLING, "km_officer")
        .await;
    let sibling_actor = app.core().actor_for(&sibling_user).await.unwrap();
    let sibling_unit = khlang_core::ids::UnitId(app.unit_id(SIBLING).await);
    assert!(matches!(
        app.core()
            .create_plan(&sibling_actor, sibling_unit, y68, PlanStart::CopyParent)
            .await,
        Err(khlang_core::DomainError::Invalid(_))
    ));
    let pp = app
        .core()
        .create_plan(&parent_actor, parent_unit, y68, PlanStart::CopyLastYear)
        .await;
    assert!(pp.is_err(), "the parent has no plan for 2567");
    let pp = app
        .core()
        .create_plan(&parent_actor, parent_unit, y68, PlanStart::Blank)
        .await
        .unwrap();
    let copy = app
        .core()
        .create_plan(&sibling_actor, sibling_unit, y68, PlanStart::CopyParent)
        .await
        .unwrap();
    assert_eq!(copy.copied_from, Some(pp.id));
    // One plan per unit and year.
    assert!(matches!(
        app.core()
            .create_plan(&sibling_actor, sibling_unit, y68, PlanStart::Blank)
            .await,
        Err(khlang_core::DomainError::Conflict(_))
    ));
    // A sibling's officer cannot create a plan for another unit.
    assert!(matches!(
        app.core()
            .create_plan(
                &sibling_actor,
                unit,
                FiscalYear::parse("2569").unwrap(),
                PlanStart::Blank
            )
            .await,
        Err(khlang_core::DomainError::Forbidden)
    ));
}
