//! Feeds and discovery: Atom feeds of the newest public knowledge (all, per unit, per
//! category, per search, innovations) and of upcoming events; `sitemap.xml` and `robots.txt`.
//! The lists come from core as an anonymous visitor would see them; here they become XML.

use crate::AppState;
use crate::discovery::{SiteBase, iso};
use crate::error::WebError;
use crate::forms::ThaiQuery as Query;
use crate::view::xml_text as esc;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use khlang_core::DomainError;
use khlang_core::feeds::{Feed, FeedScope, SitemapPart, SitemapUrl};
use khlang_core::ids::{TermId, UnitId};
use serde::Deserialize;
use std::fmt::Write;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feeds/items.atom", get(newest))
        .route("/feeds/innovations.atom", get(innovations))
        .route("/feeds/events.atom", get(events))
        .route("/feeds/search.atom", get(search))
        .route("/feeds/units/{file}", get(unit))
        .route("/feeds/categories/{file}", get(category))
        .route("/sitemap.xml", get(sitemap_index))
        .route("/sitemap/{file}", get(sitemap_file))
        .route("/robots.txt", get(robots))
}

/// Feed addresses of a page's `<link rel="alternate">`: the unit's and category's feeds.
pub fn unit_feed(unit: UnitId) -> String {
    format!("/feeds/units/{}.atom", unit.0)
}

pub fn category_feed(term: TermId) -> String {
    format!("/feeds/categories/{}.atom", term.0)
}

pub fn search_feed(q: &str) -> String {
    format!("/feeds/search.atom?q={}", crate::auth::percent_encode(q))
}

async fn newest(State(state): State<AppState>, site: SiteBase) -> Result<Response, WebError> {
    let feed = state.core.item_feed(&FeedScope::Newest).await?;
    Ok(atom(&site, &feed, "/feeds/items.atom"))
}

async fn innovations(State(state): State<AppState>, site: SiteBase) -> Result<Response, WebError> {
    let feed = state.core.item_feed(&FeedScope::Innovations).await?;
    Ok(atom(&site, &feed, "/feeds/innovations.atom"))
}

async fn events(State(state): State<AppState>, site: SiteBase) -> Result<Response, WebError> {
    let feed = state.core.event_feed().await?;
    Ok(atom(&site, &feed, "/feeds/events.atom"))
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(state): State<AppState>,
    site: SiteBase,
    Query(q): Query<SearchQuery>,
) -> Result<Response, WebError> {
    let feed = state
        .core
        .item_feed(&FeedScope::Search(q.q.clone()))
        .await?;
    Ok(atom(&site, &feed, &search_feed(q.q.trim())))
}

/// `12.atom` → 12; anything else is a page that does not exist.
fn atom_id(file: &str) -> Result<i64, WebError> {
    file.strip_suffix(".atom")
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && n.len() < 19)
        .and_then(|n| n.parse().ok())
        .ok_or(WebError::Domain(DomainError::NotFound))
}

async fn unit(
    State(state): State<AppState>,
    site: SiteBase,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let id = UnitId(atom_id(&file)?);
    let feed = state.core.item_feed(&FeedScope::Unit(id)).await?;
    Ok(atom(&site, &feed, &unit_feed(id)))
}

async fn category(
    State(state): State<AppState>,
    site: SiteBase,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let id = TermId(atom_id(&file)?);
    let feed = state.core.item_feed(&FeedScope::Category(id)).await?;
    Ok(atom(&site, &feed, &category_feed(id)))
}

fn xml_response(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // Readers poll; five minutes of staleness spares the database.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        body,
    )
        .into_response()
}

