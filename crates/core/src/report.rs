//! Report tables (ตารางรายงาน): counts by a label with their share of the total, and
//! cross-tables of counts by two labels, in the layout of Thai official reports (seed 000 §1.4:
//! สาขา · จำนวน · ร้อยละ · รวม). Built from counts; no I/O. The web layer renders the same value as
//! an HTML table, an SVG chart, an XLSX workbook and a CSV file, so all four always agree.
//!
//! # Percentages (ร้อยละ) and how they are rounded
//! Each share is computed exactly in integers (tenths of a percent: `count × 1000 / total`) and
//! rounded to one decimal **half up** (ปัดเศษตั้งแต่ .05 ขึ้น), the way the seed's table was
//! made. When those rounded shares would not add up to the 100.0 of the total row, the
//! largest-remainder rule adjusts the fewest rows by 0.1: the rows closest to rounding up go up
//! (or those closest to rounding down go down), ties going to the larger count, then to the
//! earlier row. So the column always sums to exactly 100.0, no row is ever more than 0.1 from
//! its exact share, and whenever plain half-up rounding already sums to 100.0 (as in seed 000:
//! 9 of 118 → 7.6, 13 of 118 → 11.0) the result is exactly that. With no items at all every
//! share, and the total, is 0.0.

use std::fmt;

/// A share of a total in tenths of a percent (0–1000): `Percent(76)` is 7.6 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(u16);

impl Percent {
    pub const HUNDRED: Percent = Percent(1000);

    pub fn tenths(self) -> u16 {
        self.0
    }

    /// As a number for a spreadsheet cell (7.6).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl fmt::Display for Percent {
    /// One decimal, always: `7.6`, `11.0`, `100.0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// Each count's share of their sum to one decimal, summing to exactly 100.0 (see the module
/// documentation for the rule). All zero when the sum is zero.
pub fn shares(counts: &[u64]) -> Vec<Percent> {
    let total: u128 = counts.iter().map(|&c| u128::from(c)).sum();
    if total == 0 {
        return vec![Percent(0); counts.len()];
    }
    // Exact tenths = floor + remainder / total.
    let mut tenths: Vec<u128> = counts
        .iter()
        .map(|&c| u128::from(c) * 1000 / total)
        .collect();
    let remainders: Vec<u128> = counts
        .iter()
        .map(|&c| u128::from(c) * 1000 % total)
        .collect();
    let floor_sum: u128 = tenths.iter().sum();
    let short = (1000 - floor_sum) as usize; // < counts.len(): each floor loses less than 1
    let mut order: Vec<usize> = (0..counts.len()).collect();
    // Largest remainder first; then larger count; then earlier row.
    order.sort_by(|&a, &b| {
        remainders[b]
            .cmp(&remainders[a])
            .then(counts[b].cmp(&counts[a]))
            .then(a.cmp(&b))
    });
    for &i in order.iter().take(short) {
        tenths[i] += 1;
    }
    tenths.into_iter().map(|t| Percent(t as u16)).collect()
}

/// What a column holds, so each output can format it (numbers stay numbers in a workbook).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Label,
    Count,
    Percent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub heading: String,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Count(u64),
    Percent(Percent),
}

impl fmt::Display for Cell {
    /// Plain text as in a CSV cell: counts without separators, shares with one decimal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Text(s) => f.write_str(s),
            Cell::Count(n) => write!(f, "{n}"),
            Cell::Percent(p) => write!(f, "{p}"),
        }
    }
}

/// One table of a report: a title, headed columns, body rows and a total row (รวม).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTable {
    /// What the table shows, e.g. "นวัตกรรม จำแนกตามสาขา อสม.ดีเด่น ปีงบประมาณ 2567".
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// Absent when the table has no rows to total.
    pub total: Option<Vec<Cell>>,
}

/// The word of a total row and column.
pub const TOTAL: &str = "รวม";

