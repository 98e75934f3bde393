//! The contest's shared vocabulary: contests, rounds and their settings, entries, documents,
//! judges, scores. Types only, and the small rules that belong to one type; ranking and
//! conflicts live in [`super::rules`].

use crate::FieldError;
use crate::geo::{Gazetteer, HealthZone, ProvinceCode, RegionalCentre};
use crate::ids::{ContestId, EntryId, PersonId, RoundId, TermId, UnitId, UserId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Who a contest is for: volunteers (อสม.ดีเด่น, seeds 000/002) or offices (สุดยอดสำนักงาน
/// พัฒนาชุมชนอำเภอแห่งการเรียนรู้, seed 001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContestKind {
    Volunteer,
    Office,
}

impl ContestKind {
    pub const ALL: [ContestKind; 2] = [ContestKind::Volunteer, ContestKind::Office];

    pub fn as_str(self) -> &'static str {
        match self {
            ContestKind::Volunteer => "volunteer",
            ContestKind::Office => "office",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_th(self) -> &'static str {
        match self {
            ContestKind::Volunteer => "บุคคล (อสม. / ผู้ปฏิบัติงาน)",
            ContestKind::Office => "หน่วยงาน / สำนักงาน",
        }
    }
}

/// การคัดเลือก: one contest of one year, organised by a unit, made of rounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contest {
    pub id: ContestId,
    /// The unit that runs the whole contest (its officers create rounds).
    pub unit_id: UnitId,
    /// "การคัดเลือก อสม.ดีเด่น ระดับชาติ ปี 2568"
    pub title: String,
    /// ปีงบประมาณ (BE).
    pub fiscal_year: i32,
    pub kind: ContestKind,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
}

/// The level of a round; entries climb province → health zone → region → nation.
/// Office contests may use any unit level ([`RoundLevel::Unit`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundLevel {
    Unit,
    Province,
    HealthZone,
    Region,
    National,
}

impl RoundLevel {
    pub const ALL: [RoundLevel; 5] = [
        RoundLevel::Unit,
        RoundLevel::Province,
        RoundLevel::HealthZone,
        RoundLevel::Region,
        RoundLevel::National,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundLevel::Unit => "unit",
            RoundLevel::Province => "province",
            RoundLevel::HealthZone => "health_zone",
            RoundLevel::Region => "region",
            RoundLevel::National => "national",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_th(self) -> &'static str {
        match self {
            RoundLevel::Unit => "ระดับหน่วยงาน",
            RoundLevel::Province => "ระดับจังหวัด",
            RoundLevel::HealthZone => "ระดับเขตสุขภาพ",
            RoundLevel::Region => "ระดับภาค",
            RoundLevel::National => "ระดับชาติ",
        }
    }
}

/// Where a round draws its entrants from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Area {
    Province(ProvinceCode),
    HealthZone(HealthZone),
    Region(RegionalCentre),
    Nation,
    /// An office contest's round: the entrants are units under this one.
    Unit(UnitId),
}

