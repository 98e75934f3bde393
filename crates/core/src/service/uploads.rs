//! Resumable uploads (การอัปโหลดต่อได้, the tus protocol) for people on unstable mobile
//! connections: who may start one, who may see and continue it, which offsets are accepted,
//! where the bytes wait, and how a complete upload becomes an attached file.
//!
//! The bytes wait in the object store as parts (`uploads/{id}/{offset}`), one per PATCH or
//! per [`PART_MAX`] of a long one, and the database row says how many bytes count: so any
//! node can continue an upload another started, and a node that stops loses at most the part
//! it was writing. A lease on the upload keeps two requests (on any nodes) from writing at once.

use super::Khlang;
use crate::error::{DomainError, DomainResult};
use crate::file::{FileName, human_size};
use crate::ids::ItemId;
use crate::item::{Item, ItemFile};
use crate::org::{Action, Actor, authorize};
use crate::ports::{ByteStream, Upload};
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::Duration;

/// A long PATCH is kept in parts of at most this many bytes, its progress recorded after each.
pub const PART_MAX: u64 = 8 << 20;
/// How long the lease on an upload lasts without renewal (a node that stops mid-PATCH
/// holds the upload this long at most).
const UPLOAD_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

/// The folder of an upload's parts in the object store.
fn parts_of(id: &str) -> String {
    format!("uploads/{id}")
}

/// A part's key: the offset where it starts, zero-padded so that keys sort by it.
fn part_key(id: &str, start: u64) -> String {
    format!("uploads/{id}/{start:020}")
}

/// What a client announces when it starts a resumable upload.
#[derive(Debug, Clone)]
pub struct NewUpload {
    /// The knowledge item the file will be attached to.
    pub item_id: ItemId,
    /// The name as the client gave it (cleaned before it is kept).
    pub filename: String,
    /// The whole file's size in bytes.
    pub length: u64,
}

/// What a PATCH did.
#[derive(Debug)]
pub enum Appended {
    /// The bytes are kept; the upload now holds this many.
    Progress(u64),
    /// The connection broke (or went quiet); what arrived before is kept, up to this offset.
    Interrupted(u64),
    /// Every byte (`length` of them) is in and the file is attached to the item.
    Attached {
        file: crate::ids::FileId,
        length: u64,
    },
    /// Every byte is in and the entry's document (this id) is stored.
    Stored { document: i64, length: u64 },
}

