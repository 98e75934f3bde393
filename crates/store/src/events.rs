//! [`EventStore`] over the database in plain SQL that SQLite and PostgreSQL both speak.
//! Registration changes start by bumping the event's `seq`: that UPDATE holds the event's row
//! on PostgreSQL and the write lock on SQLite until commit, so the seats counted are the
//! seats there are, however many processes register at once.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::events::EventStore;
use khlang_core::events::model::{
    AgendaRow, Attendance, Audience, Booth, BoothFields, CheckinHow, Event, EventFields, EventKind,
    RegStatus, Registration, next_promoted, seat_for,
};
use khlang_core::events::ports::{EventQuery, NewRegistration, Registered};
use khlang_core::ids::{BoothId, EventId, ItemId, PersonId, RegistrationId, UnitId, UserId};
use khlang_core::ports::{Page, PortResult};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait, Value};

const EVENT: &str = "id, title, kind, unit_id, description, place, online_url, starts_ms, \
     ends_ms, capacity, waitlist, opens_ms, closes_ms, audience, audience_ref, agenda, \
     checkin_secret, created_by, created_ms, cancelled_ms";

const REG: &str = "id, event_id, user_id, person_id, name, affiliation, status, secret, ticket, \
     created_ms, checked_in_ms, checkin_how, checkin_by, certificate_code";

fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored event {what} is invalid: {e}"))
}

fn opt_time(r: &QueryResult, col: &str) -> PortResult<Option<time::OffsetDateTime>> {
    get::<Option<i64>>(r, col)?.map(from_ms).transpose()
}

fn to_event(r: &QueryResult) -> PortResult<Event> {
    let kind: String = get(r, "kind")?;
    let audience: String = get(r, "audience")?;
    let agenda: String = get(r, "agenda")?;
    let agenda: Vec<AgendaRow> = serde_json::from_str(&agenda).map_err(|e| corrupt("agenda", e))?;
    Ok(Event {
        id: EventId(get(r, "id")?),
        fields: EventFields {
            title: get(r, "title")?,
            kind: EventKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
            unit_id: UnitId(get(r, "unit_id")?),
            description: get(r, "description")?,
            place: get(r, "place")?,
            online_url: get(r, "online_url")?,
            starts_at: from_ms(get(r, "starts_ms")?)?,
            ends_at: from_ms(get(r, "ends_ms")?)?,
            capacity: get::<Option<i32>>(r, "capacity")?.map(|c| c.max(0) as u32),
            waitlist: get(r, "waitlist")?,
            opens_at: opt_time(r, "opens_ms")?,
            closes_at: opt_time(r, "closes_ms")?,
            audience: Audience::from_parts(&audience, get(r, "audience_ref")?)
                .ok_or_else(|| corrupt("audience", &audience))?,
            agenda,
        },
        checkin_secret: get(r, "checkin_secret")?,
        created_by: UserId(get(r, "created_by")?),
        created_at: from_ms(get(r, "created_ms")?)?,
        cancelled_at: opt_time(r, "cancelled_ms")?,
    })
}

fn to_reg(r: &QueryResult) -> PortResult<Registration> {
    let status: String = get(r, "status")?;
    let how: Option<String> = get(r, "checkin_how")?;
    let attendance = match (opt_time(r, "checked_in_ms")?, how) {
        (Some(at), Some(how)) => Some(Attendance {
            at,
            how: CheckinHow::parse(&how).ok_or_else(|| corrupt("check-in", &how))?,
            by: get::<Option<i64>>(r, "checkin_by")?.map(UserId),
        }),
        _ => None,
    };
    Ok(Registration {
        id: RegistrationId(get(r, "id")?),
        event_id: EventId(get(r, "event_id")?),
        user_id: get::<Option<i64>>(r, "user_id")?.map(UserId),
        person_id: get::<Option<i64>>(r, "person_id")?.map(PersonId),
        name: get(r, "name")?,
        affiliation: get(r, "affiliation")?,
        status: RegStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        secret: get(r, "secret")?,
        ticket: get(r, "ticket")?,
        created_at: from_ms(get(r, "created_ms")?)?,
        attendance,
        certificate_code: get(r, "certificate_code")?,
    })
}

fn agenda_json(f: &EventFields) -> PortResult<String> {
    serde_json::to_string(&f.agenda).map_err(|e| PortError::Other(e.to_string()))
}

