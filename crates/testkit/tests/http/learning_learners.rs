//! Issue 14, learners room: enrolling, one lesson per screen, quizzes and attempts, completion
//! with its certificate on /c/ and on the learner's profile, the trainer directory.

use super::learning_fixture::{COURSE_UNIT, actor, five_questions, three_lesson_course};
use super::{body, location, post_form};
use khlang_core::ids::{CourseId, LessonId, UnitId};
use khlang_core::learning::model::{
    CourseFields, LessonBody, LessonFields, QuestionFields, QuizRules,
};
use khlang_core::org::Actor;
use khlang_testkit::{PASSWORD, TestApp, spawn_app};
use reqwest::Client;

/// A learner (viewer of another unit), signed in, with their core actor.
async fn learner(app: &TestApp, name: &str) -> (Client, Actor, khlang_core::account::User) {
    let user = app.user_with_role(name, "CDD-P-40", "viewer").await;
    let a = app.core().actor_for(&user).await.unwrap();
    (app.sign_in(name, PASSWORD).await, a, user)
}

async fn get(app: &TestApp, c: &Client, path: &str) -> (u16, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    (res.status().as_u16(), body(res).await)
}

async fn post(app: &TestApp, c: &Client, page: &str, action: &str) -> reqwest::Response {
    post_form(app, c, page, action, &[]).await
}

/// The fields that answer the learner's open paper: right (`true`) or all wrong.
async fn answers(
    app: &TestApp,
    a: &Actor,
    quiz: LessonId,
    right: bool,
) -> (i64, Vec<(String, String)>) {
    let s = app.core().open_lesson(a, quiz).await.unwrap();
    let q = app.core().quiz_state(&s).await.unwrap();
    let paper = q.open.expect("an open paper");
    let fields = paper
        .questions
        .iter()
        .map(|pq| {
            let pick = pq
                .choices
                .iter()
                .find(|(_, c)| c.correct == right)
                .map(|(i, _)| *i)
                .unwrap();
            (format!("q{}", pq.number - 1), pick.to_string())
        })
        .collect();
    (paper.attempt.id.0, fields)
}

async fn submit(
    app: &TestApp,
    c: &Client,
    quiz: LessonId,
    attempt: i64,
    fields: &[(String, String)],
) -> reqwest::Response {
    let page = format!("/learn/lessons/{}", quiz.0);
    let f: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    post_form(
        app,
        c,
        &page,
        &format!("/learn/lessons/{}/attempts/{attempt}", quiz.0),
        &f,
    )
    .await
}

async fn start(app: &TestApp, c: &Client, quiz: LessonId) -> reqwest::Response {
    let page = format!("/learn/lessons/{}", quiz.0);
    post(app, c, &page, &format!("{page}/attempts")).await
}

async fn done(app: &TestApp, c: &Client, lesson: LessonId) -> reqwest::Response {
    let page = format!("/learn/lessons/{}", lesson.0);
    post(app, c, &page, &format!("{page}/done")).await
}