impl Area {
    /// Stable key for storage and URLs: `p:40`, `z:7`, `r:ne`, `n`, `u:12`.
    pub fn key(self) -> String {
        match self {
            Area::Province(p) => format!("p:{p}"),
            Area::HealthZone(z) => format!("z:{}", z.number()),
            Area::Region(r) => format!("r:{}", r.key()),
            Area::Nation => "n".into(),
            Area::Unit(u) => format!("u:{u}"),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (kind, rest) = s.split_once(':').unwrap_or((s, ""));
        match kind {
            "p" => ProvinceCode::parse(rest).ok().map(Area::Province),
            "z" => rest
                .parse()
                .ok()
                .and_then(HealthZone::new)
                .map(Area::HealthZone),
            "r" => RegionalCentre::parse(rest).map(Area::Region),
            "n" if rest.is_empty() => Some(Area::Nation),
            "u" => rest.parse().ok().map(|n| Area::Unit(UnitId(n))),
            _ => None,
        }
    }

    /// Whether an entrant from `province` belongs to this area (units: decided by the caller
    /// with the unit tree).
    pub fn covers_province(self, province: ProvinceCode) -> bool {
        let Some(p) = Gazetteer::get().province(province) else {
            return false;
        };
        match self {
            Area::Province(code) => code == province,
            Area::HealthZone(z) => p.health_zone == z,
            Area::Region(r) => p.regional_centre == r,
            Area::Nation | Area::Unit(_) => true,
        }
    }

    /// "จังหวัดขอนแก่น", "เขตสุขภาพที่ 7", "สสม.ภาคตะวันออกเฉียงเหนือ", "ทั่วประเทศ".
    pub fn label_th(self) -> String {
        match self {
            Area::Province(p) => format!("จังหวัด{}", Gazetteer::get().province_name(p)),
            Area::HealthZone(z) => z.label_th(),
            Area::Region(r) => r.short_th().to_string(),
            Area::Nation => "ทั่วประเทศ".into(),
            Area::Unit(_) => "หน่วยงานในสังกัด".into(),
        }
    }
}

/// A round's life: everything but the status is editable only in draft (changes after
/// opening are refused, and the status changes are audited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    /// ฉบับร่าง: being set up.
    Draft,
    /// เปิดรับสมัคร: entries may be registered and completed until `closes_at`.
    Open,
    /// ปิดรับสมัคร
    Closed,
    /// กำลังพิจารณา: judges score.
    Judging,
    /// ประกาศผลแล้ว: results public; advancing entries copied to the next round.
    Published,
}

impl RoundStatus {
    pub const ALL: [RoundStatus; 5] = [
        RoundStatus::Draft,
        RoundStatus::Open,
        RoundStatus::Closed,
        RoundStatus::Judging,
        RoundStatus::Published,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Draft => "draft",
            RoundStatus::Open => "open",
            RoundStatus::Closed => "closed",
            RoundStatus::Judging => "judging",
            RoundStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label_th(self) -> &'static str {
        match self {
            RoundStatus::Draft => "ฉบับร่าง",
            RoundStatus::Open => "เปิดรับสมัคร",
            RoundStatus::Closed => "ปิดรับสมัคร",
            RoundStatus::Judging => "กำลังพิจารณา",
            RoundStatus::Published => "ประกาศผลแล้ว",
        }
    }

    /// The one step forward from here (draft → open → closed → judging → published).
    pub fn next(self) -> Option<Self> {
        match self {
            RoundStatus::Draft => Some(RoundStatus::Open),
            RoundStatus::Open => Some(RoundStatus::Closed),
            RoundStatus::Closed => Some(RoundStatus::Judging),
            RoundStatus::Judging => Some(RoundStatus::Published),
            RoundStatus::Published => None,
        }
    }
}

/// A document every entry must (or may) carry: "แบบประวัติ", "สไลด์นำเสนอ", "คลิปวิดีโอ".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequiredDocument {
    /// Stable key within the round (`profile`, `slides`).
    pub key: String,
    pub name: String,
    /// Accepted kinds ([`crate::file::FileKind::as_str`]); empty: any kind khlang accepts.
    pub kinds: Vec<String>,
    /// Size limit of one file, in bytes.
    pub max_bytes: u64,
    pub required: bool,
}

/// One criterion of the rubric (เกณฑ์การให้คะแนน).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// Stable key within the round (`impact`).
    pub key: String,
    pub name: String,
    /// Weight in percent; a round's weights add up to 100. The weighted total of an entry
    /// is Σ points / max_points × weight, so it runs from 0 to 100.
    pub weight: u32,
    /// The most points a judge may give (the least is 0); whole points.
    pub max_points: u32,
    /// What each level means, best first ("5 = ... ", "4 = ..."), shown to judges.
    #[serde(default)]
    pub levels: Vec<String>,
}

