//! Issue 9 §1, accounts and access: the defects the hostile test found, each replayed on the
//! real app — taking over a parent unit's administrator, open redirects and header
//! injection through `next`, weak passwords, what a password change or reset must end,
//! HSTS, and the site administrator approving their own item.

use super::*;
use khlang_core::account::User;
use khlang_core::ids::UnitId;
use khlang_core::org::{Actor, Role, SignedIn};
use khlang_core::service::org::MemberInput;
use khlang_testkit::{PASSWORD, fresh_config, spawn_app, spawn_with};
use serde_json::{Value, json};

/// The site administrator as the core sees them, for arranging people directly.
async fn site_admin(app: &TestApp) -> Actor {
    let me = app.create_user("root.admin", PASSWORD, true).await;
    Actor::User(SignedIn {
        user_id: me.id,
        site_admin: true,
        grants: vec![],
    })
}

/// A person whose home unit is `home`, holding `grants` (role, unit code).
async fn person(
    app: &TestApp,
    by: &Actor,
    username: &str,
    home: &str,
    grants: &[(&str, &str)],
) -> User {
    let user = app
        .core()
        .create_member(
            by,
            MemberInput {
                username: username.into(),
                display_name: format!("คุณ {username}"),
                email: String::new(),
                phone: String::new(),
                password: PASSWORD.into(),
                home_unit_id: Some(UnitId(app.unit_id(home).await)),
                role: None,
            },
        )
        .await
        .expect("create member");
    for (role, unit) in grants {
        app.core()
            .store
            .insert_grant(
                user.id,
                Role::parse(role).unwrap(),
                UnitId(app.unit_id(unit).await),
            )
            .await
            .unwrap();
    }
    user
}

async fn can_sign_in(app: &TestApp, username: &str, password: &str) -> bool {
    let client = app.client();
    let res = post_form(
        app,
        &client,
        "/login",
        "/login",
        &[
            ("username", username),
            ("password", password),
            ("next", "/"),
        ],
    )
    .await;
    res.status() == 303
}

