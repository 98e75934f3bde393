//! What the person register needs from storage.

use super::model::{Person, PersonFields};
use crate::geo::SubdistrictCode;
use crate::ids::{PersonId, UnitId, UserId};
use crate::ports::{AuditEntry, Page, PortResult};
use async_trait::async_trait;
use time::OffsetDateTime;

/// A person to be written: the parsed fields, who keeps the record, who recorded it.
pub struct NewPerson<'a> {
    pub unit_id: UnitId,
    pub fields: &'a PersonFields,
    pub consent_by: Option<UserId>,
    pub created_by: Option<UserId>,
    pub at: OffsetDateTime,
}

/// Which people a search looks at.
#[derive(Debug, Clone, Default)]
pub struct PeopleQuery {
    /// Only people kept by these units (None = any unit).
    pub units: Option<Vec<UnitId>>,
    /// Part of the name (as [`super::model::name_key`]), the phone digits or the volunteer
    /// number; empty = everyone.
    pub text: String,
    /// Leave out erased and merged people.
    pub current_only: bool,
}

#[async_trait]
pub trait PeopleStore: Send + Sync {
    async fn insert_person(&self, person: NewPerson<'_>) -> PortResult<PersonId>;
    /// One person, merged or not; NotFound when the id was never used.
    async fn get_person(&self, id: PersonId) -> PortResult<Person>;
    /// The people with these ids that exist, in no particular order.
    async fn get_people(&self, ids: &[PersonId]) -> PortResult<Vec<Person>>;
    /// Rewrites the person's fields (consent included) and `updated_at`.
    async fn update_person(&self, person: &Person) -> PortResult<()>;
    async fn find_people(
        &self,
        query: &PeopleQuery,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Person>>;
    /// Current people with the same name key in the same subdistrict, or the same phone.
    async fn possible_duplicates(
        &self,
        name_key: &str,
        subdistrict: Option<SubdistrictCode>,
        phone: Option<&str>,
    ) -> PortResult<Vec<Person>>;
    /// Writes `person` (already erased by the caller) and the audit entry in one transaction.
    async fn erase_person(&self, person: &Person, audit: AuditEntry) -> PortResult<()>;
    /// Marks `drop` as merged into `keep` (and anything merged into `drop` too), writes the
    /// audit entry, in one transaction.
    async fn merge_people(
        &self,
        keep: PersonId,
        drop: PersonId,
        at: OffsetDateTime,
        audit: AuditEntry,
    ) -> PortResult<()>;
}
