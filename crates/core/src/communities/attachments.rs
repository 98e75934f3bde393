//! Attachments of community posts: checked from their bytes, pictures kept only as a copy
//! without metadata, stored before the post is written.

use super::model;
use super::ports::NewFile;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::PostId;
use crate::ports::ByteStream;
use crate::service::Khlang;
use bytes::Bytes;
use futures::StreamExt;

/// An attachment whose bytes are in storage, waiting for its post.
pub(super) struct Kept {
    name: crate::file::FileName,
    mime: &'static str,
    kind: crate::file::FileKind,
    size: u64,
    sha256: String,
}

/// A file to attach, as read from the form (the web layer bounds its size while reading).
pub struct Attachment {
    pub name: String,
    pub bytes: Bytes,
}

impl Khlang {
    /// Checks each attachment's type from its bytes before anything is stored.
    pub(super) fn check_attachments(files: &[Attachment]) -> DomainResult<()> {
        if files.len() > 5 {
            return Err(DomainError::invalid("files", "แนบไฟล์ได้ไม่เกิน 5 ไฟล์ต่อข้อความ"));
        }
        for f in files {
            let name = crate::file::FileName::parse(&f.name)
                .map_err(|e| FieldError::new("files", e.message))?;
            if f.bytes.len() as u64 > model::FILE_LIMIT {
                return Err(DomainError::invalid(
                    "files",
                    format!(
                        "ไฟล์ {} ใหญ่เกิน {}",
                        name.as_str(),
                        crate::file::human_size(model::FILE_LIMIT)
                    ),
                ));
            }
            let head = &f.bytes[..f.bytes.len().min(crate::file::SNIFF_BYTES)];
            let sniffed = crate::file::sniff(head, name.as_str())
                .map_err(|e| FieldError::new("files", e.message))?;
            if !model::attachment_kind_allowed(sniffed.kind) {
                return Err(DomainError::invalid(
                    "files",
                    "แนบได้เฉพาะรูปภาพ PDF และเอกสาร Word, Excel, PowerPoint หรือ OpenDocument",
                ));
            }
        }
        Ok(())
    }

    /// Makes each checked attachment ready to keep, before any post is written (so a picture
    /// that cannot be read refuses the whole post): pictures become a copy without EXIF — a
    /// volunteer's phone photo carries the GPS position of her home, and attachments have no
    /// editor-only original — and every file's bytes go to storage.
    pub(super) async fn prepare_attachments(
        &self,
        files: Vec<Attachment>,
    ) -> DomainResult<Vec<Kept>> {
        let mut kept = Vec::with_capacity(files.len());
        for f in files {
            let typed = crate::file::FileName::parse(&f.name)?;
            let head_len = f.bytes.len().min(crate::file::SNIFF_BYTES);
            let mut sniffed = crate::file::sniff(&f.bytes[..head_len], typed.as_str())?;
            let mut name = sniffed.name_for(&typed);
            let mut bytes = f.bytes;
            if let Some(jpeg) = self
                .picture_without_metadata(bytes.clone(), sniffed.mime, model::PICTURE_LONG_EDGE)
                .await?
            {
                bytes = Bytes::from(jpeg);
                let stem = typed
                    .as_str()
                    .rsplit_once('.')
                    .map(|(stem, _)| stem)
                    .unwrap_or(typed.as_str());
                let renamed = crate::file::FileName::parse(&format!("{stem}.jpg"))?;
                sniffed = crate::file::sniff(
                    &bytes[..bytes.len().min(crate::file::SNIFF_BYTES)],
                    renamed.as_str(),
                )?;
                name = sniffed.name_for(&renamed);
            }
            let head_len = bytes.len().min(crate::file::SNIFF_BYTES);
            let head = bytes.slice(..head_len);
            let rest = bytes.slice(head_len..);
            let rest: ByteStream =
                futures::stream::once(async move { Ok::<Bytes, std::io::Error>(rest) }).boxed();
            let (sha256, size) = self
                .store_content(head, rest, model::FILE_LIMIT, sniffed.mime)
                .await?;
            kept.push(Kept {
                name,
                mime: sniffed.mime,
                kind: sniffed.kind,
                size,
                sha256,
            });
        }
        Ok(kept)
    }

    pub(super) async fn store_attachments(
        &self,
        post: PostId,
        files: Vec<Kept>,
    ) -> DomainResult<()> {
        let store = self.community_store()?;
        for f in files {
            store
                .insert_file(
                    post,
                    NewFile {
                        name: f.name.as_str(),
                        mime: f.mime,
                        kind: f.kind.as_str(),
                        size: f.size,
                        sha256: &f.sha256,
                    },
                    self.clock.now(),
                )
                .await?;
        }
        Ok(())
    }
}
