//! KM plan use-cases: creating (blank or a copy), reading, saving the content (whole or one
//! row at a time, always versioned and validated whole), the overview of a subtree.
//!
//! Who may do what:
//! - read a plan and its history: [`Action::ViewUnitContent`] on the plan's unit;
//! - create, edit, submit, comment: [`Action::ManageKnowledge`] on the plan's unit (the
//!   parent's officers hold it too, grants reach down);
//! - approve or return: ManageKnowledge on the PARENT unit. A unit without a parent (the
//!   department itself) has nobody above it: only the site administrator decides its plan,
//!   so a unit's own officers never approve their own plan (see [`workflow`]).
//!
//! Editing an approved (or submitted) plan puts it back to draft, except for progress
//! updates (an activity's status and evidence), which are what tracking an approved plan
//! is made of.

mod workflow;

pub use workflow::PlanDecision;

use super::PlanOverview;
use super::model::{Activity, FiscalYear, IssueRow, KmPlan, PlanContent, PlanStatus, row_prefix};
use super::ports::{NewPlan, PlanEvent, PlanEventKind, PlanStore, PlanSummary};
use super::progress::ActivityCounts;
use crate::error::{DomainError, DomainResult};
use crate::ids::{PlanId, UnitId};
use crate::org::{Action, Actor, Target, UnitTree, authorize};
use crate::service::Khlang;
use std::collections::HashMap;
use std::sync::Arc;

/// Where a new plan starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStart {
    Blank,
    /// The same unit's plan of the year before, periods moved a year on.
    CopyLastYear,
    /// The parent unit's plan of the same year.
    CopyParent,
}

impl PlanStart {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "blank" | "" => Some(PlanStart::Blank),
            "last_year" => Some(PlanStart::CopyLastYear),
            "parent" => Some(PlanStart::CopyParent),
            _ => None,
        }
    }
}

/// One change to the content, as the row-at-a-time pages make it.
#[derive(Debug, Clone)]
pub enum PlanEdit {
    StrategicIssues(String),
    /// Replace row `index` of Form 1, or append when None.
    PutIssue(Option<usize>, IssueRow),
    DeleteIssue(usize),
    /// Move a Form 1 row up (true) or down.
    MoveIssue(usize, bool),
    PutActivity(Option<usize>, Box<Activity>),
    DeleteActivity(usize),
    /// Move an activity up or down among those of its step.
    MoveActivity(usize, bool),
}

/// A history row with who made it, for the page.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub event: PlanEvent,
    pub user_name: String,
}

pub(crate) const STALE: &str =
    "แผนนี้มีการแก้ไขหลังจากที่คุณเปิดไว้ กรุณาเปิดแผนอีกครั้งแล้วแก้ไขใหม่ (ข้อมูลที่คุณกรอกยังไม่ถูกบันทึก)";

impl Khlang {
    pub(crate) fn plan_store(&self) -> DomainResult<&Arc<dyn PlanStore>> {
        self.plans
            .as_ref()
            .ok_or_else(|| DomainError::internal("plans have no store"))
    }

    pub(crate) fn may_on_unit(
        tree: &UnitTree,
        actor: &Actor,
        action: Action,
        unit: UnitId,
    ) -> bool {
        tree.path(unit)
            .is_ok_and(|p| authorize(actor, action, &Target::Unit(p)).is_ok())
    }

    async fn authorize_unit(
        &self,
        actor: &Actor,
        action: Action,
        unit: UnitId,
    ) -> DomainResult<()> {
        let tree = self.unit_tree().await?;
        authorize(actor, action, &Target::Unit(tree.path(unit)?))
    }

