//! The OpenAPI 3.1 description of the JSON API (`/api/v1`), resumable uploads (`/files/tus/`)
//! and downloads (`/files/{id}`), served at `GET /api/openapi.json` to anyone.
//!
//! Generated from the code: every handler carries a `#[utoipa::path]` annotation next to its
//! route, request and response types derive `ToSchema`. Domain types from `khlang-core` are
//! described here by schema-only mirrors of their JSON (the core does not depend on web
//! tooling); `crates/testkit/tests/http/openapi.rs` compares them with real responses so a
//! change on either side is noticed.

// The schema-only types below are read by utoipa's derives, never constructed.
#![allow(dead_code)]

use crate::AppState;
use crate::error::ApiError;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::DomainError;
use std::sync::LazyLock;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse, ToSchema};

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/api/openapi.json", get(document))
}

/// Built once: the document only changes with the code.
static DOCUMENT: LazyLock<Result<String, String>> =
    LazyLock::new(|| build().to_pretty_json().map_err(|e| e.to_string()));

/// The API under `/api/v1` first, then downloads and uploads.
fn build() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi()
        .nest("/api/v1", V1::openapi())
        .merge_from(Outside::openapi());
    Tidy.modify(&mut doc);
    doc
}

async fn document() -> Result<Response, ApiError> {
    let json = DOCUMENT
        .as_ref()
        .map_err(|e| DomainError::internal(format!("openapi document: {e}")))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json.clone(),
    )
        .into_response())
}

const DESCRIPTION: &str = "\
คลัง (khlang) — ระบบจัดการความรู้ขององค์กรภาครัฐไทย: องค์ความรู้ การกลั่นกรอง ไฟล์แนบ และหน่วยงาน\n\
khlang — knowledge management for Thai public-sector organisations.\n\n\
**ยืนยันตัวตน · Authentication.** `Authorization: Bearer khl_…` — create a token on the \
\"บัญชีของฉัน\" page, with `POST /api/v1/tokens`, or with `khlang user token create`. \
A browser session (the `khlang_session` cookie from signing in at `/login`) works too; \
every request other than GET and HEAD then also needs the session's CSRF token in \
`X-CSRF-Token`. Reading published knowledge (items, versions, downloads, taxonomies) needs \
nobody; what a reader may not see answers 404.\n\n\
**ข้อผิดพลาด · Errors** are `application/problem+json` (RFC 9457): `type` \
(`https://khlang.dev/problems/{kind}`), a Thai `title`, `status`, and for 422 an `errors` \
list of `{field, message}`.\n\n\
**ตัวเลข · Numbers** in query strings may use Thai digits (๐–๙).";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "khlang API · คลังความรู้",
        description = DESCRIPTION,
    ),
    components(
        // Those only named by `value_type` in query parameters are not collected on their own.
        schemas(Problem, ListStatus),
        responses(
            BadRequest,
            Unauthenticated,
            Forbidden,
            NotFound,
            Conflict,
            TooLarge,
            Invalid,
            PreconditionFailed,
            UnsupportedMediaType,
            Locked,
        ),
    ),
    modifiers(&Security),
    tags(
        (name = "account", description = "บัญชีของฉันและโทเค็น API — The caller and their API tokens"),
        (name = "organisation", description = "หน่วยงาน สมาชิก และบทบาท — Units, members and role grants"),
        (name = "items", description = "องค์ความรู้ — Knowledge items: drafting and lists"),
        (name = "screening", description = "การกลั่นกรององค์ความรู้ — Screening: submit, review, archive, comments"),
        (name = "history", description = "ประวัติฉบับแก้ไข — Versions and restore"),
        (name = "files", description = "ไฟล์แนบและการดาวน์โหลด — Attached files and downloads"),
        (name = "uploads", description = "อัปโหลดไฟล์แบบต่อได้ (tus 1.0.0: core, creation, termination) — Resumable uploads"),
        (name = "taxonomies", description = "หมวดหมู่และคำศัพท์ — Taxonomies and their terms"),
        (name = "search", description = "ค้นหาความรู้ — Thai search with facets and snippets"),
        (name = "innovations", description = "บัญชีนวัตกรรม — The innovation registry: catalogue and applied reports"),
    ),
)]
struct ApiDoc;

