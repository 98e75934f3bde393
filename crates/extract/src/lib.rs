//! Plain text out of the files attached to knowledge items, so search finds the words inside
//! them. Synchronous and CPU-bound by design: the server calls [`extract`] from a background
//! job inside `tokio::task::spawn_blocking`.
//!
//! Formats: PDF, Word/PowerPoint/Excel (Office Open XML) and OpenDocument — the document
//! types `khlang_core::file::sniff` accepts. Plain text is not among them because uploads of
//! text files are refused. Every result goes through the `thai` module's repairs
//! (private-use glyphs, split SARA AM, tone-mark order) and whitespace tidying, then is
//! capped at [`Limits::max_output_chars`].
//!
//! # Choosing the PDF reader
//!
//! Measured on three Thai PDFs made from the seed documents: LibreOffice 7.4 Writer (27
//! pages), Chromium 156 "print to PDF" (40 pages, Type0/Identity-H fonts) and a LibreOffice
//! text import (9 pages). "Found" is the share of the source's Thai words present in the
//! output with all whitespace ignored, so line wrapping does not count. Times are release
//! builds, median of 7–9 runs, on the shared 2-core dev machine.
//!
//! | reader | Thai words found (Writer / Chromium / import) | time (Writer, Chromium) | permissions-only PDF | crates |
//! |---|---|---|---|---|
//! | `pdf-extract` 0.12.1 | 56.5% / 61.0% / 64.0% | 77 ms, 132 ms | text | 72 |
//! | `lopdf` 0.47 `extract_text` | 56.5% / 61.0% / 64.0% | 42 ms, 92 ms | text | 65 |
//! | `pdf_oxide` 0.3.78 | 85.6% / 100% / 96.7%, spaces inside words ("ดำ เนิน") | 156 ms, 321 ms | empty, no error | 164 |
//! | lopdf + this crate's content walk | 98.4% / 100% / 97.9% | 33–38 ms, 60–63 ms | text | 61 in all |
//! | `pdftotext` (poppler 22.12), for reference | 61.9% / 100% / 64.7% | | | |
//!
//! The first two lose tone marks and vowels wherever LibreOffice and Chrome rely on
//! `/ActualText`: "เมื่อ" becomes "เมื อ", "ด้าน" becomes "ดูาน". `pdf_oxide` reads
//! ActualText but splits words and returns nothing for RC4 files with an empty password.
//! So lopdf parses (lenient xref repair, RC4/AES decryption with the empty password,
//! bounded inflation) and the `pdf` module's own content walk makes the text. Its misses
//! are all words glued to curly quotes, which LibreOffice draws out of stream order (with
//! “ ” ignored: 99.97% / 100% / 100%); the walk keeps stream order because sorting a line
//! by position would interleave table cells and split their words. Crates are
//! `cargo tree --edges normal`, unique, each reader alone in a scratch crate; "61 in all"
//! is this whole crate, `zip` and `quick-xml` included.
//!
//! # Robustness
//!
//! No input panics the caller: [`extract`] runs the format reader under `catch_unwind` and
//! reports a panic as [`ExtractError::Corrupt`]. Work and memory are bounded by
//! [`Limits`]: input size, inflated bytes across all ZIP entries or PDF streams and in any
//! one of them, ZIP entry count, PDF pages and parsed PDF objects, and output characters.
//!
//! Peak memory above idle for one extraction, release build, `examples/peak_memory`
//! (hostile files from `tests/hostile`), before → after the per-piece and object bounds:
//!
//! | file | size | before | after |
//! |---|---|---|---|
//! | content stream inflating to 1 GiB | 1 MB | 502 MB (refused at the 500 MiB budget) | 18 MB, refused |
//! | 100k distinct pages | 13 MB | 325 MB, read | 0.4 MB, refused |
//! | 1M tiny objects | 35 MB | 290 MB, read | 0.3 MB, refused |
//! | one array of 1M zeros | 2 MB | not measured before; 123 MB with only the load-time count | 0.4 MB, refused |
//! | 5M `Tj` operations | 50 KB | 84 MB, read | 17 MB, refused |
//! | one page in /Kids 100k times | 586 KB | 24 MB, read | 0.3 MB, refused |

mod error;
mod odf;
mod ooxml;
mod output;
mod package;
mod pdf;
mod thai;
mod xml;

pub use error::ExtractError;

use output::Output;

/// The file kinds this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Pdf,
    Docx,
    Pptx,
    Xlsx,
    /// OpenDocument text, spreadsheet or presentation (.odt/.ods/.odp): one reader for all.
    OpenDocument,
}

impl Format {
    /// The format for a MIME type as khlang records it for uploads (`khlang_core::file`).
    /// Parameters and case are ignored; types without text (images, video, ZIP) and the
    /// legacy binary Office types give `None`.
    pub fn from_mime(mime: &str) -> Option<Format> {
        let essence = mime
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        Some(match essence.as_str() {
            "application/pdf" => Format::Pdf,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                Format::Docx
            }
            "application/vnd.openxmlformats-officedocument.presentationml.presentation" => {
                Format::Pptx
            }
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Format::Xlsx,
            "application/vnd.oasis.opendocument.text"
            | "application/vnd.oasis.opendocument.spreadsheet"
            | "application/vnd.oasis.opendocument.presentation" => Format::OpenDocument,
            _ => return None,
        })
    }
}

