//! Use-cases of the lessons context: starting a lesson from a template (linked to where it
//! was started from), the items of an origin, and the origins an item page links back to.

use super::model::{Origin, OriginLabel, is_lesson_template};
use super::ports::LessonStore;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::ItemId;
use crate::item::Item;
use crate::org::{Action, Actor, Target, authorize};
use crate::planning::model::Evidence;
use crate::ports::ItemSummary;
use crate::service::Khlang;
use std::sync::Arc;

/// How many lessons "my lessons" and an origin's list show.
const LIST_LIMIT: u64 = 100;

/// A lesson of the actor's, with its template's Thai name.
#[derive(Debug, Clone)]
pub struct MyLesson {
    pub item: ItemSummary,
    pub template: String,
    pub template_name: String,
}

fn summary_of(item: &Item) -> ItemSummary {
    ItemSummary {
        id: item.id,
        title: item.fields.title.as_str().to_string(),
        summary: item.fields.summary.clone(),
        status: item.status,
        unit_id: item.fields.unit_id,
        knowledge_type: item.fields.knowledge_type,
        visibility: item.fields.visibility,
        created_by: item.created_by,
        updated_at: item.updated_at,
        published_at: item.published_at,
        fiscal_year: item.fiscal_year(),
        pending_revision: None,
    }
}

impl Khlang {
    fn lesson_store(&self) -> DomainResult<&Arc<dyn LessonStore>> {
        self.lessons
            .as_ref()
            .ok_or_else(|| DomainError::internal("lessons have no store"))
    }

    /// What an origin is called and where it leads, when it exists and the actor may see
    /// it; None otherwise (a missing origin and a hidden one look the same).
    pub async fn origin_label(
        &self,
        actor: &Actor,
        origin: Origin,
    ) -> DomainResult<Option<OriginLabel>> {
        let found = match origin {
            Origin::Event(e) => self.event_label(actor, e).await?,
            Origin::PlanActivity { plan, activity } => match self.km_plan(actor, plan).await {
                Ok(p) => p.content.activities.get(activity as usize).map(|a| {
                    (
                        format!(
                            "กิจกรรม “{}” ในแผนการจัดการความรู้ ปี {}",
                            a.title,
                            p.fiscal_year.be()
                        ),
                        format!("/plans/{plan}"),
                    )
                }),
                Err(DomainError::NotFound | DomainError::Forbidden) => None,
                Err(DomainError::Unauthenticated) => None,
                Err(e) => return Err(e),
            },
            Origin::ContestEntry(e) => {
                let access = crate::contests::rounds::EntryAccess::Officer(actor);
                match self.entry_view(&access, Some(e)).await {
                    Ok(v) => Some((
                        format!(
                            "ผลงาน {} ({}) {}",
                            v.entry.name, v.entry.receipt, v.contest.title
                        ),
                        format!("/contests/entries/{e}"),
                    )),
                    Err(DomainError::NotFound | DomainError::Forbidden) => None,
                    Err(DomainError::Unauthenticated) => None,
                    Err(e) => return Err(e),
                }
            }
        };
        Ok(found.map(|(label, path)| OriginLabel {
            origin,
            label,
            path,
        }))
    }

    /// Parses an origin as given in a query string and checks the actor may see it. Junk, a
    /// missing origin and one the actor may not see are all refused with the same message.
    pub async fn checked_origin(&self, actor: &Actor, raw: &str) -> DomainResult<OriginLabel> {
        let refused = || {
            DomainError::Invalid(vec![FieldError::new(
                "origin",
                "ไม่พบกิจกรรมหรือผลงานที่จะถอดบทเรียน หรือคุณไม่มีสิทธิ์เข้าถึง",
            )])
        };
        let origin = Origin::parse(raw).ok_or_else(refused)?;
        self.origin_label(actor, origin).await?.ok_or_else(refused)
    }

    /// Starts a lesson: a draft of a lessons-learned template (the wizard goes on from
    /// section 1), linked to its origin when one is given. An AAR of a plan activity is also
    /// added to the activity's evidence when the actor may run the plan.
    pub async fn start_lesson(
        &self,
        actor: &Actor,
        template: &str,
        unit: &str,
        title: &str,
        origin: Option<&str>,
    ) -> DomainResult<Item> {
        if !is_lesson_template(template) {
            return Err(DomainError::NotFound);
        }
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let origin = match origin.map(str::trim).filter(|o| !o.is_empty()) {
            Some(raw) => Some(self.checked_origin(actor, raw).await?),
            None => None,
        };
        let item = self.start_entry(actor, template, unit, title).await?;
        let now = self.clock.now();
        let store = self.lesson_store()?;
        store.record_lesson(item.id, template, me, now).await?;
        if let Some(o) = origin {
            store
                .link_origin(item.id, &o.origin.as_key(), me, now)
                .await?;
            if let Origin::PlanActivity { plan, activity } = o.origin {
                self.add_activity_evidence(actor, plan, activity as usize, item.id)
                    .await?;
            }
            self.audit(
                Some(me),
                "lesson.origin",
                format!("item:{}", item.id),
                o.origin.as_key(),
            )
            .await?;
        }
        Ok(item)
    }

