//! Resumable uploads (การอัปโหลดต่อได้, the tus protocol) for people on unstable mobile
//! connections: who may start one, who may see and continue it, which offsets are accepted,
//! and how a complete upload becomes an attached file. The bytes themselves are staged on
//! local disk by the web layer; the core only keeps the record ([`Upload`]).

use super::Khlang;
use crate::error::{DomainError, DomainResult};
use crate::file::{FileName, human_size};
use crate::ids::ItemId;
use crate::item::{Item, ItemFile};
use crate::org::{Action, Actor, authorize};
use crate::ports::{ByteStream, Upload};
use time::Duration;

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

/// How finishing a complete upload went, when nothing broke on the way.
#[derive(Debug)]
pub enum Completion {
    /// The file is attached to the item; the upload record remembers its id.
    Attached(ItemFile),
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
            user_id: me,
            item_id: new.item_id,
            filename: name.as_str().to_string(),
            length: new.length,
            offset: 0,
            created_at: self.clock.now(),
            file_id: None,
        };
        self.knowledge.insert_upload(&upload).await?;
        Ok(upload)
    }

    /// One of the actor's own uploads; anyone else's looks like it does not exist.
    pub async fn own_upload(&self, actor: &Actor, id: &str) -> DomainResult<Upload> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let upload = self.knowledge.get_upload(id).await?;
        if upload.user_id != me {
            return Err(DomainError::NotFound);
        }
        Ok(upload)
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
    pub async fn finish_upload(
        &self,
        actor: &Actor,
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
        match self
            .attach_file(actor, upload.item_id, &upload.filename, body, limit)
            .await
        {
            Ok(file) => {
                self.knowledge
                    .set_upload_offset(&upload.id, upload.length, Some(file.id))
                    .await?;
                Ok(Completion::Attached(file))
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
            Err(e) => Err(e),
        }
    }

    /// Ends one of the actor's uploads (tus termination); returns it so the caller can
    /// delete the staged bytes.
    pub async fn cancel_upload(&self, actor: &Actor, id: &str) -> DomainResult<Upload> {
        let upload = self.own_upload(actor, id).await?;
        self.knowledge.delete_upload(&upload.id).await?;
        Ok(upload)
    }

    /// Forgets uploads started more than `older_than` ago, finished or not, and returns them
    /// so the caller can delete their staged bytes. Meant to run periodically.
    pub async fn expire_uploads(&self, older_than: Duration) -> DomainResult<Vec<Upload>> {
        let cutoff = self.clock.now() - older_than;
        let stale = self.knowledge.uploads_older_than(cutoff).await?;
        for u in &stale {
            self.knowledge.delete_upload(&u.id).await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use time::OffsetDateTime;

    fn upload(offset: u64, length: u64) -> Upload {
        Upload {
            id: "u".into(),
            user_id: UserId(1),
            item_id: ItemId(1),
            filename: "a.pdf".into(),
            length,
            offset,
            created_at: OffsetDateTime::UNIX_EPOCH,
            file_id: None,
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
