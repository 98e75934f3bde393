//! Use-cases of badges and the public profile.

use super::model::{Badge, BadgeFacts, HeldBadge, ProfilePrefs, earned_badges};
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::item::ItemStatus;
use crate::org::Actor;
use crate::ports::{ItemFilter, ItemOrder, ItemSummary, Page};
use crate::service::Khlang;

/// A person's public profile as a given reader may see it: the name always; the rest only
/// when the person chose to show it (None otherwise). Never phone, e-mail or username.
#[derive(Debug, Clone)]
pub struct PublicProfile {
    pub user_id: UserId,
    pub display_name: String,
    pub unit: Option<String>,
    pub badges: Option<Vec<HeldBadge>>,
    /// Their published items that this reader may read.
    pub items: Option<Page<ItemSummary>>,
    /// Certificates issued to their account and in force (with their achievements: hidden
    /// when they hide their badges).
    pub certificates: Vec<crate::certificates::Certificate>,
}

impl Khlang {
    /// Recomputes the person's badges from the data and stores any newly earned one (with
    /// today's date); badges already held are kept whatever the data now says. Called when
    /// their profile is shown and by the binary's 10-minute sweep ([`Self::refresh_all_badges`]).
    /// Returns how many were new.
    pub async fn refresh_badges(&self, user: UserId) -> DomainResult<u64> {
        let Some(store) = self.recognition.as_ref() else {
            return Ok(0);
        };
        let (published_items, applied_by_others, aars_after_events) =
            store.badge_counts(user).await?;
        let accepted_answers = if self.communities.is_some() {
            self.accepted_answers_of(user).await?
        } else {
            0
        };
        let earned = earned_badges(&BadgeFacts {
            published_items,
            accepted_answers,
            applied_by_others,
            aars_after_events,
        });
        if earned.is_empty() {
            return Ok(0);
        }
        let keys: Vec<&str> = earned.iter().map(|b| b.key()).collect();
        Ok(store.award_badges(user, &keys, self.clock.now()).await?)
    }

    /// Refreshes everyone who could hold a badge (creators of published items, authors of
    /// accepted answers): a few counts each, cheap enough every 10 minutes. Returns how many
    /// badges were new.
    pub async fn refresh_all_badges(&self) -> DomainResult<u64> {
        let Some(store) = self.recognition.as_ref() else {
            return Ok(0);
        };
        let mut new = 0;
        for user in store.badge_candidates().await? {
            new += self.refresh_badges(user).await?;
        }
        Ok(new)
    }

    /// The badges a person holds, oldest first (unknown keys from a newer version skipped).
    pub async fn badges_of(&self, user: UserId) -> DomainResult<Vec<HeldBadge>> {
        let store = self.recognition_store()?;
        Ok(store
            .badges_of(user)
            .await?
            .into_iter()
            .filter_map(|(k, earned_at)| {
                Badge::from_key(&k).map(|badge| HeldBadge { badge, earned_at })
            })
            .collect())
    }

    /// What the person chose to show (the defaults until they choose).
    pub async fn profile_prefs(&self, user: UserId) -> DomainResult<ProfilePrefs> {
        Ok(self
            .recognition_store()?
            .profile_prefs(user)
            .await?
            .map(|(show_unit, show_badges, show_items)| ProfilePrefs {
                show_unit,
                show_badges,
                show_items,
            })
            .unwrap_or_default())
    }

    /// Saves the signed-in person's own choices; nobody sets another's.
    pub async fn set_profile_prefs(&self, actor: &Actor, prefs: ProfilePrefs) -> DomainResult<()> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        self.recognition_store()?
            .set_profile_prefs(
                me,
                (prefs.show_unit, prefs.show_badges, prefs.show_items),
                self.clock.now(),
            )
            .await?;
        Ok(())
    }

    /// `/u/{id}`: the same for anonymous and signed-in readers except that the item list holds
    /// only what the reader may read. Unknown or disabled accounts are NotFound.
    pub async fn public_profile(
        &self,
        actor: &Actor,
        user: UserId,
        page: u64,
        per_page: u64,
    ) -> DomainResult<PublicProfile> {
        let person = self.store.get_user(user).await?;
        if person.disabled {
            return Err(DomainError::NotFound);
        }
        let prefs = self.profile_prefs(user).await?;
        let unit = match (prefs.show_unit, person.home_unit_id) {
            (true, Some(u)) => {
                let tree = self.unit_tree().await?;
                tree.get(u).map(|_| tree.display_path(u))
            }
            _ => None,
        };
        let badges = if prefs.show_badges {
            self.refresh_badges(user).await?;
            Some(self.badges_of(user).await?)
        } else {
            None
        };
        let certificates = if prefs.show_badges && self.certificates.is_some() {
            self.certificates_of_user(user).await?
        } else {
            Vec::new()
        };
        let items = if prefs.show_items {
            let filter = ItemFilter {
                statuses: vec![ItemStatus::Published],
                created_by: Some(user),
                visibility: self.readable(actor).await?,
                order: ItemOrder::NewestPublished,
                ..Default::default()
            };
            Some(self.knowledge.list_items(&filter, page, per_page).await?)
        } else {
            None
        };
        Ok(PublicProfile {
            user_id: user,
            display_name: person.display_name.as_str().to_string(),
            unit,
            badges,
            items,
            certificates,
        })
    }
}
