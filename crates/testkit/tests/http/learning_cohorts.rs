//! Issue 14, cohorts room: cohorts by unit and role, reports and roll-up, reminders.
//! "1 of N done and the roll-up agrees" needs a learner to complete the course (the learners
//! room): that HTTP test is finished after the rooms are merged.

use super::learning_fixture::{COURSE_UNIT, actor, three_lesson_course};
use super::{body, location, member, post_form};
use khlang_core::account::{DisplayName, NewUser, PasswordHashString, Username};
use khlang_core::ids::{CourseId, UnitId, UserId};
use khlang_core::org::{Actor, Role};
use khlang_testkit::reqwest::Client;
use khlang_testkit::{TestApp, spawn_app, spawn_node_beside};
use std::time::Instant;

const D01: &str = "CDD-P-24-D01";
const D02: &str = "CDD-P-24-D02";
const D03: &str = "CDD-P-24-D03";
const OTHER_PROVINCE: &str = "CDD-P-20";

/// `n` people holding `role` on `unit`, straight into the store (no password hashing: these
/// never sign in), a few at a time.
async fn people(app: &TestApp, prefix: &str, n: usize, unit: &str, role: &str) -> Vec<UserId> {
    let unit = UnitId(app.unit_id(unit).await);
    let role = Role::parse(role).unwrap();
    let mut ids = Vec::with_capacity(n);
    let all: Vec<usize> = (0..n).collect();
    for chunk in all.chunks(50) {
        let made = futures::future::join_all(chunk.iter().map(|i| async move {
            let store = &app.core().store;
            let user = store
                .insert_user(NewUser {
                    username: Username::parse(&format!("{prefix}{i}")).unwrap(),
                    display_name: DisplayName::parse(&format!("อาสา {prefix} {i}")).unwrap(),
                    email: None,
                    phone: None,
                    home_unit_id: Some(unit),
                    site_admin: false,
                    password_hash: PasswordHashString("not-a-hash".into()),
                })
                .await
                .unwrap();
            store.insert_grant(user.id, role, unit).await.unwrap();
            user.id
        }))
        .await;
        ids.extend(made);
    }
    ids
}

fn day(offset_days: i64, app: &TestApp) -> String {
    let d = app
        .core()
        .clock
        .now()
        .to_offset(khlang_core::text::BANGKOK)
        .date()
        + time::Duration::days(offset_days);
    format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year() + 543)
}

/// The form's fields for a cohort of `role` on `units`, run by [`COURSE_UNIT`].
async fn fields(
    app: &TestApp,
    name: &str,
    units: &[&str],
    role: &str,
    step: &str,
) -> Vec<(String, String)> {
    let mut f = vec![
        ("name".to_string(), name.to_string()),
        ("starts".into(), day(0, app)),
        ("ends".into(), day(2, app)),
        ("unit".into(), app.unit_id(COURSE_UNIT).await.to_string()),
        ("role".into(), role.into()),
        ("step".into(), step.into()),
    ];
    for u in units {
        f.push(("units".into(), app.unit_id(u).await.to_string()));
    }
    f
}

async fn post(
    app: &TestApp,
    client: &Client,
    course: CourseId,
    f: &[(String, String)],
) -> khlang_testkit::reqwest::Response {
    let page = format!("/learn/courses/{course}/cohorts/new");
    let pairs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    post_form(app, client, &page, &page, &pairs).await
}

async fn cohort_count(app: &TestApp, officer: &Actor, course: CourseId) -> usize {
    app.core()
        .course_cohorts(officer, course)
        .await
        .unwrap()
        .1
        .len()
}

fn learner(user: UserId) -> Actor {
    Actor::User(khlang_core::org::SignedIn {
        user_id: user,
        site_admin: false,
        grants: vec![],
    })
}

async fn notices_of(app: &TestApp, user: UserId, kind: &str) -> usize {
    let a = learner(user);
    app.core()
        .inbox(&a, 1)
        .await
        .unwrap()
        .items
        .iter()
        .filter(|n| n.kind == kind)
        .count()
}

