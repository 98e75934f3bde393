//! Certificates: the public verification page, the printable A4 certificate, revocation,
//! and the list of a unit's certificates for its officers.

use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::forms::{ThaiPath as Path, ThaiQuery as Query};
use crate::view::{Errors, Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use khlang_core::DomainError;
use khlang_core::certificates::{Certificate, CertificateCode, Verification};
use khlang_core::org::{Actor, UnitTree};
use khlang_core::service::Khlang;
use khlang_core::text::{format_be_date, format_be_date_long, format_be_datetime, thai_digits};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificates", get(list))
        .route("/certificates/verify", get(verify_form))
        .route("/c/{code}", get(verify_page))
        .route("/c/{code}/print", get(print_page))
        .route("/c/{code}/revoke", post(revoke))
}

const PER_PAGE: u64 = 25;

/// A certificate as the pages show it.
struct CertView {
    code: String,
    holder: String,
    title: String,
    unit: String,
    /// The unit with its parents, for telling apart units of the same name.
    unit_path: String,
    issued: String,
    /// `(when, why)` once revoked.
    revoked: Option<(String, String)>,
    verify_path: String,
    print_path: String,
}

fn view(tree: &UnitTree, c: &Certificate) -> CertView {
    CertView {
        code: c.code.clone(),
        holder: c.holder.clone(),
        title: c.title.clone(),
        unit: tree
            .get(c.unit_id)
            .map(|u| u.name_th.as_str().to_string())
            .unwrap_or_default(),
        unit_path: tree.display_path(c.unit_id),
        issued: format_be_date_long(c.issued_at),
        revoked: c
            .revoked
            .as_ref()
            .map(|r| (format_be_datetime(r.at), r.reason.clone())),
        verify_path: format!("/c/{}", c.code),
        print_path: format!("/c/{}/print", c.code),
    }
}

fn absolute(state: &AppState, path: &str) -> String {
    format!(
        "{}{path}",
        state.config.public_base_url.trim_end_matches('/')
    )
}

// ---------------------------------------------------------------- verification

#[derive(Template)]
#[template(path = "certificates/verify.html")]
struct VerifyPage {
    layout: Layout,
    flash: Option<&'static str>,
    /// What was typed or scanned (kept in the box).
    typed: String,
    /// "valid", "revoked", "not_found", or "" before anything was asked.
    state: &'static str,
    cert: Option<CertView>,
    may_revoke: bool,
    reason: String,
    errors: Errors,
    /// Why the revocation was refused (already revoked).
    refused: Option<String>,
    /// The revoke form starts open (come from the list's revoke link, or an error in it).
    open_revoke: bool,
}

