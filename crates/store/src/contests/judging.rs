//! [`JudgingStore`] over the database, in plain SQL that SQLite and PostgreSQL both speak.
//! `judge_id` in sheets, scores and conflicts is the judge's user id.

use crate::search::{exec, rows};
use crate::store::{SeaStore, from_ms, get, map_err, ms};
use async_trait::async_trait;
use khlang_core::contests::model::{DeclaredConflict, Judge, ResultRow, Score, SheetState};
use khlang_core::contests::ports::JudgingStore;
use khlang_core::error::PortError;
use khlang_core::geo::ProvinceCode;
use khlang_core::ids::{EntryId, RoundId, TermId, UnitId, UserId};
use khlang_core::ports::PortResult;
use sea_orm::{QueryResult, TransactionTrait, Value};
use time::OffsetDateTime;

fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored contest {what} is invalid: {e}"))
}

fn to_judge(r: &QueryResult) -> PortResult<Judge> {
    Ok(Judge {
        round_id: RoundId(get(r, "round_id")?),
        user_id: UserId(get(r, "user_id")?),
        branch: TermId(get(r, "branch_id")?),
        unit_id: UnitId(get(r, "unit_id")?),
        province: get::<Option<String>>(r, "province")?
            .map(|p| ProvinceCode::parse(&p).map_err(|e| corrupt("province", e)))
            .transpose()?,
        chair: get(r, "chair")?,
    })
}

fn to_score(r: &QueryResult) -> PortResult<Score> {
    Ok(Score {
        entry_id: EntryId(get(r, "entry_id")?),
        judge: UserId(get(r, "judge_id")?),
        criterion: get(r, "criterion")?,
        points: get::<i32>(r, "points")?.max(0) as u32,
        comment: get(r, "comment")?,
    })
}

fn to_result(r: &QueryResult) -> PortResult<ResultRow> {
    Ok(ResultRow {
        entry_id: EntryId(get(r, "entry_id")?),
        round_id: RoundId(get(r, "round_id")?),
        branch: TermId(get(r, "branch_id")?),
        rank: get::<i32>(r, "rank")?.max(0) as u32,
        total: get(r, "total")?,
        reason: get(r, "reason")?,
        advanced: get(r, "advanced")?,
        published_at: from_ms(get(r, "published_ms")?)?,
    })
}

const JUDGE_COLUMNS: &str = "round_id, user_id, branch_id, unit_id, province, chair";
const SCORE_COLUMNS: &str = "s.entry_id, s.judge_id, s.criterion, s.points, s.comment";

