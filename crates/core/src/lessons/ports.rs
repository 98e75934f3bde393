//! What the lessons context needs from storage.

use async_trait::async_trait;

/// Owned by the lessons context; methods are added as it needs them.
#[async_trait]
pub trait LessonStore: Send + Sync {}
