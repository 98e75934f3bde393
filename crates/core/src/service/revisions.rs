//! Edits to published knowledge are screened (seed 003: the committee screens knowledge before
//! it is published). An edit, a file added or removed, or a restored version of a published
//! item becomes its pending revision (ฉบับแก้ไข), which goes through the same screening as a
//! new submission; readers keep the published version until the revision is approved. Only a
//! reviewer or KM officer other than the owner may publish a minor correction (แก้ไขเล็กน้อย)
//! directly, with a reason in the audit log.

use super::Khlang;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ItemId, UserId};
use crate::item::{
    FieldChange, Item, ItemFile, ItemInput, ItemStatus, Revision, Snapshot, Transition, Version,
    check_minor_correction, diff,
};
use crate::org::{Action, Actor, ItemRef, Target, UnitTree, authorize};
use crate::ports::Comment;

/// A pending revision as the item page shows it to those who may know of it.
pub struct RevisionView {
    pub revision: Revision,
    pub files: Vec<ItemFile>,
    /// Field by field against the published version.
    pub changes: Vec<FieldChange>,
    pub may_edit: bool,
    pub may_submit: bool,
    pub may_review: bool,
    pub may_withdraw: bool,
}

/// Marks a revision's entries in the screening conversation, which the item shares.
const REVISION_NOTE: &str = "(ฉบับแก้ไข)";

impl Khlang {
    /// The permission target of an item's revision: the published item's unit, owner and
    /// readers, at the revision's stage of screening.
    fn revision_ref(tree: &UnitTree, item: &Item, status: ItemStatus) -> DomainResult<Target> {
        Ok(Target::Item(ItemRef {
            unit: tree.path(item.fields.unit_id)?,
            owner: item.created_by,
            status,
            visibility: item.fields.visibility,
        }))
    }

    /// Who may know a revision is pending: those who may read an unpublished item — its
    /// owner, the unit's KM officers and the screening committee. The public never learns of it.
    pub(crate) fn may_see_revision(actor: &Actor, tree: &UnitTree, item: &Item) -> bool {
        actor.user_id().is_some()
            && Self::revision_ref(tree, item, ItemStatus::Draft)
                .is_ok_and(|t| authorize(actor, Action::ReadItem, &t).is_ok())
    }

    /// Whether the actor may publish a minor correction: a reviewer or KM officer of the
    /// item's unit (or the site administrator) who is not its owner.
    pub(crate) fn may_correct(actor: &Actor, tree: &UnitTree, item: &Item) -> bool {
        let Some(me) = actor.user_id() else {
            return false;
        };
        if me == item.created_by || item.status != ItemStatus::Published {
            return false;
        }
        let Ok(path) = tree.path(item.fields.unit_id) else {
            return false;
        };
        authorize(actor, Action::Review, &Target::Unit(path.clone())).is_ok()
            || authorize(actor, Action::ManageKnowledge, &Target::Unit(path)).is_ok()
    }

    /// The pending revision with what the actor may do to it, for those who may see it.
    pub(crate) async fn revision_view(
        &self,
        actor: &Actor,
        tree: &UnitTree,
        item: &Item,
        published_files: &[ItemFile],
    ) -> DomainResult<Option<RevisionView>> {
        if item.status != ItemStatus::Published || !Self::may_see_revision(actor, tree, item) {
            return Ok(None);
        }
        let Some(revision) = self.knowledge.get_revision(item.id).await? else {
            return Ok(None);
        };
        let target = Self::revision_ref(tree, item, revision.status)?;
        let may = |a| authorize(actor, a, &target).is_ok();
        let published = Snapshot {
            fields: item.fields.clone(),
            files: published_files.iter().map(|f| f.id).collect(),
        };
        let files = self
            .knowledge
            .files_by_ids(&revision.snapshot.files)
            .await?;
        let own_work = actor
            .user_id()
            .is_some_and(|me| me == revision.created_by || me == item.created_by);
        Ok(Some(RevisionView {
            changes: diff(&published, &revision.snapshot),
            files,
            may_edit: revision.with_author() && may(Action::EditItem),
            may_submit: may(Action::SubmitItem)
                && Transition::Submit.apply(revision.status).is_ok(),
            may_review: may(Action::ReviewItem) && revision.status.awaiting_review() && !own_work,
            may_withdraw: authorize(actor, Action::EditItem, &Self::item_ref(tree, item)?).is_ok(),
            revision,
        }))
    }

