//! Issuing, finding, verifying and revoking certificates.

use super::model::{Certificate, NewCertificate};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::service::Khlang;

impl Khlang {
    /// Issues certificates for what a context has already decided (a published result, an
    /// attended event): the caller has checked that `by` may do so. One code each.
    pub async fn issue_certificates(
        &self,
        by: UserId,
        batch: Vec<NewCertificate>,
    ) -> DomainResult<Vec<Certificate>> {
        let _ = (by, batch);
        Err(DomainError::internal("certificates are not built yet"))
    }
}
