//! What the dashboard shows, built from counts (no I/O): every block as [`ReportTable`]s, so
//! the page's tables, its charts and the XLSX workbook always show the same numbers.

use super::ports::{ItemCount, TermCount};
use crate::ids::{TermId, UnitId};
use crate::item::{ItemStatus, KnowledgeType};
use crate::levels::UnitLevel;
use crate::planning::progress::ActivityCounts;
use crate::planning::{FiscalYear, PlanOverview, PlanStatus};
use crate::report::{Cell, Column, ColumnKind, ReportTable, TOTAL};
use crate::targets::model::Progress;
use std::collections::HashMap;

/// A unit as the dashboard names it: in pickers, drill-down links and table rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRef {
    pub id: UnitId,
    pub name: String,
    /// 0 for a top unit; for indenting a picker.
    pub depth: usize,
}

/// One child unit of the dashboard's unit, with everything its row shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildRow {
    pub unit: UnitRef,
    /// Items of the year in the child's subtree.
    pub items: u64,
    pub published: u64,
    /// None when the targets context said nothing about the child.
    pub target: Option<Progress>,
    pub plan: Option<PlanOverview>,
    pub level: Option<UnitLevel>,
}

/// Items of the year: by category, by knowledge type, by status and by child unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemsBlock {
    pub total: u64,
    pub published: u64,
    pub by_category: ReportTable,
    pub by_type: ReportTable,
    pub by_status: ReportTable,
    pub by_child: ReportTable,
}

/// Innovations by branch (the registry's own seed 000 §1.4 table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InnovationsBlock {
    pub total: u64,
    pub by_branch: ReportTable,
}

/// One bar of a percentage chart: a label, the percentage (None: nothing to count yet) and
/// the numbers it was made from, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PercentRow {
    pub unit_id: UnitId,
    pub label: String,
    pub percent: Option<u8>,
    pub note: String,
}

/// Target progress of the unit and of each child.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetsBlock {
    pub root: Progress,
    pub bars: Vec<PercentRow>,
    pub table: ReportTable,
    /// Nothing is required anywhere in the subtree yet.
    pub empty: bool,
}

/// Children's plans: how many are in each status, and each child's % complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlansBlock {
    pub by_status: ReportTable,
    pub bars: Vec<PercentRow>,
    pub table: ReportTable,
    /// No child has a plan for the year.
    pub empty: bool,
}

/// Success levels of the unit and its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelsBlock {
    /// The unit's own confirmed level (0: none yet).
    pub own: u8,
    pub by_level: ReportTable,
    pub table: ReportTable,
    /// No level confirmed or suggested anywhere yet.
    pub empty: bool,
}

/// The whole dashboard of one subtree and fiscal year.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub unit: UnitRef,
    /// From the top the viewer may see down to the unit's parent, for links up.
    pub ancestors: Vec<UnitRef>,
    pub year: FiscalYear,
    /// Units offered by the picker: where the viewer may look.
    pub choices: Vec<UnitRef>,
    /// Years offered by the picker, newest first.
    pub years: Vec<FiscalYear>,
    pub children: Vec<ChildRow>,
    pub items: ItemsBlock,
    pub innovations: InnovationsBlock,
    pub targets: TargetsBlock,
    pub plans: PlansBlock,
    pub levels: LevelsBlock,
    /// "สำนักงานพัฒนาชุมชนจังหวัด… · ปีงบประมาณ 2568", for titles and the file name.
    pub scope: String,
}

/// "เผยแพร่แล้ว" and "ยังไม่เผยแพร่": the two columns of the item tables.
pub const PUBLISHED_COLUMNS: [&str; 2] = ["เผยแพร่แล้ว", "ยังไม่เผยแพร่"];
/// The row of items without a category.
pub const NO_CATEGORY: &str = "ไม่ระบุหมวดหมู่";
/// The row of a unit without a plan for the year.
pub const NO_PLAN: &str = "ยังไม่มีแผน";

