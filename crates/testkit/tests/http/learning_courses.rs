//! Issue 14, courses room: curricula, courses, lessons and question banks; the catalogue;
//! publishing checks and withdrawing. Both backends (KHLANG_TEST_DATABASE_URL for PostgreSQL).

use super::learning_fixture::{COURSE_UNIT, actor, published_item, three_lesson_course};
use khlang_core::DomainError;
use khlang_core::ids::UnitId;
use khlang_core::item::Transition;
use khlang_core::learning::model::{CourseFields, CourseStatus};
use khlang_testkit::{PASSWORD, TestApp, spawn_app};

async fn signed_in(app: &TestApp, name: &str, role: &str, unit: &str) -> reqwest::Client {
    app.user_with_role(name, unit, role).await;
    app.sign_in(name, PASSWORD).await
}

async fn csrf(app: &TestApp, c: &reqwest::Client) -> String {
    app.csrf(c, "/learn/manage").await
}

#[tokio::test]
async fn the_fixture_course_is_published_with_three_lessons_and_five_questions() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "lcofficer", true).await;
    let outline = app
        .core()
        .course_outline(&f.officer, f.course)
        .await
        .unwrap();
    assert_eq!(outline.lessons.len(), 3);
    assert_eq!(outline.course.status, CourseStatus::Published);
    let cat = app
        .core()
        .catalogue(&khlang_core::org::Actor::Anonymous)
        .await
        .unwrap();
    assert_eq!(cat.len(), 1);
    assert!(cat[0].curriculum.is_none());
    assert_eq!(cat[0].courses[0].id, f.course);
    app.stop().await;
}

