//! The registry's use-cases: keeping the projection in step with the items, the catalogue,
//! the statistics' counts, and the "นำไปใช้แล้ว" reports.

use super::model::{
    AppliedInput, AppliedReport, BRANCH_TAXONOMY, Catalogue, InnovationCount, InnovationRow,
    MediaKind,
};
use super::ports::{InnovationQuery, InnovationStore};
use crate::error::{DomainError, DomainResult};
use crate::ids::{ItemId, UnitId};
use crate::item::{Item, ItemStatus};
use crate::org::Actor;
use crate::ports::Page;
use crate::service::Khlang;
use std::sync::Arc;

/// What an innovation's own page shows beside the item.
pub struct InnovationView {
    pub row: InnovationRow,
    pub reports: Page<AppliedReport>,
    /// Signed in, and the innovation is published: may report having applied it.
    pub may_report: bool,
}

impl Khlang {
    fn innovation_store(&self) -> DomainResult<&Arc<dyn InnovationStore>> {
        self.innovations
            .as_ref()
            .ok_or_else(|| DomainError::internal("the innovation registry has no store"))
    }

    /// Whether an item is an innovation: its entry was filled in with the innovation template.
    pub fn is_innovation(item: &Item) -> bool {
        super::entry::is_innovation(item)
    }

    /// Brings an item's row of the registry up to date after any write to the item: written
    /// when the item is an innovation, removed when it is not (any more). Idempotent.
    pub(crate) async fn project_innovation(&self, item: &Item) -> DomainResult<()> {
        let Some(store) = &self.innovations else {
            return Ok(());
        };
        if !Self::is_innovation(item) {
            store.remove_innovation(item.id).await?;
            return Ok(());
        }
        let row = self.innovation_row(item).await?;
        store.put_innovation(&row).await?;
        Ok(())
    }

    /// The projection of one innovation item, from its fields, entry and current files.
    async fn innovation_row(&self, item: &Item) -> DomainResult<InnovationRow> {
        let files = self.knowledge.item_files(item.id).await?;
        let mut media: Vec<MediaKind> = Vec::new();
        for f in files.iter().filter(|f| f.current) {
            if let Some(m) = MediaKind::of_file_kind(&f.kind)
                && !media.contains(&m)
            {
                media.push(m);
            }
        }
        media.sort_by_key(|m| MediaKind::ALL.iter().position(|x| x == m));
        let photo = files
            .iter()
            .filter(|f| f.current && f.kind == "image")
            .min_by_key(|f| f.id)
            .map(|f| f.id);
        let vocab = self.vocabulary().await?;
        let branch_tx = vocab
            .taxonomies
            .iter()
            .find(|t| t.key == BRANCH_TAXONOMY)
            .map(|t| t.id);
        let facts = super::entry::facts(item, &vocab, branch_tx);
        let (health_zone, regional_centre) = match facts.province {
            Some(p) => super::entry::zone_and_centre(p),
            None => (None, None),
        };
        Ok(InnovationRow {
            item_id: item.id,
            unit_id: item.fields.unit_id,
            status: item.status,
            visibility: item.fields.visibility,
            title: item.fields.title.as_str().to_string(),
            summary: item.fields.summary.clone(),
            branch: facts.branch,
            province: facts.province,
            district: facts.district,
            health_zone,
            regional_centre,
            fiscal_year: item.fiscal_year(),
            media,
            innovators: facts.innovators,
            photo,
            applied_count: 0,
            published_at: item.published_at,
            updated_at: item.updated_at,
        })
    }

    /// Units of `subtree` (itself and below), or None for all.
    async fn subtree_units(&self, subtree: Option<UnitId>) -> DomainResult<Option<Vec<UnitId>>> {
        Ok(match subtree {
            None => None,
            Some(u) => {
                let tree = self.unit_tree().await?;
                if tree.get(u).is_none() {
                    return Err(DomainError::invalid("unit", "ไม่พบหน่วยงานที่เลือก"));
                }
                Some(
                    tree.units()
                        .iter()
                        .filter(|x| tree.is_within(x.id, u))
                        .map(|x| x.id)
                        .collect(),
                )
            }
        })
    }

    /// The catalogue (`/innovations`): published innovations the actor may read, filtered.
    pub async fn innovation_catalogue(
        &self,
        actor: &Actor,
        filters: &Catalogue,
        page: u64,
        per_page: u64,
    ) -> DomainResult<Page<InnovationRow>> {
        let q = InnovationQuery {
            filters: filters.clone(),
            published_only: true,
            readable: self.readable(actor).await?,
            units: None,
            most_applied: false,
        };
        Ok(self
            .innovation_store()?
            .list_innovations(&q, page, per_page)
            .await?)
    }

    /// "นำไปใช้มากที่สุด": published innovations this reader may read with the most
    /// "นำไปใช้แล้ว" reports (at least one), most first.
    pub async fn most_applied_innovations(
        &self,
        actor: &Actor,
        limit: u64,
    ) -> DomainResult<Vec<InnovationRow>> {
        if self.innovations.is_none() {
            return Ok(Vec::new());
        }
        let q = InnovationQuery {
            published_only: true,
            readable: self.readable(actor).await?,
            most_applied: true,
            ..Default::default()
        };
        Ok(self
            .innovation_store()?
            .list_innovations(&q, 1, limit)
            .await?
            .items
            .into_iter()
            .filter(|r| r.applied_count > 0)
            .collect())
    }

