//! Choosing items for a knowledge book, queuing it, and building it in a background job.

use super::layout::{BookItem, Picture, book_document};
use super::model::{BookForm, BookSpec, MAX_ITEMS, MAX_PICTURES_PER_ITEM, may_build};
use crate::error::{DomainError, DomainResult};
use crate::file::RangeRequest;
use crate::ids::{ItemId, PlanId, TermId, UnitId};
use crate::item::{Item, ItemStatus};
use crate::jobs::model::JobFailure;
use crate::jobs::{Job, JobKind, JobOutput, JobRun};
use crate::media::model::{Derivative, Want, is_picture};
use crate::org::Actor;
use crate::planning::FiscalYear;
use crate::planning::model::Evidence;
use crate::ports::ItemFilter;
use crate::service::Khlang;
use crate::service::search::SearchRequest;
use crate::text::thai_digits;
use futures::TryStreamExt;

/// What the officer asks to add: any of a category, a unit (with its sub-units or alone), a
/// fiscal year, a KM plan's evidence, or words to search for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    pub term: Option<TermId>,
    pub unit: Option<UnitId>,
    pub subunits: bool,
    pub fiscal_year: Option<i32>,
    pub plan: Option<PlanId>,
    pub text: String,
}

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.term.is_none()
            && self.unit.is_none()
            && self.fiscal_year.is_none()
            && self.plan.is_none()
            && self.text.trim().is_empty()
    }
}

/// A chosen or found item, as the choosing page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookEntry {
    pub id: ItemId,
    pub title: String,
    pub unit: String,
    pub fiscal_year: i32,
}

/// An id in the chosen list: the item, or None when the actor may not put it in a book
/// (missing, unreadable or not published — which one is not told).
pub type Chosen = (ItemId, Option<BookEntry>);

fn refused_items(ids: &[ItemId]) -> DomainError {
    let list = ids
        .iter()
        .map(|i| thai_digits(&i.0.to_string()))
        .collect::<Vec<_>>()
        .join(", ");
    DomainError::invalid(
        "items",
        format!("เรื่องเลขที่ {list} ไม่ได้เผยแพร่ หรือท่านไม่มีสิทธิ์อ่าน จึงใส่ในหนังสือไม่ได้ กรุณานำออกจากรายการ"),
    )
}

impl Khlang {
    /// The units the actor may publish a book for (KM officers and administrators of the
    /// unit or above it); Forbidden when none.
    pub async fn book_units(&self, actor: &Actor) -> DomainResult<Vec<(UnitId, String)>> {
        self.knowledge_units(actor).await
    }