async fn enrol(app: &TestApp, c: &Client, course: CourseId) {
    let page = format!("/learn/courses/{}", course.0);
    let res = post(app, c, &page, &format!("{page}/enrol")).await;
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn a_learner_walks_the_course_fails_the_quiz_once_passes_and_gets_a_verifiable_certificate() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "lw.officer", true).await;
    let (c, a, user) = learner(&app, "lw.learner").await;
    let (status, html) = get(&app, &c, &format!("/learn/courses/{}", f.course.0)).await;
    assert_eq!(status, 200);
    assert!(html.contains("ลงทะเบียนเรียน"), "{html}");
    enrol(&app, &c, f.course).await;
    // Twice is the same enrolment, no error page.
    enrol(&app, &c, f.course).await;
    let (_, html) = get(&app, &c, "/learn").await;
    assert!(
        html.contains("เรียนต่อ") && html.contains(&format!("/learn/lessons/{}", f.lessons[0].0))
    );
    // Sequential: the quiz is locked and refuses a start.
    let (status, html) = get(&app, &c, &format!("/learn/lessons/{}", f.quiz.0)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("ยังไม่เปิด") && html.contains(&format!("/learn/lessons/{}", f.lessons[0].0))
    );
    let res = start(&app, &c, f.quiz).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("กรุณาเรียน"));
    // The item lesson, then the text lesson.
    let (_, html) = get(&app, &c, &format!("/learn/lessons/{}", f.lessons[0].0)).await;
    assert!(
        html.contains("บทที่ ๑/๓") && html.contains("ดูจบแล้ว"),
        "{html}"
    );
    let res = done(&app, &c, f.lessons[0]).await;
    assert_eq!(location(&res), format!("/learn/lessons/{}", f.lessons[1].0));
    // Done twice: no error, counted once.
    let res = done(&app, &c, f.lessons[0]).await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&app, &c, "/learn").await;
    assert!(
        html.contains(&format!("/learn/lessons/{}", f.lessons[1].0)),
        "resume goes on"
    );
    let (_, html) = get(&app, &c, &format!("/learn/lessons/{}", f.lessons[1].0)).await;
    assert!(html.contains("<strong>การเรียนรู้</strong>") && html.contains("อ่านจบแล้ว"));
    done(&app, &c, f.lessons[1]).await;
    let p = app.core().course_progress(&a, f.course).await.unwrap();
    let e = p.enrolment.clone().unwrap();
    assert_eq!((e.lessons_done, e.required_done), (2, 2));
    assert_eq!(e.last_lesson, Some(f.lessons[1]));
    // The quiz: failed once …
    assert_eq!(start(&app, &c, f.quiz).await.status(), 303);
    let (attempt, wrong) = answers(&app, &a, f.quiz, false).await;
    let (_, html) = get(&app, &c, &format!("/learn/lessons/{}", f.quiz.0)).await;
    assert!(html.contains("ส่งคำตอบ"));
    let res = submit(&app, &c, f.quiz, attempt, &wrong).await;
    assert_eq!(res.status(), 303);
    let (_, html) = get(&app, &c, &format!("/learn/lessons/{}", f.quiz.0)).await;
    assert!(html.contains("ยังไม่ผ่าน") && html.contains("คะแนน ๐%") && html.contains("คำตอบที่ถูก"));
    assert!(
        html.contains("ลองทบทวนบทเรียนอีกครั้ง"),
        "the chosen choice's feedback"
    );
    assert!(html.contains("สอบอีกครั้ง"));
    // … then passed: the course is complete with one certificate.
    assert_eq!(start(&app, &c, f.quiz).await.status(), 303);
    let (attempt2, right) = answers(&app, &a, f.quiz, true).await;
    assert_ne!(attempt, attempt2);
    let res = submit(&app, &c, f.quiz, attempt2, &right).await;
    assert_eq!(
        location(&res),
        format!("/learn/courses/{}?completed=1", f.course.0)
    );
    let e = app
        .core()
        .course_progress(&a, f.course)
        .await
        .unwrap()
        .enrolment
        .unwrap();
    assert!(e.completed_at.is_some());
    assert_eq!(e.score, Some(100));
    let code = e.certificate_code.expect("a certificate");
    let (_, html) = get(&app, &c, &format!("/learn/courses/{}", f.course.0)).await;
    assert!(html.contains("เรียนจบแล้ว") && html.contains(&code) && html.contains("<svg"));
    let (status, html) = get(&app, &app.client(), &format!("/c/{code}")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("ผ่านการเรียนรายวิชา การจัดการความรู้เบื้องต้นสำหรับ อสม. (๑ ชั่วโมง ๓๐ นาที) คะแนน ๑๐๐%"),
        "{html}"
    );
    let (_, html) = get(&app, &app.client(), &format!("/u/{}", user.id.0)).await;
    assert!(html.contains(&format!("/c/{code}")), "on the profile");
    // Hiding one's achievements hides the certificates too.
    app.core()
        .set_profile_prefs(
            &a,
            khlang_core::recognition::model::ProfilePrefs {
                show_unit: true,
                show_badges: false,
                show_items: true,
            },
        )
        .await
        .unwrap();
    let (_, html) = get(&app, &app.client(), &format!("/u/{}", user.id.0)).await;
    assert!(
        !html.contains(&format!("/c/{code}")),
        "hidden with the badges"
    );
    let certs = app
        .core()
        .certificates_of_source(&format!("course:{}", f.course.0))
        .await
        .unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].holder_user, Some(user.id));
    let (_, html) = get(&app, &c, "/learn").await;
    assert!(html.contains("เรียนจบแล้ว") && html.contains(&code));
    app.stop().await;
}

