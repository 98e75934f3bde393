//! A knowledge book as a printed [`Document`]: cover, foreword, table of contents, then each
//! item on its own pages — title, authors, unit, summary, body, pictures and a QR code to
//! its page. No I/O: the service gathers the items and their picture bytes.

use super::markdown::body_blocks;
use super::model::BookSpec;
use crate::ids::ItemId;
use crate::print::{Block, Cover, Digits, DocFile, Document};
use crate::text::{format_be_date_long, thai_digits};
use std::sync::Arc;
use time::OffsetDateTime;

/// A picture to print: a metadata-free copy (JPEG) or a PNG, with its caption.
#[derive(Debug, Clone)]
pub struct Picture {
    pub bytes: Arc<[u8]>,
    /// `jpg` or `png`.
    pub ext: &'static str,
    pub caption: String,
}

/// One item as the book prints it.
#[derive(Debug, Clone)]
pub struct BookItem {
    pub id: ItemId,
    pub title: String,
    pub authors: Vec<String>,
    pub unit: String,
    pub fiscal_year: i32,
    pub published_at: Option<OffsetDateTime>,
    pub summary: String,
    pub body: String,
    pub pictures: Vec<Picture>,
}

/// An SVG QR code of `text` (a URL) with its quiet zone, medium error correction (a printed
/// code survives a fold or a smudge). None only for text far longer than any URL.
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcode::render::svg;
    use qrcode::{EcLevel, QrCode};
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .ok()
        .map(|code| {
            code.render::<svg::Color>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .dark_color(svg::Color("#000000"))
                .light_color(svg::Color("#ffffff"))
                .build()
        })
}

/// Numbers in the book's digits.
fn digits(spec: &BookSpec, s: &str) -> String {
    match spec.digits {
        Digits::Thai => thai_digits(s),
        Digits::Arabic => crate::text::arabic_digits(s),
    }
}

/// The address of an item's page.
pub fn item_url(base_url: &str, id: ItemId) -> String {
    format!("{}/items/{}", base_url.trim_end_matches('/'), id.0)
}

