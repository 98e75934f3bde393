//! The card and schema.org description of a published item's page.

use crate::discovery::{PageMeta, SiteBase, excerpt, iso, json_ld};
use khlang_core::item::{ItemStatus, licence_url};
use khlang_core::org::UnitTree;
use khlang_core::service::items::ItemView;
use khlang_core::taxonomy::Vocabulary;

/// None for anything not published: drafts and screening are nobody's link card.
pub(super) fn item_meta(
    site: &SiteBase,
    v: &ItemView,
    tree: &UnitTree,
    vocab: &Vocabulary,
) -> Option<PageMeta> {
    let item = &v.item;
    if item.status != ItemStatus::Published {
        return None;
    }
    let f = &item.fields;
    let url = site.url(&format!("/items/{}", item.id.0));
    let image = v
        .files
        .iter()
        .find(|x| x.current && x.kind == "image")
        .map(|x| site.url(&format!("/files/{}/display", x.id)));
    let description = excerpt(
        if f.summary.is_empty() {
            &f.body
        } else {
            &f.summary
        },
        200,
    );
    let unit = tree
        .get(f.unit_id)
        .map(|u| u.name_th.as_str().to_string())
        .unwrap_or_default();
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": f.title.as_str(),
        "headline": excerpt(f.title.as_str(), 110),
        "description": description,
        "url": url,
        "inLanguage": "th",
        "genre": f.knowledge_type.label_th(),
        "isAccessibleForFree": true,
        "publisher": {"@type": "GovernmentOrganization", "name": unit},
        "dateModified": iso(item.updated_at),
    });
    if let Some(at) = item.published_at {
        ld["datePublished"] = iso(at).into();
    }
    if !f.authors.is_empty() {
        ld["author"] = f
            .authors
            .iter()
            .map(|a| serde_json::json!({"@type": "Person", "name": a}))
            .collect();
    }
    let keywords: Vec<String> = f
        .terms
        .iter()
        .map(|t| vocab.label(*t))
        .chain(f.tags.iter().cloned())
        .collect();
    if !keywords.is_empty() {
        ld["keywords"] = keywords.join(", ").into();
    }
    if let Some(l) = licence_url(&f.licence) {
        ld["license"] = l.into();
    }
    if let Some(img) = &image {
        ld["image"] = img.clone().into();
    }
    Some(PageMeta {
        og_type: "article",
        title: f.title.as_str().to_string(),
        description,
        url,
        image,
        json_ld: Some(json_ld(&ld)),
    })
}