#[tokio::test]
async fn two_districts_volunteers_are_counted_first_then_enrolled_and_the_report_shows_0_of_n() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "chofficer", false).await;
    let d1 = people(&app, "vola", 3, D01, "viewer").await;
    let d2 = people(&app, "volb", 2, D02, "viewer").await;
    people(&app, "conta", 2, D01, "contributor").await;
    let officer = member(&app, "chofficer2", COURSE_UNIT, "km_officer").await;

    let res = post(
        &app,
        &officer,
        f.course,
        &fields(&app, "รุ่นที่ 1/2570", &[D01, D02], "viewer", "preview").await,
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(html.contains("จะลงทะเบียน 5 คน"), "{html}");
    assert!(html.contains("ยืนยันลงทะเบียน"));
    assert_eq!(
        cohort_count(&app, &f.officer, f.course).await,
        0,
        "a dry run"
    );

    let res = post(
        &app,
        &officer,
        f.course,
        &fields(&app, "รุ่นที่ 1/2570", &[D01, D02], "viewer", "confirm").await,
    )
    .await;
    assert_eq!(res.status(), 303);
    let to = location(&res);
    assert!(
        to.starts_with("/learn/cohorts/") && to.contains("enrolled=5"),
        "{to}"
    );
    let html = body(officer.get(app.url(&to)).send().await.unwrap()).await;
    assert!(html.contains("ลงทะเบียนรุ่นนี้แล้ว 5 คน"), "{html}");
    assert!(html.contains("เรียนจบ 0 จาก 5 คน"));
    assert!(html.contains("ยังไม่เริ่ม 5 คน"));
    assert!(html.contains("<svg"));
    assert!(html.contains("อาสา vola 0") && html.contains("อาสา volb 1"));
    assert!(!html.contains("อาสา conta"), "contributors are not viewers");

    // Drill down to one district: its learners only.
    let id = to
        .trim_start_matches("/learn/cohorts/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let d01 = app.unit_id(D01).await;
    let html = body(
        officer
            .get(app.url(&format!("/learn/cohorts/{id}?unit={d01}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        html.contains("อาสา vola 2") && !html.contains("อาสา volb"),
        "{html}"
    );
    assert!(
        html.contains("เรียนจบ 0 จาก 5 คน"),
        "totals stay the cohort's"
    );
    let res = officer
        .get(app.url(&format!("/learn/cohorts/{id}?status=completed")))
        .send()
        .await
        .unwrap();
    assert!(body(res).await.contains("ไม่มีผู้เรียนตามเงื่อนไขนี้"));

    let res = officer
        .get(app.url(&format!("/learn/cohorts/{id}.xlsx")))
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

    let list = body(
        officer
            .get(app.url(&format!("/learn/courses/{}/cohorts", f.course)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(list.contains("รุ่นที่ 1/2570"));
    for u in d1.iter().chain(&d2) {
        assert_eq!(notices_of(&app, *u, "cohort_enrolled").await, 1);
    }
    app.stop().await;
}

#[tokio::test]
async fn only_officers_of_the_cohorts_unit_and_above_see_its_report_and_enrol_their_own_units() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "chauth", false).await;
    people(&app, "volz", 2, D01, "viewer").await;
    let created = app
        .core()
        .create_cohort(
            &f.officer,
            f.course,
            &khlang_core::learning::cohorts::model::CohortInput {
                name: "รุ่นทดสอบสิทธิ์".into(),
                starts: day(0, &app),
                ends: day(10, &app),
                unit: app.unit_id(COURSE_UNIT).await.to_string(),
                units: vec![app.unit_id(D01).await.to_string()],
                subtree: false,
                role: "viewer".into(),
            },
        )
        .await
        .unwrap();
    let report = format!("/learn/cohorts/{}", created.id);

    let anonymous = app.client();
    let res = anonymous.get(app.url(&report)).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(location(&res).contains("/login"));

    let learner = member(&app, "chlearner", D01, "viewer").await;
    assert_eq!(
        learner.get(app.url(&report)).send().await.unwrap().status(),
        403
    );

    let stranger = member(&app, "chstranger", OTHER_PROVINCE, "km_officer").await;
    assert_eq!(
        stranger
            .get(app.url(&report))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        stranger
            .get(app.url(&format!("{report}.xlsx")))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    let below = member(&app, "chdistrict", D01, "km_officer").await;
    assert_eq!(
        below.get(app.url(&report)).send().await.unwrap().status(),
        403
    );

    let own = member(&app, "chown", COURSE_UNIT, "km_officer").await;
    assert_eq!(
        own.get(app.url(&report)).send().await.unwrap().status(),
        200
    );
    let parent = member(&app, "chparent", "CDD", "km_officer").await;
    assert_eq!(
        parent.get(app.url(&report)).send().await.unwrap().status(),
        200
    );

    // Enrolling: another province's officer may not take our districts' people; a learner
    // may not open the form.
    let res = post(
        &app,
        &stranger,
        f.course,
        &fields(&app, "รุ่นแทรก", &[D01], "viewer", "confirm").await,
    )
    .await;
    assert_eq!(res.status(), 403);
    let form = format!("/learn/courses/{}/cohorts/new", f.course);
    assert_eq!(
        learner.get(app.url(&form)).send().await.unwrap().status(),
        403
    );
    assert_eq!(cohort_count(&app, &f.officer, f.course).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn bad_cohorts_say_why_in_thai_and_change_nothing() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "chbad", false).await;
    let volunteers = people(&app, "volbad", 2, D01, "viewer").await;
    let officer = member(&app, "chbad2", COURSE_UNIT, "km_officer").await;

    let mut ends_first = fields(&app, "รุ่นย้อนหลัง", &[D01], "viewer", "confirm").await;
    for (k, v) in ends_first.iter_mut() {
        if k == "ends" {
            *v = day(-3, &app);
        }
    }
    let res = post(&app, &officer, f.course, &ends_first).await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("วันสิ้นสุดต้องไม่ก่อนวันเริ่มเรียน"));
    assert!(html.contains("รุ่นย้อนหลัง"), "what was typed is kept");

    let res = post(
        &app,
        &officer,
        f.course,
        &fields(&app, "ไม่มีหน่วยงาน", &[], "viewer", "confirm").await,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาเลือกหน่วยงานของผู้เรียน"));

    let res = post(
        &app,
        &officer,
        f.course,
        &fields(&app, "ไม่มีใคร", &[D03], "admin", "confirm").await,
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไม่พบผู้ที่มีบทบาทที่เลือก"));

    // A district officer reaches only their own district.
    let district = member(&app, "chbad3", D02, "km_officer").await;
    let mut theirs = fields(&app, "ข้ามอำเภอ", &[D01], "viewer", "confirm").await;
    for (k, v) in theirs.iter_mut() {
        if k == "unit" {
            *v = app.unit_id(D02).await.to_string();
        }
    }
    assert_eq!(post(&app, &district, f.course, &theirs).await.status(), 403);

    assert_eq!(cohort_count(&app, &f.officer, f.course).await, 0);
    for u in volunteers {
        assert_eq!(notices_of(&app, u, "cohort_enrolled").await, 0);
    }
    app.stop().await;
}

#[tokio::test]
async fn overlapping_cohorts_keep_one_enrolment_each() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "chover", false).await;
    people(&app, "ova", 3, D01, "viewer").await;
    people(&app, "ovb", 2, D02, "viewer").await;
    let officer = member(&app, "chover2", COURSE_UNIT, "km_officer").await;
    let res = post(
        &app,
        &officer,
        f.course,
        &fields(&app, "รุ่นแรก", &[D01], "viewer", "confirm").await,
    )
    .await;
    assert!(location(&res).contains("enrolled=3"));
    let res = post(
        &app,
        &officer,
        f.course,
        &fields(&app, "รุ่นสอง", &[D01, D02], "viewer", "preview").await,
    )
    .await;
    let html = body(res).await;
    assert!(
        html.contains("จะลงทะเบียน 2 คน") && html.contains("ลงทะเบียนไว้แล้ว 3 คน"),
        "{html}"
    );
    let res = post(
        &app,
        &officer,
        f.course,
        &fields(&app, "รุ่นสอง", &[D01, D02], "viewer", "confirm").await,
    )
    .await;
    let to = location(&res);
    assert!(to.contains("enrolled=2&already=3"), "{to}");
    let html = body(officer.get(app.url(&to)).send().await.unwrap()).await;
    assert!(html.contains("ลงทะเบียนไว้แล้ว 3 คน"));
    assert!(html.contains("เรียนจบ 0 จาก 2 คน"));
    // Nobody new: refused, no empty cohort.
    let again = fields(&app, "รุ่นซ้ำ", &[D01], "viewer", "confirm").await;
    let res = post(&app, &officer, f.course, &again).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ลงทะเบียนรายวิชานี้ไว้แล้ว"));
    let (_, list) = app
        .core()
        .course_cohorts(&f.officer, f.course)
        .await
        .unwrap();
    assert_eq!(list.len(), 2);
    let sizes: u32 = list.iter().map(|c| c.cohort.size).sum();
    assert_eq!(sizes, 5, "five people, one enrolment each");
    app.stop().await;
}

#[tokio::test]
async fn a_large_cohort_enrols_in_one_go() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "chbig", false).await;
    let n = 5000;
    let t = Instant::now();
    people(&app, "big", n / 2, D01, "viewer").await;
    people(&app, "bih", n / 2, D02, "viewer").await;
    eprintln!("{n} people made in {:?}", t.elapsed());
    let officer = member(&app, "chbig2", COURSE_UNIT, "km_officer").await;
    let t = Instant::now();
    let res = post(
        &app,
        &officer,
        f.course,
        &fields(&app, "รุ่นใหญ่", &[COURSE_UNIT], "viewer", "confirm")
            .await
            .into_iter()
            .chain([("subtree".to_string(), "1".to_string())])
            .collect::<Vec<_>>(),
    )
    .await;
    eprintln!("{n} enrolled in {:?}", t.elapsed());
    assert_eq!(res.status(), 303);
    assert!(
        location(&res).contains(&format!("enrolled={n}")),
        "{}",
        location(&res)
    );
    let html = body(officer.get(app.url(&location(&res))).send().await.unwrap()).await;
    assert!(html.contains("เรียนจบ 0 จาก 5,000 คน"));
    assert!(html.contains("หน้า 1 จาก 100"));
    app.stop().await;
}

#[tokio::test]
async fn reminders_before_a_cohort_ends_go_once_with_two_sweeps_racing() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "chremind", false).await;
    let volunteers = people(&app, "rem", 3, D01, "viewer").await;
    let officer = actor(&app, "chremind2", "km_officer", COURSE_UNIT).await;
    let input = |ends: String, name: &str, units: Vec<String>| {
        khlang_core::learning::cohorts::model::CohortInput {
            name: name.into(),
            starts: day(0, &app),
            ends,
            unit: String::new(),
            units,
            subtree: false,
            role: "viewer".into(),
        }
    };
    let unit = app.unit_id(COURSE_UNIT).await.to_string();
    let d01 = app.unit_id(D01).await.to_string();
    let mut i = input(day(2, &app), "รุ่นใกล้ปิด", vec![d01.clone()]);
    i.unit = unit.clone();
    app.core()
        .create_cohort(&officer, f.course, &i)
        .await
        .unwrap();
    // A cohort ending later sends nothing yet.
    let later = people(&app, "lat", 1, D02, "viewer").await;
    let mut j = input(
        day(20, &app),
        "รุ่นยังไม่ปิด",
        vec![app.unit_id(D02).await.to_string()],
    );
    j.unit = unit;
    app.core()
        .create_cohort(&officer, f.course, &j)
        .await
        .unwrap();

    let other = spawn_node_beside(&app).await;
    let now = app.core().clock.now();
    let (a, b) = tokio::join!(
        app.core().send_cohort_reminders(now),
        other.core().send_cohort_reminders(now)
    );
    a.unwrap();
    b.unwrap();
    app.core().send_cohort_reminders(now).await.unwrap();
    for u in &volunteers {
        assert_eq!(notices_of(&app, *u, "cohort_ending").await, 1);
    }
    assert_eq!(notices_of(&app, later[0], "cohort_ending").await, 0);
    let a = learner(volunteers[0]);
    let inbox = app.core().inbox(&a, 1).await.unwrap();
    let n = inbox
        .items
        .iter()
        .find(|n| n.kind == "cohort_ending")
        .unwrap();
    assert!(
        n.title.contains("เหลืออีก 3 บทเรียน") && n.title.contains("25"),
        "{}",
        n.title
    );
    other.stop().await;
    app.stop().await;
}
