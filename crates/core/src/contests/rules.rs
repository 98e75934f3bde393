//! The pure rules of judging: weighted totals, declared tie-breaks, z-scores, conflicts.
//!
//! - A judge's sheet counts only when it is complete (a score on every criterion of the
//!   rubric): an incomplete sheet is shown to the organiser as "ยังให้คะแนนไม่ครบ" and left
//!   out of the entry's total.
//! - An entry's total is the mean of its complete sheets' weighted totals (0–100), over the
//!   judges not excluded from it (the caller passes only those sheets).
//! - Ranking per branch is by total, highest first; equal totals are ordered by the round's
//!   declared tie-breaks in order; what is still tied shares a rank and is flagged.
//! - The z-score of each judge's totals is shown beside the raw totals; it never ranks.

use super::model::{ConflictReason, Criterion, RoundLevel, TieBreak};
use crate::geo::{Gazetteer, ProvinceCode};
use crate::ids::{EntryId, UnitId, UserId};
use std::collections::BTreeMap;

/// Totals closer than this are equal (they are means of fractions of whole points).
const EPSILON: f64 = 1e-9;

/// One criterion's share of a sheet's total: points / max_points × weight.
pub fn weighted(c: &Criterion, points: u32) -> f64 {
    if c.max_points == 0 {
        return 0.0;
    }
    f64::from(points.min(c.max_points)) / f64::from(c.max_points) * f64::from(c.weight)
}

/// The weighted total (0–100) of one judge's sheet, or None while a criterion of the
/// rubric has no score (an incomplete sheet does not count).
pub fn sheet_total(rubric: &[Criterion], points: &BTreeMap<String, u32>) -> Option<f64> {
    let mut total = 0.0;
    for c in rubric {
        total += weighted(c, *points.get(&c.key)?);
    }
    Some(total)
}

/// One judge's points on one entry, by criterion key.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub judge: UserId,
    pub points: BTreeMap<String, u32>,
}

/// An entry of one branch with the sheets of the judges who may score it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntrySheets {
    pub entry: EntryId,
    /// For the explanations ("คะแนนรวมเท่ากับ <name>").
    pub name: String,
    pub sheets: Vec<Sheet>,
}

/// An entry's place in its branch, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub entry: EntryId,
    /// 1 = first; entries still tied share a rank (1, 2, 2, 4). None: no complete sheet yet.
    pub rank: Option<u32>,
    /// Mean of the complete sheets' totals; None: no complete sheet yet.
    pub total: Option<f64>,
    /// Mean of the judges' z-scores for this entry (beside the total, never ranking).
    pub z: Option<f64>,
    /// How many complete sheets the total is the mean of.
    pub complete_sheets: usize,
    /// Mean weighted score per criterion over the complete sheets.
    pub by_criterion: BTreeMap<String, f64>,
    /// Still tied with another entry after every declared tie-break ("ยังเสมอกัน").
    pub tied: bool,
    /// Why this rank, in Thai.
    pub reason: String,
}

/// The mean of the complete sheets' totals and per-criterion weighted scores.
fn entry_means(
    rubric: &[Criterion],
    e: &EntrySheets,
) -> (Option<f64>, usize, BTreeMap<String, f64>) {
    let complete: Vec<&Sheet> = e
        .sheets
        .iter()
        .filter(|s| sheet_total(rubric, &s.points).is_some())
        .collect();
    if complete.is_empty() {
        return (None, 0, BTreeMap::new());
    }
    let n = complete.len() as f64;
    let total = complete
        .iter()
        .filter_map(|s| sheet_total(rubric, &s.points))
        .sum::<f64>()
        / n;
    let by_criterion = rubric
        .iter()
        .map(|c| {
            let sum: f64 = complete
                .iter()
                .map(|s| weighted(c, s.points.get(&c.key).copied().unwrap_or(0)))
                .sum();
            (c.key.clone(), sum / n)
        })
        .collect();
    (Some(total), complete.len(), by_criterion)
}