fn col(heading: &str, kind: ColumnKind) -> Column {
    Column {
        heading: heading.into(),
        kind,
    }
}

fn whole_percent(p: Option<u8>) -> Cell {
    match p {
        Some(p) => Cell::Count(u64::from(p)),
        None => Cell::Text("–".into()),
    }
}

/// Block 1 from the grouped counts. `rollup` maps every unit of the subtree to the child of
/// the dashboard's unit it lies under (the unit itself maps to None: its own items).
pub fn items_block(
    scope: &str,
    counts: &[ItemCount],
    categories: &[(TermId, String)],
    term_counts: &[TermCount],
    children: &[UnitRef],
    rollup: &HashMap<UnitId, Option<UnitId>>,
    own_label: &str,
) -> ItemsBlock {
    let published = ItemStatus::Published.as_str();
    let mut by_status = vec![0u64; ItemStatus::ALL.len()];
    let mut by_type = vec![[0u64; 2]; KnowledgeType::ALL.len()];
    let mut by_child: HashMap<Option<UnitId>, [u64; 2]> = HashMap::new();
    let (mut total, mut total_published) = (0, 0);
    for c in counts {
        let Some(under) = rollup.get(&c.unit_id) else {
            continue;
        };
        let side = usize::from(c.status != published);
        total += c.count;
        if side == 0 {
            total_published += c.count;
        }
        if let Some(i) = ItemStatus::ALL.iter().position(|s| s.as_str() == c.status) {
            by_status[i] += c.count;
        }
        if let Some(i) = KnowledgeType::ALL
            .iter()
            .position(|k| k.as_str() == c.knowledge_type)
        {
            by_type[i][side] += c.count;
        }
        by_child.entry(*under).or_default()[side] += c.count;
    }
    let two = |pair: [u64; 2]| pair.to_vec();
    let mut category_rows: Vec<(String, Vec<u64>)> = Vec::new();
    for (id, label) in categories {
        let mut pair = [0u64; 2];
        for t in term_counts.iter().filter(|t| t.term == Some(*id)) {
            pair[usize::from(!t.published)] += t.count;
        }
        category_rows.push((label.clone(), two(pair)));
    }
    let mut none = [0u64; 2];
    for t in term_counts.iter().filter(|t| t.term.is_none()) {
        none[usize::from(!t.published)] += t.count;
    }
    if none != [0, 0] {
        category_rows.push((NO_CATEGORY.into(), two(none)));
    }
    let mut by_category = ReportTable::cross(
        format!("องค์ความรู้ จำแนกตามหมวดหมู่ — {scope} (เรื่องหนึ่งอยู่ได้หลายหมวด)"),
        "หมวดหมู่",
        PUBLISHED_COLUMNS.map(String::from).to_vec(),
        category_rows,
    );
    // A sum over categories would count an item with two categories twice.
    by_category.total = None;
    let by_type = ReportTable::cross(
        format!("องค์ความรู้ จำแนกตามประเภทความรู้ — {scope}"),
        "ประเภทความรู้",
        PUBLISHED_COLUMNS.map(String::from).to_vec(),
        KnowledgeType::ALL
            .iter()
            .zip(by_type)
            .map(|(k, pair)| (k.label_th().to_string(), two(pair)))
            .collect(),
    );
    let by_status = ReportTable::shares(
        format!("องค์ความรู้ จำแนกตามสถานะ — {scope}"),
        "สถานะ",
        ItemStatus::ALL
            .iter()
            .zip(by_status)
            .map(|(s, n)| (s.label_th().to_string(), n))
            .collect(),
    );
    let mut child_rows = Vec::new();
    if let Some(own) = by_child.get(&None) {
        child_rows.push((own_label.to_string(), two(*own)));
    }
    for child in children {
        let pair = by_child.get(&Some(child.id)).copied().unwrap_or_default();
        child_rows.push((child.name.clone(), two(pair)));
    }
    let by_child = ReportTable::cross(
        format!("องค์ความรู้ จำแนกตามหน่วยงาน — {scope}"),
        "หน่วยงาน",
        PUBLISHED_COLUMNS.map(String::from).to_vec(),
        child_rows,
    );
    ItemsBlock {
        total,
        published: total_published,
        by_category,
        by_type,
        by_status,
        by_child,
    }
}