    /// Starts a unit's plan for a fiscal year: blank, or a fresh copy (statuses reset,
    /// evidence dropped) of last year's plan or the parent's plan of the year. Copying the
    /// parent's plan needs no right on the parent: it is the template its units work from.
    pub async fn create_plan(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: FiscalYear,
        start: PlanStart,
    ) -> DomainResult<KmPlan> {
        let tree = self.unit_tree().await?;
        let u = tree.get(unit).ok_or(DomainError::NotFound)?;
        authorize(
            actor,
            Action::ManageKnowledge,
            &Target::Unit(tree.path(unit)?),
        )?;
        if u.retired {
            return Err(DomainError::Conflict(
                "หน่วยงานนี้ยุบเลิกแล้ว จึงสร้างแผนใหม่ไม่ได้".into(),
            ));
        }
        let store = self.plan_store()?;
        if store.plan_of_unit(unit, year).await?.is_some() {
            return Err(DomainError::Conflict(format!(
                "หน่วยงานนี้มีแผนของปีงบประมาณ {year} แล้ว"
            )));
        }
        let (content, copied_from, kind, text) = match start {
            PlanStart::Blank => (
                PlanContent::default(),
                None,
                PlanEventKind::Created,
                "สร้างแผนเปล่า".to_string(),
            ),
            PlanStart::CopyLastYear => {
                let last = FiscalYear::parse(&(year.be() - 1).to_string())?;
                let src = store.plan_of_unit(unit, last).await?.ok_or_else(|| {
                    DomainError::invalid(
                        "start",
                        format!("หน่วยงานนี้ไม่มีแผนของปีงบประมาณ {last} ให้คัดลอก"),
                    )
                })?;
                (
                    src.content.fresh_copy(last, true),
                    Some(src.id),
                    PlanEventKind::Copied,
                    format!("คัดลอกจากแผนปีงบประมาณ {last} ของหน่วยงาน"),
                )
            }
            PlanStart::CopyParent => {
                let parent = u
                    .parent_id
                    .ok_or_else(|| DomainError::invalid("start", "หน่วยงานนี้ไม่มีหน่วยงานต้นสังกัด"))?;
                let src = store.plan_of_unit(parent, year).await?.ok_or_else(|| {
                    DomainError::invalid(
                        "start",
                        format!("หน่วยงานต้นสังกัดยังไม่มีแผนของปีงบประมาณ {year} ให้คัดลอก"),
                    )
                })?;
                let name = tree
                    .get(parent)
                    .map(|p| p.name_th.as_str().to_string())
                    .unwrap_or_default();
                (
                    src.content.fresh_copy(year, false),
                    Some(src.id),
                    PlanEventKind::Copied,
                    format!("คัดลอกจากแผนของ{name}"),
                )
            }
        };
        let by = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let at = self.clock.now();
        let plan = NewPlan {
            unit_id: unit,
            fiscal_year: year,
            content,
            copied_from,
            created_by: by,
            at,
        };
        let event = PlanEvent {
            plan_id: PlanId(0),
            at,
            user_id: by,
            kind,
            text,
            status: PlanStatus::Draft,
        };
        store.insert_plan(&plan, &event).await.map_err(|e| match e {
            crate::error::PortError::Conflict(_) => {
                DomainError::Conflict(format!("หน่วยงานนี้มีแผนของปีงบประมาณ {year} แล้ว"))
            }
            other => other.into(),
        })
    }

    /// A plan, for those who may read its unit's content.
    pub async fn km_plan(&self, actor: &Actor, id: PlanId) -> DomainResult<KmPlan> {
        let plan = self
            .plan_store()?
            .plan_by_id(id)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.authorize_unit(actor, Action::ViewUnitContent, plan.unit_id)
            .await?;
        Ok(plan)
    }

    /// A unit's plan of a year, if it has one.
    pub async fn plan_of(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: FiscalYear,
    ) -> DomainResult<Option<KmPlan>> {
        self.authorize_unit(actor, Action::ViewUnitContent, unit)
            .await?;
        Ok(self.plan_store()?.plan_of_unit(unit, year).await?)
    }

    /// Replaces the whole content (the XLSX import, a whole-plan form): validated whole, all
    /// or nothing; refused as Conflict when the plan changed since `expected_version`.
    pub async fn save_plan_content(
        &self,
        actor: &Actor,
        id: PlanId,
        expected_version: i32,
        content: PlanContent,
    ) -> DomainResult<KmPlan> {
        let text = format!(
            "บันทึกแผนทั้งฉบับ (แบบฟอร์มที่ ๑: {} แถว, แบบฟอร์มที่ ๒: {} กิจกรรม)",
            content.issues.len(),
            content.activities.len()
        );
        self.write_content(
            actor,
            id,
            expected_version,
            content,
            PlanEventKind::Edited,
            text,
        )
        .await
    }

