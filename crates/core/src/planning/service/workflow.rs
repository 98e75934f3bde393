//! A plan's review: draft → submitted (by the unit's officers: ManageKnowledge on the plan's
//! unit) → approved, or returned with a comment (ManageKnowledge on the PARENT unit; for a
//! unit without a parent, the site administrator only — nobody's own officers approve their
//! own plan). Comments by either side at any time. Every step is a history row and a notice.

use super::STALE;
use crate::error::{DomainError, DomainResult};
use crate::ids::{PlanId, UnitId, UserId};
use crate::notifications::model::NewNotice;
use crate::org::{Action, Actor, Role, Target, UnitTree, authorize};
use crate::planning::model::{KmPlan, PlanStatus};
use crate::planning::ports::{PlanEvent, PlanEventKind};
use crate::service::Khlang;

/// What the parent unit decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanDecision {
    Approve,
    Return,
}

/// The longest comment.
const MAX_COMMENT: usize = 4000;

/// The roles that run a unit's KM (hold ManageKnowledge), who are told about its plan.
const OFFICER_ROLES: [Role; 2] = [Role::Admin, Role::KmOfficer];

/// Whether `actor` may approve or return a plan of `unit`.
pub fn may_decide(tree: &UnitTree, actor: &Actor, unit: UnitId) -> bool {
    match tree.get(unit).and_then(|u| u.parent_id) {
        Some(parent) => tree
            .path(parent)
            .is_ok_and(|p| authorize(actor, Action::ManageKnowledge, &Target::Unit(p)).is_ok()),
        None => actor.is_site_admin(),
    }
}

impl Khlang {
    /// Whether the actor may approve or return the plan (for showing the buttons).
    pub async fn may_decide_plan(&self, actor: &Actor, plan: &KmPlan) -> DomainResult<bool> {
        let tree = self.unit_tree().await?;
        Ok(may_decide(&tree, actor, plan.unit_id))
    }

    /// Whether the actor may edit, submit and comment on the plan.
    pub async fn may_manage_plan(&self, actor: &Actor, plan: &KmPlan) -> DomainResult<bool> {
        let tree = self.unit_tree().await?;
        Ok(Self::may_on_unit(
            &tree,
            actor,
            Action::ManageKnowledge,
            plan.unit_id,
        ))
    }

