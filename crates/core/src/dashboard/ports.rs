//! What the dashboard needs from storage.

use async_trait::async_trait;

/// Owned by the dashboard side; methods are added as it needs them.
#[async_trait]
pub trait DashboardStore: Send + Sync {}
