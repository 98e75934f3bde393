//! Statistics of the registry as report tables, built from counts (no I/O).

use crate::error::FieldError;
use crate::ids::{TermId, UnitId};
use crate::report::ReportTable;

/// ปีงบประมาณ in the Buddhist Era (2500–2700), typed with Thai or Arabic digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FiscalYear(i32);

impl FiscalYear {
    pub fn parse(field: &'static str, s: &str) -> Result<Self, FieldError> {
        let digits = crate::text::arabic_digits(s.trim());
        let digits = digits
            .strip_prefix("ปีงบประมาณ")
            .or_else(|| digits.strip_prefix("พ.ศ."))
            .unwrap_or(&digits)
            .trim();
        let year: i32 = digits.parse().map_err(|_| {
            FieldError::new(
                field,
                format!("ปีงบประมาณต้องเป็นปี พ.ศ. 4 หลัก เช่น 2567 (ได้ “{}”)", s.trim()),
            )
        })?;
        match year {
            2500..=2700 => Ok(Self(year)),
            1957..=2157 => Err(FieldError::new(
                field,
                format!(
                    "ปีงบประมาณต้องเป็นปี พ.ศ. — {year} ดูเหมือนปี ค.ศ. (ตรงกับ พ.ศ. {})",
                    year + 543
                ),
            )),
            _ => Err(FieldError::new(
                field,
                format!("ปีงบประมาณ {year} อยู่นอกช่วงที่รับได้ (พ.ศ. 2500–2700)"),
            )),
        }
    }

    /// An empty value is no year (all years).
    pub fn parse_opt(field: &'static str, s: &str) -> Result<Option<Self>, FieldError> {
        if s.trim().is_empty() {
            Ok(None)
        } else {
            Self::parse(field, s).map(Some)
        }
    }

    pub fn be(self) -> i32 {
        self.0
    }
}

/// Which innovations a statistics page counts: those owned by a unit's subtree (or all),
/// of one fiscal year (or all).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatisticsFilter {
    pub subtree: Option<UnitId>,
    pub fiscal_year: Option<FiscalYear>,
}

/// Published innovations of one branch in one regional centre (None: a place with no
/// regional centre, or none recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchCount {
    /// None: an innovation not (yet) classified.
    pub branch: Option<TermId>,
    pub centre: Option<String>,
    pub count: u64,
}

/// A row or column of a table: its key and its Thai label, in the order to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading<K> {
    pub key: K,
    pub label: String,
}

/// What the statistics page, its chart and its downloads show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statistics {
    /// The seed 000 §1.4 table: สาขา · จำนวน · ร้อยละ, รวม.
    pub by_branch: ReportTable,
    /// สาขา × สสม., with totals.
    pub by_centre: ReportTable,
    /// Innovations counted.
    pub total: u64,
    /// Reports of use (นำไปใช้แล้ว) of those innovations — success level 5.
    pub applied: u64,
    /// "ทุกหน่วยงาน · ทุกปีงบประมาณ" or the unit and year chosen.
    pub scope: String,
}

/// The label used for a count whose branch or centre is unknown.
pub const UNSPECIFIED: &str = "ไม่ระบุ";

