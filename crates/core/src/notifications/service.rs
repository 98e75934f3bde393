//! Notification use-cases.

use super::model::NewNotice;
use crate::error::DomainResult;
use crate::service::Khlang;

impl Khlang {
    /// Puts the notices in their people's inboxes (and sends e-mail when configured).
    pub async fn notify(&self, _notices: Vec<NewNotice>) -> DomainResult<()> {
        // Contract placeholder, replaced by the notifications work before it lands.
        Ok(())
    }
}
