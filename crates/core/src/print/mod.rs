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
                Block::Heading { text, .. } | Block::Paragraph { text } => *text = f(text),
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
        self
    }
}