    /// Published innovations by branch and regional centre, for the statistics (seed 000
    /// §1.4 and its cross-table): `subtree` keeps innovations owned by that unit or below.
    /// Every published innovation counts whoever asks: the numbers say nothing about a person.
    pub async fn innovation_counts(
        &self,
        subtree: Option<UnitId>,
        fiscal_year: Option<i32>,
    ) -> DomainResult<Vec<InnovationCount>> {
        let units = self.subtree_units(subtree).await?;
        Ok(self
            .innovation_store()?
            .count_innovations(units.as_deref(), fiscal_year)
            .await?)
    }

    /// "นำไปใช้แล้ว" reports on the same published innovations (success level 5).
    pub async fn innovation_applied_total(
        &self,
        subtree: Option<UnitId>,
        fiscal_year: Option<i32>,
    ) -> DomainResult<u64> {
        let units = self.subtree_units(subtree).await?;
        Ok(self
            .innovation_store()?
            .count_applied(units.as_deref(), fiscal_year)
            .await?)
    }

    /// The registry's row of an innovation the actor may read, with its applied reports.
    pub async fn innovation(
        &self,
        actor: &Actor,
        id: ItemId,
        reports_page: u64,
    ) -> DomainResult<InnovationView> {
        let (item, _) = self.readable_item(actor, id).await?;
        if !Self::is_innovation(&item) {
            return Err(DomainError::NotFound);
        }
        let store = self.innovation_store()?;
        let row = match store.get_innovation(id).await? {
            Some(row) => row,
            // Written before the registry existed: project it now.
            None => {
                self.project_innovation(&item).await?;
                store
                    .get_innovation(id)
                    .await?
                    .ok_or(DomainError::NotFound)?
            }
        };
        let reports = store
            .applied_reports(id, reports_page, super::model::REPORTS_PER_PAGE)
            .await?;
        Ok(InnovationView {
            may_report: actor.user_id().is_some() && item.status == ItemStatus::Published,
            row,
            reports,
        })
    }

    /// "นำไปใช้แล้ว": a signed-in person tells where and how they used a published
    /// innovation, and with what result.
    pub async fn report_applied(
        &self,
        actor: &Actor,
        id: ItemId,
        input: &AppliedInput,
    ) -> DomainResult<i64> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (item, _) = self.readable_item(actor, id).await?;
        if !Self::is_innovation(&item) {
            return Err(DomainError::NotFound);
        }
        if item.status != ItemStatus::Published {
            return Err(DomainError::Conflict(
                "รายงานการนำไปใช้ได้เฉพาะนวัตกรรมที่เผยแพร่แล้ว".into(),
            ));
        }
        let fields = input.parse()?;
        let store = self.innovation_store()?;
        if store.get_innovation(id).await?.is_none() {
            self.project_innovation(&item).await?;
        }
        let report = store
            .insert_applied(id, me, &fields, self.clock.now())
            .await?;
        self.audit(
            Some(me),
            "innovation.applied",
            format!("item:{id}"),
            fields.place.clone(),
        )
        .await?;
        Ok(report)
    }
}

impl Khlang {
    /// A province's Thai name.
    pub fn province_name(&self, p: crate::geo::ProvinceCode) -> String {
        super::entry::province_name(p)
    }

    /// Every province with its Thai name, in the gazetteer's order.
    pub fn provinces(&self) -> Vec<(crate::geo::ProvinceCode, String)> {
        super::entry::provinces()
    }

    /// Innovators as anyone may see them: (name, province name), consent-aware.
    pub async fn innovators_public(
        &self,
        ids: &[crate::ids::PersonId],
    ) -> DomainResult<Vec<(String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .people_public(ids)
            .await?
            .into_iter()
            .map(|p| (p.name, p.province_name.unwrap_or_default()))
            .collect())
    }

    /// The entry's sections as the public sees them: (section title, [(label, text)]), with
    /// the template version it was filled in. Person fields are left out: innovators are
    /// shown through the person register's public view (name and province only).
    pub async fn innovation_sections(
        &self,
        item: &Item,
        files: &[crate::item::ItemFile],
    ) -> DomainResult<Vec<(String, Vec<(String, String)>)>> {
        let Some((_, sections)) = self
            .render_entry(&item.fields, files, crate::forms::Audience::Public)
            .await?
        else {
            return Ok(Vec::new());
        };
        Ok(sections
            .into_iter()
            .map(|s| {
                let fields = s
                    .fields
                    .into_iter()
                    .filter(|f| !matches!(f.answer, Some(crate::forms::Answer::People(_))))
                    .filter(|f| !matches!(f.answer, Some(crate::forms::Answer::Files(_))))
                    .filter(|f| !f.text.trim().is_empty())
                    .map(|f| (f.label, f.text))
                    .collect::<Vec<_>>();
                (s.title, fields)
            })
            .filter(|(_, f)| !f.is_empty())
            .collect())
    }
}
