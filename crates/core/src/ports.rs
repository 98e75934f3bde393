//! What the core needs from the outside world. The store and blobs crates implement these;
//! the core never learns which database or object store is behind them.

use crate::account::{ApiToken, NewUser, PasswordHashString, SecretHash, Session, User, Username};
use crate::error::PortError;
use crate::ids::{GrantId, TokenId, UnitId, UserId};
use crate::org::{Role, Unit, UnitCode, UnitKind, UnitName};
use async_trait::async_trait;
use bytes::Bytes;
use futures::stream::BoxStream;
use time::OffsetDateTime;

pub type PortResult<T> = Result<T, PortError>;

pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub code: UnitCode,
    pub kind: UnitKind,
    pub name_th: UnitName,
    pub name_en: Option<String>,
    pub short_th: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Grant {
    pub id: GrantId,
    pub user_id: UserId,
    pub role: Role,
    pub unit_id: UnitId,
}

/// One page of a list, 1-based.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.per_page.max(1)).max(1)
    }
}

/// One entry of the audit log: who did what to what, when.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub actor: Option<UserId>,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub at: OffsetDateTime,
}

#[async_trait]
pub trait Store: Send + Sync {
    /// Cheap round-trip for /readyz.
    async fn ping(&self) -> PortResult<()>;

    // Units
    async fn list_units(&self) -> PortResult<Vec<Unit>>;
    async fn insert_unit(&self, unit: NewUnit) -> PortResult<Unit>;
    /// Writes name, parent, kind, English/short names and retired flag of an existing unit.
    async fn update_unit(&self, unit: &Unit) -> PortResult<()>;

    // Users
    async fn count_users(&self) -> PortResult<u64>;
    async fn insert_user(&self, user: NewUser) -> PortResult<User>;
    async fn get_user(&self, id: UserId) -> PortResult<User>;
    async fn user_by_username(
        &self,
        username: &Username,
    ) -> PortResult<Option<(User, PasswordHashString)>>;
    async fn list_users(
        &self,
        home_units: Option<&[UnitId]>,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<User>>;
    async fn set_password(&self, id: UserId, hash: &PasswordHashString) -> PortResult<()>;

    // Role grants
    async fn grants_for_user(&self, user: UserId) -> PortResult<Vec<Grant>>;
    async fn insert_grant(&self, user: UserId, role: Role, unit: UnitId) -> PortResult<Grant>;
    async fn get_grant(&self, id: GrantId) -> PortResult<Grant>;
    async fn delete_grant(&self, id: GrantId) -> PortResult<()>;

    // Sessions
    async fn insert_session(&self, session: &Session) -> PortResult<()>;
    async fn session(&self, hash: &SecretHash) -> PortResult<Option<Session>>;
    async fn delete_session(&self, hash: &SecretHash) -> PortResult<()>;
    async fn delete_sessions_of(&self, user: UserId) -> PortResult<()>;
    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> PortResult<u64>;

    // API tokens
    async fn insert_token(
        &self,
        user: UserId,
        name: &str,
        prefix: &str,
        hash: &SecretHash,
        at: OffsetDateTime,
    ) -> PortResult<ApiToken>;
    async fn token_by_hash(&self, hash: &SecretHash) -> PortResult<Option<ApiToken>>;
    async fn list_tokens(&self, user: UserId) -> PortResult<Vec<ApiToken>>;
    async fn revoke_token(&self, user: UserId, id: TokenId, at: OffsetDateTime) -> PortResult<()>;
    async fn touch_token(&self, id: TokenId, at: OffsetDateTime) -> PortResult<()>;

    // Sign-in throttling: failures keyed by "user:<name>" or "addr:<ip>".
    async fn record_login_failure(&self, key: &str, at: OffsetDateTime) -> PortResult<()>;
    async fn login_failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> PortResult<(u64, Option<OffsetDateTime>)>;
    async fn clear_login_failures(&self, key: &str) -> PortResult<()>;

    // The one-time first-administrator link
    async fn insert_setup_token(
        &self,
        hash: &SecretHash,
        expires_at: OffsetDateTime,
    ) -> PortResult<()>;
    /// Deletes the token and says whether it existed and was still valid.
    async fn take_setup_token(&self, hash: &SecretHash, now: OffsetDateTime) -> PortResult<bool>;
    async fn setup_token_valid(&self, hash: &SecretHash, now: OffsetDateTime) -> PortResult<bool>;

    async fn audit(&self, entry: AuditEntry) -> PortResult<()>;
    async fn recent_audit(&self, limit: u64) -> PortResult<Vec<AuditEntry>>;
}

/// A stream of file bytes as it arrives (upload) or leaves (download).
pub type ByteStream = BoxStream<'static, Result<Bytes, std::io::Error>>;

/// Where uploaded files live: a directory or an S3 bucket. Keys are khlang-made, never user input.
#[async_trait]
pub trait Blobs: Send + Sync {
    /// Streams `body` to `key` in parts; nothing is visible under `key` until it completes.
    async fn put(&self, key: &str, body: ByteStream) -> PortResult<u64>;
    /// Reads `range` (or all) of `key`; returns the object's full size and the byte stream.
    async fn get(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> PortResult<(u64, ByteStream)>;
    async fn delete(&self, key: &str) -> PortResult<()>;
    /// Writes, reads and deletes a tiny probe object (for /readyz and start-up).
    async fn check(&self) -> PortResult<()>;
}

/// Time, injectable so tests can move it (session expiry, throttling windows).
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
