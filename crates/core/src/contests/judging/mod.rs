//! Judges, scores, conflicts, ranking, results and promotion (use-cases over
//! [`super::JudgingStore`]).
//!
//! - Organisers (RunContest on the round's organising unit) assign judges per branch before
//!   judging starts, see declared conflicts and scoring progress, order what remains tied,
//!   publish results (which promotes the top entries into the next round) and issue
//!   certificates.
//! - Judges act by assignment only: they see and score the entries of their branches in rounds
//!   under judging, never an entry they are excluded from (automatically or by declaration).
//!
//! This file holds judges, their scoring and conflicts; `results` holds what is made of the
//! sheets once they are in (ranking, the chair's order, publishing, certificates).

mod results;

pub use results::{BranchRanking, RankRow, RankingView, SheetCell};

use super::model::{
    ConflictReason, DeclaredConflict, Entry, EntryDocument, Judge, ResultRow, Round, RoundStatus,
    Score,
};
use super::rules;
use super::{JudgingStore, RoundStore};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::geo::{Gazetteer, ProvinceCode};
use crate::ids::{EntryId, RoundId, TermId, UserId};
use crate::org::{Action, Actor, Target, authorize};
use crate::service::Khlang;
use std::collections::BTreeMap;
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
        // Every saved sheet, points and all, so a disputed rank can be traced to who gave what.
        let points: Vec<String> = scores
            .iter()
            .map(|sc| format!("{}={}", sc.criterion, sc.points))
            .collect();
        self.audit(
            Some(judge.user_id),
            "contest.scores_saved",
            format!("entry:{}", entry.id),
            format!("version {new_version}: {}", points.join(" ")),
        )
        .await?;
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
