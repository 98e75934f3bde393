//! Issue 14, course packages: export a course as a ZIP, check and import it into another
//! unit (all or nothing, once per package and unit), and the Thai answers to broken packages.
//! Both backends (KHLANG_TEST_DATABASE_URL for PostgreSQL).

use super::learning_fixture::{COURSE_UNIT, actor, three_lesson_course};
use khlang_core::file::RangeRequest;
use khlang_core::ids::{ItemId, UnitId};
use khlang_core::item::{ItemInput, Transition};
use khlang_core::learning::courses::package::format::{self, FORMAT, MANIFEST};
use khlang_core::learning::model::{Lesson, LessonBody, LessonFields, QuestionFields};
use khlang_core::org::Actor;
use khlang_core::ports::ItemFilter;
use khlang_testkit::{PASSWORD, TestApp, spawn_app};
use reqwest::multipart::{Form, Part};

/// The unit the package is imported into.
const OTHER_UNIT: &str = "CDD-P-40";
const PDF: &[u8] = b"%PDF-1.4\n% khlang package test\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

async fn signed_in(app: &TestApp, name: &str, role: &str, unit: &str) -> reqwest::Client {
    app.user_with_role(name, unit, role).await;
    app.sign_in(name, PASSWORD).await
}

/// Adds a fourth lesson: a published item of the course's unit with a PDF attached.
async fn add_item_with_file(app: &TestApp, officer: &Actor, course: khlang_core::ids::CourseId) {
    let core = app.core();
    let item = core
        .create_item(
            officer,
            &ItemInput {
                title: "แบบบันทึกการถอดบทเรียน".into(),
                summary: "แบบฟอร์มสำหรับ อสม.".into(),
                body: "ใช้หลังกิจกรรมทุกครั้ง".into(),
                unit_id: app.unit_id(COURSE_UNIT).await.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let body = futures::stream::once(async { Ok(bytes::Bytes::from_static(PDF)) });
    core.attach_file(officer, item.id, "แบบบันทึก.pdf", Box::pin(body), 1 << 20)
        .await
        .unwrap();
    let reviewer = actor(app, "pkgreviewer", "reviewer", COURSE_UNIT).await;
    core.transition(officer, item.id, Transition::Submit, "")
        .await
        .unwrap();
    core.transition(&reviewer, item.id, Transition::Approve, "")
        .await
        .unwrap();
    core.add_lesson(
        officer,
        course,
        LessonFields {
            title: "แบบบันทึก".into(),
            body: LessonBody::Item(item.id),
            required: false,
            minutes: 15,
        },
    )
    .await
    .unwrap();
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    unit: i64,
    step: &str,
    zip: &[u8],
) -> reqwest::Response {
    let csrf = app.csrf(c, "/learn/manage/import").await;
    let form = Form::new()
        .text("csrf", csrf)
        .text("unit", unit.to_string())
        .text("step", step.to_string())
        .part(
            "file",
            Part::bytes(zip.to_vec())
                .file_name("course.zip")
                .mime_str("application/zip")
                .unwrap(),
        );
    c.post(app.url("/learn/manage/import"))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn live(app: &TestApp, who: &Actor, course: khlang_core::ids::CourseId) -> Vec<Lesson> {
    app.core()
        .course_outline(who, course)
        .await
        .unwrap()
        .lessons
}

async fn bank(
    app: &TestApp,
    who: &Actor,
    lesson: khlang_core::ids::LessonId,
) -> Vec<QuestionFields> {
    let (_, _, qs) = app.core().quiz_for_edit(who, lesson).await.unwrap();
    qs.into_iter().map(|q| q.fields).collect()
}

async fn item_count(app: &TestApp) -> u64 {
    app.core()
        .knowledge
        .list_items(&ItemFilter::default(), 1, 1)
        .await
        .unwrap()
        .total
}

async fn courses_in(app: &TestApp, who: &Actor) -> Vec<khlang_core::learning::model::Course> {
    app.core().course_desk(who).await.unwrap().courses
}

#[tokio::test]
async fn an_exported_course_imports_into_another_unit_once_with_the_same_lessons_bank_and_files() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "pkgown", true).await;
    add_item_with_file(&app, &f.officer, f.course).await;
    let owner = app.sign_in("pkgown", PASSWORD).await;
    let res = owner
        .get(app.url(&format!("/learn/courses/{}/package.zip", f.course.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let zip = res.bytes().await.unwrap().to_vec();
    let again = owner
        .get(app.url(&format!("/learn/courses/{}/package.zip", f.course.0)))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(zip, again.to_vec(), "two exports are the same package");

    let other_actor = actor(&app, "pkgother", "km_officer", OTHER_UNIT).await;
    let other = app.sign_in("pkgother", PASSWORD).await;
    let unit = app.unit_id(OTHER_UNIT).await;
    let items_before = item_count(&app).await;
    let check = upload(&app, &other, unit, "check", &zip).await;
    assert_eq!(check.status(), 200);
    let html = check.text().await.unwrap();
    assert!(html.contains("แพ็กเกจถูกต้อง นำเข้าได้"), "{html}");
    assert!(html.contains("4 บทเรียน: องค์ความรู้ 2 · เนื้อหา 1 · แบบทดสอบ 1"));
    assert!(html.contains("แบบบันทึก.pdf"));
    assert!(
        courses_in(&app, &other_actor).await.is_empty(),
        "a check writes nothing"
    );
    assert_eq!(item_count(&app).await, items_before);

    let done = upload(&app, &other, unit, "import", &zip).await;
    assert_eq!(done.status(), 303);
    let to = done.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("/edit?done=imported"), "{to}");
    let page = other
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("นำเข้ารายวิชาจากแพ็กเกจเป็นฉบับร่างแล้ว"));

    let mine = courses_in(&app, &other_actor).await;
    assert_eq!(mine.len(), 1);
    let copy = &mine[0];
    let original = app
        .core()
        .course_outline(&f.officer, f.course)
        .await
        .unwrap()
        .course;
    assert_eq!(copy.fields.title, original.fields.title);
    assert_eq!(copy.fields.unit_id, UnitId(unit));
    assert_eq!(copy.status.as_str(), "draft");
    assert_eq!(
        copy.origin.as_deref().unwrap(),
        format!(
            "khlang:{}:{}",
            f.course.0,
            original.created_at.unix_timestamp_nanos() / 1_000_000
        )
    );
    let (a, b) = (
        live(&app, &f.officer, f.course).await,
        live(&app, &other_actor, copy.id).await,
    );
    assert_eq!(a.len(), 4);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.fields.title, y.fields.title);
        assert_eq!(x.fields.body.kind(), y.fields.body.kind());
        assert_eq!(
            (x.fields.required, x.fields.minutes),
            (y.fields.required, y.fields.minutes)
        );
        match (&x.fields.body, &y.fields.body) {
            (
                LessonBody::Quiz {
                    intro: i1,
                    rules: r1,
                },
                LessonBody::Quiz {
                    intro: i2,
                    rules: r2,
                },
            ) => {
                assert_eq!((i1, r1), (i2, r2));
                let q1 = bank(&app, &f.officer, x.id).await;
                let q2 = bank(&app, &other_actor, y.id).await;
                assert_eq!(q1.len(), 5);
                assert_eq!(q1, q2, "prompts, choices, correct flags and feedback");
            }
            (LessonBody::Item(i1), LessonBody::Item(i2)) => {
                assert_ne!(i1, i2, "the import makes its own draft item");
                let copy_item = app.core().knowledge.get_item(*i2).await.unwrap();
                let orig_item = app.core().knowledge.get_item(*i1).await.unwrap();
                assert_eq!(copy_item.fields.title, orig_item.fields.title);
                assert_eq!(copy_item.fields.unit_id, UnitId(unit));
                assert_eq!(copy_item.status.as_str(), "draft");
                assert_eq!(
                    file_bytes(&app, &f.officer, *i1).await,
                    file_bytes(&app, &other_actor, *i2).await
                );
            }
            (p, q) => assert_eq!(p, q),
        }
    }
    let LessonBody::Item(last) = b[3].fields.body else {
        panic!("the fourth lesson is the item with a file")
    };
    assert_eq!(
        file_bytes(&app, &other_actor, last).await,
        vec![("แบบบันทึก.pdf".to_string(), PDF.to_vec())]
    );
    assert_eq!(item_count(&app).await, items_before + 2);

    // The same package again: nothing new, and the officer is sent to the course made before.
    let twice = upload(&app, &other, unit, "import", &zip).await;
    assert_eq!(twice.status(), 303);
    assert_eq!(
        twice.headers()["location"],
        format!("/learn/courses/{}/edit?done=exists", copy.id.0).as_str()
    );
    assert_eq!(courses_in(&app, &other_actor).await.len(), 1);
    assert_eq!(item_count(&app).await, items_before + 2);
    let check = upload(&app, &other, unit, "check", &zip)
        .await
        .text()
        .await
        .unwrap();
    assert!(check.contains("เคยนำเข้าหน่วยงานนี้แล้ว"));
    app.stop().await;
}

