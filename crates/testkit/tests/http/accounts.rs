use super::*;
use khlang_core::account::{Secret, Session};
use khlang_testkit::spawn_app;
use sea_orm::{ConnectionTrait, Statement};
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn wrong_password_is_refused_in_thai_and_then_throttled() {
    let app = spawn_app().await;
    app.create_user("malee", "ถูกต้องแน่นอน123", false).await;
    let client = app.client();
    for _ in 0..5 {
        let res = post_form(
            &app,
            &client,
            "/login",
            "/login",
            &[
                ("username", "malee"),
                ("password", "ผิดแน่นอน"),
                ("next", "/"),
            ],
        )
        .await;
        assert_eq!(res.status(), 401);
        let html = body(res).await;
        assert!(html.contains("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"));
        assert!(html.contains("value=\"malee\""), "the username is kept");
    }
    // Sixth try, even with the right password: locked for a while.
    let res = post_form(
        &app,
        &client,
        "/login",
        "/login",
        &[
            ("username", "malee"),
            ("password", "ถูกต้องแน่นอน123"),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert!(body(res).await.contains("เข้าสู่ระบบผิดหลายครั้งเกินไป"));
    // Unknown accounts fail the same way (no hint that the name does not exist).
    let res = post_form(
        &app,
        &client,
        "/login",
        "/login",
        &[
            ("username", "nobody"),
            ("password", "whatever12"),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn throttling_per_address_covers_many_accounts() {
    let app = spawn_app().await;
    let client = app.client();
    for i in 0..20 {
        let name = format!("guess{i}");
        let res = post_form(
            &app,
            &client,
            "/login",
            "/login",
            &[("username", &name), ("password", "ผิดแน่นอน"), ("next", "/")],
        )
        .await;
        assert_eq!(res.status(), 401);
    }
    app.create_user("realuser", "ถูกต้องแน่นอน123", false).await;
    let res = post_form(
        &app,
        &client,
        "/login",
        "/login",
        &[
            ("username", "realuser"),
            ("password", "ถูกต้องแน่นอน123"),
            ("next", "/"),
        ],
    )
    .await;
    assert_eq!(res.status(), 429, "the address is throttled");
}

#[tokio::test]
async fn login_requires_csrf_and_redirects_only_locally() {
    let app = spawn_app().await;
    app.create_user("udom", "ถูกต้องแน่นอน123", false).await;
    let client = app.client();
    let res = client
        .post(app.url("/login"))
        .form(&[("username", "udom"), ("password", "ถูกต้องแน่นอน123")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = post_form(
        &app,
        &client,
        "/login",
        "/login",
        &[
            ("username", "udom"),
            ("password", "ถูกต้องแน่นอน123"),
            ("next", "//evil.example/"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
}

#[tokio::test]
async fn pages_behind_sign_in_redirect_and_come_back() {
    let app = spawn_app().await;
    let res = app
        .client()
        .get(app.url("/admin/units"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?next=/admin/units");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = spawn_app().await;
    app.create_user("wanna", "ถูกต้องแน่นอน123", false).await;
    let client = app.sign_in("wanna", "ถูกต้องแน่นอน123").await;
    assert_eq!(
        client
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A forged logout does nothing.
    let res = client
        .post(app.url("/logout"))
        .form(&[("csrf", "nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        client
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let res = post_form(&app, &client, "/account", "/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        client
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
}

#[tokio::test]
async fn expired_sessions_are_not_accepted() {
    let app = spawn_app().await;
    let user = app.create_user("somchai", "ถูกต้องแน่นอน123", false).await;
    let secret = Secret::generate("");
    let past = OffsetDateTime::now_utc() - Duration::hours(1);
    app.core()
        .store
        .insert_session(&Session {
            hash: secret.hash(),
            user_id: user.id,
            csrf: "c".repeat(43),
            created_at: past - Duration::days(7),
            expires_at: past,
        })
        .await
        .unwrap();
    let res = app
        .client()
        .get(app.url("/account"))
        .header("cookie", format!("khlang_session={}", secret.expose()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "expired session is sent to sign in");
    assert!(
        app.core()
            .store
            .session(&secret.hash())
            .await
            .unwrap()
            .is_none(),
        "and removed"
    );
}

#[tokio::test]
async fn passwords_are_argon2id_and_can_be_changed() {
    let app = spawn_app().await;
    app.create_user("pranee", "รหัสเดิมยาวพอ1", false).await;
    let db = &app.runtime.db;
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            "SELECT password_hash FROM users WHERE username = 'pranee'",
        ))
        .await
        .unwrap()
        .unwrap();
    let hash: String = row.try_get("", "password_hash").unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    let client = app.sign_in("pranee", "รหัสเดิมยาวพอ1").await;
    let res = post_form(
        &app,
        &client,
        "/account",
        "/account/password",
        &[
            ("current_password", "ผิด"),
            ("new_password", "รหัสใหม่ยาวพอ2"),
            ("new_password_again", "รหัสใหม่ยาวพอ2"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("รหัสผ่านปัจจุบันไม่ถูกต้อง"));
    let res = post_form(
        &app,
        &client,
        "/account",
        "/account/password",
        &[
            ("current_password", "รหัสเดิมยาวพอ1"),
            ("new_password", "รหัสใหม่ยาวพอ2"),
            ("new_password_again", "ไม่ตรงกัน"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_form(
        &app,
        &client,
        "/account",
        "/account/password",
        &[
            ("current_password", "รหัสเดิมยาวพอ1"),
            ("new_password", "รหัสใหม่ยาวพอ2"),
            ("new_password_again", "รหัสใหม่ยาวพอ2"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    app.sign_in("pranee", "รหัสใหม่ยาวพอ2").await;
}

#[tokio::test]
async fn tokens_from_the_account_page_are_shown_once_stored_hashed_and_revocable() {
    let app = spawn_app().await;
    app.create_user("kanya", "ถูกต้องแน่นอน123", false).await;
    let client = app.sign_in("kanya", "ถูกต้องแน่นอน123").await;
    let res = post_form(
        &app,
        &client,
        "/account",
        "/account/tokens",
        &[("name", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาตั้งชื่อโทเค็น"));

    let res = post_form(
        &app,
        &client,
        "/account",
        "/account/tokens",
        &[("name", "สคริปต์นำเข้า")],
    )
    .await;
    assert_eq!(res.status(), 201);
    let html = body(res).await;
    let at = html.find("khl_").expect("token shown");
    let token: String = html[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    assert!(token.len() > 40);

    let me = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let json: serde_json::Value = me.json().await.unwrap();
    assert_eq!(json["user"]["username"], "kanya");

    // Only the hash is in the database.
    let db = &app.runtime.db;
    let rows = db
        .query_all(Statement::from_string(
            db.get_database_backend(),
            "SELECT hash, prefix FROM api_tokens",
        ))
        .await
        .unwrap();
    for r in rows {
        let h: String = r.try_get("", "hash").unwrap();
        assert_ne!(h, token);
        assert_eq!(h.len(), 64);
    }

    // The page lists it again without the secret.
    let page = body(client.get(app.url("/account")).send().await.unwrap()).await;
    assert!(page.contains("สคริปต์นำเข้า"));
    assert!(!page.contains(&token));
    let id = app
        .core()
        .store
        .token_by_hash(&Secret::from_presented(&token).hash())
        .await
        .unwrap()
        .unwrap()
        .id;
    let res = post_form(
        &app,
        &client,
        "/account",
        &format!("/account/tokens/{id}/revoke"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    let me = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401);
    assert_eq!(me.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn admin_reset_signs_the_person_out_everywhere() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.create_user("lamai", "รหัสเดิมยาวพอ1", false).await;
    let lamai = app.sign_in("lamai", "รหัสเดิมยาวพอ1").await;
    let page = format!("/admin/users/{}", user.id);
    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/users/{}/password", user.id),
        &[("new_password", "สั้น")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/users/{}/password", user.id),
        &[("new_password", "รหัสใหม่จากแอดมิน1")],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        lamai
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .status(),
        303,
        "old session ended"
    );
    app.sign_in("lamai", "รหัสใหม่จากแอดมิน1").await;
}
