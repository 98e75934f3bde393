//! Use-cases of the communities context.

use crate::error::DomainResult;
use crate::ids::{CommunityId, UserId};
use crate::org::Actor;
use crate::service::Khlang;
use std::collections::HashMap;

impl Khlang {
    /// The communities whose threads the actor may read: every open one, and the members-only
    /// ones the actor belongs to (search, feeds and counts filter by this list).
    pub async fn readable_communities(&self, _actor: &Actor) -> DomainResult<Vec<CommunityId>> {
        Ok(Vec::new()) // contract: filled in by communities
    }

    /// Whether the user is a member (or facilitator) of the community (event audiences).
    pub async fn is_community_member(
        &self,
        _community: CommunityId,
        _user: UserId,
    ) -> DomainResult<bool> {
        Ok(false) // contract: filled in by communities
    }

    /// Communities the actor may name as an event's audience (facilitates or belongs to),
    /// with their names, for pickers.
    pub async fn community_choices(
        &self,
        _actor: &Actor,
    ) -> DomainResult<Vec<(CommunityId, String)>> {
        Ok(Vec::new()) // contract: filled in by communities
    }

    /// How many of the user's replies were accepted as answers (badges).
    pub async fn accepted_answers_of(&self, _user: UserId) -> DomainResult<u64> {
        Ok(0) // contract: filled in by communities
    }

    /// The names of communities (search results, event pages); unknown ids are left out.
    pub async fn community_names(
        &self,
        _ids: &[CommunityId],
    ) -> DomainResult<HashMap<CommunityId, String>> {
        Ok(HashMap::new()) // contract: filled in by communities
    }
}