    /// Sends the plan to the parent unit for approval (from draft or returned).
    pub async fn submit_plan(
        &self,
        actor: &Actor,
        id: PlanId,
        expected_version: i32,
        comment: &str,
    ) -> DomainResult<KmPlan> {
        let store = self.plan_store()?;
        let plan = store.plan_by_id(id).await?.ok_or(DomainError::NotFound)?;
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ManageKnowledge,
            &Target::Unit(tree.path(plan.unit_id)?),
        )?;
        if !matches!(plan.status, PlanStatus::Draft | PlanStatus::Returned) {
            return Err(DomainError::Conflict(format!(
                "แผนนี้{}แล้ว ส่งซ้ำไม่ได้",
                plan.status.label_th()
            )));
        }
        if plan.content.activities.is_empty() {
            return Err(DomainError::invalid(
                "submit",
                "แผนยังไม่มีกิจกรรมในแบบฟอร์มที่ ๒ กรุณาเพิ่มกิจกรรมก่อนส่ง",
            ));
        }
        let comment = check_comment(comment, false)?;
        let plan = self
            .plan_transition(
                actor,
                plan,
                expected_version,
                PlanStatus::Submitted,
                PlanEventKind::Submitted,
                comment,
            )
            .await?;
        let to = self.plan_deciders(&tree, plan.unit_id).await?;
        let unit = tree.display_path(plan.unit_id);
        self.tell_plan(
            actor,
            to,
            "plan_submitted",
            format!(
                "{unit} ส่งแผนการจัดการความรู้ปีงบประมาณ {} ให้พิจารณา",
                plan.fiscal_year
            ),
            &plan,
        )
        .await?;
        Ok(plan)
    }

    /// Approves a submitted plan, or returns it with a comment (required).
    pub async fn decide_plan(
        &self,
        actor: &Actor,
        id: PlanId,
        expected_version: i32,
        decision: PlanDecision,
        comment: &str,
    ) -> DomainResult<KmPlan> {
        let store = self.plan_store()?;
        let plan = store.plan_by_id(id).await?.ok_or(DomainError::NotFound)?;
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ViewUnitContent,
            &Target::Unit(tree.path(plan.unit_id)?),
        )?;
        if !may_decide(&tree, actor, plan.unit_id) {
            return Err(DomainError::Forbidden);
        }
        if plan.status != PlanStatus::Submitted {
            return Err(DomainError::Conflict(format!(
                "พิจารณาได้เฉพาะแผนที่ส่งแล้ว แผนนี้สถานะ \"{}\"",
                plan.status.label_th()
            )));
        }
        let (status, kind, notice, verb) = match decision {
            PlanDecision::Approve => (
                PlanStatus::Approved,
                PlanEventKind::Approved,
                "plan_approved",
                "อนุมัติ",
            ),
            PlanDecision::Return => (
                PlanStatus::Returned,
                PlanEventKind::Returned,
                "plan_returned",
                "ส่งกลับให้แก้ไข",
            ),
        };
        let comment = check_comment(comment, decision == PlanDecision::Return)?;
        let plan = self
            .plan_transition(actor, plan, expected_version, status, kind, comment)
            .await?;
        let to = self.plan_people(&plan).await?;
        self.tell_plan(
            actor,
            to,
            notice,
            format!(
                "แผนการจัดการความรู้ปีงบประมาณ {} ของ{} ได้รับการ{verb}",
                plan.fiscal_year,
                tree.get(plan.unit_id)
                    .map(|u| u.name_th.as_str())
                    .unwrap_or_default()
            ),
            &plan,
        )
        .await?;
        Ok(plan)
    }

    /// A comment by the unit's or the parent's side, at any time; changes nothing else.
    pub async fn comment_plan(&self, actor: &Actor, id: PlanId, text: &str) -> DomainResult<()> {
        let store = self.plan_store()?;
        let plan = store.plan_by_id(id).await?.ok_or(DomainError::NotFound)?;
        let tree = self.unit_tree().await?;
        let own_side = Self::may_on_unit(&tree, actor, Action::ManageKnowledge, plan.unit_id);
        if !own_side && !may_decide(&tree, actor, plan.unit_id) {
            authorize(
                actor,
                Action::ManageKnowledge,
                &Target::Unit(tree.path(plan.unit_id)?),
            )?;
        }
        let text = check_comment(text, true)?;
        let by = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        store
            .add_plan_event(&PlanEvent {
                plan_id: id,
                at: self.clock.now(),
                user_id: by,
                kind: PlanEventKind::Commented,
                text: text.clone(),
                status: plan.status,
            })
            .await?;
        let mut to = self.plan_people(&plan).await?;
        to.extend(self.plan_deciders(&tree, plan.unit_id).await?);
        let short: String = text.chars().take(80).collect();
        self.tell_plan(
            actor,
            to,
            "plan_commented",
            format!(
                "ความเห็นใหม่ในแผนการจัดการความรู้ปีงบประมาณ {}: {short}",
                plan.fiscal_year
            ),
            &plan,
        )
        .await
    }

    async fn plan_transition(
        &self,
        actor: &Actor,
        plan: KmPlan,
        expected_version: i32,
        status: PlanStatus,
        kind: PlanEventKind,
        comment: String,
    ) -> DomainResult<KmPlan> {
        if plan.version != expected_version {
            return Err(DomainError::Conflict(STALE.into()));
        }
        let by = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let now = self.clock.now();
        let mut next = plan.clone();
        next.status = status;
        next.version = plan.version + 1;
        next.updated_at = now;
        match status {
            PlanStatus::Submitted => {
                next.submitted_at = Some(now);
                next.decided_at = None;
            }
            PlanStatus::Approved | PlanStatus::Returned => next.decided_at = Some(now),
            PlanStatus::Draft => {}
        }
        let event = PlanEvent {
            plan_id: plan.id,
            at: now,
            user_id: by,
            kind,
            text: comment,
            status,
        };
        if !self
            .plan_store()?
            .update_plan(&next, expected_version, &event)
            .await?
        {
            return Err(DomainError::Conflict(STALE.into()));
        }
        Ok(next)
    }

    /// The officers who decide the unit's plan: those granted on the parent unit, or, when
    /// nobody is, on the nearest unit above it that has some (never the whole chain to the
    /// top, which would tell every district's plan to the department).
    async fn plan_deciders(&self, tree: &UnitTree, unit: UnitId) -> DomainResult<Vec<UserId>> {
        let store = self.plan_store()?;
        let mut cur = tree.get(unit).and_then(|u| u.parent_id);
        while let Some(u) = cur {
            let found = store.users_with_roles(&[u], &OFFICER_ROLES).await?;
            if !found.is_empty() {
                return Ok(found);
            }
            cur = tree.get(u).and_then(|x| x.parent_id);
        }
        Ok(Vec::new())
    }

    /// The plan's creator and the officers granted on its unit.
    async fn plan_people(&self, plan: &KmPlan) -> DomainResult<Vec<UserId>> {
        let mut to = self
            .plan_store()?
            .users_with_roles(&[plan.unit_id], &OFFICER_ROLES)
            .await?;
        to.push(plan.created_by);
        Ok(to)
    }

    async fn tell_plan(
        &self,
        actor: &Actor,
        mut to: Vec<UserId>,
        kind: &str,
        title: String,
        plan: &KmPlan,
    ) -> DomainResult<()> {
        to.sort();
        to.dedup();
        let me = actor.user_id();
        let notices = to
            .into_iter()
            .filter(|u| Some(*u) != me)
            .map(|user| NewNotice {
                user,
                kind: kind.to_string(),
                title: title.clone(),
                link: format!("/plans/{}", plan.id.0),
                once_key: None,
            })
            .collect::<Vec<_>>();
        if notices.is_empty() {
            return Ok(());
        }
        self.notify(notices).await
    }
}

