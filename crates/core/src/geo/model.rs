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
}
