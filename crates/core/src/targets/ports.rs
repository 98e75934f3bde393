//! What targets need from storage.

use async_trait::async_trait;

/// Owned by the targets side; methods are added as it needs them.
#[async_trait]
pub trait TargetStore: Send + Sync {}
