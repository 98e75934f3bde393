//! Feeds and discovery (การเผยแพร่): what khlang tells feed readers, search engines and the
//! link previews of LINE and Facebook. Everything here goes out without a sign-in, so every
//! list is read as an anonymous visitor would read it: public, published knowledge and public
//! events only, whatever the asker may see when signed in.

mod model;
mod service;

pub use model::{FEED_LENGTH, Feed, FeedEntry, FeedScope, SITEMAP_PAGE, SitemapPart, SitemapUrl};
