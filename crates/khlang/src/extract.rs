//! The text reader core asks for: `khlang-extract` behind core's [`TextExtractor`] port.

use khlang_core::ports::{TextExtractor, TextRefused};
use khlang_extract::{Format, Limits, extract};

/// Reads PDF, Word, PowerPoint, Excel and OpenDocument files.
#[derive(Default)]
pub struct FileText {
    limits: Limits,
}

impl TextExtractor for FileText {
    fn handles(&self, mime: &str) -> bool {
        Format::from_mime(mime).is_some()
    }

    fn extract(&self, mime: &str, bytes: &[u8]) -> Result<String, TextRefused> {
        let format =
            Format::from_mime(mime).ok_or_else(|| TextRefused(format!("no text in {mime}")))?;
        extract(format, bytes, &self.limits)
            .map(|x| x.text)
            .map_err(|e| TextRefused(format!("{} ({e})", e.thai())))
    }
}
