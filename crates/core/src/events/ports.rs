//! What the events context needs from storage.

use async_trait::async_trait;

/// Owned by the events context; methods are added as it needs them.
#[async_trait]
pub trait EventStore: Send + Sync {}
