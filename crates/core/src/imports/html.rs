//! WordPress post HTML to the Markdown khlang keeps: paragraphs, headings, lists, quotes,
//! links, images, bold and italic survive; block-editor comments, scripts, styles and every
//! other tag are dropped, their text kept. Classic-editor posts carry paragraphs as blank
//! lines with no `<p>`, which Markdown reads the same way.
//!
//! Not an HTML parser: WordPress writes tidy markup, and whatever comes out is rendered
//! through the same sanitiser as every other body (see the web crate's `markdown`), so a
//! tag misread here can cost formatting, never safety.

/// Markdown for `html`, and the `src`/`href` addresses it links to (to match against the
/// uploads folder).
pub fn to_markdown(html: &str) -> String {
    let mut out = Writer::default();
    let mut rest = html;
    // Lists being written: (ordered, next number).
    let mut lists: Vec<(bool, u32)> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    let mut skip_until: Option<&'static str> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skip_until.is_none() {
                out.text(rest);
            }
            break;
        };
        if skip_until.is_none() {
            out.text(&rest[..lt]);
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            // A lone '<' in text.
            if skip_until.is_none() {
                out.text("<");
            }
            rest = &rest[1..];
            continue;
        };
        let Some(tag) = Tag::parse(&rest[1..gt]) else {
            // Not a tag ("x < 5"): the '<' is text, and so is what follows it.
            if skip_until.is_none() {
                out.text("<");
            }
            rest = &rest[1..];
            continue;
        };
        rest = &rest[gt + 1..];
        if let Some(until) = skip_until {
            if tag.closing && tag.name == until {
                skip_until = None;
            }
            continue;
        }
        match (tag.name.as_str(), tag.closing) {
            ("script" | "style" | "noscript" | "iframe", false) => {
                skip_until = Some(match tag.name.as_str() {
                    "script" => "script",
                    "style" => "style",
                    "noscript" => "noscript",
                    _ => "iframe",
                });
            }
            ("p" | "div" | "figure" | "figcaption" | "section" | "table" | "tr", _) => out.block(),
            ("td" | "th", false) => out.raw(" "),
            ("td" | "th", true) => out.raw(" |"),
            ("br", _) => out.hard_break(),
            ("hr", _) => {
                out.block();
                out.raw("---");
                out.block();
            }
            (h, false)
                if h.len() == 2 && h.starts_with('h') && h.as_bytes()[1].is_ascii_digit() =>
            {
                out.block();
                let level = usize::from(h.as_bytes()[1] - b'0').clamp(1, 6);
                out.raw(&format!("{} ", "#".repeat(level)));
            }
            (h, true) if h.len() == 2 && h.starts_with('h') && h.as_bytes()[1].is_ascii_digit() => {
                out.block()
            }
            ("strong" | "b", _) => out.raw("**"),
            ("em" | "i", _) => out.raw("*"),
            ("blockquote", false) => {
                out.block();
                out.quote += 1;
            }
            ("blockquote", true) => {
                out.block();
                out.quote = out.quote.saturating_sub(1);
            }
            ("ul" | "ol", false) => {
                out.line();
                lists.push((tag.name == "ol", 1));
            }
            ("ul" | "ol", true) => {
                lists.pop();
                if lists.is_empty() {
                    out.block();
                } else {
                    out.line();
                }
            }
            ("li", false) => {
                out.line();
                let depth = lists.len().saturating_sub(1);
                let marker = match lists.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "- ".to_string(),
                };
                out.raw(&format!("{}{marker}", "   ".repeat(depth)));
            }
            ("li", true) => out.line(),
            ("a", false) => match tag.attr("href") {
                Some(href) if !href.is_empty() => {
                    links.push(href.clone());
                    out.raw("[");
                }
                _ => links.push(String::new()),
            },
            ("a", true) => {
                if let Some(href) = links.pop()
                    && !href.is_empty()
                {
                    out.raw(&format!("]({})", link_target(&href)));
                }
            }
            ("img", _) => {
                if let Some(src) = tag.attr("src").filter(|s| !s.is_empty()) {
                    let alt = tag.attr("alt").unwrap_or_default();
                    out.raw(&format!(
                        "![{}]({})",
                        escape(&alt.replace(['\n', '\r'], " ")),
                        link_target(&src)
                    ));
                }
            }
            _ => {}
        }
    }
    out.finish()
}

/// Where a tag ends, skipping `>` inside quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

struct Tag {
    name: String,
    closing: bool,
    attrs: Vec<(String, String)>,
}