    /// One row-at-a-time change (the plan page's forms), saved as a new version.
    pub async fn edit_plan(
        &self,
        actor: &Actor,
        id: PlanId,
        expected_version: i32,
        edit: PlanEdit,
    ) -> DomainResult<KmPlan> {
        let plan = self.km_plan(actor, id).await?;
        if plan.version != expected_version {
            return Err(DomainError::Conflict(STALE.into()));
        }
        let mut c = plan.content.clone();
        let missing = || DomainError::NotFound;
        let text = match edit {
            PlanEdit::StrategicIssues(s) => {
                c.strategic_issues = crate::text::tidy_multiline(&s);
                "แก้ไขประเด็นยุทธศาสตร์".to_string()
            }
            PlanEdit::PutIssue(Some(i), row) => {
                *c.issues.get_mut(i).ok_or_else(missing)? = row;
                format!("{}แก้ไข", row_prefix(1, i))
            }
            PlanEdit::PutIssue(None, row) => {
                c.issues.push(row);
                format!("{}เพิ่ม", row_prefix(1, c.issues.len() - 1))
            }
            PlanEdit::DeleteIssue(i) => {
                if i >= c.issues.len() {
                    return Err(missing());
                }
                let row = c.issues.remove(i);
                format!("{}ลบ \"{}\"", row_prefix(1, i), row.issue)
            }
            PlanEdit::MoveIssue(i, up) => {
                let j = if up { i.checked_sub(1) } else { Some(i + 1) };
                match j.filter(|j| *j < c.issues.len() && i < c.issues.len()) {
                    Some(j) => c.issues.swap(i, j),
                    None => return Ok(plan),
                }
                format!("{}ย้าย{}", row_prefix(1, i), if up { "ขึ้น" } else { "ลง" })
            }
            PlanEdit::PutActivity(Some(i), a) => {
                let old = c.activities.get_mut(i).ok_or_else(missing)?;
                let what = if old.without_status() == a.without_status() {
                    format!("สถานะ \"{}\"", a.status.label_th())
                } else {
                    "แก้ไข".to_string()
                };
                *old = *a;
                format!("{}{what}", row_prefix(2, i))
            }
            PlanEdit::PutActivity(None, a) => {
                c.activities.push(*a);
                format!("{}เพิ่ม", row_prefix(2, c.activities.len() - 1))
            }
            PlanEdit::DeleteActivity(i) => {
                if i >= c.activities.len() {
                    return Err(missing());
                }
                let a = c.activities.remove(i);
                format!("{}ลบ \"{}\"", row_prefix(2, i), a.title)
            }
            PlanEdit::MoveActivity(i, up) => {
                let step = c.activities.get(i).ok_or_else(missing)?.step;
                let same: Vec<usize> = (0..c.activities.len())
                    .filter(|k| c.activities[*k].step == step)
                    .collect();
                let pos = same.iter().position(|k| *k == i).expect("i is of its step");
                let other = if up {
                    pos.checked_sub(1).map(|p| same[p])
                } else {
                    same.get(pos + 1).copied()
                };
                match other {
                    Some(j) => c.activities.swap(i, j),
                    None => return Ok(plan),
                }
                format!("{}ย้าย{}", row_prefix(2, i), if up { "ขึ้น" } else { "ลง" })
            }
        };
        self.write_content(actor, id, expected_version, c, PlanEventKind::Edited, text)
            .await
    }

    /// Validates and stores new content; see the module's note on approval.
    pub(crate) async fn write_content(
        &self,
        actor: &Actor,
        id: PlanId,
        expected_version: i32,
        content: PlanContent,
        kind: PlanEventKind,
        text: String,
    ) -> DomainResult<KmPlan> {
        let store = self.plan_store()?;
        let plan = store.plan_by_id(id).await?.ok_or(DomainError::NotFound)?;
        self.authorize_unit(actor, Action::ManageKnowledge, plan.unit_id)
            .await?;
        let problems = content.problems(plan.fiscal_year);
        if !problems.is_empty() {
            return Err(DomainError::Invalid(problems));
        }
        if plan.version != expected_version {
            return Err(DomainError::Conflict(STALE.into()));
        }
        let by = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let now = self.clock.now();
        let progress_only = content.without_progress() == plan.content.without_progress();
        let mut next = plan.clone();
        let mut text = text;
        if !progress_only && matches!(plan.status, PlanStatus::Submitted | PlanStatus::Approved) {
            text.push_str(&format!(
                " — แผนกลับเป็นร่าง ต้องส่งให้หน่วยงานต้นสังกัดพิจารณาใหม่ (เดิม: {})",
                plan.status.label_th()
            ));
            next.status = PlanStatus::Draft;
            next.decided_at = None;
        }
        next.content = content;
        next.version = plan.version + 1;
        next.updated_at = now;
        let event = PlanEvent {
            plan_id: id,
            at: now,
            user_id: by,
            kind,
            text,
            status: next.status,
        };
        if !store.update_plan(&next, expected_version, &event).await? {
            return Err(DomainError::Conflict(STALE.into()));
        }
        Ok(next)
    }

