//! The protocol's rules without I/O: a request's arguments parsed into a typed [`OaiRequest`]
//! (or the protocol's own error codes), datestamps at day and second granularity, set specs,
//! stateless resumption tokens, identifiers, and which items the repository discloses.

use crate::ids::ItemId;
use crate::item::{ItemStatus, Visibility};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime, Time};

/// The one metadata format: unqualified Dublin Core.
pub const METADATA_PREFIX: &str = "oai_dc";
pub const OAI_DC_SCHEMA: &str = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd";
pub const OAI_DC_NAMESPACE: &str = "http://www.openarchives.org/OAI/2.0/oai_dc/";
/// Records (or headers) per ListRecords / ListIdentifiers answer.
pub const PAGE_SIZE: u64 = 100;

/// Who answers at `/oai` (from configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiSettings {
    /// `repositoryName`, e.g. "คลังความรู้ กรมสนับสนุนบริการสุขภาพ".
    pub repository_name: String,
    /// Where people reach khlang, without a trailing slash; `/oai` is appended.
    pub base_url: String,
    pub admin_email: String,
    /// The middle part of `oai:<repository id>:item/<id>`.
    pub repository_id: String,
    /// No public base URL is configured: each request's Host header names the site (see
    /// [`OaiSettings::for_host`]), with the e-mail and repository id as configured.
    follow_host: Option<(String, String)>,
}

impl OaiSettings {
    /// Fills what is not configured: the repository id is the host of the base URL, the
    /// e-mail `webmaster@` that host (or an `.invalid` address when the host is no domain).
    pub fn new(name: &str, base_url: &str, admin_email: &str, repository_id: &str) -> Self {
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        let host = base_url
            .split("://")
            .nth(1)
            .unwrap_or(&base_url)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or_default();
        let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
        let host = if host.starts_with('[') {
            host.split(']')
                .next()
                .unwrap_or(host)
                .trim_start_matches('[')
        } else {
            host.split(':').next().unwrap_or(host)
        };
        let host = host.to_ascii_lowercase();
        let repository_id = match repository_id.trim() {
            "" if host.is_empty() => "khlang".to_string(),
            "" => host.clone(),
            id => id.to_string(),
        };
        let admin_email = match admin_email.trim() {
            "" if host.contains('.') && !host.contains(':') => format!("webmaster@{host}"),
            "" => "webmaster@khlang.invalid".to_string(),
            e => e.to_string(),
        };
        let repository_name = match name.trim() {
            "" => "คลังความรู้".to_string(),
            n => n.to_string(),
        };
        Self {
            repository_name,
            base_url,
            admin_email,
            repository_id,
            follow_host: None,
        }
    }

    /// For a site whose `public_base_url` is not configured: the address it listens on is not
    /// the one harvesters use, so each request's Host header stands in for it.
    pub fn following_host(mut self, admin_email: &str, repository_id: &str) -> Self {
        self.follow_host = Some((admin_email.to_string(), repository_id.to_string()));
        self
    }

    /// The settings for a request that came with `host` (a Host header): unchanged when the
    /// base URL is configured or the header is missing or not a plain host[:port].
    pub fn for_host(&self, host: Option<&str>) -> Option<Self> {
        let (email, id) = self.follow_host.as_ref()?;
        let host = host?.trim();
        let plain = !host.is_empty()
            && host.len() <= 255
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
        plain.then(|| {
            Self::new(&self.repository_name, &format!("http://{host}"), email, id)
                .following_host(email, id)
        })
    }

    /// The protocol's base URL.
    pub fn oai_url(&self) -> String {
        format!("{}/oai", self.base_url)
    }

    /// `oai:<repository id>:item/<id>`
    pub fn identifier(&self, id: ItemId) -> String {
        format!("oai:{}:item/{}", self.repository_id, id.0)
    }

    /// The item an identifier names, if it is one of ours; anything else is unknown.
    pub fn parse_identifier(&self, s: &str) -> Option<ItemId> {
        let rest = s.strip_prefix("oai:")?.strip_prefix(&self.repository_id)?;
        let digits = rest.strip_prefix(":item/")?;
        if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match digits.parse::<i64>() {
            Ok(n) if n > 0 && !digits.starts_with('0') => Some(ItemId(n)),
            _ => None,
        }
    }

