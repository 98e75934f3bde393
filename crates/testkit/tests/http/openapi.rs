//! `GET /api/openapi.json`: an OpenAPI 3.1 document of every route the API serves, open to
//! anyone, whose schemas describe what the API really sends.

use khlang_testkit::reqwest::Client;
use khlang_testkit::reqwest::multipart::{Form, Part};
use khlang_testkit::{TestApp, spawn_app};
use serde_json::{Value, json};

/// Every route under `/api/v1` (see `crates/web/src/api/mod.rs` and `items.rs`), plus the
/// downloads and tus endpoints outside it. A new route must be documented and listed here.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/v1/me"),
    ("get", "/api/v1/units"),
    ("post", "/api/v1/units"),
    ("patch", "/api/v1/units/{id}"),
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("post", "/api/v1/users/{id}/grants"),
    ("post", "/api/v1/users/{id}/password"),
    ("delete", "/api/v1/grants/{id}"),
    ("get", "/api/v1/tokens"),
    ("post", "/api/v1/tokens"),
    ("delete", "/api/v1/tokens/{id}"),
    ("get", "/api/v1/items"),
    ("post", "/api/v1/items"),
    ("get", "/api/v1/items/{id}"),
    ("patch", "/api/v1/items/{id}"),
    ("post", "/api/v1/items/{id}/files"),
    ("delete", "/api/v1/items/{id}/files/{file_id}"),
    ("post", "/api/v1/items/{id}/submit"),
    ("post", "/api/v1/items/{id}/review"),
    ("post", "/api/v1/items/{id}/archive"),
    ("delete", "/api/v1/items/{id}/revision"),
    ("post", "/api/v1/items/{id}/comments"),
    ("get", "/api/v1/items/{id}/versions"),
    ("post", "/api/v1/items/{id}/versions/{n}/restore"),
    ("get", "/api/v1/taxonomies"),
    ("get", "/api/v1/files/{file_id}"),
    ("get", "/api/v1/search"),
    ("get", "/api/v1/innovations"),
    ("get", "/api/v1/innovations/{id}"),
    ("post", "/api/v1/innovations/{id}/applied"),
    ("head", "/api/v1/files/{file_id}"),
    ("get", "/files/{file_id}"),
    ("head", "/files/{file_id}"),
    ("get", "/files/{file_id}/{name}"),
    ("head", "/files/{file_id}/{name}"),
    ("options", "/files/tus/"),
    ("post", "/files/tus/"),
    ("head", "/files/tus/{id}"),
    ("patch", "/files/tus/{id}"),
    ("delete", "/files/tus/{id}"),
];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn document(app: &TestApp) -> Value {
    let res = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "served to anyone, no sign-in");
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type}"
    );
    serde_json::from_str(&res.text().await.unwrap()).expect("the document is JSON")
}

/// `#/components/{kind}/{name}` → the component; anything else as it is.
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#').expect("local $ref");
            let target = doc
                .pointer(pointer)
                .unwrap_or_else(|| panic!("dangling $ref {r}"));
            resolve(doc, target)
        }
        None => v,
    }
}

fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                out.push((method.clone(), path.clone(), op));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert!(!doc["info"]["title"].as_str().unwrap().is_empty());

    let documented: Vec<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    for (method, path) in ROUTES {
        assert!(
            documented.contains(&(method.to_string(), path.to_string())),
            "{} {path} is not documented",
            method.to_uppercase()
        );
    }
    for (method, path) in &documented {
        assert!(
            ROUTES.contains(&(method.as_str(), path.as_str())),
            "{} {path} is documented but not served",
            method.to_uppercase()
        );
    }

    let mut ids = Vec::new();
    for (method, path, op) in operations(&doc) {
        let what = format!("{} {path}", method.to_uppercase());
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        assert!(
            !id.is_empty() && !ids.contains(&id),
            "{what}: operationId {id:?}"
        );
        ids.push(id);
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{what}: tag"
        );
        let summary = op["summary"].as_str().unwrap_or_default();
        assert!(
            summary
                .chars()
                .any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c))
                && summary.chars().any(|c| c.is_ascii_alphabetic()),
            "{what}: summary in Thai and English: {summary:?}"
        );
        // Path parameters are declared.
        for name in path.split('{').skip(1).filter_map(|s| s.split('}').next()) {
            assert!(
                op["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["name"] == name && p["in"] == "path")),
                "{what}: path parameter {name}"
            );
        }
        // Errors are problem+json, except where HTML pages or HEAD (no body) answer.
        let html = path.starts_with("/files/") && !path.starts_with("/files/tus");
        if html || method == "head" {
            continue;
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            if !status.starts_with('4') || status == "416" {
                continue;
            }
            let response = resolve(&doc, response);
            assert_eq!(
                response["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{what}: {status} is not a problem"
            );
        }
    }

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        assert!(
            doc.pointer(r.trim_start_matches('#')).is_some(),
            "dangling $ref {r}"
        );
    }

    let problem = resolve(&doc, &doc["components"]["schemas"]["Problem"]);
    for key in ["type", "title", "status", "errors"] {
        assert!(problem["properties"][key].is_object(), "Problem.{key}");
    }
    let field = resolve(&doc, &problem["properties"]["errors"]["items"]);
    assert!(field["properties"]["field"].is_object() && field["properties"]["message"].is_object());

    let create = &doc["paths"]["/api/v1/items"]["post"];
    let body = resolve(
        &doc,
        &create["requestBody"]["content"]["application/json"]["schema"],
    );
    for key in ["title", "unit_id", "terms", "fiscal_year", "visibility"] {
        assert!(body["properties"][key].is_object(), "ItemJson.{key}");
    }
    assert!(
        doc["paths"]["/api/v1/items/{id}/files"]["post"]["requestBody"]["content"]
            ["multipart/form-data"]
            .is_object()
    );

    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], "khlang_session");
    assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token");
    assert_eq!(
        doc["paths"]["/api/v1/me"]["get"]["security"],
        json!([{"bearer": []}, {"session": []}])
    );
    let tags: Vec<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for (_, _, op) in operations(&doc) {
        for tag in op["tags"].as_array().unwrap() {
            assert!(
                tags.contains(&tag.as_str().unwrap()),
                "tag {tag} is described"
            );
        }
    }
    app.stop().await;
}