/// The whole book. `unit` is the publishing unit's name, `made_at` the date on the cover.
pub fn book_document(
    spec: &BookSpec,
    unit: &str,
    items: &[BookItem],
    made_at: OffsetDateTime,
) -> Document {
    let mut cover = vec![unit.to_string()];
    if let Some(y) = spec.fiscal_year {
        cover.push(digits(spec, &format!("ปีงบประมาณ พ.ศ. {y}")));
    }
    cover.push(digits(
        spec,
        &format!("จัดทำเมื่อ {}", format_be_date_long(made_at)),
    ));
    let mut blocks = Vec::new();
    let mut files = Vec::new();
    if !spec.foreword.is_empty() {
        blocks.push(Block::PageBreak);
        blocks.push(Block::Heading {
            level: 1,
            text: "คำนำ".into(),
        });
        blocks.extend(body_blocks(&spec.foreword));
    }
    blocks.push(Block::PageBreak);
    blocks.push(Block::Outline {
        title: "สารบัญ".into(),
    });
    for (n, item) in items.iter().enumerate() {
        blocks.push(Block::PageBreak);
        blocks.push(Block::Heading {
            level: 1,
            text: item.title.clone(),
        });
        let mut meta = Vec::new();
        if !item.authors.is_empty() {
            meta.push(format!("ผู้เขียน: {}", item.authors.join(", ")));
        }
        meta.push(format!("หน่วยงาน: {}", item.unit));
        let mut when = format!("ปีงบประมาณ {}", item.fiscal_year);
        if let Some(p) = item.published_at {
            when.push_str(&format!(" · เผยแพร่ {}", format_be_date_long(p)));
        }
        meta.push(digits(spec, &when));
        blocks.push(Block::Note {
            text: meta.join("\n"),
        });
        // The way to the item online (its files, comments, newer versions), under its name.
        let url = item_url(&spec.base_url, item.id);
        if let Some(svg) = qr_svg(&url) {
            let path = format!("/files/item-{n}-qr.svg");
            files.push(DocFile {
                path: path.clone(),
                bytes: Arc::from(svg.into_bytes()),
            });
            blocks.push(Block::Image {
                file: path,
                max_width_cm: 2.6,
                max_height_cm: 2.6,
                caption: format!("สแกนเพื่ออ่านฉบับออนไลน์และไฟล์แนบ\n{url}"),
            });
        }
        if !item.summary.trim().is_empty() {
            blocks.push(Block::Heading {
                level: 2,
                text: "บทคัดย่อ".into(),
            });
            blocks.push(Block::Paragraph {
                text: item.summary.trim().to_string(),
            });
        }
        blocks.extend(body_blocks(&item.body));
        for (i, pic) in item.pictures.iter().enumerate() {
            let path = format!("/files/item-{n}-picture-{i}.{}", pic.ext);
            files.push(DocFile {
                path: path.clone(),
                bytes: pic.bytes.clone(),
            });
            blocks.push(Block::Image {
                file: path,
                max_width_cm: 13.0,
                max_height_cm: 9.0,
                caption: digits(spec, &format!("ภาพที่ {}: {}", i + 1, pic.caption)),
            });
        }
    }
    let mut subtitle = Vec::new();
    if !spec.subtitle.is_empty() {
        subtitle.push(spec.subtitle.clone());
    }
    Document {
        title: spec.title.clone(),
        subtitle,
        blocks,
        paper: spec.paper,
        page_digits: spec.digits,
        cover: Some(Cover { lines: cover }),
        files,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UnitId;
    use crate::print::Paper;

    fn spec() -> BookSpec {
        BookSpec {
            title: "หนังสือองค์ความรู้".into(),
            subtitle: "ฉบับทดลอง".into(),
            foreword: "คำนำของหนังสือ".into(),
            unit_id: UnitId(1),
            fiscal_year: Some(2568),
            paper: Paper::A5,
            digits: Digits::Thai,
            items: vec![ItemId(4), ItemId(2)],
            base_url: "https://km.example".into(),
        }
    }

    fn item(id: i64, title: &str, pictures: usize) -> BookItem {
        BookItem {
            id: ItemId(id),
            title: title.into(),
            authors: vec!["สมศรี ใจดี".into()],
            unit: "สสจ.ทดสอบ".into(),
            fiscal_year: 2568,
            published_at: None,
            summary: "สรุป".into(),
            body: "# หัวข้อ\n\nเนื้อความ".into(),
            pictures: (0..pictures)
                .map(|i| Picture {
                    bytes: Arc::from(vec![1u8, 2, 3]),
                    ext: "jpg",
                    caption: format!("ภาพ{i}"),
                })
                .collect(),
        }
    }

    #[test]
    fn a_book_has_a_cover_a_contents_page_and_its_items_in_order() {
        let items = [item(4, "เรื่องแรก", 2), item(2, "เรื่องที่สอง", 0)];
        let doc = book_document(&spec(), "สสจ.ทดสอบ", &items, OffsetDateTime::UNIX_EPOCH);
        let cover = doc.cover.as_ref().unwrap();
        assert!(cover.lines.contains(&"ปีงบประมาณ พ.ศ. ๒๕๖๘".to_string()));
        assert_eq!(doc.paper, Paper::A5);
        assert_eq!(doc.page_digits, Digits::Thai);
        let titles: Vec<&str> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level: 1, text } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(titles, ["คำนำ", "เรื่องแรก", "เรื่องที่สอง"]);
        let outline = doc
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Outline { .. }))
            .unwrap();
        let first = doc
            .blocks
            .iter()
            .position(|b| matches!(b, Block::Heading { text, .. } if text == "เรื่องแรก"))
            .unwrap();
        assert!(outline < first);
        // Two pictures and two QR codes, each block naming a file the document carries.
        let images: Vec<&str> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Image { file, .. } => Some(file.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(images.len(), 4);
        for f in &images {
            assert!(doc.files.iter().any(|d| d.path == *f), "{f}");
        }
        let qr = doc
            .files
            .iter()
            .find(|f| f.path.ends_with("qr.svg"))
            .unwrap();
        assert!(std::str::from_utf8(&qr.bytes).unwrap().contains("<svg"));
        assert!(format!("{:?}", doc.blocks).contains("https://km.example/items/4"));
    }

    #[test]
    fn a_qr_code_is_drawn_for_a_url() {
        assert!(
            qr_svg("https://km.example/items/1")
                .unwrap()
                .contains("<svg")
        );
    }
}
