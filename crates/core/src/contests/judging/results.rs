//! Ranking, the chair's order, publishing and certificates: what happens to a round once the
//! sheets are in. Apart from [`super`] (judges and their scoring) because it reads every sheet
//! of a round at once and decides who advances, where the rest acts on one sheet at a time.

use super::{EarlierScores, JudgeView, refuse, sheets_of};
use crate::contests::model::{Entrant, Entry, ResultRow, Round, RoundStatus, SheetState, TieBreak};
use crate::contests::rules::{self, EntrySheets, Ranked, Sheet};
use crate::error::{DomainError, DomainResult};
use crate::geo::Gazetteer;
use crate::ids::{EntryId, RoundId, TermId};
use crate::org::Actor;
use crate::service::Khlang;
use std::collections::{BTreeMap, BTreeSet};

/// One judge's sheet of one entry as the ranking shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SheetCell {
    /// The judge may not score the entry (automatic or declared conflict).
    Excluded,
    /// Not every criterion scored yet: does not count.
    Incomplete,
    /// The sheet's weighted total.
    Total(f64),
}

/// One row of a branch's ranking or result sheet.
#[derive(Debug, Clone)]
pub struct RankRow {
    pub ranked: Ranked,
    pub entry: Entry,
    /// The name and province as the public may see them.
    pub public_name: String,
    pub province_name: Option<String>,
    /// Each of the branch's judges' sheet for this entry.
    pub sheets: Vec<SheetCell>,
    /// Each judge's points per criterion of the rubric, [judge][criterion] (None: excluded
    /// or not scored).
    pub points: Vec<Vec<Option<u32>>>,
    pub advanced: bool,
    pub earlier: Option<EarlierScores>,
    /// Verification codes of the certificates issued for this entry and not revoked.
    pub certificates: Vec<String>,
}

/// One branch of the ranking or result sheet.
#[derive(Debug, Clone)]
pub struct BranchRanking {
    pub branch: TermId,
    pub name: String,
    /// Column headings: judges by name (organiser) or "กรรมการ 1" (public).
    pub judges: Vec<String>,
    pub rows: Vec<RankRow>,
    /// Entries whose undecided tie (or missing score) keeps the round from being published.
    pub undecided: Vec<EntryId>,
    /// The chair's current order of tied entries (first = best).
    pub chair: Vec<EntryId>,
    /// Sheets complete out of sheets expected (judge × entry, excluding conflicts).
    pub sheets_done: u64,
    pub sheets_expected: u64,
}

/// The organiser's ranking page, or the public result sheet.
#[derive(Debug, Clone)]
pub struct RankingView {
    pub round: Round,
    pub contest_title: String,
    pub branches: Vec<BranchRanking>,
    pub published: bool,
    /// There is a chair's decision among the declared tie-breaks.
    pub chair_rule: bool,
}

