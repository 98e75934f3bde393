use super::*;
use khlang_testkit::spawn_app;

#[tokio::test]
async fn first_admin_link_works_once_and_signs_in() {
    let app = spawn_app().await;
    let link = app
        .setup_link
        .clone()
        .expect("an empty database prints a setup link");
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let client = app.client();

    let page = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = body(page).await;
    assert!(html.contains("สร้างบัญชีผู้ดูแลระบบคนแรก"));
    let csrf = csrf(&html);

    // Bad input: clear Thai messages, what was typed is kept, nobody is created.
    let res = client
        .post(app.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "ผู้ดูแล"),
            ("display_name", "สมศรี ใจดี"),
            ("password", "short"),
            ("password_again", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("ชื่อผู้ใช้ใช้ได้เฉพาะอักษรอังกฤษ"));
    assert!(html.contains("รหัสผ่านสั้นเกินไป"));
    assert!(html.contains("value=\"สมศรี ใจดี\""));
    assert_eq!(app.core().store.count_users().await.unwrap(), 0);

    let res = client
        .post(app.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "somsri"),
            ("display_name", "สมศรี ใจดี"),
            ("email", ""),
            ("password", "ยาวพอแน่นอน1234"),
            ("password_again", "ยาวพอแน่นอน1234"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/?done=welcome");
    let home = body(client.get(app.url("/?done=welcome")).send().await.unwrap()).await;
    assert!(home.contains("สวัสดี สมศรี ใจดี"));
    assert!(home.contains("ผู้ดูแลระบบ"));

    // The link is spent.
    let again = app.client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 404);
    assert!(body(again).await.contains("ลิงก์นี้ใช้ไม่ได้แล้ว"));
    let users = app.core().store.count_users().await.unwrap();
    assert_eq!(users, 1);
}

#[tokio::test]
async fn setup_refuses_a_wrong_token_and_a_forged_form() {
    let app = spawn_app().await;
    let client = app.client();
    let res = client
        .get(app.url("/setup/setup_not-the-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    let link = app.setup_link.clone().unwrap();
    let path = link.strip_prefix(&app.base).unwrap().to_string();
    let res = client
        .post(app.url(&path))
        .form(&[
            ("csrf", "forged-forged-forged-forged-forged"),
            ("username", "mallory"),
            ("display_name", "x"),
            ("password", "ยาวพอแน่นอน1234"),
            ("password_again", "ยาวพอแน่นอน1234"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(body(res).await.contains("แบบฟอร์มหมดอายุ"));
    assert_eq!(app.core().store.count_users().await.unwrap(), 0);
}

#[tokio::test]
async fn reference_units_load_once() {
    let app = spawn_app().await;
    let tree = app.core().unit_tree().await.unwrap();
    assert_eq!(tree.len(), 120);
    assert_eq!(
        app.core().load_reference_units().await.unwrap(),
        0,
        "loading again adds nothing"
    );
    let district = tree
        .units()
        .iter()
        .find(|u| u.code.as_str() == "CDD-P-24-D07")
        .unwrap();
    assert_eq!(district.name_th.as_str(), "สำนักงานพัฒนาชุมชนอำเภอราชสาส์น");
    assert_eq!(
        tree.display_path(district.id),
        "กรมการพัฒนาชุมชน › สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา › สำนักงานพัฒนาชุมชนอำเภอราชสาส์น"
    );
    // With a user in place a restart prints no new link.
    app.create_user("someone", "รหัสผ่านยาวพอ1", true).await;
    assert!(app.core().bootstrap().await.unwrap().setup_secret.is_none());
}
