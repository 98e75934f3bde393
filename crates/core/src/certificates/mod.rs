//! Certificates (เกียรติบัตร): issued by contests, events and courses, each with a public
//! verification code and a QR code leading to a page that shows who, what and when — and,
//! if revoked, that it was revoked and why (a revoked certificate must not look like a
//! forgery, nor a forgery like a revoked certificate).

pub mod model;
pub mod ports;
pub mod service;

pub use model::{Certificate, CertificateCode, NewCertificate, Revocation, Verification};
pub use ports::{CertificateQuery, CertificateStore};
