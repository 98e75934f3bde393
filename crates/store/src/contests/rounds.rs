//! [`RoundStore`] over the database, in plain SQL that SQLite and PostgreSQL both speak.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::contests::model::{
    Area, Contest, ContestKind, Entrant, Entry, EntryCount, EntryDocument, EntryFilter,
    EntryLinkState, NewEntry, NewEntryDocument, Round, RoundLevel, RoundStats, RoundStatus,
};
use khlang_core::contests::ports::{NewContest, RoundStore};
use khlang_core::error::PortError;
use khlang_core::file::FileKind;
use khlang_core::geo::ProvinceCode;
use khlang_core::ids::{ContestId, EntryId, PersonId, RoundId, TermId, UnitId, UserId};
use khlang_core::ports::{Page, PortResult};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait, Value};
use time::OffsetDateTime;

fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored contest {what} is invalid: {e}"))
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

async fn count(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> PortResult<u64> {
    let found = rows(db, sql, values).await?;
    let n: i64 = match found.first() {
        Some(r) => get(r, "n")?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}

fn returned_id(found: &[QueryResult]) -> PortResult<i64> {
    match found.first() {
        Some(r) => get(r, "id"),
        None => Err(PortError::Other("no id returned".into())),
    }
}

const CONTEST_COLUMNS: &str = "id, unit_id, title, fiscal_year, kind, created_by, created_ms";

fn to_contest(r: &QueryResult) -> PortResult<Contest> {
    let kind: String = get(r, "kind")?;
    Ok(Contest {
        id: ContestId(get(r, "id")?),
        unit_id: UnitId(get(r, "unit_id")?),
        title: get(r, "title")?,
        fiscal_year: get(r, "fiscal_year")?,
        kind: ContestKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        created_by: UserId(get(r, "created_by")?),
        created_at: from_ms(get(r, "created_ms")?)?,
    })
}

const ROUND_COLUMNS: &str = "id, contest_id, title, level, unit_id, area, next_round_id, status, \
     opens_ms, closes_ms, settings, created_ms, updated_ms";

fn to_round(r: &QueryResult) -> PortResult<Round> {
    let level: String = get(r, "level")?;
    let area: String = get(r, "area")?;
    let status: String = get(r, "status")?;
    let settings: String = get(r, "settings")?;
    Ok(Round {
        id: RoundId(get(r, "id")?),
        contest_id: ContestId(get(r, "contest_id")?),
        title: get(r, "title")?,
        level: RoundLevel::parse(&level).ok_or_else(|| corrupt("level", &level))?,
        unit_id: UnitId(get(r, "unit_id")?),
        area: Area::parse(&area).ok_or_else(|| corrupt("area", &area))?,
        next_round: get::<Option<i64>>(r, "next_round_id")?.map(RoundId),
        status: RoundStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        opens_at: from_ms(get(r, "opens_ms")?)?,
        closes_at: from_ms(get(r, "closes_ms")?)?,
        settings: serde_json::from_str(&settings).map_err(|e| corrupt("settings", e))?,
        created_at: from_ms(get(r, "created_ms")?)?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
    })
}

fn settings_json(round: &Round) -> PortResult<String> {
    serde_json::to_string(&round.settings).map_err(|e| PortError::Other(e.to_string()))
}

const ENTRY_COLUMNS: &str = "e.id AS id, e.round_id AS round_id, e.branch_id AS branch_id, \
     e.entrant_kind AS entrant_kind, e.person_id AS person_id, e.office_unit_id AS office_unit_id, \
     e.name AS name, e.unit_id AS unit_id, e.province AS province, e.receipt AS receipt, \
     e.answers AS answers, e.promoted_from AS promoted_from, e.created_by AS created_by, \
     e.created_ms AS created_ms, e.updated_ms AS updated_ms";

fn province(raw: Option<String>) -> PortResult<Option<ProvinceCode>> {
    raw.map(|p| ProvinceCode::parse(&p).map_err(|e| corrupt("province", e)))
        .transpose()
}

fn to_entry(r: &QueryResult) -> PortResult<Entry> {
    let kind: String = get(r, "entrant_kind")?;
    let entrant = match kind.as_str() {
        "person" => Entrant::Person(PersonId(
            get::<Option<i64>>(r, "person_id")?.ok_or_else(|| corrupt("person", "none"))?,
        )),
        "office" => Entrant::Office(UnitId(
            get::<Option<i64>>(r, "office_unit_id")?.ok_or_else(|| corrupt("office", "none"))?,
        )),
        other => return Err(corrupt("entrant kind", other)),
    };
    Ok(Entry {
        id: EntryId(get(r, "id")?),
        round_id: RoundId(get(r, "round_id")?),
        branch: TermId(get(r, "branch_id")?),
        entrant,
        name: get(r, "name")?,
        unit_id: UnitId(get(r, "unit_id")?),
        province: province(get(r, "province")?)?,
        receipt: get(r, "receipt")?,
        answers: get::<Option<String>>(r, "answers")?
            .map(|a| serde_json::from_str(&a).map_err(|e| corrupt("answers", e)))
            .transpose()?,
        promoted_from: get::<Option<i64>>(r, "promoted_from")?.map(EntryId),
        created_by: UserId(get(r, "created_by")?),
        created_at: from_ms(get(r, "created_ms")?)?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
    })
}

const DOCUMENT_COLUMNS: &str =
    "id, entry_id, requirement, name, sha256, size, mime, kind, added_ms";

fn to_document(r: &QueryResult) -> PortResult<EntryDocument> {
    let kind: String = get(r, "kind")?;
    Ok(EntryDocument {
        id: get(r, "id")?,
        entry_id: EntryId(get(r, "entry_id")?),
        requirement: get(r, "requirement")?,
        name: get(r, "name")?,
        sha256: get(r, "sha256")?,
        size: get::<i64>(r, "size")?.max(0) as u64,
        mime: get(r, "mime")?,
        kind: FileKind::parse(&kind).ok_or_else(|| corrupt("file kind", &kind))?,
        added_at: from_ms(get(r, "added_ms")?)?,
    })
}

/// The receipt number of the `n`th entry of a round: `R12-0007`.
fn receipt(round: RoundId, n: u64) -> String {
    format!("R{}-{n:04}", round.0)
}

/// What an entry row needs besides its receipt.
struct EntryRow<'a> {
    round: RoundId,
    branch: TermId,
    entrant: Entrant,
    name: &'a str,
    unit: UnitId,
    province: Option<ProvinceCode>,
    answers: Option<String>,
    promoted_from: Option<EntryId>,
    link_hash: Option<&'a str>,
    created_by: UserId,
    at: OffsetDateTime,
}

/// Inserts an entry with the next receipt number of its round; the caller's transaction
/// keeps the count and the insert together, and a clash (two at once) is retried by the caller.
async fn insert_entry_row(db: &impl ConnectionTrait, row: &EntryRow<'_>) -> PortResult<EntryId> {
    let n = count(
        db,
        "SELECT COUNT(*) AS n FROM contest_entries WHERE round_id = ?",
        vec![row.round.0.into()],
    )
    .await?;
    let (kind, person, office) = match row.entrant {
        Entrant::Person(p) => ("person", Some(p.0), None),
        Entrant::Office(u) => ("office", None, Some(u.0)),
    };
    let found = rows(
        db,
        "INSERT INTO contest_entries (round_id, branch_id, entrant_kind, person_id, \
         office_unit_id, name, unit_id, province, receipt, answers, promoted_from, link_hash, \
         created_by, created_ms, updated_ms) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vec![
            row.round.0.into(),
            row.branch.0.into(),
            kind.into(),
            person.into(),
            office.into(),
            row.name.to_string().into(),
            row.unit.0.into(),
            row.province.map(|p| p.to_string()).into(),
            receipt(row.round, n + 1).into(),
            row.answers.clone().into(),
            row.promoted_from.map(|e| e.0).into(),
            row.link_hash.map(str::to_string).into(),
            row.created_by.0.into(),
            ms(row.at).into(),
            ms(row.at).into(),
        ],
    )
    .await?;
    Ok(EntryId(returned_id(&found)?))
}

