//! Contests, rounds and their settings, entrants, entry links and documents: the organiser's
//! and the entrant's side of the contest (การคัดเลือก).
//!
//! Who may do what: organisers hold [`Action::RunContest`] on the round's organising unit
//! (or above it); they create rounds, register entrants and act on an entry on the
//! entrant's behalf. An entrant needs no account: the entry link's secret is the key, for
//! that entry only, until the deadline, unless revoked. The server's clock decides the
//! window: an entry changes only while the round is open and `opens_at ≤ now < closes_at`.

use super::model::{
    Area, Contest, ContestKind, Criterion, Entrant, Entry, EntryDocument, EntryFilter, NewEntry,
    NewEntryDocument, RequiredDocument, Round, RoundLevel, RoundSettings, RoundStats, RoundStatus,
    TieBreak, parse_title, required_keys,
};
use super::ports::{NewContest, RoundStore};
use crate::account::Secret;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::file::{FileKind, FileName, sniff};
use crate::geo::{Gazetteer, PlaceDraft, ProvinceCode};
use crate::ids::{ContestId, EntryId, PersonId, RoundId, TermId, UnitId, UserId};
use crate::innovations::model::BRANCH_TAXONOMY;
use crate::org::{Action, Actor, Target, authorize};
use crate::people::model::{PersonDraft, PersonInput};
use crate::ports::{ByteStream, Page};
use crate::service::Khlang;
use crate::service::items::{blob_key, read_head};
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

/// A short key for a document or criterion: ASCII letters, digits, `_` or `-`, 1–40.
fn parse_key(raw: &str, fallback: String, field: String) -> Result<String, FieldError> {
    let k = raw.trim();
    if k.is_empty() {
        return Ok(fallback);
    }
    if k.len() > 40
        || !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(FieldError::new(
            field,
            "รหัสย่อใช้ได้เฉพาะตัวอักษรภาษาอังกฤษ ตัวเลข _ หรือ - ไม่เกิน 40 ตัว",
        ));
    }
    Ok(k.to_ascii_lowercase())
}

fn whole(raw: &str) -> Option<u64> {
    crate::text::arabic_digits(raw.trim()).parse().ok()
}

/// The basic fields of a round, parsed.
struct RoundBasics {
    title: String,
    level: RoundLevel,
    area: Area,
    next_round: Option<RoundId>,
    opens_at: OffsetDateTime,
    closes_at: OffsetDateTime,
}

fn parse_basics(input: &RoundInput, errors: &mut Vec<FieldError>) -> Option<RoundBasics> {
    let title = parse_title(&input.title, "title").map_err(|e| errors.push(e));
    let level = RoundLevel::parse(input.level.trim())
        .ok_or_else(|| errors.push(FieldError::new("level", "กรุณาเลือกระดับของรอบ")));
    let area = Area::parse(input.area.trim())
        .ok_or_else(|| errors.push(FieldError::new("area", "กรุณาเลือกพื้นที่ที่รับสมัคร")));
    let next_round = if input.next_round.trim().is_empty() {
        Ok(None)
    } else {
        whole(&input.next_round)
            .map(|n| Some(RoundId(n as i64)))
            .ok_or_else(|| errors.push(FieldError::new("next_round", "กรุณาเลือกรอบถัดไปจากรายการ")))
    };
    let opens = parse_local(&input.opens).ok_or_else(|| {
        errors.push(FieldError::new(
            "opens",
            "กรุณาใส่วันและเวลาเปิดรับ (เวลาประเทศไทย)",
        ))
    });
    let closes = parse_local(&input.closes).ok_or_else(|| {
        errors.push(FieldError::new(
            "closes",
            "กรุณาใส่วันและเวลาปิดรับ (เวลาประเทศไทย)",
        ))
    });
    if let (Ok(o), Ok(c)) = (&opens, &closes)
        && c <= o
    {
        errors.push(FieldError::new("closes", "เวลาปิดรับต้องหลังเวลาเปิดรับ"));
        return None;
    }
    Some(RoundBasics {
        title: title.ok()?,
        level: level.ok()?,
        area: area.ok()?,
        next_round: next_round.ok()?,
        opens_at: opens.ok()?,
        closes_at: closes.ok()?,
    })
}

