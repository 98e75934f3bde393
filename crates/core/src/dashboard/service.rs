//! The dashboard use-case: one subtree, one fiscal year, every block on one screen.

use super::model::{self, ChildRow, Dashboard, InnovationsBlock, UnitRef};
use super::ports::DashboardStore;
use crate::error::{DomainError, DomainResult};
use crate::ids::{TermId, UnitId};
use crate::org::{Action, Actor, Target, UnitTree, authorize};
use crate::planning::FiscalYear;
use crate::registry_tables::model::StatisticsFilter;
use crate::service::Khlang;
use std::collections::HashMap;
use std::sync::Arc;

/// The taxonomy whose terms are block 1's categories.
pub const CATEGORY_TAXONOMY: &str = "category";
/// How many past fiscal years the year picker offers besides the current one.
const PAST_YEARS: i32 = 4;
/// The label of a unit's own items beside its children's.
pub const OWN_ITEMS: &str = "ของหน่วยงานเอง";

impl Khlang {
    fn dashboard_store(&self) -> DomainResult<&Arc<dyn DashboardStore>> {
        self.dashboard
            .as_ref()
            .ok_or_else(|| DomainError::internal("the dashboard has no store"))
    }

    /// The unit a viewer's dashboard opens on: the highest unit they may read (the top of
    /// the tree for site administrators); None when they may read none.
    pub fn dashboard_default_unit(tree: &UnitTree, actor: &Actor) -> Option<UnitId> {
        readable(tree, actor)
            .into_iter()
            .min_by_key(|(_, depth)| *depth)
            .map(|(u, _)| u)
    }

