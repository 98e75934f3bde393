//! Contests, rounds and their settings, entrants, entry links and documents: the organiser's
//! and the entrant's side of the contest (การคัดเลือก).
//!
//! Who may do what: organisers hold [`Action::RunContest`] on the round's organising unit
//! (or above it); they create rounds, register entrants and act on an entry on the
//! entrant's behalf. An entrant needs no account: the entry link's secret is the key, for
//! that entry only, until the deadline, unless revoked. The server's clock decides the
//! window: an entry changes only while the round is open and `opens_at ≤ now < closes_at`.
//!
//! This file holds the forms, the clock helpers and the contest and round set-up; the entry
//! side lives beside it: `entrants` (registering, entry links, who may act on an entry) and
//! `documents` (an entry's files and their ZIP).

mod documents;
mod entrants;
mod settings;

pub use entrants::{EntrantInput, EntryAccess, EntryView, LINK_REVOKED};
use settings::{parse_basics, parse_settings, ready_to_open, whole};

use super::model::{
    Contest, ContestKind, Entry, EntryFilter, Round, RoundSettings, RoundStats, RoundStatus,
    TieBreak, parse_title, required_keys,
};
use super::ports::{NewContest, RoundStore};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{ContestId, RoundId, TermId, UnitId};
use crate::innovations::model::BRANCH_TAXONOMY;
use crate::org::{Action, Actor, Target, authorize};
use crate::ports::Page;
use crate::service::Khlang;
use crate::text::{BANGKOK, format_be_date, format_be_datetime};
use serde::Deserialize;
use std::sync::Arc;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

/// Contests per page of `/contests`.
pub const CONTESTS_PER_PAGE: u64 = 20;
/// Entries per page of the organiser's list.
pub const ENTRIES_PER_PAGE: u64 = 50;

/// The create-a-contest form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ContestInput {
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub fiscal_year: String,
    #[serde(default)]
    pub kind: String,
}

/// One row of the required documents, as typed.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub key: String,
    pub name: String,
    pub kinds: Vec<String>,
    /// Megabytes.
    pub max_mb: String,
    pub required: bool,
}

/// One row of the rubric, as typed.
#[derive(Debug, Clone, Default)]
pub struct CriterionInput {
    pub key: String,
    pub name: String,
    pub weight: String,
    pub max_points: String,
    /// One level per line, best first.
    pub levels: String,
}

/// A round's form (create and draft edit), as typed.
#[derive(Debug, Clone, Default)]
pub struct RoundInput {
    pub title: String,
    pub level: String,
    /// The organising unit (create only; a round keeps its unit).
    pub unit: String,
    /// [`Area::key`]
    pub area: String,
    /// A round id of the same contest, or empty.
    pub next_round: String,
    /// `2025-02-15T16:30`, Asia/Bangkok (an `<input type="datetime-local">`).
    pub opens: String,
    pub closes: String,
    pub branches: Vec<String>,
    pub documents: Vec<DocumentInput>,
    pub criteria: Vec<CriterionInput>,
    pub advance: String,
    /// `criterion:<key>` or `chair`, in order; empty values are skipped.
    pub tie_breaks: Vec<String>,
    pub entry_template: String,
}

