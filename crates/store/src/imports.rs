//! [`ImportStore`] over the `imports` and `import_keys` tables; an imported item is written
//! with its key in one transaction (the key's primary key settles a race between processes).

use crate::knowledge::{item_row, write_terms, write_version};
use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::error::PortError;
use khlang_core::ids::{ItemId, UnitId, UserId};
use khlang_core::imports::model::NewImport;
use khlang_core::imports::ports::Keyed;
use khlang_core::imports::{Import, ImportId, ImportStore, Plan, Source, Target};
use khlang_core::item::{Item, Snapshot, Version};
use khlang_core::jobs::JobId;
use khlang_core::ports::PortResult;
use sea_orm::{ActiveModelTrait, ConnectionTrait, QueryResult, TransactionTrait};

const COLUMNS: &str =
    "id, source, owner_id, unit_id, target, file_name, plan, bundle_key, job_id, created_ms";

fn corrupt(what: &str) -> PortError {
    PortError::Other(format!("stored import has an unknown {what}"))
}

fn import_of(r: &QueryResult) -> PortResult<Import> {
    let source: String = get(r, "source")?;
    let target: String = get(r, "target")?;
    let plan: String = get(r, "plan")?;
    Ok(Import {
        id: ImportId(get(r, "id")?),
        source: Source::parse(&source).ok_or_else(|| corrupt("source"))?,
        owner: UserId(get(r, "owner_id")?),
        unit: UnitId(get(r, "unit_id")?),
        target: Target::parse(&target).ok_or_else(|| corrupt("target"))?,
        file_name: get(r, "file_name")?,
        plan: serde_json::from_str::<Plan>(&plan).map_err(|_| corrupt("plan"))?,
        bundle: get(r, "bundle_key")?,
        job: get::<Option<i64>>(r, "job_id")?.map(JobId),
        created_at: from_ms(get(r, "created_ms")?)?,
    })
}

fn keyed_of(r: &QueryResult) -> PortResult<Keyed> {
    Ok(Keyed {
        key: get(r, "import_key")?,
        item: ItemId(get(r, "item_id")?),
        import: ImportId(get(r, "import_id")?),
    })
}

async fn find_key(db: &impl ConnectionTrait, key: &str) -> PortResult<Option<Keyed>> {
    let found = rows(
        db,
        "SELECT import_key, item_id, import_id FROM import_keys WHERE import_key = ?",
        vec![key.into()],
    )
    .await?;
    found.first().map(keyed_of).transpose()
}

#[async_trait]
impl ImportStore for SeaStore {
    async fn insert_import(&self, i: &NewImport) -> PortResult<Import> {
        let plan = serde_json::to_string(&i.plan).map_err(|e| PortError::Other(e.to_string()))?;
        let found = rows(
            self.connection(),
            "INSERT INTO imports (source, owner_id, unit_id, target, file_name, plan, bundle_key, \
             created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vec![
                i.source.as_str().into(),
                i.owner.0.into(),
                i.unit.0.into(),
                i.target.as_str().into(),
                i.file_name.clone().into(),
                plan.into(),
                i.bundle.clone().into(),
                ms(i.created_at).into(),
            ],
        )
        .await?;
        let id: i64 = match found.first() {
            Some(r) => get(r, "id")?,
            None => return Err(PortError::Other("no import id returned".into())),
        };
        self.get_import(ImportId(id)).await
    }

    async fn get_import(&self, id: ImportId) -> PortResult<Import> {
        let found = rows(
            self.connection(),
            &format!("SELECT {COLUMNS} FROM imports WHERE id = ?"),
            vec![id.0.into()],
        )
        .await?;
        match found.first() {
            Some(r) => import_of(r),
            None => Err(PortError::NotFound),
        }
    }

    async fn set_import_job(
        &self,
        id: ImportId,
        old: Option<JobId>,
        job: JobId,
    ) -> PortResult<bool> {
        let n = match old {
            None => {
                exec(
                    self.connection(),
                    "UPDATE imports SET job_id = ? WHERE id = ? AND job_id IS NULL",
                    vec![job.0.into(), id.0.into()],
                )
                .await?
            }
            Some(old) => {
                exec(
                    self.connection(),
                    "UPDATE imports SET job_id = ? WHERE id = ? AND job_id = ?",
                    vec![job.0.into(), id.0.into(), old.0.into()],
                )
                .await?
            }
        };
        Ok(n == 1)
    }

    async fn imports_of(&self, owner: UserId, limit: u64) -> PortResult<Vec<Import>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {COLUMNS} FROM imports WHERE owner_id = ? ORDER BY created_ms DESC, id DESC LIMIT ?"
            ),
            vec![owner.0.into(), (limit as i64).into()],
        )
        .await?
        .iter()
        .map(import_of)
        .collect()
    }

    async fn keyed_items(&self, keys: &[String]) -> PortResult<Vec<Keyed>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; keys.len()].join(", ");
        rows(
            self.connection(),
            &format!("SELECT import_key, item_id, import_id FROM import_keys WHERE import_key IN ({marks})"),
            keys.iter().map(|k| k.clone().into()).collect(),
        )
        .await?
        .iter()
        .map(keyed_of)
        .collect()
    }

    async fn insert_keyed_item(
        &self,
        item: &Item,
        note: &str,
        key: &str,
        import: ImportId,
    ) -> PortResult<(Keyed, bool)> {
        if let Some(k) = find_key(self.connection(), key).await? {
            return Ok((k, false));
        }
        let made = async {
            let txn = self.connection().begin().await.map_err(map_err)?;
            let m = item_row(item)?.insert(&txn).await.map_err(map_err)?;
            let id = ItemId(m.id);
            write_terms(&txn, id, &item.fields.terms).await?;
            write_version(
                &txn,
                &Version {
                    item_id: id,
                    number: item.version,
                    snapshot: Snapshot {
                        fields: item.fields.clone(),
                        files: vec![],
                    },
                    created_by: item.created_by,
                    created_at: item.created_at,
                    note: note.to_string(),
                },
            )
            .await?;
            exec(
                &txn,
                "INSERT INTO import_keys (import_key, item_id, import_id, made_ms) VALUES (?, ?, ?, ?)",
                vec![
                    key.into(),
                    id.0.into(),
                    import.0.into(),
                    ms(item.updated_at).into(),
                ],
            )
            .await?;
            txn.commit().await.map_err(map_err)?;
            Ok::<_, PortError>(id)
        }
        .await;
        match made {
            Ok(id) => Ok((
                Keyed {
                    key: key.to_string(),
                    item: id,
                    import,
                },
                true,
            )),
            // Another process took the key between the look and the insert: its item counts.
            Err(e) => match find_key(self.connection(), key).await? {
                Some(k) => Ok((k, false)),
                None => Err(e),
            },
        }
    }

    async fn imported_items(&self, import: ImportId) -> PortResult<Vec<Keyed>> {
        rows(
            self.connection(),
            "SELECT import_key, item_id, import_id FROM import_keys WHERE import_id = ? ORDER BY item_id",
            vec![import.0.into()],
        )
        .await?
        .iter()
        .map(keyed_of)
        .collect()
    }
}
