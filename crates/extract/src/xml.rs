//! A streaming walk over one XML part: tags by local name, text with entities decoded.
//! Namespace prefixes are ignored because producers agree on local names (`w:t`, `a:t`,
//! `text:p`) but not always on prefixes.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::ExtractError;

pub(crate) enum Node<'e, 'x> {
    Start(&'e BytesStart<'x>),
    /// A self-closing tag; visitors get no matching `End`.
    Empty(&'e BytesStart<'x>),
    End(&'e [u8]),
    Text(&'e str),
}

/// Calls `visit` for every tag and text run of `xml`, in document order. The visitor returns
/// `false` to stop early (output full). Malformed XML is [`ExtractError::Corrupt`].
pub(crate) fn walk(
    xml: &[u8],
    part: &str,
    mut visit: impl FnMut(Node<'_, '_>) -> bool,
) -> Result<(), ExtractError> {
    let mut reader = Reader::from_reader(xml);
    let bad = |e: &dyn std::fmt::Display| ExtractError::corrupt(format!("{part}: {e}"));
    let mut buf = String::new();
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| bad(&e))?;
        let go_on = match &event {
            Event::Start(e) => {
                depth += 1;
                visit(Node::Start(e))
            }
            Event::Empty(e) => visit(Node::Empty(e)),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                visit(Node::End(e.local_name().into_inner()))
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| bad(&e))?;
                visit(Node::Text(&s))
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| bad(&e))?;
                visit(Node::Text(&s))
            }
            Event::GeneralRef(r) => {
                buf.clear();
                if r.is_char_ref() {
                    if let Some(c) = r.resolve_char_ref().map_err(|e| bad(&e))? {
                        buf.push(c);
                    }
                } else {
                    let name = r.decode().map_err(|e| bad(&e))?;
                    buf.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        // OOXML and ODF forbid DTDs, so no other entity can be defined;
                        // an unknown one is dropped rather than expanded.
                        _ => "",
                    });
                }
                buf.is_empty() || visit(Node::Text(&buf))
            }
            // quick-xml accepts a document that stops inside an element; a part cut short
            // has lost text, so it counts as damage.
            Event::Eof if depth > 0 => return Err(bad(&"XML ends inside an element")),
            Event::Eof => return Ok(()),
            _ => true,
        };
        if !go_on {
            return Ok(());
        }
    }
}

/// The local name of a tag.
pub(crate) fn local<'a>(e: &'a BytesStart<'_>) -> &'a [u8] {
    e.local_name().into_inner()
}

/// The value of the attribute whose local name is `name`, optionally requiring a prefix
/// (so `r:id` can be told from a plain `id`).
pub(crate) fn attr(e: &BytesStart<'_>, name: &[u8], prefixed: bool) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key;
        if key.local_name().into_inner() != name || key.prefix().is_some() != prefixed {
            return None;
        }
        a.unescape_value().ok().map(|v| v.into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(xml: &str) -> String {
        let mut out = String::new();
        walk(xml.as_bytes(), "t", |n| {
            if let Node::Text(t) = n {
                out.push_str(t);
            }
            true
        })
        .unwrap();
        out
    }

    #[test]
    fn decodes_entities_and_char_refs() {
        assert_eq!(
            texts("<a>R&amp;D &lt;KM&gt; &quot;x&apos; &#3629;&#x0E2A;ม.</a>"),
            "R&D <KM> \"x' อสม."
        );
        assert_eq!(texts("<a><![CDATA[<b>]]></a>"), "<b>");
    }

    #[test]
    fn malformed_xml_is_corrupt() {
        for bad in [&b"<a><b></a>"[..], b"<a><b>text", b"<a x=\"1></a>"] {
            let err = walk(bad, "p", |_| true).unwrap_err();
            assert!(matches!(err, ExtractError::Corrupt(_)), "{err:?}");
        }
    }

    #[test]
    fn reads_prefixed_and_plain_attributes_apart() {
        let xml = br#"<p:sldId id="256" r:id="rId2"/>"#;
        let mut got = None;
        walk(xml, "t", |n| {
            if let Node::Empty(e) = n {
                got = Some((attr(e, b"id", false), attr(e, b"id", true)));
            }
            true
        })
        .unwrap();
        assert_eq!(got, Some((Some("256".into()), Some("rId2".into()))));
    }
}
