//! Knowledge items over JSON: drafting, files, screening, history and lists.
//!
//! Changes need a bearer token or a session with `X-CSRF-Token` ([`ApiCaller`]); reading
//! published knowledge needs nobody ([`Reader`]). Every rule lives in the core.

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, WebError};
use crate::files::{self, download_path};
use crate::forms::ApiJson;
use axum::body::Bytes;
use axum::extract::{
    DefaultBodyLimit, FromRequest, FromRequestParts, Multipart, Path, Request, State,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use futures::{SinkExt, StreamExt, TryStreamExt};
use khlang_core::DomainError;
use khlang_core::ids::{FileId, ItemId, TermId, UnitId};
use khlang_core::item::{
    self, FieldChange, Item, ItemFile, ItemInput, KnowledgeType, Transition, Version,
};
use khlang_core::org::Actor;
use khlang_core::ports::{Comment, ItemSummary, Page};
use khlang_core::service::items::Browse;
use khlang_core::service::revisions::RevisionView;
use khlang_core::taxonomy::{Taxonomy, Term};
use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::openapi as doc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/items", get(list).post(create))
        .route("/items/{id}", get(show).patch(update))
        // The core counts the bytes against `upload_limit` as they stream; axum's 2 MB default
        // for multipart bodies would refuse every real video first.
        .route(
            "/items/{id}/files",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/items/{id}/files/{file_id}", delete(remove_file))
        .route("/items/{id}/submit", post(submit))
        .route("/items/{id}/review", post(review))
        .route("/items/{id}/archive", post(archive))
        .route("/items/{id}/revision", delete(withdraw_revision))
        .route("/items/{id}/comments", post(comment))
        .route("/items/{id}/versions", get(versions))
        .route("/items/{id}/versions/{n}/restore", post(restore))
        .route("/taxonomies", get(taxonomies))
        .route("/files/{file_id}", get(download))
}

/// Someone reading: a valid bearer token or session, or nobody.
pub(crate) struct Reader(pub(crate) Actor);

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Reader(files::reader(parts, state).await?))
    }
}

/// An anonymous API client learns nothing about items it may not read: the core says
/// "sign in first" (pages use that to send people to the sign-in form); the API says 404.
fn hidden_from(actor: &Actor) -> impl Fn(DomainError) -> ApiError + '_ {
    move |e| match (actor, e) {
        (Actor::Anonymous, DomainError::Unauthenticated) => DomainError::NotFound.into(),
        (_, e) => e.into(),
    }
}

/// Ids in paths: anything that is not a number names nothing (404, as problem+json).
fn path_id(s: &str) -> Result<i64, ApiError> {
    s.parse::<i64>().map_err(|_| DomainError::NotFound.into())
}

// ---- JSON shapes ----

/// A number or a string: `"unit_id": 12` and `"unit_id": "12"` mean the same.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
enum Scalar {
    Int(i64),
    Text(String),
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Scalar::Int(n) => n.to_string(),
            Scalar::Text(s) => s,
        }
    }
}

/// An array, or one string the core splits at commas and new lines (as the form does).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
enum List {
    Many(Vec<Scalar>),
    One(Scalar),
}

impl List {
    fn into_strings(self) -> Vec<String> {
        match self {
            List::Many(v) => v.into_iter().map(Scalar::into_string).collect(),
            List::One(s) => vec![s.into_string()],
        }
    }
}

/// Tells a JSON `null` (Some(None)) from a missing key (None).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// An item's metadata as API clients send it: every key optional. On create, missing keys
/// take the form's defaults; on PATCH, missing keys (and `null`, except `fiscal_year: null`
/// which means "from the date") keep what the item has.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "คู่มือการจัดการความรู้ อสม.",
    "summary": "แนวทางสำหรับอาสาสมัครสาธารณสุขประจำหมู่บ้าน",
    "body": "## ขั้นตอน\n1. …",
    "knowledge_type": "explicit",
    "acquisition": "collect",
    "km_steps": [1, 2],
    "terms": [5],
    "tags": ["อสม.", "KM"],
    "authors": ["สมชาย ใจดี"],
    "unit_id": 12,
    "fiscal_year": 2567,
    "visibility": "public",
    "licence": "CC-BY-4.0",
    "links": ["https://example.go.th/km"]
}))]
struct ItemJson {
    /// ชื่อเรื่อง: required on create, at most 300 characters.
    title: Option<String>,
    /// บทคัดย่อ
    summary: Option<String>,
    /// เนื้อหา, Markdown.
    body: Option<String>,
    #[schema(value_type = Option<doc::KnowledgeType>)]
    knowledge_type: Option<String>,
    #[schema(value_type = Option<doc::Acquisition>)]
    acquisition: Option<String>,
    /// ขั้นตอนการจัดการความรู้, numbers 1–7.
    km_steps: Option<List>,
    /// Term ids from `/api/v1/taxonomies`.
    terms: Option<List>,
    /// Free tags; one string is split at commas and new lines.
    tags: Option<List>,
    authors: Option<List>,
    /// The owning unit; defaults to the caller's home unit.
    unit_id: Option<Scalar>,
    /// ปีงบประมาณ (พ.ศ.), e.g. 2567; `null` means "from the date".
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Scalar>)]
    fiscal_year: Option<Option<Scalar>>,
    #[schema(value_type = Option<doc::Visibility>)]
    visibility: Option<String>,
    /// `CC-BY-4.0`, `CC-BY-SA-4.0`, `CC-BY-NC-4.0`, `CC0-1.0` or `all-rights-reserved`
    /// (`license` is accepted too).
    #[serde(alias = "license")]
    licence: Option<String>,
    links: Option<List>,
    /// แก้ไขเล็กน้อย — PATCH only: the reason for a minor correction (a typo). A reviewer or
    /// KM officer who is not the item's owner publishes the change at once, recorded with
    /// this reason; readers and owning unit cannot change this way. Without it, an edit of a
    /// published item goes into its pending revision and is screened.
    minor_correction: Option<String>,
}