#[tokio::test]
async fn only_the_units_officers_build_and_withdraw_courses() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "lcown", true).await;
    let id = f.course.0;
    let anon = app.client();
    let res = anon.get(app.url("/learn/manage")).send().await.unwrap();
    assert!(res.status().is_redirection(), "anonymous goes to sign in");
    let contributor = signed_in(&app, "lccontrib", "contributor", COURSE_UNIT).await;
    let other = signed_in(&app, "lcother", "km_officer", "CDD-P-40").await;
    let officer = signed_in(&app, "lcoff2", "km_officer", COURSE_UNIT).await;
    let admin = app.admin().await;
    for (c, want) in [
        (&contributor, 403),
        (&other, 403),
        (&officer, 200),
        (&admin, 200),
    ] {
        let r = c
            .get(app.url(&format!("/learn/courses/{id}/edit")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), want);
    }
    assert_eq!(
        contributor
            .get(app.url("/learn/manage"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // Withdraw: refused to others; a reason is required; then done, and learners are told.
    let token = app.csrf(&other, "/").await;
    let r = other
        .post(app.url(&format!("/learn/courses/{id}/withdraw")))
        .form(&[("csrf", token.as_str()), ("reason", "ทดสอบ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let token = csrf(&app, &officer).await;
    let r = officer
        .post(app.url(&format!("/learn/courses/{id}/withdraw")))
        .form(&[("csrf", token.as_str()), ("reason", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("กรุณาระบุเหตุผล"));
    let r = officer
        .post(app.url(&format!("/learn/courses/{id}/withdraw")))
        .form(&[("csrf", token.as_str()), ("reason", "ปรับปรุงเนื้อหา")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let outline = app
        .core()
        .course_outline(&f.officer, f.course)
        .await
        .unwrap();
    assert_eq!(outline.course.status, CourseStatus::Withdrawn);
    assert_eq!(outline.lessons.len(), 3, "nothing is deleted");
    let changes = app
        .core()
        .course_changes(&khlang_core::org::Actor::Anonymous, f.course)
        .await
        .unwrap();
    assert!(changes[0].what.contains("ปรับปรุงเนื้อหา"));
    assert!(app.core().catalogue(&f.officer).await.unwrap().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn a_course_is_built_through_the_pages_and_checked_before_publishing() {
    let app = spawn_app().await;
    let officer = signed_in(&app, "lcbuild", "km_officer", COURSE_UNIT).await;
    let unit = app.unit_id(COURSE_UNIT).await.to_string();
    let token = csrf(&app, &officer).await;
    // Empty title: the form again, as typed, with a Thai message.
    let r = officer
        .post(app.url("/learn/manage/courses/new"))
        .form(&[
            ("csrf", token.as_str()),
            ("title", ""),
            ("unit_id", unit.as_str()),
            ("summary", "ย่อ"),
            ("hours", "๑"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("กรุณากรอกชื่อ") && html.contains(">ย่อ</textarea>"));
    let r = officer
        .post(app.url("/learn/manage/courses/new"))
        .form(&[
            ("csrf", token.as_str()),
            ("title", "วิชาทดสอบ"),
            ("unit_id", unit.as_str()),
            ("hours", "๑"),
            ("minutes", "30"),
            ("sequential", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = loc.split('/').nth(3).unwrap().parse().unwrap();
    // Publishing an empty course: a Thai list of what is missing.
    let r = officer
        .post(app.url(&format!("/learn/courses/{id}/publish")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("รายวิชายังไม่มีบทเรียน"));
    // A quiz drawing 3 from an empty bank.
    let r = officer
        .post(app.url(&format!("/learn/courses/{id}/lessons/new")))
        .form(&[
            ("csrf", token.as_str()),
            ("kind", "quiz"),
            ("title", "แบบทดสอบ"),
            ("pass_percent", "๘๐"),
            ("draw", "3"),
            ("required", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let quiz: i64 = r.headers()["location"]
        .to_str()
        .unwrap()
        .split('/')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    // A question with no correct answer is refused, typed text kept.
    let r = officer
        .post(app.url(&format!("/learn/lessons/{quiz}/questions")))
        .form(&[
            ("csrf", token.as_str()),
            ("kind", "single"),
            ("prompt", "ข้อใดถูก"),
            ("c1_text", "ก"),
            ("c2_text", "ข"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("กรุณาเลือกคำตอบที่ถูก") && html.contains("ข้อใดถูก"));
    let r = officer
        .post(app.url(&format!("/learn/lessons/{quiz}/questions")))
        .form(&[
            ("csrf", token.as_str()),
            ("kind", "true_false"),
            ("prompt", "น้ำเดือดที่ ๑๐๐ องศา"),
            ("c1_correct", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = officer
        .post(app.url(&format!("/learn/courses/{id}/publish")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("คลังข้อสอบมีเพียง 1 ข้อ"));
    // Saving a draw larger than the bank is refused too.
    let r = officer
        .post(app.url(&format!("/learn/lessons/{quiz}/edit")))
        .form(&[
            ("csrf", token.as_str()),
            ("title", "แบบทดสอบ"),
            ("pass_percent", "80"),
            ("draw", "5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let r = officer
        .post(app.url(&format!("/learn/lessons/{quiz}/edit")))
        .form(&[
            ("csrf", token.as_str()),
            ("title", "แบบทดสอบ"),
            ("pass_percent", "80"),
            ("draw", ""),
            ("required", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let r = officer
        .post(app.url(&format!("/learn/courses/{id}/publish")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = officer
        .get(app.url("/learn/manage"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("วิชาทดสอบ") && page.contains("เปิดสอน"));
    app.stop().await;
}

#[tokio::test]
async fn drafts_are_hidden_and_unpublished_items_make_lessons_unavailable() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "lcitem", true).await;
    let core = app.core();
    let draft = core
        .create_course(
            &f.officer,
            CourseFields {
                curriculum_id: None,
                title: "ร่าง".into(),
                summary: String::new(),
                unit_id: UnitId(app.unit_id(COURSE_UNIT).await),
                minutes: 0,
                open: true,
                sequential: false,
                qualifies_trainers: false,
            },
        )
        .await
        .unwrap();
    let other = actor(&app, "lcoth", "km_officer", "CDD-P-40").await;
    assert!(matches!(
        core.course_outline(&other, draft).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        core.course_workbench(&other, draft).await,
        Err(DomainError::NotFound)
    ));
    assert!(matches!(
        core.create_course(
            &other,
            CourseFields {
                curriculum_id: None,
                title: "x".into(),
                summary: String::new(),
                unit_id: UnitId(app.unit_id(COURSE_UNIT).await),
                minutes: 0,
                open: true,
                sequential: false,
                qualifies_trainers: false,
            }
        )
        .await,
        Err(DomainError::Forbidden)
    ));
    // Archive the item: its lesson is shown unavailable.
    let _ = published_item;
    core.transition(&f.officer, f.item, Transition::Archive, "เนื้อหาเก่า")
        .await
        .unwrap();
    let outline = core.course_outline(&f.officer, f.course).await.unwrap();
    assert_eq!(outline.unavailable, vec![f.lessons[0]]);
    app.stop().await;
}

/// `khlang demo` also opens seed 003's online KM training as a course over the demo items, once.
#[tokio::test]
async fn the_demo_loads_seed_003s_online_training_as_a_course_once() {
    let app = spawn_app().await;
    let admin = app
        .create_user("demoadmin", khlang_testkit::PASSWORD, true)
        .await;
    app.core().load_demo(admin.id).await.unwrap();
    app.core().load_demo(admin.id).await.unwrap();
    let anyone = khlang_core::org::Actor::Anonymous;
    let demo: Vec<_> = app
        .core()
        .catalogue(&anyone)
        .await
        .unwrap()
        .into_iter()
        .flat_map(|e| e.courses)
        .filter(|c| c.origin.as_deref() == Some("demo:cdd-km-online-1.2"))
        .collect();
    assert_eq!(demo.len(), 1);
    let outline = app
        .core()
        .course_outline(&anyone, demo[0].id)
        .await
        .unwrap();
    assert_eq!(outline.lessons.len(), 4);
    assert!(outline.unavailable.is_empty());
    let res = app
        .client()
        .get(app.url(&format!("/learn/courses/{}", demo[0].id.0)))
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("เพิ่มทักษะการจัดการความรู้ในงานพัฒนาชุมชน"), "{html}");
    app.stop().await;
}
