//! Accepted answers, reports and moderation, and a question turned into a knowledge item.

use super::model::{self, Community, Post, Report, Role, ThreadKind};
use super::service::thread_link;
use crate::error::{DomainError, DomainResult};
use crate::ids::{CommunityId, ItemId, PostId, ThreadId, UserId};
use crate::item::ItemInput;
use crate::notifications::NewNotice;
use crate::org::Actor;
use crate::service::Khlang;
use std::collections::HashMap;

impl Khlang {
    /// Marks (or unmarks) a reply of a question as an accepted answer: the asker or a
    /// facilitator. Notifies the reply's author when marked.
    pub async fn set_accepted_answer(
        &self,
        actor: &Actor,
        post: PostId,
        accepted: bool,
    ) -> DomainResult<ThreadId> {
        let me = Self::signed_in(actor)?;
        let (c, a, t, p) = self.post_in_readable_thread(actor, post).await?;
        if !a.may_accept(t.author_id == me) || t.kind != ThreadKind::Question || p.opening {
            return Err(DomainError::Forbidden);
        }
        if p.accepted == accepted {
            return Ok(t.id);
        }
        self.community_store()?.set_accepted(post, accepted).await?;
        self.audit(
            Some(me),
            if accepted {
                "community.accept"
            } else {
                "community.unaccept"
            },
            format!("post:{post}"),
            format!("thread:{}", t.id),
        )
        .await?;
        if accepted && p.author_id != me && self.may_read_as(&c, p.author_id).await? {
            self.notify(vec![NewNotice {
                user: p.author_id,
                kind: "community_accepted".into(),
                title: format!("คำตอบของคุณในกระทู้ \"{}\" ได้รับการยอมรับ", t.title),
                link: thread_link(t.id, Some(post)),
                once_key: Some(format!("community-accepted:{post}")),
            }])
            .await?;
        }
        Ok(t.id)
    }

    /// Any member reports a post with a reason; facilitators see it in their queue.
    pub async fn report_post(
        &self,
        actor: &Actor,
        post: PostId,
        reason: &str,
    ) -> DomainResult<ThreadId> {
        let me = Self::signed_in(actor)?;
        let (c, a, t, _) = self.post_in_readable_thread(actor, post).await?;
        if !a.may_post() {
            return Err(DomainError::Forbidden);
        }
        let reason = model::line("reason", "เหตุผล", reason, model::REASON_MAX)?;
        self.community_store()?
            .insert_report(post, me, &reason, self.clock.now())
            .await?;
        self.audit(Some(me), "community.report", format!("post:{post}"), reason)
            .await?;
        let notices = self
            .community_store()?
            .members(c.id)
            .await?
            .into_iter()
            .filter(|m| m.role == Role::Facilitator && m.user_id != me)
            .map(|m| NewNotice {
                user: m.user_id,
                kind: "community_report".into(),
                title: format!("มีการแจ้งข้อความไม่เหมาะสมในชุมชน {}", c.name),
                link: format!("/communities/{}/reports", c.id),
                once_key: None,
            })
            .collect();
        self.notify(notices).await?;
        Ok(t.id)
    }

    /// A facilitator hides a post with a reason (readers see the reason instead), or shows it
    /// again (`reason` None). Closes its reports; audited; the index follows.
    pub async fn moderate_post(
        &self,
        actor: &Actor,
        post: PostId,
        reason: Option<&str>,
    ) -> DomainResult<ThreadId> {
        let me = Self::signed_in(actor)?;
        let (_, a, t, _) = self.post_in_readable_thread(actor, post).await?;
        if !a.may_moderate() {
            return Err(DomainError::Forbidden);
        }
        let reason = reason
            .map(|r| model::line("reason", "เหตุผลที่ซ่อน", r, model::REASON_MAX))
            .transpose()?;
        let store = self.community_store()?;
        store
            .set_hidden(post, reason.as_deref(), reason.as_ref().map(|_| me))
            .await?;
        store.resolve_reports(post, self.clock.now()).await?;
        self.audit(
            Some(me),
            if reason.is_some() {
                "community.hide"
            } else {
                "community.unhide"
            },
            format!("post:{post}"),
            reason.unwrap_or_default(),
        )
        .await?;
        self.reindex_thread(t.id).await?;
        Ok(t.id)
    }

    /// A facilitator closes a post's reports without hiding it.
    pub async fn dismiss_reports(&self, actor: &Actor, post: PostId) -> DomainResult<CommunityId> {
        let me = Self::signed_in(actor)?;
        let (c, a, _, _) = self.post_in_readable_thread(actor, post).await?;
        if !a.may_moderate() {
            return Err(DomainError::Forbidden);
        }
        self.community_store()?
            .resolve_reports(post, self.clock.now())
            .await?;
        self.audit(
            Some(me),
            "community.report_dismiss",
            format!("post:{post}"),
            String::new(),
        )
        .await?;
        Ok(c.id)
    }

