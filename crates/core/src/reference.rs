//! Reference data shipped in the binary: the real unit trees of the Department of Health
//! Service Support and the Community Development Department (from the seeds).

use crate::error::DomainError;
use crate::org::{UnitCode, UnitKind, UnitName};
use serde::Deserialize;

const UNITS_TOML: &str = include_str!("reference/units.toml");

/// One unit as the reference file lists it; parents come before children.
#[derive(Debug, Clone)]
pub struct ReferenceUnit {
    pub code: UnitCode,
    pub parent: Option<UnitCode>,
    pub kind: UnitKind,
    pub name_th: UnitName,
    pub name_en: Option<String>,
    pub short_th: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    unit: Vec<Raw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    code: String,
    parent: String,
    kind: String,
    name_th: String,
    name_en: String,
    short_th: String,
}

fn non_empty(s: String) -> Option<String> {
    if s.trim().is_empty() { None } else { Some(s) }
}

/// The reference unit list, parsed and checked (the file is compiled in, so a failure here
/// is a packaging bug and is caught by the unit test below).
pub fn units() -> Result<Vec<ReferenceUnit>, DomainError> {
    let file: File = toml::from_str(UNITS_TOML).map_err(DomainError::internal)?;
    file.unit
        .into_iter()
        .map(|r| {
            let bad = |e: crate::FieldError| {
                DomainError::internal(format!("reference unit {}: {}", r.code, e.message))
            };
            Ok(ReferenceUnit {
                code: UnitCode::parse(&r.code).map_err(bad)?,
                parent: if r.parent.is_empty() {
                    None
                } else {
                    Some(UnitCode::parse(&r.parent).map_err(bad)?)
                },
                kind: UnitKind::parse(&r.kind).map_err(bad)?,
                name_th: UnitName::parse("name_th", &r.name_th).map_err(bad)?,
                name_en: non_empty(r.name_en),
                short_th: non_empty(r.short_th),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn reference_tree_is_complete_and_ordered() {
        let units = units().unwrap();
        let mut seen = HashSet::new();
        for u in &units {
            if let Some(p) = &u.parent {
                assert!(
                    seen.contains(p.as_str()),
                    "{} listed before its parent {}",
                    u.code,
                    p
                );
            }
            assert!(
                seen.insert(u.code.as_str().to_string()),
                "duplicate {}",
                u.code
            );
        }
        let count = |k: UnitKind| units.iter().filter(|u| u.kind == k).count();
        assert_eq!(count(UnitKind::RegionalCentre), 5);
        assert_eq!(count(UnitKind::HealthZoneCentre), 12);
        assert_eq!(count(UnitKind::StudyCentre), 11);
        assert_eq!(count(UnitKind::ProvincialOffice), 76);
        assert_eq!(count(UnitKind::DistrictOffice), 11);
        let chachoengsao = units
            .iter()
            .find(|u| u.code.as_str() == "CDD-P-24")
            .unwrap();
        assert_eq!(
            chachoengsao.name_th.as_str(),
            "สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา"
        );
        assert!(units.iter().any(|u| u.name_th.as_str() == "กองสุขศึกษา"));
    }
}
