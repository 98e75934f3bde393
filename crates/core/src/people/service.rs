//! Use-cases of the person register. Personal data (address, phone, education …) is read only
//! by officers of the owning unit's subtree ([`Action::ManagePeople`]), and every such read is
//! written to the audit log before the data leaves the core.

use super::model::{
    ANONYMOUS, Consent, Duplicate, Person, PersonDraft, PersonFields, PersonInput, PublicPerson,
    PublicScope, field_key, name_key,
};
use super::ports::{NewPerson, PeopleQuery, PeopleStore};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{PersonId, UnitId};
use crate::org::{Action, Actor, Target, UnitTree, authorize};
use crate::paging::{PageNumber, PerPage};
use crate::ports::{AuditEntry, Page};
use crate::service::Khlang;
use serde::Serialize;
use std::sync::Arc;

/// People per page in the register's list.
pub const PER_PAGE: u64 = 20;

/// Everything kept about one person, for a PDPA access request (JSON and XLSX export).
#[derive(Debug, Clone, Serialize)]
pub struct PersonExport {
    pub person: Person,
    /// The address as Thai people write it.
    pub address: String,
    pub unit_name: String,
    /// (Thai label, value) in the order of the form, for the XLSX sheet.
    #[serde(skip)]
    pub rows: Vec<(&'static str, String)>,
}

impl Khlang {
    fn people_store(&self) -> DomainResult<&Arc<dyn PeopleStore>> {
        self.people
            .as_ref()
            .ok_or_else(|| DomainError::internal("person register store not configured"))
    }

    fn person_target(tree: &UnitTree, person: &Person) -> DomainResult<Target> {
        Ok(Target::Unit(tree.path(person.unit_id)?))
    }

    /// The person, if the actor may manage them (officers of the owning unit's subtree).
    async fn managed_person(&self, actor: &Actor, id: PersonId) -> DomainResult<Person> {
        let person = self.people_store()?.get_person(id).await?;
        let tree = self.unit_tree().await?;
        match authorize(
            actor,
            Action::ManagePeople,
            &Self::person_target(&tree, &person)?,
        ) {
            Ok(()) => Ok(person),
            // Others may not learn that the person exists.
            Err(DomainError::Forbidden) => Err(DomainError::NotFound),
            Err(e) => Err(e),
        }
    }

    async fn people_audit(
        &self,
        actor: &Actor,
        action: &str,
        person: PersonId,
        detail: String,
    ) -> DomainResult<()> {
        self.audit(actor.user_id(), action, format!("person:{person}"), detail)
            .await
    }

    fn audit_entry(
        &self,
        actor: &Actor,
        action: &str,
        person: PersonId,
        detail: String,
    ) -> AuditEntry {
        AuditEntry {
            actor: actor.user_id(),
            action: action.to_string(),
            target: format!("person:{person}"),
            detail,
            at: self.clock.now(),
        }
    }

    fn parse_person(&self, draft: &PersonDraft, prefix: &str) -> DomainResult<PersonFields> {
        draft
            .parse(prefix, self.clock.now().date())
            .map_err(DomainError::Invalid)
    }

    /// Records a person kept by `input.unit_id`. Anyone who may contribute to that unit may
    /// record one (a volunteer filling in her own innovation); only officers read it back.
    /// A likely duplicate (same name in the same subdistrict, or the same phone) is refused
    /// at `{prefix}.name` unless `allow_duplicate` (the form's "บันทึกเป็นบุคคลใหม่" box).
    pub async fn create_person(&self, actor: &Actor, input: PersonInput) -> DomainResult<PersonId> {
        let tree = self.unit_tree().await?;
        let unit_key = field_key(&input.prefix, "unit_id");
        let path = tree
            .path(input.unit_id)
            .map_err(|_| DomainError::invalid(unit_key.clone(), "กรุณาเลือกหน่วยงานที่เก็บข้อมูลบุคคลนี้"))?;
        authorize(actor, Action::Contribute, &Target::Unit(path))?;
        let fields = self.parse_person(&input.draft, &input.prefix)?;
        if !input.allow_duplicate {
            let dups = self.duplicates_of(actor, &tree, &fields, None).await?;
            if let Some(d) = dups.first() {
                return Err(DomainError::Invalid(vec![FieldError::new(
                    field_key(&input.prefix, "name"),
                    format!(
                        "อาจซ้ำกับบุคคลที่มีอยู่แล้ว: {} ({}) — ถ้าเป็นคนเดียวกัน ให้เลือกจากรายชื่อแทน ถ้าไม่ใช่ ให้ติ๊ก \"บันทึกเป็นบุคคลใหม่\" แล้วส่งอีกครั้ง",
                        d.label, d.reason
                    ),
                )]));
            }
        }
        let id = self
            .people_store()?
            .insert_person(NewPerson {
                unit_id: input.unit_id,
                fields: &fields,
                consent_by: actor.user_id(),
                created_by: actor.user_id(),
                at: self.clock.now(),
            })
            .await?;
        self.people_audit(
            actor,
            "person.create",
            id,
            format!("unit:{}", input.unit_id),
        )
        .await?;
        Ok(id)
    }

