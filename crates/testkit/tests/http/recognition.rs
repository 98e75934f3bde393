//! Recognition (issue 13): praise (ชื่นชม) toggles, one per person per item; refused for
//! anonymous visitors, for items the user cannot read, and for a `back` that leaves the site.

use super::{body, location, post_form};
use khlang_core::ids::ItemId;
use khlang_core::item::{ItemInput, Transition};
use khlang_core::org::Actor;
use khlang_core::recognition::PraiseTarget;
use khlang_testkit::{TestApp, spawn_app};

const UNIT: &str = "CDD-P-24-D01";
const OTHER: &str = "DHSS-PHC-NE";

async fn actor(app: &TestApp, username: &str, role: &str, unit: &str) -> Actor {
    let user = app.user_with_role(username, unit, role).await;
    app.core().actor_for(&user).await.unwrap()
}

async fn draft(app: &TestApp, by: &Actor, title: &str) -> ItemId {
    app.core()
        .create_item(
            by,
            &ItemInput {
                title: title.into(),
                summary: "สรุปย่อ".into(),
                knowledge_type: "tacit".into(),
                visibility: "public".into(),
                unit_id: app.unit_id(UNIT).await.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

async fn count(app: &TestApp, id: ItemId) -> u64 {
    let t = PraiseTarget::Item(id);
    app.core()
        .praise_counts(&Actor::Anonymous, &[t])
        .await
        .unwrap()[&t]
        .count
}

async fn praise(
    app: &TestApp,
    client: &khlang_testkit::reqwest::Client,
    page: &str,
    target: &str,
    back: &str,
) -> khlang_testkit::reqwest::Response {
    post_form(
        app,
        client,
        page,
        "/praise",
        &[("target", target), ("back", back)],
    )
    .await
}

#[tokio::test]
async fn praise_toggles_once_per_person_and_is_refused_where_it_must_be() {
    let app = spawn_app().await;
    let officer = actor(&app, "officer", "km_officer", UNIT).await;
    let reviewer = actor(&app, "reviewer", "reviewer", "CDD-P-24").await;
    let published = draft(&app, &officer, "เรื่องที่เผยแพร่แล้ว").await;
    for (who, t) in [
        (&officer, Transition::Submit),
        (&reviewer, Transition::Approve),
    ] {
        app.core().transition(who, published, t, "").await.unwrap();
    }
    let hidden = draft(&app, &officer, "ร่างที่ยังไม่เผยแพร่").await;
    app.user_with_role("reader", OTHER, "contributor").await;
    let reader = app.sign_in("reader", khlang_testkit::PASSWORD).await;
    app.user_with_role("second", OTHER, "contributor").await;
    let second = app.sign_in("second", khlang_testkit::PASSWORD).await;
    let page = format!("/items/{published}");
    let back = format!("/items/{published}#praise");
    let target = format!("item:{published}");

    let html = body(reader.get(app.url(&page)).send().await.unwrap()).await;
    assert!(
        html.contains("ชื่นชม 0 คน") && html.contains("value=\"item:"),
        "{html}"
    );
    let res = praise(&app, &reader, &page, &target, &back).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), back);
    assert_eq!(count(&app, published).await, 1);
    let html = body(reader.get(app.url(&page)).send().await.unwrap()).await;
    assert!(
        html.contains("ชื่นชม 1 คน") && html.contains("เลิกชื่นชม"),
        "{html}"
    );
    praise(&app, &second, &page, &target, &back).await;
    assert_eq!(count(&app, published).await, 2);
    // Again: taken back, never two from one person.
    praise(&app, &reader, &page, &target, &back).await;
    assert_eq!(count(&app, published).await, 1);
    let html = body(reader.get(app.url(&page)).send().await.unwrap()).await;
    assert!(html.contains("ชื่นชม 1 คน") && !html.contains("เลิกชื่นชม"));

    // Anonymous: sent to sign in, nothing counted; the count shows, the button does not.
    let anon = app.client();
    let public = body(anon.get(app.url(&page)).send().await.unwrap()).await;
    assert!(public.contains("ชื่นชม 1 คน") && !public.contains("action=\"/praise\""));
    // (Anonymous pages carry no form, so this post has the visitor's cookie and no token.)
    let res = anon
        .post(app.url("/praise"))
        .form(&[("target", target.as_str()), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200);
    assert!(location(&res).starts_with("/login") || res.status().is_client_error());
    assert_eq!(count(&app, published).await, 1);

    // An item the reader may not read: the same 404 as a missing one, nothing counted.
    for t in [format!("item:{hidden}"), "item:99999".into(), "junk".into()] {
        let res = post_form(
            &app,
            &reader,
            &page,
            "/praise",
            &[("target", &t), ("back", &back)],
        )
        .await;
        assert_eq!(res.status(), 404, "{t}");
    }
    assert_eq!(count(&app, hidden).await, 0);

    // `back` must stay on this site.
    for bad in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
        let res = post_form(
            &app,
            &second,
            &page,
            "/praise",
            &[("target", &target), ("back", bad)],
        )
        .await;
        assert_eq!(res.status(), 400, "{bad}");
        assert!(location(&res).is_empty());
    }
    assert_eq!(count(&app, published).await, 1);

    // Without the CSRF token: refused.
    let res = second
        .post(app.url("/praise"))
        .form(&[("target", target.as_str()), ("back", back.as_str())])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_eq!(count(&app, published).await, 1);
    app.stop().await;
}
