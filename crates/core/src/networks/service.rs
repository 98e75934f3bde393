//! Registry use-cases. Anyone with ViewUnitContent on a unit reads its register (names,
//! positions, units, works); officers who manage the person (ManagePeople on the unit that
//! keeps them) also see the phone, and each such read is audited ("person.read") as on the
//! person register. ManageKnowledge or ManagePeople on the unit adds, edits and removes rows.

use super::model::{Member, MemberDraft, MemberRow, Registry};
use super::ports::{NetworkStore, NewMember};
use crate::error::{DomainError, DomainResult, FieldError, PortError};
use crate::ids::{MemberId, PersonId, UnitId, UserId};
use crate::org::{Action, Actor, Target, UnitTree, authorize};
use crate::paging::PageNumber;
use crate::people::{ANONYMOUS, PeopleStore, Person};
use crate::ports::{AuditEntry, Page};
use crate::service::Khlang;
use std::collections::HashMap;
use std::sync::Arc;

/// Rows per page of a register.
pub const PER_PAGE: u64 = 50;

/// A page of a unit's register (the unit and the units below it).
#[derive(Debug, Clone)]
pub struct RegisterPage {
    pub registry: Registry,
    pub unit_id: UnitId,
    pub rows: Page<MemberRow>,
    /// ManageKnowledge or ManagePeople on the unit: may add, edit, remove and import.
    pub may_manage: bool,
    /// ManagePeople on the unit: the phone column is shown (and its reads audited).
    pub officer: bool,
}

/// One row for its edit page.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub member: Member,
    pub name: String,
}

/// A register as its sheet: the seed's columns (the phone only for officers) and rows.
#[derive(Debug, Clone)]
pub struct RegisterSheet {
    pub title: String,
    pub headings: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// The seed's columns (ทะเบียนรายชื่อเครือข่ายผู้จัดการความรู้, seed 003; ทำเนียบครูฝึก).
pub fn headings(registry: Registry, with_phone: bool) -> Vec<&'static str> {
    let mut h: Vec<&'static str> = match registry {
        Registry::Network => vec![
            "ที่",
            "ชื่อ - สกุล",
            "ตำแหน่ง",
            "สังกัด",
            "เบอร์โทรศัพท์",
            "ผลงาน/รางวัล ด้านการจัดการความรู้ (ถ้ามี)",
            "ผ่านอบรมกิจกรรมที่ ๑.๒ (ผ่าน/ไม่ผ่าน)",
        ],
        Registry::Trainers => vec!["ที่", "ชื่อ - สกุล", "ตำแหน่ง", "สังกัด", "วิชาที่สอน", "เบอร์โทรศัพท์"],
    };
    if !with_phone {
        h.retain(|c| *c != "เบอร์โทรศัพท์");
    }
    h
}

impl Khlang {
    pub(crate) fn network_store(&self) -> DomainResult<&Arc<dyn NetworkStore>> {
        self.networks
            .as_ref()
            .ok_or_else(|| DomainError::internal("network registry store not configured"))
    }

    pub(crate) fn register_people(&self) -> DomainResult<&Arc<dyn PeopleStore>> {
        self.people
            .as_ref()
            .ok_or_else(|| DomainError::internal("person register store not configured"))
    }

    fn allowed(actor: &Actor, tree: &UnitTree, unit: UnitId, action: Action) -> bool {
        tree.path(unit)
            .is_ok_and(|p| authorize(actor, action, &Target::Unit(p)).is_ok())
    }

    /// ManageKnowledge or ManagePeople on the unit.
    pub fn may_manage_register(actor: &Actor, tree: &UnitTree, unit: UnitId) -> bool {
        Self::allowed(actor, tree, unit, Action::ManageKnowledge)
            || Self::allowed(actor, tree, unit, Action::ManagePeople)
    }

    pub(crate) fn authorize_register(
        actor: &Actor,
        tree: &UnitTree,
        unit: UnitId,
    ) -> DomainResult<()> {
        tree.path(unit)?;
        if Self::may_manage_register(actor, tree, unit) {
            return Ok(());
        }
        if matches!(actor, Actor::Anonymous) {
            return Err(DomainError::Unauthenticated);
        }
        Err(DomainError::Forbidden)
    }

