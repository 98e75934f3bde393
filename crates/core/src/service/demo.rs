//! `khlang demo` and the first-admin checkbox: real sample items cut from the seeds, published,
//! so a newcomer opens a living repository instead of an empty one.

use super::Khlang;
use crate::error::{DomainError, DomainResult};
use crate::ids::{ItemId, UserId};
use crate::item::{
    Acquisition, Item, ItemFields, ItemStatus, KnowledgeType, Snapshot, Title, Version, Visibility,
};
use crate::ports::{ItemFilter, ItemOrder};
use serde::Deserialize;
use std::collections::HashMap;
use time::macros::format_description;
use time::{Date, PrimitiveDateTime, Time};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    item: Vec<DemoItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoItem {
    key: String,
    title: String,
    summary: String,
    body: String,
    knowledge_type: String,
    acquisition: String,
    km_steps: Vec<u8>,
    categories: Vec<String>,
    tags: Vec<String>,
    authors: Vec<String>,
    unit: String,
    date: String,
    links: Vec<String>,
}

impl Khlang {
    /// Publishes the demo items as `by`; items whose title is already published are skipped,
    /// so running it twice adds nothing.
    pub async fn load_demo(&self, by: UserId) -> DomainResult<usize> {
        let file: DemoFile = toml::from_str(include_str!("../reference/demo_items.toml"))
            .map_err(DomainError::internal)?;
        let tree = self.unit_tree().await?;
        let vocab = self.vocabulary().await?;
        let existing = self.published_titles().await?;
        let mut added = 0;
        for d in file.item {
            if existing.contains_key(d.title.trim()) {
                continue;
            }
            let bad = |what: &str| DomainError::internal(format!("demo item {}: {what}", d.key));
            let unit = tree
                .units()
                .iter()
                .find(|u| u.code.as_str() == d.unit)
                .ok_or_else(|| bad("unknown unit"))?;
            let mut terms = Vec::new();
            for c in &d.categories {
                let (tx, term) = c
                    .split_once(':')
                    .ok_or_else(|| bad("category must be taxonomy:term"))?;
                let tx = vocab
                    .taxonomies
                    .iter()
                    .find(|t| t.key == tx)
                    .ok_or_else(|| bad("unknown taxonomy"))?;
                let t = vocab
                    .terms_of(tx.id)
                    .find(|t| t.key == term)
                    .ok_or_else(|| bad("unknown term"))?;
                terms.push(t.id);
            }
            let date = Date::parse(&d.date, format_description!("[year]-[month]-[day]"))
                .map_err(|_| bad("date"))?;
            let at = PrimitiveDateTime::new(
                date,
                Time::from_hms(9, 0, 0).map_err(DomainError::internal)?,
            )
            .assume_offset(crate::text::BANGKOK);
            let fields = ItemFields {
                title: Title::parse(&d.title).map_err(|_| bad("title"))?,
                summary: d.summary.trim().to_string(),
                body: d.body.trim().to_string(),
                knowledge_type: KnowledgeType::parse(&d.knowledge_type)
                    .map_err(|_| bad("knowledge_type"))?,
                acquisition: Acquisition::parse(&d.acquisition).map_err(|_| bad("acquisition"))?,
                km_steps: d.km_steps,
                terms,
                tags: d.tags,
                authors: d.authors,
                unit_id: unit.id,
                fiscal_year: None,
                visibility: Visibility::Public,
                licence: "CC-BY-4.0".into(),
                links: d.links,
                entry: None,
            };
            self.import_published(by, fields, at, "ตัวอย่างจากเอกสารต้นฉบับ")
                .await?;
            added += 1;
        }
        self.audit(
            Some(by),
            "demo.load",
            "items".into(),
            format!("{added} items"),
        )
        .await?;
        if self.courses.is_some() {
            self.load_demo_course(by).await?;
        }
        Ok(added)
    }

    /// Records already-screened knowledge as published on `at` (demo content, imports,
    /// benchmarks): version 1 and its search entry, written together.
    pub async fn import_published(
        &self,
        by: UserId,
        fields: ItemFields,
        at: time::OffsetDateTime,
        note: &str,
    ) -> DomainResult<ItemId> {
        let mut item = Item {
            id: ItemId(0),
            fields,
            status: ItemStatus::Published,
            created_by: by,
            created_at: at,
            updated_by: by,
            updated_at: at,
            published_at: Some(at),
            version: 1,
        };
        item.id = self.knowledge.insert_item(&item, note).await?;
        let version = Version {
            item_id: item.id,
            number: 1,
            snapshot: Snapshot {
                fields: item.fields.clone(),
                files: vec![],
            },
            created_by: by,
            created_at: at,
            note: note.into(),
        };
        let index = self.index_change(&item).await?;
        self.knowledge
            .save_item(&item, Some(&version), &index)
            .await?;
        self.item_saved(&item);
        self.project_innovation(&item).await?;
        Ok(item.id)
    }

    /// Published items by title (the demo's items are found by their titles).
    pub(crate) async fn published_titles(&self) -> DomainResult<HashMap<String, ItemId>> {
        let mut titles = HashMap::new();
        let filter = ItemFilter {
            statuses: vec![ItemStatus::Published],
            order: ItemOrder::NewestPublished,
            ..Default::default()
        };
        let mut page = 1;
        loop {
            let p = self.knowledge.list_items(&filter, page, 100).await?;
            let pages = p.pages();
            titles.extend(p.items.into_iter().map(|i| (i.title, i.id)));
            if page >= pages {
                break;
            }
            page += 1;
        }
        Ok(titles)
    }

    /// The first site administrator, who owns demo items loaded from the console.
    pub async fn first_site_admin(&self) -> DomainResult<UserId> {
        let mut page = 1;
        loop {
            let p = self.store.list_users(None, page, 200).await?;
            if let Some(u) = p.items.iter().find(|u| u.site_admin) {
                return Ok(u.id);
            }
            if page >= p.pages() {
                return Err(DomainError::invalid(
                    "user",
                    "ยังไม่มีผู้ดูแลระบบ — สร้างด้วย khlang user create ชื่อ --admin ก่อน",
                ));
            }
            page += 1;
        }
    }
}
