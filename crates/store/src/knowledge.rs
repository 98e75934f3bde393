//! [`KnowledgeStore`] over SeaORM: items (fields kept as JSON, filter columns alongside),
//! versions, files, conversation, uploads and taxonomies — the same queries on both engines.

use crate::entities::{
    blob, item, item_comment, item_file, item_revision, item_term, item_version, taxonomy, term,
    upload,
};
use crate::search;
use crate::store::{SeaStore, map_err, utc};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{FileId, ItemId, TaxonomyId, TermId, UnitId, UserId};
use khlang_core::item::{
    Item, ItemFields, ItemFile, ItemStatus, KnowledgeType, Revision, Version, Visibility,
};
use khlang_core::ports::{
    Comment, DictionaryWord, ExtractionJob, IndexChange, IndexField, ItemFilter, ItemOrder,
    ItemSummary, KnowledgeStore, NewFile, Page, PortResult, Upload,
};
use khlang_core::search::{Clause, IndexHit};
use khlang_core::taxonomy::{Taxonomy, Term};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use time::OffsetDateTime;

pub(crate) async fn write_index(
    db: &impl ConnectionTrait,
    item: ItemId,
    change: &IndexChange,
) -> PortResult<()> {
    match change {
        IndexChange::Put(entry) => search::put(db, entry).await,
        IndexChange::Remove => search::remove(db, item).await,
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored {what} is invalid: {e}"))
}

fn status(s: &str) -> PortResult<ItemStatus> {
    ItemStatus::parse(s).map_err(|e| corrupt("status", e))
}

pub(crate) fn to_item(m: item::Model) -> PortResult<Item> {
    let fields: ItemFields =
        serde_json::from_str(&m.fields).map_err(|e| corrupt("item fields", e))?;
    Ok(Item {
        id: ItemId(m.id),
        fields,
        status: status(&m.status)?,
        created_by: UserId(m.created_by),
        created_at: m.created_at,
        updated_by: UserId(m.updated_by),
        updated_at: m.updated_at,
        published_at: m.published_at,
        version: m.version,
    })
}

fn to_file(m: item_file::Model) -> ItemFile {
    ItemFile {
        id: FileId(m.id),
        item_id: ItemId(m.item_id),
        name: m.name,
        sha256: m.sha256,
        size: m.size.max(0) as u64,
        mime: m.mime,
        kind: m.kind,
        added_at: m.added_at,
        added_by: UserId(m.added_by),
        current: m.current,
    }
}

fn to_revision(m: item_revision::Model) -> PortResult<Revision> {
    Ok(Revision {
        item_id: ItemId(m.item_id),
        snapshot: serde_json::from_str(&m.snapshot).map_err(|e| corrupt("revision", e))?,
        status: status(&m.status)?,
        created_by: UserId(m.created_by),
        created_at: m.created_at,
        updated_by: UserId(m.updated_by),
        updated_at: m.updated_at,
    })
}

/// Exactly `ids` become the item's current files (restore, removal, an approved revision).
async fn write_current_files(
    db: &impl ConnectionTrait,
    item: ItemId,
    ids: &[FileId],
) -> PortResult<()> {
    item_file::Entity::update_many()
        .col_expr(item_file::Column::Current, Expr::value(false))
        .filter(item_file::Column::ItemId.eq(item.0))
        .exec(db)
        .await
        .map_err(map_err)?;
    if !ids.is_empty() {
        item_file::Entity::update_many()
            .col_expr(item_file::Column::Current, Expr::value(true))
            .filter(item_file::Column::ItemId.eq(item.0))
            .filter(item_file::Column::Id.is_in(ids.iter().map(|i| i.0)))
            .exec(db)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

fn to_version(m: item_version::Model) -> PortResult<Version> {
    Ok(Version {
        item_id: ItemId(m.item_id),
        number: m.number,
        snapshot: serde_json::from_str(&m.snapshot).map_err(|e| corrupt("version", e))?,
        created_by: UserId(m.created_by),
        created_at: m.created_at,
        note: m.note,
    })
}

fn to_upload(m: upload::Model) -> Upload {
    Upload {
        id: m.id,
        user_id: m.user_id.map(UserId),
        item_id: m.item_id.map(ItemId),
        filename: m.filename,
        length: m.length.max(0) as u64,
        offset: m.offset.max(0) as u64,
        created_at: m.created_at,
        file_id: m.file_id.map(FileId),
        entry_id: m.entry_id.map(khlang_core::ids::EntryId),
        requirement: m.requirement,
    }
}

pub(crate) fn item_row(i: &Item) -> PortResult<item::ActiveModel> {
    Ok(item::ActiveModel {
        id: if i.id.0 > 0 {
            Set(i.id.0)
        } else {
            Default::default()
        },
        title: Set(i.fields.title.as_str().to_string()),
        summary: Set(i.fields.summary.clone()),
        status: Set(i.status.as_str().to_string()),
        unit_id: Set(i.fields.unit_id.0),
        knowledge_type: Set(i.fields.knowledge_type.as_str().to_string()),
        visibility: Set(i.fields.visibility.as_str().to_string()),
        fiscal_year: Set(i.fiscal_year()),
        fields: Set(serde_json::to_string(&i.fields).map_err(|e| PortError::Other(e.to_string()))?),
        version: Set(i.version),
        created_by: Set(i.created_by.0),
        created_at: Set(utc(i.created_at)),
        updated_by: Set(i.updated_by.0),
        updated_at: Set(utc(i.updated_at)),
        published_at: Set(i.published_at.map(utc)),
        updated_ms: Set(crate::store::ms(i.updated_at)),
    })
}

pub(crate) async fn write_terms(
    db: &impl ConnectionTrait,
    item: ItemId,
    terms: &[TermId],
) -> PortResult<()> {
    item_term::Entity::delete_many()
        .filter(item_term::Column::ItemId.eq(item.0))
        .exec(db)
        .await
        .map_err(map_err)?;
    if !terms.is_empty() {
        let rows = terms.iter().map(|t| item_term::ActiveModel {
            item_id: Set(item.0),
            term_id: Set(t.0),
        });
        item_term::Entity::insert_many(rows)
            .exec(db)
            .await
            .map_err(map_err)?;
    }
    Ok(())
}

pub(crate) async fn write_version(db: &impl ConnectionTrait, v: &Version) -> PortResult<()> {
    item_version::Entity::delete_many()
        .filter(item_version::Column::ItemId.eq(v.item_id.0))
        .filter(item_version::Column::Number.eq(v.number))
        .exec(db)
        .await
        .map_err(map_err)?;
    item_version::ActiveModel {
        item_id: Set(v.item_id.0),
        number: Set(v.number),
        snapshot: Set(
            serde_json::to_string(&v.snapshot).map_err(|e| PortError::Other(e.to_string()))?
        ),
        created_by: Set(v.created_by.0),
        created_at: Set(utc(v.created_at)),
        note: Set(v.note.clone()),
    }
    .insert(db)
    .await
    .map_err(map_err)?;
    Ok(())
}

#[derive(FromQueryResult)]
struct SummaryRow {
    id: i64,
    title: String,
    summary: String,
    status: String,
    unit_id: i64,
    knowledge_type: String,
    visibility: String,
    created_by: i64,
    updated_at: OffsetDateTime,
    published_at: Option<OffsetDateTime>,
    fiscal_year: i32,
}

fn visibility_condition(r: &khlang_core::ports::Readable) -> Condition {
    let mut c = Condition::any().add(item::Column::Visibility.eq(Visibility::Public.as_str()));
    if r.signed_in {
        c = c.add(item::Column::Visibility.eq(Visibility::SignedIn.as_str()));
    }
    if !r.readable_units.is_empty() {
        c = c.add(
            Condition::all()
                .add(item::Column::Visibility.eq(Visibility::Unit.as_str()))
                .add(item::Column::UnitId.is_in(r.readable_units.iter().map(|u| u.0))),
        );
    }
    c
}

#[async_trait]
impl KnowledgeStore for SeaStore {
    async fn list_taxonomies(&self) -> PortResult<Vec<Taxonomy>> {
        Ok(taxonomy::Entity::find()
            .order_by_asc(taxonomy::Column::Id)
            .all(self.connection())
            .await
            .map_err(map_err)?
            .into_iter()
            .map(|m| Taxonomy {
                id: TaxonomyId(m.id),
                key: m.key,
                name_th: m.name_th,
                name_en: m.name_en,
            })
            .collect())
    }

    async fn list_terms(&self) -> PortResult<Vec<Term>> {
        Ok(term::Entity::find()
            .order_by_asc(term::Column::Id)
            .all(self.connection())
            .await
            .map_err(map_err)?
            .into_iter()
            .map(|m| Term {
                id: TermId(m.id),
                taxonomy_id: TaxonomyId(m.taxonomy_id),
                key: m.key,
                label_th: m.label_th,
                label_en: m.label_en,
                parent_id: m.parent_id.map(TermId),
                retired: m.retired,
            })
            .collect())
    }

    async fn insert_taxonomy(
        &self,
        key: &str,
        name_th: &str,
        name_en: &str,
    ) -> PortResult<Taxonomy> {
        let m = taxonomy::ActiveModel {
            key: Set(key.into()),
            name_th: Set(name_th.into()),
            name_en: Set(name_en.into()),
            ..Default::default()
        }
        .insert(self.connection())
        .await
        .map_err(map_err)?;
        Ok(Taxonomy {
            id: TaxonomyId(m.id),
            key: m.key,
            name_th: m.name_th,
            name_en: m.name_en,
        })
    }

    async fn insert_term(
        &self,
        taxonomy: TaxonomyId,
        key: &str,
        label_th: &str,
        label_en: &str,
        parent: Option<TermId>,
    ) -> PortResult<Term> {
        let m = term::ActiveModel {
            taxonomy_id: Set(taxonomy.0),
            key: Set(key.into()),
            label_th: Set(label_th.into()),
            label_en: Set(label_en.into()),
            parent_id: Set(parent.map(|p| p.0)),
            retired: Set(false),
            ..Default::default()
        }
        .insert(self.connection())
        .await
        .map_err(map_err)?;
        Ok(Term {
            id: TermId(m.id),
            taxonomy_id: taxonomy,
            key: m.key,
            label_th: m.label_th,
            label_en: m.label_en,
            parent_id: parent,
            retired: false,
        })
    }

    async fn update_term(&self, t: &Term) -> PortResult<()> {
        let res = term::Entity::update_many()
            .col_expr(term::Column::LabelTh, Expr::value(t.label_th.clone()))
            .col_expr(term::Column::LabelEn, Expr::value(t.label_en.clone()))
            .col_expr(term::Column::Retired, Expr::value(t.retired))
            .filter(term::Column::Id.eq(t.id.0))
            .exec(self.connection())
            .await
            .map_err(map_err)?;
        if res.rows_affected == 0 {
            Err(PortError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn insert_item(&self, i: &Item, note: &str) -> PortResult<ItemId> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let m = item_row(i)?.insert(&txn).await.map_err(map_err)?;
        let id = ItemId(m.id);
        write_terms(&txn, id, &i.fields.terms).await?;
        let version = Version {
            item_id: id,
            number: i.version,
            snapshot: khlang_core::item::Snapshot {
                fields: i.fields.clone(),
                files: vec![],
            },
            created_by: i.created_by,
            created_at: i.created_at,
            note: note.to_string(),
        };
        write_version(&txn, &version).await?;
        txn.commit().await.map_err(map_err)?;
        Ok(id)
    }

    async fn get_item(&self, id: ItemId) -> PortResult<Item> {
        to_item(
            item::Entity::find_by_id(id.0)
                .one(self.connection())
                .await
                .map_err(map_err)?
                .ok_or(PortError::NotFound)?,
        )
    }

    async fn save_item(
        &self,
        i: &Item,
        version: Option<&Version>,
        index: &IndexChange,
    ) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        item_row(i)?.update(&txn).await.map_err(map_err)?;
        write_terms(&txn, i.id, &i.fields.terms).await?;
        if let Some(v) = version {
            write_version(&txn, v).await?;
        }
        write_index(&txn, i.id, index).await?;
        txn.commit().await.map_err(map_err)
    }

    async fn list_items(
        &self,
        f: &ItemFilter,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<ItemSummary>> {
        let mut cond = Condition::all();
        let revisions = (!f.revision_statuses.is_empty()).then(|| {
            item::Column::Id.in_subquery(
                Query::select()
                    .column(item_revision::Column::ItemId)
                    .from(item_revision::Entity)
                    .and_where(
                        item_revision::Column::Status
                            .is_in(f.revision_statuses.iter().map(|s| s.as_str())),
                    )
                    .to_owned(),
            )
        });
        match (f.statuses.is_empty(), revisions) {
            (true, None) => {}
            (false, None) => {
                cond = cond.add(item::Column::Status.is_in(f.statuses.iter().map(|s| s.as_str())));
            }
            (true, Some(r)) => cond = cond.add(r),
            (false, Some(r)) => {
                cond = cond.add(
                    Condition::any()
                        .add(item::Column::Status.is_in(f.statuses.iter().map(|s| s.as_str())))
                        .add(r),
                );
            }
        }
        if let Some(units) = &f.units {
            cond = cond.add(item::Column::UnitId.is_in(units.iter().map(|u| u.0)));
        }
        if let Some(t) = f.term {
            cond = cond.add(
                item::Column::Id.in_subquery(
                    Query::select()
                        .column(item_term::Column::ItemId)
                        .from(item_term::Entity)
                        .and_where(item_term::Column::TermId.eq(t.0))
                        .to_owned(),
                ),
            );
        }
        if let Some(u) = f.created_by {
            cond = cond.add(item::Column::CreatedBy.eq(u.0));
        }
        if let Some(u) = f.not_created_by {
            cond = cond.add(item::Column::CreatedBy.ne(u.0));
        }
        if let Some(k) = f.knowledge_type {
            cond = cond.add(item::Column::KnowledgeType.eq(k.as_str()));
        }
        if let Some(y) = f.fiscal_year {
            cond = cond.add(item::Column::FiscalYear.eq(y));
        }
        if let Some(r) = &f.visibility {
            cond = cond.add(visibility_condition(r));
        }
        // The total needs neither the columns nor the order: a bare COUNT(*) over the same
        // filters is answered from ix_items_listing instead of reading every row.
        let total = item::Entity::find()
            .select_only()
            .column_as(Expr::col((item::Entity, item::Column::Id)).count(), "n")
            .filter(cond.clone())
            .into_tuple::<i64>()
            .one(self.connection())
            .await
            .map_err(map_err)?
            .unwrap_or(0)
            .max(0) as u64;
        let mut q = item::Entity::find()
            .select_only()
            .columns([
                item::Column::Id,
                item::Column::Title,
                item::Column::Summary,
                item::Column::Status,
                item::Column::UnitId,
                item::Column::KnowledgeType,
                item::Column::Visibility,
                item::Column::CreatedBy,
                item::Column::UpdatedAt,
                item::Column::PublishedAt,
                item::Column::FiscalYear,
            ])
            .filter(cond);
        q = match f.order {
            ItemOrder::NewestPublished => q
                .order_by_desc(item::Column::PublishedAt)
                .order_by_desc(item::Column::Id),
            ItemOrder::OldestUpdated => q
                .order_by_asc(item::Column::UpdatedAt)
                .order_by_asc(item::Column::Id),
            ItemOrder::RecentlyUpdated => q
                .order_by_desc(item::Column::UpdatedAt)
                .order_by_desc(item::Column::Id),
        };
        let per_page = per_page.clamp(1, 100);
        let page = page.max(1);
        let rows = q
            .limit(per_page)
            .offset((page - 1) * per_page)
            .into_model::<SummaryRow>()
            .all(self.connection())
            .await
            .map_err(map_err)?;
        let items = rows
            .into_iter()
            .map(|r| {
                Ok(ItemSummary {
                    id: ItemId(r.id),
                    title: r.title,
                    summary: r.summary,
                    status: status(&r.status)?,
                    unit_id: UnitId(r.unit_id),
                    knowledge_type: KnowledgeType::parse(&r.knowledge_type)
                        .map_err(|e| corrupt("type", e))?,
                    visibility: Visibility::parse(&r.visibility)
                        .map_err(|e| corrupt("visibility", e))?,
                    created_by: UserId(r.created_by),
                    updated_at: r.updated_at,
                    published_at: r.published_at,
                    fiscal_year: r.fiscal_year,
                    pending_revision: None,
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

    async fn versions(&self, item: ItemId) -> PortResult<Vec<Version>> {
        item_version::Entity::find()
            .filter(item_version::Column::ItemId.eq(item.0))
            .order_by_desc(item_version::Column::Number)
            .all(self.connection())
            .await
            .map_err(map_err)?
            .into_iter()
            .map(to_version)
            .collect()
    }

    async fn blob_exists(&self, sha256: &str) -> PortResult<bool> {
        Ok(blob::Entity::find_by_id(sha256.to_string())
            .count(self.connection())
            .await
            .map_err(map_err)?
            > 0)
    }

    async fn insert_blob(
        &self,
        sha256: &str,
        size: u64,
        mime: &str,
        at: OffsetDateTime,
    ) -> PortResult<()> {
        blob::ActiveModel {
            sha256: Set(sha256.into()),
            size: Set(size as i64),
            mime: Set(mime.into()),
            created_at: Set(utc(at)),
        }
        .insert(self.connection())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn insert_file(&self, f: NewFile) -> PortResult<ItemFile> {
        let m = item_file::ActiveModel {
            item_id: Set(f.item_id.0),
            name: Set(f.name),
            sha256: Set(f.sha256),
            size: Set(f.size as i64),
            mime: Set(f.mime),
            kind: Set(f.kind),
            current: Set(f.current),
            added_by: Set(f.added_by.0),
            added_at: Set(utc(f.at)),
            ..Default::default()
        }
        .insert(self.connection())
        .await
        .map_err(map_err)?;
        Ok(to_file(m))
    }

    async fn get_file(&self, id: FileId) -> PortResult<ItemFile> {
        Ok(to_file(
            item_file::Entity::find_by_id(id.0)
                .one(self.connection())
                .await
                .map_err(map_err)?
                .ok_or(PortError::NotFound)?,
        ))
    }

    async fn item_files(&self, item: ItemId) -> PortResult<Vec<ItemFile>> {
        Ok(item_file::Entity::find()
            .filter(item_file::Column::ItemId.eq(item.0))
            .filter(item_file::Column::Current.eq(true))
            .order_by_asc(item_file::Column::Id)
            .all(self.connection())
            .await
            .map_err(map_err)?
            .into_iter()
            .map(to_file)
            .collect())
    }

    async fn files_by_ids(&self, ids: &[FileId]) -> PortResult<Vec<ItemFile>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        Ok(item_file::Entity::find()
            .filter(item_file::Column::Id.is_in(ids.iter().map(|i| i.0)))
            .order_by_asc(item_file::Column::Id)
            .all(self.connection())
            .await
            .map_err(map_err)?
            .into_iter()
            .map(to_file)
            .collect())
    }

    async fn set_current_files(&self, item: ItemId, ids: &[FileId]) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        write_current_files(&txn, item, ids).await?;
        txn.commit().await.map_err(map_err)
    }

    async fn get_revision(&self, item: ItemId) -> PortResult<Option<Revision>> {
        item_revision::Entity::find_by_id(item.0)
            .one(self.connection())
            .await
            .map_err(map_err)?
            .map(to_revision)
            .transpose()
    }

    async fn save_revision(&self, r: &Revision) -> PortResult<()> {
        let row = item_revision::ActiveModel {
            item_id: Set(r.item_id.0),
            status: Set(r.status.as_str().to_string()),
            snapshot: Set(
                serde_json::to_string(&r.snapshot).map_err(|e| PortError::Other(e.to_string()))?
            ),
            created_by: Set(r.created_by.0),
            created_at: Set(utc(r.created_at)),
            updated_by: Set(r.updated_by.0),
            updated_at: Set(utc(r.updated_at)),
        };
        item_revision::Entity::insert(row)
            .on_conflict(
                sea_orm::sea_query::OnConflict::column(item_revision::Column::ItemId)
                    .update_columns([
                        item_revision::Column::Status,
                        item_revision::Column::Snapshot,
                        item_revision::Column::UpdatedBy,
                        item_revision::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec(self.connection())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_revision(&self, item: ItemId) -> PortResult<()> {
        item_revision::Entity::delete_by_id(item.0)
            .exec(self.connection())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn publish_revision(
        &self,
        i: &Item,
        version: &Version,
        index: &IndexChange,
    ) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        item_row(i)?.update(&txn).await.map_err(map_err)?;
        write_terms(&txn, i.id, &i.fields.terms).await?;
        write_version(&txn, version).await?;
        write_current_files(&txn, i.id, &version.snapshot.files).await?;
        item_revision::Entity::delete_by_id(i.id.0)
            .exec(&txn)
            .await
            .map_err(map_err)?;
        write_index(&txn, i.id, index).await?;
        txn.commit().await.map_err(map_err)
    }

    async fn file_texts(&self, ids: &[FileId]) -> PortResult<Vec<String>> {
        let mut out = Vec::new();
        for id in ids {
            let found = search::rows(
                self.connection(),
                "SELECT t.text AS text FROM item_files f JOIN file_texts t ON t.sha256 = f.sha256 \
                 WHERE f.id = ? AND t.status = 'done'",
                vec![id.0.into()],
            )
            .await?;
            for r in &found {
                out.push(
                    r.try_get::<Option<String>>("", "text")
                        .map_err(map_err)?
                        .unwrap_or_default(),
                );
            }
        }
        Ok(out)
    }

    async fn insert_comment(&self, item: ItemId, c: &Comment) -> PortResult<()> {
        item_comment::ActiveModel {
            item_id: Set(item.0),
            author_id: Set(c.author_id.0),
            author_name: Set(c.author_name.clone()),
            body: Set(c.body.clone()),
            from_status: Set(c.from_status.map(|s| s.as_str().to_string())),
            to_status: Set(c.to_status.map(|s| s.as_str().to_string())),
            at: Set(utc(c.at)),
            ..Default::default()
        }
        .insert(self.connection())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn comments(&self, item: ItemId) -> PortResult<Vec<Comment>> {
        item_comment::Entity::find()
            .filter(item_comment::Column::ItemId.eq(item.0))
            .order_by_asc(item_comment::Column::Id)
            .all(self.connection())
            .await
            .map_err(map_err)?
            .into_iter()
            .map(|m| {
                Ok(Comment {
                    author_id: UserId(m.author_id),
                    author_name: m.author_name,
                    body: m.body,
                    from_status: m.from_status.as_deref().map(status).transpose()?,
                    to_status: m.to_status.as_deref().map(status).transpose()?,
                    at: m.at,
                })
            })
            .collect()
    }

    async fn insert_upload(&self, u: &Upload) -> PortResult<()> {
        upload::ActiveModel {
            id: Set(u.id.clone()),
            user_id: Set(u.user_id.map(|x| x.0)),
            item_id: Set(u.item_id.map(|x| x.0)),
            entry_id: Set(u.entry_id.map(|x| x.0)),
            requirement: Set(u.requirement.clone()),
            filename: Set(u.filename.clone()),
            length: Set(u.length as i64),
            offset: Set(u.offset as i64),
            created_at: Set(utc(u.created_at)),
            file_id: Set(u.file_id.map(|f| f.0)),
        }
        .insert(self.connection())
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn get_upload(&self, id: &str) -> PortResult<Upload> {
        Ok(to_upload(
            upload::Entity::find_by_id(id.to_string())
                .one(self.connection())
                .await
                .map_err(map_err)?
                .ok_or(PortError::NotFound)?,
        ))
    }

    async fn set_upload_offset(
        &self,
        id: &str,
        offset: u64,
        file: Option<FileId>,
    ) -> PortResult<()> {
        let res = upload::Entity::update_many()
            .col_expr(upload::Column::Offset, Expr::value(offset as i64))
            .col_expr(upload::Column::FileId, Expr::value(file.map(|f| f.0)))
            .filter(upload::Column::Id.eq(id))
            .exec(self.connection())
            .await
            .map_err(map_err)?;
        if res.rows_affected == 0 {
            Err(PortError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn delete_upload(&self, id: &str) -> PortResult<()> {
        upload::Entity::delete_by_id(id.to_string())
            .exec(self.connection())
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn write_index(&self, changes: &[(ItemId, IndexChange)]) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        for (item, change) in changes {
            write_index(&txn, *item, change).await?;
        }
        txn.commit().await.map_err(map_err)
    }

    async fn begin_index_rebuild(&self) -> PortResult<()> {
        search::begin_rebuild(self.connection()).await
    }

    async fn write_index_rebuild(&self, changes: &[(ItemId, IndexChange)]) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        for (item, change) in changes {
            search::write_rebuild(&txn, *item, change).await?;
        }
        txn.commit().await.map_err(map_err)
    }

    async fn finish_index_rebuild(&self) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        search::finish_rebuild(&txn).await?;
        txn.commit().await.map_err(map_err)?;
        search::after_rebuild(self.connection()).await
    }

    async fn doc_counts(&self, field: IndexField, terms: &[String]) -> PortResult<Vec<u64>> {
        search::doc_counts(self.connection(), field, terms).await
    }

    async fn search_words(
        &self,
        all: &[Clause],
        any: &[Clause],
        none: &[Clause],
        idf: &[f64],
        limit: usize,
    ) -> PortResult<Vec<IndexHit>> {
        if self.connection().get_database_backend() == DbBackend::Postgres {
            let txn = search::index_scans(self.connection()).await?;
            let found = search::words(&txn, all, any, none, idf, limit).await?;
            txn.commit().await.map_err(map_err)?;
            return Ok(found);
        }
        search::words(self.connection(), all, any, none, idf, limit).await
    }

    async fn search_grams(
        &self,
        grams: &[String],
        none: &[Clause],
        limit: usize,
    ) -> PortResult<Vec<IndexHit>> {
        if self.connection().get_database_backend() == DbBackend::Postgres {
            let txn = search::index_scans(self.connection()).await?;
            let found = search::grams(&txn, grams, none, limit).await?;
            txn.commit().await.map_err(map_err)?;
            return Ok(found);
        }
        search::grams(self.connection(), grams, none, limit).await
    }

    fn ranking_cost(&self) -> u64 {
        search::ranking_cost(self.connection().get_database_backend())
    }

    async fn indexed_count(&self) -> PortResult<u64> {
        search::count(self.connection()).await
    }

    async fn index_generation(&self) -> PortResult<Option<u64>> {
        search::generation(self.connection()).await.map(Some)
    }

    async fn published_item_ids(&self) -> PortResult<Vec<ItemId>> {
        search::published_item_ids(self.connection()).await
    }

    async fn dictionary(&self) -> PortResult<Vec<DictionaryWord>> {
        search::dictionary(self.connection()).await
    }

    async fn add_dictionary_word(&self, word: &DictionaryWord) -> PortResult<()> {
        search::add_dictionary_word(self.connection(), word).await
    }

    async fn remove_dictionary_word(&self, word: &str) -> PortResult<()> {
        search::remove_dictionary_word(self.connection(), word).await
    }

    async fn queue_extraction(
        &self,
        sha256: &str,
        mime: &str,
        size: u64,
        now: OffsetDateTime,
    ) -> PortResult<()> {
        search::queue_extraction(self.connection(), sha256, mime, size, now).await
    }

    async fn next_extraction(&self, now: OffsetDateTime) -> PortResult<Option<ExtractionJob>> {
        search::next_extraction(self.connection(), now).await
    }

    async fn finish_extraction(
        &self,
        sha256: &str,
        outcome: Result<&str, &str>,
        retry_at: Option<OffsetDateTime>,
    ) -> PortResult<()> {
        search::finish_extraction(
            self.connection(),
            sha256,
            outcome,
            retry_at,
            OffsetDateTime::now_utc(),
        )
        .await
    }

    async fn item_file_texts(&self, item: ItemId) -> PortResult<Vec<String>> {
        search::item_file_texts(self.connection(), item).await
    }

    async fn items_with_blob(&self, sha256: &str) -> PortResult<Vec<ItemId>> {
        search::items_with_blob(self.connection(), sha256).await
    }

    async fn uploads_older_than(&self, at: OffsetDateTime) -> PortResult<Vec<Upload>> {
        Ok(upload::Entity::find()
            .filter(upload::Column::CreatedAt.lt(utc(at)))
            .all(self.connection())
            .await
            .map_err(map_err)?
            .into_iter()
            .map(to_upload)
            .collect())
    }
}
