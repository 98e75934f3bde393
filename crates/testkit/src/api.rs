//! Someone calling the JSON API in a test: a bearer token, or nobody. One helper for every
//! API test, so a change in how tokens or uploads work is made once.

use crate::{PASSWORD, TestApp};
use khlang_core::ids::UnitId;
use khlang_core::org::Role;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};

pub struct ApiCaller<'a> {
    app: &'a TestApp,
    http: Client,
    token: Option<String>,
}

impl<'a> ApiCaller<'a> {
    pub fn anonymous(app: &'a TestApp) -> Self {
        Self {
            app,
            http: app.client(),
            token: None,
        }
    }

    /// A new account with `grants` (role, unit code) and an API token.
    pub async fn user(app: &'a TestApp, username: &str, grants: &[(&str, &str)]) -> Self {
        let user = app.create_user(username, PASSWORD, false).await;
        for (role, unit) in grants {
            app.core()
                .store
                .insert_grant(
                    user.id,
                    Role::parse(role).expect("role"),
                    UnitId(app.unit_id(unit).await),
                )
                .await
                .expect("grant");
        }
        Self {
            app,
            http: app.client(),
            token: Some(app.token_for(username).await),
        }
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        let r = self.http.request(method, self.app.url(path));
        match &self.token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.req(Method::GET, path).send().await.expect("GET")
    }

    pub async fn send(&self, method: Method, path: &str, body: Value) -> Response {
        self.req(method, path)
            .json(&body)
            .send()
            .await
            .expect("send")
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.send(Method::POST, path, body).await
    }

    /// GET that must answer 200 with JSON.
    pub async fn read(&self, path: &str) -> Value {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.expect("JSON")
    }

    /// A request that must answer `status`; its JSON body (or null). GET and DELETE send no body.
    pub async fn expect(&self, method: Method, path: &str, body: Value, status: u16) -> Value {
        let req = self.req(method.clone(), path);
        let req = if method == Method::GET || method == Method::DELETE {
            req
        } else {
            req.json(&body)
        };
        let res = req.send().await.expect("send");
        let got = res.status().as_u16();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert_eq!(got, status, "{method} {path}: {v}");
        v
    }

    /// A new draft in `unit` with `extra` keys; returns its id.
    pub async fn draft(&self, unit: i64, extra: Value) -> i64 {
        let mut body = json!({"title": "คู่มือการถอดบทเรียน อสม.", "unit_id": unit});
        for (k, v) in extra.as_object().expect("object") {
            body[k] = v.clone();
        }
        let res = self.post("/api/v1/items", body).await;
        assert_eq!(res.status(), 201);
        res.json::<Value>().await.expect("JSON")["id"]
            .as_i64()
            .expect("id")
    }

    /// Uploads a file to an item as a browser would (the name in raw UTF-8).
    pub async fn upload(&self, item: i64, name: &str, bytes: &[u8]) -> Response {
        let form = Form::new().percent_encode_noop().part(
            "file",
            Part::bytes(bytes.to_vec())
                .file_name(name.to_string())
                .mime_str("application/octet-stream")
                .expect("mime"),
        );
        self.req(Method::POST, &format!("/api/v1/items/{item}/files"))
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    /// The item's status as the API names it.
    pub async fn status_of(&self, item: i64) -> String {
        self.read(&format!("/api/v1/items/{item}")).await["status"]
            .as_str()
            .expect("status")
            .to_string()
    }
}
