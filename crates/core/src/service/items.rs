//! The knowledge repository's use-cases: drafting, editing with versions, attaching files,
//! screening, and reading lists that respect who may see what.

use super::Khlang;
use super::cache::ListKey;
use super::revisions::RevisionView;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ItemId, TermId, UnitId, UserId};
use crate::item::{
    Item, ItemFields, ItemFile, ItemInput, ItemStatus, Snapshot, Transition, Version,
};
use crate::org::{Action, Actor, ItemRef, Target, UnitTree, authorize};
use crate::ports::{Comment, ItemFilter, ItemOrder, ItemSummary, Page, Readable};
use std::sync::Arc;

pub(crate) use super::item_files::read_head;

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
