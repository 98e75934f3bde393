//! What the communities context needs from storage.

use async_trait::async_trait;

/// Owned by the communities context; methods are added as it needs them.
#[async_trait]
pub trait CommunityStore: Send + Sync {}
