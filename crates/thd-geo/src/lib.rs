//! Geometry helpers shared by the engine: Lambert-93 / WGS84 transforms, GeoPackage geometry blobs, GeoJSON.
