//! Staging an upload (the dry run), starting its import, and the import job.

use super::bundle::{TempZip, random_name};
use super::model::{
    Entry, Import, ImportId, MAX_ENTRIES, NewImport, Plan, Problem, Source, Target,
};
use super::ports::{ImportStore, Keyed};
use super::{sheet, wxr};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ItemId, TermId, UnitId};
use crate::item::{Item, ItemInput, ItemStatus, Transition};
use crate::jobs::model::JobFailure;
use crate::jobs::{Job, JobId, JobKind, JobOutput, JobRun};
use crate::org::{Action, Actor, Target as AuthTarget, authorize};
use crate::ports::ByteStream;
use crate::service::Khlang;
use crate::text::thai_digits;
use bytes::Bytes;
use std::sync::Arc;

/// The imports context's parts inside [`Khlang`].
pub struct ImportParts {
    pub(crate) store: Arc<dyn ImportStore>,
}

/// The ZIP of files an officer sends with the export or sheet, as it arrives.
pub struct Bundle {
    pub body: ByteStream,
}

impl Khlang {
    /// Gives imports their storage.
    pub fn with_imports(mut self, store: Arc<dyn ImportStore>) -> Self {
        self.imports = Some(Arc::new(ImportParts { store }));
        self
    }

    fn import_store(&self) -> DomainResult<&Arc<dyn ImportStore>> {
        self.imports
            .as_ref()
            .map(|p| &p.store)
            .ok_or_else(|| DomainError::internal("imports have no store"))
    }

    /// Whether the actor may bring WordPress's published posts in as published: only those
    /// who screen the unit's knowledge may skip its screening.
    pub async fn may_publish_imports(&self, actor: &Actor, unit: UnitId) -> DomainResult<bool> {
        let tree = self.unit_tree().await?;
        Ok(authorize(actor, Action::Review, &AuthTarget::Unit(tree.path(unit)?)).is_ok())
    }

    async fn import_checks(&self, actor: &Actor, unit: UnitId, target: Target) -> DomainResult<()> {
        let units = self.knowledge_units(actor).await?;
        if !units.iter().any(|(u, _)| *u == unit) {
            return Err(DomainError::invalid(
                "unit",
                "ท่านไม่มีสิทธิ์นำเข้าองค์ความรู้ให้หน่วยงานนี้ กรุณาเลือกหน่วยงานจากรายการ",
            ));
        }
        if target == Target::AsSource && !self.may_publish_imports(actor, unit).await? {
            return Err(DomainError::invalid(
                "target",
                "การเผยแพร่ทันทีทำได้เฉพาะผู้มีสิทธิ์กลั่นกรองของหน่วยงาน — เลือกนำเข้าเป็นฉบับร่างหรือส่งเข้าคิวกลั่นกรอง",
            ));
        }
        Ok(())
    }

    /// Category labels (lower case) and their terms, for matching names in a source.
    async fn term_labels(&self) -> DomainResult<Vec<(String, TermId)>> {
        let vocab = self.vocabulary().await?;
        Ok(vocab
            .terms
            .iter()
            .filter(|t| !t.retired)
            .map(|t| (t.label_th.to_lowercase(), t.id))
            .collect())
    }

    /// Reads a WordPress export and its uploads ZIP into a dry run, and keeps both for the
    /// import. Invalid (nothing kept) when the file is not a WordPress export or the ZIP is
    /// not a ZIP.
    #[allow(clippy::too_many_arguments)]
    pub async fn stage_wordpress_import(
        &self,
        actor: &Actor,
        unit: UnitId,
        target: Target,
        file_name: &str,
        xml: &[u8],
        bundle: Option<Bundle>,
        limit: u64,
    ) -> DomainResult<Import> {
        self.import_checks(actor, unit, target).await?;
        let export = wxr::parse(xml).map_err(|m| DomainError::invalid("file", m))?;
        let terms = self.term_labels().await?;
        let zip = TempZip::receive_bundle(bundle, limit).await?;
        let paths = zip.as_ref().map(|z| z.paths.clone());
        let plan = wxr::plan(
            &export,
            &wxr::Context {
                unit,
                terms: &terms,
                zip_paths: paths.as_deref(),
            },
        );
        self.stage(
            actor,
            Source::Wordpress,
            unit,
            target,
            file_name,
            plan,
            zip,
            limit,
        )
        .await
    }

