//! GeoPackage geometry blobs: the "GP" header (version 0, little-endian, envelope, SRS id) then little-endian
//! WKB, written by hand (GeoPackage 1.3 §2.1.3; OGC Simple Features WKB). geozero's writer would need a
//! geometry-processor round trip per row for the same bytes.

use geo_types::{Coord, Geometry, LineString, Polygon};
use thd_model::GeometryKind;

/// The shape family of a geometry column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Point,
    Line,
    Polygon,
}

/// The declared type of a geometry column: a family, single or multi, or any geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ColumnGeometry {
    /// `None` for a table the model does not know whose geometries mix families (`GEOMETRY`).
    family: Option<Family>,
    multi: bool,
}

impl ColumnGeometry {
    /// The column type for a table's geometries: the model's kind, made multi when a geometry has several parts
    /// (a shapefile polyline may, whatever the model says); for a table the model does not know, what the
    /// geometries are. `Err((row, reason))` when a geometry is of another family than the model's.
    pub(crate) fn of<'g>(
        kind: Option<GeometryKind>,
        geometries: impl Iterator<Item = (usize, &'g Geometry<f64>)>,
    ) -> Result<Self, (usize, String)> {
        let mut family = kind.map(Family::of_kind);
        let mut multi = kind.is_some_and(|k| {
            matches!(
                k,
                GeometryKind::MultiPoint
                    | GeometryKind::MultiLineString
                    | GeometryKind::MultiPolygon
            )
        });
        let mut mixed = false;
        for (row, geometry) in geometries {
            let Some((f, parts)) = Family::of(geometry) else {
                mixed = true;
                continue;
            };
            match family {
                Some(expected) if expected != f => {
                    if kind.is_some() {
                        return Err((row, format!("a {f:?} geometry in a {expected:?} table")));
                    }
                    mixed = true;
                }
                None => family = Some(f),
                _ => {}
            }
            multi |= parts != 1;
        }
        Ok(ColumnGeometry {
            family: if mixed {
                None
            } else {
                family.or(Some(Family::Point))
            },
            multi,
        })
    }

    /// The `geometry_type_name` of `gpkg_geometry_columns`, also the column's declared SQL type.
    pub(crate) fn name(self) -> &'static str {
        match (self.family, self.multi) {
            (None, _) => "GEOMETRY",
            (Some(Family::Point), false) => "POINT",
            (Some(Family::Point), true) => "MULTIPOINT",
            (Some(Family::Line), false) => "LINESTRING",
            (Some(Family::Line), true) => "MULTILINESTRING",
            (Some(Family::Polygon), false) => "POLYGON",
            (Some(Family::Polygon), true) => "MULTIPOLYGON",
        }
    }
}

impl Family {
    fn of_kind(kind: GeometryKind) -> Self {
        match kind {
            GeometryKind::Point | GeometryKind::MultiPoint => Family::Point,
            GeometryKind::LineString | GeometryKind::MultiLineString => Family::Line,
            GeometryKind::Polygon | GeometryKind::MultiPolygon => Family::Polygon,
        }
    }

    /// The family of a geometry and its number of parts; `None` for a collection.
    fn of(geometry: &Geometry<f64>) -> Option<(Self, usize)> {
        Some(match geometry {
            Geometry::Point(_) => (Family::Point, 1),
            Geometry::MultiPoint(m) => (Family::Point, m.0.len()),
            Geometry::Line(_) | Geometry::LineString(_) => (Family::Line, 1),
            Geometry::MultiLineString(m) => (Family::Line, m.0.len()),
            Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
                (Family::Polygon, 1)
            }
            Geometry::MultiPolygon(m) => (Family::Polygon, m.0.len()),
            Geometry::GeometryCollection(_) => return None,
        })
    }
}

/// WKB geometry type codes.
const WKB_POINT: u32 = 1;
const WKB_LINESTRING: u32 = 2;
const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOINT: u32 = 4;
const WKB_MULTILINESTRING: u32 = 5;
const WKB_MULTIPOLYGON: u32 = 6;
const WKB_COLLECTION: u32 = 7;

/// The extent of a geometry, `[min_x, max_x, min_y, max_y]` as the GP header orders it.
pub(crate) type Envelope = [f64; 4];