    /// The item's public page (`dc:identifier`).
    pub fn item_url(&self, id: ItemId) -> String {
        format!("{}/items/{}", self.base_url, id.0)
    }
}

/// Whether an item is part of the repository: published public items are records, archived
/// ones that were public are deleted records, every other item does not exist here.
pub fn disclosed(status: ItemStatus, visibility: Visibility) -> Option<Disclosure> {
    match (status, visibility) {
        (ItemStatus::Published, Visibility::Public) => Some(Disclosure::Record),
        (ItemStatus::Archived, Visibility::Public) => Some(Disclosure::Deleted),
        _ => None,
    }
}

/// The statuses and visibility [`disclosed`] accepts, for the store's query.
pub const DISCLOSED_STATUSES: [ItemStatus; 2] = [ItemStatus::Published, ItemStatus::Archived];
pub const DISCLOSED_VISIBILITY: Visibility = Visibility::Public;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    Record,
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Identify,
    ListMetadataFormats,
    ListSets,
    ListIdentifiers,
    ListRecords,
    GetRecord,
}

impl Verb {
    pub const ALL: [Verb; 6] = [
        Verb::Identify,
        Verb::ListMetadataFormats,
        Verb::ListSets,
        Verb::ListIdentifiers,
        Verb::ListRecords,
        Verb::GetRecord,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Identify => "Identify",
            Verb::ListMetadataFormats => "ListMetadataFormats",
            Verb::ListSets => "ListSets",
            Verb::ListIdentifiers => "ListIdentifiers",
            Verb::ListRecords => "ListRecords",
            Verb::GetRecord => "GetRecord",
        }
    }

    /// Verbs are case-sensitive in the protocol.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// The protocol's error codes (OAI-PMH 2.0 §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaiErrorCode {
    BadArgument,
    BadResumptionToken,
    BadVerb,
    CannotDisseminateFormat,
    IdDoesNotExist,
    NoRecordsMatch,
    NoMetadataFormats,
    NoSetHierarchy,
}

impl OaiErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadArgument => "badArgument",
            Self::BadResumptionToken => "badResumptionToken",
            Self::BadVerb => "badVerb",
            Self::CannotDisseminateFormat => "cannotDisseminateFormat",
            Self::IdDoesNotExist => "idDoesNotExist",
            Self::NoRecordsMatch => "noRecordsMatch",
            Self::NoMetadataFormats => "noMetadataFormats",
            Self::NoSetHierarchy => "noSetHierarchy",
        }
    }
}

/// One `<error code="…">message</error>`; the message is for people reading the XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OaiError {
    pub code: OaiErrorCode,
    pub message: String,
}