impl ItemJson {
    /// Writes the given keys over `input`; the core parses the result.
    fn apply_to(self, input: &mut ItemInput) {
        fn set<T>(slot: &mut T, v: Option<T>) {
            if let Some(v) = v {
                *slot = v;
            }
        }
        set(&mut input.title, self.title);
        set(&mut input.summary, self.summary);
        set(&mut input.body, self.body);
        set(&mut input.knowledge_type, self.knowledge_type);
        set(&mut input.acquisition, self.acquisition);
        set(&mut input.km_steps, self.km_steps.map(List::into_strings));
        set(&mut input.terms, self.terms.map(List::into_strings));
        set(&mut input.tags, self.tags.map(List::into_strings));
        set(&mut input.authors, self.authors.map(List::into_strings));
        set(&mut input.unit_id, self.unit_id.map(Scalar::into_string));
        set(
            &mut input.fiscal_year,
            self.fiscal_year
                .map(|y| y.map(Scalar::into_string).unwrap_or_default()),
        );
        set(&mut input.visibility, self.visibility);
        set(&mut input.licence, self.licence);
        set(&mut input.links, self.links.map(List::into_strings));
    }
}

/// ไฟล์แนบ — an attached file.
#[derive(Serialize, ToSchema)]
struct FileJson {
    #[schema(value_type = i64)]
    file_id: FileId,
    name: String,
    sha256: String,
    size: u64,
    /// The type found in the content, e.g. `application/pdf`.
    mime: String,
    /// What kind of file, for icons: e.g. `document`, `video`, `image`.
    kind: String,
    #[serde(with = "time::serde::rfc3339")]
    added_at: time::OffsetDateTime,
    /// Where to download it (with its name, for people).
    url: String,
}

impl From<&ItemFile> for FileJson {
    fn from(f: &ItemFile) -> Self {
        Self {
            file_id: f.id,
            name: f.name.clone(),
            sha256: f.sha256.clone(),
            size: f.size,
            mime: f.mime.clone(),
            kind: f.kind.clone(),
            added_at: f.added_at,
            url: download_path(f),
        }
    }
}

/// ฉบับแก้ไข — a published item's pending edit, as its owner, the unit's KM officers and
/// the screening committee see it; nobody else learns of it.
#[derive(Serialize, ToSchema)]
pub(super) struct RevisionJson {
    #[schema(value_type = doc::ItemStatus)]
    status: item::ItemStatus,
    #[schema(value_type = doc::ItemFields)]
    fields: item::ItemFields,
    /// The files it would publish.
    files: Vec<FileJson>,
    /// What it changes, field by field, against the published version.
    #[schema(value_type = Vec<doc::FieldChange>)]
    diff: Vec<FieldChange>,
    created_by: i64,
    #[serde(with = "time::serde::rfc3339")]
    created_at: time::OffsetDateTime,
    updated_by: i64,
    #[serde(with = "time::serde::rfc3339")]
    updated_at: time::OffsetDateTime,
    /// What this caller may do to it now: edit, submit, approve, request_changes, reject,
    /// withdraw.
    #[schema(value_type = Vec<doc::RevisionAction>)]
    actions: Vec<&'static str>,
}

impl From<RevisionView> for RevisionJson {
    fn from(v: RevisionView) -> Self {
        let mut actions = Vec::new();
        if v.may_edit {
            actions.push("edit");
        }
        if v.may_submit {
            actions.push("submit");
        }
        if v.may_review {
            actions.extend(["approve", "request_changes", "reject"]);
        }
        if v.may_withdraw {
            actions.push("withdraw");
        }
        let r = v.revision;
        Self {
            status: r.status,
            fields: r.snapshot.fields,
            files: v.files.iter().map(FileJson::from).collect(),
            diff: v.changes,
            created_by: r.created_by.0,
            created_at: r.created_at,
            updated_by: r.updated_by.0,
            updated_at: r.updated_at,
            actions,
        }
    }
}

