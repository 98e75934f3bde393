//! What KM plans need from storage.

use async_trait::async_trait;

/// Owned by the planning side; methods are added as it needs them.
#[async_trait]
pub trait PlanStore: Send + Sync {}
