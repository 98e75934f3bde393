//! Types and rules of the registry, free of I/O.

use crate::error::{DomainError, FieldError};
use crate::geo::{DistrictCode, ProvinceCode};
use crate::ids::{FileId, ItemId, PersonId, TermId, UnitId, UserId};
use crate::item::{ItemStatus, Visibility};
use crate::text::{grapheme_len, tidy, tidy_multiline};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The key of the built-in form template an innovation is filled in with.
pub const TEMPLATE_KEY: &str = "innovation";
/// The taxonomy of the 13 branches (สาขา) of the outstanding-volunteer contest (seed 000 §1.4).
pub const BRANCH_TAXONOMY: &str = "osm_branch";

/// One of the five ศูนย์พัฒนาการสาธารณสุขมูลฐาน (สสม.), the regional centres that collect
/// innovations: the gazetteer's type (each province maps to one), with the names the
/// registry, its statistics and its URLs use.
pub use crate::geo::RegionalCentre;

impl RegionalCentre {
    /// The stored and URL form (`ne`): the gazetteer's key.
    pub fn code(self) -> &'static str {
        self.key()
    }

    /// Accepts the key in any case, or the centre's unit code (`DHSS-PHC-NE`).
    pub fn from_code(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.key().eq_ignore_ascii_case(s) || c.unit_code() == s)
    }

    /// Short Thai name, as the seed's tables head their columns ("สสม.ภาคเหนือ").
    pub fn label_th(self) -> &'static str {
        self.short_th()
    }
}

impl Serialize for RegionalCentre {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// What kinds of media an innovation carries, for the catalogue's media filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// ภาพถ่าย
    Photo,
    /// วิดีโอ
    Video,
    /// สไลด์นำเสนอ (PowerPoint, PDF of the presentation, OpenDocument)
    Slides,
}

impl MediaKind {
    pub const ALL: [MediaKind; 3] = [MediaKind::Photo, MediaKind::Video, MediaKind::Slides];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Video => "video",
            Self::Slides => "slides",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Self::Photo => "ภาพถ่าย",
            Self::Video => "วิดีโอ",
            Self::Slides => "สไลด์นำเสนอ",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    /// The media kind of an attached file's kind (see [`crate::file::FileKind`]).
    pub fn of_file_kind(kind: &str) -> Option<Self> {
        match kind {
            "image" => Some(Self::Photo),
            "video" => Some(Self::Video),
            "power_point" | "open_document" | "pdf" => Some(Self::Slides),
            _ => None,
        }
    }
}

/// The projection of one innovation: everything the catalogue, its cards and the statistics
/// read, refreshed whenever the item is written (see [`super::service`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InnovationRow {
    pub item_id: ItemId,
    pub unit_id: UnitId,
    pub status: ItemStatus,
    pub visibility: Visibility,
    pub title: String,
    pub summary: String,
    /// สาขา: a term of [`BRANCH_TAXONOMY`].
    pub branch: Option<TermId>,
    pub province: Option<ProvinceCode>,
    pub district: Option<DistrictCode>,
    /// เขตสุขภาพ 1–13 (13 = กรุงเทพมหานคร).
    pub health_zone: Option<u8>,
    pub regional_centre: Option<RegionalCentre>,
    /// ปีงบประมาณ (พ.ศ.).
    pub fiscal_year: i32,
    pub media: Vec<MediaKind>,
    pub innovators: Vec<PersonId>,
    /// The first photo, for the card's thumbnail (`/files/{id}/thumb`).
    pub photo: Option<FileId>,
    /// "นำไปใช้แล้ว" reports; kept by the applied reports, not by the item.
    pub applied_count: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl InnovationRow {
    pub fn has(&self, m: MediaKind) -> bool {
        self.media.contains(&m)
    }
}

/// The catalogue's filters, as a reader picks them. Unknown values are refused with a Thai
/// message at the field rather than silently ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Catalogue {
    pub branch: Option<TermId>,
    pub regional_centre: Option<RegionalCentre>,
    pub health_zone: Option<u8>,
    pub province: Option<ProvinceCode>,
    pub fiscal_year: Option<i32>,
    pub media: Option<MediaKind>,
}

/// The catalogue's query string as typed (every value text, empty = any).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CatalogueInput {
    pub branch: String,
    pub centre: String,
    pub zone: String,
    pub province: String,
    pub year: String,
    pub media: String,
}

