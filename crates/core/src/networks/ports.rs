//! What the registries need from storage.

use super::model::{Member, MemberFields, Registry};
use crate::ids::{MemberId, PersonId, UnitId, UserId};
use crate::people::ports::NewPerson;
use crate::ports::{AuditEntry, Page, PortResult};
use async_trait::async_trait;
use time::OffsetDateTime;

/// A row to be written.
pub struct NewMember<'a> {
    pub registry: Registry,
    pub unit_id: UnitId,
    pub person_id: PersonId,
    pub fields: &'a MemberFields,
    pub created_by: Option<UserId>,
    pub at: OffsetDateTime,
}

/// One row of an import: the person (a new one for the register) and the row's fields.
pub struct ImportRow<'a> {
    pub person: NewPerson<'a>,
    pub fields: &'a MemberFields,
}

/// A current person of the register with this name key (for the import's duplicate check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPerson {
    pub name_key: String,
    pub person_id: PersonId,
    pub unit_id: UnitId,
    pub name: String,
}

#[async_trait]
pub trait NetworkStore: Send + Sync {
    /// Conflict when the person already has a row in this unit's register.
    async fn insert_member(&self, member: NewMember<'_>) -> PortResult<MemberId>;
    async fn get_member(&self, id: MemberId) -> PortResult<Member>;
    /// Rewrites the row's own fields and `updated_at`.
    async fn update_member(&self, member: &Member) -> PortResult<()>;
    /// Removes the row (the person stays in the register) and writes the audit entry.
    async fn delete_member(&self, id: MemberId, audit: AuditEntry) -> PortResult<()>;
    /// Rows of these units' registers, by unit then in the order they were added.
    async fn list_members(
        &self,
        registry: Registry,
        units: &[UnitId],
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<Member>>;
    /// Current (not erased, not merged) people with any of these name keys.
    async fn people_named(&self, name_keys: &[String]) -> PortResult<Vec<NamedPerson>>;
    /// All rows in one transaction: each person recorded in the register ("person.create"
    /// audited), then the row; nothing is written when any fails.
    async fn import_members(
        &self,
        registry: Registry,
        unit: UnitId,
        rows: &[ImportRow<'_>],
        audit: AuditEntry,
    ) -> PortResult<Vec<MemberId>>;
}
