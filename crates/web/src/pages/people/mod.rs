//! The person register's pages (ทะเบียนบุคคล), for officers of the units that keep the
//! records, and the person widgets other forms embed ([`field`]).

mod export;
pub mod field;

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::{ThaiForm, page_link_param};
use crate::pages::geo::{pairs_ref, picking};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
// Our extractors under axum's names: a bad id or query gets the Thai error page.
use crate::forms::{ThaiPath as Path, ThaiQuery as Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use field::PersonForm;
use khlang_core::DomainError;
use khlang_core::geo::Gazetteer;
use khlang_core::ids::{PersonId, UnitId};
use khlang_core::org::Action;
use khlang_core::people::model::format_date_be;
use khlang_core::people::{Person, PersonDraft, PersonInput};
use khlang_core::service::Khlang;
use khlang_core::text::format_be_datetime;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/people", get(list))
        .route("/people/new", get(new_page).post(create))
        .route("/people/{id}", get(show))
        .route("/people/{id}/edit", get(edit_page).post(update))
        .route("/people/{id}/consent", get(consent_page).post(save_consent))
        .route("/people/{id}/export.json", get(export::json))
        .route("/people/{id}/export.xlsx", get(export::xlsx))
        .route("/people/{id}/erase", get(erase_page).post(erase))
        .route("/people/{id}/merge", get(merge_page).post(merge))
}

