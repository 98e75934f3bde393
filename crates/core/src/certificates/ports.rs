//! What certificates need from storage.

use super::model::Certificate;
use crate::ports::PortResult;
use async_trait::async_trait;

/// Owned by the certificates side; methods may be added as it needs them.
#[async_trait]
pub trait CertificateStore: Send + Sync {
    /// Stores certificates whose code, holder, title, unit, source, issuer and time are set
    /// (ids are given by the store), in one transaction; Conflict if a code is taken.
    async fn insert_certificates(&self, batch: &[Certificate]) -> PortResult<Vec<Certificate>>;
    /// None when no certificate has this code.
    async fn certificate_by_code(&self, code: &str) -> PortResult<Option<Certificate>>;
}