    /// The revision an edit of a published item goes into: the pending one while it is with
    /// its author, or a new draft from the published version. The caller has checked that
    /// the actor may edit the item.
    pub(crate) async fn working_revision(&self, item: &Item, me: UserId) -> DomainResult<Revision> {
        match self.knowledge.get_revision(item.id).await? {
            Some(r) if r.with_author() => Ok(r),
            Some(r) => Err(DomainError::Conflict(format!(
                "ฉบับแก้ไขขององค์ความรู้นี้อยู่ในสถานะ \"{}\" แก้ไขไม่ได้จนกว่าคณะทำงานกลั่นกรองจะพิจารณา (หรือถอนฉบับแก้ไขก่อน)",
                r.status.label_th()
            ))),
            None => {
                let files = self
                    .knowledge
                    .item_files(item.id)
                    .await?
                    .into_iter()
                    .map(|f| f.id)
                    .collect();
                let now = self.clock.now();
                Ok(Revision {
                    item_id: item.id,
                    snapshot: Snapshot {
                        fields: item.fields.clone(),
                        files,
                    },
                    status: ItemStatus::Draft,
                    created_by: me,
                    created_at: now,
                    updated_by: me,
                    updated_at: now,
                })
            }
        }
    }

    /// Keeps a changed revision, noting who changed it; the published item stays as it is.
    pub(crate) async fn save_revision(
        &self,
        mut revision: Revision,
        me: UserId,
        what: &str,
    ) -> DomainResult<Revision> {
        revision.updated_by = me;
        revision.updated_at = self.clock.now();
        self.knowledge.save_revision(&revision).await?;
        self.audit(
            Some(me),
            "item.revise",
            format!("item:{}", revision.item_id),
            what.to_string(),
        )
        .await?;
        Ok(revision)
    }

