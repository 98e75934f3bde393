//! The traits picture copies need from outside core: something that decodes and re-encodes
//! pictures, and a record (in the database) of which copies exist.

use crate::ports::PortResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// Makes metadata-free JPEG copies of a picture. Synchronous and CPU-bound: core calls it on a
/// blocking thread, one picture at a time per process.
pub trait ImageDeriver: Send + Sync {
    /// Whether pictures of this MIME type can be read at all.
    fn handles(&self, mime: &str) -> bool;
    /// One JPEG per long edge, in the order asked, upright (EXIF orientation applied), with no
    /// EXIF, XMP, IPTC or ICC segment; never enlarged.
    fn derive(&self, bytes: &[u8], long_edges: &[u32]) -> Result<Vec<Vec<u8>>, PictureRefused>;
}

/// Why a picture gives no copies, in Thai for the person who uploaded it. The same bytes give
/// the same answer (too many pixels, damaged), so it is recorded and never tried again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureRefused(pub String);

/// Where a content's copies stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopiesState {
    /// Waiting to be made (or to be tried again).
    Pending,
    /// Made and stored; sizes in bytes.
    Done {
        thumb_bytes: u64,
        display_bytes: u64,
    },
    /// The picture cannot be copied (see [`PictureRefused`]).
    Refused,
    /// Storage failed too often in the background; a request tries again.
    Failed,
}

/// The record of one content's copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiesRecord {
    pub state: CopiesState,
    /// [`super::model::COPIES_VERSION`] they were made with.
    pub version: i32,
    /// Why refused or failed (Thai first).
    pub reason: Option<String>,
}

/// A picture whose copies are due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivationJob {
    pub sha256: String,
    pub mime: String,
    pub size: u64,
    /// Attempts already made.
    pub attempts: i32,
}

/// How making copies went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopiesOutcome<'a> {
    Done {
        version: i32,
        thumb_bytes: u64,
        display_bytes: u64,
    },
    Refused(&'a str),
    /// Something around the picture broke; `retry_at` None gives up (until a request).
    Failed {
        why: &'a str,
        retry_at: Option<OffsetDateTime>,
    },
}

/// The database's record of copies, one row per content (SHA-256), shared by every process.
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Asks for a content's copies (once per content; a known content is left as it is,
    /// unless its copies were made with an older version).
    async fn queue_copies(
        &self,
        sha256: &str,
        mime: &str,
        size: u64,
        version: i32,
        now: OffsetDateTime,
    ) -> PortResult<()>;
    /// Takes the next content due, leasing it so no other process takes it meanwhile.
    async fn next_copies(&self, now: OffsetDateTime) -> PortResult<Option<DerivationJob>>;
    /// The record of a content's copies, if any was asked for.
    async fn copies(&self, sha256: &str) -> PortResult<Option<CopiesRecord>>;
    async fn finish_copies(
        &self,
        sha256: &str,
        outcome: CopiesOutcome<'_>,
        now: OffsetDateTime,
    ) -> PortResult<()>;
}
