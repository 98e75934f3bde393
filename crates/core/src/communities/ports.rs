//! What the communities context needs from storage.

use super::model::{Community, Membership, Post, PostFile, Report, Role, Thread, ThreadKind};
use crate::ids::{CommunityId, FileId, ItemId, PostId, ThreadId, UnitId, UserId};
use crate::ports::{Page, PortResult};
use async_trait::async_trait;
use time::OffsetDateTime;

pub struct NewCommunity<'a> {
    pub unit_id: UnitId,
    pub name: &'a str,
    pub description: &'a str,
    pub members_only: bool,
    pub created_by: UserId,
    pub at: OffsetDateTime,
}

pub struct NewThread<'a> {
    pub community_id: CommunityId,
    pub kind: ThreadKind,
    pub title: &'a str,
    pub author_id: UserId,
    pub body: &'a str,
    pub at: OffsetDateTime,
}

pub struct NewFile<'a> {
    pub name: &'a str,
    pub mime: &'a str,
    pub kind: &'a str,
    pub size: u64,
    pub sha256: &'a str,
}

#[async_trait]
pub trait CommunityStore: Send + Sync {
    /// Inserts the community and its creator as the first facilitator, in one transaction.
    /// Conflict when the unit has a community of that name.
    async fn insert_community(&self, c: NewCommunity<'_>) -> PortResult<CommunityId>;
    async fn get_community(&self, id: CommunityId) -> PortResult<Community>;
    /// Every community, newest activity first (the list is short: one per topic or unit).
    async fn list_communities(&self) -> PortResult<Vec<Community>>;
    async fn names_of(&self, ids: &[CommunityId]) -> PortResult<Vec<(CommunityId, String)>>;

    async fn role_of(&self, c: CommunityId, user: UserId) -> PortResult<Option<Role>>;
    /// The user's communities with their role there.
    async fn roles_of(&self, user: UserId) -> PortResult<Vec<(CommunityId, Role)>>;
    /// Adds or changes the person's role.
    async fn set_role(
        &self,
        c: CommunityId,
        user: UserId,
        role: Role,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    async fn remove_member(&self, c: CommunityId, user: UserId) -> PortResult<()>;
    /// Everyone in the community (pending too), facilitators first.
    async fn members(&self, c: CommunityId) -> PortResult<Vec<Membership>>;
    /// Members and facilitators of each community.
    async fn member_counts(&self, ids: &[CommunityId]) -> PortResult<Vec<(CommunityId, u64)>>;
    async fn thread_counts(&self, ids: &[CommunityId]) -> PortResult<Vec<(CommunityId, u64)>>;

    /// The thread and its opening post, and the community's activity, in one transaction.
    async fn insert_thread(&self, t: NewThread<'_>) -> PortResult<(ThreadId, PostId)>;
    async fn get_thread(&self, id: ThreadId) -> PortResult<Thread>;
    async fn threads(&self, c: CommunityId, page: u64, per_page: u64) -> PortResult<Page<Thread>>;
    /// The reply, and the thread's and community's activity.
    async fn insert_post(
        &self,
        thread: ThreadId,
        author: UserId,
        body: &str,
        at: OffsetDateTime,
    ) -> PortResult<PostId>;
    async fn get_post(&self, id: PostId) -> PortResult<Post>;
    /// The thread's posts in order, opening first.
    async fn posts(&self, thread: ThreadId) -> PortResult<Vec<Post>>;
    async fn set_accepted(&self, post: PostId, accepted: bool) -> PortResult<()>;
    async fn set_hidden(
        &self,
        post: PostId,
        reason: Option<&str>,
        by: Option<UserId>,
    ) -> PortResult<()>;
    /// Sets the thread's item only when it has none; false when another press got there first.
    async fn set_thread_item(&self, thread: ThreadId, item: ItemId) -> PortResult<bool>;
    /// Accepted replies whose author is the user.
    async fn accepted_count(&self, user: UserId) -> PortResult<u64>;

    /// The person's threads / posts created at or after `since`, oldest first.
    async fn recent_threads_by(
        &self,
        user: UserId,
        since: OffsetDateTime,
    ) -> PortResult<Vec<OffsetDateTime>>;
    async fn recent_posts_by(
        &self,
        user: UserId,
        since: OffsetDateTime,
    ) -> PortResult<Vec<OffsetDateTime>>;

    async fn insert_file(
        &self,
        post: PostId,
        f: NewFile<'_>,
        at: OffsetDateTime,
    ) -> PortResult<FileId>;
    async fn get_file(&self, id: FileId) -> PortResult<PostFile>;
    async fn files_of(&self, thread: ThreadId) -> PortResult<Vec<PostFile>>;

    async fn insert_report(
        &self,
        post: PostId,
        reporter: UserId,
        reason: &str,
        at: OffsetDateTime,
    ) -> PortResult<()>;
    /// Open reports of the community's posts, oldest first.
    async fn open_reports(&self, c: CommunityId) -> PortResult<Vec<Report>>;
    /// Closes the post's open reports (it was hidden, or judged fine).
    async fn resolve_reports(&self, post: PostId, at: OffsetDateTime) -> PortResult<()>;
}
