//! Who is asking: the session cookie for pages, a bearer token (or the session plus an
//! `X-CSRF-Token` header) for the API. Permission itself is decided in core, not here.

use crate::AppState;
use crate::error::{ApiError, WebError};
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::response::{IntoResponse, Redirect, Response};
use khlang_core::account::{Secret, User};
use khlang_core::org::Actor;
use khlang_core::service::accounts::SessionContext;
use subtle::ConstantTimeEq;

pub const SESSION_COOKIE: &str = "khlang_session";
pub const CSRF_COOKIE: &str = "khlang_csrf";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Secure when served over https.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn tokens_equal(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The visitor of a page: signed in or not. Anonymous visitors get a CSRF cookie only from
/// pages with a form (sign-in, setup: double-submit), so that every other anonymous page is
/// the same for everyone and may be cached; signed-in ones use their session's token.
pub struct Visitor {
    pub session: Option<SessionContext>,
    pub session_secret: Option<Secret>,
    csrf: String,
    /// A CSRF cookie to set on the response (first visit).
    pub new_csrf_cookie: Option<HeaderValue>,
}

impl Visitor {
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    pub fn actor(&self) -> Actor {
        self.session
            .as_ref()
            .map(|s| s.actor.clone())
            .unwrap_or(Actor::Anonymous)
    }

    pub fn check_csrf(&self, presented: &str) -> Result<(), WebError> {
        if tokens_equal(&self.csrf, presented) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// Finishes a page without a form that posts: for an anonymous visitor it sets no cookie
    /// and may be cached by anyone; for a signed-in one it is private.
    pub fn finish(&self, res: Response) -> Response {
        if self.session.is_some() {
            crate::caching::private(res)
        } else {
            crate::caching::public(res)
        }
    }

    /// Finishes a page with a form that posts (and so this visitor's CSRF token): sets the
    /// CSRF cookie if the visitor did not have one yet; never cached.
    pub fn finish_form(&self, mut res: Response) -> Response {
        if let Some(c) = &self.new_csrf_cookie {
            res.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        crate::caching::private(res)
    }
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secret = cookie(&parts.headers, SESSION_COOKIE).map(Secret::from_presented);
        let session = match &secret {
            Some(s) => state.core.resolve_session(s).await?,
            None => None,
        };
        if let Some(ctx) = &session {
            return Ok(Visitor {
                csrf: ctx.csrf.clone(),
                session,
                session_secret: secret,
                new_csrf_cookie: None,
            });
        }
        match cookie(&parts.headers, CSRF_COOKIE).filter(|c| c.len() >= 32) {
            Some(c) => Ok(Visitor {
                csrf: c.to_string(),
                session: None,
                session_secret: None,
                new_csrf_cookie: None,
            }),
            None => {
                let fresh = Secret::generate("").expose().to_string();
                let cookie = set_cookie(
                    CSRF_COOKIE,
                    &fresh,
                    60 * 60 * 24,
                    state.config.secure_cookies,
                );
                Ok(Visitor {
                    csrf: fresh,
                    session: None,
                    session_secret: None,
                    new_csrf_cookie: Some(cookie),
                })
            }
        }
    }
}

/// A signed-in visitor; anyone else is sent to the sign-in page and brought back after.
pub struct Member(pub Visitor);

impl Member {
    pub fn ctx(&self) -> &SessionContext {
        // Constructed only with a session (see from_request_parts).
        self.0
            .session
            .as_ref()
            .unwrap_or_else(|| unreachable!("Member always has a session"))
    }
    pub fn actor(&self) -> &Actor {
        &self.ctx().actor
    }
    pub fn user(&self) -> &User {
        &self.ctx().user
    }
}

pub struct ToLogin(String);

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to(&format!("/login?next={}", percent_encode(&self.0))).into_response()
    }
}

impl FromRequestParts<AppState> for Member {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let v = Visitor::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if v.session.is_none() {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            return Err(ToLogin(next.to_string()).into_response());
        }
        Ok(Member(v))
    }
}

impl OptionalFromRequestParts<AppState> for Member {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        let v = <Visitor as FromRequestParts<AppState>>::from_request_parts(parts, state).await?;
        Ok(if v.session.is_some() {
            Some(Member(v))
        } else {
            None
        })
    }
}