    /// KM plans of the book units for this fiscal year and the two before, newest first, as
    /// (plan, "แผนปี ๒๕๖๘ · unit") for choosing a plan's evidence.
    pub async fn book_plans(&self, actor: &Actor) -> DomainResult<Vec<(PlanId, String)>> {
        let units = self.book_units(actor).await?;
        let ids: Vec<UnitId> = units.iter().map(|(id, _)| *id).collect();
        let this = FiscalYear::of(self.clock.now()).be();
        let mut out = Vec::new();
        for year in [this, this - 1, this - 2] {
            let Ok(fy) = FiscalYear::parse(&year.to_string()) else {
                continue;
            };
            let plans = self.plans_of_units(actor, &ids, fy).await?;
            for (unit, name) in &units {
                if let Some(p) = plans.get(unit) {
                    out.push((
                        p.id,
                        format!("แผนปี {} · {name}", thai_digits(&year.to_string())),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// A published item the actor may read; None otherwise (whatever the reason).
    async fn printable_item(&self, actor: &Actor, id: ItemId) -> DomainResult<Option<Item>> {
        match self.readable_item(actor, id).await {
            Ok((item, _)) if item.status == ItemStatus::Published => Ok(Some(item)),
            Ok(_) | Err(DomainError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn entry(tree: &crate::org::UnitTree, item: &Item) -> BookEntry {
        BookEntry {
            id: item.id,
            title: item.fields.title.as_str().to_string(),
            unit: tree
                .get(item.fields.unit_id)
                .map(|u| u.name_th.as_str().to_string())
                .unwrap_or_default(),
            fiscal_year: item.fiscal_year(),
        }
    }

    /// The chosen ids with what each is, in order (for the choosing page).
    pub async fn book_entries(&self, actor: &Actor, ids: &[ItemId]) -> DomainResult<Vec<Chosen>> {
        let tree = self.unit_tree().await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids.iter().take(MAX_ITEMS + 1) {
            let item = self.printable_item(actor, *id).await?;
            out.push((*id, item.map(|i| Self::entry(&tree, &i))));
        }
        Ok(out)
    }

    /// Published items the actor may read that match `sel` (newest first; a plan's in its
    /// order), at most one more than a book may hold so the page can say there are more.
    pub async fn book_candidates(
        &self,
        actor: &Actor,
        sel: &Selection,
    ) -> DomainResult<Vec<BookEntry>> {
        self.book_units(actor).await?;
        if sel.is_empty() {
            return Ok(Vec::new());
        }
        let tree = self.unit_tree().await?;
        let units: Option<Vec<UnitId>> = sel.unit.map(|u| {
            if sel.subunits {
                tree.units()
                    .iter()
                    .filter(|x| tree.is_within(x.id, u))
                    .map(|x| x.id)
                    .collect()
            } else {
                vec![u]
            }
        });
        let admits = |item: &Item| {
            units
                .as_ref()
                .is_none_or(|us| us.contains(&item.fields.unit_id))
                && sel.term.is_none_or(|t| item.fields.terms.contains(&t))
                && sel.fiscal_year.is_none_or(|y| item.fiscal_year() == y)
        };
        // A plan's evidence or search hits are few: each is loaded and checked.
        let ids: Option<Vec<ItemId>> = if let Some(plan) = sel.plan {
            let plan = self.km_plan(actor, plan).await?;
            let mut ids = Vec::new();
            for a in &plan.content.activities {
                for e in &a.evidence {
                    if let Evidence::Item { item } = e
                        && !ids.contains(item)
                    {
                        ids.push(*item);
                    }
                }
            }
            Some(ids)
        } else if !sel.text.trim().is_empty() {
            let found = self
                .search(
                    actor,
                    &SearchRequest {
                        q: sel.text.trim().to_string(),
                        page: 1,
                        per_page: 50,
                        filters: Default::default(),
                    },
                )
                .await?;
            Some(found.hits.iter().map(|h| h.id).collect())
        } else {
            None
        };
        if let Some(ids) = ids {
            let mut out = Vec::new();
            for id in ids {
                if let Some(item) = self.printable_item(actor, id).await?
                    && admits(&item)
                {
                    out.push(Self::entry(&tree, &item));
                    if out.len() > MAX_ITEMS {
                        break;
                    }
                }
            }
            return Ok(out);
        }
        let filter = ItemFilter {
            statuses: vec![ItemStatus::Published],
            units,
            term: sel.term,
            fiscal_year: sel.fiscal_year,
            visibility: self.readable(actor).await?,
            ..Default::default()
        };
        let page = self
            .knowledge
            .list_items(&filter, 1, (MAX_ITEMS + 1) as u64)
            .await?;
        Ok(page
            .items
            .iter()
            .map(|s| BookEntry {
                id: s.id,
                title: s.title.clone(),
                unit: tree
                    .get(s.unit_id)
                    .map(|u| u.name_th.as_str().to_string())
                    .unwrap_or_default(),
                fiscal_year: s.fiscal_year,
            })
            .collect())
    }

    /// Checks the book and queues it: refused (and nothing queued) when the form is wrong,
    /// the book too long, the actor not an officer of its unit, or any item unpublished or
    /// unreadable to them. `base_url` is the site's address for the QR codes.
    pub async fn queue_book(
        &self,
        actor: &Actor,
        form: &BookForm,
        base_url: &str,
    ) -> DomainResult<Job> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let spec = form.parse(base_url)?;
        let tree = self.unit_tree().await?;
        let unit = tree
            .get(spec.unit_id)
            .ok_or_else(|| DomainError::invalid("unit_id", "ไม่พบหน่วยงานที่เลือก"))?;
        if !may_build(actor, &tree.path(unit.id)?) {
            return Err(DomainError::Forbidden);
        }
        let entries = self.book_entries(actor, &spec.items).await?;
        let refused: Vec<ItemId> = entries
            .iter()
            .filter(|(_, e)| e.is_none())
            .map(|(id, _)| *id)
            .collect();
        if !refused.is_empty() {
            return Err(refused_items(&refused));
        }
        let params = serde_json::to_value(&spec).map_err(DomainError::internal)?;
        self.enqueue_job(me, JobKind::Book, params, "รอคิวสร้างหนังสือ")
            .await
    }

    /// The job's work: gathers each item as its owner may read it now (an item unpublished
    /// since fails the whole book — never a book with a gap), its pictures' metadata-free
    /// copies, then typesets the PDF.
    pub(crate) async fn build_book(&self, run: &JobRun<'_>) -> Result<JobOutput, JobFailure> {
        let spec: BookSpec = serde_json::from_value(run.job.params.clone())
            .map_err(|e| JobFailure::Fault(format!("book parameters: {e}")))?;
        let user = self
            .store
            .get_user(run.job.owner)
            .await
            .map_err(DomainError::from)?;
        let actor = self.actor_for(&user).await?;
        let tree = self.unit_tree().await?;
        let n = spec.items.len();
        let total = n as u32 + 1;
        let mut items = Vec::with_capacity(n);
        for (i, id) in spec.items.iter().enumerate() {
            run.progress(
                i as u32,
                total,
                format!(
                    "กำลังรวบรวมเรื่องที่ {} จาก {}",
                    thai_digits(&(i + 1).to_string()),
                    thai_digits(&n.to_string())
                ),
            )
            .await?;
            let Some(item) = self.printable_item(&actor, *id).await? else {
                return Err(JobFailure::Refused(format!(
                    "เรื่องเลขที่ {} ไม่ได้เผยแพร่แล้ว หรือท่านไม่มีสิทธิ์อ่านแล้ว จึงสร้างหนังสือไม่ได้ กรุณานำเรื่องนี้ออกแล้วสร้างใหม่",
                    thai_digits(&id.0.to_string())
                )));
            };
            let pictures = self.book_pictures(&actor, &item).await?;
            let entry = Self::entry(&tree, &item);
            items.push(BookItem {
                id: item.id,
                title: entry.title,
                authors: item.fields.authors.clone(),
                unit: entry.unit,
                fiscal_year: entry.fiscal_year,
                published_at: item.published_at,
                summary: item.fields.summary.clone(),
                body: item.fields.body.clone(),
                pictures,
            });
        }
        run.progress(n as u32, total, "กำลังจัดหน้าและสร้างไฟล์ PDF")
            .await?;
        let unit = tree
            .get(spec.unit_id)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default();
        let doc = book_document(&spec, &unit, &items, self.clock.now());
        drop(items);
        let pdf = self.print_pdf(doc).await?;
        Ok(JobOutput {
            bytes: pdf,
            name: format!("knowledge-book-{}.pdf", run.job.id),
            mime: "application/pdf".into(),
        })
    }

    /// The item's first pictures as the reader gets them: display copies without metadata
    /// (EXIF, GPS). A picture no copy can be made of (or with no picture copier here) is
    /// left out; the QR code leads to it.
    async fn book_pictures(&self, actor: &Actor, item: &Item) -> DomainResult<Vec<Picture>> {
        let files = self.knowledge.item_files(item.id).await?;
        let mut out = Vec::new();
        for f in files
            .iter()
            .filter(|f| f.current && is_picture(&f.mime))
            .take(MAX_PICTURES_PER_ITEM)
        {
            let served = match self
                .served_file(actor, f.id, Want::Copy(Derivative::Display))
                .await
            {
                Ok(s) => s,
                Err(DomainError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            let bytes: Vec<u8> = self
                .open_served(&served, RangeRequest::Full)
                .await?
                .map_ok(|b| b.to_vec())
                .try_concat()
                .await
                .map_err(DomainError::internal)?;
            let caption = f
                .name
                .rsplit_once('.')
                .map_or(f.name.as_str(), |(stem, _)| stem)
                .to_string();
            out.push(Picture {
                bytes: bytes.into(),
                ext: "jpg",
                caption,
            });
        }
        Ok(out)
    }
}