/// Each judge's z-score per entry: (total − the judge's mean) / the judge's standard
/// deviation over the entries they completed; 0 when a judge gave everyone the same total or
/// scored one entry only. Returns the mean z per entry.
pub fn z_scores(rubric: &[Criterion], entries: &[EntrySheets]) -> BTreeMap<EntryId, f64> {
    let mut by_judge: BTreeMap<UserId, Vec<(EntryId, f64)>> = BTreeMap::new();
    for e in entries {
        for s in &e.sheets {
            if let Some(t) = sheet_total(rubric, &s.points) {
                by_judge.entry(s.judge).or_default().push((e.entry, t));
            }
        }
    }
    let mut per_entry: BTreeMap<EntryId, Vec<f64>> = BTreeMap::new();
    for totals in by_judge.values() {
        let n = totals.len() as f64;
        let mean = totals.iter().map(|(_, t)| t).sum::<f64>() / n;
        let var = totals.iter().map(|(_, t)| (t - mean).powi(2)).sum::<f64>() / n;
        let sd = var.sqrt();
        for (entry, t) in totals {
            let z = if sd < EPSILON { 0.0 } else { (t - mean) / sd };
            per_entry.entry(*entry).or_default().push(z);
        }
    }
    per_entry
        .into_iter()
        .map(|(e, zs)| (e, zs.iter().sum::<f64>() / zs.len() as f64))
        .collect()
}

fn same(a: f64, b: f64) -> bool {
    // Equal infinities (entries the chair has not ordered) are the same too.
    a == b || (a - b).abs() < EPSILON
}

/// "87.50"
pub fn fmt_total(t: f64) -> String {
    format!("{t:.2}")
}