impl OaiError {
    pub fn new(code: OaiErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

fn bad_argument(message: impl Into<String>) -> OaiError {
    OaiError::new(OaiErrorCode::BadArgument, message)
}

/// A `from` or `until` argument, or a record's datestamp, with the granularity it was given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datestamp {
    /// `YYYY-MM-DD`
    Day(Date),
    /// `YYYY-MM-DDThh:mm:ssZ`
    Second(OffsetDateTime),
}

impl Datestamp {
    /// Strictly one of the two UTC forms the repository's granularity allows.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = b.get(r)?;
            if part.iter().all(u8::is_ascii_digit) {
                std::str::from_utf8(part).ok()?.parse().ok()
            } else {
                None
            }
        };
        if b.len() != 10 && b.len() != 20 {
            return None;
        }
        if b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = i32::try_from(num(0..4)?).ok()?;
        let month = Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
        let day = Date::from_calendar_date(year, month, u8::try_from(num(8..10)?).ok()?).ok()?;
        if b.len() == 10 {
            return Some(Self::Day(day));
        }
        if b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
            return None;
        }
        let time = Time::from_hms(
            u8::try_from(num(11..13)?).ok()?,
            u8::try_from(num(14..16)?).ok()?,
            u8::try_from(num(17..19)?).ok()?,
        )
        .ok()?;
        Some(Self::Second(day.with_time(time).assume_utc()))
    }

    fn start(self) -> OffsetDateTime {
        match self {
            Self::Day(d) => d.midnight().assume_utc(),
            Self::Second(t) => t,
        }
    }

    /// Unix milliseconds of the first instant the datestamp covers (a `from` bound, inclusive).
    pub fn start_ms(self) -> i64 {
        (self.start().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// Unix milliseconds just past the last instant it covers (an `until` bound, exclusive):
    /// `until=2024-05-01` takes the whole day, `until=…T10:00:00Z` the whole second.
    pub fn end_ms(self) -> i64 {
        match self {
            Self::Day(_) => self.start_ms() + 86_400_000,
            Self::Second(_) => self.start_ms() + 1_000,
        }
    }

    fn same_granularity(self, other: Self) -> bool {
        matches!(
            (self, other),
            (Self::Day(_), Self::Day(_)) | (Self::Second(_), Self::Second(_))
        )
    }

    /// As it was given (and as it goes into a token).
    pub fn format(self) -> String {
        match self {
            Self::Day(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
            Self::Second(t) => format_seconds(t),
        }
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` in UTC, the repository's granularity.
pub fn format_seconds(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A record's datestamp from the stored Unix milliseconds (seconds granularity).
pub fn datestamp_of_ms(ms: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format_seconds(t)
}

/// A set's name in the protocol: `unit:DHSS:PHC`, `topic:km-category:model-area`,
/// `type:innovation` (the spec's setSpecType pattern, segments joined by `:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetSpec(String);

impl SetSpec {
    pub fn parse(s: &str) -> Option<Self> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c);
        let ok = !s.is_empty()
            && s.len() <= 300
            && s.split(':')
                .all(|seg| !seg.is_empty() && seg.chars().all(ok_char));
        ok.then(|| Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn segments(&self) -> Vec<&str> {
        self.0.split(':').collect()
    }
}

/// What a list asks for besides its verb: the format and the selective-harvest arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Harvest {
    pub set: Option<SetSpec>,
    pub from: Option<Datestamp>,
    pub until: Option<Datestamp>,
}

impl Harvest {
    fn check_range(&self) -> Result<(), OaiError> {
        if let (Some(f), Some(u)) = (self.from, self.until) {
            if !f.same_granularity(u) {
                return Err(bad_argument(
                    "from and until must have the same granularity (both YYYY-MM-DD or both YYYY-MM-DDThh:mm:ssZ)",
                ));
            }
            if f.start_ms() > u.start_ms() {
                return Err(bad_argument("from is later than until"));
            }
        }
        Ok(())
    }
}

/// Where a list stopped: the last record's (datestamp ms, id) and how many came before.
/// Stateless: everything needed to go on is in the token, so every khlang process behind the
/// base URL accepts every other's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumptionToken {
    pub verb: Verb,
    pub harvest: Harvest,
    pub after_ms: i64,
    pub after_id: ItemId,
    /// Records delivered before the next answer (the next `cursor`).
    pub cursor: u64,
}

const TOKEN_VERSION: &str = "k1";
const TOKEN_KEY: &[u8] = b"khlang oai-pmh resumption token v1";

fn checksum(payload: &str) -> String {
    let mut h = Sha256::new();
    h.update(TOKEN_KEY);
    h.update(payload.as_bytes());
    hex::encode(&h.finalize()[..10])
}

impl ResumptionToken {
    /// `base64url(fields).checksum`: an edited token fails the checksum, and a token that
    /// passes it is still validated field by field as if a person had typed it.
    pub fn encode(&self) -> String {
        let payload = [
            TOKEN_VERSION.to_string(),
            self.verb.as_str().to_string(),
            METADATA_PREFIX.to_string(),
            self.harvest
                .set
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            self.harvest.from.map(Datestamp::format).unwrap_or_default(),
            self.harvest
                .until
                .map(Datestamp::format)
                .unwrap_or_default(),
            self.after_ms.to_string(),
            self.after_id.0.to_string(),
            self.cursor.to_string(),
        ]
        .join("|");
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload.as_bytes()),
            checksum(&payload)
        )
    }

    /// A token of `verb`, or None for anything forged, edited, truncated or of another verb.
    pub fn decode(s: &str, verb: Verb) -> Option<Self> {
        if s.len() > 2000 {
            return None;
        }
        let (data, sum) = s.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(data).ok()?).ok()?;
        let want = checksum(&payload);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            want.as_bytes(),
            sum.as_bytes(),
        )) {
            return None;
        }
        let f: Vec<&str> = payload.split('|').collect();
        let [version, v, prefix, set, from, until, ms, id, cursor] = f.as_slice() else {
            return None;
        };
        if *version != TOKEN_VERSION || Verb::parse(v)? != verb || *prefix != METADATA_PREFIX {
            return None;
        }
        let opt_date = |s: &str| -> Option<Option<Datestamp>> {
            if s.is_empty() {
                Some(None)
            } else {
                Datestamp::parse(s).map(Some)
            }
        };
        let harvest = Harvest {
            set: if set.is_empty() {
                None
            } else {
                Some(SetSpec::parse(set)?)
            },
            from: opt_date(from)?,
            until: opt_date(until)?,
        };
        harvest.check_range().ok()?;
        let canonical = |s: &str| s == "0" || !s.starts_with(['0', '+', '-']);
        if !canonical(ms) || !canonical(id) || !canonical(cursor) {
            return None;
        }
        let after_ms: i64 = ms.parse().ok()?;
        let after_id: i64 = id.parse().ok()?;
        let cursor: u64 = cursor.parse().ok()?;
        if after_id <= 0 || cursor == 0 {
            return None;
        }
        Some(Self {
            verb,
            harvest,
            after_ms,
            after_id: ItemId(after_id),
            cursor,
        })
    }
}

