//! Success level use-cases: the page of a unit's year, confirming and withdrawing a level,
//! and the levels of a unit and its children for overviews.

use super::UnitLevel;
use super::model::{LEVELS, LevelDraft, LevelRecord, UnitActivity, reached};
use super::ports::LevelStore;
use crate::error::{DomainError, DomainResult};
use crate::ids::UnitId;
use crate::org::{Action, Actor, Target, UnitTree, authorize};
use crate::planning::FiscalYear;
use crate::ports::AuditEntry;
use crate::service::Khlang;
use std::collections::HashMap;
use std::sync::Arc;

/// One level of a unit's year as the page shows it.
#[derive(Debug, Clone)]
pub struct LevelStatus {
    pub level: u8,
    pub title: &'static str,
    pub criteria: &'static str,
    pub confirmed: Option<LevelRecord>,
    /// The numbers behind levels 3–5 (shown whether or not they suggest the level).
    pub backing: Option<String>,
    /// The data supports the level and nobody has confirmed it yet.
    pub suggested: bool,
}

/// A unit's success levels for a year, with its children's.
#[derive(Debug, Clone)]
pub struct LevelsView {
    pub unit_id: UnitId,
    pub year: FiscalYear,
    pub levels: Vec<LevelStatus>,
    /// The highest level confirmed with all below it.
    pub reached: u8,
    pub activity: UnitActivity,
    /// ManageKnowledge on the unit (or above it): may confirm and withdraw.
    pub may_confirm: bool,
    pub children: Vec<UnitLevel>,
}

/// Confirmed levels and subtree activity of the year, by unit.
struct YearData {
    confirmed: HashMap<UnitId, Vec<LevelRecord>>,
    activity: HashMap<UnitId, UnitActivity>,
}

impl YearData {
    fn unit_level(&self, unit: UnitId) -> UnitLevel {
        let levels: Vec<u8> = self
            .confirmed
            .get(&unit)
            .map(|v| v.iter().map(|r| r.level).collect())
            .unwrap_or_default();
        let confirmed = reached(&levels);
        let supported = self
            .activity
            .get(&unit)
            .map(|a| a.highest_supported())
            .unwrap_or(0);
        UnitLevel {
            unit_id: unit,
            confirmed,
            suggested: (supported > confirmed).then_some(supported),
        }
    }
}

impl Khlang {
    fn level_store(&self) -> DomainResult<&Arc<dyn LevelStore>> {
        self.levels
            .as_ref()
            .ok_or_else(|| DomainError::internal("success level store not configured"))
    }

    /// Two queries for the whole tree: confirmations, and each unit's own activity added up
    /// to every unit above it.
    async fn year_data(&self, tree: &UnitTree, year: FiscalYear) -> DomainResult<YearData> {
        let store = self.level_store()?;
        let mut confirmed: HashMap<UnitId, Vec<LevelRecord>> = HashMap::new();
        for r in store.levels_of_year(year.be()).await? {
            confirmed.entry(r.unit_id).or_default().push(r);
        }
        let mut activity: HashMap<UnitId, UnitActivity> = HashMap::new();
        for own in store.activity_of_year(year.be()).await? {
            let Ok(path) = tree.path(own.unit_id) else {
                continue;
            };
            for u in path.0 {
                activity
                    .entry(u)
                    .or_insert_with(|| UnitActivity::new(u))
                    .add(&own);
            }
        }
        Ok(YearData {
            confirmed,
            activity,
        })
    }

