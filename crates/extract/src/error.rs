//! The one error type of the extraction layer. `Display` is short English for logs;
//! [`ExtractError::thai`] is what an admin sees next to the file.

/// Why no text came out of a file. Every variant is final for that file: retrying the same
/// bytes gives the same answer, so the caller records it instead of retrying.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The bytes are not a readable file of the claimed format (truncated, garbage, broken
    /// structure, or a parser gave up).
    #[error("corrupt file: {0}")]
    Corrupt(String),
    /// The file needs a password to open (PDF user password, encrypted Office or
    /// OpenDocument package).
    #[error("encrypted file")]
    Encrypted,
    /// A limit in [`crate::Limits`] was hit before the text could be read.
    #[error("too large: {0}")]
    TooLarge(String),
    /// A real file, but of a kind this crate does not read (e.g. a legacy binary .doc
    /// recorded under a .docx type).
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl ExtractError {
    /// A Thai explanation for the admin UI: what happened, in words a records officer uses.
    pub fn thai(&self) -> &'static str {
        match self {
            Self::Corrupt(_) => "ไฟล์เสียหาย อ่านข้อความไม่ได้",
            Self::Encrypted => "ไฟล์มีรหัสผ่าน อ่านข้อความไม่ได้",
            Self::TooLarge(_) => "ไฟล์ใหญ่เกินกว่าที่ระบบจะอ่านข้อความได้",
            Self::Unsupported(_) => "ระบบยังอ่านข้อความจากไฟล์ประเภทนี้ไม่ได้",
        }
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(what.to_string())
    }
}
