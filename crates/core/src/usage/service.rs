//! Use-cases of usage statistics: counting a view or a download, an item's counts, the
//! per-unit report for officers (/stats) and the home page's most-read list.

use super::model::{
    Client, DOUBLE_CLICK_WINDOW, Hit, MonthlyUse, UseCount, day_key, fiscal_days, fiscal_month_of,
    is_robot,
};
use super::ports::{ItemUse, Recording, TopQuery, UsageStore};
use crate::account::Secret;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ItemId, UnitId};
use crate::org::{Action, Actor};
use crate::recognition::sharing::FIRST_YEAR;
use crate::service::Khlang;
use crate::text::fiscal_year_be;
use std::sync::Arc;
use time::Duration;
use tokio::sync::OnceCell;

/// Who may read the usage report of a unit: those who run its KM (นักจัดการความรู้, the unit's
/// administrators, site administrators). Readers and contributors may not.
pub const STATS_ACTION: Action = Action::ManageKnowledge;

/// The home page's most-read list covers this many days up to today.
pub const MOST_READ_DAYS: i64 = 90;

/// How many items a report's top list shows.
pub const TOP_ITEMS: u64 = 10;

/// The store and the window's secret, read once per process.
pub struct UsageParts {
    store: Arc<dyn UsageStore>,
    secret: OnceCell<String>,
}

impl UsageParts {
    pub fn new(store: Arc<dyn UsageStore>) -> Self {
        Self {
            store,
            secret: OnceCell::new(),
        }
    }
}

/// One row of the report: a unit with everything under it.
#[derive(Debug, Clone)]
pub struct UsageRow {
    pub unit_id: UnitId,
    pub name: String,
    pub counts: MonthlyUse,
}

#[derive(Debug, Clone)]
pub struct UsageReport {
    pub unit_id: UnitId,
    pub fiscal_year: i32,
    /// The unit itself first (its whole subtree), then each direct child (its subtree).
    pub rows: Vec<UsageRow>,
    /// The most viewed items of the unit's subtree in the year.
    pub top: Vec<ItemUse>,
    /// Units the reader may choose instead (id, path).
    pub choices: Vec<(UnitId, String)>,
}

impl Khlang {
    fn usage_parts(&self) -> DomainResult<&Arc<UsageParts>> {
        self.usage
            .as_ref()
            .ok_or_else(|| DomainError::internal("usage statistics have no store"))
    }

    /// Counts a view of an item's page or a download of one of its files, as COUNTER does:
    /// robots (the robots list, an empty user agent) are not counted, nor a repeat by the same
    /// client within [`DOUBLE_CLICK_WINDOW`], nor anything of an item that is not published
    /// (an editor previewing a draft). Whether the reader may read it is the page's business:
    /// call this after serving it. Returns whether it counted.
    pub async fn record_use(&self, client: &Client, hit: Hit) -> DomainResult<bool> {
        let Some(parts) = self.usage.as_ref() else {
            return Ok(false);
        };
        if is_robot(client.user_agent.as_deref()) {
            return Ok(false);
        }
        let secret = parts
            .secret
            .get_or_try_init(|| async {
                let fresh = Secret::generate("");
                parts.store.usage_secret(fresh.expose()).await
            })
            .await?;
        let now = self.clock.now();
        let r = Recording {
            hit,
            fingerprint: client.fingerprint(secret, &hit),
            at: now,
            window_start: now - DOUBLE_CLICK_WINDOW,
            day: day_key(now),
        };
        Ok(parts.store.record_use(&r).await?)
    }

    /// Forgets the double-click window's fingerprints once the window has passed (the binary's
    /// 10-minute sweep; recording also forgets them as it goes). Returns how many.
    pub async fn forget_usage_window(&self) -> DomainResult<u64> {
        let Some(parts) = self.usage.as_ref() else {
            return Ok(0);
        };
        let before = self.clock.now() - DOUBLE_CLICK_WINDOW;
        Ok(parts.store.forget_seen_before(before).await?)
    }

    /// An item's views and downloads, all time, for its page (which has checked that the
    /// reader may read it). Nothing when usage statistics are not wired.
    pub async fn item_use(&self, item: ItemId) -> DomainResult<UseCount> {
        let Some(parts) = self.usage.as_ref() else {
            return Ok(UseCount::default());
        };
        Ok(parts
            .store
            .use_counts(&[item])
            .await?
            .get(&item)
            .copied()
            .unwrap_or_default())
    }