impl ReportTable {
    /// Counts of a fiscal year by unit and month: `หน่วยงาน · the months · รวม`. The first row
    /// is the chosen unit with everything under it, and says so; the rest are its children.
    /// Sharing (`/sharing`) and usage (`/stats`) print their measures this way.
    pub fn monthly_by_unit(
        title: impl Into<String>,
        months: &[&str],
        rows: Vec<(String, [u64; 12])>,
    ) -> Self {
        let column = |heading: &str, kind| Column {
            heading: heading.into(),
            kind,
        };
        let mut columns = vec![column("หน่วยงาน", ColumnKind::Label)];
        columns.extend(months.iter().map(|m| column(m, ColumnKind::Count)));
        columns.push(column(TOTAL, ColumnKind::Count));
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, (name, counts))| {
                let label = if i == 0 {
                    format!("{name} (รวมทั้งสังกัด)")
                } else {
                    name
                };
                let mut cells = vec![Cell::Text(label)];
                cells.extend(counts.iter().map(|n| Cell::Count(*n)));
                cells.push(Cell::Count(counts.iter().sum()));
                cells
            })
            .collect();
        Self {
            title: title.into(),
            columns,
            rows,
            total: None,
        }
    }

    /// Counts by one label with each share of the total: `label_heading · จำนวน · ร้อยละ`, then
    /// `รวม · total · 100.0` — the layout of seed 000 §1.4. Rows keep the order given.
    pub fn shares(
        title: impl Into<String>,
        label_heading: impl Into<String>,
        counts: Vec<(String, u64)>,
    ) -> Self {
        let values: Vec<u64> = counts.iter().map(|(_, c)| *c).collect();
        let total: u64 = values.iter().sum();
        let percents = shares(&values);
        let rows = counts
            .into_iter()
            .zip(percents)
            .map(|((label, count), p)| {
                vec![Cell::Text(label), Cell::Count(count), Cell::Percent(p)]
            })
            .collect();
        Self {
            title: title.into(),
            columns: vec![
                Column {
                    heading: label_heading.into(),
                    kind: ColumnKind::Label,
                },
                Column {
                    heading: "จำนวน".into(),
                    kind: ColumnKind::Count,
                },
                Column {
                    heading: "ร้อยละ".into(),
                    kind: ColumnKind::Percent,
                },
            ],
            rows,
            total: Some(vec![
                Cell::Text(TOTAL.into()),
                Cell::Count(total),
                Cell::Percent(if total == 0 {
                    Percent(0)
                } else {
                    Percent::HUNDRED
                }),
            ]),
        }
    }

    /// Counts by two labels: one row per `rows` label, one column per `columns` label, a total
    /// column and a total row. `counts[r][c]` is the count of row `r` and column `c`.
    pub fn cross(
        title: impl Into<String>,
        row_heading: impl Into<String>,
        columns: Vec<String>,
        rows: Vec<(String, Vec<u64>)>,
    ) -> Self {
        let width = columns.len();
        let mut column_totals = vec![0u64; width];
        let mut body = Vec::with_capacity(rows.len());
        for (label, counts) in rows {
            let mut cells = vec![Cell::Text(label)];
            let mut row_total = 0;
            for (i, total) in column_totals.iter_mut().enumerate() {
                let n = counts.get(i).copied().unwrap_or(0);
                *total += n;
                row_total += n;
                cells.push(Cell::Count(n));
            }
            cells.push(Cell::Count(row_total));
            body.push(cells);
        }
        let grand: u64 = column_totals.iter().sum();
        let mut total = vec![Cell::Text(TOTAL.into())];
        total.extend(column_totals.into_iter().map(Cell::Count));
        total.push(Cell::Count(grand));
        let mut heads = vec![Column {
            heading: row_heading.into(),
            kind: ColumnKind::Label,
        }];
        heads.extend(columns.into_iter().map(|heading| Column {
            heading,
            kind: ColumnKind::Count,
        }));
        heads.push(Column {
            heading: TOTAL.into(),
            kind: ColumnKind::Count,
        });
        Self {
            title: title.into(),
            columns: heads,
            rows: body,
            total: Some(total),
        }
    }

    /// The count in the total row under the last count column (the table's grand total).
    pub fn grand_total(&self) -> u64 {
        self.total
            .as_ref()
            .and_then(|t| {
                t.iter().rev().find_map(|c| match c {
                    Cell::Count(n) => Some(*n),
                    _ => None,
                })
            })
            .unwrap_or(0)
    }

    /// Every row, the total row last, as text cells (for CSV and plain views).
    pub fn text_rows(&self) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> =
            vec![self.columns.iter().map(|c| c.heading.clone()).collect()];
        for row in self.rows.iter().chain(self.total.iter()) {
            out.push(row.iter().map(ToString::to_string).collect());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seed 000 §1.4: the counts of the 13 branches and the shares the report printed.
    const SEED: [(u64, &str); 13] = [
        (9, "7.6"),
        (9, "7.6"),
        (10, "8.5"),
        (10, "8.5"),
        (8, "6.8"),
        (8, "6.8"),
        (11, "9.3"),
        (8, "6.8"),
        (7, "5.9"),
        (13, "11.0"),
        (13, "11.0"),
        (8, "6.8"),
        (4, "3.4"),
    ];

    #[test]
    fn the_seed_table_comes_out_as_printed() {
        let counts: Vec<u64> = SEED.iter().map(|(c, _)| *c).collect();
        assert_eq!(counts.iter().sum::<u64>(), 118);
        let got: Vec<String> = shares(&counts).iter().map(ToString::to_string).collect();
        let want: Vec<&str> = SEED.iter().map(|(_, p)| *p).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn shares_always_sum_to_a_hundred_and_stay_within_a_tenth() {
        for counts in [
            vec![1u64, 1, 1],
            vec![1, 2],
            vec![2, 2, 2, 2, 2, 2, 1],
            vec![0, 5, 0],
            vec![1, 1, 1, 1, 1, 1],
            vec![333, 333, 334],
            vec![1; 13],
            vec![u64::MAX / 2, 1],
        ] {
            let p = shares(&counts);
            let sum: u32 = p.iter().map(|p| u32::from(p.tenths())).sum();
            assert_eq!(sum, 1000, "{counts:?} → {p:?}");
            let total: u128 = counts.iter().map(|&c| u128::from(c)).sum();
            for (c, p) in counts.iter().zip(&p) {
                let exact = u128::from(*c) * 10000 / total; // hundredths of a percent
                let shown = u128::from(p.tenths()) * 10;
                assert!(exact.abs_diff(shown) < 10, "{c} of {total}: {p}");
            }
        }
        // A third each: the earlier row takes the spare tenth.
        let p: Vec<String> = shares(&[1, 1, 1]).iter().map(ToString::to_string).collect();
        assert_eq!(p, ["33.4", "33.3", "33.3"]);
        // Zero rows stay 0.0; no rows, nothing.
        assert_eq!(shares(&[0, 5, 0])[0], Percent(0));
        assert!(shares(&[]).is_empty());
        assert_eq!(shares(&[0, 0]), [Percent(0), Percent(0)]);
    }

    #[test]
    fn a_share_table_has_the_seed_layout() {
        let t = ReportTable::shares("ตาราง", "สาขา", vec![("ก".into(), 1), ("ข".into(), 3)]);
        assert_eq!(
            t.text_rows(),
            [
                vec!["สาขา", "จำนวน", "ร้อยละ"],
                vec!["ก", "1", "25.0"],
                vec!["ข", "3", "75.0"],
                vec!["รวม", "4", "100.0"],
            ]
        );
        assert_eq!(t.grand_total(), 4);
        let empty = ReportTable::shares("ตาราง", "สาขา", vec![("ก".into(), 0)]);
        assert_eq!(empty.text_rows()[2], ["รวม", "0", "0.0"]);
    }

    #[test]
    fn a_cross_table_totals_rows_and_columns() {
        let t = ReportTable::cross(
            "ตาราง",
            "สาขา",
            vec!["เหนือ".into(), "ใต้".into()],
            vec![("ก".into(), vec![1, 2]), ("ข".into(), vec![0, 4])],
        );
        assert_eq!(
            t.text_rows(),
            [
                vec!["สาขา", "เหนือ", "ใต้", "รวม"],
                vec!["ก", "1", "2", "3"],
                vec!["ข", "0", "4", "4"],
                vec!["รวม", "1", "6", "7"],
            ]
        );
        assert_eq!(t.grand_total(), 7);
    }
}