/// An API caller: a bearer token, or a browser session that echoes its CSRF token in
/// `X-CSRF-Token` on anything but GET/HEAD.
pub struct ApiCaller {
    pub user: User,
    pub actor: Actor,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        use khlang_core::DomainError;
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let value = auth.to_str().map_err(|_| DomainError::Unauthenticated)?;
            let token = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or(DomainError::Unauthenticated)?;
            let (user, actor) = state
                .core
                .resolve_token(&Secret::from_presented(token.trim()))
                .await?;
            return Ok(ApiCaller { user, actor });
        }
        let secret = cookie(&parts.headers, SESSION_COOKIE)
            .map(Secret::from_presented)
            .ok_or(DomainError::Unauthenticated)?;
        let ctx = state
            .core
            .resolve_session(&secret)
            .await?
            .ok_or(DomainError::Unauthenticated)?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let presented = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !tokens_equal(&ctx.csrf, presented) {
                return Err(ApiError(WebError::Csrf));
            }
        }
        Ok(ApiCaller {
            user: ctx.user,
            actor: ctx.actor,
        })
    }
}

/// Minimal percent-encoding for a path in a query parameter.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Where to go after sign-in: only a path on this site (no open redirects). `next` is
/// resolved the way a browser would resolve it against the public base URL and kept only
/// when it starts with a single `/`, carries no control characters or backslashes (which
/// browsers drop or read as `/`: `/\t/evil.example` is `//evil.example`), stays on the
/// same origin, and has no user name or password. The answer is the parsed URL's own
/// path and query, percent-encoded, so it is always a valid `Location` header.
pub fn safe_next(base: &str, next: Option<&str>) -> String {
    let home = || "/".to_string();
    let Some(next) = next else { return home() };
    let plain = next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    let (Ok(base), true) = (url::Url::parse(base), plain) else {
        return home();
    };
    let Ok(to) = base.join(next) else {
        return home();
    };
    if to.origin() != base.origin() || !to.username().is_empty() || to.password().is_some() {
        return home();
    }
    let path_and_query = match to.query() {
        Some(q) => format!("{}?{q}", to.path()),
        None => to.path().to_string(),
    };
    // A path that itself begins with `//` would again read as another host.
    if path_and_query.starts_with("//") || HeaderValue::from_str(&path_and_query).is_err() {
        return home();
    }
    path_and_query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_local_only() {
        for base in ["http://127.0.0.1:9000", "https://km.example.go.th"] {
            let next = |n: &str| safe_next(base, Some(n));
            assert_eq!(next("/admin/units"), "/admin/units");
            assert_eq!(
                next("/items?q=%E0%B8%81&page=2"),
                "/items?q=%E0%B8%81&page=2"
            );
            assert_eq!(
                next("/ค้นหา?q=อสม."),
                "/%E0%B8%84%E0%B9%89%E0%B8%99%E0%B8%AB%E0%B8%B2?q=%E0%B8%AD%E0%B8%AA%E0%B8%A1."
            );
            // Encoded slashes and backslashes stay inside the path, as text.
            assert_eq!(next("/%2f%2fevil.example"), "/%2f%2fevil.example");
            assert_eq!(next("/%5cevil.example"), "/%5cevil.example");
            assert_eq!(next("/%09/evil.example"), "/%09/evil.example");
            for evil in [
                "//evil.example",
                "///evil.example",
                "/\\evil.example",
                "\\evil.example",
                "/\t/evil.example",
                "\t/evil.example",
                "/\n/evil.example",
                "/\r\n/evil.example",
                "/\u{b}x",
                "/\0x",
                "/x\r\nSet-Cookie: a=b",
                "https://evil.example",
                "https:evil.example",
                "https:/evil.example",
                "http://127.0.0.1:9000@evil.example/",
                "javascript:alert(1)",
                "evil.example",
                "",
                " /x",
            ] {
                assert_eq!(next(evil), "/", "{evil:?} on {base}");
            }
        }
        assert_eq!(safe_next("http://127.0.0.1:9000", None), "/");
    }

    #[test]
    fn cookies_are_found() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; khlang_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "none"), None);
        assert!(!tokens_equal("", ""));
        assert!(tokens_equal("abc", "abc"));
    }
}
