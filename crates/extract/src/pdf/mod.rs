//! PDF: lopdf parses the file (xref repair, decryption with the empty password, stream
//! filters, decompression limits); our own content-stream walk turns the glyphs into text.
//!
//! The walk exists because of Thai. Chromium and LibreOffice both wrap shaped Thai clusters
//! in `/Span << /ActualText (…) >> BDC … EMC`: Chromium maps the glyphs of shifted tone
//! marks to U+0000 in ToUnicode, LibreOffice maps a glyph reused for another character to
//! the first one it met, and in both the ActualText is the only correct text. Neither
//! `lopdf::Document::extract_text` nor `pdf-extract` reads ActualText (see the crate docs for
//! the measurements). The walk also places line breaks and spaces from glyph positions, and
//! never puts a space before a Thai combining mark.

mod cmap;
mod content;
mod font;

use std::cell::Cell;
use std::collections::HashSet;

use lopdf::{DecompressError, Document, LoadOptions, Object, Stream};

use crate::output::Output;
use crate::{ExtractError, Limits};

/// Bytes still allowed to come out of stream filters for this document.
pub(crate) struct Budget {
    left: u64,
    limit: u64,
    /// One stream (or one page's content) is held whole: at most this much at once.
    per_stream: u64,
}

impl Budget {
    fn room(&self) -> usize {
        usize::try_from(self.left.min(self.per_stream)).unwrap_or(usize::MAX)
    }

    fn spend(&mut self, n: usize) {
        self.left = self.left.saturating_sub(n as u64);
    }

    fn exceeded(&self) -> ExtractError {
        ExtractError::TooLarge(format!(
            "PDF streams inflate to over {} bytes, or one to over {}",
            self.limit, self.per_stream
        ))
    }

    /// Decodes a stream against the budget. A stream whose filter cannot be decoded reads as
    /// empty: one broken image or font must not cost the whole document's text.
    pub fn inflate(&mut self, stream: &Stream) -> Result<Vec<u8>, ExtractError> {
        match stream.get_plain_content_with_limit(self.room()) {
            Ok(data) => {
                self.spend(data.len());
                Ok(data)
            }
            Err(lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. })) => {
                Err(self.exceeded())
            }
            Err(_) => Ok(Vec::new()),
        }
    }
}

/// lopdf decodes object streams while loading, one at a time; each may inflate to at most
/// this much (real ones are tens of kilobytes) and is parsed whole before its members are
/// counted. Content streams are charged to [`Budget`] instead.
const MAX_OBJECT_STREAM_BYTES: u64 = 1 << 20;

/// Tokens of `bytes` outside `stream … endstream`: each becomes at most one parsed object
/// (strings with spaces are counted more than once, erring on the safe side).
fn structure_tokens(bytes: &[u8]) -> u64 {
    let is_space = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0 | 0x0c);
    let is_delim = |c: u8| b"[]<>()/{}%".contains(&c);
    let count = |part: &[u8], prev: &mut u8| {
        let mut n = 0u64;
        for &c in part {
            if !is_space(c) && (is_space(*prev) || is_delim(*prev) || is_delim(c)) {
                n += 1;
            }
            *prev = c;
        }
        n
    };
    let find = |from: usize, needle: &[u8]| {
        bytes[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| from + p)
    };
    let (mut at, mut tokens, mut prev) = (0, 0, b' ');
    while let Some(start) = find(at, b"stream") {
        // `endstream` also contains `stream`: only a keyword that opens a stream counts.
        let opens = start < 3 || &bytes[start - 3..start] != b"end";
        if !opens {
            at = start + 6;
            continue;
        }
        tokens += count(&bytes[at..start], &mut prev);
        match find(start + 6, b"endstream") {
            Some(end) => at = end + 9,
            None => return tokens,
        }
    }
    tokens + count(&bytes[at..], &mut prev)
}

