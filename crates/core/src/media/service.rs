//! Use-cases of picture copies: asking for them after an upload, making them in the background
//! (one process per picture, through the database's job lease and a named lease), making them
//! on the first request when missing, and choosing what a download serves to whom.

use super::model::{COPIES_VERSION, Derivative, Want, copy_name, is_picture};
use super::ports::{
    CopiesOutcome, CopiesRecord, CopiesState, DerivationJob, ImageDeriver, MediaStore,
};
use crate::error::{DomainError, DomainResult, FieldError, PortError};
use crate::file::RangeRequest;
use crate::ids::FileId;
use crate::item::ItemFile;
use crate::org::{Action, Actor, authorize};
use crate::ports::ByteStream;
use crate::service::Khlang;
use crate::service::items::blob_key;
use bytes::Bytes;
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// Pictures larger than this (bytes) are not decoded: the whole file is held in memory while
/// its copies are made.
pub const MAX_PICTURE_BYTES: u64 = 64 << 20;
/// Background attempts before giving up on a picture whose storage keeps failing.
const MAX_ATTEMPTS: i32 = 4;
/// How long the lease on making one picture's copies lasts without renewal.
const COPY_LEASE: Duration = Duration::from_secs(120);
/// How long a request waits for another process that is making the same copies.
const COPY_WAIT: Duration = Duration::from_secs(60);

/// The picture-copy ports, given to the core by the binary ([`Khlang::with_media`]).
pub struct MediaParts {
    deriver: Arc<dyn ImageDeriver>,
    store: Arc<dyn MediaStore>,
    wake: tokio::sync::Notify,
    /// One decode at a time in this process: memory stays near one decoded photo.
    one_at_a_time: tokio::sync::Semaphore,
}

impl MediaParts {
    pub fn new(deriver: Arc<dyn ImageDeriver>, store: Arc<dyn MediaStore>) -> Self {
        Self {
            deriver,
            store,
            wake: tokio::sync::Notify::new(),
            one_at_a_time: tokio::sync::Semaphore::new(1),
        }
    }
}

/// What a download serves, decided by core: the file as uploaded, or a copy of a picture.
/// Only [`Khlang::served_file`] makes one, after checking who reads.
#[derive(Debug, Clone)]
pub struct Served {
    /// The file asked for.
    pub file: ItemFile,
    /// Which copy is served; None for the original bytes.
    pub copy: Option<Derivative>,
    pub mime: String,
    /// The name to save it under.
    pub name: String,
    pub size: u64,
    /// Quoted strong entity tag of what is served.
    pub etag: String,
    key: String,
}

/// What a picture's copies weigh (bytes), once made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopySizes {
    pub thumb: u64,
    pub display: u64,
}

impl CopySizes {
    fn of(self, d: Derivative) -> u64 {
        match d {
            Derivative::Thumb => self.thumb,
            Derivative::Display => self.display,
        }
    }
}

fn busy() -> DomainError {
    DomainError::Conflict("กำลังเตรียมภาพนี้อยู่ กรุณาลองใหม่อีกครั้งในอีกสักครู่".to_string())
}

impl Khlang {
    fn media_parts(&self) -> Option<&Arc<MediaParts>> {
        self.media.as_ref()
    }

    /// A picture re-encoded as a JPEG of at most `long_edge` pixels with no EXIF (GPS), XMP,
    /// IPTC or ICC segment, for places that keep only the copy (community attachments). None
    /// when the bytes are not a picture this process can read, or no picture copier is set.
    pub(crate) async fn picture_without_metadata(
        &self,
        bytes: Bytes,
        mime: &str,
        long_edge: u32,
    ) -> DomainResult<Option<Vec<u8>>> {
        let Some(m) = self.media_parts() else {
            return Ok(None);
        };
        if !is_picture(mime) || !m.deriver.handles(mime) {
            return Ok(None);
        }
        let _turn = m
            .one_at_a_time
            .acquire()
            .await
            .map_err(|e| DomainError::internal(e.to_string()))?;
        let deriver = m.deriver.clone();
        let mut copies = tokio::task::spawn_blocking(move || deriver.derive(&bytes, &[long_edge]))
            .await
            .map_err(|e| DomainError::internal(format!("deriving stopped: {e}")))?
            .map_err(|r| DomainError::invalid("files", r.0))?;
        Ok(copies.pop())
    }

    /// Asks for a newly attached picture's copies to be made in the background.
    pub(crate) async fn queue_copies(&self, file: &ItemFile) -> DomainResult<()> {
        let Some(m) = self.media_parts() else {
            return Ok(());
        };
        if !is_picture(&file.mime) || !m.deriver.handles(&file.mime) {
            return Ok(());
        }
        m.store
            .queue_copies(
                &file.sha256,
                &file.mime,
                file.size,
                COPIES_VERSION,
                self.clock.now(),
            )
            .await?;
        m.wake.notify_one();
        Ok(())
    }