/// Items of the year per child (and the unit's own), from the same counts.
pub fn child_item_totals(
    counts: &[ItemCount],
    rollup: &HashMap<UnitId, Option<UnitId>>,
) -> HashMap<Option<UnitId>, (u64, u64)> {
    let published = ItemStatus::Published.as_str();
    let mut out: HashMap<Option<UnitId>, (u64, u64)> = HashMap::new();
    for c in counts {
        if let Some(under) = rollup.get(&c.unit_id) {
            let e = out.entry(*under).or_default();
            e.0 += c.count;
            if c.status == published {
                e.1 += c.count;
            }
        }
    }
    out
}

/// 12345 → "12,345", as the page writes numbers.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn progress_note(p: &Progress) -> String {
    format!("{} / {}", group_digits(p.counted), group_digits(p.required))
}

fn progress_cells(label: String, p: &Progress) -> Vec<Cell> {
    vec![
        Cell::Text(label),
        Cell::Count(p.required),
        Cell::Count(p.submitted),
        Cell::Count(p.published),
        Cell::Count(p.counted),
        whole_percent(p.percent()),
    ]
}

/// Block 3: each child's progress against its targets, the unit's own as the total row.
pub fn targets_block(
    scope: &str,
    unit: &UnitRef,
    root: Progress,
    children: &[ChildRow],
) -> TargetsBlock {
    let mut bars = Vec::new();
    let mut rows = Vec::new();
    for c in children {
        let p = c
            .target
            .clone()
            .unwrap_or_else(|| Progress::empty(c.unit.id));
        bars.push(PercentRow {
            unit_id: c.unit.id,
            label: c.unit.name.clone(),
            percent: p.percent(),
            note: progress_note(&p),
        });
        rows.push(progress_cells(c.unit.name.clone(), &p));
    }
    let empty = root.required == 0
        && children
            .iter()
            .all(|c| c.target.as_ref().is_none_or(|p| p.required == 0));
    let total = progress_cells(format!("{TOTAL} ({})", unit.name), &root);
    let table = ReportTable {
        title: format!("ความก้าวหน้าตามเป้าหมาย — {scope}"),
        columns: vec![
            col("หน่วยงาน", ColumnKind::Label),
            col("ต้องมี (เรื่อง)", ColumnKind::Count),
            col("ส่งแล้ว", ColumnKind::Count),
            col("เผยแพร่แล้ว", ColumnKind::Count),
            col("นับตามเป้า", ColumnKind::Count),
            col("ร้อยละ", ColumnKind::Count),
        ],
        rows,
        total: Some(total),
    };
    TargetsBlock {
        root,
        bars,
        table,
        empty,
    }
}

fn plan_label(p: Option<&PlanOverview>) -> String {
    match p.and_then(|p| p.plan) {
        Some((_, s)) => s.label_th().to_string(),
        None => NO_PLAN.to_string(),
    }
}

