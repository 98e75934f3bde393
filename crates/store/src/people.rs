//! [`PeopleStore`] over the `people` table (m0010_people), in SQL both SQLite and PostgreSQL
//! speak. Erasure and merging write their audit entry in the same transaction.

use crate::entities::audit_entry;
use crate::search::{exec, rows};
use crate::store::{SeaStore, map_err, utc};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::geo::{DistrictCode, Place, ProvinceCode, SubdistrictCode};
use khlang_core::ids::{PersonId, UnitId, UserId};
use khlang_core::people::model::{Consent, Person, PublicScope, name_key};
use khlang_core::people::ports::{NewPerson, PeopleQuery, PeopleStore};
use khlang_core::ports::{AuditEntry, Page, PortResult};
use sea_orm::{ActiveModelTrait, ConnectionTrait, QueryResult, Set, TransactionTrait, Value};
use time::{Date, OffsetDateTime};

fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

fn from_ms(n: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(n as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored person {what} is invalid: {e}"))
}

const COLUMNS: &str = "id, unit_id, name, province, district, subdistrict, village_no, village, \
    phone, occupation, status, education, volunteer_years, volunteer_no, consent_purpose, \
    consent_date, consent_by, consent_public, erased, merged_into, created_by, created_ms, updated_ms";

fn to_person(r: &QueryResult) -> PortResult<Person> {
    let get_s = |c: &str| -> PortResult<Option<String>> { r.try_get("", c).map_err(map_err) };
    let get_i = |c: &str| -> PortResult<Option<i64>> { r.try_get("", c).map_err(map_err) };
    let get_n = |c: &str| -> PortResult<Option<i32>> { r.try_get("", c).map_err(map_err) };
    let place = match get_s("province")? {
        Some(p) => Some(Place {
            province: ProvinceCode::parse(&p).map_err(|e| corrupt("province", e))?,
            district: get_s("district")?
                .map(|d| DistrictCode::parse(&d))
                .transpose()
                .map_err(|e| corrupt("district", e))?,
            subdistrict: get_s("subdistrict")?
                .map(|s| SubdistrictCode::parse(&s))
                .transpose()
                .map_err(|e| corrupt("subdistrict", e))?,
            village_no: get_n("village_no")?.and_then(|n| u8::try_from(n).ok()),
            village: get_s("village")?,
        }),
        None => None,
    };
    let consent = match (get_s("consent_purpose")?, get_s("consent_date")?) {
        (Some(purpose), Some(date)) => Some(Consent {
            purpose,
            given_on: Date::parse(
                &date,
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|e| corrupt("consent date", e))?,
            recorded_by: get_i("consent_by")?.map(UserId),
            public: PublicScope::parse(&get_s("consent_public")?.unwrap_or_default())
                .unwrap_or_default(),
        }),
        _ => None,
    };
    Ok(Person {
        id: PersonId(r.try_get("", "id").map_err(map_err)?),
        unit_id: UnitId(r.try_get("", "unit_id").map_err(map_err)?),
        name: r.try_get("", "name").map_err(map_err)?,
        place,
        phone: get_s("phone")?,
        occupation: get_s("occupation")?,
        status: get_s("status")?,
        education: get_s("education")?,
        volunteer_years: get_n("volunteer_years")?.and_then(|n| u16::try_from(n).ok()),
        volunteer_no: get_s("volunteer_no")?,
        consent,
        erased: r.try_get("", "erased").map_err(map_err)?,
        merged_into: get_i("merged_into")?.map(PersonId),
        created_by: get_i("created_by")?.map(UserId),
        created_at: from_ms(r.try_get("", "created_ms").map_err(map_err)?),
        updated_at: from_ms(r.try_get("", "updated_ms").map_err(map_err)?),
    })
}

fn opt_s(v: &Option<String>) -> Value {
    Value::String(v.clone().map(Box::new))
}

fn opt_code(v: Option<impl ToString>) -> Value {
    Value::String(v.map(|c| Box::new(c.to_string())))
}

/// The columns a person's fields write, in the order of [`FIELD_COLUMNS`].
fn field_values(p: &Person) -> Vec<Value> {
    let place = p.place.as_ref();
    let consent = p.consent.as_ref();
    vec![
        p.name.clone().into(),
        name_key(&p.name).into(),
        opt_code(place.map(|x| x.province)),
        opt_code(place.and_then(|x| x.district)),
        opt_code(place.and_then(|x| x.subdistrict)),
        Value::Int(place.and_then(|x| x.village_no).map(i32::from)),
        opt_s(&place.and_then(|x| x.village.clone())),
        opt_s(&p.phone),
        opt_s(&p.occupation),
        opt_s(&p.status),
        opt_s(&p.education),
        Value::Int(p.volunteer_years.map(i32::from)),
        opt_s(&p.volunteer_no),
        opt_s(&consent.map(|c| c.purpose.clone())),
        opt_s(&consent.map(|c| c.given_on.to_string())),
        Value::BigInt(consent.and_then(|c| c.recorded_by).map(|u| u.0)),
        consent
            .map(|c| c.public)
            .unwrap_or_default()
            .as_str()
            .into(),
        p.erased.into(),
        ms(p.updated_at).into(),
    ]
}

const FIELD_COLUMNS: [&str; 19] = [
    "name",
    "name_key",
    "province",
    "district",
    "subdistrict",
    "village_no",
    "village",
    "phone",
    "occupation",
    "status",
    "education",
    "volunteer_years",
    "volunteer_no",
    "consent_purpose",
    "consent_date",
    "consent_by",
    "consent_public",
    "erased",
    "updated_ms",
];

async fn write_person(db: &impl ConnectionTrait, p: &Person) -> PortResult<()> {
    let set = FIELD_COLUMNS
        .iter()
        .map(|c| format!("{c} = ?"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut values = field_values(p);
    values.push(p.id.0.into());
    let n = exec(db, &format!("UPDATE people SET {set} WHERE id = ?"), values).await?;
    if n == 0 {
        return Err(PortError::NotFound);
    }
    Ok(())
}

async fn insert_audit(db: &impl ConnectionTrait, e: AuditEntry) -> PortResult<()> {
    audit_entry::ActiveModel {
        actor_id: Set(e.actor.map(|a| a.0)),
        action: Set(e.action),
        target: Set(e.target),
        detail: Set(e.detail),
        at: Set(utc(e.at)),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(map_err)?;
    Ok(())
}

/// `%text%` for LIKE, with the pattern characters escaped (`ESCAPE '\'`).
fn like(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Inserts a person on `db` (a connection or a transaction): the register's own insert, and
/// the network registry's import, which records people and rows in one transaction.
pub(crate) async fn insert_person_on(
    db: &impl ConnectionTrait,
    new: &NewPerson<'_>,
) -> PortResult<PersonId> {
    let f = new.fields;
    let person = Person {
        id: PersonId(0),
        unit_id: new.unit_id,
        name: f.name.clone(),
        place: f.place.clone(),
        phone: f.phone.clone(),
        occupation: f.occupation.clone(),
        status: f.status.clone(),
        education: f.education.clone(),
        volunteer_years: f.volunteer_years,
        volunteer_no: f.volunteer_no.clone(),
        consent: Some(Consent {
            purpose: f.consent.purpose.clone(),
            given_on: f.consent.given_on,
            recorded_by: new.consent_by,
            public: f.consent.public,
        }),
        erased: false,
        merged_into: None,
        created_by: new.created_by,
        created_at: new.at,
        updated_at: new.at,
    };
    let mut cols: Vec<&str> = FIELD_COLUMNS.to_vec();
    cols.extend(["unit_id", "created_by", "created_ms"]);
    let mut values = field_values(&person);
    values.push(new.unit_id.0.into());
    values.push(Value::BigInt(new.created_by.map(|u| u.0)));
    values.push(ms(new.at).into());
    let marks = vec!["?"; cols.len()].join(", ");
    let found = rows(
        db,
        &format!(
            "INSERT INTO people ({}) VALUES ({marks}) RETURNING id",
            cols.join(", ")
        ),
        values,
    )
    .await?;
    let row = found
        .first()
        .ok_or_else(|| PortError::Other("no id returned".into()))?;
    Ok(PersonId(row.try_get("", "id").map_err(map_err)?))
}

#[async_trait]
impl PeopleStore for SeaStore {
    async fn insert_person(&self, new: NewPerson<'_>) -> PortResult<PersonId> {
        insert_person_on(self.connection(), &new).await
    }

    async fn get_person(&self, id: PersonId) -> PortResult<Person> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM people WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        found.first().map(to_person).ok_or(PortError::NotFound)?
    }

    async fn get_people(&self, ids: &[PersonId]) -> PortResult<Vec<Person>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let found = rows(
                self.connection(),
                &format!("SELECT {COLUMNS} FROM people WHERE id IN ({marks})"),
                chunk.iter().map(|i| i.0.into()).collect(),
            )
            .await?;
            for r in &found {
                out.push(to_person(r)?);
            }
        }
        Ok(out)
    }

    async fn update_person(&self, person: &Person) -> PortResult<()> {
        write_person(self.connection(), person).await
    }

    async fn find_people(
        &self,
        query: &PeopleQuery,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Person>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(units) = &query.units {
            if units.is_empty() {
                return Ok(Page {
                    items: Vec::new(),
                    page,
                    per_page,
                    total: 0,
                });
            }
            clauses.push(format!(
                "unit_id IN ({})",
                vec!["?"; units.len()].join(", ")
            ));
            values.extend(units.iter().map(|u| Value::from(u.0)));
        }
        if query.current_only {
            clauses.push("erased = ? AND merged_into IS NULL".into());
            values.push(false.into());
        }
        let key = name_key(&query.text);
        if !key.is_empty() {
            let digits: String = khlang_core::text::arabic_digits(&query.text)
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect();
            let mut any = vec!["name_key LIKE ? ESCAPE '\\'".to_string()];
            values.push(like(&key).into());
            if digits.len() >= 3 {
                any.push("phone LIKE ? ESCAPE '\\'".into());
                values.push(like(&digits).into());
            }
            any.push("volunteer_no = ?".into());
            values.push(khlang_core::text::tidy(&query.text).into());
            clauses.push(format!("({})", any.join(" OR ")));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", clauses.join(" AND "))
        };
        let counted = rows(
            self.connection(),
            &format!("SELECT COUNT(*) AS n FROM people{filter}"),
            values.clone(),
        )
        .await?;
        let total: i64 = counted
            .first()
            .map(|r| r.try_get("", "n").map_err(map_err))
            .transpose()?
            .unwrap_or(0);
        let offset = page.saturating_sub(1).saturating_mul(per_page);
        let mut page_values = values;
        page_values.push((per_page as i64).into());
        page_values.push((offset as i64).into());
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM people{filter} ORDER BY id DESC LIMIT ? OFFSET ?"),
            page_values,
        )
        .await?;
        Ok(Page {
            items: found.iter().map(to_person).collect::<PortResult<_>>()?,
            page,
            per_page,
            total: total.max(0) as u64,
        })
    }

    async fn possible_duplicates(
        &self,
        name_key: &str,
        subdistrict: Option<SubdistrictCode>,
        phone: Option<&str>,
    ) -> PortResult<Vec<Person>> {
        let mut any = Vec::new();
        let mut values: Vec<Value> = vec![false.into()];
        if let Some(s) = subdistrict {
            any.push("(name_key = ? AND subdistrict = ?)");
            values.push(name_key.into());
            values.push(s.to_string().into());
        }
        if let Some(p) = phone {
            any.push("phone = ?");
            values.push(p.into());
        }
        if any.is_empty() {
            return Ok(Vec::new());
        }
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM people WHERE erased = ? AND merged_into IS NULL AND ({}) \
                 ORDER BY id LIMIT 5",
                any.join(" OR ")
            ),
            values,
        )
        .await?;
        found.iter().map(to_person).collect()
    }

    async fn erase_person(&self, person: &Person, audit: AuditEntry) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        write_person(&txn, person).await?;
        insert_audit(&txn, audit).await?;
        txn.commit().await.map_err(map_err)
    }

    async fn merge_people(
        &self,
        keep: PersonId,
        drop: PersonId,
        at: OffsetDateTime,
        audit: AuditEntry,
    ) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        // Whatever was merged into `drop` now means `keep` too: references stay one hop.
        exec(
            &txn,
            "UPDATE people SET merged_into = ?, updated_ms = ? WHERE merged_into = ?",
            vec![keep.0.into(), ms(at).into(), drop.0.into()],
        )
        .await?;
        let n = exec(
            &txn,
            "UPDATE people SET merged_into = ?, updated_ms = ? WHERE id = ? AND merged_into IS NULL",
            vec![keep.0.into(), ms(at).into(), drop.0.into()],
        )
        .await?;
        if n == 0 {
            return Err(PortError::Conflict("person already merged".into()));
        }
        insert_audit(&txn, audit).await?;
        txn.commit().await.map_err(map_err)
    }
}
