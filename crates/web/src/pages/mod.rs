//! HTML pages. Handlers are thin: read the request, call one core service, render.

mod account;
mod admin;
mod books;
mod certificates;
mod communities;
mod contests;
mod dashboard;
mod events;
mod feeds;
mod forms;
pub(crate) mod geo;
mod imports;
pub(crate) mod innovations;
mod items;
pub(crate) mod jobs;
mod learning;
mod lessons;
mod levels;
mod line;
mod networks;
mod notifications;
pub(crate) mod people;
mod planning;
mod recognition;
mod registry_tables;
pub(crate) mod search;
mod session;
mod targets;
mod usage;

use crate::AppState;
use crate::auth::Visitor;
use crate::error::WebError;
use crate::view::{Layout, number, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
// Our extractors under axum's names: a bad id or query gets the Thai error page.
use crate::forms::ThaiQuery as Query;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::service::items::Browse;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .merge(session::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(items::routes())
        .merge(forms::routes())
        .merge(search::routes())
        .merge(innovations::routes())
        .merge(registry_tables::routes())
        .merge(geo::routes())
        .merge(people::routes())
        .merge(contests::routes())
        .merge(certificates::routes())
        .merge(planning::routes())
        .merge(targets::routes())
        .merge(notifications::routes())
        .merge(networks::routes())
        .merge(levels::routes())
        .merge(dashboard::routes())
        .merge(communities::routes())
        .merge(events::routes())
        .merge(feeds::routes())
        .merge(learning::routes())
        .merge(lessons::routes())
        .merge(line::routes())
        .merge(recognition::routes())
        .merge(books::routes())
        .merge(jobs::routes())
        .merge(imports::routes())
        .merge(usage::routes())
}

/// `?done=…` after a redirect: what just succeeded, in Thai.
#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    pub done: String,
    /// Parsed with [`crate::forms::page_link_param`], which bounds it.
    #[serde(default)]
    pub page: Option<String>,
}