#[derive(Deserialize, Default)]
struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// `/certificates/verify`: a box to type a code from paper; a code that can be one goes to
/// its page, anything else is simply not found.
async fn verify_form(visitor: Visitor, Query(q): Query<CodeQuery>) -> Result<Response, WebError> {
    let typed = q.code.trim().to_string();
    if let Some(code) = CertificateCode::parse(&typed) {
        return Ok(Redirect::to(&format!("/c/{code}")).into_response());
    }
    let asked = !typed.is_empty();
    let page = VerifyPage {
        layout: layout("ตรวจสอบเกียรติบัตร", &visitor),
        flash: None,
        typed,
        state: if asked { "not_found" } else { "" },
        cert: None,
        may_revoke: false,
        reason: String::new(),
        errors: Errors::default(),
        refused: None,
        open_revoke: false,
    };
    let status = if asked {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    Ok(visitor.finish((status, render(&page)).into_response()))
}

fn layout(title: &str, visitor: &Visitor) -> Layout {
    Layout::new(
        title,
        "certificates",
        visitor.session.as_ref(),
        visitor.csrf(),
    )
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
    /// `?revoke=1`: the list's revoke link.
    #[serde(default)]
    revoke: String,
}

/// The page a certificate's QR code leads to.
async fn verify_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, WebError> {
    if let Some(canonical) = CertificateCode::parse(&code)
        && canonical.as_str() != code
    {
        return Ok(Redirect::permanent(&format!("/c/{canonical}")).into_response());
    }
    let flash = (done.done == "revoked")
        .then_some("เพิกถอนเกียรติบัตรแล้ว ผู้ที่ตรวจสอบรหัสนี้จะเห็นวันที่และเหตุผลการเพิกถอน");
    let (status, mut page) = verification(
        &state,
        &visitor,
        &code,
        flash,
        String::new(),
        Errors::default(),
        None,
    )
    .await?;
    page.open_revoke = done.revoke == "1";
    let res = (status, render(&page)).into_response();
    Ok(if page.may_revoke {
        visitor.finish_form(res)
    } else {
        visitor.finish(res)
    })
}

async fn verification(
    state: &AppState,
    visitor: &Visitor,
    code: &str,
    flash: Option<&'static str>,
    reason: String,
    errors: Errors,
    refused: Option<String>,
) -> Result<(StatusCode, VerifyPage), WebError> {
    let core = &state.core;
    let found = core.verify_certificate(code).await?;
    let actor = visitor.actor();
    let (status, state_name, cert) = match &found {
        Verification::Valid(c) => (StatusCode::OK, "valid", Some(c)),
        Verification::Revoked(c, _) => (StatusCode::OK, "revoked", Some(c)),
        Verification::NotFound => (StatusCode::NOT_FOUND, "not_found", None),
    };
    let may_revoke = match cert {
        Some(c) if !c.is_revoked() => core.may_revoke_certificate(&actor, c).await?,
        _ => false,
    };
    let tree = core.unit_tree().await?;
    let title = match state_name {
        "valid" => "เกียรติบัตรถูกต้อง",
        "revoked" => "เกียรติบัตรถูกเพิกถอนแล้ว",
        _ => "ไม่พบเกียรติบัตร",
    };
    Ok((
        status,
        VerifyPage {
            layout: layout(title, visitor),
            flash,
            typed: cert
                .map(|c| c.code.clone())
                .unwrap_or_else(|| code.to_string()),
            state: state_name,
            cert: cert.map(|c| view(&tree, c)),
            may_revoke,
            reason,
            open_revoke: !errors.0.is_empty(),
            errors,
            refused,
        },
    ))
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn revoke(
    State(state): State<AppState>,
    member: Member,
    Path(code): Path<String>,
    ThaiForm(form): ThaiForm<RevokeForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    match state
        .core
        .revoke_certificate(member.actor(), &code, &form.reason)
        .await
    {
        Ok(c) => Ok(Redirect::to(&format!("/c/{}?done=revoked", c.code)).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let (_, mut page) = verification(
                &state,
                &member.0,
                &code,
                None,
                form.reason,
                Errors(errors),
                None,
            )
            .await?;
            page.layout.title = format!("แก้ไขข้อมูล: {}", page.layout.title);
            Ok(member
                .0
                .finish_form((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response()))
        }
        Err(DomainError::Conflict(why)) => {
            let (_, page) = verification(
                &state,
                &member.0,
                &code,
                None,
                String::new(),
                Errors::default(),
                Some(why),
            )
            .await?;
            Ok(member
                .0
                .finish_form((StatusCode::CONFLICT, render(&page)).into_response()))
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------- A4 print

#[derive(Template)]
#[template(path = "certificates/print.html")]
struct PrintPage {
    cert: CertView,
    /// The issuing date in Thai digits, as official documents write it.
    issued_th: String,
    verify_url: String,
    qr: String,
    /// "", "long" or "xlong": smaller type for long names and titles, so that the date and
    /// the QR code always stay on the one page.
    name_size: &'static str,
    title_size: &'static str,
}

fn size_class(text: &str, long: usize, xlong: usize) -> &'static str {
    match khlang_core::text::grapheme_len(text) {
        n if n > xlong => "xlong",
        n if n > long => "long",
        _ => "",
    }
}

/// An inline QR code: the XML prolog dropped, the picture sized by the stylesheet.
fn inline_qr(url: &str) -> String {
    let svg = crate::qr::svg(url, 240);
    match svg.find("<svg") {
        Some(at) => svg[at..].to_string(),
        None => svg,
    }
}

/// The printable A4 landscape certificate; a revoked one carries its revocation across the
/// page, never a clean copy.
async fn print_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    if let Some(canonical) = CertificateCode::parse(&code)
        && canonical.as_str() != code
    {
        return Ok(Redirect::permanent(&format!("/c/{canonical}/print")).into_response());
    }
    let cert = match state.core.verify_certificate(&code).await? {
        Verification::Valid(c) | Verification::Revoked(c, _) => c,
        Verification::NotFound => return Err(DomainError::NotFound.into()),
    };
    let tree = state.core.unit_tree().await?;
    let verify_url = absolute(&state, &format!("/c/{}", cert.code));
    let page = PrintPage {
        name_size: size_class(&cert.holder, 35, 80),
        title_size: size_class(&cert.title, 120, 250),
        issued_th: thai_digits(&format_be_date_long(cert.issued_at)),
        qr: inline_qr(&verify_url),
        verify_url,
        cert: view(&tree, &cert),
    };
    Ok(visitor.finish(render(&page)))
}

// ---------------------------------------------------------------- officers' list

struct Row {
    cert: CertView,
    issued_short: String,
}

#[derive(Template)]
#[template(path = "certificates/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    rows: Vec<Row>,
    total: String,
    page: u64,
    pages: u64,
    prev_url: Option<String>,
    next_url: Option<String>,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let actor: &Actor = member.actor();
    if !Khlang::may_list_certificates(actor) {
        return Err(DomainError::Forbidden.into());
    }
    let page_no = crate::forms::page_link_param(q.page.as_deref())?.get();
    let found = state
        .core
        .certificates_for_officer(actor, &q.q, page_no, PER_PAGE)
        .await?;
    let tree = state.core.unit_tree().await?;
    let pages = found.pages();
    let link = |p: u64| {
        if q.q.trim().is_empty() {
            format!("/certificates?page={p}")
        } else {
            format!(
                "/certificates?q={}&page={p}",
                crate::auth::percent_encode(q.q.trim())
            )
        }
    };
    let page = ListPage {
        layout: layout("เกียรติบัตรที่หน่วยงานออก", &member.0),
        q: q.q.trim().to_string(),
        total: number(found.total),
        prev_url: (found.page > 1).then(|| link(found.page - 1)),
        next_url: (found.page < pages).then(|| link(found.page + 1)),
        page: found.page,
        pages,
        rows: found
            .items
            .iter()
            .map(|c| Row {
                cert: view(&tree, c),
                issued_short: format_be_date(c.issued_at),
            })
            .collect(),
    };
    Ok(member.0.finish(render(&page)))
}
