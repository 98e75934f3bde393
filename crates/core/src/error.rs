//! The one error type of the domain layer. The web layer renders it (HTML or problem+json);
//! internal causes are logged there and never shown to the user.

use std::borrow::Cow;
use std::fmt;

/// A problem with one input field, with a Thai message that says what to do. The field is a
/// fixed name for hand-made forms and a built one for form templates and import rows
/// (`entry.s2.area`, `row 17`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Cow<'static, str>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The thing asked for does not exist (or the actor may not know it exists).
    #[error("ไม่พบข้อมูลที่ต้องการ")]
    NotFound,
    /// The request clashes with existing data (duplicate code, username …).
    #[error("{0}")]
    Conflict(String),
    /// Signed in, but this action is outside the actor's roles or units.
    #[error("คุณไม่มีสิทธิ์ทำรายการนี้")]
    Forbidden,
    /// Not signed in, or the session/token is no longer valid.
    #[error("กรุณาเข้าสู่ระบบก่อน")]
    Unauthenticated,
    /// Input that cannot be accepted; one entry per field.
    #[error("ข้อมูลไม่ถูกต้อง")]
    Invalid(Vec<FieldError>),
    /// Too many failed sign-ins; try again after the given number of seconds.
    #[error("เข้าสู่ระบบผิดหลายครั้งเกินไป กรุณารอประมาณ {} นาทีแล้วลองใหม่", retry_after_secs.div_ceil(60))]
    Throttled { retry_after_secs: u64 },
    /// An upload or request body over the configured limit; the message says what to do.
    #[error("{0}")]
    TooLarge(String),
    /// The database or file storage failed; the cause is for the log only.
    #[error("ระบบขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้ง")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        Self::Internal(cause.to_string())
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

/// What a storage port can say went wrong; adapters map driver errors onto it
/// (row not found → NotFound, unique violation → Conflict).
#[derive(Debug, thiserror::Error)]
pub enum PortError {
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("{0}")]
    Other(String),
}

impl From<PortError> for DomainError {
    fn from(e: PortError) -> Self {
        match e {
            PortError::NotFound => DomainError::NotFound,
            PortError::Conflict(what) => DomainError::Conflict(what),
            PortError::Other(cause) => DomainError::Internal(cause),
        }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
