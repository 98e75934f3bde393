//! Use-cases over the ports. Web handlers and the CLI call these; each checks permission
//! with [`crate::org::authorize`] before it changes anything.

pub mod accounts;
mod cache;
pub mod demo;
pub(crate) mod item_files;
pub mod items;
pub mod nodes;
pub mod org;
pub mod revisions;
pub mod search;
pub mod setup;
pub mod taxonomies;
pub mod uploads;

use crate::account::User;
use crate::error::DomainResult;
use crate::ids::UserId;
use crate::org::{Actor, SignedIn, UnitTree};
use crate::ports::{AuditEntry, Blobs, Clock, Coordination, KnowledgeStore, Store};
use crate::taxonomy::Vocabulary;
use std::sync::Arc;
use time::Duration;

/// Rules that operators may tune (from configuration).
#[derive(Debug, Clone)]
pub struct Policy {
    pub session_lifetime: Duration,
    /// Failed sign-ins allowed per account within `throttle_window`.
    pub max_failures_per_account: u64,
    /// Failed sign-ins allowed per client address within `throttle_window`.
    pub max_failures_per_address: u64,
    pub throttle_window: Duration,
    pub setup_link_lifetime: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            session_lifetime: Duration::days(7),
            max_failures_per_account: 5,
            max_failures_per_address: 20,
            throttle_window: Duration::minutes(15),
            setup_link_lifetime: Duration::days(7),
        }
    }
}