    /// Open reports of a community, for its facilitators.
    pub async fn community_reports(
        &self,
        actor: &Actor,
        id: CommunityId,
    ) -> DomainResult<(Community, Vec<Report>, HashMap<UserId, String>)> {
        let (c, _) = self.moderated(actor, id).await?;
        let reports = self.community_store()?.open_reports(id).await?;
        let ids: Vec<UserId> = reports.iter().map(|r| r.reporter_id).collect();
        let names = self.display_names(&ids).await?;
        Ok((c, reports, names))
    }

    /// "ทำเป็นองค์ความรู้": a draft item from the question and its accepted answers, through
    /// the item service (the presser needs Contribute on the community's unit). Pressing again
    /// returns the same item.
    pub async fn thread_to_item(&self, actor: &Actor, thread: ThreadId) -> DomainResult<ItemId> {
        let me = Self::signed_in(actor)?;
        let (c, a, t) = self.readable_thread(actor, thread).await?;
        if !a.may_make_item(t.author_id == me) || t.kind != ThreadKind::Question {
            return Err(DomainError::Forbidden);
        }
        if let Some(item) = t.item_id {
            return Ok(item);
        }
        // One press at a time per thread, across processes: a second press waits, then finds
        // the first one's item instead of leaving a second draft behind.
        let lease = self
            .hold(
                &format!("community.thread_item:{thread}"),
                std::time::Duration::from_secs(30),
                std::time::Duration::from_secs(10),
            )
            .await?
            .ok_or_else(|| {
                DomainError::Conflict("กำลังสร้างองค์ความรู้จากกระทู้นี้อยู่ กรุณาลองอีกครั้ง".into())
            })?;
        let made = self.thread_to_item_held(actor, me, &c, thread).await;
        self.release(lease).await;
        made
    }

    async fn thread_to_item_held(
        &self,
        actor: &Actor,
        me: UserId,
        c: &Community,
        thread: ThreadId,
    ) -> DomainResult<ItemId> {
        let store = self.community_store()?;
        let t = store.get_thread(thread).await?;
        if let Some(item) = t.item_id {
            return Ok(item);
        }
        let posts = store.posts(thread).await?;
        let answers: Vec<&Post> = posts
            .iter()
            .filter(|p| p.accepted && !p.opening && p.hidden_reason.is_none())
            .collect();
        if answers.is_empty() {
            return Err(DomainError::Conflict(
                "ยังไม่มีคำตอบที่ยอมรับ — เลือกคำตอบที่ยอมรับก่อน".into(),
            ));
        }
        let opening = posts
            .iter()
            .find(|p| p.opening)
            .ok_or(DomainError::NotFound)?;
        let mut ids = vec![t.author_id];
        ids.extend(answers.iter().map(|p| p.author_id));
        let names = self.display_names(&ids).await?;
        let mut authors: Vec<String> = Vec::new();
        for id in &ids {
            if let Some(n) = names.get(id)
                && !authors.contains(n)
            {
                authors.push(n.clone());
            }
        }
        let mut body = format!("## คำถาม\n\n{}\n\n## คำตอบที่ยอมรับ\n", opening.body);
        for p in &answers {
            let name = names.get(&p.author_id).cloned().unwrap_or_default();
            let quoted: String = p
                .body
                .lines()
                .map(|l| format!("> {l}\n"))
                .collect::<String>();
            body.push_str(&format!("\n{quoted}>\n> — {name}\n"));
        }
        body.push_str(&format!(
            "\nจากกระทู้ในชุมชนนักปฏิบัติ {} ({})\n",
            c.name,
            thread_link(thread, None)
        ));
        let input = ItemInput {
            title: t.title.clone(),
            summary: String::new(),
            body,
            knowledge_type: "tacit".into(),
            acquisition: "capture".into(),
            km_steps: Vec::new(),
            terms: Vec::new(),
            tags: Vec::new(),
            authors,
            unit_id: c.unit_id.to_string(),
            fiscal_year: String::new(),
            visibility: if c.members_only { "unit" } else { "public" }.into(),
            licence: String::new(),
            links: Vec::new(),
        };
        let item = self.create_item(actor, &input).await?;
        if !store.set_thread_item(thread, item.id).await? {
            // Another press got there first: its item stands.
            return Ok(store.get_thread(thread).await?.item_id.unwrap_or(item.id));
        }
        self.audit(
            Some(me),
            "community.to_item",
            format!("thread:{thread}"),
            format!("item:{}", item.id),
        )
        .await?;
        Ok(item.id)
    }
}
