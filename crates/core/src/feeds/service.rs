//! Feeds and sitemaps on [`Khlang`]: each list is what an anonymous visitor may read, through
//! the same services the pages use (browse, search, the innovation catalogue, events).

use super::model::{
    FEED_LENGTH, Feed, FeedEntry, FeedScope, SITEMAP_PAGE, SitemapPart, SitemapUrl,
};
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::ItemId;
use crate::innovations::Catalogue;
use crate::item::ItemStatus;
use crate::org::Actor;
use crate::ports::{ItemFilter, ItemOrder, Readable};
use crate::search::Filters;
use crate::service::Khlang;
use crate::service::search::SearchRequest;
use time::OffsetDateTime;

/// How many of a search's best matches a search feed looks at before taking the newest.
const SEARCH_POOL: u64 = 100;

/// Published, public knowledge: the only items that go out without a sign-in.
fn public_items() -> ItemFilter {
    ItemFilter {
        statuses: vec![ItemStatus::Published],
        visibility: Some(Readable::default()),
        order: ItemOrder::NewestPublished,
        ..Default::default()
    }
}

impl Khlang {
    /// A feed of published public knowledge, newest first. An unknown unit or category is
    /// [`DomainError::NotFound`]; an empty search is refused with a Thai message.
    pub async fn item_feed(&self, scope: &FeedScope) -> DomainResult<Feed> {
        let tree = self.unit_tree().await?;
        let vocab = self.vocabulary().await?;
        let (title, page_path, ids) = match scope {
            FeedScope::Newest => (
                "องค์ความรู้ล่าสุด".to_string(),
                "/items".to_string(),
                self.public_item_ids(public_items()).await?,
            ),
            FeedScope::Unit(u) => {
                let unit = tree.get(*u).ok_or(DomainError::NotFound)?;
                let units = tree
                    .units()
                    .iter()
                    .filter(|x| tree.is_within(x.id, *u))
                    .map(|x| x.id)
                    .collect();
                let filter = ItemFilter {
                    units: Some(units),
                    ..public_items()
                };
                (
                    format!("องค์ความรู้ของ{}", unit.name_th.as_str()),
                    format!("/items?unit={}", u.0),
                    self.public_item_ids(filter).await?,
                )
            }
            FeedScope::Category(t) => {
                let term = vocab.term(*t).ok_or(DomainError::NotFound)?;
                let filter = ItemFilter {
                    term: Some(*t),
                    ..public_items()
                };
                (
                    format!("องค์ความรู้หมวด{}", term.label_th),
                    format!("/items?category={}", t.0),
                    self.public_item_ids(filter).await?,
                )
            }
            FeedScope::Search(q) => {
                let q = q.trim();
                if q.is_empty() {
                    return Err(DomainError::Invalid(vec![FieldError::new(
                        "q",
                        "กรุณาใส่คำค้นของฟีด เช่น /feeds/search.atom?q=ผู้สูงอายุ",
                    )]));
                }
                let found = self
                    .search(
                        &Actor::Anonymous,
                        &SearchRequest {
                            q: q.to_string(),
                            page: 1,
                            per_page: SEARCH_POOL,
                            filters: Filters::default(),
                        },
                    )
                    .await?;
                let mut hits = found.hits;
                hits.sort_by(|a, b| {
                    b.published_at
                        .cmp(&a.published_at)
                        .then(b.id.0.cmp(&a.id.0))
                });
                (
                    format!("ผลการค้นหา “{q}”"),
                    format!("/search?q={}", super::model::query_escape(q)),
                    hits.into_iter()
                        .take(FEED_LENGTH as usize)
                        .map(|h| h.id)
                        .collect(),
                )
            }
            FeedScope::Innovations => {
                return self.innovation_feed().await;
            }
        };
        let mut entries = Vec::with_capacity(ids.len());
        for id in ids {
            let item = self.knowledge.get_item(id).await?;
            let f = &item.fields;
            let published = item.published_at.unwrap_or(item.updated_at);
            entries.push(FeedEntry {
                path: format!("/items/{}", id.0),
                title: f.title.as_str().to_string(),
                summary: f.summary.clone(),
                authors: f.authors.clone(),
                unit: tree
                    .get(f.unit_id)
                    .map(|u| u.name_th.as_str().to_string())
                    .unwrap_or_default(),
                categories: {
                    // Terms of two taxonomies may share a label: one category each.
                    let mut labels: Vec<String> = Vec::new();
                    for t in &f.terms {
                        let l = vocab.label(*t);
                        if !labels.contains(&l) {
                            labels.push(l);
                        }
                    }
                    labels
                },
                published,
                updated: item.updated_at.max(published),
            });
        }
        Ok(Feed::new(title, page_path, entries))
    }

    /// The newest page of a public list, as ids.
    async fn public_item_ids(&self, filter: ItemFilter) -> DomainResult<Vec<ItemId>> {
        let page = self.knowledge.list_items(&filter, 1, FEED_LENGTH).await?;
        Ok(page.items.into_iter().map(|s| s.id).collect())
    }

