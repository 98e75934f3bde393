//! Use-cases: the registry's statistics for any subtree and fiscal year.

use super::model::{BranchCount, Heading, Statistics, StatisticsFilter};
use crate::error::DomainResult;
use crate::ids::TermId;
use crate::service::Khlang;

/// The taxonomy whose terms are the rows of seed 000 §1.4.
pub const BRANCH_TAXONOMY: &str = "osm_branch";

impl Khlang {
    /// The seed 000 §1.4 table, the branch × regional-centre table and the applied count,
    /// computed now over published innovations. Public: counts of published work name nobody.
    pub async fn innovation_statistics(
        &self,
        filter: &StatisticsFilter,
    ) -> DomainResult<Statistics> {
        let tree = self.unit_tree().await?;
        let vocab = self.vocabulary().await?;
        let unit = match filter.subtree {
            Some(id) => Some(tree.get(id).ok_or(crate::DomainError::NotFound)?),
            None => None,
        };
        let scope = format!(
            "{} · {}",
            unit.map(|u| u.name_th.as_str().to_string())
                .unwrap_or_else(|| "ทุกหน่วยงาน".into()),
            filter
                .fiscal_year
                .map(|y| format!("ปีงบประมาณ {}", y.be()))
                .unwrap_or_else(|| "ทุกปีงบประมาณ".into()),
        );
        let branches: Vec<Heading<TermId>> = vocab
            .taxonomies
            .iter()
            .find(|t| t.key == BRANCH_TAXONOMY)
            .map(|tx| {
                let mut terms: Vec<_> = vocab.terms_of(tx.id).filter(|t| !t.retired).collect();
                terms.sort_by_key(|t| t.id);
                terms
                    .into_iter()
                    .map(|t| Heading {
                        key: t.id,
                        label: t.label_th.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (counts, applied) = self.registry_counts(filter).await?;
        let centres = regional_centres();
        Ok(Statistics::build(
            scope,
            &branches,
            &centres,
            &counts,
            applied,
            |id| match vocab.term(id) {
                Some(t) => t.label_th.clone(),
                None => super::model::UNSPECIFIED.to_string(),
            },
        ))
    }

    /// Published innovations by branch and regional centre, and their reports of use, from
    /// the innovations context.
    async fn registry_counts(
        &self,
        filter: &StatisticsFilter,
    ) -> DomainResult<(Vec<BranchCount>, u64)> {
        let year = filter.fiscal_year.map(|y| y.be());
        let counts = self
            .innovation_counts(filter.subtree, year)
            .await?
            .into_iter()
            .map(|c| BranchCount {
                branch: c.branch,
                centre: c.regional_centre.map(|r| r.code().to_string()),
                count: c.count,
            })
            .collect();
        let applied = self.innovation_applied_total(filter.subtree, year).await?;
        Ok((counts, applied))
    }
}

/// The five regional centres (ศูนย์พัฒนาการสาธารณสุขมูลฐาน, สสม.) in the order seed 000 names them.
fn regional_centres() -> Vec<Heading<String>> {
    crate::innovations::RegionalCentre::ALL
        .into_iter()
        .map(|c| Heading {
            key: c.code().to_string(),
            label: c.label_th().to_string(),
        })
        .collect()
}
