//! A certificate and what is needed to issue one.

use crate::error::FieldError;
use crate::ids::{CertificateId, UnitId, UserId};
use time::OffsetDateTime;

/// What a context asks to be certified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCertificate {
    /// Who: the holder's name as printed.
    pub holder: String,
    /// What: "รางวัลชนะเลิศ สาขาการจัดการสุขภาพชุมชน การคัดเลือก อสม.ดีเด่น ระดับภาค ปี 2568".
    pub title: String,
    /// The issuing unit (its officers may revoke it).
    pub unit_id: UnitId,
    /// What issued it, for finding it again: `contest_entry:123`, `event:5`, `course:7`.
    pub source: String,
    /// The holder's account when they have one: their profile and the trainer directory
    /// list it.
    pub holder_user: Option<UserId>,
}

/// เกียรติบัตร
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub id: CertificateId,
    /// The public verification code printed on it.
    pub code: String,
    pub holder: String,
    pub title: String,
    pub unit_id: UnitId,
    pub source: String,
    /// The holder's account, when known.
    pub holder_user: Option<UserId>,
    pub issued_by: UserId,
    pub issued_at: OffsetDateTime,
    /// When and why it was revoked, and by whom.
    pub revoked: Option<Revocation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub at: OffsetDateTime,
    pub reason: String,
    pub by: UserId,
}

impl Certificate {
    pub fn is_revoked(&self) -> bool {
        self.revoked.is_some()
    }
}

/// What the public verification page says about a typed or scanned code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Issued by khlang and in force.
    Valid(Certificate),
    /// Issued by khlang and later revoked: when, why and by whom.
    Revoked(Certificate, Revocation),
    /// No certificate has this code (or what was typed is not a code at all): nothing more
    /// is said, so that guessing teaches nothing.
    NotFound,
}

/// Longest holder name, in graphemes (two people's names with titles fit).
pub const HOLDER_MAX: usize = 200;
/// Longest title, in graphemes.
pub const TITLE_MAX: usize = 500;
/// Longest revocation reason, in graphemes.
pub const REASON_MAX: usize = 500;
/// Longest source reference (`contest_entry:123`), in bytes.
pub const SOURCE_MAX: usize = 100;

/// The verification code: `KH-` and twelve symbols in three groups of four
/// (`KH-7QXM-2PA9-RT4C`), drawn at random from an alphabet without look-alikes
/// (no 0/O, 1/I/L, and no U beside V): 30¹² ≈ 2⁵⁸·⁹, far beyond guessing. Typed back it may
/// be in lower case, without or with other dashes and spaces, with or without `KH`, and with
/// Thai digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateCode(String);

impl CertificateCode {
    /// The symbols a code is made of.
    pub const ALPHABET: &'static [u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    /// How many random symbols a code has.
    pub const SYMBOLS: usize = 12;
    const PREFIX: &'static str = "KH";

    /// A fresh random code from the operating system's generator.
    pub fn generate() -> Self {
        use rand::Rng;
        let mut rng = rand::rngs::OsRng;
        let body: String = (0..Self::SYMBOLS)
            .map(|_| char::from(Self::ALPHABET[rng.gen_range(0..Self::ALPHABET.len())]))
            .collect();
        Self::from_body(&body)
    }

    fn from_body(body: &str) -> Self {
        let groups: Vec<&str> = (0..body.len())
            .step_by(4)
            .map(|i| &body[i..(i + 4).min(body.len())])
            .collect();
        Self(format!("{}-{}", Self::PREFIX, groups.join("-")))
    }

    /// Reads a code as someone typed it from paper or a phone; None when it cannot be one.
    pub fn parse(typed: &str) -> Option<Self> {
        let mut symbols = String::with_capacity(16);
        for c in crate::text::arabic_digits(typed).chars() {
            match c {
                // Separators people type or that copying leaves behind.
                '-' | '‐' | '‑' | '–' | '—' | '_' | '.' | '/' => {}
                c if c.is_whitespace() => {}
                '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
                c if c.is_ascii_alphanumeric() => symbols.push(c.to_ascii_uppercase()),
                _ => return None,
            }
        }
        let body = match symbols.len() {
            n if n == Self::SYMBOLS => symbols.as_str(),
            n if n == Self::SYMBOLS + Self::PREFIX.len() => symbols.strip_prefix(Self::PREFIX)?,
            _ => return None,
        };
        if !body.bytes().all(|b| Self::ALPHABET.contains(&b)) {
            return None;
        }
        Some(Self::from_body(body))
    }

