//! Counting views and downloads from the web side: who the client is (address, user agent,
//! session — handed to the core, which keeps only a keyed hash for 30 seconds), and counting
//! that never breaks or holds up the page it counts.

use crate::AppState;
use crate::auth::{SESSION_COOKIE, cookie};
use crate::view::number;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use khlang_core::ids::ItemId;
use khlang_core::usage::{Client, Hit, counts_as_download};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Counting gets this long; past it the page goes out uncounted (and a warning is logged).
const BUDGET: Duration = Duration::from_millis(500);

/// The client of a request, for counting only.
pub(crate) struct UsageClient(pub Client);

impl<S: Send + Sync> FromRequestParts<S> for UsageClient {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        // HEAD asks about a page without reading it (link checkers do): no user agent, so
        // it counts as a robot's request.
        let user_agent = if parts.method == Method::HEAD {
            None
        } else {
            parts
                .headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Ok(UsageClient(Client {
            address: client_address(peer, &parts.headers),
            user_agent,
            session: cookie(&parts.headers, SESSION_COOKIE).map(str::to_string),
        }))
    }
}

/// The client's address: the peer's, except behind a reverse proxy (a peer on this machine or
/// on a private network, as nginx in front of khlang is), where it is the last address the
/// proxy appended to `X-Forwarded-For`. From a public peer the header is ignored: anyone can
/// send one. (A forged header on the private network can only make one client look like many
/// — what changing the user agent does too — so it is trusted there.)
fn client_address(peer: Option<IpAddr>, headers: &HeaderMap) -> String {
    match peer {
        Some(ip) if behind_proxy(ip) => headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty())
            .map_or_else(|| ip.to_string(), str::to_string),
        Some(ip) => ip.to_string(),
        None => String::new(),
    }
}

/// A peer that is a reverse proxy of ours: loopback, or a private address (RFC 1918, IPv6
/// unique local).
fn behind_proxy(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local(),
    }
}

/// Counts `hit` for `client`: a failure or a slow database is logged, never shown.
pub(crate) async fn count(state: &AppState, client: &Client, hit: Hit) {
    match tokio::time::timeout(BUDGET, state.core.record_use(client, hit)).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, hit = hit.key(), "could not count a use"),
        Err(_) => tracing::warn!(hit = hit.key(), "counting a use took too long; not counted"),
    }
}

/// An item page's view: counts it, then says the item's counts ("เปิดอ่าน 1,234 ครั้ง ·
/// ดาวน์โหลด 56 ครั้ง"); None (and a warning logged) when they cannot be read.
pub(crate) async fn item_line(state: &AppState, client: &Client, item: ItemId) -> Option<String> {
    count(state, client, Hit::View(item)).await;
    match tokio::time::timeout(BUDGET, state.core.item_use(item)).await {
        Ok(Ok(c)) => Some(format!(
            "เปิดอ่าน {} ครั้ง · ดาวน์โหลด {} ครั้ง",
            number(c.views),
            number(c.downloads)
        )),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, item = item.0, "could not read an item's usage counts");
            None
        }
        Err(_) => {
            tracing::warn!(
                item = item.0,
                "reading an item's usage counts took too long"
            );
            None
        }
    }
}

/// A download answer that counts: the whole file (200), or a range from its first byte (206
/// with `Content-Range: bytes 0-…`). Later chunks of a video, 304 and errors do not.
pub(crate) fn counted_download(res: &Response) -> bool {
    match res.status() {
        StatusCode::OK => counts_as_download(None),
        StatusCode::PARTIAL_CONTENT => res
            .headers()
            .get(header::CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("bytes "))
            .and_then(|v| v.split('-').next())
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|start| counts_as_download(Some(start))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use axum::response::IntoResponse;

    #[test]
    fn forwarded_addresses_are_trusted_from_a_proxy_of_ours_only() {
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("10.0.0.1, 203.0.113.9"),
        );
        let local: IpAddr = "127.0.0.1".parse().unwrap();
        let far: IpAddr = "198.51.100.4".parse().unwrap();
        let lan: IpAddr = "10.0.0.5".parse().unwrap();
        assert_eq!(client_address(Some(local), &h), "203.0.113.9");
        assert_eq!(client_address(Some(lan), &h), "203.0.113.9");
        assert_eq!(client_address(Some(far), &h), "198.51.100.4");
        assert_eq!(client_address(Some(local), &HeaderMap::new()), "127.0.0.1");
        assert_eq!(client_address(None, &h), "");
    }

    #[test]
    fn only_answers_from_the_first_byte_count_as_downloads() {
        let with_range = |r: &'static str| {
            let mut res = StatusCode::PARTIAL_CONTENT.into_response();
            res.headers_mut()
                .insert(header::CONTENT_RANGE, HeaderValue::from_static(r));
            res
        };
        assert!(counted_download(&StatusCode::OK.into_response()));
        assert!(counted_download(&with_range("bytes 0-1023/5000")));
        assert!(!counted_download(&with_range("bytes 1024-2047/5000")));
        assert!(!counted_download(&StatusCode::NOT_MODIFIED.into_response()));
        assert!(!counted_download(&StatusCode::NOT_FOUND.into_response()));
    }
}
