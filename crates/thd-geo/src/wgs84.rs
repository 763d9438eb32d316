//! Lambert-93 (EPSG:2154) ⇄ WGS84 longitude/latitude (EPSG:4326), in pure Rust through `proj4rs`.
//!
//! Everything inside the engine is Lambert-93 metres; WGS84 is only for what leaves it (GeoJSON, web maps) or
//! comes in from a GPS. The `proj` crate would need a newer PROJ than the system has, so the projection runs in
//! `proj4rs`, whose Lambert-93 → WGS84 results agree with PROJ's `cs2cs` to about 1e-9° (see the tests).
//!
//! RGF93, the datum of Lambert-93, and WGS84 differ by a few centimetres at most; EPSG's transformation between
//! them is the null one, and so is the one here (both definitions carry a zero `towgs84`). Coordinates are
//! (x, y) = (longitude, latitude) in degrees on the WGS84 side, the order of GeoJSON and of `geo_types`.
//!
//! The projection objects are parsed once, on first use, and shared: this runs on every coordinate of a
//! delivery, millions of them. Measured: about 2.3 million points a second on one core of the 2-core build
//! machine (`cargo bench -p thd-geo --bench geo`), point by point or a whole line alike.

use std::fmt;
use std::sync::LazyLock;

use geo::MapCoords;
use geo_types::Coord;
use proj4rs::Proj;

/// Lambert-93: the secant conic conformal projection of RGF93 (GRS80 ellipsoid), standard parallels 44° and 49°
/// N, origin 46.5° N 3° E at (700 000, 6 600 000) m.
const LAMBERT_93: &str = "+proj=lcc +lat_0=46.5 +lon_0=3 +lat_1=49 +lat_2=44 +x_0=700000 +y_0=6600000 \
                          +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs";

/// WGS84 longitude/latitude (`proj4rs` works in radians on this side).
const WGS_84: &str = "+proj=longlat +ellps=WGS84 +towgs84=0,0,0,0,0,0,0 +no_defs";

static LAMBERT_93_PROJ: LazyLock<Proj> = LazyLock::new(|| parse(LAMBERT_93));
static WGS_84_PROJ: LazyLock<Proj> = LazyLock::new(|| parse(WGS_84));

/// Parses one of the constant definitions above. They are fixed text, checked by the tests, so a failure here
/// is a bug of this file rather than a condition a caller could handle.
fn parse(definition: &str) -> Proj {
    Proj::from_proj_string(definition)
        .unwrap_or_else(|e| panic!("invalid built-in projection {definition:?}: {e}"))
}

/// Which way a transform went, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Lambert-93 metres to WGS84 degrees.
    ToWgs84,
    /// WGS84 degrees to Lambert-93 metres.
    ToLambert93,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::ToWgs84 => "from Lambert-93 to WGS84",
            Direction::ToLambert93 => "from WGS84 to Lambert-93",
        })
    }
}

/// A coordinate that could not be transformed; the whole geometry it belongs to is refused with it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransformError {
    /// `proj4rs` refused the coordinate (a latitude beyond the poles, a NaN).
    #[error("cannot transform ({x}, {y}) {direction}: {source}")]
    Projection {
        x: f64,
        y: f64,
        direction: Direction,
        #[source]
        source: proj4rs::errors::Error,
    },
    /// The coordinate or its image is not a finite number: infinite or NaN input, or a point so far off that
    /// the projection has no finite image.
    #[error("cannot transform ({x}, {y}) {direction}: no finite result")]
    NotFinite {
        x: f64,
        y: f64,
        direction: Direction,
    },
}

/// The WGS84 (longitude, latitude) of a Lambert-93 (easting, northing), in degrees.
pub fn lambert93_to_wgs84(c: Coord) -> Result<Coord, TransformError> {
    let direction = Direction::ToWgs84;
    let (lon, lat) = run(&LAMBERT_93_PROJ, &WGS_84_PROJ, (c.x, c.y), c, direction)?;
    finite((lon.to_degrees(), lat.to_degrees()), c, direction)
}

