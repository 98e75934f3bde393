use super::*;
use khlang_testkit::spawn_app;

#[tokio::test]
async fn health_and_readiness() {
    let app = spawn_app().await;
    let client = app.client();
    let res = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let res = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(body(res).await, "ready");
}

#[tokio::test]
async fn pages_carry_security_headers_request_ids_and_thai() {
    let app = spawn_app().await;
    let res = app
        .client()
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(
        h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'self'")
    );
    assert!(h.get("x-request-id").is_some());
    assert_eq!(h["content-encoding"], "gzip");
    let res = app
        .client()
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert!(body(res).await.contains("ไม่พบหน้าที่ต้องการ"));
}

#[tokio::test]
async fn assets_are_served_from_the_binary() {
    let app = spawn_app().await;
    let client = app.client();
    for (path, ty) in [
        ("/static/khlang.css", "text/css; charset=utf-8"),
        ("/static/htmx.min.js", "text/javascript; charset=utf-8"),
        ("/static/fonts/sarabun-thai-400.woff2", "font/woff2"),
    ] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["content-type"], ty);
    }
    let css = body(
        client
            .get(app.url("/static/khlang.css"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(css.contains("Sarabun"));
    assert_eq!(
        client
            .get(app.url("/static/../Cargo.toml"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

#[tokio::test]
async fn shutdown_finishes_and_stops_listening() {
    let app = spawn_app().await;
    let url = app.url("/healthz");
    assert_eq!(app.client().get(&url).send().await.unwrap().status(), 200);
    app.stop().await;
    assert!(khlang_testkit::reqwest::get(&url).await.is_err());
}