/// Bounds on one extraction. Hitting an input or work bound is [`ExtractError::TooLarge`];
/// hitting the output bound keeps the text so far with [`Extracted::truncated`] set.
///
/// The defaults keep one extraction under about 64 MB above idle for the hostile files of
/// `tests/hostile` (measured with `examples/peak_memory.rs`): memory is bounded by what is
/// held at once (one inflated stream, the parsed PDF objects, the output), work by totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Files larger than this are refused before any parsing.
    pub max_input_bytes: u64,
    /// Characters (Unicode scalar values) of text returned.
    pub max_output_chars: usize,
    /// Bytes that may come out of decompression in total: all ZIP entries of an Office file,
    /// or all content, font and form streams of a PDF. The zip-bomb guard.
    pub max_unzipped_bytes: u64,
    /// Bytes one decompressed piece may have, since it is held whole: one ZIP entry, one
    /// PDF page's content, font or form stream, one PDF object stream.
    pub max_stream_bytes: u64,
    /// ZIP entries an Office file may have; real documents have tens to a few thousand.
    pub max_zip_entries: usize,
    /// Distinct pages of a PDF.
    pub max_pages: usize,
    /// Estimated memory of the parsed PDF objects, checked twice: before parsing, from the
    /// tokens outside streams (`[0 0 0 …]` is one object per two bytes on disk, each over
    /// a hundred bytes in memory), and while loading, object streams' members included.
    pub max_pdf_object_bytes: u64,
}

impl Default for Limits {
    /// 200 MiB in, 1 M characters out, 128 MiB inflated in total and 16 MiB at once,
    /// 10 000 ZIP entries, 10 000 pages, 32 MiB of parsed PDF objects.
    fn default() -> Self {
        Self {
            max_input_bytes: 200 << 20,
            max_output_chars: 1_000_000,
            max_unzipped_bytes: 128 << 20,
            max_stream_bytes: 16 << 20,
            max_zip_entries: 10_000,
            max_pages: 10_000,
            max_pdf_object_bytes: 32 << 20,
        }
    }
}

/// The text of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// UTF-8 text: lines separated by `\n`, spreadsheet cells by `\t`, pages, slides and
    /// sheets by a blank line.
    pub text: String,
    /// True when [`Limits::max_output_chars`] cut the text short.
    pub truncated: bool,
}

/// Reads the text of `bytes` as `format`. Never panics; every failure is an
/// [`ExtractError`].
pub fn extract(format: Format, bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    if bytes.len() as u64 > limits.max_input_bytes {
        return Err(ExtractError::TooLarge(format!(
            "input is {} bytes, limit {}",
            bytes.len(),
            limits.max_input_bytes
        )));
    }
    if bytes.is_empty() {
        return Err(ExtractError::corrupt("empty file"));
    }
    let run = || {
        let mut out = Output::new(limits.max_output_chars);
        match format {
            Format::Pdf => pdf::extract(bytes, limits, &mut out),
            Format::Docx => ooxml::docx(bytes, limits, &mut out),
            Format::Pptx => ooxml::pptx(bytes, limits, &mut out),
            Format::Xlsx => ooxml::xlsx(bytes, limits, &mut out),
            Format::OpenDocument => odf::extract(bytes, limits, &mut out),
        }
        .map(|()| out.finish())
    };
    // The parsers are third-party code fed untrusted bytes; a panic in one of them is a
    // property of this file, not of the server.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
        .unwrap_or_else(|_| Err(ExtractError::corrupt(format!("{format:?} reader panicked"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_types_khlang_records() {
        assert_eq!(Format::from_mime("application/pdf"), Some(Format::Pdf));
        assert_eq!(
            Format::from_mime(
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            Some(Format::Docx)
        );
        assert_eq!(
            Format::from_mime(
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            ),
            Some(Format::Pptx)
        );
        assert_eq!(
            Format::from_mime("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Some(Format::Xlsx)
        );
        assert_eq!(
            Format::from_mime("application/vnd.oasis.opendocument.spreadsheet"),
            Some(Format::OpenDocument)
        );
        assert_eq!(
            Format::from_mime("Application/PDF; charset=binary"),
            Some(Format::Pdf)
        );
        assert_eq!(Format::from_mime("application/msword"), None);
        assert_eq!(Format::from_mime("image/png"), None);
        assert_eq!(Format::from_mime(""), None);
    }

    #[test]
    fn input_limit_is_checked_first() {
        let limits = Limits {
            max_input_bytes: 3,
            ..Limits::default()
        };
        assert!(matches!(
            extract(Format::Pdf, b"%PDF-1.7", &limits),
            Err(ExtractError::TooLarge(_))
        ));
        assert!(matches!(
            extract(Format::Docx, b"", &Limits::default()),
            Err(ExtractError::Corrupt(_))
        ));
    }

    #[test]
    fn thai_messages_for_every_error() {
        for e in [
            ExtractError::Corrupt("x".into()),
            ExtractError::Encrypted,
            ExtractError::TooLarge("x".into()),
            ExtractError::Unsupported("x".into()),
        ] {
            assert!(
                e.thai()
                    .chars()
                    .any(|c| ('\u{0E01}'..='\u{0E5B}').contains(&c))
            );
            assert!(!e.to_string().is_empty());
        }
        assert_eq!(ExtractError::Encrypted.thai(), "ไฟล์มีรหัสผ่าน อ่านข้อความไม่ได้");
    }
}
