//! Walks a page's content stream (and the forms it draws) like a renderer that only tracks
//! where text goes, then lays the text out in stream order: a baseline change starts a new
//! line, a horizontal gap wider than a quarter em becomes a space.

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId, decode_text_string};

use super::Budget;
use super::font::Font;
use crate::ExtractError;
use crate::thai::is_combining;

/// `[a b c d e f]`, PDF's row-vector affine matrix.
type Matrix = [f64; 6];

const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m` then `n`: the matrix PDF writes as `m × n`.
fn mul(m: &Matrix, n: &Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn translate(m: &Matrix, tx: f64, ty: f64) -> Matrix {
    mul(&[1.0, 0.0, 0.0, 1.0, tx, ty], m)
}

/// Forms drawing forms deeper than this are not documents.
const MAX_FORM_DEPTH: usize = 12;
/// `q` nesting kept; deeper saves are ignored (their `Q` then restores an outer state).
const MAX_SAVED_STATES: usize = 256;

fn num(o: &Object) -> f64 {
    o.as_float()
        .ok()
        .filter(|v| v.is_finite())
        .map_or(0.0, f64::from)
}

fn matrix(ops: &[Object]) -> Option<Matrix> {
    if ops.len() < 6 {
        return None;
    }
    let m = [
        num(&ops[0]),
        num(&ops[1]),
        num(&ops[2]),
        num(&ops[3]),
        num(&ops[4]),
        num(&ops[5]),
    ];
    Some(m)
}

#[derive(Clone)]
struct State<'d> {
    ctm: Matrix,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    font: Option<Rc<Font<'d>>>,
    size: f64,
}

/// Keeps fonts across pages: a document usually uses the same few on every page.
pub(crate) struct Walker<'d> {
    doc: &'d Document,
    fonts: HashMap<*const Dictionary, Rc<Font<'d>>>,
}

impl<'d> Walker<'d> {
    pub fn new(doc: &'d Document) -> Self {
        Self {
            doc,
            fonts: HashMap::new(),
        }
    }

    /// The text of one page, at most about `room` characters.
    pub fn page(
        &mut self,
        page_id: ObjectId,
        budget: &mut Budget,
        room: usize,
    ) -> Result<String, ExtractError> {
        let doc = self.doc;
        let mut resources: Vec<&'d Dictionary> = Vec::new();
        if let Ok((direct, ids)) = doc.get_page_resources(page_id) {
            resources.extend(direct);
            resources.extend(ids.into_iter().filter_map(|id| doc.get_dictionary(id).ok()));
        }
        let data = match doc.get_page_content_with_limit(page_id, budget.room()) {
            Ok(d) => d,
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                return Err(budget.exceeded());
            }
            Err(_) => return Ok(String::new()),
        };
        budget.spend(data.len());
        let mut run = Run {
            walker: self,
            budget,
            layout: Layout::new(room),
            forms: Vec::new(),
        };
        run.stream(&data, &resources, IDENTITY)?;
        Ok(run.layout.finish())
    }

    /// Fonts are keyed by their dictionary's address, which is stable while the document is
    /// borrowed; it is never dereferenced.
    fn font(
        &mut self,
        dict: &'d Dictionary,
        budget: &mut Budget,
    ) -> Result<Rc<Font<'d>>, ExtractError> {
        let key = dict as *const Dictionary;
        if let Some(f) = self.fonts.get(&key) {
            return Ok(f.clone());
        }
        let font = Rc::new(Font::load(self.doc, dict, budget)?);
        self.fonts.insert(key, font.clone());
        Ok(font)
    }
}

/// One page's walk.
struct Run<'w, 'd> {
    walker: &'w mut Walker<'d>,
    budget: &'w mut Budget,
    layout: Layout,
    /// Forms being drawn, to refuse cycles.
    forms: Vec<ObjectId>,
}

/// An ActualText span being read: its text replaces the glyphs drawn inside it.
struct Actual {
    text: String,
    /// Marked-content depth at which the span opened.
    depth: usize,
    first: Option<Placed>,
    last_end: Option<(f64, f64)>,
}

/// Where a glyph or span sits on the page.
#[derive(Clone, Copy)]
struct Placed {
    start: (f64, f64),
    end: (f64, f64),
    dir: (f64, f64),
    size: f64,
}

impl<'d> Run<'_, 'd> {
    fn lookup(
        &self,
        resources: &[&'d Dictionary],
        category: &[u8],
        name: &[u8],
    ) -> Option<(Option<ObjectId>, &'d Object)> {
        let doc = self.walker.doc;
        resources.iter().find_map(|res| {
            let (_, cat) = doc.dereference(res.get(category).ok()?).ok()?;
            let (id, obj) = doc.dereference(cat.as_dict().ok()?.get(name).ok()?).ok()?;
            Some((id, obj))
        })
    }

    fn stream(
        &mut self,
        data: &[u8],
        resources: &[&'d Dictionary],
        ctm: Matrix,
    ) -> Result<(), ExtractError> {
        let mut state = State {
            ctm,
            char_spacing: 0.0,
            word_spacing: 0.0,
            h_scale: 1.0,
            leading: 0.0,
            font: None,
            size: 0.0,
        };
        let mut saved: Vec<State<'d>> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut marked = 0usize;
        let mut actual: Option<Actual> = None;

        for op in Content::decode_iter(data) {
            // A damaged operator ends the stream; the text before it is kept.
            let Ok(op) = op else { break };
            if self.layout.is_full() {
                break;
            }
            let ops = &op.operands;
            match op.operator.as_str() {
                "q" if saved.len() < MAX_SAVED_STATES => saved.push(state.clone()),
                "Q" => {
                    if let Some(s) = saved.pop() {
                        state = s;
                    }
                }
                "cm" => {
                    if let Some(m) = matrix(ops) {
                        state.ctm = mul(&m, &state.ctm);
                    }
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tc" => state.char_spacing = ops.first().map_or(0.0, num),
                "Tw" => state.word_spacing = ops.first().map_or(0.0, num),
                "Tz" => state.h_scale = ops.first().map_or(100.0, num) / 100.0,
                "TL" => state.leading = ops.first().map_or(0.0, num),
                "Tf" => {
                    state.size = ops.get(1).map_or(0.0, num);
                    state.font = match ops.first().and_then(|o| o.as_name().ok()) {
                        Some(name) => match self.lookup(resources, b"Font", name) {
                            Some((_, Object::Dictionary(d))) => {
                                Some(self.walker.font(d, self.budget)?)
                            }
                            _ => None,
                        },
                        None => None,
                    };
                }
                "Td" | "TD" => {
                    let (tx, ty) = (ops.first().map_or(0.0, num), ops.get(1).map_or(0.0, num));
                    if op.operator == "TD" {
                        state.leading = -ty;
                    }
                    tlm = translate(&tlm, tx, ty);
                    tm = tlm;
                }
                "Tm" => {
                    if let Some(m) = matrix(ops) {
                        tlm = m;
                        tm = m;
                    }
                }
                "T*" => {
                    tlm = translate(&tlm, 0.0, -state.leading);
                    tm = tlm;
                }
                "Tj" => {
                    if let Some(Object::String(s, _)) = ops.first() {
                        self.show(s, &state, &mut tm, &mut actual);
                    }
                }
                "'" | "\"" => {
                    if op.operator == "\"" && ops.len() >= 3 {
                        state.word_spacing = num(&ops[0]);
                        state.char_spacing = num(&ops[1]);
                    }
                    tlm = translate(&tlm, 0.0, -state.leading);
                    tm = tlm;
                    if let Some(Object::String(s, _)) = ops.last() {
                        self.show(s, &state, &mut tm, &mut actual);
                    }
                }
                "TJ" => {
                    let Some(Object::Array(items)) = ops.first() else {
                        continue;
                    };
                    for item in items {
                        match item {
                            Object::String(s, _) => self.show(s, &state, &mut tm, &mut actual),
                            other => {
                                let adjust = -num(other) / 1000.0 * state.size * state.h_scale;
                                tm = translate(&tm, adjust, 0.0);
                            }
                        }
                    }
                }
                "BMC" => marked += 1,
                "BDC" => {
                    marked += 1;
                    if actual.is_none()
                        && let Some(text) = self.actual_text(ops.get(1), resources)
                    {
                        actual = Some(Actual {
                            text,
                            depth: marked,
                            first: None,
                            last_end: None,
                        });
                    }
                }
                "EMC" => {
                    if actual.as_ref().is_some_and(|a| a.depth == marked) {
                        self.close_actual(actual.take());
                    }
                    marked = marked.saturating_sub(1);
                }
                "Do" => {
                    let Some(name) = ops.first().and_then(|o| o.as_name().ok()) else {
                        continue;
                    };
                    if let Some((id, Object::Stream(form))) =
                        self.lookup(resources, b"XObject", name)
                    {
                        self.form(id, form, resources, &state)?;
                    }
                }
                _ => {}
            }
        }
        self.close_actual(actual.take());
        Ok(())
    }

    /// `/ActualText` of a `BDC` property list, given inline or as a `/Properties` resource.
    fn actual_text(&self, props: Option<&Object>, resources: &[&'d Dictionary]) -> Option<String> {
        let dict = match props? {
            Object::Dictionary(d) => d,
            Object::Name(n) => self.lookup(resources, b"Properties", n)?.1.as_dict().ok()?,
            _ => return None,
        };
        let (_, text) = self
            .walker
            .doc
            .dereference(dict.get(b"ActualText").ok()?)
            .ok()?;
        decode_text_string(text).ok()
    }

    fn close_actual(&mut self, span: Option<Actual>) {
        let Some(span) = span else { return };
        match span.first {
            Some(mut placed) => {
                placed.end = span.last_end.unwrap_or(placed.end);
                self.layout.put(&span.text, placed);
            }
            None => self.layout.put_loose(&span.text),
        }
    }

    fn form(
        &mut self,
        id: Option<ObjectId>,
        form: &'d lopdf::Stream,
        resources: &[&'d Dictionary],
        state: &State<'d>,
    ) -> Result<(), ExtractError> {
        if form.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form")
            || self.forms.len() >= MAX_FORM_DEPTH
            || id.is_some_and(|id| self.forms.contains(&id))
        {
            return Ok(());
        }
        let doc = self.walker.doc;
        let own = form
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|o| doc.dereference(o).ok())
            .and_then(|(_, o)| o.as_dict().ok());
        let mut inner: Vec<&'d Dictionary> = own.into_iter().collect();
        inner.extend_from_slice(resources);
        let m = form
            .dict
            .get(b"Matrix")
            .ok()
            .and_then(|o| o.as_array().ok())
            .and_then(|a| matrix(a))
            .unwrap_or(IDENTITY);
        let data = self.budget.inflate(form)?;
        self.forms.push(id.unwrap_or((0, 0)));
        let result = self.stream(&data, &inner, mul(&m, &state.ctm));
        self.forms.pop();
        result
    }

    /// Shows one string: advances the text matrix glyph by glyph and hands each glyph's
    /// text and position to the layout (or to the open ActualText span).
    fn show(
        &mut self,
        bytes: &[u8],
        state: &State<'d>,
        tm: &mut Matrix,
        actual: &mut Option<Actual>,
    ) {
        let Some(font) = state.font.clone() else {
            return;
        };
        for glyph in font.glyphs(bytes) {
            let m = mul(tm, &state.ctm);
            let start = (m[4], m[5]);
            let advance = (f64::from(glyph.width) * state.size
                + state.char_spacing
                + if glyph.is_space {
                    state.word_spacing
                } else {
                    0.0
                })
                * state.h_scale;
            *tm = translate(tm, advance, 0.0);
            let m2 = mul(tm, &state.ctm);
            let end = (m2[4], m2[5]);
            let len = m[0].hypot(m[1]);
            let dir = if len > 1e-9 {
                (m[0] / len, m[1] / len)
            } else {
                (1.0, 0.0)
            };
            let size = (state.size * m[2].hypot(m[3])).abs().max(1e-3);
            let placed = Placed {
                start,
                end,
                dir,
                size,
            };
            match actual {
                Some(span) => {
                    span.first.get_or_insert(placed);
                    span.last_end = Some(end);
                }
                None => self.layout.put(&glyph.text, placed),
            }
        }
    }
}

/// Stream-order text with breaks from geometry.
struct Layout {
    text: String,
    chars: usize,
    room: usize,
    prev: Option<Prev>,
}

struct Prev {
    dir: (f64, f64),
    /// Furthest point reached along the line, so a mark drawn back over its base does not
    /// look like a gap.
    along_end: f64,
    across: f64,
    size: f64,
}

impl Layout {
    fn new(room: usize) -> Self {
        Self {
            text: String::new(),
            chars: 0,
            room,
            prev: None,
        }
    }

    fn is_full(&self) -> bool {
        self.chars > self.room
    }

    fn append(&mut self, s: &str) {
        self.chars += s.chars().count();
        self.text.push_str(s);
    }

    fn put(&mut self, text: &str, p: Placed) {
        if text.is_empty() {
            return;
        }
        let along = |pt: (f64, f64)| pt.0 * p.dir.0 + pt.1 * p.dir.1;
        let across = p.start.1 * p.dir.0 - p.start.0 * p.dir.1;
        let (a0, a1) = (along(p.start), along(p.end));
        let starts_with_mark = text.chars().next().is_some_and(is_combining);
        if let Some(prev) = &mut self.prev {
            let same_dir = prev.dir.0 * p.dir.0 + prev.dir.1 * p.dir.1 > 0.99;
            if starts_with_mark && same_dir {
                prev.along_end = prev.along_end.max(a1);
                self.append(text);
                return;
            }
            let size = p.size.min(prev.size);
            let sep = if !same_dir || (across - prev.across).abs() > 0.5 * size {
                Some('\n')
            } else {
                let gap = a0 - prev.along_end;
                (gap > 0.25 * size || gap < -2.0 * size).then_some(' ')
            };
            if let Some(sep) = sep {
                let at_space = self.text.ends_with(char::is_whitespace)
                    || text.starts_with(char::is_whitespace);
                if sep == '\n' || !at_space {
                    self.append(if sep == '\n' { "\n" } else { " " });
                }
            }
        }
        self.prev = Some(Prev {
            dir: p.dir,
            along_end: a1.max(a0),
            across,
            size: p.size,
        });
        self.append(text);
    }

    /// Text with no position (an ActualText span that drew nothing): its own word.
    fn put_loose(&mut self, text: &str) {
        if !text.is_empty() {
            if !self.text.is_empty() && !self.text.ends_with(char::is_whitespace) {
                self.append(" ");
            }
            self.append(text);
        }
    }

    fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x: f64, y: f64, w: f64) -> Placed {
        Placed {
            start: (x, y),
            end: (x + w, y),
            dir: (1.0, 0.0),
            size: 16.0,
        }
    }

    #[test]
    fn lines_spaces_and_marks() {
        let mut l = Layout::new(usize::MAX);
        l.put("ป", at(0.0, 700.0, 8.0));
        // A mark drawn back over its base, then the next consonant: no space.
        l.put("\u{0E47}", at(5.0, 700.0, 0.0));
        l.put("น", at(8.0, 700.0, 8.0));
        // Kerning-sized gap: still one word.
        l.put("ก", at(17.0, 700.0, 8.0));
        // Gap of a word space without a space glyph.
        l.put("KM", at(35.0, 700.0, 20.0));
        // Superscript footnote mark, raised a third of an em: same line.
        l.put("1", at(56.0, 705.0, 4.0));
        // Next baseline.
        l.put("อสม.", at(0.0, 680.0, 30.0));
        assert_eq!(l.finish(), "ป\u{0E47}นก KM1\nอสม.");
    }

    #[test]
    fn matrices_compose_in_pdf_order() {
        let scale = [2.0, 0.0, 0.0, 2.0, 0.0, 0.0];
        let shift = [1.0, 0.0, 0.0, 1.0, 10.0, 5.0];
        // Scale then shift: the point (1, 1) goes to (12, 7).
        let m = mul(&scale, &shift);
        assert_eq!((m[4] + m[0] + m[2], m[5] + m[1] + m[3]), (12.0, 7.0));
        assert_eq!(translate(&IDENTITY, 3.0, 4.0)[4..], [3.0, 4.0]);
    }
}
