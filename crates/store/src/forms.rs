//! [`TemplateStore`] over the database: template versions as JSON rows, in plain SQL that
//! SQLite and PostgreSQL both speak.

use crate::search::{exec, rows};
use crate::store::{SeaStore, map_err};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::forms::{TemplateBody, TemplateStore, TemplateVersion};
use khlang_core::ids::UserId;
use sea_orm::QueryResult;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

type PortResult<T> = Result<T, PortError>;

const COLUMNS: &str = "template_key, version, body, created_by, created_at";

fn corrupt(e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored form template is invalid: {e}"))
}

fn to_version(r: &QueryResult) -> PortResult<TemplateVersion> {
    let body: String = r.try_get("", "body").map_err(map_err)?;
    let version: i32 = r.try_get("", "version").map_err(map_err)?;
    let created_by: Option<i64> = r.try_get("", "created_by").map_err(map_err)?;
    let created_at: String = r.try_get("", "created_at").map_err(map_err)?;
    let body: TemplateBody = serde_json::from_str(&body).map_err(corrupt)?;
    Ok(TemplateVersion {
        version: u32::try_from(version).map_err(corrupt)?,
        body,
        created_by: created_by.map(UserId),
        created_at: OffsetDateTime::parse(&created_at, &Rfc3339).map_err(corrupt)?,
    })
}

#[async_trait]
impl TemplateStore for SeaStore {
    async fn latest_templates(&self) -> PortResult<Vec<TemplateVersion>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM form_template_versions t WHERE version = \
                 (SELECT MAX(version) FROM form_template_versions u \
                  WHERE u.template_key = t.template_key) ORDER BY template_key"
            ),
            vec![],
        )
        .await?
        .iter()
        .map(to_version)
        .collect()
    }

    async fn latest_template(&self, key: &str) -> PortResult<TemplateVersion> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM form_template_versions WHERE template_key = ? \
                 ORDER BY version DESC LIMIT 1"
            ),
            vec![key.into()],
        )
        .await?;
        found
            .first()
            .map(to_version)
            .unwrap_or(Err(PortError::NotFound))
    }

    async fn template_version(&self, key: &str, version: u32) -> PortResult<TemplateVersion> {
        let version = i32::try_from(version).map_err(|_| PortError::NotFound)?;
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM form_template_versions WHERE template_key = ? AND version = ?"
            ),
            vec![key.into(), version.into()],
        )
        .await?;
        found
            .first()
            .map(to_version)
            .unwrap_or(Err(PortError::NotFound))
    }

    async fn template_versions(&self, key: &str) -> PortResult<Vec<TemplateVersion>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM form_template_versions WHERE template_key = ? ORDER BY version"
            ),
            vec![key.into()],
        )
        .await?
        .iter()
        .map(to_version)
        .collect()
    }

    async fn insert_template_version(&self, tv: &TemplateVersion) -> PortResult<()> {
        let body = serde_json::to_string(&tv.body).map_err(|e| PortError::Other(e.to_string()))?;
        let at = crate::store::utc(tv.created_at)
            .format(&Rfc3339)
            .map_err(|e| PortError::Other(e.to_string()))?;
        let version = i32::try_from(tv.version).map_err(|e| PortError::Other(e.to_string()))?;
        exec(
            self.connection(),
            &format!("INSERT INTO form_template_versions ({COLUMNS}) VALUES (?, ?, ?, ?, ?)"),
            vec![
                tv.body.key.clone().into(),
                version.into(),
                body.into(),
                tv.created_by.map(|u| u.0).into(),
                at.into(),
            ],
        )
        .await?;
        Ok(())
    }
}
