//! Certificates (issue 11): issued through the core, verified in public at `/c/{code}` and
//! `/certificates/verify` (typed however: lower case, no dashes, Thai digits), printed on
//! one A4 page with a QR code leading to that page, revoked with a reason by the issuing
//! unit's officers only — once — after which the page and the print say so; an unknown code
//! tells nothing.

use super::{body, location, member, post_form};
use khlang_core::certificates::{Certificate, NewCertificate, Verification};
use khlang_core::ids::UnitId;
use khlang_core::text::thai_digits;
use khlang_testkit::reqwest::Client;
use khlang_testkit::{TestApp, spawn_app};

/// สสม.ภาคตะวันออกเฉียงเหนือ: the issuing unit.
const UNIT: &str = "DHSS-PHC-NE";
/// Its sibling, the northern centre: officers there are outsiders here.
const OTHER: &str = "DHSS-PHC-N";
const HOLDER: &str = "นางสมศรี ใจดี";
const TITLE: &str = "รางวัลชนะเลิศ สาขาการจัดการสุขภาพชุมชน การคัดเลือก อสม.ดีเด่น ระดับภาค ปี 2568";

fn new(app_unit: i64, holder: &str, source: &str) -> NewCertificate {
    NewCertificate {
        holder: holder.into(),
        title: TITLE.into(),
        unit_id: UnitId(app_unit),
        source: source.into(),
        holder_user: None,
    }
}

/// Certificates issued by a (new) officer of `UNIT` through the core.
async fn issue(app: &TestApp, holders: &[&str]) -> Vec<Certificate> {
    static ISSUERS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = ISSUERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let officer = app
        .user_with_role(&format!("issuer{n}"), UNIT, "km_officer")
        .await;
    let unit = app.unit_id(UNIT).await;
    let batch = holders
        .iter()
        .enumerate()
        .map(|(i, h)| new(unit, h, &format!("contest_entry:{}", i + 1)))
        .collect();
    app.core()
        .issue_certificates(officer.id, batch)
        .await
        .expect("issued")
}

async fn page(client: &Client, app: &TestApp, path: &str) -> (u16, String) {
    let res = client.get(app.url(path)).send().await.expect("GET");
    (res.status().as_u16(), body(res).await)
}

async fn revoke(app: &TestApp, client: &Client, code: &str, reason: &str) -> (u16, String, String) {
    // Every signed-in page carries the session's CSRF token (the sign-out form).
    let res = post_form(
        app,
        client,
        "/certificates/verify",
        &format!("/c/{code}/revoke"),
        &[("reason", reason)],
    )
    .await;
    let status = res.status().as_u16();
    let to = location(&res);
    (status, to, body(res).await)
}

fn is_valid(v: &Verification) -> bool {
    matches!(v, Verification::Valid(_))
}

