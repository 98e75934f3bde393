//! Wiring: turns a [`Config`] into a running khlang (database, file storage, core, web).
//! The binary and the test kit both start khlang through here, so tests run the real thing.

pub mod backup;
pub mod bench;
pub mod clock;
pub mod config;
pub mod extract;
pub mod line;
pub mod lock;
pub mod media;

pub use config::Config;

use khlang_blobs::{Location, ObjectBlobs};
use khlang_core::service::setup::Bootstrap;
use khlang_core::service::{Khlang, Policy};
use khlang_store::SeaStore;
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use std::sync::Arc;

/// Why khlang could not start; each says in one line what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration: {0}")]
    Config(#[from] config::ConfigError),
    #[error("database: {0}")]
    Database(#[from] khlang_store::OpenError),
    #[error("file storage: {0}")]
    Storage(String),
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("{0}")]
    Lock(#[from] lock::LockError),
    #[error("{0}")]
    Other(String),
}

/// Everything a running khlang holds.
pub struct Runtime {
    pub config: Config,
    pub core: Khlang,
    pub db: DatabaseConnection,
    pub blobs: Arc<ObjectBlobs>,
}

/// LINE itself takes files up to 300 MB; a phone's message over this is better uploaded.
const LINE_FILE_LIMIT: u64 = 100_000_000;

/// Opens the database (and migrates it) and the file storage, and checks that both answer.
pub async fn open(config: Config) -> Result<Runtime, StartError> {
    let db = khlang_store::connect(&config.database_url()).await?;
    khlang_store::migrate(&db).await?;
    let location =
        Location::parse(&config.storage_url()).map_err(|e| StartError::Storage(e.to_string()))?;
    let blobs =
        Arc::new(ObjectBlobs::open(&location).map_err(|e| StartError::Storage(e.to_string()))?);
    khlang_core::ports::Blobs::check(blobs.as_ref())
        .await
        .map_err(|e| StartError::Storage(format!("{} is not usable: {e}", blobs.description())))?;
    let policy = Policy {
        session_lifetime: config.session_lifetime(),
        ..Policy::default()
    };
    let store = Arc::new(SeaStore::new(db.clone()));
    let core = Khlang::new(
        store.clone(),
        store.clone(),
        blobs.clone(),
        clock::from_config(&config.clock_offset_file),
        policy,
    )
    .with_innovations(store.clone())
    .with_templates(store.clone())
    .with_registry_import(store.clone())
    .with_people(store.clone())
    .with_contests(store.clone(), store.clone())
    .with_certificates(store.clone())
    .with_planning(store.clone())
    .with_sharing(store.clone())
    .with_learning(store.clone())
    .with_jobs(store.clone())
    .with_imports(store.clone())
    .with_oai(store.clone(), oai_settings(&config))
    .with_usage(store.clone())
    .with_coordination(store.clone())
    .with_extractor(Arc::new(extract::FileText::default()))
    .with_typesetter(Arc::new(khlang_typeset::TypstTypesetter::new()))
    .with_media(Arc::new(media::PictureCopies::default()), store.clone());
    let core = if config.line_enabled() {
        core.with_line(
            store,
            Arc::new(line::LineHttp::new(
                &config.line_access_token,
                &config.line_api_url,
                &config.line_data_url,
            )),
            khlang_core::line::LineSettings {
                channel_secret: config.line_channel_secret.clone(),
                base_url: config.public_base_url(),
                file_limit: config.upload_limit_bytes().min(LINE_FILE_LIMIT),
            },
        )
    } else {
        core
    };
    Ok(Runtime {
        config,
        core,
        db,
        blobs,
    })
}

/// The OAI-PMH repository's identity; without a configured public base URL, each request's
/// Host header names the site.
fn oai_settings(config: &Config) -> khlang_core::oai::OaiSettings {
    let settings = khlang_core::oai::OaiSettings::new(
        &config.site_name,
        &config.public_base_url(),
        &config.admin_email,
        &config.oai_repository_id,
    );
    if config.public_base_url.is_empty() {
        settings.following_host(&config.admin_email, &config.oai_repository_id)
    } else {
        settings
    }
}

impl Runtime {
    /// Loads reference units and, on an empty database, makes the first-admin link.
    pub async fn bootstrap(&self) -> Result<Bootstrap, StartError> {
        self.core
            .bootstrap()
            .await
            .map_err(|e| StartError::Other(format!("first start: {e}: {e:?}")))
    }

    pub fn router(&self) -> axum::Router {
        let base = self.config.public_base_url();
        khlang_web::router(
            self.core.clone(),
            khlang_web::WebConfig {
                secure_cookies: base.starts_with("https://"),
                public_base_url: base,
                upload_limit: self.config.upload_limit_bytes(),
            },
        )
    }

    pub fn setup_link(&self, bootstrap: &Bootstrap) -> Option<String> {
        bootstrap
            .setup_secret
            .as_ref()
            .map(|s| format!("{}/setup/{}", self.config.public_base_url(), s.expose()))
    }

    /// Serves until `shutdown` resolves; in-flight requests are allowed to finish.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let sweeper = tokio::spawn(clean_up_periodically(self.core.clone()));
        let core = self.core.clone();
        let reader = tokio::spawn(async move { core.run_text_extraction().await });
        let core = self.core.clone();
        let copier = tokio::spawn(async move { core.run_picture_copies().await });
        // Reminders, digests and badges on the clock: like jobs, background work a node may be
        // told to leave to others (and the test kit to the tests, which call them at set times).
        let core = self.core.clone();
        let sweeps = self.config.run_jobs;
        let reminders = tokio::spawn(async move {
            if sweeps {
                send_reminders_periodically(core).await;
            }
        });
        // Background jobs (the knowledge book, imports): claimed by one process each.
        let core = self.core.clone();
        let run_jobs = self.config.run_jobs;
        let jobs = tokio::spawn(async move {
            if run_jobs {
                core.run_jobs().await;
            }
        });
        if let Err(e) = self.core.catch_up_index().await {
            tracing::warn!(error = %e, "could not check the search index");
        }
        let app = self
            .router()
            .into_make_service_with_connect_info::<SocketAddr>();
        let result = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await;
        sweeper.abort();
        reader.abort();
        copier.abort();
        reminders.abort();
        jobs.abort();
        result.map_err(|e| StartError::Other(format!("server stopped: {e}")))
    }
}