/// Ranks one branch's entries. `chair_order` lists entries as the chair ordered them
/// (first = best); it only orders entries still tied when [`TieBreak::ChairDecision`] is
/// reached. Entries with no complete sheet come last, unranked.
pub fn rank(
    rubric: &[Criterion],
    tie_breaks: &[TieBreak],
    entries: &[EntrySheets],
    chair_order: &[EntryId],
) -> Vec<Ranked> {
    let z = z_scores(rubric, entries);
    let mut scored: Vec<Ranked> = Vec::new();
    let mut unscored: Vec<Ranked> = Vec::new();
    let names: BTreeMap<EntryId, &str> =
        entries.iter().map(|e| (e.entry, e.name.as_str())).collect();
    for e in entries {
        let (total, complete_sheets, by_criterion) = entry_means(rubric, e);
        let r = Ranked {
            entry: e.entry,
            rank: None,
            total,
            z: z.get(&e.entry).copied(),
            complete_sheets,
            by_criterion,
            tied: false,
            reason: String::new(),
        };
        if total.is_some() {
            scored.push(r);
        } else {
            unscored.push(Ranked {
                reason: "ยังไม่มีคะแนนครบทุกเกณฑ์จากกรรมการคนใด".into(),
                ..r
            });
        }
    }
    scored.sort_by(|a, b| {
        b.total
            .unwrap_or(0.0)
            .total_cmp(&a.total.unwrap_or(0.0))
            .then(a.entry.cmp(&b.entry))
    });

    // Groups of equal totals, each refined by the tie-breaks in order.
    let mut groups: Vec<Vec<Ranked>> = Vec::new();
    for r in scored {
        match groups.last_mut() {
            Some(g) if same(g[0].total.unwrap_or(0.0), r.total.unwrap_or(0.0)) => g.push(r),
            _ => groups.push(vec![r]),
        }
    }
    let mut out: Vec<Ranked> = Vec::new();
    for group in groups {
        let total = group[0].total.unwrap_or(0.0);
        if group.len() == 1 {
            let mut r = group.into_iter().next().expect("one");
            r.rank = Some(out.len() as u32 + 1);
            r.reason = format!("คะแนนรวม {}", fmt_total(total));
            out.push(r);
            continue;
        }
        let tied_names = |me: EntryId, members: &[Ranked]| -> String {
            members
                .iter()
                .filter(|m| m.entry != me)
                .map(|m| names.get(&m.entry).copied().unwrap_or("").to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut steps: BTreeMap<EntryId, Vec<String>> = group
            .iter()
            .map(|m| {
                (
                    m.entry,
                    vec![format!(
                        "คะแนนรวม {} เท่ากับ {}",
                        fmt_total(total),
                        tied_names(m.entry, &group)
                    )],
                )
            })
            .collect();
        let mut parts: Vec<Vec<Ranked>> = vec![group];
        for rule in tie_breaks {
            let mut next: Vec<Vec<Ranked>> = Vec::new();
            for part in parts {
                if part.len() < 2 {
                    next.push(part);
                    continue;
                }
                let split = match rule {
                    TieBreak::Criterion(key) => {
                        split_by(part, |r| r.by_criterion.get(key).copied().unwrap_or(0.0))
                    }
                    TieBreak::ChairDecision => split_by(part, |r| {
                        chair_order
                            .iter()
                            .position(|e| *e == r.entry)
                            .map(|p| -(p as f64))
                            .unwrap_or(f64::NEG_INFINITY)
                    }),
                };
                if split.len() > 1 {
                    let criterion_name = match rule {
                        TieBreak::Criterion(key) => rubric
                            .iter()
                            .find(|c| &c.key == key)
                            .map(|c| c.name.clone())
                            .unwrap_or_else(|| key.clone()),
                        TieBreak::ChairDecision => String::new(),
                    };
                    for (i, sub) in split.iter().enumerate() {
                        for m in sub {
                            let step = match rule {
                                TieBreak::Criterion(key) => {
                                    let mine = m.by_criterion.get(key).copied().unwrap_or(0.0);
                                    let others = split
                                        .iter()
                                        .enumerate()
                                        .filter(|(j, _)| *j != i)
                                        .map(|(_, s)| {
                                            format!(
                                                "{:.1}",
                                                s[0].by_criterion.get(key).copied().unwrap_or(0.0)
                                            )
                                        })
                                        .collect::<Vec<_>>()
                                        .join(" / ");
                                    format!(
                                        "ตัดสินด้วยคะแนนเกณฑ์ '{criterion_name}' {mine:.1} ต่อ {others}"
                                    )
                                }
                                TieBreak::ChairDecision => "ประธานกรรมการตัดสิน".to_string(),
                            };
                            steps.entry(m.entry).or_default().push(step);
                        }
                    }
                }
                next.extend(split);
            }
            parts = next;
        }
        for part in parts {
            let still_tied = part.len() > 1;
            // Competition ranks: what is still tied shares the rank of its first place.
            let place = out.len() as u32 + 1;
            for mut m in part {
                m.rank = Some(place);
                let mut s = steps.remove(&m.entry).unwrap_or_default();
                if still_tied {
                    s.push(if tie_breaks.contains(&TieBreak::ChairDecision) {
                        "ยังเสมอกัน รอประธานกรรมการจัดลำดับ".to_string()
                    } else {
                        "ยังเสมอกัน".to_string()
                    });
                }
                m.tied = still_tied;
                m.reason = s.join("; ");
                out.push(m);
            }
        }
    }
    out.extend(unscored);
    out
}

/// Splits a part into sub-parts by a key, highest first; equal keys stay together.
fn split_by(mut part: Vec<Ranked>, key: impl Fn(&Ranked) -> f64) -> Vec<Vec<Ranked>> {
    part.sort_by(|a, b| key(b).total_cmp(&key(a)).then(a.entry.cmp(&b.entry)));
    let mut out: Vec<Vec<Ranked>> = Vec::new();
    for r in part {
        match out.last_mut() {
            Some(g) if same(key(&g[0]), key(&r)) => g.push(r),
            _ => out.push(vec![r]),
        }
    }
    out
}

/// Which entries go on to the next round: the first `advance` places. Err with the tied
/// entries when a tie still undecided straddles the last advancing place (the organiser must
/// settle it, with the chair's order, before publishing), or when an entry has no score yet.
pub fn advancing(ranked: &[Ranked], advance: u32) -> Result<Vec<EntryId>, Vec<EntryId>> {
    let unscored: Vec<EntryId> = ranked
        .iter()
        .filter(|r| r.rank.is_none())
        .map(|r| r.entry)
        .collect();
    if !unscored.is_empty() {
        return Err(unscored);
    }
    let advance = advance as usize;
    if advance == 0 || ranked.len() <= advance {
        return Ok(ranked.iter().take(advance).map(|r| r.entry).collect());
    }
    // The entry just outside shares a rank with one inside: undecided.
    let last_in = ranked[advance - 1].rank;
    let first_out = ranked[advance].rank;
    if last_in == first_out {
        return Err(ranked
            .iter()
            .filter(|r| r.rank == last_in)
            .map(|r| r.entry)
            .collect());
    }
    Ok(ranked[..advance].iter().map(|r| r.entry).collect())
}

/// Why a judge may not score an entry, decided from where both come from; None: no
/// automatic conflict.
///
/// - The same unit: always a conflict.
/// - The same province: only at health-zone, region and national rounds.
/// - The same health zone: only at region and national rounds.
///
/// A province-level round's judges all come from that province (and a zone round's from
/// that zone), so excluding by province there (or by zone at zone level) would exclude every
/// judge from every entry: those rounds exclude by unit only at the level they cover.
pub fn automatic_conflict(
    level: RoundLevel,
    judge_unit: UnitId,
    judge_province: Option<ProvinceCode>,
    entry_unit: UnitId,
    entry_province: Option<ProvinceCode>,
) -> Option<ConflictReason> {
    if judge_unit == entry_unit {
        return Some(ConflictReason::SameUnit);
    }
    let (Some(jp), Some(ep)) = (judge_province, entry_province) else {
        return None;
    };
    let above_province = matches!(
        level,
        RoundLevel::HealthZone | RoundLevel::Region | RoundLevel::National
    );
    if above_province && jp == ep {
        return Some(ConflictReason::SameProvince);
    }
    let above_zone = matches!(level, RoundLevel::Region | RoundLevel::National);
    if above_zone {
        let g = Gazetteer::get();
        if let (Some(a), Some(b)) = (g.province(jp), g.province(ep))
            && a.health_zone == b.health_zone
        {
            return Some(ConflictReason::SameHealthZone);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crit(key: &str, name: &str, weight: u32, max: u32) -> Criterion {
        Criterion {
            key: key.into(),
            name: name.into(),
            weight,
            max_points: max,
            levels: vec![],
        }
    }

    fn rubric() -> Vec<Criterion> {
        vec![
            crit("work", "ผลงาน", 40, 10),
            crit("result", "ผลลัพธ์", 30, 10),
            crit("spread", "การขยายผล", 30, 5),
        ]
    }

    fn sheet(judge: i64, pts: &[(&str, u32)]) -> Sheet {
        Sheet {
            judge: UserId(judge),
            points: pts.iter().map(|(k, p)| (k.to_string(), *p)).collect(),
        }
    }

    fn entry(id: i64, sheets: Vec<Sheet>) -> EntrySheets {
        EntrySheets {
            entry: EntryId(id),
            name: format!("ผู้สมัคร {id}"),
            sheets,
        }
    }

    fn p(code: &str) -> Option<ProvinceCode> {
        Some(ProvinceCode::parse(code).unwrap())
    }

    #[test]
    fn weighted_total_of_a_sheet() {
        let r = rubric();
        let s = sheet(1, &[("work", 10), ("result", 5), ("spread", 5)]);
        // 40 + 15 + 30
        assert!((sheet_total(&r, &s.points).unwrap() - 85.0).abs() < 1e-9);
        let s = sheet(1, &[("work", 0), ("result", 0), ("spread", 0)]);
        assert_eq!(sheet_total(&r, &s.points), Some(0.0));
    }

    #[test]
    fn an_incomplete_sheet_has_no_total_and_does_not_count() {
        let r = rubric();
        let half = sheet(2, &[("work", 10)]);
        assert_eq!(sheet_total(&r, &half.points), None);
        let full = sheet(1, &[("work", 5), ("result", 5), ("spread", 5)]);
        let ranked = rank(&r, &[], &[entry(1, vec![full, half])], &[]);
        assert_eq!(ranked[0].complete_sheets, 1);
        assert!((ranked[0].total.unwrap() - 65.0).abs() < 1e-9);
    }

    #[test]
    fn total_is_the_mean_of_judges() {
        let r = rubric();
        let e = entry(
            1,
            vec![
                sheet(1, &[("work", 10), ("result", 10), ("spread", 5)]),
                sheet(2, &[("work", 5), ("result", 10), ("spread", 5)]),
            ],
        );
        let ranked = rank(&r, &[], &[e], &[]);
        assert!((ranked[0].total.unwrap() - 90.0).abs() < 1e-9);
        assert_eq!(ranked[0].rank, Some(1));
        assert_eq!(ranked[0].reason, "คะแนนรวม 90.00");
    }

    #[test]
    fn ranks_by_total_and_leaves_unscored_last() {
        let r = rubric();
        let entries = vec![
            entry(
                1,
                vec![sheet(1, &[("work", 5), ("result", 5), ("spread", 5)])],
            ),
            entry(
                2,
                vec![sheet(1, &[("work", 10), ("result", 5), ("spread", 5)])],
            ),
            entry(3, vec![sheet(1, &[("work", 10)])]),
        ];
        let ranked = rank(&r, &[], &entries, &[]);
        let order: Vec<_> = ranked.iter().map(|r| (r.entry.0, r.rank)).collect();
        assert_eq!(order, vec![(2, Some(1)), (1, Some(2)), (3, None)]);
        assert!(
            advancing(&ranked, 1).is_err(),
            "an unscored entry blocks publishing"
        );
    }

    #[test]
    fn a_tie_is_broken_by_the_declared_criterion() {
        let r = rubric();
        // Both 70: entry 1 is stronger on ผลลัพธ์.
        let entries = vec![
            entry(
                1,
                vec![sheet(1, &[("work", 10), ("result", 10), ("spread", 0)])],
            ),
            entry(
                2,
                vec![sheet(1, &[("work", 10), ("result", 0), ("spread", 5)])],
            ),
        ];
        let tb = vec![
            TieBreak::Criterion("result".into()),
            TieBreak::ChairDecision,
        ];
        let ranked = rank(&r, &tb, &entries, &[]);
        assert_eq!(ranked[0].entry, EntryId(1));
        assert_eq!(ranked[0].rank, Some(1));
        assert_eq!(ranked[1].rank, Some(2));
        assert!(!ranked[0].tied && !ranked[1].tied);
        assert!(
            ranked[0]
                .reason
                .contains("ตัดสินด้วยคะแนนเกณฑ์ 'ผลลัพธ์' 30.0 ต่อ 0.0"),
            "{}",
            ranked[0].reason
        );
        assert!(ranked[0].reason.contains("เท่ากับ ผู้สมัคร 2"));
        assert_eq!(advancing(&ranked, 1), Ok(vec![EntryId(1)]));
    }

    #[test]
    fn what_the_rules_cannot_split_is_left_for_the_chair_then_ordered() {
        let r = rubric();
        let same = &[("work", 5), ("result", 5), ("spread", 5)];
        let entries = vec![
            entry(1, vec![sheet(1, same)]),
            entry(2, vec![sheet(1, same)]),
            entry(
                3,
                vec![sheet(1, &[("work", 0), ("result", 0), ("spread", 0)])],
            ),
        ];
        let tb = vec![
            TieBreak::Criterion("result".into()),
            TieBreak::ChairDecision,
        ];
        let ranked = rank(&r, &tb, &entries, &[]);
        assert!(ranked[0].tied && ranked[1].tied);
        assert_eq!(ranked[0].rank, Some(1));
        assert_eq!(ranked[1].rank, Some(1));
        assert_eq!(ranked[2].rank, Some(3));
        assert!(ranked[0].reason.contains("ยังเสมอกัน"));
        assert_eq!(
            advancing(&ranked, 1),
            Err(vec![EntryId(1), EntryId(2)]),
            "the tie decides who advances"
        );
        // Two advance: the tie does not matter.
        assert_eq!(advancing(&ranked, 2).unwrap().len(), 2);

        let ranked = rank(&r, &tb, &entries, &[EntryId(2), EntryId(1)]);
        assert_eq!(ranked[0].entry, EntryId(2));
        assert_eq!(ranked[0].rank, Some(1));
        assert_eq!(ranked[1].rank, Some(2));
        assert!(!ranked[0].tied);
        assert!(ranked[0].reason.contains("ประธานกรรมการตัดสิน"));
        assert_eq!(advancing(&ranked, 1), Ok(vec![EntryId(2)]));
    }

    #[test]
    fn without_a_chair_rule_a_tie_stays_tied() {
        let r = rubric();
        let same = &[("work", 5), ("result", 5), ("spread", 5)];
        let entries = vec![
            entry(1, vec![sheet(1, same)]),
            entry(2, vec![sheet(1, same)]),
        ];
        let ranked = rank(&r, &[], &entries, &[EntryId(2), EntryId(1)]);
        assert!(ranked.iter().all(|r| r.tied && r.rank == Some(1)));
        assert!(ranked[0].reason.ends_with("ยังเสมอกัน"));
    }

    #[test]
    fn three_way_tie_partly_split() {
        let r = rubric();
        let entries = vec![
            entry(
                1,
                vec![sheet(1, &[("work", 10), ("result", 10), ("spread", 0)])],
            ),
            entry(
                2,
                vec![sheet(1, &[("work", 10), ("result", 0), ("spread", 5)])],
            ),
            entry(
                3,
                vec![sheet(1, &[("work", 10), ("result", 0), ("spread", 5)])],
            ),
        ];
        let tb = vec![TieBreak::Criterion("result".into())];
        let ranked = rank(&r, &tb, &entries, &[]);
        let ranks: Vec<_> = ranked.iter().map(|r| (r.entry.0, r.rank, r.tied)).collect();
        assert_eq!(
            ranks,
            vec![(1, Some(1), false), (2, Some(2), true), (3, Some(2), true)]
        );
        assert_eq!(advancing(&ranked, 1), Ok(vec![EntryId(1)]));
        assert!(advancing(&ranked, 2).is_err());
        assert_eq!(advancing(&ranked, 3).unwrap().len(), 3);
    }

    #[test]
    fn z_scores_put_a_harsh_and_a_lenient_judge_on_one_scale() {
        let r = vec![crit("a", "ก", 100, 100)];
        let s = |j, pts| sheet(j, &[("a", pts)]);
        let entries = vec![
            entry(1, vec![s(1, 90), s(2, 30)]),
            entry(2, vec![s(1, 80), s(2, 20)]),
        ];
        let z = z_scores(&r, &entries);
        assert!((z[&EntryId(1)] - 1.0).abs() < 1e-9);
        assert!((z[&EntryId(2)] + 1.0).abs() < 1e-9);
        // One entry only: no spread, z = 0.
        let z = z_scores(&r, &entries[..1]);
        assert_eq!(z[&EntryId(1)], 0.0);
    }

    #[test]
    fn conflicts_by_unit_province_and_zone() {
        use RoundLevel::*;
        let (u1, u2) = (UnitId(1), UnitId(2));
        // ขอนแก่น 40 and กาฬสินธุ์ 46: health zone 7; อุดรธานี 41: zone 8.
        assert_eq!(
            automatic_conflict(Province, u1, p("40"), u1, p("40")),
            Some(ConflictReason::SameUnit)
        );
        assert_eq!(automatic_conflict(Province, u1, p("40"), u2, p("40")), None);
        assert_eq!(
            automatic_conflict(HealthZone, u1, p("40"), u2, p("40")),
            Some(ConflictReason::SameProvince)
        );
        assert_eq!(
            automatic_conflict(HealthZone, u1, p("40"), u2, p("46")),
            None
        );
        assert_eq!(
            automatic_conflict(Region, u1, p("40"), u2, p("46")),
            Some(ConflictReason::SameHealthZone)
        );
        assert_eq!(
            automatic_conflict(National, u1, p("40"), u2, p("40")),
            Some(ConflictReason::SameProvince)
        );
        assert_eq!(automatic_conflict(Region, u1, p("40"), u2, p("41")), None);
        assert_eq!(automatic_conflict(National, u1, None, u2, p("41")), None);
        assert_eq!(automatic_conflict(Unit, u1, p("40"), u2, p("40")), None);
    }

    #[test]
    fn points_above_max_count_as_max_in_the_pure_rule() {
        let c = crit("a", "ก", 50, 10);
        assert_eq!(weighted(&c, 20), 50.0);
        assert_eq!(weighted(&crit("a", "ก", 50, 0), 3), 0.0);
    }
}
