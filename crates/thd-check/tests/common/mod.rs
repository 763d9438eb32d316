//! Geometry helpers of the hand-built fixtures: coordinates are metres from a Lambert-93 origin in Brittany.

use geo_types::{Geometry, LineString, MultiPolygon, Point, Rect};

pub const X0: f64 = 300_000.0;
pub const Y0: f64 = 6_800_000.0;

pub fn pt(x: f64, y: f64) -> Option<Geometry> {
    Some(Geometry::Point(Point::new(X0 + x, Y0 + y)))
}

pub fn line(points: &[(f64, f64)]) -> Option<Geometry> {
    Some(Geometry::LineString(LineString::from(
        points
            .iter()
            .map(|&(x, y)| (X0 + x, Y0 + y))
            .collect::<Vec<_>>(),
    )))
}

/// An axis-aligned rectangle as a one-polygon multipolygon (the zones' geometry type).
pub fn rect(x1: f64, y1: f64, x2: f64, y2: f64) -> Option<Geometry> {
    let r = Rect::new((X0 + x1, Y0 + y1), (X0 + x2, Y0 + y2));
    Some(Geometry::MultiPolygon(MultiPolygon(vec![r.to_polygon()])))
}
