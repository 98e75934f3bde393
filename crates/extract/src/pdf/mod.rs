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

use lopdf::{DecompressError, Document, LoadOptions, Stream};

use crate::output::Output;
use crate::{ExtractError, Limits};

/// Bytes still allowed to come out of stream filters for this document.
pub(crate) struct Budget {
    left: u64,
    limit: u64,
}

impl Budget {
    fn room(&self) -> usize {
        usize::try_from(self.left).unwrap_or(usize::MAX)
    }

    fn spend(&mut self, n: usize) {
        self.left = self.left.saturating_sub(n as u64);
    }

    fn exceeded(&self) -> ExtractError {
        ExtractError::TooLarge(format!("PDF streams inflate to over {} bytes", self.limit))
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
/// this much (real ones are kilobytes). Content streams are charged to [`Budget`] instead.
const MAX_OBJECT_STREAM_BYTES: u64 = 64 << 20;

pub(crate) fn extract(bytes: &[u8], limits: &Limits, out: &mut Output) -> Result<(), ExtractError> {
    let head = &bytes[..bytes.len().min(1024)];
    if !head.windows(5).any(|w| w == b"%PDF-") {
        return Err(ExtractError::corrupt("no %PDF- header"));
    }
    let options = LoadOptions {
        max_decompressed_size: Some(
            usize::try_from(limits.max_unzipped_bytes.min(MAX_OBJECT_STREAM_BYTES))
                .unwrap_or(usize::MAX),
        ),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::Decryption(_)
        | lopdf::Error::InvalidPassword
        | lopdf::Error::UnsupportedSecurityHandler(_) => ExtractError::Encrypted,
        lopdf::Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => {
            ExtractError::TooLarge("a PDF object stream inflates past its limit".into())
        }
        e => ExtractError::corrupt(format!("pdf: {e}")),
    })?;
    // lopdf decrypts with the empty user password by itself (documents that only restrict
    // printing or copying); when that fails the trailer still names /Encrypt.
    if doc.trailer.has(b"Encrypt") && doc.encryption_state.is_none() {
        return Err(ExtractError::Encrypted);
    }
    let mut budget = Budget {
        left: limits.max_unzipped_bytes,
        limit: limits.max_unzipped_bytes,
    };
    let mut walker = content::Walker::new(&doc);
    for page_id in doc.page_iter() {
        if out.is_full() {
            break;
        }
        let text = walker.page(page_id, &mut budget, out.room())?;
        out.blank_line();
        out.push_str(text.trim_start());
    }
    Ok(())
}