/// Who works on an upload: a signed-in user (item files), or the holder of a contest
/// entry's link (its documents), who has no account.
pub enum UploadCaller<'a> {
    User(&'a Actor),
    EntryLink(&'a str),
}

/// How finishing a complete upload went, when nothing broke on the way.
#[derive(Debug)]
enum Completion {
    /// The file is attached to the item; the upload record remembers its id.
    Attached(ItemFile),
    /// The document (this id) is stored for the entry.
    Stored(i64),
    /// The content was refused (type, size, permission); the upload record is gone and
    /// the caller should delete the staged bytes and show the error.
    Refused(DomainError),
}

/// The message for a file over the configured limit (the same words as a form upload).
fn too_large(limit: u64) -> DomainError {
    DomainError::TooLarge(format!(
        "ไฟล์ใหญ่เกิน {} — ลองย่อวิดีโอหรือแบ่งเป็นหลายไฟล์",
        human_size(limit)
    ))
}

/// Checks that a chunk continues the upload exactly where the server is, and that it does not
/// carry more than the upload has left (`declared` is the chunk's Content-Length, if sent).
pub fn check_chunk(
    upload: &Upload,
    claimed_offset: u64,
    declared: Option<u64>,
) -> DomainResult<()> {
    if claimed_offset != upload.offset {
        return Err(DomainError::Conflict(format!(
            "ตำแหน่งข้อมูลไม่ตรงกับที่ระบบได้รับไว้ (ได้รับแล้ว {} ไบต์) กรุณาตรวจสอบความคืบหน้าแล้วส่งต่อจากตำแหน่งนั้น",
            upload.offset
        )));
    }
    if declared.is_some_and(|n| n > remaining(upload)) {
        return Err(chunk_too_large(upload));
    }
    Ok(())
}

/// Bytes the upload still expects.
pub fn remaining(upload: &Upload) -> u64 {
    upload.length.saturating_sub(upload.offset)
}

/// The error for a chunk that would take the upload past the size announced at the start.
pub fn chunk_too_large(upload: &Upload) -> DomainError {
    DomainError::TooLarge(format!(
        "ข้อมูลที่ส่งมาเกินขนาดไฟล์ที่แจ้งไว้ตอนเริ่มอัปโหลด ({} ไบต์)",
        upload.length
    ))
}

impl Khlang {
    /// The item an upload is for, loaded and checked like [`Khlang::attach_file`] does:
    /// NotFound if the actor may not read it, Forbidden if they may read but not edit it.
    pub(crate) async fn item_to_upload_to(&self, actor: &Actor, id: ItemId) -> DomainResult<Item> {
        let item = self.knowledge.get_item(id).await?;
        let tree = self.unit_tree().await?;
        let target = Self::item_ref(&tree, &item)?;
        // As `readable_item`: whoever may not read it learns nothing of its existence.
        if authorize(actor, Action::ReadItem, &target).is_err() {
            return Err(DomainError::NotFound);
        }
        authorize(actor, Action::EditItem, &target)?;
        Ok(item)
    }

    /// Starts a resumable upload of a file for an item the actor may edit.
    /// `id` is the upload's random, unguessable name (also its URL).
    pub async fn start_upload(
        &self,
        actor: &Actor,
        new: NewUpload,
        limit: u64,
    ) -> DomainResult<Upload> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        if new.length > limit {
            return Err(too_large(limit));
        }
        if new.length == 0 {
            return Err(DomainError::invalid(
                "file",
                "ไฟล์ว่างเปล่า กรุณาเลือกไฟล์ที่มีข้อมูลแล้วอัปโหลดใหม่",
            ));
        }
        let name = FileName::parse(&new.filename)?;
        self.item_to_upload_to(actor, new.item_id).await?;
        let upload = Upload {
            id: crate::account::Secret::generate("").expose().to_string(),
            user_id: Some(me),
            item_id: Some(new.item_id),
            filename: name.as_str().to_string(),
            length: new.length,
            offset: 0,
            created_at: self.clock.now(),
            file_id: None,
            entry_id: None,
            requirement: None,
        };
        self.knowledge.insert_upload(&upload).await?;
        Ok(upload)
    }

    /// One of the actor's own uploads; anyone else's looks like it does not exist.
    pub async fn own_upload(&self, actor: &Actor, id: &str) -> DomainResult<Upload> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let upload = self.knowledge.get_upload(id).await?;
        if upload.user_id != Some(me) || upload.item_id.is_none() {
            return Err(DomainError::NotFound);
        }
        Ok(upload)
    }

    /// An upload the caller may see and continue: a user's own item upload, or an upload
    /// for the entry whose (unrevoked) link the caller holds.
    pub async fn caller_upload(&self, who: &UploadCaller<'_>, id: &str) -> DomainResult<Upload> {
        match who {
            UploadCaller::User(actor) => self.own_upload(actor, id).await,
            UploadCaller::EntryLink(secret) => {
                let entry = self.entry_of_link(secret).await?;
                let upload = self.knowledge.get_upload(id).await?;
                if upload.entry_id != Some(entry) {
                    return Err(DomainError::NotFound);
                }
                Ok(upload)
            }
        }
    }

    /// Starts a resumable upload of an entry's document through its link: refused outside
    /// the submission window, for an unknown requirement, or over the requirement's limit.
    pub async fn start_entry_upload(
        &self,
        secret: &str,
        requirement: &str,
        filename: &str,
        length: u64,
    ) -> DomainResult<Upload> {
        let (entry, req) = self
            .entry_upload_target(secret, requirement, length)
            .await?;
        if length == 0 {
            return Err(DomainError::invalid(
                "file",
                "ไฟล์ว่างเปล่า กรุณาเลือกไฟล์ที่มีข้อมูลแล้วอัปโหลดใหม่",
            ));
        }
        let name = FileName::parse(filename)?;
        let upload = Upload {
            id: crate::account::Secret::generate("").expose().to_string(),
            user_id: None,
            item_id: None,
            filename: name.as_str().to_string(),
            length,
            offset: 0,
            created_at: self.clock.now(),
            file_id: None,
            entry_id: Some(entry),
            requirement: Some(req),
        };
        self.knowledge.insert_upload(&upload).await?;
        Ok(upload)
    }

    /// Waits up to `wait` until no other request (on any node) works on the upload, and keeps
    /// it until [`Khlang::release`]: a PATCH still writing (say, from a connection that died a
    /// moment ago) finishes and records its bytes before HEAD or the next PATCH look.
    /// `None` when it stays busy.
    pub async fn lock_upload(
        &self,
        id: &str,
        wait: std::time::Duration,
    ) -> DomainResult<Option<super::nodes::Lease>> {
        self.hold(&format!("upload:{id}"), UPLOAD_LEASE, wait).await
    }

    /// Appends `body` at `claimed` to one of the actor's uploads (hold
    /// [`Khlang::lock_upload`] first). Bytes that arrive before the body breaks off are kept;
    /// the request that brings the last byte attaches the file, or is refused and the upload is
    /// gone. `declared` is the body's Content-Length, if sent.
    pub async fn append_upload(
        &self,
        actor: &Actor,
        id: &str,
        claimed: u64,
        declared: Option<u64>,
        body: ByteStream,
        limit: u64,
    ) -> DomainResult<Appended> {
        self.append_upload_as(
            &UploadCaller::User(actor),
            id,
            claimed,
            declared,
            body,
            limit,
        )
        .await
    }

    /// [`Self::append_upload`] for any caller (a user, or an entry link's holder).
    pub async fn append_upload_as(
        &self,
        who: &UploadCaller<'_>,
        id: &str,
        claimed: u64,
        declared: Option<u64>,
        body: ByteStream,
        limit: u64,
    ) -> DomainResult<Appended> {
        let mut upload = self.caller_upload(who, id).await?;
        check_chunk(&upload, claimed, declared)?;
        if let Some(file) = upload.file_id {
            // Already attached: a client repeating the last request gets the same answer.
            if declared.unwrap_or(0) > 0 {
                return Err(chunk_too_large(&upload));
            }
            return Ok(if upload.entry_id.is_some() {
                Appended::Stored {
                    document: file.0,
                    length: upload.length,
                }
            } else {
                Appended::Attached {
                    file,
                    length: upload.length,
                }
            });
        }
        let start = upload.offset;
        let incoming = Arc::new(tokio::sync::Mutex::new(Incoming {
            body,
            leftover: None,
            room: remaining(&upload),
            part_left: 0,
            ended: false,
            broken: false,
            too_much: false,
        }));
        while upload.offset < upload.length {
            {
                let mut i = incoming.lock().await;
                i.part_left = PART_MAX;
                if !i.has_more().await {
                    break;
                }
            }
            let part = Incoming::part(incoming.clone());
            let stored = self.blobs.put(&part_key(id, upload.offset), part).await;
            if incoming.lock().await.too_much {
                // More than announced: this request does not count at all.
                if upload.offset != start {
                    self.record_upload_progress(&upload, start).await?;
                }
                return Err(chunk_too_large(&upload));
            }
            let n = stored?;
            upload.offset += n;
            self.record_upload_progress(&upload, upload.offset).await?;
        }
        if incoming.lock().await.broken {
            return Ok(Appended::Interrupted(upload.offset));
        }
        if upload.offset < upload.length {
            return Ok(Appended::Progress(upload.offset));
        }
        let staged = self.staged_bytes(&upload).await?;
        let outcome = self.finish_upload(who, &upload, staged, limit).await?;
        self.delete_parts(id).await;
        match outcome {
            Completion::Attached(file) => Ok(Appended::Attached {
                file: file.id,
                length: upload.length,
            }),
            Completion::Stored(document) => Ok(Appended::Stored {
                document,
                length: upload.length,
            }),
            Completion::Refused(e) => Err(e),
        }
    }

    /// The upload's bytes, read part after part from the object store. Parts that do not
    /// continue where the last one ended (left by a write that was never counted) are
    /// passed over; if the counted bytes are not all there, the client is sent back.
    async fn staged_bytes(&self, upload: &Upload) -> DomainResult<ByteStream> {
        let parts: BTreeMap<u64, u64> = self
            .blobs
            .list_under(&parts_of(&upload.id))
            .await?
            .into_iter()
            .filter_map(|(key, size)| {
                let start = key.rsplit('/').next()?.parse::<u64>().ok()?;
                Some((start, size))
            })
            .collect();
        let mut keys = Vec::new();
        let mut at = 0u64;
        while at < upload.offset {
            match parts.get(&at) {
                Some(&size) if size > 0 => {
                    keys.push(part_key(&upload.id, at));
                    at += size;
                }
                _ => break,
            }
        }
        if at != upload.offset {
            // The client goes on from the end of the last whole part.
            tracing::warn!(upload = %upload.id, at, offset = upload.offset, "staged parts missing");
            self.record_upload_progress(upload, at).await?;
            return Err(DomainError::Conflict(format!(
                "ข้อมูลที่อัปโหลดไว้บางส่วนหายไป กรุณาส่งต่อจากตำแหน่ง {at} ไบต์"
            )));
        }
        let blobs = self.blobs.clone();
        Ok(futures::stream::iter(keys)
            .then(move |key| {
                let blobs = blobs.clone();
                async move {
                    blobs
                        .get(&key, None)
                        .await
                        .map(|(_, s)| s)
                        .map_err(|e| std::io::Error::other(format!("staged part {key}: {e}")))
                }
            })
            .try_flatten()
            .boxed())
    }

    /// Removes an upload's parts from the object store (failures are logged: an orphaned
    /// part only takes space).
    async fn delete_parts(&self, id: &str) {
        let parts = match self.blobs.list_under(&parts_of(id)).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(upload = %id, error = %e, "could not list staged parts");
                return;
            }
        };
        for (key, _) in parts {
            if let Err(e) = self.blobs.delete(&key).await {
                tracing::warn!(%key, error = %e, "could not remove a staged part");
            }
        }
    }

    /// Records how many bytes of the upload are safely staged. Never past its length.
    pub async fn record_upload_progress(&self, upload: &Upload, offset: u64) -> DomainResult<()> {
        if offset > upload.length {
            return Err(chunk_too_large(upload));
        }
        self.knowledge
            .set_upload_offset(&upload.id, offset, None)
            .await?;
        Ok(())
    }

    /// Turns a complete upload into a file of its item through [`Khlang::attach_file`]
    /// (type check, hashing, one object per content, a new version of the item).
    ///
    /// Content the rules refuse ends the upload (see [`Completion::Refused`]); a failure of
    /// storage or database is an `Err` and keeps the upload, so the client may ask again.
    async fn finish_upload(
        &self,
        who: &UploadCaller<'_>,
        upload: &Upload,
        body: ByteStream,
        limit: u64,
    ) -> DomainResult<Completion> {
        if upload.offset != upload.length {
            return Err(DomainError::Conflict(format!(
                "การอัปโหลดยังไม่ครบ (ได้รับ {} จาก {} ไบต์)",
                upload.offset, upload.length
            )));
        }
        let done = match (who, upload.item_id, upload.entry_id) {
            (UploadCaller::User(actor), Some(item), _) => self
                .attach_file(actor, item, &upload.filename, body, limit)
                .await
                .map(Completion::Attached),
            (UploadCaller::EntryLink(secret), None, Some(entry)) => self
                .add_entry_document(
                    &crate::contests::rounds::EntryAccess::Link(secret),
                    Some(entry),
                    upload.requirement.as_deref().unwrap_or_default(),
                    &upload.filename,
                    body,
                )
                .await
                .map(|d| Completion::Stored(d.id)),
            _ => Err(DomainError::NotFound),
        };
        match done {
            Ok(c) => {
                let file = match &c {
                    Completion::Attached(f) => Some(f.id),
                    Completion::Stored(d) => Some(crate::ids::FileId(*d)),
                    Completion::Refused(_) => None,
                };
                self.knowledge
                    .set_upload_offset(&upload.id, upload.length, file)
                    .await?;
                Ok(c)
            }
            Err(
                e @ (DomainError::Invalid(_)
                | DomainError::TooLarge(_)
                | DomainError::Forbidden
                | DomainError::NotFound
                | DomainError::Unauthenticated),
            ) => {
                self.knowledge.delete_upload(&upload.id).await?;
                Ok(Completion::Refused(e))
            }
            // An entry's deadline passed, or its link was revoked, meanwhile.
            Err(e @ DomainError::Conflict(_)) if upload.entry_id.is_some() => {
                self.knowledge.delete_upload(&upload.id).await?;
                Ok(Completion::Refused(e))
            }
            Err(e) => Err(e),
        }
    }

    /// Ends one of the actor's uploads (tus termination) with its staged bytes.
    pub async fn cancel_upload(&self, actor: &Actor, id: &str) -> DomainResult<Upload> {
        self.cancel_upload_as(&UploadCaller::User(actor), id).await
    }

    /// [`Self::cancel_upload`] for any caller.
    pub async fn cancel_upload_as(&self, who: &UploadCaller<'_>, id: &str) -> DomainResult<Upload> {
        let upload = self.caller_upload(who, id).await?;
        self.knowledge.delete_upload(&upload.id).await?;
        self.delete_parts(&upload.id).await;
        Ok(upload)
    }

    /// Forgets uploads started more than `older_than` ago, finished or not, with their
    /// staged bytes, and returns them. Runs in [`Khlang::periodic_cleanup`].
    pub async fn expire_uploads(&self, older_than: Duration) -> DomainResult<Vec<Upload>> {
        let cutoff = self.clock.now() - older_than;
        let stale = self.knowledge.uploads_older_than(cutoff).await?;
        for u in &stale {
            self.knowledge.delete_upload(&u.id).await?;
            self.delete_parts(&u.id).await;
        }
        if !stale.is_empty() {
            self.audit(
                None,
                "upload.expire",
                "uploads".into(),
                format!("{} unfinished or old uploads removed", stale.len()),
            )
            .await?;
        }
        Ok(stale)
    }
}