impl Done {
    pub fn message(&self) -> Option<&'static str> {
        Some(match self.done.as_str() {
            "welcome" => "สร้างบัญชีผู้ดูแลระบบเรียบร้อย ยินดีต้อนรับสู่คลัง",
            "signed_in" => "เข้าสู่ระบบแล้ว",
            "password" => "เปลี่ยนรหัสผ่านเรียบร้อยแล้ว อุปกรณ์อื่นที่เข้าสู่ระบบไว้ถูกออกจากระบบแล้ว",
            "token_revoked" => "ยกเลิกโทเค็นแล้ว โปรแกรมที่ใช้โทเค็นนี้จะเข้าระบบไม่ได้อีก",
            "unit_created" => "เพิ่มหน่วยงานเรียบร้อยแล้ว",
            "unit_renamed" => "บันทึกชื่อหน่วยงานแล้ว",
            "unit_moved" => "ย้ายหน่วยงานเรียบร้อยแล้ว",
            "unit_retired" => "เลิกใช้หน่วยงานแล้ว ข้อมูลทั้งหมดยังอยู่ครบ",
            "unit_restored" => "นำหน่วยงานกลับมาใช้แล้ว",
            "user_created" => "เพิ่มผู้ใช้เรียบร้อยแล้ว",
            "granted" => "ให้บทบาทเรียบร้อยแล้ว",
            "revoked" => "ถอนบทบาทแล้ว",
            "password_reset" => "ตั้งรหัสผ่านใหม่แล้ว ผู้ใช้ถูกออกจากระบบทุกเครื่องและโทเค็น API ถูกยกเลิก",
            "saved" => "บันทึกแล้ว",
            "uploaded" => "อัปโหลดไฟล์สำเร็จ",
            "file_removed" => "นำไฟล์ออกแล้ว",
            "submitted" => "ส่งพิจารณาแล้ว คณะทำงานกลั่นกรองจะพิจารณาและแจ้งผลที่นี่",
            "approved" => "อนุมัติเผยแพร่แล้ว",
            "changes_requested" => "ส่งกลับให้ผู้ส่งแก้ไขแล้ว",
            "rejected" => "บันทึกผลไม่อนุมัติแล้ว",
            "archived" => "เก็บถาวรแล้ว",
            "commented" => "ส่งข้อความแล้ว",
            "restored" => "คืนค่าฉบับเดิมแล้ว (บันทึกเป็นฉบับใหม่)",
            "revision_saved" => {
                "บันทึกฉบับแก้ไขแล้ว ผู้อ่านยังเห็นฉบับเดิมจนกว่าจะอนุมัติ — กด \"ส่งพิจารณา\" เมื่อแก้เสร็จ"
            }
            "revision_withdrawn" => "ถอนฉบับแก้ไขแล้ว ฉบับที่เผยแพร่ยังคงเดิม",
            "corrected" => "เผยแพร่การแก้ไขเล็กน้อยแล้ว และบันทึกเหตุผลไว้",
            "term_added" => "เพิ่มหมวดหมู่แล้ว",
            "term_saved" => "บันทึกหมวดหมู่แล้ว",
            "term_retired" => "เลิกใช้หมวดหมู่แล้ว รายการเดิมยังคงอยู่",
            "words_added" => "เพิ่มคำแล้ว ระบบกำลังสร้างดัชนีค้นหาใหม่",
            "word_removed" => "นำคำออกแล้ว ระบบกำลังสร้างดัชนีค้นหาใหม่",
            "reindexing" => "เริ่มสร้างดัชนีค้นหาใหม่แล้ว",
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
    signed_in: bool,
    unit_count: String,
    user_count: String,
    total: String,
    empty: bool,
    latest: Vec<items::Card>,
    sections: Vec<Section>,
    // issue 15 (usage statistics): อ่านมากที่สุด, นำไปใช้มากที่สุด.
    most_read: Vec<usage::RankRow>,
    most_applied: Vec<usage::RankRow>,
}

struct Me {
    display_name: String,
    /// (role label, unit name)
    roles: Vec<(&'static str, String)>,
}

/// A category with its newest items.
struct Section {
    term_id: i64,
    label: String,
    total: u64,
    cards: Vec<items::Card>,
}

async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let actor = visitor.actor();
    let tree = state.core.unit_tree().await?;
    let vocab = state.core.vocabulary().await?;
    let me = match &visitor.session {
        Some(ctx) => {
            let grants = state.core.my_grants(&ctx.actor).await?;
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
    let user_count = if actor.is_site_admin() {
        state.core.count_users(&actor).await?
    } else {
        0
    };
    let latest = state.core.browse(&actor, &Browse::default(), 1, 6).await?;
    let mut sections = Vec::new();
    if let Some(tx) = vocab.taxonomies.iter().find(|t| t.key == "category") {
        for term in vocab.terms_of(tx.id).filter(|t| !t.retired) {
            let b = Browse {
                term: Some(term.id),
                ..Default::default()
            };
            let page = state.core.browse(&actor, &b, 1, 3).await?;
            if page.total > 0 {
                sections.push(Section {
                    term_id: term.id.0,
                    label: term.label_th.clone(),
                    total: page.total,
                    cards: page.items.iter().map(|s| items::card(&tree, s)).collect(),
                });
            }
        }
    }
    let (most_read, most_applied) = usage::home_lists(&state, &actor, &tree).await;
    let page = HomePage {
        layout: Layout::new("หน้าแรก", "home", visitor.session.as_ref(), visitor.csrf())
            .with_feed("องค์ความรู้ล่าสุด", "/feeds/items.atom")
            .with_feed("นวัตกรรมล่าสุด", "/feeds/innovations.atom")
            .with_feed("กิจกรรมที่กำลังจะมาถึง", "/feeds/events.atom"),
        flash: done.message(),
        me,
        signed_in: visitor.session.is_some(),
        unit_count: number(tree.len() as u64),
        user_count: number(user_count),
        total: number(latest.total),
        empty: latest.total == 0,
        latest: latest.items.iter().map(|s| items::card(&tree, s)).collect(),
        sections,
        most_read,
        most_applied,
    };
    Ok(visitor.finish(render(&page)))
}

pub async fn not_found() -> impl IntoResponse {
    WebError::Domain(DomainError::NotFound)
}
