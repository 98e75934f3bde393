//! What the forms context needs from storage: template versions, kept forever (an entry
//! always renders with the version it was filled in).

use super::model::TemplateVersion;
use crate::error::PortError;
use async_trait::async_trait;
use std::sync::Mutex;

type PortResult<T> = Result<T, PortError>;

#[async_trait]
pub trait TemplateStore: Send + Sync {
    /// The newest version of every template, by key.
    async fn latest_templates(&self) -> PortResult<Vec<TemplateVersion>>;
    /// The newest version of one template (NotFound when it has none).
    async fn latest_template(&self, key: &str) -> PortResult<TemplateVersion>;
    /// One version (NotFound when missing).
    async fn template_version(&self, key: &str, version: u32) -> PortResult<TemplateVersion>;
    /// Every version of one template, oldest first.
    async fn template_versions(&self, key: &str) -> PortResult<Vec<TemplateVersion>>;
    /// Adds a version; Conflict when that key and number exist (two admins saving at once).
    async fn insert_template_version(&self, tv: &TemplateVersion) -> PortResult<()>;
}

/// Template versions in memory: the default until a database adapter is wired in
/// ([`crate::service::Khlang::with_templates`]), and for unit tests.
#[derive(Default)]
pub struct MemoryTemplates(Mutex<Vec<TemplateVersion>>);

impl MemoryTemplates {
    fn all(&self) -> PortResult<Vec<TemplateVersion>> {
        self.0
            .lock()
            .map(|v| v.clone())
            .map_err(|_| PortError::Other("template memory poisoned".into()))
    }
}

#[async_trait]
impl TemplateStore for MemoryTemplates {
    async fn latest_templates(&self) -> PortResult<Vec<TemplateVersion>> {
        let all = self.all()?;
        let mut out: Vec<TemplateVersion> = Vec::new();
        for tv in all {
            match out.iter_mut().find(|o| o.key() == tv.key()) {
                Some(o) if o.version < tv.version => *o = tv,
                Some(_) => {}
                None => out.push(tv),
            }
        }
        out.sort_by(|a, b| a.key().cmp(b.key()));
        Ok(out)
    }

    async fn latest_template(&self, key: &str) -> PortResult<TemplateVersion> {
        self.all()?
            .into_iter()
            .filter(|t| t.key() == key)
            .max_by_key(|t| t.version)
            .ok_or(PortError::NotFound)
    }

    async fn template_version(&self, key: &str, version: u32) -> PortResult<TemplateVersion> {
        self.all()?
            .into_iter()
            .find(|t| t.key() == key && t.version == version)
            .ok_or(PortError::NotFound)
    }

    async fn template_versions(&self, key: &str) -> PortResult<Vec<TemplateVersion>> {
        let mut v: Vec<_> = self.all()?.into_iter().filter(|t| t.key() == key).collect();
        v.sort_by_key(|t| t.version);
        Ok(v)
    }

    async fn insert_template_version(&self, tv: &TemplateVersion) -> PortResult<()> {
        let mut all = self
            .0
            .lock()
            .map_err(|_| PortError::Other("template memory poisoned".into()))?;
        if all
            .iter()
            .any(|t| t.key() == tv.key() && t.version == tv.version)
        {
            return Err(PortError::Conflict(format!(
                "template {} version {}",
                tv.key(),
                tv.version
            )));
        }
        all.push(tv.clone());
        Ok(())
    }
}