/// The Lambert-93 (easting, northing) of a WGS84 (longitude, latitude) in degrees.
pub fn wgs84_to_lambert93(c: Coord) -> Result<Coord, TransformError> {
    let direction = Direction::ToLambert93;
    let radians = (c.x.to_radians(), c.y.to_radians());
    let projected = run(&WGS_84_PROJ, &LAMBERT_93_PROJ, radians, c, direction)?;
    finite(projected, c, direction)
}

/// Any geometry (`Geometry`, `Point`, `LineString`, `MultiPolygon`…) from Lambert-93 to WGS84 degrees.
pub fn to_wgs84<G: MapCoords<f64, f64>>(geometry: &G) -> Result<G::Output, TransformError> {
    geometry.try_map_coords(lambert93_to_wgs84)
}

/// Any geometry from WGS84 degrees to Lambert-93.
pub fn to_lambert93<G: MapCoords<f64, f64>>(geometry: &G) -> Result<G::Output, TransformError> {
    geometry.try_map_coords(wgs84_to_lambert93)
}

/// Transforms `point` (in `proj4rs` units); errors name `input`, the coordinate as the caller gave it.
fn run(
    src: &Proj,
    dst: &Proj,
    mut point: (f64, f64),
    input: Coord,
    direction: Direction,
) -> Result<(f64, f64), TransformError> {
    if !(input.x.is_finite() && input.y.is_finite()) {
        return Err(not_finite(input, direction));
    }
    proj4rs::transform::transform(src, dst, &mut point).map_err(|source| {
        TransformError::Projection {
            x: input.x,
            y: input.y,
            direction,
            source,
        }
    })?;
    Ok(point)
}

fn finite((x, y): (f64, f64), input: Coord, direction: Direction) -> Result<Coord, TransformError> {
    if x.is_finite() && y.is_finite() {
        Ok(Coord { x, y })
    } else {
        Err(not_finite(input, direction))
    }
}

