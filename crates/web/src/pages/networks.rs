//! The KM network registry (ทะเบียนเครือข่ายนักจัดการความรู้) and the trainer directory
//! (ทำเนียบครูฝึก): a unit's list (paged), adding a person of the register (found by name or
//! recorded inline), editing and removing a row; XLSX export and import in [`sheet`].

mod sheet;

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, page_link_param};
// Our extractors under axum's names: a bad id or query gets the Thai error page.
use crate::forms::{ThaiPath as Path, ThaiQuery as Query};
use crate::pages::geo::Opt;
use crate::pages::people::field::{PersonField, PersonFieldInput, save_person_field};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::ids::{MemberId, UnitId};
use khlang_core::networks::model::training_label;
use khlang_core::networks::{MemberDraft, Registry};
use khlang_core::org::{Action, Actor, UnitTree};
use khlang_core::service::Khlang;
use khlang_core::{DomainError, FieldError};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/network", get(list_network))
        .route("/trainers", get(list_trainers))
        .route("/network/new", get(new_page).post(create))
        .route("/network/{id}/edit", get(edit_page).post(update))
        .route("/network/{id}/remove", post(remove))
        .merge(sheet::routes())
}

/// What just succeeded, from `?done=` after a redirect.
fn flash(done: &str) -> Option<String> {
    Some(match done {
        "added" => "เพิ่มรายชื่อในทะเบียนแล้ว".into(),
        "saved" => "บันทึกการแก้ไขแล้ว".into(),
        "removed" => "ลบรายชื่อออกจากทะเบียนแล้ว (ข้อมูลบุคคลยังอยู่ในทะเบียนบุคคล)".into(),
        d => match d.strip_prefix("imported:") {
            Some(n) => format!("นำเข้ารายชื่อแล้ว {n} คน"),
            None => return None,
        },
    })
}

#[derive(Deserialize, Default)]
pub(super) struct ListQuery {
    #[serde(default)]
    registry: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    done: String,
}

fn registry_of(s: &str) -> Result<Registry, WebError> {
    Registry::parse(s).ok_or(WebError::Domain(DomainError::NotFound))
}

/// The unit asked for, or the first the actor may read; NotFound for a bad number.
pub(super) fn chosen_unit(
    tree: &UnitTree,
    actor: &Actor,
    raw: &str,
) -> Result<(UnitId, Vec<Opt>), WebError> {
    let readable = Khlang::units_where(tree, actor, Action::ViewUnitContent);
    let unit = match khlang_core::text::arabic_digits(raw.trim()).as_str() {
        "" => *readable.first().ok_or(DomainError::Forbidden)?,
        s => UnitId(
            s.parse::<i64>()
                .map_err(|_| WebError::Domain(DomainError::NotFound))?,
        ),
    };
    let options = readable
        .iter()
        .map(|u| Opt {
            value: u.to_string(),
            label: tree.display_path(*u),
            selected: *u == unit,
        })
        .collect();
    Ok((unit, options))
}

struct Row {
    id: i64,
    name: String,
    position: String,
    affiliation: String,
    phone: String,
    works: String,
    subjects: String,
    training: &'static str,
    unit: String,
    /// Trainers: (code, title) of their certificates of courses that qualify trainers.
    certificates: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "networks/list.html")]
struct ListPage {
    layout: Layout,
    flash: Option<String>,
    registry: &'static str,
    heading: &'static str,
    trainers: bool,
    unit: i64,
    unit_name: String,
    units: Vec<Opt>,
    rows: Vec<Row>,
    total: String,
    page: u64,
    pages: u64,
    may_manage: bool,
    officer: bool,
}

async fn list_network(
    state: State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let registry = registry_of(&q.registry)?;
    list(state, member, registry, q).await
}

async fn list_trainers(
    state: State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list(state, member, Registry::Trainers, q).await
}

