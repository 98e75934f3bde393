//! HTTP-level tests: each drives a real khlang on port 0 with its own fresh database,
//! on SQLite by default and on PostgreSQL + S3 when `.ci/run` configures them.

mod accounts;
mod api;
mod backup;
mod books;
mod certificates;
mod communities;
mod contest_judging;
mod contest_rounds;
mod contest_uploads;
mod dashboard;
mod events;
mod feeds;
mod forms;
mod hardening_access;
mod hardening_robust;
mod imports;
mod innovations;
mod items_api;
mod items_pages;
mod learning_cohorts;
mod learning_courses;
mod learning_fixture;
mod learning_learners;
mod learning_packages;
mod lessons;
mod levels;
mod line;
mod media;
mod networks;
mod nodes;
mod notifications;
mod oai;
mod openapi;
mod operations;
mod organisation;
mod people;
mod plan_export;
mod plans;
mod recognition;
mod registry_tables;
mod revisions;
mod search;
mod setup;
mod storage;
mod targets;
mod thread_search;
mod tus;
mod usage;

use khlang_testkit::reqwest::{Client, Response};
use khlang_testkit::{TestApp, csrf_in};

/// POSTs a form with the CSRF token read from `page`.
pub async fn post_form(
    app: &TestApp,
    client: &Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> Response {
    let csrf = app.csrf(client, page).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .expect("POST")
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

pub async fn body(res: Response) -> String {
    res.text().await.expect("body")
}

/// Creates a user in `unit_code` with `role` there, through the core, and signs them in.
pub async fn member(app: &TestApp, username: &str, unit_code: &str, role: &str) -> Client {
    app.user_with_role(username, unit_code, role).await;
    app.sign_in(username, khlang_testkit::PASSWORD).await
}

#[allow(dead_code)]
pub fn csrf(html: &str) -> String {
    csrf_in(html).expect("csrf")
}