impl Tag {
    /// `inner` is what is between `<` and `>`; None when it is not a tag (`< 5`).
    fn parse(inner: &str) -> Option<Tag> {
        let (closing, inner) = match inner.strip_prefix('/') {
            Some(r) => (true, r),
            None => (false, inner),
        };
        let inner = inner.trim_end_matches('/');
        let name_len = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(inner.len());
        if name_len == 0 || !inner.as_bytes()[0].is_ascii_alphabetic() {
            return None;
        }
        let name = inner[..name_len].to_ascii_lowercase();
        let mut attrs = Vec::new();
        let mut rest = &inner[name_len..];
        loop {
            rest = rest.trim_start();
            let key_len = rest
                .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
                .unwrap_or(rest.len());
            if key_len == 0 {
                break;
            }
            let key = rest[..key_len].to_ascii_lowercase();
            rest = rest[key_len..].trim_start();
            let value = if let Some(r) = rest.strip_prefix('=') {
                let r = r.trim_start();
                let (v, after) = match r.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let body = &r[1..];
                        let end = body.find(q).unwrap_or(body.len());
                        (&body[..end], body.get(end + 1..).unwrap_or(""))
                    }
                    _ => {
                        let end = r.find(char::is_whitespace).unwrap_or(r.len());
                        (&r[..end], &r[end..])
                    }
                };
                rest = after;
                decode_entities(v)
            } else {
                String::new()
            };
            attrs.push((key, value));
        }
        Some(Tag {
            name,
            closing,
            attrs,
        })
    }

    fn attr(&self, key: &str) -> Option<String> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
    }
}

/// Tags that break a line: their edges separate words (inline tags sit inside Thai words,
/// which have no spaces).
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "li"
            | "ul"
            | "ol"
            | "tr"
            | "td"
            | "th"
            | "figure"
            | "figcaption"
            | "blockquote"
            | "hr"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "section"
            | "table"
    )
}