impl Khlang {
    /// Ranks every branch of a round from the current scores. `public`: judges numbered.
    async fn jdg_rank(&self, round: &Round, public: bool) -> DomainResult<Vec<BranchRanking>> {
        let (rounds, judging) = self.jdg_ports()?;
        let judges = judging.round_judges(round.id).await?;
        let declared = judging.round_conflicts(round.id).await?;
        let views = self.jdg_judge_views(&judges).await?;
        let results = judging.round_results(round.id).await?;
        let mut out = Vec::new();
        for (branch, name) in self.jdg_branches(round).await? {
            let bjudges: Vec<&JudgeView> =
                views.iter().filter(|v| v.judge.branch == branch).collect();
            let entries = rounds.round_entries(round.id, branch).await?;
            let scores = judging.branch_scores(round.id, branch).await?;
            let mut sheets_expected = 0;
            let mut sheets_done = 0;
            let mut per_entry: Vec<EntrySheets> = Vec::new();
            let mut cells: BTreeMap<EntryId, Vec<SheetCell>> = BTreeMap::new();
            let mut public_names: BTreeMap<EntryId, (String, Option<String>)> = BTreeMap::new();
            let mut by_sheet = sheets_of(scores);
            // Persons' public names in one look-up; a merged person (whose public id is the
            // one kept) falls back to a look-up of its own below.
            let persons: Vec<crate::ids::PersonId> = entries
                .iter()
                .filter_map(|e| match e.entrant {
                    Entrant::Person(p) => Some(p),
                    Entrant::Office(_) => None,
                })
                .collect();
            let known: BTreeMap<crate::ids::PersonId, (String, Option<String>)> =
                if persons.is_empty() || self.people.is_none() {
                    BTreeMap::new()
                } else {
                    self.people_public(&persons)
                        .await?
                        .into_iter()
                        .map(|p| (p.id, (p.name, p.province_name)))
                        .collect()
                };
            for e in &entries {
                let mut sheets = Vec::new();
                let mut row = Vec::new();
                for j in &bjudges {
                    if Self::jdg_conflict(round, &j.judge, e, &declared).is_some() {
                        row.push(SheetCell::Excluded);
                        continue;
                    }
                    sheets_expected += 1;
                    let points = by_sheet
                        .remove(&(e.id, j.judge.user_id))
                        .unwrap_or_default();
                    let total = rules::sheet_total(&round.settings.rubric, &points);
                    if total.is_some() {
                        sheets_done += 1;
                    }
                    row.push(total.map_or(SheetCell::Incomplete, SheetCell::Total));
                    sheets.push(Sheet {
                        judge: j.judge.user_id,
                        points,
                    });
                }
                cells.insert(e.id, row);
                // Reasons name the other tied entries: by the name the public may see.
                let public = match e.entrant {
                    Entrant::Person(p) if known.contains_key(&p) => known[&p].clone(),
                    _ => self.jdg_public_name(e).await?,
                };
                per_entry.push(EntrySheets {
                    entry: e.id,
                    name: public.0.clone(),
                    sheets,
                });
                public_names.insert(e.id, public);
            }
            let chair = judging.chair_order(round.id, branch).await?;
            let ranked = rules::rank(
                &round.settings.rubric,
                &round.settings.tie_breaks,
                &per_entry,
                &chair,
            );
            let advancing = rules::advancing(&ranked, round.settings.advance_per_branch);
            let (advancing, undecided) = match advancing {
                Ok(a) => (a, Vec::new()),
                Err(u) => (Vec::new(), u),
            };
            let mut rows = Vec::new();
            for r in ranked {
                let Some(entry) = entries.iter().find(|e| e.id == r.entry).cloned() else {
                    continue;
                };
                let (public_name, province_name) =
                    public_names.remove(&entry.id).unwrap_or_default();
                let frozen = results.iter().find(|x| x.entry_id == entry.id);
                let certificates =
                    if round.status == RoundStatus::Published && self.certificates.is_some() {
                        self.certificates_of_source(&format!("contest_entry:{}", entry.id))
                            .await?
                            .into_iter()
                            .filter(|c| c.revoked.is_none())
                            .map(|c| c.code)
                            .collect()
                    } else {
                        Vec::new()
                    };
                let sheets_of_entry = per_entry
                    .iter()
                    .find(|x| x.entry == entry.id)
                    .map(|x| x.sheets.as_slice())
                    .unwrap_or_default();
                let points = bjudges
                    .iter()
                    .map(|j| {
                        let sheet = sheets_of_entry.iter().find(|x| x.judge == j.judge.user_id);
                        round
                            .settings
                            .rubric
                            .iter()
                            .map(|c| sheet.and_then(|x| x.points.get(&c.key).copied()))
                            .collect()
                    })
                    .collect();
                rows.push(RankRow {
                    points,
                    certificates,
                    advanced: frozen.map_or(advancing.contains(&r.entry), |f| f.advanced),
                    sheets: cells.remove(&r.entry).unwrap_or_default(),
                    earlier: self.jdg_earlier(&entry).await?,
                    ranked: r,
                    entry,
                    public_name,
                    province_name,
                });
            }
            // A published sheet shows the frozen rank and reason.
            for row in &mut rows {
                if let Some(f) = results.iter().find(|x| x.entry_id == row.entry.id) {
                    row.ranked.rank = Some(f.rank);
                    row.ranked.total = Some(f.total);
                    row.ranked.reason = f.reason.clone();
                }
            }
            if !results.is_empty() {
                rows.sort_by_key(|r| r.ranked.rank.unwrap_or(u32::MAX));
            }
            out.push(BranchRanking {
                branch,
                name,
                judges: bjudges
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        if public {
                            format!("กรรมการ {}", i + 1)
                        } else if v.judge.chair {
                            format!("{} (ประธาน)", v.name)
                        } else {
                            v.name.clone()
                        }
                    })
                    .collect(),
                rows,
                undecided,
                chair,
                sheets_done,
                sheets_expected,
            });
        }
        Ok(out)
    }

    /// The name and province anyone may see: a person's through the people register's
    /// public view (consent decides the province), an office's own name and province.
    async fn jdg_public_name(&self, entry: &Entry) -> DomainResult<(String, Option<String>)> {
        match entry.entrant {
            Entrant::Person(p) if self.people.is_some() => {
                match self.people_public(&[p]).await?.into_iter().next() {
                    Some(pp) => Ok((pp.name, pp.province_name)),
                    None => Ok((entry.name.clone(), None)),
                }
            }
            Entrant::Person(_) => Ok((entry.name.clone(), None)),
            Entrant::Office(_) => Ok((
                entry.name.clone(),
                entry.province.map(|p| Gazetteer::get().province_name(p)),
            )),
        }
    }

    async fn jdg_view(&self, round: Round, public: bool) -> DomainResult<RankingView> {
        let (rounds, _) = self.jdg_ports()?;
        let contest_title = rounds.get_contest(round.contest_id).await?.title;
        Ok(RankingView {
            branches: self.jdg_rank(&round, public).await?,
            published: round.status == RoundStatus::Published,
            chair_rule: round.settings.tie_breaks.contains(&TieBreak::ChairDecision),
            contest_title,
            round,
        })
    }

    /// The organiser's ranking: raw and z-score totals, ties flagged, progress.
    pub async fn round_ranking(&self, actor: &Actor, round: RoundId) -> DomainResult<RankingView> {
        let round = self.jdg_organised_round(actor, round).await?;
        self.jdg_view(round, false).await
    }

    /// The public result sheet, once published (NotFound before).
    pub async fn round_results(&self, round: RoundId) -> DomainResult<RankingView> {
        let (rounds, _) = self.jdg_ports()?;
        let round = rounds.get_round(round).await?;
        if round.status != RoundStatus::Published {
            return Err(DomainError::NotFound);
        }
        self.jdg_view(round, true).await
    }

    /// The chair's order of entries still tied in a branch (first = best), while judging.
    pub async fn set_chair_order(
        &self,
        actor: &Actor,
        round: RoundId,
        branch: TermId,
        order: &[EntryId],
    ) -> DomainResult<()> {
        let round = self.jdg_organised_round(actor, round).await?;
        if round.status != RoundStatus::Judging {
            return Err(DomainError::Conflict("จัดลำดับได้เฉพาะระหว่างการพิจารณา".into()));
        }
        if !round.settings.branches.contains(&branch) {
            return Err(refuse("branch", "สาขานี้ไม่อยู่ในรอบนี้"));
        }
        let entries: BTreeSet<EntryId> = self
            .jdg_ports()?
            .0
            .round_entries(round.id, branch)
            .await?
            .into_iter()
            .map(|e| e.id)
            .collect();
        let mut seen = BTreeSet::new();
        if order
            .iter()
            .any(|e| !entries.contains(e) || !seen.insert(*e))
        {
            return Err(refuse("order", "ลำดับมีผลงานที่ไม่อยู่ในสาขานี้หรือซ้ำกัน"));
        }
        self.jdg_ports()?
            .1
            .set_chair_order(round.id, branch, order)
            .await?;
        self.audit(
            actor.user_id(),
            "contest.chair_order",
            format!("round:{}", round.id),
            format!(
                "branch:{branch} {}",
                order
                    .iter()
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        )
        .await
    }

    /// Publishes a judging round's results: freezes the result sheet and copies the top
    /// `advance_per_branch` entries of every branch into the next round (same documents, no
    /// new bytes). Refused while a tie still decides who advances, or an entry has no score.
    pub async fn publish_results(&self, actor: &Actor, round: RoundId) -> DomainResult<()> {
        let round = self.jdg_organised_round(actor, round).await?;
        if round.status != RoundStatus::Judging {
            return Err(DomainError::Conflict(
                "ประกาศผลได้เมื่อรอบอยู่ในช่วงพิจารณาเท่านั้น".into(),
            ));
        }
        let (rounds, judging) = self.jdg_ports()?;
        let branches = self.jdg_rank(&round, false).await?;
        let now = self.clock.now();
        let mut results = Vec::new();
        let mut advancing = Vec::new();
        for b in &branches {
            if !b.undecided.is_empty() {
                let names: Vec<String> = b
                    .rows
                    .iter()
                    .filter(|r| b.undecided.contains(&r.entry.id))
                    .map(|r| r.entry.name.clone())
                    .collect();
                return Err(DomainError::Conflict(format!(
                    "สาขา{} ยังตัดสินไม่ได้ว่าใครได้ไปต่อ ({}) กรุณาให้คะแนนให้ครบหรือให้ประธานกรรมการจัดลำดับก่อนประกาศผล",
                    b.name,
                    names.join(", ")
                )));
            }
            for r in &b.rows {
                if r.advanced {
                    advancing.push(r.entry.id);
                }
                results.push(ResultRow {
                    entry_id: r.entry.id,
                    round_id: round.id,
                    branch: b.branch,
                    rank: r.ranked.rank.unwrap_or(0),
                    total: r.ranked.total.unwrap_or(0.0),
                    reason: r.ranked.reason.clone(),
                    advanced: r.advanced && round.next_round.is_some(),
                    published_at: now,
                });
            }
        }
        // Winners first: copying is idempotent, so if anything below fails the round stays in
        // judging and publishing again finishes the job without a second copy.
        if let Some(next) = round.next_round {
            for e in advancing {
                rounds.copy_entry_into(e, next, now).await?;
            }
        }
        judging
            .insert_results(round.id, &results, now)
            .await
            .map_err(|e| match e {
                crate::error::PortError::Conflict(_) => {
                    DomainError::Conflict("รอบนี้ประกาศผลไปแล้ว".into())
                }
                other => other.into(),
            })?;
        self.audit(
            actor.user_id(),
            "contest.results_published",
            format!("round:{}", round.id),
            format!("{} entries", results.len()),
        )
        .await
    }

    /// Issues certificates after publication: winners (advanced, or ranks 1–3) and
    /// participants, the holder being the entry's name. Entries that already hold a
    /// certificate (not revoked) are skipped, so the button may be pressed again safely.
    pub async fn issue_round_certificates(
        &self,
        actor: &Actor,
        round: RoundId,
    ) -> DomainResult<usize> {
        let round = self.jdg_organised_round(actor, round).await?;
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        if round.status != RoundStatus::Published {
            return Err(DomainError::Conflict(
                "ออกเกียรติบัตรได้หลังประกาศผลแล้วเท่านั้น".into(),
            ));
        }
        let (rounds, judging) = self.jdg_ports()?;
        let contest = rounds.get_contest(round.contest_id).await?;
        let names = self.jdg_branches(&round).await?;
        let mut batch = Vec::new();
        for r in judging.round_results(round.id).await? {
            let entry = rounds.get_entry(r.entry_id).await?;
            let source = format!("contest_entry:{}", entry.id);
            // Pressing the button again issues only what is missing (or was revoked).
            if self
                .certificates_of_source(&source)
                .await?
                .iter()
                .any(|c| c.revoked.is_none())
            {
                continue;
            }
            let branch = names
                .iter()
                .find(|(b, _)| *b == r.branch)
                .map(|(_, n)| n.as_str())
                .unwrap_or("");
            let what = if r.advanced || (1..=3).contains(&r.rank) {
                match r.rank {
                    1 => "รางวัลชนะเลิศ".to_string(),
                    2 => "รางวัลรองชนะเลิศอันดับ 1".to_string(),
                    3 => "รางวัลรองชนะเลิศอันดับ 2".to_string(),
                    n => format!("ผ่านการคัดเลือก ลำดับที่ {n}"),
                }
            } else {
                "ผู้เข้าร่วมการคัดเลือก".to_string()
            };
            batch.push(crate::certificates::NewCertificate {
                holder: entry.name.clone(),
                title: format!("{what} สาขา{branch} {} {}", contest.title, round.title),
                unit_id: round.unit_id,
                source,
                holder_user: None,
            });
        }
        let n = batch.len();
        self.issue_certificates(me, batch).await?;
        self.audit(
            Some(me),
            "contest.certificates_issued",
            format!("round:{}", round.id),
            format!("{n}"),
        )
        .await?;
        Ok(n)
    }

    /// Sheet versions of a round (for tests and the organiser's progress).
    pub async fn round_sheet_states(
        &self,
        actor: &Actor,
        round: RoundId,
    ) -> DomainResult<Vec<SheetState>> {
        let round = self.jdg_organised_round(actor, round).await?;
        Ok(self.jdg_ports()?.1.round_sheets(round.id).await?)
    }
}
