//! What the recognition context needs from storage.

use async_trait::async_trait;

/// Owned by the recognition context; methods are added as it needs them.
#[async_trait]
pub trait RecognitionStore: Send + Sync {}
