//! `spawn_app()`: the real khlang on 127.0.0.1:0 with a fresh database and file store per test.
//!
//! With nothing configured it runs on SQLite and a temporary directory. `.ci/run` sets
//! `KHLANG_TEST_DATABASE_URL=postgres://…` (each test gets its own schema in that database)
//! and `KHLANG_TEST_STORAGE_URL=s3://bucket?endpoint=…` (each test gets its own key prefix).

use khlang::{Config, Runtime};
use khlang_core::account::User;
use khlang_core::service::Khlang;
use reqwest::redirect::Policy;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;

mod api;

pub use api::ApiCaller;
pub use reqwest;

/// A password that passes khlang's strength rule (12+ graphemes, hard to guess): use it
/// for test accounts unless the test is about passwords.
pub const PASSWORD: &str = "รหัสผ่านทดสอบ99";

pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    pub runtime: Arc<Runtime>,
    /// The one-time first-admin link printed at start.
    pub setup_link: Option<String>,
    pub data_dir: PathBuf,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

/// Which database the suite runs on: "sqlite" or "postgres".
pub fn backend() -> &'static str {
    match std::env::var("KHLANG_TEST_DATABASE_URL") {
        Ok(u) if u.starts_with("postgres") => "postgres",
        _ => "sqlite",
    }
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

/// A fresh schema in the PostgreSQL test database, addressed through `search_path`.
async fn postgres_schema(base_url: &str, schema: &str) -> String {
    use sea_orm::{ConnectionTrait, Database};
    let db = Database::connect(base_url)
        .await
        .expect("connect to KHLANG_TEST_DATABASE_URL");
    db.execute_unprepared(&format!("CREATE SCHEMA \"{schema}\""))
        .await
        .expect("create test schema");
    db.close().await.ok();
    let sep = if base_url.contains('?') { '&' } else { '?' };
    format!("{base_url}{sep}options=-c%20search_path%3D{schema}")
}

/// A config for a fresh, isolated khlang (database, files) under a new temporary directory.
pub async fn fresh_config() -> Config {
    let id = unique();
    let data_dir = std::env::temp_dir().join(format!("khlang-test-{id}"));
    std::fs::create_dir_all(&data_dir).expect("temp dir");
    let database_url = match std::env::var("KHLANG_TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => postgres_schema(&url, &format!("t_{id}")).await,
        _ => format!("sqlite://{}", data_dir.join("khlang.db").display()),
    };
    let storage_url = match std::env::var("KHLANG_TEST_STORAGE_URL") {
        Ok(url) if url.starts_with("s3://") => {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}prefix=t-{id}")
        }
        _ => data_dir.join("files").display().to_string(),
    };
    // Every test app's clock can be moved (see `TestApp::move_clock`); no file: no offset.
    let clock_offset_file = data_dir.join("clock-offset").display().to_string();
    Config {
        listen: "127.0.0.1:0".into(),
        data_dir,
        database_url,
        storage_url,
        clock_offset_file,
        // Tests run background jobs themselves (`Khlang::run_pending_jobs`), deterministically.
        run_jobs: false,
        ..Config::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(fresh_config().await).await
}

/// Another node beside `app`: a second khlang process (its own port, data directory, caches
/// and connection pool) on the same database and the same file storage.
pub async fn spawn_node_beside(app: &TestApp) -> TestApp {
    spawn_with(config_beside(app)).await
}

/// The configuration of another node beside `app` (same database and file storage).
pub fn config_beside(app: &TestApp) -> Config {
    let data_dir = std::env::temp_dir().join(format!("khlang-test-{}", unique()));
    std::fs::create_dir_all(&data_dir).expect("temp dir");
    Config {
        data_dir,
        ..app.runtime.config.clone()
    }
}

pub async fn spawn_with(mut config: Config) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    config.listen = addr.to_string();
    let data_dir = config.data_dir.clone();
    let runtime = Arc::new(khlang::open(config).await.expect("khlang opens"));
    let boot = runtime.bootstrap().await.expect("bootstrap");
    let setup_link = runtime.setup_link(&boot);
    let (tx, rx) = oneshot::channel::<()>();
    let rt = runtime.clone();
    let server = tokio::spawn(async move {
        rt.serve(listener, async {
            let _ = rx.await;
        })
        .await
        .expect("server runs");
    });
    TestApp {
        base: format!("http://{addr}"),
        runtime,
        setup_link,
        data_dir,
        shutdown: Some(tx),
        server: Some(server),
    }
}

impl TestApp {
    /// Moves the app's clock (the core's Clock port) `secs` seconds from the real time: a
    /// deadline is passed without sleeping. Nodes beside this one share the file and so
    /// the time.
    pub fn move_clock(&self, secs: i64) {
        let file = &self.runtime.config.clock_offset_file;
        // Written whole under another name first: a reader never sees half a number.
        let tmp = format!("{file}.new");
        std::fs::write(&tmp, secs.to_string()).expect("write the clock offset");
        std::fs::rename(&tmp, file).expect("move the clock offset into place");
    }

    pub fn core(&self) -> &Khlang {
        &self.runtime.core
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .expect("client")
    }

    /// Creates an account straight through the core (as `khlang user create` does).
    pub async fn create_user(&self, username: &str, password: &str, site_admin: bool) -> User {
        self.core()
            .create_user_from_console(username, &format!("ผู้ใช้ {username}"), password, site_admin)
            .await
            .expect("create user")
    }

    /// A new account holding `role` on the reference unit `unit_code` (as an administrator would
    /// grant it), with the test password.
    pub async fn user_with_role(&self, username: &str, unit_code: &str, role: &str) -> User {
        let user = self.create_user(username, PASSWORD, false).await;
        let unit = khlang_core::ids::UnitId(self.unit_id(unit_code).await);
        let role = khlang_core::org::Role::parse(role).expect("role");
        self.core()
            .store
            .insert_grant(user.id, role, unit)
            .await
            .expect("grant");
        user
    }

    /// An API token for an existing account; the secret to send as Bearer.
    pub async fn token_for(&self, username: &str) -> String {
        let (_, secret) = self
            .core()
            .create_token_from_console(username)
            .await
            .expect("token");
        secret.expose().to_string()
    }

    /// Signs in through the real login form and returns the client holding the session.
    pub async fn sign_in(&self, username: &str, password: &str) -> reqwest::Client {
        let client = self.client();
        let csrf = self.csrf(&client, "/login").await;
        let res = client
            .post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), 303, "sign-in of {username} should redirect");
        client
    }

    /// Loads `path` and returns the CSRF token its forms carry.
    pub async fn csrf(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("body");
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf field on {path}"))
    }

    /// A site administrator, signed in.
    pub async fn admin(&self) -> reqwest::Client {
        let name = format!("admin{}", &unique()[..6]);
        self.create_user(&name, PASSWORD, true).await;
        self.sign_in(&name, PASSWORD).await
    }

    /// The id of a reference unit by code.
    pub async fn unit_id(&self, code: &str) -> i64 {
        let tree = self.core().unit_tree().await.expect("tree");
        tree.units()
            .iter()
            .find(|u| u.code.as_str() == code)
            .unwrap_or_else(|| panic!("unit {code}"))
            .id
            .0
    }

    /// Stops the server, letting requests in flight finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The value of the first `name="csrf"` hidden input in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\" value=\"")? + "name=\"csrf\" value=\"".len();
    let rest = &html[at..];
    Some(rest[..rest.find('"')?].to_string())
}