impl Statistics {
    /// Builds both tables. Every branch of `branches` gets a row (zero included), in that
    /// order; a branch that only appears in `counts` (a retired term) is added after them.
    /// Every centre gets a column; counts without a centre get a last "ไม่ระบุ" column, only
    /// when there are some.
    pub fn build(
        scope: String,
        branches: &[Heading<TermId>],
        centres: &[Heading<String>],
        counts: &[BranchCount],
        applied: u64,
        extra_branch_label: impl Fn(TermId) -> String,
    ) -> Self {
        let mut rows: Vec<Heading<Option<TermId>>> = branches
            .iter()
            .map(|b| Heading {
                key: Some(b.key),
                label: b.label.clone(),
            })
            .collect();
        for c in counts.iter().filter(|c| c.count > 0) {
            if !rows.iter().any(|r| r.key == c.branch) {
                rows.push(Heading {
                    key: c.branch,
                    label: match c.branch {
                        Some(id) => extra_branch_label(id),
                        None => format!("{UNSPECIFIED}สาขา"),
                    },
                });
            }
        }
        let mut cols: Vec<Heading<Option<String>>> = centres
            .iter()
            .map(|c| Heading {
                key: Some(c.key.clone()),
                label: c.label.clone(),
            })
            .collect();
        let unplaced = counts
            .iter()
            .any(|c| c.count > 0 && !centres.iter().any(|h| Some(&h.key) == c.centre.as_ref()));
        if unplaced {
            cols.push(Heading {
                key: None,
                label: format!("{UNSPECIFIED} สสม."),
            });
        }
        let column_of = |centre: &Option<String>| {
            cols.iter()
                .position(|h| &h.key == centre)
                .unwrap_or(cols.len().saturating_sub(1))
        };
        let mut grid = vec![vec![0u64; cols.len()]; rows.len()];
        for c in counts {
            if let Some(r) = rows.iter().position(|h| h.key == c.branch) {
                grid[r][column_of(&c.centre)] += c.count;
            }
        }
        let total: u64 = grid.iter().flatten().sum();
        let by_branch = ReportTable::shares(
            format!("นวัตกรรม จำแนกตามสาขา อสม.ดีเด่น — {scope}"),
            "สาขา",
            rows.iter()
                .zip(&grid)
                .map(|(h, g)| (h.label.clone(), g.iter().sum()))
                .collect(),
        );
        let by_centre = ReportTable::cross(
            format!("นวัตกรรม จำแนกตามสาขาและศูนย์พัฒนาการสาธารณสุขมูลฐาน (สสม.) — {scope}"),
            "สาขา",
            cols.iter().map(|h| h.label.clone()).collect(),
            rows.iter()
                .zip(grid)
                .map(|(h, g)| (h.label.clone(), g))
                .collect(),
        );
        Self {
            by_branch,
            by_centre,
            total,
            applied,
            scope,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_years_are_buddhist_era() {
        assert_eq!(FiscalYear::parse("y", "๒๕๖๗").unwrap().be(), 2567);
        assert_eq!(
            FiscalYear::parse("y", " ปีงบประมาณ 2566 ").unwrap().be(),
            2566
        );
        let e = FiscalYear::parse("y", "2024").unwrap_err();
        assert!(e.message.contains("พ.ศ. 2567"), "{e:?}");
        assert!(FiscalYear::parse("y", "ปีนี้").is_err());
        assert!(FiscalYear::parse("y", "9999").is_err());
        assert_eq!(FiscalYear::parse_opt("y", " ").unwrap(), None);
    }

    #[test]
    fn tables_have_every_branch_and_centre_and_agree() {
        let b = |n: i64, l: &str| Heading {
            key: TermId(n),
            label: l.into(),
        };
        let c = |k: &str, l: &str| Heading {
            key: k.to_string(),
            label: l.into(),
        };
        let count = |t: i64, c: Option<&str>, n: u64| BranchCount {
            branch: (t > 0).then_some(TermId(t)),
            centre: c.map(Into::into),
            count: n,
        };
        let s = Statistics::build(
            "ทุกหน่วยงาน".into(),
            &[b(1, "ก"), b(2, "ข"), b(3, "ค")],
            &[c("n", "เหนือ"), c("s", "ใต้")],
            &[
                count(1, Some("n"), 2),
                count(1, Some("s"), 1),
                count(3, Some("s"), 1),
                count(9, None, 4),
                count(0, Some("n"), 1),
            ],
            5,
            |_| "สาขาเดิม".into(),
        );
        assert_eq!(s.total, 9);
        assert_eq!(s.by_branch.grand_total(), 9);
        assert_eq!(s.by_centre.grand_total(), 9);
        assert_eq!(
            s.by_branch.text_rows(),
            [
                vec!["สาขา", "จำนวน", "ร้อยละ"],
                vec!["ก", "3", "33.3"],
                vec!["ข", "0", "0.0"],
                vec!["ค", "1", "11.1"],
                vec!["สาขาเดิม", "4", "44.5"],
                vec!["ไม่ระบุสาขา", "1", "11.1"],
                vec!["รวม", "9", "100.0"],
            ]
        );
        assert_eq!(
            s.by_centre.text_rows()[0],
            ["สาขา", "เหนือ", "ใต้", "ไม่ระบุ สสม.", "รวม"]
        );
        assert_eq!(s.by_centre.text_rows()[1], ["ก", "2", "1", "0", "3"]);
        assert_eq!(s.by_centre.text_rows()[6], ["รวม", "3", "2", "4", "9"]);
    }
}
