//! Who may keep a copy of an answer. A page an anonymous visitor sees without a form is the
//! same for every anonymous visitor, so it is marked public (a reverse proxy or CDN in front
//! of the nodes may serve it for [`SHARED_MAX_AGE`], browsers ask again each time) and gets an
//! `ETag`, answered with 304 when the copy is still right. Everything else — signed-in pages,
//! pages with a form and its CSRF token, the API — is `private, no-store` unless its handler
//! said otherwise (assets, files).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long a shared cache may serve an anonymous page without asking: as late as another
/// node may show a change anyway (see the core's cache).
const SHARED_MAX_AGE: u32 = 10;
const PRIVATE: HeaderValue = HeaderValue::from_static("private, no-store");
/// Pages bigger than this are sent without an ETag rather than held in memory to hash.
const MAX_HASHED: usize = 4 << 20;

/// Marks a page that is the same for every anonymous visitor as cacheable by anyone.
/// `Vary: Cookie` keeps a signed-in visitor from getting the anonymous copy.
pub fn public(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_str(&format!("public, max-age=0, s-maxage={SHARED_MAX_AGE}"))
            .unwrap_or(PRIVATE),
    );
    h.append(header::VARY, HeaderValue::from_static("Cookie"));
    res
}

/// Marks an answer meant for one visitor only (signed in, or holding a form's token).
pub fn private(mut res: Response) -> Response {
    res.headers_mut().insert(header::CACHE_CONTROL, PRIVATE);
    res
}

/// Middleware: `private, no-store` where a handler said nothing; an `ETag` on public pages,
/// and 304 to a matching `If-None-Match`.
pub async fn conditional(req: Request, next: Next) -> Response {
    let fetch = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let mut res = next.run(req).await;
    let Some(cc) = res.headers().get(header::CACHE_CONTROL) else {
        res.headers_mut().insert(header::CACHE_CONTROL, PRIVATE);
        return res;
    };
    let public = cc.as_bytes().starts_with(b"public");
    if !fetch
        || !public
        || res.status() != StatusCode::OK
        || res.headers().contains_key(header::ETAG)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_HASHED).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "page too big to hash for an ETag");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = etag(&bytes);
    parts.headers.insert(header::ETAG, tag.clone());
    if matches(if_none_match.as_ref(), &tag) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A weak tag (the same page compressed or not is the same page): FNV-1a over the bytes,
/// the same on every node running the same version.
fn etag(bytes: &[u8]) -> HeaderValue {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    HeaderValue::from_str(&format!("W/\"{h:016x}-{:x}\"", bytes.len()))
        .unwrap_or(HeaderValue::from_static("W/\"0\""))
}

fn matches(if_none_match: Option<&HeaderValue>, tag: &HeaderValue) -> bool {
    let Some(v) = if_none_match.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ours = tag.to_str().unwrap_or_default().trim_start_matches("W/");
    v.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == ours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_weakly_and_in_lists() {
        let tag = etag(b"<html>");
        let t = tag.to_str().unwrap().to_string();
        assert!(t.starts_with("W/\""));
        assert_eq!(etag(b"<html>"), tag, "the same bytes, the same tag");
        assert_ne!(etag(b"<html> "), tag);
        let strong = HeaderValue::from_str(t.trim_start_matches("W/")).unwrap();
        assert!(matches(Some(&strong), &tag));
        let list = HeaderValue::from_str(&format!("\"x\", {t}")).unwrap();
        assert!(matches(Some(&list), &tag));
        assert!(!matches(Some(&HeaderValue::from_static("\"x\"")), &tag));
        assert!(!matches(None, &tag));
    }
}
