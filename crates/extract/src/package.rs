//! The ZIP container shared by Office Open XML and OpenDocument, opened with a budget so a
//! zip bomb costs at most [`Limits::max_unzipped_bytes`] of work and memory, whatever its
//! headers claim.

use std::io::{Cursor, Read};

use zip::ZipArchive;
use zip::result::ZipError;

use crate::{ExtractError, Limits};

const OLE2_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(crate) struct Package<'a> {
    archive: ZipArchive<Cursor<&'a [u8]>>,
    /// Bytes still allowed to come out of the inflater, across all entries.
    budget: u64,
    limit: u64,
    /// Bytes one entry may inflate to (it is held whole).
    entry_limit: u64,
}

impl<'a> Package<'a> {
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Self, ExtractError> {
        if bytes.starts_with(&OLE2_MAGIC) {
            // Office wraps a password-protected .docx/.xlsx/.pptx in an OLE2 file whose
            // stream "EncryptedPackage" holds the real ZIP; any other OLE2 file is the legacy
            // binary format (.doc/.xls/.ppt) under a new-format type.
            return Err(if contains_utf16le(bytes, "EncryptedPackage") {
                ExtractError::Encrypted
            } else {
                ExtractError::Unsupported("legacy binary Office (OLE2) file".into())
            });
        }
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
        if archive.len() > limits.max_zip_entries {
            return Err(ExtractError::TooLarge(format!(
                "{} zip entries, limit {}",
                archive.len(),
                limits.max_zip_entries
            )));
        }
        Ok(Self {
            archive,
            budget: limits.max_unzipped_bytes,
            limit: limits.max_unzipped_bytes,
            entry_limit: limits.max_stream_bytes,
        })
    }

    /// Entry names in archive order.
    pub fn names(&self) -> Vec<String> {
        self.archive
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect()
    }

    pub fn contains(&self, name: &str) -> bool {
        self.archive.index_for_name(name).is_some()
    }

    /// Reads one entry, or `None` when the archive has no such name. The inflated size is
    /// charged against the budget as it is read, so lying size headers do not help.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, ExtractError> {
        let Some(index) = self.archive.index_for_name(name) else {
            return Ok(None);
        };
        let file = match self.archive.by_index(index) {
            Ok(f) => f,
            Err(e) => return Err(zip_error(e)),
        };
        if file.encrypted() {
            return Err(ExtractError::Encrypted);
        }
        // An entry is held whole while it is parsed: one may not take the whole budget.
        let room = self.budget.min(self.entry_limit);
        if file.size() > room {
            drop(file);
            return Err(self.too_large());
        }
        let mut data = Vec::with_capacity(file.size().min(1 << 20) as usize);
        let read = file.take(room + 1).read_to_end(&mut data);
        read.map_err(|e| ExtractError::corrupt(format!("zip entry {name}: {e}")))?;
        if data.len() as u64 > room {
            return Err(self.too_large());
        }
        self.budget -= data.len() as u64;
        Ok(Some(data))
    }

    fn too_large(&self) -> ExtractError {
        ExtractError::TooLarge(format!(
            "unzipped content over {} bytes, or one entry over {}",
            self.limit, self.entry_limit
        ))
    }
}

fn zip_error(e: ZipError) -> ExtractError {
    match e {
        ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword => {
            ExtractError::Encrypted
        }
        e => ExtractError::corrupt(format!("zip: {e}")),
    }
}

fn contains_utf16le(haystack: &[u8], needle: &str) -> bool {
    let needle: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Resolves a relationship target against the folder of the part that names it, as OPC
/// (ECMA-376 part 2) defines: absolute targets start at the package root, `..` climbs.
pub(crate) fn resolve(base_part: &str, target: &str) -> String {
    let mut segments: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut s: Vec<&str> = base_part.split('/').collect();
        s.pop();
        s
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    segments.retain(|s| !s.is_empty());
    segments.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relationship_targets() {
        assert_eq!(
            resolve("word/document.xml", "header1.xml"),
            "word/header1.xml"
        );
        assert_eq!(
            resolve("ppt/slides/slide1.xml", "../notesSlides/notesSlide1.xml"),
            "ppt/notesSlides/notesSlide1.xml"
        );
        assert_eq!(resolve("", "word/document.xml"), "word/document.xml");
        assert_eq!(
            resolve("xl/workbook.xml", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
    }
}
