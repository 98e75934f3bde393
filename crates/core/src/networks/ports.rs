//! What the registries need from storage.

use async_trait::async_trait;

/// Owned by the registries side; methods are added as it needs them.
#[async_trait]
pub trait NetworkStore: Send + Sync {}
