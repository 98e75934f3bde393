//! The LINE Messaging API's webhook as khlang reads it: the signature (HMAC-SHA256 of the raw
//! body with the channel secret, base64), the events that matter, and the one-time link code.

use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How long a link code from the account page stays valid.
pub const LINK_CODE_MINUTES: i64 = 15;

/// HMAC-SHA256 (RFC 2104) with the channel secret as key.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// Whether `x-line-signature` is the body's signature under `secret` (compared in constant
/// time). Anything unreadable is simply not valid.
pub fn signature_valid(secret: &str, body: &[u8], header: &str) -> bool {
    use base64::Engine;
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(header.trim()) else {
        return false;
    };
    let expected = hmac_sha256(secret.as_bytes(), body);
    given.len() == expected.len() && bool::from(given.ct_eq(&expected))
}

/// What a person sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Text(String),
    /// A picture, video or audio clip: its content is fetched by id.
    Media {
        id: String,
        kind: &'static str,
    },
    File {
        id: String,
        name: String,
    },
    /// Stickers, locations …: answered with what khlang takes.
    Other(String),
}

/// One message event of a webhook call from a person (group chats are not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    /// `webhookEventId`: the same event delivered again is recognised by it.
    pub event_id: String,
    pub reply_token: Option<String>,
    pub line_user: String,
    pub message: Message,
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// The message events from people in a webhook body; other events (follow, unsend, group
/// messages) are left out. A body that is not the webhook's JSON is None.
pub fn parse_webhook(body: &[u8]) -> Option<Vec<Incoming>> {
    let root: Value = serde_json::from_slice(body).ok()?;
    let events = root.get("events")?.as_array()?;
    Some(
        events
            .iter()
            .filter_map(|e| {
                if e.get("type")?.as_str()? != "message" {
                    return None;
                }
                let source = e.get("source")?;
                if source.get("type")?.as_str()? != "user" {
                    return None;
                }
                let m = e.get("message")?;
                let id = s(m, "id")?;
                let message = match m.get("type")?.as_str()? {
                    "text" => Message::Text(s(m, "text")?),
                    "image" => Message::Media { id, kind: "image" },
                    "video" => Message::Media { id, kind: "video" },
                    "audio" => Message::Media { id, kind: "audio" },
                    "file" => Message::File {
                        id,
                        name: s(m, "fileName").unwrap_or_else(|| "file".into()),
                    },
                    other => Message::Other(other.to_string()),
                };
                Some(Incoming {
                    event_id: s(e, "webhookEventId")
                        .or_else(|| s(m, "id").map(|i| format!("message:{i}")))?,
                    reply_token: s(e, "replyToken"),
                    line_user: s(source, "userId")?,
                    message,
                })
            })
            .collect(),
    )
}

/// The six digits a person reads off their account page and sends to the Official Account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCode(String);

impl LinkCode {
    pub fn generate() -> Self {
        use rand::Rng;
        Self(format!("{:06}", rand::thread_rng().gen_range(0..1_000_000)))
    }

    /// A message that is a code: six digits, Thai or Arabic, spaces and dashes allowed
    /// (`๑๒๓ ๔๕๖`, `123-456`). Anything else is not a code.
    pub fn parse(text: &str) -> Option<Self> {
        let mut digits = String::new();
        for c in text.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                '๐'..='๙' => digits.push(char::from(b'0' + (c as u32 - '๐' as u32) as u8)),
                ' ' | '-' => {}
                _ => return None,
            }
        }
        (digits.len() == 6).then_some(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What is stored: the code itself never is.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(format!("line-link:{}", self.0)))
    }

    /// `123 456`, easier to read off a phone.
    pub fn display(&self) -> String {
        format!("{} {}", &self.0[..3], &self.0[3..])
    }
}

/// A draft's title from a message: its first line, at most 100 graphemes (… when cut).
pub fn draft_title(text: &str) -> Option<String> {
    use unicode_segmentation::UnicodeSegmentation;
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = crate::text::tidy(line);
    Some(match line.grapheme_indices(true).nth(100) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_signature_is_valid_only_for_its_body_and_secret() {
        use base64::Engine;
        let body = br#"{"events":[]}"#;
        let sig = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(b"secret", body));
        assert!(signature_valid("secret", body, &sig));
        assert!(!signature_valid("other", body, &sig));
        assert!(!signature_valid("secret", br#"{"events":[1]}"#, &sig));
        assert!(!signature_valid("secret", body, "not base64!"));
        assert!(!signature_valid("secret", body, ""));
    }

    #[test]
    fn webhook_events_from_people_are_read_and_the_rest_left_out() {
        let body = r#"{"destination":"Uxx","events":[
          {"type":"message","webhookEventId":"E1","replyToken":"R1","source":{"type":"user","userId":"U1"},"message":{"type":"text","id":"1","text":"hello"}},
          {"type":"message","webhookEventId":"E2","replyToken":"R2","source":{"type":"user","userId":"U1"},"message":{"type":"image","id":"2"}},
          {"type":"message","webhookEventId":"E3","source":{"type":"user","userId":"U1"},"message":{"type":"file","id":"3","fileName":"แผน.pdf"}},
          {"type":"message","webhookEventId":"E4","source":{"type":"group","groupId":"G","userId":"U1"},"message":{"type":"text","id":"4","text":"group"}},
          {"type":"follow","webhookEventId":"E5","source":{"type":"user","userId":"U1"}},
          {"type":"message","webhookEventId":"E6","source":{"type":"user","userId":"U1"},"message":{"type":"sticker","id":"6"}}
        ]}"#;
        let got = parse_webhook(body.as_bytes()).unwrap();
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].message, Message::Text("hello".into()));
        assert_eq!(got[0].reply_token.as_deref(), Some("R1"));
        assert_eq!(
            got[1].message,
            Message::Media {
                id: "2".into(),
                kind: "image"
            }
        );
        assert_eq!(
            got[2].message,
            Message::File {
                id: "3".into(),
                name: "แผน.pdf".into()
            }
        );
        assert_eq!(got[3].message, Message::Other("sticker".into()));
        assert!(parse_webhook(b"not json").is_none());
        assert!(parse_webhook(b"{}").is_none());
    }

    #[test]
    fn link_codes_read_thai_or_arabic_digits_and_nothing_else() {
        assert_eq!(LinkCode::parse("123456").unwrap().as_str(), "123456");
        assert_eq!(LinkCode::parse(" ๑๒๓ ๔๕๖ ").unwrap().as_str(), "123456");
        assert_eq!(LinkCode::parse("123-456").unwrap().as_str(), "123456");
        for bad in ["12345", "1234567", "รหัส 123456", "12345a", ""] {
            assert!(LinkCode::parse(bad).is_none(), "{bad}");
        }
        let c = LinkCode::generate();
        assert_eq!(c.as_str().len(), 6);
        assert_eq!(LinkCode::parse(&c.display()), Some(c.clone()));
        assert_ne!(c.hash(), c.as_str());
    }

    #[test]
    fn a_draft_title_is_the_first_line_cut_by_graphemes() {
        assert_eq!(draft_title("\n  วิธีทำ  ยาดม \nขั้นที่ 1").unwrap(), "วิธีทำ ยาดม");
        assert!(draft_title("  \n ").is_none());
        let long = "ที่".repeat(150);
        let t = draft_title(&long).unwrap();
        assert!(t.ends_with('…') && t.starts_with("ที่ที่"));
    }
}