/// The GeoPackage blob of `geometry` for a column of type `column`: a single-part multi geometry becomes
/// single in a single column, a single one becomes multi in a multi column. Returns the envelope too, for the
/// table's extent in `gpkg_contents` (`None` for an empty geometry).
pub(crate) fn encode(
    geometry: &Geometry<f64>,
    column: ColumnGeometry,
    srs_id: i32,
    out: &mut Vec<u8>,
) -> Option<Envelope> {
    let envelope = envelope(geometry);
    out.extend_from_slice(b"GP");
    out.push(0); // version 1
    // Bit 0: little-endian; bits 1-3: envelope [minx, maxx, miny, maxy] (1) or none (0); bit 4: empty.
    out.push(match envelope {
        Some(_) => 0b0000_0011,
        None => 0b0001_0001,
    });
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(e) = envelope {
        e.iter()
            .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
    }
    match (column.family.is_some(), column.multi) {
        (true, true) => multi(geometry, out),
        (true, false) => single(geometry, out),
        (false, _) => wkb(geometry, out),
    }
    envelope
}

/// Writes a single-part geometry; a multi geometry of one part is written as that part.
fn single(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    match geometry {
        Geometry::MultiPoint(m) if m.0.len() == 1 => point(m.0[0].0, out),
        Geometry::MultiLineString(m) if m.0.len() == 1 => line_string(&m.0[0], out),
        Geometry::MultiPolygon(m) if m.0.len() == 1 => polygon(&m.0[0], out),
        other => wkb(other, out),
    }
}

/// Writes a multi geometry; a single geometry is written as a multi of one part.
fn multi(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    match geometry {
        Geometry::Point(p) => {
            header(WKB_MULTIPOINT, out);
            count(1, out);
            point(p.0, out);
        }
        Geometry::Line(_) | Geometry::LineString(_) => {
            header(WKB_MULTILINESTRING, out);
            count(1, out);
            wkb(geometry, out);
        }
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
            header(WKB_MULTIPOLYGON, out);
            count(1, out);
            wkb(geometry, out);
        }
        other => wkb(other, out),
    }
}

/// Writes a geometry as it is.
fn wkb(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    match geometry {
        Geometry::Point(p) => point(p.0, out),
        Geometry::Line(l) => line_string(&LineString::from(*l), out),
        Geometry::LineString(l) => line_string(l, out),
        Geometry::Polygon(p) => polygon(p, out),
        Geometry::Rect(r) => polygon(&r.to_polygon(), out),
        Geometry::Triangle(t) => polygon(&t.to_polygon(), out),
        Geometry::MultiPoint(m) => {
            header(WKB_MULTIPOINT, out);
            count(m.0.len(), out);
            m.0.iter().for_each(|p| point(p.0, out));
        }
        Geometry::MultiLineString(m) => {
            header(WKB_MULTILINESTRING, out);
            count(m.0.len(), out);
            m.0.iter().for_each(|l| line_string(l, out));
        }
        Geometry::MultiPolygon(m) => {
            header(WKB_MULTIPOLYGON, out);
            count(m.0.len(), out);
            m.0.iter().for_each(|p| polygon(p, out));
        }
        Geometry::GeometryCollection(c) => {
            header(WKB_COLLECTION, out);
            count(c.0.len(), out);
            c.0.iter().for_each(|g| wkb(g, out));
        }
    }
}

fn header(ty: u32, out: &mut Vec<u8>) {
    out.push(1); // little-endian
    out.extend_from_slice(&ty.to_le_bytes());
}

