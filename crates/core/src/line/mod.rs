//! LINE capture (การรับความรู้ทาง LINE): people send text, pictures and files to the agency's
//! LINE Official Account, and each becomes a draft item of theirs, answered with its link.
//! A person links their LINE user to their khlang account with a one-time code from their
//! account page. Off unless the channel secret and access token are configured.

mod model;
mod ports;
pub(crate) mod service;

pub use model::{
    Incoming, LINK_CODE_MINUTES, LinkCode, Message, draft_title, parse_webhook, signature_valid,
};
pub use ports::{LineApi, LineContent, LineStore};
pub use service::{LineSettings, WebhookOutcome};
