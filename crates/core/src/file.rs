//! Rules for uploaded files — what may be stored, what it is called, how it is served — kept
//! pure so they live in one place and are tested without a browser, database or object store.
//!
//! A file's type is decided by its content, never by its name or the browser's Content-Type:
//! both are chosen by the uploader, and a renamed executable or an HTML page served back from
//! our own origin would turn an agency's document library into a malware host or an XSS hole.

use std::fmt;
use std::ops::Range;

use serde::Serialize;
use unicode_segmentation::UnicodeSegmentation;

use crate::error::FieldError;

/// What kind of document a file is, for icons, filters and Thai labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Word,
    Excel,
    PowerPoint,
    OpenDocument,
    Image,
    Video,
    Audio,
    Zip,
}

impl FileKind {
    /// Every kind, in the order filters list them.
    pub const ALL: [FileKind; 9] = [
        FileKind::Pdf,
        FileKind::Word,
        FileKind::Excel,
        FileKind::PowerPoint,
        FileKind::OpenDocument,
        FileKind::Image,
        FileKind::Video,
        FileKind::Audio,
        FileKind::Zip,
    ];

    /// The stored name; the same string serde writes, so URLs, JSON and the database agree.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Word => "word",
            FileKind::Excel => "excel",
            FileKind::PowerPoint => "power_point",
            FileKind::OpenDocument => "open_document",
            FileKind::Image => "image",
            FileKind::Video => "video",
            FileKind::Audio => "audio",
            FileKind::Zip => "zip",
        }
    }

    /// The inverse of [`FileKind::as_str`] (for query strings and stored rows).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the UI calls it.
    pub fn label_th(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Word => "เอกสาร Word",
            FileKind::Excel => "ตาราง Excel",
            FileKind::PowerPoint => "งานนำเสนอ PowerPoint",
            FileKind::OpenDocument => "เอกสาร OpenDocument",
            FileKind::Image => "รูปภาพ",
            FileKind::Video => "วิดีโอ",
            FileKind::Audio => "เสียง",
            FileKind::Zip => "ไฟล์ ZIP",
        }
    }
}

/// How many leading bytes [`sniff`] wants; enough for every signature it knows.
pub const SNIFF_BYTES: usize = 8192;

/// The type [`sniff`] found: what to store as Content-Type and which extension fits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: FileKind,
    pub mime: &'static str,
    /// The canonical extension, without the dot.
    pub extension: &'static str,
}

impl Sniffed {
    const fn new(kind: FileKind, mime: &'static str, extension: &'static str) -> Self {
        Self {
            kind,
            mime,
            extension,
        }
    }

    /// The name to serve the file under: the user's own name when its extension fits the
    /// content, otherwise with the canonical extension appended. Windows opens a download by
    /// its extension, so an installer uploaded as `setup.msi` (an OLE2 file, like a .doc) must
    /// download as `setup.msi.doc` and open in Word, not in Windows Installer.
    pub fn name_for(&self, name: &FileName) -> FileName {
        if let Some(ext) = name.extension()
            && (ext == self.extension || self.extension_aliases().contains(&ext.as_str()))
        {
            return name.clone();
        }
        FileName(cap_graphemes(&format!("{}.{}", name.0, self.extension)))
    }

    /// Other extensions the same content is commonly saved under.
    fn extension_aliases(&self) -> &'static [&'static str] {
        match self.extension {
            "doc" => &["dot"],
            "xls" => &["xlt"],
            "ppt" => &["pps", "pot"],
            "jpg" => &["jpeg", "jpe"],
            "mp4" => &["m4v", "mov"],
            "webm" => &["mkv"],
            "ogg" => &["oga", "opus"],
            _ => &[],
        }
    }
}

const PDF: Sniffed = Sniffed::new(FileKind::Pdf, "application/pdf", "pdf");
const DOC: Sniffed = Sniffed::new(FileKind::Word, "application/msword", "doc");
const XLS: Sniffed = Sniffed::new(FileKind::Excel, "application/vnd.ms-excel", "xls");
const PPT: Sniffed = Sniffed::new(FileKind::PowerPoint, "application/vnd.ms-powerpoint", "ppt");
const DOCX: Sniffed = Sniffed::new(
    FileKind::Word,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
);
const XLSX: Sniffed = Sniffed::new(
    FileKind::Excel,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
);
const PPTX: Sniffed = Sniffed::new(
    FileKind::PowerPoint,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
);
const ODT: Sniffed = Sniffed::new(
    FileKind::OpenDocument,
    "application/vnd.oasis.opendocument.text",
    "odt",
);
const ODS: Sniffed = Sniffed::new(
    FileKind::OpenDocument,
    "application/vnd.oasis.opendocument.spreadsheet",
    "ods",
);
const ODP: Sniffed = Sniffed::new(
    FileKind::OpenDocument,
    "application/vnd.oasis.opendocument.presentation",
    "odp",
);
const ZIP: Sniffed = Sniffed::new(FileKind::Zip, "application/zip", "zip");
const PNG: Sniffed = Sniffed::new(FileKind::Image, "image/png", "png");
const JPEG: Sniffed = Sniffed::new(FileKind::Image, "image/jpeg", "jpg");
const GIF: Sniffed = Sniffed::new(FileKind::Image, "image/gif", "gif");
const WEBP: Sniffed = Sniffed::new(FileKind::Image, "image/webp", "webp");
const MP4: Sniffed = Sniffed::new(FileKind::Video, "video/mp4", "mp4");
const WEBM: Sniffed = Sniffed::new(FileKind::Video, "video/webm", "webm");
const MP3: Sniffed = Sniffed::new(FileKind::Audio, "audio/mpeg", "mp3");
const WAV: Sniffed = Sniffed::new(FileKind::Audio, "audio/wav", "wav");
const OGG: Sniffed = Sniffed::new(FileKind::Audio, "audio/ogg", "ogg");
const FLAC: Sniffed = Sniffed::new(FileKind::Audio, "audio/flac", "flac");
const M4A: Sniffed = Sniffed::new(FileKind::Audio, "audio/mp4", "m4a");

const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

const NOT_ACCEPTED: &str = "ไฟล์ประเภทนี้อัปโหลดไม่ได้ — รับเฉพาะ PDF, Word, Excel, PowerPoint, \
                            OpenDocument, รูปภาพ, วิดีโอ MP4/WebM, เสียง และ ZIP";
const EMPTY_FILE: &str = "ไฟล์ว่างเปล่า กรุณาเลือกไฟล์ที่มีข้อมูลแล้วอัปโหลดใหม่";