/// Block 4: children by plan status (and without one), and each child's % complete.
pub fn plans_block(scope: &str, children: &[ChildRow]) -> PlansBlock {
    let mut by_status = vec![0u64; PlanStatus::ALL.len() + 1];
    let mut bars = Vec::new();
    let mut rows = Vec::new();
    for c in children {
        let status = c.plan.as_ref().and_then(|p| p.plan).map(|(_, s)| s);
        let slot = status
            .and_then(|s| PlanStatus::ALL.iter().position(|x| *x == s))
            .unwrap_or(PlanStatus::ALL.len());
        by_status[slot] += 1;
        let counts = c
            .plan
            .as_ref()
            .filter(|p| p.plan.is_some())
            .map(|p| p.counts)
            .unwrap_or_default();
        let percent = counts.percent();
        bars.push(PercentRow {
            unit_id: c.unit.id,
            label: c.unit.name.clone(),
            percent,
            note: activity_note(&counts),
        });
        rows.push(vec![
            Cell::Text(c.unit.name.clone()),
            Cell::Text(plan_label(c.plan.as_ref())),
            Cell::Count(u64::from(counts.total - counts.cancelled)),
            Cell::Count(u64::from(counts.done)),
            whole_percent(percent),
        ]);
    }
    let labels = PlanStatus::ALL
        .iter()
        .map(|s| s.label_th().to_string())
        .chain([NO_PLAN.to_string()]);
    let by_status = ReportTable::shares(
        format!("หน่วยงานย่อย จำแนกตามสถานะแผนการจัดการความรู้ — {scope}"),
        "สถานะแผน",
        labels.zip(by_status).collect(),
    );
    let table = ReportTable {
        title: format!("ร้อยละความสำเร็จของแผน รายหน่วยงาน — {scope}"),
        columns: vec![
            col("หน่วยงาน", ColumnKind::Label),
            col("สถานะแผน", ColumnKind::Label),
            col("กิจกรรม (ไม่รวมที่ยกเลิก)", ColumnKind::Count),
            col("ดำเนินการแล้ว", ColumnKind::Count),
            col("ร้อยละ", ColumnKind::Count),
        ],
        rows,
        total: None,
    };
    let empty = children
        .iter()
        .all(|c| c.plan.as_ref().is_none_or(|p| p.plan.is_none()));
    PlansBlock {
        by_status,
        bars,
        table,
        empty,
    }
}

fn activity_note(c: &ActivityCounts) -> String {
    format!("{} / {} กิจกรรม", c.done, c.total - c.cancelled)
}

fn level_text(l: u8) -> String {
    if l == 0 {
        "ยังไม่ถึงระดับ 1".into()
    } else {
        format!("ระดับ {l}")
    }
}