/// Everything under `/api/v1`, with paths as the routers write them.
#[derive(OpenApi)]
#[openapi(paths(
    super::me,
    super::list_units,
    super::create_unit,
    super::update_unit,
    super::list_users,
    super::create_user,
    super::grant,
    super::reset_password,
    super::revoke_grant,
    super::list_tokens,
    super::create_token,
    super::revoke_token,
    super::items::list,
    super::items::create,
    super::items::show,
    super::items::update,
    super::items::upload,
    super::items::remove_file,
    super::items::submit,
    super::items::review,
    super::items::archive,
    super::items::withdraw_revision,
    super::items::comment,
    super::items::versions,
    super::items::restore,
    super::items::taxonomies,
    super::items::download,
    super::search::search,
    super::innovations::list,
    super::innovations::show,
    super::innovations::applied,
))]
struct V1;

/// Downloads and resumable uploads, outside `/api/v1`.
#[derive(OpenApi)]
#[openapi(paths(
    crate::files::download_page,
    crate::files::download_page_named,
    crate::tus::capabilities,
    crate::tus::create,
    crate::tus::progress,
    crate::tus::append,
    crate::tus::terminate,
))]
struct Outside;

/// What utoipa's derives cannot say on their own.
struct Tidy;

impl Modify for Tidy {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let shared = openapi
            .components
            .as_ref()
            .map(|c| c.responses.clone())
            .unwrap_or_default();
        for item in openapi.paths.paths.values_mut() {
            // `method(get, head)` copies one operation: HEAD gets its own id, and no bodies.
            if let (Some(get), Some(head)) = (&item.get, &mut item.head)
                && head.operation_id.is_some()
                && head.operation_id == get.operation_id
            {
                head.operation_id = head.operation_id.take().map(|id| format!("{id}Head"));
            }
            if let Some(head) = &mut item.head {
                for response in head.responses.responses.values_mut() {
                    if let RefOr::Ref(r) = response
                        && let Some(RefOr::T(named)) = r
                            .ref_location
                            .rsplit('/')
                            .next()
                            .and_then(|name| shared.get(name))
                    {
                        *response = RefOr::T(named.clone());
                    }
                    if let RefOr::T(response) = response {
                        response.content.clear();
                    }
                }
            }
            // `request_body = Option<T>` means the body may be left out (utoipa then does not
            // require it), not that it may be `null`: its schema is plain `T`.
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for op in operations.into_iter().flatten() {
                let Some(body) = &mut op.request_body else {
                    continue;
                };
                if body.required.is_some() {
                    continue;
                }
                for content in body.content.values_mut() {
                    if let Some(RefOr::T(Schema::OneOf(one))) = &content.schema
                        && let [a, b] = one.items.as_slice()
                    {
                        content.schema = match (is_null(a), is_null(b)) {
                            (true, false) => Some(b.clone()),
                            (false, true) => Some(a.clone()),
                            _ => continue,
                        };
                    }
                }
            }
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

/// The ways to say who is calling (see the description at the top of the document).
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("khl_…")
                    .description(Some(
                        "โทเค็น API — `Authorization: Bearer khl_…`, from the account page, \
                         `POST /api/v1/tokens` or `khlang user token create`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "khlang_session",
                "เซสชันของเบราว์เซอร์ — the cookie set by signing in at `/login`. Requests other \
                 than GET and HEAD must also send `X-CSRF-Token` (scheme `csrf`).",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-CSRF-Token",
                "โทเค็น CSRF ของเซสชัน — the session's CSRF token (the `csrf` field of any form \
                 on khlang's pages); only with the `session` cookie, never with a bearer token.",
            ))),
        );
    }
}

// ---- problems ----