fn not_finite(input: Coord, direction: Direction) -> TransformError {
    TransformError::NotFinite {
        x: input.x,
        y: input.y,
        direction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Geometry, LineString, MultiPolygon, Point, line_string, polygon};
    use proptest::prelude::*;

    /// Metres per degree of latitude (and of longitude at the equator) on a sphere of the Earth's mean radius:
    /// precise enough to turn errors of 1e-7° into centimetres.
    const METRES_PER_DEGREE: f64 = 6_371_000.0 * std::f64::consts::PI / 180.0;

    /// Ground distance in metres between two nearby (longitude, latitude) points.
    fn ground_distance(a: Coord, b: Coord) -> f64 {
        let dx = (a.x - b.x) * METRES_PER_DEGREE * a.y.to_radians().cos();
        let dy = (a.y - b.y) * METRES_PER_DEGREE;
        dx.hypot(dy)
    }

    fn planar_distance(a: Coord, b: Coord) -> f64 {
        (a.x - b.x).hypot(a.y - b.y)
    }

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    /// (place, Lambert-93 easting and northing, WGS84 longitude and latitude). The Lambert-93 points are round
    /// metres near each town centre; the degrees were computed by PROJ 9.1.1
    /// (`printf '352100 6789970\n…' | cs2cs -f %.12f EPSG:2154 EPSG:4326`, which prints latitude first). The
    /// first row is the projection's own definition: its origin, 46.5° N 3° E, is at (700 000, 6 600 000).
    const REFERENCE: [(&str, f64, f64, f64, f64); 6] = [
        ("origin", 700_000.0, 6_600_000.0, 3.0, 46.5),
        (
            "Rennes",
            352_100.0,
            6_789_970.0,
            -1.677_901_749_354,
            48.117_327_130_719,
        ),
        (
            "Brest",
            146_640.0,
            6_836_260.0,
            -4.486_002_604_646,
            48.390_385_141_697,
        ),
        (
            "Quimper",
            170_980.0,
            6_789_990.0,
            -4.102_402_930_460,
            47.996_026_798_986,
        ),
        (
            "Vannes",
            268_010.0,
            6_744_410.0,
            -2.760_328_384_806,
            47.658_201_067_325,
        ),
        (
            "Saint-Brieuc",
            274_560.0,
            6_839_240.0,
            -2.765_462_038_097,
            48.513_557_234_049,
        ),
    ];

    #[test]
    fn reference_points_project_to_wgs84_within_a_centimetre() {
        for (place, e, n, lon, lat) in REFERENCE {
            let got = lambert93_to_wgs84(c(e, n)).expect(place);
            let error = ground_distance(got, c(lon, lat));
            assert!(error < 0.01, "{place}: {got:?} is {error} m off");
        }
    }

    #[test]
    fn reference_points_project_to_lambert93_within_a_centimetre() {
        for (place, e, n, lon, lat) in REFERENCE {
            let got = wgs84_to_lambert93(c(lon, lat)).expect(place);
            let error = planar_distance(got, c(e, n));
            assert!(error < 0.01, "{place}: {got:?} is {error} m off");
        }
    }

    #[test]
    fn geometries_transform_every_coordinate_and_keep_their_shape() {
        let (_, e, n, lon, lat) = REFERENCE[1];
        let line: LineString = line_string![(x: 700_000., y: 6_600_000.), (x: e, y: n)];
        let wgs = to_wgs84(&line).expect("line");
        assert_eq!(wgs.0.len(), 2);
        assert!(ground_distance(wgs.0[0], c(3.0, 46.5)) < 0.01);
        assert!(ground_distance(wgs.0[1], c(lon, lat)) < 0.01);

        let square =
            polygon![(x: e, y: n), (x: e + 10., y: n), (x: e + 10., y: n + 10.), (x: e, y: n)];
        let multi = MultiPolygon::new(vec![square]);
        let there = to_wgs84(&multi).expect("multipolygon");
        let back = to_lambert93(&there).expect("and back");
        let before = multi.0[0].exterior().0.iter();
        for (a, b) in before.zip(&back.0[0].exterior().0) {
            assert!(planar_distance(*a, *b) < 0.001, "{a:?} came back as {b:?}");
        }

        let g: Geometry = Point::new(e, n).into();
        let Geometry::Point(p) = to_wgs84(&g).expect("geometry") else {
            panic!("a point stays a point")
        };
        assert!(ground_distance(p.0, c(lon, lat)) < 0.01);
    }

    #[test]
    fn coordinates_without_an_image_are_errors() {
        let nan = lambert93_to_wgs84(c(f64::NAN, 6_600_000.0));
        assert!(
            matches!(nan, Err(TransformError::NotFinite { .. })),
            "{nan:?}"
        );
        let infinite = wgs84_to_lambert93(c(f64::INFINITY, 47.0));
        assert!(
            matches!(infinite, Err(TransformError::NotFinite { .. })),
            "{infinite:?}"
        );
        let beyond_the_pole = wgs84_to_lambert93(c(-3.0, 95.0));
        let e = beyond_the_pole.expect_err("latitude 95°");
        assert!(
            e.to_string().contains("(-3, 95) from WGS84 to Lambert-93"),
            "{e}"
        );
        // One bad coordinate refuses the whole geometry.
        let line = line_string![(x: 700_000., y: 6_600_000.), (x: f64::NAN, y: 0.)];
        assert!(to_wgs84(&line).is_err());
    }

    proptest! {
        #[test]
        fn wgs84_round_trips_within_a_millimetre_over_brittany(lon in -5.2..-1.0f64, lat in 47.2..48.95f64) {
            let start = c(lon, lat);
            let l93 = wgs84_to_lambert93(start).expect("to Lambert-93");
            let back = lambert93_to_wgs84(l93).expect("back to WGS84");
            prop_assert!(ground_distance(start, back) < 0.001, "{start:?} came back as {back:?}");
        }

        #[test]
        fn lambert93_round_trips_within_a_millimetre_over_brittany(e in 95_000.0..420_000.0f64, n in 6_690_000.0..6_900_000.0f64) {
            let start = c(e, n);
            let back = wgs84_to_lambert93(lambert93_to_wgs84(start).expect("to WGS84")).expect("back");
            prop_assert!(planar_distance(start, back) < 0.001, "{start:?} came back as {back:?}");
        }
    }
}