/// A published course of one quiz (the five questions) with `retries`, or with a
/// trainer-qualifying flag, built through the core.
async fn quiz_course(
    app: &TestApp,
    officer: &Actor,
    retries: bool,
    trainers: bool,
) -> (CourseId, LessonId) {
    let core = app.core();
    let course = core
        .create_course(
            officer,
            CourseFields {
                curriculum_id: None,
                title: "หลักสูตรครูฝึก อสม.".into(),
                summary: "สำหรับครูฝึก".into(),
                unit_id: UnitId(app.unit_id(COURSE_UNIT).await),
                minutes: 60,
                open: true,
                sequential: true,
                qualifies_trainers: trainers,
            },
        )
        .await
        .unwrap();
    let quiz = core
        .add_lesson(
            officer,
            course,
            LessonFields {
                title: "แบบทดสอบ".into(),
                body: LessonBody::Quiz {
                    intro: String::new(),
                    rules: QuizRules {
                        pass_percent: 80,
                        draw: Some(3),
                        retries,
                    },
                },
                required: true,
                minutes: 10,
            },
        )
        .await
        .unwrap();
    let qs: Vec<QuestionFields> = five_questions();
    for q in qs {
        core.add_question(officer, quiz, q).await.unwrap();
    }
    core.publish_course(officer, course).await.unwrap();
    (course, quiz)
}

#[tokio::test]
async fn a_quiz_without_retries_refuses_a_second_attempt_and_draws_from_the_bank() {
    let app = spawn_app().await;
    let officer = actor(&app, "nr.officer", "km_officer", COURSE_UNIT).await;
    let (course, quiz) = quiz_course(&app, &officer, false, false).await;
    let (c, a, _) = learner(&app, "nr.learner").await;
    enrol(&app, &c, course).await;
    start(&app, &c, quiz).await;
    let (attempt, wrong) = answers(&app, &a, quiz, false).await;
    assert_eq!(wrong.len(), 3, "three drawn of five");
    // A reload shows the same paper.
    let (_, first) = get(&app, &c, &format!("/learn/lessons/{}", quiz.0)).await;
    let (_, again) = get(&app, &c, &format!("/learn/lessons/{}", quiz.0)).await;
    assert_eq!(first, again);
    submit(&app, &c, quiz, attempt, &wrong).await;
    let res = start(&app, &c, quiz).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("สอบได้ครั้งเดียว"));
    let s = app.core().open_lesson(&a, quiz).await.unwrap();
    assert_eq!(app.core().quiz_state(&s).await.unwrap().attempts.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn two_submits_at_once_make_one_attempt_and_two_completions_one_certificate() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "cc.officer", true).await;
    let (c, a, _) = learner(&app, "cc.learner").await;
    enrol(&app, &c, f.course).await;
    for l in &f.lessons[..2] {
        app.core().open_lesson(&a, *l).await.unwrap();
        app.core().finish_lesson(&a, *l).await.unwrap();
    }
    // Two starts at once: one paper.
    let (r1, r2) = tokio::join!(
        app.core().start_attempt(&a, f.quiz),
        app.core().start_attempt(&a, f.quiz)
    );
    assert_eq!(r1.unwrap().id, r2.unwrap().id);
    let (attempt, right) = answers(&app, &a, f.quiz, true).await;
    let (r1, r2) = tokio::join!(
        submit(&app, &c, f.quiz, attempt, &right),
        submit(&app, &c, f.quiz, attempt, &right)
    );
    assert_eq!((r1.status().as_u16(), r2.status().as_u16()), (303, 303));
    let s = app.core().open_lesson(&a, f.quiz).await.unwrap();
    let q = app.core().quiz_state(&s).await.unwrap();
    assert_eq!(q.attempts.len(), 1);
    assert!(q.passed);
    let certs = app
        .core()
        .certificates_of_source(&format!("course:{}", f.course.0))
        .await
        .unwrap();
    assert_eq!(certs.len(), 1);

    // Two completions racing: a course of two text lessons in any order, both marked done
    // at once (and the second twice).
    let core = app.core();
    let two = core
        .create_course(
            &f.officer,
            CourseFields {
                curriculum_id: None,
                title: "สองบท".into(),
                summary: String::new(),
                unit_id: UnitId(app.unit_id(COURSE_UNIT).await),
                minutes: 20,
                open: true,
                sequential: false,
                qualifies_trainers: false,
            },
        )
        .await
        .unwrap();
    let mut ids = Vec::new();
    for t in ["บทหนึ่ง", "บทสอง"] {
        ids.push(
            core.add_lesson(
                &f.officer,
                two,
                LessonFields {
                    title: t.into(),
                    body: LessonBody::Text("เนื้อหา".into()),
                    required: true,
                    minutes: 10,
                },
            )
            .await
            .unwrap(),
        );
    }
    core.publish_course(&f.officer, two).await.unwrap();
    core.enrol(&a, two).await.unwrap();
    let (x, y, z) = tokio::join!(
        core.finish_lesson(&a, ids[0]),
        core.finish_lesson(&a, ids[1]),
        core.finish_lesson(&a, ids[1])
    );
    let issued = [x.unwrap(), y.unwrap(), z.unwrap()]
        .iter()
        .filter(|f| f.certificate.is_some())
        .count();
    assert_eq!(issued, 1);
    let certs = core
        .certificates_of_source(&format!("course:{}", two.0))
        .await
        .unwrap();
    assert_eq!(certs.len(), 1);
    let e = core
        .course_progress(&a, two)
        .await
        .unwrap()
        .enrolment
        .unwrap();
    assert_eq!(
        (e.lessons_done, e.required_done),
        (2, 2),
        "each lesson counted once"
    );
    assert_eq!(e.certificate_code.as_deref(), Some(certs[0].code.as_str()));
    app.stop().await;
}