/// ข้อผิดพลาด — an error as RFC 9457 problem details (`application/problem+json`).
#[derive(ToSchema)]
#[schema(example = json!({
    "type": "https://khlang.dev/problems/invalid",
    "title": "ข้อมูลไม่ถูกต้อง",
    "status": 422,
    "errors": [{"field": "title", "message": "กรุณาใส่ชื่อเรื่อง"}]
}))]
pub(crate) struct Problem {
    /// `https://khlang.dev/problems/{kind}`, stable for programs: `bad-request`,
    /// `unauthenticated`, `forbidden`, `csrf`, `not-found`, `conflict`, `invalid`, `too-large`,
    /// `throttled`, `internal`; from the tus endpoints also `tus-version`,
    /// `unsupported-media-type` and `locked`.
    #[schema(format = "uri")]
    r#type: String,
    /// What went wrong, in Thai, for people.
    title: String,
    /// The HTTP status code, again.
    status: u16,
    /// Only for `invalid` (422): what to fix, field by field.
    #[schema(nullable = false)]
    errors: Option<Vec<FieldProblem>>,
}

/// One field that needs fixing.
#[derive(ToSchema)]
pub(crate) struct FieldProblem {
    /// The request's key, e.g. `title` or `unit_id`.
    field: String,
    /// Thai, for people.
    message: String,
}

/// คำขอไม่ถูกต้อง — the request could not be read (malformed JSON, unknown keys, wrong
/// content type, bad headers).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct BadRequest(Problem);

/// กรุณาเข้าสู่ระบบ — no caller, or an invalid, revoked or expired token or session.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct Unauthenticated(Problem);

/// ไม่มีสิทธิ์ — the caller's roles do not allow this, or (session callers) `X-CSRF-Token`
/// is missing or wrong (`type` ends in `csrf`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct Forbidden(Problem);

/// ไม่พบ — nothing with that id, or nothing this caller may see (the two are not told apart).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct NotFound(Problem);

/// ขัดแย้ง — the request does not fit the current state (a duplicate, or a step the item's
/// status does not allow).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct Conflict(Problem);

/// ใหญ่เกินกำหนด — larger than the server's upload limit.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct TooLarge(Problem);

/// ข้อมูลไม่ถูกต้อง — the values were read but are not acceptable; `errors` says which and why.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct Invalid(Problem);

/// tus: the request does not send `Tus-Resumable: 1.0.0`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Tus-Version" = String, description = "`1.0.0`"))
)]
pub(crate) struct PreconditionFailed(Problem);

/// tus: a PATCH body must be `application/offset+octet-stream`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct UnsupportedMediaType(Problem);

/// tus: another request on the same upload is still running; retry shortly.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub(crate) struct Locked(Problem);

// ---- the JSON of khlang-core's types, described here (the core has no web tooling) ----

/// บทบาท — a role, granted on a unit and everything below it.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum Role {
    /// ผู้ดูแลระบบของหน่วยงาน — manages units and members.
    Admin,
    /// นักจัดการความรู้ — runs the unit's KM, edits any knowledge there.
    KmOfficer,
    /// ผู้กลั่นกรอง — the screening committee.
    Reviewer,
    /// ผู้ส่งองค์ความรู้
    Contributor,
    /// ผู้อ่าน — reads what is restricted to the unit.
    Viewer,
}

/// ประเภทหน่วยงาน — how a unit is shown; it decides no permission.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum UnitKind {
    Department,
    Division,
    RegionalCentre,
    HealthZoneCentre,
    Institute,
    StudyCentre,
    ProvincialOffice,
    DistrictOffice,
    Other,
}

/// ประเภทความรู้
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum KnowledgeType {
    Explicit,
    Tacit,
    External,
    Innovation,
}

/// วิธีได้มาของความรู้ (3C: collect, capture, create).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum Acquisition {
    Collect,
    Capture,
    Create,
}

/// ผู้มีสิทธิ์อ่าน — who may read the item once published.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum Visibility {
    /// ทุกคน
    Public,
    /// ผู้ที่เข้าสู่ระบบ
    SignedIn,
    /// หน่วยงานเจ้าของและหน่วยงานย่อย
    Unit,
}