/// The core with its ports; cheap to clone, shared by every request.
#[derive(Clone)]
pub struct Khlang {
    pub store: Arc<dyn Store>,
    pub knowledge: Arc<dyn KnowledgeStore>,
    pub blobs: Arc<dyn Blobs>,
    pub clock: Arc<dyn Clock>,
    pub policy: Policy,
    /// Leases and change counts shared with other processes on the database (see [`nodes`]).
    coordination: Arc<dyn Coordination>,
    /// This process's name in leases.
    node: Arc<str>,
    caches: Arc<cache::Caches>,
    search_state: Arc<search::SearchState>,
    extractor: Option<Arc<dyn crate::ports::TextExtractor>>,
    /// The innovation registry's projection and applied reports (see [`crate::innovations`]).
    pub(crate) innovations: Option<Arc<dyn crate::innovations::InnovationStore>>,
    /// Form template versions (see [`crate::forms`]).
    pub(crate) templates: Arc<dyn crate::forms::TemplateStore>,
    registry_import: Option<Arc<dyn crate::registry_tables::ports::RegistryImportStore>>,
    /// The person register's storage (see [`crate::people`]).
    pub(crate) people: Option<Arc<dyn crate::people::PeopleStore>>,
    /// Picture copies without metadata (see [`crate::media`]); None: pictures are shown to
    /// editors only.
    pub(crate) media: Option<Arc<crate::media::service::MediaParts>>,
    /// Contests, rounds, entries and their documents (see [`crate::contests`]).
    pub(crate) contest_rounds: Option<Arc<dyn crate::contests::RoundStore>>,
    /// Judges, scores and results of contests (see [`crate::contests`]).
    pub(crate) contest_judging: Option<Arc<dyn crate::contests::JudgingStore>>,
    /// Certificates with their verification codes (see [`crate::certificates`]).
    pub(crate) certificates: Option<Arc<dyn crate::certificates::CertificateStore>>,
    /// KM plans (see [`crate::planning`]).
    pub(crate) plans: Option<Arc<dyn crate::planning::PlanStore>>,
    /// Targets (see [`crate::targets`]).
    pub(crate) targets: Option<Arc<dyn crate::targets::TargetStore>>,
    /// Inboxes (see [`crate::notifications`]).
    pub(crate) notices: Option<Arc<dyn crate::notifications::NoticeStore>>,
    /// The KM network registry and trainer directory (see [`crate::networks`]).
    pub(crate) networks: Option<Arc<dyn crate::networks::NetworkStore>>,
    /// Success levels (see [`crate::levels`]).
    pub(crate) levels: Option<Arc<dyn crate::levels::LevelStore>>,
    /// The executive dashboard's counts (see [`crate::dashboard`]).
    pub(crate) dashboard: Option<Arc<dyn crate::dashboard::DashboardStore>>,
    /// Turns printed documents into PDF (see [`crate::print`]); None: no PDF exports.
    pub(crate) typesetter: Option<Arc<dyn crate::print::Typesetter>>,
    /// Communities of practice, threads and posts (see [`crate::communities`]).
    pub(crate) communities: Option<Arc<dyn crate::communities::CommunityStore>>,
    /// The threads' search index (see [`crate::communities::search`]).
    pub(crate) thread_index: Option<Arc<dyn crate::communities::ThreadIndex>>,
    /// Events, registrations and booths (see [`crate::events`]).
    pub(crate) events: Option<Arc<dyn crate::events::EventStore>>,
    /// Where lessons were started from (see [`crate::lessons`]).
    pub(crate) lessons: Option<Arc<dyn crate::lessons::LessonStore>>,
    /// Badges, praise and profiles (see [`crate::recognition`]).
    pub(crate) recognition: Option<Arc<dyn crate::recognition::RecognitionStore>>,
    /// Curricula, courses, lessons and quiz banks (see [`crate::learning::courses`]).
    pub(crate) courses: Option<Arc<dyn crate::learning::CourseStore>>,
    /// Enrolments, progress and quiz attempts (see [`crate::learning::learners`]).
    pub(crate) learners: Option<Arc<dyn crate::learning::LearnerStore>>,
    /// Cohorts and their reports (see [`crate::learning::cohorts`]).
    pub(crate) cohorts: Option<Arc<dyn crate::learning::CohortStore>>,
    /// Background jobs (see [`crate::jobs`]); None: nothing runs in the background.
    pub(crate) jobs: Option<Arc<crate::jobs::service::JobParts>>,
    /// LINE capture, when a channel is configured (see [`crate::line`]).
    pub(crate) line: Option<Arc<crate::line::service::LineParts>>,
    /// Imports from WordPress and spreadsheets (see [`crate::imports`]).
    pub(crate) imports: Option<Arc<crate::imports::ImportParts>>,
    /// The OAI-PMH repository's storage and identity (see [`crate::oai`]).
    pub(crate) oai: Option<Arc<crate::oai::service::OaiParts>>,
    /// Views and downloads counted (see [`crate::usage`]).
    pub(crate) usage: Option<Arc<crate::usage::UsageParts>>,
}

impl Khlang {
    pub fn new(
        store: Arc<dyn Store>,
        knowledge: Arc<dyn KnowledgeStore>,
        blobs: Arc<dyn Blobs>,
        clock: Arc<dyn Clock>,
        policy: Policy,
    ) -> Self {
        Self {
            store,
            knowledge,
            blobs,
            clock,
            policy,
            coordination: Arc::new(nodes::InProcess::default()),
            node: nodes::node_name().into(),
            caches: Arc::default(),
            search_state: Arc::default(),
            extractor: None,
            innovations: None,
            templates: Arc::new(crate::forms::ports::MemoryTemplates::default()),
            registry_import: None,
            people: None,
            media: None,
            contest_rounds: None,
            contest_judging: None,
            certificates: None,
            plans: None,
            targets: None,
            notices: None,
            networks: None,
            levels: None,
            dashboard: None,
            typesetter: None,
            communities: None,
            thread_index: None,
            events: None,
            lessons: None,
            recognition: None,
            courses: None,
            learners: None,
            cohorts: None,
            jobs: None,
            line: None,
            imports: None,
            oai: None,
            usage: None,
        }
    }

