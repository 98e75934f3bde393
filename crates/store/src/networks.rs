//! [`NetworkStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.

use crate::levels::write_audit;
use crate::people::insert_person_on;
use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{MemberId, PersonId, UnitId, UserId};
use khlang_core::networks::model::{Member, MemberFields, Registry};
use khlang_core::networks::ports::{ImportRow, NamedPerson, NetworkStore, NewMember};
use khlang_core::ports::{AuditEntry, Page, PortResult};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait, Value};
use time::OffsetDateTime;

const COLUMNS: &str = "id, registry, unit_id, person_id, position, affiliation, works, subjects, \
     training_passed, user_id, created_by, created_ms, updated_ms";

fn to_member(r: &QueryResult) -> PortResult<Member> {
    let registry: String = get(r, "registry")?;
    Ok(Member {
        id: MemberId(get(r, "id")?),
        registry: Registry::parse(&registry)
            .ok_or_else(|| PortError::Other(format!("stored registry is invalid: {registry}")))?,
        unit_id: UnitId(get(r, "unit_id")?),
        person_id: PersonId(get(r, "person_id")?),
        position: get(r, "position")?,
        affiliation: get(r, "affiliation")?,
        works: get(r, "works")?,
        subjects: get(r, "subjects")?,
        training_passed: get(r, "training_passed")?,
        user_id: get::<Option<i64>>(r, "user_id")?.map(UserId),
        created_by: get::<Option<i64>>(r, "created_by")?.map(UserId),
        created_at: from_ms(get(r, "created_ms")?)?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
    })
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

async fn insert_on(
    db: &impl ConnectionTrait,
    registry: Registry,
    unit: UnitId,
    person: PersonId,
    f: &MemberFields,
    by: Option<UserId>,
    at: OffsetDateTime,
) -> PortResult<MemberId> {
    let found = rows(
        db,
        "INSERT INTO km_network_members (registry, unit_id, person_id, position, affiliation, \
         works, subjects, training_passed, user_id, created_by, created_ms, updated_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            registry.as_str().into(),
            unit.0.into(),
            person.0.into(),
            f.position.clone().into(),
            f.affiliation.clone().into(),
            f.works.clone().into(),
            f.subjects.clone().into(),
            f.training_passed.into(),
            f.user_id.map(|u| u.0).into(),
            by.map(|u| u.0).into(),
            ms(at).into(),
            ms(at).into(),
        ],
    )
    .await?;
    let r = found
        .first()
        .ok_or_else(|| PortError::Other("no member id returned".into()))?;
    Ok(MemberId(get(r, "id")?))
}

#[async_trait]
impl NetworkStore for SeaStore {
    async fn insert_member(&self, m: NewMember<'_>) -> PortResult<MemberId> {
        insert_on(
            self.connection(),
            m.registry,
            m.unit_id,
            m.person_id,
            m.fields,
            m.created_by,
            m.at,
        )
        .await
    }

    async fn get_member(&self, id: MemberId) -> PortResult<Member> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM km_network_members WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        found.first().map(to_member).ok_or(PortError::NotFound)?
    }

    async fn update_member(&self, m: &Member) -> PortResult<()> {
        let n = exec(
            self.connection(),
            "UPDATE km_network_members SET position = ?, affiliation = ?, works = ?, \
             subjects = ?, training_passed = ?, user_id = ?, updated_ms = ? WHERE id = ?",
            vec![
                m.position.clone().into(),
                m.affiliation.clone().into(),
                m.works.clone().into(),
                m.subjects.clone().into(),
                m.training_passed.into(),
                m.user_id.map(|u| u.0).into(),
                ms(m.updated_at).into(),
                m.id.0.into(),
            ],
        )
        .await?;
        if n == 0 {
            return Err(PortError::NotFound);
        }
        Ok(())
    }

    async fn delete_member(&self, id: MemberId, audit: AuditEntry) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let n = exec(
            &txn,
            "DELETE FROM km_network_members WHERE id = ?",
            vec![id.0.into()],
        )
        .await?;
        if n == 0 {
            return Err(PortError::NotFound);
        }
        write_audit(&txn, audit).await?;
        txn.commit().await.map_err(map_err)
    }

    async fn list_members(
        &self,
        registry: Registry,
        units: &[UnitId],
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Member>> {
        let per_page = per_page.max(1);
        let page = page.max(1);
        if units.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                page,
                per_page,
                total: 0,
            });
        }
        let cond = format!("registry = ? AND unit_id IN ({})", marks(units.len()));
        let mut values: Vec<Value> = vec![registry.as_str().into()];
        values.extend(units.iter().map(|u| Value::from(u.0)));
        let counted = rows(
            self.connection(),
            &format!("SELECT COUNT(*) AS n FROM km_network_members WHERE {cond}"),
            values.clone(),
        )
        .await?;
        let total: i64 = match counted.first() {
            Some(r) => get(r, "n")?,
            None => 0,
        };
        let offset = (page - 1).saturating_mul(per_page);
        values.push((per_page as i64).into());
        values.push((offset.min(i64::MAX as u64) as i64).into());
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM km_network_members WHERE {cond} \
                 ORDER BY unit_id, id LIMIT ? OFFSET ?"
            ),
            values,
        )
        .await?;
        Ok(Page {
            items: found.iter().map(to_member).collect::<PortResult<_>>()?,
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }

    async fn people_named(&self, name_keys: &[String]) -> PortResult<Vec<NamedPerson>> {
        let mut out = Vec::new();
        for chunk in name_keys.chunks(500) {
            let mut values: Vec<Value> = vec![false.into()];
            values.extend(chunk.iter().map(|k| Value::from(k.clone())));
            let found = rows(
                self.connection(),
                &format!(
                    "SELECT id, unit_id, name, name_key FROM people WHERE erased = ? \
                     AND merged_into IS NULL AND name_key IN ({}) ORDER BY id",
                    marks(chunk.len())
                ),
                values,
            )
            .await?;
            for r in &found {
                out.push(NamedPerson {
                    name_key: get(r, "name_key")?,
                    person_id: PersonId(get(r, "id")?),
                    unit_id: UnitId(get(r, "unit_id")?),
                    name: get(r, "name")?,
                });
            }
        }
        Ok(out)
    }

    async fn import_members(
        &self,
        registry: Registry,
        unit: UnitId,
        batch: &[ImportRow<'_>],
        audit: AuditEntry,
    ) -> PortResult<Vec<MemberId>> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let mut ids = Vec::with_capacity(batch.len());
        for row in batch {
            let person = insert_person_on(&txn, &row.person).await?;
            write_audit(
                &txn,
                AuditEntry {
                    actor: audit.actor,
                    action: "person.create".into(),
                    target: format!("person:{person}"),
                    detail: format!("unit:{unit} import {}", registry.as_str()),
                    at: audit.at,
                },
            )
            .await?;
            ids.push(
                insert_on(
                    &txn,
                    registry,
                    unit,
                    person,
                    row.fields,
                    row.person.created_by,
                    row.person.at,
                )
                .await?,
            );
        }
        write_audit(&txn, audit).await?;
        txn.commit().await.map_err(map_err)?;
        Ok(ids)
    }
}