/// How equal totals are ordered, in the order declared before judging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule", content = "criterion")]
pub enum TieBreak {
    /// The higher (weighted, averaged over judges) score on this criterion ranks first.
    Criterion(String),
    /// The chair of the branch's judges orders what is still tied.
    ChairDecision,
}

/// Everything a round's organiser sets up while it is a draft.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RoundSettings {
    /// The branches (สาขา, terms of [`crate::innovations::model::BRANCH_TAXONOMY`]) the round
    /// takes entries in.
    pub branches: Vec<TermId>,
    pub documents: Vec<RequiredDocument>,
    /// The form template entrants fill in (its key), if any.
    #[serde(default)]
    pub entry_template: Option<String>,
    pub rubric: Vec<Criterion>,
    /// How many entries per branch go on to the next round.
    pub advance_per_branch: u32,
    pub tie_breaks: Vec<TieBreak>,
}

/// รอบการคัดเลือก: one level of a contest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub id: RoundId,
    pub contest_id: ContestId,
    /// "ระดับจังหวัดขอนแก่น"
    pub title: String,
    pub level: RoundLevel,
    /// The organising unit: its officers run the round.
    pub unit_id: UnitId,
    pub area: Area,
    /// The round that this round's winners go on to (None: the last round).
    pub next_round: Option<RoundId>,
    pub status: RoundStatus,
    /// Submission window; the server's clock decides, shown in Asia/Bangkok.
    pub opens_at: OffsetDateTime,
    pub closes_at: OffsetDateTime,
    pub settings: RoundSettings,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Who an entry is from: a person of the register, or an office (a unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entrant {
    Person(PersonId),
    Office(UnitId),
}

/// ผลงานที่ส่งเข้าประกวด: one entrant in one round and branch.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: EntryId,
    pub round_id: RoundId,
    pub branch: TermId,
    pub entrant: Entrant,
    /// The entrant's name as shown on the result sheet (a person's public name, or the
    /// office's name); erased persons show as their placeholder.
    pub name: String,
    /// The unit that registered the entrant (for offices: the office itself).
    pub unit_id: UnitId,
    /// The entrant's province, for the organiser's tables and the judges' conflicts.
    pub province: Option<ProvinceCode>,
    /// เลขที่รับ: given at registration, shown on every receipt ("ขก-2568-0001").
    pub receipt: String,
    /// The entry form's answers (a [`crate::forms::model::Entry`]), if the round has one.
    pub answers: Option<crate::forms::model::Entry>,
    /// The entry in the lower round this one was promoted from (its scores stay there).
    pub promoted_from: Option<EntryId>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A file of an entry: the bytes are the content-addressed blob shared with the
/// repository's files, so a promoted entry's documents cost no new bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDocument {
    pub id: i64,
    pub entry_id: EntryId,
    /// Which [`RequiredDocument`] it answers.
    pub requirement: String,
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub mime: String,
    pub kind: crate::file::FileKind,
    pub added_at: OffsetDateTime,
}

/// กรรมการ: a judge of one branch of one round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judge {
    pub round_id: RoundId,
    pub user_id: UserId,
    pub branch: TermId,
    /// Where the judge comes from, for conflicts of interest: their unit and province.
    pub unit_id: UnitId,
    pub province: Option<ProvinceCode>,
    /// ประธานกรรมการ: orders ties under [`TieBreak::ChairDecision`].
    pub chair: bool,
}

/// Why a judge does not score an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConflictReason {
    SameUnit,
    SameProvince,
    SameHealthZone,
    /// Declared by the judge, in their words (the organiser sees them).
    Declared(String),
}

impl ConflictReason {
    pub fn label_th(&self) -> String {
        match self {
            ConflictReason::SameUnit => "สังกัดหน่วยงานเดียวกับผู้สมัคร".into(),
            ConflictReason::SameProvince => "อยู่จังหวัดเดียวกับผู้สมัคร".into(),
            ConflictReason::SameHealthZone => "อยู่เขตสุขภาพเดียวกับผู้สมัคร".into(),
            ConflictReason::Declared(why) => format!("แจ้งเอง: {why}"),
        }
    }
}