    /// Makes picture copies in the background for as long as the process runs: woken by each
    /// new picture, and every half minute for retries that have come due.
    pub async fn run_picture_copies(&self) {
        let Some(m) = self.media_parts().cloned() else {
            return;
        };
        loop {
            if let Err(e) = self.copies_pending().await {
                tracing::warn!(error = %e, "making picture copies failed; will retry");
            }
            let _ = tokio::time::timeout(Duration::from_secs(30), m.wake.notified()).await;
        }
    }

    /// Makes the copies of every picture waiting for them; returns how many were handled.
    pub async fn copies_pending(&self) -> DomainResult<usize> {
        let Some(m) = self.media_parts().cloned() else {
            return Ok(0);
        };
        let mut handled = 0;
        while let Some(job) = m.store.next_copies(self.clock.now()).await? {
            handled += 1;
            match self.make_copies(&m, &job, false).await {
                Ok(_) => {}
                // Someone else is making them right now: their record will say.
                Err(DomainError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(handled)
    }

    /// Makes (or finds made) the copies of `job`'s picture under the lease `media:{sha256}`,
    /// so two processes never decode the same picture at once. `again` remakes copies that
    /// are recorded but gone from storage.
    async fn make_copies(
        &self,
        m: &Arc<MediaParts>,
        job: &DerivationJob,
        again: bool,
    ) -> DomainResult<CopiesRecord> {
        let name = format!("media:{}", job.sha256);
        let Some(lease) = self.hold(&name, COPY_LEASE, COPY_WAIT).await? else {
            return Err(busy());
        };
        let made = self.make_copies_held(m, job, again).await;
        self.release(lease).await;
        made
    }

    async fn make_copies_held(
        &self,
        m: &Arc<MediaParts>,
        job: &DerivationJob,
        again: bool,
    ) -> DomainResult<CopiesRecord> {
        if let Some(rec) = m.store.copies(&job.sha256).await?
            && rec.version == COPIES_VERSION
            && (matches!(rec.state, CopiesState::Refused)
                || (!again && matches!(rec.state, CopiesState::Done { .. })))
        {
            return Ok(rec);
        }
        enum NoCopies {
            Refused(String),
            Failed(String),
        }
        let made: Result<CopySizes, NoCopies> = async {
            if job.size > MAX_PICTURE_BYTES {
                return Err(NoCopies::Refused(format!(
                    "ไฟล์รูปภาพใหญ่เกิน {} ระบบจึงไม่ทำภาพย่อให้ — กรุณาย่อขนาดรูปแล้วอัปโหลดใหม่",
                    crate::file::human_size(MAX_PICTURE_BYTES)
                )));
            }
            let _turn = m
                .one_at_a_time
                .acquire()
                .await
                .map_err(|e| NoCopies::Failed(e.to_string()))?;
            let bytes = self
                .read_whole(&blob_key(&job.sha256))
                .await
                .map_err(|e| NoCopies::Failed(format!("storage: {e}")))?;
            let deriver = m.deriver.clone();
            let edges: Vec<u32> = Derivative::ALL.iter().map(|d| d.long_edge()).collect();
            let copies = tokio::task::spawn_blocking(move || deriver.derive(&bytes, &edges))
                .await
                .map_err(|e| NoCopies::Failed(format!("deriving stopped: {e}")))?
                .map_err(|r| NoCopies::Refused(r.0))?;
            let mut sizes = [0u64; 2];
            for ((d, jpeg), size) in Derivative::ALL.iter().zip(copies).zip(sizes.iter_mut()) {
                let body = futures::stream::once(async move { Ok(Bytes::from(jpeg)) }).boxed();
                *size = self
                    .blobs
                    .put(&d.key(&job.sha256), body)
                    .await
                    .map_err(|e| NoCopies::Failed(format!("storage: {e}")))?;
            }
            Ok(CopySizes {
                thumb: sizes[0],
                display: sizes[1],
            })
        }
        .await;
        let now = self.clock.now();
        let (outcome, state, reason) = match &made {
            Ok(s) => (
                CopiesOutcome::Done {
                    version: COPIES_VERSION,
                    thumb_bytes: s.thumb,
                    display_bytes: s.display,
                },
                CopiesState::Done {
                    thumb_bytes: s.thumb,
                    display_bytes: s.display,
                },
                None,
            ),
            Err(NoCopies::Refused(why)) => {
                tracing::info!(sha256 = %job.sha256, %why, "picture refused for copies");
                (
                    CopiesOutcome::Refused(why),
                    CopiesState::Refused,
                    Some(why.clone()),
                )
            }
            Err(NoCopies::Failed(why)) => {
                let attempts = job.attempts + 1;
                let retry_at = (attempts < MAX_ATTEMPTS)
                    .then(|| now + time::Duration::seconds(30 * i64::from(attempts * attempts)));
                tracing::warn!(sha256 = %job.sha256, attempts, %why, "picture copies not made");
                let state = if retry_at.is_some() {
                    CopiesState::Pending
                } else {
                    CopiesState::Failed
                };
                (
                    CopiesOutcome::Failed { why, retry_at },
                    state,
                    Some(why.clone()),
                )
            }
        };
        m.store.finish_copies(&job.sha256, outcome, now).await?;
        Ok(CopiesRecord {
            state,
            version: COPIES_VERSION,
            reason,
        })
    }

    /// The whole object at `key` (pictures are at most [`MAX_PICTURE_BYTES`]).
    async fn read_whole(&self, key: &str) -> DomainResult<Vec<u8>> {
        let (size, mut stream) = self.blobs.get(key, None).await?;
        let mut out = Vec::with_capacity(size.min(MAX_PICTURE_BYTES) as usize);
        while let Some(chunk) = stream.next().await {
            out.extend_from_slice(&chunk.map_err(DomainError::internal)?);
        }
        Ok(out)
    }

    /// The sizes of a picture's copies, made now if they are not yet. A picture that cannot
    /// be copied answers with the Thai reason at the field `file`.
    async fn ensure_copies(&self, f: &ItemFile, again: bool) -> DomainResult<CopySizes> {
        let Some(m) = self.media_parts().cloned() else {
            // Nothing can make a metadata-free copy here: show none rather than the original.
            return Err(DomainError::NotFound);
        };
        if !m.deriver.handles(&f.mime) {
            return Err(DomainError::NotFound);
        }
        let current = m
            .store
            .copies(&f.sha256)
            .await?
            .filter(|r| r.version == COPIES_VERSION);
        let rec = match current {
            Some(r) if matches!(r.state, CopiesState::Refused) => r,
            Some(r) if !again && matches!(r.state, CopiesState::Done { .. }) => r,
            current => {
                if current.is_none() {
                    m.store
                        .queue_copies(&f.sha256, &f.mime, f.size, COPIES_VERSION, self.clock.now())
                        .await?;
                }
                let job = DerivationJob {
                    sha256: f.sha256.clone(),
                    mime: f.mime.clone(),
                    size: f.size,
                    attempts: 0,
                };
                self.make_copies(&m, &job, again).await?
            }
        };
        match rec.state {
            CopiesState::Done {
                thumb_bytes,
                display_bytes,
            } => Ok(CopySizes {
                thumb: thumb_bytes,
                display: display_bytes,
            }),
            CopiesState::Refused => Err(FieldError::new(
                "file",
                rec.reason
                    .unwrap_or_else(|| "รูปภาพนี้ทำภาพย่อไม่ได้".to_string()),
            )
            .into()),
            CopiesState::Pending | CopiesState::Failed => Err(DomainError::internal(format!(
                "picture copies of {} not made: {}",
                f.sha256,
                rec.reason.unwrap_or_default()
            ))),
        }
    }

    /// Whether the actor may download this file's original bytes (editors of its item).
    async fn may_read_original(&self, actor: &Actor, f: &ItemFile) -> DomainResult<bool> {
        let (item, tree) = self.readable_item(actor, f.item_id).await?;
        Ok(authorize(
            actor,
            Action::ReadOriginalFile,
            &Self::item_ref(&tree, &item)?,
        )
        .is_ok())
    }

    /// What a download of file `id` serves to `actor`: NotFound when they may not read it
    /// (or ask a copy of something that is not a picture). A picture's original goes only to
    /// those who may edit its item; everyone else gets the display copy, with no metadata.
    pub async fn served_file(&self, actor: &Actor, id: FileId, want: Want) -> DomainResult<Served> {
        let f = self.readable_file(actor, id).await?;
        let picture = is_picture(&f.mime);
        let copy = match want {
            Want::Copy(d) if picture => d,
            Want::Copy(_) => return Err(DomainError::NotFound),
            Want::Original if !picture || self.may_read_original(actor, &f).await? => {
                return Ok(Served {
                    copy: None,
                    mime: f.mime.clone(),
                    name: f.name.clone(),
                    size: f.size,
                    etag: format!("\"{}\"", f.sha256),
                    key: blob_key(&f.sha256),
                    file: f,
                });
            }
            Want::Original => Derivative::Display,
        };
        let sizes = self.ensure_copies(&f, false).await?;
        Ok(Served {
            copy: Some(copy),
            mime: "image/jpeg".to_string(),
            name: copy_name(&f.name, copy),
            size: sizes.of(copy),
            etag: copy.etag(&f.sha256),
            key: copy.key(&f.sha256),
            file: f,
        })
    }

    /// The bytes of what [`Khlang::served_file`] chose (a range of them, or all). A copy
    /// recorded but gone from storage is made again.
    pub async fn open_served(
        &self,
        served: &Served,
        range: RangeRequest,
    ) -> DomainResult<ByteStream> {
        let r = match range {
            RangeRequest::Full => None,
            RangeRequest::Partial(r) => Some(r),
        };
        match self.blobs.get(&served.key, r.clone()).await {
            Ok((_, stream)) => Ok(stream),
            Err(PortError::NotFound) if served.copy.is_some() => {
                tracing::warn!(key = %served.key, "picture copy missing from storage; making it again");
                self.ensure_copies(&served.file, true).await?;
                Ok(self.blobs.get(&served.key, r).await?.1)
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_pick_the_copy() {
        let s = CopySizes {
            thumb: 1,
            display: 2,
        };
        assert_eq!(s.of(Derivative::Thumb), 1);
        assert_eq!(s.of(Derivative::Display), 2);
    }
}