#[tokio::test]
async fn an_unpublished_item_makes_its_lesson_unavailable_and_the_course_completable_without_it() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "up.officer", true).await;
    let (c, a, _) = learner(&app, "up.learner").await;
    enrol(&app, &c, f.course).await;
    app.core()
        .transition(
            &f.officer,
            f.item,
            khlang_core::item::Transition::Archive,
            "เลิกใช้",
        )
        .await
        .unwrap();
    let (_, html) = get(&app, &c, &format!("/learn/courses/{}", f.course.0)).await;
    assert!(
        html.contains("ไม่พร้อมใช้งาน") && html.contains("๐ จาก ๒"),
        "{html}"
    );
    let res = done(&app, &c, f.lessons[0]).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ไม่ได้เผยแพร่แล้ว"));
    // The text lesson is open at once.
    assert_eq!(done(&app, &c, f.lessons[1]).await.status(), 303);
    start(&app, &c, f.quiz).await;
    let (attempt, right) = answers(&app, &a, f.quiz, true).await;
    let res = submit(&app, &c, f.quiz, attempt, &right).await;
    assert!(location(&res).ends_with("?completed=1"));
    app.stop().await;
}

#[tokio::test]
async fn who_may_do_what_anonymous_non_enrolled_and_drafts() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "az.officer", true).await;
    // Anonymous: the catalogue and a sign-in prompt; lessons go to the sign-in page.
    let anon = app.client();
    let (status, html) = get(&app, &anon, "/learn").await;
    assert_eq!(status, 200);
    assert!(html.contains("เข้าสู่ระบบเพื่อเรียน") && html.contains("การจัดการความรู้เบื้องต้นสำหรับ อสม."));
    let res = anon
        .get(app.url(&format!("/learn/lessons/{}", f.lessons[0].0)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"));
    // Signed in but not enrolled: no progress.
    let (c, _, _) = learner(&app, "az.learner").await;
    let res = done(&app, &c, f.lessons[0]).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ลงทะเบียนเรียน"));
    let res = start(&app, &c, f.quiz).await;
    assert_eq!(res.status(), 409);
    // A draft: 404 to a learner and to an officer of another unit, shown to its officers.
    let draft = app
        .core()
        .create_course(
            &f.officer,
            CourseFields {
                curriculum_id: None,
                title: "ฉบับร่าง".into(),
                summary: String::new(),
                unit_id: UnitId(app.unit_id(COURSE_UNIT).await),
                minutes: 10,
                open: true,
                sequential: false,
                qualifies_trainers: false,
            },
        )
        .await
        .unwrap();
    let path = format!("/learn/courses/{}", draft.0);
    assert_eq!(get(&app, &c, &path).await.0, 404);
    assert_eq!(get(&app, &anon, &path).await.0, 404);
    app.user_with_role("az.other", "CDD-P-40", "km_officer")
        .await;
    let other = app.sign_in("az.other", PASSWORD).await;
    assert_eq!(get(&app, &other, &path).await.0, 404);
    let res = post(
        &app,
        &other,
        &format!("/learn/courses/{}", f.course.0),
        &format!("{path}/enrol"),
    )
    .await;
    assert_eq!(res.status(), 404);
    app.user_with_role("az.own", COURSE_UNIT, "km_officer")
        .await;
    let own = app.sign_in("az.own", PASSWORD).await;
    let (status, html) = get(&app, &own, &path).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("{path}/edit")) && html.contains(&format!("{path}/cohorts")));
    app.stop().await;
}