impl RoundInput {
    /// The form filled with a round's values (the edit page).
    pub fn of(round: &Round) -> Self {
        let s = &round.settings;
        Self {
            title: round.title.clone(),
            level: round.level.as_str().into(),
            unit: round.unit_id.to_string(),
            area: round.area.key(),
            next_round: round.next_round.map(|r| r.to_string()).unwrap_or_default(),
            opens: local_input(round.opens_at),
            closes: local_input(round.closes_at),
            branches: s.branches.iter().map(|b| b.to_string()).collect(),
            documents: s
                .documents
                .iter()
                .map(|d| DocumentInput {
                    key: d.key.clone(),
                    name: d.name.clone(),
                    kinds: d.kinds.clone(),
                    max_mb: (d.max_bytes / MB).max(1).to_string(),
                    required: d.required,
                })
                .collect(),
            criteria: s
                .rubric
                .iter()
                .map(|c| CriterionInput {
                    key: c.key.clone(),
                    name: c.name.clone(),
                    weight: c.weight.to_string(),
                    max_points: c.max_points.to_string(),
                    levels: c.levels.join("\n"),
                })
                .collect(),
            advance: s.advance_per_branch.to_string(),
            tie_breaks: s
                .tie_breaks
                .iter()
                .map(|t| match t {
                    TieBreak::Criterion(k) => format!("criterion:{k}"),
                    TieBreak::ChairDecision => "chair".into(),
                })
                .collect(),
            entry_template: s.entry_template.clone().unwrap_or_default(),
        }
    }
}

const MB: u64 = 1024 * 1024;

/// `2025-02-15T16:30` in Bangkok time.
pub fn local_input(t: OffsetDateTime) -> String {
    let b = t.to_offset(BANGKOK);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        b.year(),
        b.month() as u8,
        b.day(),
        b.hour(),
        b.minute()
    )
}

/// A `datetime-local` value (`2025-02-15T16:30`, seconds optional) read as Bangkok time.
pub fn parse_local(raw: &str) -> Option<OffsetDateTime> {
    let raw = crate::text::arabic_digits(raw.trim());
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let fmt_s = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let fmt_sp = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let t = PrimitiveDateTime::parse(&raw, &fmt)
        .or_else(|_| PrimitiveDateTime::parse(&raw, &fmt_s))
        .or_else(|_| PrimitiveDateTime::parse(&raw, &fmt_sp))
        .ok()?;
    Some(t.assume_offset(BANGKOK).to_offset(time::UtcOffset::UTC))
}

/// "15 ก.พ. 2568 เวลา 16:30 น."
pub fn deadline_text(t: OffsetDateTime) -> String {
    let b = t.to_offset(BANGKOK);
    format!(
        "{} เวลา {:02}:{:02} น.",
        format_be_date(t),
        b.hour(),
        b.minute()
    )
}

/// "เหลือเวลาอีก 2 วัน 3 ชั่วโมง", or None once the time is up.
pub fn time_left_text(now: OffsetDateTime, until: OffsetDateTime) -> Option<String> {
    let left = until - now;
    if left <= Duration::ZERO {
        return None;
    }
    let mins = left.whole_minutes();
    let (days, hours, minutes) = (mins / (24 * 60), (mins / 60) % 24, mins % 60);
    Some(if days > 0 {
        if hours > 0 {
            format!("เหลือเวลาอีก {days} วัน {hours} ชั่วโมง")
        } else {
            format!("เหลือเวลาอีก {days} วัน")
        }
    } else if hours > 0 {
        if minutes > 0 {
            format!("เหลือเวลาอีก {hours} ชั่วโมง {minutes} นาที")
        } else {
            format!("เหลือเวลาอีก {hours} ชั่วโมง")
        }
    } else if minutes > 0 {
        format!("เหลือเวลาอีก {minutes} นาที")
    } else {
        "เหลือเวลาไม่ถึง 1 นาที".into()
    })
}

/// The organiser's page of a round.
pub struct RoundDashboard {
    pub round: Round,
    pub contest: Contest,
    pub stats: RoundStats,
    pub entries: Page<Entry>,
    pub now: OffsetDateTime,
}

impl Khlang {
    fn rounds_store(&self) -> DomainResult<&Arc<dyn RoundStore>> {
        self.contest_rounds
            .as_ref()
            .ok_or_else(|| DomainError::internal("contests have no store"))
    }

    /// Whether the actor may run contests of `unit` (RunContest there).
    async fn may_run_unit(&self, actor: &Actor, unit: UnitId) -> DomainResult<bool> {
        let tree = self.unit_tree().await?;
        let path = tree.path(unit)?;
        Ok(authorize(actor, Action::RunContest, &Target::Unit(path)).is_ok())
    }