impl CatalogueInput {
    pub fn parse(&self) -> Result<Catalogue, DomainError> {
        let mut errors = Vec::new();
        let mut c = Catalogue::default();
        let digits = |s: &str| crate::text::arabic_digits(s.trim());
        if !self.branch.trim().is_empty() {
            match digits(&self.branch).parse::<i64>() {
                Ok(id) if id > 0 => c.branch = Some(TermId(id)),
                _ => errors.push(FieldError::new("branch", "กรุณาเลือกสาขาจากรายการ")),
            }
        }
        if !self.centre.trim().is_empty() {
            match RegionalCentre::from_code(&self.centre) {
                Some(rc) => c.regional_centre = Some(rc),
                None => errors.push(FieldError::new("centre", "กรุณาเลือก สสม. จากรายการ")),
            }
        }
        if !self.zone.trim().is_empty() {
            match digits(&self.zone).parse::<u8>() {
                Ok(z @ 1..=13) => c.health_zone = Some(z),
                _ => errors.push(FieldError::new("zone", "เขตสุขภาพต้องเป็นเลข 1–13")),
            }
        }
        if !self.province.trim().is_empty() {
            match ProvinceCode::parse(&self.province) {
                Ok(p) => c.province = Some(p),
                Err(m) => errors.push(FieldError::new("province", m)),
            }
        }
        if !self.year.trim().is_empty() {
            match digits(&self.year).parse::<i32>() {
                Ok(y @ 2500..=2700) => c.fiscal_year = Some(y),
                Ok(y @ 1957..=2157) => c.fiscal_year = Some(y + 543),
                _ => errors.push(FieldError::new("year", "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2567")),
            }
        }
        if !self.media.trim().is_empty() {
            match MediaKind::parse(&self.media) {
                Some(m) => c.media = Some(m),
                None => errors.push(FieldError::new("media", "กรุณาเลือกชนิดสื่อจากรายการ")),
            }
        }
        if errors.is_empty() {
            Ok(c)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

impl From<&Catalogue> for CatalogueInput {
    fn from(c: &Catalogue) -> Self {
        Self {
            branch: c.branch.map(|t| t.0.to_string()).unwrap_or_default(),
            centre: c
                .regional_centre
                .map(|r| r.code().to_string())
                .unwrap_or_default(),
            zone: c.health_zone.map(|z| z.to_string()).unwrap_or_default(),
            province: c.province.map(|p| p.to_string()).unwrap_or_default(),
            year: c.fiscal_year.map(|y| y.to_string()).unwrap_or_default(),
            media: c.media.map(|m| m.as_str().to_string()).unwrap_or_default(),
        }
    }
}

impl CatalogueInput {
    /// The query string that gives these filters back (for pagination links), without `page`.
    pub fn query_string(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("branch", &self.branch),
            ("centre", &self.centre),
            ("zone", &self.zone),
            ("province", &self.province),
            ("year", &self.year),
            ("media", &self.media),
        ] {
            let v = v.trim();
            if !v.is_empty() {
                parts.push(format!("{k}={}", url_encode(v)));
            }
        }
        parts.join("&")
    }
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One row of the statistics: published innovations of one branch from one regional centre.
/// `branch` or `regional_centre` is None for innovations without one (not yet classified,
/// or a province outside the centres' map).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InnovationCount {
    pub branch: Option<TermId>,
    pub regional_centre: Option<RegionalCentre>,
    pub count: u64,
}

/// A "นำไปใช้แล้ว" report as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct AppliedInput {
    /// จังหวัดที่นำไปใช้ (code), optional.
    pub province: String,
    /// Where: a village, a health centre, a community (free text).
    pub place: String,
    /// How it was used.
    pub how: String,
    /// With what result.
    pub result: String,
}

/// A checked report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedFields {
    pub province: Option<ProvinceCode>,
    pub place: String,
    pub how: String,
    pub result: String,
}

