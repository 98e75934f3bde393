//! Target use-cases: progress (live from the repository, rolled up the current unit tree),
//! setting a unit's children's targets in one table, and the due-date reminders.

use super::model::{ProgressReport, Target, TargetChange, TargetInput};
use super::ports::TargetStore;
use super::progress::roll_up;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{TermId, UnitId, UserId};
use crate::notifications::NewNotice;
use crate::org::{Action, Actor, Target as Scope, UnitTree, authorize};
use crate::planning::FiscalYear;
use crate::service::Khlang;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::{Date, Duration, OffsetDateTime};

/// Reminders go out this many days before a target falls due (once each), to the unit's
/// officers, while the target is not met.
pub const REMINDER_DAYS: [(i64, &str); 2] = [(3, "due3"), (14, "due14")];

/// A date in Thai time.
pub fn thai_date(t: OffsetDateTime) -> Date {
    t.to_offset(crate::text::BANGKOK).date()
}

/// A date as the pages show it: `30 ก.ย. 2569`.
pub fn format_due(d: Date) -> String {
    crate::text::format_be_date(d.midnight().assume_offset(crate::text::BANGKOK))
}

fn subtree(tree: &UnitTree, root: UnitId) -> Vec<UnitId> {
    tree.units()
        .iter()
        .filter(|u| tree.is_within(u.id, root))
        .map(|u| u.id)
        .collect()
}

impl Khlang {
    fn target_store(&self) -> DomainResult<&Arc<dyn TargetStore>> {
        self.targets
            .as_ref()
            .ok_or_else(|| DomainError::internal("targets have no store"))
    }

    /// Progress of `root` and of each of its children for the year, live from the
    /// repository (the all-categories targets).
    pub async fn target_progress(
        &self,
        actor: &Actor,
        root: UnitId,
        year: FiscalYear,
    ) -> DomainResult<ProgressReport> {
        self.target_progress_in(actor, root, year, None).await
    }

