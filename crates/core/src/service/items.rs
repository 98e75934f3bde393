//! The knowledge repository's use-cases: drafting, editing with versions, attaching files,
//! screening, and reading lists that respect who may see what.

use super::Khlang;
use super::cache::ListKey;
use super::revisions::RevisionView;
use crate::error::{DomainError, DomainResult, FieldError, PortError};
use crate::file::{FileName, RangeRequest, SNIFF_BYTES, sniff};
use crate::ids::{FileId, ItemId, TermId, UnitId, UserId};
use crate::item::{
    Item, ItemFields, ItemFile, ItemInput, ItemStatus, Snapshot, Transition, Version,
};
use crate::org::{Action, Actor, ItemRef, Target, UnitTree, authorize};
use crate::ports::{
    ByteStream, Comment, ItemFilter, ItemOrder, ItemSummary, NewFile, Page, Readable,
};
use bytes::Bytes;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

/// Everything an item page shows.
pub struct ItemView {
    pub item: Item,
    pub files: Vec<ItemFile>,
    pub comments: Vec<Comment>,
    pub may_edit: bool,
    pub may_submit: bool,
    pub may_review: bool,
    pub may_archive: bool,
    /// The pending revision (ฉบับแก้ไข), only for those who may know of it.
    pub revision: Option<RevisionView>,
    /// May publish a minor correction (แก้ไขเล็กน้อย) without screening.
    pub may_correct: bool,
}

/// Browse filters as a reader picks them.
#[derive(Debug, Clone, Default)]
pub struct Browse {
    pub unit: Option<UnitId>,
    pub term: Option<TermId>,
    pub knowledge_type: Option<crate::item::KnowledgeType>,
    pub fiscal_year: Option<i32>,
}

/// Where uploaded content lives: one object per distinct SHA-256.
pub fn blob_key(sha256: &str) -> String {
    format!("blobs/{}/{}", &sha256[..2], sha256)
}

impl Khlang {
    pub(crate) fn item_ref(tree: &UnitTree, item: &Item) -> DomainResult<Target> {
        Ok(Target::Item(ItemRef {
            unit: tree.path(item.fields.unit_id)?,
            owner: item.created_by,
            status: item.status,
            visibility: item.fields.visibility,
        }))
    }

    /// Loads an item the actor may read. Everyone else — anonymous or signed in, whatever
    /// the item's status — gets the NotFound a missing id gets: the answer must not tell
    /// whether a hidden item exists (no sign-in redirect, no 401 that a missing one lacks).
    pub(crate) async fn readable_item(
        &self,
        actor: &Actor,
        id: ItemId,
    ) -> DomainResult<(Item, Arc<UnitTree>)> {
        let item = self.knowledge.get_item(id).await?;
        let tree = self.unit_tree().await?;
        match authorize(actor, Action::ReadItem, &Self::item_ref(&tree, &item)?) {
            Ok(()) => Ok((item, tree)),
            Err(_) => Err(DomainError::NotFound),
        }
    }

    /// Checks the fields against the unit tree and vocabulary, and the unit against the actor.
    /// `current` is the item being edited: its retired unit or terms may stay on it.
    pub(crate) async fn checked_fields(
        &self,
        actor: &Actor,
        input: &ItemInput,
        tree: &UnitTree,
        current: Option<&ItemFields>,
    ) -> DomainResult<ItemFields> {
        let mut fields = input.parse()?;
        // The plain edit form and API do not carry a form entry: the stored one stays.
        fields.entry = current.and_then(|c| c.entry.clone());
        let unit = tree
            .get(fields.unit_id)
            .ok_or_else(|| DomainError::invalid("unit_id", "ไม่พบหน่วยงานที่เลือก"))?;
        if unit.retired && current.is_none_or(|c| c.unit_id != fields.unit_id) {
            return Err(DomainError::invalid(
                "unit_id",
                "หน่วยงานนี้เลิกใช้แล้ว กรุณาเลือกหน่วยงานอื่น",
            ));
        }
        authorize(
            actor,
            Action::Contribute,
            &Target::Unit(tree.path(fields.unit_id)?),
        )?;
        if !fields.terms.is_empty() {
            let vocab = self.vocabulary().await?;
            for t in &fields.terms {
                match vocab.term(*t) {
                    Some(term) if !term.retired || current.is_some_and(|c| c.terms.contains(t)) => {
                    }
                    _ => {
                        return Err(DomainError::invalid(
                            "terms",
                            "ไม่พบหมวดหมู่ที่เลือก กรุณาเลือกจากรายการ",
                        ));
                    }
                }
            }
        }
        Ok(fields)
    }