    /// The dashboard of `unit` (default: [`Self::dashboard_default_unit`]) for `year`
    /// (default: the current fiscal year). Needs [`Action::ViewUnitContent`] on the unit.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        unit: Option<UnitId>,
        year: Option<FiscalYear>,
    ) -> DomainResult<Dashboard> {
        if matches!(actor, Actor::Anonymous) {
            return Err(DomainError::Unauthenticated);
        }
        let tree = self.unit_tree().await?;
        let root = match unit {
            Some(u) => u,
            None => Self::dashboard_default_unit(&tree, actor).ok_or(DomainError::Forbidden)?,
        };
        let path = tree.path(root)?;
        authorize(actor, Action::ViewUnitContent, &Target::Unit(path.clone()))?;
        let current = FiscalYear::of(self.clock.now());
        let year = year.unwrap_or(current);
        let unit_ref = |id: UnitId| UnitRef {
            id,
            name: tree
                .get(id)
                .map(|u| u.name_th.as_str().to_string())
                .unwrap_or_default(),
            depth: tree.path(id).map(|p| p.0.len() - 1).unwrap_or(0),
        };
        let me = unit_ref(root);
        let scope = format!("{} · ปีงบประมาณ {}", me.name, year.be());

        // Every unit of the subtree, mapped to the child of `root` it lies under.
        let depth = path.0.len();
        let mut rollup: HashMap<UnitId, Option<UnitId>> = HashMap::new();
        for u in tree.units() {
            if let Ok(p) = tree.path(u.id)
                && p.0.len() >= depth
                && p.0[depth - 1] == root
            {
                rollup.insert(u.id, p.0.get(depth).copied());
            }
        }
        // The order the database is asked in does not matter; a stable one keeps plans alike.
        let mut subtree: Vec<UnitId> = rollup.keys().copied().collect();
        subtree.sort();
        let units = (subtree.len() < tree.len()).then_some(subtree.as_slice());
        let children: Vec<UnitRef> = tree
            .children(Some(root))
            .map(|u| UnitRef {
                id: u.id,
                name: u.name_th.as_str().to_string(),
                depth,
            })
            .collect();

        let vocab = self.vocabulary().await?;
        let categories: Vec<(TermId, String)> = vocab
            .taxonomies
            .iter()
            .find(|t| t.key == CATEGORY_TAXONOMY)
            .map(|tx| {
                let mut terms: Vec<_> = vocab.terms_of(tx.id).filter(|t| !t.retired).collect();
                terms.sort_by_key(|t| t.id);
                terms
                    .into_iter()
                    .map(|t| (t.id, t.label_th.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let category_ids: Vec<TermId> = categories.iter().map(|(id, _)| *id).collect();

        let store = self.dashboard_store()?;
        let registry_year =
            crate::registry_tables::model::FiscalYear::parse("year", &year.be().to_string())
                .map_err(|e| DomainError::Invalid(vec![e]))?;
        let statistics_filter = StatisticsFilter {
            subtree: Some(root),
            fiscal_year: Some(registry_year),
        };
        let (counts, term_counts, statistics, targets, plans, levels) = futures::try_join!(
            async { Ok::<_, DomainError>(store.count_items(units, year.be()).await?) },
            async {
                Ok::<_, DomainError>(
                    store
                        .count_item_terms(units, year.be(), &category_ids)
                        .await?,
                )
            },
            self.dashboard_innovations(&statistics_filter),
            self.target_progress(actor, root, year),
            self.plan_overview(actor, root, year),
            self.success_levels(actor, root, year),
        )?;

        let totals = model::child_item_totals(&counts, &rollup);
        let child_rows: Vec<ChildRow> = children
            .iter()
            .map(|c| {
                let (items, published) = totals.get(&Some(c.id)).copied().unwrap_or_default();
                ChildRow {
                    unit: c.clone(),
                    items,
                    published,
                    target: targets.children.iter().find(|p| p.unit_id == c.id).cloned(),
                    plan: plans.iter().find(|p| p.unit_id == c.id).cloned(),
                    level: levels.iter().find(|l| l.unit_id == c.id).copied(),
                }
            })
            .collect();
        let items = model::items_block(
            &scope,
            &counts,
            &categories,
            &term_counts,
            &children,
            &rollup,
            OWN_ITEMS,
        );
        let own_level = levels.iter().find(|l| l.unit_id == root).copied();
        let targets = model::targets_block(&scope, &me, targets.root, &child_rows);
        let plans = model::plans_block(&scope, &child_rows);
        let levels = model::levels_block(&scope, own_level, &child_rows);

        let ancestors = path.0[..depth - 1]
            .iter()
            .filter(|id| {
                tree.path(**id).is_ok_and(|p| {
                    authorize(actor, Action::ViewUnitContent, &Target::Unit(p)).is_ok()
                })
            })
            .map(|id| unit_ref(*id))
            .collect();
        let choices = picker_choices(&tree, actor, root);
        let mut years: Vec<FiscalYear> = (0..=PAST_YEARS)
            .filter_map(|i| FiscalYear::parse(&(current.be() - i).to_string()).ok())
            .collect();
        if !years.contains(&year) {
            years.push(year);
            years.sort_by(|a, b| b.cmp(a));
        }
        Ok(Dashboard {
            unit: me,
            ancestors,
            year,
            choices,
            years,
            children: child_rows,
            items,
            innovations: statistics,
            targets,
            plans,
            levels,
            scope,
        })
    }

    /// Block 2: the registry's own by-branch table for the subtree and year.
    async fn dashboard_innovations(
        &self,
        filter: &StatisticsFilter,
    ) -> DomainResult<InnovationsBlock> {
        if self.innovations.is_none() {
            return Ok(InnovationsBlock {
                total: 0,
                by_branch: crate::report::ReportTable::shares(
                    "นวัตกรรม จำแนกตามสาขา",
                    "สาขา",
                    Vec::new(),
                ),
            });
        }
        let s = self.innovation_statistics(filter).await?;
        Ok(InnovationsBlock {
            total: s.total,
            by_branch: s.by_branch,
        })
    }
}

/// The unit picker: the top units the viewer may read and their children, then the chosen
/// unit's line from the top and its children — a hundred-odd options for the whole
/// department, not its nine hundred units. Tree order, no repeats.
fn picker_choices(tree: &UnitTree, actor: &Actor, root: UnitId) -> Vec<UnitRef> {
    let readable = readable(tree, actor);
    let top = readable.iter().map(|(_, d)| *d).min().unwrap_or(0);
    let root_path = tree.path(root).map(|p| p.0).unwrap_or_default();
    readable
        .into_iter()
        .filter(|(u, d)| {
            *d <= top + 1
                || root_path.contains(u)
                || tree.get(*u).and_then(|x| x.parent_id) == Some(root)
        })
        .map(|(id, d)| UnitRef {
            id,
            name: tree
                .get(id)
                .map(|u| u.name_th.as_str().to_string())
                .unwrap_or_default(),
            depth: d.saturating_sub(top),
        })
        .collect()
}

/// Active units the actor may read, in tree order (depth first), with their depth: one pass
/// over the tree ([`Khlang::units_where`] walks it in O(n²), too slow for 900 units on every
/// request).
fn readable(tree: &UnitTree, actor: &Actor) -> Vec<(UnitId, usize)> {
    let mut children: HashMap<Option<UnitId>, Vec<UnitId>> = HashMap::new();
    for u in tree.units() {
        children.entry(u.parent_id).or_default().push(u.id);
    }
    let mut out = Vec::new();
    // (unit, depth), popped in tree order.
    let mut stack: Vec<(UnitId, usize)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|u| (*u, 0)).collect())
        .unwrap_or_default();
    while let Some((id, depth)) = stack.pop() {
        let Some(unit) = tree.get(id) else { continue };
        if !unit.retired
            && tree
                .path(id)
                .is_ok_and(|p| authorize(actor, Action::ViewUnitContent, &Target::Unit(p)).is_ok())
        {
            out.push((id, depth));
        }
        if let Some(kids) = children.get(&Some(id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}