fn count(n: usize, out: &mut Vec<u8>) {
    // WKB counts are 32-bit; a GraceTHD geometry is far below 4 billion parts or points.
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn coord(c: Coord, out: &mut Vec<u8>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn point(c: Coord, out: &mut Vec<u8>) {
    header(WKB_POINT, out);
    coord(c, out);
}

fn line_string(l: &LineString, out: &mut Vec<u8>) {
    header(WKB_LINESTRING, out);
    count(l.0.len(), out);
    l.0.iter().for_each(|&c| coord(c, out));
}

fn polygon(p: &Polygon, out: &mut Vec<u8>) {
    header(WKB_POLYGON, out);
    let rings: Vec<&LineString> = std::iter::once(p.exterior())
        .chain(p.interiors())
        .filter(|r| !r.0.is_empty())
        .collect();
    count(rings.len(), out);
    for ring in rings {
        count(ring.0.len(), out);
        ring.0.iter().for_each(|&c| coord(c, out));
    }
}

/// The extent of a geometry; `None` when it has no coordinates.
pub(crate) fn envelope(geometry: &Geometry<f64>) -> Option<Envelope> {
    let mut e: Option<Envelope> = None;
    each_coord(geometry, &mut |c| {
        e = Some(match e {
            None => [c.x, c.x, c.y, c.y],
            Some([x0, x1, y0, y1]) => [x0.min(c.x), x1.max(c.x), y0.min(c.y), y1.max(c.y)],
        });
    });
    e
}

/// The smallest envelope holding both.
pub(crate) fn union(a: Envelope, b: Envelope) -> Envelope {
    [
        a[0].min(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].max(b[3]),
    ]
}

fn each_coord(geometry: &Geometry<f64>, f: &mut impl FnMut(Coord)) {
    let mut polygon = |p: &Polygon| {
        p.exterior().0.iter().for_each(|&c| f(c));
        p.interiors()
            .iter()
            .for_each(|r| r.0.iter().for_each(|&c| f(c)));
    };
    match geometry {
        Geometry::Point(p) => f(p.0),
        Geometry::Line(l) => {
            f(l.start);
            f(l.end);
        }
        Geometry::LineString(l) => l.0.iter().for_each(|&c| f(c)),
        Geometry::Polygon(p) => polygon(p),
        Geometry::Rect(r) => polygon(&r.to_polygon()),
        Geometry::Triangle(t) => polygon(&t.to_polygon()),
        Geometry::MultiPoint(m) => m.0.iter().for_each(|p| f(p.0)),
        Geometry::MultiLineString(m) => m.0.iter().flat_map(|l| &l.0).for_each(|&c| f(c)),
        Geometry::MultiPolygon(m) => m.0.iter().for_each(polygon),
        Geometry::GeometryCollection(c) => c.0.iter().for_each(|g| each_coord(g, f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{MultiPolygon, line_string, point, polygon};

    fn column(kind: Option<GeometryKind>, geometries: &[Geometry]) -> ColumnGeometry {
        ColumnGeometry::of(kind, geometries.iter().enumerate()).expect("fits")
    }

    #[test]
    fn a_point_blob_is_header_envelope_then_wkb() {
        let g: Geometry = point!(x: 1.0, y: 2.0).into();
        let mut out = Vec::new();
        let ty = column(Some(GeometryKind::Point), std::slice::from_ref(&g));
        let envelope = encode(&g, ty, 2154, &mut out);
        assert_eq!(envelope, Some([1.0, 1.0, 2.0, 2.0]));
        assert_eq!(&out[..4], b"GP\x00\x03");
        assert_eq!(&out[4..8], &2154i32.to_le_bytes());
        assert_eq!(out.len(), 8 + 32 + 21);
        assert_eq!(&out[40..45], &[1, 1, 0, 0, 0]);
        assert_eq!(&out[45..53], &1.0f64.to_le_bytes());
    }

    #[test]
    fn a_polygon_in_a_multipolygon_column_is_wrapped() {
        let g: Geometry = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)].into();
        let ty = column(Some(GeometryKind::MultiPolygon), std::slice::from_ref(&g));
        assert_eq!(ty.name(), "MULTIPOLYGON");
        let mut out = Vec::new();
        encode(&g, ty, 2154, &mut out);
        let wkb = &out[40..];
        assert_eq!(&wkb[..9], &[1, 6, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(&wkb[9..14], &[1, 3, 0, 0, 0]);
    }

    #[test]
    fn column_types_follow_the_model_widened_to_multi_when_parts_say_so() {
        let one: Geometry =
            MultiPolygon::new(vec![polygon![(x: 0., y: 0.), (x: 1., y: 0.)]]).into();
        assert_eq!(
            column(Some(GeometryKind::Polygon), &[one]).name(),
            "POLYGON"
        );
        let line: Geometry = line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into();
        let two: Geometry = geo_types::MultiLineString::new(vec![
            line_string![(x: 0., y: 0.), (x: 1., y: 1.)],
            line_string![(x: 2., y: 2.), (x: 3., y: 3.)],
        ])
        .into();
        assert_eq!(
            column(Some(GeometryKind::LineString), &[line.clone(), two]).name(),
            "MULTILINESTRING"
        );
        assert_eq!(
            column(None, std::slice::from_ref(&line)).name(),
            "LINESTRING"
        );
        let mixed = [line.clone(), point!(x: 0., y: 0.).into()];
        assert_eq!(column(None, &mixed).name(), "GEOMETRY");
        let err = ColumnGeometry::of(Some(GeometryKind::Point), mixed.iter().enumerate());
        assert_eq!(err.map_err(|(row, _)| row), Err(0));
    }

    #[test]
    fn an_empty_geometry_sets_the_empty_flag_and_no_envelope() {
        let g: Geometry = LineString::<f64>::new(vec![]).into();
        let ty = column(Some(GeometryKind::LineString), std::slice::from_ref(&g));
        let mut out = Vec::new();
        assert_eq!(encode(&g, ty, 2154, &mut out), None);
        assert_eq!(&out[..4], b"GP\x00\x11");
        assert_eq!(&out[8..], &[1, 2, 0, 0, 0, 0, 0, 0, 0]);
    }
}
