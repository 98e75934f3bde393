//! Signing in and out, sessions, API tokens and passwords.

use super::Khlang;
use crate::account::{
    ApiToken, Password, Secret, Session, User, Username, hash_password, parse_token_name,
    verify_dummy, verify_password,
};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{TokenId, UserId};
use crate::org::{Action, Actor, Target, authorize};
use time::OffsetDateTime;

/// What a password must not resemble: the person's own names and e-mail.
pub(crate) fn about(user: &User) -> [&str; 3] {
    [
        user.username.as_str(),
        user.display_name.as_str(),
        user.email.as_ref().map_or("", |e| e.as_str()),
    ]
}

/// A signed-in request's context: who, with what grants, and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct SessionContext {
    pub user: User,
    pub actor: Actor,
    pub csrf: String,
    /// Unread notices in the person's inbox (the bell's number).
    pub unread_notices: u64,
}

impl Khlang {
    /// Checks the password with per-account and per-address throttling; on success opens a
    /// session and returns its secret (for the cookie).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> DomainResult<(User, Secret)> {
        let now = self.clock.now();
        let user_key = format!("user:{}", username.trim().to_lowercase());
        let addr_key = format!("addr:{address}");
        self.check_throttle(&user_key, self.policy.max_failures_per_account, now)
            .await?;
        self.check_throttle(&addr_key, self.policy.max_failures_per_address, now)
            .await?;