    /// Adds the item to a plan activity's evidence through the planning service, when the
    /// actor may run the plan (a volunteer's AAR still links back through `item_origins`).
    async fn add_activity_evidence(
        &self,
        actor: &Actor,
        plan: crate::ids::PlanId,
        index: usize,
        item: ItemId,
    ) -> DomainResult<()> {
        let p = self.km_plan(actor, plan).await?;
        if !self.may_manage_plan(actor, &p).await? {
            return Ok(());
        }
        let Some(a) = p.content.activities.get(index) else {
            return Ok(());
        };
        let evidence = Evidence::Item { item };
        if a.evidence.contains(&evidence) {
            return Ok(());
        }
        let mut a = a.clone();
        a.evidence.push(evidence);
        match self
            .edit_plan(
                actor,
                plan,
                p.version,
                crate::planning::service::PlanEdit::PutActivity(Some(index), Box::new(a)),
            )
            .await
        {
            Ok(_) => Ok(()),
            // A plan that is submitted or approved is not changed from here.
            Err(DomainError::Forbidden | DomainError::Conflict(_) | DomainError::Invalid(_)) => {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Items linked to an origin (an event's AARs and outputs) that the actor may read,
    /// newest first.
    pub async fn items_of_origin(
        &self,
        actor: &Actor,
        origin: Origin,
    ) -> DomainResult<Vec<ItemSummary>> {
        let ids = self
            .lesson_store()?
            .items_of_origin(&origin.as_key())
            .await?;
        let mut out = Vec::new();
        for id in ids.into_iter().take(LIST_LIMIT as usize) {
            match self.readable_item(actor, id).await {
                Ok((item, _)) => out.push(summary_of(&item)),
                Err(DomainError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Links an item to an origin (an organiser adding an event's output, or a lesson started
    /// from it). The actor must see the origin, and be able to edit the item or manage the
    /// knowledge of the item's unit.
    pub async fn link_item_to_origin(
        &self,
        actor: &Actor,
        item: ItemId,
        origin: Origin,
    ) -> DomainResult<()> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (it, tree) = self.readable_item(actor, item).await?;
        let may_edit = authorize(actor, Action::EditItem, &Self::item_ref(&tree, &it)?).is_ok();
        let may_manage = authorize(
            actor,
            Action::ManageKnowledge,
            &Target::Unit(tree.path(it.fields.unit_id)?),
        )
        .is_ok();
        if !may_edit && !may_manage {
            return Err(DomainError::Forbidden);
        }
        if self.origin_label(actor, origin).await?.is_none() {
            return Err(DomainError::NotFound);
        }
        self.lesson_store()?
            .link_origin(item, &origin.as_key(), me, self.clock.now())
            .await?;
        self.audit(
            Some(me),
            "lesson.origin",
            format!("item:{item}"),
            origin.as_key(),
        )
        .await?;
        Ok(())
    }

    /// Where an item was started from, for its page ("ถอดบทเรียนจาก …"): only origins the
    /// reader may see, and nothing for an item the reader may not read.
    pub async fn origins_of_item(
        &self,
        actor: &Actor,
        item: ItemId,
    ) -> DomainResult<Vec<OriginLabel>> {
        self.readable_item(actor, item).await?;
        // A core wired without the lessons store (some unit tests) shows no origins.
        let Some(store) = &self.lessons else {
            return Ok(Vec::new());
        };
        let keys = store.origins_of_item(item).await?;
        let mut out = Vec::new();
        for k in keys {
            if let Some(o) = Origin::parse(&k)
                && let Some(l) = self.origin_label(actor, o).await?
            {
                out.push(l);
            }
        }
        Ok(out)
    }

    /// The lessons the actor started (any status), newest first.
    pub async fn my_lessons(&self, actor: &Actor) -> DomainResult<Vec<MyLesson>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let found = self.lesson_store()?.lessons_of(me, LIST_LIMIT).await?;
        let names: std::collections::HashMap<String, String> = self
            .templates()
            .await?
            .into_iter()
            .map(|t| (t.key().to_string(), t.body.name_th.clone()))
            .collect();
        let mut out = Vec::new();
        for (id, template) in found {
            match self.readable_item(actor, id).await {
                Ok((item, _)) => out.push(MyLesson {
                    item: summary_of(&item),
                    template_name: names.get(&template).cloned().unwrap_or_default(),
                    template,
                }),
                Err(DomainError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}