/// Settings as typed → settings, with every problem named at its field. Branch ids are
/// checked against the vocabulary by the caller.
fn parse_settings(input: &RoundInput, errors: &mut Vec<FieldError>) -> RoundSettings {
    let mut s = RoundSettings::default();
    for b in &input.branches {
        match whole(b) {
            Some(n) => {
                let t = TermId(n as i64);
                if !s.branches.contains(&t) {
                    s.branches.push(t);
                }
            }
            None => errors.push(FieldError::new("branches", "กรุณาเลือกสาขาจากรายการ")),
        }
    }
    for (i, d) in input.documents.iter().enumerate() {
        let name = d.name.trim();
        if name.is_empty() {
            continue;
        }
        let n = i + 1;
        let key = match parse_key(&d.key, format!("doc{n}"), format!("doc_key_{i}")) {
            Ok(k) => k,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if s.documents.iter().any(|x| x.key == key) {
            errors.push(FieldError::new(
                format!("doc_key_{i}"),
                "รหัสย่อของเอกสารซ้ำกัน กรุณาใช้รหัสที่ไม่ซ้ำ",
            ));
            continue;
        }
        let mut kinds = Vec::new();
        for k in &d.kinds {
            match FileKind::parse(k.trim()) {
                Some(kind) => kinds.push(kind.as_str().to_string()),
                None => errors.push(FieldError::new(
                    format!("doc_kinds_{i}"),
                    "กรุณาเลือกชนิดไฟล์จากรายการ",
                )),
            }
        }
        let max_mb = match whole(&d.max_mb) {
            Some(m) if (1..=4096).contains(&m) => m,
            _ => {
                errors.push(FieldError::new(
                    format!("doc_max_{i}"),
                    "กรุณาใส่ขนาดไฟล์สูงสุดเป็นเมกะไบต์ (1–4096)",
                ));
                continue;
            }
        };
        s.documents.push(RequiredDocument {
            key,
            name: name.chars().take(200).collect(),
            kinds,
            max_bytes: max_mb * MB,
            required: d.required,
        });
    }
    for (i, c) in input.criteria.iter().enumerate() {
        let name = c.name.trim();
        if name.is_empty() {
            continue;
        }
        let key = match parse_key(&c.key, format!("c{}", i + 1), format!("crit_key_{i}")) {
            Ok(k) => k,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if s.rubric.iter().any(|x| x.key == key) {
            errors.push(FieldError::new(
                format!("crit_key_{i}"),
                "รหัสย่อของเกณฑ์ซ้ำกัน กรุณาใช้รหัสที่ไม่ซ้ำ",
            ));
            continue;
        }
        let weight = match whole(&c.weight) {
            Some(w) if w <= 100 => w as u32,
            _ => {
                errors.push(FieldError::new(
                    format!("crit_weight_{i}"),
                    "กรุณาใส่น้ำหนักเป็นร้อยละ (0–100)",
                ));
                continue;
            }
        };
        let max_points = match whole(&c.max_points) {
            Some(m) if (1..=1000).contains(&m) => m as u32,
            _ => {
                errors.push(FieldError::new(
                    format!("crit_max_{i}"),
                    "คะแนนเต็มต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป",
                ));
                continue;
            }
        };
        s.rubric.push(Criterion {
            key,
            name: name.chars().take(300).collect(),
            weight,
            max_points,
            levels: c
                .levels
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        });
    }
    if !s.rubric.is_empty() {
        let sum: u32 = s.rubric.iter().map(|c| c.weight).sum();
        if sum != 100 {
            errors.push(FieldError::new(
                "criteria",
                format!("น้ำหนักของทุกเกณฑ์รวมกันต้องได้ 100 (ตอนนี้รวมได้ {sum})"),
            ));
        }
    }
    s.advance_per_branch = match whole(&input.advance) {
        Some(n) if (1..=1000).contains(&n) => n as u32,
        _ => {
            errors.push(FieldError::new(
                "advance",
                "จำนวนที่ผ่านเข้ารอบต่อสาขาต้องตั้งแต่ 1 ขึ้นไป",
            ));
            1
        }
    };
    for t in &input.tie_breaks {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let rule = if t == "chair" {
            TieBreak::ChairDecision
        } else if let Some(k) = t.strip_prefix("criterion:")
            && s.rubric.iter().any(|c| c.key == k)
        {
            TieBreak::Criterion(k.to_string())
        } else {
            errors.push(FieldError::new(
                "tie_breaks",
                "เกณฑ์ตัดสินเมื่อคะแนนเท่ากันต้องเป็นเกณฑ์ในรายการ หรือ \"ประธานกรรมการตัดสิน\"",
            ));
            continue;
        };
        if !s.tie_breaks.contains(&rule) {
            s.tie_breaks.push(rule);
        }
    }
    let template = input.entry_template.trim();
    s.entry_template = (!template.is_empty()).then(|| template.to_string());
    s
}

/// What must be set before a round opens.
fn ready_to_open(round: &Round) -> Vec<FieldError> {
    let s = &round.settings;
    let mut errors = Vec::new();
    if s.branches.is_empty() {
        errors.push(FieldError::new(
            "branches",
            "ก่อนเปิดรับ กรุณาเลือกอย่างน้อย 1 สาขา",
        ));
    }
    if s.documents.is_empty() {
        errors.push(FieldError::new(
            "documents",
            "ก่อนเปิดรับ กรุณากำหนดเอกสารที่ต้องส่งอย่างน้อย 1 รายการ",
        ));
    }
    if s.rubric.is_empty() {
        errors.push(FieldError::new(
            "criteria",
            "ก่อนเปิดรับ กรุณากำหนดเกณฑ์การให้คะแนนอย่างน้อย 1 ข้อ",
        ));
    }
    errors
}

/// The registration form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EntrantInput {
    #[serde(default)]
    pub branch: String,
    /// `person` or `office`.
    #[serde(default)]
    pub kind: String,
    /// A person of the register (their number), or empty for a new one.
    #[serde(default)]
    pub person_id: String,
    /// A new person: name (recorded in the register under the round's organising unit).
    #[serde(default)]
    pub new_name: String,
    /// An office: the unit id.
    #[serde(default)]
    pub office: String,
    /// ProvinceCode; empty: the person's province.
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub allow_duplicate: Option<String>,
}

/// An entry as its page shows it (to the entrant through the link, or to an officer).
pub struct EntryView {
    pub entry: Entry,
    pub round: Round,
    pub contest: Contest,
    pub documents: Vec<EntryDocument>,
    /// Each requirement with the documents answering it.
    pub checklist: Vec<(RequiredDocument, Vec<EntryDocument>)>,
    /// Documents that answer no requirement of this round: brought up from the round below
    /// (whose requirements may differ), kept and shown, never lost.
    pub others: Vec<EntryDocument>,
    /// Required documents still missing.
    pub missing: usize,
    /// Open and within the window: documents may be added and removed.
    pub editable: bool,
    /// Why not, in Thai (before opening, after the deadline, round not open).
    pub closed_reason: Option<String>,
    /// "15 ก.พ. 2568 เวลา 16:30 น."
    pub deadline: String,
    pub time_left: Option<String>,
    /// For officers: whether the entry has a link, and whether it is revoked.
    pub link: Option<super::model::EntryLinkState>,
    /// The signed-in viewer may run this round (register, revoke, download).
    pub may_run: bool,
}

/// Who acts on an entry: an officer signed in, or the holder of the entry link.
pub enum EntryAccess<'a> {
    Officer(&'a Actor),
    Link(&'a str),
}

/// The organiser's page of a round.
pub struct RoundDashboard {
    pub round: Round,
    pub contest: Contest,
    pub stats: RoundStats,
    pub entries: Page<Entry>,
    pub now: OffsetDateTime,
}

/// A link revoked: the Thai sentence the entrant sees.
pub const LINK_REVOKED: &str = "ลิงก์นี้ถูกยกเลิกแล้ว กรุณาติดต่อเจ้าหน้าที่";

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

    /// Registers an entrant in an open round (before its deadline): a person of the register
    /// (picked by number, or recorded here) or an office. Gives the entry its receipt and
    /// link; the link's secret is returned once and only its hash is kept.
    pub async fn register_entrant(
        &self,
        actor: &Actor,
        round_id: RoundId,
        input: &EntrantInput,
    ) -> DomainResult<(Entry, Secret)> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let round = self.round_for_organiser(actor, round_id).await?;
        let now = self.clock.now();
        if let Some(why) = closed_reason(&round, now) {
            return Err(DomainError::Conflict(why));
        }
        let mut errors = Vec::new();
        let branch = whole(&input.branch)
            .map(|n| TermId(n as i64))
            .filter(|b| round.settings.branches.contains(b));
        if branch.is_none() {
            errors.push(FieldError::new("branch", "กรุณาเลือกสาขาที่สมัคร"));
        }
        let typed_province = if input.province.trim().is_empty() {
            None
        } else {
            match ProvinceCode::parse(input.province.trim()) {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.push(FieldError::new("province", "กรุณาเลือกจังหวัดจากรายการ"));
                    None
                }
            }
        };
        let tree = self.unit_tree().await?;
        let (entrant, name, unit_id, default_province) = match input.kind.trim() {
            "office" => {
                let unit = whole(&input.office)
                    .map(|n| UnitId(n as i64))
                    .and_then(|u| tree.get(u));
                match unit {
                    Some(u) => (
                        Some(Entrant::Office(u.id)),
                        u.name_th.as_str().to_string(),
                        u.id,
                        None,
                    ),
                    None => {
                        errors.push(FieldError::new("office", "กรุณาเลือกหน่วยงานที่สมัคร"));
                        (None, String::new(), round.unit_id, None)
                    }
                }
            }
            _ => {
                let people = self
                    .people
                    .clone()
                    .ok_or_else(|| DomainError::internal("person register store not configured"))?;
                let picked = if !input.person_id.trim().is_empty() {
                    match whole(&input.person_id) {
                        Some(n) => match people.get_person(PersonId(n as i64)).await {
                            Ok(p) if p.merged_into.is_none() && !p.erased => Some(p),
                            Ok(_) | Err(crate::error::PortError::NotFound) => {
                                errors.push(FieldError::new(
                                    "person_id",
                                    "ไม่พบบุคคลเลขที่นี้ในทะเบียน กรุณาค้นหาแล้วเลือกใหม่",
                                ));
                                None
                            }
                            Err(e) => return Err(e.into()),
                        },
                        None => {
                            errors.push(FieldError::new(
                                "person_id",
                                "เลขที่บุคคลต้องเป็นตัวเลข กรุณาค้นหาแล้วเลือกใหม่",
                            ));
                            None
                        }
                    }
                } else if !input.new_name.trim().is_empty() {
                    if errors.is_empty() {
                        let draft = PersonDraft {
                            name: input.new_name.clone(),
                            place: PlaceDraft {
                                province: input.province.clone(),
                                ..Default::default()
                            },
                            ..Default::default()
                        };
                        let id = self
                            .create_person(
                                actor,
                                PersonInput {
                                    unit_id: round.unit_id,
                                    draft,
                                    prefix: "new".into(),
                                    allow_duplicate: input.allow_duplicate.is_some(),
                                },
                            )
                            .await?;
                        Some(people.get_person(id).await?)
                    } else {
                        None
                    }
                } else {
                    errors.push(FieldError::new(
                        "person_id",
                        "กรุณาเลือกบุคคลจากทะเบียน หรือใส่ชื่อเพื่อบันทึกบุคคลใหม่",
                    ));
                    None
                };
                match picked {
                    Some(p) => (
                        Some(Entrant::Person(p.id)),
                        p.name.clone(),
                        round.unit_id,
                        p.place.as_ref().map(|pl| pl.province),
                    ),
                    None => (None, String::new(), round.unit_id, None),
                }
            }
        };
        let province = typed_province.or(default_province);
        if let Some(p) = province
            && !round.area.covers_province(p)
        {
            errors.push(FieldError::new(
                "province",
                format!(
                    "จังหวัด{} ไม่อยู่ในพื้นที่ของรอบนี้ ({})",
                    Gazetteer::get().province_name(p),
                    round.area.label_th()
                ),
            ));
        }
        if let (Area::Unit(root), Some(Entrant::Office(u))) = (round.area, entrant)
            && !tree.is_within(u, root)
        {
            errors.push(FieldError::new("office", "หน่วยงานนี้ไม่อยู่ในสังกัดที่รอบนี้รับสมัคร"));
        }
        if province.is_none() && !matches!(round.area, Area::Nation | Area::Unit(_)) {
            errors.push(FieldError::new("province", "กรุณาเลือกจังหวัดของผู้สมัคร"));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let (Some(entrant), Some(branch)) = (entrant, branch) else {
            return Err(DomainError::internal("entrant parsed without errors"));
        };
        let secret = Secret::generate("");
        let entry = self
            .rounds_store()?
            .insert_entry(&NewEntry {
                round_id: round.id,
                branch,
                entrant,
                name,
                unit_id,
                province,
                answers: None,
                link_hash: secret.hash().0,
                created_by: me,
                at: now,
            })
            .await?;
        self.audit(
            Some(me),
            "contest.entry.register",
            format!("entry:{}", entry.id),
            format!("{} ({})", entry.receipt, entry.name),
        )
        .await?;
        Ok((entry, secret))
    }

    /// Resolves who acts on an entry: an officer who runs the entry's round, or the holder of
    /// its (unrevoked) link. Returns the entry, its round, and the officer's id if any.
    async fn entry_access(
        &self,
        access: &EntryAccess<'_>,
        entry: Option<EntryId>,
    ) -> DomainResult<(Entry, Round, Option<UserId>)> {
        let store = self.rounds_store()?;
        match access {
            EntryAccess::Officer(actor) => {
                let id = entry.ok_or(DomainError::NotFound)?;
                let e = store.get_entry(id).await?;
                let round = self.round_for_organiser(actor, e.round_id).await?;
                Ok((e, round, actor.user_id()))
            }
            EntryAccess::Link(secret) => {
                let hash = Secret::from_presented(secret).hash().0;
                let state = match store.entry_by_link(&hash).await {
                    Ok(s) => s,
                    Err(crate::error::PortError::NotFound) => return Err(DomainError::NotFound),
                    Err(e) => return Err(e.into()),
                };
                if !state.current || state.revoked_at.is_some() {
                    return Err(DomainError::Conflict(LINK_REVOKED.into()));
                }
                if entry.is_some_and(|id| id != state.entry) {
                    return Err(DomainError::NotFound);
                }
                let e = store.get_entry(state.entry).await?;
                let round = store.get_round(e.round_id).await?;
                Ok((e, round, None))
            }
        }
    }

    /// An entry's page: checklist, deadline, time left, receipt.
    pub async fn entry_view(
        &self,
        access: &EntryAccess<'_>,
        entry: Option<EntryId>,
    ) -> DomainResult<EntryView> {
        let (entry, round, officer) = self.entry_access(access, entry).await?;
        let store = self.rounds_store()?;
        let contest = store.get_contest(round.contest_id).await?;
        let documents = store.entry_documents(entry.id).await?;
        let checklist: Vec<(RequiredDocument, Vec<EntryDocument>)> = round
            .settings
            .documents
            .iter()
            .map(|d| {
                (
                    d.clone(),
                    documents
                        .iter()
                        .filter(|x| x.requirement == d.key)
                        .cloned()
                        .collect(),
                )
            })
            .collect();
        let missing = checklist
            .iter()
            .filter(|(d, docs)| d.required && docs.is_empty())
            .count();
        let others = documents
            .iter()
            .filter(|x| {
                !round
                    .settings
                    .documents
                    .iter()
                    .any(|d| d.key == x.requirement)
            })
            .cloned()
            .collect();
        let now = self.clock.now();
        let closed_reason = closed_reason(&round, now);
        let link = match officer {
            Some(_) => store.entry_link(entry.id).await?,
            None => None,
        };
        Ok(EntryView {
            editable: closed_reason.is_none(),
            closed_reason,
            deadline: deadline_text(round.closes_at),
            time_left: time_left_text(now, round.closes_at),
            link,
            may_run: officer.is_some(),
            entry,
            round,
            contest,
            documents,
            checklist,
            others,
            missing,
        })
    }

    /// Adds a document to an entry for one requirement: the type is sniffed from the first
    /// bytes and must be one the requirement accepts, the size within its limit; refused
    /// (nothing stored) outside the window.
    pub async fn add_entry_document(
        &self,
        access: &EntryAccess<'_>,
        entry: Option<EntryId>,
        requirement: &str,
        raw_name: &str,
        body: ByteStream,
    ) -> DomainResult<EntryDocument> {
        let (entry, round, officer) = self.entry_access(access, entry).await?;
        let now = self.clock.now();
        if let Some(why) = closed_reason(&round, now) {
            return Err(DomainError::Conflict(why));
        }
        let Some(req) = round
            .settings
            .documents
            .iter()
            .find(|d| d.key == requirement)
        else {
            return Err(DomainError::invalid(
                "requirement",
                "กรุณาเลือกเอกสารที่จะส่งจากรายการ",
            ));
        };
        let name = FileName::parse(raw_name)?;
        let (head, rest) = read_head(body).await?;
        let sniffed = sniff(&head, name.as_str())?;
        let name = sniffed.name_for(&name);
        if !req.kinds.is_empty() && !req.kinds.iter().any(|k| k == sniffed.kind.as_str()) {
            let accepted: Vec<&str> = req
                .kinds
                .iter()
                .filter_map(|k| FileKind::parse(k))
                .map(FileKind::label_th)
                .collect();
            return Err(DomainError::invalid(
                "file",
                format!(
                    "\"{}\" ต้องเป็นไฟล์ {} แต่ไฟล์ที่เลือกเป็น {} กรุณาเลือกไฟล์ใหม่",
                    req.name,
                    accepted.join(" หรือ "),
                    sniffed.kind.label_th()
                ),
            ));
        }
        let (sha, size) = self
            .store_content(head, rest, req.max_bytes, sniffed.mime)
            .await?;
        // The deadline may pass while a large file streams in: the time it ends decides.
        let done = self.clock.now();
        if let Some(why) = closed_reason(&round, done) {
            return Err(DomainError::Conflict(why));
        }
        let doc = self
            .rounds_store()?
            .insert_document(&NewEntryDocument {
                entry_id: entry.id,
                requirement: req.key.clone(),
                name: name.as_str().to_string(),
                sha256: sha,
                size,
                mime: sniffed.mime.to_string(),
                kind: sniffed.kind,
                at: done,
            })
            .await?;
        self.audit(
            officer,
            "contest.document.add",
            format!("entry:{}", entry.id),
            format!("{} {} ({} bytes)", req.key, doc.name, doc.size),
        )
        .await?;
        Ok(doc)
    }

    /// Removes a document of an entry, within the window.
    pub async fn remove_entry_document(
        &self,
        access: &EntryAccess<'_>,
        entry: Option<EntryId>,
        document: i64,
    ) -> DomainResult<()> {
        let (entry, round, officer) = self.entry_access(access, entry).await?;
        let now = self.clock.now();
        if let Some(why) = closed_reason(&round, now) {
            return Err(DomainError::Conflict(why));
        }
        let doc = self
            .rounds_store()?
            .remove_document(entry.id, document, now)
            .await?;
        self.audit(
            officer,
            "contest.document.remove",
            format!("entry:{}", entry.id),
            format!("{} {}", doc.requirement, doc.name),
        )
        .await
    }

    /// Opens one document's bytes (the entrant through the link, officers of the round).
    pub async fn open_entry_document(
        &self,
        access: &EntryAccess<'_>,
        entry: Option<EntryId>,
        document: i64,
    ) -> DomainResult<(EntryDocument, u64, ByteStream)> {
        let (entry, _, _) = self.entry_access(access, entry).await?;
        let docs = self.rounds_store()?.entry_documents(entry.id).await?;
        let doc = docs
            .into_iter()
            .find(|d| d.id == document)
            .ok_or(DomainError::NotFound)?;
        let (size, stream) = self.blobs.get(&blob_key(&doc.sha256), None).await?;
        Ok((doc, size, stream))
    }

    /// An entry's documents for the ZIP of offline judging: officers of the round only.
    pub async fn entry_documents_for_zip(
        &self,
        actor: &Actor,
        entry: EntryId,
    ) -> DomainResult<(Entry, Vec<EntryDocument>)> {
        let (entry, _, _) = self
            .entry_access(&EntryAccess::Officer(actor), Some(entry))
            .await?;
        let docs = self.rounds_store()?.entry_documents(entry.id).await?;
        if let Some(me) = actor.user_id() {
            self.audit(
                Some(me),
                "contest.entry.zip",
                format!("entry:{}", entry.id),
                format!("{} documents", docs.len()),
            )
            .await?;
        }
        Ok((entry, docs))
    }

    /// The bytes of one stored document (for the ZIP, after [`Self::entry_documents_for_zip`]).
    pub async fn document_bytes(&self, doc: &EntryDocument) -> DomainResult<ByteStream> {
        let (_, stream) = self.blobs.get(&blob_key(&doc.sha256), None).await?;
        Ok(stream)
    }

    /// Gives an entry a new link (the old one stops working); the secret is shown once.
    pub async fn reissue_entry_link(&self, actor: &Actor, entry: EntryId) -> DomainResult<Secret> {
        let (entry, _, me) = self
            .entry_access(&EntryAccess::Officer(actor), Some(entry))
            .await?;
        let secret = Secret::generate("");
        self.rounds_store()?
            .set_entry_link(entry.id, &secret.hash().0, self.clock.now())
            .await?;
        self.audit(
            me,
            "contest.link.issue",
            format!("entry:{}", entry.id),
            String::new(),
        )
        .await?;
        Ok(secret)
    }

    /// Revokes an entry's link: it then says [`LINK_REVOKED`] and changes nothing.
    pub async fn revoke_entry_link(&self, actor: &Actor, entry: EntryId) -> DomainResult<()> {
        let (entry, _, me) = self
            .entry_access(&EntryAccess::Officer(actor), Some(entry))
            .await?;
        self.rounds_store()?
            .revoke_entry_link(entry.id, self.clock.now())
            .await?;
        self.audit(
            me,
            "contest.link.revoke",
            format!("entry:{}", entry.id),
            String::new(),
        )
        .await
    }

    /// The entry a link (unrevoked) opens.
    pub(crate) async fn entry_of_link(&self, secret: &str) -> DomainResult<EntryId> {
        let (entry, _, _) = self.entry_access(&EntryAccess::Link(secret), None).await?;
        Ok(entry.id)
    }

    /// Checks a resumable upload before it starts: the link works, the window is open, the
    /// requirement exists and `length` is within its limit. Returns the entry and the key.
    pub(crate) async fn entry_upload_target(
        &self,
        secret: &str,
        requirement: &str,
        length: u64,
    ) -> DomainResult<(EntryId, String)> {
        let (entry, round, _) = self.entry_access(&EntryAccess::Link(secret), None).await?;
        if let Some(why) = closed_reason(&round, self.clock.now()) {
            return Err(DomainError::Conflict(why));
        }
        let Some(req) = round
            .settings
            .documents
            .iter()
            .find(|d| d.key == requirement)
        else {
            return Err(DomainError::invalid(
                "requirement",
                "กรุณาเลือกเอกสารที่จะส่งจากรายการ",
            ));
        };
        if length > req.max_bytes {
            return Err(DomainError::TooLarge(format!(
                "ไฟล์ใหญ่เกิน {} — ลองย่อวิดีโอหรือแบ่งเป็นหลายไฟล์",
                crate::file::human_size(req.max_bytes)
            )));
        }
        Ok((entry.id, req.key.clone()))
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
