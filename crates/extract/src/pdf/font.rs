//! What a PDF font tells us about a string: where each code ends, what text it stands for
//! and how far it moves the pen.

use lopdf::{Dictionary, Document, Encoding, Object};

use super::Budget;
use super::cmap::CMap;
use crate::ExtractError;

/// One character code of a shown string.
pub(crate) struct Glyph {
    /// The text it stands for; empty when the font gives no way to know.
    pub text: String,
    /// Advance in text space units (already divided by 1000, or by the Type 3 matrix).
    pub width: f32,
    /// A single-byte code 32, which word spacing (`Tw`) applies to.
    pub is_space: bool,
}

enum Codes {
    /// Simple fonts: one byte per code.
    OneByte,
    /// Type 0 with Identity-H/V or another predefined CMap: two bytes, CID = code.
    TwoByte,
    /// Type 0 with an embedded CMap stream.
    Embedded(CMap),
}

pub(crate) struct Font<'d> {
    codes: Codes,
    to_unicode: Option<CMap>,
    /// The simple-font encoding (standard, WinAnsi, Differences …) for codes ToUnicode
    /// does not cover.
    fallback: Option<Encoding<'d>>,
    widths: Widths,
    /// Glyph space to text space: 1/1000, or a Type 3 font's `FontMatrix[0]`.
    scale: f32,
}

enum Widths {
    Simple {
        first: u32,
        widths: Vec<f32>,
        missing: f32,
    },
    /// `/W` ranges (first CID, last CID, width) and `/DW`.
    Cid {
        ranges: Vec<(u32, u32, f32)>,
        default: f32,
    },
}

fn num(o: &Object) -> Option<f32> {
    o.as_float().ok().filter(|v| v.is_finite())
}

impl<'d> Font<'d> {
    pub fn load(
        doc: &'d Document,
        dict: &'d Dictionary,
        budget: &mut Budget,
    ) -> Result<Self, ExtractError> {
        let deref = |o: &'d Object| doc.dereference(o).map(|(_, o)| o).ok();
        let get = |d: &'d Dictionary, key: &[u8]| d.get(key).ok().and_then(deref);

        let to_unicode = match get(dict, b"ToUnicode").and_then(|o| o.as_stream().ok()) {
            Some(stream) => Some(CMap::parse(&budget.inflate(stream)?)).filter(|m| !m.is_empty()),
            None => None,
        };
        let subtype = get(dict, b"Subtype")
            .and_then(|o| o.as_name().ok())
            .unwrap_or_default();

        if subtype == b"Type0" {
            let codes = match get(dict, b"Encoding") {
                Some(Object::Stream(s)) => Codes::Embedded(CMap::parse(&budget.inflate(s)?)),
                _ => Codes::TwoByte,
            };
            let descendant = get(dict, b"DescendantFonts")
                .and_then(|o| o.as_array().ok())
                .and_then(|a| a.first())
                .and_then(deref)
                .and_then(|o| o.as_dict().ok());
            let mut ranges = Vec::new();
            let mut default = 1000.0;
            if let Some(d) = descendant {
                default = get(d, b"DW").and_then(num).unwrap_or(1000.0);
                if let Some(w) = get(d, b"W").and_then(|o| o.as_array().ok()) {
                    ranges = cid_widths(w, &deref);
                    ranges.sort_by_key(|r| r.0);
                }
            }
            return Ok(Font {
                codes,
                to_unicode,
                fallback: None,
                widths: Widths::Cid { ranges, default },
                scale: 0.001,
            });
        }

        let first = get(dict, b"FirstChar")
            .and_then(num)
            .unwrap_or(0.0)
            .max(0.0) as u32;
        let widths = get(dict, b"Widths")
            .and_then(|o| o.as_array().ok())
            .map(|a| {
                a.iter()
                    .map(|w| deref(w).and_then(num).unwrap_or(0.0))
                    .collect()
            })
            .unwrap_or_default();
        let missing = get(dict, b"FontDescriptor")
            .and_then(|o| o.as_dict().ok())
            .and_then(|fd| get(fd, b"MissingWidth"))
            .and_then(num)
            // Standard 14 fonts come without widths; half an em keeps spacing guesses sane.
            .unwrap_or(500.0);
        let scale = match get(dict, b"FontMatrix").and_then(|o| o.as_array().ok()) {
            Some(m) if subtype == b"Type3" => m.first().and_then(num).unwrap_or(0.001),
            _ => 0.001,
        };
        // Without /Encoding lopdf would only read the ToUnicode map again.
        let fallback = if to_unicode.is_some() && !dict.has(b"Encoding") {
            None
        } else {
            dict.get_font_encoding_with_limit(doc, budget.room()).ok()
        };
        Ok(Font {
            codes: Codes::OneByte,
            to_unicode,
            fallback,
            widths: Widths::Simple {
                first,
                widths,
                missing,
            },
            scale,
        })
    }

