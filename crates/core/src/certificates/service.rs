//! Issuing, finding, verifying and revoking certificates.

use super::model::{
    Certificate, CertificateCode, NewCertificate, Revocation, Verification, checked, reason,
};
use super::ports::{CertificateQuery, CertificateStore};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{CertificateId, UserId};
use crate::org::{Action, Actor, Target, authorize};
use crate::ports::Page;
use crate::service::Khlang;
use std::sync::Arc;
use time::OffsetDateTime;

/// How many times a batch is tried again with fresh codes when one is taken (at 2⁵⁹ codes,
/// never in practice).
const CODE_ATTEMPTS: usize = 3;

/// Who may revoke a certificate: the officers of the issuing unit who run what issued it —
/// contests ([`Action::RunContest`]); events and courses, the unit's KM officers
/// ([`Action::ManageKnowledge`]).
fn revoking_action(source: &str) -> Action {
    if source.starts_with("contest") {
        Action::RunContest
    } else {
        Action::ManageKnowledge
    }
}

/// Both actions whose officers see the unit's certificates in their list.
const OFFICER_ACTIONS: [Action; 2] = [Action::RunContest, Action::ManageKnowledge];

/// Stored times are milliseconds: what is returned equals what is read back.
fn to_ms(t: OffsetDateTime) -> OffsetDateTime {
    let ns = t.unix_timestamp_nanos();
    OffsetDateTime::from_unix_timestamp_nanos(ns - ns.rem_euclid(1_000_000)).unwrap_or(t)
}

impl Khlang {
    fn certificate_store(&self) -> DomainResult<&Arc<dyn CertificateStore>> {
        self.certificates
            .as_ref()
            .ok_or_else(|| DomainError::internal("certificates have no store"))
    }

    /// Issues certificates for what a context has already decided (a published result, an
    /// attended event): the caller has checked that `by` may do so. One code each; the
    /// whole batch or nothing.
    pub async fn issue_certificates(
        &self,
        by: UserId,
        batch: Vec<NewCertificate>,
    ) -> DomainResult<Vec<Certificate>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let tree = self.unit_tree().await?;
        let mut errors: Vec<FieldError> = Vec::new();
        let mut good = Vec::with_capacity(batch.len());
        for (i, c) in batch.iter().enumerate() {
            match checked(i + 1, c) {
                Ok(c) if tree.get(c.unit_id).is_none() => errors.push(FieldError::new(
                    format!("certificates.{}.unit", i + 1),
                    format!("เกียรติบัตรลำดับที่ {}: ไม่พบหน่วยงานที่ออกเกียรติบัตร", i + 1),
                )),
                Ok(c) => good.push(c),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let store = self.certificate_store()?;
        let issued_at = to_ms(self.clock.now());
        let mut attempt = 0;
        let issued = loop {
            attempt += 1;
            let rows: Vec<Certificate> = good
                .iter()
                .map(|c| Certificate {
                    id: CertificateId(0),
                    code: CertificateCode::generate().to_string(),
                    holder: c.holder.clone(),
                    title: c.title.clone(),
                    unit_id: c.unit_id,
                    source: c.source.clone(),
                    holder_user: c.holder_user,
                    issued_by: by,
                    issued_at,
                    revoked: None,
                })
                .collect();
            match store.insert_certificates(&rows).await {
                Ok(issued) => break issued,
                Err(crate::error::PortError::Conflict(_)) if attempt < CODE_ATTEMPTS => continue,
                Err(e) => return Err(e.into()),
            }
        };
        for c in &issued {
            self.audit(
                Some(by),
                "certificate.issued",
                format!("certificate:{}", c.code),
                format!("{} · {} · {}", c.source, c.holder, c.title),
            )
            .await?;
        }
        Ok(issued)
    }

    /// What the public verification page shows for a typed or scanned code; no sign-in.
    pub async fn verify_certificate(&self, code: &str) -> DomainResult<Verification> {
        let Some(code) = CertificateCode::parse(code) else {
            return Ok(Verification::NotFound);
        };
        Ok(
            match self
                .certificate_store()?
                .certificate_by_code(code.as_str())
                .await?
            {
                None => Verification::NotFound,
                Some(c) => match c.revoked.clone() {
                    Some(r) => Verification::Revoked(c, r),
                    None => Verification::Valid(c),
                },
            },
        )
    }

    /// Whether `actor` may revoke `cert` (to show the form; [`Khlang::revoke_certificate`]
    /// decides again).
    pub async fn may_revoke_certificate(
        &self,
        actor: &Actor,
        cert: &Certificate,
    ) -> DomainResult<bool> {
        if actor.user_id().is_none() {
            return Ok(false);
        }
        let path = self.unit_tree().await?.path(cert.unit_id)?;
        Ok(authorize(actor, revoking_action(&cert.source), &Target::Unit(path)).is_ok())
    }

    /// Revokes a certificate: the officers of the issuing unit, with a reason that the
    /// verification page will show from now on. Revoking twice is refused and changes nothing.
    pub async fn revoke_certificate(
        &self,
        actor: &Actor,
        code: &str,
        why: &str,
    ) -> DomainResult<Certificate> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let code = CertificateCode::parse(code).ok_or(DomainError::NotFound)?;
        let store = self.certificate_store()?;
        let cert = store
            .certificate_by_code(code.as_str())
            .await?
            .ok_or(DomainError::NotFound)?;
        let path = self.unit_tree().await?.path(cert.unit_id)?;
        authorize(actor, revoking_action(&cert.source), &Target::Unit(path))?;
        if let Some(r) = &cert.revoked {
            return Err(already_revoked(r));
        }
        let reason = reason(why)?;
        let revocation = Revocation {
            at: to_ms(self.clock.now()),
            reason,
            by: me,
        };
        if !store.revoke_certificate(code.as_str(), &revocation).await? {
            // Someone else revoked it a moment ago.
            let now = store.certificate_by_code(code.as_str()).await?;
            return Err(match now.and_then(|c| c.revoked) {
                Some(r) => already_revoked(&r),
                None => DomainError::NotFound,
            });
        }
        self.audit(
            Some(me),
            "certificate.revoked",
            format!("certificate:{}", cert.code),
            revocation.reason.clone(),
        )
        .await?;
        Ok(Certificate {
            revoked: Some(revocation),
            ..cert
        })
    }

