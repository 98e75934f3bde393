//! What certificates need from storage.

use super::model::{Certificate, Revocation};
use crate::ids::{UnitId, UserId};
use crate::ports::{Page, PortResult};
use async_trait::async_trait;

/// Which certificates an officer's list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateQuery {
    /// Issued by one of these units; None: all (site administrators).
    pub units: Option<Vec<UnitId>>,
    /// Part of the holder's name, or (part of) a code as stored (`KH-7QXM-…`).
    pub text: Option<String>,
}

/// Owned by the certificates side; methods may be added as it needs them.
#[async_trait]
pub trait CertificateStore: Send + Sync {
    /// Stores certificates whose code, holder, title, unit, source, issuer and time are set
    /// (ids are given by the store), in one transaction; Conflict if a code is taken.
    async fn insert_certificates(&self, batch: &[Certificate]) -> PortResult<Vec<Certificate>>;
    /// None when no certificate has this code.
    async fn certificate_by_code(&self, code: &str) -> PortResult<Option<Certificate>>;
    /// Marks the certificate with this code revoked; false (and nothing changed) when it was
    /// revoked already or no certificate has the code.
    async fn revoke_certificate(&self, code: &str, revocation: &Revocation) -> PortResult<bool>;
    /// Every certificate issued for a source (`contest_entry:123`), oldest first.
    async fn certificates_of_source(&self, source: &str) -> PortResult<Vec<Certificate>>;
    /// Every certificate issued to an account (revoked ones too), newest first.
    async fn certificates_of_user(&self, user: UserId) -> PortResult<Vec<Certificate>>;
    /// Newest first, a page at a time.
    async fn list_certificates(
        &self,
        q: &CertificateQuery,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Certificate>>;
}
