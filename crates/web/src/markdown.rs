//! Item bodies are Markdown written by anyone with an account; they render to HTML with raw
//! HTML shown as text and only safe link targets kept, so no body can run script.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:")
        || lower.starts_with('/')
        || lower.starts_with('#')
        || !(lower.contains(':'))
}

/// Markdown → sanitised HTML: tables, strikethrough and task lists on; raw HTML escaped;
/// `javascript:` and other unsafe link or image targets dropped.
pub fn render(src: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let events = Parser::new_ext(src, opts).map(|e| match e {
        Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::Borrowed(""),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::with_capacity(src.len() * 3 / 2);
    html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn markdown_renders_thai_tables_and_lists() {
        let html = render(
            "## แผน KM\n\n| ขั้นตอน | กิจกรรม |\n|---|---|\n| 1 | บ่งชี้ความรู้ |\n\n- อสม.\n- สสม.",
        );
        assert!(html.contains("<h2>แผน KM</h2>"));
        assert!(html.contains("<td>บ่งชี้ความรู้</td>"));
        assert!(html.contains("<li>อสม.</li>"));
    }

    #[test]
    fn raw_html_and_script_links_are_neutralised() {
        let html = render(
            "<script>alert(1)</script>\n\n[x](javascript:alert(1)) ![i](data:text/html,x) <img src=x onerror=alert(1)>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(render("[ok](https://www.dhss.go.th)").contains("href=\"https://www.dhss.go.th\""));
    }
}

/// Property: whatever a body holds, the HTML has only the tags Markdown makes, no event
/// handler or style attribute, and every link or image target passes [`safe_url`].
#[cfg(test)]
mod properties {
    use super::{render, safe_url};
    use proptest::prelude::*;

    /// The elements pulldown-cmark writes for Markdown (tables and task lists included).
    const TAGS: &str = "p h1 h2 h3 h4 h5 h6 em strong del a img ul ol li blockquote pre code hr \
                        br table thead tbody tr th td input sup div";

    fn hostile_markdown() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            4 => "[ก-ฮะ-ู เ-ไ่-๋a-z0-9]{1,12}",
            2 => prop::sample::select(vec![
                "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:x\">",
                "[x](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](java\tscript:x)",
                "[x]( javascript:x)", "![i](data:text/html,x)", "[x](vbscript:x)", "[x]: javascript:y\n[x]",
                "<svg onload=alert(1)>", "<!-- x -->", "<style>*{}</style>", "&#106;avascript:",
                "[x](&#106;avascript:alert(1))", "<iframe src=//evil>", "\"", "'", "`", "\n\n", "\n",
                "| a | b |\n|---|---|\n| 1 | 2 |\n", "- [ ] ", "> ", "# ", "```\n", "    ", "*", "_", "~~",
                "<", ">", "&", "](", "[", ")", "<http://x.y>", "<javascript:alert(1)>",
            ]).prop_map(String::from),
            1 => any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    /// Undoes the entity escapes `push_html` writes into attribute values.
    fn unescape(s: &str) -> String {
        s.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]
        #[test]
        fn rendered_markdown_runs_no_script(src in hostile_markdown()) {
            let html = render(&src);
            let mut rest = html.as_str();
            while let Some(open) = rest.find('<') {
                let tag_end = rest[open..].find('>').map(|e| open + e);
                prop_assert!(tag_end.is_some(), "unclosed < in {}", html);
                let tag = &rest[open + 1..tag_end.unwrap_or(open)];
                let name: String = tag
                    .trim_start_matches('/')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                prop_assert!(TAGS.split_whitespace().any(|t| t == name), "tag <{}> in {}", tag, html);
                let lower = tag.to_ascii_lowercase();
                prop_assert!(!lower.contains(" on") && !lower.contains("style="), "<{}>", tag);
                for attr in ["href=\"", "src=\""] {
                    if let Some(at) = tag.find(attr) {
                        let value = &tag[at + attr.len()..];
                        let value = unescape(&value[..value.find('"').unwrap_or(value.len())]);
                        prop_assert!(value.is_empty() || safe_url(&value), "{} in {}", value, html);
                    }
                }
                rest = &rest[tag_end.unwrap_or(open) + 1..];
            }
        }
    }
}
