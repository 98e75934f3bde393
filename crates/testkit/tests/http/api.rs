use khlang_testkit::spawn_app;
use serde_json::{Value, json};

async fn token_for(app: &khlang_testkit::TestApp, username: &str) -> String {
    app.core()
        .create_token_from_console(username)
        .await
        .unwrap()
        .1
        .expose()
        .to_string()
}

#[tokio::test]
async fn api_manages_units_and_members_within_scope() {
    let app = spawn_app().await;
    app.create_user("root", "รหัสผ่านยาวพอ1", true).await;
    let token = token_for(&app, "root").await;
    let client = app.client();
    let province = app.unit_id("CDD-P-24").await;

    let res = client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .json(&json!({"parent_id": province, "code": "CDD-P-24-D99", "kind": "district_office", "name_th": "สำนักงานพัฒนาชุมชนอำเภอทดสอบ"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let unit: Value = res.json().await.unwrap();
    let unit_id = unit["id"].as_i64().unwrap();
    assert_eq!(unit["code"], "CDD-P-24-D99");

    let res = client
        .post(app.url("/api/v1/users"))
        .bearer_auth(&token)
        .json(&json!({"username": "api.user", "display_name": "ผู้ใช้ผ่าน API", "password": "รหัสผ่านยาวพอ1", "home_unit_id": unit_id, "role": "contributor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);

    // The contributor's own token cannot create units anywhere, nor manage members.
    let contrib = token_for(&app, "api.user").await;
    let res = client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&contrib)
        .json(&json!({"parent_id": unit_id, "code": "NOPE", "name_th": "ไม่ได้"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["title"], "คุณไม่มีสิทธิ์ทำรายการนี้");
    assert!(problem["type"].as_str().unwrap().ends_with("/forbidden"));
    let res = client
        .get(app.url("/api/v1/users"))
        .bearer_auth(&contrib)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let me: Value = client
        .get(app.url("/api/v1/me"))
        .bearer_auth(&contrib)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["grants"][0]["role"], "contributor");

    // PATCH: rename, then retire.
    let res = client
        .patch(app.url(&format!("/api/v1/units/{unit_id}")))
        .bearer_auth(&token)
        .json(&json!({"name_th": "สำนักงานพัฒนาชุมชนอำเภอทดสอบใหม่", "retired": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let unit: Value = res.json().await.unwrap();
    assert_eq!(unit["retired"], true);
    assert_eq!(unit["name_th"], "สำนักงานพัฒนาชุมชนอำเภอทดสอบใหม่");
}

#[tokio::test]
async fn api_bad_input_gets_problem_json_and_changes_nothing() {
    let app = spawn_app().await;
    app.create_user("root", "รหัสผ่านยาวพอ1", true).await;
    let token = token_for(&app, "root").await;
    let client = app.client();
    let before = app.core().unit_tree().await.unwrap().len();

    let res = client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .json(&json!({"code": "X", "name_th": "x", "colour": "red"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400, "unknown fields are refused");
    let res = client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .body("code=X")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .json(&json!({"parent_id": 1, "code": "ไทย", "kind": "galaxy", "name_th": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["code", "kind", "name_th"]);
    let res = client
        .post(app.url("/api/v1/units"))
        .bearer_auth(&token)
        .json(&json!({"parent_id": 999999, "code": "ORPHAN", "name_th": "ไม่มีต้นสังกัด"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(app.core().unit_tree().await.unwrap().len(), before);

    let res = client
        .get(app.url("/api/v1/nothing-here"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let res = client
        .get(app.url("/api/v1/me"))
        .bearer_auth("khl_made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = client.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn api_with_a_session_needs_the_csrf_header_for_changes() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let root = app.unit_id("DHSS").await;
    assert_eq!(
        admin
            .get(app.url("/api/v1/units"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let body = json!({"parent_id": root, "code": "DHSS-NEW", "name_th": "กองใหม่"});
    let res = admin
        .post(app.url("/api/v1/units"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let problem: Value = res.json().await.unwrap();
    assert!(problem["type"].as_str().unwrap().ends_with("/csrf"));
    let csrf = app.csrf(&admin, "/account").await;
    let res = admin
        .post(app.url("/api/v1/units"))
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn api_tokens_are_listed_and_revoked() {
    let app = spawn_app().await;
    app.create_user("tokenuser", "รหัสผ่านยาวพอ1", false).await;
    let token = token_for(&app, "tokenuser").await;
    let client = app.client();
    let res = client
        .post(app.url("/api/v1/tokens"))
        .bearer_auth(&token)
        .json(&json!({"name": "ตัวที่สอง"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let second = created["token"].as_str().unwrap().to_string();
    let list: Value = client
        .get(app.url("/api/v1/tokens"))
        .bearer_auth(&second)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(
        !list.to_string().contains(&second),
        "secrets are never listed"
    );
    let id = created["info"]["id"].as_i64().unwrap();
    let res = client
        .delete(app.url(&format!("/api/v1/tokens/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&second)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