    async fn require_run(&self, actor: &Actor, unit: UnitId) -> DomainResult<()> {
        let tree = self.unit_tree().await?;
        let path = tree.path(unit)?;
        authorize(actor, Action::RunContest, &Target::Unit(path))
    }

    /// Creates a contest run by a unit where the actor holds RunContest.
    pub async fn create_contest(
        &self,
        actor: &Actor,
        input: &ContestInput,
    ) -> DomainResult<Contest> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let mut errors = Vec::new();
        let unit = whole(&input.unit).map(|n| UnitId(n as i64));
        let tree = self.unit_tree().await?;
        let unit = match unit.filter(|u| tree.get(*u).is_some()) {
            Some(u) => Some(u),
            None => {
                errors.push(FieldError::new("unit", "กรุณาเลือกหน่วยงานที่จัดการคัดเลือก"));
                None
            }
        };
        let title = parse_title(&input.title, "title").map_err(|e| errors.push(e));
        let year = match whole(&input.fiscal_year) {
            Some(y) if (2500..=2700).contains(&y) => Some(y as i32),
            _ => {
                errors.push(FieldError::new(
                    "fiscal_year",
                    "กรุณาใส่ปีงบประมาณเป็น พ.ศ. เช่น 2568",
                ));
                None
            }
        };
        let kind = ContestKind::parse(input.kind.trim()).or_else(|| {
            errors.push(FieldError::new("kind", "กรุณาเลือกประเภทผู้สมัคร"));
            None
        });
        if let Some(u) = unit {
            self.require_run(actor, u).await?;
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let (Some(unit_id), Ok(title), Some(fiscal_year), Some(kind)) = (unit, title, year, kind)
        else {
            return Err(DomainError::internal("contest input parsed without errors"));
        };
        let contest = self
            .rounds_store()?
            .insert_contest(&NewContest {
                unit_id,
                title,
                fiscal_year,
                kind,
                created_by: me,
                at: self.clock.now(),
            })
            .await?;
        self.audit(
            Some(me),
            "contest.create",
            format!("contest:{}", contest.id),
            contest.title.clone(),
        )
        .await?;
        Ok(contest)
    }

    /// Contests, newest fiscal year first: for signed-in people (officers run them, judges
    /// judge them); the public reads published results elsewhere.
    pub async fn contests(&self, actor: &Actor, page: u64) -> DomainResult<Page<Contest>> {
        if actor.user_id().is_none() {
            return Err(DomainError::Unauthenticated);
        }
        Ok(self
            .rounds_store()?
            .list_contests(page, CONTESTS_PER_PAGE)
            .await?)
    }

    /// One contest with its rounds, and whether the actor may run it (add rounds).
    pub async fn contest_with_rounds(
        &self,
        actor: &Actor,
        id: ContestId,
    ) -> DomainResult<(Contest, Vec<Round>, bool)> {
        if actor.user_id().is_none() {
            return Err(DomainError::Unauthenticated);
        }
        let store = self.rounds_store()?;
        let contest = store.get_contest(id).await?;
        let rounds = store.contest_rounds(id).await?;
        let may = self.may_run_unit(actor, contest.unit_id).await?;
        Ok((contest, rounds, may))
    }

    /// Checks branches against the `osm_branch` taxonomy.
    async fn check_branches(
        &self,
        s: &RoundSettings,
        errors: &mut Vec<FieldError>,
    ) -> DomainResult<()> {
        let vocab = self.vocabulary().await?;
        let tx = vocab
            .taxonomies
            .iter()
            .find(|t| t.key == BRANCH_TAXONOMY)
            .map(|t| t.id);
        for b in &s.branches {
            let ok = vocab.term(*b).is_some_and(|t| Some(t.taxonomy_id) == tx);
            if !ok {
                errors.push(FieldError::new("branches", "กรุณาเลือกสาขาจากรายการ"));
                break;
            }
        }
        Ok(())
    }