    /// Gives KM planning its storage: plans, targets, inboxes, the registries, success
    /// levels and the dashboard's counts (one database serves them all).
    pub fn with_planning<S>(mut self, store: Arc<S>) -> Self
    where
        S: crate::planning::PlanStore
            + crate::targets::TargetStore
            + crate::notifications::NoticeStore
            + crate::networks::NetworkStore
            + crate::levels::LevelStore
            + crate::dashboard::DashboardStore
            + 'static,
    {
        self.plans = Some(store.clone());
        self.targets = Some(store.clone());
        self.notices = Some(store.clone());
        self.networks = Some(store.clone());
        self.levels = Some(store.clone());
        self.dashboard = Some(store);
        self
    }

    /// Gives sharing and learning together its storage: communities and their search, events,
    /// lessons and recognition (one database serves them all).
    pub fn with_sharing<S>(mut self, store: Arc<S>) -> Self
    where
        S: crate::communities::CommunityStore
            + crate::communities::ThreadIndex
            + crate::events::EventStore
            + crate::lessons::LessonStore
            + crate::recognition::RecognitionStore
            + 'static,
    {
        self.communities = Some(store.clone());
        self.thread_index = Some(store.clone());
        self.events = Some(store.clone());
        self.lessons = Some(store.clone());
        self.recognition = Some(store);
        self
    }

    /// Gives learning paths their storage: courses, learners and cohorts (one database).
    pub fn with_learning<S>(mut self, store: Arc<S>) -> Self
    where
        S: crate::learning::CourseStore
            + crate::learning::LearnerStore
            + crate::learning::CohortStore
            + 'static,
    {
        self.courses = Some(store.clone());
        self.learners = Some(store.clone());
        self.cohorts = Some(store);
        self
    }

    /// Gives background jobs (งานเบื้องหลัง: the knowledge book, imports) their storage.
    pub fn with_jobs(mut self, store: Arc<dyn crate::jobs::JobStore>) -> Self {
        self.jobs = Some(Arc::new(crate::jobs::service::JobParts::new(store)));
        self
    }

    /// Gives usage statistics (สถิติการใช้งาน) their storage.
    pub fn with_usage(mut self, store: Arc<dyn crate::usage::UsageStore>) -> Self {
        self.usage = Some(Arc::new(crate::usage::UsageParts::new(store)));
        self
    }

    /// Gives certificates (เกียรติบัตร) their storage.
    pub fn with_certificates(
        mut self,
        store: Arc<dyn crate::certificates::CertificateStore>,
    ) -> Self {
        self.certificates = Some(store);
        self
    }

    /// Gives the contests (การคัดเลือก) their storage: rounds and entries, judging.
    pub fn with_contests(
        mut self,
        rounds: Arc<dyn crate::contests::RoundStore>,
        judging: Arc<dyn crate::contests::JudgingStore>,
    ) -> Self {
        self.contest_rounds = Some(rounds);
        self.contest_judging = Some(judging);
        self
    }

    /// Gives the person register (ทะเบียนบุคคล) its storage.
    pub fn with_people(mut self, people: Arc<dyn crate::people::PeopleStore>) -> Self {
        self.people = Some(people);
        self
    }

    /// Keeps form template versions in the database (without it they live in memory).
    pub fn with_templates(mut self, templates: Arc<dyn crate::forms::TemplateStore>) -> Self {
        self.templates = templates;
        self
    }

    /// Lets documents be printed as PDF (the engine lives outside core: it is heavy).
    pub fn with_typesetter(mut self, typesetter: Arc<dyn crate::print::Typesetter>) -> Self {
        self.typesetter = Some(typesetter);
        self
    }

    /// Lets file text be read for search (the extractor lives outside core: it is heavy).
    pub fn with_extractor(mut self, extractor: Arc<dyn crate::ports::TextExtractor>) -> Self {
        self.extractor = Some(extractor);
        self
    }

    /// Keeps the innovation registry (without it, items are never projected into it).
    pub fn with_innovations(mut self, store: Arc<dyn crate::innovations::InnovationStore>) -> Self {
        self.innovations = Some(store);
        self
    }

