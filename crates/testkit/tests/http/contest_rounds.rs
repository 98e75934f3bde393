//! Contest rounds and submissions (issue 11, "Rounds" and "Submitting"): an organiser creates
//! a contest and a round, sets it up while it is a draft, opens it (after which its settings
//! are frozen), registers a volunteer and gets a one-time entry link; the volunteer, without
//! an account, sees the checklist and sends a PDF and a picture; a wrong kind, a file over the
//! limit, a revoked link and anything one second after the deadline are refused with nothing
//! changed; the organiser's numbers count a file sent twice once; the ZIP holds the documents;
//! people without RunContest on the organising unit cannot register anyone.

use super::{body, location, member, post_form};
use khlang_core::contests::model::EntryFilter;
use khlang_core::contests::rounds::local_input;
use khlang_core::ids::{EntryId, RoundId};
use khlang_core::org::Actor;
use khlang_testkit::reqwest::multipart::{Form, Part};
use khlang_testkit::reqwest::{Client, Response};
use khlang_testkit::{TestApp, spawn_app};
use time::{Duration, OffsetDateTime};

/// สสม.ภาคตะวันออกเฉียงเหนือ: organises the round for Khon Kaen.
const UNIT: &str = "DHSS-PHC-NE";

pub(super) fn pdf(tag: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n% {tag}\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
         2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    .into_bytes()
}

pub(super) fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0".to_vec();
    b.extend_from_slice(&[0u8; 64]);
    b
}

/// The number after `prefix` in a redirect (`/contests/12?done=…` → 12).
fn id_after(loc: &str, prefix: &str) -> i64 {
    let rest = loc
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{loc} should start with {prefix}"));
    rest.chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap_or_else(|_| panic!("no id in {loc}"))
}

/// The entry link shown once on the page after registering (or reissuing).
fn link_in(html: &str) -> String {
    let at = html.find("/e/").expect("an entry link on the page");
    let rest = &html[at..];
    let end = rest.find(['"', '<', '&']).expect("end of the link");
    rest[..end].to_string()
}

pub(super) struct Setup {
    pub(super) app: TestApp,
    pub(super) officer: Client,
    pub(super) actor: Actor,
    pub(super) round: i64,
    pub(super) branch: i64,
    pub(super) closes_at: OffsetDateTime,
}

/// The settings form of a round: two required documents (a PDF profile up to 1 MB, a
/// picture up to 1 MB) and a two-criterion rubric.
fn settings<'a>(
    branch: &'a str,
    opens: &'a str,
    closes: &'a str,
    weight2: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", "ระดับจังหวัดขอนแก่น"),
        ("level", "province"),
        ("area", "p:40"),
        ("next_round", ""),
        ("opens", opens),
        ("closes", closes),
        ("branches", branch),
        ("doc_name_0", "แบบประวัติ"),
        ("doc_key_0", "profile"),
        ("doc_kinds_0", "pdf"),
        ("doc_max_0", "1"),
        ("doc_required_0", "1"),
        ("doc_name_1", "ภาพกิจกรรม"),
        ("doc_key_1", "photo"),
        ("doc_kinds_1", "image"),
        ("doc_max_1", "1"),
        ("doc_required_1", "1"),
        ("doc_name_2", ""),
        ("doc_key_2", ""),
        ("doc_max_2", "20"),
        ("crit_name_0", "ผลลัพธ์ต่อชุมชน"),
        ("crit_key_0", "impact"),
        ("crit_weight_0", "60"),
        ("crit_max_0", "10"),
        (
            "crit_levels_0",
            "10 = เปลี่ยนแปลงทั้งตำบล\n5 = เปลี่ยนแปลงในหมู่บ้าน",
        ),
        ("crit_name_1", "ความคิดสร้างสรรค์"),
        ("crit_key_1", "idea"),
        ("crit_weight_1", weight2),
        ("crit_max_1", "10"),
        ("crit_levels_1", ""),
        ("advance", "1"),
        ("tie_breaks", "criterion:impact"),
        ("tie_breaks", "chair"),
        ("tie_breaks", ""),
        ("entry_template", ""),
    ]
}