#[tokio::test]
async fn the_trainer_directory_shows_a_qualifying_certificate() {
    let app = spawn_app().await;
    let officer = actor(&app, "td.officer", "km_officer", COURSE_UNIT).await;
    let (course, quiz) = quiz_course(&app, &officer, true, true).await;
    let root = app.create_user("td.root", PASSWORD, true).await;
    let root = app.core().actor_for(&root).await.unwrap();
    let unit = app.unit_id(COURSE_UNIT).await;
    let trainer = app
        .core()
        .create_member(
            &root,
            khlang_core::service::org::MemberInput {
                username: "td.trainer".into(),
                display_name: "นางครู ฝึกดี".into(),
                email: String::new(),
                phone: String::new(),
                password: PASSWORD.into(),
                home_unit_id: Some(UnitId(unit)),
                role: None,
            },
        )
        .await
        .unwrap();
    let t = app.core().actor_for(&trainer).await.unwrap();
    app.core().enrol(&t, course).await.unwrap();
    app.core().start_attempt(&t, quiz).await.unwrap();
    let (attempt, _) = answers(&app, &t, quiz, true).await;
    let s = app.core().open_lesson(&t, quiz).await.unwrap();
    let paper = app.core().quiz_state(&s).await.unwrap().open.unwrap();
    let picks = paper
        .questions
        .iter()
        .map(|pq| {
            (
                pq.number - 1,
                vec![pq.choices.iter().find(|(_, c)| c.correct).unwrap().0],
            )
        })
        .collect();
    let (_, fin) = app
        .core()
        .submit_attempt(&t, quiz, khlang_core::ids::AttemptId(attempt), &picks)
        .await
        .unwrap();
    let code = fin.certificate.expect("certificate");
    app.user_with_role("td.km", COURSE_UNIT, "km_officer").await;
    let km = app.sign_in("td.km", PASSWORD).await;
    let page = format!("/network/new?registry=trainers&unit={unit}");
    let uid = trainer.id.0.to_string();
    let res = post_form(
        &app,
        &km,
        &page,
        &page,
        &[
            ("person.mode", "new"),
            ("person.new.name", "นางครู ฝึกดี"),
            ("person.new.phone", "0822222229"),
            ("position", "วิทยากร"),
            ("subjects", "การถอดบทเรียน"),
            ("user_id", uid.as_str()),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let (_, html) = get(&app, &km, &format!("/trainers?unit={unit}")).await;
    assert!(
        html.contains(&format!("/c/{code}"))
            && html.contains("เกียรติบัตร: ผ่านการเรียนรายวิชา หลักสูตรครูฝึก"),
        "{html}"
    );
    app.stop().await;
}

/// Not a check: keeps an app with the fixture course and an enrolled learner alive for
/// screenshots (`cargo test … learners_screenshot_server -- --ignored --nocapture`); prints
/// the address and lesson ids, then waits `KHLANG_SHOTS_SECS` seconds (default 300).
#[tokio::test]
#[ignore]
async fn learners_screenshot_server() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "shot.officer", true).await;
    let (_, a, user) = learner(&app, "shot.learner").await;
    app.core().enrol(&a, f.course).await.unwrap();
    let (_, b, _) = learner(&app, "shot.done").await;
    app.core().enrol(&b, f.course).await.unwrap();
    for l in &f.lessons[..2] {
        app.core().open_lesson(&b, *l).await.unwrap();
        app.core().finish_lesson(&b, *l).await.unwrap();
    }
    println!(
        "SHOTS base={} course={} lessons={},{},{} user={}",
        app.url(""),
        f.course.0,
        f.lessons[0].0,
        f.lessons[1].0,
        f.lessons[2].0,
        user.id.0
    );
    let secs = std::env::var("KHLANG_SHOTS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
    app.stop().await;
}

/// "Today" plus `days` in the Bangkok calendar as the cohort form takes it (d/m/BE year).
fn be_day(app: &TestApp, days: i64) -> String {
    let d = app
        .core()
        .clock
        .now()
        .to_offset(khlang_core::text::BANGKOK)
        .date()
        + time::Duration::days(days);
    format!("{}/{}/{}", d.day(), u8::from(d.month()), d.year() + 543)
}

/// The rooms together: a cohort of two districts' volunteers, one learner walks the course,
/// the report says one of three is done and every level of the roll-up agrees; once the
/// cohort has ended, its learners' quizzes are refused and nothing is recorded.
#[tokio::test]
async fn a_cohort_learner_completes_the_report_and_roll_up_agree_and_a_closed_cohort_refuses_quizzes()
 {
    use khlang_core::learning::cohorts::model::{CohortInput, LearnerQuery, LearnerSort};
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "cwofficer", false).await;
    let mut learners = Vec::new();
    for (name, unit) in [
        ("cw_kanya", "CDD-P-24-D01"),
        ("cw_somporn", "CDD-P-24-D01"),
        ("cw_wilai", "CDD-P-24-D02"),
    ] {
        let user = app.user_with_role(name, unit, "contributor").await;
        let a = app.core().actor_for(&user).await.unwrap();
        learners.push((app.sign_in(name, PASSWORD).await, a));
    }
    let input = CohortInput {
        name: "รุ่นที่ ๑/๒๕๗๐".into(),
        starts: be_day(&app, 0),
        ends: be_day(&app, 2),
        unit: app.unit_id(COURSE_UNIT).await.to_string(),
        units: vec![
            app.unit_id("CDD-P-24-D01").await.to_string(),
            app.unit_id("CDD-P-24-D02").await.to_string(),
        ],
        subtree: false,
        role: "contributor".into(),
    };
    let cohort = app
        .core()
        .create_cohort(&f.officer, f.course, &input)
        .await
        .unwrap();
    assert_eq!((cohort.enrolled, cohort.already), (3, 0));

    // The first volunteer goes through: item, text, the quiz failed once, then passed.
    let (kanya, kanya_actor) = &learners[0];
    for lesson in &f.lessons[..2] {
        assert_eq!(done(&app, kanya, *lesson).await.status(), 303);
    }
    for right in [false, true] {
        assert_eq!(start(&app, kanya, f.quiz).await.status(), 303);
        let (attempt, fields) = answers(&app, kanya_actor, f.quiz, right).await;
        assert!(
            submit(&app, kanya, f.quiz, attempt, &fields)
                .await
                .status()
                .is_redirection()
        );
    }
    // The second has only opened the first lesson.
    let (somporn, _) = &learners[1];
    let (s, _) = get(&app, somporn, &format!("/learn/lessons/{}", f.lessons[0].0)).await;
    assert_eq!(s, 200);

    let officer = app.sign_in("cwofficer", PASSWORD).await;
    let (s, html) = get(&app, &officer, &format!("/learn/cohorts/{}", cohort.id.0)).await;
    assert_eq!(s, 200);
    assert!(html.contains("เรียนจบ 1 จาก 3 คน"), "{html}");
    let q = LearnerQuery {
        status: None,
        sort: LearnerSort::Name,
        page: 1,
    };
    let report = app
        .core()
        .cohort_report(&f.officer, cohort.id, None, q)
        .await
        .unwrap();
    assert_eq!(
        (
            report.totals.enrolled,
            report.totals.started,
            report.totals.completed
        ),
        (3, 2, 1)
    );
    // Each level sums its children: the province, then the districts.
    let sum = |rows: &[khlang_core::learning::cohorts::model::RollUpRow]| {
        rows.iter().fold((0, 0, 0), |a, r| {
            (a.0 + r.enrolled, a.1 + r.started, a.2 + r.completed)
        })
    };
    assert_eq!(
        sum(&report.children),
        (
            report.root.enrolled,
            report.root.started,
            report.root.completed
        )
    );
    let d01 = UnitId(app.unit_id("CDD-P-24-D01").await);
    let d02 = UnitId(app.unit_id("CDD-P-24-D02").await);
    let row = |u: UnitId| report.children.iter().find(|r| r.unit_id == u).unwrap();
    assert_eq!((row(d01).enrolled, row(d01).completed), (2, 1));
    assert_eq!((row(d02).enrolled, row(d02).completed), (1, 0));
    // Drilling down to the district gives the same count as its row above.
    let down = app
        .core()
        .cohort_report(&f.officer, cohort.id, Some(d01), q)
        .await
        .unwrap();
    assert_eq!((down.root.enrolled, down.root.completed), (2, 1));

    // Three days on, the cohort has ended: the quiz is refused, in Thai, and nothing is kept.
    app.move_clock(3 * 24 * 3600);
    let (wilai, wilai_actor) = &learners[2];
    for lesson in &f.lessons[..2] {
        assert_eq!(done(&app, wilai, *lesson).await.status(), 303);
    }
    let res = start(&app, wilai, f.quiz).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("รุ่นนี้ปิดแล้ว"));
    let s = app.core().open_lesson(wilai_actor, f.quiz).await.unwrap();
    let state = app.core().quiz_state(&s).await.unwrap();
    assert!(state.attempts.is_empty() && state.open.is_none());
    app.stop().await;
}

