//! Use-cases of the events context: organisers (ManageKnowledge on the organising unit) create
//! and run events; the audience registers; check-in records attendance; attendance earns a
//! certificate.

use super::model::{
    Audience, Booth, BoothDraft, Event, EventDraft, EventKind, RegStatus, Registration,
    item_number, registration_window,
};
use super::ports::{EventQuery, EventStore, NewRegistration, Registered, Visible};
use crate::account::Secret;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{BoothId, EventId, ItemId, RegistrationId, UnitId};
use crate::item::ItemStatus;
use crate::lessons::model::Origin;
use crate::notifications::model::NewNotice;
use crate::org::{Action, Actor, Target, UnitTree, authorize};
use crate::people::model::PersonDraft;
use crate::people::ports::NewPerson;
use crate::ports::{ItemSummary, Page};
use crate::service::Khlang;
use std::sync::Arc;

mod attendance;

/// Events per page in the list.
pub const PER_PAGE: u64 = 20;

/// What a guest (no account) gives to register: kept in the person register.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct GuestDraft {
    #[serde(default)]
    pub name: String,
    /// Unit or organisation, as written.
    #[serde(default)]
    pub affiliation: String,
    #[serde(default)]
    pub phone: String,
}

/// One event as its page shows it to this actor.
#[derive(Debug, Clone)]
pub struct EventView {
    pub event: Event,
    pub may_organise: bool,
    /// The actor's own latest registration (signed in).
    pub mine: Option<Registration>,
    pub confirmed: u64,
    pub waiting: u64,
    /// May the actor register now (audience and window), or the Thai reason not.
    pub may_register: Result<(), String>,
    pub community_name: Option<String>,
}

/// A row of the organisers' attendance list; the phone only for register officers (read
/// audited).
#[derive(Debug, Clone)]
pub struct AttendeeRow {
    pub registration: Registration,
    pub phone: Option<String>,
}

/// What an opened ticket shows: the person only to organisers.
#[derive(Debug, Clone)]
pub enum TicketView {
    Organiser(Event, Box<Registration>),
    Other(Event),
}

/// A booth with the published items it presents.
#[derive(Debug, Clone)]
pub struct BoothView {
    pub booth: Booth,
    pub items: Vec<(ItemId, String)>,
}

fn secret() -> String {
    Secret::generate("").expose().to_string()
}

fn refused(msg: impl Into<String>) -> DomainError {
    DomainError::Conflict(msg.into())
}

impl Khlang {
    fn event_store(&self) -> DomainResult<&Arc<dyn EventStore>> {
        self.events
            .as_ref()
            .ok_or_else(|| DomainError::internal("events have no store"))
    }

    fn organises(actor: &Actor, tree: &UnitTree, unit: UnitId) -> bool {
        tree.path(unit)
            .is_ok_and(|p| authorize(actor, Action::ManageKnowledge, &Target::Unit(p)).is_ok())
    }

    /// Whether the actor belongs to the event's audience (organisers always do).
    async fn in_audience(&self, actor: &Actor, tree: &UnitTree, e: &Event) -> DomainResult<bool> {
        if actor.is_site_admin() || Self::organises(actor, tree, e.fields.unit_id) {
            return Ok(true);
        }
        Ok(match (e.fields.audience, actor) {
            (Audience::Public, _) => true,
            (_, Actor::Anonymous) => false,
            (Audience::SignedIn, _) => true,
            (Audience::Unit(u), Actor::User(me)) => me
                .grants
                .iter()
                .any(|(_, g)| tree.is_within(*g, u) || tree.is_within(u, *g)),
            (Audience::Community(c), Actor::User(me)) => {
                self.is_community_member(c, me.user_id).await?
            }
        })
    }

    /// The event if the actor may see it; NotFound otherwise (others may not learn of it).
    async fn visible_event(
        &self,
        actor: &Actor,
        id: EventId,
    ) -> DomainResult<(Event, Arc<UnitTree>)> {
        let e = self.event_store()?.event(id).await?;
        let tree = self.unit_tree().await?;
        if !self.in_audience(actor, &tree, &e).await? {
            return Err(DomainError::NotFound);
        }
        Ok((e, tree))
    }

