//! KM plans (แผนการจัดการความรู้ของหน่วยงาน, seed 003): Form 1 and Form 2 per unit and fiscal
//! year, drafted by the unit, submitted to the parent unit, commented on and approved, with
//! their history; copies of last year's or the parent's plan; the Gantt by fiscal month.
//!
//! - [`model`]: the forms' shapes, the fiscal year and its months.
//! - [`progress`]: what "% complete" means (activities, plans, targets), written once.
//! - [`service`]: the use-cases.

pub mod labels;
pub mod model;
pub mod ports;
pub mod progress;
pub mod service;

pub use model::{FiscalYear, KmPlan, KmStep, PlanContent, PlanStatus};
pub use ports::PlanStore;

use crate::ids::{PlanId, UnitId};
use progress::ActivityCounts;

/// One unit's plan in an overview (the executive dashboard, the parent's list of its
/// children's plans): None when the unit has no plan for the year.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOverview {
    pub unit_id: UnitId,
    pub plan: Option<(PlanId, PlanStatus)>,
    pub counts: ActivityCounts,
}
