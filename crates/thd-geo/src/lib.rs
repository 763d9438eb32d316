//! Geometry helpers shared by the engine: Lambert-93 / WGS84 transforms ([`wgs84`]) and the GeoPackage
//! geometry-blob codec ([`gpkg`]), so that the readers, the writers and the store agree on one implementation
//! of each.

pub mod gpkg;
pub mod wgs84;

/// EPSG code of Lambert-93, the coordinate system of every geometry inside the engine.
pub const LAMBERT_93_SRS_ID: i32 = 2154;