    /// The plan's history and comments, oldest first, with who made each.
    pub async fn plan_history(&self, actor: &Actor, id: PlanId) -> DomainResult<Vec<HistoryRow>> {
        self.km_plan(actor, id).await?;
        let events = self.plan_store()?.plan_events(id).await?;
        let mut names: HashMap<crate::ids::UserId, String> = HashMap::new();
        let mut out = Vec::with_capacity(events.len());
        for e in events {
            let name = match names.get(&e.user_id) {
                Some(n) => n.clone(),
                None => {
                    let n = match self.store.get_user(e.user_id).await {
                        Ok(u) => u.display_name.as_str().to_string(),
                        Err(_) => format!("ผู้ใช้ #{}", e.user_id.0),
                    };
                    names.insert(e.user_id, n.clone());
                    n
                }
            };
            out.push(HistoryRow {
                event: e,
                user_name: name,
            });
        }
        Ok(out)
    }

    /// Every unit of the subtree under `root` that the actor may read, with its plan for the
    /// year (if any) and its activity counts; the root first, then the tree in order. One
    /// query for the year's plans, whatever the size of the tree.
    pub async fn plan_overview(
        &self,
        actor: &Actor,
        root: UnitId,
        year: FiscalYear,
    ) -> DomainResult<Vec<PlanOverview>> {
        let tree = self.unit_tree().await?;
        tree.get(root).ok_or(DomainError::NotFound)?;
        let plans: HashMap<UnitId, PlanSummary> = self
            .plan_store()?
            .plans_of_year(year)
            .await?
            .into_iter()
            .map(|p| (p.unit_id, p))
            .collect();
        let mut out = Vec::new();
        let mut stack = vec![root];
        let mut children: HashMap<Option<UnitId>, Vec<UnitId>> = HashMap::new();
        for u in tree.units() {
            children.entry(u.parent_id).or_default().push(u.id);
        }
        while let Some(u) = stack.pop() {
            if Self::may_on_unit(&tree, actor, Action::ViewUnitContent, u) {
                let p = plans.get(&u);
                out.push(PlanOverview {
                    unit_id: u,
                    plan: p.map(|p| (p.id, p.status)),
                    counts: p.map(|p| p.counts).unwrap_or_default(),
                });
            }
            if let Some(kids) = children.get(&Some(u)) {
                stack.extend(kids.iter().rev());
            }
        }
        Ok(out)
    }

    /// The plans of a year for several units at once (the /plans page), one query.
    pub async fn plans_of_units(
        &self,
        actor: &Actor,
        units: &[UnitId],
        year: FiscalYear,
    ) -> DomainResult<HashMap<UnitId, PlanSummary>> {
        let tree = self.unit_tree().await?;
        let wanted: Vec<UnitId> = units
            .iter()
            .copied()
            .filter(|u| Self::may_on_unit(&tree, actor, Action::ViewUnitContent, *u))
            .collect();
        Ok(self
            .plan_store()?
            .plans_of_year(year)
            .await?
            .into_iter()
            .filter(|p| wanted.contains(&p.unit_id))
            .map(|p| (p.unit_id, p))
            .collect())
    }
}

impl Activity {
    fn without_status(&self) -> Activity {
        let mut a = self.clone();
        a.status = Default::default();
        a
    }
}

/// The plan's completion counts, for pages that have the plan.
pub fn counts_of(plan: &KmPlan) -> ActivityCounts {
    ActivityCounts::of(&plan.content.activities)
}
