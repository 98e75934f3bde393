//! [`CommunityStore`] over the database in plain SQL that SQLite and PostgreSQL both speak;
//! times are Unix milliseconds, flags 0/1.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::communities::CommunityStore;
use khlang_core::communities::model::{
    Community, Membership, Post, PostFile, Report, Role, Thread, ThreadKind,
};
use khlang_core::communities::ports::{NewCommunity, NewFile, NewThread};
use khlang_core::error::PortError;
use khlang_core::ids::{CommunityId, FileId, ItemId, PostId, ThreadId, UnitId, UserId};
use khlang_core::ports::{Page, PortResult};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait, Value};
use time::OffsetDateTime;

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn ids<T: Copy + Into<i64>>(v: &[T]) -> Vec<Value> {
    v.iter().map(|x| (*x).into().into()).collect()
}

fn count(r: &[QueryResult]) -> PortResult<u64> {
    Ok(match r.first() {
        Some(r) => u64::try_from(get::<i64>(r, "n")?).unwrap_or(0),
        None => 0,
    })
}

const COMMUNITY: &str =
    "id, unit_id, name, description, members_only, created_by, created_ms, activity_ms";

fn to_community(r: &QueryResult) -> PortResult<Community> {
    Ok(Community {
        id: CommunityId(get(r, "id")?),
        unit_id: UnitId(get(r, "unit_id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        members_only: get::<i32>(r, "members_only")? != 0,
        created_by: UserId(get(r, "created_by")?),
        created_at: from_ms(get(r, "created_ms")?)?,
        activity_at: from_ms(get(r, "activity_ms")?)?,
    })
}

const THREAD: &str = "t.id, t.community_id, t.kind, t.title, t.author_id, t.created_ms, \
     t.activity_ms, t.item_id, \
     (SELECT COUNT(*) FROM community_posts p WHERE p.thread_id = t.id AND p.opening = 0) AS replies";

fn to_thread(r: &QueryResult) -> PortResult<Thread> {
    Ok(Thread {
        id: ThreadId(get(r, "id")?),
        community_id: CommunityId(get(r, "community_id")?),
        kind: ThreadKind::parse(&get::<String>(r, "kind")?)
            .map_err(|_| PortError::Other("stored thread kind is invalid".into()))?,
        title: get(r, "title")?,
        author_id: UserId(get(r, "author_id")?),
        created_at: from_ms(get(r, "created_ms")?)?,
        activity_at: from_ms(get(r, "activity_ms")?)?,
        item_id: get::<Option<i64>>(r, "item_id")?.map(ItemId),
        replies: u64::try_from(get::<i64>(r, "replies")?).unwrap_or(0),
    })
}

const POST: &str = "id, thread_id, author_id, body, opening, accepted, hidden_reason, created_ms";

fn to_post(r: &QueryResult) -> PortResult<Post> {
    Ok(Post {
        id: PostId(get(r, "id")?),
        thread_id: ThreadId(get(r, "thread_id")?),
        author_id: UserId(get(r, "author_id")?),
        body: get(r, "body")?,
        opening: get::<i32>(r, "opening")? != 0,
        accepted: get::<i32>(r, "accepted")? != 0,
        hidden_reason: get(r, "hidden_reason")?,
        created_at: from_ms(get(r, "created_ms")?)?,
    })
}

const FILE: &str = "f.id, f.post_id, f.name, f.mime, f.kind, f.size, f.sha256";

fn to_file(r: &QueryResult) -> PortResult<PostFile> {
    Ok(PostFile {
        id: FileId(get(r, "id")?),
        post_id: PostId(get(r, "post_id")?),
        name: get(r, "name")?,
        mime: get(r, "mime")?,
        kind: get(r, "kind")?,
        size: u64::try_from(get::<i64>(r, "size")?).unwrap_or(0),
        sha256: get(r, "sha256")?,
    })
}

fn first_id(r: Vec<QueryResult>) -> PortResult<i64> {
    r.first()
        .ok_or(PortError::NotFound)
        .and_then(|r| get(r, "id"))
}

async fn touch(db: &impl ConnectionTrait, thread: ThreadId, at: OffsetDateTime) -> PortResult<()> {
    exec(
        db,
        "UPDATE community_threads SET activity_ms = ? WHERE id = ?",
        vec![ms(at).into(), thread.0.into()],
    )
    .await?;
    exec(
        db,
        "UPDATE communities SET activity_ms = ? WHERE id = \
         (SELECT community_id FROM community_threads WHERE id = ?)",
        vec![ms(at).into(), thread.0.into()],
    )
    .await?;
    Ok(())
}

async fn pairs(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> PortResult<Vec<(CommunityId, u64)>> {
    rows(db, sql, values)
        .await?
        .iter()
        .map(|r| {
            Ok((
                CommunityId(get(r, "community_id")?),
                u64::try_from(get::<i64>(r, "n")?).unwrap_or(0),
            ))
        })
        .collect()
}

#[async_trait]
impl CommunityStore for SeaStore {
    async fn insert_community(&self, c: NewCommunity<'_>) -> PortResult<CommunityId> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let id = first_id(
            rows(
                &txn,
                "INSERT INTO communities (unit_id, name, description, members_only, created_by, \
                 created_ms, activity_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                vec![
                    c.unit_id.0.into(),
                    c.name.into(),
                    c.description.into(),
                    i32::from(c.members_only).into(),
                    c.created_by.0.into(),
                    ms(c.at).into(),
                    ms(c.at).into(),
                ],
            )
            .await?,
        )?;
        exec(
            &txn,
            "INSERT INTO community_members (community_id, user_id, role, created_ms) \
             VALUES (?, ?, 'facilitator', ?)",
            vec![id.into(), c.created_by.0.into(), ms(c.at).into()],
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok(CommunityId(id))
    }

    async fn get_community(&self, id: CommunityId) -> PortResult<Community> {
        let r = rows(
            self.connection(),
            &format!("SELECT {COMMUNITY} FROM communities WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        r.first().ok_or(PortError::NotFound).and_then(to_community)
    }

    async fn list_communities(&self) -> PortResult<Vec<Community>> {
        rows(
            self.connection(),
            &format!("SELECT {COMMUNITY} FROM communities ORDER BY activity_ms DESC, id DESC"),
            vec![],
        )
        .await?
        .iter()
        .map(to_community)
        .collect()
    }

    async fn names_of(&self, list: &[CommunityId]) -> PortResult<Vec<(CommunityId, String)>> {
        if list.is_empty() {
            return Ok(Vec::new());
        }
        rows(
            self.connection(),
            &format!(
                "SELECT id, name FROM communities WHERE id IN ({})",
                marks(list.len())
            ),
            ids(&list.iter().map(|c| c.0).collect::<Vec<_>>()),
        )
        .await?
        .iter()
        .map(|r| Ok((CommunityId(get(r, "id")?), get(r, "name")?)))
        .collect()
    }

    async fn role_of(&self, c: CommunityId, user: UserId) -> PortResult<Option<Role>> {
        let r = rows(
            self.connection(),
            "SELECT role FROM community_members WHERE community_id = ? AND user_id = ?",
            vec![c.0.into(), user.0.into()],
        )
        .await?;
        Ok(match r.first() {
            Some(r) => Role::parse(&get::<String>(r, "role")?),
            None => None,
        })
    }

    async fn roles_of(&self, user: UserId) -> PortResult<Vec<(CommunityId, Role)>> {
        let r = rows(
            self.connection(),
            "SELECT community_id, role FROM community_members WHERE user_id = ?",
            vec![user.0.into()],
        )
        .await?;
        let mut out = Vec::new();
        for x in &r {
            if let Some(role) = Role::parse(&get::<String>(x, "role")?) {
                out.push((CommunityId(get(x, "community_id")?), role));
            }
        }
        Ok(out)
    }

    async fn set_role(
        &self,
        c: CommunityId,
        user: UserId,
        role: Role,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        let changed = exec(
            self.connection(),
            "UPDATE community_members SET role = ? WHERE community_id = ? AND user_id = ?",
            vec![role.as_str().into(), c.0.into(), user.0.into()],
        )
        .await?;
        if changed == 0 {
            match exec(
                self.connection(),
                "INSERT INTO community_members (community_id, user_id, role, created_ms) \
                 VALUES (?, ?, ?, ?)",
                vec![
                    c.0.into(),
                    user.0.into(),
                    role.as_str().into(),
                    ms(at).into(),
                ],
            )
            .await
            {
                // Two clicks at once: the first one's row stands.
                Ok(_) | Err(PortError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn remove_member(&self, c: CommunityId, user: UserId) -> PortResult<()> {
        exec(
            self.connection(),
            "DELETE FROM community_members WHERE community_id = ? AND user_id = ?",
            vec![c.0.into(), user.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn members(&self, c: CommunityId) -> PortResult<Vec<Membership>> {
        let r = rows(
            self.connection(),
            "SELECT user_id, role FROM community_members WHERE community_id = ? \
             ORDER BY CASE role WHEN 'facilitator' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, id",
            vec![c.0.into()],
        )
        .await?;
        let mut out = Vec::new();
        for x in &r {
            if let Some(role) = Role::parse(&get::<String>(x, "role")?) {
                out.push(Membership {
                    user_id: UserId(get(x, "user_id")?),
                    role,
                });
            }
        }
        Ok(out)
    }

    async fn member_counts(&self, list: &[CommunityId]) -> PortResult<Vec<(CommunityId, u64)>> {
        if list.is_empty() {
            return Ok(Vec::new());
        }
        pairs(
            self.connection(),
            &format!(
                "SELECT community_id, COUNT(*) AS n FROM community_members \
                 WHERE role <> 'pending' AND community_id IN ({}) GROUP BY community_id",
                marks(list.len())
            ),
            ids(&list.iter().map(|c| c.0).collect::<Vec<_>>()),
        )
        .await
    }

    async fn thread_counts(&self, list: &[CommunityId]) -> PortResult<Vec<(CommunityId, u64)>> {
        if list.is_empty() {
            return Ok(Vec::new());
        }
        pairs(
            self.connection(),
            &format!(
                "SELECT community_id, COUNT(*) AS n FROM community_threads \
                 WHERE community_id IN ({}) GROUP BY community_id",
                marks(list.len())
            ),
            ids(&list.iter().map(|c| c.0).collect::<Vec<_>>()),
        )
        .await
    }

    async fn insert_thread(&self, t: NewThread<'_>) -> PortResult<(ThreadId, PostId)> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let thread = first_id(
            rows(
                &txn,
                "INSERT INTO community_threads (community_id, kind, title, author_id, \
                 created_ms, activity_ms, item_id) VALUES (?, ?, ?, ?, ?, ?, NULL) RETURNING id",
                vec![
                    t.community_id.0.into(),
                    t.kind.as_str().into(),
                    t.title.into(),
                    t.author_id.0.into(),
                    ms(t.at).into(),
                    ms(t.at).into(),
                ],
            )
            .await?,
        )?;
        let post = first_id(
            rows(
                &txn,
                "INSERT INTO community_posts (thread_id, author_id, body, opening, accepted, \
                 hidden_reason, hidden_by, created_ms) VALUES (?, ?, ?, 1, 0, NULL, NULL, ?) \
                 RETURNING id",
                vec![
                    thread.into(),
                    t.author_id.0.into(),
                    t.body.into(),
                    ms(t.at).into(),
                ],
            )
            .await?,
        )?;
        touch(&txn, ThreadId(thread), t.at).await?;
        txn.commit().await.map_err(map_err)?;
        Ok((ThreadId(thread), PostId(post)))
    }

    async fn get_thread(&self, id: ThreadId) -> PortResult<Thread> {
        let r = rows(
            self.connection(),
            &format!("SELECT {THREAD} FROM community_threads t WHERE t.id = ?"),
            vec![id.0.into()],
        )
        .await?;
        r.first().ok_or(PortError::NotFound).and_then(to_thread)
    }

    async fn threads(&self, c: CommunityId, page: u64, per_page: u64) -> PortResult<Page<Thread>> {
        let total = count(
            &rows(
                self.connection(),
                "SELECT COUNT(*) AS n FROM community_threads WHERE community_id = ?",
                vec![c.0.into()],
            )
            .await?,
        )?;
        let items = rows(
            self.connection(),
            &format!(
                "SELECT {THREAD} FROM community_threads t WHERE t.community_id = ? \
                 ORDER BY t.activity_ms DESC, t.id DESC LIMIT ? OFFSET ?"
            ),
            vec![
                c.0.into(),
                (per_page as i64).into(),
                (page.saturating_sub(1).saturating_mul(per_page) as i64).into(),
            ],
        )
        .await?
        .iter()
        .map(to_thread)
        .collect::<PortResult<_>>()?;
        Ok(Page {
            items,
            page,
            per_page,
            total,
        })
    }

    async fn insert_post(
        &self,
        thread: ThreadId,
        author: UserId,
        body: &str,
        at: OffsetDateTime,
    ) -> PortResult<PostId> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let id = first_id(
            rows(
                &txn,
                "INSERT INTO community_posts (thread_id, author_id, body, opening, accepted, \
                 hidden_reason, hidden_by, created_ms) VALUES (?, ?, ?, 0, 0, NULL, NULL, ?) \
                 RETURNING id",
                vec![thread.0.into(), author.0.into(), body.into(), ms(at).into()],
            )
            .await?,
        )?;
        touch(&txn, thread, at).await?;
        txn.commit().await.map_err(map_err)?;
        Ok(PostId(id))
    }

    async fn get_post(&self, id: PostId) -> PortResult<Post> {
        let r = rows(
            self.connection(),
            &format!("SELECT {POST} FROM community_posts WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        r.first().ok_or(PortError::NotFound).and_then(to_post)
    }

    async fn posts(&self, thread: ThreadId) -> PortResult<Vec<Post>> {
        rows(
            self.connection(),
            &format!("SELECT {POST} FROM community_posts WHERE thread_id = ? ORDER BY id"),
            vec![thread.0.into()],
        )
        .await?
        .iter()
        .map(to_post)
        .collect()
    }

    async fn set_accepted(&self, post: PostId, accepted: bool) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE community_posts SET accepted = ? WHERE id = ?",
            vec![i32::from(accepted).into(), post.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn set_hidden(
        &self,
        post: PostId,
        reason: Option<&str>,
        by: Option<UserId>,
    ) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE community_posts SET hidden_reason = ?, hidden_by = ? WHERE id = ?",
            vec![
                reason.map(str::to_string).into(),
                by.map(|u| u.0).into(),
                post.0.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn set_thread_item(&self, thread: ThreadId, item: ItemId) -> PortResult<bool> {
        Ok(exec(
            self.connection(),
            "UPDATE community_threads SET item_id = ? WHERE id = ? AND item_id IS NULL",
            vec![item.0.into(), thread.0.into()],
        )
        .await?
            == 1)
    }

    async fn accepted_count(&self, user: UserId) -> PortResult<u64> {
        count(
            &rows(
                self.connection(),
                "SELECT COUNT(*) AS n FROM community_posts \
                 WHERE author_id = ? AND accepted = 1 AND opening = 0",
                vec![user.0.into()],
            )
            .await?,
        )
    }

    async fn recent_threads_by(
        &self,
        user: UserId,
        since: OffsetDateTime,
    ) -> PortResult<Vec<OffsetDateTime>> {
        rows(
            self.connection(),
            "SELECT created_ms FROM community_threads WHERE author_id = ? AND created_ms >= ? \
             ORDER BY created_ms",
            vec![user.0.into(), ms(since).into()],
        )
        .await?
        .iter()
        .map(|r| from_ms(get(r, "created_ms")?))
        .collect()
    }

    async fn recent_posts_by(
        &self,
        user: UserId,
        since: OffsetDateTime,
    ) -> PortResult<Vec<OffsetDateTime>> {
        rows(
            self.connection(),
            "SELECT created_ms FROM community_posts WHERE author_id = ? AND created_ms >= ? \
             ORDER BY created_ms",
            vec![user.0.into(), ms(since).into()],
        )
        .await?
        .iter()
        .map(|r| from_ms(get(r, "created_ms")?))
        .collect()
    }

    async fn insert_file(
        &self,
        post: PostId,
        f: NewFile<'_>,
        at: OffsetDateTime,
    ) -> PortResult<FileId> {
        let id = first_id(
            rows(
                self.connection(),
                "INSERT INTO community_files (post_id, name, mime, kind, size, sha256, created_ms) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                vec![
                    post.0.into(),
                    f.name.into(),
                    f.mime.into(),
                    f.kind.into(),
                    (f.size as i64).into(),
                    f.sha256.into(),
                    ms(at).into(),
                ],
            )
            .await?,
        )?;
        Ok(FileId(id))
    }

    async fn get_file(&self, id: FileId) -> PortResult<PostFile> {
        let r = rows(
            self.connection(),
            &format!("SELECT {FILE} FROM community_files f WHERE f.id = ?"),
            vec![id.0.into()],
        )
        .await?;
        r.first().ok_or(PortError::NotFound).and_then(to_file)
    }

    async fn files_of(&self, thread: ThreadId) -> PortResult<Vec<PostFile>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {FILE} FROM community_files f JOIN community_posts p ON p.id = f.post_id \
                 WHERE p.thread_id = ? ORDER BY f.id"
            ),
            vec![thread.0.into()],
        )
        .await?
        .iter()
        .map(to_file)
        .collect()
    }

    async fn insert_report(
        &self,
        post: PostId,
        reporter: UserId,
        reason: &str,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        exec(
            self.connection(),
            "INSERT INTO community_reports (post_id, reporter_id, reason, created_ms, resolved_ms) \
             VALUES (?, ?, ?, ?, NULL)",
            vec![
                post.0.into(),
                reporter.0.into(),
                reason.into(),
                ms(at).into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn open_reports(&self, c: CommunityId) -> PortResult<Vec<Report>> {
        rows(
            self.connection(),
            "SELECT r.id, r.post_id, p.thread_id, t.title, r.reporter_id, r.reason, r.created_ms \
             FROM community_reports r JOIN community_posts p ON p.id = r.post_id \
             JOIN community_threads t ON t.id = p.thread_id \
             WHERE t.community_id = ? AND r.resolved_ms IS NULL ORDER BY r.id LIMIT 200",
            vec![c.0.into()],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Report {
                id: get(r, "id")?,
                post_id: PostId(get(r, "post_id")?),
                thread_id: ThreadId(get(r, "thread_id")?),
                thread_title: get(r, "title")?,
                reporter_id: UserId(get(r, "reporter_id")?),
                reason: get(r, "reason")?,
                created_at: from_ms(get(r, "created_ms")?)?,
            })
        })
        .collect()
    }

    async fn resolve_reports(&self, post: PostId, at: OffsetDateTime) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE community_reports SET resolved_ms = ? WHERE post_id = ? AND resolved_ms IS NULL",
            vec![ms(at).into(), post.0.into()],
        )
        .await?;
        Ok(())
    }
}
