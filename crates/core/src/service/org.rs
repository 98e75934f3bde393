//! Managing the unit tree, accounts in units, and role grants.

use super::Khlang;
use super::setup::conflict_username;
use crate::account::{DisplayName, Email, NewUser, Password, Phone, User, Username, hash_password};
use crate::error::{DomainError, DomainResult, FieldError, PortError};
use crate::ids::{GrantId, UnitId, UserId};
use crate::org::{
    Action, Actor, PersonRef, Role, Target, Unit, UnitCode, UnitKind, UnitName, UnitTree,
    authorize, check_move,
};
use crate::ports::{Grant, NewUnit, Page};

/// The create-unit form as typed.
pub struct UnitInput {
    pub parent_id: Option<UnitId>,
    pub code: String,
    pub kind: String,
    pub name_th: String,
    pub name_en: String,
}

/// The create-account form as typed.
pub struct MemberInput {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub phone: String,
    pub password: String,
    pub home_unit_id: Option<UnitId>,
    /// Granted on the home unit at once, so a new contributor can start working.
    pub role: Option<String>,
}

fn optional(s: &str) -> Option<String> {
    let s = crate::text::tidy(s);
    if s.is_empty() { None } else { Some(s) }
}

fn collect<T>(r: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

impl Khlang {
    /// Units (active ones, in tree order) where the actor may do `action`, for pickers.
    pub fn units_where(tree: &UnitTree, actor: &Actor, action: Action) -> Vec<UnitId> {
        tree.walk()
            .into_iter()
            .filter(|(_, u)| !u.retired)
            .filter(|(_, u)| {
                tree.path(u.id)
                    .is_ok_and(|p| authorize(actor, action, &Target::Unit(p)).is_ok())
            })
            .map(|(_, u)| u.id)
            .collect()
    }

    /// The units (with their Thai names) whose knowledge the actor manages — their KM
    /// officers and administrators, or a site administrator — for the pages that act on a
    /// unit's knowledge as a whole (books, imports); Forbidden when none.
    pub async fn knowledge_units(&self, actor: &Actor) -> DomainResult<Vec<(UnitId, String)>> {
        actor.user_id().ok_or(DomainError::Unauthenticated)?;
        let tree = self.unit_tree().await?;
        let units: Vec<(UnitId, String)> = Self::units_where(&tree, actor, Action::ManageKnowledge)
            .into_iter()
            .filter_map(|id| tree.get(id).map(|u| (id, u.name_th.as_str().to_string())))
            .collect();
        if units.is_empty() {
            return Err(DomainError::Forbidden);
        }
        Ok(units)
    }

    /// Like [`Self::units_where`] but retired units count too (their old work still needs care).
    pub fn units_where_any(tree: &UnitTree, actor: &Actor, action: Action) -> Vec<UnitId> {
        tree.units()
            .iter()
            .filter(|u| {
                tree.path(u.id)
                    .is_ok_and(|p| authorize(actor, action, &Target::Unit(p)).is_ok())
            })
            .map(|u| u.id)
            .collect()
    }

    async fn unit_target(&self, tree: &UnitTree, unit: UnitId) -> DomainResult<Target> {
        Ok(Target::Unit(tree.path(unit)?))
    }

    pub async fn create_unit(&self, actor: &Actor, input: UnitInput) -> DomainResult<Unit> {
        let tree = self.unit_tree().await?;
        match input.parent_id {
            Some(parent) => {
                let target = self
                    .unit_target(&tree, parent)
                    .await
                    .map_err(|_| DomainError::invalid("parent_id", "ไม่พบหน่วยงานต้นสังกัดที่เลือก"))?;
                authorize(actor, Action::ManageUnits, &target)?;
                if tree.get(parent).is_some_and(|u| u.retired) {
                    return Err(DomainError::invalid(
                        "parent_id",
                        "หน่วยงานต้นสังกัดเลิกใช้แล้ว เพิ่มหน่วยงานย่อยไม่ได้",
                    ));
                }
            }
            None => authorize(actor, Action::ManageSite, &Target::Site)?,
        }
        let mut errors = Vec::new();
        let code = collect(UnitCode::parse(&input.code), &mut errors);
        let kind = collect(UnitKind::parse(&input.kind), &mut errors);
        let name_th = collect(UnitName::parse("name_th", &input.name_th), &mut errors);
        collect(
            crate::field::refuse_controls("name_en", "ชื่อภาษาอังกฤษ", &input.name_en),
            &mut errors,
        );
        let (Some(code), Some(kind), Some(name_th), true) =
            (code, kind, name_th, errors.is_empty())
        else {
            return Err(DomainError::Invalid(errors));
        };
        let unit = self
            .store
            .insert_unit(NewUnit {
                parent_id: input.parent_id,
                code,
                kind,
                name_th,
                name_en: optional(&input.name_en),
                short_th: None,
            })
            .await
            .map_err(|e| match e {
                PortError::Conflict(_) => {
                    DomainError::invalid("code", "รหัสหน่วยงานนี้มีอยู่แล้ว กรุณาใช้รหัสอื่น")
                }
                other => other.into(),
            })?;
        self.reference_changed();
        self.audit(
            actor.user_id(),
            "unit.create",
            format!("unit:{}", unit.id),
            unit.name_th.as_str().to_string(),
        )
        .await?;
        Ok(unit)
    }

    pub async fn rename_unit(
        &self,
        actor: &Actor,
        id: UnitId,
        name_th: &str,
        name_en: &str,
    ) -> DomainResult<Unit> {
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ManageUnits,
            &self.unit_target(&tree, id).await?,
        )?;
        let mut unit = tree.get(id).cloned().ok_or(DomainError::NotFound)?;
        let old = unit.name_th.as_str().to_string();
        unit.name_th = UnitName::parse("name_th", name_th)?;
        crate::field::refuse_controls("name_en", "ชื่อภาษาอังกฤษ", name_en)?;
        unit.name_en = optional(name_en);
        self.store.update_unit(&unit).await?;
        self.reference_changed();
        self.audit(
            actor.user_id(),
            "unit.rename",
            format!("unit:{id}"),
            format!("{old} → {}", unit.name_th.as_str()),
        )
        .await?;
        Ok(unit)
    }

    /// Moves a unit (with its subtree) under another parent; the actor must manage both places.
    pub async fn move_unit(
        &self,
        actor: &Actor,
        id: UnitId,
        new_parent: UnitId,
    ) -> DomainResult<Unit> {
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ManageUnits,
            &self.unit_target(&tree, id).await?,
        )?;
        let parent_target = self
            .unit_target(&tree, new_parent)
            .await
            .map_err(|_| DomainError::invalid("parent_id", "ไม่พบหน่วยงานต้นสังกัดที่เลือก"))?;
        authorize(actor, Action::ManageUnits, &parent_target)?;
        check_move(&tree, id, new_parent)?;
        if tree.get(new_parent).is_some_and(|u| u.retired) {
            return Err(DomainError::invalid(
                "parent_id",
                "ย้ายไปไว้ใต้หน่วยงานที่เลิกใช้แล้วไม่ได้",
            ));
        }
        let mut unit = tree.get(id).cloned().ok_or(DomainError::NotFound)?;
        let from = unit.parent_id;
        unit.parent_id = Some(new_parent);
        self.store.update_unit(&unit).await?;
        self.reference_changed();
        self.audit(
            actor.user_id(),
            "unit.move",
            format!("unit:{id}"),
            format!(
                "{} → {}",
                from.map(|p| p.to_string()).unwrap_or_default(),
                new_parent
            ),
        )
        .await?;
        Ok(unit)
    }

    /// Retiring keeps the unit, its people and its knowledge; it only stops new work there.
    /// A unit with active sub-units cannot retire (retire those first), so nothing is orphaned.
    pub async fn set_unit_retired(
        &self,
        actor: &Actor,
        id: UnitId,
        retired: bool,
    ) -> DomainResult<Unit> {
        let tree = self.unit_tree().await?;
        authorize(
            actor,
            Action::ManageUnits,
            &self.unit_target(&tree, id).await?,
        )?;
        if retired && tree.children(Some(id)).any(|c| !c.retired) {
            return Err(DomainError::Conflict(
                "หน่วยงานนี้ยังมีหน่วยงานย่อยที่ใช้งานอยู่ กรุณาย้ายหรือเลิกใช้หน่วยงานย่อยก่อน".into(),
            ));
        }
        let mut unit = tree.get(id).cloned().ok_or(DomainError::NotFound)?;
        unit.retired = retired;
        self.store.update_unit(&unit).await?;
        self.reference_changed();
        self.audit(
            actor.user_id(),
            if retired {
                "unit.retire"
            } else {
                "unit.restore"
            },
            format!("unit:{id}"),
            String::new(),
        )
        .await?;
        Ok(unit)
    }

    /// Managing a person needs member management over their home unit and over every grant
    /// they hold (the rule is `org::authorize` on a `Target::Person`); people without a home
    /// unit and site administrators belong to the site administrators.
    pub(crate) async fn authorize_member(&self, actor: &Actor, user: &User) -> DomainResult<()> {
        let tree = self.unit_tree().await?;
        let grants = self.store.grants_for_user(user.id).await?;
        let person = PersonRef {
            site_admin: user.site_admin,
            home: user.home_unit_id.map(|u| tree.path(u)).transpose()?,
            grants: grants
                .iter()
                .map(|g| Ok((g.role, tree.path(g.unit_id)?)))
                .collect::<DomainResult<_>>()?,
        };
        authorize(actor, Action::ManageMembers, &Target::Person(person))
    }

    pub async fn create_member(&self, actor: &Actor, input: MemberInput) -> DomainResult<User> {
        let tree = self.unit_tree().await?;
        let Some(home) = input.home_unit_id else {
            return Err(DomainError::invalid(
                "home_unit_id",
                "กรุณาเลือกหน่วยงานของผู้ใช้",
            ));
        };
        let home_path = tree
            .path(home)
            .map_err(|_| DomainError::invalid("home_unit_id", "ไม่พบหน่วยงานที่เลือก"))?;
        authorize(
            actor,
            Action::ManageMembers,
            &Target::Unit(home_path.clone()),
        )?;
        let mut errors = Vec::new();
        let username = collect(Username::parse(&input.username), &mut errors);
        let display_name = collect(DisplayName::parse(&input.display_name), &mut errors);
        let email = collect(Email::parse_optional(&input.email), &mut errors).flatten();
        let phone = collect(Phone::parse_optional(&input.phone), &mut errors).flatten();
        let password = collect(
            Password::parse(
                "password",
                &input.password,
                &[&input.username, &input.display_name, &input.email],
            ),
            &mut errors,
        );
        let role = match input.role.as_deref().filter(|r| !r.is_empty()) {
            Some(r) => collect(Role::parse(r), &mut errors),
            None => None,
        };
        if let Some(role) = role {
            authorize(
                actor,
                Action::ManageMembers,
                &Target::Grant(role, home_path),
            )?;
        }
        if tree.get(home).is_some_and(|u| u.retired) {
            errors.push(FieldError::new(
                "home_unit_id",
                "หน่วยงานนี้เลิกใช้แล้ว กรุณาเลือกหน่วยงานอื่น",
            ));
        }
        let (Some(username), Some(display_name), Some(password), true) =
            (username, display_name, password, errors.is_empty())
        else {
            return Err(DomainError::Invalid(errors));
        };
        let user = self
            .store
            .insert_user(NewUser {
                username,
                display_name,
                email,
                phone,
                home_unit_id: Some(home),
                site_admin: false,
                password_hash: hash_password(&password).await?,
            })
            .await
            .map_err(conflict_username)?;
        self.audit(
            actor.user_id(),
            "user.create",
            format!("user:{}", user.id),
            user.username.to_string(),
        )
        .await?;
        if let Some(role) = role {
            self.store.insert_grant(user.id, role, home).await?;
            self.audit(
                actor.user_id(),
                "grant.create",
                format!("user:{}", user.id),
                format!("{} @ unit:{home}", role.as_str()),
            )
            .await?;
        }
        Ok(user)
    }

    /// People the actor may manage: everyone for the site admin, else those whose home unit
    /// lies in a subtree where the actor holds the admin role.
    pub async fn list_members(
        &self,
        actor: &Actor,
        page: u64,
        per_page: u64,
    ) -> DomainResult<Page<User>> {
        let Actor::User(me) = actor else {
            return Err(DomainError::Unauthenticated);
        };
        if me.site_admin {
            return Ok(self.store.list_users(None, page, per_page).await?);
        }
        let tree = self.unit_tree().await?;
        let units: Vec<UnitId> = tree
            .units()
            .iter()
            .filter(|u| {
                tree.path(u.id).is_ok_and(|p| {
                    authorize(actor, Action::ManageMembers, &Target::Unit(p)).is_ok()
                })
            })
            .map(|u| u.id)
            .collect();
        if units.is_empty() {
            return Err(DomainError::Forbidden);
        }
        Ok(self.store.list_users(Some(&units), page, per_page).await?)
    }

    pub async fn member(&self, actor: &Actor, id: UserId) -> DomainResult<(User, Vec<Grant>)> {
        let user = self.store.get_user(id).await?;
        self.authorize_member(actor, &user).await?;
        let grants = self.store.grants_for_user(id).await?;
        Ok((user, grants))
    }

    /// Grants `role` on `unit`'s subtree; the actor must manage the person and may grant
    /// that role there.
    pub async fn grant_role(
        &self,
        actor: &Actor,
        user: UserId,
        role: &str,
        unit: UnitId,
    ) -> DomainResult<Grant> {
        let person = self.store.get_user(user).await?;
        self.authorize_member(actor, &person).await?;
        let role = Role::parse(role)?;
        let tree = self.unit_tree().await?;
        let path = tree
            .path(unit)
            .map_err(|_| DomainError::invalid("unit_id", "ไม่พบหน่วยงานที่เลือก"))?;
        authorize(actor, Action::ManageMembers, &Target::Grant(role, path))?;
        let grant = self
            .store
            .insert_grant(user, role, unit)
            .await
            .map_err(|e| match e {
                PortError::Conflict(_) => {
                    DomainError::Conflict("ผู้ใช้นี้มีบทบาทนี้ในหน่วยงานนี้อยู่แล้ว".into())
                }
                other => other.into(),
            })?;
        self.audit(
            actor.user_id(),
            "grant.create",
            format!("user:{user}"),
            format!("{} @ unit:{unit}", role.as_str()),
        )
        .await?;
        Ok(grant)
    }

    /// Revokes a grant and returns it (the page goes back to that person).
    pub async fn revoke_grant(&self, actor: &Actor, id: GrantId) -> DomainResult<Grant> {
        let grant = self.store.get_grant(id).await?;
        let person = self.store.get_user(grant.user_id).await?;
        self.authorize_member(actor, &person).await?;
        let tree = self.unit_tree().await?;
        let path = tree.path(grant.unit_id)?;
        authorize(
            actor,
            Action::ManageMembers,
            &Target::Grant(grant.role, path),
        )?;
        self.store.delete_grant(id).await?;
        self.audit(
            actor.user_id(),
            "grant.revoke",
            format!("user:{}", grant.user_id),
            format!("{} @ unit:{}", grant.role.as_str(), grant.unit_id),
        )
        .await?;
        Ok(grant)
    }

    /// The signed-in person's own role grants.
    pub async fn my_grants(&self, actor: &Actor) -> DomainResult<Vec<Grant>> {
        let me = actor.user_id().ok_or(DomainError::Unauthenticated)?;
        Ok(self.store.grants_for_user(me).await?)
    }

    /// How many accounts exist; site administrators only.
    pub async fn count_users(&self, actor: &Actor) -> DomainResult<u64> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        Ok(self.store.count_users().await?)
    }

    /// The newest audit entries; site administrators only.
    pub async fn recent_audit(
        &self,
        actor: &Actor,
        limit: u64,
    ) -> DomainResult<Vec<crate::ports::AuditEntry>> {
        authorize(actor, Action::ManageSite, &Target::Site)?;
        Ok(self.store.recent_audit(limit).await?)
    }
}