    async fn check_next_round(
        &self,
        contest: ContestId,
        this: Option<RoundId>,
        next: Option<RoundId>,
        errors: &mut Vec<FieldError>,
    ) -> DomainResult<()> {
        let Some(next) = next else {
            return Ok(());
        };
        let ok = match self.rounds_store()?.get_round(next).await {
            Ok(r) => r.contest_id == contest && Some(r.id) != this,
            Err(crate::error::PortError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if !ok {
            errors.push(FieldError::new(
                "next_round",
                "รอบถัดไปต้องเป็นรอบอื่นของการคัดเลือกเดียวกัน",
            ));
        }
        Ok(())
    }

    /// Creates a round as a draft, organised by a unit where the actor holds RunContest.
    pub async fn create_round(
        &self,
        actor: &Actor,
        contest: ContestId,
        input: &RoundInput,
    ) -> DomainResult<Round> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let contest = self.rounds_store()?.get_contest(contest).await?;
        let tree = self.unit_tree().await?;
        let mut errors = Vec::new();
        let unit = whole(&input.unit)
            .map(|n| UnitId(n as i64))
            .filter(|u| tree.get(*u).is_some());
        match unit {
            Some(u) => self.require_run(actor, u).await?,
            None => errors.push(FieldError::new("unit", "กรุณาเลือกหน่วยงานที่จัดรอบนี้")),
        }
        let basics = parse_basics(input, &mut errors);
        let settings = parse_settings(input, &mut errors);
        self.check_branches(&settings, &mut errors).await?;
        if let Some(b) = &basics {
            self.check_next_round(contest.id, None, b.next_round, &mut errors)
                .await?;
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let (Some(b), Some(unit_id)) = (basics, unit) else {
            return Err(DomainError::internal("round input parsed without errors"));
        };
        let now = self.clock.now();
        let round = self
            .rounds_store()?
            .insert_round(&Round {
                id: RoundId(0),
                contest_id: contest.id,
                title: b.title,
                level: b.level,
                unit_id,
                area: b.area,
                next_round: b.next_round,
                status: RoundStatus::Draft,
                opens_at: b.opens_at,
                closes_at: b.closes_at,
                settings,
                created_at: now,
                updated_at: now,
            })
            .await?;
        self.audit(
            Some(me),
            "contest.round.create",
            format!("round:{}", round.id),
            round.title.clone(),
        )
        .await?;
        Ok(round)
    }

    /// A round for its organisers (the edit page, status buttons).
    pub async fn round_for_organiser(&self, actor: &Actor, id: RoundId) -> DomainResult<Round> {
        let round = self.rounds_store()?.get_round(id).await?;
        match self.require_run(actor, round.unit_id).await {
            Ok(()) => Ok(round),
            Err(DomainError::Forbidden) => Err(DomainError::NotFound),
            Err(e) => Err(e),
        }
    }

    /// Changes a draft round's settings; refused once it has opened.
    pub async fn update_round(
        &self,
        actor: &Actor,
        id: RoundId,
        input: &RoundInput,
    ) -> DomainResult<Round> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let mut round = self.round_for_organiser(actor, id).await?;
        if round.status != RoundStatus::Draft {
            return Err(DomainError::Conflict(format!(
                "รอบนี้{}แล้ว แก้ไขการตั้งค่าได้เฉพาะตอนเป็นฉบับร่างเท่านั้น",
                round.status.label_th()
            )));
        }
        let mut errors = Vec::new();
        let basics = parse_basics(input, &mut errors);
        let settings = parse_settings(input, &mut errors);
        self.check_branches(&settings, &mut errors).await?;
        if let Some(b) = &basics {
            self.check_next_round(round.contest_id, Some(round.id), b.next_round, &mut errors)
                .await?;
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let Some(b) = basics else {
            return Err(DomainError::internal("round input parsed without errors"));
        };
        round.title = b.title;
        round.level = b.level;
        round.area = b.area;
        round.next_round = b.next_round;
        round.opens_at = b.opens_at;
        round.closes_at = b.closes_at;
        round.settings = settings;
        round.updated_at = self.clock.now();
        match self.rounds_store()?.update_round(&round).await {
            Ok(()) => {}
            Err(crate::error::PortError::Conflict(_)) => {
                return Err(DomainError::Conflict(
                    "รอบนี้เปิดรับสมัครแล้ว แก้ไขการตั้งค่าได้เฉพาะตอนเป็นฉบับร่างเท่านั้น".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        self.audit(
            Some(me),
            "contest.round.update",
            format!("round:{id}"),
            round.title.clone(),
        )
        .await?;
        Ok(round)
    }

    /// Moves a round one step: draft → open → closed → judging (publishing is judging's).
    pub async fn move_round(
        &self,
        actor: &Actor,
        id: RoundId,
        to: RoundStatus,
    ) -> DomainResult<Round> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let round = self.round_for_organiser(actor, id).await?;
        if to == RoundStatus::Published || round.status.next() != Some(to) {
            return Err(DomainError::Conflict(format!(
                "เปลี่ยนสถานะจาก \"{}\" เป็น \"{}\" ไม่ได้",
                round.status.label_th(),
                to.label_th()
            )));
        }
        if to == RoundStatus::Open {
            let errors = ready_to_open(&round);
            if !errors.is_empty() {
                return Err(DomainError::Invalid(errors));
            }
        }
        let now = self.clock.now();
        match self
            .rounds_store()?
            .set_round_status(id, round.status, to, now)
            .await
        {
            Ok(()) => {}
            Err(crate::error::PortError::Conflict(_)) => {
                return Err(DomainError::Conflict(
                    "มีผู้เปลี่ยนสถานะของรอบนี้ไปก่อนแล้ว กรุณาโหลดหน้าใหม่".into(),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        self.audit(
            Some(me),
            "contest.round.status",
            format!("round:{id}"),
            format!("{} → {}", round.status.as_str(), to.as_str()),
        )
        .await?;
        self.rounds_store()?.get_round(id).await.map_err(Into::into)
    }

    /// The organiser's page of a round: numbers and a page of entries.
    pub async fn round_dashboard(
        &self,
        actor: &Actor,
        id: RoundId,
        filter: &EntryFilter,
        page: u64,
    ) -> DomainResult<RoundDashboard> {
        let round = self.round_for_organiser(actor, id).await?;
        let store = self.rounds_store()?;
        let contest = store.get_contest(round.contest_id).await?;
        let required = required_keys(&round.settings);
        let stats = store.round_stats(id, &required).await?;
        let entries = store
            .list_entries(id, filter, &required, page, ENTRIES_PER_PAGE)
            .await?;
        Ok(RoundDashboard {
            round,
            contest,
            stats,
            entries,
            now: self.clock.now(),
        })
    }

    /// The terms of the branch taxonomy: (id, label).
    pub async fn contest_branches(&self) -> DomainResult<Vec<(TermId, String)>> {
        let vocab = self.vocabulary().await?;
        Ok(
            match vocab.taxonomies.iter().find(|t| t.key == BRANCH_TAXONOMY) {
                Some(tx) => vocab
                    .terms_of(tx.id)
                    .filter(|t| !t.retired)
                    .map(|t| (t.id, t.label_th.clone()))
                    .collect(),
                None => Vec::new(),
            },
        )
    }

    /// Units where the actor may run contests: (id, name).
    pub async fn contest_units(&self, actor: &Actor) -> DomainResult<Vec<(UnitId, String)>> {
        let tree = self.unit_tree().await?;
        Ok(Self::units_where(&tree, actor, Action::RunContest)
            .into_iter()
            .filter_map(|u| tree.get(u))
            .map(|u| (u.id, u.name_th.as_str().to_string()))
            .collect())
    }
}

/// Why an entry cannot change now, in Thai; None while the round is open and within its
/// window.
pub fn closed_reason(round: &Round, now: OffsetDateTime) -> Option<String> {
    match round.status {
        RoundStatus::Draft => Some("รอบนี้ยังไม่เปิดรับผลงาน".into()),
        RoundStatus::Open if now < round.opens_at => Some(format!(
            "ยังไม่ถึงเวลาเปิดรับผลงาน (เปิดรับเมื่อ {})",
            format_be_datetime(round.opens_at)
        )),
        RoundStatus::Open if now < round.closes_at => None,
        _ => Some(format!(
            "หมดเวลาส่งผลงานแล้ว (ปิดรับเมื่อ {})",
            deadline_text(round.closes_at)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn bangkok_inputs_and_thai_deadlines() {
        let t = parse_local("2025-02-15T16:30").unwrap();
        assert_eq!(t, datetime!(2025-02-15 09:30 UTC));
        assert_eq!(local_input(t), "2025-02-15T16:30");
        assert_eq!(deadline_text(t), "15 ก.พ. 2568 เวลา 16:30 น.");
        assert!(parse_local("15/2/2568").is_none());
    }

    #[test]
    fn time_left_in_words() {
        let now = datetime!(2025-02-13 06:30 UTC);
        let until = datetime!(2025-02-15 09:30 UTC);
        assert_eq!(
            time_left_text(now, until).as_deref(),
            Some("เหลือเวลาอีก 2 วัน 3 ชั่วโมง")
        );
        assert_eq!(
            time_left_text(until - Duration::minutes(20), until).as_deref(),
            Some("เหลือเวลาอีก 20 นาที")
        );
        assert_eq!(time_left_text(until, until), None);
    }

    fn input() -> RoundInput {
        RoundInput {
            title: "ระดับจังหวัดขอนแก่น".into(),
            level: "province".into(),
            area: "p:40".into(),
            opens: "2025-02-01T08:30".into(),
            closes: "2025-02-15T16:30".into(),
            advance: "1".into(),
            documents: vec![DocumentInput {
                name: "แบบประวัติ".into(),
                kinds: vec!["pdf".into()],
                max_mb: "10".into(),
                required: true,
                ..Default::default()
            }],
            criteria: vec![
                CriterionInput {
                    key: "impact".into(),
                    name: "ผลลัพธ์".into(),
                    weight: "60".into(),
                    max_points: "10".into(),
                    levels: String::new(),
                },
                CriterionInput {
                    key: "idea".into(),
                    name: "ความคิดสร้างสรรค์".into(),
                    weight: "40".into(),
                    max_points: "10".into(),
                    levels: String::new(),
                },
            ],
            tie_breaks: vec!["criterion:impact".into(), "chair".into()],
            ..Default::default()
        }
    }

    #[test]
    fn settings_parse_and_refuse() {
        let mut errors = Vec::new();
        let s = parse_settings(&input(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(s.documents[0].key, "doc1");
        assert_eq!(s.documents[0].max_bytes, 10 * MB);
        assert_eq!(
            s.tie_breaks,
            vec![
                TieBreak::Criterion("impact".into()),
                TieBreak::ChairDecision
            ]
        );

        let mut bad = input();
        bad.criteria[1].weight = "30".into();
        bad.criteria[1].key = "impact".into();
        bad.advance = "0".into();
        bad.closes = "2025-01-01T08:00".into();
        let mut errors = Vec::new();
        parse_settings(&bad, &mut errors);
        parse_basics(&bad, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_ref()).collect();
        assert!(fields.contains(&"crit_key_1"), "{fields:?}");
        assert!(fields.contains(&"advance"), "{fields:?}");
        assert!(fields.contains(&"closes"), "{fields:?}");

        let mut weights = input();
        weights.criteria[1].weight = "30".into();
        let mut errors = Vec::new();
        parse_settings(&weights, &mut errors);
        assert_eq!(errors[0].field, "criteria");
    }
}
