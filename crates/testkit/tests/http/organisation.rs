use super::*;
use khlang_testkit::spawn_app;

#[tokio::test]
async fn admin_creates_a_unit_and_a_contributor_who_stays_inside_it() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit_id("CDD-P-24").await.to_string();

    // A new district office under Chachoengsao, through the web form.
    let res = post_form(
        &app,
        &admin,
        "/admin/units",
        "/admin/units",
        &[
            ("parent_id", &province),
            ("name_th", "สำนักงานพัฒนาชุมชนอำเภอทดลอง"),
            ("name_en", ""),
            ("code", "cdd-p-24-d12"),
            ("kind", "district_office"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let new_unit = app.unit_id("CDD-P-24-D12").await.to_string();

    // A contributor in that unit.
    let res = post_form(
        &app,
        &admin,
        "/admin/users",
        "/admin/users",
        &[
            ("display_name", "นางสาวอาสา ทดลอง"),
            ("username", "asa"),
            ("password", "รหัสผ่านอาสาสมัคร1"),
            ("home_unit_id", &new_unit),
            ("role", "contributor"),
            ("email", ""),
            ("phone", "๐๘๑-๒๓๔-๕๖๗๘"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", body(res).await);
    let listing = body(admin.get(app.url("/admin/users")).send().await.unwrap()).await;
    assert!(listing.contains("นางสาวอาสา ทดลอง"));

    let asa = app.sign_in("asa", "รหัสผ่านอาสาสมัคร1").await;
    let home = body(asa.get(app.url("/")).send().await.unwrap()).await;
    assert!(
        home.contains("ผู้ส่งองค์ความรู้"),
        "the contributor sees their role"
    );
    assert!(home.contains("สำนักงานพัฒนาชุมชนอำเภอทดลอง"));

    // Outside their powers: unit and member administration, anywhere.
    for path in ["/admin", "/admin/units", "/admin/users", "/admin/audit"] {
        assert_eq!(
            asa.get(app.url(path)).send().await.unwrap().status(),
            403,
            "{path}"
        );
    }
    let before = app.core().unit_tree().await.unwrap().len();
    let res = post_form(
        &app,
        &asa,
        "/account",
        "/admin/units",
        &[
            ("parent_id", &new_unit),
            ("name_th", "แอบเพิ่ม"),
            ("code", "SNEAKY"),
            ("kind", "other"),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(body(res).await.contains("คุณไม่มีสิทธิ์ทำรายการนี้"));
    assert_eq!(
        app.core().unit_tree().await.unwrap().len(),
        before,
        "nothing changed"
    );
}

/// Every role, granted on a province, tried on unit management inside and outside it.
#[tokio::test]
async fn each_role_over_http_inside_and_outside_its_unit() {
    let app = spawn_app().await;
    let inside = app.unit_id("CDD-P-24-D01").await.to_string();
    let outside = app.unit_id("CDD-P-11").await.to_string();
    for (i, role) in ["admin", "km_officer", "reviewer", "contributor", "viewer"]
        .iter()
        .enumerate()
    {
        let client = member(&app, &format!("role{i}"), "CDD-P-24", role).await;
        let page = "/account";
        let code_in = format!("IN-{i}");
        let res = post_form(
            &app,
            &client,
            page,
            "/admin/units",
            &[
                ("parent_id", &inside),
                ("name_th", "หน่วยย่อย"),
                ("code", &code_in),
                ("kind", "other"),
            ],
        )
        .await;
        let want = if *role == "admin" { 303 } else { 403 };
        assert_eq!(res.status(), want, "{role} inside");
        let code_out = format!("OUT-{i}");
        let res = post_form(
            &app,
            &client,
            page,
            "/admin/units",
            &[
                ("parent_id", &outside),
                ("name_th", "หน่วยย่อย"),
                ("code", &code_out),
                ("kind", "other"),
            ],
        )
        .await;
        assert_eq!(res.status(), 403, "{role} outside");
        let users = client
            .get(app.url("/admin/users"))
            .send()
            .await
            .unwrap()
            .status();
        let want = if *role == "admin" { 200 } else { 403 };
        assert_eq!(users, want, "{role} member list");
    }
}

#[tokio::test]
async fn a_unit_admin_manages_only_their_subtree() {
    let app = spawn_app().await;
    let boss = member(&app, "boss", "CDD-P-24", "admin").await;
    let district = app.unit_id("CDD-P-24-D02").await.to_string();
    let elsewhere = app.unit_id("DHSS-HED").await.to_string();

    let res = post_form(
        &app,
        &boss,
        "/admin/users",
        "/admin/users",
        &[
            ("display_name", "อสม. ใจดี"),
            ("username", "jaidee"),
            ("password", "รหัสผ่านใจดีมาก1"),
            ("home_unit_id", &district),
            ("role", "contributor"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post_form(
        &app,
        &boss,
        "/admin/users",
        "/admin/users",
        &[
            ("display_name", "คนนอก"),
            ("username", "outsider"),
            ("password", "รหัสผ่านคนนอก1"),
            ("home_unit_id", &elsewhere),
            ("role", "contributor"),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);

    // Their list holds only people of their subtree.
    let other = app.create_user("dhssperson", "รหัสผ่านยาวพอ1", false).await;
    let list = body(boss.get(app.url("/admin/users")).send().await.unwrap()).await;
    assert!(list.contains("jaidee"));
    assert!(!list.contains("dhssperson"));
    assert_eq!(
        boss.get(app.url(&format!("/admin/users/{}", other.id)))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );

    // The unit picker offers only their subtree.
    let page = body(boss.get(app.url("/admin/units")).send().await.unwrap()).await;
    assert!(page.contains("สำนักงานพัฒนาชุมชนอำเภอบ้านโพธิ์"));
    assert!(!page.contains(&format!("<option value=\"{elsewhere}\"")));
}

#[tokio::test]
async fn units_rename_move_and_retire_without_losing_anything() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let province = app.unit_id("CDD-P-24").await;
    let district = app.unit_id("CDD-P-24-D03").await;
    let page = format!("/admin/units/{province}");

    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/units/{province}/rename"),
        &[
            ("name_th", "  สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา (แปดริ้ว) "),
            ("name_en", "Chachoengsao"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let tree = app.core().unit_tree().await.unwrap();
    assert_eq!(
        tree.get(khlang_core::ids::UnitId(province))
            .unwrap()
            .name_th
            .as_str(),
        "สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา (แปดริ้ว)"
    );

    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/units/{province}/rename"),
        &[("name_th", "   "), ("name_en", "")],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("กรุณาใส่ชื่อหน่วยงาน"));

    // Moving a province below its own district would make a loop.
    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/units/{province}/move"),
        &[("parent_id", &district.to_string())],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ย้ายหน่วยงานไปไว้ใต้ตัวเอง"));

    // A unit with active sub-units cannot retire; a leaf can, and comes back.
    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/units/{province}/retire"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 409);
    assert!(body(res).await.contains("ยังมีหน่วยงานย่อยที่ใช้งานอยู่"));
    let dpage = format!("/admin/units/{district}");
    let res = post_form(
        &app,
        &admin,
        &dpage,
        &format!("/admin/units/{district}/retire"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    let tree = app.core().unit_tree().await.unwrap();
    assert!(
        tree.get(khlang_core::ids::UnitId(district))
            .unwrap()
            .retired
    );
    assert_eq!(tree.len(), 120, "retiring deletes nothing");
    // No new people in a retired unit.
    let res = post_form(
        &app,
        &admin,
        "/admin/users",
        "/admin/users",
        &[
            ("display_name", "ใหม่"),
            ("username", "newbie"),
            ("password", "รหัสผ่านใหม่1234"),
            ("home_unit_id", &district.to_string()),
            ("role", ""),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = post_form(
        &app,
        &admin,
        &dpage,
        &format!("/admin/units/{district}/restore"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);

    let audit = body(admin.get(app.url("/admin/audit")).send().await.unwrap()).await;
    for action in ["unit.rename", "unit.retire", "unit.restore"] {
        assert!(audit.contains(action), "{action} is in the audit log");
    }
}

#[tokio::test]
async fn duplicate_codes_and_names_with_markup_are_handled() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let root = app.unit_id("CDD").await.to_string();
    let res = post_form(
        &app,
        &admin,
        "/admin/units",
        "/admin/units",
        &[
            ("parent_id", &root),
            ("name_th", "ซ้ำ"),
            ("code", "CDD-P-24"),
            ("kind", "other"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = body(res).await;
    assert!(html.contains("รหัสหน่วยงานนี้มีอยู่แล้ว"));
    assert!(html.contains("value=\"ซ้ำ\""), "typed values are kept");

    let res = post_form(
        &app,
        &admin,
        "/admin/units",
        "/admin/units",
        &[
            ("parent_id", &root),
            ("name_th", "<script>alert(1)</script>"),
            ("code", "XSS"),
            ("kind", "other"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = body(admin.get(app.url("/admin/units")).send().await.unwrap()).await;
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));

    // A username already taken.
    app.create_user("taken", "รหัสผ่านยาวพอ1", false).await;
    let res = post_form(
        &app,
        &admin,
        "/admin/users",
        "/admin/users",
        &[
            ("display_name", "คนที่สอง"),
            ("username", "Taken"),
            ("password", "รหัสผ่านยาวพอ1"),
            ("home_unit_id", &root),
            ("role", "viewer"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(body(res).await.contains("ชื่อผู้ใช้นี้มีผู้ใช้แล้ว"));
}

#[tokio::test]
async fn roles_are_granted_and_revoked_by_form() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let user = app.create_user("reviewer1", "รหัสผ่านยาวพอ1", false).await;
    let unit = app.unit_id("DHSS-PHC").await.to_string();
    let page = format!("/admin/users/{}", user.id);
    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/users/{}/grants", user.id),
        &[("role", "reviewer"), ("unit_id", &unit)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/users/{}/grants", user.id),
        &[("role", "reviewer"), ("unit_id", &unit)],
    )
    .await;
    assert_eq!(res.status(), 409, "the same grant twice");
    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/users/{}/grants", user.id),
        &[("role", "emperor"), ("unit_id", &unit)],
    )
    .await;
    assert_eq!(res.status(), 422);
    let grants = app.core().store.grants_for_user(user.id).await.unwrap();
    assert_eq!(grants.len(), 1);
    let res = post_form(
        &app,
        &admin,
        &page,
        &format!("/admin/grants/{}/revoke", grants[0].id),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(
        app.core()
            .store
            .grants_for_user(user.id)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The header keeps administration behind one จัดการระบบ entry; its page lists only what the
/// person may manage.
#[tokio::test]
async fn the_administration_page_lists_what_each_person_may_manage() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let page = body(admin.get(app.url("/admin")).send().await.unwrap()).await;
    for href in [
        "/admin/units",
        "/admin/users",
        "/admin/taxonomies",
        "/admin/dictionary",
        "/admin/audit",
    ] {
        assert!(page.contains(&format!("href=\"{href}\"")), "{href}");
    }
    let home = body(admin.get(app.url("/")).send().await.unwrap()).await;
    assert!(
        home.contains("href=\"/admin\""),
        "the header links to จัดการระบบ"
    );
    assert!(
        !home.contains("href=\"/admin/audit\""),
        "not eleven links in the header"
    );

    // A unit administrator manages units and people, not the site's vocabularies.
    let unit_admin = app
        .create_user("unitadm", khlang_testkit::PASSWORD, false)
        .await;
    let unit = khlang_core::ids::UnitId(app.unit_id("CDD-P-24").await);
    app.core()
        .store
        .insert_grant(unit_admin.id, khlang_core::org::Role::Admin, unit)
        .await
        .unwrap();
    let client = app.sign_in("unitadm", khlang_testkit::PASSWORD).await;
    let page = body(client.get(app.url("/admin")).send().await.unwrap()).await;
    assert!(page.contains("href=\"/admin/users\""));
    assert!(!page.contains("href=\"/admin/audit\""));

    // Anonymous: sign in first.
    let res = app.client().get(app.url("/admin")).send().await.unwrap();
    assert!(
        res.status().is_redirection() || res.status() == 401,
        "{}",
        res.status()
    );
}