#[tokio::test]
async fn certificates_verify_in_public_however_the_code_is_typed() {
    let app = spawn_app().await;
    let certs = issue(&app, &[HOLDER, "นายสมชาย รักดี", "นางบุญมี มีสุข"]).await;
    assert_eq!(certs.len(), 3);
    let c = &certs[0];
    assert!(
        c.code.starts_with("KH-") && c.code.len() == 17,
        "{}",
        c.code
    );
    let codes: std::collections::HashSet<&str> = certs.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes.len(), 3, "one code each");

    let anon = app.client();
    let (status, html) = page(&anon, &app, &format!("/c/{}", c.code)).await;
    assert_eq!(status, 200);
    assert!(html.contains("cert-verdict valid"), "{html}");
    assert!(html.contains("ถูกต้อง"));
    assert!(html.contains(HOLDER));
    assert!(html.contains(TITLE));
    assert!(
        html.contains("ศูนย์พัฒนาการสาธารณสุขมูลฐาน"),
        "issuing unit shown"
    );
    let year_be = (time::OffsetDateTime::now_utc().year() + 543).to_string();
    assert!(html.contains(&year_be), "BE date");
    assert!(
        !html.contains("name=\"reason\""),
        "no revoke form for the public"
    );

    // Typed back from paper: lower case, without dashes, with Thai digits.
    let with_digit = certs
        .iter()
        .find(|c| c.code.bytes().any(|b| b.is_ascii_digit()))
        .expect("one of three codes has a digit");
    let typed = [
        with_digit.code.to_lowercase(),
        with_digit.code.replace('-', ""),
        thai_digits(&with_digit.code),
        format!(
            "  {}  ",
            with_digit.code[3..].to_lowercase().replace('-', " ")
        ),
    ];
    for t in &typed {
        let res = anon
            .get(app.url("/certificates/verify"))
            .query(&[("code", t.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{t}");
        assert_eq!(location(&res), format!("/c/{}", with_digit.code), "{t}");
        assert!(
            is_valid(&app.core().verify_certificate(t).await.unwrap()),
            "{t}"
        );
    }
    // A non-canonical link is sent to the canonical page.
    for path in [
        format!("/c/{}", with_digit.code.to_lowercase()),
        format!("/c/{}", thai_digits(&with_digit.code)),
        format!("/c/{}/print", with_digit.code.replace('-', "")),
    ] {
        let res = anon.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 308, "{path}");
        assert!(
            location(&res).starts_with(&format!("/c/{}", with_digit.code)),
            "{path}"
        );
    }
    assert!(html.contains("noindex"), "names are not for search engines");

    // Unknown codes, well-formed or not, say the same and nothing more.
    let mut unknown = String::from("KH-2222-3333-4444");
    if codes.contains(unknown.as_str()) {
        unknown = "KH-5555-6666-7777".into();
    }
    let mut pages = Vec::new();
    for path in [
        format!("/c/{unknown}"),
        "/c/hello".to_string(),
        "/certificates/verify?code=%3Cscript%3E".to_string(),
    ] {
        let (status, html) = page(&anon, &app, &path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("ไม่พบเกียรติบัตรรหัสนี้"), "{path}");
        assert!(
            html.contains("ตรวจสอบรหัสอีกครั้ง หรือเกียรติบัตรนี้อาจไม่ได้ออกโดยระบบ"),
            "{path}"
        );
        assert!(!html.contains("cert-verdict valid") && !html.contains("cert-verdict revoked"));
        assert!(
            !html.contains(HOLDER) && !html.contains("<script>"),
            "{path}"
        );
        pages.push(html);
    }
    assert!(matches!(
        app.core().verify_certificate(&unknown).await.unwrap(),
        Verification::NotFound
    ));
    // The verification form itself.
    let (status, html) = page(&anon, &app, "/certificates/verify").await;
    assert_eq!(status, 200);
    assert!(html.contains("name=\"code\""));
    assert!(!html.contains("ไม่พบเกียรติบัตร"));

    // The source finds its certificates again.
    let of_first = app
        .core()
        .certificates_of_source("contest_entry:1")
        .await
        .unwrap();
    assert_eq!(of_first.len(), 1);
    assert_eq!(of_first[0].code, c.code);
}

#[tokio::test]
async fn certificates_are_revoked_once_by_the_issuing_units_officers_only() {
    let app = spawn_app().await;
    let certs = issue(&app, &[HOLDER, "นายสมชาย รักดี"]).await;
    let code = certs[0].code.clone();

    // Nobody else: every role that does not run the unit's contests, officers of another
    // unit, and the public.
    let outsiders = [
        ("reviewer1", UNIT, "reviewer"),
        ("contributor1", UNIT, "contributor"),
        ("viewer1", UNIT, "viewer"),
        ("otherofficer", OTHER, "km_officer"),
        ("otheradmin", OTHER, "admin"),
    ];
    for (name, unit, role) in outsiders {
        let user = app.user_with_role(name, unit, role).await;
        let client = app.sign_in(name, khlang_testkit::PASSWORD).await;
        let (status, html) = page(&client, &app, &format!("/c/{code}")).await;
        assert_eq!(status, 200);
        assert!(
            !html.contains("name=\"reason\""),
            "{name} sees no revoke form"
        );
        let (status, _, _) = revoke(&app, &client, &code, "ลองเพิกถอน").await;
        assert_eq!(status, 403, "{name} ({role} of {unit}) may not revoke");
        let actor = app.core().actor_for(&user).await.unwrap();
        assert!(matches!(
            app.core()
                .revoke_certificate(&actor, &code, "ลองเพิกถอน")
                .await,
            Err(khlang_core::DomainError::Forbidden)
        ));
    }
    let anon = app.client();
    let csrf = app.csrf(&anon, "/login").await;
    let res = anon
        .post(app.url(&format!("/c/{code}/revoke")))
        .form(&[("csrf", csrf.as_str()), ("reason", "ลอง")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"), "{}", location(&res));
    assert!(is_valid(
        &app.core().verify_certificate(&code).await.unwrap()
    ));

    // The issuing unit's KM officer: sees the form; a reason is required.
    let officer = member(&app, "officer", UNIT, "km_officer").await;
    let (_, html) = page(&officer, &app, &format!("/c/{code}")).await;
    assert!(
        html.contains("name=\"reason\""),
        "the officer sees the revoke form"
    );
    assert!(html.contains(&format!("/c/{code}/print")));
    assert!(!html.contains("id=\"revoke\" open"));
    let (_, html) = page(&officer, &app, &format!("/c/{code}?revoke=1")).await;
    assert!(
        html.contains("id=\"revoke\" open"),
        "the list's link opens the form"
    );
    let (status, _, html) = revoke(&app, &officer, &code, "   ").await;
    assert_eq!(status, 422);
    assert!(html.contains("กรุณาใส่เหตุผลที่เพิกถอน"), "{html}");
    assert!(is_valid(
        &app.core().verify_certificate(&code).await.unwrap()
    ));
    // A wrong CSRF token changes nothing.
    let res = officer
        .post(app.url(&format!("/c/{code}/revoke")))
        .form(&[("csrf", "nope"), ("reason", "ชื่อพิมพ์ผิด")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(is_valid(
        &app.core().verify_certificate(&code).await.unwrap()
    ));

    // Revoked, typed in lower case.
    let reason = "ชื่อผู้ได้รับพิมพ์ผิด ออกฉบับใหม่แทนแล้ว";
    let (status, to, _) = revoke(&app, &officer, &code.to_lowercase(), reason).await;
    assert_eq!(status, 303);
    assert_eq!(to, format!("/c/{code}?done=revoked"));
    let (status, html) = page(&anon, &app, &format!("/c/{code}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("เกียรติบัตรนี้ถูกเพิกถอนแล้ว"), "{html}");
    assert!(html.contains("cert-verdict revoked"));
    assert!(!html.contains("cert-verdict valid") && !html.contains("ไม่พบเกียรติบัตร"));
    assert!(html.contains(reason));
    assert!(html.contains(HOLDER), "still says who it was issued to");
    let year_be = (time::OffsetDateTime::now_utc().year() + 543).to_string();
    assert!(html.contains(&year_be));
    let first = match app.core().verify_certificate(&code).await.unwrap() {
        Verification::Revoked(_, r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(first.reason, reason);

    // Twice: refused in Thai, nothing changed.
    app.move_clock(3600);
    let (status, _, html) = revoke(&app, &officer, &code, "อีกครั้ง").await;
    assert_eq!(status, 409);
    assert!(html.contains("ถูกเพิกถอนไปแล้ว"), "{html}");
    match app.core().verify_certificate(&code).await.unwrap() {
        Verification::Revoked(_, r) => assert_eq!(r, first),
        other => panic!("{other:?}"),
    }
    let audit = app.core().store.recent_audit(100).await.unwrap();
    let revoked: Vec<_> = audit
        .iter()
        .filter(|e| e.action == "certificate.revoked")
        .collect();
    assert_eq!(revoked.len(), 1, "audited once");
    assert_eq!(revoked[0].target, format!("certificate:{code}"));
    assert_eq!(revoked[0].detail, reason);

    // The admin of a parent unit may revoke too (the role reaches down the tree).
    let admin = member(&app, "parentadmin", "DHSS", "admin").await;
    let (status, _, _) = revoke(&app, &admin, &certs[1].code, "ผลการคัดเลือกเปลี่ยน").await;
    assert_eq!(status, 303);
    assert!(matches!(
        app.core().verify_certificate(&certs[1].code).await.unwrap(),
        Verification::Revoked(..)
    ));
}

#[tokio::test]
async fn certificates_print_on_a4_with_a_qr_code_and_a_revocation_across_it() {
    let app = spawn_app().await;
    let certs = issue(&app, &[HOLDER]).await;
    let code = &certs[0].code;
    let anon = app.client();
    let (status, html) = page(&anon, &app, &format!("/c/{code}/print")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg"), "an inline QR code");
    assert!(!html.contains("<?xml"), "no XML prolog inside HTML");
    let url = format!("{}/c/{code}", app.base);
    assert!(html.contains(&url), "the absolute verification URL");
    assert!(html.contains(HOLDER) && html.contains(TITLE) && html.contains(code));
    assert!(html.contains("class=\"certificate\""));
    assert!(!html.contains("cert-watermark"));
    let year_th = thai_digits(&(time::OffsetDateTime::now_utc().year() + 543).to_string());
    assert!(html.contains(&year_th), "BE date in Thai digits");
    let css = body(
        anon.get(app.url("/static/khlang.css"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(css.contains("size:A4 landscape"));

    // A long name and title get smaller type, so that the date and QR code stay on the page.
    let long = issue(&app, &["ศรีสุวรรณวงศ์ไพบูลย์ ".repeat(6).trim()]).await;
    let (_, html) = page(&anon, &app, &format!("/c/{}/print", long[0].code)).await;
    assert!(html.contains("cert-name xlong"), "{html}");
    assert!(
        !page(&anon, &app, &format!("/c/{code}/print"))
            .await
            .1
            .contains("xlong")
    );

    let (status, _) = page(&anon, &app, "/c/KH-2222-3333-4444/print").await;
    assert_eq!(status, 404);

    let officer = member(&app, "officer", UNIT, "admin").await;
    let (status, _, _) = revoke(&app, &officer, code, "ออกซ้ำ").await;
    assert_eq!(status, 303);
    let (status, html) = page(&anon, &app, &format!("/c/{code}/print")).await;
    assert_eq!(status, 200);
    assert!(html.contains("cert-watermark") && html.contains("is-revoked"));
    assert!(html.contains("เกียรติบัตรนี้ถูกเพิกถอนแล้ว") && html.contains("ออกซ้ำ"));
}

#[tokio::test]
async fn certificates_list_shows_officers_their_units_certificates() {
    let app = spawn_app().await;
    let certs = issue(&app, &[HOLDER, "นายสมชาย รักดี"]).await;
    let officer = member(&app, "officer", UNIT, "km_officer").await;
    let (status, html) = page(&officer, &app, "/certificates").await;
    assert_eq!(status, 200);
    assert!(html.contains(HOLDER) && html.contains("นายสมชาย รักดี"));
    assert!(html.contains(&format!("/c/{}/print", certs[0].code)));
    assert!(html.contains(&format!("/c/{}?revoke=1#revoke", certs[0].code)));

    let res = officer
        .get(app.url("/certificates"))
        .query(&[("q", "สมศรี")])
        .send()
        .await
        .unwrap();
    let html = body(res).await;
    assert!(html.contains(HOLDER) && !html.contains("นายสมชาย รักดี"));
    let res = officer
        .get(app.url("/certificates"))
        .query(&[("q", certs[1].code.to_lowercase().replace('-', ""))])
        .send()
        .await
        .unwrap();
    let html = body(res).await;
    assert!(!html.contains(HOLDER) && html.contains("นายสมชาย รักดี"));
    let res = officer
        .get(app.url("/certificates"))
        .query(&[("q", "100%_ไม่มี")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(body(res).await.contains("ไม่พบผลลัพธ์"));

    // A page holds 25, newest first.
    let names: Vec<String> = (1..=24).map(|i| format!("อาสาสมัครลำดับ {i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    issue(&app, &names).await;
    let (_, html) = page(&officer, &app, "/certificates").await;
    assert!(
        html.contains("ทั้งหมด 26 ฉบับ") && html.contains("หน้า 1 จาก 2"),
        "{html}"
    );
    assert!(html.contains("/certificates?page=2"));
    let (_, html) = page(&officer, &app, "/certificates?page=2").await;
    assert!(html.contains("หน้า 2 จาก 2"));
    assert_eq!(
        html.matches("class=\"cert-links\"").count(),
        1,
        "26 - 25 on page 2"
    );

    // Officers elsewhere see none of them; people who run nothing may not look.
    let other = member(&app, "otherofficer", OTHER, "km_officer").await;
    let (status, html) = page(&other, &app, "/certificates").await;
    assert_eq!(status, 200);
    assert!(!html.contains(HOLDER));
    let viewer = member(&app, "viewer1", UNIT, "viewer").await;
    let (status, _) = page(&viewer, &app, "/certificates").await;
    assert_eq!(status, 403);
    let res = app
        .client()
        .get(app.url("/certificates"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
}

#[tokio::test]
async fn certificates_refuse_a_bad_batch_whole() {
    let app = spawn_app().await;
    let officer = app.user_with_role("issuer", UNIT, "km_officer").await;
    let unit = app.unit_id(UNIT).await;
    let batch = vec![
        new(unit, HOLDER, "contest_entry:1"),
        new(unit, "   ", "contest_entry:2"),
    ];
    match app.core().issue_certificates(officer.id, batch).await {
        Err(khlang_core::DomainError::Invalid(e)) => {
            assert!(e[0].message.contains("ลำดับที่ 2"), "{e:?}")
        }
        other => panic!("{other:?}"),
    }
    let no_unit = vec![new(999_999, HOLDER, "contest_entry:1")];
    assert!(matches!(
        app.core().issue_certificates(officer.id, no_unit).await,
        Err(khlang_core::DomainError::Invalid(_))
    ));
    let long = "ก".repeat(201);
    assert!(matches!(
        app.core()
            .issue_certificates(officer.id, vec![new(unit, &long, "contest_entry:1")])
            .await,
        Err(khlang_core::DomainError::Invalid(_))
    ));
    assert!(
        app.core()
            .certificates_of_source("contest_entry:1")
            .await
            .unwrap()
            .is_empty(),
        "nothing of a refused batch is kept"
    );
    assert!(
        app.core()
            .issue_certificates(officer.id, vec![])
            .await
            .unwrap()
            .is_empty()
    );
}