    /// The event if the actor organises it.
    async fn organised_event(&self, actor: &Actor, id: EventId) -> DomainResult<Event> {
        let (e, tree) = self.visible_event(actor, id).await?;
        let path = tree.path(e.fields.unit_id)?;
        authorize(actor, Action::ManageKnowledge, &Target::Unit(path))?;
        Ok(e)
    }

    /// Units where the actor may organise events (the create form's choices).
    pub async fn event_units(&self, actor: &Actor) -> DomainResult<Vec<(UnitId, String)>> {
        let tree = self.unit_tree().await?;
        Ok(tree
            .walk()
            .into_iter()
            .filter(|(_, u)| !u.retired && Self::organises(actor, &tree, u.id))
            .map(|(_, u)| (u.id, tree.display_path(u.id)))
            .collect())
    }

    /// Whether the actor may create events somewhere (the list's "new" button).
    pub fn may_organise_events(actor: &Actor) -> bool {
        actor.may_somewhere(Action::ManageKnowledge)
    }

    async fn checked_event_fields(
        &self,
        actor: &Actor,
        draft: &EventDraft,
    ) -> DomainResult<super::model::EventFields> {
        let f = draft.parse().map_err(DomainError::Invalid)?;
        let tree = self.unit_tree().await?;
        if !Self::organises(actor, &tree, f.unit_id) {
            if actor.user_id().is_none() {
                return Err(DomainError::Unauthenticated);
            }
            if !Self::may_organise_events(actor) {
                return Err(DomainError::Forbidden);
            }
            return Err(DomainError::invalid(
                "unit",
                "คุณจัดกิจกรรมในนามหน่วยงานนี้ไม่ได้ กรุณาเลือกหน่วยงานที่คุณเป็นนักจัดการความรู้",
            ));
        }
        match f.audience {
            Audience::Unit(u) if tree.get(u).is_none() => {
                return Err(DomainError::invalid("audience_unit", "ไม่พบหน่วยงานที่เลือก"));
            }
            Audience::Community(c)
                if !self
                    .community_choices(actor)
                    .await?
                    .iter()
                    .any(|(id, _)| *id == c) =>
            {
                return Err(DomainError::invalid(
                    "audience_community",
                    "กรุณาเลือกชุมชนที่คุณเป็นสมาชิกหรือผู้อำนวยความสะดวก",
                ));
            }
            _ => {}
        }
        Ok(f)
    }

