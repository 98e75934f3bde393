//! First start: reference units, and the one-time link that creates the first administrator
//! (there is no default password anywhere).

use super::Khlang;
use crate::account::{
    DisplayName, Email, NewUser, Password, Phone, Secret, User, Username, hash_password,
};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ports::NewUnit;
use crate::reference;
use std::collections::HashMap;

#[derive(Debug)]
pub struct Bootstrap {
    pub units_added: usize,
    /// Present while nobody has an account: the secret of a fresh first-admin link.
    pub setup_secret: Option<Secret>,
}

/// What the first-admin form asks for.
pub struct FirstAdmin {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub password_again: String,
    /// Publish the sample items from the seeds right away.
    pub load_demo: bool,
}

impl Khlang {
    /// Adds reference units missing by code (idempotent), and on an empty user table makes
    /// a first-administrator link.
    pub async fn bootstrap(&self) -> DomainResult<Bootstrap> {
        let units_added = self.load_reference_units().await?;
        self.load_reference_taxonomies().await?;
        self.load_reference_templates().await?;
        let setup_secret = if self.store.count_users().await? == 0 {
            let secret = Secret::generate("setup_");
            let expires = self.clock.now() + self.policy.setup_link_lifetime;
            self.store
                .insert_setup_token(&secret.hash(), expires)
                .await?;
            Some(secret)
        } else {
            None
        };
        Ok(Bootstrap {
            units_added,
            setup_secret,
        })
    }

    pub async fn load_reference_units(&self) -> DomainResult<usize> {
        let existing = self.store.list_units().await?;
        let mut by_code: HashMap<String, crate::ids::UnitId> = existing
            .iter()
            .map(|u| (u.code.as_str().to_string(), u.id))
            .collect();
        let mut added = 0;
        for r in reference::units()? {
            if by_code.contains_key(r.code.as_str()) {
                continue;
            }
            let parent_id = match &r.parent {
                Some(p) => Some(*by_code.get(p.as_str()).ok_or_else(|| {
                    DomainError::internal(format!(
                        "reference unit {} has unknown parent {p}",
                        r.code
                    ))
                })?),
                None => None,
            };
            let unit = self
                .store
                .insert_unit(NewUnit {
                    parent_id,
                    code: r.code.clone(),
                    kind: r.kind,
                    name_th: r.name_th,
                    name_en: r.name_en,
                    short_th: r.short_th,
                })
                .await?;
            by_code.insert(r.code.as_str().to_string(), unit.id);
            added += 1;
        }
        if added > 0 {
            self.reference_changed();
        }
        Ok(added)
    }

    pub async fn setup_link_valid(&self, secret: &Secret) -> DomainResult<bool> {
        Ok(self.store.count_users().await? == 0
            && self
                .store
                .setup_token_valid(&secret.hash(), self.clock.now())
                .await?)
    }

    /// Creates the first (site) administrator through the one-time link, which then stops working.
    pub async fn complete_setup(&self, secret: &Secret, form: FirstAdmin) -> DomainResult<User> {
        if !self.setup_link_valid(secret).await? {
            return Err(DomainError::NotFound);
        }
        let mut errors = Vec::new();
        let username = Username::parse(&form.username)
            .map_err(|e| errors.push(e))
            .ok();
        let display_name = DisplayName::parse(&form.display_name)
            .map_err(|e| errors.push(e))
            .ok();
        let email = Email::parse_optional(&form.email)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let password = Password::parse(
            "password",
            &form.password,
            &[&form.username, &form.display_name, &form.email],
        )
        .map_err(|e| errors.push(e))
        .ok();
        if password.is_some() && form.password != form.password_again {
            errors.push(FieldError::new("password_again", "รหัสผ่านทั้งสองช่องไม่ตรงกัน"));
        }
        let (Some(username), Some(display_name), Some(password), true) =
            (username, display_name, password, errors.is_empty())
        else {
            return Err(DomainError::Invalid(errors));
        };
        if !self
            .store
            .take_setup_token(&secret.hash(), self.clock.now())
            .await?
        {
            return Err(DomainError::NotFound);
        }
        let user = self
            .store
            .insert_user(NewUser {
                username,
                display_name,
                email,
                phone: None,
                home_unit_id: None,
                site_admin: true,
                password_hash: hash_password(&password).await?,
            })
            .await?;
        if form.load_demo {
            self.load_demo(user.id).await?;
        }
        self.audit(
            Some(user.id),
            "setup.first_admin",
            format!("user:{}", user.id),
            user.username.to_string(),
        )
        .await?;
        Ok(user)
    }

    /// `khlang user create`: the operator at the console is trusted; no actor is checked.
    pub async fn create_user_from_console(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        site_admin: bool,
    ) -> DomainResult<User> {
        let username = Username::parse(username)?;
        let display_name = DisplayName::parse(display_name)?;
        let password = Password::parse(
            "password",
            password,
            &[username.as_str(), display_name.as_str()],
        )?;
        let user = self
            .store
            .insert_user(NewUser {
                username,
                display_name,
                email: None,
                phone: Phone::parse_optional("")?,
                home_unit_id: None,
                site_admin,
                password_hash: hash_password(&password).await?,
            })
            .await
            .map_err(conflict_username)?;
        self.audit(
            None,
            "user.create.console",
            format!("user:{}", user.id),
            user.username.to_string(),
        )
        .await?;
        Ok(user)
    }
}

/// A unique violation on users can only be the username.
pub(crate) fn conflict_username(e: crate::error::PortError) -> DomainError {
    match e {
        crate::error::PortError::Conflict(_) => {
            DomainError::invalid("username", "ชื่อผู้ใช้นี้มีผู้ใช้แล้ว กรุณาเลือกชื่ออื่น")
        }
        other => other.into(),
    }
}
