//! [`TargetStore`] over the database in plain SQL that SQLite and PostgreSQL both speak;
//! due dates are ISO text, times Unix milliseconds.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{TargetId, TermId, UnitId, UserId};
use khlang_core::org::{Action, Role};
use khlang_core::planning::FiscalYear;
use khlang_core::ports::PortResult;
use khlang_core::targets::TargetStore;
use khlang_core::targets::model::{StatusCount, Target, TargetChange, parse_due};
use sea_orm::{QueryResult, TransactionTrait, Value};
use time::{Date, OffsetDateTime};

const COLUMNS: &str = "id, unit_id, fiscal_year, category_term_id, people, items_per_person, \
     due_date, set_by, set_ms";

fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

fn to_target(r: &QueryResult) -> PortResult<Target> {
    let year: i32 = get(r, "fiscal_year")?;
    let due = match get::<Option<String>>(r, "due_date")? {
        None => None,
        Some(s) => {
            Some(parse_due(&s).ok_or_else(|| PortError::Other(format!("stored due date {s:?}")))?)
        }
    };
    let count = |col: &str| -> PortResult<u32> {
        u32::try_from(get::<i64>(r, col)?).map_err(|e| PortError::Other(e.to_string()))
    };
    Ok(Target {
        id: TargetId(get(r, "id")?),
        unit_id: UnitId(get(r, "unit_id")?),
        year: FiscalYear::parse(&year.to_string())
            .map_err(|e| PortError::Other(format!("stored fiscal year: {}", e.message)))?,
        category: get::<Option<i64>>(r, "category_term_id")?.map(TermId),
        people: count("people")?,
        items_per_person: count("items_per_person")?,
        due,
        set_by: UserId(get(r, "set_by")?),
        set_at: from_ms(get(r, "set_ms")?)?,
    })
}

/// `category_term_id = ?` or `IS NULL`, with the value to bind if any.
fn category_cond(category: Option<TermId>) -> (&'static str, Option<Value>) {
    match category {
        Some(t) => ("category_term_id = ?", Some(t.0.into())),
        None => ("category_term_id IS NULL", None),
    }
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

#[async_trait]
impl TargetStore for SeaStore {
    async fn targets_of_year(
        &self,
        year: FiscalYear,
        category: Option<TermId>,
    ) -> PortResult<Vec<Target>> {
        let (cond, value) = category_cond(category);
        let mut values: Vec<Value> = vec![year.be().into()];
        values.extend(value);
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM km_targets WHERE fiscal_year = ? AND {cond} ORDER BY id"
            ),
            values,
        )
        .await?;
        found.iter().map(to_target).collect()
    }

    async fn change_targets(
        &self,
        year: FiscalYear,
        category: Option<TermId>,
        changes: &[TargetChange],
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        let (cond, value) = category_cond(category);
        let txn = self.connection().begin().await.map_err(map_err)?;
        for c in changes {
            match *c {
                TargetChange::Set {
                    unit_id,
                    people,
                    items_per_person,
                    due,
                } => {
                    let mut values: Vec<Value> = vec![
                        i64::from(people).into(),
                        i64::from(items_per_person).into(),
                        due.map(iso).into(),
                        by.0.into(),
                        ms(at).into(),
                        unit_id.0.into(),
                        year.be().into(),
                    ];
                    values.extend(value.clone());
                    let n = exec(
                        &txn,
                        &format!(
                            "UPDATE km_targets SET people = ?, items_per_person = ?, \
                             due_date = ?, set_by = ?, set_ms = ? \
                             WHERE unit_id = ? AND fiscal_year = ? AND {cond}"
                        ),
                        values,
                    )
                    .await?;
                    if n == 0 {
                        exec(
                            &txn,
                            "INSERT INTO km_targets (unit_id, fiscal_year, category_term_id, \
                             people, items_per_person, due_date, set_by, set_ms) \
                             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            vec![
                                unit_id.0.into(),
                                year.be().into(),
                                category.map(|t| t.0).into(),
                                i64::from(people).into(),
                                i64::from(items_per_person).into(),
                                due.map(iso).into(),
                                by.0.into(),
                                ms(at).into(),
                            ],
                        )
                        .await?;
                    }
                }
                TargetChange::Remove(unit_id) => {
                    let mut values: Vec<Value> = vec![unit_id.0.into(), year.be().into()];
                    values.extend(value.clone());
                    exec(
                        &txn,
                        &format!(
                            "DELETE FROM km_targets WHERE unit_id = ? AND fiscal_year = ? \
                             AND {cond}"
                        ),
                        values,
                    )
                    .await?;
                }
            }
        }
        txn.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn item_status_counts(
        &self,
        units: &[UnitId],
        year: FiscalYear,
        category: Option<TermId>,
    ) -> PortResult<Vec<StatusCount>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut values: Vec<Value> = vec![year.be().into()];
        values.extend(units.iter().map(|u| Value::from(u.0)));
        let mut sql = format!(
            "SELECT unit_id, status, COUNT(*) AS n FROM items \
             WHERE fiscal_year = ? AND unit_id IN ({})",
            marks(units.len())
        );
        if let Some(t) = category {
            sql.push_str(" AND id IN (SELECT item_id FROM item_terms WHERE term_id = ?)");
            values.push(t.0.into());
        }
        sql.push_str(" GROUP BY unit_id, status");
        let found = rows(self.connection(), &sql, values).await?;
        found
            .iter()
            .map(|r| {
                Ok(StatusCount {
                    unit_id: UnitId(get(r, "unit_id")?),
                    status: get(r, "status")?,
                    count: u64::try_from(get::<i64>(r, "n")?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn targets_due_between(&self, from: Date, to: Date) -> PortResult<Vec<Target>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM km_targets WHERE due_date >= ? AND due_date <= ? \
                 ORDER BY id"
            ),
            vec![iso(from).into(), iso(to).into()],
        )
        .await?;
        found.iter().map(to_target).collect()
    }

    async fn unit_officers(&self, unit: UnitId) -> PortResult<Vec<UserId>> {
        let roles: Vec<&str> = Role::ALL
            .iter()
            .filter(|r| r.allows(Action::ManageKnowledge))
            .map(|r| r.as_str())
            .collect();
        let mut values: Vec<Value> = vec![unit.0.into(), false.into()];
        values.extend(roles.iter().map(|r| Value::from(*r)));
        let found = rows(
            self.connection(),
            &format!(
                "SELECT DISTINCT g.user_id FROM role_grants g JOIN users u ON u.id = g.user_id \
                 WHERE g.unit_id = ? AND u.disabled = ? AND g.role IN ({}) ORDER BY g.user_id",
                marks(roles.len())
            ),
            values,
        )
        .await?;
        found
            .iter()
            .map(|r| Ok(UserId(get(r, "user_id")?)))
            .collect()
    }
}