    /// People who may be the same as `fields` (excluding `except`). Officers who manage the
    /// match see its name and province; anyone else only that a match exists.
    async fn duplicates_of(
        &self,
        actor: &Actor,
        tree: &UnitTree,
        fields: &PersonFields,
        except: Option<PersonId>,
    ) -> DomainResult<Vec<Duplicate>> {
        let key = name_key(&fields.name);
        let found = self
            .people_store()?
            .possible_duplicates(
                &key,
                fields.place.as_ref().and_then(|p| p.subdistrict),
                fields.phone.as_deref(),
            )
            .await?;
        Ok(found
            .into_iter()
            .filter(|p| Some(p.id) != except)
            .map(|p| {
                let same_phone = fields.phone.is_some() && p.phone == fields.phone;
                let visible = Self::person_target(tree, &p)
                    .is_ok_and(|t| authorize(actor, Action::ManagePeople, &t).is_ok());
                Duplicate {
                    person: p.id,
                    label: if visible {
                        format!("{} เลขที่ {}", p.label(), p.id)
                    } else {
                        "บุคคลในทะเบียนของหน่วยงานอื่น".to_string()
                    },
                    reason: if same_phone {
                        "เบอร์โทรศัพท์เดียวกัน"
                    } else {
                        "ชื่อเดียวกันในตำบลเดียวกัน"
                    },
                }
            })
            .collect())
    }

    /// Everything about a person, for officers of the owning unit's subtree; the read is
    /// audited ("person.read") before the data is returned. Others get NotFound.
    pub async fn person_private(&self, actor: &Actor, id: PersonId) -> DomainResult<Person> {
        let person = self.managed_person(actor, id).await?;
        self.people_audit(actor, "person.read", id, String::new())
            .await?;
        Ok(person)
    }

