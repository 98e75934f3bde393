//! The round form (create and edit): its rows, options and the reading of its repeated
//! fields. Long and only about the form, so it sits apart from the handlers in
//! [`super::rounds`] that show and save it.

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::view::Errors;
use khlang_core::contests::model::{Area, RoundLevel};
use khlang_core::contests::rounds::{CriterionInput, DocumentInput, RoundInput};
use khlang_core::file::FileKind;
use khlang_core::geo::{Gazetteer, HealthZone, RegionalCentre};
use khlang_core::ids::{ContestId, RoundId};

/// Every area a round may draw from, as (key, label) options.
fn area_options() -> Vec<(String, String)> {
    let mut v = vec![(Area::Nation.key(), Area::Nation.label_th())];
    for r in RegionalCentre::ALL {
        let a = Area::Region(r);
        v.push((a.key(), a.label_th()));
    }
    for z in 1..=13u8 {
        if let Some(z) = HealthZone::new(z) {
            let a = Area::HealthZone(z);
            v.push((a.key(), a.label_th()));
        }
    }
    for p in Gazetteer::get().provinces_by_name() {
        let a = Area::Province(p.code);
        v.push((a.key(), a.label_th()));
    }
    v
}

/// The round form's options and values, shared by the create and edit pages.
pub(super) struct RoundFormView {
    pub(super) form: RoundInput,
    pub(super) levels: Vec<(&'static str, &'static str)>,
    pub(super) areas: Vec<(String, String)>,
    pub(super) units: Vec<(i64, String)>,
    pub(super) next_rounds: Vec<(i64, String)>,
    pub(super) branches: Vec<(i64, String, bool)>,
    /// Rows of documents (filled ones, then blanks).
    pub(super) documents: Vec<DocRow>,
    pub(super) criteria: Vec<CritRow>,
    /// Three tie-break selects: (position, chosen value).
    pub(super) tie_breaks: Vec<(usize, String)>,
    /// Options for a tie-break select: (value, label).
    pub(super) tie_options: Vec<(String, String)>,
}

const DOC_ROWS: usize = 6;
const CRIT_ROWS: usize = 8;

/// One row of required documents on the form, with its errors.
pub(super) struct DocRow {
    pub(super) i: usize,
    pub(super) d: DocumentInput,
    /// (kind, label, checked)
    pub(super) kinds: Vec<(&'static str, &'static str, bool)>,
    pub(super) key_error: Option<String>,
    pub(super) kinds_error: Option<String>,
    pub(super) max_error: Option<String>,
}

/// One row of the rubric on the form, with its errors.
pub(super) struct CritRow {
    pub(super) i: usize,
    pub(super) c: CriterionInput,
    pub(super) key_error: Option<String>,
    pub(super) weight_error: Option<String>,
    pub(super) max_error: Option<String>,
}