/// A list request: a fresh one or one going on from a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListRequest {
    Fresh(Harvest),
    Resume(ResumptionToken),
}

impl ListRequest {
    pub fn harvest(&self) -> &Harvest {
        match self {
            Self::Fresh(h) => h,
            Self::Resume(t) => &t.harvest,
        }
    }
}

/// A request as the repository understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OaiRequest {
    Identify,
    ListMetadataFormats { identifier: Option<String> },
    ListSets,
    ListIdentifiers(ListRequest),
    ListRecords(ListRequest),
    GetRecord { identifier: String },
}

/// The arguments as they arrived (query string or form body), in order, repeats kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OaiArgs(pub Vec<(String, String)>);

impl OaiArgs {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Parses into a request, or lists every protocol error found. badVerb and badArgument
    /// stand alone (the request element then echoes no arguments); a wrong metadataPrefix is
    /// reported beside other bad arguments.
    pub fn parse(&self) -> Result<OaiRequest, Vec<OaiError>> {
        let verbs: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k == "verb")
            .map(|(_, v)| v.as_str())
            .collect();
        let verb = match verbs.as_slice() {
            [] => {
                return Err(vec![OaiError::new(
                    OaiErrorCode::BadVerb,
                    "the verb argument is missing",
                )]);
            }
            [v] => Verb::parse(v).ok_or_else(|| {
                vec![OaiError::new(
                    OaiErrorCode::BadVerb,
                    "the value of the verb argument is not a legal OAI-PMH verb",
                )]
            })?,
            _ => {
                return Err(vec![OaiError::new(
                    OaiErrorCode::BadVerb,
                    "the verb argument is repeated",
                )]);
            }
        };
        let mut errors = Vec::new();
        let (required, optional, exclusive): (&[&str], &[&str], Option<&str>) = match verb {
            Verb::Identify => (&[], &[], None),
            Verb::ListMetadataFormats => (&[], &["identifier"], None),
            Verb::ListSets => (&[], &[], Some("resumptionToken")),
            Verb::ListIdentifiers | Verb::ListRecords => (
                &["metadataPrefix"],
                &["from", "until", "set"],
                Some("resumptionToken"),
            ),
            Verb::GetRecord => (&["identifier", "metadataPrefix"], &[], None),
        };
        let mut seen: Vec<&str> = Vec::new();
        for (k, v) in self.0.iter().filter(|(k, _)| k != "verb") {
            let known = required.contains(&k.as_str())
                || optional.contains(&k.as_str())
                || exclusive == Some(k.as_str());
            if !known {
                errors.push(bad_argument(format!(
                    "{k} is not an argument of {}",
                    verb.as_str()
                )));
            } else if seen.contains(&k.as_str()) {
                errors.push(bad_argument(format!("{k} is repeated")));
            } else if v.is_empty() {
                errors.push(bad_argument(format!("{k} has no value")));
            } else if k == "metadataPrefix"
                && SetSpec::parse(v).is_none_or(|s| s.segments().len() > 1)
            {
                errors.push(bad_argument(
                    "metadataPrefix has characters a prefix cannot have",
                ));
            }
            seen.push(k.as_str());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if let Some(x) = exclusive
            && let Some(token) = self.get(x)
        {
            if self.0.len() > 2 {
                return Err(vec![bad_argument(
                    "resumptionToken is an exclusive argument: send it with the verb only",
                )]);
            }
            return match verb {
                Verb::ListIdentifiers | Verb::ListRecords => {
                    let t = ResumptionToken::decode(token, verb).ok_or_else(|| {
                        vec![OaiError::new(
                            OaiErrorCode::BadResumptionToken,
                            "the resumptionToken is invalid, altered, or not one of this verb",
                        )]
                    })?;
                    Ok(if verb == Verb::ListRecords {
                        OaiRequest::ListRecords(ListRequest::Resume(t))
                    } else {
                        OaiRequest::ListIdentifiers(ListRequest::Resume(t))
                    })
                }
                _ => Err(vec![OaiError::new(
                    OaiErrorCode::BadResumptionToken,
                    "ListSets is answered in one response: this repository issues no tokens for it",
                )]),
            };
        }
        for r in required {
            if self.get(r).is_none() {
                errors.push(bad_argument(format!(
                    "{r} is required for {}",
                    verb.as_str()
                )));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let format_error = self
            .get("metadataPrefix")
            .filter(|p| *p != METADATA_PREFIX)
            .map(|p| {
                OaiError::new(
                    OaiErrorCode::CannotDisseminateFormat,
                    format!("{p} is not supported: this repository disseminates oai_dc"),
                )
            });
        let request = match verb {
            Verb::Identify => OaiRequest::Identify,
            Verb::ListSets => OaiRequest::ListSets,
            Verb::ListMetadataFormats => OaiRequest::ListMetadataFormats {
                identifier: self.get("identifier").map(str::to_string),
            },
            Verb::GetRecord => OaiRequest::GetRecord {
                identifier: self.get("identifier").unwrap_or_default().to_string(),
            },
            Verb::ListIdentifiers | Verb::ListRecords => {
                let date = |key: &str| -> Result<Option<Datestamp>, OaiError> {
                    match self.get(key) {
                        None => Ok(None),
                        Some(s) => Datestamp::parse(s).map(Some).ok_or_else(|| {
                            bad_argument(format!(
                                "{key}={s} is not a UTC date YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ"
                            ))
                        }),
                    }
                };
                let from = date("from").map_err(|e| errors.push(e)).ok().flatten();
                let until = date("until").map_err(|e| errors.push(e)).ok().flatten();
                let set = match self.get("set") {
                    None => None,
                    Some(s) => match SetSpec::parse(s) {
                        Some(spec) => Some(spec),
                        None => {
                            errors.push(bad_argument(format!("set={s} is not a valid setSpec")));
                            None
                        }
                    },
                };
                let harvest = Harvest { set, from, until };
                if errors.is_empty()
                    && let Err(e) = harvest.check_range()
                {
                    errors.push(e);
                }
                if verb == Verb::ListRecords {
                    OaiRequest::ListRecords(ListRequest::Fresh(harvest))
                } else {
                    OaiRequest::ListIdentifiers(ListRequest::Fresh(harvest))
                }
            }
        };
        errors.extend(format_error);
        if errors.is_empty() {
            Ok(request)
        } else {
            Err(errors)
        }
    }
}

/// A record's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub identifier: String,
    pub datestamp: String,
    pub set_specs: Vec<String>,
    pub deleted: bool,
}

/// Unqualified Dublin Core of one published item (oai_dc).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DublinCore {
    pub title: String,
    pub creators: Vec<String>,
    pub subjects: Vec<String>,
    pub description: Option<String>,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub types: Vec<String>,
    pub formats: Vec<String>,
    pub identifiers: Vec<String>,
    pub language: String,
    pub rights: Vec<String>,
}