    /// "อ่านมากที่สุด": the published items most viewed in the last [`MOST_READ_DAYS`] days
    /// that this reader may read.
    pub async fn most_read(&self, actor: &Actor, limit: u64) -> DomainResult<Vec<ItemUse>> {
        let Some(parts) = self.usage.as_ref() else {
            return Ok(Vec::new());
        };
        let now = self.clock.now();
        let q = TopQuery {
            units: None,
            readable: self.readable(actor).await?,
            published_only: true,
            from: day_key(now - Duration::days(MOST_READ_DAYS - 1)),
            to: day_key(now) + 1,
            limit,
        };
        Ok(parts
            .store
            .top_items(&q)
            .await?
            .into_iter()
            .filter(|i| i.views > 0)
            .collect())
    }

    /// The usage report (/stats) for `unit` (default: the highest unit the reader may report
    /// on) and fiscal year `fy` (default: the current one): views and downloads per month for
    /// the unit and each direct child, each rolled up over its subtree, and the top items.
    /// Forbidden without [`STATS_ACTION`] on the unit; a year out of range is an invalid field.
    pub async fn usage_report(
        &self,
        actor: &Actor,
        unit: Option<UnitId>,
        fy: Option<i32>,
    ) -> DomainResult<UsageReport> {
        if actor.user_id().is_none() {
            return Err(DomainError::Unauthenticated);
        }
        let tree = self.unit_tree().await?;
        let allowed = Self::units_where(&tree, actor, STATS_ACTION);
        let unit = match unit {
            Some(u) => u,
            None => allowed
                .iter()
                .copied()
                .find(|u| !allowed.iter().any(|a| a != u && tree.is_within(*u, *a)))
                .ok_or(DomainError::Forbidden)?,
        };
        if !allowed.contains(&unit) || tree.get(unit).is_none() {
            return Err(DomainError::Forbidden);
        }
        let current = fiscal_year_be(self.clock.now());
        let fy = fy.unwrap_or(current);
        if !(FIRST_YEAR..=current + 1).contains(&fy) {
            return Err(DomainError::invalid("year", "ปีงบประมาณไม่ถูกต้อง"));
        }
        let (from, to) = fiscal_days(fy);
        let subtree: Vec<UnitId> = tree
            .units()
            .iter()
            .filter(|u| tree.is_within(u.id, unit))
            .map(|u| u.id)
            .collect();
        let store = &self.usage_parts()?.store;
        let found = store.use_by_unit_month(&subtree, from, to).await?;
        let mut heads: Vec<UnitId> = vec![unit];
        heads.extend(tree.children(Some(unit)).map(|c| c.id));
        let rows = heads
            .into_iter()
            .map(|head| {
                let mut counts = MonthlyUse::default();
                for m in found.iter().filter(|m| tree.is_within(m.unit_id, head)) {
                    counts.add(fiscal_month_of(m.month), m.views, m.downloads);
                }
                UsageRow {
                    unit_id: head,
                    name: tree
                        .get(head)
                        .map(|u| u.name_th.as_str().to_string())
                        .unwrap_or_default(),
                    counts,
                }
            })
            .collect();
        let top = store
            .top_items(&TopQuery {
                units: Some(subtree),
                readable: None,
                published_only: false,
                from,
                to,
                limit: TOP_ITEMS,
            })
            .await?;
        let choices = allowed
            .iter()
            .map(|u| (*u, tree.display_path(*u)))
            .collect();
        Ok(UsageReport {
            unit_id: unit,
            fiscal_year: fy,
            rows,
            top,
            choices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::Role;

    #[test]
    fn officers_and_unit_admins_may_report_readers_and_contributors_may_not() {
        assert!(Role::Admin.allows(STATS_ACTION));
        assert!(Role::KmOfficer.allows(STATS_ACTION));
        assert!(!Role::Reviewer.allows(STATS_ACTION));
        assert!(!Role::Contributor.allows(STATS_ACTION));
        assert!(!Role::Viewer.allows(STATS_ACTION));
    }
}