    async fn innovation_feed(&self) -> DomainResult<Feed> {
        let tree = self.unit_tree().await?;
        let vocab = self.vocabulary().await?;
        let rows = self
            .innovation_catalogue(&Actor::Anonymous, &Catalogue::default(), 1, FEED_LENGTH)
            .await?;
        let entries = rows
            .items
            .into_iter()
            .map(|r| {
                let published = r.published_at.unwrap_or(r.updated_at);
                FeedEntry {
                    path: format!("/innovations/{}", r.item_id.0),
                    title: r.title,
                    summary: r.summary,
                    // Innovators are people of the register: their names stay on the page,
                    // where their own consent decides what shows.
                    authors: vec![],
                    unit: tree
                        .get(r.unit_id)
                        .map(|u| u.name_th.as_str().to_string())
                        .unwrap_or_default(),
                    categories: r.branch.map(|b| vocab.label(b)).into_iter().collect(),
                    published,
                    updated: r.updated_at.max(published),
                }
            })
            .collect();
        Ok(Feed::new(
            "นวัตกรรมล่าสุด".into(),
            "/innovations".into(),
            entries,
        ))
    }

    /// Public events that have not ended, soonest first; cancelled ones are left out.
    pub async fn event_feed(&self) -> DomainResult<Feed> {
        let tree = self.unit_tree().await?;
        let now = self.clock.now();
        let page = self.list_events(&Actor::Anonymous, None, None, 1).await?;
        let entries = page
            .items
            .into_iter()
            .filter(|e| e.cancelled_at.is_none() && e.fields.ends_at >= now)
            .take(FEED_LENGTH as usize)
            .map(|e| {
                let when = crate::text::format_be_datetime(e.fields.starts_at);
                let place = match (&e.fields.place, &e.fields.online_url) {
                    (p, _) if !p.is_empty() => p.clone(),
                    (_, Some(_)) => "ออนไลน์".to_string(),
                    _ => String::new(),
                };
                let mut summary = format!("{} · {when}", e.fields.kind.label_th());
                if !place.is_empty() {
                    summary.push_str(&format!(" · {place}"));
                }
                if !e.fields.description.is_empty() {
                    summary.push_str("\n\n");
                    summary.push_str(&e.fields.description);
                }
                FeedEntry {
                    path: format!("/events/{}", e.id.0),
                    title: e.fields.title,
                    summary,
                    authors: vec![],
                    unit: tree
                        .get(e.fields.unit_id)
                        .map(|u| u.name_th.as_str().to_string())
                        .unwrap_or_default(),
                    categories: vec![e.fields.kind.label_th().to_string()],
                    published: e.created_at,
                    updated: e.created_at,
                }
            })
            .collect();
        Ok(Feed::new(
            "กิจกรรมที่กำลังจะมาถึง".into(),
            "/events".into(),
            entries,
        ))
    }

    /// The files of the sitemap index, each with when it last changed (when known).
    pub async fn sitemap_parts(&self) -> DomainResult<Vec<(SitemapPart, Option<OffsetDateTime>)>> {
        let first = self.knowledge.list_items(&public_items(), 1, 1).await?;
        let newest = first.items.first().and_then(|s| s.published_at);
        let mut parts = vec![(SitemapPart::Pages, newest)];
        let files = first.total.div_ceil(SITEMAP_PAGE);
        parts.extend((1..=files).map(|n| (SitemapPart::Items(n), None)));
        Ok(parts)
    }

    /// The addresses of one sitemap file; a file past the last is [`DomainError::NotFound`].
    pub async fn sitemap(&self, part: SitemapPart) -> DomainResult<Vec<SitemapUrl>> {
        match part {
            SitemapPart::Pages => {
                let mut urls: Vec<SitemapUrl> =
                    ["/", "/items", "/innovations", "/events", "/learn"]
                        .into_iter()
                        .map(|p| SitemapUrl {
                            path: p.into(),
                            modified: None,
                        })
                        .collect();
                let mut page = 1;
                loop {
                    let rows = self
                        .innovation_catalogue(&Actor::Anonymous, &Catalogue::default(), page, 1000)
                        .await?;
                    urls.extend(rows.items.iter().map(|r| SitemapUrl {
                        path: format!("/innovations/{}", r.item_id.0),
                        modified: Some(r.updated_at),
                    }));
                    if page >= rows.pages() {
                        break;
                    }
                    page += 1;
                }
                let events = self.event_feed().await?;
                urls.extend(events.entries.into_iter().map(|e| SitemapUrl {
                    path: e.path,
                    modified: Some(e.updated),
                }));
                Ok(urls)
            }
            SitemapPart::Items(n) => {
                let page = self
                    .knowledge
                    .list_items(&public_items(), n, SITEMAP_PAGE)
                    .await?;
                if page.items.is_empty() {
                    return Err(DomainError::NotFound);
                }
                Ok(page
                    .items
                    .into_iter()
                    .map(|s| SitemapUrl {
                        path: format!("/items/{}", s.id.0),
                        modified: Some(s.updated_at),
                    })
                    .collect())
            }
        }
    }
}
