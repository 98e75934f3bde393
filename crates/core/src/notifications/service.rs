//! Notification use-cases.

use super::model::{
    CommunityDelivery, DIGEST_KIND, HeldNotice, NewNotice, Notice, digest_day, digest_title,
    is_community_kind, parse_day,
};
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
        // Community notices of people who chose the daily digest are kept aside.
        let mut community_users: Vec<UserId> = notices
            .iter()
            .filter(|n| is_community_kind(&n.kind))
            .map(|n| n.user)
            .collect();
        community_users.sort_by_key(|u| u.0);
        community_users.dedup();
        let takers = if community_users.is_empty() {
            Vec::new()
        } else {
            store.digest_takers(&community_users).await?
        };
        let (held, now): (Vec<NewNotice>, Vec<NewNotice>) = notices
            .into_iter()
            .partition(|n| is_community_kind(&n.kind) && takers.contains(&n.user));
        let at = self.clock.now();
        if !held.is_empty() {
            store.hold_notices(&held, at).await?;
        }
        if !now.is_empty() {
            store.insert_notices(&now, at).await?;
        }
        Ok(())
    }

    fn notice_store(&self) -> DomainResult<&std::sync::Arc<dyn super::NoticeStore>> {
        self.notices
            .as_ref()
            .ok_or_else(|| DomainError::internal("notices have no store"))
    }

    /// The actor's choice for community notices.
    pub async fn community_delivery(&self, actor: &Actor) -> DomainResult<CommunityDelivery> {
        let me = Self::notice_user(actor)?;
        Ok(self.notice_store()?.community_delivery(me).await?)
    }

    /// Saves the actor's choice (`immediate` or `digest`); anything else is refused.
    pub async fn set_community_delivery(
        &self,
        actor: &Actor,
        choice: &str,
    ) -> DomainResult<CommunityDelivery> {
        let me = Self::notice_user(actor)?;
        let delivery = CommunityDelivery::parse(choice)?;
        self.notice_store()?
            .set_community_delivery(me, delivery, self.clock.now())
            .await?;
        Ok(delivery)
    }

    /// Once a day per person, after 07:00 in Bangkok: one notice summing up the community
    /// notices held for them, leading to the day's list. Every process may run it (the
    /// binary's 10-minute sweep): the notice's once-only key lets one of them make it.
    /// Returns how many digests this call made.
    pub async fn send_digests(&self, now: time::OffsetDateTime) -> DomainResult<u64> {
        let Some(store) = self.notices.as_ref() else {
            return Ok(0);
        };
        let Some(day) = digest_day(now) else {
            return Ok(0);
        };
        let mut made = 0;
        for user in store.people_with_held().await? {
            let (n, up_to) = store.waiting_held(user).await?;
            if n == 0 {
                continue;
            }
            let digest = NewNotice {
                user,
                kind: DIGEST_KIND.into(),
                title: digest_title(n),
                link: format!("/notifications/digest/{day}"),
                once_key: Some(format!("digest:{day}")),
            };
            if store.insert_digest(&digest, &day, up_to, now).await? {
                made += 1;
            }
        }
        Ok(made)
    }

    /// The community notices a day's digest gathered for the actor (`day` as in its link).
    pub async fn digest(
        &self,
        actor: &Actor,
        day: &str,
    ) -> DomainResult<(String, Vec<HeldNotice>)> {
        let me = Self::notice_user(actor)?;
        let day = parse_day(day).ok_or(DomainError::NotFound)?;
        let found = self.notice_store()?.digest_notices(me, &day).await?;
        Ok((day, found))
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
