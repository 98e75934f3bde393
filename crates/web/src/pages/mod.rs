//! HTML pages. Handlers are thin: read the request, call one core service, render.

mod account;
mod admin;
mod session;

use crate::AppState;
use crate::auth::Visitor;
use crate::error::WebError;
use crate::view::{Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::DomainError;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(session::routes())
        .merge(account::routes())
        .merge(admin::routes())
}

/// `?done=…` after a redirect: what just succeeded, in Thai.
#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    pub done: String,
    #[serde(default)]
    pub page: Option<u64>,
}

impl Done {
    pub fn message(&self) -> Option<&'static str> {
        Some(match self.done.as_str() {
            "welcome" => "สร้างบัญชีผู้ดูแลระบบเรียบร้อย ยินดีต้อนรับสู่คลัง",
            "signed_in" => "เข้าสู่ระบบแล้ว",
            "password" => "เปลี่ยนรหัสผ่านเรียบร้อยแล้ว",
            "token_revoked" => "ยกเลิกโทเค็นแล้ว โปรแกรมที่ใช้โทเค็นนี้จะเข้าระบบไม่ได้อีก",
            "unit_created" => "เพิ่มหน่วยงานเรียบร้อยแล้ว",
            "unit_renamed" => "บันทึกชื่อหน่วยงานแล้ว",
            "unit_moved" => "ย้ายหน่วยงานเรียบร้อยแล้ว",
            "unit_retired" => "เลิกใช้หน่วยงานแล้ว ข้อมูลทั้งหมดยังอยู่ครบ",
            "unit_restored" => "นำหน่วยงานกลับมาใช้แล้ว",
            "user_created" => "เพิ่มผู้ใช้เรียบร้อยแล้ว",
            "granted" => "ให้บทบาทเรียบร้อยแล้ว",
            "revoked" => "ถอนบทบาทแล้ว",
            "password_reset" => "ตั้งรหัสผ่านใหม่แล้ว ผู้ใช้ถูกออกจากระบบทุกเครื่อง",
            _ => return None,
        })
    }
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    flash: Option<&'static str>,
    me: Option<Me>,
    unit_count: String,
    user_count: String,
    roots: Vec<String>,
}

struct Me {
    display_name: String,
    /// (role label, unit name)
    roles: Vec<(&'static str, String)>,
}

async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let tree = state.core.unit_tree().await?;
    let me = match &visitor.session {
        Some(ctx) => {
            let grants = state
                .core
                .store
                .grants_for_user(ctx.user.id)
                .await
                .map_err(DomainError::from)?;
            Some(Me {
                display_name: ctx.user.display_name.as_str().to_string(),
                roles: grants
                    .iter()
                    .map(|g| {
                        (
                            g.role.label_th(),
                            tree.get(g.unit_id)
                                .map(|u| u.name_th.as_str().to_string())
                                .unwrap_or_default(),
                        )
                    })
                    .collect(),
            })
        }
        None => None,
    };
    let user_count = if visitor.actor().is_site_admin() {
        state
            .core
            .store
            .count_users()
            .await
            .map_err(DomainError::from)?
    } else {
        0
    };
    let page = HomePage {
        layout: Layout::new("หน้าแรก", "home", visitor.session.as_ref(), visitor.csrf()),
        flash: done.message(),
        me,
        unit_count: number(tree.len() as u64),
        user_count: number(user_count),
        roots: tree
            .children(None)
            .map(|u| u.name_th.as_str().to_string())
            .collect(),
    };
    Ok(visitor.finish(render(&page)))
}

pub async fn not_found() -> impl IntoResponse {
    WebError::Domain(DomainError::NotFound)
}
