//! [`Store`] over SeaORM: the same queries on SQLite and PostgreSQL.

use crate::entities::{
    api_token, audit_entry, login_failure, role_grant, session, setup_token, unit, user,
};
use async_trait::async_trait;
use khlang_core::account::{
    ApiToken, DisplayName, Email, NewUser, PasswordHashString, Phone, SecretHash, Session, User,
    Username,
};
use khlang_core::error::PortError;
use khlang_core::ids::{GrantId, TokenId, UnitId, UserId};
use khlang_core::org::{Role, Unit, UnitCode, UnitKind, UnitName};
use khlang_core::ports::{AuditEntry, Grant, NewUnit, Page, PortResult, Store};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, Statement,
};
use time::{OffsetDateTime, UtcOffset};

#[derive(Clone)]
pub struct SeaStore {
    db: DatabaseConnection,
}

impl SeaStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}

/// Driver errors onto the port's vocabulary: unique violation → Conflict, missing row → NotFound.
pub(crate) fn map_err(e: DbErr) -> PortError {
    if let Some(SqlErr::UniqueConstraintViolation(what)) = e.sql_err() {
        return PortError::Conflict(what);
    }
    match e {
        DbErr::RecordNotFound(_) => PortError::NotFound,
        other => PortError::Other(other.to_string()),
    }
}

pub(crate) fn utc(t: OffsetDateTime) -> OffsetDateTime {
    t.to_offset(UtcOffset::UTC)
}

/// A time as Unix milliseconds: the plain-SQL adapters store times so, and both engines
/// compare and sort them alike.
pub(crate) fn ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The inverse of [`ms`]; a value no time can have is a corrupt row, said so.
pub(crate) fn from_ms(ms: i64) -> PortResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| corrupt("time", e))
}

/// A column of a plain-SQL row, with the driver's error mapped.
pub(crate) fn get<T: sea_orm::TryGetable>(r: &sea_orm::QueryResult, col: &str) -> PortResult<T> {
    r.try_get("", col).map_err(map_err)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::Other(format!("stored {what} is invalid: {e}"))
}

fn to_unit(m: unit::Model) -> PortResult<Unit> {
    Ok(Unit {
        id: UnitId(m.id),
        parent_id: m.parent_id.map(UnitId),
        code: UnitCode::parse(&m.code).map_err(|e| corrupt("unit code", e))?,
        kind: UnitKind::parse(&m.kind).map_err(|e| corrupt("unit kind", e))?,
        name_th: UnitName::from_trusted(m.name_th),
        name_en: m.name_en,
        short_th: m.short_th,
        retired: m.retired,
    })
}

fn to_user(m: user::Model) -> (User, PasswordHashString) {
    (
        User {
            id: UserId(m.id),
            username: Username::from_trusted(m.username),
            display_name: DisplayName::from_trusted(m.display_name),
            email: m.email.map(Email::from_trusted),
            phone: m.phone.map(Phone::from_trusted),
            home_unit_id: m.home_unit_id.map(UnitId),
            site_admin: m.site_admin,
            disabled: m.disabled,
            created_at: m.created_at,
        },
        PasswordHashString(m.password_hash),
    )
}

fn to_grant(m: role_grant::Model) -> PortResult<Grant> {
    Ok(Grant {
        id: GrantId(m.id),
        user_id: UserId(m.user_id),
        role: Role::parse(&m.role).map_err(|e| corrupt("role", e))?,
        unit_id: UnitId(m.unit_id),
    })
}

fn to_token(m: api_token::Model) -> ApiToken {
    ApiToken {
        id: TokenId(m.id),
        user_id: UserId(m.user_id),
        name: m.name,
        prefix: m.prefix,
        created_at: m.created_at,
        last_used_at: m.last_used_at,
        revoked_at: m.revoked_at,
    }
}

