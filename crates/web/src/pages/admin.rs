//! Administration: the unit tree, accounts and role grants, the audit log.

use super::Done;
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::view::{Errors, Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
// Our extractors under axum's names: a bad id or query gets the Thai error page.
use crate::forms::{ThaiPath as Path, ThaiQuery as Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::ids::{GrantId, UnitId, UserId};
use khlang_core::org::{Action, Role, Target, UnitKind, UnitTree, authorize};
use khlang_core::service::Khlang;
use khlang_core::service::org::{MemberInput, UnitInput};
use khlang_core::text::{format_be_date, format_be_datetime};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_home))
        .route("/admin/units", get(units_page).post(create_unit))
        .route("/admin/units/{id}", get(unit_page))
        .route("/admin/units/{id}/rename", post(rename_unit))
        .route("/admin/units/{id}/move", post(move_unit))
        .route("/admin/units/{id}/retire", post(retire_unit))
        .route("/admin/units/{id}/restore", post(restore_unit))
        .route("/admin/users", get(users_page).post(create_user))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/grants", post(grant_role))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/grants/{id}/revoke", post(revoke_grant))
        .route("/admin/audit", get(audit_page))
}

/// One entry of the จัดการระบบ page.
struct Section {
    href: &'static str,
    title: &'static str,
    about: &'static str,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminHome {
    layout: Layout,
    sections: Vec<Section>,
}

/// จัดการระบบ: every administration page in one place, so that the header keeps one entry
/// for it (ux.md) and each person sees only what their roles allow.
async fn admin_home(member: Member) -> Result<Response, WebError> {
    let actor = member.actor();
    let members = actor.may_somewhere(Action::ManageMembers);
    let site = actor.is_site_admin();
    let people = actor.may_somewhere(Action::ManagePeople);
    if !members && !site && !people {
        return Err(DomainError::Forbidden.into());
    }
    let all = [
        (
            members,
            Section {
                href: "/admin/units",
                title: "หน่วยงาน",
                about: "โครงสร้างหน่วยงาน เพิ่ม เปลี่ยนชื่อ ย้าย หรือยุบหน่วยงาน",
            },
        ),
        (
            members,
            Section {
                href: "/admin/users",
                title: "ผู้ใช้และบทบาท",
                about: "บัญชีผู้ใช้ บทบาทในหน่วยงาน และการตั้งรหัสผ่านใหม่",
            },
        ),
        (
            people,
            Section {
                href: "/people",
                title: "ทะเบียนบุคคล",
                about: "ผู้คิดค้นนวัตกรรมและ อสม. ความยินยอม การส่งออก ลบ และรวมข้อมูลที่ซ้ำ (PDPA)",
            },
        ),
        (
            site,
            Section {
                href: "/admin/taxonomies",
                title: "หมวดหมู่",
                about: "หมวดหมู่องค์ความรู้ สาขา อสม. และคำที่ใช้จัดกลุ่ม",
            },
        ),
        (
            site,
            Section {
                href: "/admin/templates",
                title: "แบบฟอร์ม",
                about: "แบบเก็บข้อมูลนวัตกรรมและแบบฟอร์มอื่น แก้คำถาม เพิ่มคำถาม จัดลำดับ และดูฉบับต่าง ๆ",
            },
        ),
        (
            site,
            Section {
                href: "/admin/dictionary",
                title: "พจนานุกรมการค้นหา",
                about: "คำเฉพาะที่การค้นหาภาษาไทยต้องรู้จัก และการสร้างดัชนีใหม่",
            },
        ),
        (
            site,
            Section {
                href: "/admin/audit",
                title: "บันทึกการใช้งาน",
                about: "ใครทำอะไรเมื่อไร รวมถึงการเปิดดูข้อมูลส่วนบุคคล",
            },
        ),
    ];
    let page = AdminHome {
        layout: Layout::new(
            "จัดการระบบ",
            "admin",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        sections: all
            .into_iter()
            .filter(|(shown, _)| *shown)
            .map(|(_, s)| s)
            .collect(),
    };
    Ok(render(&page))
}

/// (id, "กรม › … › หน่วยงาน") for pickers.
fn options(tree: &UnitTree, ids: &[UnitId]) -> Vec<(i64, String)> {
    ids.iter()
        .map(|id| (id.0, tree.display_path(*id)))
        .collect()
}

fn parse_unit_id(s: &str, field: &'static str) -> Result<Option<UnitId>, DomainError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse::<i64>()
        .map(|n| Some(UnitId(n)))
        .map_err(|_| DomainError::invalid(field, "กรุณาเลือกหน่วยงานจากรายการ"))
}

#[derive(Deserialize, Default)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

// ---------------------------------------------------------------- units

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    layout: Layout,
    flash: Option<&'static str>,
    total: usize,
    rows: Vec<UnitRow>,
    /// Closes the open `<li>`/`<ul>` after the last row.
    tree_end: String,
    parents: Vec<(i64, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    form: UnitForm,
    errors: Errors,
}

struct UnitRow {
    id: i64,
    /// Fixed tags that nest this row's `<li>` under its parent (no user text in it).
    before: String,
    name: String,
    code: String,
    retired: bool,
    manageable: bool,
}

/// The tags between two rows of a depth-first walk, so the tree renders as nested lists.
fn nesting(first: bool, prev: usize, depth: usize) -> String {
    if first {
        return String::new();
    }
    if depth > prev {
        "<ul>".repeat(depth - prev)
    } else {
        format!("</li>{}", "</ul></li>".repeat(prev - depth))
    }
}

#[derive(Deserialize, Default)]
struct UnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name_th: String,
    #[serde(default)]
    name_en: String,
}

