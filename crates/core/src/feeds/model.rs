//! Feed and sitemap values: plain data with paths relative to the site, so the web layer
//! decides the absolute address (a configured public URL, or the request's host).

use crate::ids::{TermId, UnitId};
use time::OffsetDateTime;

/// Entries in one feed: enough for a reader that polls every hour, light on a 3G phone.
pub const FEED_LENGTH: u64 = 20;

/// Addresses in one sitemap file (the protocol allows 50,000; smaller files are cheaper to
/// build and to fetch again).
pub const SITEMAP_PAGE: u64 = 10_000;

/// Which knowledge a feed follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedScope {
    /// The newest published knowledge of the whole site.
    Newest,
    /// A unit and everything under it.
    Unit(UnitId),
    /// One category term.
    Category(TermId),
    /// A saved search: the newest of its best matches.
    Search(String),
    /// Published innovations (นวัตกรรม).
    Innovations,
}

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedEntry {
    /// Where the entry's page is, from the site root (`/items/12`); also its identity.
    pub path: String,
    pub title: String,
    pub summary: String,
    pub authors: Vec<String>,
    /// The owning or organising unit's name (the publisher).
    pub unit: String,
    pub categories: Vec<String>,
    pub published: OffsetDateTime,
    pub updated: OffsetDateTime,
}

/// A whole feed, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub title: String,
    /// The HTML page the feed follows (`/items?unit=3`).
    pub page_path: String,
    /// When anything in it last changed; the Unix epoch for an empty feed.
    pub updated: OffsetDateTime,
    pub entries: Vec<FeedEntry>,
}

impl Feed {
    pub(crate) fn new(title: String, page_path: String, entries: Vec<FeedEntry>) -> Self {
        let updated = entries
            .iter()
            .map(|e| e.updated)
            .max()
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        Self {
            title,
            page_path,
            updated,
            entries,
        }
    }
}

/// One address in a sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SitemapUrl {
    pub path: String,
    pub modified: Option<OffsetDateTime>,
}

/// The files a sitemap index lists: the fixed pages with events and innovations, then the
/// knowledge items in pages of [`SITEMAP_PAGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SitemapPart {
    Pages,
    Items(u64),
}

impl SitemapPart {
    /// `pages` or `items-3`, as in `/sitemap/items-3.xml`.
    pub fn name(self) -> String {
        match self {
            Self::Pages => "pages".into(),
            Self::Items(n) => format!("items-{n}"),
        }
    }

    /// The reverse of [`Self::name`]; None for anything else (answered with 404).
    pub fn parse(s: &str) -> Option<Self> {
        if s == "pages" {
            return Some(Self::Pages);
        }
        let n: u64 = s.strip_prefix("items-")?.parse().ok()?;
        (n >= 1 && s == format!("items-{n}")).then_some(Self::Items(n))
    }
}

/// Percent-encodes a query value (every byte but the unreserved ones of RFC 3986).
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_escaped_byte_by_byte() {
        assert_eq!(query_escape("a b&c=ก"), "a%20b%26c%3D%E0%B8%81");
    }

    #[test]
    fn sitemap_part_names_read_back_and_nothing_else_does() {
        for p in [
            SitemapPart::Pages,
            SitemapPart::Items(1),
            SitemapPart::Items(42),
        ] {
            assert_eq!(SitemapPart::parse(&p.name()), Some(p));
        }
        for bad in [
            "items-0", "items-01", "items-", "items-x", "item-1", "", "pages2",
        ] {
            assert_eq!(SitemapPart::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_empty_feed_is_dated_at_the_epoch_and_a_full_one_at_its_newest_entry() {
        assert_eq!(
            Feed::new("t".into(), "/".into(), vec![]).updated,
            OffsetDateTime::UNIX_EPOCH
        );
        let at = |s| OffsetDateTime::from_unix_timestamp(s).unwrap();
        let entry = |s| FeedEntry {
            path: "/items/1".into(),
            title: "ก".into(),
            summary: String::new(),
            authors: vec![],
            unit: String::new(),
            categories: vec![],
            published: at(s),
            updated: at(s),
        };
        let f = Feed::new("t".into(), "/".into(), vec![entry(5), entry(9), entry(7)]);
        assert_eq!(f.updated, at(9));
    }
}