pub(super) async fn round_form_view(
    state: &AppState,
    member: &Member,
    contest: ContestId,
    this: Option<RoundId>,
    form: RoundInput,
    errors: &Errors,
) -> Result<RoundFormView, WebError> {
    let err = |name: String| errors.get(&name).map(str::to_string);
    let (_, rounds, _) = state
        .core
        .contest_with_rounds(member.actor(), contest)
        .await?;
    let branches = state.core.contest_branches().await?;
    let mut docs = form.documents.clone();
    while docs.len() < DOC_ROWS.max(form.documents.len() + 2) {
        docs.push(DocumentInput {
            max_mb: "20".into(),
            required: true,
            ..Default::default()
        });
    }
    let documents = docs
        .into_iter()
        .enumerate()
        .map(|(i, d)| DocRow {
            i,
            kinds: FileKind::ALL
                .iter()
                .map(|k| {
                    (
                        k.as_str(),
                        k.label_th(),
                        d.kinds.iter().any(|x| x == k.as_str()),
                    )
                })
                .collect(),
            key_error: err(format!("doc_key_{i}")),
            kinds_error: err(format!("doc_kinds_{i}")),
            max_error: err(format!("doc_max_{i}")),
            d,
        })
        .collect();
    let mut crits = form.criteria.clone();
    while crits.len() < CRIT_ROWS.max(form.criteria.len() + 2) {
        crits.push(CriterionInput::default());
    }
    let criteria = crits
        .into_iter()
        .enumerate()
        .map(|(i, c)| CritRow {
            i,
            key_error: err(format!("crit_key_{i}")),
            weight_error: err(format!("crit_weight_{i}")),
            max_error: err(format!("crit_max_{i}")),
            c,
        })
        .collect();
    let mut tie_options = vec![(String::new(), "— ไม่ใช้ —".to_string())];
    for c in &form.criteria {
        if !c.name.trim().is_empty() {
            let key = if c.key.trim().is_empty() {
                continue;
            } else {
                c.key.trim().to_ascii_lowercase()
            };
            tie_options.push((
                format!("criterion:{key}"),
                format!("คะแนนเกณฑ์ \"{}\" สูงกว่า", c.name.trim()),
            ));
        }
    }
    tie_options.push(("chair".into(), "ประธานกรรมการตัดสิน".into()));
    let tie_breaks = (0..3)
        .map(|i| (i, form.tie_breaks.get(i).cloned().unwrap_or_default()))
        .collect();
    Ok(RoundFormView {
        levels: RoundLevel::ALL
            .iter()
            .map(|l| (l.as_str(), l.label_th()))
            .collect(),
        areas: area_options(),
        units: state
            .core
            .contest_units(member.actor())
            .await?
            .into_iter()
            .map(|(u, n)| (u.0, n))
            .collect(),
        next_rounds: rounds
            .iter()
            .filter(|r| Some(r.id) != this)
            .map(|r| (r.id.0, r.title.clone()))
            .collect(),
        branches: branches
            .into_iter()
            .map(|(id, l)| (id.0, l, form.branches.contains(&id.to_string())))
            .collect(),
        documents,
        criteria,
        tie_breaks,
        tie_options,
        form,
    })
}

/// The round form's pairs → its input (rows by index, checkboxes as repeated keys).
pub(super) fn round_input(pairs: &[(String, String)]) -> RoundInput {
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let mut documents = Vec::new();
    for i in 0..40 {
        if !pairs.iter().any(|(n, _)| n == &format!("doc_name_{i}")) {
            break;
        }
        documents.push(DocumentInput {
            key: one(&format!("doc_key_{i}")),
            name: one(&format!("doc_name_{i}")),
            kinds: all(&format!("doc_kinds_{i}")),
            max_mb: one(&format!("doc_max_{i}")),
            required: !one(&format!("doc_required_{i}")).is_empty(),
        });
    }
    let mut criteria = Vec::new();
    for i in 0..40 {
        if !pairs.iter().any(|(n, _)| n == &format!("crit_name_{i}")) {
            break;
        }
        criteria.push(CriterionInput {
            key: one(&format!("crit_key_{i}")),
            name: one(&format!("crit_name_{i}")),
            weight: one(&format!("crit_weight_{i}")),
            max_points: one(&format!("crit_max_{i}")),
            levels: one(&format!("crit_levels_{i}")),
        });
    }
    // Keep what was typed, but drop the blank rows the form adds.
    while documents
        .last()
        .is_some_and(|d: &DocumentInput| d.name.trim().is_empty() && d.key.trim().is_empty())
    {
        documents.pop();
    }
    while criteria
        .last()
        .is_some_and(|c: &CriterionInput| c.name.trim().is_empty() && c.key.trim().is_empty())
    {
        criteria.pop();
    }
    RoundInput {
        title: one("title"),
        level: one("level"),
        unit: one("unit"),
        area: one("area"),
        next_round: one("next_round"),
        opens: one("opens"),
        closes: one("closes"),
        branches: all("branches"),
        documents,
        criteria,
        advance: one("advance"),
        tie_breaks: all("tie_breaks"),
        entry_template: one("entry_template"),
    }
}
