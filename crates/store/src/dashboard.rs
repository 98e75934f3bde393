//! [`DashboardStore`] over the database in plain SQL that SQLite and PostgreSQL both speak:
//! grouped counts over `items` for one fiscal year, read from the m0017 index
//! `(fiscal_year, unit_id, status, knowledge_type)` alone.

use crate::search::rows;
use crate::store::{SeaStore, get};
use async_trait::async_trait;
use khlang_core::dashboard::{DashboardStore, ItemCount, TermCount};
use khlang_core::ids::{TermId, UnitId};
use khlang_core::item::ItemStatus;
use khlang_core::ports::PortResult;
use sea_orm::Value;

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `fiscal_year` and `units` as SQL on `i.` with its values.
fn of_year(units: Option<&[UnitId]>, fiscal_year: i32) -> (String, Vec<Value>) {
    let mut sql = vec!["i.fiscal_year = ?".to_string()];
    let mut values: Vec<Value> = vec![fiscal_year.into()];
    if let Some(units) = units {
        if units.is_empty() {
            sql.push("1 = 0".into());
        } else {
            sql.push(format!("i.unit_id IN ({})", marks(units.len())));
            values.extend(units.iter().map(|u| Value::from(u.0)));
        }
    }
    (sql.join(" AND "), values)
}

/// 1 for a published item, 0 for any other; the status is a constant of the code, written
/// into the SQL so both engines see the same expression in SELECT and GROUP BY.
fn published_flag() -> String {
    format!(
        "CASE WHEN i.status = '{}' THEN 1 ELSE 0 END",
        ItemStatus::Published.as_str()
    )
}

#[async_trait]
impl DashboardStore for SeaStore {
    async fn count_items(
        &self,
        units: Option<&[UnitId]>,
        fiscal_year: i32,
    ) -> PortResult<Vec<ItemCount>> {
        let (cond, values) = of_year(units, fiscal_year);
        let found = rows(
            self.connection(),
            &format!(
                "SELECT i.unit_id AS unit_id, i.status AS status, \
                 i.knowledge_type AS knowledge_type, COUNT(*) AS n FROM items i \
                 WHERE {cond} GROUP BY i.unit_id, i.status, i.knowledge_type"
            ),
            values,
        )
        .await?;
        found
            .iter()
            .map(|r| {
                Ok(ItemCount {
                    unit_id: UnitId(get(r, "unit_id")?),
                    status: get(r, "status")?,
                    knowledge_type: get(r, "knowledge_type")?,
                    count: get::<i64>(r, "n")?.max(0) as u64,
                })
            })
            .collect()
    }

    async fn count_item_terms(
        &self,
        units: Option<&[UnitId]>,
        fiscal_year: i32,
        terms: &[TermId],
    ) -> PortResult<Vec<TermCount>> {
        let flag = published_flag();
        let (cond, values) = of_year(units, fiscal_year);
        // One pass: an item joins once per term it carries among `terms`, and once with a
        // NULL term when it carries none of them.
        let on_terms = if terms.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("t.term_id IN ({})", marks(terms.len()))
        };
        let mut all: Vec<Value> = terms.iter().map(|t| Value::from(t.0)).collect();
        all.extend(values);
        let found = rows(
            self.connection(),
            &format!(
                "SELECT t.term_id AS term_id, {flag} AS published, COUNT(*) AS n \
                 FROM items i LEFT JOIN item_terms t ON t.item_id = i.id AND {on_terms} \
                 WHERE {cond} GROUP BY t.term_id, {flag}"
            ),
            all,
        )
        .await?;
        let mut out = Vec::with_capacity(found.len());
        for r in &found {
            out.push(TermCount {
                term: get::<Option<i64>>(r, "term_id")?.map(TermId),
                published: get::<i32>(r, "published")? == 1,
                count: get::<i64>(r, "n")?.max(0) as u64,
            });
        }
        Ok(out)
    }
}