/// What just succeeded, from `?done=` after a redirect.
fn flash(done: &str) -> Option<&'static str> {
    Some(match done {
        "created" => "บันทึกบุคคลในทะเบียนแล้ว",
        "saved" => "บันทึกข้อมูลบุคคลแล้ว",
        "consent" => "บันทึกความยินยอมแล้ว",
        "erased" => "ลบข้อมูลส่วนบุคคลแล้ว หน้าสาธารณะแสดงว่า \"ไม่ประสงค์ออกนาม\" และผลงานยังอยู่ครบ",
        "merged" => "รวมข้อมูลบุคคลแล้ว ผลงานของบุคคลที่ถูกรวมจะแสดงเป็นของบุคคลนี้",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<String>,
    #[serde(default)]
    done: String,
}

struct Row {
    id: i64,
    name: String,
    province: String,
    unit: String,
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    layout: Layout,
    flash: Option<&'static str>,
    q: String,
    q_link: String,
    rows: Vec<Row>,
    total: String,
    page: u64,
    pages: u64,
    errors: Errors,
}

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `GET /people`: search the people the officer's units keep.
async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let actor = member.actor();
    let page = page_link_param(q.page.as_deref())?;
    let tree = state.core.unit_tree().await?;
    let g = Gazetteer::get();
    let (found, errors) = match state.core.find_people(actor, &q.q, page).await {
        Ok(p) => (Some(p), Errors::default()),
        Err(DomainError::Invalid(e)) => (None, Errors(e)),
        Err(e) => return Err(e.into()),
    };
    let (rows, total, pages) = match found {
        Some(p) => (
            p.items
                .iter()
                .map(|p| Row {
                    id: p.id.0,
                    name: p.name.clone(),
                    province: p
                        .place
                        .as_ref()
                        .map(|x| g.province_name(x.province))
                        .unwrap_or_default(),
                    unit: tree
                        .get(p.unit_id)
                        .map(|u| u.name_th.as_str().to_string())
                        .unwrap_or_default(),
                })
                .collect(),
            p.total,
            p.pages(),
        ),
        None => (Vec::new(), 0, 1),
    };
    let page = ListPage {
        layout: Layout::new(
            "ทะเบียนบุคคล",
            "people",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash: flash(&q.done),
        q_link: encode(&q.q),
        q: q.q,
        rows,
        total: number(total),
        page: page.get(),
        pages,
        errors,
    };
    Ok(render(&page))
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct FormPage {
    layout: Layout,
    heading: String,
    action: String,
    /// Units the person may be kept by (new only): (id, path, selected).
    units: Vec<(i64, String, bool)>,
    form: PersonForm,
    errors: Errors,
    cancel: String,
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    unit: String,
}

fn unit_options(
    tree: &khlang_core::org::UnitTree,
    actor: &khlang_core::org::Actor,
    chosen: &str,
) -> Result<Vec<(i64, String, bool)>, DomainError> {
    let ids = Khlang::units_where(tree, actor, Action::ManagePeople);
    if ids.is_empty() {
        return Err(DomainError::Forbidden);
    }
    let chosen = chosen.trim().parse::<i64>().ok();
    let first = ids[0].0;
    Ok(ids
        .iter()
        .map(|id| {
            (
                id.0,
                tree.display_path(*id),
                chosen.map_or(id.0 == first, |c| c == id.0),
            )
        })
        .collect())
}

fn form_page(
    member: &Member,
    heading: &str,
    action: String,
    units: Vec<(i64, String, bool)>,
    form: PersonForm,
    errors: Vec<khlang_core::FieldError>,
    cancel: String,
) -> FormPage {
    FormPage {
        layout: Layout::new(
            heading,
            "people",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        heading: heading.to_string(),
        action,
        units,
        form,
        errors: Errors(errors),
        cancel,
    }
}

/// `GET /people/new`
async fn new_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let tree = state.core.unit_tree().await?;
    let units = unit_options(&tree, member.actor(), &q.unit)?;
    let page = form_page(
        &member,
        "บันทึกบุคคลใหม่",
        "/people/new".into(),
        units,
        PersonForm::new("", PersonDraft::default(), &[]),
        Vec::new(),
        "/people".into(),
    );
    Ok(render(&page))
}

fn value<'a>(pairs: &'a [(String, String)], key: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// `POST /people/new`: a "เลือก" of the place picker shows the form again with the next
/// level; otherwise the person is recorded (or the form comes back with Thai errors).
async fn create(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(pairs): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    member.0.check_csrf(value(&pairs, "csrf"))?;
    let actor = member.actor();
    let tree = state.core.unit_tree().await?;
    let unit_raw = value(&pairs, "unit_id");
    let units = unit_options(&tree, actor, unit_raw)?;
    let draft = PersonDraft::from_pairs("", pairs_ref(&pairs));
    let allow_duplicate = !value(&pairs, "allow_duplicate").is_empty();
    let again = |errors: Vec<khlang_core::FieldError>, status: StatusCode| {
        let mut form = PersonForm::new("", draft.clone(), &errors);
        form.allow_duplicate = allow_duplicate;
        let page = form_page(
            &member,
            "บันทึกบุคคลใหม่",
            "/people/new".into(),
            units.clone(),
            form,
            errors,
            "/people".into(),
        );
        (status, render(&page)).into_response()
    };
    if picking("place", &pairs) {
        return Ok(again(Vec::new(), StatusCode::OK));
    }
    let unit = match unit_raw.trim().parse::<i64>() {
        Ok(n) if units.iter().any(|u| u.0 == n) => UnitId(n),
        _ => {
            return Ok(again(
                vec![khlang_core::FieldError::new(
                    "unit_id",
                    "กรุณาเลือกหน่วยงานที่เก็บข้อมูลบุคคลนี้",
                )],
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
    };
    let input = PersonInput {
        unit_id: unit,
        draft: draft.clone(),
        prefix: String::new(),
        allow_duplicate,
    };
    match state.core.create_person(actor, input).await {
        Ok(id) => Ok(Redirect::to(&format!("/people/{id}?done=created")).into_response()),
        Err(DomainError::Invalid(errors)) => Ok(again(errors, StatusCode::UNPROCESSABLE_ENTITY)),
        Err(e) => Err(e.into()),
    }
}

fn person_id(id: &str) -> Result<PersonId, WebError> {
    id.parse::<i64>()
        .map(PersonId)
        .map_err(|_| WebError::Domain(DomainError::NotFound))
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    layout: Layout,
    flash: Option<&'static str>,
    id: i64,
    name: String,
    erased: bool,
    merged_into: Option<i64>,
    /// (label, value) of the personal fields.
    rows: Vec<(&'static str, String)>,
    consent: Vec<(&'static str, String)>,
    public_label: String,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// `GET /people/{id}`: everything about the person (the read is audited).
async fn show(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    let p = state.core.person_private(member.actor(), id).await?;
    let tree = state.core.unit_tree().await?;
    let public = p.public();
    let page = ShowPage {
        layout: Layout::new(
            p.name.clone(),
            "people",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        flash: flash(&q.done),
        id: p.id.0,
        name: p.name.clone(),
        erased: p.erased,
        merged_into: p.merged_into.map(|m| m.0),
        rows: person_rows(&p, &tree),
        consent: consent_rows(&p),
        public_label: public.label(),
    };
    Ok(render(&page))
}

fn person_rows(p: &Person, tree: &khlang_core::org::UnitTree) -> Vec<(&'static str, String)> {
    let g = Gazetteer::get();
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    vec![
        (
            "ที่อยู่",
            p.place
                .as_ref()
                .map(|x| g.describe(x))
                .unwrap_or_else(|| "—".into()),
        ),
        ("เบอร์โทรศัพท์", opt(&p.phone)),
        ("อาชีพ", opt(&p.occupation)),
        ("สถานภาพ", opt(&p.status)),
        ("ระดับการศึกษา", opt(&p.education)),
        (
            "เป็น อสม. มาแล้ว",
            p.volunteer_years
                .map(|n| format!("{n} ปี"))
                .unwrap_or_else(|| "—".into()),
        ),
        ("เลขประจำตัว อสม.", opt(&p.volunteer_no)),
        ("หน่วยงานที่เก็บข้อมูล", tree.display_path(p.unit_id)),
        ("บันทึกเมื่อ", format_be_datetime(p.created_at)),
        ("แก้ไขล่าสุด", format_be_datetime(p.updated_at)),
    ]
}

fn consent_rows(p: &Person) -> Vec<(&'static str, String)> {
    match &p.consent {
        Some(c) => vec![
            ("วัตถุประสงค์", c.purpose.clone()),
            ("วันที่ให้ความยินยอม", format_date_be(c.given_on)),
            ("ข้อมูลที่เปิดเผยได้", c.public.label_th().to_string()),
        ],
        None => vec![("ความยินยอม", "ยังไม่ได้บันทึก".into())],
    }
}

/// `GET /people/{id}/edit`
async fn edit_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    let p = state.core.person_private(member.actor(), id).await?;
    if p.erased || p.merged_into.is_some() {
        return Err(DomainError::Conflict("ข้อมูลบุคคลนี้ถูกลบหรือรวมกับบุคคลอื่นแล้ว แก้ไขไม่ได้".into()).into());
    }
    let page = form_page(
        &member,
        "แก้ไขข้อมูลบุคคล",
        format!("/people/{id}/edit"),
        Vec::new(),
        PersonForm::new("", PersonDraft::of(&p), &[]),
        Vec::new(),
        format!("/people/{id}"),
    );
    Ok(render(&page))
}

/// `POST /people/{id}/edit`
async fn update(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ThaiForm(pairs): ThaiForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    member.0.check_csrf(value(&pairs, "csrf"))?;
    let id = person_id(&id)?;
    let draft = PersonDraft::from_pairs("", pairs_ref(&pairs));
    let again = |errors: Vec<khlang_core::FieldError>, status: StatusCode| {
        let page = form_page(
            &member,
            "แก้ไขข้อมูลบุคคล",
            format!("/people/{id}/edit"),
            Vec::new(),
            PersonForm::new("", draft.clone(), &errors),
            errors,
            format!("/people/{id}"),
        );
        (status, render(&page)).into_response()
    };
    if picking("place", &pairs) {
        // Still only for those who manage the person.
        state
            .core
            .may_manage_person(member.actor(), id)
            .await?
            .then_some(())
            .ok_or(DomainError::NotFound)?;
        return Ok(again(Vec::new(), StatusCode::OK));
    }
    match state.core.update_person(member.actor(), id, &draft).await {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?done=saved")).into_response()),
        Err(DomainError::Invalid(errors)) => Ok(again(errors, StatusCode::UNPROCESSABLE_ENTITY)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "people/consent.html")]
struct ConsentPage {
    layout: Layout,
    id: i64,
    name: String,
    form: PersonForm,
    errors: Errors,
}

/// `GET /people/{id}/consent`
async fn consent_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    let p = state.core.person_private(member.actor(), id).await?;
    let page = ConsentPage {
        layout: Layout::new(
            "ความยินยอม",
            "people",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id: id.0,
        name: p.name.clone(),
        form: PersonForm::new("", PersonDraft::of(&p), &[]),
        errors: Errors::default(),
    };
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
struct ConsentForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    consent_purpose: String,
    #[serde(default)]
    consent_date: String,
    #[serde(default)]
    consent_public: String,
}

/// `POST /people/{id}/consent`
async fn save_consent(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ThaiForm(f): ThaiForm<ConsentForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let id = person_id(&id)?;
    let r = state
        .core
        .record_consent(
            member.actor(),
            id,
            &f.consent_purpose,
            &f.consent_date,
            &f.consent_public,
        )
        .await;
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?done=consent")).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let p = state.core.person_private(member.actor(), id).await?;
            let mut draft = PersonDraft::of(&p);
            draft.consent_purpose = f.consent_purpose;
            draft.consent_date = f.consent_date;
            draft.consent_public = f.consent_public;
            let page = ConsentPage {
                layout: Layout::new(
                    "ความยินยอม",
                    "people",
                    member.0.session.as_ref(),
                    member.0.csrf(),
                ),
                id: id.0,
                name: p.name.clone(),
                form: PersonForm::new("", draft, &errors),
                errors: Errors(errors),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "people/erase.html")]
struct ErasePage {
    layout: Layout,
    id: i64,
    name: String,
}

/// `GET /people/{id}/erase`: the confirmation page.
async fn erase_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    let p = state.core.person_private(member.actor(), id).await?;
    let page = ErasePage {
        layout: Layout::new(
            "ลบข้อมูลส่วนบุคคล",
            "people",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id: id.0,
        name: p.name,
    };
    Ok(render(&page))
}

#[derive(Deserialize, Default)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /people/{id}/erase`
async fn erase(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ThaiForm(f): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let id = person_id(&id)?;
    state.core.erase_person(member.actor(), id).await?;
    Ok(Redirect::to(&format!("/people/{id}?done=erased")).into_response())
}

#[derive(Template)]
#[template(path = "people/merge.html")]
struct MergePage {
    layout: Layout,
    id: i64,
    name: String,
    /// Possible duplicates: (id, label, reason).
    candidates: Vec<(i64, String, &'static str)>,
    other: String,
    errors: Errors,
}

async fn merge_view(
    state: &AppState,
    member: &Member,
    id: PersonId,
    other: String,
    errors: Vec<khlang_core::FieldError>,
) -> Result<MergePage, WebError> {
    let p = state.core.person_private(member.actor(), id).await?;
    let candidates = state
        .core
        .duplicates_of_person(member.actor(), id)
        .await?
        .into_iter()
        .map(|d| (d.person.0, d.label, d.reason))
        .collect();
    Ok(MergePage {
        layout: Layout::new(
            "รวมข้อมูลบุคคลที่ซ้ำกัน",
            "people",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id: id.0,
        name: p.name,
        candidates,
        other,
        errors: Errors(errors),
    })
}

/// `GET /people/{id}/merge`: possible duplicates of this person, to merge into it.
async fn merge_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = person_id(&id)?;
    Ok(render(
        &merge_view(&state, &member, id, String::new(), Vec::new()).await?,
    ))
}

#[derive(Deserialize, Default)]
struct MergeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    other: String,
}

/// `POST /people/{id}/merge`: `other` is merged into this person.
async fn merge(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<String>,
    ThaiForm(f): ThaiForm<MergeForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&f.csrf)?;
    let id = person_id(&id)?;
    let other = khlang_core::text::arabic_digits(f.other.trim());
    let result = match other.parse::<i64>() {
        Ok(n) => {
            state
                .core
                .merge_people(member.actor(), id, PersonId(n))
                .await
        }
        Err(_) => Err(DomainError::invalid(
            "other",
            "กรุณาเลือกหรือใส่เลขที่ของบุคคลที่จะรวม",
        )),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?done=merged")).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let page = merge_view(&state, &member, id, f.other, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
