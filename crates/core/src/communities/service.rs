//! Use-cases of the communities context. Every read goes through [`Access`]: a members-only
//! community's threads, posts, counts and files are NotFound to everyone outside it, the
//! same answer a missing id gets.

pub use super::attachments::Attachment;
use super::model::{
    self, Access, Community, Membership, POST_LIMIT, Post, PostFile, RateLimit, Role, THREAD_LIMIT,
    Thread, ThreadKind,
};
use super::ports::{CommunityStore, NewCommunity, NewThread};
use super::search::ThreadDoc;
use crate::account::Username;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{CommunityId, FileId, PostId, ThreadId, UnitId, UserId};
use crate::notifications::NewNotice;
use crate::org::{Action, Actor, Target, UnitTree, authorize};
use crate::paging::PageNumber;
use crate::ports::{ByteStream, Page};
use crate::service::Khlang;
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;

/// Threads per page of a community.
pub const THREADS_PER_PAGE: u64 = 20;

/// A community as the list shows it; counts only for those who may read it.
#[derive(Debug, Clone)]
pub struct CommunityCard {
    pub community: Community,
    pub access: Access,
    pub members: Option<u64>,
    pub threads: Option<u64>,
}

/// What a community's page shows; `threads` is None for those who may not read it.
#[derive(Debug, Clone)]
pub struct CommunityView {
    pub community: Community,
    pub unit_name: String,
    pub access: Access,
    pub threads: Option<Page<Thread>>,
    pub names: HashMap<UserId, String>,
}

/// A thread with its posts, accepted answers first after the question.
#[derive(Debug, Clone)]
pub struct ThreadView {
    pub community: Community,
    pub thread: Thread,
    pub access: Access,
    pub opening: Post,
    pub replies: Vec<Post>,
    pub files: Vec<PostFile>,
    /// Display names of the posts' authors.
    pub names: HashMap<UserId, String>,
    pub may_accept: bool,
}

/// A member as the members page lists them.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub membership: Membership,
    pub name: String,
    pub username: String,
}

/// A new community as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CommunityInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub unit_id: String,
    /// `members` for members-only, anything else open.
    #[serde(default)]
    pub access: String,
}

/// A new thread as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ThreadInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
}

pub(super) fn thread_link(thread: ThreadId, post: Option<PostId>) -> String {
    match post {
        Some(p) => format!("/communities/threads/{thread}#post-{p}"),
        None => format!("/communities/threads/{thread}"),
    }
}

/// "ลองใหม่หลังเวลา 10:05 น." in Thai time, rounded up to the minute.
fn retry_message(what: &str, limit: RateLimit, at: OffsetDateTime) -> String {
    let t = (at + time::Duration::seconds(59)).to_offset(crate::text::BANGKOK);
    format!(
        "{what}ได้ไม่เกิน {} ครั้งใน {} นาที กรุณาลองใหม่หลังเวลา {:02}:{:02} น.",
        limit.max,
        limit.window.whole_minutes(),
        t.hour(),
        t.minute()
    )
}

impl Khlang {
    pub(crate) fn community_store(&self) -> DomainResult<&Arc<dyn CommunityStore>> {
        self.communities
            .as_ref()
            .ok_or_else(|| DomainError::internal("community store not configured"))
    }

    pub(super) async fn access_to(&self, actor: &Actor, c: &Community) -> DomainResult<Access> {
        let role = match actor.user_id() {
            Some(u) => self.community_store()?.role_of(c.id, u).await?,
            None => None,
        };
        Ok(Access {
            signed_in: actor.user_id().is_some(),
            members_only: c.members_only,
            role,
            site_admin: actor.is_site_admin(),
        })
    }

    /// The community and the actor's access; NotFound for a missing id.
    pub(super) async fn community_with_access(
        &self,
        actor: &Actor,
        id: CommunityId,
    ) -> DomainResult<(Community, Access)> {
        let c = self.community_store()?.get_community(id).await?;
        let a = self.access_to(actor, &c).await?;
        Ok((c, a))
    }