#[async_trait]
impl Store for SeaStore {
    async fn ping(&self) -> PortResult<()> {
        let backend = self.db.get_database_backend();
        self.db
            .execute(Statement::from_string(backend, "SELECT 1"))
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn list_units(&self) -> PortResult<Vec<Unit>> {
        unit::Entity::find()
            .order_by_asc(unit::Column::Code)
            .all(&self.db)
            .await
            .map_err(map_err)?
            .into_iter()
            .map(to_unit)
            .collect()
    }

    async fn insert_unit(&self, u: NewUnit) -> PortResult<Unit> {
        let model = unit::ActiveModel {
            parent_id: Set(u.parent_id.map(|p| p.0)),
            code: Set(u.code.as_str().to_string()),
            kind: Set(u.kind.as_str().to_string()),
            name_th: Set(u.name_th.as_str().to_string()),
            name_en: Set(u.name_en),
            short_th: Set(u.short_th),
            retired: Set(false),
            created_at: Set(utc(OffsetDateTime::now_utc())),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(map_err)?;
        to_unit(model)
    }

    async fn update_unit(&self, u: &Unit) -> PortResult<()> {
        let res = unit::Entity::update_many()
            .col_expr(
                unit::Column::ParentId,
                Expr::value(u.parent_id.map(|p| p.0)),
            )
            .col_expr(unit::Column::Kind, Expr::value(u.kind.as_str()))
            .col_expr(unit::Column::NameTh, Expr::value(u.name_th.as_str()))
            .col_expr(unit::Column::NameEn, Expr::value(u.name_en.clone()))
            .col_expr(unit::Column::ShortTh, Expr::value(u.short_th.clone()))
            .col_expr(unit::Column::Retired, Expr::value(u.retired))
            .filter(unit::Column::Id.eq(u.id.0))
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        if res.rows_affected == 0 {
            Err(PortError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn count_users(&self) -> PortResult<u64> {
        user::Entity::find().count(&self.db).await.map_err(map_err)
    }

    async fn insert_user(&self, u: NewUser) -> PortResult<User> {
        let model = user::ActiveModel {
            username: Set(u.username.as_str().to_string()),
            display_name: Set(u.display_name.as_str().to_string()),
            email: Set(u.email.map(|e| e.as_str().to_string())),
            phone: Set(u.phone.map(|p| p.as_str().to_string())),
            home_unit_id: Set(u.home_unit_id.map(|h| h.0)),
            site_admin: Set(u.site_admin),
            disabled: Set(false),
            password_hash: Set(u.password_hash.0),
            created_at: Set(utc(OffsetDateTime::now_utc())),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(map_err)?;
        Ok(to_user(model).0)
    }

    async fn get_user(&self, id: UserId) -> PortResult<User> {
        user::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(map_err)?
            .map(|m| to_user(m).0)
            .ok_or(PortError::NotFound)
    }

    async fn user_by_username(
        &self,
        username: &Username,
    ) -> PortResult<Option<(User, PasswordHashString)>> {
        Ok(user::Entity::find()
            .filter(user::Column::Username.eq(username.as_str()))
            .one(&self.db)
            .await
            .map_err(map_err)?
            .map(to_user))
    }

    async fn list_users(
        &self,
        home_units: Option<&[UnitId]>,
        page: u64,
        per_page: u64,
    ) -> PortResult<Page<User>> {
        let mut q = user::Entity::find().order_by_asc(user::Column::Username);
        if let Some(units) = home_units {
            q = q.filter(user::Column::HomeUnitId.is_in(units.iter().map(|u| u.0)));
        }
        let per_page = per_page.clamp(1, 200);
        let paginator = q.paginate(&self.db, per_page);
        let total = paginator.num_items().await.map_err(map_err)?;
        let page = page.max(1);
        let items = paginator.fetch_page(page - 1).await.map_err(map_err)?;
        Ok(Page {
            items: items.into_iter().map(|m| to_user(m).0).collect(),
            page,
            per_page,
            total,
        })
    }

    async fn set_password(&self, id: UserId, hash: &PasswordHashString) -> PortResult<()> {
        let res = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash.0.clone()))
            .filter(user::Column::Id.eq(id.0))
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        if res.rows_affected == 0 {
            Err(PortError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn grants_for_user(&self, user: UserId) -> PortResult<Vec<Grant>> {
        role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(user.0))
            .order_by_asc(role_grant::Column::Id)
            .all(&self.db)
            .await
            .map_err(map_err)?
            .into_iter()
            .map(to_grant)
            .collect()
    }

    async fn insert_grant(&self, user: UserId, role: Role, unit: UnitId) -> PortResult<Grant> {
        let model = role_grant::ActiveModel {
            user_id: Set(user.0),
            role: Set(role.as_str().to_string()),
            unit_id: Set(unit.0),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(map_err)?;
        to_grant(model)
    }

    async fn get_grant(&self, id: GrantId) -> PortResult<Grant> {
        let model = role_grant::Entity::find_by_id(id.0)
            .one(&self.db)
            .await
            .map_err(map_err)?;
        to_grant(model.ok_or(PortError::NotFound)?)
    }

    async fn delete_grant(&self, id: GrantId) -> PortResult<()> {
        let res = role_grant::Entity::delete_by_id(id.0)
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        if res.rows_affected == 0 {
            Err(PortError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn insert_session(&self, s: &Session) -> PortResult<()> {
        session::ActiveModel {
            hash: Set(s.hash.0.clone()),
            user_id: Set(s.user_id.0),
            csrf: Set(s.csrf.clone()),
            created_at: Set(utc(s.created_at)),
            expires_at: Set(utc(s.expires_at)),
        }
        .insert(&self.db)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn session(&self, hash: &SecretHash) -> PortResult<Option<Session>> {
        Ok(session::Entity::find_by_id(hash.0.clone())
            .one(&self.db)
            .await
            .map_err(map_err)?
            .map(|m| Session {
                hash: SecretHash(m.hash),
                user_id: UserId(m.user_id),
                csrf: m.csrf,
                created_at: m.created_at,
                expires_at: m.expires_at,
            }))
    }

    async fn delete_session(&self, hash: &SecretHash) -> PortResult<()> {
        session::Entity::delete_by_id(hash.0.clone())
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_sessions_of(&self, user: UserId) -> PortResult<()> {
        session::Entity::delete_many()
            .filter(session::Column::UserId.eq(user.0))
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> PortResult<u64> {
        let res = session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(utc(now)))
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected)
    }

    async fn insert_token(
        &self,
        user: UserId,
        name: &str,
        prefix: &str,
        hash: &SecretHash,
        at: OffsetDateTime,
    ) -> PortResult<ApiToken> {
        let model = api_token::ActiveModel {
            user_id: Set(user.0),
            name: Set(name.to_string()),
            prefix: Set(prefix.to_string()),
            hash: Set(hash.0.clone()),
            created_at: Set(utc(at)),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(map_err)?;
        Ok(to_token(model))
    }

    async fn token_by_hash(&self, hash: &SecretHash) -> PortResult<Option<ApiToken>> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::Hash.eq(hash.0.clone()))
            .one(&self.db)
            .await
            .map_err(map_err)?
            .map(to_token))
    }

    async fn list_tokens(&self, user: UserId) -> PortResult<Vec<ApiToken>> {
        Ok(api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user.0))
            .order_by_desc(api_token::Column::Id)
            .all(&self.db)
            .await
            .map_err(map_err)?
            .into_iter()
            .map(to_token)
            .collect())
    }

    async fn revoke_token(&self, user: UserId, id: TokenId, at: OffsetDateTime) -> PortResult<()> {
        let res = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Some(utc(at))))
            .filter(api_token::Column::Id.eq(id.0))
            .filter(api_token::Column::UserId.eq(user.0))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        if res.rows_affected == 0 {
            Err(PortError::NotFound)
        } else {
            Ok(())
        }
    }

    async fn touch_token(&self, id: TokenId, at: OffsetDateTime) -> PortResult<()> {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(Some(utc(at))))
            .filter(api_token::Column::Id.eq(id.0))
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn record_login_failure(&self, key: &str, at: OffsetDateTime) -> PortResult<()> {
        login_failure::ActiveModel {
            key: Set(key.to_string()),
            at: Set(utc(at)),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn login_failures_since(
        &self,
        key: &str,
        since: OffsetDateTime,
    ) -> PortResult<(u64, Option<OffsetDateTime>)> {
        let rows = login_failure::Entity::find()
            .filter(login_failure::Column::Key.eq(key))
            .filter(login_failure::Column::At.gt(utc(since)))
            .order_by_asc(login_failure::Column::At)
            .limit(1000)
            .all(&self.db)
            .await
            .map_err(map_err)?;
        Ok((rows.len() as u64, rows.first().map(|r| r.at)))
    }

    async fn clear_login_failures(&self, key: &str) -> PortResult<()> {
        login_failure::Entity::delete_many()
            .filter(login_failure::Column::Key.eq(key))
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn insert_setup_token(
        &self,
        hash: &SecretHash,
        expires_at: OffsetDateTime,
    ) -> PortResult<()> {
        setup_token::ActiveModel {
            hash: Set(hash.0.clone()),
            expires_at: Set(utc(expires_at)),
        }
        .insert(&self.db)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn take_setup_token(&self, hash: &SecretHash, now: OffsetDateTime) -> PortResult<bool> {
        let res = setup_token::Entity::delete_many()
            .filter(setup_token::Column::Hash.eq(hash.0.clone()))
            .filter(setup_token::Column::ExpiresAt.gt(utc(now)))
            .exec(&self.db)
            .await
            .map_err(map_err)?;
        Ok(res.rows_affected == 1)
    }

    async fn setup_token_valid(&self, hash: &SecretHash, now: OffsetDateTime) -> PortResult<bool> {
        let n = setup_token::Entity::find()
            .filter(setup_token::Column::Hash.eq(hash.0.clone()))
            .filter(setup_token::Column::ExpiresAt.gt(utc(now)))
            .count(&self.db)
            .await
            .map_err(map_err)?;
        Ok(n > 0)
    }

    async fn audit(&self, e: AuditEntry) -> PortResult<()> {
        audit_entry::ActiveModel {
            actor_id: Set(e.actor.map(|a| a.0)),
            action: Set(e.action),
            target: Set(e.target),
            detail: Set(e.detail),
            at: Set(utc(e.at)),
            ..Default::default()
        }
        .insert(&self.db)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn recent_audit(&self, limit: u64) -> PortResult<Vec<AuditEntry>> {
        Ok(audit_entry::Entity::find()
            .order_by_desc(audit_entry::Column::Id)
            .limit(limit)
            .all(&self.db)
            .await
            .map_err(map_err)?
            .into_iter()
            .map(|m| AuditEntry {
                actor: m.actor_id.map(UserId),
                action: m.action,
                target: m.target,
                detail: m.detail,
                at: m.at,
            })
            .collect())
    }
}