/// A course withdrawn while people are in it: nothing of theirs is lost, the course page says
/// when and why, new progress is refused in Thai, and the course's changes record it.
#[tokio::test]
async fn a_withdrawn_course_keeps_its_learners_progress_and_says_why() {
    let app = spawn_app().await;
    let f = three_lesson_course(&app, "wdofficer", true).await;
    let (c, a, _) = learner(&app, "wd_learner").await;
    enrol(&app, &c, f.course).await;
    assert_eq!(done(&app, &c, f.lessons[0]).await.status(), 303);
    let before = app.core().course_progress(&a, f.course).await.unwrap();
    assert_eq!(before.required_done, 1);

    let why = "ปรับปรุงเนื้อหาตามคู่มือฉบับใหม่";
    app.core()
        .withdraw_course(&f.officer, f.course, why)
        .await
        .unwrap();
    let (s, html) = get(&app, &c, &format!("/learn/courses/{}", f.course.0)).await;
    assert_eq!(s, 200);
    assert!(
        html.contains("รายวิชานี้ยกเลิกแล้วเมื่อ")
            && html.contains(why)
            && html.contains("สิ่งที่เปลี่ยนแปลงในรายวิชา"),
        "{html}"
    );
    let res = done(&app, &c, f.lessons[1]).await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ความก้าวหน้าเดิมยังอยู่ครบ"));
    let after = app.core().course_progress(&a, f.course).await.unwrap();
    assert_eq!(after.required_done, 1);
    assert_eq!(
        after.enrolment.as_ref().map(|e| e.lessons_done),
        before.enrolment.as_ref().map(|e| e.lessons_done)
    );
    let changes = app.core().course_changes(&a, f.course).await.unwrap();
    assert!(
        changes.iter().any(|ch| ch.what.contains(why)),
        "{changes:?}"
    );
    // Nobody new may enrol.
    let (other, _, _) = learner(&app, "wd_latecomer").await;
    let page = format!("/learn/courses/{}", f.course.0);
    let res = post(&app, &other, &page, &format!("{page}/enrol")).await;
    assert!(res.status().is_client_error(), "{}", res.status());
    app.stop().await;
}