    /// Reads a filled-in import workbook (its rows as text) and the ZIP of its files into a
    /// dry run, and keeps both for the import.
    #[allow(clippy::too_many_arguments)]
    pub async fn stage_sheet_import(
        &self,
        actor: &Actor,
        unit: UnitId,
        target: Target,
        file_name: &str,
        rows: &[Vec<String>],
        bundle: Option<Bundle>,
        limit: u64,
    ) -> DomainResult<Import> {
        if target == Target::AsSource {
            return Err(DomainError::invalid(
                "target",
                "นำเข้าจากแบบฟอร์มได้เป็นฉบับร่าง หรือส่งเข้าคิวกลั่นกรอง",
            ));
        }
        self.import_checks(actor, unit, target).await?;
        let units = self.knowledge_units(actor).await?;
        let terms = self.term_labels().await?;
        let zip = TempZip::receive_bundle(bundle, limit).await?;
        let paths = zip.as_ref().map(|z| z.paths.clone());
        let plan = sheet::plan(
            rows,
            &sheet::Context {
                unit,
                units: &units,
                terms: &terms,
                zip_paths: paths.as_deref(),
            },
        );
        self.stage(
            actor,
            Source::Sheet,
            unit,
            target,
            file_name,
            plan,
            zip,
            limit,
        )
        .await
    }