    /// A new draft (ฉบับร่าง) owned by a unit the actor contributes to.
    pub async fn create_item(&self, actor: &Actor, input: &ItemInput) -> DomainResult<Item> {
        actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let tree = self.unit_tree().await?;
        let fields = self.checked_fields(actor, input, &tree, None).await?;
        self.insert_new_item(actor, fields).await
    }

    /// Stores checked fields as a new draft of the actor's.
    pub(crate) async fn insert_new_item(
        &self,
        actor: &Actor,
        fields: ItemFields,
    ) -> DomainResult<Item> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let now = self.clock.now();
        let mut item = Item {
            id: ItemId(0),
            fields,
            status: ItemStatus::Draft,
            created_by: me,
            created_at: now,
            updated_by: me,
            updated_at: now,
            published_at: None,
            version: 1,
        };
        item.id = self.knowledge.insert_item(&item, "สร้างฉบับร่าง").await?;
        self.item_saved(&item);
        self.project_innovation(&item).await?;
        self.audit(
            Some(me),
            "item.create",
            format!("item:{}", item.id),
            item.fields.title.as_str().into(),
        )
        .await?;
        Ok(item)
    }

    pub async fn item_view(&self, actor: &Actor, id: ItemId) -> DomainResult<ItemView> {
        let (mut item, tree) = self.readable_item(actor, id).await?;
        let audience = self.entry_audience(actor, &item).await?;
        self.strip_private_answers(audience, &mut item.fields)
            .await?;
        let target = Self::item_ref(&tree, &item)?;
        let may = |a| authorize(actor, a, &target).is_ok();
        let (may_edit, may_submit, may_review, may_archive) = (
            may(Action::EditItem),
            may(Action::SubmitItem) && Transition::Submit.apply(item.status).is_ok(),
            may(Action::ReviewItem) && item.status.awaiting_review(),
            may(Action::ArchiveItem) && item.status == ItemStatus::Published,
        );
        let involved =
            may_edit || may_submit || may_review || actor.user_id() == Some(item.created_by);
        let comments = if involved {
            self.knowledge.comments(id).await?
        } else {
            Vec::new()
        };
        let files = self.knowledge.item_files(id).await?;
        let revision = self.revision_view(actor, &tree, &item, &files).await?;
        // With a revision pending, the next steps are the revision's.
        let (may_edit, may_submit, may_review) = match &revision {
            Some(r) => (
                may_edit && r.revision.with_author(),
                r.may_submit,
                r.may_review,
            ),
            None => (may_edit, may_submit, may_review),
        };
        let may_correct = Self::may_correct(actor, &tree, &item);
        Ok(ItemView {
            item,
            files,
            comments,
            may_edit,
            may_submit,
            may_review,
            may_archive,
            revision,
            may_correct,
        })
    }

    /// Records the item's current state: a new version once it has been published,
    /// otherwise the working version is refreshed in place.
    pub(crate) async fn save_with_version(
        &self,
        item: &mut Item,
        by: UserId,
        note: &str,
    ) -> DomainResult<()> {
        let files = self
            .knowledge
            .item_files(item.id)
            .await?
            .into_iter()
            .map(|f| f.id)
            .collect();
        let was_public = item.published_at.is_some();
        if was_public {
            item.version += 1;
        }
        let version = Version {
            item_id: item.id,
            number: item.version,
            snapshot: Snapshot {
                fields: item.fields.clone(),
                files,
            },
            created_by: by,
            created_at: self.clock.now(),
            note: note.to_string(),
        };
        let index = self.index_change(item).await?;
        self.knowledge
            .save_item(item, Some(&version), &index)
            .await?;
        self.item_saved(item);
        self.project_innovation(item).await?;
        Ok(())
    }

    pub async fn update_item(
        &self,
        actor: &Actor,
        id: ItemId,
        input: &ItemInput,
    ) -> DomainResult<Item> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (mut item, tree) = self.readable_item(actor, id).await?;
        authorize(actor, Action::EditItem, &Self::item_ref(&tree, &item)?)?;
        if item.status == ItemStatus::Published {
            // Readers keep the published version; the edit waits in its revision.
            let mut revision = self.working_revision(&item, me).await?;
            let fields = self
                .checked_fields(actor, input, &tree, Some(&revision.snapshot.fields))
                .await?;
            if fields != revision.snapshot.fields {
                revision.snapshot.fields = fields;
                self.save_revision(revision, me, "แก้ไขข้อมูล").await?;
            }
            return Ok(item);
        }
        let fields = self
            .checked_fields(actor, input, &tree, Some(&item.fields))
            .await?;
        if fields == item.fields {
            return Ok(item);
        }
        item.fields = fields;
        item.updated_by = me;
        item.updated_at = self.clock.now();
        self.save_with_version(&mut item, me, "แก้ไขข้อมูล").await?;
        self.audit(
            Some(me),
            "item.edit",
            format!("item:{id}"),
            format!("version {}", item.version),
        )
        .await?;
        Ok(item)
    }

    /// Moves an item through screening; asking for changes or rejecting needs a comment.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: ItemId,
        t: Transition,
        comment: &str,
    ) -> DomainResult<Item> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (mut item, tree) = self.readable_item(actor, id).await?;
        if item.status == ItemStatus::Published && t != Transition::Archive {
            return self
                .revision_transition(actor, item, &tree, t, comment)
                .await;
        }
        let action = match t {
            Transition::Submit => Action::SubmitItem,
            Transition::Approve | Transition::RequestChanges | Transition::Reject => {
                Action::ReviewItem
            }
            Transition::Archive => Action::ArchiveItem,
        };
        authorize(actor, action, &Self::item_ref(&tree, &item)?)?;
        crate::field::refuse_controls("comment", "ความเห็น", comment)?;
        let comment = crate::text::tidy_multiline(comment);
        if t.needs_comment() && comment.is_empty() {
            return Err(DomainError::invalid(
                "comment",
                "กรุณาเขียนเหตุผลหรือสิ่งที่ต้องแก้ไข เพื่อให้ผู้ส่งรู้ว่าต้องทำอะไรต่อ",
            ));
        }
        let from = item.status;
        let to = t.apply(from)?;
        let now = self.clock.now();
        item.status = to;
        item.updated_by = me;
        item.updated_at = now;
        if to == ItemStatus::Published {
            item.published_at = Some(now);
            // The approved state is the version readers see.
            let files = self
                .knowledge
                .item_files(id)
                .await?
                .into_iter()
                .map(|f| f.id)
                .collect();
            let version = Version {
                item_id: id,
                number: item.version,
                snapshot: Snapshot {
                    fields: item.fields.clone(),
                    files,
                },
                created_by: me,
                created_at: now,
                note: "อนุมัติเผยแพร่".into(),
            };
            let index = self.index_change(&item).await?;
            self.knowledge
                .save_item(&item, Some(&version), &index)
                .await?;
        } else {
            let index = self.index_change(&item).await?;
            self.knowledge.save_item(&item, None, &index).await?;
            if to == ItemStatus::Archived {
                // An archived item is no longer edited: its pending revision, if any, ends.
                self.knowledge.delete_revision(id).await?;
            }
        }
        self.item_saved(&item);
        self.project_innovation(&item).await?;
        let author = self.store.get_user(me).await?;
        self.knowledge
            .insert_comment(
                id,
                &Comment {
                    author_id: me,
                    author_name: author.display_name.as_str().into(),
                    body: comment.clone(),
                    from_status: Some(from),
                    to_status: Some(to),
                    at: now,
                },
            )
            .await?;
        self.audit(
            Some(me),
            "item.transition",
            format!("item:{id}"),
            format!("{} → {}: {comment}", from.as_str(), to.as_str()),
        )
        .await?;
        self.notify_screened(&item, me, t, &comment).await;
        Ok(item)
    }

    /// Tells an item's creator how the committee screened it (approved, changes asked,
    /// rejected). The decision stands even if the notice cannot be written: that is logged.
    async fn notify_screened(&self, item: &Item, by: UserId, t: Transition, comment: &str) {
        let decision = match t {
            Transition::Approve => "ผ่านการพิจารณาและเผยแพร่แล้ว",
            Transition::RequestChanges => "ถูกส่งกลับให้แก้ไข",
            Transition::Reject => "ไม่ผ่านการพิจารณา",
            Transition::Submit | Transition::Archive => return,
        };
        if item.created_by == by {
            return;
        }
        let mut title = format!("องค์ความรู้ \"{}\" {decision}", item.fields.title.as_str());
        if !comment.is_empty() {
            title.push_str(&format!(
                ": {}",
                comment.chars().take(200).collect::<String>()
            ));
        }
        let notice = crate::notifications::NewNotice {
            user: item.created_by,
            kind: "item_screened".into(),
            title,
            link: format!("/items/{}", item.id),
            once_key: None,
        };
        if let Err(e) = self.notify(vec![notice]).await {
            tracing::warn!(error = %e, item = %item.id, "could not notify the item's creator");
        }
    }

    /// A message in the submission's conversation, from its author or the committee.
    pub async fn comment(&self, actor: &Actor, id: ItemId, body: &str) -> DomainResult<()> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (item, tree) = self.readable_item(actor, id).await?;
        let target = Self::item_ref(&tree, &item)?;
        let participant = item.created_by == me
            || authorize(actor, Action::ReviewItem, &target).is_ok()
            || authorize(actor, Action::EditItem, &target).is_ok();
        if !participant {
            return Err(DomainError::Forbidden);
        }
        crate::field::refuse_controls("comment", "ข้อความ", body)?;
        let body = crate::text::tidy_multiline(body);
        if body.is_empty() {
            return Err(DomainError::invalid("comment", "กรุณาพิมพ์ข้อความ"));
        }
        if crate::text::grapheme_len(&body) > 5000 {
            return Err(DomainError::invalid("comment", "ข้อความยาวเกิน 5,000 ตัวอักษร"));
        }
        let author = self.store.get_user(me).await?;
        self.knowledge
            .insert_comment(
                id,
                &Comment {
                    author_id: me,
                    author_name: author.display_name.as_str().into(),
                    body,
                    from_status: None,
                    to_status: None,
                    at: self.clock.now(),
                },
            )
            .await?;
        Ok(())
    }

    pub async fn versions(&self, actor: &Actor, id: ItemId) -> DomainResult<(Item, Vec<Version>)> {
        let (mut item, _) = self.readable_item(actor, id).await?;
        let mut versions = self.knowledge.versions(id).await?;
        // Non-public answers of a form entry stay with those who may edit or screen it.
        let audience = self.entry_audience(actor, &item).await?;
        self.strip_private_answers(audience, &mut item.fields)
            .await?;
        for v in &mut versions {
            self.strip_private_answers(audience, &mut v.snapshot.fields)
                .await?;
        }
        Ok((item, versions))
    }

    /// Brings back an old version's fields and files as the newest version.
    pub async fn restore_version(
        &self,
        actor: &Actor,
        id: ItemId,
        number: i32,
    ) -> DomainResult<Item> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (mut item, tree) = self.readable_item(actor, id).await?;
        authorize(actor, Action::EditItem, &Self::item_ref(&tree, &item)?)?;
        let old = self
            .knowledge
            .versions(id)
            .await?
            .into_iter()
            .find(|v| v.number == number)
            .ok_or(DomainError::NotFound)?;
        if item.status == ItemStatus::Published {
            // Bringing back an old version changes what readers see: it is screened too.
            let mut revision = self.working_revision(&item, me).await?;
            revision.snapshot = old.snapshot;
            self.save_revision(revision, me, &format!("คืนค่าจากฉบับที่ {number}"))
                .await?;
            return Ok(item);
        }
        self.knowledge
            .set_current_files(id, &old.snapshot.files)
            .await?;
        item.fields = old.snapshot.fields;
        item.updated_by = me;
        item.updated_at = self.clock.now();
        self.save_with_version(&mut item, me, &format!("คืนค่าจากฉบับที่ {number}"))
            .await?;
        self.audit(
            Some(me),
            "item.restore",
            format!("item:{id}"),
            format!("from version {number}"),
        )
        .await?;
        Ok(item)
    }

    /// What the reader may see among published items, for list queries.
    pub(crate) async fn readable(&self, actor: &Actor) -> DomainResult<Option<Readable>> {
        Ok(match actor {
            Actor::Anonymous => Some(Readable::default()),
            Actor::User(u) if u.site_admin => None,
            Actor::User(_) => {
                let tree = self.unit_tree().await?;
                Some(Readable {
                    signed_in: true,
                    readable_units: Self::units_where(&tree, actor, Action::ViewUnitContent),
                })
            }
        })
    }

    /// Published knowledge, newest first, filtered as the reader asks and as they may see.
    /// Readers who may see the same things share one copy of each list (see [`super::cache`]).
    pub async fn browse(
        &self,
        actor: &Actor,
        b: &Browse,
        page: u64,
        per_page: u64,
    ) -> DomainResult<Page<ItemSummary>> {
        self.sync_caches().await;
        let visibility = self.readable(actor).await?;
        let key = ListKey {
            visibility: visibility.clone(),
            unit: b.unit,
            term: b.term,
            knowledge_type: b.knowledge_type,
            fiscal_year: b.fiscal_year,
            page,
            per_page,
        };
        match self.caches.lists.get_or_stale(&key) {
            Some((list, true)) => return Ok((*list).clone()),
            Some((list, false)) => {
                // Older than the TTL (another process may have changed it): serve it and
                // refresh once in the background, so readers never queue behind a rebuild.
                if self.caches.lists.begin_refresh(&key) {
                    let core = self.clone();
                    tokio::spawn(async move {
                        if let Err(e) = core.load_list(key.clone()).await {
                            tracing::warn!(error = %e, "refreshing a cached list failed");
                        }
                        core.caches.lists.end_refresh(&key);
                    });
                }
                return Ok((*list).clone());
            }
            None => {}
        }
        self.load_list(key).await
    }

    /// Reads a published list from the store and keeps it (see [`super::cache`]).
    async fn load_list(&self, key: ListKey) -> DomainResult<Page<ItemSummary>> {
        let memo = &self.caches.lists;
        let generation = memo.generation();
        let units = match key.unit {
            Some(u) => {
                let tree = self.unit_tree().await?;
                Some(
                    tree.units()
                        .iter()
                        .filter(|x| tree.is_within(x.id, u))
                        .map(|x| x.id)
                        .collect(),
                )
            }
            None => None,
        };
        let filter = ItemFilter {
            statuses: vec![ItemStatus::Published],
            units,
            term: key.term,
            knowledge_type: key.knowledge_type,
            fiscal_year: key.fiscal_year,
            visibility: key.visibility.clone(),
            order: ItemOrder::NewestPublished,
            ..Default::default()
        };
        let list = self
            .knowledge
            .list_items(&filter, key.page, key.per_page)
            .await?;
        memo.put(key, generation, Arc::new(list.clone()));
        Ok(list)
    }

    /// The actor's own items in every state, recently changed first.
    pub async fn my_items(
        &self,
        actor: &Actor,
        page: u64,
        per_page: u64,
    ) -> DomainResult<Page<ItemSummary>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let filter = ItemFilter {
            created_by: Some(me),
            order: ItemOrder::RecentlyUpdated,
            ..Default::default()
        };
        let mut list = self.knowledge.list_items(&filter, page, per_page).await?;
        self.mark_revisions(&mut list.items).await?;
        Ok(list)
    }

    /// Notes each published item's pending revision, for lists shown only to those who may
    /// know of it (the owner's own items, the review queue).
    async fn mark_revisions(&self, items: &mut [ItemSummary]) -> DomainResult<()> {
        for s in items.iter_mut() {
            if s.status == ItemStatus::Published
                && let Some(r) = self.knowledge.get_revision(s.id).await?
            {
                // The queue's "waiting since" and the owner's "changed" are the revision's.
                s.pending_revision = Some(r.status);
                s.updated_at = r.updated_at;
            }
        }
        Ok(())
    }

    /// Submissions waiting for this reviewer, oldest first; never their own.
    pub async fn review_queue(
        &self,
        actor: &Actor,
        page: u64,
        per_page: u64,
    ) -> DomainResult<Page<ItemSummary>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let units = if actor.is_site_admin() {
            None
        } else {
            let tree = self.unit_tree().await?;
            Some(Self::units_where_any(&tree, actor, Action::Review))
        };
        let filter = ItemFilter {
            statuses: vec![ItemStatus::Submitted, ItemStatus::Resubmitted],
            revision_statuses: vec![ItemStatus::Submitted, ItemStatus::Resubmitted],
            units,
            not_created_by: Some(me),
            order: ItemOrder::OldestUpdated,
            ..Default::default()
        };
        let mut list = self.knowledge.list_items(&filter, page, per_page).await?;
        self.mark_revisions(&mut list.items).await?;
        // A revision its reviewer wrote (as a KM officer) is not theirs to screen.
        let mut mine = Vec::new();
        for s in &list.items {
            if s.pending_revision.is_some()
                && self
                    .knowledge
                    .get_revision(s.id)
                    .await?
                    .is_some_and(|r| r.created_by == me)
            {
                mine.push(s.id);
            }
        }
        list.items.retain(|s| !mine.contains(&s.id));
        Ok(list)
    }

    /// Streams a file into storage: checks the type from its first bytes, counts the size
    /// against `limit`, hashes as it goes, and stores each distinct content once.
    pub async fn attach_file(
        &self,
        actor: &Actor,
        id: ItemId,
        raw_name: &str,
        body: ByteStream,
        limit: u64,
    ) -> DomainResult<ItemFile> {
        self.attach_file_if(actor, id, raw_name, body, limit, &|_, _| Ok(()))
            .await
    }

    /// [`Khlang::attach_file`], refusing before anything is stored a file that `accept`
    /// refuses once its type is known from its first bytes (a form's files field).
    pub(crate) async fn attach_file_if(
        &self,
        actor: &Actor,
        id: ItemId,
        raw_name: &str,
        body: ByteStream,
        limit: u64,
        accept: &(dyn Fn(crate::file::FileKind, &str) -> Result<(), FieldError> + Send + Sync),
    ) -> DomainResult<ItemFile> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (mut item, tree) = self.readable_item(actor, id).await?;
        authorize(actor, Action::EditItem, &Self::item_ref(&tree, &item)?)?;
        // A file for published knowledge joins its revision, unseen until approval.
        let revision = if item.status == ItemStatus::Published {
            Some(self.working_revision(&item, me).await?)
        } else {
            None
        };
        let name = FileName::parse(raw_name)?;
        let (head, rest) = read_head(body).await?;
        let sniffed = sniff(&head, name.as_str())?;
        let name = sniffed.name_for(&name);
        accept(sniffed.kind, name.as_str())?;

        let (sha, size) = self.store_content(head, rest, limit, sniffed.mime).await?;
        let file = self
            .knowledge
            .insert_file(NewFile {
                item_id: id,
                name: name.as_str().into(),
                sha256: sha,
                size,
                mime: sniffed.mime.into(),
                kind: sniffed.kind.as_str().into(),
                added_by: me,
                at: self.clock.now(),
                current: revision.is_none(),
            })
            .await?;
        self.queue_text(&file).await?;
        self.queue_copies(&file).await?;
        if let Some(mut revision) = revision {
            revision.snapshot.files.push(file.id);
            self.save_revision(revision, me, &format!("แนบไฟล์ {}", file.name))
                .await?;
            return Ok(file);
        }
        item.updated_by = me;
        item.updated_at = self.clock.now();
        self.save_with_version(&mut item, me, &format!("แนบไฟล์ {}", file.name))
            .await?;
        self.audit(
            Some(me),
            "file.attach",
            format!("item:{id}"),
            format!("{} ({} bytes)", file.name, file.size),
        )
        .await?;
        Ok(file)
    }

    /// Streams a body (its first bytes already read) into storage under its SHA-256: the
    /// bytes are kept once however many files name them. Refused past `limit` bytes with
    /// nothing kept. Item files and contest entry documents both store their bytes here.
    pub(crate) async fn store_content(
        &self,
        head: Bytes,
        rest: ByteStream,
        limit: u64,
        mime: &str,
    ) -> DomainResult<(String, u64)> {
        let hasher = Arc::new(Mutex::new(Sha256::new()));
        let h = hasher.clone();
        let mut seen = 0u64;
        let counted = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(head) })
            .chain(rest)
            .map(move |chunk| {
                let chunk = chunk?;
                seen += chunk.len() as u64;
                if seen > limit {
                    return Err(std::io::Error::other(TOO_LARGE));
                }
                if let Ok(mut h) = h.lock() {
                    h.update(&chunk);
                }
                Ok(chunk)
            })
            .boxed();
        let temp = format!("incoming/{}", crate::account::Secret::generate("").expose());
        let size = match self.blobs.put(&temp, counted).await {
            Ok(n) => n,
            Err(e) if e.to_string().contains(TOO_LARGE) => {
                // A partial temporary file is not kept.
                let _ = self.blobs.delete(&temp).await;
                return Err(DomainError::TooLarge(format!(
                    "ไฟล์ใหญ่เกิน {} — ลองย่อวิดีโอหรือแบ่งเป็นหลายไฟล์",
                    crate::file::human_size(limit)
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let sha = hex::encode(
            hasher
                .lock()
                .map_err(|_| DomainError::internal("hasher poisoned"))?
                .clone()
                .finalize(),
        );
        self.store_blob(&temp, &sha, size, mime).await?;
        Ok((sha, size))
    }

    /// Keeps one object per content: a duplicate upload drops its temporary copy.
    async fn store_blob(&self, temp: &str, sha: &str, size: u64, mime: &str) -> DomainResult<()> {
        if self.knowledge.blob_exists(sha).await? {
            self.blobs.delete(temp).await?;
            return Ok(());
        }
        self.blobs.rename(temp, &blob_key(sha)).await?;
        match self
            .knowledge
            .insert_blob(sha, size, mime, self.clock.now())
            .await
        {
            Ok(()) | Err(PortError::Conflict(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn remove_file(&self, actor: &Actor, id: ItemId, file: FileId) -> DomainResult<()> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (mut item, tree) = self.readable_item(actor, id).await?;
        authorize(actor, Action::EditItem, &Self::item_ref(&tree, &item)?)?;
        if item.status == ItemStatus::Published {
            // Readers keep the file until the revision without it is approved.
            let mut revision = self.working_revision(&item, me).await?;
            if !revision.snapshot.files.contains(&file) {
                return Err(DomainError::NotFound);
            }
            let removed = self.knowledge.get_file(file).await?.name;
            revision.snapshot.files.retain(|f| *f != file);
            self.save_revision(revision, me, &format!("นำไฟล์ {removed} ออก"))
                .await?;
            return Ok(());
        }
        let files = self.knowledge.item_files(id).await?;
        let removed = files
            .iter()
            .find(|f| f.id == file)
            .ok_or(DomainError::NotFound)?
            .name
            .clone();
        let keep: Vec<FileId> = files.iter().map(|f| f.id).filter(|f| *f != file).collect();
        self.knowledge.set_current_files(id, &keep).await?;
        item.updated_by = me;
        item.updated_at = self.clock.now();
        self.save_with_version(&mut item, me, &format!("นำไฟล์ {removed} ออก"))
            .await?;
        self.audit(Some(me), "file.remove", format!("item:{id}"), removed)
            .await
    }

    /// Opens a file the actor may read (current or in an old version of a readable item).
    pub async fn open_file(
        &self,
        actor: &Actor,
        file: FileId,
        range: RangeRequest,
    ) -> DomainResult<(ItemFile, u64, ByteStream)> {
        let f = self.knowledge.get_file(file).await?;
        self.file_reachable(actor, &f).await?;
        let r = match range {
            RangeRequest::Full => None,
            RangeRequest::Partial(r) => Some(r),
        };
        let (size, stream) = self.blobs.get(&blob_key(&f.sha256), r).await?;
        Ok((f, size, stream))
    }

    /// A file's details when the actor may read it (the same check as [`Self::open_file`]),
    /// without opening its bytes: a download answers 304 or 416 from these before it asks
    /// storage for anything, and parses `Range` against the size.
    pub async fn readable_file(&self, actor: &Actor, file: FileId) -> DomainResult<ItemFile> {
        let f = self.knowledge.get_file(file).await?;
        self.file_reachable(actor, &f).await?;
        Ok(f)
    }

    /// Readers of an item get its current files and those of its saved versions; a file
    /// only a pending (or withdrawn) revision ever held is for those who may see revisions.
    async fn file_reachable(&self, actor: &Actor, f: &ItemFile) -> DomainResult<()> {
        let (item, tree) = self.readable_item(actor, f.item_id).await?;
        if f.current || Self::may_see_revision(actor, &tree, &item) {
            return Ok(());
        }
        let versions = self.knowledge.versions(item.id).await?;
        if versions.iter().any(|v| v.snapshot.files.contains(&f.id)) {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }
}

const TOO_LARGE: &str = "khlang: upload over the limit";

/// Reads until [`SNIFF_BYTES`] are in hand (or the stream ends) so the type can be checked
/// before anything is stored.
pub(crate) async fn read_head(mut body: ByteStream) -> DomainResult<(Bytes, ByteStream)> {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut ended = false;
    while head.len() < SNIFF_BYTES {
        match body.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            Some(Err(e)) => {
                return Err(DomainError::invalid(
                    "file",
                    format!("การอัปโหลดขาดหาย กรุณาลองใหม่ ({e})"),
                ));
            }
            None => {
                ended = true;
                break;
            }
        }
    }
    // A finished stream must not be polled again.
    let body: ByteStream = if ended {
        futures::stream::empty().boxed()
    } else {
        body
    };
    if head.is_empty() {
        return Err(FieldError::new("file", "ไฟล์ว่างเปล่า กรุณาเลือกไฟล์ที่มีข้อมูลแล้วอัปโหลดใหม่").into());
    }
    Ok((Bytes::from(head), body))
}

impl Khlang {
    /// The name shown for a person on items and in conversations.
    pub async fn person_name(&self, id: UserId) -> DomainResult<String> {
        Ok(self
            .store
            .get_user(id)
            .await?
            .display_name
            .as_str()
            .to_string())
    }

    /// An item the actor may edit, with its current files (edit forms, wizard steps).
    pub async fn editable_item(
        &self,
        actor: &Actor,
        id: ItemId,
    ) -> DomainResult<(Item, Vec<ItemFile>)> {
        let (mut item, tree) = self.readable_item(actor, id).await?;
        authorize(actor, Action::EditItem, &Self::item_ref(&tree, &item)?)?;
        if item.status == ItemStatus::Published {
            // What the author works on is the revision (or the published version, when
            // nothing is pending yet); nothing is saved until they change something.
            let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
            let revision = self.working_revision(&item, me).await?;
            let files = self
                .knowledge
                .files_by_ids(&revision.snapshot.files)
                .await?;
            item.fields = revision.snapshot.fields;
            return Ok((item, files));
        }
        let files = self.knowledge.item_files(id).await?;
        Ok((item, files))
    }
}
