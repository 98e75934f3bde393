//! An item's body (Markdown) as printed blocks: headings, paragraphs and lists, as plain
//! text. Nothing of the source reaches the engine as markup (the layout treats text as
//! data), raw HTML is dropped, pictures keep their description, links their text.

use crate::print::{Block, Cell, Table};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A table being read: its header row, body rows, and the row being read.
type OpenTable = (Vec<Cell>, Vec<Vec<Cell>>, Vec<Cell>);

/// Collapses runs of spaces and trims, keeping line breaks.
fn tidy(s: &str) -> String {
    s.split('\n')
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The body as blocks. Headings of the body sit below the item's title: `#` and `##`
/// (what the item form suggests) at level 2, deeper ones at level 3.
pub fn body_blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut text = String::new();
    // Open lists: (ordered, items so far); nested entries are flattened into the outer list.
    let mut lists: Vec<(bool, Vec<String>)> = Vec::new();
    let mut heading: Option<u8> = None;
    let mut table: Option<OpenTable> = None;
    let flush_par = |text: &mut String, out: &mut Vec<Block>| {
        let t = tidy(text);
        if !t.is_empty() {
            out.push(Block::Paragraph { text: t });
        }
        text.clear();
    };
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    ) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush_par(&mut text, &mut out);
                heading = Some(if level == HeadingLevel::H1 || level == HeadingLevel::H2 {
                    2
                } else {
                    3
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                let t = tidy(&text).replace('\n', " ");
                if !t.is_empty() {
                    out.push(Block::Heading {
                        level: heading.unwrap_or(2),
                        text: t,
                    });
                }
                text.clear();
                heading = None;
            }
            Event::Start(Tag::List(start)) => {
                if lists.is_empty() {
                    flush_par(&mut text, &mut out);
                } else {
                    // The parent entry's own text comes before its sub-list.
                    let t = tidy(&text);
                    if !t.is_empty()
                        && let Some((_, items)) = lists.last_mut()
                    {
                        items.push(t);
                    }
                    text.clear();
                }
                lists.push((start.is_some(), Vec::new()));
            }
            Event::End(TagEnd::List(_)) => {
                if let Some((ordered, items)) = lists.pop() {
                    match lists.last_mut() {
                        Some((_, outer)) => {
                            outer.extend(items.into_iter().map(|i| format!("– {i}")))
                        }
                        None if !items.is_empty() => out.push(Block::List { ordered, items }),
                        None => {}
                    }
                }
            }
            Event::End(TagEnd::Item) => {
                let t = tidy(&text);
                if !t.is_empty()
                    && let Some((_, items)) = lists.last_mut()
                {
                    items.push(t);
                }
                text.clear();
            }
            Event::Start(Tag::Table(_)) => {
                flush_par(&mut text, &mut out);
                table = Some((Vec::new(), Vec::new(), Vec::new()));
            }
            Event::End(TagEnd::TableCell) => {
                let t = tidy(&text);
                text.clear();
                if let Some((_, _, row)) = table.as_mut() {
                    row.push(Cell::new(t));
                }
            }
            Event::End(TagEnd::TableHead) => {
                if let Some((head, _, row)) = table.as_mut() {
                    *head = std::mem::take(row)
                        .into_iter()
                        .map(|c| Cell::head(c.text))
                        .collect();
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some((_, rows, row)) = table.as_mut() {
                    rows.push(std::mem::take(row));
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some((head, mut rows, _)) = table.take() {
                    let n = rows
                        .iter()
                        .map(Vec::len)
                        .chain([head.len()])
                        .max()
                        .unwrap_or(0);
                    // Short rows are padded: the layout expects every row to fill the table.
                    for r in &mut rows {
                        r.resize_with(n, || Cell::new(""));
                    }
                    let mut head = head;
                    if !head.is_empty() {
                        head.resize_with(n, || Cell::head(""));
                    }
                    if n > 0 {
                        out.push(Block::Table(Table {
                            columns: vec![1.0; n],
                            header: if head.is_empty() { vec![] } else { vec![head] },
                            rows,
                            font_size: None,
                        }));
                    }
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::BlockQuote(_) | TagEnd::CodeBlock) => {
                if lists.is_empty() && heading.is_none() {
                    flush_par(&mut text, &mut out);
                } else {
                    text.push('\n');
                }
            }
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak => text.push(' '),
            Event::HardBreak => text.push('\n'),
            Event::Rule => flush_par(&mut text, &mut out),
            // Raw HTML, footnote marks, math and the like are not printed.
            _ => {}
        }
    }
    flush_par(&mut text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_lists() {
        let md = "# บทนำ\n\nย่อหน้า **หนา** และ *เอียง*\nต่อบรรทัด\n\n## วิธีการ\n\n1. ขั้นแรก\n2. ขั้นสอง\n   - ย่อย\n\n- หนึ่ง\n- สอง\n\n<script>alert(1)</script>\n\n```\n#set page(paper: \"a0\")\n```\n";
        let blocks = body_blocks(md);
        assert_eq!(
            blocks[0],
            Block::Heading {
                level: 2,
                text: "บทนำ".into()
            }
        );
        assert_eq!(
            blocks[1],
            Block::Paragraph {
                text: "ย่อหน้า หนา และ เอียง ต่อบรรทัด".into()
            }
        );
        assert_eq!(
            blocks[2],
            Block::Heading {
                level: 2,
                text: "วิธีการ".into()
            }
        );
        assert_eq!(
            blocks[3],
            Block::List {
                ordered: true,
                items: vec!["ขั้นแรก".into(), "ขั้นสอง".into(), "– ย่อย".into()]
            }
        );
        assert_eq!(
            blocks[4],
            Block::List {
                ordered: false,
                items: vec!["หนึ่ง".into(), "สอง".into()]
            }
        );
        // Raw HTML is dropped; code is kept as text (the layout never reads text as markup).
        assert!(!format!("{blocks:?}").contains("script"));
        assert_eq!(
            blocks.last(),
            Some(&Block::Paragraph {
                text: "#set page(paper: \"a0\")".into()
            })
        );
    }

    #[test]
    fn tables_become_tables() {
        let blocks =
            body_blocks("ก่อน\n\n| สาขา | จำนวน |\n|---|---|\n| เฝ้าระวัง | 9 |\n| ส่งเสริม |\n\nหลัง");
        assert_eq!(blocks.len(), 3, "{blocks:?}");
        let Block::Table(t) = &blocks[1] else {
            panic!("{blocks:?}")
        };
        assert_eq!(t.columns.len(), 2);
        assert_eq!(t.header[0][0].text, "สาขา");
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0][1].text, "9");
        assert_eq!(t.rows[1].len(), 2, "a short row is padded");
    }

    #[test]
    fn empty_and_plain_bodies() {
        assert!(body_blocks("").is_empty());
        assert_eq!(
            body_blocks("ข้อความธรรมดา"),
            vec![Block::Paragraph {
                text: "ข้อความธรรมดา".into()
            }]
        );
    }
}
