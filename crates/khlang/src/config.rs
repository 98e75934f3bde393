//! Configuration as a value: defaults → `khlang.toml` → `KHLANG_*` environment variables.
//! Unknown keys are refused so a typo never silently falls back to a default.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Address and port to serve on.
    pub listen: String,
    /// Where the embedded database and uploaded files live by default.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means `sqlite://<data_dir>/khlang.db`.
    pub database_url: String,
    /// A directory, `file:///dir` or `s3://bucket?endpoint=…`; empty means `<data_dir>/files`.
    pub storage_url: String,
    /// The address people use to reach khlang; empty means `http://<listen>`.
    pub public_base_url: String,
    /// Largest upload per file: bytes or with a unit (`500MB`, `2GiB`).
    pub upload_limit: String,
    /// How long a sign-in lasts: `12h`, `7d`, `30m`.
    pub session_lifetime: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: String,
    /// For rehearsals and browser tests only: a file holding a number of seconds to add to
    /// the clock (re-read every second), so a deadline can be passed without waiting.
    /// Empty: the system clock.
    pub clock_offset_file: String,
    /// Runs background work in this process: jobs (knowledge books, imports) and the
    /// 10-minute sweep of reminders, digests and badges. Every process may: each job and each
    /// reminder is taken once. The test kit turns it off and runs both at the times it sets.
    pub run_jobs: bool,
    /// LINE Messaging API channel secret (signs webhook calls); empty: LINE capture is off.
    pub line_channel_secret: String,
    /// LINE channel access token (for replies and message content); empty: off.
    pub line_access_token: String,
    /// Where the LINE API answers (tests point this at a fake on loopback).
    pub line_api_url: String,
    /// Where LINE serves the content of pictures and files.
    pub line_data_url: String,
    /// The site's name, e.g. "คลังความรู้ กรมสนับสนุนบริการสุขภาพ" (OAI-PMH `repositoryName`).
    pub site_name: String,
    /// Who answers for the site (OAI-PMH `adminEmail`); empty: `webmaster@<host>`.
    pub admin_email: String,
    /// The middle of OAI identifiers `oai:<id>:item/<n>`, e.g. `km.hss.go.th`; empty: the
    /// host of `public_base_url`. Set it once and keep it, so identifiers never change.
    pub oai_repository_id: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./khlang-data"),
            database_url: String::new(),
            storage_url: String::new(),
            public_base_url: String::new(),
            upload_limit: "2GiB".into(),
            session_lifetime: "7d".into(),
            log_format: "text".into(),
            clock_offset_file: String::new(),
            run_jobs: true,
            line_channel_secret: String::new(),
            line_access_token: String::new(),
            line_api_url: "https://api.line.me".into(),
            line_data_url: "https://api-data.line.me".into(),
            site_name: "คลังความรู้".into(),
            admin_email: String::new(),
            oai_repository_id: String::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Load(String),
    #[error("{key} = {value:?} is not valid: {why}")]
    Value {
        key: &'static str,
        value: String,
        why: &'static str,
    },
}

impl Config {
    /// Reads `khlang.toml` (or the file in `KHLANG_CONFIG`) and `KHLANG_*` variables.
    pub fn load() -> Result<Self, ConfigError> {
        let file = std::env::var("KHLANG_CONFIG").unwrap_or_else(|_| "khlang.toml".into());
        Self::figment(Path::new(&file), Env::prefixed("KHLANG_"))
    }

    fn figment(file: &Path, env: Env) -> Result<Self, ConfigError> {
        if file.exists() && std::fs::read_to_string(file).is_err() {
            return Err(ConfigError::Load(format!("cannot read {}", file.display())));
        }
        // KHLANG_CONFIG names the file; KHLANG_TEST_* belong to the test suite.
        let env = env.filter(|k| {
            let k = k.as_str().to_ascii_lowercase();
            k != "config" && !k.starts_with("test_")
        });
        let config: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(env)
            .extract()
            .map_err(|e| ConfigError::Load(one_line(&e)))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key, value: &str, why| ConfigError::Value {
            key,
            value: value.to_string(),
            why,
        };
        self.listen.parse::<std::net::SocketAddr>().map_err(|_| {
            bad(
                "listen",
                &self.listen,
                "expected host:port, e.g. 127.0.0.1:8080",
            )
        })?;
        parse_size(&self.upload_limit).ok_or_else(|| {
            bad(
                "upload_limit",
                &self.upload_limit,
                "expected a size such as 500MB or 2GiB",
            )
        })?;
        parse_duration(&self.session_lifetime).ok_or_else(|| {
            bad(
                "session_lifetime",
                &self.session_lifetime,
                "expected a duration such as 30m, 12h or 7d",
            )
        })?;
        if !matches!(self.log_format.as_str(), "text" | "json") {
            return Err(bad("log_format", &self.log_format, "expected text or json"));
        }
        let db = self.database_url();
        if !(db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            return Err(bad(
                "database_url",
                &khlang_store::redact_url(&db),
                "expected sqlite://… or postgres://…",
            ));
        }
        let base = &self.public_base_url;
        if !(base.is_empty() || base.starts_with("http://") || base.starts_with("https://")) {
            return Err(bad(
                "public_base_url",
                &self.public_base_url,
                "expected http://… or https://…",
            ));
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("khlang.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn storage_url(&self) -> String {
        if self.storage_url.is_empty() {
            self.data_dir.join("files").display().to_string()
        } else {
            self.storage_url.clone()
        }
    }

    /// LINE capture is on when both the secret and the token are set.
    pub fn line_enabled(&self) -> bool {
        !self.line_channel_secret.is_empty() && !self.line_access_token.is_empty()
    }

    pub fn public_base_url(&self) -> String {
        if self.public_base_url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_base_url.trim_end_matches('/').to_string()
        }
    }

    pub fn upload_limit_bytes(&self) -> u64 {
        parse_size(&self.upload_limit).unwrap_or(2 << 30)
    }

    pub fn session_lifetime(&self) -> time::Duration {
        parse_duration(&self.session_lifetime).unwrap_or(time::Duration::days(7))
    }

    /// The effective configuration as TOML with passwords in URLs masked (`khlang config`).
    pub fn to_masked_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database_url = khlang_store::redact_url(&self.database_url());
        shown.storage_url = khlang_store::redact_url(&self.storage_url());
        shown.public_base_url = self.public_base_url();
        toml::to_string(&shown).unwrap_or_default()
    }
}

