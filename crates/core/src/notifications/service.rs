//! Notification use-cases.

use super::model::{NewNotice, Notice};
use crate::error::{DomainError, DomainResult};
use crate::ids::{NoticeId, UserId};
use crate::org::Actor;
use crate::ports::Page;
use crate::service::Khlang;

/// The inbox's page size.
pub const PER_PAGE: u64 = 30;

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

impl Khlang {
    /// Puts the notices in their people's inboxes. A notice with a `once_key` its person
    /// already has is left out. (E-mail is not sent yet: no mailer is configured.)
    pub async fn notify(&self, notices: Vec<NewNotice>) -> DomainResult<()> {
        let Some(store) = self.notices.as_ref() else {
            return Ok(());
        };
        if notices.is_empty() {
            return Ok(());
        }
        let notices: Vec<NewNotice> = notices
            .into_iter()
            .map(|n| NewNotice {
                kind: clip(&n.kind, 40),
                title: clip(&n.title, 1000),
                link: clip(&n.link, 1000),
                once_key: n.once_key.map(|k| clip(&k, 200)),
                ..n
            })
            .collect();
        store.insert_notices(&notices, self.clock.now()).await?;
        Ok(())
    }

    /// The bell's number: one indexed COUNT.
    pub async fn unread_notice_count(&self, user: UserId) -> DomainResult<u64> {
        match self.notices.as_ref() {
            Some(store) => Ok(store.unread_notices(user).await?),
            None => Ok(0),
        }
    }

    fn notice_user(actor: &Actor) -> DomainResult<UserId> {
        actor.user_id().ok_or(DomainError::Unauthenticated)
    }

    /// The actor's inbox, newest first, [`PER_PAGE`] a page.
    pub async fn inbox(&self, actor: &Actor, page: u64) -> DomainResult<Page<Notice>> {
        let me = Self::notice_user(actor)?;
        match self.notices.as_ref() {
            Some(store) => Ok(store.list_notices(me, page.max(1), PER_PAGE).await?),
            None => Ok(Page {
                items: Vec::new(),
                page: 1,
                per_page: PER_PAGE,
                total: 0,
            }),
        }
    }

    /// Opens one of the actor's notices (marking it read); someone else's is not found.
    pub async fn open_notice(&self, actor: &Actor, id: NoticeId) -> DomainResult<Notice> {
        let me = Self::notice_user(actor)?;
        let store = self
            .notices
            .as_ref()
            .ok_or_else(|| DomainError::internal("notices have no store"))?;
        store
            .open_notice(me, id, self.clock.now())
            .await?
            .ok_or(DomainError::NotFound)
    }

    /// Marks all the actor's notices read.
    pub async fn read_all_notices(&self, actor: &Actor) -> DomainResult<u64> {
        let me = Self::notice_user(actor)?;
        match self.notices.as_ref() {
            Some(store) => Ok(store.read_all_notices(me, self.clock.now()).await?),
            None => Ok(0),
        }
    }
}
