//! CMaps: the `/ToUnicode` map from character codes to text, and an embedded `/Encoding`
//! CMap's code lengths and CIDs (PDF 32000-1 §9.7.5, §9.10.3).
//!
//! Parsed here rather than through lopdf because lopdf consults `/Encoding` before
//! `/ToUnicode` for simple fonts, the reverse of the spec, and exposes no per-code lookup.

use std::collections::HashMap;

/// Codes that map to one string each, or ranges that map to consecutive text.
#[derive(Debug, Default)]
pub(crate) struct CMap {
    /// (first code, last code, byte length) of each `codespacerange`.
    spaces: Vec<(u32, u32, u8)>,
    chars: HashMap<(u8, u32), String>,
    ranges: Vec<Range>,
    cids: HashMap<(u8, u32), u32>,
    cid_ranges: Vec<(u8, u32, u32, u32)>,
}

#[derive(Debug)]
struct Range {
    len: u8,
    lo: u32,
    hi: u32,
    to: RangeTarget,
}

#[derive(Debug)]
enum RangeTarget {
    /// UTF-16 of the first code's text; later codes add their offset to the last unit.
    Start(Vec<u16>),
    /// One string per code.
    Each(Vec<String>),
}

/// Maps bigger than this are not real fonts; stop instead of spending memory on them.
const MAX_ENTRIES: usize = 200_000;

#[derive(Debug)]
enum Tok<'a> {
    Hex(Vec<u8>),
    Int(u32),
    Open,
    Close,
    Word(&'a [u8]),
}

fn tokens(data: &[u8]) -> impl Iterator<Item = Tok<'_>> {
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            let c = *data.get(i)?;
            match c {
                b'%' => {
                    while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                        i += 1;
                    }
                }
                b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
                b'>' if data.get(i + 1) == Some(&b'>') => i += 2,
                b'<' => {
                    let start = i + 1;
                    let end = data[start..]
                        .iter()
                        .position(|&b| b == b'>')
                        .map(|p| start + p);
                    let end = end.unwrap_or(data.len());
                    i = end + 1;
                    return Some(Tok::Hex(hex(&data[start..end])));
                }
                b'(' => {
                    // Literal strings only appear in headers (registry names); skip them.
                    let mut depth = 0;
                    while i < data.len() {
                        match data[i] {
                            b'\\' => i += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                }
                b'[' => {
                    i += 1;
                    return Some(Tok::Open);
                }
                b']' => {
                    i += 1;
                    return Some(Tok::Close);
                }
                c if c.is_ascii_whitespace() || c == b'{' || c == b'}' => i += 1,
                _ => {
                    let start = i;
                    while i < data.len() && !b"%<>()[]{}/ \t\r\n\x0c\0".contains(&data[i]) {
                        i += 1;
                    }
                    if i == start {
                        // A name's slash: skip it, the name follows as a word.
                        i += 1;
                        continue;
                    }
                    let word = &data[start..i];
                    return Some(
                        match std::str::from_utf8(word).ok().and_then(|s| s.parse().ok()) {
                            Some(n) => Tok::Int(n),
                            None => Tok::Word(word),
                        },
                    );
                }
            }
        }
    })
}

fn hex(digits: &[u8]) -> Vec<u8> {
    let nibbles: Vec<u8> = digits
        .iter()
        .filter_map(|&d| (d as char).to_digit(16).map(|v| v as u8))
        .collect();
    nibbles
        .chunks(2)
        .map(|p| (p[0] << 4) | p.get(1).copied().unwrap_or(0))
        .collect()
}

fn code(bytes: &[u8]) -> Option<(u8, u32)> {
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    Some((
        bytes.len() as u8,
        bytes.iter().fold(0u32, |acc, &b| (acc << 8) | b as u32),
    ))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|p| u16::from_be_bytes([p[0], p.get(1).copied().unwrap_or(0)]))
        .collect()
}

fn utf16_text(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&utf16_units(bytes))
}

impl CMap {
    pub fn parse(data: &[u8]) -> Self {
        let mut map = CMap::default();
        let toks: Vec<Tok<'_>> = tokens(data).collect();
        let hex_at = |i: usize| match toks.get(i) {
            Some(Tok::Hex(h)) => code(h),
            _ => None,
        };
        let mut i = 0;
        while i < toks.len() && map.entries() <= MAX_ENTRIES {
            let Tok::Word(w) = toks[i] else {
                i += 1;
                continue;
            };
            i += 1;
            match w {
                b"begincodespacerange" => {
                    while let (Some((len, lo)), Some((_, hi))) = (hex_at(i), hex_at(i + 1)) {
                        map.spaces.push((lo, hi, len));
                        i += 2;
                    }
                }
                b"beginbfchar" => {
                    while let (Some(key), Some(Tok::Hex(dst))) = (hex_at(i), toks.get(i + 1)) {
                        map.chars.insert(key, utf16_text(dst));
                        i += 2;
                    }
                }
                b"beginbfrange" => {
                    while let (Some((len, lo)), Some((_, hi))) = (hex_at(i), hex_at(i + 1)) {
                        let to = match toks.get(i + 2) {
                            Some(Tok::Hex(dst)) => {
                                i += 3;
                                RangeTarget::Start(utf16_units(dst))
                            }
                            Some(Tok::Open) => {
                                i += 3;
                                let mut each = Vec::new();
                                while let Some(Tok::Hex(d)) = toks.get(i) {
                                    each.push(utf16_text(d));
                                    i += 1;
                                }
                                if matches!(toks.get(i), Some(Tok::Close)) {
                                    i += 1;
                                }
                                RangeTarget::Each(each)
                            }
                            _ => break,
                        };
                        if lo <= hi {
                            map.ranges.push(Range { len, lo, hi, to });
                        }
                    }
                }
                b"begincidchar" => {
                    while let (Some(key), Some(Tok::Int(cid))) = (hex_at(i), toks.get(i + 1)) {
                        map.cids.insert(key, *cid);
                        i += 2;
                    }
                }
                b"begincidrange" => {
                    while let (Some((len, lo)), Some((_, hi)), Some(Tok::Int(cid))) =
                        (hex_at(i), hex_at(i + 1), toks.get(i + 2))
                    {
                        map.cid_ranges.push((len, lo, hi, *cid));
                        i += 3;
                    }
                }
                _ => {}
            }
        }
        map
    }