/// An item after a change, with its pending revision when the caller may see it.
#[derive(Serialize)]
struct ItemChanged<'a> {
    #[serde(flatten)]
    item: &'a Item,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending_revision: Option<RevisionJson>,
}

async fn item_changed(
    state: &AppState,
    actor: &Actor,
    item: &Item,
) -> Result<Json<serde_json::Value>, ApiError> {
    let pending_revision = state
        .core
        .pending_revision(actor, item)
        .await?
        .map(RevisionJson::from);
    Ok(Json(
        serde_json::to_value(ItemChanged {
            item,
            pending_revision,
        })
        .map_err(DomainError::internal)?,
    ))
}

/// One item with its files, what the caller may do, and the screening conversation.
#[derive(Serialize, ToSchema)]
struct ItemDetail<'a> {
    #[serde(flatten)]
    #[schema(value_type = doc::Item)]
    item: &'a Item,
    files: Vec<FileJson>,
    /// Versions are numbered 1…n with no gaps.
    versions_count: i32,
    /// What this caller may do now: edit, submit, approve, request_changes, reject, archive.
    #[schema(value_type = Vec<doc::ItemAction>)]
    actions: Vec<&'static str>,
    /// The screening conversation, for those taking part in it (empty for other readers).
    #[schema(value_type = Vec<doc::Comment>)]
    comments: &'a [Comment],
    /// The pending revision, for its owner, the unit's KM officers and the committee only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pending_revision: Option<RevisionJson>,
}

/// One version with the fields that changed since the one before.
#[derive(Serialize, ToSchema)]
pub(super) struct VersionJson<'a> {
    #[serde(flatten)]
    #[schema(value_type = doc::Version)]
    version: &'a Version,
    /// What changed from the version before (empty for the first).
    #[schema(value_type = Vec<doc::FieldChange>)]
    diff: Vec<FieldChange>,
}

/// A taxonomy with all its terms.
#[derive(Serialize, ToSchema)]
struct TaxonomyJson<'a> {
    #[serde(flatten)]
    #[schema(value_type = doc::Taxonomy)]
    taxonomy: &'a Taxonomy,
    #[schema(value_type = Vec<doc::Term>)]
    terms: Vec<&'a Term>,
}

fn page_json(p: Page<ItemSummary>) -> Json<serde_json::Value> {
    Json(json!({
        "total": p.total,
        "page": p.page,
        "per_page": p.per_page,
        "pages": p.pages(),
        "items": p.items,
    }))
}

/// A JSON body that may be left out entirely (`POST …/submit` with or without a note).
struct OptionalJson<T>(T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let empty = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() == b"0")
            || (!req.headers().contains_key(header::CONTENT_LENGTH)
                && !req.headers().contains_key(header::TRANSFER_ENCODING));
        if empty {
            return Ok(OptionalJson(T::default()));
        }
        ApiJson::<T>::from_request(req, state)
            .await
            .map(|ApiJson(v)| OptionalJson(v))
    }
}

// ---- items ----

#[utoipa::path(
    post,
    path = "/items",
    operation_id = "createItem",
    tag = "items",
    summary = "สร้างองค์ความรู้ (ฉบับร่าง) — Create a draft item",
    description = "Missing keys take the form's defaults; the core checks the whole. Answers \
                   with the new item and its address in `Location`.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    request_body = ItemJson,
    responses(
        (status = 201, description = "Created", body = doc::Item,
            headers(("Location" = String, description = "`/api/v1/items/{id}`"))),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 422, response = doc::Invalid),
    )
)]
async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiJson(body): ApiJson<ItemJson>,
) -> Result<Response, ApiError> {
    if body.minor_correction.is_some() {
        return Err(DomainError::invalid(
            "minor_correction",
            "การแก้ไขเล็กน้อยใช้ได้เฉพาะเมื่อแก้ไของค์ความรู้ที่เผยแพร่แล้ว",
        )
        .into());
    }
    let mut input = ItemInput::default();
    body.apply_to(&mut input);
    let item = state.core.create_item(&caller.actor, &input).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/items/{}", item.id))
        .map_err(DomainError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(&item),
    )
        .into_response())
}

