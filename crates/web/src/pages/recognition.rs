//! Recognition: praise (ชื่นชม) on items and community replies, public profiles with badges
//! ([`profile`]) and per-unit monthly sharing counts ([`sharing`]).

mod profile;
mod sharing;

use crate::AppState;
use crate::auth::Member;
use crate::error::WebError;
use crate::forms::ThaiForm;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use khlang_core::DomainError;
use khlang_core::recognition::PraiseTarget;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/praise", post(praise))
        .merge(profile::routes())
        .merge(sharing::routes())
}

#[derive(Deserialize, Default)]
struct PraiseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    back: String,
}

/// A path on this site to go back to: one leading `/`, no second `/` or `\` after it, no
/// control characters. Anything else (another host, a scheme) is refused, never followed.
fn local_back(back: &str) -> Option<&str> {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && !back.chars().any(|c| c.is_control() || c == '\\')
        && back.len() <= 2000;
    ok.then_some(back)
}

/// `POST /praise`: praises a target or takes the praise back, then goes back to the page.
async fn praise(
    State(state): State<AppState>,
    member: Member,
    ThaiForm(form): ThaiForm<PraiseForm>,
) -> Result<Response, WebError> {
    member.0.check_csrf(&form.csrf)?;
    let back = local_back(form.back.trim())
        .ok_or_else(|| WebError::BadRequest("ที่อยู่สำหรับกลับไปหน้าเดิมไม่ถูกต้อง".into()))?
        .to_string();
    let target = PraiseTarget::parse(&form.target).ok_or(DomainError::NotFound)?;
    state.core.toggle_praise(member.actor(), target).await?;
    Ok(Redirect::to(&back).into_response())
}

#[cfg(test)]
mod tests {
    use super::local_back;

    #[test]
    fn only_local_paths_go_back() {
        assert_eq!(local_back("/items/5#praise"), Some("/items/5#praise"));
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "items/5",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_back(bad), None, "{bad:?}");
        }
    }
}
