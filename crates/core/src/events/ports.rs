//! What the events context needs from storage.

use super::model::{
    Attendance, Booth, BoothFields, Event, EventFields, EventKind, RegStatus, Registration,
};
use crate::ids::{BoothId, EventId, PersonId, RegistrationId, UnitId, UserId};
use crate::ports::{Page, PortResult};
use async_trait::async_trait;
use time::OffsetDateTime;

/// Which events a list shows: the filters, and what the reader may see.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub kind: Option<EventKind>,
    /// Events organised by these units (a unit filter with its subtree); None: any.
    pub units: Option<Vec<UnitId>>,
    /// None: the site admin, who sees every event.
    pub visible: Option<Visible>,
}

/// The audiences a reader belongs to.
#[derive(Debug, Clone, Default)]
pub struct Visible {
    pub signed_in: bool,
    /// Unit audiences the reader belongs to, and units whose events they organise.
    pub units: Vec<UnitId>,
    pub communities: Vec<i64>,
    /// Units whose events the reader organises (they see every audience).
    pub organised: Vec<UnitId>,
}

/// A registration to insert; the store decides its status in the same transaction.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub event_id: EventId,
    pub user_id: Option<UserId>,
    pub person_id: Option<PersonId>,
    pub name: String,
    pub affiliation: String,
    pub secret: String,
    pub ticket: String,
    pub at: OffsetDateTime,
}

/// What happened to a registration request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    New(Registration),
    /// The user already holds an active registration.
    Already(Registration),
    /// Full, and the event keeps no waitlist.
    Full,
}

/// Owned by the events context; one database serves it.
#[async_trait]
pub trait EventStore: Send + Sync {
    async fn insert_event(
        &self,
        fields: &EventFields,
        checkin_secret: &str,
        by: UserId,
        at: OffsetDateTime,
    ) -> PortResult<EventId>;
    /// Saves the fields and, in the same transaction, promotes people waiting into any seats a
    /// raised (or removed) capacity freed, first come first served. Returns the promoted.
    async fn update_event(
        &self,
        id: EventId,
        fields: &EventFields,
        at: OffsetDateTime,
    ) -> PortResult<Vec<Registration>>;
    /// False when it was already cancelled.
    async fn cancel_event(&self, id: EventId, at: OffsetDateTime) -> PortResult<bool>;
    async fn event(&self, id: EventId) -> PortResult<Event>;
    async fn event_by_checkin(&self, secret: &str) -> PortResult<Event>;
    /// Upcoming (not yet ended at `now`) first, soonest first; then past ones, latest first.
    async fn list_events(
        &self,
        q: &EventQuery,
        now: OffsetDateTime,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Event>>;

    /// Decides the seat ([`super::model::seat_for`]) and inserts in one transaction that holds
    /// the event's row, so two processes never over-fill it.
    async fn register(&self, r: &NewRegistration) -> PortResult<Registered>;
    /// Moves an active registration to `to` (cancelled or removed) and, in the same
    /// transaction, promotes the first waiting one if a seat came free. Returns the changed
    /// registration and the promoted one; None when it was not active.
    async fn leave(
        &self,
        id: RegistrationId,
        to: RegStatus,
        at: OffsetDateTime,
    ) -> PortResult<Option<(Registration, Option<Registration>)>>;
    async fn registration(&self, id: RegistrationId) -> PortResult<Registration>;
    async fn registration_by_secret(&self, secret: &str) -> PortResult<Registration>;
    async fn registration_by_ticket(&self, ticket: &str) -> PortResult<Registration>;
    /// The user's latest registration for the event (active or not).
    async fn registration_of_user(
        &self,
        event: EventId,
        user: UserId,
    ) -> PortResult<Option<Registration>>;
    /// Every registration of the event, in order of arrival.
    async fn registrations(&self, event: EventId) -> PortResult<Vec<Registration>>;
    /// Records attendance for a confirmed registration not yet checked in; false otherwise.
    async fn check_in(&self, id: RegistrationId, a: &Attendance) -> PortResult<bool>;
    async fn set_certificate(&self, id: RegistrationId, code: &str) -> PortResult<()>;

    async fn insert_booth(&self, event: EventId, b: &BoothFields) -> PortResult<BoothId>;
    async fn delete_booth(&self, event: EventId, id: BoothId) -> PortResult<bool>;
    async fn booths(&self, event: EventId) -> PortResult<Vec<Booth>>;
}
