//! [`CertificateStore`] over the database in plain SQL that SQLite and PostgreSQL both speak;
//! times are Unix milliseconds.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::certificates::{Certificate, CertificateQuery, CertificateStore, Revocation};
use khlang_core::error::PortError;
use khlang_core::ids::{CertificateId, UnitId, UserId};
use khlang_core::ports::{Page, PortResult};
use sea_orm::{QueryResult, TransactionTrait, Value};

const COLUMNS: &str = "id, code, holder, title, unit_id, source, holder_user_id, issued_by, \
     issued_ms, revoked_ms, revoked_reason, revoked_by";

fn to_certificate(r: &QueryResult) -> PortResult<Certificate> {
    let revoked = match get::<Option<i64>>(r, "revoked_ms")? {
        None => None,
        Some(at) => Some(Revocation {
            at: from_ms(at)?,
            reason: get::<Option<String>>(r, "revoked_reason")?.unwrap_or_default(),
            by: UserId(get::<Option<i64>>(r, "revoked_by")?.unwrap_or_default()),
        }),
    };
    Ok(Certificate {
        id: CertificateId(get(r, "id")?),
        code: get(r, "code")?,
        holder: get(r, "holder")?,
        title: get(r, "title")?,
        unit_id: UnitId(get(r, "unit_id")?),
        source: get(r, "source")?,
        holder_user: get::<Option<i64>>(r, "holder_user_id")?.map(UserId),
        issued_by: UserId(get(r, "issued_by")?),
        issued_at: from_ms(get(r, "issued_ms")?)?,
        revoked,
    })
}

/// `%text%` for LIKE with its wildcards taken literally (`ESCAPE '!'`).
fn containing(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out.push('%');
    out
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[async_trait]
impl CertificateStore for SeaStore {
    async fn insert_certificates(&self, batch: &[Certificate]) -> PortResult<Vec<Certificate>> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let mut out = Vec::with_capacity(batch.len());
        for c in batch {
            let found = rows(
                &txn,
                "INSERT INTO certificates (code, holder, title, unit_id, source, holder_user_id, \
                 issued_by, issued_ms, revoked_ms, revoked_reason, revoked_by) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                vec![
                    c.code.clone().into(),
                    c.holder.clone().into(),
                    c.title.clone().into(),
                    c.unit_id.0.into(),
                    c.source.clone().into(),
                    c.holder_user.map(|u| u.0).into(),
                    c.issued_by.0.into(),
                    ms(c.issued_at).into(),
                    c.revoked.as_ref().map(|r| ms(r.at)).into(),
                    c.revoked.as_ref().map(|r| r.reason.clone()).into(),
                    c.revoked.as_ref().map(|r| r.by.0).into(),
                ],
            )
            .await?;
            let id: i64 = match found.first() {
                Some(r) => get(r, "id")?,
                None => return Err(PortError::Other("no certificate id returned".into())),
            };
            out.push(Certificate {
                id: CertificateId(id),
                ..c.clone()
            });
        }
        txn.commit().await.map_err(map_err)?;
        Ok(out)
    }

    async fn certificate_by_code(&self, code: &str) -> PortResult<Option<Certificate>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM certificates WHERE code = ?"),
            vec![code.into()],
        )
        .await?;
        found.first().map(to_certificate).transpose()
    }

    async fn revoke_certificate(&self, code: &str, revocation: &Revocation) -> PortResult<bool> {
        let n = exec(
            self.connection(),
            "UPDATE certificates SET revoked_ms = ?, revoked_reason = ?, revoked_by = ? \
             WHERE code = ? AND revoked_ms IS NULL",
            vec![
                ms(revocation.at).into(),
                revocation.reason.clone().into(),
                revocation.by.0.into(),
                code.into(),
            ],
        )
        .await?;
        Ok(n == 1)
    }

    async fn certificates_of_source(&self, source: &str) -> PortResult<Vec<Certificate>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM certificates WHERE source = ? ORDER BY id"),
            vec![source.into()],
        )
        .await?;
        found.iter().map(to_certificate).collect()
    }

    async fn certificates_of_user(&self, user: UserId) -> PortResult<Vec<Certificate>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM certificates WHERE holder_user_id = ? \
                 ORDER BY issued_ms DESC, id DESC"
            ),
            vec![user.0.into()],
        )
        .await?;
        found.iter().map(to_certificate).collect()
    }

    async fn list_certificates(
        &self,
        q: &CertificateQuery,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Certificate>> {
        let mut cond = vec!["1 = 1".to_string()];
        let mut values: Vec<Value> = Vec::new();
        if let Some(units) = &q.units {
            if units.is_empty() {
                cond.push("1 = 0".into());
            } else {
                cond.push(format!("unit_id IN ({})", marks(units.len())));
                values.extend(units.iter().map(|u| Value::from(u.0)));
            }
        }
        if let Some(text) = q.text.as_deref().filter(|t| !t.is_empty()) {
            cond.push("(holder LIKE ? ESCAPE '!' OR code LIKE ? ESCAPE '!')".into());
            values.push(containing(text).into());
            values.push(containing(&text.to_uppercase()).into());
        }
        let cond = cond.join(" AND ");
        let found = rows(
            self.connection(),
            &format!("SELECT COUNT(*) AS n FROM certificates WHERE {cond}"),
            values.clone(),
        )
        .await?;
        let total: i64 = match found.first() {
            Some(r) => get(r, "n")?,
            None => 0,
        };
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        values.push((per_page as i64).into());
        values.push((((page - 1) * per_page) as i64).into());
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM certificates WHERE {cond} \
                 ORDER BY issued_ms DESC, id DESC LIMIT ? OFFSET ?"
            ),
            values,
        )
        .await?;
        Ok(Page {
            items: found
                .iter()
                .map(to_certificate)
                .collect::<PortResult<_>>()?,
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }
}