fn one_line(e: &figment::Error) -> String {
    e.clone()
        .into_iter()
        .next()
        .map(|e| e.to_string())
        .unwrap_or_else(|| e.to_string())
        .replace('\n', " ")
}

/// `2GiB`, `500MB`, `1048576` → bytes.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "kib" | "k" => 1 << 10,
        "mb" => 1_000_000,
        "mib" | "m" => 1 << 20,
        "gb" => 1_000_000_000,
        "gib" | "g" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult).filter(|b| *b > 0)
}

/// `30m`, `12h`, `7d` → a duration.
pub fn parse_duration(s: &str) -> Option<time::Duration> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().checked_sub(1)?);
    let n: i64 = n.parse().ok().filter(|n| *n > 0)?;
    match unit {
        "m" => Some(time::Duration::minutes(n)),
        "h" => Some(time::Duration::hours(n)),
        "d" => Some(time::Duration::days(n)),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn defaults_file_then_env() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "khlang.toml",
                "listen = \"0.0.0.0:9000\"\nupload_limit = \"500MB\"",
            )?;
            jail.set_env("KHLANG_UPLOAD_LIMIT", "1GiB");
            jail.set_env("KHLANG_TEST_DATABASE_URL", "postgres://ignored");
            let c = Config::figment(Path::new("khlang.toml"), Env::prefixed("KHLANG_"))
                .map_err(|e| e.to_string())?;
            assert_eq!(c.listen, "0.0.0.0:9000");
            assert_eq!(c.upload_limit_bytes(), 1 << 30);
            assert_eq!(c.database_url(), "sqlite://./khlang-data/khlang.db");
            assert_eq!(c.public_base_url(), "http://0.0.0.0:9000");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_are_refused() {
        Jail::expect_with(|jail| {
            jail.create_file("khlang.toml", "listn = \"0.0.0.0:9000\"")?;
            let err = Config::figment(Path::new("khlang.toml"), Env::prefixed("KHLANG_"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("listn"), "{err}");
            assert!(!err.contains('\n'));
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.set_env("KHLANG_DATABSE_URL", "postgres://x");
            let err = Config::figment(Path::new("none.toml"), Env::prefixed("KHLANG_"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("databse_url"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_named() {
        Jail::expect_with(|jail| {
            jail.set_env("KHLANG_UPLOAD_LIMIT", "lots");
            let err = Config::figment(Path::new("none.toml"), Env::prefixed("KHLANG_"))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("upload_limit"), "{err}");
            Ok(())
        });
        Jail::expect_with(|jail| {
            jail.create_file("khlang.toml", "listen = [1, 2")?;
            assert!(Config::figment(Path::new("khlang.toml"), Env::prefixed("KHLANG_")).is_err());
            Ok(())
        });
    }

    #[test]
    fn masked_output_hides_passwords() {
        let c = Config {
            database_url: "postgres://km:s3cret@db/khlang".into(),
            ..Config::default()
        };
        let shown = c.to_masked_toml();
        assert!(!shown.contains("s3cret"));
        assert!(shown.contains("postgres://km:***@db/khlang"));
    }

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("500MB"), Some(500_000_000));
        assert_eq!(parse_size("0"), None);
        assert_eq!(parse_size("2 TB"), None);
        assert_eq!(parse_duration("12h"), Some(time::Duration::hours(12)));
        assert_eq!(parse_duration("0d"), None);
        assert_eq!(parse_duration("d"), None);
    }
}