    /// Whether the actor may manage (and so read the personal data of) this person, without
    /// reading it: for showing links.
    pub async fn may_manage_person(&self, actor: &Actor, id: PersonId) -> DomainResult<bool> {
        match self.managed_person(actor, id).await {
            Ok(_) => Ok(true),
            Err(DomainError::NotFound | DomainError::Unauthenticated) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// What the public may see of these people, in the order asked, merged people replaced by
    /// the one they were merged into (each person once); unknown ids are left out.
    pub async fn people_public(&self, ids: &[PersonId]) -> DomainResult<Vec<PublicPerson>> {
        let store = self.people_store()?;
        let found = store.get_people(ids).await?;
        let targets: Vec<PersonId> = found.iter().filter_map(|p| p.merged_into).collect();
        let kept = if targets.is_empty() {
            Vec::new()
        } else {
            store.get_people(&targets).await?
        };
        let mut out: Vec<PublicPerson> = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(p) = found.iter().find(|p| p.id == *id) else {
                continue;
            };
            let p = match p.merged_into {
                Some(k) => match kept.iter().find(|x| x.id == k) {
                    Some(k) => k,
                    None => continue,
                },
                None => p,
            };
            if !out.iter().any(|x| x.id == p.id) {
                out.push(p.public());
            }
        }
        Ok(out)
    }

    /// The id a reference to `id` now means (itself, or the person it was merged into).
    pub async fn resolve_person(&self, id: PersonId) -> DomainResult<PersonId> {
        let p = self.people_store()?.get_person(id).await?;
        Ok(p.merged_into.unwrap_or(p.id))
    }

    /// Units whose people the actor manages; None for the site administrator (every unit).
    fn managed_units(tree: &UnitTree, actor: &Actor) -> DomainResult<Option<Vec<UnitId>>> {
        if actor.is_site_admin() {
            return Ok(None);
        }
        if matches!(actor, Actor::Anonymous) {
            return Err(DomainError::Unauthenticated);
        }
        let units = Self::units_where_any(tree, actor, Action::ManagePeople);
        if units.is_empty() {
            return Err(DomainError::Forbidden);
        }
        Ok(Some(units))
    }

    /// Searches the people the actor manages by part of the name, phone or volunteer number
    /// (erased and merged people left out), newest first. Lists show the name, province and
    /// unit only: the other personal fields are read through [`Self::person_private`].
    pub async fn find_people(
        &self,
        actor: &Actor,
        query: &str,
        page: PageNumber,
    ) -> DomainResult<Page<Person>> {
        self.find_people_per_page(
            actor,
            query,
            page,
            PerPage::parse_or_default(None, PER_PAGE, PER_PAGE),
        )
        .await
    }

    pub async fn find_people_per_page(
        &self,
        actor: &Actor,
        query: &str,
        page: PageNumber,
        per_page: PerPage,
    ) -> DomainResult<Page<Person>> {
        let tree = self.unit_tree().await?;
        let units = Self::managed_units(&tree, actor)?;
        crate::field::refuse_controls("q", "คำค้น", query)?;
        let text = crate::text::tidy(query);
        if crate::text::grapheme_len(&text) > 100 {
            return Err(DomainError::invalid("q", "คำค้นยาวเกิน 100 ตัวอักษร"));
        }
        Ok(self
            .people_store()?
            .find_people(
                &PeopleQuery {
                    units,
                    text,
                    current_only: true,
                },
                page.get(),
                per_page.get(),
            )
            .await?)
    }

    /// Whether the actor manages anyone's personal data anywhere (for menus).
    pub fn may_manage_people_somewhere(actor: &Actor) -> bool {
        actor.may_somewhere(Action::ManagePeople)
    }

    /// Rewrites a person's fields (consent included); erased people stay erased.
    pub async fn update_person(
        &self,
        actor: &Actor,
        id: PersonId,
        draft: &PersonDraft,
    ) -> DomainResult<()> {
        let mut person = self.managed_person(actor, id).await?;
        if person.erased || person.merged_into.is_some() {
            return Err(DomainError::Conflict(
                "ข้อมูลบุคคลนี้ถูกลบหรือรวมกับบุคคลอื่นแล้ว แก้ไขไม่ได้".into(),
            ));
        }
        let f = self.parse_person(draft, "")?;
        let consent_changed = person.consent.as_ref().is_none_or(|c| {
            c.purpose != f.consent.purpose
                || c.given_on != f.consent.given_on
                || c.public != f.consent.public
        });
        person.name = f.name;
        person.place = f.place;
        person.phone = f.phone;
        person.occupation = f.occupation;
        person.status = f.status;
        person.education = f.education;
        person.volunteer_years = f.volunteer_years;
        person.volunteer_no = f.volunteer_no;
        if consent_changed {
            person.consent = Some(Consent {
                purpose: f.consent.purpose,
                given_on: f.consent.given_on,
                recorded_by: actor.user_id(),
                public: f.consent.public,
            });
        }
        person.updated_at = self.clock.now();
        self.people_store()?.update_person(&person).await?;
        self.people_audit(
            actor,
            if consent_changed {
                "person.consent"
            } else {
                "person.update"
            },
            id,
            String::new(),
        )
        .await
    }

    /// Records consent only (purpose, date, what may be public), keeping the other fields.
    pub async fn record_consent(
        &self,
        actor: &Actor,
        id: PersonId,
        purpose: &str,
        date: &str,
        public: &str,
    ) -> DomainResult<()> {
        let person = self.managed_person(actor, id).await?;
        let mut draft = PersonDraft::of(&person);
        draft.consent_purpose = purpose.to_string();
        draft.consent_date = date.to_string();
        draft.consent_public = public.to_string();
        self.update_person(actor, id, &draft).await
    }

    /// Everything kept about a person, for a PDPA request; audited ("person.export").
    pub async fn export_person(&self, actor: &Actor, id: PersonId) -> DomainResult<PersonExport> {
        let person = self.managed_person(actor, id).await?;
        let tree = self.unit_tree().await?;
        let g = crate::geo::Gazetteer::get();
        let address = person
            .place
            .as_ref()
            .map(|p| g.describe(p))
            .unwrap_or_default();
        let unit_name = tree.display_path(person.unit_id);
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let consent = person.consent.clone();
        let rows = vec![
            ("เลขที่ในทะเบียน", person.id.to_string()),
            ("ชื่อ-นามสกุล", person.name.clone()),
            ("ที่อยู่", address.clone()),
            ("เบอร์โทรศัพท์", opt(&person.phone)),
            ("อาชีพ", opt(&person.occupation)),
            ("สถานภาพ", opt(&person.status)),
            ("ระดับการศึกษา", opt(&person.education)),
            (
                "ระยะเวลาเป็น อสม. (ปี)",
                person
                    .volunteer_years
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
            ),
            ("เลขประจำตัว อสม.", opt(&person.volunteer_no)),
            ("หน่วยงานที่เก็บข้อมูล", unit_name.clone()),
            (
                "วัตถุประสงค์ที่เก็บข้อมูล",
                consent
                    .as_ref()
                    .map(|c| c.purpose.clone())
                    .unwrap_or_default(),
            ),
            (
                "วันที่ให้ความยินยอม",
                consent
                    .as_ref()
                    .map(|c| super::model::format_date_be(c.given_on))
                    .unwrap_or_default(),
            ),
            (
                "ข้อมูลที่เปิดเผยได้",
                consent
                    .as_ref()
                    .map(|c| c.public.label_th().to_string())
                    .unwrap_or_default(),
            ),
            (
                "ลบข้อมูลตามคำขอแล้ว",
                if person.erased {
                    "ใช่"
                } else {
                    "ไม่ใช่"
                }
                .to_string(),
            ),
            (
                "บันทึกเมื่อ",
                crate::text::format_be_datetime(person.created_at),
            ),
        ];
        self.people_audit(actor, "person.export", id, String::new())
            .await?;
        Ok(PersonExport {
            person,
            address,
            unit_name,
            rows,
        })
    }

    /// Erases a person on request: the personal fields become placeholders
    /// ("ไม่ประสงค์ออกนาม"), nothing is public any more, and the audit entry is written in the
    /// same transaction. Innovations keep their text and their reference to the person.
    pub async fn erase_person(&self, actor: &Actor, id: PersonId) -> DomainResult<()> {
        let mut person = self.managed_person(actor, id).await?;
        if person.erased {
            return Ok(());
        }
        person.name = ANONYMOUS.to_string();
        person.place = None;
        person.phone = None;
        person.occupation = None;
        person.status = None;
        person.education = None;
        person.volunteer_years = None;
        person.volunteer_no = None;
        if let Some(c) = person.consent.as_mut() {
            c.public = PublicScope::Nothing;
        }
        person.erased = true;
        person.updated_at = self.clock.now();
        let audit = self.audit_entry(actor, "person.erase", id, String::new());
        self.people_store()?.erase_person(&person, audit).await?;
        Ok(())
    }

    /// Merges `drop` into `keep`: every reference to `drop` now means `keep` (see
    /// [`Self::people_public`], [`Self::resolve_person`]); audited. The actor must manage both.
    pub async fn merge_people(
        &self,
        actor: &Actor,
        keep: PersonId,
        drop: PersonId,
    ) -> DomainResult<()> {
        if keep == drop {
            return Err(DomainError::invalid(
                "other",
                "เลือกบุคคลอื่นที่จะรวม (เลือกคนเดิมไม่ได้)",
            ));
        }
        let k = self.managed_person(actor, keep).await?;
        let d = self
            .managed_person(actor, drop)
            .await
            .map_err(|e| match e {
                DomainError::NotFound => {
                    DomainError::invalid("other", "ไม่พบบุคคลเลขที่นี้ในทะเบียนที่คุณดูแล")
                }
                e => e,
            })?;
        if k.merged_into.is_some() || d.merged_into.is_some() {
            return Err(DomainError::invalid("other", "บุคคลนี้ถูกรวมกับบุคคลอื่นไปแล้ว"));
        }
        let audit = self.audit_entry(
            actor,
            "person.merge",
            keep,
            format!("person:{drop} รวมเข้ากับ person:{keep}"),
        );
        self.people_store()?
            .merge_people(keep, drop, self.clock.now(), audit)
            .await?;
        Ok(())
    }

    /// Possible duplicates of a stored person, for the merge page (officers only).
    pub async fn duplicates_of_person(
        &self,
        actor: &Actor,
        id: PersonId,
    ) -> DomainResult<Vec<Duplicate>> {
        let p = self.managed_person(actor, id).await?;
        let tree = self.unit_tree().await?;
        let fields = PersonFields {
            name: p.name.clone(),
            place: p.place.clone(),
            phone: p.phone.clone(),
            occupation: None,
            status: None,
            education: None,
            volunteer_years: None,
            volunteer_no: None,
            consent: super::model::ConsentFields {
                purpose: String::new(),
                given_on: self.clock.now().date(),
                public: PublicScope::default(),
            },
        };
        Ok(self
            .duplicates_of(actor, &tree, &fields, Some(id))
            .await?
            .into_iter()
            .filter(|d| !d.label.starts_with("บุคคลในทะเบียนของหน่วยงานอื่น"))
            .collect())
    }
}