/// The escalation of the hostile test: the admin of a district (48) resets the password of
/// someone whose home is that district but who administers the province above it (47),
/// signs in as them and creates a unit under the province. Every way of managing that
/// person is now refused, on pages and the API; people fully inside the district still
/// are managed by its admin, and the province's admin manages both.
#[tokio::test]
async fn a_unit_admin_cannot_take_over_the_admin_of_the_parent_unit() {
    let app = spawn_app().await;
    let root = site_admin(&app).await;
    let province = app.unit_id("CDD-P-24").await;
    let district = app.unit_id("CDD-P-24-D01").await;
    person(
        &app,
        &root,
        "district.admin",
        "CDD-P-24-D01",
        &[("admin", "CDD-P-24-D01")],
    )
    .await;
    let boss = person(
        &app,
        &root,
        "province.admin",
        "CDD-P-24-D01",
        &[("admin", "CDD-P-24")],
    )
    .await;
    let plain = person(
        &app,
        &root,
        "plain.member",
        "CDD-P-24-D01",
        &[("contributor", "CDD-P-24-D01")],
    )
    .await;
    let attacker = app.sign_in("district.admin", PASSWORD).await;

    // The reset itself, by form and by API (session + CSRF header).
    let res = post_form(
        &app,
        &attacker,
        "/account",
        &format!("/admin/users/{}/password", boss.id),
        &[("new_password", "ม้าแดงกินหญ้าริมคลองยามเย็น")],
    )
    .await;
    assert_eq!(res.status(), 403, "{}", body(res).await);
    let csrf = app.csrf(&attacker, "/account").await;
    let res = attacker
        .post(app.url(&format!("/api/v1/users/{}/password", boss.id)))
        .header("x-csrf-token", &csrf)
        .json(&json!({"password": "ม้าแดงกินหญ้าริมคลองยามเย็น"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(
        can_sign_in(&app, "province.admin", PASSWORD).await,
        "password unchanged"
    );
    assert!(!can_sign_in(&app, "province.admin", "ม้าแดงกินหญ้าริมคลองยามเย็น").await);

    // Nor look at, grant to, or revoke from that person.
    let page = attacker
        .get(app.url(&format!("/admin/users/{}", boss.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 403);
    let res = post_form(
        &app,
        &attacker,
        "/account",
        &format!("/admin/users/{}/grants", boss.id),
        &[("role", "viewer"), ("unit_id", &district.to_string())],
    )
    .await;
    assert_eq!(res.status(), 403);
    let boss_grant = app.core().store.grants_for_user(boss.id).await.unwrap()[0].id;
    let res = post_form(
        &app,
        &attacker,
        "/account",
        &format!("/admin/grants/{boss_grant}/revoke"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.core()
            .store
            .grants_for_user(boss.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // Granting "admin" above their own reach, even to someone they do manage.
    let res = post_form(
        &app,
        &attacker,
        "/account",
        &format!("/admin/users/{}/grants", plain.id),
        &[("role", "admin"), ("unit_id", &province.to_string())],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.core()
            .store
            .grants_for_user(plain.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // Still within reach: the plain member of the district.
    let res = post_form(
        &app,
        &attacker,
        "/account",
        &format!("/admin/users/{}/password", plain.id),
        &[("new_password", "ม้าแดงกินหญ้าริมคลองยามเย็น")],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let res = post_form(
        &app,
        &attacker,
        "/account",
        &format!("/admin/users/{}/grants", plain.id),
        &[("role", "reviewer"), ("unit_id", &district.to_string())],
    )
    .await;
    assert_eq!(res.status(), 303);

    // The province's admin manages both.
    let province_admin = app.sign_in("province.admin", PASSWORD).await;
    for who in [&boss, &plain] {
        let page = province_admin
            .get(app.url(&format!("/admin/users/{}", who.id)))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{}", who.username);
    }
    // And no unit was created under the province by anyone but its admin.
    let res = post_form(
        &app,
        &attacker,
        "/account",
        "/admin/units",
        &[
            ("parent_id", &province.to_string()),
            ("name_th", "หน่วยงานที่ไม่ควรเกิด"),
            ("code", "ESCALATED"),
            ("kind", "other"),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(
        app.core()
            .unit_tree()
            .await
            .unwrap()
            .units()
            .iter()
            .all(|u| u.code.as_str() != "ESCALATED")
    );
}

/// `next` values that leave the site, or that would break the `Location` header, go "/".
const EVIL_NEXT: &[&str] = &[
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "\t//evil.example",
    "https:evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\u{b}/evil.example",
    "/\0/evil.example",
    "/x\r\nSet-Cookie: khlang_session=stolen",
    "javascript:alert(1)",
    "evil.example",
];

/// The raw query strings the hostile test sent, percent-encoded as a browser would.
const EVIL_QUERIES: &[&str] = &[
    "/%09/evil.example",
    "%2F%09%2Fevil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "/%0b/evil.example",
    "/%00/evil.example",
    "/%5cevil.example",
    "/%5c%5cevil.example",
    "%5C%5Cevil.example",
    "//evil.example",
    "https:%2F%2Fevil.example",
    "/x%0d%0aSet-Cookie:%20a=b",
];

#[tokio::test]
async fn next_after_sign_in_never_leaves_the_site_nor_breaks_the_header() {
    let app = spawn_app().await;
    app.create_user("udom", PASSWORD, false).await;

    // Signing in with a hostile next (POST /login).
    for next in EVIL_NEXT {
        let client = app.client();
        let res = post_form(
            &app,
            &client,
            "/login",
            "/login",
            &[("username", "udom"), ("password", PASSWORD), ("next", next)],
        )
        .await;
        assert_eq!(res.status(), 303, "{next:?}");
        assert_eq!(location(&res), "/", "{next:?}");
    }
    // Local paths survive, as the parsed path and query.
    for (next, want) in [
        ("/admin/units", "/admin/units"),
        (
            "/search?q=%E0%B8%AD%E0%B8%AA%E0%B8%A1.",
            "/search?q=%E0%B8%AD%E0%B8%AA%E0%B8%A1.",
        ),
        ("/%2f%2fevil.example", "/%2f%2fevil.example"),
    ] {
        let client = app.client();
        let res = post_form(
            &app,
            &client,
            "/login",
            "/login",
            &[("username", "udom"), ("password", PASSWORD), ("next", next)],
        )
        .await;
        assert_eq!(location(&res), want);
    }

    // GET /login?next=… while signed in redirects at once; anonymous, the form carries it.
    let signed_in = app.sign_in("udom", PASSWORD).await;
    let anonymous = app.client();
    for raw in EVIL_QUERIES {
        let url = format!("{}/login?next={raw}", app.base);
        let res = signed_in.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 303, "{raw}");
        assert_eq!(location(&res), "/", "{raw}");
        let res = anonymous.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{raw}");
        let html = body(res).await;
        assert!(html.contains(r#"name="next" value="/""#), "{raw}");
        assert!(!html.contains("evil.example"), "{raw}");
    }
    // The same through the POST body, percent-encoded by hand.
    for raw in EVIL_QUERIES {
        let client = app.client();
        let csrf = app.csrf(&client, "/login").await;
        let res = client
            .post(app.url("/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "csrf={csrf}&username=udom&password={}&next={raw}",
                percent(PASSWORD)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303, "{raw}");
        assert_eq!(location(&res), "/", "{raw}");
    }
}

fn percent(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The weak passwords the hostile test got accepted are refused wherever a password is
/// set, with advice next to the field; the person's own names do not count as secrets.
#[tokio::test]
async fn weak_passwords_are_refused_everywhere_with_advice() {
    let weak = [
        "password",
        "12345678",
        "            ",
        "123456789012",
        "password1234",
    ];
    let advice = "ยาวอย่างน้อย 12 ตัวอักษร";

    // First-administrator setup.
    let app = spawn_app().await;
    let link = app.setup_link.clone().unwrap();
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let client = app.client();
    for pw in weak.iter().chain(&["somsri.jaidee", "สมศรี ใจดีมากมาย"])
    {
        let res = post_form(
            &app,
            &client,
            &path,
            &path,
            &[
                ("username", "somsri.jaidee"),
                ("display_name", "สมศรี ใจดีมากมาย"),
                ("email", ""),
                ("password", pw),
                ("password_again", pw),
            ],
        )
        .await;
        assert_eq!(res.status(), 422, "{pw:?}");
        let html = body(res).await;
        assert!(html.contains(advice), "{pw:?}");
        assert!(
            html.contains(r#"<p class="field-error" id="password-hint">"#),
            "{pw:?}"
        );
    }
    assert_eq!(app.core().store.count_users().await.unwrap(), 0);
    let res = post_form(
        &app,
        &client,
        &path,
        &path,
        &[
            ("username", "somsri.jaidee"),
            ("display_name", "สมศรี ใจดีมากมาย"),
            ("email", ""),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let admin = client;

    // Creating a member, by form and by API.
    let unit = app.unit_id("CDD-P-24").await.to_string();
    for pw in weak.iter().chain(&["pranee.k"]) {
        let res = post_form(
            &app,
            &admin,
            "/admin/users",
            "/admin/users",
            &[
                ("display_name", "ปราณี ขยัน"),
                ("username", "pranee.k"),
                ("password", pw),
                ("home_unit_id", &unit),
                ("role", "contributor"),
                ("email", ""),
                ("phone", ""),
            ],
        )
        .await;
        assert_eq!(res.status(), 422, "{pw:?}");
        assert!(body(res).await.contains(advice), "{pw:?}");
    }
    let csrf = app.csrf(&admin, "/account").await;
    let res = admin
        .post(app.url("/api/v1/users"))
        .header("x-csrf-token", &csrf)
        .json(&json!({
            "username": "pranee.k", "display_name": "ปราณี ขยัน", "password": "password",
            "home_unit_id": unit.parse::<i64>().unwrap(),
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "password");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(advice)
    );
    let res = post_form(
        &app,
        &admin,
        "/admin/users",
        "/admin/users",
        &[
            ("display_name", "ปราณี ขยัน"),
            ("username", "pranee.k"),
            ("password", PASSWORD),
            ("home_unit_id", &unit),
            ("role", "contributor"),
            ("email", ""),
            ("phone", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let pranee = app
        .core()
        .store
        .user_by_username(&khlang_core::account::Username::parse("pranee.k").unwrap())
        .await
        .unwrap()
        .unwrap()
        .0;

    // An administrator's reset.
    for pw in weak.iter().chain(&["pranee.k", "ปราณี ขยัน"]) {
        let res = post_form(
            &app,
            &admin,
            "/account",
            &format!("/admin/users/{}/password", pranee.id),
            &[("new_password", pw)],
        )
        .await;
        assert_eq!(res.status(), 422, "{pw:?}");
        let html = body(res).await;
        assert!(html.contains(advice), "{pw:?}");
        assert!(html.contains(r#"id="new_password-hint""#));
    }

    // Changing one's own password.
    let me = app.sign_in("pranee.k", PASSWORD).await;
    for pw in weak.iter().chain(&["PRANEE.K"]) {
        let res = post_form(
            &app,
            &me,
            "/account",
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", pw),
                ("new_password_again", pw),
            ],
        )
        .await;
        assert_eq!(res.status(), 422, "{pw:?}");
        assert!(body(res).await.contains(advice), "{pw:?}");
    }
    assert!(can_sign_in(&app, "pranee.k", PASSWORD).await);

    // The console (`khlang user create` calls this).
    match app
        .core()
        .create_user_from_console("console.user", "ผู้ใช้คอนโซล", "12345678", false)
        .await
    {
        Err(khlang_core::DomainError::Invalid(fields)) => {
            assert!(fields[0].message.contains(advice), "{}", fields[0].message)
        }
        other => panic!("a weak console password: {other:?}"),
    }
}

/// An administrator's reset ends the person's sessions and revokes their API tokens.
#[tokio::test]
async fn an_admin_reset_revokes_the_persons_api_tokens() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.create_user("tokened", PASSWORD, false).await;
    let session = app.sign_in("tokened", PASSWORD).await;
    let (_, token) = app
        .core()
        .create_token_from_console("tokened")
        .await
        .unwrap();
    let bearer = |c: &khlang_testkit::reqwest::Client| {
        c.get(app.url("/api/v1/me")).bearer_auth(token.expose())
    };
    assert_eq!(bearer(&app.client()).send().await.unwrap().status(), 200);

    let res = post_form(
        &app,
        &admin,
        "/account",
        &format!("/admin/users/{}/password", user.id),
        &[("new_password", "ม้าแดงกินหญ้าริมคลองยามเย็น")],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    assert_eq!(bearer(&app.client()).send().await.unwrap().status(), 401);
    let res = session.get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), 303, "the session ended too");
    let tokens = app.core().store.list_tokens(user.id).await.unwrap();
    assert!(tokens.iter().all(|t| t.revoked_at.is_some()));
    let audit = app.core().store.recent_audit(20).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "user.password.reset" && e.detail.contains("1"))
    );
}

/// Changing one's own password signs out every other session and keeps this one.
#[tokio::test]
async fn changing_your_password_ends_your_other_sessions() {
    let app = spawn_app().await;
    app.create_user("pranee", PASSWORD, false).await;
    let here = app.sign_in("pranee", PASSWORD).await;
    let elsewhere = app.sign_in("pranee", PASSWORD).await;
    let res = post_form(
        &app,
        &here,
        "/account",
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "ม้าแดงกินหญ้าริมคลองยามเย็น"),
            ("new_password_again", "ม้าแดงกินหญ้าริมคลองยามเย็น"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let page = here
        .get(app.url("/account?done=password"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "this session goes on");
    assert!(body(page).await.contains("ออกจากระบบ"));
    let page = elsewhere.get(app.url("/account")).send().await.unwrap();
    assert_eq!(page.status(), 303, "the other session ended");
    assert!(location(&page).starts_with("/login"));
    // The kept session still posts forms with its token.
    let res = post_form(
        &app,
        &here,
        "/account",
        "/account/tokens",
        &[("name", "สคริปต์")],
    )
    .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn hsts_only_when_the_public_url_is_https() {
    let app = spawn_app().await;
    let res = app.client().get(app.url("/")).send().await.unwrap();
    assert!(res.headers().get("strict-transport-security").is_none());

    let mut config = fresh_config().await;
    config.public_base_url = "https://km.example.go.th".into();
    let app = spawn_with(config).await;
    for path in ["/", "/login", "/api/v1/items", "/no-such-page"] {
        let res = app.client().get(app.url(path)).send().await.unwrap();
        assert_eq!(
            res.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}

/// The site administrator may do anything to an item except screen their own.
#[tokio::test]
async fn a_site_admin_cannot_approve_their_own_item() {
    let app = spawn_app().await;
    app.create_user("site.boss", PASSWORD, true).await;
    let (_, token) = app
        .core()
        .create_token_from_console("site.boss")
        .await
        .unwrap();
    let http = app.client();
    let call = |path: &str, body: Value| {
        http.post(app.url(path))
            .bearer_auth(token.expose())
            .json(&body)
            .send()
    };
    let unit = app.unit_id("CDD-P-24").await;
    let res = call(
        "/api/v1/items",
        json!({"title": "งานของผู้ดูแลระบบเอง", "unit_id": unit}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let res = call(&format!("/api/v1/items/{id}/submit"), json!({}))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = call(
        &format!("/api/v1/items/{id}/review"),
        json!({"decision": "approve"}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 403);
    let item: Value = app
        .client()
        .get(app.url(&format!("/api/v1/items/{id}")))
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(item["status"], "submitted");
    assert!(
        !item["actions"].to_string().contains("approve"),
        "{}",
        item["actions"]
    );

    // Another member of the committee may.
    let reviewer = member(&app, "other.reviewer", "CDD-P-24", "reviewer").await;
    let csrf = app.csrf(&reviewer, "/account").await;
    let res = reviewer
        .post(app.url(&format!("/api/v1/items/{id}/review")))
        .header("x-csrf-token", &csrf)
        .json(&json!({"decision": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
