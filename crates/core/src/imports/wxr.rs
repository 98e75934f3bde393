//! Reading a WordPress export (WXR, the RSS file of Tools → Export) into a [`Plan`].
//!
//! Posts and pages become entries; attachments become their files, found in the ZIP of the
//! `uploads` folder the officer sends alongside (never fetched from the old site); menus,
//! revisions and trashed posts are counted and left. Problems that cost nothing but a file
//! or a category are told and the rest goes in; only a file that is not a WordPress export
//! stops everything.

use super::html::{decode_entities, to_markdown, to_text};
use super::model::{Entry, EntryFile, Plan, Problem};
use crate::ids::{TermId, UnitId};
use crate::text::{thai_digits, tidy};
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::{BTreeMap, HashMap};
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// A post or page as WordPress exported it.
#[derive(Debug, Clone, Default)]
pub struct Post {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub guid: String,
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub date_gmt: String,
    pub date: String,
    pub slug: String,
    pub status: String,
    pub parent: i64,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub attachment_url: String,
    pub meta: Vec<(String, String)>,
}

impl Post {
    fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The export: the site and every `<item>`.
#[derive(Debug, Clone, Default)]
pub struct Export {
    pub site: String,
    pub base_url: String,
    /// login → display name.
    pub authors: HashMap<String, String>,
    pub items: Vec<Post>,
}

/// Why a file is not a WordPress export, in Thai, with the line where XML broke.
pub fn parse(xml: &[u8]) -> Result<Export, String> {
    let mut reader = Reader::from_reader(xml);
    let broken = |pos: u64, e: &dyn std::fmt::Display| {
        let upto = (pos as usize).min(xml.len());
        let line = xml[..upto].iter().filter(|b| **b == b'\n').count() + 1;
        format!(
            "ไฟล์ XML เสียหายที่บรรทัด {} ({e}) — ส่งออกจาก WordPress ใหม่อีกครั้ง แล้วอย่าเปิดแก้ไขไฟล์ก่อนนำเข้า",
            thai_digits(&line.to_string())
        )
    };
    let mut export = Export::default();
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut post: Option<Post> = None;
    let mut author: (String, String) = Default::default();
    let mut meta: (String, String) = Default::default();
    let mut category: Option<(String, String)> = None;
    let mut wxr = false;
    let mut rss = false;
    loop {
        let at = reader.buffer_position();
        let event = reader.read_event().map_err(|e| broken(at, &e))?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if stack.is_empty() {
                    rss = name == "rss";
                }
                match name.as_str() {
                    "item" => post = Some(Post::default()),
                    "category" if post.is_some() => {
                        let mut domain = String::new();
                        for a in e.attributes().flatten() {
                            if a.key.as_ref() == b"domain" {
                                domain = String::from_utf8_lossy(&a.value).into_owned();
                            }
                        }
                        category = Some((domain, String::new()));
                    }
                    _ => {}
                }
                stack.push(name);
                text.clear();
            }
            Event::Empty(_) => {}
            Event::Text(t) => {
                text.push_str(&t.decode().map_err(|e| broken(at, &e))?);
            }
            Event::CData(t) => {
                text.push_str(&String::from_utf8_lossy(&t));
            }
            Event::GeneralRef(r) => {
                if r.is_char_ref() {
                    if let Some(c) = r.resolve_char_ref().map_err(|e| broken(at, &e))? {
                        text.push(c);
                    }
                } else {
                    let name = r.decode().map_err(|e| broken(at, &e))?;
                    text.push_str(&decode_entities(&format!("&{name};")));
                }
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                let value = std::mem::take(&mut text);
                let parent = stack.last().map(String::as_str).unwrap_or("");
                if name == "wp:wxr_version" {
                    wxr = true;
                }
                if let Some(p) = post.as_mut() {
                    match name.as_str() {
                        "item" => {
                            if let Some(p) = post.take() {
                                export.items.push(p);
                            }
                        }
                        "title" => p.title = value,
                        "guid" => p.guid = value.trim().to_string(),
                        "dc:creator" => p.creator = value.trim().to_string(),
                        "content:encoded" => p.content = value,
                        "excerpt:encoded" => p.excerpt = value,
                        "wp:post_id" => p.id = value.trim().parse().unwrap_or(0),
                        "wp:post_date" => p.date = value.trim().to_string(),
                        "wp:post_date_gmt" => p.date_gmt = value.trim().to_string(),
                        "wp:post_name" => p.slug = value.trim().to_string(),
                        "wp:status" => p.status = value.trim().to_string(),
                        "wp:post_parent" => p.parent = value.trim().parse().unwrap_or(0),
                        "wp:post_type" => p.kind = value.trim().to_string(),
                        "wp:attachment_url" => p.attachment_url = value.trim().to_string(),
                        "wp:meta_key" => meta.0 = value.trim().to_string(),
                        "wp:meta_value" => meta.1 = value,
                        "wp:postmeta" => p.meta.push(std::mem::take(&mut meta)),
                        "category" => {
                            if let Some((domain, _)) = category.take() {
                                let v = tidy(&value);
                                match domain.as_str() {
                                    "category" if !v.is_empty() => p.categories.push(v),
                                    "post_tag" if !v.is_empty() => p.tags.push(v),
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                } else {
                    match (parent, name.as_str()) {
                        ("channel", "title") => export.site = tidy(&value),
                        ("channel", "wp:base_site_url") => export.base_url = value.trim().into(),
                        ("channel", "link") if export.base_url.is_empty() => {
                            export.base_url = value.trim().into()
                        }
                        (_, "wp:author_login") => author.0 = value.trim().to_string(),
                        (_, "wp:author_display_name") => author.1 = tidy(&value),
                        (_, "wp:author") => {
                            let (login, display) = std::mem::take(&mut author);
                            export.authors.insert(login, display);
                        }
                        _ => {}
                    }
                }
            }
            Event::Eof if !stack.is_empty() => {
                return Err(broken(xml.len() as u64, &"ไฟล์จบก่อนปิดแท็ก อาจอัปโหลดไม่ครบ"));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !rss || !wxr {
        return Err(
            "ไฟล์นี้ไม่ใช่ไฟล์ส่งออกของ WordPress (WXR) — ใน WordPress ไปที่ เครื่องมือ → ส่งออก → เนื้อหาทั้งหมด แล้วนำไฟล์ .xml ที่ได้มาอัปโหลด".into(),
        );
    }
    Ok(export)
}

/// What the plan needs from the repository: the unit the entries go to, the category
/// labels it knows, and the paths inside the uploads ZIP (None: no ZIP came).
pub struct Context<'a> {
    pub unit: UnitId,
    pub terms: &'a [(String, TermId)],
    pub zip_paths: Option<&'a [String]>,
}

fn date_of(p: &Post) -> Option<OffsetDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let parse = |s: &str| PrimitiveDateTime::parse(s, &format).ok();
    if let Some(d) = parse(&p.date_gmt) {
        return Some(d.assume_utc());
    }
    // Drafts have no GMT date; their local date is read as Thai time.
    parse(&p.date).map(|d| d.assume_offset(UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC)))
}

fn kind_label(kind: &str) -> &str {
    match kind {
        "attachment" => "ไฟล์แนบที่ไม่ได้อยู่ในเรื่องใด",
        "nav_menu_item" => "รายการเมนู",
        "revision" => "ฉบับแก้ไขเก่า",
        "wp_block" => "บล็อกที่ใช้ซ้ำ",
        "wp_navigation" => "เมนูนำทาง",
        "wp_global_styles" | "wp_template" | "wp_template_part" | "custom_css" => "การตกแต่งเว็บไซต์",
        _ => "เนื้อหาประเภทอื่น",
    }
}

/// The part of an uploads address after `/uploads/` (`2024/05/a.jpg`), decoded.
fn upload_path(url: &str) -> Option<String> {
    let i = url.find("/uploads/")?;
    let tail = url[i + "/uploads/".len()..].split(['?', '#']).next()?;
    (!tail.is_empty()).then(|| percent_decode(tail))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(Ok(v)) = s.get(i + 1..i + 3).map(|h| u8::from_str_radix(h, 16))
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a-300x200.jpg` → `a.jpg`: WordPress's resized copies lead to their original.
fn original_of(path: &str) -> String {
    let (stem, ext) = match path.rsplit_once('.') {
        Some((s, e)) => (s, format!(".{e}")),
        None => (path, String::new()),
    };
    if let Some((base, size)) = stem.rsplit_once('-')
        && let Some((w, h)) = size.split_once('x')
        && !w.is_empty()
        && !h.is_empty()
        && w.bytes().all(|c| c.is_ascii_digit())
        && h.bytes().all(|c| c.is_ascii_digit())
    {
        return format!("{base}{ext}");
    }
    path.to_string()
}

/// The ZIP entry holding uploads path `rel` (`2024/05/a.jpg`), however deep the officer's
/// folder put it (`uploads/2024/…`, `wp-content/uploads/2024/…`).
fn find_in_zip<'z>(zip: &'z [String], rel: &str) -> Option<&'z String> {
    let suffix = format!("/{rel}");
    zip.iter()
        .find(|p| p.as_str() == rel)
        .or_else(|| zip.iter().find(|p| p.ends_with(&suffix)))
}

/// The dry run of an export: entries for posts and pages, problems, what was left.
pub fn plan(export: &Export, cx: &Context<'_>) -> Plan {
    let mut plan = Plan::default();
    let mut skipped: BTreeMap<String, u32> = BTreeMap::new();
    let attachments: HashMap<i64, &Post> = export
        .items
        .iter()
        .filter(|p| p.kind == "attachment")
        .map(|p| (p.id, p))
        .collect();
    let mut used_attachments: Vec<i64> = Vec::new();
    let mut keys: HashMap<String, i64> = HashMap::new();
    let mut slugs: HashMap<(String, String), i64> = HashMap::new();
    let mut unknown_categories: Vec<String> = Vec::new();
    let mut missing_without_zip = 0u32;
    for p in &export.items {
        if p.kind != "post" && p.kind != "page" {
            if p.kind != "attachment" {
                *skipped.entry(kind_label(&p.kind).to_string()).or_default() += 1;
            }
            continue;
        }
        let noun = if p.kind == "page" {
            "หน้า"
        } else {
            "โพสต์"
        };
        let at = format!("{noun} #{}", thai_digits(&p.id.to_string()));
        let published = match p.status.as_str() {
            "publish" => true,
            "draft" | "pending" | "future" => false,
            "private" => {
                plan.problems.push(Problem::note(
                    &at,
                    "เป็นเรื่องส่วนตัวใน WordPress — นำเข้าเป็นฉบับร่าง ไม่เผยแพร่",
                ));
                false
            }
            _ => {
                *skipped.entry("เรื่องในถังขยะหรือร่างอัตโนมัติ".into()).or_default() += 1;
                continue;
            }
        };
        let key = if p.guid.is_empty() {
            format!("wp:{}?p={}", export.base_url, p.id)
        } else {
            format!("wp:{}", p.guid)
        };
        if let Some(first) = keys.get(&key) {
            plan.problems.push(Problem::note(
                &at,
                format!(
                    "ซ้ำกับ{noun} #{} (รหัส guid เดียวกัน) — นำเข้าเพียงเรื่องแรก",
                    thai_digits(&first.to_string())
                ),
            ));
            continue;
        }
        keys.insert(key.clone(), p.id);
        if !p.slug.is_empty() {
            let slug = percent_decode(&p.slug);
            if let Some(first) = slugs.get(&(p.kind.clone(), slug.clone())) {
                plan.problems.push(Problem::note(
                    &at,
                    format!(
                        "ชื่อลิงก์ (slug) \"{slug}\" ซ้ำกับ{noun} #{} — นำเข้าทั้งสองเรื่องแยกกัน",
                        thai_digits(&first.to_string())
                    ),
                ));
            } else {
                slugs.insert((p.kind.clone(), slug), p.id);
            }
        }
        let text = to_text(&strip_shortcodes(&p.content));
        let mut title = tidy(&decode_entities(&p.title));
        if title.is_empty() {
            title = text.chars().take(80).collect::<String>();
            if title.is_empty() {
                title = format!("{noun}ไม่มีชื่อ #{}", thai_digits(&p.id.to_string()));
            }
            plan.problems.push(Problem::note(
                &at,
                "ไม่มีชื่อเรื่อง — ใช้ข้อความต้นเรื่องเป็นชื่อแทน แก้ไขได้ภายหลัง",
            ));
        }
        let title: String = title.chars().take(300).collect();
        let excerpt = to_text(&p.excerpt);
        let summary: String = if excerpt.is_empty() { text } else { excerpt }
            .chars()
            .take(500)
            .collect();
        let mut terms: Vec<TermId> = Vec::new();
        let mut tags: Vec<String> = Vec::new();
        for c in &p.categories {
            let label = decode_entities(c).to_lowercase();
            if matches!(
                label.as_str(),
                "uncategorized" | "ไม่มีหมวดหมู่" | "ไม่ระบุหมวดหมู่"
            ) {
                continue;
            }
            match cx.terms.iter().find(|(l, _)| *l == label) {
                Some((_, id)) if !terms.contains(id) => terms.push(*id),
                Some(_) => {}
                None => {
                    let c = decode_entities(c);
                    if !unknown_categories.contains(&c) {
                        unknown_categories.push(c.clone());
                    }
                    tags.push(c);
                }
            }
        }
        for t in &p.tags {
            let t = decode_entities(t);
            if !tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
                tags.push(t);
            }
        }
        tags.retain(|t| t.chars().count() <= 50);
        if tags.len() > 20 {
            tags.truncate(20);
            plan.problems
                .push(Problem::note(&at, "คำสำคัญเกิน 20 คำ — เก็บไว้ 20 คำแรก"));
        }
        let author = export
            .authors
            .get(&p.creator)
            .filter(|d| !d.is_empty())
            .cloned()
            .unwrap_or_else(|| p.creator.clone());
        // Files: attachments of the post, its featured image, and uploads its text links to.
        let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
        let mut want =
            |rel: String, url: Option<String>| match wanted.iter_mut().find(|(r, _)| *r == rel) {
                Some((_, urls)) => urls.extend(url),
                None => wanted.push((rel, url.into_iter().collect())),
            };
        let attachment_rel = |a: &Post| {
            a.meta("_wp_attached_file")
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .or_else(|| upload_path(&a.attachment_url))
        };
        let thumb: Option<i64> = p.meta("_thumbnail_id").and_then(|v| v.trim().parse().ok());
        let mut own: Vec<&Post> = attachments
            .values()
            .filter(|a| a.parent == p.id)
            .copied()
            .collect();
        own.sort_by_key(|a| a.id);
        if let Some(t) = thumb.and_then(|t| attachments.get(&t))
            && !own.iter().any(|a| a.id == t.id)
        {
            own.insert(0, t);
        }
        for a in own {
            used_attachments.push(a.id);
            if let Some(rel) = attachment_rel(a) {
                want(
                    rel,
                    (!a.attachment_url.is_empty()).then(|| a.attachment_url.clone()),
                );
            }
        }
        for url in linked_uploads(&p.content) {
            if let Some(rel) = upload_path(&url) {
                want(original_of(&rel), Some(url));
            }
        }
        let mut files = Vec::new();
        for (rel, urls) in wanted {
            let name = rel.rsplit('/').next().unwrap_or(&rel).to_string();
            match cx.zip_paths {
                None => missing_without_zip += 1,
                Some(zip) => match find_in_zip(zip, &rel) {
                    Some(path) => files.push(EntryFile {
                        path: path.clone(),
                        name,
                        urls,
                    }),
                    None => plan.problems.push(Problem::note(
                        &at,
                        format!(
                            "ไม่พบไฟล์แนบ \"{rel}\" ใน ZIP ของโฟลเดอร์ uploads — นำเข้าเรื่องนี้โดยไม่มีไฟล์นี้"
                        ),
                    )),
                },
            }
        }
        plan.entries.push(Entry {
            key,
            at,
            title,
            summary,
            body: to_markdown(&strip_shortcodes(&p.content)),
            knowledge_type: "explicit".into(),
            terms,
            tags,
            authors: if author.is_empty() {
                vec![]
            } else {
                vec![author]
            },
            unit: cx.unit,
            fiscal_year: None,
            date: date_of(p),
            published,
            files,
            existing: None,
        });
    }
    let loose = attachments
        .keys()
        .filter(|id| !used_attachments.contains(id))
        .count() as u32;
    if loose > 0 {
        skipped.insert(kind_label("attachment").into(), loose);
    }
    if missing_without_zip > 0 {
        plan.problems.push(Problem::note(
            "ไฟล์แนบ",
            format!(
                "ไม่ได้ส่งไฟล์ ZIP ของโฟลเดอร์ uploads — นำเข้าเฉพาะข้อความ ไฟล์แนบ {} ไฟล์จะไม่ถูกนำเข้า",
                thai_digits(&missing_without_zip.to_string())
            ),
        ));
    }
    if !unknown_categories.is_empty() {
        plan.problems.push(Problem::note(
            "หมวดหมู่",
            format!(
                "หมวดหมู่ของ WordPress ที่ไม่มีในคลังจะเก็บเป็นคำสำคัญแทน: {}",
                unknown_categories.join(", ")
            ),
        ));
    }
    if plan.entries.is_empty() {
        plan.problems
            .push(Problem::blocking("ไฟล์", "ไม่พบโพสต์หรือหน้าที่นำเข้าได้ในไฟล์นี้"));
    }
    plan.skipped = skipped.into_iter().collect();
    plan
}

/// WordPress's own shortcodes (`[caption …]…[/caption]`, `[gallery ids="…"]`, `[embed]…`)
/// are markup of the old site, not text: the tags go, what they wrap stays (a gallery's
/// pictures come in as the post's attachments).
fn strip_shortcodes(html: &str) -> String {
    static CODES: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = CODES.get_or_init(|| {
        regex::Regex::new(
            r"\[/?(?:caption|wp_caption|gallery|embed|audio|video|playlist)(?:\s[^\]]*)?\]",
        )
        .expect("shortcode pattern")
    });
    re.replace_all(html, "").into_owned()
}

/// Every `src`/`href` in `html` that points into a WordPress uploads folder.
fn linked_uploads(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\"", "src='", "href='"] {
        let quote = attr.chars().last().unwrap_or('"');
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find(quote).unwrap_or(rest.len());
            let url = decode_entities(&rest[..end]);
            if url.contains("/wp-content/uploads/") && !out.contains(&url) {
                out.push(url);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>สสจ. ตัวอย่าง</title>
  <link>http://km.example.go.th</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>http://km.example.go.th</wp:base_site_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[somsri]]></wp:author_login><wp:author_display_name><![CDATA[สมศรี ใจดี]]></wp:author_display_name></wp:author>
  <item>
    <title><![CDATA[เยี่ยมบ้าน &amp; ดูแล]]></title>
    <dc:creator><![CDATA[somsri]]></dc:creator>
    <guid isPermaLink="false">http://km.example.go.th/?p=10</guid>
    <content:encoded><![CDATA[<!-- wp:paragraph --><p>อสม.เยี่ยมบ้านผู้สูงอายุ</p><!-- /wp:paragraph --><img src="http://km.example.go.th/wp-content/uploads/2024/05/a-300x200.jpg" />]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>10</wp:post_id>
    <wp:post_date><![CDATA[2024-05-01 10:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2024-05-01 03:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[visit]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <category domain="category" nicename="elderly"><![CDATA[ผู้สูงอายุ]]></category>
    <category domain="category" nicename="x"><![CDATA[อื่น ๆ]]></category>
    <category domain="post_tag" nicename="t"><![CDATA[เยี่ยมบ้าน]]></category>
    <wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[11]]></wp:meta_value></wp:postmeta>
  </item>
  <item>
    <title><![CDATA[a]]></title>
    <guid isPermaLink="false">http://km.example.go.th/wp-content/uploads/2024/05/a.jpg</guid>
    <wp:post_id>11</wp:post_id>
    <wp:post_parent>10</wp:post_parent>
    <wp:post_type><![CDATA[attachment]]></wp:post_type>
    <wp:status><![CDATA[inherit]]></wp:status>
    <wp:attachment_url><![CDATA[http://km.example.go.th/wp-content/uploads/2024/05/a.jpg]]></wp:attachment_url>
    <wp:postmeta><wp:meta_key><![CDATA[_wp_attached_file]]></wp:meta_key><wp:meta_value><![CDATA[2024/05/a.jpg]]></wp:meta_value></wp:postmeta>
  </item>
  <item>
    <title><![CDATA[ร่าง]]></title>
    <guid isPermaLink="false">http://km.example.go.th/?p=12</guid>
    <content:encoded><![CDATA[ข้อความ]]></content:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_date><![CDATA[2024-06-01 10:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[0000-00-00 00:00:00]]></wp:post_date_gmt>
    <wp:post_name><![CDATA[visit]]></wp:post_name>
    <wp:status><![CDATA[draft]]></wp:status>
    <wp:post_type><![CDATA[post]]></wp:post_type>
  </item>
  <item><title>menu</title><wp:post_id>13</wp:post_id><wp:post_type>nav_menu_item</wp:post_type><wp:status>publish</wp:status></item>
</channel>
</rss>"#;

    #[test]
    fn an_export_becomes_entries_with_files_terms_and_problems() {
        let export = parse(SMALL.as_bytes()).unwrap();
        assert_eq!(export.site, "สสจ. ตัวอย่าง");
        let terms = vec![("ผู้สูงอายุ".to_string(), TermId(5))];
        let zip = vec![
            "uploads/2024/05/a.jpg".to_string(),
            "uploads/2024/05/a-300x200.jpg".to_string(),
        ];
        let plan = plan(
            &export,
            &Context {
                unit: UnitId(2),
                terms: &terms,
                zip_paths: Some(&zip),
            },
        );
        assert_eq!(plan.entries.len(), 2);
        let e = &plan.entries[0];
        assert_eq!(e.title, "เยี่ยมบ้าน & ดูแล");
        assert_eq!(e.key, "wp:http://km.example.go.th/?p=10");
        assert_eq!(e.terms, vec![TermId(5)]);
        assert_eq!(e.tags, vec!["อื่น ๆ".to_string(), "เยี่ยมบ้าน".to_string()]);
        assert_eq!(e.authors, vec!["สมศรี ใจดี".to_string()]);
        assert!(e.published);
        assert_eq!(e.summary, "อสม.เยี่ยมบ้านผู้สูงอายุ");
        assert_eq!(e.date.unwrap().unix_timestamp(), 1714532400);
        assert_eq!(e.files.len(), 1, "{:?}", e.files);
        assert_eq!(e.files[0].path, "uploads/2024/05/a.jpg");
        assert_eq!(e.files[0].urls.len(), 2);
        let d = &plan.entries[1];
        assert!(!d.published);
        assert_eq!(d.date.unwrap().unix_timestamp(), 1717210800);
        assert!(plan.problems.iter().any(|p| p.message.contains("slug")));
        assert!(plan.problems.iter().any(|p| p.message.contains("อื่น ๆ")));
        assert!(!plan.blocked());
        assert_eq!(plan.skipped, vec![("รายการเมนู".to_string(), 1)]);
    }

    #[test]
    fn a_missing_attachment_is_told_and_the_post_still_goes_in() {
        let export = parse(SMALL.as_bytes()).unwrap();
        let plan = plan(
            &export,
            &Context {
                unit: UnitId(2),
                terms: &[],
                zip_paths: Some(&[]),
            },
        );
        assert_eq!(plan.entries.len(), 2);
        assert!(plan.entries[0].files.is_empty());
        assert!(
            plan.problems
                .iter()
                .any(|p| p.message.contains("2024/05/a.jpg") && !p.blocking)
        );
    }

    #[test]
    fn broken_xml_says_where() {
        let cut = &SMALL[..SMALL.find("<wp:post_id>12").unwrap()];
        let e = parse(cut.as_bytes()).unwrap_err();
        assert!(e.contains("เสียหาย"), "{e}");
        let e = parse(
            SMALL
                .replace("</title>\n    <dc:creator>", "</titel>\n    <dc:creator>")
                .as_bytes(),
        )
        .unwrap_err();
        assert!(e.contains("บรรทัด ๑๐"), "{e}");
        let e = parse(b"<rss><channel><title>x</title></channel></rss>").unwrap_err();
        assert!(e.contains("ไม่ใช่ไฟล์ส่งออกของ WordPress"), "{e}");
    }

    #[test]
    fn shortcodes_go_and_their_text_stays() {
        assert_eq!(
            strip_shortcodes(
                "[caption id=\"a\" width=\"300\"]<img src=\"x\"> ภาพ[/caption] [gallery ids=\"1,2\"] [ข้อความ]"
            ),
            "<img src=\"x\"> ภาพ  [ข้อความ]"
        );
    }

    #[test]
    fn resized_copies_lead_to_their_original() {
        assert_eq!(original_of("2024/05/a-300x200.jpg"), "2024/05/a.jpg");
        assert_eq!(original_of("2024/05/a-b.jpg"), "2024/05/a-b.jpg");
        assert_eq!(
            upload_path("http://x/wp-content/uploads/2024/05/%E0%B8%81.pdf?v=1").as_deref(),
            Some("2024/05/ก.pdf")
        );
    }
}
