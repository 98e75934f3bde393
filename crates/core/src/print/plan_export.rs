//! The plan's official layouts as use-cases: the PDF, the two sheets, and the import of the
//! sheets back into a draft or returned plan.

use super::plan::plan_document;
use super::plan_sheets::{SheetGrid, SheetRows, carry_over, plan_sheets, read_plan_sheets};
use crate::error::{DomainError, DomainResult};
use crate::ids::{PlanId, UnitId};
use crate::org::{Action, Actor, Target, authorize};
use crate::planning::model::{KmPlan, PlanStatus};
use crate::planning::ports::PlanEventKind;
use crate::service::Khlang;

impl Khlang {
    /// The unit's Thai name, for headers.
    async fn plan_unit_name(&self, unit: UnitId) -> DomainResult<String> {
        let tree = self.unit_tree().await?;
        Ok(tree
            .get(unit)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default())
    }

    /// The plan as the official PDF (A4 landscape), for whoever may read the plan.
    pub async fn plan_pdf(&self, actor: &Actor, id: PlanId) -> DomainResult<(KmPlan, Vec<u8>)> {
        let plan = self.km_plan(actor, id).await?;
        let unit = self.plan_unit_name(plan.unit_id).await?;
        let pdf = self.print_pdf(plan_document(&plan, &unit)).await?;
        Ok((plan, pdf))
    }

    /// The plan's two sheets in seed 003's layout, for whoever may read the plan.
    pub async fn plan_sheets(
        &self,
        actor: &Actor,
        id: PlanId,
    ) -> DomainResult<(KmPlan, [SheetGrid; 2])> {
        let plan = self.km_plan(actor, id).await?;
        let unit = self.plan_unit_name(plan.unit_id).await?;
        let grids = plan_sheets(&plan, &unit);
        Ok((plan, grids))
    }

    /// The plan, if the actor may import into it: ManageKnowledge on its unit, and the plan
    /// still a draft or returned for changes.
    pub async fn plan_for_import(&self, actor: &Actor, id: PlanId) -> DomainResult<KmPlan> {
        let plan = self.km_plan(actor, id).await?;
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ManageKnowledge,
            &Target::Unit(tree.path(plan.unit_id)?),
        )?;
        match plan.status {
            PlanStatus::Draft | PlanStatus::Returned => Ok(plan),
            PlanStatus::Submitted | PlanStatus::Approved => Err(DomainError::Conflict(format!(
                "นำเข้าได้เฉพาะแผนที่เป็นร่างหรือถูกส่งกลับให้แก้ไข แผนนี้{}",
                plan.status.label_th()
            ))),
        }
    }

    /// Replaces the plan's content with the sheets' in one save: every row is read first and
    /// any bad row refuses the whole import with every problem named by sheet and row
    /// (`DomainError::Invalid`); evidence, chosen units and knowledge terms still matching are
    /// kept ([`carry_over`]).
    pub async fn import_plan_sheets(
        &self,
        actor: &Actor,
        id: PlanId,
        form1: &SheetRows,
        form2: &SheetRows,
    ) -> DomainResult<KmPlan> {
        let plan = self.plan_for_import(actor, id).await?;
        let mut content =
            read_plan_sheets(plan.fiscal_year, form1, form2).map_err(DomainError::Invalid)?;
        carry_over(&plan.content, &mut content);
        let text = format!(
            "นำเข้าจากไฟล์ Excel (แบบฟอร์มที่ ๑: {} ประเด็น, แบบฟอร์มที่ ๒: {} กิจกรรม)",
            content.issues.len(),
            content.activities.len()
        );
        self.write_content(
            actor,
            id,
            plan.version,
            content,
            PlanEventKind::Imported,
            text,
        )
        .await
    }
}