/// Removes expired sessions and abandoned uploads once an hour — on one node only, when
/// several share the database (see [`Khlang::periodic_cleanup`]).
async fn clean_up_periodically(core: Khlang) {
    let mut tick = tokio::time::interval(khlang_core::service::nodes::CLEANUP_EVERY);
    loop {
        tick.tick().await;
        match core.periodic_cleanup().await {
            Ok(Some(done)) => {
                if done.sessions > 0 || done.uploads > 0 {
                    tracing::info!(
                        sessions = done.sessions,
                        uploads = done.uploads,
                        "expired sessions and stale uploads removed"
                    );
                }
            }
            Ok(None) => tracing::debug!("cleanup done by another node this hour"),
            Err(e) => {
                tracing::warn!(error = %e, "could not remove expired sessions or stale uploads")
            }
        }
    }
}

/// How often targets falling due are looked at for reminders.
const REMINDERS_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Reminds units' officers of targets falling due in 14 and 3 days, and sends the daily
/// community digests, every 10 minutes. Every
/// node may run it: each reminder carries a once-only key, so nobody gets one twice.
async fn send_reminders_periodically(core: Khlang) {
    let mut tick = tokio::time::interval(REMINDERS_EVERY);
    loop {
        tick.tick().await;
        match core.send_due_reminders(core.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(notices = n, "due-date reminders looked at"),
            Err(e) => tracing::warn!(error = %e, "could not send due-date reminders"),
        }
        // Community notices held for people who chose one summary a day (once each per day,
        // whichever node gets there first).
        match core.send_digests(core.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(digests = n, "daily community digests sent"),
            Err(e) => tracing::warn!(error = %e, "could not send daily digests"),
        }
        // Badges earned since the last sweep (awarding is once-only across nodes).
        match core.refresh_all_badges().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(badges = n, "badges awarded"),
            Err(e) => tracing::warn!(error = %e, "could not refresh badges"),
        }
        // Learners of cohorts ending within 3 days (once per learner and cohort).
        match core.send_cohort_reminders(core.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(notices = n, "cohort reminders looked at"),
            Err(e) => tracing::warn!(error = %e, "could not send cohort reminders"),
        }
        // The double-click window's fingerprints older than 30 s (usage statistics).
        match core.forget_usage_window().await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(fingerprints = n, "usage window swept"),
            Err(e) => tracing::warn!(error = %e, "could not sweep the usage window"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
