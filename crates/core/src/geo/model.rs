//! Codes of the Department of Provincial Administration (DOPA): province `10`, district
//! `1001`, subdistrict `100101` — each code begins with its parent's, so a place is checked
//! for consistency without the reference data.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

macro_rules! code {
    ($(#[$doc:meta])* $name:ident, $digits:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(u32);

        impl $name {
            /// Accepts the code's digits, Thai or Arabic, with surrounding spaces.
            pub fn parse(s: &str) -> Result<Self, String> {
                let digits: String = crate::text::arabic_digits(s.trim());
                if digits.len() == $digits && digits.bytes().all(|b| b.is_ascii_digit()) {
                    Ok(Self(digits.parse().map_err(|_| String::new())?))
                } else {
                    Err(format!(concat!("รหัส", $what, "ต้องเป็นตัวเลข {} หลัก (ได้ “{}”)"), $digits, s.trim()))
                }
            }
            pub fn as_u32(self) -> u32 {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{:0width$}", self.0, width = $digits)
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(c: $name) -> String {
                c.to_string()
            }
        }
    };
}

code!(
    /// จังหวัด, two digits (`10` กรุงเทพมหานคร … `96` นราธิวาส).
    ProvinceCode, 2, "จังหวัด"
);
code!(
    /// อำเภอ/เขต, four digits beginning with the province's.
    DistrictCode, 4, "อำเภอ"
);
code!(
    /// ตำบล/แขวง, six digits beginning with the district's.
    SubdistrictCode, 6, "ตำบล"
);

impl DistrictCode {
    pub fn province(self) -> ProvinceCode {
        ProvinceCode(self.0 / 100)
    }
}

impl SubdistrictCode {
    pub fn district(self) -> DistrictCode {
        DistrictCode(self.0 / 100)
    }
}

/// Where someone lives or an innovation is used: a province, optionally narrowed to a
/// district, a subdistrict and a village (หมู่ที่ and its name, as people write it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    pub province: ProvinceCode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<DistrictCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subdistrict: Option<SubdistrictCode>,
    /// หมู่ที่ (1–99), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village_no: Option<u8>,
    /// ชื่อหมู่บ้าน, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village: Option<String>,
}

impl Place {
    /// Checks that each code lies within the one above it. Whether the codes exist is the
    /// reference data's question (see the geography service).
    pub fn check(&self, field: impl Into<Cow<'static, str>>) -> Result<(), FieldError> {
        let field = field.into();
        if let Some(d) = self.district
            && d.province() != self.province
        {
            return Err(FieldError::new(field, "อำเภอที่เลือกไม่อยู่ในจังหวัดนี้"));
        }
        if let Some(s) = self.subdistrict
            && self.district != Some(s.district())
        {
            return Err(FieldError::new(field, "ตำบลที่เลือกไม่อยู่ในอำเภอนี้"));
        }
        if let Some(n) = self.village_no
            && !(1..=99).contains(&n)
        {
            return Err(FieldError::new(field, "หมู่ที่ต้องอยู่ระหว่าง 1 ถึง 99"));
        }
        Ok(())
    }
}

/// A place as a form sends it: the codes chosen in the place picker's selects (Thai or
/// Arabic digits), the village number and name as typed. Fields are named
/// `{prefix}.province`, `{prefix}.district`, `{prefix}.subdistrict`, `{prefix}.village_no`,
/// `{prefix}.village` (see the web layer's place picker).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceDraft {
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub district: String,
    #[serde(default)]
    pub subdistrict: String,
    #[serde(default)]
    pub village_no: String,
    #[serde(default)]
    pub village: String,
}