#[async_trait]
impl JudgingStore for SeaStore {
    async fn round_judges(&self, round: RoundId) -> PortResult<Vec<Judge>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {JUDGE_COLUMNS} FROM contest_judges WHERE round_id = ? \
                 ORDER BY branch_id, chair DESC, id"
            ),
            vec![round.0.into()],
        )
        .await?
        .iter()
        .map(to_judge)
        .collect()
    }

    async fn branch_scores(&self, round: RoundId, branch: TermId) -> PortResult<Vec<Score>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {SCORE_COLUMNS} FROM contest_scores s \
                 JOIN contest_entries e ON e.id = s.entry_id \
                 WHERE e.round_id = ? AND e.branch_id = ? \
                 ORDER BY s.entry_id, s.judge_id, s.criterion"
            ),
            vec![round.0.into(), branch.0.into()],
        )
        .await?
        .iter()
        .map(to_score)
        .collect()
    }

    async fn judge_assignments(&self, user: UserId) -> PortResult<Vec<Judge>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {JUDGE_COLUMNS} FROM contest_judges WHERE user_id = ? \
                 ORDER BY round_id DESC, branch_id"
            ),
            vec![user.0.into()],
        )
        .await?
        .iter()
        .map(to_judge)
        .collect()
    }

    async fn add_judge(&self, judge: &Judge) -> PortResult<()> {
        exec(
            self.connection(),
            &format!("INSERT INTO contest_judges ({JUDGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"),
            vec![
                judge.round_id.0.into(),
                judge.user_id.0.into(),
                judge.branch.0.into(),
                judge.unit_id.0.into(),
                judge.province.map(|p| p.to_string()).into(),
                judge.chair.into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn remove_judge(&self, round: RoundId, branch: TermId, user: UserId) -> PortResult<()> {
        let n = exec(
            self.connection(),
            "DELETE FROM contest_judges WHERE round_id = ? AND branch_id = ? AND user_id = ?",
            vec![round.0.into(), branch.0.into(), user.0.into()],
        )
        .await?;
        if n == 0 {
            return Err(PortError::NotFound);
        }
        Ok(())
    }

    async fn round_sheets(&self, round: RoundId) -> PortResult<Vec<SheetState>> {
        rows(
            self.connection(),
            "SELECT s.entry_id, s.judge_id, s.version, s.saved_ms FROM contest_sheets s \
             JOIN contest_entries e ON e.id = s.entry_id WHERE e.round_id = ?",
            vec![round.0.into()],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(SheetState {
                entry_id: EntryId(get(r, "entry_id")?),
                judge: UserId(get(r, "judge_id")?),
                version: get(r, "version")?,
                saved_at: from_ms(get(r, "saved_ms")?)?,
            })
        })
        .collect()
    }

    async fn entry_scores(&self, entry: EntryId) -> PortResult<Vec<Score>> {
        rows(
            self.connection(),
            &format!(
                "SELECT {SCORE_COLUMNS} FROM contest_scores s WHERE s.entry_id = ? \
                 ORDER BY s.judge_id, s.criterion"
            ),
            vec![entry.0.into()],
        )
        .await?
        .iter()
        .map(to_score)
        .collect()
    }

    async fn save_sheet(
        &self,
        entry: EntryId,
        judge: UserId,
        expected: i64,
        scores: &[Score],
        at: OffsetDateTime,
    ) -> PortResult<i64> {
        let stale = || PortError::Conflict("sheet version".into());
        let txn = self.connection().begin().await.map_err(map_err)?;
        if expected == 0 {
            // A first save: the primary key lets only one of two first saves in.
            exec(
                &txn,
                "INSERT INTO contest_sheets (entry_id, judge_id, version, saved_ms) \
                 VALUES (?, ?, 1, ?) ON CONFLICT (entry_id, judge_id) DO NOTHING",
                vec![entry.0.into(), judge.0.into(), ms(at).into()],
            )
            .await
            .and_then(|n| if n == 1 { Ok(()) } else { Err(stale()) })?;
        } else {
            let n = exec(
                &txn,
                "UPDATE contest_sheets SET version = version + 1, saved_ms = ? \
                 WHERE entry_id = ? AND judge_id = ? AND version = ?",
                vec![
                    ms(at).into(),
                    entry.0.into(),
                    judge.0.into(),
                    expected.into(),
                ],
            )
            .await?;
            if n != 1 {
                return Err(stale());
            }
        }
        exec(
            &txn,
            "DELETE FROM contest_scores WHERE entry_id = ? AND judge_id = ?",
            vec![entry.0.into(), judge.0.into()],
        )
        .await?;
        for s in scores {
            exec(
                &txn,
                "INSERT INTO contest_scores (entry_id, judge_id, criterion, points, comment) \
                 VALUES (?, ?, ?, ?, ?)",
                vec![
                    entry.0.into(),
                    judge.0.into(),
                    s.criterion.clone().into(),
                    (s.points as i32).into(),
                    s.comment.clone().into(),
                ],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(expected + 1)
    }

    async fn declare_conflict(&self, c: &DeclaredConflict) -> PortResult<()> {
        exec(
            self.connection(),
            "INSERT INTO contest_conflicts (entry_id, judge_id, reason, declared_ms) \
             VALUES (?, ?, ?, ?) ON CONFLICT (entry_id, judge_id) \
             DO UPDATE SET reason = excluded.reason, declared_ms = excluded.declared_ms",
            vec![
                c.entry_id.0.into(),
                c.judge.0.into(),
                c.reason.clone().into(),
                ms(c.declared_at).into(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn round_conflicts(&self, round: RoundId) -> PortResult<Vec<DeclaredConflict>> {
        rows(
            self.connection(),
            "SELECT c.entry_id, c.judge_id, c.reason, c.declared_ms FROM contest_conflicts c \
             JOIN contest_entries e ON e.id = c.entry_id WHERE e.round_id = ? \
             ORDER BY c.declared_ms",
            vec![round.0.into()],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(DeclaredConflict {
                entry_id: EntryId(get(r, "entry_id")?),
                judge: UserId(get(r, "judge_id")?),
                reason: get(r, "reason")?,
                declared_at: from_ms(get(r, "declared_ms")?)?,
            })
        })
        .collect()
    }

    async fn chair_order(&self, round: RoundId, branch: TermId) -> PortResult<Vec<EntryId>> {
        rows(
            self.connection(),
            "SELECT entry_id FROM contest_chair_order WHERE round_id = ? AND branch_id = ? \
             ORDER BY position",
            vec![round.0.into(), branch.0.into()],
        )
        .await?
        .iter()
        .map(|r| Ok(EntryId(get(r, "entry_id")?)))
        .collect()
    }

    async fn set_chair_order(
        &self,
        round: RoundId,
        branch: TermId,
        order: &[EntryId],
    ) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        exec(
            &txn,
            "DELETE FROM contest_chair_order WHERE round_id = ? AND branch_id = ?",
            vec![round.0.into(), branch.0.into()],
        )
        .await?;
        for (i, e) in order.iter().enumerate() {
            exec(
                &txn,
                "INSERT INTO contest_chair_order (round_id, branch_id, entry_id, position) \
                 VALUES (?, ?, ?, ?)",
                vec![
                    round.0.into(),
                    branch.0.into(),
                    e.0.into(),
                    Value::from(i as i32 + 1),
                ],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn insert_results(
        &self,
        round: RoundId,
        results: &[ResultRow],
        at: OffsetDateTime,
    ) -> PortResult<()> {
        let txn = self.connection().begin().await.map_err(map_err)?;
        let moved = exec(
            &txn,
            "UPDATE contest_rounds SET status = 'published', updated_ms = ? \
             WHERE id = ? AND status = 'judging'",
            vec![ms(at).into(), round.0.into()],
        )
        .await?;
        if moved != 1 {
            return Err(PortError::Conflict("the round is not judging".into()));
        }
        for r in results {
            exec(
                &txn,
                "INSERT INTO contest_results (entry_id, round_id, branch_id, rank, total, \
                 reason, advanced, published_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                vec![
                    r.entry_id.0.into(),
                    r.round_id.0.into(),
                    r.branch.0.into(),
                    (r.rank as i32).into(),
                    r.total.into(),
                    r.reason.clone().into(),
                    r.advanced.into(),
                    ms(r.published_at).into(),
                ],
            )
            .await?;
        }
        txn.commit().await.map_err(map_err)?;
        Ok(())
    }

    async fn round_results(&self, round: RoundId) -> PortResult<Vec<ResultRow>> {
        rows(
            self.connection(),
            "SELECT entry_id, round_id, branch_id, rank, total, reason, advanced, published_ms \
             FROM contest_results WHERE round_id = ? ORDER BY branch_id, rank, entry_id",
            vec![round.0.into()],
        )
        .await?
        .iter()
        .map(to_result)
        .collect()
    }
}