/// สถานะ — where an item stands in screening.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum ItemStatus {
    Draft,
    Submitted,
    ChangesRequested,
    Resubmitted,
    Published,
    Rejected,
    Archived,
}

/// What the caller may do with an item now.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum ItemAction {
    Edit,
    Submit,
    Approve,
    RequestChanges,
    Reject,
    Archive,
}

/// What a caller may do to a pending revision.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum RevisionAction {
    Edit,
    Submit,
    Approve,
    RequestChanges,
    Reject,
    Withdraw,
}

/// มติของผู้กลั่นกรอง — the committee's decision.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum ReviewDecision {
    Approve,
    RequestChanges,
    Reject,
}

/// Which list: `published` (the default), `mine`, or `review` (also `submitted`), the
/// screening queue.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub(crate) enum ListStatus {
    Published,
    Mine,
    Review,
    Submitted,
}

/// ผู้ใช้ — an account.
#[derive(ToSchema)]
pub(crate) struct User {
    id: i64,
    username: String,
    display_name: String,
    #[schema(required = true)]
    email: Option<String>,
    #[schema(required = true)]
    phone: Option<String>,
    /// The unit the person belongs to.
    #[schema(required = true)]
    home_unit_id: Option<i64>,
    site_admin: bool,
    disabled: bool,
    created_at: time::OffsetDateTime,
}

/// One role on one unit subtree.
#[derive(ToSchema)]
pub(crate) struct Grant {
    id: i64,
    user_id: i64,
    role: Role,
    unit_id: i64,
}

/// An API token (never its secret, which is shown once, on creation).
#[derive(ToSchema)]
pub(crate) struct ApiToken {
    id: i64,
    user_id: i64,
    name: String,
    /// The first characters of the secret, to tell tokens apart.
    prefix: String,
    created_at: time::OffsetDateTime,
    #[schema(required = true)]
    last_used_at: Option<time::OffsetDateTime>,
    #[schema(required = true)]
    revoked_at: Option<time::OffsetDateTime>,
}

/// Everything an author fills in (also a version's snapshot).
#[derive(ToSchema)]
pub(crate) struct ItemFields {
    title: String,
    summary: String,
    /// Markdown.
    body: String,
    knowledge_type: KnowledgeType,
    acquisition: Acquisition,
    /// ขั้นตอนการจัดการความรู้ 1–7.
    km_steps: Vec<u8>,
    /// Term ids (see `/api/v1/taxonomies`).
    terms: Vec<i64>,
    tags: Vec<String>,
    authors: Vec<String>,
    unit_id: i64,
    /// ปีงบประมาณ (พ.ศ.) as set by the author; `null` means "from the date".
    #[schema(required = true)]
    fiscal_year: Option<i32>,
    visibility: Visibility,
    /// E.g. `CC-BY-4.0`, `CC-BY-SA-4.0`, `CC-BY-NC-4.0`, `CC0-1.0`, `all-rights-reserved`.
    licence: String,
    links: Vec<String>,
}

/// องค์ความรู้ — a knowledge item: its id, the fields of `ItemFields` and its standing.
#[derive(ToSchema)]
pub(crate) struct Item {
    id: i64,
    title: String,
    summary: String,
    /// Markdown.
    body: String,
    knowledge_type: KnowledgeType,
    acquisition: Acquisition,
    /// ขั้นตอนการจัดการความรู้ 1–7.
    km_steps: Vec<u8>,
    /// Term ids (see `/api/v1/taxonomies`).
    terms: Vec<i64>,
    tags: Vec<String>,
    authors: Vec<String>,
    unit_id: i64,
    /// ปีงบประมาณ (พ.ศ.) as set by the author; `null` means "from the date".
    #[schema(required = true)]
    fiscal_year: Option<i32>,
    visibility: Visibility,
    licence: String,
    links: Vec<String>,
    status: ItemStatus,
    created_by: i64,
    created_at: time::OffsetDateTime,
    updated_by: i64,
    updated_at: time::OffsetDateTime,
    #[schema(required = true)]
    published_at: Option<time::OffsetDateTime>,
    /// Number of the latest version (1 for a new draft).
    version: i32,
    /// ฉบับแก้ไข รอพิจารณา: only for the owner, the unit's KM officers and the screening
    /// committee, and only while a revision is pending.
    pending_revision: Option<super::items::RevisionJson>,
}