    /// The rows with their names through the register: the person a merged one went into,
    /// "ไม่ประสงค์ออกนาม" after erasure, the public name for readers who do not manage the
    /// person; the phone for those who do, each such read audited with `why`.
    async fn member_rows(
        &self,
        actor: &Actor,
        tree: &UnitTree,
        members: Vec<Member>,
        why: &str,
    ) -> DomainResult<Vec<MemberRow>> {
        let store = self.register_people()?;
        let ids: Vec<PersonId> = members.iter().map(|m| m.person_id).collect();
        let mut people: HashMap<PersonId, Person> = HashMap::new();
        if !ids.is_empty() {
            for p in store.get_people(&ids).await? {
                people.insert(p.id, p);
            }
        }
        let merged: Vec<PersonId> = people
            .values()
            .filter_map(|p| p.merged_into)
            .filter(|k| !people.contains_key(k))
            .collect();
        if !merged.is_empty() {
            for p in store.get_people(&merged).await? {
                people.insert(p.id, p);
            }
        }
        let mut out = Vec::with_capacity(members.len());
        let mut audited: Vec<PersonId> = Vec::new();
        for m in members {
            let person = people.get(&m.person_id).map(|p| match p.merged_into {
                Some(k) => people.get(&k).unwrap_or(p),
                None => p,
            });
            let row = match person {
                None => MemberRow {
                    member: m,
                    name: ANONYMOUS.to_string(),
                    phone: None,
                    private: false,
                },
                Some(p) if Self::allowed(actor, tree, p.unit_id, Action::ManagePeople) => {
                    if !audited.contains(&p.id) {
                        audited.push(p.id);
                        self.audit(
                            actor.user_id(),
                            "person.read",
                            format!("person:{}", p.id),
                            format!("{why} network:{}", m.id),
                        )
                        .await?;
                    }
                    MemberRow {
                        name: if p.erased {
                            ANONYMOUS.to_string()
                        } else {
                            p.name.clone()
                        },
                        phone: p.phone.clone(),
                        private: true,
                        member: m,
                    }
                }
                Some(p) => MemberRow {
                    name: p.public().name,
                    phone: None,
                    private: false,
                    member: m,
                },
            };
            out.push(row);
        }
        Ok(out)
    }

    fn register_units(tree: &UnitTree, unit: UnitId) -> Vec<UnitId> {
        tree.units()
            .iter()
            .filter(|u| tree.is_within(u.id, unit))
            .map(|u| u.id)
            .collect()
    }