    /// Splits a shown string into glyphs.
    pub fn glyphs<'s>(&'s self, bytes: &'s [u8]) -> impl Iterator<Item = Glyph> + 's {
        let mut rest = bytes;
        std::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            let len = match &self.codes {
                Codes::OneByte => 1,
                Codes::TwoByte => 2,
                Codes::Embedded(cmap) => cmap.code_len(rest).unwrap_or(2),
            }
            .min(rest.len());
            let (code_bytes, tail) = rest.split_at(len);
            rest = tail;
            let code = code_bytes
                .iter()
                .fold(0u32, |acc, &b| (acc << 8) | b as u32);
            Some(self.glyph(code, len as u8))
        })
    }

    fn glyph(&self, code: u32, len: u8) -> Glyph {
        let mut text = self.to_unicode.as_ref().and_then(|m| m.text(len, code));
        if text.is_none()
            && len == 1
            && let Some(enc) = &self.fallback
        {
            text = enc.bytes_to_string(&[code as u8]).ok();
        }
        let width = match &self.widths {
            Widths::Simple {
                first,
                widths,
                missing,
            } => code
                .checked_sub(*first)
                .and_then(|i| widths.get(i as usize))
                .copied()
                .unwrap_or(*missing),
            Widths::Cid { ranges, default } => {
                let cid = match &self.codes {
                    Codes::Embedded(cmap) => cmap.cid(len, code).unwrap_or(code),
                    _ => code,
                };
                // Sorted by first CID in `load`.
                let i = ranges.partition_point(|r| r.0 <= cid);
                match i.checked_sub(1).map(|i| ranges[i]) {
                    Some((_, hi, w)) if cid <= hi => w,
                    _ => *default,
                }
            }
        };
        Glyph {
            text: text.unwrap_or_default(),
            width: width * self.scale,
            is_space: len == 1 && code == 32,
        }
    }
}

/// `/W` is a list of `c [w1 w2 …]` and `c_first c_last w` entries (§9.7.4.3).
fn cid_widths<'d>(
    w: &'d [Object],
    deref: &impl Fn(&'d Object) -> Option<&'d Object>,
) -> Vec<(u32, u32, f32)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let Some(first) = deref(&w[i]).and_then(num) else {
            break;
        };
        let first = first.max(0.0) as u32;
        match w.get(i + 1).and_then(deref) {
            Some(Object::Array(list)) => {
                for (k, v) in list.iter().enumerate() {
                    if let Some(v) = deref(v).and_then(num) {
                        let cid = first.saturating_add(k as u32);
                        out.push((cid, cid, v));
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Some(last), Some(v)) = (num(last), w.get(i + 2).and_then(deref).and_then(num))
                else {
                    break;
                };
                out.push((first, last.max(0.0) as u32, v));
                i += 3;
            }
            None => break,
        }
    }
    out
}