    fn entries(&self) -> usize {
        self.chars.len() + self.ranges.len() + self.cids.len() + self.cid_ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.ranges.is_empty()
    }

    /// How many bytes the next code in `bytes` takes, from the codespace ranges; `None` when
    /// the map declares none.
    pub fn code_len(&self, bytes: &[u8]) -> Option<usize> {
        if self.spaces.is_empty() {
            return None;
        }
        for len in 1..=4u8 {
            let Some((_, c)) = code(bytes.get(..len as usize)?) else {
                break;
            };
            if self
                .spaces
                .iter()
                .any(|&(lo, hi, l)| l == len && lo <= c && c <= hi)
            {
                return Some(len as usize);
            }
        }
        // Not in any range: consume the shortest declared length (§9.7.6.3).
        self.spaces.iter().map(|s| s.2 as usize).min()
    }

    /// The text for a code of `len` bytes.
    pub fn text(&self, len: u8, code: u32) -> Option<String> {
        if let Some(s) = self.chars.get(&(len, code)) {
            return Some(s.clone());
        }
        let r = self
            .ranges
            .iter()
            .find(|r| r.len == len && r.lo <= code && code <= r.hi)?;
        let offset = code - r.lo;
        match &r.to {
            RangeTarget::Start(units) => {
                let mut units = units.clone();
                let last = units.last_mut()?;
                *last = last.wrapping_add(offset as u16);
                Some(String::from_utf16_lossy(&units))
            }
            RangeTarget::Each(each) => each.get(offset as usize).cloned(),
        }
    }

    /// The CID for a code of an embedded `/Encoding` CMap, if mapped.
    pub fn cid(&self, len: u8, code: u32) -> Option<u32> {
        if let Some(&cid) = self.cids.get(&(len, code)) {
            return Some(cid);
        }
        self.cid_ranges
            .iter()
            .find(|&&(l, lo, hi, _)| l == len && lo <= code && code <= hi)
            .map(|&(_, lo, _, cid)| cid + (code - lo))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SKIA: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def /CMapType 2 def
1 begincodespacerange <0000> <FFFF> endcodespacerange
3 beginbfchar
<002A> <0E48>
<002C> <0000>
<0031> <0E170E35>
endbfchar
2 beginbfrange
<0040> <0042> <0E01>
<0050> <0051> [<0E2D> <00660069>]
endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end";

    #[test]
    fn chars_ranges_and_arrays() {
        let m = CMap::parse(SKIA);
        assert_eq!(m.text(2, 0x2A).as_deref(), Some("\u{0E48}"));
        assert_eq!(m.text(2, 0x2C).as_deref(), Some("\0"));
        assert_eq!(m.text(2, 0x31).as_deref(), Some("ที"));
        assert_eq!(m.text(2, 0x42).as_deref(), Some("\u{0E03}"));
        assert_eq!(m.text(2, 0x51).as_deref(), Some("fi"));
        assert_eq!(m.text(2, 0x43), None);
        assert_eq!(m.text(1, 0x2A), None);
        assert_eq!(m.code_len(&[0x00, 0x2A]), Some(2));
    }

    #[test]
    fn one_byte_codespace_and_cid_ranges() {
        let m = CMap::parse(
            b"2 begincodespacerange <00> <80> <8140> <9FFC> endcodespacerange
              1 begincidrange <8140> <817E> 633 endcidrange 1 begincidchar <20> 1 endcidchar",
        );
        assert_eq!(m.code_len(&[0x41, 0x42]), Some(1));
        assert_eq!(m.code_len(&[0x81, 0x42]), Some(2));
        assert_eq!(m.cid(2, 0x8142), Some(635));
        assert_eq!(m.cid(1, 0x20), Some(1));
    }

    #[test]
    fn garbage_parses_to_an_empty_map() {
        for junk in [
            &b""[..],
            b"<<<<",
            b"beginbfchar <12",
            b"beginbfrange <00> <FF> [<41",
            b"\xff\xfe((((",
        ] {
            let m = CMap::parse(junk);
            let _ = m.text(1, 0x41);
        }
        assert!(CMap::parse(b"%!PS junk").is_empty());
    }
}