/// The names and bytes of an item's current files.
async fn file_bytes(app: &TestApp, who: &Actor, item: ItemId) -> Vec<(String, Vec<u8>)> {
    use futures::StreamExt;
    let mut out = Vec::new();
    for f in app.core().knowledge.item_files(item).await.unwrap() {
        if !f.current {
            continue;
        }
        let (_, _, mut s) = app
            .core()
            .open_file(who, f.id, RangeRequest::Full)
            .await
            .unwrap();
        let mut b = Vec::new();
        while let Some(c) = s.next().await {
            b.extend_from_slice(&c.unwrap());
        }
        out.push((f.name, b));
    }
    out
}

fn manifest_json(format: &str, file: Option<&str>) -> String {
    let item = match file {
        Some(path) => format!(
            r#",{{"kind":"item","title":"คู่มือ","item":{{"title":"คู่มือ","files":[{{"name":"a.pdf","path":"{path}","size":10}}]}}}}"#
        ),
        None => String::new(),
    };
    format!(
        r#"{{"format":"{format}","package_id":"hand-made-1","course":{{"title":"รายวิชาทำมือ"}},
        "lessons":[{{"kind":"text","title":"อ่านก่อน","text":"สวัสดี"}}{item}]}}"#
    )
}

#[tokio::test]
async fn broken_packages_are_refused_in_thai_with_nothing_created() {
    let app = spawn_app().await;
    let me = actor(&app, "pkgbad", "km_officer", OTHER_UNIT).await;
    let officer = app.sign_in("pkgbad", PASSWORD).await;
    let unit = app.unit_id(OTHER_UNIT).await;
    let items = item_count(&app).await;
    let zip = |entries: &[(&str, &[u8])]| format::write_entries(entries).unwrap();
    let good = manifest_json(FORMAT, Some("files/2/a.pdf"));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not a zip at all".to_vec(), "ไม่ใช่แพ็กเกจรายวิชา"),
        (b"PK\x03\x04broken".to_vec(), "เปิดไฟล์ ZIP ไม่ได้"),
        (zip(&[("readme.txt", b"hello")]), "ไม่พบไฟล์ course.json"),
        (zip(&[(MANIFEST, b"{ not json")]), "ไม่ใช่ JSON ที่ถูกต้อง"),
        (
            zip(&[(MANIFEST, manifest_json("khlang-course/9", None).as_bytes())]),
            "แพ็กเกจนี้เป็นรุ่น khlang-course/9",
        ),
        (
            zip(&[(MANIFEST, good.as_bytes())]),
            "ไม่พบไฟล์ files/2/a.pdf ในแพ็กเกจ",
        ),
    ];
    for (bytes, want) in cases {
        for step in ["check", "import"] {
            let res = upload(&app, &officer, unit, step, &bytes).await;
            assert_eq!(res.status(), 422, "{want}");
            let html = res.text().await.unwrap();
            assert!(html.contains(want), "{want}: {html}");
            assert!(html.contains("ยังไม่มีสิ่งใดถูกบันทึก"));
        }
    }
    assert!(courses_in(&app, &me).await.is_empty());
    assert_eq!(item_count(&app).await, items);
    // The hand-made package with its file is fine.
    let ok = zip(&[(MANIFEST, good.as_bytes()), ("files/2/a.pdf", PDF)]);
    let res = upload(&app, &officer, unit, "import", &ok).await;
    assert_eq!(res.status(), 303);
    assert_eq!(courses_in(&app, &me).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn only_the_courses_officers_export_and_import_goes_only_into_units_i_manage() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "pkgauth", true).await;
    let path = format!("/learn/courses/{}/package.zip", f.course.0);
    let anon = app.client().get(app.url(&path)).send().await.unwrap();
    assert!(anon.status().is_redirection(), "anonymous goes to sign in");
    let contributor = signed_in(&app, "pkgcontrib", "contributor", COURSE_UNIT).await;
    let other = signed_in(&app, "pkgoth", "km_officer", OTHER_UNIT).await;
    let owner = app.sign_in("pkgauth", PASSWORD).await;
    for (c, want) in [(&contributor, 403), (&other, 403), (&owner, 200)] {
        let r = c.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), want);
    }
    let zip = owner
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    // The import page is for officers; the contributor gets 403.
    let r = contributor
        .get(app.url("/learn/manage/import"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // The other unit's officer may not import into the course's unit.
    let res = upload(&app, &other, app.unit_id(COURSE_UNIT).await, "import", &zip).await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("นำเข้าได้เฉพาะหน่วยงานที่ท่านดูแล")
    );
    assert_eq!(courses_in(&app, &f.officer).await.len(), 1);
    app.stop().await;
}