/// A header, with metadata unless the record is deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub header: Header,
    pub metadata: Option<DublinCore>,
}

/// The licence as `dc:rights`: its Thai label, and its URL for Creative Commons licences.
pub fn rights(licence: &str) -> Vec<String> {
    let label = crate::item::LICENCES
        .iter()
        .find(|(k, _)| *k == licence)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| licence.to_string());
    let url = match licence {
        "CC-BY-4.0" => Some("https://creativecommons.org/licenses/by/4.0/"),
        "CC-BY-SA-4.0" => Some("https://creativecommons.org/licenses/by-sa/4.0/"),
        "CC-BY-NC-4.0" => Some("https://creativecommons.org/licenses/by-nc/4.0/"),
        "CC0-1.0" => Some("https://creativecommons.org/publicdomain/zero/1.0/"),
        _ => None,
    };
    let mut out = vec![label];
    out.extend(url.map(str::to_string));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> OaiArgs {
        OaiArgs(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn codes(r: Result<OaiRequest, Vec<OaiError>>) -> Vec<&'static str> {
        r.unwrap_err().iter().map(|e| e.code.as_str()).collect()
    }

    #[test]
    fn verbs_are_exact_and_single() {
        assert_eq!(codes(args(&[]).parse()), ["badVerb"]);
        assert_eq!(codes(args(&[("verb", "identify")]).parse()), ["badVerb"]);
        assert_eq!(
            codes(args(&[("verb", "Identify"), ("verb", "Identify")]).parse()),
            ["badVerb"]
        );
        assert_eq!(
            args(&[("verb", "Identify")]).parse(),
            Ok(OaiRequest::Identify)
        );
    }

    #[test]
    fn illegal_repeated_missing_and_empty_arguments() {
        assert_eq!(
            codes(args(&[("verb", "Identify"), ("set", "x")]).parse()),
            ["badArgument"]
        );
        assert_eq!(
            codes(
                args(&[
                    ("verb", "ListRecords"),
                    ("metadataPrefix", "oai_dc"),
                    ("metadataPrefix", "oai_dc")
                ])
                .parse()
            ),
            ["badArgument"]
        );
        assert_eq!(
            codes(args(&[("verb", "ListRecords")]).parse()),
            ["badArgument"]
        );
        assert_eq!(
            codes(args(&[("verb", "GetRecord"), ("metadataPrefix", "oai_dc")]).parse()),
            ["badArgument"]
        );
        assert_eq!(
            codes(args(&[("verb", "ListRecords"), ("metadataPrefix", "")]).parse()),
            ["badArgument"]
        );
        assert_eq!(
            codes(
                args(&[
                    ("verb", "ListRecords"),
                    ("metadataPrefix", "oai_dc"),
                    ("resumptionToken", "x")
                ])
                .parse()
            ),
            ["badArgument"]
        );
    }

    #[test]
    fn formats_other_than_oai_dc_cannot_be_disseminated() {
        assert_eq!(
            codes(args(&[("verb", "ListIdentifiers"), ("metadataPrefix", "marc21")]).parse()),
            ["cannotDisseminateFormat"]
        );
        // Reported together with a bad date.
        assert_eq!(
            codes(
                args(&[
                    ("verb", "ListRecords"),
                    ("metadataPrefix", "mods"),
                    ("from", "2024-13-01")
                ])
                .parse()
            ),
            ["badArgument", "cannotDisseminateFormat"]
        );
    }

    #[test]
    fn dates_at_day_and_second_granularity() {
        let d = Datestamp::parse("2024-02-29").unwrap();
        assert_eq!(d.format(), "2024-02-29");
        assert_eq!(d.end_ms() - d.start_ms(), 86_400_000);
        let s = Datestamp::parse("2024-02-29T23:59:59Z").unwrap();
        assert_eq!(s.format(), "2024-02-29T23:59:59Z");
        assert_eq!(s.end_ms() - s.start_ms(), 1000);
        assert_eq!(s.start_ms(), d.end_ms() - 1000);
        for bad in [
            "2023-02-29",
            "2024-2-01",
            "2024-01-01T10:00:00",
            "2024-01-01T10:00:00+07:00",
            "2024-01-01T24:00:00Z",
            "2024-01-01T10:00Z",
            "2024-01-01T10:00:00.5Z",
            "๒๕๖๗-01-01",
            "",
            "yesterday",
        ] {
            assert_eq!(Datestamp::parse(bad), None, "{bad}");
        }
        let list = |from: &str, until: &str| {
            args(&[
                ("verb", "ListRecords"),
                ("metadataPrefix", "oai_dc"),
                ("from", from),
                ("until", until),
            ])
            .parse()
        };
        assert_eq!(
            codes(list("2024-01-01", "2024-01-02T00:00:00Z")),
            ["badArgument"]
        );
        assert_eq!(codes(list("2024-01-02", "2024-01-01")), ["badArgument"]);
        assert!(list("2024-01-01", "2024-01-01").is_ok());
        assert!(list("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z").is_ok());
    }

    #[test]
    fn set_specs_follow_the_schema_pattern() {
        assert!(SetSpec::parse("unit:DHSS:PHC-1").is_some());
        assert!(SetSpec::parse("type:innovation").is_some());
        for bad in ["", "unit:", ":unit", "unit::x", "หน่วย", "a b", "a/b"] {
            assert!(SetSpec::parse(bad).is_none(), "{bad}");
        }
    }

    fn token() -> ResumptionToken {
        ResumptionToken {
            verb: Verb::ListRecords,
            harvest: Harvest {
                set: SetSpec::parse("unit:DHSS"),
                from: Datestamp::parse("2024-01-01"),
                until: Datestamp::parse("2024-12-31"),
            },
            after_ms: 1_717_000_000_123,
            after_id: ItemId(42),
            cursor: 100,
        }
    }

    #[test]
    fn tokens_round_trip_and_belong_to_their_verb() {
        let t = token();
        let s = t.encode();
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        );
        assert_eq!(ResumptionToken::decode(&s, Verb::ListRecords), Some(t));
        assert_eq!(ResumptionToken::decode(&s, Verb::ListIdentifiers), None);
        let r = args(&[("verb", "ListIdentifiers"), ("resumptionToken", &s)]).parse();
        assert_eq!(codes(r), ["badResumptionToken"]);
        let r = args(&[("verb", "ListSets"), ("resumptionToken", &s)]).parse();
        assert_eq!(codes(r), ["badResumptionToken"]);
        let r = args(&[("verb", "ListRecords"), ("resumptionToken", &s)]).parse();
        assert!(matches!(
            r,
            Ok(OaiRequest::ListRecords(ListRequest::Resume(_)))
        ));
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let s = token().encode();
        let (data, sum) = s.split_once('.').unwrap();
        // Another cursor with the old checksum.
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(data).unwrap()).unwrap();
        let edited = payload.replace("|100", "|0");
        let forged = format!("{}.{sum}", URL_SAFE_NO_PAD.encode(edited.as_bytes()));
        assert_eq!(ResumptionToken::decode(&forged, Verb::ListRecords), None);
        // Every single-character change is caught.
        for i in 0..s.len() {
            let mut b = s.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            let t = String::from_utf8(b).unwrap();
            if t != s {
                assert_eq!(ResumptionToken::decode(&t, Verb::ListRecords), None, "{i}");
            }
        }
        for junk in [
            "",
            ".",
            "abc",
            "abc.def",
            &s[..s.len() - 1],
            &format!("{s}x"),
        ] {
            assert_eq!(ResumptionToken::decode(junk, Verb::ListRecords), None);
        }
        // A well-formed checksum over bad fields is refused too.
        let bad = "k1|ListRecords|oai_dc||2024-01-02|2024-01-01|1|1|100";
        let t = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(bad.as_bytes()),
            checksum(bad)
        );
        assert_eq!(ResumptionToken::decode(&t, Verb::ListRecords), None);
        let ok = "k1|ListRecords|oai_dc||2024-01-01|2024-01-02|1|1|100";
        let t = format!("{}.{}", URL_SAFE_NO_PAD.encode(ok.as_bytes()), checksum(ok));
        assert!(ResumptionToken::decode(&t, Verb::ListRecords).is_some());
    }

    #[test]
    fn identifiers_are_ours_or_unknown() {
        let s = OaiSettings::new("", "https://km.example.go.th/", "", "");
        assert_eq!(s.repository_id, "km.example.go.th");
        assert_eq!(s.admin_email, "webmaster@km.example.go.th");
        assert_eq!(s.repository_name, "คลังความรู้");
        assert_eq!(s.oai_url(), "https://km.example.go.th/oai");
        assert_eq!(s.identifier(ItemId(7)), "oai:km.example.go.th:item/7");
        assert_eq!(
            s.parse_identifier("oai:km.example.go.th:item/7"),
            Some(ItemId(7))
        );
        for bad in [
            "oai:other.example:item/7",
            "oai:km.example.go.th:item/07",
            "oai:km.example.go.th:item/0",
            "oai:km.example.go.th:item/-7",
            "oai:km.example.go.th:item/",
            "oai:km.example.go.th:item/99999999999999999999",
            "oai:km.example.go.th:innovation/7",
            "7",
        ] {
            assert_eq!(s.parse_identifier(bad), None, "{bad}");
        }
        let local = OaiSettings::new("คลัง", "http://localhost:8080", "", "");
        assert_eq!(local.repository_id, "localhost");
        assert_eq!(local.admin_email, "webmaster@khlang.invalid");
        // Without a configured base URL, the request's Host names the site.
        let following =
            OaiSettings::new("คลัง", "http://0.0.0.0:8080", "", "").following_host("", "");
        let seen = following.for_host(Some("km.example.go.th")).unwrap();
        assert_eq!(seen.oai_url(), "http://km.example.go.th/oai");
        assert_eq!(seen.identifier(ItemId(3)), "oai:km.example.go.th:item/3");
        assert_eq!(seen.admin_email, "webmaster@km.example.go.th");
        assert_eq!(following.for_host(None), None);
        assert_eq!(following.for_host(Some("evil.example/<x>")), None);
        assert_eq!(s.for_host(Some("other.example")), None, "configured: kept");
        let configured = OaiSettings::new("x", "http://127.0.0.1:80", "km@moph.go.th", "hss.go.th");
        assert_eq!(configured.identifier(ItemId(1)), "oai:hss.go.th:item/1");
        assert_eq!(configured.admin_email, "km@moph.go.th");
    }

    #[test]
    fn only_public_published_or_archived_items_are_disclosed() {
        use ItemStatus::*;
        for s in ItemStatus::ALL {
            for v in Visibility::ALL {
                let want = match (s, v) {
                    (Published, Visibility::Public) => Some(Disclosure::Record),
                    (Archived, Visibility::Public) => Some(Disclosure::Deleted),
                    _ => None,
                };
                assert_eq!(disclosed(*s, *v), want, "{s:?} {v:?}");
            }
        }
        assert_eq!(datestamp_of_ms(1_717_000_000_999), "2024-05-29T16:26:40Z");
    }

    #[test]
    fn rights_name_the_licence() {
        assert_eq!(
            rights("CC-BY-4.0"),
            [
                "CC BY 4.0 — นำไปใช้ได้ โดยอ้างอิงที่มา",
                "https://creativecommons.org/licenses/by/4.0/"
            ]
        );
        assert_eq!(rights("all-rights-reserved"), ["สงวนลิขสิทธิ์"]);
    }
}