/// An officer of the regional centre creates a contest and a Khon Kaen round, sets it up
/// and opens it: submissions close two days from now.
pub(super) async fn open_round() -> Setup {
    let app = spawn_app().await;
    let user = app.user_with_role("organiser", UNIT, "km_officer").await;
    let actor = app.core().actor_for(&user).await.unwrap();
    let officer = app.sign_in("organiser", khlang_testkit::PASSWORD).await;
    let unit = app.unit_id(UNIT).await.to_string();

    let res = post_form(
        &app,
        &officer,
        "/contests",
        "/contests",
        &[
            ("title", "การคัดเลือก อสม.ดีเด่น ปี 2568"),
            ("fiscal_year", "2568"),
            ("unit", &unit),
            ("kind", "volunteer"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let contest = id_after(&location(&res), "/contests/");

    let now = OffsetDateTime::now_utc();
    let opens = local_input(now - Duration::hours(1));
    let closes = local_input(now + Duration::days(2));
    let page = format!("/contests/{contest}");
    let res = post_form(
        &app,
        &officer,
        &page,
        &format!("/contests/{contest}/rounds"),
        &[
            ("title", "ระดับจังหวัดขอนแก่น"),
            ("level", "province"),
            ("unit", &unit),
            ("area", "p:40"),
            ("opens", &opens),
            ("closes", &closes),
            ("advance", "1"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let round = id_after(&location(&res), "/contests/rounds/");

    let branches = app.core().contest_branches().await.unwrap();
    let branch = branches.first().expect("the osm_branch terms").0.0;
    let branch_s = branch.to_string();
    let edit = format!("/contests/rounds/{round}/edit");

    // Opening a round without branches, documents or rubric is refused.
    let res = post_form(
        &app,
        &officer,
        &edit,
        &format!("/contests/rounds/{round}/status"),
        &[("to", "open")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ก่อนเปิดรับ กรุณาเลือกอย่างน้อย 1 สาขา"));

    // Weights that do not add up to 100: refused, what was typed is kept.
    let res = post_form(
        &app,
        &officer,
        &edit,
        &edit,
        &settings(&branch_s, &opens, &closes, "30"),
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(
        html.contains("น้ำหนักของทุกเกณฑ์รวมกันต้องได้ 100 (ตอนนี้รวมได้ 90)"),
        "{html}"
    );
    assert!(html.contains("value=\"ความคิดสร้างสรรค์\""));

    let res = post_form(
        &app,
        &officer,
        &edit,
        &edit,
        &settings(&branch_s, &opens, &closes, "40"),
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let res = post_form(
        &app,
        &officer,
        &edit,
        &format!("/contests/rounds/{round}/status"),
        &[("to", "open")],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);

    let r = app
        .core()
        .round_for_organiser(&actor, RoundId(round))
        .await
        .unwrap();
    assert_eq!(r.settings.rubric.len(), 2);
    assert_eq!(r.settings.documents[0].max_bytes, 1024 * 1024);
    assert_eq!(r.settings.documents[1].kinds, vec!["image".to_string()]);
    Setup {
        app,
        officer,
        actor,
        round,
        branch,
        closes_at: r.closes_at,
    }
}

/// Registers a new volunteer of Khon Kaen; returns the entry id and its link.
pub(super) async fn register(s: &Setup, name: &str) -> (i64, String) {
    let page = format!("/contests/rounds/{}/entrants/new", s.round);
    let res = post_form(
        &s.app,
        &s.officer,
        &page,
        &page,
        &[
            ("branch", &s.branch.to_string()),
            ("kind", "person"),
            ("person_id", ""),
            ("new_name", name),
            ("province", "40"),
            ("allow_duplicate", "1"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    assert!(html.contains("<svg"), "the link page carries a QR code");
    let link = link_in(&html);
    let at = html.find("/contests/entries/").expect("entry page link") + "/contests/entries/".len();
    let id: i64 = html[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap();
    (id, link)
}

/// Sends one file from the entry page as a phone would (the form, not the API).
pub(super) async fn send(
    app: &TestApp,
    client: &Client,
    page: &str,
    action: &str,
    requirement: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Response {
    let csrf = app.csrf(client, page).await;
    let form = Form::new()
        .text("csrf", csrf)
        .text("requirement", requirement.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    client
        .post(app.url(action))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

pub(super) async fn documents(s: &Setup, entry: i64) -> usize {
    let v = s
        .app
        .core()
        .entry_view(
            &khlang_core::contests::rounds::EntryAccess::Officer(&s.actor),
            Some(EntryId(entry)),
        )
        .await
        .unwrap();
    v.documents.len()
}

#[tokio::test]
async fn contest_round_from_setup_to_deadline() {
    let s = open_round().await;
    let app = &s.app;

    // Settings are frozen once the round is open.
    let edit = format!("/contests/rounds/{}/edit", s.round);
    let now = OffsetDateTime::now_utc();
    let (o, c) = (local_input(now), local_input(now + Duration::days(3)));
    let res = post_form(
        app,
        &s.officer,
        &edit,
        &edit,
        &settings(&s.branch.to_string(), &o, &c, "40"),
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(
        body(res)
            .await
            .contains("แก้ไขการตั้งค่าได้เฉพาะตอนเป็นฉบับร่างเท่านั้น")
    );
    // The frozen settings are still shown, read-only, with no form to change them.
    let html = body(s.officer.get(app.url(&edit)).send().await.unwrap()).await;
    assert!(html.contains("การตั้งค่าที่ใช้อยู่"));
    assert!(html.contains("ผลลัพธ์ต่อชุมชน"));
    assert!(html.contains("<li>คะแนนเกณฑ์ &#34;ผลลัพธ์ต่อชุมชน&#34; สูงกว่า</li>"));
    assert!(html.contains("<li>ประธานกรรมการตัดสิน</li>"));
    assert!(!html.contains("name=\"doc_name_0\""));

    // A volunteer from outside the round's area is refused.
    let page = format!("/contests/rounds/{}/entrants/new", s.round);
    let res = post_form(
        app,
        &s.officer,
        &page,
        &page,
        &[
            ("branch", &s.branch.to_string()),
            ("kind", "person"),
            ("new_name", "นายสมชาย ต่างถิ่น"),
            ("province", "10"),
            ("allow_duplicate", "1"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไม่อยู่ในพื้นที่ของรอบนี้"));

    let (entry, link) = register(&s, "นางสมศรี ใจดี").await;

    // Next time she is found in the person register by name and picked, not typed again.
    let html = body(
        s.officer
            .get(app.url(&format!("{page}?q={}", "สมศรี")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        html.contains("นางสมศรี ใจดี") && html.contains("จังหวัดขอนแก่น"),
        "{html}"
    );
    let at = html.find("entrants/new?person=").expect("a เลือก link") + "entrants/new?person=".len();
    let person: String = html[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let html = body(
        s.officer
            .get(app.url(&format!("{page}?person={person}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        html.contains(&format!(
            "name=\"person_id\" inputmode=\"numeric\" value=\"{person}\""
        )),
        "the picked person is not filled in"
    );
    let html = body(
        s.officer
            .get(app.url(&format!("{page}?q={}", "ไม่มีคนนี้")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("ไม่พบ “ไม่มีคนนี้” ในทะเบียน"));

    // The volunteer opens the link on a phone: no account, a checklist, the time left.
    let phone = app.client();
    let res = phone.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = body(res).await;
    let phone_csrf = khlang_testkit::csrf_in(&html).unwrap();
    assert!(
        html.contains(&format!("R{}-0001", s.round)),
        "receipt number"
    );
    assert!(html.contains("○ ยังไม่ได้ส่ง: แบบประวัติ"));
    assert!(html.contains("ยังขาดอีก 2 จาก 2 รายการ"));
    assert!(
        html.contains("เหลือเวลาอีก 1 วัน") || html.contains("เหลือเวลาอีก 2 วัน"),
        "{html}"
    );

    let action = format!("{link}/documents");
    let res = send(
        app,
        &phone,
        &link,
        &action,
        "profile",
        "ประวัติ.pdf",
        pdf("profile"),
    )
    .await;
    assert_eq!(res.status(), 303);

    // A picture where a PDF is asked for: refused, nothing stored.
    let res = send(app, &phone, &link, &action, "profile", "รูป.png", png()).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ต้องเป็นไฟล์ PDF"));
    // Over the requirement's 1 MB.
    let mut big = pdf("big");
    big.resize(1024 * 1024 + 10, b' ');
    let res = send(app, &phone, &link, &action, "profile", "ใหญ่.pdf", big).await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ไฟล์ใหญ่เกิน"));
    assert_eq!(documents(&s, entry).await, 1);

    let res = send(app, &phone, &link, &action, "photo", "กิจกรรม.png", png()).await;
    assert_eq!(res.status(), 303);
    let html = body(phone.get(app.url(&link)).send().await.unwrap()).await;
    assert!(html.contains("ส่งเอกสารที่ต้องส่งครบแล้ว"), "{html}");
    assert!(html.contains("✓ ส่งแล้ว: ภาพกิจกรรม"));

    // A second volunteer's officer sends the same PDF bytes on their behalf.
    let (second, _) = register(&s, "นายมานะ ขยัน").await;
    let epage = format!("/contests/entries/{second}");
    let res = send(
        app,
        &s.officer,
        &epage,
        &format!("{epage}/documents"),
        "profile",
        "ซ้ำ.pdf",
        pdf("profile"),
    )
    .await;
    assert_eq!(res.status(), 303);

    // The organiser's numbers: three documents, the PDF's bytes counted once.
    let d = app
        .core()
        .round_dashboard(&s.actor, RoundId(s.round), &EntryFilter::default(), 1)
        .await
        .unwrap();
    assert_eq!(d.stats.entries, 2);
    assert_eq!(d.stats.complete, 1);
    assert_eq!(d.stats.documents, 3);
    assert_eq!(d.stats.bytes, (pdf("profile").len() + png().len()) as u64);
    assert_eq!(d.stats.cells.len(), 1);
    let incomplete = app
        .core()
        .round_dashboard(
            &s.actor,
            RoundId(s.round),
            &EntryFilter {
                complete: Some(false),
                ..Default::default()
            },
            1,
        )
        .await
        .unwrap();
    assert_eq!(incomplete.entries.total, 1);
    assert_eq!(incomplete.entries.items[0].id, EntryId(second));
    let html = body(
        s.officer
            .get(app.url(&format!("/contests/rounds/{}", s.round)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(html.contains("ขอนแก่น"));
    assert!(html.contains("1 (50.0%)"), "{html}");

    // The ZIP of the first entry holds both documents, byte for byte (stored).
    let res = s
        .officer
        .get(app.url(&format!("/contests/entries/{entry}/zip")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/zip");
    let zip = res.bytes().await.unwrap();
    assert!(zip.starts_with(b"PK\x03\x04"));
    let has = |needle: &[u8]| zip.windows(needle.len()).any(|w| w == needle);
    assert!(has(&pdf("profile")));
    assert!(has(&png()));
    assert!(has("01-profile-ประวัติ.pdf".as_bytes()));
    assert!(has("02-photo-กิจกรรม.png".as_bytes()));

    // One second before the deadline a file is still taken; one second after it is not.
    let before = (s.closes_at - OffsetDateTime::now_utc()).whole_seconds() - 5;
    app.move_clock(before);
    let res = send(app, &phone, &link, &action, "photo", "ก่อนปิด.png", png()).await;
    assert_eq!(res.status(), 303);
    assert_eq!(documents(&s, entry).await, 3);
    let after = (s.closes_at - OffsetDateTime::now_utc()).whole_seconds() + 1;
    app.move_clock(after);
    // The page has no form any more: the token the phone already holds is sent.
    let form = Form::new()
        .text("csrf", phone_csrf.clone())
        .text("requirement", "photo")
        .part("file", Part::bytes(png()).file_name("สาย.png"));
    let res = phone
        .post(app.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("หมดเวลาส่งผลงานแล้ว (ปิดรับเมื่อ "), "{html}");
    assert!(
        !html.contains("type=\"file\""),
        "no upload form after the deadline"
    );
    assert_eq!(documents(&s, entry).await, 3);
    // Nor may it be removed.
    let v = app
        .core()
        .entry_view(
            &khlang_core::contests::rounds::EntryAccess::Link(link.trim_start_matches("/e/")),
            None,
        )
        .await
        .unwrap();
    assert!(!v.editable);
    let doc = v.documents[0].id;
    let res = phone
        .post(app.url(&format!("{link}/documents/{doc}/remove")))
        .form(&[("csrf", phone_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("หมดเวลาส่งผลงานแล้ว"));
    assert_eq!(documents(&s, entry).await, 3);
}

#[tokio::test]
async fn contest_revoked_link_changes_nothing() {
    let s = open_round().await;
    let app = &s.app;
    let (entry, link) = register(&s, "นางสมศรี ใจดี").await;
    let phone = app.client();
    let action = format!("{link}/documents");
    let csrf_page = phone.get(app.url(&link)).send().await.unwrap();
    assert_eq!(csrf_page.status(), 200);
    let csrf = khlang_testkit::csrf_in(&body(csrf_page).await).unwrap();

    let res = post_form(
        app,
        &s.officer,
        &format!("/contests/entries/{entry}"),
        &format!("/contests/entries/{entry}/revoke"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);

    let res = phone.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ลิงก์นี้ถูกยกเลิกแล้ว กรุณาติดต่อเจ้าหน้าที่"));
    let form = Form::new()
        .text("csrf", csrf)
        .text("requirement", "profile")
        .part("file", Part::bytes(pdf("late")).file_name("x.pdf"));
    let res = phone
        .post(app.url(&action))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ลิงก์นี้ถูกยกเลิกแล้ว"));
    assert_eq!(documents(&s, entry).await, 0);

    // A new link works; the revoked one still says so (not "not found").
    let res = post_form(
        app,
        &s.officer,
        &format!("/contests/entries/{entry}"),
        &format!("/contests/entries/{entry}/link"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 200);
    let fresh = link_in(&body(res).await);
    assert_ne!(fresh, link);
    assert_eq!(
        phone.get(app.url(&fresh)).send().await.unwrap().status(),
        200
    );
    let res = phone.get(app.url(&link)).send().await.unwrap();
    assert_eq!(res.status(), 409);
    // A made-up link is simply not found.
    assert_eq!(
        phone
            .get(app.url("/e/not-a-real-link"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn contest_only_organisers_register_entrants() {
    let s = open_round().await;
    let app = &s.app;
    let page = format!("/contests/rounds/{}/entrants/new", s.round);
    let branch = s.branch.to_string();
    let fields = [
        ("branch", branch.as_str()),
        ("kind", "person"),
        ("new_name", "นางสาวแอบ สมัคร"),
        ("province", "40"),
        ("allow_duplicate", "1"),
    ];
    for (name, unit, role) in [
        ("reviewer", UNIT, "reviewer"),
        ("contributor", UNIT, "contributor"),
        ("viewer", UNIT, "viewer"),
        // An officer of another regional centre runs that centre's contests, not this one.
        ("southofficer", "DHSS-PHC-S", "km_officer"),
    ] {
        let client = member(app, name, unit, role).await;
        let res = client.get(app.url(&page)).send().await.unwrap();
        assert_eq!(res.status(), 404, "{name} sees no registration form");
        let csrf = app.csrf(&client, "/account").await;
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(&fields);
        let res = client
            .post(app.url(&page))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "{name} cannot register");
    }
    // Nobody signed in: sent to sign in.
    let res = app.client().get(app.url(&page)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let d = app
        .core()
        .round_dashboard(&s.actor, RoundId(s.round), &EntryFilter::default(), 1)
        .await
        .unwrap();
    assert_eq!(d.stats.entries, 0);
}
