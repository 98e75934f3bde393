//! Files of knowledge items: streaming uploads into content-addressed storage (each distinct
//! content stored once), removing, and opening them for those who may read them.

use super::Khlang;
use super::items::blob_key;
use crate::error::{DomainError, DomainResult, FieldError, PortError};
use crate::file::{FileName, RangeRequest, SNIFF_BYTES, sniff};
use crate::ids::{FileId, ItemId};
use crate::item::{ItemFile, ItemStatus};
use crate::org::{Action, Actor, authorize};
use crate::ports::{ByteStream, NewFile};
use bytes::Bytes;
use futures::StreamExt;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};

impl Khlang {
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
