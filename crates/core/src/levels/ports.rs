//! What success levels need from storage.

use async_trait::async_trait;

/// Owned by the levels side; methods are added as it needs them.
#[async_trait]
pub trait LevelStore: Send + Sync {}
