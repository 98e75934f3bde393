//! The `khlang` binary as an operator uses it: start-up failures in one clear line, account
//! commands for scripts, serve with the first-admin link, graceful stop, backup and restore.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_khlang");

/// A command in a fresh working directory with no khlang settings inherited.
fn khlang(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .env_remove("KHLANG_CONFIG")
        .env("RUST_LOG", "warn");
    for (k, _) in std::env::vars() {
        if k.starts_with("KHLANG_") {
            c.env_remove(k);
        }
    }
    c
}

fn tempdir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("khlang-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Refused to start: exit 1 and exactly one line on stderr, naming the problem.
fn refuses(out: Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line, got: {err}");
    assert!(err.starts_with("khlang: "), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!err.contains("panicked"));
}

#[test]
fn bad_configuration_is_refused_in_one_line() {
    let dir = tempdir();
    std::fs::write(dir.join("khlang.toml"), "listen = [1, 2").unwrap();
    refuses(khlang(&dir).arg("config").output().unwrap(), "khlang.toml");

    std::fs::write(dir.join("khlang.toml"), "listn = \"127.0.0.1:9\"\n").unwrap();
    refuses(khlang(&dir).arg("config").output().unwrap(), "listn");
    std::fs::remove_file(dir.join("khlang.toml")).unwrap();

    refuses(
        khlang(&dir)
            .arg("config")
            .env("KHLANG_UPLOAD_LIMT", "1GB")
            .output()
            .unwrap(),
        "upload_limt",
    );
    refuses(
        khlang(&dir)
            .arg("config")
            .env("KHLANG_LISTEN", "everywhere")
            .output()
            .unwrap(),
        "listen",
    );
    refuses(
        khlang(&dir)
            .arg("serve")
            .env("KHLANG_DATABASE_URL", "mysql://localhost/km")
            .output()
            .unwrap(),
        "database_url",
    );
}

#[test]
fn unusable_database_storage_or_data_dir_are_named() {
    let dir = tempdir();
    refuses(
        khlang(&dir)
            .arg("serve")
            .env(
                "KHLANG_DATABASE_URL",
                "postgres://nobody:secret@127.0.0.1:1/khlang",
            )
            .output()
            .unwrap(),
        "cannot open database postgres://nobody:***@127.0.0.1:1/khlang",
    );
    refuses(
        khlang(&dir)
            .arg("serve")
            .env("KHLANG_DATA_DIR", "/proc/khlang-data")
            .output()
            .unwrap(),
        "/proc/khlang-data",
    );
    let started = Instant::now();
    refuses(
        khlang(&dir)
            .arg("serve")
            .env(
                "KHLANG_STORAGE_URL",
                "s3://km-files?endpoint=http://127.0.0.1:1",
            )
            .env("AWS_ACCESS_KEY_ID", "x")
            .env("AWS_SECRET_ACCESS_KEY", "x")
            .output()
            .unwrap(),
        "file storage: s3://km-files is not usable",
    );
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn config_prints_effective_values_with_secrets_masked() {
    let dir = tempdir();
    let out = khlang(&dir)
        .arg("config")
        .env(
            "KHLANG_DATABASE_URL",
            "postgres://km:hunter2@db.example/khlang",
        )
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("postgres://km:***@db.example/khlang"),
        "{text}"
    );
    assert!(!text.contains("hunter2"));
    assert!(text.contains("upload_limit = \"2GiB\""));
}

#[test]
fn user_create_and_token_create_for_scripts() {
    let dir = tempdir();
    let mut child = khlang(&dir)
        .args(["user", "create", "admin", "--admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("รหัสผ่านผู้ดูแล123\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = khlang(&dir)
        .args(["user", "token", "create", "admin"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "the token alone: {stdout}");
    assert!(stdout.starts_with("khl_"));

    // A second account with the same name, a short password, an unknown user.
    let mut child = khlang(&dir)
        .args(["user", "create", "admin", "--password-stdin"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"another-long-password\n")
        .unwrap();
    refuses(child.wait_with_output().unwrap(), "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว");
    let mut child = khlang(&dir)
        .args(["user", "create", "shorty", "--password-stdin"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    refuses(child.wait_with_output().unwrap(), "อย่างน้อย 12");
    refuses(
        khlang(&dir)
            .args(["user", "token", "create", "ghost"])
            .output()
            .unwrap(),
        "ไม่พบผู้ใช้",
    );
    // No terminal and no --password-stdin: say so instead of hanging.
    refuses(
        khlang(&dir)
            .args(["user", "create", "nopw"])
            .stdin(Stdio::null())
            .output()
            .unwrap(),
        "--password-stdin",
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(port: u16, path: &str) -> Option<String> {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    Some(buf)
}

#[test]
fn serve_prints_the_setup_link_backs_up_live_and_stops_on_sigterm() {
    let dir = tempdir();
    let port = free_port();
    let mut server = khlang(&dir)
        .arg("serve")
        .env("KHLANG_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
    let link = loop {
        let line = lines.next().expect("output").unwrap();
        if let Some(at) = line.find("http://127.0.0.1")
            && line.contains("/setup/")
        {
            break line[at..].trim().to_string();
        }
    };
    assert!(
        link.starts_with(&format!("http://127.0.0.1:{port}/setup/setup_")),
        "{link}"
    );
    let page = get(
        port,
        link.trim_start_matches(&format!("http://127.0.0.1:{port}")),
    )
    .unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(dir.join("khlang-data/khlang.db").exists());

    // Backup while the server runs; restore refuses while it runs.
    let out = khlang(&dir).args(["backup", "bk"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("bk/khlang.db").exists() && dir.join("bk/khlang-backup.toml").exists());
    refuses(
        khlang(&dir)
            .args(["restore", "bk"])
            .env("KHLANG_LISTEN", format!("127.0.0.1:{port}"))
            .output()
            .unwrap(),
        "stop it before restoring",
    );

    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "graceful exit: {exit:?}");
    assert!(get(port, "/healthz").is_none());

    let out = khlang(&dir)
        .args(["restore", "bk"])
        .env("KHLANG_LISTEN", format!("127.0.0.1:{port}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    refuses(
        khlang(&dir)
            .args(["restore", "not-a-backup"])
            .output()
            .unwrap(),
        "not a khlang backup",
    );
}

/// The same commands against the configured test database (PostgreSQL in CI).
#[tokio::test]
async fn cli_acts_on_the_configured_database() {
    let config = khlang_testkit::fresh_config().await;
    let dir = config.data_dir.clone();
    let run = |args: &[&str]| {
        let mut c = khlang(&dir);
        c.args(args)
            .env("KHLANG_DATABASE_URL", &config.database_url)
            .env("KHLANG_STORAGE_URL", &config.storage_url)
            .env("KHLANG_DATA_DIR", &config.data_dir);
        c
    };
    let out = run(&["migrate"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = run(&["user", "create", "officer", "--password-stdin"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("รหัสผ่านเจ้าหน้าที่1\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(
        run(&["user", "token", "create", "officer"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();

    let app = khlang_testkit::spawn_with(config.clone()).await;
    let res = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        app.setup_link.is_none(),
        "an account exists, so no first-admin link"
    );
}

/// The data directory, not the listen address, says whether a server is running: restore
/// told another address still refuses and leaves the live database alone; a killed server
/// (kill -9) leaves no lock behind; a damaged backup is refused before anything is replaced.
#[test]
fn restore_refuses_beside_a_server_on_another_address_and_checks_the_backup_first() {
    let dir = tempdir();
    let port = free_port();
    let start = || {
        let mut server = khlang(&dir)
            .arg("serve")
            .env("KHLANG_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(server.stdout.take().unwrap()).lines();
        while let Some(Ok(line)) = lines.next() {
            if line.contains("/setup/") {
                break;
            }
        }
        server
    };
    let mut server = start();
    assert!(get(port, "/").unwrap().starts_with("HTTP/1.1 200"));
    let out = khlang(&dir).args(["backup", "bk"]).output().unwrap();
    assert!(out.status.success());

    let wal = dir.join("khlang-data/khlang.db-wal");
    assert!(wal.exists(), "the server keeps a write-ahead log");
    let other = free_port();
    refuses(
        khlang(&dir)
            .args(["restore", "bk"])
            .env("KHLANG_LISTEN", format!("127.0.0.1:{other}"))
            .output()
            .unwrap(),
        "stop it before restoring",
    );
    assert!(wal.exists(), "the live log was not touched");
    assert!(!dir.join("khlang-data/khlang.db.restoring").exists());
    let page = get(port, "/").unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");

    // kill -9: the kernel drops the lock with the process.
    server.kill().unwrap();
    server.wait().unwrap();
    let live = std::fs::read(dir.join("khlang-data/khlang.db")).unwrap();

    // A backup cut short, or with a damaged database, changes nothing.
    std::fs::write(dir.join("bk/files/extra"), b"not in the manifest").unwrap();
    refuses(
        khlang(&dir).args(["restore", "bk"]).output().unwrap(),
        "incomplete",
    );
    std::fs::remove_file(dir.join("bk/files/extra")).unwrap();
    let good = std::fs::read(dir.join("bk/khlang.db")).unwrap();
    let mut damaged = good.clone();
    for b in damaged.iter_mut().skip(4096).take(8192) {
        *b = 0xA5;
    }
    std::fs::write(dir.join("bk/khlang.db"), &damaged).unwrap();
    refuses(
        khlang(&dir).args(["restore", "bk"]).output().unwrap(),
        "not usable",
    );
    assert_eq!(
        std::fs::read(dir.join("khlang-data/khlang.db")).unwrap(),
        live,
        "the live database is as the server left it"
    );
    assert!(!dir.join("khlang-data/khlang.db.restoring").exists());

    std::fs::write(dir.join("bk/khlang.db"), &good).unwrap();
    let out = khlang(&dir).args(["restore", "bk"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut server = start();
    let page = get(port, "/").unwrap();
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    // While it serves, a second restore is refused again.
    refuses(
        khlang(&dir).args(["restore", "bk"]).output().unwrap(),
        "stop it before restoring",
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