/// Decides an upload's type from its first bytes (up to [`SNIFF_BYTES`]) against an
/// allowlist. The name only picks between formats that share a container (OLE2, ZIP);
/// anything not on the list — executables, scripts, HTML/SVG/XML — is refused.
pub fn sniff(head: &[u8], filename: &str) -> Result<Sniffed, FieldError> {
    if head.is_empty() {
        return Err(FieldError::new("file", EMPTY_FILE));
    }
    let ext = split_extension(last_component(filename))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    detect(head, &ext).ok_or_else(|| FieldError::new("file", NOT_ACCEPTED))
}

fn detect(head: &[u8], ext: &str) -> Option<Sniffed> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);

    if at(0, b"%PDF-") {
        return Some(PDF);
    }
    if at(0, &OLE2_MAGIC) {
        return Some(match ext {
            "xls" | "xlt" => XLS,
            "ppt" | "pps" | "pot" => PPT,
            _ => DOC,
        });
    }
    if at(0, b"PK\x03\x04") || at(0, b"PK\x05\x06") {
        return Some(zip_flavour(head, ext));
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return Some(PNG);
    }
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return Some(JPEG);
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return Some(GIF);
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return Some(WEBP);
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Some(WAV);
    }
    if at(4, b"ftyp") {
        return match head.get(8..12)? {
            b"isom" | b"iso2" | b"mp41" | b"mp42" | b"avc1" | b"M4V " | b"qt  " => Some(MP4),
            b"M4A " => Some(M4A),
            _ => None,
        };
    }
    if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        return Some(WEBM);
    }
    if at(0, b"OggS") {
        return Some(OGG);
    }
    if at(0, b"fLaC") {
        return Some(FLAC);
    }
    if at(0, b"ID3") || is_mp3_frame(head) {
        return Some(MP3);
    }
    None
}

/// OOXML, OpenDocument and plain ZIP share one container. OpenDocument starts with a stored
/// `mimetype` entry naming its type, so that wins when present; otherwise the extension picks.
fn zip_flavour(head: &[u8], ext: &str) -> Sniffed {
    if let Some(mimetype) = zip_mimetype_entry(head) {
        return [ODT, ODS, ODP]
            .into_iter()
            .find(|s| s.mime.as_bytes() == mimetype)
            .unwrap_or(ZIP);
    }
    match ext {
        "docx" => DOCX,
        "xlsx" => XLSX,
        "pptx" => PPTX,
        "odt" => ODT,
        "ods" => ODS,
        "odp" => ODP,
        _ => ZIP,
    }
}