impl SeaStore {
    /// [`insert_entry_row`] in a transaction, retried when another entry took the receipt.
    async fn insert_entry_retrying(
        &self,
        row: &EntryRow<'_>,
        documents_from: Option<EntryId>,
    ) -> PortResult<EntryId> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let txn = self.connection().begin().await.map_err(map_err)?;
            match insert_entry_row(&txn, row).await {
                Ok(id) => {
                    if let Some(from) = documents_from {
                        exec(
                            &txn,
                            "INSERT INTO contest_documents (entry_id, requirement, name, sha256, \
                             size, mime, kind, added_ms) \
                             SELECT ?, requirement, name, sha256, size, mime, kind, added_ms \
                             FROM contest_documents WHERE entry_id = ? ORDER BY id",
                            vec![id.0.into(), from.0.into()],
                        )
                        .await?;
                    }
                    txn.commit().await.map_err(map_err)?;
                    return Ok(id);
                }
                Err(PortError::Conflict(_)) if attempt < 5 => {
                    txn.rollback().await.map_err(map_err)?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn one_entry(&self, id: EntryId) -> PortResult<Entry> {
        let found = rows(
            self.connection(),
            &format!("SELECT {ENTRY_COLUMNS} FROM contest_entries e WHERE e.id = ?"),
            vec![id.0.into()],
        )
        .await?;
        found
            .first()
            .map(to_entry)
            .transpose()?
            .ok_or(PortError::NotFound)
    }
}

/// `1 = 1 AND …` over `e.` for a round's entry list, with its values.
fn entry_conditions(
    round: RoundId,
    filter: &EntryFilter,
    required: &[String],
) -> (String, Vec<Value>) {
    let mut sql = vec!["e.round_id = ?".to_string()];
    let mut values: Vec<Value> = vec![round.0.into()];
    if let Some(b) = filter.branch {
        sql.push("e.branch_id = ?".into());
        values.push(b.0.into());
    }
    if let Some(p) = filter.province {
        sql.push("e.province = ?".into());
        values.push(p.to_string().into());
    }
    if let Some(complete) = filter.complete {
        let (cond, v) = complete_condition(required);
        sql.push(if complete {
            cond
        } else {
            format!("NOT ({cond})")
        });
        values.extend(v);
    }
    (sql.join(" AND "), values)
}

/// Whether entry `e` has a document for every required key.
fn complete_condition(required: &[String]) -> (String, Vec<Value>) {
    if required.is_empty() {
        return ("1 = 1".into(), Vec::new());
    }
    (
        format!(
            "(SELECT COUNT(DISTINCT d.requirement) FROM contest_documents d \
             WHERE d.entry_id = e.id AND d.requirement IN ({})) = ?",
            marks(required.len())
        ),
        required
            .iter()
            .map(|k| Value::from(k.clone()))
            .chain(std::iter::once(Value::from(required.len() as i64)))
            .collect(),
    )
}

#[async_trait]
impl RoundStore for SeaStore {
    async fn insert_contest(&self, new: &NewContest) -> PortResult<Contest> {
        let found = rows(
            self.connection(),
            "INSERT INTO contests (unit_id, title, fiscal_year, kind, created_by, created_ms) \
             VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                new.unit_id.0.into(),
                new.title.clone().into(),
                new.fiscal_year.into(),
                new.kind.as_str().into(),
                new.created_by.0.into(),
                ms(new.at).into(),
            ],
        )
        .await?;
        self.get_contest(ContestId(returned_id(&found)?)).await
    }

    async fn get_contest(&self, id: ContestId) -> PortResult<Contest> {
        let found = rows(
            self.connection(),
            &format!("SELECT {CONTEST_COLUMNS} FROM contests WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        found
            .first()
            .map(to_contest)
            .transpose()?
            .ok_or(PortError::NotFound)
    }

    async fn list_contests(&self, page: u64, per_page: u64) -> PortResult<Page<Contest>> {
        let total = count(
            self.connection(),
            "SELECT COUNT(*) AS n FROM contests",
            Vec::new(),
        )
        .await?;
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {CONTEST_COLUMNS} FROM contests \
                 ORDER BY fiscal_year DESC, id DESC LIMIT ? OFFSET ?"
            ),
            vec![
                (per_page as i64).into(),
                (((page - 1) * per_page) as i64).into(),
            ],
        )
        .await?;
        Ok(Page {
            items: found.iter().map(to_contest).collect::<PortResult<_>>()?,
            page,
            per_page,
            total,
        })
    }

    async fn insert_round(&self, round: &Round) -> PortResult<Round> {
        let found = rows(
            self.connection(),
            "INSERT INTO contest_rounds (contest_id, title, level, unit_id, area, next_round_id, \
             status, opens_ms, closes_ms, settings, created_ms, updated_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                round.contest_id.0.into(),
                round.title.clone().into(),
                round.level.as_str().into(),
                round.unit_id.0.into(),
                round.area.key().into(),
                round.next_round.map(|r| r.0).into(),
                round.status.as_str().into(),
                ms(round.opens_at).into(),
                ms(round.closes_at).into(),
                settings_json(round)?.into(),
                ms(round.created_at).into(),
                ms(round.updated_at).into(),
            ],
        )
        .await?;
        self.get_round(RoundId(returned_id(&found)?)).await
    }