/// One judge's points on one criterion of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub entry_id: EntryId,
    pub judge: UserId,
    pub criterion: String,
    pub points: u32,
    pub comment: Option<String>,
}

/// A round's title, trimmed, 1–300 graphemes.
pub fn parse_title(raw: &str, field: &'static str) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, "กรุณาใส่ชื่อ"));
    }
    if unicode_segmentation::UnicodeSegmentation::graphemes(t, true).count() > 300 {
        return Err(FieldError::new(field, "ชื่อยาวเกิน 300 ตัวอักษร"));
    }
    Ok(t.to_string())
}

// --- rounds helper ---

/// An entry about to be stored: the store gives it its receipt number (เลขที่รับ).
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub round_id: RoundId,
    pub branch: TermId,
    pub entrant: Entrant,
    pub name: String,
    pub unit_id: UnitId,
    pub province: Option<ProvinceCode>,
    pub answers: Option<crate::forms::model::Entry>,
    /// SHA-256 (hex) of the entry link's secret.
    pub link_hash: String,
    pub created_by: UserId,
    pub at: OffsetDateTime,
}

/// A document about to be stored for an entry (its bytes are already a blob).
#[derive(Debug, Clone)]
pub struct NewEntryDocument {
    pub entry_id: EntryId,
    pub requirement: String,
    pub name: String,
    pub sha256: String,
    pub size: u64,
    pub mime: String,
    pub kind: crate::file::FileKind,
    pub at: OffsetDateTime,
}

/// The state of an entry's link as the store keeps it (only the secret's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryLinkState {
    pub entry: EntryId,
    /// Whether the link that was looked up is the entry's current one (false: an older link
    /// that a reissue replaced).
    pub current: bool,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Which entries of a round the organiser's list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntryFilter {
    pub branch: Option<TermId>,
    pub province: Option<ProvinceCode>,
    /// Some(true): entries with every required document; Some(false): those missing one.
    pub complete: Option<bool>,
}

/// One cell of the organiser's table: entries of one branch from one province.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryCount {
    pub branch: TermId,
    pub province: Option<ProvinceCode>,
    pub entries: u64,
    pub complete: u64,
}

/// The organiser's numbers for one round.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoundStats {
    pub cells: Vec<EntryCount>,
    pub entries: u64,
    /// Entries with every required document.
    pub complete: u64,
    pub documents: u64,
    /// Bytes of the round's documents, each distinct file (SHA-256) counted once.
    pub bytes: u64,
}

/// The keys of a round's required (not optional) documents.
pub fn required_keys(settings: &RoundSettings) -> Vec<String> {
    settings
        .documents
        .iter()
        .filter(|d| d.required)
        .map(|d| d.key.clone())
        .collect()
}

// --- judging helper ---

/// A conflict of interest a judge declared for one entry (the organiser sees it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredConflict {
    pub entry_id: EntryId,
    pub judge: UserId,
    pub reason: String,
    pub declared_at: OffsetDateTime,
}

/// A judge's score sheet for one entry: its version guards against two saves at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetState {
    pub entry_id: EntryId,
    pub judge: UserId,
    /// 1 after the first save, one more after each save.
    pub version: i64,
    pub saved_at: OffsetDateTime,
}

/// One row of a published result sheet, frozen at publication.
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub entry_id: EntryId,
    pub round_id: RoundId,
    pub branch: TermId,
    pub rank: u32,
    /// The entry's weighted total (0–100).
    pub total: f64,
    /// Why this rank, in Thai.
    pub reason: String,
    /// Copied into the next round.
    pub advanced: bool,
    pub published_at: OffsetDateTime,
}