    /// Creates an event: KM officers (ManageKnowledge) of the organising unit.
    pub async fn create_event(&self, actor: &Actor, draft: &EventDraft) -> DomainResult<EventId> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let f = self.checked_event_fields(actor, draft).await?;
        let id = self
            .event_store()?
            .insert_event(&f, &secret(), me, self.clock.now())
            .await?;
        self.audit(Some(me), "event.create", format!("event:{id}"), f.title)
            .await?;
        Ok(id)
    }

    /// Edits an event: its organisers; the organising unit may change only to another they run.
    pub async fn update_event(
        &self,
        actor: &Actor,
        id: EventId,
        draft: &EventDraft,
    ) -> DomainResult<()> {
        let e = self.organised_event(actor, id).await?;
        if e.cancelled_at.is_some() {
            return Err(refused("กิจกรรมนี้ยกเลิกแล้ว แก้ไขไม่ได้"));
        }
        let f = self.checked_event_fields(actor, draft).await?;
        let store = self.event_store()?;
        let promoted = store.update_event(id, &f, self.clock.now()).await?;
        self.audit(
            actor.user_id(),
            "event.update",
            format!("event:{id}"),
            f.title,
        )
        .await?;
        // More seats: the people moved up are told, as when someone cancels.
        let e = store.event(id).await?;
        for p in promoted {
            self.tell_promoted(&e, Some(p)).await?;
        }
        Ok(())
    }

    /// Cancels an event; everyone registered with an account gets a notice.
    pub async fn cancel_event(&self, actor: &Actor, id: EventId) -> DomainResult<()> {
        let e = self.organised_event(actor, id).await?;
        let store = self.event_store()?;
        if !store.cancel_event(id, self.clock.now()).await? {
            return Err(refused("กิจกรรมนี้ยกเลิกไปแล้ว"));
        }
        self.audit(
            actor.user_id(),
            "event.cancel",
            format!("event:{id}"),
            e.fields.title.clone(),
        )
        .await?;
        let notices = store
            .registrations(id)
            .await?
            .into_iter()
            .filter(|r| r.status.is_active())
            .filter_map(|r| r.user_id)
            .map(|user| NewNotice {
                user,
                kind: "event_cancelled".into(),
                title: format!("กิจกรรม \"{}\" ยกเลิกแล้ว", e.fields.title),
                link: format!("/events/{id}"),
                once_key: Some(format!("event_cancelled:{id}")),
            })
            .collect();
        self.notify(notices).await
    }

    /// The events the actor may see, upcoming first, then past.
    pub async fn list_events(
        &self,
        actor: &Actor,
        kind: Option<EventKind>,
        unit: Option<UnitId>,
        page: u64,
    ) -> DomainResult<Page<Event>> {
        let tree = self.unit_tree().await?;
        let visible = match actor {
            Actor::User(me) if me.site_admin => None,
            Actor::Anonymous => Some(Visible::default()),
            Actor::User(me) => {
                let units = tree
                    .units()
                    .iter()
                    .filter(|u| {
                        me.grants
                            .iter()
                            .any(|(_, g)| tree.is_within(*g, u.id) || tree.is_within(u.id, *g))
                    })
                    .map(|u| u.id)
                    .collect();
                let mut communities = Vec::new();
                for (c, _) in self.community_choices(actor).await? {
                    communities.push(c.0);
                }
                let organised = tree
                    .units()
                    .iter()
                    .filter(|u| Self::organises(actor, &tree, u.id))
                    .map(|u| u.id)
                    .collect();
                Some(Visible {
                    signed_in: true,
                    units,
                    communities,
                    organised,
                })
            }
        };
        let units = unit.map(|u| {
            tree.units()
                .iter()
                .filter(|x| tree.is_within(x.id, u))
                .map(|x| x.id)
                .collect()
        });
        let q = EventQuery {
            kind,
            units,
            visible,
        };
        Ok(self
            .event_store()?
            .list_events(&q, self.clock.now(), page.max(1), PER_PAGE)
            .await?)
    }

    /// One event for its page.
    pub async fn event_view(&self, actor: &Actor, id: EventId) -> DomainResult<EventView> {
        let (event, tree) = self.visible_event(actor, id).await?;
        let store = self.event_store()?;
        let regs = store.registrations(id).await?;
        let count = |s: RegStatus| regs.iter().filter(|r| r.status == s).count() as u64;
        let mine = match actor.user_id() {
            Some(u) => store.registration_of_user(id, u).await?,
            None => None,
        };
        let may_register = match registration_window(&event, self.clock.now()) {
            Err(m) => Err(m.to_string()),
            Ok(()) if mine.as_ref().is_some_and(|r| r.status.is_active()) => {
                Err("คุณลงทะเบียนกิจกรรมนี้แล้ว".to_string())
            }
            Ok(()) if actor.user_id().is_none() && event.fields.audience != Audience::Public => {
                Err("กรุณาเข้าสู่ระบบเพื่อลงทะเบียน".to_string())
            }
            Ok(()) => Ok(()),
        };
        let community_name = match event.fields.audience {
            Audience::Community(c) => self.community_names(&[c]).await?.remove(&c),
            _ => None,
        };
        Ok(EventView {
            may_organise: Self::organises(actor, &tree, event.fields.unit_id),
            confirmed: count(RegStatus::Confirmed),
            waiting: count(RegStatus::Waitlisted),
            event,
            mine,
            may_register,
            community_name,
        })
    }

    async fn registration_checks(&self, actor: &Actor, id: EventId) -> DomainResult<Event> {
        let e = self.event_store()?.event(id).await?;
        let tree = self.unit_tree().await?;
        if !self.in_audience(actor, &tree, &e).await? {
            return Err(match actor {
                Actor::Anonymous if e.fields.audience != Audience::Public => {
                    DomainError::Unauthenticated
                }
                _ => refused("กิจกรรมนี้เปิดรับเฉพาะกลุ่มเป้าหมาย คุณไม่อยู่ในกลุ่มที่ลงทะเบียนได้"),
            });
        }
        registration_window(&e, self.clock.now()).map_err(refused)?;
        Ok(e)
    }

    fn registered(r: Registered) -> DomainResult<Registration> {
        match r {
            Registered::New(r) => Ok(r),
            Registered::Already(_) => Err(refused("คุณลงทะเบียนกิจกรรมนี้แล้ว")),
            Registered::Full => Err(refused("ที่นั่งเต็มแล้ว และกิจกรรมนี้ไม่รับรายชื่อรอ")),
        }
    }

    /// One-click registration of a signed-in person in the audience, within the window.
    pub async fn register_for_event(
        &self,
        actor: &Actor,
        id: EventId,
    ) -> DomainResult<Registration> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        self.registration_checks(actor, id).await?;
        let name = self.person_name(me).await?;
        let r = self
            .event_store()?
            .register(&NewRegistration {
                event_id: id,
                user_id: Some(me),
                person_id: None,
                name,
                affiliation: String::new(),
                secret: secret(),
                ticket: secret(),
                at: self.clock.now(),
            })
            .await?;
        let r = Self::registered(r)?;
        self.audit(
            Some(me),
            "event.register",
            format!("event:{id}"),
            r.status.as_str().into(),
        )
        .await?;
        Ok(r)
    }

    /// A guest (no account) registers for a public event: name, unit/organisation and phone.
    /// The person goes into the organising unit's person register (PDPA: only its officers
    /// read the phone, audited); the registration page is reached by its secret link only.
    pub async fn register_guest(
        &self,
        actor: &Actor,
        id: EventId,
        guest: &GuestDraft,
    ) -> DomainResult<Registration> {
        let e = self.registration_checks(actor, id).await?;
        if e.fields.audience != Audience::Public {
            return Err(DomainError::Unauthenticated);
        }
        let mut errors: Vec<FieldError> = Vec::new();
        let affiliation = crate::text::tidy(&guest.affiliation);
        if affiliation.is_empty() {
            errors.push(FieldError::new(
                "guest.affiliation",
                "กรุณาใส่หน่วยงานหรือองค์กรของคุณ",
            ));
        } else if crate::text::grapheme_len(&affiliation) > 200 {
            errors.push(FieldError::new(
                "guest.affiliation",
                "หน่วยงาน/องค์กรยาวเกิน 200 ตัวอักษร",
            ));
        }
        if guest.phone.trim().is_empty() {
            errors.push(FieldError::new(
                "guest.phone",
                "กรุณาใส่เบอร์โทรศัพท์ เพื่อให้ผู้จัดติดต่อได้",
            ));
        }
        let draft = PersonDraft {
            name: guest.name.clone(),
            phone: guest.phone.clone(),
            consent_purpose: format!("ลงทะเบียนเข้าร่วมกิจกรรม {}", e.fields.title)
                .chars()
                .take(400)
                .collect(),
            ..Default::default()
        };
        let fields = match draft.parse("guest", self.clock.now().date()) {
            Ok(f) => Some(f),
            Err(e) => {
                errors.extend(
                    e.into_iter()
                        .filter(|e| e.field == "guest.name" || e.field == "guest.phone"),
                );
                None
            }
        };
        let Some(fields) = fields.filter(|_| errors.is_empty()) else {
            return Err(DomainError::Invalid(errors));
        };
        let people = self
            .people
            .as_ref()
            .ok_or_else(|| DomainError::internal("person register store not configured"))?;
        // The same phone may hold a seat once: a guest who registers again (a lost link, a
        // second tap) is told so instead of taking a second seat, and someone already in the
        // unit's register under this name and phone is not recorded twice.
        let key = crate::people::model::name_key(&fields.name);
        let known = match fields.phone.as_deref() {
            Some(phone) => people
                .possible_duplicates(&key, None, Some(phone))
                .await?
                .into_iter()
                .filter(|p| p.phone == fields.phone)
                .collect(),
            None => Vec::new(),
        };
        let taken = self
            .event_store()?
            .registrations(id)
            .await?
            .iter()
            .any(|r| {
                matches!(r.status, RegStatus::Confirmed | RegStatus::Waitlisted)
                    && r.person_id.is_some_and(|p| known.iter().any(|k| k.id == p))
            });
        if taken {
            return Err(DomainError::invalid(
                "guest.phone",
                "เบอร์โทรศัพท์นี้ลงทะเบียนกิจกรรมนี้ไว้แล้ว — ดูสถานะได้จากลิงก์ที่ได้รับตอนลงทะเบียน หรือติดต่อผู้จัด",
            ));
        }
        let same = known.iter().find(|p| {
            p.unit_id == e.fields.unit_id && crate::people::model::name_key(&p.name) == key
        });
        let person = match same {
            Some(p) => p.id,
            None => {
                let person = people
                    .insert_person(NewPerson {
                        unit_id: e.fields.unit_id,
                        fields: &fields,
                        consent_by: None,
                        created_by: None,
                        at: self.clock.now(),
                    })
                    .await?;
                self.audit(
                    None,
                    "person.create",
                    format!("person:{person}"),
                    format!("unit:{} · event:{id} registration", e.fields.unit_id),
                )
                .await?;
                person
            }
        };
        let r = self
            .event_store()?
            .register(&NewRegistration {
                event_id: id,
                user_id: None,
                person_id: Some(person),
                name: fields.name.clone(),
                affiliation,
                secret: secret(),
                ticket: secret(),
                at: self.clock.now(),
            })
            .await?;
        let r = Self::registered(r)?;
        self.audit(
            None,
            "event.register",
            format!("event:{id}"),
            format!("guest person:{person} {}", r.status.as_str()),
        )
        .await?;
        Ok(r)
    }

    /// A registration by its secret link: the registrant's own page.
    pub async fn registration_by_secret(
        &self,
        secret: &str,
    ) -> DomainResult<(Event, Registration)> {
        let store = self.event_store()?;
        let r = store.registration_by_secret(secret.trim()).await?;
        Ok((store.event(r.event_id).await?, r))
    }

    async fn tell_promoted(&self, e: &Event, promoted: Option<Registration>) -> DomainResult<()> {
        let Some(p) = promoted else { return Ok(()) };
        self.audit(
            None,
            "event.promote",
            format!("event:{}", e.id),
            format!("registration:{}", p.id),
        )
        .await?;
        if let Some(user) = p.user_id {
            self.notify(vec![NewNotice {
                user,
                kind: "event_promoted".into(),
                title: format!(
                    "คุณได้ที่นั่งในกิจกรรม \"{}\" แล้ว (เลื่อนจากรายชื่อรอ)",
                    e.fields.title
                ),
                link: format!("/events/my/{}", p.secret),
                once_key: Some(format!("event_promoted:{}", p.id)),
            }])
            .await?;
        }
        Ok(())
    }

    /// The registrant cancels by their secret link; the first waiting person moves up.
    pub async fn cancel_registration(&self, secret: &str) -> DomainResult<Registration> {
        let (e, r) = self.registration_by_secret(secret).await?;
        let Some((r, promoted)) = self
            .event_store()?
            .leave(r.id, RegStatus::Cancelled, self.clock.now())
            .await?
        else {
            return Err(refused("การลงทะเบียนนี้ยกเลิกไปแล้ว"));
        };
        self.audit(
            r.user_id,
            "event.unregister",
            format!("event:{}", e.id),
            format!("registration:{}", r.id),
        )
        .await?;
        self.tell_promoted(&e, promoted).await?;
        Ok(r)
    }

    /// An organiser removes someone from the lists; the first waiting person moves up.
    pub async fn remove_registration(
        &self,
        actor: &Actor,
        id: EventId,
        reg: RegistrationId,
    ) -> DomainResult<()> {
        let e = self.organised_event(actor, id).await?;
        let store = self.event_store()?;
        if store.registration(reg).await?.event_id != id {
            return Err(DomainError::NotFound);
        }
        let Some((r, promoted)) = store
            .leave(reg, RegStatus::Removed, self.clock.now())
            .await?
        else {
            return Err(refused("ผู้ลงทะเบียนนี้ไม่อยู่ในรายชื่อแล้ว"));
        };
        self.audit(
            actor.user_id(),
            "event.remove",
            format!("event:{id}"),
            format!("registration:{}", r.id),
        )
        .await?;
        self.tell_promoted(&e, promoted).await
    }

    /// Items linked to the event (AARs, outputs) that the actor may read.
    pub async fn event_outputs(
        &self,
        actor: &Actor,
        id: EventId,
    ) -> DomainResult<Vec<ItemSummary>> {
        self.visible_event(actor, id).await?;
        self.items_of_origin(actor, Origin::Event(id)).await
    }

    /// An organiser links an item (by number or URL) to the event.
    pub async fn link_event_output(
        &self,
        actor: &Actor,
        id: EventId,
        item: &str,
    ) -> DomainResult<ItemId> {
        self.organised_event(actor, id).await?;
        let item = item_number(item)
            .ok_or_else(|| DomainError::invalid("item", "กรุณาใส่เลขที่หรือลิงก์ขององค์ความรู้"))?;
        self.link_item_to_origin(actor, item, Origin::Event(id))
            .await?;
        self.audit(
            actor.user_id(),
            "event.output",
            format!("event:{id}"),
            format!("item:{item}"),
        )
        .await?;
        Ok(item)
    }

    /// Adds a booth to a KM Market event: its organisers.
    pub async fn add_booth(
        &self,
        actor: &Actor,
        id: EventId,
        draft: &BoothDraft,
    ) -> DomainResult<BoothId> {
        let e = self.organised_event(actor, id).await?;
        if e.fields.kind != EventKind::KmMarket {
            return Err(refused("บูธมีเฉพาะกิจกรรมตลาดนัดความรู้"));
        }
        let b = draft.parse().map_err(DomainError::Invalid)?;
        if self.unit_tree().await?.get(b.unit_id).is_none() {
            return Err(DomainError::invalid("booth_unit", "ไม่พบหน่วยงานที่เลือก"));
        }
        let bid = self.event_store()?.insert_booth(id, &b).await?;
        self.audit(
            actor.user_id(),
            "event.booth",
            format!("event:{id}"),
            b.name,
        )
        .await?;
        Ok(bid)
    }

    /// Removes a booth: the event's organisers.
    pub async fn remove_booth(
        &self,
        actor: &Actor,
        id: EventId,
        booth: BoothId,
    ) -> DomainResult<()> {
        self.organised_event(actor, id).await?;
        if !self.event_store()?.delete_booth(id, booth).await? {
            return Err(DomainError::NotFound);
        }
        Ok(())
    }

    /// The booths of a KM Market event with the items they present: only published items
    /// the public may read are shown (the page is public).
    pub async fn event_booths(
        &self,
        actor: &Actor,
        id: EventId,
    ) -> DomainResult<(Event, Vec<BoothView>)> {
        let (e, _) = self.visible_event(actor, id).await?;
        let mut out = Vec::new();
        for booth in self.event_store()?.booths(id).await? {
            let mut items = Vec::new();
            for i in &booth.items {
                match self.item_view(&Actor::Anonymous, *i).await {
                    Ok(v) if v.item.status == ItemStatus::Published => {
                        items.push((*i, v.item.fields.title.as_str().to_string()));
                    }
                    Ok(_)
                    | Err(
                        DomainError::NotFound
                        | DomainError::Forbidden
                        | DomainError::Unauthenticated,
                    ) => {}
                    Err(e) => return Err(e),
                }
            }
            out.push(BoothView { booth, items });
        }
        Ok((e, out))
    }

    /// An event's title and its page's path, when the actor may see the event (a lesson's
    /// "started from" link).
    pub async fn event_label(
        &self,
        actor: &Actor,
        event: EventId,
    ) -> DomainResult<Option<(String, String)>> {
        match self.visible_event(actor, event).await {
            Ok((e, _)) => Ok(Some((e.fields.title, format!("/events/{event}")))),
            Err(DomainError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
