//! Accounts (บัญชีผู้ใช้): who people are, how their passwords are kept (argon2id), and the
//! opaque secrets behind sessions, API tokens and the first-administrator link.

use crate::error::FieldError;
use crate::ids::{TokenId, UnitId, UserId};
use crate::text::{arabic_digits, grapheme_len, tidy};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use rand::rngs::OsRng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use time::OffsetDateTime;

/// Sign-in name: 3–32 of a–z, 0–9, `.`, `_`, `-`; stored lower-case. Phone numbers work too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        let s = arabic_digits(s.trim()).to_lowercase();
        if s.len() < 3 || s.len() > 32 {
            return Err(FieldError::new("username", "ชื่อผู้ใช้ต้องยาว 3–32 ตัวอักษร"));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        {
            return Err(FieldError::new(
                "username",
                "ชื่อผู้ใช้ใช้ได้เฉพาะอักษรอังกฤษ ตัวเลข จุด ขีดล่าง หรือขีด เช่น somchai.k หรือ 0812345678",
            ));
        }
        Ok(Self(s))
    }
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name shown to others, usually in Thai: 1–100 graphemes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self, FieldError> {
        crate::field::refuse_controls("display_name", "ชื่อ-นามสกุล", s)?;
        let s = tidy(s);
        match grapheme_len(&s) {
            0 => Err(FieldError::new("display_name", "กรุณาใส่ชื่อ-นามสกุล")),
            n if n > 100 => Err(FieldError::new(
                "display_name",
                "ชื่อ-นามสกุลยาวเกิน 100 ตัวอักษร",
            )),
            _ => Ok(Self(s)),
        }
    }
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional e-mail address; only its shape is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Empty input means "no e-mail".
    pub fn parse_optional(s: &str) -> Result<Option<Self>, FieldError> {
        crate::field::refuse_controls("email", "อีเมล", s)?;
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let ok = s.len() <= 254
            && !s.chars().any(char::is_whitespace)
            && s.split_once('@')
                .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
        if ok {
            Ok(Some(Self(s.to_string())))
        } else {
            Err(FieldError::new(
                "email",
                "อีเมลไม่ถูกต้อง ตัวอย่าง: somchai@example.go.th",
            ))
        }
    }
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional Thai phone number, stored as digits only (Thai digits accepted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse_optional(s: &str) -> Result<Option<Self>, FieldError> {
        let s = arabic_digits(s.trim());
        if s.is_empty() {
            return Ok(None);
        }
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let ok = (9..=10).contains(&digits.len())
            && digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Some(Self(digits)))
        } else {
            Err(FieldError::new(
                "phone",
                "เบอร์โทรศัพท์ต้องเป็นตัวเลข 9–10 หลัก ขึ้นต้นด้วย 0 เช่น 081-234-5678",
            ))
        }
    }
    pub fn from_trusted(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password as typed; never logged, never stored. A new one is 12–128 graphemes and hard
/// to guess by the zxcvbn estimate (≥ 10¹⁰ guesses), counting the person's own names and
/// e-mail as the first guesses an attacker would try.
pub struct Password(String);

/// The fewest graphemes a new password may have.
pub const PASSWORD_MIN_LEN: usize = 12;

/// How to choose a good password, shown next to every new-password field.
pub const PASSWORD_ADVICE: &str = "ใช้คำหลายคำที่ไม่เกี่ยวกัน หรือประโยคสั้น ๆ ที่จำได้ ยาวอย่างน้อย 12 ตัวอักษร เช่น \"ทุ่งนาเขียวเช้าวันพุธ\" ไม่ใช้ชื่อผู้ใช้ ชื่อตัวเอง หรือตัวเลขเรียงกัน";

impl Password {
    /// A new password for a person described by `about` (username, display name, e-mail):
    /// long enough, not one of those, and not easy to guess.
    pub fn parse(field: &'static str, s: &str, about: &[&str]) -> Result<Self, FieldError> {
        let weak = |what: &str| FieldError::new(field, format!("{what} {PASSWORD_ADVICE}"));
        match grapheme_len(s) {
            0 => return Err(FieldError::new(field, "กรุณาใส่รหัสผ่าน")),
            n if n < PASSWORD_MIN_LEN => {
                return Err(weak("รหัสผ่านสั้นเกินไป"));
            }
            n if n > 128 => return Err(FieldError::new(field, "รหัสผ่านยาวเกิน 128 ตัวอักษร")),
            _ => {}
        }
        let folded = s.trim().to_lowercase();
        let about: Vec<&str> = about
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .collect();
        if about.iter().any(|a| a.to_lowercase() == folded) {
            return Err(weak("รหัสผ่านต้องไม่เหมือนชื่อผู้ใช้หรือชื่อของคุณ"));
        }
        if zxcvbn::zxcvbn(s, &about).score() < zxcvbn::Score::Three {
            return Err(weak("รหัสผ่านนี้เดาง่ายเกินไป"));
        }
        Ok(Self(s.to_string()))
    }
    /// What someone typed at sign-in: not checked against the rules (they may have changed).
    pub fn attempt(s: &str) -> Self {
        Self(s.to_string())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// An argon2id PHC string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHashString(pub String);

fn argon2() -> Argon2<'static> {
    // OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): about 30 ms here, cheap
    // enough for a 2-core server, costly for a guesser.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on a blocking thread so sign-ins don't stall the async workers.
pub async fn hash_password(password: &Password) -> Result<PasswordHashString, crate::DomainError> {
    let pw = password.0.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(pw.as_bytes(), &salt)
            .map(|h| PasswordHashString(h.to_string()))
            .map_err(crate::DomainError::internal)
    })
    .await
    .map_err(crate::DomainError::internal)?
}

pub async fn verify_password(password: &Password, hash: &PasswordHashString) -> bool {
    let pw = password.0.clone();
    let hash = hash.0.clone();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| argon2().verify_password(pw.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// Burns the same time as a real verification, so a wrong username is not faster to reject.
pub async fn verify_dummy(password: &Password) {
    static DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K1CFTXdjZ0Zo0rXFgVHm4CGU8gMZJUzEqdsXx39xnYs";
    let _ = verify_password(password, &PasswordHashString(DUMMY.to_string())).await;
}

/// A random bearer secret (session cookie, API token, setup link). Only its SHA-256 is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }
    pub fn from_presented(s: &str) -> Self {
        Self(s.to_string())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn hash(&self) -> SecretHash {
        SecretHash(hex::encode(Sha256::digest(self.0.as_bytes())))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// SHA-256 of a [`Secret`], hex; what the database keeps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretHash(pub String);

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: Username,
    pub display_name: DisplayName,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    /// The unit the person belongs to; unit admins manage accounts of their subtree.
    pub home_unit_id: Option<UnitId>,
    pub site_admin: bool,
    pub disabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

pub struct NewUser {
    pub username: Username,
    pub display_name: DisplayName,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub home_unit_id: Option<UnitId>,
    pub site_admin: bool,
    pub password_hash: PasswordHashString,
}

/// A server-side session; the cookie carries the secret, the row its hash.
#[derive(Debug, Clone)]
pub struct Session {
    pub hash: SecretHash,
    pub user_id: UserId,
    /// The token forms must echo back (CSRF); random per session.
    pub csrf: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: TokenId,
    pub user_id: UserId,
    pub name: String,
    /// The first characters of the secret, so people can tell tokens apart.
    pub prefix: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_used_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub revoked_at: Option<OffsetDateTime>,
}

/// A token's label: 1–80 graphemes.
pub fn parse_token_name(s: &str) -> Result<String, FieldError> {
    crate::field::refuse_controls("name", "ชื่อโทเค็น", s)?;
    let s = tidy(s);
    match grapheme_len(&s) {
        0 => Err(FieldError::new(
            "name",
            "กรุณาตั้งชื่อโทเค็น เช่น \"สคริปต์นำเข้าข้อมูล\"",
        )),
        n if n > 80 => Err(FieldError::new("name", "ชื่อโทเค็นยาวเกิน 80 ตัวอักษร")),
        _ => Ok(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(
            Username::parse(" Somchai.K ").unwrap().as_str(),
            "somchai.k"
        );
        assert_eq!(
            Username::parse("๐๘๑๒๓๔๕๖๗๘").unwrap().as_str(),
            "0812345678"
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("สมชาย").is_err());
        assert!(Username::parse("a b c").is_err());
    }

    #[test]
    fn contact_fields() {
        assert_eq!(
            Phone::parse_optional("๐๘๑-๒๓๔-๕๖๗๘")
                .unwrap()
                .unwrap()
                .as_str(),
            "0812345678"
        );
        assert!(Phone::parse_optional("12345").is_err());
        assert!(Phone::parse_optional("").unwrap().is_none());
        assert!(Email::parse_optional("a@b.go.th").unwrap().is_some());
        assert!(Email::parse_optional("not an email").is_err());
    }

    #[test]
    fn password_length_counts_graphemes() {
        // 11 graphemes, 14 code points: too short however it is counted by bytes.
        assert!(Password::parse("password", "รหัสผ่านยาวพอ", &[]).is_err());
        assert!(Password::parse("password", "รหัสผ่านยาวพอแล้ว", &[]).is_ok());
        assert_eq!(
            format!("{:?}", Password::attempt("secret")),
            "Password(***)"
        );
    }

    #[tokio::test]
    async fn argon2id_round_trip() {
        let pw = Password::parse("password", "correct horse battery", &[]).unwrap();
        let hash = hash_password(&pw).await.unwrap();
        assert!(hash.0.starts_with("$argon2id$"));
        assert!(verify_password(&pw, &hash).await);
        assert!(!verify_password(&Password::attempt("wrong horse"), &hash).await);
    }

    /// The weak passwords the hostile test got accepted, and the person's own names.
    #[test]
    fn weak_passwords_are_refused_with_advice() {
        let about = ["somchai.k2567", "สมชาย ใจดีมากมาย", "somchai@example.go.th"];
        for weak in [
            "password",
            "12345678",
            "            ",
            "somchai.k2567",
            "SOMCHAI.K2567",
            "สมชาย ใจดีมากมาย",
            "123456789012",
            "passwordpassword",
            "qwertyuiop123",
            "aaaaaaaaaaaaaaaa",
            "somchai.k2567!!",
            "password1234",
        ] {
            let err = match Password::parse("new_password", weak, &about) {
                Err(e) => e,
                Ok(_) => panic!("{weak:?} was accepted"),
            };
            assert_eq!(err.field, "new_password");
            assert!(
                err.message.contains("อย่างน้อย 12 ตัวอักษร"),
                "{weak:?}: {}",
                err.message
            );
        }
        for strong in [
            "ทุ่งนาเขียวเช้าวันพุธ",
            "correct horse battery staple",
            "ม้าแดงกินหญ้าริมคลอง",
            "river-lamp-orbit-7",
        ] {
            assert!(
                Password::parse("password", strong, &about).is_ok(),
                "{strong:?} was refused"
            );
        }
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = Secret::generate("khl_");
        let b = Secret::generate("khl_");
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with("khl_"));
        assert_eq!(a.hash().0.len(), 64);
        assert_eq!(a.hash(), Secret::from_presented(a.expose()).hash());
    }
}