/// The body of one PATCH, handed out to the object store a part at a time.
struct Incoming {
    body: ByteStream,
    /// Read but not yet handed out (a chunk that straddled the end of a part).
    leftover: Option<Bytes>,
    /// Bytes the upload can still take.
    room: u64,
    /// Bytes the current part can still take.
    part_left: u64,
    /// The body ended (it may not be read again).
    ended: bool,
    /// The body broke off or went quiet: what arrived counts, nothing more comes.
    broken: bool,
    /// The body brought more than the upload announced.
    too_much: bool,
}

impl Incoming {
    /// Whether another part has a first byte (reads one chunk ahead if needed).
    async fn has_more(&mut self) -> bool {
        if self.leftover.is_some() {
            return true;
        }
        if self.broken {
            return false;
        }
        self.leftover = self.next_chunk().await;
        self.leftover.is_some()
    }

    /// The next non-empty chunk of the body, or None when it ended or broke off.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        while !self.ended {
            match self.body.next().await {
                None => self.ended = true,
                Some(Err(_)) => {
                    self.ended = true;
                    self.broken = true;
                }
                Some(Ok(c)) if c.is_empty() => {}
                Some(Ok(c)) => return Some(c),
            }
        }
        None
    }

    /// One part: up to [`PART_MAX`] bytes, ending cleanly when the body ends or breaks off
    /// (so what arrived is stored) and failing when the body brings too much (so nothing is).
    fn part(this: Arc<tokio::sync::Mutex<Incoming>>) -> ByteStream {
        futures::stream::unfold(this, |this| async move {
            let mut i = this.lock().await;
            if i.part_left == 0 || i.too_much {
                return None;
            }
            let mut chunk = match i.leftover.take() {
                Some(c) => c,
                None if i.broken => return None,
                None => i.next_chunk().await?,
            };
            if chunk.len() as u64 > i.room {
                i.too_much = true;
                drop(i);
                let e = std::io::Error::other("more bytes than the upload announced");
                return Some((Err(e), this));
            }
            let take = (chunk.len() as u64).min(i.part_left) as usize;
            if take < chunk.len() {
                i.leftover = Some(chunk.split_off(take));
            }
            i.part_left -= take as u64;
            i.room -= take as u64;
            drop(i);
            Some((Ok(chunk), this))
        })
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use time::OffsetDateTime;

    fn upload(offset: u64, length: u64) -> Upload {
        Upload {
            id: "u".into(),
            user_id: Some(UserId(1)),
            item_id: Some(ItemId(1)),
            filename: "a.pdf".into(),
            length,
            offset,
            created_at: OffsetDateTime::UNIX_EPOCH,
            file_id: None,
            entry_id: None,
            requirement: None,
        }
    }

    #[test]
    fn a_chunk_must_continue_where_the_server_is() {
        let u = upload(100, 1000);
        assert!(check_chunk(&u, 100, Some(900)).is_ok());
        assert!(check_chunk(&u, 100, None).is_ok());
        assert!(matches!(
            check_chunk(&u, 0, Some(10)),
            Err(DomainError::Conflict(_))
        ));
        assert!(matches!(
            check_chunk(&u, 200, Some(10)),
            Err(DomainError::Conflict(_))
        ));
    }

    #[test]
    fn a_chunk_may_not_go_past_the_announced_length() {
        let u = upload(100, 1000);
        assert!(matches!(
            check_chunk(&u, 100, Some(901)),
            Err(DomainError::TooLarge(_))
        ));
        assert_eq!(remaining(&u), 900);
        assert_eq!(remaining(&upload(1000, 1000)), 0);
    }
}