/// An item in a list.
#[derive(ToSchema)]
pub(crate) struct ItemSummary {
    id: i64,
    title: String,
    summary: String,
    status: ItemStatus,
    unit_id: i64,
    knowledge_type: KnowledgeType,
    visibility: Visibility,
    created_by: i64,
    updated_at: time::OffsetDateTime,
    #[schema(required = true)]
    published_at: Option<time::OffsetDateTime>,
    /// ปีงบประมาณ (พ.ศ.): as set, else from publication (or creation).
    fiscal_year: i32,
    /// Where the item's pending revision stands, in the owner's list and the review queue
    /// (a published item in the queue is there for its revision).
    pending_revision: Option<ItemStatus>,
}

/// An entry of the screening conversation: a comment, or a status change with its note.
#[derive(ToSchema)]
pub(crate) struct Comment {
    author_id: i64,
    author_name: String,
    body: String,
    #[schema(required = true)]
    from_status: Option<ItemStatus>,
    #[schema(required = true)]
    to_status: Option<ItemStatus>,
    at: time::OffsetDateTime,
}

/// One saved state of an item.
#[derive(ToSchema)]
pub(crate) struct Snapshot {
    fields: ItemFields,
    /// Ids of the files attached at the time.
    files: Vec<i64>,
}

/// ฉบับ — one version of an item.
#[derive(ToSchema)]
pub(crate) struct Version {
    item_id: i64,
    /// 1…n, no gaps.
    number: i32,
    snapshot: Snapshot,
    created_by: i64,
    created_at: time::OffsetDateTime,
    note: String,
}

/// One field that changed from the version before.
#[derive(ToSchema)]
pub(crate) struct FieldChange {
    field: String,
    /// The field's name in Thai.
    label_th: String,
    before: String,
    after: String,
}

/// A taxonomy (หมวดหมู่ ประเด็น กลุ่มเป้าหมาย …).
#[derive(ToSchema)]
pub(crate) struct Taxonomy {
    id: i64,
    key: String,
    name_th: String,
    name_en: String,
}

/// A term of a taxonomy.
#[derive(ToSchema)]
pub(crate) struct Term {
    id: i64,
    taxonomy_id: i64,
    key: String,
    label_th: String,
    label_en: String,
    #[schema(required = true)]
    parent_id: Option<i64>,
    /// Retired terms stay on items that carry them but are not offered for new ones.
    retired: bool,
}

// ---- bodies the handlers build with `json!` ----

/// The caller and their role grants.
#[derive(ToSchema)]
pub(crate) struct Me {
    user: User,
    grants: Vec<Grant>,
}

/// One page of people.
#[derive(ToSchema)]
pub(crate) struct UserPage {
    total: u64,
    page: u64,
    per_page: u64,
    items: Vec<User>,
}

/// One page of items, 1-based.
#[derive(ToSchema)]
pub(crate) struct ItemPage {
    total: u64,
    page: u64,
    per_page: u64,
    /// How many pages there are (at least 1).
    pages: u64,
    items: Vec<ItemSummary>,
}

/// The caller's tokens, revoked ones included.
#[derive(ToSchema)]
pub(crate) struct TokenList {
    items: Vec<ApiToken>,
}

/// A new token: the secret is shown this once; khlang keeps only its hash.
#[derive(ToSchema)]
pub(crate) struct NewToken {
    /// `khl_…`, for `Authorization: Bearer`.
    token: String,
    info: ApiToken,
}

/// An item's history, newest first.
#[derive(ToSchema)]
pub(crate) struct VersionList {
    items: Vec<super::items::VersionJson<'static>>,
}

/// A file upload as `multipart/form-data`.
#[derive(ToSchema)]
pub(crate) struct UploadForm {
    /// The file; its name is taken from the part's `filename`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}