    /// A page of a unit's register and the registers of the units below it. Needs
    /// ViewUnitContent on the unit.
    pub async fn register_page(
        &self,
        actor: &Actor,
        registry: Registry,
        unit: UnitId,
        page: PageNumber,
    ) -> DomainResult<RegisterPage> {
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ViewUnitContent,
            &Target::Unit(tree.path(unit)?),
        )?;
        let units = Self::register_units(&tree, unit);
        let found = self
            .network_store()?
            .list_members(registry, &units, page.get(), PER_PAGE)
            .await?;
        let rows = self.member_rows(actor, &tree, found.items, "list").await?;
        Ok(RegisterPage {
            registry,
            unit_id: unit,
            rows: Page {
                items: rows,
                page: found.page,
                per_page: found.per_page,
                total: found.total,
            },
            may_manage: Self::may_manage_register(actor, &tree, unit),
            officer: Self::allowed(actor, &tree, unit, Action::ManagePeople),
        })
    }

    /// Accounts whose home unit is `unit`, to link a row to the person's account.
    pub async fn register_accounts(
        &self,
        actor: &Actor,
        unit: UnitId,
    ) -> DomainResult<Vec<(UserId, String)>> {
        let tree = self.unit_tree().await?;
        Self::authorize_register(actor, &tree, unit)?;
        let users = self.store.list_users(Some(&[unit]), 1, 200).await?;
        Ok(users
            .items
            .into_iter()
            .filter(|u| !u.disabled)
            .map(|u| {
                (
                    u.id,
                    format!("{} ({})", u.display_name.as_str(), u.username),
                )
            })
            .collect())
    }

    async fn check_account(&self, unit: UnitId, user: Option<UserId>) -> DomainResult<()> {
        let Some(user) = user else {
            return Ok(());
        };
        let refuse = || DomainError::invalid("user_id", "กรุณาเลือกบัญชีผู้ใช้ของหน่วยงานนี้จากรายการ");
        match self.store.get_user(user).await {
            Ok(u) if u.home_unit_id == Some(unit) => Ok(()),
            Ok(_) | Err(PortError::NotFound) => Err(refuse()),
            Err(e) => Err(e.into()),
        }
    }

    fn duplicate_row(e: PortError) -> DomainError {
        match e {
            PortError::Conflict(_) => DomainError::Invalid(vec![FieldError::new(
                "person.id",
                "บุคคลนี้อยู่ในทะเบียนของหน่วยงานนี้แล้ว — แก้ไขแถวเดิมแทนการเพิ่มใหม่",
            )]),
            e => e.into(),
        }
    }

    /// Checks a row's fields before anything is written (the page records a new person only
    /// after this passes): the actor may manage the register and the fields parse.
    pub async fn check_member(
        &self,
        actor: &Actor,
        registry: Registry,
        unit: UnitId,
        draft: &MemberDraft,
    ) -> DomainResult<()> {
        let tree = self.unit_tree().await?;
        Self::authorize_register(actor, &tree, unit)?;
        let f = draft.parse(registry).map_err(DomainError::Invalid)?;
        self.check_account(unit, f.user_id).await
    }

    /// Adds a person of the register to a unit's register. The actor manages the register,
    /// and the person is one they manage (or was just recorded by them for this unit).
    pub async fn add_member(
        &self,
        actor: &Actor,
        registry: Registry,
        unit: UnitId,
        person: PersonId,
        draft: &MemberDraft,
    ) -> DomainResult<MemberId> {
        let tree = self.unit_tree().await?;
        Self::authorize_register(actor, &tree, unit)?;
        let fields = draft.parse(registry).map_err(DomainError::Invalid)?;
        self.check_account(unit, fields.user_id).await?;
        let p = match self.register_people()?.get_person(person).await {
            Ok(p) => p,
            Err(PortError::NotFound) => {
                return Err(DomainError::invalid("person.id", "กรุณาเลือกบุคคลจากรายชื่อ"));
            }
            Err(e) => return Err(e.into()),
        };
        let person = p.merged_into.unwrap_or(p.id);
        if !Self::allowed(actor, &tree, p.unit_id, Action::ManagePeople)
            && p.created_by != actor.user_id()
        {
            return Err(DomainError::invalid("person.id", "กรุณาเลือกบุคคลจากรายชื่อ"));
        }
        let id = self
            .network_store()?
            .insert_member(NewMember {
                registry,
                unit_id: unit,
                person_id: person,
                fields: &fields,
                created_by: actor.user_id(),
                at: self.clock.now(),
            })
            .await
            .map_err(Self::duplicate_row)?;
        self.audit(
            actor.user_id(),
            "network.add",
            format!("network:{id}"),
            format!("{} unit:{unit} person:{person}", registry.as_str()),
        )
        .await?;
        Ok(id)
    }

    async fn managed_member(
        &self,
        actor: &Actor,
        id: MemberId,
    ) -> DomainResult<(Member, Arc<UnitTree>)> {
        let m = match self.network_store()?.get_member(id).await {
            Ok(m) => m,
            Err(PortError::NotFound) => return Err(DomainError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let tree = self.unit_tree().await?;
        Self::authorize_register(actor, &tree, m.unit_id)?;
        Ok((m, tree))
    }

    /// A row for its edit page (the name through the register's rules; no phone).
    pub async fn member_view(&self, actor: &Actor, id: MemberId) -> DomainResult<MemberView> {
        let (member, _) = self.managed_member(actor, id).await?;
        let name = self
            .people_public(&[member.person_id])
            .await?
            .first()
            .map(|p| p.name.clone())
            .unwrap_or_else(|| ANONYMOUS.to_string());
        let name = match self.may_manage_person(actor, member.person_id).await? {
            true => self
                .register_people()?
                .get_person(member.person_id)
                .await
                .map(|p| {
                    if p.erased {
                        ANONYMOUS.to_string()
                    } else {
                        p.name
                    }
                })
                .unwrap_or(name),
            false => name,
        };
        Ok(MemberView { member, name })
    }

    /// Rewrites a row's own fields (the person's are edited on the register).
    pub async fn update_member(
        &self,
        actor: &Actor,
        id: MemberId,
        draft: &MemberDraft,
    ) -> DomainResult<()> {
        let (mut m, _) = self.managed_member(actor, id).await?;
        let f = draft.parse(m.registry).map_err(DomainError::Invalid)?;
        self.check_account(m.unit_id, f.user_id).await?;
        m.position = f.position;
        m.affiliation = f.affiliation;
        m.works = f.works;
        m.subjects = f.subjects;
        m.training_passed = f.training_passed;
        m.user_id = f.user_id;
        m.updated_at = self.clock.now();
        self.network_store()?.update_member(&m).await?;
        self.audit(
            actor.user_id(),
            "network.update",
            format!("network:{id}"),
            String::new(),
        )
        .await
    }

    /// Removes a row; the person stays in the register. Audited in the same transaction.
    pub async fn remove_member(&self, actor: &Actor, id: MemberId) -> DomainResult<Member> {
        let (m, _) = self.managed_member(actor, id).await?;
        self.network_store()?
            .delete_member(
                id,
                AuditEntry {
                    actor: actor.user_id(),
                    action: "network.remove".into(),
                    target: format!("network:{id}"),
                    detail: format!(
                        "{} unit:{} person:{}",
                        m.registry.as_str(),
                        m.unit_id,
                        m.person_id
                    ),
                    at: self.clock.now(),
                },
            )
            .await?;
        Ok(m)
    }

    /// The whole register of a unit (and below) in the seed's columns, for XLSX. Anyone with
    /// ViewUnitContent; the phone column only for officers (ManagePeople on the unit), each
    /// person whose data is written audited ("person.read").
    pub async fn register_sheet(
        &self,
        actor: &Actor,
        registry: Registry,
        unit: UnitId,
    ) -> DomainResult<RegisterSheet> {
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ViewUnitContent,
            &Target::Unit(tree.path(unit)?),
        )?;
        let officer = Self::allowed(actor, &tree, unit, Action::ManagePeople);
        let units = Self::register_units(&tree, unit);
        let store = self.network_store()?;
        let mut members = Vec::new();
        let mut page = 1;
        loop {
            let found = store.list_members(registry, &units, page, 500).await?;
            let done = found.items.is_empty() || page >= found.pages();
            members.extend(found.items);
            if done {
                break;
            }
            page += 1;
        }
        let rows = self.member_rows(actor, &tree, members, "export").await?;
        let phone = |r: &MemberRow| r.phone.clone().unwrap_or_default();
        let rows = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let m = &r.member;
                let mut cells = vec![
                    (i + 1).to_string(),
                    r.name.clone(),
                    m.position.clone(),
                    m.affiliation.clone(),
                ];
                match registry {
                    Registry::Network => {
                        if officer {
                            cells.push(phone(r));
                        }
                        cells.push(m.works.clone());
                        cells.push(super::model::training_label(m.training_passed).to_string());
                    }
                    Registry::Trainers => {
                        cells.push(m.subjects.clone());
                        if officer {
                            cells.push(phone(r));
                        }
                    }
                }
                cells
            })
            .collect();
        Ok(RegisterSheet {
            title: format!("{} {}", registry.label_th(), tree.display_path(unit)),
            headings: headings(registry, officer),
            rows,
        })
    }
}