    /// Every certificate issued for a source (`contest_entry:123`), oldest first: what a
    /// contest's result sheet links to. Public facts (the verification page shows them).
    pub async fn certificates_of_source(&self, source: &str) -> DomainResult<Vec<Certificate>> {
        Ok(self
            .certificate_store()?
            .certificates_of_source(source.trim())
            .await?)
    }

    /// The certificates the actor's units issued, newest first; `text` finds a holder by part
    /// of the name, or a code however it was typed. Forbidden to people who run nothing.
    pub async fn certificates_for_officer(
        &self,
        actor: &Actor,
        text: &str,
        page: u64,
        per_page: u64,
    ) -> DomainResult<Page<Certificate>> {
        if actor.user_id().is_none() {
            return Err(DomainError::Unauthenticated);
        }
        let units = if actor.is_site_admin() {
            None
        } else {
            let tree = self.unit_tree().await?;
            let mut units = Vec::new();
            for u in tree.units() {
                let target = Target::Unit(tree.path(u.id)?);
                if OFFICER_ACTIONS
                    .iter()
                    .any(|a| authorize(actor, *a, &target).is_ok())
                {
                    units.push(u.id);
                }
            }
            if units.is_empty() {
                return Err(DomainError::Forbidden);
            }
            Some(units)
        };
        let text = crate::text::tidy(text);
        let text = match CertificateCode::parse(&text) {
            Some(code) => Some(code.to_string()),
            None if text.is_empty() => None,
            None => Some(text),
        };
        Ok(self
            .certificate_store()?
            .list_certificates(&CertificateQuery { units, text }, page.max(1), per_page)
            .await?)
    }

    /// The certificates issued to an account, in force (not revoked), newest first: what
    /// a profile and the trainer directory show.
    pub async fn certificates_of_user(&self, user: UserId) -> DomainResult<Vec<Certificate>> {
        Ok(self
            .certificate_store()?
            .certificates_of_user(user)
            .await?
            .into_iter()
            .filter(|c| !c.is_revoked())
            .collect())
    }

    /// Whether the actor runs contests or KM somewhere: the certificates list is for them.
    pub fn may_list_certificates(actor: &Actor) -> bool {
        OFFICER_ACTIONS.iter().any(|a| actor.may_somewhere(*a))
    }
}

fn already_revoked(r: &Revocation) -> DomainError {
    DomainError::Conflict(format!(
        "เกียรติบัตรนี้ถูกเพิกถอนไปแล้วเมื่อ {} — ไม่มีการเปลี่ยนแปลง",
        crate::text::format_be_date_long(r.at)
    ))
}
