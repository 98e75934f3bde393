//! Entrants and their entry links, apart from the round set-up in [`super`]: registering is
//! where the person register and the link secret meet, and the link is the only key an
//! entrant holds, so who may act on an entry is decided here, in one place (`entry_access`).

use super::{closed_reason, deadline_text, time_left_text, whole};
use crate::account::Secret;
use crate::contests::model::{
    Area, Contest, Entrant, Entry, EntryDocument, EntryLinkState, NewEntry, RequiredDocument, Round,
};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::geo::{Gazetteer, PlaceDraft, ProvinceCode};
use crate::ids::{EntryId, PersonId, RoundId, TermId, UnitId, UserId};
use crate::org::Actor;
use crate::people::model::{PersonDraft, PersonInput};
use crate::service::Khlang;
use serde::Deserialize;

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
    pub link: Option<EntryLinkState>,
    /// The signed-in viewer may run this round (register, revoke, download).
    pub may_run: bool,
}

/// Who acts on an entry: an officer signed in, or the holder of the entry link.
pub enum EntryAccess<'a> {
    Officer(&'a Actor),
    Link(&'a str),
}

/// A link revoked: the Thai sentence the entrant sees.
pub const LINK_REVOKED: &str = "ลิงก์นี้ถูกยกเลิกแล้ว กรุณาติดต่อเจ้าหน้าที่";

impl Khlang {
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
    pub(super) async fn entry_access(
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
}