    /// The level of `root` and of each of its children for the year (root first, children
    /// in the tree's order). Needs ViewUnitContent on `root`.
    pub async fn success_levels(
        &self,
        actor: &Actor,
        root: UnitId,
        year: FiscalYear,
    ) -> DomainResult<Vec<UnitLevel>> {
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ViewUnitContent,
            &Target::Unit(tree.path(root)?),
        )?;
        let data = self.year_data(&tree, year).await?;
        let mut out = vec![data.unit_level(root)];
        out.extend(tree.children(Some(root)).map(|u| data.unit_level(u.id)));
        Ok(out)
    }

    /// The levels page of a unit's year: each level with its criteria, confirmation or
    /// suggestion, and the children's levels. Needs ViewUnitContent on the unit.
    pub async fn levels_view(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: FiscalYear,
    ) -> DomainResult<LevelsView> {
        let tree = self.unit_tree().await?;
        let target = Target::Unit(tree.path(unit)?);
        authorize(actor, Action::ViewUnitContent, &target)?;
        let may_confirm = authorize(actor, Action::ManageKnowledge, &target).is_ok();
        let data = self.year_data(&tree, year).await?;
        let activity = data
            .activity
            .get(&unit)
            .copied()
            .unwrap_or(UnitActivity::new(unit));
        let mine = data.confirmed.get(&unit).cloned().unwrap_or_default();
        let levels = LEVELS
            .iter()
            .map(|&(level, title, criteria)| {
                let confirmed = mine.iter().find(|r| r.level == level).cloned();
                LevelStatus {
                    level,
                    title,
                    criteria,
                    suggested: confirmed.is_none() && activity.supports(level),
                    confirmed,
                    backing: activity.backing(level),
                }
            })
            .collect();
        let levels_done: Vec<u8> = mine.iter().map(|r| r.level).collect();
        Ok(LevelsView {
            unit_id: unit,
            year,
            levels,
            reached: reached(&levels_done),
            activity,
            may_confirm,
            children: tree
                .children(Some(unit))
                .map(|u| data.unit_level(u.id))
                .collect(),
        })
    }

    fn level_number(level: u8) -> DomainResult<u8> {
        if (1..=5).contains(&level) {
            Ok(level)
        } else {
            Err(DomainError::NotFound)
        }
    }

    fn level_audit(&self, actor: &Actor, action: &str, unit: UnitId, detail: String) -> AuditEntry {
        AuditEntry {
            actor: actor.user_id(),
            action: action.to_string(),
            target: format!("unit:{unit}"),
            detail,
            at: self.clock.now(),
        }
    }

    /// Confirms a level (date, evidence, note): ManageKnowledge on the unit or above it.
    /// Audited ("level.confirm"). A level confirmed already is a Conflict.
    pub async fn confirm_level(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: FiscalYear,
        level: u8,
        draft: &LevelDraft,
    ) -> DomainResult<()> {
        let level = Self::level_number(level)?;
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ManageKnowledge,
            &Target::Unit(tree.path(unit)?),
        )?;
        let now = self.clock.now();
        let f = draft
            .parse(year, now.to_offset(crate::text::BANGKOK).date())
            .map_err(DomainError::Invalid)?;
        let record = LevelRecord {
            unit_id: unit,
            fiscal_year: year.be(),
            level,
            achieved_on: f.achieved_on,
            evidence: f.evidence,
            note: f.note,
            confirmed_by: actor.user_id(),
            confirmed_at: now,
        };
        let audit = self.level_audit(
            actor,
            "level.confirm",
            unit,
            format!("ปีงบประมาณ {year} ระดับ {level}"),
        );
        match self.level_store()?.confirm_level(&record, audit).await {
            Ok(()) => Ok(()),
            Err(crate::error::PortError::Conflict(_)) => Err(DomainError::Conflict(format!(
                "ระดับ {level} ของปีงบประมาณ {year} ยืนยันไว้แล้ว — ถ้าต้องการแก้ ให้ยกเลิกการยืนยันก่อน"
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Withdraws a confirmation (to correct it): ManageKnowledge on the unit; audited.
    pub async fn withdraw_level(
        &self,
        actor: &Actor,
        unit: UnitId,
        year: FiscalYear,
        level: u8,
    ) -> DomainResult<()> {
        let level = Self::level_number(level)?;
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ManageKnowledge,
            &Target::Unit(tree.path(unit)?),
        )?;
        let audit = self.level_audit(
            actor,
            "level.withdraw",
            unit,
            format!("ปีงบประมาณ {year} ระดับ {level}"),
        );
        if self
            .level_store()?
            .withdraw_level(unit, year.be(), level, audit)
            .await?
        {
            Ok(())
        } else {
            Err(DomainError::NotFound)
        }
    }
}