    /// NotFound (as for a missing post) unless the actor may read the post's thread and the
    /// post is not hidden: praise checks this before counting anyone's praise.
    pub async fn check_post_readable(&self, actor: &Actor, post: PostId) -> DomainResult<()> {
        let p = self.community_store()?.get_post(post).await?;
        self.readable_thread(actor, p.thread_id).await?;
        if p.hidden_reason.is_some() {
            return Err(DomainError::NotFound);
        }
        Ok(())
    }

    /// A thread the actor may read, or NotFound.
    pub(super) async fn readable_thread(
        &self,
        actor: &Actor,
        id: ThreadId,
    ) -> DomainResult<(Community, Access, Thread)> {
        let store = self.community_store()?;
        let t = store.get_thread(id).await?;
        let (c, a) = self.community_with_access(actor, t.community_id).await?;
        if !a.may_read() {
            return Err(DomainError::NotFound);
        }
        Ok((c, a, t))
    }

    pub(super) fn signed_in(actor: &Actor) -> DomainResult<UserId> {
        actor.user_id().ok_or(DomainError::Unauthenticated)
    }

    pub(super) async fn display_names(
        &self,
        ids: &[UserId],
    ) -> DomainResult<HashMap<UserId, String>> {
        let mut out = HashMap::new();
        for id in ids {
            if out.contains_key(id) {
                continue;
            }
            let name = match self.store.get_user(*id).await {
                Ok(u) => u.display_name.as_str().to_string(),
                Err(crate::error::PortError::NotFound) => "ผู้ใช้ที่ถูกลบ".to_string(),
                Err(e) => return Err(e.into()),
            };
            out.insert(*id, name);
        }
        Ok(out)
    }

    /// Units on which the actor may create communities (ManageKnowledge).
    pub async fn community_units(&self, actor: &Actor) -> DomainResult<Vec<(UnitId, String)>> {
        let tree = self.unit_tree().await?;
        Ok(tree
            .walk()
            .into_iter()
            .filter(|(_, u)| !u.retired && may_manage(actor, &tree, u.id))
            .map(|(depth, u)| {
                (
                    u.id,
                    format!("{}{}", "— ".repeat(depth), u.name_th.as_str()),
                )
            })
            .collect())
    }

    /// Every community with the actor's access; counts only where the actor may read.
    pub async fn community_cards(&self, actor: &Actor) -> DomainResult<Vec<CommunityCard>> {
        let store = self.community_store()?;
        let all = store.list_communities().await?;
        let roles: HashMap<CommunityId, Role> = match actor.user_id() {
            Some(u) => store.roles_of(u).await?.into_iter().collect(),
            None => HashMap::new(),
        };
        let readable: Vec<CommunityId> = all
            .iter()
            .filter(|c| {
                Access {
                    signed_in: actor.user_id().is_some(),
                    members_only: c.members_only,
                    role: roles.get(&c.id).copied(),
                    site_admin: actor.is_site_admin(),
                }
                .may_read()
            })
            .map(|c| c.id)
            .collect();
        let members: HashMap<_, _> = store.member_counts(&readable).await?.into_iter().collect();
        let threads: HashMap<_, _> = store.thread_counts(&readable).await?.into_iter().collect();
        Ok(all
            .into_iter()
            .map(|c| {
                let access = Access {
                    signed_in: actor.user_id().is_some(),
                    members_only: c.members_only,
                    role: roles.get(&c.id).copied(),
                    site_admin: actor.is_site_admin(),
                };
                let may = access.may_read();
                CommunityCard {
                    members: may.then(|| members.get(&c.id).copied().unwrap_or(0)),
                    threads: may.then(|| threads.get(&c.id).copied().unwrap_or(0)),
                    access,
                    community: c,
                }
            })
            .collect())
    }