async fn units_view(
    state: &AppState,
    member: &Member,
    flash: Option<&'static str>,
    form: UnitForm,
    errors: Errors,
) -> Result<UnitsPage, WebError> {
    let tree = state.core.unit_tree().await?;
    let actor = member.actor();
    let manageable = Khlang::units_where(&tree, actor, Action::ManageUnits);
    if manageable.is_empty() && !actor.is_site_admin() {
        return Err(DomainError::Forbidden.into());
    }
    let walk = tree.walk();
    let mut prev = 0;
    let mut rows: Vec<UnitRow> = Vec::with_capacity(walk.len());
    for (i, (depth, u)) in walk.into_iter().enumerate() {
        rows.push(UnitRow {
            id: u.id.0,
            before: nesting(i == 0, prev, depth),
            name: u.name_th.as_str().to_string(),
            code: u.code.to_string(),
            retired: u.retired,
            manageable: tree
                .path(u.id)
                .is_ok_and(|p| authorize(actor, Action::ManageUnits, &Target::Unit(p)).is_ok()),
        });
        prev = depth;
    }
    Ok(UnitsPage {
        tree_end: if rows.is_empty() {
            String::new()
        } else {
            nesting(false, prev, 0)
        },
        layout: Layout::new(
            "หน่วยงาน",
            "units",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash,
        total: tree.len(),
        rows,
        parents: options(&tree, &manageable),
        kinds: UnitKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_th()))
            .collect(),
        form,
        errors,
    })
}

async fn units_page(
    State(state): State<AppState>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let form = UnitForm {
        kind: "other".into(),
        ..Default::default()
    };
    Ok(render(
        &units_view(&state, &member, done.message(), form, Errors::default()).await?,
    ))
}

