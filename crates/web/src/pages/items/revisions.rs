//! A published item's pending revision (ฉบับแก้ไข) taken back, and minor corrections
//! (แก้ไขเล็กน้อย) published by a reviewer or KM officer without screening.

use super::{CsrfForm, FormSpec, form_page, parse_form};
use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiForm;
use crate::view::{Errors, render};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use khlang_core::DomainError;
use khlang_core::ids::ItemId;
use khlang_core::item::ItemInput;

pub(super) async fn withdraw(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    ThaiForm(form): ThaiForm<CsrfForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    state
        .core
        .withdraw_revision(member.actor(), ItemId(id))
        .await?;
    Ok(Redirect::to(&format!("/items/{id}?done=revision_withdrawn")).into_response())
}

fn correct_spec(id: i64, reason: String) -> FormSpec {
    FormSpec {
        heading: "แก้ไขเล็กน้อย",
        step: None,
        action: format!("/items/{id}/correct"),
        back: Some(format!("/items/{id}")),
        submit_label: "เผยแพร่การแก้ไขเล็กน้อย",
        full: true,
        notice: Some(
            "ใช้สำหรับแก้คำที่พิมพ์ผิดหรือข้อความเล็กน้อย ซึ่งจะเผยแพร่ทันทีโดยไม่ผ่านการกลั่นกรอง \
             และบันทึกเหตุผลไว้ในบันทึกการใช้งานและประวัติการแก้ไข — เปลี่ยนผู้อ่านหรือหน่วยงานเจ้าของด้วยวิธีนี้ไม่ได้",
        ),
        reason: Some(reason),
    }
}

pub(super) async fn correct_page(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let v = state.core.item_view(member.actor(), ItemId(id)).await?;
    if !v.may_correct {
        return Err(DomainError::Forbidden.into());
    }
    if v.revision.is_some() {
        return Err(DomainError::Conflict(
            "องค์ความรู้นี้มีฉบับแก้ไขรอดำเนินการอยู่ กรุณาพิจารณาฉบับแก้ไขนั้นก่อน".into(),
        )
        .into());
    }
    let form = ItemInput::from(&v.item.fields);
    let page = form_page(
        &state,
        &member,
        correct_spec(id, String::new()),
        form,
        Errors::default(),
    )
    .await?;
    Ok(render(&page))
}

pub(super) async fn correct(
    State(state): State<AppState>,
    member: Member,
    Path(id): Path<i64>,
    body: String,
) -> Result<Response, WebError> {
    let form = parse_form(&body)?;
    member.0.check_csrf(&form.csrf)?;
    let reason = form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    match state
        .core
        .minor_correction(member.actor(), ItemId(id), &form.input, &reason)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/items/{id}?done=corrected")).into_response()),
        Err(DomainError::Invalid(errors)) => {
            let spec = correct_spec(id, reason);
            let p = form_page(&state, &member, spec, form.input, Errors(errors)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&p)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