/// `GET /network?unit=` and `GET /trainers?unit=`: a unit's register and those below it.
async fn list(
    State(state): State<AppState>,
    member: Member,
    registry: Registry,
    q: ListQuery,
) -> Result<Response, WebError> {
    let actor = member.actor();
    let page = page_link_param(q.page.as_deref())?;
    let tree = state.core.unit_tree().await?;
    let (unit, units) = chosen_unit(&tree, actor, &q.unit)?;
    let found = state
        .core
        .register_page(actor, registry, unit, page)
        .await?;
    let mut qualified = std::collections::HashMap::new();
    if registry == Registry::Trainers {
        for user in found.rows.items.iter().filter_map(|r| r.member.user_id) {
            let certs = state.core.trainer_certificates(user).await?;
            qualified.insert(user, certs);
        }
    }
    let rows = found
        .rows
        .items
        .iter()
        .map(|r| Row {
            certificates: r
                .member
                .user_id
                .and_then(|u| qualified.get(&u))
                .map(|cs| {
                    cs.iter()
                        .map(|c| (c.code.clone(), c.title.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            id: r.member.id.0,
            name: r.name.clone(),
            position: r.member.position.clone(),
            affiliation: r.member.affiliation.clone(),
            phone: r.phone.clone().unwrap_or_default(),
            works: r.member.works.clone(),
            subjects: r.member.subjects.clone(),
            training: training_label(r.member.training_passed),
            unit: tree
                .get(r.member.unit_id)
                .map(|u| u.name_th.as_str().to_string())
                .unwrap_or_default(),
        })
        .collect();
    let page = ListPage {
        layout: Layout::new(
            registry.label_th(),
            "network",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash: flash(&q.done),
        registry: registry.as_str(),
        heading: registry.label_th(),
        trainers: registry == Registry::Trainers,
        unit: unit.0,
        unit_name: tree.display_path(unit),
        units,
        rows,
        total: number(found.rows.total),
        page: found.rows.page,
        pages: found.rows.pages(),
        may_manage: found.may_manage,
        officer: found.officer,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "networks/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    /// Where the remove button posts (edit only).
    remove_action: String,
    cancel: String,
    trainers: bool,
    /// The person field (new rows only).
    person: Option<PersonField>,
    /// The person's name (edit).
    name: String,
    draft: MemberDraft,
    accounts: Vec<Opt>,
    errors: Errors,
}

fn account_options(accounts: Vec<(khlang_core::ids::UserId, String)>, chosen: &str) -> Vec<Opt> {
    accounts
        .into_iter()
        .map(|(id, label)| Opt {
            selected: id.to_string() == chosen.trim(),
            value: id.to_string(),
            label,
        })
        .collect()
}

fn list_link(registry: Registry, unit: UnitId) -> String {
    format!("{}?unit={unit}", registry.path())
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    registry: String,
    #[serde(default)]
    unit: String,
}

fn unit_param(raw: &str) -> Result<UnitId, WebError> {
    khlang_core::text::arabic_digits(raw.trim())
        .parse::<i64>()
        .map(UnitId)
        .map_err(|_| WebError::Domain(DomainError::NotFound))
}

#[allow(clippy::too_many_arguments)]
async fn new_form(
    state: &AppState,
    member: &Member,
    registry: Registry,
    unit: UnitId,
    input: &PersonFieldInput,
    draft: MemberDraft,
    errors: Vec<FieldError>,
) -> Result<FormPage, WebError> {
    let actor = member.actor();
    let accounts = state.core.register_accounts(actor, unit).await?;
    let person = PersonField::build(
        &state.core,
        actor,
        "person",
        "ชื่อ - สกุล",
        input,
        None,
        &errors,
    )
    .await?
    .help("ค้นหาบุคคลที่มีอยู่แล้วในทะเบียนบุคคล หรือบันทึกบุคคลใหม่ (ชื่อและเบอร์โทรศัพท์เก็บในทะเบียนบุคคล)");
    let tree = state.core.unit_tree().await?;
    Ok(FormPage {
        layout: Layout::new(
            format!("เพิ่มรายชื่อ — {}", registry.label_th()),
            "network",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        heading: format!(
            "เพิ่มรายชื่อ{} {}",
            registry.label_th(),
            tree.display_path(unit)
        ),
        action: format!("/network/new?registry={}&unit={unit}", registry.as_str()),
        remove_action: String::new(),
        cancel: list_link(registry, unit),
        trainers: registry == Registry::Trainers,
        person: Some(person),
        name: String::new(),
        accounts: account_options(accounts, &draft.user_id),
        draft,
        errors: Errors(errors),
    })
}

/// `GET /network/new?registry=&unit=`
async fn new_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let registry = registry_of(&q.registry)?;
    let unit = unit_param(&q.unit)?;
    let page = new_form(
        &state,
        &member,
        registry,
        unit,
        &PersonFieldInput::default(),
        MemberDraft::default(),
        Vec::new(),
    )
    .await?;
    Ok(render(&page))
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn draft_of(pairs: &[(String, String)]) -> MemberDraft {
    MemberDraft {
        position: value(pairs, "position").into(),
        affiliation: value(pairs, "affiliation").into(),
        works: value(pairs, "works").into(),
        subjects: value(pairs, "subjects").into(),
        training: value(pairs, "training").into(),
        user_id: value(pairs, "user_id").into(),
    }
}

/// `POST /network/new?registry=&unit=`: the row's fields are checked first, then the person
/// is chosen or recorded, then the row is added — a bad row records nobody.
async fn create(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<NewQuery>,
    ThaiForm(pairs): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    member.0.check_csrf(value(&pairs, "csrf"))?;
    let registry = registry_of(&q.registry)?;
    let unit = unit_param(&q.unit)?;
    let actor = member.actor();
    let input = PersonFieldInput::from_pairs("person", &pairs);
    let draft = draft_of(&pairs);
    let again = |errors: Vec<FieldError>, status: StatusCode| {
        let (state, member, input, draft) = (&state, &member, &input, draft.clone());
        async move {
            let page = new_form(state, member, registry, unit, input, draft, errors).await?;
            Ok::<Response, WebError>((status, render(&page)).into_response())
        }
    };
    if input.rerender() {
        return again(Vec::new(), StatusCode::OK).await;
    }
    match state.core.check_member(actor, registry, unit, &draft).await {
        Ok(()) => {}
        Err(DomainError::Invalid(e)) => return again(e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => return Err(e.into()),
    }
    let person = match save_person_field(&state.core, actor, unit, &input, None).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            let e = vec![FieldError::new(
                "person.id",
                "กรุณาเลือกบุคคลจากรายชื่อ หรือใส่ชื่อ-นามสกุลของบุคคลใหม่",
            )];
            return again(e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(DomainError::Invalid(e)) => return again(e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => return Err(e.into()),
    };
    match state
        .core
        .add_member(actor, registry, unit, person, &draft)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("{}&done=added", list_link(registry, unit))).into_response())
        }
        Err(DomainError::Invalid(e)) => again(e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e.into()),
    }
}

fn member_id(id: &str) -> Result<MemberId, WebError> {
    id.parse::<i64>()
        .map(MemberId)
        .map_err(|_| WebError::Domain(DomainError::NotFound))
}

async fn edit_form(
    state: &AppState,
    member: &Member,
    id: MemberId,
    draft: Option<MemberDraft>,
    errors: Vec<FieldError>,
) -> Result<FormPage, WebError> {
    let actor = member.actor();
    let view = state.core.member_view(actor, id).await?;
    let m = &view.member;
    let accounts = state.core.register_accounts(actor, m.unit_id).await?;
    let draft = draft.unwrap_or_else(|| MemberDraft::of(m));
    Ok(FormPage {
        layout: Layout::new(
            format!("แก้ไขรายชื่อ — {}", m.registry.label_th()),
            "network",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        heading: format!("แก้ไขรายชื่อ: {}", view.name),
        action: format!("/network/{id}/edit"),
        remove_action: format!("/network/{id}/remove"),
        cancel: list_link(m.registry, m.unit_id),
        trainers: m.registry == Registry::Trainers,
        person: None,
        name: view.name.clone(),
        accounts: account_options(accounts, &draft.user_id),
        draft,
        errors: Errors(errors),
    })
}

/// `GET /network/{id}/edit`
async fn edit_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let page = edit_form(&state, &member, member_id(&id)?, None, Vec::new()).await?;
    Ok(render(&page))
}

/// `POST /network/{id}/edit`
async fn update(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ThaiForm(pairs): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    member.0.check_csrf(value(&pairs, "csrf"))?;
    let id = member_id(&id)?;
    let draft = draft_of(&pairs);
    match state.core.update_member(member.actor(), id, &draft).await {
        Ok(()) => {
            let m = state.core.member_view(member.actor(), id).await?.member;
            Ok(
                Redirect::to(&format!("{}&done=saved", list_link(m.registry, m.unit_id)))
                    .into_response(),
            )
        }
        Err(DomainError::Invalid(e)) => {
            let page = edit_form(&state, &member, id, Some(draft), e).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /network/{id}/remove`
async fn remove(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ThaiForm(form): ThaiForm<CsrfOnly>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let m = state
        .core
        .remove_member(member.actor(), member_id(&id)?)
        .await?;
    Ok(Redirect::to(&format!(
        "{}&done=removed",
        list_link(m.registry, m.unit_id)
    ))
    .into_response())
}