async fn create_unit(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<UnitForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let result = match parse_unit_id(&form.parent_id, "parent_id") {
        Ok(parent_id) => {
            let input = UnitInput {
                parent_id,
                code: form.code.clone(),
                kind: form.kind.clone(),
                name_th: form.name_th.clone(),
                name_en: form.name_en.clone(),
            };
            state.core.create_unit(member.actor(), input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(unit) => Ok(
            Redirect::to(&format!("/admin/units/{}?done=unit_created", unit.id)).into_response(),
        ),
        Err(DomainError::Invalid(errors)) => {
            let p = units_view(&state, &member, None, form, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    id: i64,
    name_th: String,
    name_en: String,
    code: String,
    kind: &'static str,
    path: String,
    retired: bool,
    /// 0 for a top-level unit (no parent to preselect).
    parent_id: i64,
    parents: Vec<(i64, String)>,
}

async fn unit_view(
    state: &AppState,
    member: &Member,
    id: UnitId,
    flash: Option<&'static str>,
    errors: Errors,
) -> Result<UnitPage, WebError> {
    let tree = state.core.unit_tree().await?;
    let unit = tree.get(id).ok_or(DomainError::NotFound)?;
    authorize(
        member.actor(),
        Action::ManageUnits,
        &Target::Unit(tree.path(id)?),
    )?;
    let parents: Vec<UnitId> = Khlang::units_where(&tree, member.actor(), Action::ManageUnits)
        .into_iter()
        .filter(|p| !tree.is_within(*p, id))
        .collect();
    Ok(UnitPage {
        layout: Layout::new(
            unit.name_th.as_str(),
            "units",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash,
        errors,
        id: id.0,
        name_th: unit.name_th.as_str().to_string(),
        name_en: unit.name_en.clone().unwrap_or_default(),
        code: unit.code.to_string(),
        kind: unit.kind.label_th(),
        path: tree.display_path(id),
        retired: unit.retired,
        parent_id: unit.parent_id.map(|p| p.0).unwrap_or(0),
        parents: options(&tree, &parents),
    })
}

async fn unit_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    Ok(render(
        &unit_view(
            &state,
            &member,
            UnitId(id),
            done.message(),
            Errors::default(),
        )
        .await?,
    ))
}

/// Runs a unit change; validation problems re-render the unit page with the messages.
async fn unit_change(
    state: &AppState,
    member: &Member,
    id: UnitId,
    result: Result<(), DomainError>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/units/{id}?done={done}")).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let p = unit_view(state, member, id, None, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(DomainError::Conflict(msg)) => {
            let p = unit_view(
                state,
                member,
                id,
                None,
                Errors(vec![khlang_core::FieldError::new("unit", msg)]),
            )
            .await?;
            Ok((StatusCode::CONFLICT, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn rename_unit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<UnitForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = state
        .core
        .rename_unit(member.actor(), UnitId(id), &form.name_th, &form.name_en)
        .await
        .map(|_| ());
    unit_change(&state, &member, UnitId(id), r, "unit_renamed").await
}

async fn move_unit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<UnitForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = match parse_unit_id(&form.parent_id, "parent_id") {
        Ok(Some(parent)) => state
            .core
            .move_unit(member.actor(), UnitId(id), parent)
            .await
            .map(|_| ()),
        Ok(None) => Err(DomainError::invalid("parent_id", "กรุณาเลือกต้นสังกัดใหม่")),
        Err(e) => Err(e),
    };
    unit_change(&state, &member, UnitId(id), r, "unit_moved").await
}

async fn retire_unit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = state
        .core
        .set_unit_retired(member.actor(), UnitId(id), true)
        .await
        .map(|_| ());
    unit_change(&state, &member, UnitId(id), r, "unit_retired").await
}

async fn restore_unit(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = state
        .core
        .set_unit_retired(member.actor(), UnitId(id), false)
        .await
        .map(|_| ());
    unit_change(&state, &member, UnitId(id), r, "unit_restored").await
}

// ---------------------------------------------------------------- users

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    layout: Layout,
    flash: Option<&'static str>,
    users: Vec<UserRow>,
    total: u64,
    page: u64,
    pages: u64,
    units: Vec<(i64, String)>,
    roles: Vec<(&'static str, &'static str)>,
    form: UserForm,
    errors: Errors,
}

struct UserRow {
    id: i64,
    display_name: String,
    username: String,
    unit: String,
    created: String,
    site_admin: bool,
}

#[derive(Deserialize, Default)]
struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    home_unit_id: String,
    #[serde(default)]
    role: String,
}

const PER_PAGE: u64 = 50;

fn role_options() -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), r.label_th()))
        .collect()
}

async fn users_view(
    state: &AppState,
    member: &Member,
    page: u64,
    flash: Option<&'static str>,
    form: UserForm,
    errors: Errors,
) -> Result<UsersPage, WebError> {
    let list = state
        .core
        .list_members(member.actor(), page, PER_PAGE)
        .await?;
    let tree = state.core.unit_tree().await?;
    let units = Khlang::units_where(&tree, member.actor(), Action::ManageMembers);
    let pages = list.pages();
    Ok(UsersPage {
        layout: Layout::new("ผู้ใช้", "users", member.0.session.as_ref(), member.0.csrf()),
        flash,
        users: list
            .items
            .into_iter()
            .map(|u| UserRow {
                id: u.id.0,
                display_name: u.display_name.as_str().to_string(),
                username: u.username.to_string(),
                unit: u
                    .home_unit_id
                    .and_then(|h| tree.get(h))
                    .map(|h| h.name_th.as_str().to_string())
                    .unwrap_or_else(|| "—".into()),
                created: format_be_date(u.created_at),
                site_admin: u.site_admin,
            })
            .collect(),
        total: list.total,
        page: list.page,
        pages,
        units: options(&tree, &units),
        roles: role_options(),
        form,
        errors,
    })
}

async fn users_page(
    State(state): State<AppState>,
    member: Member,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let form = UserForm {
        role: "contributor".into(),
        ..Default::default()
    };
    Ok(render(
        &users_view(
            &state,
            &member,
            crate::forms::page_link_param(done.page.as_deref())?.get(),
            done.message(),
            form,
            Errors::default(),
        )
        .await?,
    ))
}