    /// As printed and stored: `KH-7QXM-2PA9-RT4C`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for CertificateCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A certificate to issue after its text is checked: tidied holder and title.
pub(crate) fn checked(n: usize, c: &NewCertificate) -> Result<NewCertificate, Vec<FieldError>> {
    use crate::text::{grapheme_len, tidy};
    let mut errors = Vec::new();
    let which = |what: &str| format!("เกียรติบัตรลำดับที่ {n}: {what}");
    let holder_field = format!("certificates.{n}.holder");
    let title_field = format!("certificates.{n}.title");
    if let Err(e) = crate::field::refuse_controls("holder", "ชื่อผู้ได้รับ", &c.holder)
    {
        errors.push(FieldError::new(holder_field.clone(), which(&e.message)));
    }
    if let Err(e) = crate::field::refuse_controls("title", "ชื่อเกียรติบัตร", &c.title)
    {
        errors.push(FieldError::new(title_field.clone(), which(&e.message)));
    }
    let holder = tidy(&c.holder);
    let title = tidy(&c.title);
    match grapheme_len(&holder) {
        0 => errors.push(FieldError::new(
            holder_field,
            which("กรุณาใส่ชื่อผู้ได้รับเกียรติบัตร"),
        )),
        // The column holds 1,200 characters: marks stacked without end do not fit.
        n if n > HOLDER_MAX || holder.chars().count() > HOLDER_MAX * 6 => {
            errors.push(FieldError::new(
                holder_field,
                which(&format!("ชื่อผู้ได้รับยาวเกิน {HOLDER_MAX} ตัวอักษร")),
            ))
        }
        _ => {}
    }
    match grapheme_len(&title) {
        0 => errors.push(FieldError::new(
            title_field,
            which("กรุณาใส่ชื่อเกียรติบัตร (ได้รับเพื่ออะไร)"),
        )),
        n if n > TITLE_MAX => errors.push(FieldError::new(
            title_field,
            which(&format!("ชื่อเกียรติบัตรยาวเกิน {TITLE_MAX} ตัวอักษร")),
        )),
        _ => {}
    }
    let source = c.source.trim();
    if source.is_empty()
        || source.len() > SOURCE_MAX
        || !source.bytes().all(|b| b.is_ascii_graphic())
    {
        errors.push(FieldError::new(
            format!("certificates.{n}.source"),
            which("ที่มาของเกียรติบัตรต้องเป็นรหัสสั้น ๆ เช่น contest_entry:123"),
        ));
    }
    if errors.is_empty() {
        Ok(NewCertificate {
            holder,
            title,
            unit_id: c.unit_id,
            source: source.to_string(),
            holder_user: c.holder_user,
        })
    } else {
        Err(errors)
    }
}

/// A revocation reason: required, tidied, at most [`REASON_MAX`] graphemes.
pub(crate) fn reason(typed: &str) -> Result<String, FieldError> {
    crate::field::refuse_controls("reason", "เหตุผล", typed)?;
    let r = crate::text::tidy_multiline(typed);
    match crate::text::grapheme_len(&r) {
        0 => Err(FieldError::new(
            "reason",
            "กรุณาใส่เหตุผลที่เพิกถอน ผู้ตรวจสอบเกียรติบัตรจะเห็นเหตุผลนี้",
        )),
        n if n > REASON_MAX => Err(FieldError::new(
            "reason",
            format!("เหตุผลยาวเกิน {REASON_MAX} ตัวอักษร — กรุณาย่อให้สั้นลง"),
        )),
        _ => Ok(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_code_reads_aloud_and_has_over_fifty_bits() {
        let bits =
            (CertificateCode::ALPHABET.len() as f64).log2() * CertificateCode::SYMBOLS as f64;
        assert!(bits >= 50.0, "{bits} bits");
        for look_alike in [b'0', b'O', b'1', b'I', b'L', b'U'] {
            assert!(!CertificateCode::ALPHABET.contains(&look_alike));
        }
        let unique: HashSet<u8> = CertificateCode::ALPHABET.iter().copied().collect();
        assert_eq!(unique.len(), CertificateCode::ALPHABET.len());
        let c = CertificateCode::generate();
        let s = c.as_str();
        assert_eq!(s.len(), "KH-XXXX-XXXX-XXXX".len(), "{s}");
        assert!(s.starts_with("KH-"));
        let groups: Vec<&str> = s.split('-').collect();
        assert_eq!(groups.len(), 4, "{s}");
        assert!(groups[1..].iter().all(|g| g.len() == 4));
        assert!(
            s[3..]
                .bytes()
                .all(|b| b == b'-' || CertificateCode::ALPHABET.contains(&b))
        );
    }

    #[test]
    fn codes_do_not_repeat() {
        let codes: HashSet<String> = (0..10_000)
            .map(|_| CertificateCode::generate().to_string())
            .collect();
        assert_eq!(codes.len(), 10_000);
    }

    #[test]
    fn typed_codes_are_read_whatever_their_case_dashes_and_digits() {
        let want = CertificateCode::parse("KH-7QXM-2PA9-RT4C").expect("the printed form");
        assert_eq!(want.as_str(), "KH-7QXM-2PA9-RT4C");
        for typed in [
            "kh-7qxm-2pa9-rt4c",
            "KH7QXM2PA9RT4C",
            "7QXM2PA9RT4C",
            "7qxm-2pa9-rt4c",
            " kh 7qxm 2pa9 rt4c ",
            "KH-๗QXM-๒PA๙-RT๔C",
            "kh–7qxm–2pa9–rt4c",
            "KH-7QX-M2PA-9RT4C",
        ] {
            assert_eq!(
                CertificateCode::parse(typed).as_ref(),
                Some(&want),
                "{typed}"
            );
        }
        let generated = CertificateCode::generate();
        assert_eq!(
            CertificateCode::parse(&generated.as_str().to_lowercase()),
            Some(generated)
        );
    }

    #[test]
    fn what_cannot_be_a_code_is_refused() {
        for typed in [
            "",
            "KH-",
            "KH-7QXM-2PA9",           // too short
            "KH-7QXM-2PA9-RT4C-X",    // too long
            "KH-7QXM-2PA9-RT40",      // 0 is not a symbol
            "KH-7QXM-2PA9-RT4O",      // nor O
            "KH-1QXM-2PA9-RT4C",      // nor 1
            "KH-IQXM-2PA9-RT4C",      // nor I
            "KH-LQXM-2PA9-RT4C",      // nor L
            "XX-7QXM-2PA9-RT4C",      // another prefix
            "KH-7QXM-2PA9-RT4ก",      // Thai letters
            "KH-7QXM-2PA9-RT4C'; --", // not a code at all
            "KH%7QXM-2PA9-RT4C",
        ] {
            assert_eq!(CertificateCode::parse(typed), None, "{typed}");
        }
    }

    fn new(holder: &str, title: &str) -> NewCertificate {
        NewCertificate {
            holder: holder.into(),
            title: title.into(),
            unit_id: UnitId(1),
            source: "contest_entry:1".into(),
            holder_user: None,
        }
    }

    #[test]
    fn holder_and_title_are_checked_in_graphemes() {
        let ok = checked(1, &new("  นางสมศรี   ใจดี ", "รางวัลชนะเลิศ")).unwrap();
        assert_eq!(ok.holder, "นางสมศรี ใจดี");
        assert!(checked(1, &new("", "รางวัล")).is_err());
        assert!(checked(1, &new("สมศรี", "  ")).is_err());
        // 200 Thai graphemes with marks above are 600 chars: still allowed.
        let long_thai = "กี่".repeat(HOLDER_MAX);
        assert_eq!(crate::text::grapheme_len(&long_thai), HOLDER_MAX);
        assert!(checked(1, &new(&long_thai, "รางวัล")).is_ok());
        assert!(checked(1, &new(&"ก".repeat(HOLDER_MAX + 1), "รางวัล")).is_err());
        let stacked = format!("ก{}", "\u{0E48}".repeat(10)).repeat(150);
        assert!(
            checked(1, &new(&stacked, "รางวัล")).is_err(),
            "fits no column"
        );
        assert!(checked(1, &new("สมศรี", &"ก".repeat(TITLE_MAX + 1))).is_err());
        assert!(checked(1, &new("สม\u{0007}ศรี", "รางวัล")).is_err());
        let mut bad_source = new("สมศรี", "รางวัล");
        bad_source.source = "  ".into();
        assert!(checked(1, &bad_source).is_err());
        let e = checked(3, &new("", "")).unwrap_err();
        assert_eq!(e.len(), 2);
        assert!(e[0].message.contains("ลำดับที่ 3"));
    }

    #[test]
    fn a_reason_is_required() {
        assert!(reason("   ").is_err());
        assert!(reason(&"ก".repeat(REASON_MAX + 1)).is_err());
        assert_eq!(reason(" ออกซ้ำ ").unwrap(), "ออกซ้ำ");
    }
}
