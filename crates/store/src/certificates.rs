//! [`CertificateStore`] over the database.

use crate::store::SeaStore;
use async_trait::async_trait;
use khlang_core::certificates::{Certificate, CertificateStore};
use khlang_core::error::PortError;
use khlang_core::ports::PortResult;

fn missing() -> PortError {
    PortError::Other("certificates: not built yet".into())
}

#[async_trait]
impl CertificateStore for SeaStore {
    async fn insert_certificates(&self, _batch: &[Certificate]) -> PortResult<Vec<Certificate>> {
        Err(missing())
    }
    async fn certificate_by_code(&self, _code: &str) -> PortResult<Option<Certificate>> {
        Err(missing())
    }
}