    /// A new community; ManageKnowledge on its unit. The creator is its first facilitator.
    pub async fn create_community(
        &self,
        actor: &Actor,
        input: &CommunityInput,
    ) -> DomainResult<CommunityId> {
        let me = Self::signed_in(actor)?;
        let mut errors = Vec::new();
        let name = model::line("name", "ชื่อชุมชน", &input.name, model::NAME_MAX)
            .map_err(|e| errors.push(e))
            .ok();
        let description = model::text_block(
            "description",
            "คำอธิบาย",
            &input.description,
            model::DESCRIPTION_MAX,
            false,
        )
        .map_err(|e| errors.push(e))
        .ok();
        let tree = self.unit_tree().await?;
        let unit = input
            .unit_id
            .trim()
            .parse::<i64>()
            .ok()
            .map(UnitId)
            .filter(|u| tree.get(*u).is_some_and(|x| !x.retired));
        if unit.is_none() {
            errors.push(FieldError::new("unit_id", "กรุณาเลือกหน่วยงานเจ้าของชุมชน"));
        }
        if let Some(u) = unit
            && !may_manage(actor, &tree, u)
        {
            return Err(DomainError::Forbidden);
        }
        let (Some(name), Some(description), Some(unit), true) =
            (name, description, unit, errors.is_empty())
        else {
            return Err(DomainError::Invalid(errors));
        };
        let members_only = input.access == "members";
        let id = self
            .community_store()?
            .insert_community(NewCommunity {
                unit_id: unit,
                name: &name,
                description: &description,
                members_only,
                created_by: me,
                at: self.clock.now(),
            })
            .await
            .map_err(|e| match e {
                crate::error::PortError::Conflict(_) => {
                    DomainError::invalid("name", "หน่วยงานนี้มีชุมชนชื่อนี้แล้ว กรุณาใช้ชื่ออื่น")
                }
                other => other.into(),
            })?;
        self.audit(
            Some(me),
            "community.create",
            format!("community:{id}"),
            name,
        )
        .await?;
        Ok(id)
    }

    /// A community's page: threads for those who may read it, newest activity first.
    pub async fn community_view(
        &self,
        actor: &Actor,
        id: CommunityId,
        page: PageNumber,
    ) -> DomainResult<CommunityView> {
        let (community, access) = self.community_with_access(actor, id).await?;
        let tree = self.unit_tree().await?;
        let unit_name = tree
            .get(community.unit_id)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default();
        let (threads, names) = if access.may_read() {
            let p = self
                .community_store()?
                .threads(id, page.get(), THREADS_PER_PAGE)
                .await?;
            let ids: Vec<UserId> = p.items.iter().map(|t| t.author_id).collect();
            let names = self.display_names(&ids).await?;
            (Some(p), names)
        } else {
            (None, HashMap::new())
        };
        Ok(CommunityView {
            community,
            unit_name,
            access,
            threads,
            names,
        })
    }

    /// Joins an open community at once, or asks to join a members-only one (pending until a
    /// facilitator approves). Returns the role the actor now has.
    pub async fn join_community(&self, actor: &Actor, id: CommunityId) -> DomainResult<Role> {
        let me = Self::signed_in(actor)?;
        let (c, a) = self.community_with_access(actor, id).await?;
        if let Some(r) = a.role {
            return Ok(r);
        }
        let role = if c.members_only {
            Role::Pending
        } else {
            Role::Member
        };
        let store = self.community_store()?;
        store.set_role(id, me, role, self.clock.now()).await?;
        if role == Role::Pending {
            let facilitators: Vec<NewNotice> = store
                .members(id)
                .await?
                .into_iter()
                .filter(|m| m.role == Role::Facilitator)
                .map(|m| NewNotice {
                    user: m.user_id,
                    kind: "community_join_request".into(),
                    title: format!("มีผู้ขอเข้าร่วมชุมชน {}", c.name),
                    link: format!("/communities/{id}/members"),
                    once_key: Some(format!("community-join:{id}:{me}")),
                })
                .collect();
            self.notify(facilitators).await?;
        }
        Ok(role)
    }