/// A link target Markdown reads back whole (spaces and parentheses escaped).
fn link_target(url: &str) -> String {
    url.trim()
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

/// Markdown's own characters in text, backslash-escaped so text stays text.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '`' | '<' | '>' | '#' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// HTML's character references: the named ones WordPress writes, and every numeric one.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|i| i + 1);
        let (name, after) = match end {
            Some(e) if rest[e..].starts_with(';') => (&rest[1..e], &rest[e + 1..]),
            _ => {
                out.push('&');
                rest = &rest[1..];
                continue;
            }
        };
        let c = if let Some(num) = name.strip_prefix('#') {
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            n.and_then(char::from_u32)
        } else {
            Some(match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" | "#39" => '\'',
                "nbsp" => ' ',
                "ndash" => '–',
                "mdash" => '—',
                "hellip" => '…',
                "lsquo" => '‘',
                "rsquo" => '’',
                "ldquo" => '“',
                "rdquo" => '”',
                "laquo" => '«',
                "raquo" => '»',
                "bull" => '•',
                "middot" => '·',
                "copy" => '©',
                "reg" => '®',
                "times" => '×',
                "deg" => '°',
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                    continue;
                }
            })
        };
        if let Some(c) = c {
            out.push(c);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Builds the Markdown: text is collapsed the way a browser collapses it, blocks are
/// separated by one blank line, quotes prefixed.
#[derive(Default)]
struct Writer {
    done: String,
    /// The line being written.
    line: String,
    quote: usize,
    /// A blank line is owed before the next text.
    gap: bool,
}

impl Writer {
    fn text(&mut self, raw: &str) {
        let decoded = decode_entities(raw);
        // A blank line in the source text is a paragraph (classic editor); other runs of
        // white space are one space.
        let mut paragraphs = decoded.split("\n\n").peekable();
        while let Some(p) = paragraphs.next() {
            let mut words = String::new();
            let starts_space = p.starts_with(char::is_whitespace);
            let ends_space = p.ends_with(char::is_whitespace);
            let collapsed = p.split_whitespace().collect::<Vec<_>>().join(" ");
            if starts_space && !self.line.is_empty() && !self.line.ends_with(' ') {
                words.push(' ');
            }
            words.push_str(&escape(&collapsed));
            if ends_space && !collapsed.is_empty() {
                words.push(' ');
            }
            if !collapsed.is_empty() {
                self.raw(&words);
            } else if starts_space && !self.line.is_empty() && !self.line.ends_with(' ') {
                self.line.push(' ');
            }
            if paragraphs.peek().is_some() {
                self.block();
            }
        }
    }

    fn raw(&mut self, s: &str) {
        if self.line.is_empty() {
            if self.gap && !self.done.is_empty() {
                self.done.push_str(&"> ".repeat(self.quote));
                self.done.push('\n');
            }
            self.gap = false;
            let s = s.trim_start();
            if s.is_empty() {
                return;
            }
            self.line.push_str(&"> ".repeat(self.quote));
            self.line.push_str(s);
        } else {
            self.line.push_str(s);
        }
    }

    fn hard_break(&mut self) {
        if !self.line.trim().is_empty() {
            let l = self.line.trim_end().to_string();
            self.done.push_str(&l);
            self.done.push_str("  \n");
            self.line.clear();
        }
    }

    /// Ends the line.
    fn line(&mut self) {
        let l = self.line.trim_end().to_string();
        if !l.trim().is_empty() {
            self.done.push_str(&l);
            self.done.push('\n');
        }
        self.line.clear();
    }

    /// Ends the block: the next text starts after a blank line.
    fn block(&mut self) {
        self.line();
        if !self.done.is_empty() {
            self.gap = true;
        }
    }

    fn finish(mut self) -> String {
        self.line();
        self.done.trim_end().to_string()
    }
}

/// The plain text of `html` (for a summary): tags, comments, scripts and styles gone,
/// entities decoded, white space collapsed.
pub fn to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        let tag = Tag::parse(&rest[1..gt]);
        if tag.is_none() {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        rest = &rest[gt + 1..];
        match tag {
            Some(t) if !t.closing && matches!(t.name.as_str(), "script" | "style") => {
                let close = format!("</{}", t.name);
                rest = rest
                    .to_ascii_lowercase()
                    .find(&close)
                    .map_or("", |i| &rest[i..]);
            }
            Some(t) if is_block(&t.name) => out.push(' '),
            Some(_) => {}
            None => out.push('<'),
        }
    }
    out.push_str(rest);
    decode_entities(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_editor_markup_becomes_markdown() {
        let html = "<!-- wp:heading --><h2 class=\"wp-block-heading\">การดูแล&nbsp;ผู้สูงอายุ</h2><!-- /wp:heading -->\n\n\
            <!-- wp:paragraph --><p>อสม. เยี่ยมบ้าน<strong>ทุกสัปดาห์</strong> &amp; บันทึกผล &#8211; ดู<a href=\"https://example.org/a b\">คู่มือ</a></p><!-- /wp:paragraph -->\n\n\
            <!-- wp:list --><ul><li>วัดความดัน</li><li>ชั่งน้ำหนัก</li></ul><!-- /wp:list -->\n\
            <figure><img src=\"http://km.example.go.th/wp-content/uploads/2024/05/a.jpg\" alt=\"รูป\"/></figure>";
        let md = to_markdown(html);
        assert_eq!(
            md,
            "## การดูแล ผู้สูงอายุ\n\n\
             อสม. เยี่ยมบ้าน**ทุกสัปดาห์** & บันทึกผล – ดู[คู่มือ](https://example.org/a%20b)\n\n\
             - วัดความดัน\n- ชั่งน้ำหนัก\n\n\
             ![รูป](http://km.example.go.th/wp-content/uploads/2024/05/a.jpg)"
        );
    }

    #[test]
    fn classic_editor_paragraphs_are_blank_lines() {
        let md = to_markdown("ย่อหน้าแรก\nบรรทัดต่อ\n\nย่อหน้าที่สอง<br />บรรทัดใหม่");
        assert_eq!(md, "ย่อหน้าแรก บรรทัดต่อ\n\nย่อหน้าที่สอง  \nบรรทัดใหม่");
    }

    #[test]
    fn scripts_go_and_markdown_characters_stay_text() {
        let md = to_markdown(
            "<p>ราคา 5*3 [หมายเหตุ] <script>alert(1)</script>a_b</p><ol><li>หนึ่ง</li><li>สอง</li></ol>",
        );
        assert_eq!(md, "ราคา 5\\*3 \\[หมายเหตุ\\] a\\_b\n\n1. หนึ่ง\n2. สอง");
        assert_eq!(to_markdown("x < 5 และ y > 2"), "x \\< 5 และ y \\> 2");
    }

    #[test]
    fn quotes_and_text() {
        let md = to_markdown("<blockquote><p>คำพูด</p></blockquote><p>หลัง</p>");
        assert_eq!(md, "> คำพูด\n\nหลัง");
        assert_eq!(
            to_text("<h2>หัวข้อ</h2><p>ดู<a href=\"x\">ลิงก์</a> &amp; <style>p{}</style>ต่อ</p>"),
            "หัวข้อ ดูลิงก์ & ต่อ"
        );
    }

    #[test]
    fn entities_decode() {
        assert_eq!(
            decode_entities("a&amp;b &#3585; &#x0E01; &bogus; & x"),
            "a&b ก ก &bogus; & x"
        );
    }
}
