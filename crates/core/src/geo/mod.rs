//! Thai geography (ภูมิศาสตร์การปกครอง): provinces, districts and subdistricts with their
//! official codes, and the place of a person or an innovation. Shared by the person register,
//! the innovation registry and the contests.

pub mod gazetteer;
pub mod model;

pub use gazetteer::{
    AreaHit, District, Gazetteer, HealthZone, Province, RegionalCentre, Subdistrict,
};
pub use model::{DistrictCode, Place, PlaceDraft, ProvinceCode, SubdistrictCode};