#[utoipa::path(
    get,
    path = "/items/{id}",
    operation_id = "getItem",
    tag = "items",
    summary = "ดูองค์ความรู้ — One item",
    description = "With its files, what the caller may do now, and (for those taking part) the \
                   screening conversation. Anyone may read what is published for them.",
    security((), ("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The item", body = ItemDetail),
        (status = 401, response = doc::Unauthenticated),
        (status = 404, response = doc::NotFound),
    )
)]
async fn show(
    State(state): State<AppState>,
    Reader(actor): Reader,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let mut v = state
        .core
        .item_view(&actor, ItemId(path_id(&id)?))
        .await
        .map_err(hidden_from(&actor))?;
    let mut actions = Vec::new();
    if v.may_edit {
        actions.push("edit");
    }
    if v.may_submit {
        actions.push("submit");
    }
    if v.may_review {
        actions.extend(["approve", "request_changes", "reject"]);
    }
    if v.may_archive {
        actions.push("archive");
    }
    let detail = ItemDetail {
        item: &v.item,
        files: v.files.iter().map(FileJson::from).collect(),
        versions_count: v.item.version,
        actions,
        comments: &v.comments,
        pending_revision: v.revision.take().map(RevisionJson::from),
    };
    Ok(Json(
        serde_json::to_value(detail).map_err(DomainError::internal)?,
    ))
}

/// Only the keys sent change: the stored item (or its pending revision) is loaded, the keys
/// written over it, and the whole checked again by the core. A published item's edit goes
/// into its pending revision; a minor correction is published at once.
#[utoipa::path(
    patch,
    path = "/items/{id}",
    operation_id = "updateItem",
    tag = "items",
    summary = "แก้ไของค์ความรู้ — Change some fields",
    description = "Only the keys sent change (`null` keeps the value, except `fiscal_year: null`, \
                   which means \"from the date\"); the whole is checked again. Editing a \
                   published item changes its pending revision (ฉบับแก้ไข), made on the first \
                   edit: readers keep the published version until the screening committee \
                   approves the revision (submit it with `/submit`, withdraw it with \
                   `DELETE /items/{id}/revision`). The answer shows the published item with \
                   `pending_revision`. A reviewer or KM officer other than the owner may instead \
                   publish a minor correction at once by sending `minor_correction` (the reason).",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body = ItemJson,
    responses(
        (status = 200, description = "The item as it is now", body = doc::Item),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(mut body): ApiJson<ItemJson>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = ItemId(path_id(&id)?);
    let actor = &caller.actor;
    let item = match body.minor_correction.take() {
        Some(reason) => {
            // A correction changes the published version, which its reviewer may read.
            let current = state.core.item_view(actor, id).await?;
            let mut input = ItemInput::from(&current.item.fields);
            body.apply_to(&mut input);
            state
                .core
                .minor_correction(actor, id, &input, &reason)
                .await?
        }
        None => {
            // An edit starts from what the author works on: the pending revision, if any.
            let (working, _) = state.core.editable_item(actor, id).await?;
            let mut input = ItemInput::from(&working.fields);
            body.apply_to(&mut input);
            state.core.update_item(actor, id, &input).await?
        }
    };
    item_changed(&state, actor, &item).await
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// `published` (default), `mine`, or `review` (also `submitted`).
    #[param(value_type = Option<doc::ListStatus>)]
    status: Option<String>,
    /// Published items of this unit and the units below it (unit id).
    #[param(value_type = Option<i64>)]
    unit: Option<String>,
    /// A term id.
    #[param(value_type = Option<i64>)]
    category: Option<String>,
    #[param(value_type = Option<doc::KnowledgeType>)]
    knowledge_type: Option<String>,
    /// ปีงบประมาณ (พ.ศ.), e.g. 2567.
    #[param(value_type = Option<i32>)]
    fiscal_year: Option<String>,
    /// 1-based (default 1).
    #[param(value_type = Option<u64>, minimum = 1)]
    page: Option<String>,
    /// 1–100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    per_page: Option<String>,
}

fn number<T: std::str::FromStr>(
    v: &Option<String>,
    field: &'static str,
    message: &str,
) -> Result<Option<T>, DomainError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => khlang_core::text::arabic_digits(s)
            .parse::<T>()
            .map(Some)
            .map_err(|_| DomainError::invalid(field, message)),
    }
}

