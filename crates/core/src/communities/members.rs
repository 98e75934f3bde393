//! Members of a community: the members page, facilitators adding people (by username or from
//! the unit's people), approving requests, appointing and removing; the last facilitator stays.

use super::model::{self, Access, Community, Role};
use super::service::MemberRow;
use crate::account::Username;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CommunityId, UserId};
use crate::notifications::NewNotice;
use crate::org::Actor;
use crate::service::Khlang;

impl Khlang {
    /// The members page: for those who may read the community.
    pub async fn community_members(
        &self,
        actor: &Actor,
        id: CommunityId,
    ) -> DomainResult<(Community, Access, Vec<MemberRow>)> {
        let (c, a) = self.community_with_access(actor, id).await?;
        if !a.may_read() {
            return Err(DomainError::NotFound);
        }
        let list = self.community_store()?.members(id).await?;
        let mut rows = Vec::with_capacity(list.len());
        for m in list {
            // Pending requests are for facilitators' eyes.
            if m.role == Role::Pending && !a.may_moderate() {
                continue;
            }
            let (name, username) = match self.store.get_user(m.user_id).await {
                Ok(u) => (
                    u.display_name.as_str().to_string(),
                    u.username.as_str().to_string(),
                ),
                Err(crate::error::PortError::NotFound) => continue,
                Err(e) => return Err(e.into()),
            };
            rows.push(MemberRow {
                membership: m,
                name,
                username,
            });
        }
        Ok((c, a, rows))
    }

    /// People of the community's unit (their home unit) not yet in it, for the facilitators'
    /// picker: (username, display name), at most 200.
    pub async fn community_candidates(
        &self,
        actor: &Actor,
        id: CommunityId,
    ) -> DomainResult<Vec<(String, String)>> {
        let (c, _) = self.moderated(actor, id).await?;
        let present: Vec<UserId> = self
            .community_store()?
            .members(id)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        let users = self.store.list_users(Some(&[c.unit_id]), 1, 200).await?;
        Ok(users
            .items
            .into_iter()
            .filter(|u| !u.disabled && !present.contains(&u.id))
            .map(|u| {
                (
                    u.username.as_str().to_string(),
                    u.display_name.as_str().to_string(),
                )
            })
            .collect())
    }

    pub(super) async fn moderated(
        &self,
        actor: &Actor,
        id: CommunityId,
    ) -> DomainResult<(Community, UserId)> {
        let me = Self::signed_in(actor)?;
        let (c, a) = self.community_with_access(actor, id).await?;
        if !a.may_read() {
            return Err(DomainError::NotFound);
        }
        if !a.may_moderate() {
            return Err(DomainError::Forbidden);
        }
        Ok((c, me))
    }

    /// A facilitator adds a person by username as a member or a facilitator (or approves a
    /// request, or changes a role).
    pub async fn add_community_member(
        &self,
        actor: &Actor,
        id: CommunityId,
        username: &str,
        role: Role,
    ) -> DomainResult<()> {
        let (c, me) = self.moderated(actor, id).await?;
        let name = Username::parse(username)
            .map_err(|_| DomainError::invalid("username", "ไม่พบผู้ใช้ชื่อนี้ — ตรวจสอบชื่อผู้ใช้อีกครั้ง"))?;
        let Some((user, _)) = self.store.user_by_username(&name).await? else {
            return Err(DomainError::invalid(
                "username",
                "ไม่พบผู้ใช้ชื่อนี้ — ตรวจสอบชื่อผู้ใช้อีกครั้ง",
            ));
        };
        if user.disabled {
            return Err(DomainError::invalid("username", "บัญชีนี้ถูกระงับอยู่"));
        }
        self.set_community_role(&c, me, user.id, role).await
    }

    /// A facilitator changes a present person's role (approve, make facilitator, demote).
    pub async fn change_community_role(
        &self,
        actor: &Actor,
        id: CommunityId,
        user: UserId,
        role: Role,
    ) -> DomainResult<()> {
        let (c, me) = self.moderated(actor, id).await?;
        if self.community_store()?.role_of(id, user).await?.is_none() {
            return Err(DomainError::NotFound);
        }
        self.set_community_role(&c, me, user, role).await
    }

    pub(super) async fn set_community_role(
        &self,
        c: &Community,
        me: UserId,
        user: UserId,
        role: Role,
    ) -> DomainResult<()> {
        let store = self.community_store()?;
        let before = store.role_of(c.id, user).await?;
        if before == Some(Role::Facilitator) && role != Role::Facilitator {
            let n = store
                .members(c.id)
                .await?
                .iter()
                .filter(|m| m.role == Role::Facilitator)
                .count();
            if !model::may_drop_facilitator(n) {
                return Err(DomainError::Conflict(
                    "ชุมชนต้องมีคุณอำนวยอย่างน้อยหนึ่งคน — แต่งตั้งคนอื่นก่อน".into(),
                ));
            }
        }
        store.set_role(c.id, user, role, self.clock.now()).await?;
        self.audit(
            Some(me),
            "community.member",
            format!("community:{}", c.id),
            format!("user:{user} {}", role.as_str()),
        )
        .await?;
        if before == Some(Role::Pending) || before.is_none() {
            self.notify(vec![NewNotice {
                user,
                kind: "community_member".into(),
                title: format!("คุณเป็น{}ของชุมชน {} แล้ว", role.label_th(), c.name),
                link: format!("/communities/{}", c.id),
                once_key: None,
            }])
            .await?;
        }
        Ok(())
    }

    /// A facilitator removes a person (a request is declined the same way).
    pub async fn remove_community_member(
        &self,
        actor: &Actor,
        id: CommunityId,
        user: UserId,
    ) -> DomainResult<()> {
        let (c, me) = self.moderated(actor, id).await?;
        let role = self.community_store()?.role_of(id, user).await?;
        self.drop_member(id, user, role).await?;
        self.audit(
            Some(me),
            "community.member_remove",
            format!("community:{}", c.id),
            format!("user:{user}"),
        )
        .await
    }
}