/// The text of a first ZIP entry named `mimetype`, when it is stored uncompressed and fits in
/// `head` (the only way OpenDocument writes it).
fn zip_mimetype_entry(head: &[u8]) -> Option<&[u8]> {
    let u16_at = |o: usize| {
        head.get(o..o + 2)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let u32_at = |o: usize| {
        head.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if head.get(0..4)? != b"PK\x03\x04" {
        return None;
    }
    let method = u16_at(8)?;
    let size = usize::try_from(u32_at(18)?).ok()?;
    let name_len = u16_at(26)?;
    let extra_len = u16_at(28)?;
    if head.get(30..30 + name_len)? != b"mimetype" || method != 0 || size == 0 {
        return None;
    }
    let start = 30 + name_len + extra_len;
    head.get(start..start.checked_add(size)?)
}

/// An MPEG audio frame header: sync bits, a real MPEG version, Layer III, and a bitrate and
/// sample rate that are not the reserved values — strict enough that a UTF-16 text BOM
/// (FF FE, e.g. an HTML page) is not taken for audio.
fn is_mp3_frame(head: &[u8]) -> bool {
    let &[a, b, c, ..] = head else {
        return false;
    };
    a == 0xFF
        && b & 0xE0 == 0xE0
        && (b >> 3) & 0b11 != 0b01
        && (b >> 1) & 0b11 == 0b01
        && c >> 4 != 0xF
        && (c >> 2) & 0b11 != 0b11
}

const MAX_NAME_GRAPHEMES: usize = 200;
const MAX_EXTENSION_LEN: usize = 10;
const EMPTY_NAME: &str = "ชื่อไฟล์ว่าง กรุณาตั้งชื่อไฟล์";

/// A file's display name as the user gave it, made safe to store and to put in a header:
/// no path, no control or bidi-override characters, none of the characters Windows forbids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct FileName(String);

impl FileName {
    /// Cleans a browser-supplied name. Old browsers send the whole client path
    /// (`C:\Users\…\report.pdf`), so only the last component is kept.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let kept: String = last_component(raw)
            .chars()
            .filter(|&c| !is_dropped_from_name(c))
            .collect();
        let trimmed = kept.trim_matches(is_name_edge);
        if trimmed.is_empty() {
            return Err(FieldError::new("file", EMPTY_NAME));
        }
        Ok(Self(cap_graphemes(trimmed)))
    }

    /// For names read back from storage, which were cleaned when they were saved.
    pub fn from_trusted(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The lower-case extension, if the name ends in a short ASCII one (`.pdf`, `.docx`);
    /// a dot inside Thai text such as `อสม. ๒๕๖๗` is not an extension.
    pub fn extension(&self) -> Option<String> {
        split_extension(&self.0).map(|(_, ext)| ext.to_ascii_lowercase())
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for FileName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn last_component(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Control characters can break headers and logs; `"<>:|?*` are refused by Windows when the
/// file is saved; bidi overrides and BOMs hide the real extension (`invoice\u{202E}fdp.exe`).
fn is_dropped_from_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '"' | '<'
                | '>'
                | ':'
                | '|'
                | '?'
                | '*'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Leading dots hide a file on Unix; trailing dots and spaces are stripped by Windows.
fn is_name_edge(c: char) -> bool {
    c.is_whitespace() || c == '.'
}

/// `(stem, extension)` when the name ends in a dot and 1–10 ASCII letters or digits.
fn split_extension(name: &str) -> Option<(&str, &str)> {
    let (stem, ext) = name.rsplit_once('.')?;
    let is_ext = !stem.is_empty()
        && (1..=MAX_EXTENSION_LEN).contains(&ext.len())
        && ext.bytes().all(|b| b.is_ascii_alphanumeric());
    is_ext.then_some((stem, ext))
}

/// Shortens to [`MAX_NAME_GRAPHEMES`] user-perceived characters, so a Thai vowel or tone mark
/// is never cut from its consonant and the extension survives.
fn cap_graphemes(name: &str) -> String {
    if name.graphemes(true).count() <= MAX_NAME_GRAPHEMES {
        return name.to_owned();
    }
    let (stem, ext) = match split_extension(name) {
        Some((stem, ext)) => (stem, Some(ext)),
        None => (name, None),
    };
    let budget = MAX_NAME_GRAPHEMES - ext.map_or(0, |e| e.len() + 1);
    let stem: String = stem.graphemes(true).take(budget).collect();
    let stem = stem.trim_end_matches(is_name_edge);
    match ext {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_owned(),
    }
}

/// A `Content-Disposition` value that keeps Thai names in every current browser
/// (RFC 6266 + RFC 5987 `filename*`) with an ASCII-only `filename` for old clients.
/// `inline` lets the browser show PDFs, images and media itself; `attachment` forces a save.
pub fn content_disposition(name: &FileName, inline: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let disposition = if inline { "inline" } else { "attachment" };
    // `%` is replaced too: some clients percent-decode the plain `filename` (RFC 6266 §D).
    let fallback: String = name
        .0
        .chars()
        .map(|c| match c {
            '"' | '\\' | '%' => '_',
            ' '..='~' => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::with_capacity(name.0.len() * 3);
    for &b in name.0.as_bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push('%');
            encoded.push(char::from(HEX[usize::from(b >> 4)]));
            encoded.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
    format!("{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// What to send for a request's `Range` header; video and audio players seek with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeRequest {
    /// 200 with the whole file.
    Full,
    /// 206 with these bytes (half-open).
    Partial(Range<u64>),
}

/// The range lies outside the file: answer 416 with `Content-Range: bytes */<size>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsatisfiable;

impl fmt::Display for Unsatisfiable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("range not satisfiable")
    }
}

impl std::error::Error for Unsatisfiable {}

/// Reads a single-range `Range` header (RFC 9110 §14). Anything this server does not serve —
/// bad syntax, another unit, several ranges — is ignored and the whole file sent, as the RFC
/// allows; only a well-formed range outside the file is [`Unsatisfiable`].
pub fn parse_range(header: Option<&str>, size: u64) -> Result<RangeRequest, Unsatisfiable> {
    let Some(spec) = header.and_then(parse_byte_range) else {
        return Ok(RangeRequest::Full);
    };
    // An empty file has no byte to send, and no `Content-Range` can describe zero bytes.
    if size == 0 {
        return Err(Unsatisfiable);
    }
    match spec {
        RangeSpec::From { start, .. } if start >= size => Err(Unsatisfiable),
        RangeSpec::From { start, end } => {
            let last = end.map_or(size - 1, |end| end.min(size - 1));
            Ok(RangeRequest::Partial(start..last + 1))
        }
        RangeSpec::Suffix(0) => Err(Unsatisfiable),
        RangeSpec::Suffix(len) => Ok(RangeRequest::Partial(size - len.min(size)..size)),
    }
}

enum RangeSpec {
    /// `bytes=a-b` or `bytes=a-`.
    From { start: u64, end: Option<u64> },
    /// `bytes=-n`: the last n bytes.
    Suffix(u64),
}

fn parse_byte_range(header: &str) -> Option<RangeSpec> {
    let (unit, set) = header.split_once('=')?;
    if !unit.trim().eq_ignore_ascii_case("bytes") || set.contains(',') {
        return None;
    }
    let (first, last) = set.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return Some(RangeSpec::Suffix(parse_digits(last)?));
    }
    let start = parse_digits(first)?;
    if last.is_empty() {
        return Some(RangeSpec::From { start, end: None });
    }
    let end = parse_digits(last)?;
    // RFC 9110 §14.1.1: last-pos < first-pos makes the range invalid, not unsatisfiable.
    (end >= start).then_some(RangeSpec::From {
        start,
        end: Some(end),
    })
}

/// Plain ASCII digits only (no sign); huge values saturate, so they still compare correctly.
fn parse_digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

/// A file size for the Thai UI: `950 B`, `12.3 KB`, `4.5 MB`, `1.2 GB` (base 1024).
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let b = u128::from(bytes);
    // Rounded tenths of a unit, computed in integers so 1023.96 KB shows as 1.0 MB.
    let tenths = |unit: u128| (b * 10 + unit / 2) / unit;
    let (t, label) = if tenths(1 << 10) < 10 * 1024 {
        (tenths(1 << 10), "KB")
    } else if tenths(1 << 20) < 10 * 1024 {
        (tenths(1 << 20), "MB")
    } else {
        (tenths(1 << 30), "GB")
    };
    format!("{}.{} {label}", t / 10, t % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    // ---- FileKind ----

    #[test]
    fn kind_as_str_round_trips_through_parse() {
        for kind in FileKind::ALL {
            assert_eq!(FileKind::parse(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn kind_strings_are_snake_case_and_distinct() {
        let names: Vec<_> = FileKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "pdf",
                "word",
                "excel",
                "power_point",
                "open_document",
                "image",
                "video",
                "audio",
                "zip"
            ]
        );
    }

    #[test]
    fn kind_parse_rejects_unknown_and_other_spellings() {
        for s in ["", "PDF", "Pdf", "powerpoint", "PowerPoint", "exe", " pdf"] {
            assert_eq!(FileKind::parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn kind_labels_are_thai() {
        assert_eq!(FileKind::Pdf.label_th(), "PDF");
        assert_eq!(FileKind::Word.label_th(), "เอกสาร Word");
        assert_eq!(FileKind::Excel.label_th(), "ตาราง Excel");
        assert_eq!(FileKind::PowerPoint.label_th(), "งานนำเสนอ PowerPoint");
        assert_eq!(FileKind::OpenDocument.label_th(), "เอกสาร OpenDocument");
        assert_eq!(FileKind::Image.label_th(), "รูปภาพ");
        assert_eq!(FileKind::Video.label_th(), "วิดีโอ");
        assert_eq!(FileKind::Audio.label_th(), "เสียง");
        assert_eq!(FileKind::Zip.label_th(), "ไฟล์ ZIP");
    }

    // ---- sniff: helpers ----

    fn with_tail(magic: &[u8]) -> Vec<u8> {
        let mut v = magic.to_vec();
        v.extend_from_slice(&[0u8; 64]);
        v
    }

    fn ole2() -> Vec<u8> {
        with_tail(&OLE2_MAGIC)
    }

    fn ftyp(brand: &[u8; 4]) -> Vec<u8> {
        let mut v = vec![0, 0, 0, 0x20];
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(brand);
        v.extend_from_slice(&[0, 0, 2, 0]);
        v.extend_from_slice(b"isomiso2mp41");
        v
    }

    fn riff(form: &[u8; 4]) -> Vec<u8> {
        let mut v = b"RIFF".to_vec();
        v.extend_from_slice(&[0x24, 0x08, 0, 0]);
        v.extend_from_slice(form);
        v.extend_from_slice(&[0u8; 32]);
        v
    }

    /// A ZIP local file header for a first entry `name` holding `data` (stored or deflated).
    fn zip_entry(name: &[u8], data: &[u8], method: u16) -> Vec<u8> {
        let mut v = b"PK\x03\x04".to_vec();
        v.extend_from_slice(&20u16.to_le_bytes()); // version
        v.extend_from_slice(&0u16.to_le_bytes()); // flags
        v.extend_from_slice(&method.to_le_bytes());
        v.extend_from_slice(&[0u8; 4]); // time, date
        v.extend_from_slice(&[0u8; 4]); // crc
        let len = u32::try_from(data.len()).unwrap();
        v.extend_from_slice(&len.to_le_bytes()); // compressed size
        v.extend_from_slice(&len.to_le_bytes()); // uncompressed size
        v.extend_from_slice(&u16::try_from(name.len()).unwrap().to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes()); // extra length
        v.extend_from_slice(name);
        v.extend_from_slice(data);
        v.extend_from_slice(b"PK\x03\x04more entries follow");
        v
    }

    fn ooxml() -> Vec<u8> {
        zip_entry(
            b"[Content_Types].xml",
            b"<?xml version=\"1.0\"?><Types/>",
            8,
        )
    }

    fn odf(mime: &str) -> Vec<u8> {
        zip_entry(b"mimetype", mime.as_bytes(), 0)
    }

    fn ok(head: &[u8], name: &str) -> Sniffed {
        sniff(head, name).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn refused(head: &[u8], name: &str) -> FieldError {
        match sniff(head, name) {
            Ok(s) => panic!("{name} was accepted as {s:?}"),
            Err(e) => e,
        }
    }

    // ---- sniff: accepted ----

    #[test]
    fn sniff_bytes_is_8k() {
        assert_eq!(SNIFF_BYTES, 8192);
    }

    #[test]
    fn sniffs_pdf_whatever_the_name() {
        let head = with_tail(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
        for name in ["คู่มือ.pdf", "scan.PDF", "no-extension", "wrong.docx", ""] {
            let s = ok(&head, name);
            assert_eq!(s, PDF);
            assert_eq!(
                (s.kind, s.mime, s.extension),
                (FileKind::Pdf, "application/pdf", "pdf")
            );
        }
    }

    #[test]
    fn sniffs_legacy_office_by_extension() {
        let head = ole2();
        assert_eq!(ok(&head, "บันทึก.doc"), DOC);
        assert_eq!(ok(&head, "งบ.xls"), XLS);
        assert_eq!(ok(&head, "สไลด์.ppt"), PPT);
        assert_eq!(ok(&head, "งบ.XLS"), XLS);
        assert_eq!(ok(&head, "show.pps"), PPT);
        assert_eq!(ok(&head, "C:\\docs\\old.xls"), XLS);
        assert_eq!(XLS.mime, "application/vnd.ms-excel");
        assert_eq!(PPT.mime, "application/vnd.ms-powerpoint");
    }

    #[test]
    fn legacy_office_defaults_to_word() {
        let head = ole2();
        for name in ["", "file", "mail.msg", "setup.msi", "x.xlsx"] {
            let s = ok(&head, name);
            assert_eq!(s, DOC, "{name}");
            assert_eq!(s.mime, "application/msword");
            assert_eq!(s.extension, "doc");
        }
    }

    #[test]
    fn sniffs_ooxml_by_extension() {
        let head = ooxml();
        let docx = ok(&head, "รายงาน.docx");
        assert_eq!(docx.kind, FileKind::Word);
        assert_eq!(
            docx.mime,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(docx.extension, "docx");
        let xlsx = ok(&head, "Budget.XLSX");
        assert_eq!(xlsx.kind, FileKind::Excel);
        assert_eq!(
            xlsx.mime,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert_eq!(xlsx.extension, "xlsx");
        let pptx = ok(&head, "deck.pptx");
        assert_eq!(pptx.kind, FileKind::PowerPoint);
        assert_eq!(
            pptx.mime,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        );
        assert_eq!(pptx.extension, "pptx");
    }

    #[test]
    fn sniffs_opendocument_by_extension_when_no_mimetype_entry() {
        let head = ooxml();
        assert_eq!(ok(&head, "a.odt"), ODT);
        assert_eq!(ok(&head, "a.ods"), ODS);
        assert_eq!(ok(&head, "a.odp"), ODP);
        assert_eq!(ODT.kind, FileKind::OpenDocument);
    }

    #[test]
    fn opendocument_mimetype_entry_decides_over_the_name() {
        assert_eq!(
            ok(&odf("application/vnd.oasis.opendocument.text"), "a.odt"),
            ODT
        );
        assert_eq!(
            ok(
                &odf("application/vnd.oasis.opendocument.spreadsheet"),
                "a.odt"
            ),
            ODS
        );
        assert_eq!(
            ok(
                &odf("application/vnd.oasis.opendocument.presentation"),
                "archive.zip"
            ),
            ODP
        );
        assert_eq!(ODS.mime, "application/vnd.oasis.opendocument.spreadsheet");
        assert_eq!(ODP.extension, "odp");
    }

    #[test]
    fn foreign_mimetype_entry_is_plain_zip() {
        // An EPUB (or anything else) named .odt is not an OpenDocument file.
        assert_eq!(ok(&odf("application/epub+zip"), "book.odt"), ZIP);
        assert_eq!(ok(&odf("text/html"), "page.docx"), ZIP);
    }

    #[test]
    fn unreadable_mimetype_entry_falls_back_on_the_extension() {
        // Deflated, or cut off by the end of `head`.
        let deflated = zip_entry(b"mimetype", b"application/vnd.oasis.opendocument.text", 8);
        assert_eq!(ok(&deflated, "a.odt"), ODT);
        let full = odf("application/vnd.oasis.opendocument.text");
        assert_eq!(ok(&full[..40], "a.ods"), ODS);
        assert_eq!(ok(&full[..40], "a.zip"), ZIP);
    }

    #[test]
    fn sniffs_plain_zip() {
        assert_eq!(ok(&ooxml(), "ภาพกิจกรรม.zip"), ZIP);
        assert_eq!(ok(&ooxml(), "no-extension"), ZIP);
        let empty_zip = with_tail(b"PK\x05\x06");
        assert_eq!(ok(&empty_zip, "empty.zip"), ZIP);
        assert_eq!(ZIP.mime, "application/zip");
        assert_eq!(ZIP.kind, FileKind::Zip);
    }

    #[test]
    fn a_zip_named_exe_is_only_a_zip() {
        let s = ok(&ooxml(), "setup.exe");
        assert_eq!(s, ZIP);
        let name = FileName::parse("setup.exe").unwrap();
        assert_eq!(s.name_for(&name).as_str(), "setup.exe.zip");
    }

    #[test]
    fn sniffs_images() {
        assert_eq!(
            ok(&with_tail(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "a.png"),
            PNG
        );
        assert_eq!(ok(&with_tail(&[0xFF, 0xD8, 0xFF, 0xE0]), "a.jpeg"), JPEG);
        assert_eq!(
            ok(&with_tail(&[0xFF, 0xD8, 0xFF, 0xE1]), "IMG_0001.JPG"),
            JPEG
        );
        assert_eq!(ok(&with_tail(b"GIF87a"), "a.gif"), GIF);
        assert_eq!(ok(&with_tail(b"GIF89a"), "a.gif"), GIF);
        assert_eq!(ok(&riff(b"WEBP"), "a.webp"), WEBP);
        assert_eq!(
            [PNG, JPEG, GIF, WEBP].map(|s| (s.kind, s.mime, s.extension)),
            [
                (FileKind::Image, "image/png", "png"),
                (FileKind::Image, "image/jpeg", "jpg"),
                (FileKind::Image, "image/gif", "gif"),
                (FileKind::Image, "image/webp", "webp"),
            ]
        );
    }

    #[test]
    fn sniffs_mp4_family_as_video_mp4() {
        for brand in [
            b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"qt  ",
        ] {
            let s = ok(&ftyp(brand), "clip.mov");
            assert_eq!(s, MP4, "{:?}", std::str::from_utf8(brand));
            assert_eq!(
                (s.kind, s.mime, s.extension),
                (FileKind::Video, "video/mp4", "mp4")
            );
        }
    }

    #[test]
    fn sniffs_m4a_as_audio() {
        let s = ok(&ftyp(b"M4A "), "podcast.m4a");
        assert_eq!(
            (s.kind, s.mime, s.extension),
            (FileKind::Audio, "audio/mp4", "m4a")
        );
    }

    #[test]
    fn refuses_unlisted_ftyp_brands() {
        for brand in [b"heic", b"avif", b"3gp4", b"crx ", b"M4B "] {
            refused(&ftyp(brand), "x.mp4");
        }
    }

    #[test]
    fn sniffs_webm_and_matroska() {
        let s = ok(
            &with_tail(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86]),
            "a.mkv",
        );
        assert_eq!(
            (s.kind, s.mime, s.extension),
            (FileKind::Video, "video/webm", "webm")
        );
    }

    #[test]
    fn sniffs_audio() {
        assert_eq!(ok(&with_tail(b"ID3\x04\0\0\0\0\0\x23"), "เพลง.mp3"), MP3);
        // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, with and without CRC.
        assert_eq!(ok(&with_tail(&[0xFF, 0xFB, 0x90, 0x64]), "a.mp3"), MP3);
        assert_eq!(ok(&with_tail(&[0xFF, 0xFA, 0x90, 0x64]), "a.mp3"), MP3);
        // MPEG-2 and MPEG-2.5 Layer III.
        assert_eq!(ok(&with_tail(&[0xFF, 0xF3, 0x64, 0xC4]), "a.mp3"), MP3);
        assert_eq!(ok(&with_tail(&[0xFF, 0xE3, 0x18, 0xC4]), "a.mp3"), MP3);
        assert_eq!(ok(&riff(b"WAVE"), "a.wav"), WAV);
        assert_eq!(ok(&with_tail(b"OggS\0\x02"), "a.ogg"), OGG);
        assert_eq!(ok(&with_tail(b"fLaC\0\0\0\x22"), "a.flac"), FLAC);
        assert_eq!(
            [MP3, WAV, OGG, FLAC].map(|s| (s.kind, s.mime, s.extension)),
            [
                (FileKind::Audio, "audio/mpeg", "mp3"),
                (FileKind::Audio, "audio/wav", "wav"),
                (FileKind::Audio, "audio/ogg", "ogg"),
                (FileKind::Audio, "audio/flac", "flac"),
            ]
        );
    }

    #[test]
    fn refuses_mpeg_headers_that_are_not_layer_three() {
        // UTF-16LE BOM + "<h" (an HTML page), reserved version, Layer I, bad bitrate,
        // reserved sample rate, ADTS AAC.
        for head in [
            b"\xFF\xFE<\0h\0t\0m\0l\0>\0".as_slice(),
            &[0xFF, 0xEB, 0x90, 0x64],
            &[0xFF, 0xFF, 0x90, 0x64],
            &[0xFF, 0xFB, 0xF0, 0x64],
            &[0xFF, 0xFB, 0x9C, 0x64],
            &[0xFF, 0xF1, 0x50, 0x80],
            &[0xFF, 0xFB],
        ] {
            refused(head, "a.mp3");
        }
    }

    #[test]
    fn refuses_other_riff_forms() {
        refused(&riff(b"AVI "), "a.avi");
        refused(&riff(b"CDR "), "a.webp");
        refused(b"RIFF\0\0\0\0WEB", "a.webp");
    }

    // ---- sniff: refused ----

    #[test]
    fn refuses_renamed_executables() {
        let cases: [(&[u8], &str); 8] = [
            (b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF", "รายงาน.pdf"),
            (b"MZ", "x.docx"),
            (b"\x7FELF\x02\x01\x01\0", "photo.jpg"),
            (&[0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1], "a.mp4"),
            (&[0xCE, 0xFA, 0xED, 0xFE], "a.png"),
            (&[0xFE, 0xED, 0xFA, 0xCF], "a.zip"),
            (&[0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 2], "a.doc"),
            (b"\0asm\x01\0\0\0", "a.pdf"),
        ];
        for (head, name) in cases {
            refused(&with_tail(head), name);
        }
    }

    #[test]
    fn refuses_scripts_and_markup() {
        for (head, name) in [
            ("#!/bin/sh\nrm -rf /\n", "backup.zip"),
            ("#!/usr/bin/env python3\n", "a.pdf"),
            ("<!DOCTYPE html><script>alert(1)</script>", "a.pdf"),
            ("<html><body onload=alert(1)>", "page.html"),
            (
                "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
                "logo.svg",
            ),
            ("<?xml version=\"1.0\"?><svg/>", "logo.png"),
            ("\u{FEFF}<html>", "a.docx"),
            ("   <script>alert(1)</script>", "a.jpg"),
            ("@echo off\r\nformat c:", "a.bat"),
            ("plain text is not on the list", "readme.txt"),
            ("{\"json\": true}", "a.json"),
            ("%!PS-Adobe-3.0", "a.pdf"),
        ] {
            refused(head.as_bytes(), name);
        }
    }

    #[test]
    fn refusal_says_what_is_accepted() {
        let e = refused(b"MZ", "a.exe");
        assert_eq!(e.field, "file");
        assert!(e.message.contains("อัปโหลดไม่ได้"), "{}", e.message);
        for accepted in [
            "PDF",
            "Word",
            "Excel",
            "PowerPoint",
            "รูปภาพ",
            "MP4/WebM",
            "เสียง",
            "ZIP",
        ] {
            assert!(e.message.contains(accepted), "{accepted} missing");
        }
    }

    #[test]
    fn refuses_empty_files_with_their_own_message() {
        let e = refused(b"", "a.pdf");
        assert_eq!(e.field, "file");
        assert!(e.message.contains("ว่าง"), "{}", e.message);
    }

    #[test]
    fn truncated_signatures_are_refused_without_panicking() {
        let samples = [
            with_tail(b"%PDF-1.4"),
            ole2(),
            ooxml(),
            odf("application/vnd.oasis.opendocument.text"),
            with_tail(b"\x89PNG\r\n\x1a\n"),
            with_tail(b"GIF89a"),
            riff(b"WEBP"),
            riff(b"WAVE"),
            ftyp(b"isom"),
            with_tail(&[0x1A, 0x45, 0xDF, 0xA3]),
            with_tail(b"OggS"),
            with_tail(b"fLaC"),
            with_tail(b"ID3"),
            with_tail(&[0xFF, 0xFB, 0x90]),
        ];
        for sample in &samples {
            for len in 0..=sample.len() {
                let _ = sniff(&sample[..len], "x.odt");
            }
        }
        refused(b"%PD", "a.pdf");
        refused(b"\x89PNG", "a.png");
        refused(b"GIF8", "a.gif");
        refused(b"\0\0\0\x20ftyp", "a.mp4");
        refused(b"PK", "a.zip");
        refused(&OLE2_MAGIC[..7], "a.doc");
        refused(&[0xFF, 0xD8], "a.jpg");
    }

    #[test]
    fn zip_header_with_lying_lengths_does_not_panic() {
        let mut head = odf("application/vnd.oasis.opendocument.text");
        head[18..22].copy_from_slice(&u32::MAX.to_le_bytes());
        head[28..30].copy_from_slice(&u16::MAX.to_le_bytes());
        assert_eq!(ok(&head, "a.odt"), ODT);
        assert_eq!(ok(&head, "a.bin"), ZIP);
    }

    #[test]
    fn only_the_last_path_component_picks_the_extension() {
        assert_eq!(ok(&ole2(), "/tmp/x.xls/report"), DOC);
        assert_eq!(ok(&ole2(), "a.ppt\\b.xls"), XLS);
    }

    // ---- Sniffed::name_for ----

    fn name(raw: &str) -> FileName {
        FileName::parse(raw).unwrap()
    }

    #[test]
    fn name_for_keeps_fitting_names() {
        for (s, raw) in [
            (PDF, "คู่มือ อสม. ๒๕๖๗.pdf"),
            (PDF, "SCAN.PDF"),
            (JPEG, "photo.jpeg"),
            (JPEG, "photo.JPG"),
            (MP4, "clip.MOV"),
            (MP4, "clip.m4v"),
            (WEBM, "clip.mkv"),
            (DOC, "template.dot"),
            (PPT, "show.pps"),
            (OGG, "voice.opus"),
            (DOCX, "a.docx"),
        ] {
            assert_eq!(s.name_for(&name(raw)).as_str(), raw);
        }
    }

    #[test]
    fn name_for_appends_the_canonical_extension_otherwise() {
        assert_eq!(DOC.name_for(&name("setup.msi")).as_str(), "setup.msi.doc");
        assert_eq!(PDF.name_for(&name("รายงาน")).as_str(), "รายงาน.pdf");
        assert_eq!(ZIP.name_for(&name("macro.docm")).as_str(), "macro.docm.zip");
        assert_eq!(PNG.name_for(&name("a.jpg")).as_str(), "a.jpg.png");
        assert_eq!(
            PDF.name_for(&name("ประชุม อสม. ๒๕๖๗")).as_str(),
            "ประชุม อสม. ๒๕๖๗.pdf"
        );
    }

    #[test]
    fn name_for_stays_within_the_length_cap() {
        let long = name(&"ก".repeat(200));
        let renamed = DOCX.name_for(&long);
        assert_eq!(renamed.as_str().graphemes(true).count(), 200);
        assert!(renamed.as_str().ends_with("ก.docx"));
    }

    // ---- FileName ----

    #[test]
    fn thai_names_survive_intact() {
        for raw in [
            "คู่มือ อสม. ๒๕๖๗.pdf",
            "แบบฟอร์ม (ฉบับแก้ไข) – ครั้งที่ 2.docx",
            "ภาพ@กิจกรรม#1 [ต.ค.].jpg",
            "ผู้ใหญ่บ้าน ๆ.xlsx",
            "a\u{200B}b.pdf",
        ] {
            assert_eq!(name(raw).as_str(), raw);
        }
    }

    #[test]
    fn keeps_only_the_last_path_component() {
        assert_eq!(
            name("C:\\Users\\สมชาย\\Desktop\\รายงาน.pdf").as_str(),
            "รายงาน.pdf"
        );
        assert_eq!(name("/home/user/docs/report.pdf").as_str(), "report.pdf");
        assert_eq!(name("../../etc/passwd").as_str(), "passwd");
        assert_eq!(name("..\\..\\boot.ini").as_str(), "boot.ini");
        assert_eq!(name("mixed/path\\file.txt").as_str(), "file.txt");
    }

    #[test]
    fn drops_control_and_forbidden_characters() {
        assert_eq!(name("a\r\nSet-Cookie: x.pdf").as_str(), "aSet-Cookie x.pdf");
        assert_eq!(name("re\0port\t.pdf").as_str(), "report.pdf");
        assert_eq!(name("\u{7F}del\u{85}.pdf").as_str(), "del.pdf");
        assert_eq!(name("what?<is>\"this\"|*:.pdf").as_str(), "whatisthis.pdf");
    }

    #[test]
    fn drops_bidi_overrides_that_hide_the_extension() {
        let n = name("invoice\u{202E}fdp.exe");
        assert_eq!(n.as_str(), "invoicefdp.exe");
        assert_eq!(n.extension().as_deref(), Some("exe"));
        assert_eq!(
            name("\u{FEFF}\u{2067}a\u{2069}\u{200F}.pdf").as_str(),
            "a.pdf"
        );
    }

    #[test]
    fn trims_spaces_and_dots_at_both_ends() {
        assert_eq!(name("  report.pdf  ").as_str(), "report.pdf");
        assert_eq!(name(".htaccess").as_str(), "htaccess");
        assert_eq!(name("report.pdf. . ").as_str(), "report.pdf");
        assert_eq!(name("\u{3000}\u{A0}บันทึก.doc\u{A0}").as_str(), "บันทึก.doc");
        assert_eq!(name("  a  b  ").as_str(), "a  b");
    }

    #[test]
    fn refuses_names_that_end_up_empty() {
        for raw in [
            "",
            "   ",
            ".",
            "..",
            " . . ",
            "dir/",
            "C:\\dir\\",
            "\u{202E}",
            "???",
            "\r\n",
        ] {
            let e = FileName::parse(raw).unwrap_err();
            assert_eq!(e.field, "file");
            assert_eq!(e.message, "ชื่อไฟล์ว่าง กรุณาตั้งชื่อไฟล์");
        }
    }

    #[test]
    fn caps_length_keeping_the_extension() {
        let n = name(&format!("{}.pdf", "a".repeat(300)));
        assert_eq!(n.as_str().chars().count(), 200);
        assert_eq!(n.as_str(), format!("{}.pdf", "a".repeat(196)));
        assert_eq!(n.extension().as_deref(), Some("pdf"));
    }

    #[test]
    fn caps_by_graphemes_so_thai_marks_stay_with_their_consonant() {
        // "คู่" is one grapheme of three code points.
        let n = name(&format!("{}.docx", "คู่".repeat(250)));
        assert_eq!(n.as_str().graphemes(true).count(), 200);
        assert_eq!(n.as_str(), format!("{}.docx", "คู่".repeat(195)));
        // Exactly 200 graphemes (600 code points) is left alone.
        let exact = format!("{}.pdf", "คู่".repeat(196));
        assert_eq!(name(&exact).as_str(), exact);
    }

    #[test]
    fn caps_names_without_an_extension() {
        let n = name(&"ข".repeat(500));
        assert_eq!(n.as_str(), "ข".repeat(200));
        // A long "extension" is just part of the name.
        let n = name(&format!("a.{}", "b".repeat(300)));
        assert_eq!(n.as_str().graphemes(true).count(), 200);
    }

    #[test]
    fn cap_trims_what_the_cut_leaves_at_the_end() {
        let raw = format!("{}   . more.pdf", "a".repeat(193));
        let n = name(&raw);
        assert_eq!(n.as_str(), format!("{}.pdf", "a".repeat(193)));
    }

    #[test]
    fn extension_is_lower_case_ascii_only() {
        assert_eq!(name("Report.PDF").extension().as_deref(), Some("pdf"));
        assert_eq!(name("archive.tar.gz").extension().as_deref(), Some("gz"));
        assert_eq!(name("video.Mp4").extension().as_deref(), Some("mp4"));
        assert_eq!(name("README").extension(), None);
        assert_eq!(name("ประชุม อสม. ๒๕๖๗").extension(), None);
        assert_eq!(name("v1.2 draft").extension(), None);
        assert_eq!(name("a.verylongextension").extension(), None);
        assert_eq!(name("htaccess").extension(), None);
    }

    #[test]
    fn from_trusted_keeps_the_string_as_is() {
        let n = FileName::from_trusted("../x.pdf".to_owned());
        assert_eq!(n.as_str(), "../x.pdf");
        assert_eq!(n.to_string(), "../x.pdf");
        assert_eq!(n.as_ref(), "../x.pdf");
    }

    // ---- content_disposition ----

    #[test]
    fn disposition_for_ascii_names() {
        assert_eq!(
            content_disposition(&name("report 2024.pdf"), false),
            "attachment; filename=\"report 2024.pdf\"; filename*=UTF-8''report%202024.pdf"
        );
        assert_eq!(
            content_disposition(&name("a.png"), true),
            "inline; filename=\"a.png\"; filename*=UTF-8''a.png"
        );
    }

    #[test]
    fn disposition_for_thai_names() {
        assert_eq!(
            content_disposition(&name("คู่มือ.pdf"), true),
            "inline; filename=\"______.pdf\"; \
             filename*=UTF-8''%E0%B8%84%E0%B8%B9%E0%B9%88%E0%B8%A1%E0%B8%B7%E0%B8%AD.pdf"
        );
    }

    #[test]
    fn disposition_escapes_quotes_backslashes_and_percent() {
        let n = FileName::from_trusted("a\"b\\c%41.pdf".to_owned());
        assert_eq!(
            content_disposition(&n, false),
            "attachment; filename=\"a_b_c_41.pdf\"; filename*=UTF-8''a%22b%5Cc%2541.pdf"
        );
    }

    #[test]
    fn disposition_leaves_attr_chars_unencoded() {
        let attr = "AZaz09!#$&+-.^_`|~";
        let header = content_disposition(&FileName::from_trusted(attr.to_owned()), false);
        assert!(
            header.ends_with(&format!("filename*=UTF-8''{attr}")),
            "{header}"
        );
        let others = "();,=@[]{}'/ ";
        let header = content_disposition(&FileName::from_trusted(others.to_owned()), false);
        assert!(
            header.ends_with("filename*=UTF-8''%28%29%3B%2C%3D%40%5B%5D%7B%7D%27%2F%20"),
            "{header}"
        );
    }

    #[test]
    fn disposition_never_carries_control_characters() {
        // Even a bad stored name cannot inject a header line.
        let n = FileName::from_trusted("x\r\nSet-Cookie: a=b\u{7F}.pdf".to_owned());
        let header = content_disposition(&n, false);
        assert!(header.chars().all(|c| (' '..='~').contains(&c)), "{header}");
        assert!(
            header.contains("filename=\"x__Set-Cookie: a=b_.pdf\""),
            "{header}"
        );
        assert!(
            header.contains("x%0D%0ASet-Cookie%3A%20a%3Db%7F.pdf"),
            "{header}"
        );
    }

    #[test]
    fn disposition_fallback_has_one_underscore_per_char() {
        let header = content_disposition(&name("ก ข.pdf"), false);
        assert!(header.contains("filename=\"_ _.pdf\""), "{header}");
        let header = content_disposition(&name("😀.png"), false);
        assert!(header.contains("filename=\"_.png\""), "{header}");
        assert!(
            header.contains("filename*=UTF-8''%F0%9F%98%80.png"),
            "{header}"
        );
    }

    // ---- parse_range ----

    fn partial(r: Range<u64>) -> Result<RangeRequest, Unsatisfiable> {
        Ok(RangeRequest::Partial(r))
    }

    #[test]
    fn no_header_is_full() {
        assert_eq!(parse_range(None, 1000), Ok(RangeRequest::Full));
        assert_eq!(parse_range(None, 0), Ok(RangeRequest::Full));
    }

    #[test]
    fn closed_ranges() {
        assert_eq!(parse_range(Some("bytes=0-499"), 1000), partial(0..500));
        assert_eq!(parse_range(Some("bytes=500-999"), 1000), partial(500..1000));
        assert_eq!(parse_range(Some("bytes=7-7"), 1000), partial(7..8));
        assert_eq!(parse_range(Some("bytes=0-0"), 1), partial(0..1));
    }

    #[test]
    fn end_is_clamped_to_the_last_byte() {
        assert_eq!(
            parse_range(Some("bytes=500-5000"), 1000),
            partial(500..1000)
        );
        assert_eq!(
            parse_range(Some("bytes=0-99999999999999999999999"), 1000),
            partial(0..1000)
        );
    }

    #[test]
    fn open_ended_ranges() {
        assert_eq!(parse_range(Some("bytes=0-"), 1000), partial(0..1000));
        assert_eq!(parse_range(Some("bytes=999-"), 1000), partial(999..1000));
    }

    #[test]
    fn suffix_ranges() {
        assert_eq!(parse_range(Some("bytes=-500"), 1000), partial(500..1000));
        assert_eq!(parse_range(Some("bytes=-1"), 1000), partial(999..1000));
        assert_eq!(parse_range(Some("bytes=-5000"), 1000), partial(0..1000));
        assert_eq!(
            parse_range(Some("bytes=-99999999999999999999999"), 1000),
            partial(0..1000)
        );
    }

    #[test]
    fn zero_length_suffix_is_unsatisfiable() {
        assert_eq!(parse_range(Some("bytes=-0"), 1000), Err(Unsatisfiable));
        assert_eq!(parse_range(Some("bytes=-000"), 1000), Err(Unsatisfiable));
    }

    #[test]
    fn start_past_the_end_is_unsatisfiable() {
        assert_eq!(parse_range(Some("bytes=1000-"), 1000), Err(Unsatisfiable));
        assert_eq!(
            parse_range(Some("bytes=1000-2000"), 1000),
            Err(Unsatisfiable)
        );
        assert_eq!(
            parse_range(Some("bytes=99999999999999999999999-"), 1000),
            Err(Unsatisfiable)
        );
    }

    #[test]
    fn any_range_on_an_empty_file_is_unsatisfiable() {
        for h in ["bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-0"] {
            assert_eq!(parse_range(Some(h), 0), Err(Unsatisfiable), "{h}");
        }
        // …but a header we ignore still gets the (empty) full body.
        assert_eq!(parse_range(Some("items=0-1"), 0), Ok(RangeRequest::Full));
    }

    #[test]
    fn whitespace_and_unit_case_are_tolerated() {
        assert_eq!(parse_range(Some("  bytes=0-9  "), 100), partial(0..10));
        assert_eq!(parse_range(Some("bytes= 10 - 19 "), 100), partial(10..20));
        assert_eq!(parse_range(Some("bytes = - 5"), 100), partial(95..100));
        assert_eq!(parse_range(Some("Bytes=0-1"), 100), partial(0..2));
        assert_eq!(parse_range(Some("BYTES=5-"), 100), partial(5..100));
    }

    #[test]
    fn invalid_headers_are_ignored() {
        for h in [
            "",
            "bytes",
            "bytes=",
            "bytes=-",
            "bytes=abc",
            "bytes=5",
            "bytes=a-b",
            "bytes=+1-2",
            "bytes=1-+2",
            "bytes=-+2",
            "bytes=1--2",
            "bytes=--2",
            "bytes=1-2-3",
            "bytes=0x10-20",
            "bytes=1.5-2",
            "bytes=٣-٥",
            "bytes=9-3",
            "bits=0-1",
            "items=0-1",
            "=0-1",
            "bytes0-1",
        ] {
            assert_eq!(parse_range(Some(h), 1000), Ok(RangeRequest::Full), "{h:?}");
        }
    }

    #[test]
    fn multiple_ranges_are_ignored() {
        for h in [
            "bytes=0-1,5-6",
            "bytes=0-1, 5-6",
            "bytes=0-,",
            "bytes=,0-1",
            "bytes=-5,-1",
        ] {
            assert_eq!(parse_range(Some(h), 1000), Ok(RangeRequest::Full), "{h:?}");
        }
    }

    #[test]
    fn unsatisfiable_displays() {
        assert_eq!(Unsatisfiable.to_string(), "range not satisfiable");
        let _: &dyn std::error::Error = &Unsatisfiable;
    }

    // ---- human_size ----

    #[test]
    fn bytes_below_a_kilobyte() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1), "1 B");
        assert_eq!(human_size(950), "950 B");
        assert_eq!(human_size(1023), "1023 B");
    }

    #[test]
    fn larger_units_with_one_decimal() {
        assert_eq!(human_size(1024), "1.0 KB");
        assert_eq!(human_size(12_595), "12.3 KB");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(4_718_592), "4.5 MB");
        assert_eq!(human_size(1_288_490_189), "1.2 GB");
        assert_eq!(human_size(10 * 1024 * 1024), "10.0 MB");
    }

    #[test]
    fn rounding_moves_up_a_unit_instead_of_showing_1024() {
        assert_eq!(human_size(1024 * 1024 - 1), "1.0 MB");
        assert_eq!(human_size(1024 * 1024 * 1024 - 1), "1.0 GB");
        assert_eq!(human_size(1024 * 1024 - 52), "1023.9 KB");
        assert_eq!(human_size(1024 * 1024 - 51), "1.0 MB");
    }

    #[test]
    fn gigabytes_are_the_largest_unit() {
        assert_eq!(human_size(2048 * 1024 * 1024 * 1024), "2048.0 GB");
        assert_eq!(human_size(u64::MAX), "17179869184.0 GB");
    }
}
