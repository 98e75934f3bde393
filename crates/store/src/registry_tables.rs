//! [`RegistryImportStore`] over SeaORM: an import's innovations and its audit entry in one
//! transaction, with the same item writes as a single save (item row, terms, version 1,
//! search entry).

use crate::entities::audit_entry;
use crate::knowledge::{item_row, write_index, write_terms, write_version};
use crate::store::{SeaStore, map_err, utc};
use async_trait::async_trait;
use khlang_core::ids::ItemId;
use khlang_core::item::{Snapshot, Version};
use khlang_core::ports::{AuditEntry, IndexChange, PortResult};
use khlang_core::registry_tables::ports::{NewInnovation, RegistryImportStore};
use sea_orm::{ActiveModelTrait, Set, TransactionTrait};

#[async_trait]
impl RegistryImportStore for SeaStore {
    async fn import_innovations(
        &self,
        batch: &[NewInnovation],
        audit: &AuditEntry,
    ) -> PortResult<Vec<ItemId>> {
        // Dropped without commit on any error: nothing of the batch stays.
        let txn = self.connection().begin().await.map_err(map_err)?;
        let mut ids = Vec::with_capacity(batch.len());
        for new in batch {
            let m = item_row(&new.item)?.insert(&txn).await.map_err(map_err)?;
            let id = ItemId(m.id);
            write_terms(&txn, id, &new.item.fields.terms).await?;
            write_version(
                &txn,
                &Version {
                    item_id: id,
                    number: new.item.version,
                    snapshot: Snapshot {
                        fields: new.item.fields.clone(),
                        files: vec![],
                    },
                    created_by: new.item.created_by,
                    created_at: new.item.created_at,
                    note: new.note.clone(),
                },
            )
            .await?;
            if let IndexChange::Put(entry) = &new.index {
                let mut entry = entry.clone();
                entry.item_id = id;
                write_index(&txn, id, &IndexChange::Put(entry)).await?;
            }
            ids.push(id);
        }
        audit_entry::ActiveModel {
            actor_id: Set(audit.actor.map(|a| a.0)),
            action: Set(audit.action.clone()),
            target: Set(audit.target.clone()),
            detail: Set(audit.detail.clone()),
            at: Set(utc(audit.at)),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(map_err)?;
        txn.commit().await.map_err(map_err)?;
        Ok(ids)
    }
}