    /// The screening of a revision: submit, approve (it becomes the published version),
    /// ask for changes, or reject (the published version stays; the revision ends).
    pub(crate) async fn revision_transition(
        &self,
        actor: &Actor,
        mut item: Item,
        tree: &UnitTree,
        t: Transition,
        comment: &str,
    ) -> DomainResult<Item> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let Some(mut revision) = self.knowledge.get_revision(item.id).await? else {
            // Nothing pending: the item itself is published, which the state machine explains.
            return Err(match t.apply(item.status) {
                Err(e) => e,
                Ok(_) => DomainError::Conflict("ไม่มีฉบับแก้ไขที่รอดำเนินการ".into()),
            });
        };
        let target = Self::revision_ref(tree, &item, revision.status)?;
        let action = match t {
            Transition::Submit => Action::SubmitItem,
            _ => Action::ReviewItem,
        };
        authorize(actor, action, &target)?;
        // The committee never screens its own work, also when a KM officer wrote the revision.
        if action == Action::ReviewItem && (revision.created_by == me || item.created_by == me) {
            return Err(DomainError::Forbidden);
        }
        let comment = crate::text::tidy_multiline(comment);
        if t.needs_comment() && comment.is_empty() {
            return Err(DomainError::invalid(
                "comment",
                "กรุณาเขียนเหตุผลหรือสิ่งที่ต้องแก้ไข เพื่อให้ผู้ส่งรู้ว่าต้องทำอะไรต่อ",
            ));
        }
        let from = revision.status;
        let to = t.apply(from)?;
        if t == Transition::Submit {
            let published: Vec<_> = self
                .knowledge
                .item_files(item.id)
                .await?
                .into_iter()
                .map(|f| f.id)
                .collect();
            if revision.snapshot.fields == item.fields && revision.snapshot.files == published {
                return Err(DomainError::Conflict(
                    "ฉบับแก้ไขนี้ยังเหมือนฉบับที่เผยแพร่ทุกอย่าง กรุณาแก้ไขก่อนส่งพิจารณา หรือถอนฉบับแก้ไข".into(),
                ));
            }
        }
        let now = self.clock.now();
        match to {
            ItemStatus::Published => {
                item.fields = revision.snapshot.fields.clone();
                item.version += 1;
                item.updated_by = me;
                item.updated_at = now;
                let version = Version {
                    item_id: item.id,
                    number: item.version,
                    snapshot: revision.snapshot.clone(),
                    created_by: revision.created_by,
                    created_at: now,
                    note: "อนุมัติเผยแพร่ฉบับแก้ไข".into(),
                };
                let index = self
                    .index_change_with_files(&item, &revision.snapshot.files)
                    .await?;
                self.knowledge
                    .publish_revision(&item, &version, &index)
                    .await?;
                self.item_saved(&item);
                self.project_innovation(&item).await?;
            }
            ItemStatus::Rejected => self.knowledge.delete_revision(item.id).await?,
            _ => {
                revision.status = to;
                revision.updated_by = me;
                revision.updated_at = now;
                self.knowledge.save_revision(&revision).await?;
            }
        }
        let author = self.store.get_user(me).await?;
        let body = if comment.is_empty() {
            REVISION_NOTE.to_string()
        } else {
            format!("{REVISION_NOTE} {comment}")
        };
        self.knowledge
            .insert_comment(
                item.id,
                &Comment {
                    author_id: me,
                    author_name: author.display_name.as_str().into(),
                    body,
                    from_status: Some(from),
                    to_status: Some(to),
                    at: now,
                },
            )
            .await?;
        self.audit(
            Some(me),
            "item.revision.transition",
            format!("item:{}", item.id),
            format!("{} → {}: {comment}", from.as_str(), to.as_str()),
        )
        .await?;
        Ok(item)
    }

    /// The owner (or a KM officer) takes a pending revision back: it ends unpublished, and
    /// its files stay out of readers' reach.
    pub async fn withdraw_revision(&self, actor: &Actor, id: ItemId) -> DomainResult<Item> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (item, tree) = self.readable_item(actor, id).await?;
        authorize(actor, Action::EditItem, &Self::item_ref(&tree, &item)?)?;
        let revision = self
            .knowledge
            .get_revision(id)
            .await?
            .ok_or_else(|| DomainError::Conflict("ไม่มีฉบับแก้ไขที่รอดำเนินการ".into()))?;
        self.knowledge.delete_revision(id).await?;
        self.audit(
            Some(me),
            "item.revision.withdraw",
            format!("item:{id}"),
            format!("from {}", revision.status.as_str()),
        )
        .await?;
        Ok(item)
    }

    /// A reviewer or KM officer fixes a typo in published knowledge without screening:
    /// a new version at once, recorded with its reason in the audit log and the conversation.
    pub async fn minor_correction(
        &self,
        actor: &Actor,
        id: ItemId,
        input: &ItemInput,
        reason: &str,
    ) -> DomainResult<Item> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (mut item, tree) = self.readable_item(actor, id).await?;
        if item.status != ItemStatus::Published {
            return Err(DomainError::Conflict(format!(
                "แก้ไขเล็กน้อยได้เฉพาะองค์ความรู้ที่เผยแพร่แล้ว (องค์ความรู้นี้อยู่ในสถานะ \"{}\")",
                item.status.label_th()
            )));
        }
        if !Self::may_correct(actor, &tree, &item) {
            return Err(DomainError::Forbidden);
        }
        if self.knowledge.get_revision(id).await?.is_some() {
            return Err(DomainError::Conflict(
                "องค์ความรู้นี้มีฉบับแก้ไขรอดำเนินการอยู่ กรุณาพิจารณาฉบับแก้ไขนั้นก่อน".into(),
            ));
        }
        let reason = crate::text::tidy(reason);
        if reason.is_empty() {
            return Err(DomainError::invalid(
                "reason",
                "กรุณาบอกเหตุผลของการแก้ไขเล็กน้อย เช่น แก้คำที่พิมพ์ผิด",
            ));
        }
        if crate::text::grapheme_len(&reason) > 500 {
            return Err(DomainError::invalid("reason", "เหตุผลยาวเกิน 500 ตัวอักษร"));
        }
        let fields = self
            .checked_fields(actor, input, &tree, Some(&item.fields))
            .await?;
        check_minor_correction(&item.fields, &fields)?;
        if fields == item.fields {
            return Ok(item);
        }
        item.fields = fields;
        item.updated_by = me;
        item.updated_at = self.clock.now();
        self.save_with_version(&mut item, me, &format!("แก้ไขเล็กน้อย: {reason}"))
            .await?;
        let author = self.store.get_user(me).await?;
        self.knowledge
            .insert_comment(
                id,
                &Comment {
                    author_id: me,
                    author_name: author.display_name.as_str().into(),
                    body: format!("แก้ไขเล็กน้อย (ฉบับที่ {}): {reason}", item.version),
                    from_status: None,
                    to_status: None,
                    at: item.updated_at,
                },
            )
            .await?;
        self.audit(
            Some(me),
            "item.minor_correction",
            format!("item:{id}"),
            format!("version {}: {reason}", item.version),
        )
        .await?;
        Ok(item)
    }
}

impl Khlang {
    /// An item's pending revision as `actor` may see it (None for everyone else), for answers
    /// that show the item after a change.
    pub async fn pending_revision(
        &self,
        actor: &Actor,
        item: &Item,
    ) -> DomainResult<Option<RevisionView>> {
        let tree = self.unit_tree().await?;
        let files = self.knowledge.item_files(item.id).await?;
        self.revision_view(actor, &tree, item, &files).await
    }
}