    /// Leaves the community (or withdraws a request). The last facilitator stays.
    pub async fn leave_community(&self, actor: &Actor, id: CommunityId) -> DomainResult<()> {
        let me = Self::signed_in(actor)?;
        let (_, a) = self.community_with_access(actor, id).await?;
        self.drop_member(id, me, a.role).await
    }

    pub(super) async fn drop_member(
        &self,
        id: CommunityId,
        user: UserId,
        role: Option<Role>,
    ) -> DomainResult<()> {
        let store = self.community_store()?;
        if role == Some(Role::Facilitator) {
            let n = store
                .members(id)
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
        store.remove_member(id, user).await?;
        Ok(())
    }

    /// Refuses a write past the person's rate limit, saying when to try again.
    async fn check_rate(&self, me: UserId, thread: bool, field: &'static str) -> DomainResult<()> {
        let store = self.community_store()?;
        let now = self.clock.now();
        let posts = store.recent_posts_by(me, now - POST_LIMIT.window).await?;
        if let Some(at) = POST_LIMIT.retry_at(&posts) {
            return Err(DomainError::invalid(
                field,
                retry_message("ส่งข้อความ", POST_LIMIT, at),
            ));
        }
        if thread {
            let threads = store
                .recent_threads_by(me, now - THREAD_LIMIT.window)
                .await?;
            if let Some(at) = THREAD_LIMIT.retry_at(&threads) {
                return Err(DomainError::invalid(
                    field,
                    retry_message("ตั้งกระทู้", THREAD_LIMIT, at),
                ));
            }
        }
        Ok(())
    }

    /// A new question or discussion with its opening post; members only, rate-limited.
    pub async fn start_thread(
        &self,
        actor: &Actor,
        community: CommunityId,
        input: &ThreadInput,
        files: Vec<Attachment>,
    ) -> DomainResult<ThreadId> {
        let me = Self::signed_in(actor)?;
        let (c, a) = self.community_with_access(actor, community).await?;
        if !a.may_read() {
            return Err(DomainError::NotFound);
        }
        if !a.may_post() {
            return Err(DomainError::Forbidden);
        }
        let mut errors = Vec::new();
        let kind = ThreadKind::parse(&input.kind)
            .map_err(|e| errors.push(e))
            .ok();
        let title = model::line("title", "หัวข้อ", &input.title, model::TITLE_MAX)
            .map_err(|e| errors.push(e))
            .ok();
        let body = model::text_block("body", "รายละเอียด", &input.body, model::BODY_MAX, true)
            .map_err(|e| errors.push(e))
            .ok();
        let (Some(kind), Some(title), Some(body), true) = (kind, title, body, errors.is_empty())
        else {
            return Err(DomainError::Invalid(errors));
        };
        Self::check_attachments(&files)?;
        self.check_rate(me, true, "title").await?;
        let files = self.prepare_attachments(files).await?;
        let (thread, post) = self
            .community_store()?
            .insert_thread(NewThread {
                community_id: community,
                kind,
                title: &title,
                author_id: me,
                body: &body,
                at: self.clock.now(),
            })
            .await?;
        self.store_attachments(post, files).await?;
        self.reindex_thread(thread).await?;
        self.notify_mentions(&c, &a, thread, post, &title, &body, me, &[])
            .await?;
        Ok(thread)
    }

    /// The thread page.
    pub async fn thread_view(&self, actor: &Actor, id: ThreadId) -> DomainResult<ThreadView> {
        let (community, access, thread) = self.readable_thread(actor, id).await?;
        let store = self.community_store()?;
        let mut posts = store.posts(id).await?;
        let files = store.files_of(id).await?;
        let opening_at = posts.iter().position(|p| p.opening).unwrap_or(0);
        if posts.is_empty() {
            return Err(DomainError::NotFound);
        }
        let opening = posts.remove(opening_at);
        // Accepted answers first, then the rest in order.
        posts.sort_by_key(|p| (!p.accepted, p.id.0));
        let mut ids: Vec<UserId> = posts.iter().map(|p| p.author_id).collect();
        ids.push(opening.author_id);
        let names = self.display_names(&ids).await?;
        let may_accept = thread.kind == ThreadKind::Question
            && access.may_accept(actor.user_id() == Some(thread.author_id));
        Ok(ThreadView {
            community,
            access,
            may_accept,
            opening,
            replies: posts,
            files,
            names,
            thread,
        })
    }

    /// A reply; members only, rate-limited. Notifies the thread's author and earlier
    /// repliers (never the writer) and those mentioned, when they may read the thread.
    pub async fn reply(
        &self,
        actor: &Actor,
        thread: ThreadId,
        body: &str,
        files: Vec<Attachment>,
    ) -> DomainResult<PostId> {
        let me = Self::signed_in(actor)?;
        let (c, a, t) = self.readable_thread(actor, thread).await?;
        if !a.may_post() {
            return Err(DomainError::Forbidden);
        }
        let body = model::text_block("body", "คำตอบ", body, model::BODY_MAX, true)?;
        Self::check_attachments(&files)?;
        self.check_rate(me, false, "body").await?;
        let files = self.prepare_attachments(files).await?;
        let store = self.community_store()?;
        let earlier = store.posts(thread).await?;
        let post = store
            .insert_post(thread, me, &body, self.clock.now())
            .await?;
        self.store_attachments(post, files).await?;
        self.reindex_thread(thread).await?;
        let mut to: Vec<UserId> = Vec::new();
        for p in &earlier {
            if p.author_id != me && !to.contains(&p.author_id) {
                to.push(p.author_id);
            }
        }
        let mentioned = self
            .notify_mentions(&c, &a, thread, post, &t.title, &body, me, &to)
            .await?;
        let mut notices = Vec::new();
        for u in to {
            if mentioned.contains(&u) || !self.may_read_as(&c, u).await? {
                continue;
            }
            notices.push(NewNotice {
                user: u,
                kind: "community_reply".into(),
                title: format!("มีคำตอบใหม่ในกระทู้ \"{}\"", t.title),
                link: thread_link(thread, Some(post)),
                once_key: None,
            });
        }
        self.notify(notices).await?;
        Ok(post)
    }

    /// Whether a user (not the actor) may read the community's threads.
    pub(super) async fn may_read_as(&self, c: &Community, user: UserId) -> DomainResult<bool> {
        let u = match self.store.get_user(user).await {
            Ok(u) => u,
            Err(crate::error::PortError::NotFound) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        if u.disabled {
            return Ok(false);
        }
        let role = self.community_store()?.role_of(c.id, user).await?;
        Ok(Access {
            signed_in: true,
            members_only: c.members_only,
            role,
            site_admin: u.site_admin,
        }
        .may_read())
    }

    /// Notices to the people named `@username` who may read the thread; returns them.
    #[allow(clippy::too_many_arguments)]
    async fn notify_mentions(
        &self,
        c: &Community,
        _a: &Access,
        thread: ThreadId,
        post: PostId,
        title: &str,
        body: &str,
        me: UserId,
        _others: &[UserId],
    ) -> DomainResult<Vec<UserId>> {
        let mut notices = Vec::new();
        let mut who = Vec::new();
        for name in model::mentions(body) {
            let Ok(name) = Username::parse(&name) else {
                continue;
            };
            let Some((user, _)) = self.store.user_by_username(&name).await? else {
                continue;
            };
            if user.id == me || who.contains(&user.id) || !self.may_read_as(c, user.id).await? {
                continue;
            }
            who.push(user.id);
            notices.push(NewNotice {
                user: user.id,
                kind: "community_mention".into(),
                title: format!("มีผู้กล่าวถึงคุณในกระทู้ \"{title}\""),
                link: thread_link(thread, Some(post)),
                once_key: None,
            });
        }
        self.notify(notices).await?;
        Ok(who)
    }

    /// Puts the thread's title and visible posts in the search index.
    pub(super) async fn reindex_thread(&self, thread: ThreadId) -> DomainResult<()> {
        let store = self.community_store()?;
        let t = store.get_thread(thread).await?;
        let posts = store.posts(thread).await?;
        self.index_thread(ThreadDoc {
            thread_id: t.id,
            community_id: t.community_id,
            title: t.title.clone(),
            posts: posts
                .into_iter()
                .filter(|p| p.hidden_reason.is_none())
                .map(|p| p.body)
                .collect(),
            updated_at: t.activity_at,
        })
        .await
    }

    pub(super) async fn post_in_readable_thread(
        &self,
        actor: &Actor,
        post: PostId,
    ) -> DomainResult<(Community, Access, Thread, Post)> {
        let p = self.community_store()?.get_post(post).await?;
        let (c, a, t) = self.readable_thread(actor, p.thread_id).await?;
        Ok((c, a, t, p))
    }

    /// The thread of a post the actor may read (forms that refuse show the thread again).
    pub async fn thread_of_post(&self, actor: &Actor, post: PostId) -> DomainResult<ThreadId> {
        let (_, _, t, _) = self.post_in_readable_thread(actor, post).await?;
        Ok(t.id)
    }

    /// An attachment for those who may read its thread; NotFound for anyone else.
    pub async fn open_post_file(
        &self,
        actor: &Actor,
        file: FileId,
    ) -> DomainResult<(PostFile, u64, ByteStream)> {
        let store = self.community_store()?;
        let f = store.get_file(file).await?;
        let p = store.get_post(f.post_id).await?;
        let (_, a, _) = self.readable_thread(actor, p.thread_id).await?;
        if p.hidden_reason.is_some() && !a.may_moderate() {
            return Err(DomainError::NotFound);
        }
        let (size, stream) = self
            .blobs
            .get(&crate::service::items::blob_key(&f.sha256), None)
            .await?;
        Ok((f, size, stream))
    }

    /// The communities whose threads the actor may read: every open one, and the members-only
    /// ones the actor belongs to (search, feeds and counts filter by this list).
    pub async fn readable_communities(&self, actor: &Actor) -> DomainResult<Vec<CommunityId>> {
        Ok(self
            .community_cards(actor)
            .await?
            .into_iter()
            .filter(|c| c.access.may_read())
            .map(|c| c.community.id)
            .collect())
    }

    /// Whether the user is a member (or facilitator) of the community (event audiences).
    pub async fn is_community_member(
        &self,
        community: CommunityId,
        user: UserId,
    ) -> DomainResult<bool> {
        Ok(matches!(
            self.community_store()?.role_of(community, user).await?,
            Some(Role::Member | Role::Facilitator)
        ))
    }

    /// Communities the actor may name as an event's audience (facilitates or belongs to),
    /// with their names, for pickers.
    pub async fn community_choices(
        &self,
        actor: &Actor,
    ) -> DomainResult<Vec<(CommunityId, String)>> {
        let Some(me) = actor.user_id() else {
            return Ok(Vec::new());
        };
        let store = self.community_store()?;
        let ids: Vec<CommunityId> = store
            .roles_of(me)
            .await?
            .into_iter()
            .filter(|(_, r)| matches!(r, Role::Member | Role::Facilitator))
            .map(|(c, _)| c)
            .collect();
        let mut out = store.names_of(&ids).await?;
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    /// How many of the user's replies were accepted as answers (badges).
    pub async fn accepted_answers_of(&self, user: UserId) -> DomainResult<u64> {
        Ok(self.community_store()?.accepted_count(user).await?)
    }

    /// The names of communities (search results, event pages); unknown ids are left out.
    pub async fn community_names(
        &self,
        ids: &[CommunityId],
    ) -> DomainResult<HashMap<CommunityId, String>> {
        Ok(self
            .community_store()?
            .names_of(ids)
            .await?
            .into_iter()
            .collect())
    }
}

fn may_manage(actor: &Actor, tree: &UnitTree, unit: UnitId) -> bool {
    tree.path(unit)
        .is_ok_and(|p| authorize(actor, Action::ManageKnowledge, &Target::Unit(p)).is_ok())
}
