//! Printed documents (PDF): a small document model — title, headings, paragraphs, tables with
//! header rows, spans and shaded cells (a Gantt), A4 portrait or landscape, a footer note — and
//! the [`Typesetter`] port that turns it into PDF bytes. The engine lives outside core (it is
//! heavy: `khlang-typeset`, built on typst); the KM plan, the knowledge book and certificates
//! build a [`Document`] and call [`Khlang::print_pdf`](crate::service::Khlang::print_pdf).
//!
//! Thai has no spaces between words, so before a document reaches the engine every text gets a
//! zero-width space (U+200B) between Thai words from khlang's own segmenter ([`break_words`]):
//! lines then break between words whatever the engine's own line breaker knows of Thai.

mod breaks;
pub mod plan;
mod plan_export;
pub mod plan_sheets;
mod service;

pub use breaks::{ZERO_WIDTH_SPACE, break_words};

use serde::Serialize;

/// A4 upright or on its side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

/// The sheet size: A4 (the default) or A5 (a handbook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    #[default]
    A4,
    A5,
}

/// How page numbers are written: 1 2 3 or ๑ ๒ ๓.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Digits {
    #[default]
    Arabic,
    Thai,
}

/// A book's cover page (ปก): the document's title and subtitle large on a page of their own,
/// then these lines (unit, fiscal year, date). A document with a cover is laid out as a book:
/// the cover has no page number, numbering starts at 1 on the next page, centred in the footer.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Cover {
    pub lines: Vec<String>,
}

/// A file the layout reads by name (a picture, a QR code): PNG, JPEG or SVG bytes, named
/// `/files/<something>.<png|jpg|svg>`. Not part of the JSON the layout reads.
#[derive(Debug, Clone, PartialEq)]
pub struct DocFile {
    pub path: String,
    pub bytes: std::sync::Arc<[u8]>,
}

/// A whole printed document.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Document {
    /// Shown large and centred at the top; also the PDF's title.
    pub title: String,
    /// Lines under the title (the unit's name, the year …).
    pub subtitle: Vec<String>,
    pub orientation: Orientation,
    pub blocks: Vec<Block>,
    /// A note at the foot of every page (with the page number).
    pub footer: Option<String>,
    pub paper: Paper,
    /// Page numbers' digits (books; other documents print `1 / 3`).
    pub page_digits: Digits,
    /// Laid out as a book with this cover (see [`Cover`]).
    pub cover: Option<Cover>,
    /// Pictures and QR codes the blocks name ([`Block::Image`]).
    #[serde(skip)]
    pub files: Vec<DocFile>,
}

/// One piece of the body, in reading order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// Level 1 or 2.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph {
        text: String,
    },
    Table(Table),
    /// Starts a new page.
    PageBreak,
    /// A table of contents (สารบัญ) of the level-1 headings with their page numbers.
    Outline {
        title: String,
    },
    /// A bulleted or numbered list, one text per entry.
    List {
        ordered: bool,
        items: Vec<String>,
    },
    /// A picture or QR code from [`Document::files`], scaled to fit `max_width_cm` ×
    /// `max_height_cm` (never enlarged past the text width), centred, with a caption below.
    Image {
        file: String,
        max_width_cm: f32,
        max_height_cm: f32,
        caption: String,
    },
    /// Small grey text (an item's authors, unit and year; a QR code's address).
    Note {
        text: String,
    },
}

/// A table: column widths as relative weights (3, 1, 1 → 60 %, 20 %, 20 %), header rows
/// repeated on each page, then the body rows. A row lists its cells left to right; a cell
/// spanning columns or rows takes their places (as in HTML).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Table {
    pub columns: Vec<f32>,
    pub header: Vec<Vec<Cell>>,
    pub rows: Vec<Vec<Cell>>,
    /// Text size in points; None: the document's (10 pt).
    pub font_size: Option<f32>,
}

/// Background of a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Shade {
    #[default]
    None,
    /// Header rows, group headings.
    Light,
    /// A Gantt bar.
    Dark,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Start,
    Center,
    End,
}

/// One table cell. Text may hold line breaks (`\n`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub text: String,
    pub colspan: u16,
    pub rowspan: u16,
    pub shade: Shade,
    pub bold: bool,
    pub align: Align,
}

impl Cell {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            colspan: 1,
            rowspan: 1,
            shade: Shade::None,
            bold: false,
            align: Align::Start,
        }
    }

    /// A header cell: bold, centred, lightly shaded.
    pub fn head(text: impl Into<String>) -> Self {
        Self::new(text)
            .bold()
            .shade(Shade::Light)
            .align(Align::Center)
    }

    pub fn span(mut self, colspan: u16, rowspan: u16) -> Self {
        self.colspan = colspan.max(1);
        self.rowspan = rowspan.max(1);
        self
    }

    pub fn shade(mut self, shade: Shade) -> Self {
        self.shade = shade;
        self
    }

    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    pub fn align(mut self, align: Align) -> Self {
        self.align = align;
        self
    }
}

/// Why a document could not be typeset (a defect in the document or the engine; the message
/// is for the log).
#[derive(Debug, thiserror::Error)]
#[error("typesetting failed: {0}")]
pub struct PrintError(pub String);

/// Turns a [`Document`] into PDF bytes. CPU work that takes tens to hundreds of
/// milliseconds: callers run it off the async runtime (see `Khlang::print_pdf`).
pub trait Typesetter: Send + Sync {
    fn pdf(&self, doc: &Document) -> Result<Vec<u8>, PrintError>;
}

impl Document {
    /// Applies `f` to every text of the document (title, subtitle, blocks, cells, footer).
    pub fn map_text(mut self, f: &dyn Fn(&str) -> String) -> Self {
        self.title = f(&self.title);
        for s in &mut self.subtitle {
            *s = f(s);
        }
        for block in &mut self.blocks {
            match block {
                Block::Heading { text, .. }
                | Block::Paragraph { text }
                | Block::Note { text }
                | Block::Outline { title: text } => *text = f(text),
                Block::List { items, .. } => {
                    for item in items {
                        *item = f(item);
                    }
                }
                Block::Image { caption, .. } => *caption = f(caption),
                Block::Table(t) => {
                    for cell in t.header.iter_mut().chain(t.rows.iter_mut()).flatten() {
                        cell.text = f(&cell.text);
                    }
                }
                Block::PageBreak => {}
            }
        }
        if let Some(footer) = &mut self.footer {
            *footer = f(footer);
        }
        if let Some(cover) = &mut self.cover {
            for line in &mut cover.lines {
                *line = f(line);
            }
        }
        self
    }
}