    /// Checks every entry as the import will (fields, rights, file types), marks those
    /// imported before, keeps the ZIP in the object store and the plan in the database.
    #[allow(clippy::too_many_arguments)]
    async fn stage(
        &self,
        actor: &Actor,
        source: Source,
        unit: UnitId,
        target: Target,
        file_name: &str,
        mut plan: Plan,
        zip: Option<TempZip>,
        limit: u64,
    ) -> DomainResult<Import> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        if plan.entries.len() > MAX_ENTRIES {
            plan.problems.push(Problem::blocking(
                "ไฟล์",
                format!(
                    "มี {} เรื่อง — นำเข้าได้ครั้งละไม่เกิน {} เรื่อง กรุณาแบ่งเป็นหลายไฟล์",
                    thai_digits(&plan.entries.len().to_string()),
                    thai_digits(&MAX_ENTRIES.to_string())
                ),
            ));
        }
        let tree = self.unit_tree().await?;
        // A file the repository would refuse: a sheet row is an error, a WordPress post
        // goes in without it.
        if let Some(z) = &zip {
            let mut problems = Vec::new();
            for e in &mut plan.entries {
                let mut kept = Vec::new();
                for f in std::mem::take(&mut e.files) {
                    match z.check(&f.path, &f.name, limit) {
                        Ok(()) => kept.push(f),
                        Err(why) => problems.push(match source {
                            Source::Sheet => Problem::blocking(&e.at, why),
                            Source::Wordpress => {
                                Problem::note(&e.at, format!("{why} — นำเข้าเรื่องนี้โดยไม่มีไฟล์นี้"))
                            }
                        }),
                    }
                }
                e.files = kept;
            }
            plan.problems.extend(problems);
        }
        let mut field_problems = Vec::new();
        for e in &plan.entries {
            if let Err(err) = self.checked_fields(actor, &input_of(e), &tree, None).await {
                for m in messages(err) {
                    field_problems.push(Problem::blocking(&e.at, m));
                }
            }
        }
        plan.problems.extend(field_problems);
        self.mark_existing(&mut plan).await?;
        let bundle = match zip {
            Some(z) => {
                let key = format!("imports/{}.zip", random_name());
                self.blobs.put(&key, z.stream()?).await?;
                Some(key)
            }
            None => None,
        };
        let import = self
            .import_store()?
            .insert_import(&NewImport {
                source,
                owner: me,
                unit,
                target,
                file_name: file_name.chars().take(200).collect(),
                plan,
                bundle,
                created_at: self.clock.now(),
            })
            .await?;
        self.audit(
            Some(me),
            "import.stage",
            format!("import:{}", import.id),
            format!("{} {} เรื่อง", source.as_str(), import.plan.entries.len()),
        )
        .await?;
        Ok(import)
    }

    async fn mark_existing(&self, plan: &mut Plan) -> DomainResult<()> {
        let keys: Vec<String> = plan.entries.iter().map(|e| e.key.clone()).collect();
        let mut found = Vec::new();
        for chunk in keys.chunks(200) {
            found.extend(self.import_store()?.keyed_items(chunk).await?);
        }
        for e in &mut plan.entries {
            e.existing = found.iter().find(|k| k.key == e.key).map(|k| k.item);
        }
        Ok(())
    }

    /// An import, for its owner and site administrators (NotFound for everyone else).
    pub async fn import(&self, actor: &Actor, id: ImportId) -> DomainResult<Import> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let import = self.import_store()?.get_import(id).await?;
        let admin = matches!(actor, Actor::User(u) if u.site_admin);
        if import.owner != me && !admin {
            return Err(DomainError::NotFound);
        }
        Ok(import)
    }

    /// The items an import made, with their titles, in the order made.
    pub async fn imported_items(&self, actor: &Actor, id: ImportId) -> DomainResult<Vec<Keyed>> {
        self.import(actor, id).await?;
        Ok(self.import_store()?.imported_items(id).await?)
    }

    /// The actor's recent imports, newest first.
    pub async fn my_imports(&self, actor: &Actor) -> DomainResult<Vec<Import>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        Ok(self.import_store()?.imports_of(me, 20).await?)
    }

    /// Starts the import of a staged upload in the background; the job already running it
    /// when one was started (a second press starts nothing). An import whose job failed is
    /// started again and carries on where it stopped, so it is never left half-done. Refused
    /// while the dry run has blocking problems.
    pub async fn start_import(&self, actor: &Actor, id: ImportId, limit: u64) -> DomainResult<Job> {
        let import = self.import(actor, id).await?;
        if let Some(job) = import.job {
            let job = self.job(actor, job).await?;
            if job.state != crate::jobs::JobState::Failed {
                return Ok(job);
            }
        }
        if import.plan.blocked() {
            return Err(DomainError::Conflict(
                "ยังนำเข้าไม่ได้ เพราะมีข้อผิดพลาดที่ต้องแก้ก่อน — แก้ไขไฟล์แล้วอัปโหลดใหม่".into(),
            ));
        }
        self.import_checks(actor, import.unit, import.target)
            .await?;
        let owner = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let job = self
            .enqueue_job(
                owner,
                JobKind::Import,
                serde_json::json!({ "import": id.0, "limit": limit }),
                "รอเริ่มนำเข้า",
            )
            .await?;
        if self
            .import_store()?
            .set_import_job(id, import.job, job.id)
            .await?
        {
            Ok(job)
        } else {
            // Another press won: its job runs the import; this one finds nothing to do.
            let import = self.import(actor, id).await?;
            self.job(actor, import.job.unwrap_or(job.id)).await
        }
    }

    /// The import job: every entry in order, each made once (its key is written with the
    /// item); a job taken over by another process, or run again, carries on where it was.
    pub(crate) async fn run_import(&self, run: &JobRun<'_>) -> Result<JobOutput, JobFailure> {
        let params = &run.job.params;
        let id = ImportId(params["import"].as_i64().unwrap_or(0));
        let limit = params["limit"].as_u64().unwrap_or(2 << 30);
        let store = self.import_store()?.clone();
        let import = store.get_import(id).await.map_err(DomainError::from)?;
        self.link_import_job(&import, run.job.id).await?;
        let owner = self
            .store
            .get_user(import.owner)
            .await
            .map_err(DomainError::from)?;
        let actor = self.actor_for(&owner).await?;
        self.import_checks(&actor, import.unit, import.target)
            .await?;
        let zip = match &import.bundle {
            Some(key) => {
                let (_, body) = self.blobs.get(key, None).await.map_err(DomainError::from)?;
                Some(TempZip::receive(body, u64::MAX).await?)
            }
            None => None,
        };
        let total = import.plan.entries.len() as u32;
        let mut report = String::from("\u{feff}ลำดับ,ที่มา,ชื่อเรื่อง,ผล,เลขที่เรื่อง\n");
        let (mut made, mut kept) = (0u32, 0u32);
        for (i, e) in import.plan.entries.iter().enumerate() {
            run.progress(
                i as u32,
                total,
                format!(
                    "กำลังนำเข้าเรื่องที่ {} จาก {}: {}",
                    thai_digits(&(i + 1).to_string()),
                    thai_digits(&total.to_string()),
                    e.title.chars().take(80).collect::<String>()
                ),
            )
            .await?;
            let (item, new) = self
                .import_entry(&actor, &import, e, zip.as_ref(), limit)
                .await?;
            if new {
                made += 1;
            } else {
                kept += 1;
            }
            report.push_str(&format!(
                "{},{},{},{},{}\n",
                i + 1,
                csv(&e.at),
                csv(&e.title),
                if new {
                    "นำเข้าแล้ว"
                } else {
                    "มีอยู่แล้ว (ข้าม)"
                },
                item.0
            ));
        }
        run.progress(
            total,
            total,
            format!(
                "นำเข้าเสร็จ: เรื่องใหม่ {} เรื่อง มีอยู่แล้ว {} เรื่อง",
                thai_digits(&made.to_string()),
                thai_digits(&kept.to_string())
            ),
        )
        .await?;
        if let Some(key) = &import.bundle {
            // Kept until the import is done: a job taken over reads it again.
            self.blobs.delete(key).await.ok();
        }
        self.audit(
            Some(import.owner),
            "import.done",
            format!("import:{id}"),
            format!("{made} new, {kept} existing"),
        )
        .await?;
        Ok(JobOutput {
            bytes: report.into_bytes(),
            name: format!("import-{id}-report.csv"),
            mime: "text/csv; charset=utf-8".into(),
        })
    }

    /// Makes `job` the one that runs `import`. The worker may take a job up before
    /// [`Self::start_import`] has linked it (it wakes the moment the job is queued), so the
    /// job links itself when the import has no job yet or only a failed one; a job that
    /// finds another live job linked stops without touching anything.
    async fn link_import_job(&self, import: &Import, job: JobId) -> Result<(), JobFailure> {
        if import.job == Some(job) {
            return Ok(());
        }
        let replaceable = match import.job {
            None => true,
            Some(other) => {
                let other = self.job_parts()?.store.get_job(other).await;
                other.is_ok_and(|j| j.state == crate::jobs::JobState::Failed)
            }
        };
        let store = self.import_store()?;
        if replaceable
            && store
                .set_import_job(import.id, import.job, job)
                .await
                .map_err(DomainError::from)?
        {
            return Ok(());
        }
        // Lost the race: fine if the start request linked this very job meanwhile.
        let now = store
            .get_import(import.id)
            .await
            .map_err(DomainError::from)?;
        if now.job == Some(job) {
            Ok(())
        } else {
            Err(JobFailure::Refused("งานนำเข้านี้ถูกแทนที่ด้วยงานอื่นแล้ว".into()))
        }
    }

    /// Makes one entry's item, or finishes it when an earlier run of this import was cut
    /// short; an item of an earlier import is left as it is. Returns the item and whether
    /// this import made it.
    async fn import_entry(
        &self,
        actor: &Actor,
        import: &Import,
        e: &Entry,
        zip: Option<&TempZip>,
        limit: u64,
    ) -> Result<(ItemId, bool), JobFailure> {
        let store = self.import_store()?;
        let me = import.owner;
        if let Some(k) = store
            .keyed_items(std::slice::from_ref(&e.key))
            .await
            .map_err(DomainError::from)?
            .into_iter()
            .next()
            && k.import != import.id
        {
            return Ok((k.item, false));
        }
        // The files first: one missing from the kept ZIP stops the job before this entry's
        // item exists.
        let mut contents: Vec<Vec<u8>> = Vec::with_capacity(e.files.len());
        if let Some(z) = zip {
            for f in &e.files {
                contents.push(z.read(&f.path, limit)?);
            }
        }
        let tree = self.unit_tree().await?;
        let fields = self
            .checked_fields(actor, &input_of(e), &tree, None)
            .await?;
        let now = self.clock.now();
        let draft = Item {
            id: ItemId(0),
            fields,
            status: ItemStatus::Draft,
            created_by: me,
            created_at: e.date.unwrap_or(now),
            updated_by: me,
            updated_at: now,
            published_at: None,
            version: 1,
        };
        let note = format!("นำเข้าจาก{}", import.source.label_th());
        let (keyed, _) = store
            .insert_keyed_item(&draft, &note, &e.key, import.id)
            .await
            .map_err(DomainError::from)?;
        if keyed.import != import.id {
            return Ok((keyed.item, false));
        }
        let id = keyed.item;
        let mut item = self
            .knowledge
            .get_item(id)
            .await
            .map_err(DomainError::from)?;
        if item.status == ItemStatus::Draft {
            // Files not attached yet (all of them, unless a cut-short run got some in).
            let have: Vec<String> = self
                .knowledge
                .item_files(id)
                .await
                .map_err(DomainError::from)?
                .into_iter()
                .map(|f| f.name)
                .collect();
            let mut links: Vec<(String, String)> = Vec::new();
            for (f, bytes) in e.files.iter().zip(contents) {
                let file = match have.iter().position(|n| n == &f.name) {
                    Some(_) => self
                        .knowledge
                        .item_files(id)
                        .await
                        .map_err(DomainError::from)?
                        .into_iter()
                        .find(|x| x.name == f.name),
                    None => {
                        let body: ByteStream = Box::pin(futures::stream::once(async move {
                            Ok::<_, std::io::Error>(Bytes::from(bytes))
                        }));
                        Some(self.attach_file(actor, id, &f.name, body, limit).await?)
                    }
                };
                if let Some(file) = file {
                    for url in &f.urls {
                        links.push((url.clone(), format!("/files/{}/display", file.id.0)));
                    }
                }
            }
            if !links.is_empty() {
                item = self
                    .knowledge
                    .get_item(id)
                    .await
                    .map_err(DomainError::from)?;
                let mut body = item.fields.body.clone();
                // Longest first: a resized copy's address contains no other, but be sure.
                links.sort_by_key(|(u, _)| std::cmp::Reverse(u.len()));
                for (url, to) in &links {
                    body = body.replace(url.as_str(), to);
                }
                if body != item.fields.body {
                    item.fields.body = body;
                    item.updated_at = self.clock.now();
                    self.save_with_version(&mut item, me, "ชี้รูปในเนื้อหาไปยังไฟล์ที่นำเข้า")
                        .await?;
                }
            }
        }
        if import.target == Target::Screening && item.status == ItemStatus::Draft {
            self.transition(actor, id, Transition::Submit, "").await?;
        }
        if import.target == Target::AsSource && e.published && item.status == ItemStatus::Draft {
            self.publish_imported(&mut item, import, e).await?;
        }
        Ok((id, true))
    }

    /// Publishes an imported item the source had public, dated as the source dated it.
    /// Not a screening — the committee's rule that nobody screens their own work stays whole
    /// — but a carry-over that only someone who screens the unit may choose (checked when
    /// staged and again when the job runs), recorded as such in the item's history.
    async fn publish_imported(
        &self,
        item: &mut Item,
        import: &Import,
        e: &Entry,
    ) -> DomainResult<()> {
        let me = import.owner;
        let now = self.clock.now();
        let note = format!(
            "นำเข้าจาก{} ซึ่งเผยแพร่อยู่แล้วที่เว็บไซต์เดิม",
            import.source.label_th()
        );
        item.status = ItemStatus::Published;
        item.published_at = Some(e.date.unwrap_or(now));
        item.updated_by = me;
        item.updated_at = now;
        // The draft stays version 1 in the history; the published state is the next.
        self.save_with_version(item, me, &note).await?;
        let who = self.store.get_user(me).await?;
        self.knowledge
            .insert_comment(
                item.id,
                &crate::ports::Comment {
                    author_id: me,
                    author_name: who.display_name.as_str().into(),
                    body: note.clone(),
                    from_status: Some(ItemStatus::Draft),
                    to_status: Some(ItemStatus::Published),
                    at: now,
                },
            )
            .await?;
        self.audit(
            Some(me),
            "item.import_publish",
            format!("item:{}", item.id),
            note,
        )
        .await
    }
}

/// The form an entry would be typed into: the same checks as a person's draft.
fn input_of(e: &Entry) -> ItemInput {
    ItemInput {
        title: e.title.clone(),
        summary: e.summary.clone(),
        body: e.body.clone(),
        knowledge_type: e.knowledge_type.clone(),
        terms: e.terms.iter().map(|t| t.0.to_string()).collect(),
        tags: e.tags.clone(),
        authors: e.authors.clone(),
        unit_id: e.unit.0.to_string(),
        fiscal_year: e.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
        ..Default::default()
    }
}

fn messages(e: DomainError) -> Vec<String> {
    match e {
        DomainError::Invalid(fields) => fields.into_iter().map(|f| f.message).collect(),
        DomainError::Forbidden => {
            vec!["ท่านไม่มีสิทธิ์บันทึกองค์ความรู้ให้หน่วยงานของแถวนี้".into()]
        }
        other => vec![other.to_string()],
    }
}

fn csv(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