impl PlaceDraft {
    /// Picks the fields named `{prefix}.…` out of a submitted form's pairs.
    pub fn from_pairs<'a>(
        prefix: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut d = Self::default();
        for (k, v) in pairs {
            let Some(rest) = k.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) else {
                continue;
            };
            let slot = match rest {
                "province" => &mut d.province,
                "district" => &mut d.district,
                "subdistrict" => &mut d.subdistrict,
                "village_no" => &mut d.village_no,
                "village" => &mut d.village,
                _ => continue,
            };
            *slot = v.to_string();
        }
        d
    }

    /// The draft of a stored place, to show it in the picker again.
    pub fn of(place: &Place) -> Self {
        Self {
            province: place.province.to_string(),
            district: place.district.map(|d| d.to_string()).unwrap_or_default(),
            subdistrict: place.subdistrict.map(|s| s.to_string()).unwrap_or_default(),
            village_no: place.village_no.map(|n| n.to_string()).unwrap_or_default(),
            village: place.village.clone().unwrap_or_default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        [
            &self.province,
            &self.district,
            &self.subdistrict,
            &self.village_no,
            &self.village,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }

    /// Parses and checks against the gazetteer: an empty draft is `None` (or "กรุณาเลือก
    /// จังหวัด" when `required`); an unknown code, or one outside the level chosen above it,
    /// is a Thai error at `{field}.province`, `{field}.district` … .
    pub fn parse(&self, field: &str, required: bool) -> Result<Option<Place>, FieldError> {
        let at = |sub: &str| format!("{field}.{sub}");
        if self.province.trim().is_empty() {
            if required || !self.is_empty() {
                return Err(FieldError::new(at("province"), "กรุณาเลือกจังหวัด"));
            }
            return Ok(None);
        }
        let province =
            ProvinceCode::parse(&self.province).map_err(|m| FieldError::new(at("province"), m))?;
        let district = match self.district.trim() {
            "" => None,
            s => Some(DistrictCode::parse(s).map_err(|m| FieldError::new(at("district"), m))?),
        };
        let subdistrict = match self.subdistrict.trim() {
            "" => None,
            s => {
                Some(SubdistrictCode::parse(s).map_err(|m| FieldError::new(at("subdistrict"), m))?)
            }
        };
        let village_no = match crate::text::arabic_digits(self.village_no.trim()).as_str() {
            "" => None,
            s => match s.parse::<u8>() {
                Ok(n) if (1..=99).contains(&n) => Some(n),
                _ => {
                    return Err(FieldError::new(at("village_no"), "หมู่ที่ต้องเป็นตัวเลข 1 ถึง 99"));
                }
            },
        };
        crate::field::refuse_controls("village", "ชื่อหมู่บ้าน", &self.village)
            .map_err(|e| FieldError::new(at("village"), e.message))?;
        let village = crate::text::tidy(&self.village);
        if crate::text::grapheme_len(&village) > 100 {
            return Err(FieldError::new(at("village"), "ชื่อหมู่บ้านยาวเกิน 100 ตัวอักษร"));
        }
        let place = Place {
            province,
            district,
            subdistrict,
            village_no,
            village: (!village.is_empty()).then_some(village),
        };
        super::Gazetteer::get().check(&place, field)?;
        Ok(Some(place))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_accept_thai_digits_and_know_their_parent() {
        let s = SubdistrictCode::parse("๔๐๐๑๐๑").unwrap();
        assert_eq!(s.to_string(), "400101");
        assert_eq!(s.district().to_string(), "4001");
        assert_eq!(s.district().province().to_string(), "40");
        assert!(ProvinceCode::parse("4").is_err());
        assert!(ProvinceCode::parse("4a").is_err());
        assert_eq!(ProvinceCode::parse("08").unwrap().to_string(), "08");
    }

    #[test]
    fn a_place_must_nest() {
        let p = |d: &str, s: &str| Place {
            province: ProvinceCode::parse("40").unwrap(),
            district: Some(DistrictCode::parse(d).unwrap()),
            subdistrict: Some(SubdistrictCode::parse(s).unwrap()),
            village_no: Some(3),
            village: None,
        };
        assert!(p("4001", "400101").check("place").is_ok());
        assert!(p("4101", "410101").check("place").is_err());
        assert!(p("4001", "400201").check("place").is_err());
    }

    #[test]
    fn a_draft_from_form_pairs_parses_against_the_gazetteer() {
        let pairs = [
            ("who.place.province", "๔๐"),
            ("who.place.district", "4001"),
            ("who.place.subdistrict", "400101"),
            ("who.place.village_no", "3"),
            ("who.place.village", " บ้านโนน "),
            ("other.province", "10"),
        ];
        let d = PlaceDraft::from_pairs("who.place", pairs);
        let p = d.parse("who.place", true).unwrap().unwrap();
        assert_eq!(p.subdistrict.unwrap().to_string(), "400101");
        assert_eq!(p.village.as_deref(), Some("บ้านโนน"));
        assert_eq!(PlaceDraft::of(&p).province, "40");
        assert_eq!(PlaceDraft::default().parse("x", false).unwrap(), None);
        let e = PlaceDraft::default().parse("x", true).unwrap_err();
        assert_eq!(e.field, "x.province");
        let bad = PlaceDraft {
            province: "99".into(),
            ..Default::default()
        };
        let e = bad.parse("x", false).unwrap_err();
        assert_eq!(e.field, "x.province");
        assert!(e.message.contains("ไม่พบจังหวัด"), "{}", e.message);
    }
}
