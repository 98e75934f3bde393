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
