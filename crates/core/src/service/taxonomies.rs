//! Managing taxonomies and loading the seeded ones.

use super::Khlang;
use crate::error::{DomainError, DomainResult, PortError};
use crate::ids::{TaxonomyId, TermId};
use crate::org::{Action, Actor, Target, authorize};
use crate::taxonomy::{Term, parse_key, parse_label, reference};
use std::collections::HashMap;

impl Khlang {
    /// Adds seeded taxonomies and terms missing by key (idempotent; admins' edits stay).
    pub async fn load_reference_taxonomies(&self) -> DomainResult<usize> {
        let mut taxonomies: HashMap<String, TaxonomyId> = self
            .knowledge
            .list_taxonomies()
            .await?
            .into_iter()
            .map(|t| (t.key, t.id))
            .collect();
        let existing = self.knowledge.list_terms().await?;
        let mut terms: HashMap<(TaxonomyId, String), TermId> = existing
            .into_iter()
            .map(|t| ((t.taxonomy_id, t.key), t.id))
            .collect();
        let mut added = 0;
        for r in reference()? {
            let tid = match taxonomies.get(&r.key) {
                Some(id) => *id,
                None => {
                    let t = self
                        .knowledge
                        .insert_taxonomy(&r.key, &r.name_th, &r.name_en)
                        .await?;
                    taxonomies.insert(r.key.clone(), t.id);
                    t.id
                }
            };
            for term in r.term {
                if terms.contains_key(&(tid, term.key.clone())) {
                    continue;
                }
                let parent = if term.parent.is_empty() {
                    None
                } else {
                    terms.get(&(tid, term.parent.clone())).copied()
                };
                let t = self
                    .knowledge
                    .insert_term(tid, &term.key, &term.label_th, &term.label_en, parent)
                    .await?;
                terms.insert((tid, term.key), t.id);
                added += 1;
            }
        }
        // Taxonomies may have been added even when no term was.
        self.reference_changed();
        Ok(added)
    }

    /// Adds a term; its key is made from the English label (or the Thai one's position).
    pub async fn add_term(
        &self,
        actor: &Actor,
        taxonomy: TaxonomyId,
        label_th: &str,
        label_en: &str,
        parent: Option<TermId>,
    ) -> DomainResult<Term> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        let vocab = self.vocabulary().await?;
        vocab.taxonomy(taxonomy).ok_or(DomainError::NotFound)?;
        let label_th = parse_label("label_th", label_th)?;
        crate::field::refuse_controls("label_en", "ชื่อภาษาอังกฤษ", label_en)?;
        let label_en = crate::text::tidy(label_en);
        if let Some(p) = parent
            && vocab.term(p).is_none_or(|t| t.taxonomy_id != taxonomy)
        {
            return Err(DomainError::invalid("parent_id", "ไม่พบหมวดหมู่แม่ที่เลือก"));
        }
        let base = parse_key(&label_en)
            .unwrap_or_else(|_| format!("term-{}", vocab.terms_of(taxonomy).count() + 1));
        let mut key = base.clone();
        let mut n = 1;
        while vocab.terms_of(taxonomy).any(|t| t.key == key) {
            n += 1;
            key = format!("{base}-{n}");
        }
        let term = self
            .knowledge
            .insert_term(taxonomy, &key, &label_th, &label_en, parent)
            .await
            .map_err(|e| match e {
                PortError::Conflict(_) => DomainError::invalid("label_th", "มีหมวดหมู่นี้อยู่แล้ว"),
                other => other.into(),
            })?;
        self.reference_changed();
        self.audit(
            actor.user_id(),
            "term.create",
            format!("term:{}", term.id),
            term.label_th.clone(),
        )
        .await?;
        Ok(term)
    }

    pub async fn rename_term(
        &self,
        actor: &Actor,
        id: TermId,
        label_th: &str,
        label_en: &str,
    ) -> DomainResult<Term> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        let mut term = self
            .vocabulary()
            .await?
            .term(id)
            .cloned()
            .ok_or(DomainError::NotFound)?;
        term.label_th = parse_label("label_th", label_th)?;
        crate::field::refuse_controls("label_en", "ชื่อภาษาอังกฤษ", label_en)?;
        term.label_en = crate::text::tidy(label_en);
        self.knowledge.update_term(&term).await?;
        self.reference_changed();
        self.audit(
            actor.user_id(),
            "term.rename",
            format!("term:{id}"),
            term.label_th.clone(),
        )
        .await?;
        Ok(term)
    }

    /// Retired terms stay on items that carry them; they are not offered for new ones.
    pub async fn set_term_retired(
        &self,
        actor: &Actor,
        id: TermId,
        retired: bool,
    ) -> DomainResult<Term> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        let mut term = self
            .vocabulary()
            .await?
            .term(id)
            .cloned()
            .ok_or(DomainError::NotFound)?;
        term.retired = retired;
        self.knowledge.update_term(&term).await?;
        self.reference_changed();
        self.audit(
            actor.user_id(),
            if retired {
                "term.retire"
            } else {
                "term.restore"
            },
            format!("term:{id}"),
            String::new(),
        )
        .await?;
        Ok(term)
    }
}