/// Block 5: children by confirmed level (0–5), and each child's confirmed and suggested level.
pub fn levels_block(scope: &str, own: Option<UnitLevel>, children: &[ChildRow]) -> LevelsBlock {
    let mut by_level = [0u64; 6];
    let mut rows = Vec::new();
    for c in children {
        let l = c.level.unwrap_or(UnitLevel {
            unit_id: c.unit.id,
            confirmed: 0,
            suggested: None,
        });
        by_level[usize::from(l.confirmed.min(5))] += 1;
        rows.push(vec![
            Cell::Text(c.unit.name.clone()),
            Cell::Count(u64::from(l.confirmed)),
            match l.suggested {
                Some(s) => Cell::Count(u64::from(s)),
                None => Cell::Text("–".into()),
            },
        ]);
    }
    let empty = own.is_none_or(|l| l.confirmed == 0 && l.suggested.is_none())
        && children.iter().all(|c| {
            c.level
                .is_none_or(|l| l.confirmed == 0 && l.suggested.is_none())
        });
    LevelsBlock {
        own: own.map(|l| l.confirmed).unwrap_or(0),
        by_level: ReportTable::shares(
            format!("หน่วยงานย่อย จำแนกตามระดับความสำเร็จที่ยืนยันแล้ว — {scope}"),
            "ระดับ",
            (0..=5u8).map(level_text).zip(by_level).collect(),
        ),
        table: ReportTable {
            title: format!("ระดับความสำเร็จ รายหน่วยงาน — {scope}"),
            columns: vec![
                col("หน่วยงาน", ColumnKind::Label),
                col("ระดับที่ยืนยันแล้ว", ColumnKind::Count),
                col("ระดับที่ข้อมูลชี้", ColumnKind::Count),
            ],
            rows,
            total: None,
        },
        empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PlanId;

    fn unit(id: i64, name: &str) -> UnitRef {
        UnitRef {
            id: UnitId(id),
            name: name.into(),
            depth: 1,
        }
    }

    fn count(unit: i64, status: &str, kind: &str, n: u64) -> ItemCount {
        ItemCount {
            unit_id: UnitId(unit),
            status: status.into(),
            knowledge_type: kind.into(),
            count: n,
        }
    }

    #[test]
    fn items_roll_up_to_children_and_split_published() {
        // 1 is the unit, 2 and 3 its children, 4 under 2; 9 is outside.
        let rollup: HashMap<_, _> = [
            (UnitId(1), None),
            (UnitId(2), Some(UnitId(2))),
            (UnitId(3), Some(UnitId(3))),
            (UnitId(4), Some(UnitId(2))),
        ]
        .into();
        let counts = vec![
            count(1, "draft", "tacit", 1),
            count(2, "published", "explicit", 2),
            count(4, "published", "explicit", 3),
            count(4, "submitted", "innovation", 4),
            count(9, "published", "explicit", 100),
        ];
        let terms = vec![
            TermCount {
                term: Some(TermId(7)),
                published: true,
                count: 5,
            },
            TermCount {
                term: None,
                published: false,
                count: 5,
            },
        ];
        let b = items_block(
            "s",
            &counts,
            &[(TermId(7), "หมวด ก".into()), (TermId(8), "หมวด ข".into())],
            &terms,
            &[unit(2, "ลูก 2"), unit(3, "ลูก 3")],
            &rollup,
            "ของหน่วยงานเอง",
        );
        assert_eq!((b.total, b.published), (10, 5));
        assert_eq!(b.by_child.grand_total(), 10);
        assert_eq!(b.by_child.rows.len(), 3);
        assert_eq!(
            b.by_child.rows[1],
            vec![
                Cell::Text("ลูก 2".into()),
                Cell::Count(5),
                Cell::Count(4),
                Cell::Count(9)
            ]
        );
        assert_eq!(b.by_status.grand_total(), 10);
        assert_eq!(b.by_type.grand_total(), 10);
        assert_eq!(
            b.by_category.rows.len(),
            3,
            "two terms and the uncategorised"
        );
        assert_eq!(b.by_category.rows[2][0], Cell::Text(NO_CATEGORY.into()));
        assert!(b.by_category.total.is_none());
    }

    #[test]
    fn plans_count_children_by_status_and_percent() {
        let child = |id: i64, plan: Option<PlanStatus>, done: u32| ChildRow {
            unit: unit(id, "ลูก"),
            items: 0,
            published: 0,
            target: None,
            plan: Some(PlanOverview {
                unit_id: UnitId(id),
                plan: plan.map(|s| (PlanId(id), s)),
                counts: ActivityCounts {
                    total: 4,
                    done,
                    in_progress: 0,
                    cancelled: 0,
                },
            }),
            level: None,
        };
        let b = plans_block(
            "s",
            &[
                child(1, Some(PlanStatus::Approved), 2),
                child(2, Some(PlanStatus::Approved), 4),
                child(3, None, 0),
            ],
        );
        assert!(!b.empty);
        assert_eq!(b.by_status.grand_total(), 3);
        assert_eq!(b.bars[0].percent, Some(50));
        assert_eq!(b.bars[1].percent, Some(100));
        assert_eq!(b.bars[2].percent, None, "no plan, no percentage");
        assert!(plans_block("s", &[]).empty);
    }

    #[test]
    fn targets_and_levels_are_empty_until_something_is_set() {
        let c = ChildRow {
            unit: unit(2, "ลูก"),
            items: 0,
            published: 0,
            target: None,
            plan: None,
            level: None,
        };
        let t = targets_block(
            "s",
            &unit(1, "แม่"),
            Progress::empty(UnitId(1)),
            std::slice::from_ref(&c),
        );
        assert!(t.empty);
        assert_eq!(t.bars[0].percent, None);
        let l = levels_block("s", None, &[c]);
        assert!(l.empty);
        assert_eq!(l.by_level.grand_total(), 1, "the child counts at level 0");
    }
}