/// An Atom 1.0 document (RFC 4287): entry ids are the pages' addresses, which never change.
fn atom(site: &SiteBase, feed: &Feed, self_path: &str) -> Response {
    let mut x = String::with_capacity(4096 + feed.entries.len() * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    x.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"th\">\n");
    let _ = writeln!(x, "  <title>{} — คลังความรู้</title>", esc(&feed.title));
    let _ = writeln!(x, "  <id>{}</id>", esc(&site.url(self_path)));
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        esc(&site.url(self_path))
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        esc(&site.url(&feed.page_path))
    );
    let _ = writeln!(x, "  <updated>{}</updated>", iso(feed.updated));
    x.push_str("  <author><name>คลังความรู้</name></author>\n");
    x.push_str("  <generator>khlang</generator>\n");
    for e in &feed.entries {
        let url = site.url(&e.path);
        x.push_str("  <entry>\n");
        let _ = writeln!(x, "    <title>{}</title>", esc(&e.title));
        let _ = writeln!(x, "    <id>{}</id>", esc(&url));
        let _ = writeln!(
            x,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            esc(&url)
        );
        let _ = writeln!(x, "    <published>{}</published>", iso(e.published));
        let _ = writeln!(x, "    <updated>{}</updated>", iso(e.updated));
        for a in &e.authors {
            let _ = writeln!(x, "    <author><name>{}</name></author>", esc(a));
        }
        if !e.unit.is_empty() {
            let _ = writeln!(
                x,
                "    <contributor><name>{}</name></contributor>",
                esc(&e.unit)
            );
        }
        for c in &e.categories {
            let _ = writeln!(x, "    <category term=\"{}\"/>", esc(c));
        }
        if !e.summary.is_empty() {
            let _ = writeln!(x, "    <summary>{}</summary>", esc(&e.summary));
        }
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    xml_response("application/atom+xml; charset=utf-8", x)
}

async fn sitemap_index(
    State(state): State<AppState>,
    site: SiteBase,
) -> Result<Response, WebError> {
    let parts = state.core.sitemap_parts().await?;
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (part, modified) in parts {
        let _ = write!(
            x,
            "  <sitemap><loc>{}</loc>",
            esc(&site.url(&format!("/sitemap/{}.xml", part.name())))
        );
        if let Some(m) = modified {
            let _ = write!(x, "<lastmod>{}</lastmod>", iso(m));
        }
        x.push_str("</sitemap>\n");
    }
    x.push_str("</sitemapindex>\n");
    Ok(xml_response("application/xml; charset=utf-8", x))
}

async fn sitemap_file(
    State(state): State<AppState>,
    site: SiteBase,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let part = file
        .strip_suffix(".xml")
        .and_then(SitemapPart::parse)
        .ok_or(WebError::Domain(DomainError::NotFound))?;
    let urls = state.core.sitemap(part).await?;
    Ok(xml_response(
        "application/xml; charset=utf-8",
        urlset(&site, &urls),
    ))
}

fn urlset(site: &SiteBase, urls: &[SitemapUrl]) -> String {
    let mut x = String::with_capacity(200 + urls.len() * 120);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for u in urls {
        let _ = write!(x, "  <url><loc>{}</loc>", esc(&site.url(&u.path)));
        if let Some(m) = u.modified {
            let _ = write!(x, "<lastmod>{}</lastmod>", iso(m));
        }
        x.push_str("</url>\n");
    }
    x.push_str("</urlset>\n");
    x
}

/// Crawlers may read what the public reads; the rest asks for a sign-in or is somebody's own.
async fn robots(site: SiteBase) -> Response {
    let body = format!(
        "User-agent: *\n\
         Disallow: /admin\n\
         Disallow: /account\n\
         Disallow: /login\n\
         Disallow: /logout\n\
         Disallow: /my/\n\
         Disallow: /review\n\
         Disallow: /notifications\n\
         Disallow: /judging\n\
         Disallow: /files/tus\n\
         Disallow: /e/\n\
         Disallow: /api/\n\
         Disallow: /search\n\
         Allow: /\n\
         \n\
         Sitemap: {}\n",
        site.url("/sitemap.xml")
    );
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            esc("a<b>&\"'\u{1}\u{FFFF}ก\n"),
            "a&lt;b&gt;&amp;&quot;&apos;ก\n"
        );
    }

    #[test]
    fn only_a_number_then_atom_names_a_feed() {
        assert_eq!(atom_id("12.atom").ok(), Some(12));
        for bad in [
            "12",
            ".atom",
            "a.atom",
            "-1.atom",
            "1.2.atom",
            "99999999999999999999.atom",
        ] {
            assert!(atom_id(bad).is_err(), "{bad}");
        }
    }
}