#[utoipa::path(
    get,
    path = "/items",
    operation_id = "listItems",
    tag = "items",
    summary = "รายการองค์ความรู้ — List items",
    description = "Published knowledge the caller may read (filters: unit, category, knowledge \
                   type, fiscal year), the caller's own items (`status=mine`), or the screening \
                   queue (`status=review`). Filters apply to published items only.",
    security((), ("bearer" = []), ("session" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "One page of items", body = doc::ItemPage),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 422, response = doc::Invalid),
    )
)]
async fn list(
    State(state): State<AppState>,
    Reader(actor): Reader,
    crate::forms::ApiQuery(q): crate::forms::ApiQuery<ListQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let page = crate::forms::page_param(q.page.as_deref())?.get();
    let per_page = crate::forms::per_page_param(q.per_page.as_deref(), 20, 100)?.get();
    let browse = Browse {
        unit: number(&q.unit, "unit", "หน่วยงานไม่ถูกต้อง")?.map(UnitId),
        term: number(&q.category, "category", "หมวดหมู่ไม่ถูกต้อง")?.map(TermId),
        knowledge_type: match q.knowledge_type.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) => Some(KnowledgeType::parse(k).map_err(DomainError::from)?),
        },
        fiscal_year: number(
            &q.fiscal_year,
            "fiscal_year",
            "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2567",
        )?,
    };
    let filtered = browse.unit.is_some()
        || browse.term.is_some()
        || browse.knowledge_type.is_some()
        || browse.fiscal_year.is_some();
    let core = &state.core;
    let result = match q.status.as_deref().map(str::trim) {
        None | Some("" | "published") => core.browse(&actor, &browse, page, per_page).await?,
        Some(_) if filtered => {
            return Err(DomainError::invalid(
                "status",
                "ตัวกรองหน่วยงาน หมวดหมู่ ประเภท และปีงบประมาณ ใช้ได้กับรายการที่เผยแพร่แล้วเท่านั้น",
            )
            .into());
        }
        Some("mine") => core.my_items(&actor, page, per_page).await?,
        Some("review" | "submitted") => core.review_queue(&actor, page, per_page).await?,
        Some(_) => {
            return Err(DomainError::invalid(
                "status",
                "status ต้องเป็น published (เผยแพร่แล้ว), mine (ของฉัน) หรือ review (รอพิจารณา)",
            )
            .into());
        }
    };
    Ok(page_json(result))
}

// ---- files ----

/// `multipart/form-data` with a `file` field, or the bytes themselves as the body with the
/// name in `Content-Disposition`. Either way the bytes stream to storage as they arrive.
#[utoipa::path(
    post,
    path = "/items/{id}/files",
    operation_id = "attachFile",
    tag = "files",
    summary = "แนบไฟล์ — Attach a file",
    description = "`multipart/form-data` with a `file` part, or the bytes themselves as the body \
                   with the name in `Content-Disposition` (`attachment; filename*=UTF-8''…`). \
                   The type is decided from the content (PDF, Office, images, MP4/WebM, audio, \
                   ZIP; programs are refused), the size limited by the server's `upload_limit`. \
                   For large files on weak connections use the resumable `/files/tus/`.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = "Item id"),
        ("Content-Disposition" = Option<String>, Header,
            description = "Raw uploads only: the file name, e.g. \
                           `attachment; filename*=UTF-8''%E0%B8%84%E0%B8%B9%E0%B9%88%E0%B8%A1%E0%B8%B7%E0%B8%AD.pdf`"),
    ),
    request_body(
        description = "The file, as a form or as the raw body.",
        content(
            (doc::UploadForm = "multipart/form-data"),
            ("application/octet-stream"),
        )
    ),
    responses(
        (status = 201, description = "Attached", body = FileJson,
            headers(("Location" = String, description = "Where to download it"))),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 413, response = doc::TooLarge),
        (status = 422, response = doc::Invalid),
    )
)]
async fn upload(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let id = ItemId(path_id(&id)?);
    let limit = state.config.upload_limit;
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    let file = if multipart {
        let form = Multipart::from_request(req, &state).await.map_err(|e| {
            WebError::BadRequest(format!("อ่านข้อมูล multipart ไม่ได้: {}", e.body_text()))
        })?;
        attach_multipart(&state, &caller.actor, id, form, limit).await?
    } else {
        let name = filename_from(req.headers()).ok_or_else(|| {
            DomainError::invalid(
                "file",
                "กรุณาระบุชื่อไฟล์ในส่วนหัว Content-Disposition เช่น attachment; filename*=UTF-8''คู่มือ.pdf",
            )
        })?;
        let body = req
            .into_body()
            .into_data_stream()
            .map_err(std::io::Error::other)
            .boxed();
        state
            .core
            .attach_file(&caller.actor, id, &name, body, limit)
            .await?
    };
    let location = HeaderValue::from_str(&download_path(&file)).map_err(DomainError::internal)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(FileJson::from(&file)),
    )
        .into_response())
}

/// Hands the `file` field to the core as a stream. axum's field borrows the form, so a
/// small channel carries its chunks while both sides run together (back-pressure included:
/// a chunk or two wait in memory).
async fn attach_multipart(
    state: &AppState,
    actor: &Actor,
    id: ItemId,
    mut form: Multipart,
    limit: u64,
) -> Result<ItemFile, ApiError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("อ่านข้อมูล multipart ไม่ได้: {}", e.body_text()))
    };
    let mut field = loop {
        match form.next_field().await.map_err(bad)? {
            Some(f) if f.name() == Some("file") => break f,
            Some(_) => continue,
            None => {
                return Err(
                    DomainError::invalid("file", "ไม่พบไฟล์ในคำขอ กรุณาส่งไฟล์ในช่องชื่อ file").into(),
                );
            }
        }
    };
    let name = field.file_name().unwrap_or_default().to_string();
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let pump = async move {
        loop {
            let next = match field.chunk().await {
                Ok(Some(chunk)) => Ok(chunk),
                Ok(None) => break,
                Err(e) => Err(std::io::Error::other(e.body_text())),
            };
            let failed = next.is_err();
            // The core stops reading when it refuses the file; then so do we.
            if tx.send(next).await.is_err() || failed {
                break;
            }
        }
    };
    let (_, attached) = futures::join!(
        pump,
        state.core.attach_file(actor, id, &name, rx.boxed(), limit)
    );
    Ok(attached?)
}

