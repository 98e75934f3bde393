//! A certificate and what is needed to issue one.

use crate::ids::{CertificateId, UnitId, UserId};
use time::OffsetDateTime;

/// What a context asks to be certified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate {
    /// Who: the holder's name as printed.
    pub holder: String,
    /// What: "รางวัลชนะเลิศ สาขาการจัดการสุขภาพชุมชน การคัดเลือก อสม.ดีเด่น ระดับภาค ปี 2568".
    pub title: String,
    /// The issuing unit (its officers may revoke it).
    pub unit_id: UnitId,
    /// What issued it, for finding it again: `contest_entry:123`, `event:5`, `course:7`.
    pub source: String,
}

/// เกียรติบัตร
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub id: CertificateId,
    /// The public verification code printed on it.
    pub code: String,
    pub holder: String,
    pub title: String,
    pub unit_id: UnitId,
    pub source: String,
    pub issued_by: UserId,
    pub issued_at: OffsetDateTime,
    /// When and why it was revoked, and by whom.
    pub revoked: Option<Revocation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at: OffsetDateTime,
    pub reason: String,
    pub by: UserId,
}
