//! Judges, scores, conflicts, ranking, results and promotion (use-cases over
//! [`super::JudgingStore`]).
//!
//! - Organisers (RunContest on the round's organising unit) assign judges per branch before
//!   judging starts, see declared conflicts and scoring progress, order what remains tied,
//!   publish results (which promotes the top entries into the next round) and issue
//!   certificates.
//! - Judges act by assignment only: they see and score the entries of their branches in rounds
//!   under judging, never an entry they are excluded from (automatically or by declaration).

use super::model::{
    ConflictReason, DeclaredConflict, Entrant, Entry, EntryDocument, Judge, ResultRow, Round,
    RoundStatus, Score, SheetState,
};
use super::rules::{self, EntrySheets, Ranked, Sheet};
use super::{JudgingStore, RoundStore};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::geo::{Gazetteer, ProvinceCode};
use crate::ids::{EntryId, RoundId, TermId, UserId};
use crate::org::{Action, Actor, Target, authorize};
use crate::service::Khlang;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The message for a sheet someone else saved first.
pub const STALE_SHEET: &str = "มีการบันทึกคะแนนนี้จากที่อื่นก่อนหน้า กรุณาโหลดหน้าใหม่แล้วลองอีกครั้ง";

/// Entries per page of a judge's worklist.
pub const WORK_PER_PAGE: u64 = 50;

/// A judge with the name the organiser sees.
#[derive(Debug, Clone)]
pub struct JudgeView {
    pub judge: Judge,
    pub name: String,
    pub username: String,
    pub province_name: Option<String>,
}

/// A declared conflict with names, for the organiser.
#[derive(Debug, Clone)]
pub struct ConflictView {
    pub conflict: DeclaredConflict,
    pub entry_name: String,
    pub judge_name: String,
}

/// The organiser's judges page.
#[derive(Debug, Clone)]
pub struct JudgesPage {
    pub round: Round,
    /// (branch, its name)
    pub branches: Vec<(TermId, String)>,
    pub judges: Vec<JudgeView>,
    pub conflicts: Vec<ConflictView>,
    /// Judges may still be changed (the round is not judging yet).
    pub editable: bool,
    /// Accounts of the organising unit and below, to pick a judge from: (username, name).
    pub members: Vec<(String, String)>,
}

/// What the organiser types to assign a judge.
#[derive(Debug, Clone, Default)]
pub struct JudgeInput {
    pub username: String,
    pub branch: String,
    pub province: String,
    pub chair: bool,
}

/// One round in a judge's "my judging" list.
#[derive(Debug, Clone)]
pub struct MyRound {
    pub round: Round,
    pub branches: Vec<(TermId, String)>,
    /// Entries the judge may score, and how many of them have a complete sheet.
    pub entries: u64,
    pub scored: u64,
}

/// One entry of a judge's worklist.
#[derive(Debug, Clone)]
pub struct WorkItem {
    pub entry: Entry,
    pub branch_name: String,
    /// The judge's sheet is complete.
    pub scored: bool,
}

/// A judge's worklist in one round.
#[derive(Debug, Clone)]
pub struct JudgeRound {
    pub round: Round,
    pub items: Vec<WorkItem>,
    pub page: u64,
    pub pages: u64,
    pub total: u64,
}

/// A judge's earlier-round view of a promoted entry ("คะแนนรอบก่อน"), read-only.
#[derive(Debug, Clone)]
pub struct EarlierScores {
    pub round_title: String,
    pub result: Option<ResultRow>,
    /// ("กรรมการ 1", weighted total of that judge's sheet)
    pub sheets: Vec<(String, f64)>,
}

/// What a judge sees of one entry: its documents and their own score form.
#[derive(Debug, Clone)]
pub struct JudgeEntryView {
    pub round: Round,
    pub entry: Entry,
    pub branch_name: String,
    pub documents: Vec<EntryDocument>,
    /// The judge's points and comment per criterion key.
    pub mine: BTreeMap<String, (u32, Option<String>)>,
    /// The sheet's version (0: never saved): sent back with the form.
    pub version: i64,
    pub earlier: Option<EarlierScores>,
    /// The judge may still change their scores (the round is judging).
    pub open: bool,
}

/// One criterion's score as typed in the form.
#[derive(Debug, Clone, Default)]
pub struct ScoreInput {
    pub criterion: String,
    pub points: String,
    pub comment: String,
}

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