/// The file name of a raw upload: RFC 6266 `filename*=UTF-8''…` (percent-encoded UTF-8)
/// wins over `filename="…"`, which some clients send as raw UTF-8.
fn filename_from(headers: &HeaderMap) -> Option<String> {
    let raw = std::str::from_utf8(headers.get(header::CONTENT_DISPOSITION)?.as_bytes()).ok()?;
    let params = disposition_params(raw);
    let extended = params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("filename*"))
        .and_then(|(_, v)| decode_ext_value(v));
    extended
        .or_else(|| {
            params
                .into_iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("filename"))
                .map(|(_, v)| v)
        })
        .filter(|n| !n.trim().is_empty())
}

/// `type; a=b; c="d;e"` → [(a, b), (c, d;e)], quoted strings unescaped.
fn disposition_params(v: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = match v.split_once(';') {
        Some((_, r)) => r,
        None => return out,
    };
    loop {
        rest = rest.trim_start_matches([' ', '\t', ';']);
        let Some((key, after)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim().to_string();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            value.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end.min(quoted.len())..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.push((key, value));
        rest = remaining;
    }
    out
}

/// RFC 8187 `UTF-8'lang'percent-encoded` (only UTF-8; anything else is ignored).
fn decode_ext_value(v: &str) -> Option<String> {
    let mut parts = v.splitn(3, '\'');
    let (charset, _lang, encoded) = (parts.next()?, parts.next()?, parts.next()?);
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[utoipa::path(
    delete,
    path = "/items/{id}/files/{file_id}",
    operation_id = "removeFile",
    tag = "files",
    summary = "ถอดไฟล์แนบ — Detach a file",
    description = "Earlier versions keep their files.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = "Item id"),
        ("file_id" = i64, Path, description = "File id"),
    ),
    responses(
        (status = 204, description = "Detached"),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
    )
)]
async fn remove_file(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, file_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .core
        .remove_file(
            &caller.actor,
            ItemId(path_id(&id)?),
            FileId(path_id(&file_id)?),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The same download as `/files/{id}`, with errors as problem+json.
#[utoipa::path(
    method(get, head),
    path = "/files/{file_id}",
    operation_id = "downloadFile",
    tag = "files",
    summary = "ดาวน์โหลดไฟล์ — Download a file",
    description = "Streams the stored bytes with their type, a Thai-safe `Content-Disposition` \
                   and a strong `ETag` (the SHA-256); answers `Range` (one range) and \
                   `If-None-Match`. The same as `/files/{file_id}` but with problem+json errors.",
    security((), ("bearer" = []), ("session" = [])),
    params(
        ("file_id" = i64, Path, description = "File id"),
        ("Range" = Option<String>, Header, description = "e.g. `bytes=0-1023`"),
        ("If-Range" = Option<String>, Header, description = "The `ETag` the client holds"),
        ("If-None-Match" = Option<String>, Header, description = "`ETag`s the client holds"),
    ),
    responses(
        (status = 200, description = "The whole file, in its stored type",
            content(("application/octet-stream")),
            headers(
                ("ETag" = String, description = "Quoted SHA-256 of the content"),
                ("Content-Disposition" = String, description = "`inline` for PDF, images, video and audio; else `attachment`"),
                ("Accept-Ranges" = String, description = "`bytes`"),
                ("Cache-Control" = String, description = "`private, no-cache`"),
            )),
        (status = 206, description = "The requested range",
            content(("application/octet-stream")),
            headers(("Content-Range" = String, description = "`bytes first-last/size`"))),
        (status = 304, description = "Not modified (`If-None-Match` matched)"),
        (status = 401, response = doc::Unauthenticated),
        (status = 404, response = doc::NotFound),
        (status = 416, description = "The range is outside the file",
            headers(("Content-Range" = String, description = "`bytes */size`"))),
    )
)]
async fn download(
    State(state): State<AppState>,
    Reader(actor): Reader,
    Path(file_id): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    files::download(&state, &actor, &file_id, &method, &headers)
        .await
        .map_err(|e| match e {
            WebError::Domain(d) => hidden_from(&actor)(d),
            other => ApiError(other),
        })
}

// ---- screening ----

/// An optional note for the screening conversation.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct NoteJson {
    #[serde(default)]
    comment: String,
}

async fn move_item(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
    t: Transition,
    comment: &str,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = ItemId(path_id(id)?);
    let item = state.core.transition(&caller.actor, id, t, comment).await?;
    item_changed(state, &caller.actor, &item).await
}

