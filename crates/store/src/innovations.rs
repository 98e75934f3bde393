//! [`InnovationStore`] over the database in plain SQL that SQLite and PostgreSQL both speak
//! (`ON CONFLICT`, `RETURNING`); times are Unix milliseconds.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::geo::{DistrictCode, ProvinceCode};
use khlang_core::ids::{FileId, ItemId, PersonId, TermId, UnitId, UserId};
use khlang_core::innovations::model::AppliedFields;
use khlang_core::innovations::ports::InnovationQuery;
use khlang_core::innovations::{
    AppliedReport, InnovationCount, InnovationRow, InnovationStore, MediaKind, RegionalCentre,
};
use khlang_core::item::{ItemStatus, Visibility};
use khlang_core::ports::{Page, PortResult};
use sea_orm::{ConnectionTrait, QueryResult, TransactionTrait, Value};
use time::OffsetDateTime;

fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored innovation {what} is invalid: {e}"))
}

const COLUMNS: &str = "item_id, unit_id, status, visibility, title, summary, branch_id, \
     province, district, health_zone, regional_centre, fiscal_year, has_photo, has_video, \
     has_slides, innovators, photo_file_id, applied_count, published_ms, updated_ms";

fn to_row(r: &QueryResult) -> PortResult<InnovationRow> {
    let mut media = Vec::new();
    for (col, m) in [
        ("has_photo", MediaKind::Photo),
        ("has_video", MediaKind::Video),
        ("has_slides", MediaKind::Slides),
    ] {
        if get::<bool>(r, col)? {
            media.push(m);
        }
    }
    let innovators: Vec<i64> =
        serde_json::from_str(&get::<String>(r, "innovators")?).map_err(|e| corrupt("people", e))?;
    let status: String = get(r, "status")?;
    let visibility: String = get(r, "visibility")?;
    Ok(InnovationRow {
        item_id: ItemId(get(r, "item_id")?),
        unit_id: UnitId(get(r, "unit_id")?),
        status: ItemStatus::parse(&status).map_err(|e| corrupt("status", e))?,
        visibility: Visibility::parse(&visibility).map_err(|e| corrupt("visibility", e))?,
        title: get(r, "title")?,
        summary: get(r, "summary")?,
        branch: get::<Option<i64>>(r, "branch_id")?.map(TermId),
        province: get::<Option<String>>(r, "province")?
            .map(|p| ProvinceCode::parse(&p).map_err(|e| corrupt("province", e)))
            .transpose()?,
        district: get::<Option<String>>(r, "district")?
            .map(|d| DistrictCode::parse(&d).map_err(|e| corrupt("district", e)))
            .transpose()?,
        health_zone: get::<Option<i32>>(r, "health_zone")?.map(|z| z as u8),
        regional_centre: get::<Option<String>>(r, "regional_centre")?
            .and_then(|c| RegionalCentre::from_code(&c)),
        fiscal_year: get(r, "fiscal_year")?,
        media,
        innovators: innovators.into_iter().map(PersonId).collect(),
        photo: get::<Option<i64>>(r, "photo_file_id")?.map(FileId),
        applied_count: get::<i64>(r, "applied_count")?.max(0) as u64,
        published_at: get::<Option<i64>>(r, "published_ms")?
            .map(from_ms)
            .transpose()?,
        updated_at: from_ms(get(r, "updated_ms")?)?,
    })
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The WHERE clause of a list and its values.
fn conditions(q: &InnovationQuery) -> (String, Vec<Value>) {
    let mut sql = vec!["1 = 1".to_string()];
    let mut values: Vec<Value> = Vec::new();
    if q.published_only {
        sql.push("status = ?".into());
        values.push(ItemStatus::Published.as_str().into());
    }
    let f = &q.filters;
    if let Some(b) = f.branch {
        sql.push("branch_id = ?".into());
        values.push(b.0.into());
    }
    if let Some(c) = f.regional_centre {
        sql.push("regional_centre = ?".into());
        values.push(c.code().into());
    }
    if let Some(z) = f.health_zone {
        sql.push("health_zone = ?".into());
        values.push(i32::from(z).into());
    }
    if let Some(p) = f.province {
        sql.push("province = ?".into());
        values.push(p.to_string().into());
    }
    if let Some(y) = f.fiscal_year {
        sql.push("fiscal_year = ?".into());
        values.push(y.into());
    }
    if let Some(m) = f.media {
        sql.push(
            match m {
                MediaKind::Photo => "has_photo = ?",
                MediaKind::Video => "has_video = ?",
                MediaKind::Slides => "has_slides = ?",
            }
            .into(),
        );
        values.push(true.into());
    }
    if let Some(units) = &q.units {
        if units.is_empty() {
            sql.push("1 = 0".into());
        } else {
            sql.push(format!("unit_id IN ({})", marks(units.len())));
            values.extend(units.iter().map(|u| Value::from(u.0)));
        }
    }
    if let Some(r) = &q.readable {
        let mut any = vec!["visibility = ?".to_string()];
        values.push(Visibility::Public.as_str().into());
        if r.signed_in {
            any.push("visibility = ?".into());
            values.push(Visibility::SignedIn.as_str().into());
        }
        if !r.readable_units.is_empty() {
            any.push(format!(
                "(visibility = ? AND unit_id IN ({}))",
                marks(r.readable_units.len())
            ));
            values.push(Visibility::Unit.as_str().into());
            values.extend(r.readable_units.iter().map(|u| Value::from(u.0)));
        }
        sql.push(format!("({})", any.join(" OR ")));
    }
    (sql.join(" AND "), values)
}

/// `units` and `fiscal_year` over published rows (the statistics' filter), as SQL on `i.`.
fn published_of(units: Option<&[UnitId]>, fiscal_year: Option<i32>) -> (String, Vec<Value>) {
    let mut sql = vec!["i.status = ?".to_string()];
    let mut values: Vec<Value> = vec![ItemStatus::Published.as_str().into()];
    if let Some(units) = units {
        if units.is_empty() {
            sql.push("1 = 0".into());
        } else {
            sql.push(format!("i.unit_id IN ({})", marks(units.len())));
            values.extend(units.iter().map(|u| Value::from(u.0)));
        }
    }
    if let Some(y) = fiscal_year {
        sql.push("i.fiscal_year = ?".into());
        values.push(y.into());
    }
    (sql.join(" AND "), values)
}

async fn count(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> PortResult<u64> {
    let found = rows(db, sql, values).await?;
    let n: i64 = match found.first() {
        Some(r) => get(r, "n")?,
        None => 0,
    };
    Ok(n.max(0) as u64)
}

#[async_trait]
impl InnovationStore for SeaStore {
    async fn put_innovation(&self, row: &InnovationRow) -> PortResult<()> {
        let innovators =
            serde_json::to_string(&row.innovators.iter().map(|p| p.0).collect::<Vec<_>>())
                .map_err(|e| PortError::Other(e.to_string()))?;
        let values: Vec<Value> = vec![
            row.item_id.0.into(),
            row.unit_id.0.into(),
            row.status.as_str().into(),
            row.visibility.as_str().into(),
            row.title.clone().into(),
            row.summary.clone().into(),
            row.branch.map(|t| t.0).into(),
            row.province.map(|p| p.to_string()).into(),
            row.district.map(|d| d.to_string()).into(),
            row.health_zone.map(i32::from).into(),
            row.regional_centre.map(|c| c.code().to_string()).into(),
            row.fiscal_year.into(),
            row.has(MediaKind::Photo).into(),
            row.has(MediaKind::Video).into(),
            row.has(MediaKind::Slides).into(),
            innovators.into(),
            row.photo.map(|f| f.0).into(),
            row.published_at.map(ms).into(),
            ms(row.updated_at).into(),
        ];
        // The applied count belongs to the reports: a new row starts at what they say.
        exec(
            self.connection(),
            "INSERT INTO innovations (item_id, unit_id, status, visibility, title, summary, \
             branch_id, province, district, health_zone, regional_centre, fiscal_year, \
             has_photo, has_video, has_slides, innovators, photo_file_id, published_ms, \
             updated_ms, applied_count) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \
             (SELECT COUNT(*) FROM innovation_applied WHERE item_id = ?)) \
             ON CONFLICT (item_id) DO UPDATE SET unit_id = excluded.unit_id, \
             status = excluded.status, visibility = excluded.visibility, \
             title = excluded.title, summary = excluded.summary, \
             branch_id = excluded.branch_id, province = excluded.province, \
             district = excluded.district, health_zone = excluded.health_zone, \
             regional_centre = excluded.regional_centre, fiscal_year = excluded.fiscal_year, \
             has_photo = excluded.has_photo, has_video = excluded.has_video, \
             has_slides = excluded.has_slides, innovators = excluded.innovators, \
             photo_file_id = excluded.photo_file_id, published_ms = excluded.published_ms, \
             updated_ms = excluded.updated_ms",
            values
                .into_iter()
                .chain(std::iter::once(Value::from(row.item_id.0)))
                .collect(),
        )
        .await?;
        Ok(())
    }

    async fn remove_innovation(&self, item: ItemId) -> PortResult<()> {
        exec(
            self.connection(),
            "DELETE FROM innovations WHERE item_id = ?",
            vec![item.0.into()],
        )
        .await?;
        Ok(())
    }

    async fn get_innovation(&self, item: ItemId) -> PortResult<Option<InnovationRow>> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM innovations WHERE item_id = ?"),
            vec![item.0.into()],
        )
        .await?;
        found.first().map(to_row).transpose()
    }

    async fn list_innovations(
        &self,
        q: &InnovationQuery,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<InnovationRow>> {
        let (cond, values) = conditions(q);
        let total = count(
            self.connection(),
            &format!("SELECT COUNT(*) AS n FROM innovations WHERE {cond}"),
            values.clone(),
        )
        .await?;
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        let order = if q.most_applied {
            "applied_count DESC, published_ms DESC, item_id DESC"
        } else if q.published_only {
            "published_ms DESC, item_id DESC"
        } else {
            "updated_ms DESC, item_id DESC"
        };
        let mut values = values;
        values.push((per_page as i64).into());
        values.push((((page - 1) * per_page) as i64).into());
        let found = rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM innovations WHERE {cond} ORDER BY {order} LIMIT ? OFFSET ?"
            ),
            values,
        )
        .await?;
        Ok(Page {
            items: found.iter().map(to_row).collect::<PortResult<_>>()?,
            page,
            per_page,
            total,
        })
    }

    async fn count_innovations(
        &self,
        units: Option<&[UnitId]>,
        fiscal_year: Option<i32>,
    ) -> PortResult<Vec<InnovationCount>> {
        let (cond, values) = published_of(units, fiscal_year);
        let found = rows(
            self.connection(),
            &format!(
                "SELECT i.branch_id AS branch_id, i.regional_centre AS regional_centre, \
                 COUNT(*) AS n FROM innovations i WHERE {cond} \
                 GROUP BY i.branch_id, i.regional_centre"
            ),
            values,
        )
        .await?;
        let mut out = found
            .iter()
            .map(|r| {
                Ok(InnovationCount {
                    branch: get::<Option<i64>>(r, "branch_id")?.map(TermId),
                    regional_centre: get::<Option<String>>(r, "regional_centre")?
                        .and_then(|c| RegionalCentre::from_code(&c)),
                    count: get::<i64>(r, "n")?.max(0) as u64,
                })
            })
            .collect::<PortResult<Vec<_>>>()?;
        out.sort_by_key(|c| (c.branch, c.regional_centre));
        Ok(out)
    }

    async fn count_applied(
        &self,
        units: Option<&[UnitId]>,
        fiscal_year: Option<i32>,
    ) -> PortResult<u64> {
        let (cond, values) = published_of(units, fiscal_year);
        count(
            self.connection(),
            &format!(
                "SELECT COUNT(*) AS n FROM innovation_applied a \
                 JOIN innovations i ON i.item_id = a.item_id WHERE {cond}"
            ),
            values,
        )
        .await
    }

    async fn insert_applied(
        &self,
        item: ItemId,
        by: UserId,
        report: &AppliedFields,
        at: OffsetDateTime,
    ) -> PortResult<i64> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let found = rows(
            &txn,
            "INSERT INTO innovation_applied (item_id, reported_by, province, place, how, result, at_ms) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                item.0.into(),
                by.0.into(),
                report.province.map(|p| p.to_string()).into(),
                report.place.clone().into(),
                report.how.clone().into(),
                report.result.clone().into(),
                ms(at).into(),
            ],
        )
        .await?;
        let id: i64 = match found.first() {
            Some(r) => get(r, "id")?,
            None => return Err(PortError::Other("no id returned".into())),
        };
        exec(
            &txn,
            "UPDATE innovations SET applied_count = \
             (SELECT COUNT(*) FROM innovation_applied WHERE item_id = ?) WHERE item_id = ?",
            vec![item.0.into(), item.0.into()],
        )
        .await?;
        txn.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn applied_reports(
        &self,
        item: ItemId,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<AppliedReport>> {
        let total = count(
            self.connection(),
            "SELECT COUNT(*) AS n FROM innovation_applied WHERE item_id = ?",
            vec![item.0.into()],
        )
        .await?;
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        let found = rows(
            self.connection(),
            "SELECT a.id AS id, a.item_id AS item_id, a.reported_by AS reported_by, \
             u.display_name AS reporter_name, a.province AS province, a.place AS place, \
             a.how AS how, a.result AS result, a.at_ms AS at_ms \
             FROM innovation_applied a JOIN users u ON u.id = a.reported_by \
             WHERE a.item_id = ? ORDER BY a.id DESC LIMIT ? OFFSET ?",
            vec![
                item.0.into(),
                (per_page as i64).into(),
                (((page - 1) * per_page) as i64).into(),
            ],
        )
        .await?;
        let items = found
            .iter()
            .map(|r| {
                Ok(AppliedReport {
                    id: get(r, "id")?,
                    item_id: ItemId(get(r, "item_id")?),
                    reported_by: UserId(get(r, "reported_by")?),
                    reporter_name: get(r, "reporter_name")?,
                    province: get::<Option<String>>(r, "province")?
                        .map(|p| ProvinceCode::parse(&p).map_err(|e| corrupt("province", e)))
                        .transpose()?,
                    place: get(r, "place")?,
                    how: get(r, "how")?,
                    result: get(r, "result")?,
                    at: from_ms(get(r, "at_ms")?)?,
                })
            })
            .collect::<PortResult<Vec<_>>>()?;
        Ok(Page {
            items,
            page,
            per_page,
            total,
        })
    }
}