async fn create_user(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<UserForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let result = match parse_unit_id(&form.home_unit_id, "home_unit_id") {
        Ok(home_unit_id) => {
            let input = MemberInput {
                username: form.username.clone(),
                display_name: form.display_name.clone(),
                email: form.email.clone(),
                phone: form.phone.clone(),
                password: form.password.clone(),
                home_unit_id,
                role: Some(form.role.clone()),
            };
            state.core.create_member(member.actor(), input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(user) => Ok(
            Redirect::to(&format!("/admin/users/{}?done=user_created", user.id)).into_response(),
        ),
        Err(DomainError::Invalid(errors)) => {
            let form = UserForm {
                password: String::new(),
                ..form
            };
            let p = users_view(&state, &member, 1, None, form, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    layout: Layout,
    flash: Option<&'static str>,
    errors: Errors,
    id: i64,
    display_name: String,
    username: String,
    unit: Option<String>,
    grants: Vec<GrantRow>,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(i64, String)>,
}

struct GrantRow {
    id: i64,
    role: &'static str,
    unit: String,
}

async fn user_view(
    state: &AppState,
    member: &Member,
    id: UserId,
    flash: Option<&'static str>,
    errors: Errors,
) -> Result<UserPage, WebError> {
    let (user, grants) = state.core.member(member.actor(), id).await?;
    let tree = state.core.unit_tree().await?;
    let units = Khlang::units_where(&tree, member.actor(), Action::ManageMembers);
    Ok(UserPage {
        layout: Layout::new(
            user.display_name.as_str(),
            "users",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash,
        errors,
        id: id.0,
        display_name: user.display_name.as_str().to_string(),
        username: user.username.to_string(),
        unit: user.home_unit_id.map(|u| tree.display_path(u)),
        grants: grants
            .into_iter()
            .map(|g| GrantRow {
                id: g.id.0,
                role: g.role.label_th(),
                unit: tree.display_path(g.unit_id),
            })
            .collect(),
        roles: role_options(),
        units: options(&tree, &units),
    })
}

async fn user_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    Ok(render(
        &user_view(
            &state,
            &member,
            UserId(id),
            done.message(),
            Errors::default(),
        )
        .await?,
    ))
}

async fn user_change(
    state: &AppState,
    member: &Member,
    id: UserId,
    result: Result<(), DomainError>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/users/{id}?done={done}")).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let p = user_view(state, member, id, None, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(DomainError::Conflict(msg)) => {
            let p = user_view(
                state,
                member,
                id,
                None,
                Errors(vec![khlang_core::FieldError::new("role", msg)]),
            )
            .await?;
            Ok((StatusCode::CONFLICT, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct GrantForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit_id: String,
}

async fn grant_role(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<GrantForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = match parse_unit_id(&form.unit_id, "unit_id") {
        Ok(Some(unit)) => state
            .core
            .grant_role(member.actor(), UserId(id), &form.role, unit)
            .await
            .map(|_| ()),
        Ok(None) => Err(DomainError::invalid("unit_id", "กรุณาเลือกหน่วยงาน")),
        Err(e) => Err(e),
    };
    user_change(&state, &member, UserId(id), r, "granted").await
}

#[derive(Deserialize)]
struct ResetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    new_password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<ResetForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let r = state
        .core
        .reset_password(member.actor(), UserId(id), &form.new_password)
        .await;
    user_change(&state, &member, UserId(id), r, "password_reset").await
}

async fn revoke_grant(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let grant = state
        .core
        .store
        .get_grant(GrantId(id))
        .await
        .map_err(DomainError::from)?;
    state.core.revoke_grant(member.actor(), GrantId(id)).await?;
    Ok(Redirect::to(&format!("/admin/users/{}?done=revoked", grant.user_id)).into_response())
}

// ---------------------------------------------------------------- audit

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditRow>,
}

struct AuditRow {
    at: String,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

async fn audit_page(State(state): State<AppState>, member: Member) -> Result<Response, WebError> {
    authorize(member.actor(), Action::ManageSite, &Target::Site)?;
    let entries = state
        .core
        .store
        .recent_audit(200)
        .await
        .map_err(DomainError::from)?;
    let page = AuditPage {
        layout: Layout::new(
            "บันทึกการใช้งาน",
            "audit",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        entries: entries
            .into_iter()
            .map(|e| AuditRow {
                at: format_be_datetime(e.at),
                actor: e
                    .actor
                    .map(|a| format!("ผู้ใช้ #{a}"))
                    .unwrap_or_else(|| "ระบบ/คอนโซล".into()),
                action: e.action,
                target: e.target,
                detail: e.detail,
            })
            .collect(),
    };
    Ok(render(&page))
}

#[cfg(test)]
mod tests {
    use super::nesting;

    #[test]
    fn tree_rows_nest_and_close_balanced() {
        let depths = [0, 1, 2, 1, 0, 1];
        let mut html = String::from("<ul>");
        let mut prev = 0;
        for (i, d) in depths.iter().enumerate() {
            html.push_str(&nesting(i == 0, prev, *d));
            html.push_str(&format!("<li>{i}"));
            prev = *d;
        }
        html.push_str(&nesting(false, prev, 0));
        html.push_str("</ul>");
        assert_eq!(
            html,
            "<ul><li>0<ul><li>1<ul><li>2</li></ul></li><li>3</li></ul></li><li>4<ul><li>5</li></ul></li></ul>"
        );
    }
}
