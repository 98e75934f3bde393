//! khlang's PDF engine: [`TypstTypesetter`] implements core's
//! [`Typesetter`](khlang_core::print::Typesetter) with typst. One Typst layout
//! (`document.typ`) reads the document as JSON from a virtual file, so user text is data,
//! never markup. The only fonts are Sarabun regular and bold, embedded (no system fonts: CI and
//! servers have none); see `fonts/README.md`.

use std::collections::HashMap;
use std::sync::LazyLock;

use khlang_core::print::{Document, PrintError, Typesetter};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

static LAYOUT: &str = include_str!("document.typ");
static SARABUN_REGULAR: &[u8] = include_bytes!("../fonts/Sarabun-Regular.ttf");
static SARABUN_BOLD: &[u8] = include_bytes!("../fonts/Sarabun-Bold.ttf");

/// Parsed once per process: the standard library, the fonts and their book.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = [SARABUN_REGULAR, SARABUN_BOLD]
        .into_iter()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.get().vpath().get_with_slash().into())
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid virtual path"),
    )
    .intern()
}

/// One compilation: the layout as main file, the document as `/doc.json` and its pictures
/// and QR codes under their own paths.
struct PrintWorld {
    main: Source,
    data: Bytes,
    data_id: FileId,
    files: HashMap<FileId, Bytes>,
}

impl World for PrintWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_string()))
        } else if let Some(bytes) = self.files.get(&id) {
            Ok(bytes.clone())
        } else {
            Err(not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The layout prints no date of its own (callers put dates in the text): the output
        // depends on the document only.
        None
    }
}

/// The typst engine with khlang's layout and fonts. Stateless; share one.
#[derive(Debug, Default, Clone, Copy)]
pub struct TypstTypesetter;

impl TypstTypesetter {
    pub fn new() -> Self {
        Self
    }
}

fn diagnostics(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl Typesetter for TypstTypesetter {
    fn pdf(&self, doc: &Document) -> Result<Vec<u8>, PrintError> {
        let json = serde_json::to_vec(doc).map_err(|e| PrintError(e.to_string()))?;
        let world = PrintWorld {
            main: Source::new(file_id("/document.typ"), LAYOUT.to_string()),
            data: Bytes::new(json),
            data_id: file_id("/doc.json"),
            files: doc
                .files
                .iter()
                .filter(|f| f.path.starts_with("/files/"))
                .map(|f| (file_id(&f.path), Bytes::new(f.bytes.clone())))
                .collect(),
        };
        let compiled = typst::compile::<PagedDocument>(&world);
        // Typst memoises across compilations; keep only what recent ones used.
        let result = compiled
            .output
            .map_err(|d| PrintError(diagnostics(&d)))
            .and_then(|paged| {
                typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default())
                    .map_err(|d| PrintError(diagnostics(&d)))
            });
        typst::comemo::evict(10);
        result
    }
}