fn check_comment(text: &str, required: bool) -> DomainResult<String> {
    let t = crate::text::tidy_multiline(text);
    if required && t.is_empty() {
        return Err(DomainError::invalid("comment", "กรุณาเขียนความเห็น"));
    }
    if t.chars().count() > MAX_COMMENT {
        return Err(DomainError::invalid(
            "comment",
            format!("ความเห็นยาวเกิน {MAX_COMMENT} ตัวอักษร"),
        ));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitId;
    use crate::org::{SignedIn, Unit, UnitCode, UnitKind, UnitName};

    fn unit(id: i64, parent: Option<i64>, code: &str) -> Unit {
        Unit {
            id: UnitId(id),
            parent_id: parent.map(UnitId),
            code: UnitCode::parse(code).unwrap(),
            kind: UnitKind::Other,
            name_th: UnitName::parse("name_th", code).unwrap(),
            name_en: None,
            short_th: None,
            retired: false,
        }
    }

    fn user(site_admin: bool, grants: &[(Role, i64)]) -> Actor {
        Actor::User(SignedIn {
            user_id: UserId(9),
            site_admin,
            grants: grants.iter().map(|(r, u)| (*r, UnitId(*u))).collect(),
        })
    }

    /// Department(1) → province(2) → district(3); a sibling province(4).
    #[test]
    fn the_parent_decides_and_nobody_approves_their_own_plan() {
        let tree = UnitTree::new(vec![
            unit(1, None, "DEP"),
            unit(2, Some(1), "DEP-P"),
            unit(3, Some(2), "DEP-P-D"),
            unit(4, Some(1), "DEP-Q"),
        ]);
        let province = user(false, &[(Role::KmOfficer, 2)]);
        let department = user(false, &[(Role::Admin, 1)]);
        let sibling = user(false, &[(Role::KmOfficer, 4)]);
        let district = user(false, &[(Role::KmOfficer, 3)]);
        let viewer = user(false, &[(Role::Viewer, 2)]);
        let admin = user(true, &[]);
        assert!(may_decide(&tree, &province, UnitId(3)));
        assert!(
            may_decide(&tree, &department, UnitId(3)),
            "grants reach down"
        );
        assert!(!may_decide(&tree, &district, UnitId(3)), "own plan");
        assert!(!may_decide(&tree, &sibling, UnitId(3)));
        assert!(!may_decide(&tree, &viewer, UnitId(3)));
        assert!(!may_decide(&tree, &province, UnitId(2)), "own plan");
        assert!(may_decide(&tree, &department, UnitId(2)));
        // The department has no parent: only the site administrator decides its plan.
        assert!(!may_decide(&tree, &department, UnitId(1)));
        assert!(may_decide(&tree, &admin, UnitId(1)));
    }
}
