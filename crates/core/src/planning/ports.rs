//! What KM plans need from storage.

use super::model::{FiscalYear, KmPlan, PlanContent, PlanStatus};
use super::progress::ActivityCounts;
use crate::ids::{PlanId, UnitId, UserId};
use crate::org::Role;
use crate::ports::PortResult;
use async_trait::async_trait;
use time::OffsetDateTime;

/// A plan about to be stored (its first version).
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub unit_id: UnitId,
    pub fiscal_year: FiscalYear,
    pub content: PlanContent,
    pub copied_from: Option<PlanId>,
    pub created_by: UserId,
    pub at: OffsetDateTime,
}

/// What happened to a plan: one row of its history, comments included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlanEventKind {
    Created,
    Copied,
    Edited,
    Imported,
    Submitted,
    Approved,
    Returned,
    Commented,
}

impl PlanEventKind {
    pub const ALL: [PlanEventKind; 8] = [
        PlanEventKind::Created,
        PlanEventKind::Copied,
        PlanEventKind::Edited,
        PlanEventKind::Imported,
        PlanEventKind::Submitted,
        PlanEventKind::Approved,
        PlanEventKind::Returned,
        PlanEventKind::Commented,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanEventKind::Created => "created",
            PlanEventKind::Copied => "copied",
            PlanEventKind::Edited => "edited",
            PlanEventKind::Imported => "imported",
            PlanEventKind::Submitted => "submitted",
            PlanEventKind::Approved => "approved",
            PlanEventKind::Returned => "returned",
            PlanEventKind::Commented => "commented",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            PlanEventKind::Created => "สร้างแผน",
            PlanEventKind::Copied => "สร้างแผนจากสำเนา",
            PlanEventKind::Edited => "แก้ไข",
            PlanEventKind::Imported => "นำเข้าจากไฟล์",
            PlanEventKind::Submitted => "ส่งแผนให้หน่วยงานต้นสังกัด",
            PlanEventKind::Approved => "อนุมัติแผน",
            PlanEventKind::Returned => "ส่งกลับให้แก้ไข",
            PlanEventKind::Commented => "ความเห็น",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One row of a plan's history (who, when, what, and the status after it).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEvent {
    pub plan_id: PlanId,
    pub at: OffsetDateTime,
    pub user_id: UserId,
    pub kind: PlanEventKind,
    /// The comment, or what changed ("แบบฟอร์มที่ ๒ แถวที่ 3: แก้ไข").
    pub text: String,
    pub status: PlanStatus,
}

/// A plan without its content, for overviews (one query for a whole fiscal year).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanSummary {
    pub id: PlanId,
    pub unit_id: UnitId,
    pub fiscal_year: FiscalYear,
    pub status: PlanStatus,
    pub version: i32,
    pub counts: ActivityCounts,
    pub updated_at: OffsetDateTime,
}

#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Stores a new plan with its first history row; Conflict when the unit already has a
    /// plan for the year.
    async fn insert_plan(&self, plan: &NewPlan, event: &PlanEvent) -> PortResult<KmPlan>;

    async fn plan_by_id(&self, id: PlanId) -> PortResult<Option<KmPlan>>;

    async fn plan_of_unit(&self, unit: UnitId, year: FiscalYear) -> PortResult<Option<KmPlan>>;

    /// Writes the plan's content, status and times as given (its `version` already the next
    /// one) with a history row, in one transaction, only when the stored version is still
    /// `expected_version`; false (nothing written) when it is not.
    async fn update_plan(
        &self,
        plan: &KmPlan,
        expected_version: i32,
        event: &PlanEvent,
    ) -> PortResult<bool>;

    /// A history row that changes nothing else (a comment).
    async fn add_plan_event(&self, event: &PlanEvent) -> PortResult<()>;

    /// The plan's history, oldest first.
    async fn plan_events(&self, plan: PlanId) -> PortResult<Vec<PlanEvent>>;

    /// Every plan of a fiscal year, without content, in one query.
    async fn plans_of_year(&self, year: FiscalYear) -> PortResult<Vec<PlanSummary>>;

    /// Enabled users holding one of `roles` granted directly on one of `units` (callers pass
    /// a unit's path to include those granted above it).
    async fn users_with_roles(&self, units: &[UnitId], roles: &[Role]) -> PortResult<Vec<UserId>>;
}