/// The values of the event's decided fields, in the order of `EVENT` after `title`.
fn field_values(f: &EventFields) -> PortResult<Vec<Value>> {
    Ok(vec![
        f.title.clone().into(),
        f.kind.as_str().into(),
        f.unit_id.0.into(),
        f.description.clone().into(),
        f.place.clone().into(),
        f.online_url.clone().into(),
        ms(f.starts_at).into(),
        ms(f.ends_at).into(),
        f.capacity.map(|c| c as i32).into(),
        f.waitlist.into(),
        f.opens_at.map(ms).into(),
        f.closes_at.map(ms).into(),
        f.audience.kind().into(),
        f.audience.reference().into(),
        agenda_json(f)?.into(),
    ])
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

async fn one<T>(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
    f: fn(&QueryResult) -> PortResult<T>,
) -> PortResult<T> {
    rows(db, sql, values)
        .await?
        .first()
        .map(f)
        .unwrap_or(Err(PortError::NotFound))
}

async fn count(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> PortResult<u64> {
    let r = rows(db, sql, values).await?;
    let n: i64 = r.first().map(|r| get(r, "n")).transpose()?.unwrap_or(0);
    Ok(n.max(0) as u64)
}

/// Takes the event for the rest of the transaction (see the module's comment).
async fn hold(db: &impl ConnectionTrait, event: EventId) -> PortResult<()> {
    if exec(
        db,
        "UPDATE events SET seq = seq + 1 WHERE id = ?",
        vec![event.0.into()],
    )
    .await?
        == 0
    {
        return Err(PortError::NotFound);
    }
    Ok(())
}

async fn confirmed(db: &impl ConnectionTrait, event: EventId) -> PortResult<u64> {
    count(
        db,
        "SELECT COUNT(*) AS n FROM event_registrations WHERE event_id = ? AND status = 'confirmed'",
        vec![event.0.into()],
    )
    .await
}

#[async_trait]
impl EventStore for SeaStore {
    async fn insert_event(
        &self,
        f: &EventFields,
        checkin_secret: &str,
        by: UserId,
        at: time::OffsetDateTime,
    ) -> PortResult<EventId> {
        let mut values = field_values(f)?;
        values.extend([checkin_secret.into(), by.0.into(), ms(at).into()]);
        let r = rows(
            self.connection(),
            &format!(
                "INSERT INTO events (title, kind, unit_id, description, place, online_url, \
                 starts_ms, ends_ms, capacity, waitlist, opens_ms, closes_ms, audience, \
                 audience_ref, agenda, checkin_secret, created_by, created_ms, seq) \
                 VALUES ({}, 0) RETURNING id",
                marks(18)
            ),
            values,
        )
        .await?;
        Ok(EventId(
            r.first()
                .map(|r| get(r, "id"))
                .transpose()?
                .ok_or(PortError::NotFound)?,
        ))
    }

    async fn update_event(
        &self,
        id: EventId,
        f: &EventFields,
        at: time::OffsetDateTime,
    ) -> PortResult<Vec<Registration>> {
        let mut values = field_values(f)?;
        values.push(id.0.into());
        // The UPDATE holds the event's row, as `register` and `leave` do, so a registration
        // racing the edit sees the new capacity or waits.
        let txn = self.connection().begin().await.map_err(map_err)?;
        let n = exec(
            &txn,
            "UPDATE events SET title = ?, kind = ?, unit_id = ?, description = ?, place = ?, \
             online_url = ?, starts_ms = ?, ends_ms = ?, capacity = ?, waitlist = ?, \
             opens_ms = ?, closes_ms = ?, audience = ?, audience_ref = ?, agenda = ?, \
             seq = seq + 1 WHERE id = ?",
            values,
        )
        .await?;
        if n == 0 {
            return Err(PortError::NotFound);
        }
        let reg_sql = format!("SELECT {REG} FROM event_registrations WHERE id = ?");
        let mut waiting: Vec<(RegistrationId, time::OffsetDateTime)> = rows(
            &txn,
            "SELECT id, created_ms FROM event_registrations WHERE event_id = ? AND status = 'waitlisted'",
            vec![id.0.into()],
        )
        .await?
        .iter()
        .map(|r| Ok((RegistrationId(get(r, "id")?), from_ms(get(r, "created_ms")?)?)))
        .collect::<PortResult<_>>()?;
        let mut taken = confirmed(&txn, id).await?;
        let mut promoted = Vec::new();
        while let Some(p) = next_promoted(f.capacity, taken, &waiting) {
            exec(
                &txn,
                "UPDATE event_registrations SET status = 'confirmed', updated_ms = ? WHERE id = ?",
                vec![ms(at).into(), p.0.into()],
            )
            .await?;
            promoted.push(one(&txn, &reg_sql, vec![p.0.into()], to_reg).await?);
            waiting.retain(|(w, _)| *w != p);
            taken += 1;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(promoted)
    }

    async fn cancel_event(&self, id: EventId, at: time::OffsetDateTime) -> PortResult<bool> {
        Ok(exec(
            self.connection(),
            "UPDATE events SET cancelled_ms = ?, seq = seq + 1 WHERE id = ? AND cancelled_ms IS NULL",
            vec![ms(at).into(), id.0.into()],
        )
        .await?
            == 1)
    }

    async fn event(&self, id: EventId) -> PortResult<Event> {
        one(
            self.connection(),
            &format!("SELECT {EVENT} FROM events WHERE id = ?"),
            vec![id.0.into()],
            to_event,
        )
        .await
    }

    async fn event_by_checkin(&self, secret: &str) -> PortResult<Event> {
        one(
            self.connection(),
            &format!("SELECT {EVENT} FROM events WHERE checkin_secret = ?"),
            vec![secret.into()],
            to_event,
        )
        .await
    }

    async fn list_events(
        &self,
        q: &EventQuery,
        now: time::OffsetDateTime,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Event>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(k) = q.kind {
            clauses.push("kind = ?".into());
            values.push(k.as_str().into());
        }
        if let Some(units) = &q.units {
            if units.is_empty() {
                clauses.push("1 = 0".into());
            } else {
                clauses.push(format!("unit_id IN ({})", marks(units.len())));
                values.extend(units.iter().map(|u| Value::from(u.0)));
            }
        }
        if let Some(v) = &q.visible {
            let mut any = vec!["audience = 'public'".to_string()];
            if v.signed_in {
                any.push("audience = 'signed_in'".into());
            }
            if !v.units.is_empty() {
                any.push(format!(
                    "(audience = 'unit' AND audience_ref IN ({}))",
                    marks(v.units.len())
                ));
                values.extend(v.units.iter().map(|u| Value::from(u.0)));
            }
            if !v.communities.is_empty() {
                any.push(format!(
                    "(audience = 'community' AND audience_ref IN ({}))",
                    marks(v.communities.len())
                ));
                values.extend(v.communities.iter().map(|c| Value::from(*c)));
            }
            if !v.organised.is_empty() {
                any.push(format!("unit_id IN ({})", marks(v.organised.len())));
                values.extend(v.organised.iter().map(|u| Value::from(u.0)));
            }
            clauses.push(format!("({})", any.join(" OR ")));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let db = self.connection();
        let total = count(
            db,
            &format!("SELECT COUNT(*) AS n FROM events {filter}"),
            values.clone(),
        )
        .await?;
        let now = ms(now);
        values.extend([
            now.into(),
            now.into(),
            (per_page as i64).into(),
            (((page - 1) * per_page) as i64).into(),
        ]);
        let found = rows(
            db,
            &format!(
                "SELECT {EVENT} FROM events {filter} \
                 ORDER BY CASE WHEN ends_ms >= ? THEN 0 ELSE 1 END, \
                 CASE WHEN ends_ms >= ? THEN starts_ms ELSE 0 - starts_ms END, id \
                 LIMIT ? OFFSET ?"
            ),
            values,
        )
        .await?;
        Ok(Page {
            items: found.iter().map(to_event).collect::<PortResult<_>>()?,
            page,
            per_page,
            total,
        })
    }

    async fn register(&self, r: &NewRegistration) -> PortResult<Registered> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        hold(&txn, r.event_id).await?;
        if let Some(u) = r.user_id {
            let found = rows(
                &txn,
                &format!(
                    "SELECT {REG} FROM event_registrations WHERE event_id = ? AND user_id = ? \
                     AND status IN ('confirmed', 'waitlisted')"
                ),
                vec![r.event_id.0.into(), u.0.into()],
            )
            .await?;
            if let Some(row) = found.first() {
                let reg = to_reg(row)?;
                txn.commit().await.map_err(map_err)?;
                return Ok(Registered::Already(reg));
            }
        }
        let ev = rows(
            &txn,
            "SELECT capacity, waitlist FROM events WHERE id = ?",
            vec![r.event_id.0.into()],
        )
        .await?;
        let ev = ev.first().ok_or(PortError::NotFound)?;
        let capacity = get::<Option<i32>>(ev, "capacity")?.map(|c| c.max(0) as u32);
        let waitlist: bool = get(ev, "waitlist")?;
        let taken = confirmed(&txn, r.event_id).await?;
        let Some(status) = seat_for(capacity, taken, waitlist) else {
            txn.commit().await.map_err(map_err)?;
            return Ok(Registered::Full);
        };
        let at = ms(r.at);
        let id: i64 = rows(
            &txn,
            "INSERT INTO event_registrations (event_id, user_id, person_id, name, affiliation, \
             status, secret, ticket, created_ms, updated_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                r.event_id.0.into(),
                r.user_id.map(|u| u.0).into(),
                r.person_id.map(|p| p.0).into(),
                r.name.clone().into(),
                r.affiliation.clone().into(),
                status.as_str().into(),
                r.secret.clone().into(),
                r.ticket.clone().into(),
                at.into(),
                at.into(),
            ],
        )
        .await?
        .first()
        .map(|row| get(row, "id"))
        .transpose()?
        .ok_or(PortError::NotFound)?;
        let reg = one(
            &txn,
            &format!("SELECT {REG} FROM event_registrations WHERE id = ?"),
            vec![id.into()],
            to_reg,
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok(Registered::New(reg))
    }

    async fn leave(
        &self,
        id: RegistrationId,
        to: RegStatus,
        at: time::OffsetDateTime,
    ) -> PortResult<Option<(Registration, Option<Registration>)>> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let held = exec(
            &txn,
            "UPDATE events SET seq = seq + 1 \
             WHERE id = (SELECT event_id FROM event_registrations WHERE id = ?)",
            vec![id.0.into()],
        )
        .await?;
        if held == 0 {
            return Err(PortError::NotFound);
        }
        let reg_sql = format!("SELECT {REG} FROM event_registrations WHERE id = ?");
        let reg = one(&txn, &reg_sql, vec![id.0.into()], to_reg).await?;
        if !reg.status.is_active() {
            txn.commit().await.map_err(map_err)?;
            return Ok(None);
        }
        exec(
            &txn,
            "UPDATE event_registrations SET status = ?, updated_ms = ? WHERE id = ?",
            vec![to.as_str().into(), ms(at).into(), id.0.into()],
        )
        .await?;
        let ev = rows(
            &txn,
            "SELECT capacity FROM events WHERE id = ?",
            vec![reg.event_id.0.into()],
        )
        .await?;
        let capacity = ev
            .first()
            .map(|r| get::<Option<i32>>(r, "capacity"))
            .transpose()?
            .flatten()
            .map(|c| c.max(0) as u32);
        let waiting: Vec<(RegistrationId, time::OffsetDateTime)> = rows(
            &txn,
            "SELECT id, created_ms FROM event_registrations WHERE event_id = ? AND status = 'waitlisted'",
            vec![reg.event_id.0.into()],
        )
        .await?
        .iter()
        .map(|r| Ok((RegistrationId(get(r, "id")?), from_ms(get(r, "created_ms")?)?)))
        .collect::<PortResult<_>>()?;
        let taken = confirmed(&txn, reg.event_id).await?;
        let promoted = match next_promoted(capacity, taken, &waiting) {
            Some(p) => {
                exec(
                    &txn,
                    "UPDATE event_registrations SET status = 'confirmed', updated_ms = ? WHERE id = ?",
                    vec![ms(at).into(), p.0.into()],
                )
                .await?;
                Some(one(&txn, &reg_sql, vec![p.0.into()], to_reg).await?)
            }
            None => None,
        };
        let changed = one(&txn, &reg_sql, vec![id.0.into()], to_reg).await?;
        txn.commit().await.map_err(map_err)?;
        Ok(Some((changed, promoted)))
    }

    async fn registration(&self, id: RegistrationId) -> PortResult<Registration> {
        one(
            self.connection(),
            &format!("SELECT {REG} FROM event_registrations WHERE id = ?"),
            vec![id.0.into()],
            to_reg,
        )
        .await
    }

    async fn registration_by_secret(&self, secret: &str) -> PortResult<Registration> {
        one(
            self.connection(),
            &format!("SELECT {REG} FROM event_registrations WHERE secret = ?"),
            vec![secret.into()],
            to_reg,
        )
        .await
    }

    async fn registration_by_ticket(&self, ticket: &str) -> PortResult<Registration> {
        one(
            self.connection(),
            &format!("SELECT {REG} FROM event_registrations WHERE ticket = ?"),
            vec![ticket.into()],
            to_reg,
        )
        .await
    }

    async fn registration_of_user(
        &self,
        event: EventId,
        user: UserId,
    ) -> PortResult<Option<Registration>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {REG} FROM event_registrations WHERE event_id = ? AND user_id = ? \
                 ORDER BY id DESC LIMIT 1"
            ),
            vec![event.0.into(), user.0.into()],
        )
        .await?
        .first()
        .map(to_reg)
        .transpose()
    }

    async fn registrations(&self, event: EventId) -> PortResult<Vec<Registration>> {
        rows(
            self.connection(),
            &format!("SELECT {REG} FROM event_registrations WHERE event_id = ? ORDER BY id"),
            vec![event.0.into()],
        )
        .await?
        .iter()
        .map(to_reg)
        .collect()
    }

    async fn check_in(&self, id: RegistrationId, a: &Attendance) -> PortResult<bool> {
        Ok(exec(
            self.connection(),
            "UPDATE event_registrations SET checked_in_ms = ?, checkin_how = ?, checkin_by = ?, \
             updated_ms = ? WHERE id = ? AND status = 'confirmed' AND checked_in_ms IS NULL",
            vec![
                ms(a.at).into(),
                a.how.as_str().into(),
                a.by.map(|u| u.0).into(),
                ms(a.at).into(),
                id.0.into(),
            ],
        )
        .await?
            == 1)
    }

    async fn set_certificate(&self, id: RegistrationId, code: &str) -> PortResult<()> {
        exec(
            self.connection(),
            "UPDATE event_registrations SET certificate_code = ? WHERE id = ?",
            vec![code.into(), id.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn insert_booth(&self, event: EventId, b: &BoothFields) -> PortResult<BoothId> {
        let items: Vec<i64> = b.items.iter().map(|i| i.0).collect();
        let items = serde_json::to_string(&items).map_err(|e| PortError::Other(e.to_string()))?;
        let id: i64 = rows(
            self.connection(),
            "INSERT INTO event_booths (event_id, name, unit_id, description, items) \
             VALUES (?, ?, ?, ?, ?) RETURNING id",
            vec![
                event.0.into(),
                b.name.clone().into(),
                b.unit_id.0.into(),
                b.description.clone().into(),
                items.into(),
            ],
        )
        .await?
        .first()
        .map(|r| get(r, "id"))
        .transpose()?
        .ok_or(PortError::NotFound)?;
        Ok(BoothId(id))
    }

    async fn delete_booth(&self, event: EventId, id: BoothId) -> PortResult<bool> {
        Ok(exec(
            self.connection(),
            "DELETE FROM event_booths WHERE id = ? AND event_id = ?",
            vec![id.0.into(), event.0.into()],
        )
        .await?
            == 1)
    }

    async fn booths(&self, event: EventId) -> PortResult<Vec<Booth>> {
        rows(
            self.connection(),
            "SELECT id, event_id, name, unit_id, description, items FROM event_booths \
             WHERE event_id = ? ORDER BY id",
            vec![event.0.into()],
        )
        .await?
        .iter()
        .map(|r| {
            let items: String = get(r, "items")?;
            let items: Vec<i64> =
                serde_json::from_str(&items).map_err(|e| corrupt("booth items", e))?;
            Ok(Booth {
                id: BoothId(get(r, "id")?),
                event_id: EventId(get(r, "event_id")?),
                name: get(r, "name")?,
                unit_id: UnitId(get(r, "unit_id")?),
                description: get(r, "description")?,
                items: items.into_iter().map(ItemId).collect(),
            })
        })
        .collect()
    }
}