/// Scores grouped into sheets: (entry, judge) → points by criterion.
fn sheets_of(scores: Vec<Score>) -> BTreeMap<(EntryId, UserId), BTreeMap<String, u32>> {
    let mut out: BTreeMap<(EntryId, UserId), BTreeMap<String, u32>> = BTreeMap::new();
    for s in scores {
        out.entry((s.entry_id, s.judge))
            .or_default()
            .insert(s.criterion, s.points);
    }
    out
}

/// The two contest stores judging needs.
type Ports<'a> = (&'a Arc<dyn RoundStore>, &'a Arc<dyn JudgingStore>);

fn refuse(field: &'static str, message: &str) -> DomainError {
    DomainError::invalid(field, message)
}

impl Khlang {
    fn jdg_ports(&self) -> DomainResult<Ports<'_>> {
        match (&self.contest_rounds, &self.contest_judging) {
            (Some(r), Some(j)) => Ok((r, j)),
            _ => Err(DomainError::internal("contests have no store")),
        }
    }

    /// The round, when the actor may run it (RunContest on its organising unit).
    async fn jdg_organised_round(&self, actor: &Actor, round: RoundId) -> DomainResult<Round> {
        let (rounds, _) = self.jdg_ports()?;
        if actor.user_id().is_none() {
            return Err(DomainError::Unauthenticated);
        }
        let round = rounds.get_round(round).await?;
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::RunContest,
            &Target::Unit(tree.path(round.unit_id)?),
        )?;
        Ok(round)
    }

    /// Whether the actor runs the round (for showing organiser links).
    pub async fn may_run_round(&self, actor: &Actor, round: RoundId) -> bool {
        self.jdg_organised_round(actor, round).await.is_ok()
    }

    /// The round's branches with their names, in the round's order.
    async fn jdg_branches(&self, round: &Round) -> DomainResult<Vec<(TermId, String)>> {
        let vocab = self.vocabulary().await?;
        Ok(round
            .settings
            .branches
            .iter()
            .map(|b| {
                let name = vocab
                    .term(*b)
                    .map(|t| t.label_th.clone())
                    .unwrap_or_else(|| format!("สาขา {b}"));
                (*b, name)
            })
            .collect())
    }

    /// Why `judge` may not score `entry` (automatic or declared), if they may not.
    fn jdg_conflict(
        round: &Round,
        judge: &Judge,
        entry: &Entry,
        declared: &[DeclaredConflict],
    ) -> Option<ConflictReason> {
        if let Some(d) = declared
            .iter()
            .find(|d| d.entry_id == entry.id && d.judge == judge.user_id)
        {
            return Some(ConflictReason::Declared(d.reason.clone()));
        }
        rules::automatic_conflict(
            round.level,
            judge.unit_id,
            judge.province,
            entry.unit_id,
            entry.province,
        )
    }

    async fn jdg_judge_views(&self, judges: &[Judge]) -> DomainResult<Vec<JudgeView>> {
        let mut out = Vec::with_capacity(judges.len());
        for j in judges {
            let user = self.store.get_user(j.user_id).await?;
            out.push(JudgeView {
                judge: j.clone(),
                name: user.display_name.as_str().to_string(),
                username: user.username.as_str().to_string(),
                province_name: j.province.map(|p| Gazetteer::get().province_name(p)),
            });
        }
        Ok(out)
    }

    // ---- organiser ----

    /// The organiser's judges page: judges per branch and the conflicts they declared.
    pub async fn judges_page(&self, actor: &Actor, round: RoundId) -> DomainResult<JudgesPage> {
        let round = self.jdg_organised_round(actor, round).await?;
        let (rounds, judging) = self.jdg_ports()?;
        let judges = judging.round_judges(round.id).await?;
        let views = self.jdg_judge_views(&judges).await?;
        let mut conflicts = Vec::new();
        for c in judging.round_conflicts(round.id).await? {
            let entry_name = rounds.get_entry(c.entry_id).await?.name;
            let judge_name = views
                .iter()
                .find(|v| v.judge.user_id == c.judge)
                .map(|v| v.name.clone())
                .unwrap_or_default();
            conflicts.push(ConflictView {
                conflict: c,
                entry_name,
                judge_name,
            });
        }
        let tree = self.unit_tree().await?;
        let units: Vec<crate::ids::UnitId> = tree
            .units()
            .iter()
            .filter(|u| tree.is_within(u.id, round.unit_id))
            .map(|u| u.id)
            .collect();
        let members = self
            .store
            .list_users(Some(&units), 1, 500)
            .await?
            .items
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| {
                (
                    u.username.as_str().to_string(),
                    u.display_name.as_str().to_string(),
                )
            })
            .collect();
        Ok(JudgesPage {
            members,
            branches: self.jdg_branches(&round).await?,
            editable: round.status < RoundStatus::Judging,
            round,
            judges: views,
            conflicts,
        })
    }

    /// Assigns a judge to a branch: a user by username; their unit is their home unit (or,
    /// without one, the unit of their first role), the province is the organiser's choice. Only before judging starts.
    pub async fn assign_judge(
        &self,
        actor: &Actor,
        round: RoundId,
        input: &JudgeInput,
    ) -> DomainResult<()> {
        let round = self.jdg_organised_round(actor, round).await?;
        let (_, judging) = self.jdg_ports()?;
        if round.status >= RoundStatus::Judging {
            return Err(DomainError::Conflict(
                "เริ่มพิจารณาแล้ว เปลี่ยนกรรมการไม่ได้".into(),
            ));
        }
        let mut errors: Vec<FieldError> = Vec::new();
        let branch = input
            .branch
            .trim()
            .parse::<i64>()
            .ok()
            .map(TermId)
            .filter(|b| round.settings.branches.contains(b));
        if branch.is_none() {
            errors.push(FieldError::new("branch", "กรุณาเลือกสาขาของรอบนี้"));
        }
        let province = match input.province.trim() {
            "" => None,
            p => match ProvinceCode::parse(p) {
                Ok(code) if Gazetteer::get().province(code).is_some() => Some(code),
                _ => {
                    errors.push(FieldError::new("province", "กรุณาเลือกจังหวัดจากรายการ"));
                    None
                }
            },
        };
        let user = match crate::account::Username::parse(input.username.trim()) {
            Ok(name) => self.store.user_by_username(&name).await?.map(|(u, _)| u),
            Err(_) => None,
        };
        // The judge's unit: their home unit, or else the unit of their first role.
        let home = match &user {
            Some(u) if u.home_unit_id.is_none() => self
                .store
                .grants_for_user(u.id)
                .await?
                .first()
                .map(|g| g.unit_id),
            Some(u) => u.home_unit_id,
            None => None,
        };
        let user = match user {
            Some(u) if !u.disabled => match home {
                Some(unit) => Some((u, unit)),
                None => {
                    errors.push(FieldError::new(
                        "username",
                        "ผู้ใช้นี้ยังไม่มีหน่วยงานสังกัด กรุณากำหนดหน่วยงานก่อน",
                    ));
                    None
                }
            },
            _ => {
                errors.push(FieldError::new("username", "ไม่พบชื่อผู้ใช้นี้ กรุณาตรวจสอบการสะกด"));
                None
            }
        };
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let (Some(branch), Some((user, unit))) = (branch, user) else {
            return Err(DomainError::internal("checked above"));
        };
        let judge = Judge {
            round_id: round.id,
            user_id: user.id,
            branch,
            unit_id: unit,
            province,
            chair: input.chair,
        };
        judging.add_judge(&judge).await.map_err(|e| match e {
            crate::error::PortError::Conflict(_) => refuse("username", "ผู้ใช้นี้เป็นกรรมการสาขานี้อยู่แล้ว"),
            other => other.into(),
        })?;
        self.audit(
            actor.user_id(),
            "contest.judge_assigned",
            format!("round:{}", round.id),
            format!("user:{} branch:{}", user.id, branch),
        )
        .await
    }

    /// Removes a judge from a branch, before judging starts.
    pub async fn unassign_judge(
        &self,
        actor: &Actor,
        round: RoundId,
        branch: TermId,
        user: UserId,
    ) -> DomainResult<()> {
        let round = self.jdg_organised_round(actor, round).await?;
        if round.status >= RoundStatus::Judging {
            return Err(DomainError::Conflict(
                "เริ่มพิจารณาแล้ว เปลี่ยนกรรมการไม่ได้".into(),
            ));
        }
        self.jdg_ports()?
            .1
            .remove_judge(round.id, branch, user)
            .await?;
        self.audit(
            actor.user_id(),
            "contest.judge_removed",
            format!("round:{}", round.id),
            format!("user:{user} branch:{branch}"),
        )
        .await
    }

    // ---- judge ----

    /// The rounds under judging where the actor judges, with counts.
    pub async fn my_judging(&self, actor: &Actor) -> DomainResult<Vec<MyRound>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (rounds, judging) = self.jdg_ports()?;
        let mine = judging.judge_assignments(me).await?;
        let mut by_round: BTreeMap<RoundId, Vec<Judge>> = BTreeMap::new();
        for j in mine {
            by_round.entry(j.round_id).or_default().push(j);
        }
        let mut out = Vec::new();
        for (round_id, assignments) in by_round.into_iter().rev() {
            let round = rounds.get_round(round_id).await?;
            if round.status != RoundStatus::Judging {
                continue;
            }
            let (items, _) = self.jdg_worklist(&round, &assignments).await?;
            let names = self.jdg_branches(&round).await?;
            out.push(MyRound {
                branches: names
                    .into_iter()
                    .filter(|(b, _)| assignments.iter().any(|a| a.branch == *b))
                    .collect(),
                entries: items.len() as u64,
                scored: items.iter().filter(|i| i.scored).count() as u64,
                round,
            });
        }
        Ok(out)
    }

    /// Every entry the judge may score in the round (their branches, minus conflicts).
    async fn jdg_worklist(
        &self,
        round: &Round,
        assignments: &[Judge],
    ) -> DomainResult<(Vec<WorkItem>, Vec<DeclaredConflict>)> {
        let (rounds, judging) = self.jdg_ports()?;
        let declared = judging.round_conflicts(round.id).await?;
        let names = self.jdg_branches(round).await?;
        let mut items = Vec::new();
        for a in assignments {
            let mut by_sheet = sheets_of(judging.branch_scores(round.id, a.branch).await?);
            for entry in rounds.round_entries(round.id, a.branch).await? {
                if Self::jdg_conflict(round, a, &entry, &declared).is_some() {
                    continue;
                }
                let points = by_sheet.remove(&(entry.id, a.user_id)).unwrap_or_default();
                items.push(WorkItem {
                    scored: rules::sheet_total(&round.settings.rubric, &points).is_some(),
                    branch_name: names
                        .iter()
                        .find(|(b, _)| *b == a.branch)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_default(),
                    entry,
                });
            }
        }
        Ok((items, declared))
    }

    /// The judge's assignments in a round; Forbidden when they judge none of it.
    async fn jdg_my_assignments(
        &self,
        actor: &Actor,
        round: RoundId,
    ) -> DomainResult<(Round, Vec<Judge>)> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (rounds, judging) = self.jdg_ports()?;
        let mine: Vec<Judge> = judging
            .judge_assignments(me)
            .await?
            .into_iter()
            .filter(|j| j.round_id == round)
            .collect();
        if mine.is_empty() {
            return Err(DomainError::Forbidden);
        }
        Ok((rounds.get_round(round).await?, mine))
    }

    /// A judge's entries in one round, by branch, paged.
    pub async fn judge_round(
        &self,
        actor: &Actor,
        round: RoundId,
        page: u64,
    ) -> DomainResult<JudgeRound> {
        let (round, mine) = self.jdg_my_assignments(actor, round).await?;
        if round.status != RoundStatus::Judging {
            return Err(DomainError::Conflict(format!(
                "รอบนี้ไม่ได้อยู่ในช่วงพิจารณา (สถานะ: {})",
                round.status.label_th()
            )));
        }
        let (items, _) = self.jdg_worklist(&round, &mine).await?;
        let total = items.len() as u64;
        let pages = total.div_ceil(WORK_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let items = items
            .into_iter()
            .skip(((page - 1) * WORK_PER_PAGE) as usize)
            .take(WORK_PER_PAGE as usize)
            .collect();
        Ok(JudgeRound {
            round,
            items,
            page,
            pages,
            total,
        })
    }

    /// The entry, its round and the judge's assignment for its branch, when the judge may
    /// see it: assigned to the branch and not excluded. Anything else is NotFound, so an
    /// excluded judge learns nothing of the entry.
    async fn jdg_entry_for_judge(
        &self,
        actor: &Actor,
        entry: EntryId,
    ) -> DomainResult<(Round, Entry, Judge)> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let (rounds, judging) = self.jdg_ports()?;
        let entry = rounds.get_entry(entry).await?;
        let in_round: Vec<Judge> = judging
            .judge_assignments(me)
            .await?
            .into_iter()
            .filter(|j| j.round_id == entry.round_id)
            .collect();
        if in_round.is_empty() {
            return Err(DomainError::NotFound);
        }
        // A judge of the round, but of other branches: told so (the entry's branch is no
        // secret among the round's judges); nothing else is shown.
        let judge = in_round
            .into_iter()
            .find(|j| j.branch == entry.branch)
            .ok_or_else(|| {
                DomainError::Conflict("ผลงานนี้อยู่ในสาขาที่คุณไม่ได้เป็นกรรมการ จึงเปิดดูและให้คะแนนไม่ได้".into())
            })?;
        let round = rounds.get_round(entry.round_id).await?;
        let declared = judging.round_conflicts(round.id).await?;
        if Self::jdg_conflict(&round, &judge, &entry, &declared).is_some() {
            return Err(DomainError::NotFound);
        }
        Ok((round, entry, judge))
    }

    /// The earlier round's scores of a promoted entry, read-only, judges numbered.
    async fn jdg_earlier(&self, entry: &Entry) -> DomainResult<Option<EarlierScores>> {
        let Some(from) = entry.promoted_from else {
            return Ok(None);
        };
        let (rounds, judging) = self.jdg_ports()?;
        let prev = rounds.get_entry(from).await?;
        let prev_round = rounds.get_round(prev.round_id).await?;
        let result = judging
            .round_results(prev_round.id)
            .await?
            .into_iter()
            .find(|r| r.entry_id == prev.id);
        let mut by_judge: BTreeMap<UserId, BTreeMap<String, u32>> = BTreeMap::new();
        for s in judging.entry_scores(prev.id).await? {
            by_judge
                .entry(s.judge)
                .or_default()
                .insert(s.criterion, s.points);
        }
        let sheets = by_judge
            .values()
            .filter_map(|p| rules::sheet_total(&prev_round.settings.rubric, p))
            .enumerate()
            .map(|(i, t)| (format!("กรรมการ {}", i + 1), t))
            .collect();
        Ok(Some(EarlierScores {
            round_title: prev_round.title,
            result,
            sheets,
        }))
    }

    /// What a judge sees of an entry: documents and their score form.
    pub async fn judge_entry(&self, actor: &Actor, entry: EntryId) -> DomainResult<JudgeEntryView> {
        let (round, entry, judge) = self.jdg_entry_for_judge(actor, entry).await?;
        let (rounds, judging) = self.jdg_ports()?;
        let mine = judging
            .entry_scores(entry.id)
            .await?
            .into_iter()
            .filter(|s| s.judge == judge.user_id)
            .map(|s| (s.criterion, (s.points, s.comment)))
            .collect();
        let version = judging
            .round_sheets(round.id)
            .await?
            .into_iter()
            .find(|s| s.entry_id == entry.id && s.judge == judge.user_id)
            .map(|s| s.version)
            .unwrap_or(0);
        let branch_name = self
            .jdg_branches(&round)
            .await?
            .into_iter()
            .find(|(b, _)| *b == entry.branch)
            .map(|(_, n)| n)
            .unwrap_or_default();
        Ok(JudgeEntryView {
            documents: rounds.entry_documents(entry.id).await?,
            earlier: self.jdg_earlier(&entry).await?,
            open: round.status == RoundStatus::Judging,
            branch_name,
            round,
            entry,
            mine,
            version,
        })
    }

    /// One of the entry's documents, for a judge who may see the entry.
    pub async fn judge_document(
        &self,
        actor: &Actor,
        entry: EntryId,
        document: i64,
    ) -> DomainResult<EntryDocument> {
        let (_, entry, _) = self.jdg_entry_for_judge(actor, entry).await?;
        self.jdg_ports()?
            .0
            .entry_documents(entry.id)
            .await?
            .into_iter()
            .find(|d| d.id == document)
            .ok_or(DomainError::NotFound)
    }

    /// Opens one of the entry's documents for a judge who may see the entry.
    pub async fn judge_open_document(
        &self,
        actor: &Actor,
        entry: EntryId,
        document: i64,
    ) -> DomainResult<(EntryDocument, u64, crate::ports::ByteStream)> {
        let doc = self.judge_document(actor, entry, document).await?;
        let (size, stream) = self
            .blobs
            .get(&crate::service::items::blob_key(&doc.sha256), None)
            .await?;
        Ok((doc, size, stream))
    }

    /// Saves a judge's sheet: every criterion 0..=max, while the round is judging, with the
    /// version the form was loaded with. Bad input or a stale version: nothing changes.
    pub async fn save_scores(
        &self,
        actor: &Actor,
        entry: EntryId,
        version: i64,
        input: &[ScoreInput],
    ) -> DomainResult<i64> {
        let (round, entry, judge) = self.jdg_entry_for_judge(actor, entry).await?;
        if round.status != RoundStatus::Judging {
            return Err(DomainError::Conflict(
                "รอบนี้ไม่ได้อยู่ในช่วงพิจารณา จึงบันทึกคะแนนไม่ได้".into(),
            ));
        }
        let mut errors = Vec::new();
        let mut scores = Vec::new();
        for c in &round.settings.rubric {
            let field = format!("points.{}", c.key);
            let given = input.iter().find(|i| i.criterion == c.key);
            let raw = given.map(|g| g.points.trim()).unwrap_or("");
            if raw.is_empty() {
                continue; // a sheet may be saved part-done; it counts once complete
            }
            let comment = given
                .map(|g| g.comment.trim().to_string())
                .filter(|c| !c.is_empty());
            if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
                errors.push(FieldError::new(
                    format!("comment.{}", c.key),
                    "ความเห็นยาวเกิน 2,000 ตัวอักษร",
                ));
            }
            match crate::text::arabic_digits(raw).parse::<u32>() {
                Ok(p) if p <= c.max_points => scores.push(Score {
                    entry_id: entry.id,
                    judge: judge.user_id,
                    criterion: c.key.clone(),
                    points: p,
                    comment,
                }),
                Ok(_) => errors.push(FieldError::new(
                    field,
                    format!("คะแนนเกณฑ์ '{}' ให้ได้ 0 ถึง {} คะแนน", c.name, c.max_points),
                )),
                Err(_) => errors.push(FieldError::new(
                    field,
                    format!("กรุณาใส่คะแนนเป็นจำนวนเต็ม 0 ถึง {}", c.max_points),
                )),
            }
        }
        if input
            .iter()
            .any(|i| !round.settings.rubric.iter().any(|c| c.key == i.criterion))
        {
            errors.push(FieldError::new("points", "มีเกณฑ์ที่ไม่อยู่ในรอบนี้"));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let (_, judging) = self.jdg_ports()?;
        let new_version = judging
            .save_sheet(entry.id, judge.user_id, version, &scores, self.clock.now())
            .await
            .map_err(|e| match e {
                crate::error::PortError::Conflict(_) => DomainError::Conflict(STALE_SHEET.into()),
                other => other.into(),
            })?;
        Ok(new_version)
    }

    /// A judge declares a conflict of interest with an entry: from then on they no longer
    /// see it, and their scores of it do not count.
    pub async fn declare_conflict(
        &self,
        actor: &Actor,
        entry: EntryId,
        reason: &str,
    ) -> DomainResult<()> {
        let (round, entry, judge) = self.jdg_entry_for_judge(actor, entry).await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(refuse("reason", "กรุณาบอกเหตุผลที่ไม่ควรให้คะแนนผลงานนี้"));
        }
        if reason.chars().count() > 1000 {
            return Err(refuse("reason", "เหตุผลยาวเกิน 1,000 ตัวอักษร"));
        }
        if round.status > RoundStatus::Judging {
            return Err(DomainError::Conflict("ประกาศผลแล้ว".into()));
        }
        self.jdg_ports()?
            .1
            .declare_conflict(&DeclaredConflict {
                entry_id: entry.id,
                judge: judge.user_id,
                reason: reason.to_string(),
                declared_at: self.clock.now(),
            })
            .await?;
        self.audit(
            Some(judge.user_id),
            "contest.conflict_declared",
            format!("entry:{}", entry.id),
            reason.to_string(),
        )
        .await
    }

    // ---- ranking, results ----

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
            chair_rule: round
                .settings
                .tie_breaks
                .contains(&super::model::TieBreak::ChairDecision),
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

/// The province a judge is usually from: the unit's name does not say, so the organiser
/// chooses; this lists them for the form.
pub fn province_choices() -> Vec<(String, String)> {
    Gazetteer::get()
        .provinces_by_name()
        .iter()
        .map(|p| (p.code.to_string(), p.name_th.to_string()))
        .collect()
}
