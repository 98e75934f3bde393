//! `/u/{id}`: a person's public profile; `/account/profile`: what they choose to show on it.

use crate::AppState;
use crate::auth::{Member, Visitor};
use crate::error::WebError;
use crate::forms::{ThaiForm, ThaiPath as Path, ThaiQuery as Query};
use crate::pages::items::{Card, card};
use crate::view::{Layout, render};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use khlang_core::ids::UserId;
use khlang_core::recognition::ProfilePrefs;
use khlang_core::text::format_be_date;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/u/{id}", get(show))
        .route("/account/profile", get(prefs_page).post(save_prefs))
}

const PER_PAGE: u64 = 12;

struct BadgeView {
    key: &'static str,
    name: &'static str,
    reason: &'static str,
    earned: String,
}

#[derive(Template)]
#[template(path = "recognition/profile.html")]
struct ProfilePage {
    layout: Layout,
    id: i64,
    name: String,
    unit: Option<String>,
    badges: Option<Vec<BadgeView>>,
    /// None when the person hides their items.
    cards: Option<Vec<Card>>,
    /// (code, title, issued) of certificates in force.
    certificates: Vec<(String, String, String)>,
    total: u64,
    page: u64,
    pages: u64,
    own: bool,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: String,
}

/// A page number as typed (Thai digits too); anything else is the first page.
fn page_number(s: &str) -> u64 {
    let ascii: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '๐'..='๙' => char::from(b'0' + (c as u32 - '๐' as u32) as u8),
            c => c,
        })
        .collect();
    ascii.parse::<u64>().ok().filter(|p| *p >= 1).unwrap_or(1)
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let actor = visitor.actor();
    let page = page_number(&q.page);
    let p = state
        .core
        .public_profile(&actor, UserId(id), page, PER_PAGE)
        .await?;
    let tree = state.core.unit_tree().await?;
    let (cards, total, page, pages) = match &p.items {
        Some(list) => (
            Some(list.items.iter().map(|s| card(&tree, s)).collect()),
            list.total,
            list.page,
            list.pages().max(1),
        ),
        None => (None, 0, 1, 1),
    };
    let view = ProfilePage {
        layout: Layout::new(
            p.display_name.clone(),
            "profile",
            visitor.session.as_ref(),
            visitor.csrf(),
        ),
        id,
        name: p.display_name,
        unit: p.unit,
        badges: p.badges.map(|bs| {
            bs.into_iter()
                .map(|b| BadgeView {
                    key: b.badge.key(),
                    name: b.badge.name_th(),
                    reason: b.badge.reason_th(),
                    earned: format_be_date(b.earned_at),
                })
                .collect()
        }),
        cards,
        certificates: p
            .certificates
            .iter()
            .map(|c| (c.code.clone(), c.title.clone(), format_be_date(c.issued_at)))
            .collect(),
        total,
        page,
        pages,
        own: actor.user_id() == Some(UserId(id)),
    };
    // Never shared caches: a person hiding a part sees it gone at once.
    Ok(crate::caching::private(render(&view)))
}

#[derive(Template)]
#[template(path = "recognition/prefs.html")]
struct PrefsPage {
    layout: Layout,
    id: i64,
    prefs: ProfilePrefs,
    saved: bool,
}

#[derive(Deserialize, Default)]
struct SavedQuery {
    #[serde(default)]
    done: String,
}

async fn prefs_page(
    State(state): State<AppState>,
    member: Member,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let me = member.user().id;
    let prefs = state.core.profile_prefs(me).await?;
    let view = PrefsPage {
        layout: Layout::new(
            "โปรไฟล์สาธารณะ",
            "account",
            member.0.session.as_ref(),
            member.0.csrf(),
        ),
        id: me.0,
        prefs,
        saved: q.done == "saved",
    };
    Ok(render(&view))
}

/// Checkboxes post `on` when ticked and nothing when not; any other value is refused.
#[derive(Deserialize, Default)]
struct PrefsForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    show_unit: Option<String>,
    #[serde(default)]
    show_badges: Option<String>,
    #[serde(default)]
    show_items: Option<String>,
}

fn ticked(v: &Option<String>) -> Option<bool> {
    match v.as_deref() {
        None => Some(false),
        Some("on") | Some("1") => Some(true),
        Some(_) => None,
    }
}

async fn save_prefs(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<PrefsForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let (Some(show_unit), Some(show_badges), Some(show_items)) = (
        ticked(&form.show_unit),
        ticked(&form.show_badges),
        ticked(&form.show_items),
    ) else {
        return Err(WebError::BadRequest(
            "ค่าที่ส่งมาไม่ถูกต้อง ไม่ได้บันทึกการเปลี่ยนแปลง".into(),
        ));
    };
    state
        .core
        .set_profile_prefs(
            member.actor(),
            ProfilePrefs {
                show_unit,
                show_badges,
                show_items,
            },
        )
        .await?;
    Ok(Redirect::to("/account/profile?done=saved").into_response())
}

#[cfg(test)]
mod tests {
    use super::{page_number, ticked};

    #[test]
    fn page_numbers_take_thai_digits_and_refuse_junk() {
        assert_eq!(page_number("๒"), 2);
        assert_eq!(page_number("3"), 3);
        for junk in ["", "0", "-1", "x", "๒a"] {
            assert_eq!(page_number(junk), 1, "{junk:?}");
        }
    }

    #[test]
    fn checkboxes_are_on_or_absent() {
        assert_eq!(ticked(&None), Some(false));
        assert_eq!(ticked(&Some("on".into())), Some(true));
        assert_eq!(ticked(&Some("<script>".into())), None);
    }
}
