//! What every page shares: the layout's view model and small rendering helpers.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use khlang_core::FieldError;
use khlang_core::service::accounts::SessionContext;

/// The page frame: title, who is signed in, which menu entries apply, and the CSRF token
/// every form on the page must carry.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    pub user_name: Option<String>,
    pub is_admin: bool,
    pub can_manage_members: bool,
    pub can_review: bool,
    pub can_contribute: bool,
    /// Officers who keep a person register (ทะเบียนบุคคล) somewhere.
    pub can_manage_people: bool,
    /// Officers who run contests (การคัดเลือก) somewhere.
    pub can_run_contests: bool,
    /// Officers who run a unit's KM (plans, targets, registries) somewhere.
    pub can_plan: bool,
    /// Anyone with a role somewhere: plans, progress and the dashboard of their units.
    pub can_view_units: bool,
    /// The bell's number.
    pub unread_notices: u64,
    pub csrf: String,
    pub nav: &'static str,
    /// What the search box in the header shows.
    pub search: String,
    /// Open Graph and JSON-LD for link cards and search engines (public pages).
    pub meta: Option<crate::discovery::PageMeta>,
    /// Feeds this page offers to feed readers.
    pub feeds: Vec<crate::discovery::FeedLink>,
}

impl Layout {
    pub fn new(
        title: impl Into<String>,
        nav: &'static str,
        ctx: Option<&SessionContext>,
        csrf: &str,
    ) -> Self {
        use khlang_core::org::Action;
        let actor = ctx
            .map(|c| c.actor.clone())
            .unwrap_or(khlang_core::org::Actor::Anonymous);
        Self {
            title: title.into(),
            user_name: ctx.map(|c| c.user.display_name.as_str().to_string()),
            is_admin: actor.is_site_admin(),
            can_manage_members: actor.may_somewhere(Action::ManageMembers),
            can_review: actor.may_somewhere(Action::Review),
            can_contribute: actor.may_somewhere(Action::Contribute),
            can_manage_people: actor.may_somewhere(Action::ManagePeople),
            can_run_contests: actor.may_somewhere(Action::RunContest),
            can_plan: actor.may_somewhere(Action::ManageKnowledge),
            can_view_units: actor.may_somewhere(Action::ViewUnitContent),
            unread_notices: ctx.map(|c| c.unread_notices).unwrap_or(0),
            csrf: csrf.to_string(),
            nav,
            search: String::new(),
            meta: None,
            feeds: Vec::new(),
        }
    }

    pub fn with_meta(mut self, meta: crate::discovery::PageMeta) -> Self {
        self.meta = Some(meta);
        self
    }

    /// Offers a feed (`href` from the site root) in the page's head.
    pub fn with_feed(mut self, title: impl Into<String>, href: impl Into<String>) -> Self {
        self.feeds.push(crate::discovery::FeedLink {
            title: title.into(),
            href: href.into(),
        });
        self
    }

    /// Keeps the query in the header's search box on the results page.
    pub fn with_search(mut self, q: &str) -> Self {
        self.search = q.to_string();
        self
    }

    pub fn current(&self, nav: &str) -> &'static str {
        // Administration pages sit behind the one จัดการระบบ entry of the header.
        const ADMIN: [&str; 7] = [
            "units",
            "users",
            "taxonomies",
            "dictionary",
            "audit",
            "templates",
            "people",
        ];
        if self.nav == nav || (nav == "admin" && ADMIN.contains(&self.nav)) {
            "page"
        } else {
            "false"
        }
    }
}

/// Field errors of a failed form, looked up by field name in templates.
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    pub fn messages(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.message.as_str()).collect()
    }
}

/// Renders a template, turning a template failure into a logged 500.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => crate::WebError::from(khlang_core::DomainError::internal(e)).into_response(),
    }
}

/// HTML-escapes text for the few places that build markup by hand.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    khlang_core::search::snippet::escape_into(s, &mut out);
    out
}

/// Text and attribute values of XML (feeds, sitemaps, OAI-PMH): the five specials escaped,
/// and characters XML 1.0 cannot carry (C0 controls but tab and line ends, U+FFFE, U+FFFF)
/// left out, so user text never makes a document unreadable.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Thousands separators, as Thai official tables write numbers.
pub fn number(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_and_escaping() {
        assert_eq!(super::number(968), "968");
        assert_eq!(super::number(1000000), "1,000,000");
        assert_eq!(
            super::escape("<a href=\"x\">'"),
            "&lt;a href=&quot;x&quot;&gt;&#39;"
        );
    }
}
