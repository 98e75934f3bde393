//! Taxonomies (หมวดหมู่) are data an administrator manages: categories, required-knowledge
//! lists, อสม. branches … seeded from the seeds, each term with Thai and English labels.

use crate::error::FieldError;
use crate::ids::{TaxonomyId, TermId};
use crate::text::{grapheme_len, tidy};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taxonomy {
    pub id: TaxonomyId,
    pub key: String,
    pub name_th: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    pub id: TermId,
    pub taxonomy_id: TaxonomyId,
    pub key: String,
    pub label_th: String,
    pub label_en: String,
    pub parent_id: Option<TermId>,
    /// Retired terms stay on the items that carry them but are not offered for new ones.
    pub retired: bool,
}

/// A label: 1–200 graphemes.
pub fn parse_label(field: &'static str, s: &str) -> Result<String, FieldError> {
    crate::field::refuse_controls(field, "ชื่อหมวดหมู่", s)?;
    let s = tidy(s);
    match grapheme_len(&s) {
        0 => Err(FieldError::new(field, "กรุณาใส่ชื่อหมวดหมู่")),
        n if n > 200 => Err(FieldError::new(field, "ชื่อหมวดหมู่ยาวเกิน 200 ตัวอักษร")),
        _ => Ok(s),
    }
}

/// A stable key: a–z, 0–9 and hyphens; made from the English label when not given.
pub fn parse_key(s: &str) -> Result<String, FieldError> {
    let mut key = String::new();
    for c in s.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else if !key.ends_with('-') && !key.is_empty() {
            key.push('-');
        }
    }
    let key = key.trim_end_matches('-').to_string();
    if key.is_empty() || key.len() > 60 {
        return Err(FieldError::new(
            "key",
            "รหัสหมวดหมู่ต้องเป็นอักษรอังกฤษหรือตัวเลข ไม่เกิน 60 ตัว",
        ));
    }
    Ok(key)
}

/// Taxonomies with their terms, loaded once per request for pickers and labels.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub taxonomies: Vec<Taxonomy>,
    pub terms: Vec<Term>,
}

impl Vocabulary {
    pub fn term(&self, id: TermId) -> Option<&Term> {
        self.terms.iter().find(|t| t.id == id)
    }

    pub fn taxonomy(&self, id: TaxonomyId) -> Option<&Taxonomy> {
        self.taxonomies.iter().find(|t| t.id == id)
    }

    pub fn terms_of(&self, taxonomy: TaxonomyId) -> impl Iterator<Item = &Term> {
        self.terms.iter().filter(move |t| t.taxonomy_id == taxonomy)
    }

    /// "หมวดหมู่องค์ความรู้: การพัฒนาพื้นที่ต้นแบบ"
    pub fn label(&self, id: TermId) -> String {
        match self.term(id) {
            Some(t) => t.label_th.clone(),
            None => String::new(),
        }
    }
}

/// Seed taxonomies as the reference file lists them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceTaxonomy {
    pub key: String,
    pub name_th: String,
    pub name_en: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub term: Vec<ReferenceTerm>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceTerm {
    pub key: String,
    pub label_th: String,
    pub label_en: String,
    #[serde(default)]
    pub parent: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    taxonomy: Vec<ReferenceTaxonomy>,
}

pub fn reference() -> Result<Vec<ReferenceTaxonomy>, crate::DomainError> {
    let file: File = toml::from_str(include_str!("reference/taxonomies.toml"))
        .map_err(crate::DomainError::internal)?;
    Ok(file.taxonomy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels() {
        assert_eq!(
            parse_key(" Model Area / Pilot ").unwrap(),
            "model-area-pilot"
        );
        assert!(parse_key("หมวด").is_err());
        assert!(parse_label("label_th", "  ").is_err());
    }

    #[test]
    fn reference_taxonomies_parse_with_known_parents() {
        let taxonomies = reference().unwrap();
        for key in ["category", "osm_branch"] {
            assert!(taxonomies.iter().any(|t| t.key == key), "{key}");
        }
        let branches = taxonomies.iter().find(|t| t.key == "osm_branch").unwrap();
        assert_eq!(branches.term.len(), 13);
        let categories = taxonomies.iter().find(|t| t.key == "category").unwrap();
        assert_eq!(categories.term.len(), 3);
        for t in &taxonomies {
            for term in &t.term {
                assert!(
                    term.parent.is_empty() || t.term.iter().any(|p| p.key == term.parent),
                    "{}",
                    term.key
                );
            }
        }
    }
}
