//! What notifications need from storage.

use async_trait::async_trait;

/// Owned by the notifications side; methods are added as it needs them.
#[async_trait]
pub trait NoticeStore: Send + Sync {}
