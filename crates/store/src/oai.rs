//! [`OaiStore`] over SeaORM: the OAI-PMH repository's one query, walked along the index
//! `ix_items_oai` (visibility, updated_ms, id) — the same statements on both engines.

use crate::entities::{item, item_file, item_term};
use crate::knowledge::to_item;
use crate::schema::a;
use crate::store::{SeaStore, map_err};
use async_trait::async_trait;
use khlang_core::ids::ItemId;
use khlang_core::oai::{OaiQuery, OaiRow, OaiStore};
use khlang_core::ports::PortResult;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::{HashMap, HashSet};

/// Everything but the position: statuses, visibility, set and dates.
fn condition(q: &OaiQuery) -> Condition {
    let mut c = Condition::all()
        .add(item::Column::Visibility.eq(q.visibility.as_str()))
        .add(item::Column::Status.is_in(q.statuses.iter().map(|s| s.as_str())));
    if let Some(units) = &q.units {
        c = c.add(item::Column::UnitId.is_in(units.iter().map(|u| u.0)));
    }
    if let Some(terms) = &q.terms {
        c = c.add(
            item::Column::Id.in_subquery(
                Query::select()
                    .column(item_term::Column::ItemId)
                    .from(item_term::Entity)
                    .and_where(item_term::Column::TermId.is_in(terms.iter().map(|t| t.0)))
                    .to_owned(),
            ),
        );
    }
    if q.innovations {
        // The innovation registry's projection: one row per innovation item.
        c = c.add(
            item::Column::Id.in_subquery(
                Query::select()
                    .column(a("item_id"))
                    .from(a("innovations"))
                    .to_owned(),
            ),
        );
    }
    if let Some(from) = q.from_ms {
        c = c.add(item::Column::UpdatedMs.gte(from));
    }
    if let Some(until) = q.until_ms {
        c = c.add(item::Column::UpdatedMs.lt(until));
    }
    c
}

impl SeaStore {
    /// Rows for items, with their current files' types and registry membership (two
    /// queries for the whole page).
    async fn oai_rows(&self, models: Vec<item::Model>) -> PortResult<Vec<OaiRow>> {
        let db = self.connection();
        let ids: Vec<i64> = models.iter().map(|m| m.id).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut mimes: HashMap<i64, Vec<String>> = HashMap::new();
        let files = item_file::Entity::find()
            .filter(item_file::Column::ItemId.is_in(ids.clone()))
            .filter(item_file::Column::Current.eq(true))
            .order_by_asc(item_file::Column::Id)
            .all(db)
            .await
            .map_err(map_err)?;
        for f in files {
            mimes.entry(f.item_id).or_default().push(f.mime);
        }
        let select = Query::select()
            .column(a("item_id"))
            .from(a("innovations"))
            .and_where(Expr::col(a("item_id")).is_in(ids))
            .to_owned();
        let backend = db.get_database_backend();
        let mut innovations: HashSet<i64> = HashSet::new();
        for r in db
            .query_all(backend.build(&select))
            .await
            .map_err(map_err)?
        {
            innovations.insert(r.try_get::<i64>("", "item_id").map_err(map_err)?);
        }
        models
            .into_iter()
            .map(|m| {
                let (id, stamp_ms) = (m.id, m.updated_ms);
                Ok(OaiRow {
                    item: to_item(m)?,
                    stamp_ms,
                    mimes: mimes.remove(&id).unwrap_or_default(),
                    innovation: innovations.contains(&id),
                })
            })
            .collect()
    }
}

#[async_trait]
impl OaiStore for SeaStore {
    async fn oai_page(&self, q: &OaiQuery) -> PortResult<Vec<OaiRow>> {
        let mut find = item::Entity::find().filter(condition(q));
        if let Some((ms, id)) = q.after {
            // The first condition alone is what PostgreSQL can start the index range at; the
            // second says exactly where.
            find = find.filter(item::Column::UpdatedMs.gte(ms)).filter(
                Condition::any().add(item::Column::UpdatedMs.gt(ms)).add(
                    Condition::all()
                        .add(item::Column::UpdatedMs.eq(ms))
                        .add(item::Column::Id.gt(id.0)),
                ),
            );
        }
        let models = find
            .order_by_asc(item::Column::UpdatedMs)
            .order_by_asc(item::Column::Id)
            .limit(q.limit)
            .all(self.connection())
            .await
            .map_err(map_err)?;
        self.oai_rows(models).await
    }

    async fn oai_count(&self, q: &OaiQuery) -> PortResult<u64> {
        item::Entity::find()
            .filter(condition(q))
            .count(self.connection())
            .await
            .map_err(map_err)
    }

    async fn oai_item(&self, id: ItemId) -> PortResult<Option<OaiRow>> {
        let Some(m) = item::Entity::find_by_id(id.0)
            .one(self.connection())
            .await
            .map_err(map_err)?
        else {
            return Ok(None);
        };
        Ok(self.oai_rows(vec![m]).await?.pop())
    }

    async fn oai_earliest_ms(&self, q: &OaiQuery) -> PortResult<Option<i64>> {
        let min: Option<Option<i64>> = item::Entity::find()
            .filter(condition(q))
            .select_only()
            .column_as(item::Column::UpdatedMs.min(), "earliest")
            .into_tuple()
            .one(self.connection())
            .await
            .map_err(map_err)?;
        Ok(min.flatten())
    }
}