        let attempt = Password::attempt(password);
        let found = match Username::parse(username) {
            Ok(name) => self.store.user_by_username(&name).await?,
            Err(_) => None,
        };
        let ok_user = match found {
            Some((user, hash)) if !user.disabled && verify_password(&attempt, &hash).await => {
                Some(user)
            }
            Some(_) => None,
            None => {
                verify_dummy(&attempt).await;
                None
            }
        };
        let Some(user) = ok_user else {
            self.store.record_login_failure(&user_key, now).await?;
            self.store.record_login_failure(&addr_key, now).await?;
            return Err(DomainError::Invalid(vec![FieldError::new(
                "password",
                "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง",
            )]));
        };
        self.store.clear_login_failures(&user_key).await?;
        let secret = self.open_session(user.id).await?;
        Ok((user, secret))
    }

    async fn check_throttle(&self, key: &str, max: u64, now: OffsetDateTime) -> DomainResult<()> {
        let window = self.policy.throttle_window;
        let (count, oldest) = self.store.login_failures_since(key, now - window).await?;
        if count >= max {
            let until = oldest.unwrap_or(now) + window;
            let secs = (until - now).whole_seconds().max(1) as u64;
            return Err(DomainError::Throttled {
                retry_after_secs: secs,
            });
        }
        Ok(())
    }

    pub async fn open_session(&self, user: UserId) -> DomainResult<Secret> {
        let secret = Secret::generate("");
        let now = self.clock.now();
        self.store
            .insert_session(&Session {
                hash: secret.hash(),
                user_id: user,
                csrf: Secret::generate("").expose().to_string(),
                created_at: now,
                expires_at: now + self.policy.session_lifetime,
            })
            .await?;
        Ok(secret)
    }

    /// The session behind a cookie, or None when it is unknown or expired (expired ones are removed).
    pub async fn resolve_session(&self, secret: &Secret) -> DomainResult<Option<SessionContext>> {
        let hash = secret.hash();
        let Some(session) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        if session.expires_at <= self.clock.now() {
            self.store.delete_session(&hash).await?;
            return Ok(None);
        }
        let user = match self.store.get_user(session.user_id).await {
            Ok(u) => u,
            Err(crate::error::PortError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if user.disabled {
            return Ok(None);
        }
        let actor = self.actor_for(&user).await?;
        let unread_notices = self.unread_notice_count(user.id).await?;
        Ok(Some(SessionContext {
            user,
            actor,
            csrf: session.csrf,
            unread_notices,
        }))
    }

    pub async fn logout(&self, secret: &Secret) -> DomainResult<()> {
        self.store.delete_session(&secret.hash()).await?;
        Ok(())
    }

    /// The user behind an API bearer token; revoked or unknown tokens are refused.
    pub async fn resolve_token(&self, secret: &Secret) -> DomainResult<(User, Actor)> {
        let token = self
            .store
            .token_by_hash(&secret.hash())
            .await?
            .ok_or(DomainError::Unauthenticated)?;
        if token.revoked_at.is_some() {
            return Err(DomainError::Unauthenticated);
        }
        let user = self
            .store
            .get_user(token.user_id)
            .await
            .map_err(|_| DomainError::Unauthenticated)?;
        if user.disabled {
            return Err(DomainError::Unauthenticated);
        }
        self.store.touch_token(token.id, self.clock.now()).await?;
        let actor = self.actor_for(&user).await?;
        Ok((user, actor))
    }

    /// Changes the actor's own password and ends their other sessions (a thief signed in
    /// elsewhere is thrown out); the session `keep` that asked for the change goes on.
    pub async fn change_password(
        &self,
        actor: &Actor,
        keep: Option<&Secret>,
        current: &str,
        new: &str,
        new_again: &str,
    ) -> DomainResult<()> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        authorize(actor, Action::ManageOwnAccount, &Target::Account(me))?;
        let user = self.store.get_user(me).await?;
        let (_, hash) = self
            .store
            .user_by_username(&user.username)
            .await?
            .ok_or(DomainError::NotFound)?;
        if !verify_password(&Password::attempt(current), &hash).await {
            return Err(DomainError::invalid(
                "current_password",
                "รหัสผ่านปัจจุบันไม่ถูกต้อง",
            ));
        }
        let new = Password::parse("new_password", new, &about(&user))?;
        if new.expose() != new_again {
            return Err(DomainError::invalid(
                "new_password_again",
                "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน",
            ));
        }
        self.store
            .set_password(me, &hash_password(&new).await?)
            .await?;
        let kept = match keep {
            Some(secret) => self
                .store
                .session(&secret.hash())
                .await?
                .filter(|s| s.user_id == me),
            None => None,
        };
        self.store.delete_sessions_of(me).await?;
        if let Some(session) = &kept {
            self.store.insert_session(session).await?;
        }
        self.audit(
            Some(me),
            "user.password.change",
            format!("user:{me}"),
            "ออกจากระบบในอุปกรณ์อื่นทั้งหมด".to_string(),
        )
        .await
    }

    /// An administrator sets a new password for someone they manage; the person's sessions
    /// end and their API tokens are revoked, so whoever held the old password (or a token
    /// made with it) is locked out everywhere.
    pub async fn reset_password(&self, actor: &Actor, user: UserId, new: &str) -> DomainResult<()> {
        let target = self.store.get_user(user).await?;
        self.authorize_member(actor, &target).await?;
        let new = Password::parse("new_password", new, &about(&target))?;
        self.store
            .set_password(user, &hash_password(&new).await?)
            .await?;
        self.store.delete_sessions_of(user).await?;
        let now = self.clock.now();
        let mut revoked = 0;
        for token in self.store.list_tokens(user).await? {
            if token.revoked_at.is_some() {
                continue;
            }
            match self.store.revoke_token(user, token.id, now).await {
                Ok(()) => revoked += 1,
                // Revoked in the meantime by its owner: just as good.
                Err(crate::error::PortError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        self.audit(
            actor.user_id(),
            "user.password.reset",
            format!("user:{user}"),
            format!("ยกเลิกโทเค็น API {revoked} รายการ"),
        )
        .await
    }

    /// Creates an API token for the actor; the secret is returned once and never stored.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
    ) -> DomainResult<(ApiToken, Secret)> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        authorize(actor, Action::ManageOwnAccount, &Target::Account(me))?;
        let name = parse_token_name(name)?;
        self.issue_token(me, &name).await
    }

    /// `khlang user token create`: the console operator issues a token for any user.
    pub async fn create_token_from_console(
        &self,
        username: &str,
    ) -> DomainResult<(ApiToken, Secret)> {
        let name = Username::parse(username)?;
        let (user, _) = self
            .store
            .user_by_username(&name)
            .await?
            .ok_or(DomainError::NotFound)?;
        self.issue_token(user.id, "สร้างจากคอนโซล").await
    }

    async fn issue_token(&self, user: UserId, name: &str) -> DomainResult<(ApiToken, Secret)> {
        let secret = Secret::generate("khl_");
        let prefix: String = secret.expose().chars().take(10).collect();
        let token = self
            .store
            .insert_token(user, name, &prefix, &secret.hash(), self.clock.now())
            .await?;
        self.audit(
            Some(user),
            "token.create",
            format!("token:{}", token.id),
            name.to_string(),
        )
        .await?;
        Ok((token, secret))
    }

    pub async fn list_tokens(&self, actor: &Actor) -> DomainResult<Vec<ApiToken>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        authorize(actor, Action::ManageOwnAccount, &Target::Account(me))?;
        Ok(self.store.list_tokens(me).await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> DomainResult<()> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        authorize(actor, Action::ManageOwnAccount, &Target::Account(me))?;
        self.store.revoke_token(me, id, self.clock.now()).await?;
        self.audit(
            Some(me),
            "token.revoke",
            format!("token:{id}"),
            String::new(),
        )
        .await
    }
}
