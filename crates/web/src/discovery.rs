//! What other sites see of a page: Open Graph tags and schema.org JSON-LD, so that a link
//! pasted into LINE or Facebook shows a card and search engines know what a page is about;
//! and the site's absolute address, which those need.

use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use std::convert::Infallible;

/// `https://km.example.go.th` without a trailing slash: the configured public address, or,
/// when none is set (a first run on a laptop), the address the request came to.
#[derive(Debug, Clone)]
pub struct SiteBase(pub String);

impl SiteBase {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

impl FromRequestParts<AppState> for SiteBase {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self(site_base(
            &state.config.public_base_url,
            parts
                .headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok()),
            parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|h| h.to_str().ok()),
        )))
    }
}

/// A Host header is used only when it looks like a host (letters, digits, `.-:[]`): anything
/// else would be written into links others follow.
fn site_base(configured: &str, host: Option<&str>, proto: Option<&str>) -> String {
    let configured = configured.trim_end_matches('/');
    if !configured.is_empty() {
        return configured.to_string();
    }
    let host = host
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if proto == Some("https") {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// Open Graph and JSON-LD of one page, shown in its `<head>` by `base.html`.
#[derive(Debug, Clone, Default)]
pub struct PageMeta {
    /// `article`, `website` …
    pub og_type: &'static str,
    pub title: String,
    pub description: String,
    /// Absolute; also the canonical address.
    pub url: String,
    /// Absolute address of a picture for the card.
    pub image: Option<String>,
    /// A schema.org object, already safe inside `<script>` (see [`json_ld`]).
    pub json_ld: Option<String>,
}

/// A JSON value written so that it cannot end the `<script>` element it sits in: `<`, `>` and
/// `&` become `\u003c` … (still the same JSON to a parser).
pub fn json_ld(value: &serde_json::Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The first `graphemes` letters of a text on one line, with … when cut: card descriptions.
/// Counted in graphemes so a cut never strands a Thai vowel or tone mark.
pub fn excerpt(text: &str, graphemes: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let s = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match s.grapheme_indices(true).nth(graphemes) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

/// RFC 3339 in UTC (`2026-12-04T10:00:00Z`), as schema.org, Atom and sitemaps want.
pub fn iso(t: time::OffsetDateTime) -> String {
    use time::format_description::well_known::Rfc3339;
    t.to_offset(time::UtcOffset::UTC)
        .replace_nanosecond(0)
        .unwrap_or(t)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// A feed offered by a page (`<link rel="alternate">`), so feed readers find it.
#[derive(Debug, Clone)]
pub struct FeedLink {
    pub title: String,
    pub href: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_cannot_close_its_script_and_still_parses_the_same() {
        let v = serde_json::json!({"name": "</script><script>alert(1)</script> & ก"});
        let s = json_ld(&v);
        assert!(!s.contains('<') && !s.contains('>'));
        assert_eq!(serde_json::from_str::<serde_json::Value>(&s).unwrap(), v);
    }

    #[test]
    fn the_configured_address_wins_and_a_strange_host_is_not_trusted() {
        assert_eq!(
            site_base("https://km.go.th/", Some("evil.example"), None),
            "https://km.go.th"
        );
        assert_eq!(
            site_base("", Some("127.0.0.1:8080"), None),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            site_base("", Some("km.local"), Some("https")),
            "https://km.local"
        );
        assert_eq!(
            site_base("", Some("a\"><script>"), None),
            "http://localhost"
        );
        assert_eq!(site_base("", None, None), "http://localhost");
    }

    #[test]
    fn excerpts_keep_whole_text_when_short_and_mark_a_cut() {
        assert_eq!(excerpt("ก  ข\nค", 10), "ก ข ค");
        assert_eq!(excerpt("กขคงจ", 3), "กขค…");
        assert_eq!(excerpt("ที่นี่ดี", 2), "ที่นี่…");
    }
}
