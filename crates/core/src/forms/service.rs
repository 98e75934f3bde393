//! Use-cases of the forms context: built-in templates loaded at start, template versions,
//! the wizard's section saves and submission, and entries shown, diffed and searched with the
//! version they were filled in.

use super::model::{
    self, Audience, Entry, EntryChange, FileRef, Lookups, RawAnswers, RenderedSection, Strictness,
    TemplateEdit, TemplateVersion, apply_edit,
};
use crate::error::{DomainError, DomainResult, FieldError, PortError};
use crate::file::FileKind;
use crate::ids::{ItemId, UnitId};
use crate::item::{Item, ItemFields, ItemFile, ItemInput, ItemStatus, Snapshot, Title, Transition};
use crate::org::{Action, Actor, Target, authorize};
use crate::service::Khlang;
use crate::text::{grapheme_len, tidy};
use unicode_segmentation::UnicodeSegmentation;

/// How many graphemes of the summary field become the item's summary (บทคัดย่อ).
const SUMMARY_GRAPHEMES: usize = 400;

impl Khlang {
    /// Adds version 1 of every built-in template that has no version yet (idempotent: an
    /// administrator's later versions stay).
    pub async fn load_reference_templates(&self) -> DomainResult<usize> {
        let mut added = 0;
        for body in model::reference_templates()? {
            match self.templates.latest_template(&body.key).await {
                Ok(_) => continue,
                Err(PortError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
            let tv = TemplateVersion {
                version: 1,
                body,
                created_by: None,
                created_at: self.clock.now(),
            };
            match self.templates.insert_template_version(&tv).await {
                Ok(()) => added += 1,
                // Another process loaded it first.
                Err(PortError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(added)
    }

    /// The newest version of a template.
    pub async fn template(&self, key: &str) -> DomainResult<TemplateVersion> {
        Ok(self.templates.latest_template(key).await?)
    }

    /// One version of a template (the one an entry was filled in).
    pub async fn template_version(&self, key: &str, version: u32) -> DomainResult<TemplateVersion> {
        Ok(self.templates.template_version(key, version).await?)
    }

    /// The newest version of every template.
    pub async fn templates(&self) -> DomainResult<Vec<TemplateVersion>> {
        Ok(self.templates.latest_templates().await?)
    }

    /// Every version of a template, for the admin page (site administrators).
    pub async fn template_history(
        &self,
        actor: &Actor,
        key: &str,
    ) -> DomainResult<Vec<TemplateVersion>> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        let v = self.templates.template_versions(key).await?;
        if v.is_empty() {
            return Err(DomainError::NotFound);
        }
        Ok(v)
    }

    /// Saves an administrator's change as a new version (nothing when nothing changed).
    /// Entries keep the version they were filled in.
    pub async fn save_template(
        &self,
        actor: &Actor,
        key: &str,
        edit: &TemplateEdit,
    ) -> DomainResult<TemplateVersion> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let latest = self.template(key).await?;
        let body = apply_edit(&latest, edit).map_err(DomainError::Invalid)?;
        if body == latest.body {
            return Ok(latest);
        }
        let tv = TemplateVersion {
            version: latest.version + 1,
            body,
            created_by: Some(me),
            created_at: self.clock.now(),
        };
        self.templates
            .insert_template_version(&tv)
            .await
            .map_err(|e| match e {
                PortError::Conflict(_) => DomainError::Conflict(
                    "มีผู้ดูแลระบบบันทึกแบบฟอร์มนี้ไปก่อนหน้าแล้ว กรุณาโหลดหน้าใหม่แล้วแก้ไขอีกครั้ง".into(),
                ),
                e => e.into(),
            })?;
        self.audit(
            Some(me),
            "template.save",
            format!("template:{key}"),
            format!("version {}", tv.version),
        )
        .await?;
        Ok(tv)
    }

    /// Names for the terms, files, people and places an entry of `tv` shows. `files` are the
    /// item's files (those a files field may name).
    pub async fn form_lookups(
        &self,
        tv: &TemplateVersion,
        files: &[ItemFile],
    ) -> DomainResult<Lookups> {
        let mut lookups = Lookups::default();
        let vocab = self.vocabulary().await?;
        for (_, f) in tv.fields() {
            if let model::FieldKind::Choice {
                taxonomy: Some(key),
                ..
            } = &f.kind
                && !lookups.taxonomies.contains_key(key)
            {
                let Some(tx) = vocab.taxonomies.iter().find(|t| &t.key == key) else {
                    continue;
                };
                let (live, retired): (Vec<_>, Vec<_>) =
                    vocab.terms_of(tx.id).partition(|t| !t.retired);
                let opt = |t: &crate::taxonomy::Term| model::ChoiceOption {
                    key: t.key.clone(),
                    label: t.label_th.clone(),
                };
                lookups
                    .taxonomies
                    .insert(key.clone(), live.into_iter().map(opt).collect());
                lookups
                    .retired_terms
                    .insert(key.clone(), retired.into_iter().map(opt).collect());
            }
        }
        lookups.files = files
            .iter()
            .map(|f| FileRef {
                id: f.id,
                kind: FileKind::parse(&f.kind),
                name: f.name.clone(),
            })
            .collect();
        Ok(lookups)
    }

    /// Starts an entry: a new draft item of `template` owned by `unit`, titled `title` (the
    /// template's title field). Officers of a unit may start one on a volunteer's behalf.
    pub async fn start_entry(
        &self,
        actor: &Actor,
        template: &str,
        unit: &str,
        title: &str,
    ) -> DomainResult<Item> {
        let tv = self.template(template).await?;
        let mut errors = Vec::new();
        let title_key = tv.body.title_field.clone();
        let title_label = title_key
            .as_deref()
            .and_then(|k| tv.field(k))
            .map(|f| f.label.clone())
            .unwrap_or_else(|| "ชื่อเรื่อง".into());
        let title = match Title::parse(title) {
            Ok(t) => Some(t),
            Err(e) => {
                let field = title_key
                    .as_deref()
                    .map(|k| format!("entry.{k}"))
                    .unwrap_or_else(|| "title".into());
                let message = if tidy(title).is_empty() {
                    format!("กรุณากรอก{title_label}")
                } else {
                    e.message
                };
                errors.push(FieldError::new(field, message));
                None
            }
        };
        if unit.trim().is_empty() {
            errors.push(FieldError::new("unit_id", "กรุณาเลือกหน่วยงานเจ้าของ"));
        }
        let (Some(title), true) = (title, errors.is_empty()) else {
            return Err(DomainError::Invalid(errors));
        };
        let input = ItemInput {
            title: title.as_str().to_string(),
            unit_id: unit.to_string(),
            knowledge_type: tv.body.knowledge_type.clone().unwrap_or_default(),
            acquisition: tv.body.acquisition.clone().unwrap_or_default(),
            ..Default::default()
        };
        let mut entry = Entry::new(&tv);
        if let Some(k) = &title_key {
            entry
                .answers
                .insert(k.clone(), model::Answer::Text(title.as_str().to_string()));
        }
        let tree = self.unit_tree().await?;
        let mut fields = self.checked_fields(actor, &input, &tree, None).await?;
        fields.entry = Some(entry);
        let item = self.insert_new_item(actor, fields).await?;
        self.audit(
            actor.user_id(),
            "entry.start",
            format!("item:{}", item.id),
            format!("template {} version {}", tv.key(), tv.version),
        )
        .await?;
        Ok(item)
    }

    /// An item with an entry that the actor may edit, its entry's template version, and its
    /// files (the pending revision's, for published knowledge).
    pub async fn entry_for_edit(
        &self,
        actor: &Actor,
        id: ItemId,
    ) -> DomainResult<(Item, TemplateVersion, Vec<ItemFile>)> {
        let (item, files) = self.editable_item(actor, id).await?;
        let Some(entry) = &item.fields.entry else {
            return Err(DomainError::NotFound);
        };
        let tv = self
            .template_version(&entry.template, entry.version)
            .await?;
        Ok((item, tv, files))
    }

    /// Saves the answers to section `n` (1-based). `Complete` wants every required field of
    /// the section; `Draft` (autosave, going back) does not. Nothing is saved when any answer
    /// is refused: every error comes back at its field.
    pub async fn save_entry_section(
        &self,
        actor: &Actor,
        id: ItemId,
        n: usize,
        raw: &RawAnswers,
        strictness: Strictness,
        step_after: usize,
    ) -> DomainResult<Item> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (item, tv, files) = self.entry_for_edit(actor, id).await?;
        if n == 0 || n > tv.sections().len() {
            return Err(DomainError::NotFound);
        }
        let lookups = self.form_lookups(&tv, &files).await?;
        let answers = model::parse_section(&tv, n - 1, raw, &lookups, strictness)
            .map_err(DomainError::Invalid)?;
        let mut fields = item.fields.clone();
        let Some(entry) = fields.entry.as_mut() else {
            return Err(DomainError::NotFound);
        };
        // Answers to retired fields are no longer asked: keep them as they were.
        let mut answers = answers;
        for f in tv.sections()[n - 1].fields.iter().filter(|f| f.retired) {
            if let Some(a) = entry.answers.get(&f.key) {
                answers.insert(f.key.clone(), a.clone());
            }
        }
        entry.replace_section(&tv, n - 1, answers);
        entry.step = Some(step_after.clamp(1, tv.sections().len() + 1) as u32);
        sync_item_fields(&tv, &mut fields)?;
        self.save_entry_fields(actor, me, item, fields).await
    }

    /// Uploads a file into files field `field` of section `n` (1-based): a kind the field does
    /// not accept is refused before anything is stored, with a Thai message at the field.
    #[allow(clippy::too_many_arguments)]
    pub async fn attach_entry_file(
        &self,
        actor: &Actor,
        id: ItemId,
        n: usize,
        field: &str,
        raw_name: &str,
        body: crate::ports::ByteStream,
        limit: u64,
    ) -> DomainResult<ItemFile> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (_, tv, _) = self.entry_for_edit(actor, id).await?;
        let f = tv
            .sections()
            .get(n.wrapping_sub(1))
            .and_then(|s| s.fields.iter().find(|f| f.key == field && f.active()))
            .filter(|f| matches!(f.kind, model::FieldKind::Files { .. }))
            .ok_or(DomainError::NotFound)?
            .clone();
        let accepted = f.kind.accepted_kinds();
        let check = |kind: FileKind, name: &str| {
            model::check_file_kind(
                &f,
                &accepted,
                &FileRef {
                    id: crate::ids::FileId(0),
                    kind: Some(kind),
                    name: name.to_string(),
                },
            )
        };
        let file = self
            .attach_file_if(actor, id, raw_name, body, limit, &check)
            .await
            .map_err(|e| match e {
                // The name and type checks speak of "the file": say it at the form's field.
                DomainError::Invalid(errors) => DomainError::Invalid(
                    errors
                        .into_iter()
                        .map(|x| {
                            if x.field.starts_with("entry.") {
                                x
                            } else {
                                FieldError::new(f.error_key(), format!("{raw_name}: {}", x.message))
                            }
                        })
                        .collect(),
                ),
                e => e,
            })?;
        // The upload joins the field's answer.
        let (item, tv, _) = self.entry_for_edit(actor, id).await?;
        let mut fields = item.fields.clone();
        if let Some(entry) = fields.entry.as_mut() {
            let answer = entry
                .answers
                .entry(f.key.clone())
                .or_insert_with(|| model::Answer::Files(Vec::new()));
            if let model::Answer::Files(ids) = answer
                && !ids.contains(&file.id)
            {
                ids.push(file.id);
            }
            entry.step = Some(n as u32);
        }
        sync_item_fields(&tv, &mut fields)?;
        self.save_entry_fields(actor, me, item, fields).await?;
        Ok(file)
    }

    /// Writes changed fields the way an edit is written: a new working state for drafts, the
    /// pending revision for published knowledge.
    async fn save_entry_fields(
        &self,
        actor: &Actor,
        me: crate::ids::UserId,
        item: Item,
        fields: ItemFields,
    ) -> DomainResult<Item> {
        let id = item.id;
        // `item` from editable_item carries the revision's fields when published: reload.
        let (mut stored, tree) = self.readable_item(actor, id).await?;
        authorize(actor, Action::EditItem, &Self::item_ref(&tree, &stored)?)?;
        if stored.status == ItemStatus::Published {
            let mut revision = self.working_revision(&stored, me).await?;
            // Moving through the wizard alone is not an edit of published knowledge.
            let step = |f: &ItemFields| {
                let mut f = f.clone();
                if let Some(e) = f.entry.as_mut() {
                    e.step = None;
                }
                f
            };
            if step(&fields) != step(&revision.snapshot.fields) {
                revision.snapshot.fields = fields;
                self.save_revision(revision, me, "แก้ไขแบบฟอร์ม").await?;
            }
            return Ok(stored);
        }
        if fields == item.fields {
            return Ok(stored);
        }
        stored.fields = fields;
        stored.updated_by = me;
        stored.updated_at = self.clock.now();
        self.save_with_version(&mut stored, me, "แก้ไขแบบฟอร์ม")
            .await?;
        Ok(stored)
    }

    /// The required answers still missing, each with its section number (1-based).
    pub async fn entry_missing(&self, item: &Item) -> DomainResult<Vec<(usize, FieldError)>> {
        let Some(entry) = &item.fields.entry else {
            return Ok(Vec::new());
        };
        let tv = self
            .template_version(&entry.template, entry.version)
            .await?;
        Ok(model::missing(&tv, entry)
            .into_iter()
            .map(|(i, e)| (i + 1, e))
            .collect())
    }

    /// Sends a complete entry to screening (ส่งพิจารณา); a missing answer is an error at its field.
    pub async fn submit_entry(&self, actor: &Actor, id: ItemId) -> DomainResult<Item> {
        let (item, _, _) = self.entry_for_edit(actor, id).await?;
        let missing = self.entry_missing(&item).await?;
        if !missing.is_empty() {
            return Err(DomainError::Invalid(
                missing.into_iter().map(|(_, e)| e).collect(),
            ));
        }
        self.transition(actor, id, Transition::Submit, "").await
    }

    /// Whether the actor sees an item's non-public answers: those who may edit or screen it.
    pub async fn entry_audience(&self, actor: &Actor, item: &Item) -> DomainResult<Audience> {
        let tree = self.unit_tree().await?;
        let target = Self::item_ref(&tree, item)?;
        let editor = authorize(actor, Action::EditItem, &target).is_ok()
            || authorize(actor, Action::ReviewItem, &target).is_ok()
            || actor.user_id() == Some(item.created_by);
        Ok(if editor {
            Audience::Editors
        } else {
            Audience::Public
        })
    }

    /// Leaves out the non-public answers of `fields` for the public.
    pub(crate) async fn strip_private_answers(
        &self,
        audience: Audience,
        fields: &mut ItemFields,
    ) -> DomainResult<()> {
        if audience == Audience::Editors {
            return Ok(());
        }
        if let Some(entry) = &fields.entry {
            let tv = self
                .template_version(&entry.template, entry.version)
                .await?;
            fields.entry = Some(entry.public_only(&tv));
        }
        Ok(())
    }

    /// An item's entry section by section, rendered with the version it was filled in, for
    /// `audience`; None when the item has no entry.
    pub async fn render_entry(
        &self,
        fields: &ItemFields,
        files: &[ItemFile],
        audience: Audience,
    ) -> DomainResult<Option<(TemplateVersion, Vec<RenderedSection>)>> {
        let Some(entry) = &fields.entry else {
            return Ok(None);
        };
        let tv = self
            .template_version(&entry.template, entry.version)
            .await?;
        let lookups = self.form_lookups(&tv, files).await?;
        let sections = model::render_with(&tv, entry, audience, &lookups);
        Ok(Some((tv, sections)))
    }

    /// Answer-by-answer changes between two saved states, each read with its own version.
    pub async fn entry_changes(
        &self,
        before: &Snapshot,
        after: &Snapshot,
        audience: Audience,
    ) -> DomainResult<Vec<EntryChange>> {
        let (b, a) = (&before.fields.entry, &after.fields.entry);
        if b == a {
            return Ok(Vec::new());
        }
        let load = |e: &Option<Entry>| {
            let e = e.clone();
            async move {
                match e {
                    Some(e) => Ok::<_, DomainError>(Some((
                        self.template_version(&e.template, e.version).await?,
                        e,
                    ))),
                    None => Ok(None),
                }
            }
        };
        let (bv, av) = (load(b).await?, load(a).await?);
        let mut ids = before.files.clone();
        ids.extend(after.files.iter().copied());
        let files = self.knowledge.files_by_ids(&ids).await?;
        let mut lookups = match (&av, &bv) {
            (Some((tv, _)), _) | (None, Some((tv, _))) => self.form_lookups(tv, &files).await?,
            _ => Lookups::default(),
        };
        if let (Some((tv, _)), Some(_)) = (&bv, &av) {
            let older = self.form_lookups(tv, &files).await?;
            for (k, v) in older.taxonomies {
                lookups.taxonomies.entry(k).or_insert(v);
            }
        }
        Ok(model::diff(
            bv.as_ref().map(|(t, e)| (t, e)),
            av.as_ref().map(|(t, e)| (t, e)),
            audience,
            &lookups,
        ))
    }

    /// The entry's searchable public text, for the search index (empty without an entry).
    pub(crate) async fn entry_search_text(&self, fields: &ItemFields) -> DomainResult<String> {
        let Some(entry) = &fields.entry else {
            return Ok(String::new());
        };
        let tv = self
            .template_version(&entry.template, entry.version)
            .await?;
        let lookups = self.form_lookups(&tv, &[]).await?;
        Ok(model::search_text(&tv, entry, &lookups))
    }

    /// The units the actor may start an entry for (contribute to), by name.
    pub async fn entry_units(&self, actor: &Actor) -> DomainResult<Vec<(UnitId, String)>> {
        let tree = self.unit_tree().await?;
        let mut out = Vec::new();
        for (_, u) in tree.walk() {
            if u.retired {
                continue;
            }
            if let Ok(path) = tree.path(u.id)
                && authorize(actor, Action::Contribute, &Target::Unit(path)).is_ok()
            {
                out.push((u.id, u.name_th.as_str().to_string()));
            }
        }
        Ok(out)
    }
}

/// The item's title and summary follow the entry's title and summary fields.
fn sync_item_fields(tv: &TemplateVersion, fields: &mut ItemFields) -> DomainResult<()> {
    let Some(entry) = &fields.entry else {
        return Ok(());
    };
    if let Some(k) = &tv.body.title_field
        && let Some(t) = entry.text(k)
    {
        fields.title = Title::parse(t)?;
    }
    if let Some(k) = &tv.body.summary_field {
        let text = entry.text(k).unwrap_or("");
        let plain = tidy(text);
        fields.summary = if grapheme_len(&plain) > SUMMARY_GRAPHEMES {
            let mut s: String = plain.graphemes(true).take(SUMMARY_GRAPHEMES).collect();
            s.push('…');
            s
        } else {
            plain
        };
    }
    Ok(())
}