#[utoipa::path(
    post,
    path = "/items/{id}/submit",
    operation_id = "submitItem",
    tag = "screening",
    summary = "ส่งพิจารณา — Submit for screening",
    description = "A draft (or an item sent back for changes) goes to the screening committee. \
                   The body may be left out.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body = Option<NoteJson>,
    responses(
        (status = 200, description = "The item as it is now", body = doc::Item),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
async fn submit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    OptionalJson(note): OptionalJson<NoteJson>,
) -> Result<Json<serde_json::Value>, ApiError> {
    move_item(&state, &caller, &id, Transition::Submit, &note.comment).await
}

#[utoipa::path(
    delete,
    path = "/items/{id}/revision",
    operation_id = "withdrawRevision",
    tag = "screening",
    summary = "ถอนฉบับแก้ไข — Withdraw a pending revision",
    description = "The owner (or a KM officer) takes back the pending revision of a published \
                   item, at any stage of screening; the published version stays as it is and \
                   files added to the revision never reach readers.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "The published item", body = doc::Item),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
    )
)]
async fn withdraw_revision(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let item = state
        .core
        .withdraw_revision(&caller.actor, ItemId(path_id(&id)?))
        .await?;
    item_changed(&state, &caller.actor, &item).await
}

#[utoipa::path(
    post,
    path = "/items/{id}/archive",
    operation_id = "archiveItem",
    tag = "screening",
    summary = "เก็บถาวร — Archive an item",
    description = "The item leaves the public lists; its history stays. The body may be left out.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body = Option<NoteJson>,
    responses(
        (status = 200, description = "The item as it is now", body = doc::Item),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
async fn archive(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    OptionalJson(note): OptionalJson<NoteJson>,
) -> Result<Json<serde_json::Value>, ApiError> {
    move_item(&state, &caller, &id, Transition::Archive, &note.comment).await
}

/// The screening committee's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ReviewJson {
    /// `approve`, `request_changes` or `reject`.
    #[schema(value_type = doc::ReviewDecision)]
    decision: String,
    #[serde(default)]
    comment: String,
}

#[utoipa::path(
    post,
    path = "/items/{id}/review",
    operation_id = "reviewItem",
    tag = "screening",
    summary = "พิจารณากลั่นกรอง — Approve, request changes or reject",
    description = "For the screening committee, on a submitted item or a published item's \
                   submitted revision. Approving publishes it (a revision becomes the published \
                   version); `request_changes` and `reject` need a `comment` saying why \
                   (rejecting a revision ends it and keeps the published version).",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body = ReviewJson,
    responses(
        (status = 200, description = "The item as it is now", body = doc::Item),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
async fn review(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReviewJson>,
) -> Result<Json<serde_json::Value>, ApiError> {
    // Only the committee's three decisions; the core's message lists them.
    let decision = match body.decision.trim() {
        d @ ("approve" | "request_changes" | "reject") => d,
        _ => "",
    };
    let t = Transition::parse(decision).map_err(DomainError::from)?;
    move_item(&state, &caller, &id, t, &body.comment).await
}

/// A comment in the screening conversation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CommentJson {
    body: String,
}

#[utoipa::path(
    post,
    path = "/items/{id}/comments",
    operation_id = "commentOnItem",
    tag = "screening",
    summary = "แสดงความเห็น — Comment in the screening conversation",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(("id" = i64, Path, description = "Item id")),
    request_body = CommentJson,
    responses(
        (status = 204, description = "Added"),
        (status = 400, response = doc::BadRequest),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 422, response = doc::Invalid),
    )
)]
async fn comment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(c): ApiJson<CommentJson>,
) -> Result<StatusCode, ApiError> {
    state
        .core
        .comment(&caller.actor, ItemId(path_id(&id)?), &c.body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- history ----

/// Newest first, each with the fields that changed since the version before it.
#[utoipa::path(
    get,
    path = "/items/{id}/versions",
    operation_id = "listVersions",
    tag = "history",
    summary = "ประวัติฉบับแก้ไข — An item's versions",
    description = "Newest first, each with the fields that changed since the version before it.",
    security((), ("bearer" = []), ("session" = [])),
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 200, description = "Every version", body = doc::VersionList),
        (status = 401, response = doc::Unauthenticated),
        (status = 404, response = doc::NotFound),
    )
)]
async fn versions(
    State(state): State<AppState>,
    Reader(actor): Reader,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (_, mut versions) = state
        .core
        .versions(&actor, ItemId(path_id(&id)?))
        .await
        .map_err(hidden_from(&actor))?;
    versions.sort_by_key(|v| std::cmp::Reverse(v.number));
    let out: Vec<VersionJson> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| VersionJson {
            version: v,
            diff: versions
                .get(i + 1)
                .map(|older| item::diff(&older.snapshot, &v.snapshot))
                .unwrap_or_default(),
        })
        .collect();
    Ok(Json(json!({ "items": out })))
}