thread_local! {
    /// Estimated bytes of the objects the loader has kept so far on this thread, and the
    /// most allowed. lopdf takes a plain `fn` as its object filter, so the running total
    /// lives here (one extraction per thread at a time; lopdf's `rayon` feature is off).
    static OBJECT_BYTES: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// What a parsed object costs in memory, roughly: its nodes plus the bytes they own.
fn object_cost(object: &Object) -> u64 {
    let node = std::mem::size_of::<Object>() as u64;
    let mut cost = 0;
    let mut stack = vec![object];
    while let Some(o) = stack.pop() {
        cost += node;
        match o {
            Object::Name(b) | Object::String(b, _) => cost += b.len() as u64,
            Object::Array(items) => stack.extend(items.iter()),
            Object::Dictionary(d) => {
                for (k, v) in d.iter() {
                    cost += k.len() as u64 + 16;
                    stack.push(v);
                }
            }
            Object::Stream(s) => {
                cost += s.content.len() as u64;
                for (k, v) in s.dict.iter() {
                    cost += k.len() as u64 + 16;
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
    cost
}

/// The loader's filter: keeps objects while their estimated total stays within the limit;
/// past it, drops them (so memory stays bounded) and leaves the total above the limit.
///
/// lopdf keeps its own `object` for top-level objects and the returned one for members of
/// object streams. Streams are never members, so they need no copy.
fn count_object(id: (u32, u16), object: &mut Object) -> Option<((u32, u16), Object)> {
    OBJECT_BYTES.with(|c| {
        let (used, max) = c.get();
        let used = used.saturating_add(object_cost(object));
        c.set((used, max));
        (used <= max).then(|| match object {
            Object::Stream(_) => (id, Object::Null),
            other => (id, other.clone()),
        })
    })
}

/// Loads the document with the object filter; a page tree lost to a damaged cross-reference
/// table is looked for again by scanning the file, as lopdf does for unfiltered loads.
fn load(bytes: &[u8], limits: &Limits) -> Result<Document, ExtractError> {
    let object_stream_limit = limits.max_stream_bytes.min(MAX_OBJECT_STREAM_BYTES);
    let attempt = |force_reconstruct: bool| {
        OBJECT_BYTES.with(|c| c.set((0, limits.max_pdf_object_bytes)));
        let options = LoadOptions {
            max_decompressed_size: Some(usize::try_from(object_stream_limit).unwrap_or(usize::MAX)),
            filter: Some(count_object),
            force_reconstruct,
            ..LoadOptions::default()
        };
        let doc = Document::load_mem_with_options(bytes, options).map_err(|e| match e {
            lopdf::Error::Decryption(_)
            | lopdf::Error::InvalidPassword
            | lopdf::Error::UnsupportedSecurityHandler(_) => ExtractError::Encrypted,
            lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => {
                ExtractError::TooLarge(format!(
                    "a PDF object stream inflates past {object_stream_limit} bytes"
                ))
            }
            e => ExtractError::corrupt(format!("pdf: {e}")),
        });
        let (used, max) = OBJECT_BYTES.with(Cell::get);
        if used > max {
            return Err(ExtractError::TooLarge(format!(
                "PDF objects need over {max} bytes of memory"
            )));
        }
        doc
    };
    let doc = attempt(false)?;
    if doc.page_iter().next().is_none()
        && let Ok(rebuilt) = attempt(true)
        && rebuilt.page_iter().next().is_some()
    {
        return Ok(rebuilt);
    }
    Ok(doc)
}

pub(crate) fn extract(bytes: &[u8], limits: &Limits, out: &mut Output) -> Result<(), ExtractError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(ExtractError::corrupt("no %PDF- header"));
    }
    let tokens = structure_tokens(bytes);
    let estimate = tokens.saturating_mul(std::mem::size_of::<Object>() as u64);
    if estimate > limits.max_pdf_object_bytes {
        return Err(ExtractError::TooLarge(format!(
            "{tokens} PDF tokens outside streams would parse into about {estimate} bytes, limit {}",
            limits.max_pdf_object_bytes
        )));
    }
    let doc = load(bytes, limits)?;
    // lopdf decrypts with the empty user password by itself (documents that only restrict
    // printing or copying); when that fails the trailer still names /Encrypt.
    if doc.trailer.has(b"Encrypt") && doc.encryption_state.is_none() {
        return Err(ExtractError::Encrypted);
    }
    let mut budget = Budget {
        left: limits.max_unzipped_bytes,
        limit: limits.max_unzipped_bytes,
        per_stream: limits.max_stream_bytes,
    };
    let mut walker = content::Walker::new(&doc);
    // A page listed twice in the tree is read once.
    let mut seen = HashSet::new();
    for page_id in doc.page_iter() {
        if out.is_full() {
            break;
        }
        if !seen.insert(page_id) {
            continue;
        }
        if seen.len() > limits.max_pages {
            return Err(ExtractError::TooLarge(format!(
                "more than {} pages",
                limits.max_pages
            )));
        }
        let text = walker.page(page_id, &mut budget, out.room())?;
        out.blank_line();
        out.push_str(text.trim_start());
    }
    Ok(())
}