    async fn get_round(&self, id: RoundId) -> PortResult<Round> {
        let found = rows(
            self.connection(),
            &format!("SELECT {ROUND_COLUMNS} FROM contest_rounds WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        found
            .first()
            .map(to_round)
            .transpose()?
            .ok_or(PortError::NotFound)
    }

    async fn contest_rounds(&self, contest: ContestId) -> PortResult<Vec<Round>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {ROUND_COLUMNS} FROM contest_rounds WHERE contest_id = ? \
                 ORDER BY opens_ms, id"
            ),
            vec![contest.0.into()],
        )
        .await?;
        found.iter().map(to_round).collect()
    }

    async fn update_round(&self, round: &Round) -> PortResult<()> {
        // Only a draft changes: a round opened meanwhile keeps its settings.
        let n = exec(
            self.connection(),
            "UPDATE contest_rounds SET title = ?, level = ?, area = ?, next_round_id = ?, \
             opens_ms = ?, closes_ms = ?, settings = ?, updated_ms = ? \
             WHERE id = ? AND status = ?",
            vec![
                round.title.clone().into(),
                round.level.as_str().into(),
                round.area.key().into(),
                round.next_round.map(|r| r.0).into(),
                ms(round.opens_at).into(),
                ms(round.closes_at).into(),
                settings_json(round)?.into(),
                ms(round.updated_at).into(),
                round.id.0.into(),
                RoundStatus::Draft.as_str().into(),
            ],
        )
        .await?;
        if n == 0 {
            self.get_round(round.id).await?;
            return Err(PortError::Conflict("round is no longer a draft".into()));
        }
        Ok(())
    }

    async fn set_round_status(
        &self,
        id: RoundId,
        from: RoundStatus,
        to: RoundStatus,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        let n = exec(
            self.connection(),
            "UPDATE contest_rounds SET status = ?, updated_ms = ? WHERE id = ? AND status = ?",
            vec![
                to.as_str().into(),
                ms(at).into(),
                id.0.into(),
                from.as_str().into(),
            ],
        )
        .await?;
        if n == 0 {
            self.get_round(id).await?;
            return Err(PortError::Conflict(format!(
                "round {id} is no longer {}",
                from.as_str()
            )));
        }
        Ok(())
    }

    async fn get_entry(&self, id: EntryId) -> PortResult<Entry> {
        self.one_entry(id).await
    }

    async fn round_entries(&self, round: RoundId, branch: TermId) -> PortResult<Vec<Entry>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM contest_entries e \
                 WHERE e.round_id = ? AND e.branch_id = ? ORDER BY e.id"
            ),
            vec![round.0.into(), branch.0.into()],
        )
        .await?;
        found.iter().map(to_entry).collect()
    }

    async fn copy_entry_into(
        &self,
        entry: EntryId,
        next_round: RoundId,
        at: OffsetDateTime,
    ) -> PortResult<EntryId> {
        let from = self.one_entry(entry).await?;
        self.get_round(next_round).await?;
        // Once only: publishing again after a failure finds the copy it already made.
        let made = rows(
            self.connection(),
            "SELECT id FROM contest_entries WHERE round_id = ? AND promoted_from = ?",
            vec![next_round.0.into(), entry.0.into()],
        )
        .await?;
        if let Some(r) = made.first() {
            return Ok(EntryId(r.try_get("", "id").map_err(map_err)?));
        }
        let answers = from
            .answers
            .as_ref()
            .map(|a| serde_json::to_string(a).map_err(|e| PortError::Other(e.to_string())))
            .transpose()?;
        let row = EntryRow {
            round: next_round,
            branch: from.branch,
            entrant: from.entrant,
            name: &from.name,
            unit: from.unit_id,
            province: from.province,
            answers,
            promoted_from: Some(from.id),
            link_hash: None,
            created_by: from.created_by,
            at,
        };
        self.insert_entry_retrying(&row, Some(from.id)).await
    }

    async fn insert_entry(&self, new: &NewEntry) -> PortResult<Entry> {
        let answers = new
            .answers
            .as_ref()
            .map(|a| serde_json::to_string(a).map_err(|e| PortError::Other(e.to_string())))
            .transpose()?;
        let row = EntryRow {
            round: new.round_id,
            branch: new.branch,
            entrant: new.entrant,
            name: &new.name,
            unit: new.unit_id,
            province: new.province,
            answers,
            promoted_from: None,
            link_hash: Some(&new.link_hash),
            created_by: new.created_by,
            at: new.at,
        };
        let id = self.insert_entry_retrying(&row, None).await?;
        self.one_entry(id).await
    }

    async fn entry_by_link(&self, link_hash: &str) -> PortResult<EntryLinkState> {
        let found = rows(
            self.connection(),
            "SELECT id, link_hash, link_revoked_ms FROM contest_entries \
             WHERE link_hash = ? OR old_link_hash = ?",
            vec![link_hash.into(), link_hash.into()],
        )
        .await?;
        let r = found.first().ok_or(PortError::NotFound)?;
        let current = get::<Option<String>>(r, "link_hash")?.as_deref() == Some(link_hash);
        Ok(EntryLinkState {
            entry: EntryId(get(r, "id")?),
            current,
            revoked_at: get::<Option<i64>>(r, "link_revoked_ms")?
                .map(from_ms)
                .transpose()?,
        })
    }

    async fn entry_link(&self, entry: EntryId) -> PortResult<Option<EntryLinkState>> {
        let found = rows(
            self.connection(),
            "SELECT id, link_hash, link_revoked_ms FROM contest_entries WHERE id = ?",
            vec![entry.0.into()],
        )
        .await?;
        let r = found.first().ok_or(PortError::NotFound)?;
        if get::<Option<String>>(r, "link_hash")?.is_none() {
            return Ok(None);
        }
        Ok(Some(EntryLinkState {
            entry,
            current: true,
            revoked_at: get::<Option<i64>>(r, "link_revoked_ms")?
                .map(from_ms)
                .transpose()?,
        }))
    }

    async fn set_entry_link(
        &self,
        entry: EntryId,
        link_hash: &str,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        let n = exec(
            self.connection(),
            "UPDATE contest_entries SET old_link_hash = link_hash, link_hash = ?, \
             link_revoked_ms = NULL, updated_ms = ? WHERE id = ?",
            vec![link_hash.into(), ms(at).into(), entry.0.into()],
        )
        .await?;
        if n == 0 {
            return Err(PortError::NotFound);
        }
        Ok(())
    }

    async fn revoke_entry_link(&self, entry: EntryId, at: OffsetDateTime) -> PortResult<()> {
        let n = exec(
            self.connection(),
            "UPDATE contest_entries SET link_revoked_ms = ?, updated_ms = ? WHERE id = ?",
            vec![ms(at).into(), ms(at).into(), entry.0.into()],
        )
        .await?;
        if n == 0 {
            return Err(PortError::NotFound);
        }
        Ok(())
    }

    async fn insert_document(&self, doc: &NewEntryDocument) -> PortResult<EntryDocument> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let found = rows(
            &txn,
            "INSERT INTO contest_documents (entry_id, requirement, name, sha256, size, mime, \
             kind, added_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                doc.entry_id.0.into(),
                doc.requirement.clone().into(),
                doc.name.clone().into(),
                doc.sha256.clone().into(),
                (doc.size as i64).into(),
                doc.mime.clone().into(),
                doc.kind.as_str().into(),
                ms(doc.at).into(),
            ],
        )
        .await?;
        let id = returned_id(&found)?;
        exec(
            &txn,
            "UPDATE contest_entries SET updated_ms = ? WHERE id = ?",
            vec![ms(doc.at).into(), doc.entry_id.0.into()],
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok(EntryDocument {
            id,
            entry_id: doc.entry_id,
            requirement: doc.requirement.clone(),
            name: doc.name.clone(),
            sha256: doc.sha256.clone(),
            size: doc.size,
            mime: doc.mime.clone(),
            kind: doc.kind,
            added_at: doc.at,
        })
    }

    async fn remove_document(
        &self,
        entry: EntryId,
        document: i64,
        at: OffsetDateTime,
    ) -> PortResult<EntryDocument> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let found = rows(
            &txn,
            &format!(
                "SELECT {DOCUMENT_COLUMNS} FROM contest_documents WHERE id = ? AND entry_id = ?"
            ),
            vec![document.into(), entry.0.into()],
        )
        .await?;
        let doc = found
            .first()
            .map(to_document)
            .transpose()?
            .ok_or(PortError::NotFound)?;
        exec(
            &txn,
            "DELETE FROM contest_documents WHERE id = ?",
            vec![document.into()],
        )
        .await?;
        exec(
            &txn,
            "UPDATE contest_entries SET updated_ms = ? WHERE id = ?",
            vec![ms(at).into(), entry.0.into()],
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok(doc)
    }

    async fn entry_documents(&self, entry: EntryId) -> PortResult<Vec<EntryDocument>> {
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {DOCUMENT_COLUMNS} FROM contest_documents WHERE entry_id = ? ORDER BY id"
            ),
            vec![entry.0.into()],
        )
        .await?;
        found.iter().map(to_document).collect()
    }

    async fn list_entries(
        &self,
        round: RoundId,
        filter: &EntryFilter,
        required: &[String],
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Entry>> {
        let (cond, values) = entry_conditions(round, filter, required);
        let total = count(
            self.connection(),
            &format!("SELECT COUNT(*) AS n FROM contest_entries e WHERE {cond}"),
            values.clone(),
        )
        .await?;
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        let mut values = values;
        values.push((per_page as i64).into());
        values.push((((page - 1) * per_page) as i64).into());
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM contest_entries e WHERE {cond} \
                 ORDER BY e.id DESC LIMIT ? OFFSET ?"
            ),
            values,
        )
        .await?;
        Ok(Page {
            items: found.iter().map(to_entry).collect::<PortResult<_>>()?,
            page,
            per_page,
            total,
        })
    }

    async fn round_stats(&self, round: RoundId, required: &[String]) -> PortResult<RoundStats> {
        let db = self.connection();
        let (complete, complete_values) = complete_condition(required);
        let mut values = complete_values;
        values.push(round.0.into());
        let found = rows(
            db,
            &format!(
                "SELECT e.branch_id AS branch_id, e.province AS province, COUNT(*) AS n, \
                 CAST(SUM(CASE WHEN {complete} THEN 1 ELSE 0 END) AS BIGINT) AS complete \
                 FROM contest_entries e WHERE e.round_id = ? \
                 GROUP BY e.branch_id, e.province"
            ),
            values,
        )
        .await?;
        let mut stats = RoundStats::default();
        for r in &found {
            let cell = EntryCount {
                branch: TermId(get(r, "branch_id")?),
                province: province(get(r, "province")?)?,
                entries: get::<i64>(r, "n")?.max(0) as u64,
                complete: get::<Option<i64>>(r, "complete")?.unwrap_or(0).max(0) as u64,
            };
            stats.entries += cell.entries;
            stats.complete += cell.complete;
            stats.cells.push(cell);
        }
        stats.cells.sort_by_key(|c| (c.branch, c.province));
        stats.documents = count(
            db,
            "SELECT COUNT(*) AS n FROM contest_documents d \
             JOIN contest_entries e ON e.id = d.entry_id WHERE e.round_id = ?",
            vec![round.0.into()],
        )
        .await?;
        let found = rows(
            db,
            "SELECT COALESCE(CAST(SUM(t.size) AS BIGINT), 0) AS n FROM (SELECT DISTINCT d.sha256 AS sha256, d.size AS size \
             FROM contest_documents d JOIN contest_entries e ON e.id = d.entry_id \
             WHERE e.round_id = ?) t",
            vec![round.0.into()],
        )
        .await?;
        stats.bytes = match found.first() {
            Some(r) => get::<i64>(r, "n")?.max(0) as u64,
            None => 0,
        };
        Ok(stats)
    }
}