#[utoipa::path(
    post,
    path = "/items/{id}/versions/{n}/restore",
    operation_id = "restoreVersion",
    tag = "history",
    summary = "กู้คืนฉบับเดิม — Restore a version",
    description = "The fields and files of version `n` become a new, latest version; for a \
                   published item they become its pending revision, screened like any edit.",
    security(("bearer" = []), ("session" = [], "csrf" = [])),
    params(
        ("id" = i64, Path, description = "Item id"),
        ("n" = i32, Path, description = "Version number, 1…"),
    ),
    responses(
        (status = 200, description = "The item as it is now", body = doc::Item),
        (status = 401, response = doc::Unauthenticated),
        (status = 403, response = doc::Forbidden),
        (status = 404, response = doc::NotFound),
        (status = 409, response = doc::Conflict),
        (status = 422, response = doc::Invalid),
    )
)]
async fn restore(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, n)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let n = i32::try_from(path_id(&n)?).map_err(|_| DomainError::NotFound)?;
    let item = state
        .core
        .restore_version(&caller.actor, ItemId(path_id(&id)?), n)
        .await?;
    item_changed(&state, &caller.actor, &item).await
}

// ---- vocabulary ----

/// Every taxonomy with its terms (retired ones flagged), for pickers and filters.
#[utoipa::path(
    get,
    path = "/taxonomies",
    operation_id = "listTaxonomies",
    tag = "taxonomies",
    summary = "หมวดหมู่ทั้งหมด — Taxonomies and their terms",
    description = "Every taxonomy with its terms (retired ones flagged), for pickers and filters.",
    security(()),
    responses(
        (status = 200, description = "Every taxonomy", body = Vec<TaxonomyJson>),
    )
)]
async fn taxonomies(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let vocab = state.core.vocabulary().await?;
    let out: Vec<TaxonomyJson> = vocab
        .taxonomies
        .iter()
        .map(|t| TaxonomyJson {
            taxonomy: t,
            terms: vocab.terms_of(t.id).collect(),
        })
        .collect();
    Ok(Json(
        serde_json::to_value(out).map_err(DomainError::internal)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_bytes(v.as_bytes()).unwrap(),
        );
        h
    }

    #[test]
    fn raw_upload_names_come_from_content_disposition() {
        assert_eq!(
            filename_from(&headers(
                "attachment; filename=\"fallback.pdf\"; filename*=UTF-8''%E0%B8%84%E0%B8%B9%E0%B9%88%E0%B8%A1%E0%B8%B7%E0%B8%AD.pdf"
            ))
            .as_deref(),
            Some("คู่มือ.pdf")
        );
        assert_eq!(
            filename_from(&headers("attachment; filename=\"a \\\"b\\\"; c.pdf\"")).as_deref(),
            Some("a \"b\"; c.pdf")
        );
        assert_eq!(
            filename_from(&headers("attachment; filename=plain.mp4")).as_deref(),
            Some("plain.mp4")
        );
        assert_eq!(
            filename_from(&headers("attachment; filename=\"รายงาน.pdf\"")).as_deref(),
            Some("รายงาน.pdf"),
            "raw UTF-8 in the plain parameter"
        );
        // Broken or foreign-charset extended values fall back to the plain name.
        assert_eq!(
            filename_from(&headers(
                "attachment; filename*=UTF-8''%E0%B8; filename=x.pdf"
            ))
            .as_deref(),
            Some("x.pdf")
        );
        assert_eq!(
            filename_from(&headers(
                "attachment; filename*=ISO-8859-1''caf%E9.pdf; filename=cafe.pdf"
            ))
            .as_deref(),
            Some("cafe.pdf")
        );
        assert_eq!(filename_from(&headers("attachment")), None);
        assert_eq!(filename_from(&HeaderMap::new()), None);
    }

    #[test]
    fn item_json_takes_numbers_and_arrays_and_only_the_keys_sent() {
        let j: ItemJson = serde_json::from_value(json!({
            "title": "คู่มือ", "unit_id": 12, "km_steps": [1, "2"], "terms": [5],
            "tags": "อสม., KM", "fiscal_year": 2567
        }))
        .unwrap();
        let mut input = ItemInput {
            summary: "เดิม".into(),
            ..Default::default()
        };
        j.apply_to(&mut input);
        assert_eq!(input.unit_id, "12");
        assert_eq!(input.km_steps, ["1", "2"]);
        assert_eq!(input.terms, ["5"]);
        assert_eq!(input.tags, ["อสม., KM"]);
        assert_eq!(input.fiscal_year, "2567");
        assert_eq!(input.summary, "เดิม", "keys not sent keep their value");

        let j: ItemJson = serde_json::from_value(json!({"fiscal_year": null})).unwrap();
        j.apply_to(&mut input);
        assert_eq!(input.fiscal_year, "", "null resets to the automatic year");
        assert!(serde_json::from_value::<ItemJson>(json!({"colour": "red"})).is_err());
    }
}