/// Two officers' presses of "นำเข้ารายวิชา" at the same moment, on two processes: one course.
#[tokio::test]
async fn two_imports_of_one_package_at_once_make_one_course() {
    use khlang_core::learning::courses::package::ImportOutcome;
    let app = spawn_app().await;
    let other = khlang_testkit::spawn_node_beside(&app).await;
    let f = three_lesson_course(&app, "pkgrace", false).await;
    let limit = 50 * 1024 * 1024;
    let (_, bytes) = app
        .core()
        .course_package(&f.officer, f.course, limit)
        .await
        .unwrap();
    let importer = actor(&app, "pkgrace_in", "km_officer", OTHER_UNIT).await;
    let unit = UnitId(app.unit_id(OTHER_UNIT).await);
    let (a, b) = tokio::join!(
        app.core()
            .import_course_package(&importer, unit, &bytes, limit),
        other
            .core()
            .import_course_package(&importer, unit, &bytes, limit)
    );
    let ids: Vec<_> = [a, b]
        .into_iter()
        .filter_map(|r| match r {
            Ok(ImportOutcome::Created { course, .. }) => Some((course, true)),
            Ok(ImportOutcome::Existing(course)) => Some((course, false)),
            // The second waited out the lease: refused in Thai, nothing made.
            Err(khlang_core::DomainError::Conflict(_)) => None,
            Err(e) => panic!("{e}"),
        })
        .collect();
    assert_eq!(
        ids.iter().filter(|(_, created)| *created).count(),
        1,
        "{ids:?}"
    );
    assert!(ids.windows(2).all(|w| w[0].0 == w[1].0), "{ids:?}");
    other.stop().await;
    app.stop().await;
}