impl AppliedInput {
    pub fn parse(&self) -> Result<AppliedFields, DomainError> {
        use crate::field::refuse_controls;
        let mut errors = Vec::new();
        for check in [
            refuse_controls("place", "สถานที่", &self.place),
            refuse_controls("how", "วิธีนำไปใช้", &self.how),
            refuse_controls("result", "ผลที่ได้", &self.result),
        ] {
            if let Err(e) = check {
                errors.push(e);
            }
        }
        let province = if self.province.trim().is_empty() {
            None
        } else {
            match ProvinceCode::parse(&self.province) {
                Ok(p) => Some(p),
                Err(m) => {
                    errors.push(FieldError::new("province", m));
                    None
                }
            }
        };
        let place = tidy(&self.place);
        let how = tidy_multiline(&self.how);
        let result = tidy_multiline(&self.result);
        if place.is_empty() {
            errors.push(FieldError::new(
                "place",
                "กรุณาบอกสถานที่ที่นำไปใช้ เช่น หมู่บ้าน ตำบล หรือหน่วยงาน",
            ));
        } else if grapheme_len(&place) > 300 {
            errors.push(FieldError::new("place", "สถานที่ยาวเกิน 300 ตัวอักษร"));
        }
        if how.is_empty() {
            errors.push(FieldError::new("how", "กรุณาเล่าว่านำไปใช้อย่างไร"));
        } else if grapheme_len(&how) > 5000 {
            errors.push(FieldError::new("how", "วิธีนำไปใช้ยาวเกิน 5,000 ตัวอักษร"));
        }
        if result.is_empty() {
            errors.push(FieldError::new("result", "กรุณาเล่าผลที่ได้ แม้ยังไม่สำเร็จก็ตาม"));
        } else if grapheme_len(&result) > 5000 {
            errors.push(FieldError::new("result", "ผลที่ได้ยาวเกิน 5,000 ตัวอักษร"));
        }
        if errors.is_empty() {
            Ok(AppliedFields {
                province,
                place,
                how,
                result,
            })
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// A stored "นำไปใช้แล้ว" report. The reporter's name is an account's display name, which
/// its holder chose to show; nothing else about them is kept here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedReport {
    pub id: i64,
    pub item_id: ItemId,
    #[serde(skip)]
    pub reported_by: UserId,
    pub reporter_name: String,
    pub province: Option<ProvinceCode>,
    pub place: String,
    pub how: String,
    pub result: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Applied reports shown per page on an innovation (newest first).
pub const REPORTS_PER_PAGE: u64 = 20;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_filters_parse_thai_digits_and_refuse_junk() {
        let c = CatalogueInput {
            branch: "๓".into(),
            centre: "NE".into(),
            zone: "๗".into(),
            province: "๔๐".into(),
            year: "2024".into(),
            media: "photo".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(c.branch, Some(TermId(3)));
        assert_eq!(c.regional_centre, Some(RegionalCentre::Northeast));
        assert_eq!(c.health_zone, Some(7));
        assert_eq!(c.province.unwrap().to_string(), "40");
        assert_eq!(c.fiscal_year, Some(2567));
        assert_eq!(c.media, Some(MediaKind::Photo));
        assert_eq!(
            CatalogueInput::from(&c).query_string(),
            "branch=3&centre=ne&zone=7&province=40&year=2567&media=photo"
        );
        let Err(DomainError::Invalid(e)) = CatalogueInput {
            branch: "x".into(),
            centre: "moon".into(),
            zone: "14".into(),
            province: "4".into(),
            year: "soon".into(),
            media: "vinyl".into(),
        }
        .parse() else {
            panic!()
        };
        assert_eq!(e.len(), 6);
    }

    #[test]
    fn an_applied_report_needs_place_how_and_result() {
        let Err(DomainError::Invalid(e)) = AppliedInput::default().parse() else {
            panic!()
        };
        let fields: Vec<_> = e.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(fields, ["place", "how", "result"]);
        let ok = AppliedInput {
            province: "๔๐".into(),
            place: " บ้านโนนม่วง  หมู่ ๓ ".into(),
            how: "สอนแกนนำ".into(),
            result: "ผู้ป่วยความดันคุมได้ดีขึ้น".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(ok.place, "บ้านโนนม่วง หมู่ ๓");
        assert!(
            AppliedInput {
                place: "ก".repeat(10_000),
                ..ok_input()
            }
            .parse()
            .is_err()
        );
    }

    fn ok_input() -> AppliedInput {
        AppliedInput {
            province: String::new(),
            place: "ที่".into(),
            how: "อย่างไร".into(),
            result: "ผล".into(),
        }
    }

    #[test]
    fn media_kinds_come_from_file_kinds() {
        assert_eq!(MediaKind::of_file_kind("image"), Some(MediaKind::Photo));
        assert_eq!(MediaKind::of_file_kind("video"), Some(MediaKind::Video));
        assert_eq!(
            MediaKind::of_file_kind("power_point"),
            Some(MediaKind::Slides)
        );
        assert_eq!(MediaKind::of_file_kind("zip"), None);
        assert_eq!(
            RegionalCentre::from_code("DHSS-PHC-SB"),
            Some(RegionalCentre::SouthernBorder)
        );
    }
}
