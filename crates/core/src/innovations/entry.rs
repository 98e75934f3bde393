//! Reading an innovation's facts out of its form entry (the forms context's `Entry`, answers
//! by the field keys of `reference/templates/innovation.toml`) and its place out of the
//! gazetteer (the people context's geography). The one file that knows those shapes.

use crate::forms::Answer;
use crate::geo::{DistrictCode, ProvinceCode};
use crate::ids::{PersonId, TaxonomyId, TermId};
use crate::item::Item;
use crate::taxonomy::Vocabulary;

use super::model::RegionalCentre;

/// What the projection takes from the entry.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub branch: Option<TermId>,
    pub province: Option<ProvinceCode>,
    pub district: Option<DistrictCode>,
    pub innovators: Vec<PersonId>,
}

/// Field keys of the innovation template.
pub(crate) const BRANCH: &str = "branch";
pub(crate) const PLACE: &str = "place";
pub(crate) const INNOVATORS: &str = "innovators";

pub(crate) fn is_innovation(item: &Item) -> bool {
    item.fields
        .entry
        .as_ref()
        .is_some_and(|e| e.template == super::model::TEMPLATE_KEY)
}

/// The branch from the entry (a term key of the branch taxonomy), else from the item's terms
/// in that taxonomy; the place and the innovators from their answers.
pub(crate) fn facts(item: &Item, vocab: &Vocabulary, branch_tx: Option<TaxonomyId>) -> Facts {
    let mut facts = Facts::default();
    let in_branches = |t: &crate::taxonomy::Term| Some(t.taxonomy_id) == branch_tx;
    if let Some(entry) = &item.fields.entry {
        facts.branch = entry.choices(BRANCH).iter().find_map(|key| {
            vocab
                .terms
                .iter()
                .find(|t| in_branches(t) && &t.key == key)
                .map(|t| t.id)
        });
        if let Some(Answer::Place(p)) = entry.answers.get(PLACE) {
            facts.province = Some(p.province);
            facts.district = p.district;
        }
        if let Some(Answer::People(people)) = entry.answers.get(INNOVATORS) {
            facts.innovators = people.clone();
        }
    }
    if facts.branch.is_none() {
        facts.branch = item
            .fields
            .terms
            .iter()
            .copied()
            .find(|t| vocab.term(*t).is_some_and(in_branches));
    }
    facts
}

/// เขตสุขภาพ and สสม. of a province.
pub(crate) fn zone_and_centre(_p: ProvinceCode) -> (Option<u8>, Option<RegionalCentre>) {
    (None, None)
}

/// จังหวัด's Thai name (the code itself until the gazetteer knows it).
pub(crate) fn province_name(p: ProvinceCode) -> String {
    format!("รหัส {p}")
}

/// Every province, by name, for pickers.
pub(crate) fn provinces() -> Vec<(ProvinceCode, String)> {
    Vec::new()
}