    /// Lets pictures be shown to readers as copies without metadata (the image decoder lives
    /// outside core: it is heavy).
    pub fn with_media(
        mut self,
        deriver: Arc<dyn crate::media::ImageDeriver>,
        store: Arc<dyn crate::media::MediaStore>,
    ) -> Self {
        self.media = Some(Arc::new(crate::media::service::MediaParts::new(
            deriver, store,
        )));
        self
    }

    /// Lets innovations be imported many at a time, in one transaction.
    pub fn with_registry_import(
        mut self,
        store: Arc<dyn crate::registry_tables::ports::RegistryImportStore>,
    ) -> Self {
        self.registry_import = Some(store);
        self
    }

    pub(crate) fn registry_import(
        &self,
    ) -> Option<&Arc<dyn crate::registry_tables::ports::RegistryImportStore>> {
        self.registry_import.as_ref()
    }

    /// Lets several processes on one database share leases and tell each other of changes
    /// (without it they are kept in this process only: fine for one process alone).
    pub fn with_coordination(mut self, coordination: Arc<dyn Coordination>) -> Self {
        self.coordination = coordination;
        self
    }

    /// The unit tree; from memory unless a unit changed (see [`cache`]).
    pub async fn unit_tree(&self) -> DomainResult<Arc<UnitTree>> {
        self.sync_caches().await;
        let memo = &self.caches.units;
        if let Some(tree) = memo.get(&()) {
            return Ok(tree);
        }
        let generation = memo.generation();
        let tree = Arc::new(UnitTree::new(self.store.list_units().await?));
        memo.put((), generation, tree.clone());
        Ok(tree)
    }

    /// Taxonomies and their terms; from memory unless a term changed (see [`cache`]).
    pub async fn vocabulary(&self) -> DomainResult<Arc<Vocabulary>> {
        self.sync_caches().await;
        let memo = &self.caches.vocabulary;
        if let Some(v) = memo.get(&()) {
            return Ok(v);
        }
        let generation = memo.generation();
        let v = Arc::new(Vocabulary {
            taxonomies: self.knowledge.list_taxonomies().await?,
            terms: self.knowledge.list_terms().await?,
        });
        memo.put((), generation, v.clone());
        Ok(v)
    }

    /// Call after writing a unit, taxonomy or term. Lists go too: which units a unit filter
    /// covers, and who may read what, follow the unit tree.
    pub(crate) fn reference_changed(&self) {
        self.announce(cache::Topic::Reference);
    }

    /// Call after writing an item: published lists change when a published (or once
    /// published) item does; drafts never appear in them.
    pub(crate) fn item_saved(&self, item: &crate::item::Item) {
        if item.published_at.is_some() {
            self.announce(cache::Topic::Lists);
        }
        self.index_written(item.id);
    }

    /// The actor for a user, with grants loaded; disabled accounts act as nobody.
    pub async fn actor_for(&self, user: &User) -> DomainResult<Actor> {
        if user.disabled {
            return Ok(Actor::Anonymous);
        }
        let grants = self.store.grants_for_user(user.id).await?;
        Ok(Actor::User(SignedIn {
            user_id: user.id,
            site_admin: user.site_admin,
            grants: grants.into_iter().map(|g| (g.role, g.unit_id)).collect(),
        }))
    }

    pub(crate) async fn audit(
        &self,
        actor: Option<UserId>,
        action: &str,
        target: String,
        detail: String,
    ) -> DomainResult<()> {
        self.store
            .audit(AuditEntry {
                actor,
                action: action.to_string(),
                target,
                detail,
                at: self.clock.now(),
            })
            .await?;
        Ok(())
    }

    /// Database and file storage both answer (for /readyz).
    pub async fn ready(&self) -> Result<(), String> {
        self.store
            .ping()
            .await
            .map_err(|e| format!("database: {e}"))?;
        self.blobs
            .check()
            .await
            .map_err(|e| format!("storage: {e}"))?;
        Ok(())
    }
}