    /// [`Khlang::target_progress`] for the targets of one category (None: all categories).
    /// Anyone who reads the unit's content sees it.
    pub async fn target_progress_in(
        &self,
        actor: &Actor,
        root: UnitId,
        year: FiscalYear,
        category: Option<TermId>,
    ) -> DomainResult<ProgressReport> {
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ViewUnitContent,
            &Scope::Unit(tree.path(root)?),
        )?;
        self.progress_unchecked(&tree, root, year, category).await
    }

    async fn progress_unchecked(
        &self,
        tree: &UnitTree,
        root: UnitId,
        year: FiscalYear,
        category: Option<TermId>,
    ) -> DomainResult<ProgressReport> {
        let store = self.target_store()?;
        let targets = store.targets_of_year(year, category).await?;
        let units = subtree(tree, root);
        let counts = store.item_status_counts(&units, year, category).await?;
        Ok(roll_up(
            tree,
            root,
            &targets,
            &counts,
            thai_date(self.clock.now()),
        ))
    }

    /// Whether `actor` may set the targets of `root`'s children (and of `root` itself).
    pub async fn may_set_targets(&self, actor: &Actor, root: UnitId) -> DomainResult<bool> {
        let tree = self.unit_tree().await?;
        Ok(authorize(
            actor,
            Action::ManageKnowledge,
            &Scope::Unit(tree.path(root)?),
        )
        .is_ok())
    }

    /// Sets (or, with a blank row, removes) the targets of `root`'s children and of `root`
    /// itself, all or nothing: the officers of a unit set its children's targets (a province
    /// its districts', seed 003) and their own. Every bad row is said in Thai at its boxes.
    pub async fn set_targets(
        &self,
        actor: &Actor,
        root: UnitId,
        year: FiscalYear,
        category: Option<TermId>,
        rows: &[TargetInput],
    ) -> DomainResult<usize> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ManageKnowledge,
            &Scope::Unit(tree.path(root)?),
        )?;
        if let Some(term) = category {
            let vocabulary = self.vocabulary().await?;
            if !vocabulary.terms.iter().any(|t| t.id == term) {
                return Err(DomainError::invalid("category", "ไม่พบหมวดหมู่ที่เลือก"));
            }
        }
        let mut errors: Vec<FieldError> = Vec::new();
        let mut changes = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let Some(unit) = tree.get(row.unit_id) else {
                return Err(DomainError::NotFound);
            };
            if unit.id != root && unit.parent_id != Some(root) {
                return Err(DomainError::invalid(
                    format!("rows.{i}.people"),
                    "ตั้งเป้าหมายได้เฉพาะหน่วยงานนี้และหน่วยงานในสังกัดโดยตรง",
                ));
            }
            match row.check(i, year) {
                Ok(c) => changes.push(c),
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        self.target_store()?
            .change_targets(year, category, &changes, me, self.clock.now())
            .await?;
        let summary: Vec<String> = changes
            .iter()
            .map(|c| match c {
                TargetChange::Set {
                    unit_id,
                    people,
                    items_per_person,
                    due,
                } => format!(
                    "{unit_id}: {people}×{items_per_person}{}",
                    due.map(|d| format!(" by {d}")).unwrap_or_default()
                ),
                TargetChange::Remove(u) => format!("{u}: removed"),
            })
            .collect();
        self.audit(
            Some(me),
            "targets.set",
            format!("unit:{root}"),
            format!(
                "{year}{} · {}",
                category.map(|c| format!(" term {c}")).unwrap_or_default(),
                summary.join("; ")
            ),
        )
        .await?;
        Ok(changes.len())
    }

    /// Reminds each unit's officers of a target not yet met that falls due within 14 days,
    /// and again within 3 (once each, whatever the number of processes: the notices carry
    /// `target:{id}:due14` / `due3` keys). Returns the notices asked for.
    pub async fn send_due_reminders(&self, now: OffsetDateTime) -> DomainResult<usize> {
        let Some(store) = self.targets.as_ref() else {
            return Ok(0);
        };
        let today = thai_date(now);
        let due = store
            .targets_due_between(today, today + Duration::days(14))
            .await?;
        if due.is_empty() {
            return Ok(0);
        }
        let tree = self.unit_tree().await?;
        // Progress per (year, category), each unit's own target rolled up from the tree.
        let mut groups: BTreeMap<(i32, Option<TermId>), Vec<Target>> = BTreeMap::new();
        for t in due {
            groups.entry((t.year.be(), t.category)).or_default().push(t);
        }
        let mut notices = Vec::new();
        for ((_, category), targets) in groups {
            for t in targets {
                let Some(unit) = tree.get(t.unit_id) else {
                    continue;
                };
                let Some(day) = t.due else { continue };
                let report = self
                    .progress_unchecked(&tree, t.unit_id, t.year, category)
                    .await?;
                // The unit's own target only: its counted is the root's when no target
                // below it; otherwise compute from the subtree less the children's targets.
                let own = own_counted(&report, &t);
                if own >= t.required() {
                    continue;
                }
                let left = (day - today).whole_days();
                let Some((_, key)) = REMINDER_DAYS.iter().find(|(d, _)| left <= *d) else {
                    continue;
                };
                let title = format!(
                    "เป้าหมายองค์ความรู้ปีงบประมาณ {} ของ{} ครบกำหนด {} ({}) ยังขาดอีก {} เรื่อง",
                    t.year,
                    unit.name_th.as_str(),
                    format_due(day),
                    if left == 0 {
                        "วันนี้".to_string()
                    } else {
                        format!("อีก {left} วัน")
                    },
                    t.required() - own
                );
                let link = format!("/targets?unit={}&year={}", t.unit_id, t.year);
                for user in self.target_store()?.unit_officers(t.unit_id).await? {
                    notices.push(NewNotice {
                        user,
                        kind: format!("target_{}", key.replace("due", "due_")),
                        title: title.clone(),
                        link: link.clone(),
                        once_key: Some(format!("target:{}:{key}", t.id)),
                    });
                }
            }
        }
        let n = notices.len();
        self.notify(notices).await?;
        Ok(n)
    }

    /// Officers who receive a unit's reminders (for tests and pages).
    pub async fn target_officers(&self, unit: UnitId) -> DomainResult<Vec<UserId>> {
        Ok(self.target_store()?.unit_officers(unit).await?)
    }
}

/// What a unit's own target counts: the subtree's counted less what its descendants'
/// targets count (their sums are the roll-ups of the children).
fn own_counted(report: &ProgressReport, t: &Target) -> u64 {
    let below: u64 = report.children.iter().map(|c| c.counted).sum();
    report.root.counted.saturating_sub(below).min(t.required())
}