// ---- the documented shapes against real responses ----

/// Where `value` does not fit `schema`: wrong types, missing required keys, and keys the
/// schema does not know (so the schema-only mirrors of core types cannot drift unseen).
fn misfits(doc: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(doc, schema);
    if let Some(all) = schema["allOf"].as_array() {
        // Flattened structs: one object made of every part's properties.
        let mut merged = json!({"type": "object", "properties": {}, "required": []});
        for part in all {
            let part = resolve(doc, part);
            if let Some(props) = part["properties"].as_object() {
                for (k, v) in props {
                    merged["properties"][k] = v.clone();
                }
            }
            if let Some(req) = part["required"].as_array() {
                merged["required"]
                    .as_array_mut()
                    .unwrap()
                    .extend(req.clone());
            }
        }
        return misfits(doc, &merged, value, at);
    }
    if let Some(any) = schema["oneOf"].as_array() {
        return if any.iter().any(|s| misfits(doc, s, value, at).is_empty()) {
            Vec::new()
        } else {
            vec![format!("{at}: {value} fits none of oneOf")]
        };
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let documented = types.is_empty()
        || types.contains(&kind)
        || (kind == "integer" && types.contains(&"number"));
    if !documented {
        return vec![format!("{at}: {kind}, documented as {types:?}")];
    }
    if let Some(values) = schema["enum"].as_array()
        && !value.is_null()
        && !values.contains(value)
    {
        return vec![format!("{at}: {value} is not one of {values:?}")];
    }
    let mut out = Vec::new();
    match value {
        Value::Object(map) => {
            let props = schema["properties"].as_object();
            for (k, v) in map {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => out.extend(misfits(doc, s, v, &format!("{at}.{k}"))),
                    None => out.push(format!("{at}.{k}: not documented")),
                }
            }
            for k in schema["required"].as_array().into_iter().flatten() {
                let k = k.as_str().unwrap();
                if !map.contains_key(k) {
                    out.push(format!("{at}.{k}: documented as required, not sent"));
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                out.extend(misfits(doc, &schema["items"], v, &format!("{at}[{i}]")));
            }
        }
        _ => {}
    }
    out
}

/// Checks a real response body against what the document says `method path` answers with
/// `status`.
fn check(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let response = resolve(
        doc,
        &doc["paths"][path][method]["responses"][status.to_string()],
    );
    let content = &response["content"];
    let schema = content
        .get("application/json")
        .or_else(|| content.get("application/problem+json"))
        .map(|c| &c["schema"])
        .unwrap_or_else(|| panic!("{method} {path} {status} has no documented body"));
    let wrong = misfits(doc, schema, body, &format!("{method} {path} {status}"));
    assert!(wrong.is_empty(), "{wrong:#?}\n{body:#}");
}

async fn call(
    http: &Client,
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = http
        .request(method.to_uppercase().parse().unwrap(), app.url(path))
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn documented_shapes_match_what_the_api_sends() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    app.create_user("root", "รหัสผ่านยาวพอ1", true).await;
    let token = app
        .core()
        .create_token_from_console("root")
        .await
        .unwrap()
        .1
        .expose()
        .to_string();
    // Nobody screens their own item, not even the site administrator: a second one approves.
    app.create_user("root2", "รหัสผ่านยาวพอ1", true).await;
    let reviewer = app
        .core()
        .create_token_from_console("root2")
        .await
        .unwrap()
        .1
        .expose()
        .to_string();
    let http = app.client();
    let unit = app.unit_id("CDD-P-24").await;
    let seen = |method: &str, template: &str, status: u16, body: &Value| {
        check(&doc, method, template, status, body);
    };

    for path in ["/me", "/units", "/users", "/tokens", "/taxonomies"] {
        let (status, body) =
            call(&http, &app, &token, "get", &format!("/api/v1{path}"), None).await;
        assert_eq!(status, 200, "{path}");
        seen("get", &format!("/api/v1{path}"), 200, &body);
    }
    let (status, body) = call(
        &http,
        &app,
        &token,
        "post",
        "/api/v1/tokens",
        Some(json!({"name": "เอกสาร"})),
    )
    .await;
    assert_eq!(status, 201);
    seen("post", "/api/v1/tokens", 201, &body);
    let (status, body) = call(
        &http,
        &app,
        &token,
        "post",
        "/api/v1/units",
        Some(json!({"parent_id": unit, "code": "CDD-P-24-D98", "kind": "district_office", "name_th": "อำเภอทดสอบ"})),
    )
    .await;
    assert_eq!(status, 201);
    seen("post", "/api/v1/units", 201, &body);

    let (status, item) = call(
        &http,
        &app,
        &token,
        "post",
        "/api/v1/items",
        Some(json!({"title": "คู่มือ อสม.", "unit_id": unit, "tags": "อสม., KM", "km_steps": [1, 2]})),
    )
    .await;
    assert_eq!(status, 201);
    seen("post", "/api/v1/items", 201, &item);
    let id = item["id"].as_i64().unwrap();

    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
    let form = Form::new().part("file", Part::bytes(pdf.to_vec()).file_name("คู่มือ.pdf"));
    let res = http
        .post(app.url(&format!("/api/v1/items/{id}/files")))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    seen(
        "post",
        "/api/v1/items/{id}/files",
        201,
        &res.json().await.unwrap(),
    );

    let (status, body) = call(
        &http,
        &app,
        &token,
        "patch",
        &format!("/api/v1/items/{id}"),
        Some(json!({"summary": "ฉบับสอง"})),
    )
    .await;
    assert_eq!(status, 200);
    seen("patch", "/api/v1/items/{id}", 200, &body);
    let (status, body) = call(
        &http,
        &app,
        &token,
        "post",
        &format!("/api/v1/items/{id}/submit"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    seen("post", "/api/v1/items/{id}/submit", 200, &body);
    let (status, body) = call(
        &http,
        &app,
        &token,
        "post",
        &format!("/api/v1/items/{id}/comments"),
        Some(json!({"body": "ขอดูอีกครั้ง"})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = call(
        &http,
        &app,
        &token,
        "get",
        &format!("/api/v1/items/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        !body["comments"].as_array().unwrap().is_empty()
            && !body["files"].as_array().unwrap().is_empty()
    );
    seen("get", "/api/v1/items/{id}", 200, &body);
    let (status, body) = call(
        &http,
        &app,
        &reviewer,
        "post",
        &format!("/api/v1/items/{id}/review"),
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, 200);
    seen("post", "/api/v1/items/{id}/review", 200, &body);
    // Editing published knowledge makes a version; the history shows what changed …
    let (status, body) = call(
        &http,
        &app,
        &token,
        "patch",
        &format!("/api/v1/items/{id}"),
        Some(json!({"title": "คู่มือ อสม. ฉบับปรับปรุง", "fiscal_year": null})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["pending_revision"].is_object(), "{body:#}");
    seen("patch", "/api/v1/items/{id}", 200, &body);
    // … once its revision is screened, by someone other than its author.
    let (status, body) = call(
        &http,
        &app,
        &token,
        "post",
        &format!("/api/v1/items/{id}/submit"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    seen("post", "/api/v1/items/{id}/submit", 200, &body);
    app.create_user("committee", "รหัสผ่านยาวพอ1", true).await;
    let committee = app
        .core()
        .create_token_from_console("committee")
        .await
        .unwrap()
        .1
        .expose()
        .to_string();
    let (status, body) = call(
        &http,
        &app,
        &committee,
        "post",
        &format!("/api/v1/items/{id}/review"),
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = call(
        &http,
        &app,
        &token,
        "get",
        &format!("/api/v1/items/{id}/versions"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        !body["items"][0]["diff"].as_array().unwrap().is_empty(),
        "{body:#}"
    );
    seen("get", "/api/v1/items/{id}/versions", 200, &body);
    let (status, body) = call(
        &http,
        &app,
        &token,
        "post",
        &format!("/api/v1/items/{id}/versions/1/restore"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    seen(
        "post",
        "/api/v1/items/{id}/versions/{n}/restore",
        200,
        &body,
    );
    let (status, body) = call(&http, &app, &token, "get", "/api/v1/items", None).await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 1);
    seen("get", "/api/v1/items", 200, &body);

    // Problems, with and without field errors.
    let (status, body) = call(
        &http,
        &app,
        &token,
        "post",
        "/api/v1/items",
        Some(json!({"title": " ", "unit_id": unit})),
    )
    .await;
    assert_eq!(status, 422);
    assert!(!body["errors"].as_array().unwrap().is_empty());
    seen("post", "/api/v1/items", 422, &body);
    let (status, body) = call(&http, &app, &token, "get", "/api/v1/items/999999", None).await;
    assert_eq!(status, 404);
    seen("get", "/api/v1/items/{id}", 404, &body);
    app.stop().await;
}
