//! An entry's documents: adding, removing and opening them, and the ZIP of offline judging.
//! Kept apart because they are the one part of an entry that moves bytes (sniffing, size
//! limits, the blob store), and the deadline is checked again when a long upload ends.

use super::closed_reason;
use super::entrants::EntryAccess;
use crate::contests::model::{Entry, EntryDocument, NewEntryDocument};
use crate::error::{DomainError, DomainResult};
use crate::file::{FileKind, FileName, sniff};
use crate::ids::EntryId;
use crate::org::Actor;
use crate::ports::ByteStream;
use crate::service::Khlang;
use crate::service::items::{blob_key, read_head};

impl Khlang {
    /// Adds a document to an entry for one requirement: the type is sniffed from the first
    /// bytes and must be one the requirement accepts, the size within its limit; refused
    /// (nothing stored) outside the window.
    pub async fn add_entry_document(
        &self,
        access: &EntryAccess<'_>,
        entry: Option<EntryId>,
        requirement: &str,
        raw_name: &str,
        body: ByteStream,
    ) -> DomainResult<EntryDocument> {
        let (entry, round, officer) = self.entry_access(access, entry).await?;
        let now = self.clock.now();
        if let Some(why) = closed_reason(&round, now) {
            return Err(DomainError::Conflict(why));
        }
        let Some(req) = round
            .settings
            .documents
            .iter()
            .find(|d| d.key == requirement)
        else {
            return Err(DomainError::invalid(
                "requirement",
                "กรุณาเลือกเอกสารที่จะส่งจากรายการ",
            ));
        };
        let name = FileName::parse(raw_name)?;
        let (head, rest) = read_head(body).await?;
        let sniffed = sniff(&head, name.as_str())?;
        let name = sniffed.name_for(&name);
        if !req.kinds.is_empty() && !req.kinds.iter().any(|k| k == sniffed.kind.as_str()) {
            let accepted: Vec<&str> = req
                .kinds
                .iter()
                .filter_map(|k| FileKind::parse(k))
                .map(FileKind::label_th)
                .collect();
            return Err(DomainError::invalid(
                "file",
                format!(
                    "\"{}\" ต้องเป็นไฟล์ {} แต่ไฟล์ที่เลือกเป็น {} กรุณาเลือกไฟล์ใหม่",
                    req.name,
                    accepted.join(" หรือ "),
                    sniffed.kind.label_th()
                ),
            ));
        }
        let (sha, size) = self
            .store_content(head, rest, req.max_bytes, sniffed.mime)
            .await?;
        // The deadline may pass while a large file streams in: the time it ends decides.
        let done = self.clock.now();
        if let Some(why) = closed_reason(&round, done) {
            return Err(DomainError::Conflict(why));
        }
        let doc = self
            .rounds_store()?
            .insert_document(&NewEntryDocument {
                entry_id: entry.id,
                requirement: req.key.clone(),
                name: name.as_str().to_string(),
                sha256: sha,
                size,
                mime: sniffed.mime.to_string(),
                kind: sniffed.kind,
                at: done,
            })
            .await?;
        self.audit(
            officer,
            "contest.document.add",
            format!("entry:{}", entry.id),
            format!("{} {} ({} bytes)", req.key, doc.name, doc.size),
        )
        .await?;
        Ok(doc)
    }

    /// Removes a document of an entry, within the window.
    pub async fn remove_entry_document(
        &self,
        access: &EntryAccess<'_>,
        entry: Option<EntryId>,
        document: i64,
    ) -> DomainResult<()> {
        let (entry, round, officer) = self.entry_access(access, entry).await?;
        let now = self.clock.now();
        if let Some(why) = closed_reason(&round, now) {
            return Err(DomainError::Conflict(why));
        }
        let doc = self
            .rounds_store()?
            .remove_document(entry.id, document, now)
            .await?;
        self.audit(
            officer,
            "contest.document.remove",
            format!("entry:{}", entry.id),
            format!("{} {}", doc.requirement, doc.name),
        )
        .await
    }

    /// Opens one document's bytes (the entrant through the link, officers of the round).
    pub async fn open_entry_document(
        &self,
        access: &EntryAccess<'_>,
        entry: Option<EntryId>,
        document: i64,
    ) -> DomainResult<(EntryDocument, u64, ByteStream)> {
        let (entry, _, _) = self.entry_access(access, entry).await?;
        let docs = self.rounds_store()?.entry_documents(entry.id).await?;
        let doc = docs
            .into_iter()
            .find(|d| d.id == document)
            .ok_or(DomainError::NotFound)?;
        let (size, stream) = self.blobs.get(&blob_key(&doc.sha256), None).await?;
        Ok((doc, size, stream))
    }

    /// An entry's documents for the ZIP of offline judging: officers of the round only.
    pub async fn entry_documents_for_zip(
        &self,
        actor: &Actor,
        entry: EntryId,
    ) -> DomainResult<(Entry, Vec<EntryDocument>)> {
        let (entry, _, _) = self
            .entry_access(&EntryAccess::Officer(actor), Some(entry))
            .await?;
        let docs = self.rounds_store()?.entry_documents(entry.id).await?;
        if let Some(me) = actor.user_id() {
            self.audit(
                Some(me),
                "contest.entry.zip",
                format!("entry:{}", entry.id),
                format!("{} documents", docs.len()),
            )
            .await?;
        }
        Ok((entry, docs))
    }

    /// The bytes of one stored document (for the ZIP, after [`Self::entry_documents_for_zip`]).
    pub async fn document_bytes(&self, doc: &EntryDocument) -> DomainResult<ByteStream> {
        let (_, stream) = self.blobs.get(&blob_key(&doc.sha256), None).await?;
        Ok(stream)
    }

    /// Checks a resumable upload before it starts: the link works, the window is open, the
    /// requirement exists and `length` is within its limit. Returns the entry and the key.
    pub(crate) async fn entry_upload_target(
        &self,
        secret: &str,
        requirement: &str,
        length: u64,
    ) -> DomainResult<(EntryId, String)> {
        let (entry, round, _) = self.entry_access(&EntryAccess::Link(secret), None).await?;
        if let Some(why) = closed_reason(&round, self.clock.now()) {
            return Err(DomainError::Conflict(why));
        }
        let Some(req) = round
            .settings
            .documents
            .iter()
            .find(|d| d.key == requirement)
        else {
            return Err(DomainError::invalid(
                "requirement",
                "กรุณาเลือกเอกสารที่จะส่งจากรายการ",
            ));
        };
        if length > req.max_bytes {
            return Err(DomainError::TooLarge(format!(
                "ไฟล์ใหญ่เกิน {} — ลองย่อวิดีโอหรือแบ่งเป็นหลายไฟล์",
                crate::file::human_size(req.max_bytes)
            )));
        }
        Ok((entry.id, req.key.clone()))
    }
}
