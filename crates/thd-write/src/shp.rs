//! The `.shp` and `.shx` of a shapefile, and its `.prj`.
//!
//! Written by hand (ESRI Shapefile Technical Description, 1998): a 100-byte header and one record per row, in
//! a single pass with one reused buffer, so the geometry files of a million points take a fraction of a second.
//! The header needs the file length and the extent, so [`Shapes::scan`] measures every geometry first — the same
//! pass that checks each one fits the table's shape type, before any file is created.

use std::borrow::Cow;
use std::io::Write;

use geo_types::{Coord, Geometry, LineString, Point, Polygon};
use thd_model::{GeometryKind, RawTable};

use crate::WriteError;
use crate::files::WriteFailure;

/// The Lambert-93 (EPSG:2154) definition of the GraceTHD demo delivery's `.prj` files, byte for byte.
pub(crate) const LAMBERT_93_PRJ: &str = concat!(
    r#"PROJCS["RGF93 / Lambert-93",GEOGCS["RGF93",DATUM["Reseau_Geodesique_Francais_1993","#,
    r#"SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],"#,
    r#"AUTHORITY["EPSG","6171"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],"#,
    r#"UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4171"]],"#,
    r#"PROJECTION["Lambert_Conformal_Conic_2SP"],PARAMETER["standard_parallel_1",49],"#,
    r#"PARAMETER["standard_parallel_2",44],PARAMETER["latitude_of_origin",46.5],"#,
    r#"PARAMETER["central_meridian",3],PARAMETER["false_easting",700000],"#,
    r#"PARAMETER["false_northing",6600000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],"#,
    r#"AXIS["X",EAST],AXIS["Y",NORTH],AUTHORITY["EPSG","2154"]]"#
);

const HEADER_LEN: u64 = 100;
/// Record number and content length before each record's content.
const RECORD_HEADER_LEN: u64 = 8;
/// Offsets and lengths are counted in 16-bit words in signed 32-bit integers.
const MAX_FILE_LEN: u64 = 2 * i32::MAX as u64;

/// The shape types GraceTHD uses (2D only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShapeType {
    Point = 1,
    PolyLine = 3,
    Polygon = 5,
    MultiPoint = 8,
}

impl ShapeType {
    pub(crate) fn of_kind(kind: GeometryKind) -> Self {
        match kind {
            GeometryKind::Point => Self::Point,
            GeometryKind::MultiPoint => Self::MultiPoint,
            GeometryKind::LineString | GeometryKind::MultiLineString => Self::PolyLine,
            GeometryKind::Polygon | GeometryKind::MultiPolygon => Self::Polygon,
        }
    }

    /// The shape type of a table the model does not know, from its first geometry.
    pub(crate) fn of_geometry(geometry: &Geometry<f64>) -> Option<Self> {
        Some(match geometry {
            Geometry::Point(_) => Self::Point,
            Geometry::MultiPoint(_) => Self::MultiPoint,
            Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                Self::PolyLine
            }
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => Self::Polygon,
            Geometry::GeometryCollection(_) => return None,
        })
    }
}

/// A geometry seen as shapefile content: borrowed from the table where it can be.
enum Shape<'a> {
    Null,
    Point(Coord),
    MultiPoint(&'a [Point]),
    Lines(Cow<'a, [LineString]>),
    Polygons(Cow<'a, [Polygon]>),
}

impl<'a> Shape<'a> {
    /// The shape of a row for a file of type `ty`; `Err` says why the geometry does not fit.
    fn new(geometry: Option<&'a Geometry<f64>>, ty: ShapeType) -> Result<Self, String> {
        use std::slice::from_ref;
        let Some(geometry) = geometry else {
            return Ok(Shape::Null);
        };
        let shape = match (ty, geometry) {
            (ShapeType::Point, Geometry::Point(p)) => Shape::Point(p.0),
            (ShapeType::MultiPoint, Geometry::Point(p)) => Shape::MultiPoint(from_ref(p)),
            (ShapeType::MultiPoint, Geometry::MultiPoint(m)) => Shape::MultiPoint(&m.0),
            (ShapeType::PolyLine, Geometry::LineString(l)) => Shape::Lines(from_ref(l).into()),
            (ShapeType::PolyLine, Geometry::MultiLineString(m)) => Shape::Lines((&m.0[..]).into()),
            (ShapeType::PolyLine, Geometry::Line(l)) => Shape::Lines(vec![(*l).into()].into()),
            (ShapeType::Polygon, Geometry::Polygon(p)) => Shape::Polygons(from_ref(p).into()),
            (ShapeType::Polygon, Geometry::MultiPolygon(m)) => Shape::Polygons((&m.0[..]).into()),
            (ShapeType::Polygon, Geometry::Rect(r)) => Shape::Polygons(vec![r.to_polygon()].into()),
            (ShapeType::Polygon, Geometry::Triangle(t)) => {
                Shape::Polygons(vec![t.to_polygon()].into())
            }
            (ty, g) => {
                return Err(format!(
                    "a {} cannot be written to a {ty:?} shapefile",
                    geometry_name(g)
                ));
            }
        };
        Ok(
            if shape.points() == 0 && !matches!(shape, Shape::Point(_)) {
                Shape::Null
            } else {
                shape
            },
        )
    }

    /// The parts of a multi-part shape, rings oriented as the format wants: outer rings clockwise, holes
    /// counter-clockwise (readers tell holes from islands by orientation alone).
    fn parts(&self) -> impl Iterator<Item = Ring<'_>> {
        let (lines, polygons): (&[LineString], &[Polygon]) = match self {
            Shape::Lines(lines) => (lines, &[]),
            Shape::Polygons(polygons) => (&[], polygons),
            _ => (&[], &[]),
        };
        let rings = polygons.iter().flat_map(|p| {
            std::iter::once(Ring::oriented(p.exterior(), true))
                .chain(p.interiors().iter().map(|ring| Ring::oriented(ring, false)))
        });
        lines
            .iter()
            .map(|l| Ring {
                coords: &l.0,
                reversed: false,
            })
            .chain(rings)
            .filter(|r| !r.coords.is_empty())
    }

    fn points(&self) -> usize {
        match self {
            Shape::Null => 0,
            Shape::Point(_) => 1,
            Shape::MultiPoint(points) => points.len(),
            Shape::Lines(_) | Shape::Polygons(_) => self.parts().map(|r| r.coords.len()).sum(),
        }
    }

    /// Bytes of the record's content (after its 8-byte header).
    fn content_len(&self) -> u64 {
        match self {
            Shape::Null => 4,
            Shape::Point(_) => 20,
            Shape::MultiPoint(points) => 40 + 16 * points.len() as u64,
            Shape::Lines(_) | Shape::Polygons(_) => {
                44 + 4 * self.parts().count() as u64 + 16 * self.points() as u64
            }
        }
    }

    fn coords(&self) -> impl Iterator<Item = Coord> + '_ {
        let single = match self {
            Shape::Point(c) => Some(*c),
            _ => None,
        };
        let multi = match self {
            Shape::MultiPoint(points) => &points[..],
            _ => &[],
        };
        single
            .into_iter()
            .chain(multi.iter().map(|p| p.0))
            .chain(self.parts().flat_map(Ring::coords))
    }

    fn bbox(&self) -> Option<Bbox> {
        self.coords().fold(None, |bbox, c| {
            Some(bbox.map_or(Bbox::of(c), |b: Bbox| b.with(c)))
        })
    }

    /// Appends the record content (little-endian, after the record header).
    fn encode(&self, ty: ShapeType, out: &mut Vec<u8>) {
        let Some(bbox) = self.bbox() else {
            out.extend_from_slice(&0i32.to_le_bytes());
            return;
        };
        out.extend_from_slice(&(ty as i32).to_le_bytes());
        if let Shape::Point(c) = self {
            put_coord(out, *c);
            return;
        }
        bbox.encode(out);
        if let Shape::MultiPoint(points) = self {
            out.extend_from_slice(&(points.len() as i32).to_le_bytes());
            points.iter().for_each(|p| put_coord(out, p.0));
            return;
        }
        out.extend_from_slice(&(self.parts().count() as i32).to_le_bytes());
        out.extend_from_slice(&(self.points() as i32).to_le_bytes());
        let mut start = 0i32;
        for ring in self.parts() {
            out.extend_from_slice(&start.to_le_bytes());
            start += ring.coords.len() as i32;
        }
        self.parts()
            .flat_map(Ring::coords)
            .for_each(|c| put_coord(out, c));
    }
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "point",
        Geometry::Line(_) => "line",
        Geometry::LineString(_) => "linestring",
        Geometry::Polygon(_) => "polygon",
        Geometry::MultiPoint(_) => "multipoint",
        Geometry::MultiLineString(_) => "multilinestring",
        Geometry::MultiPolygon(_) => "multipolygon",
        Geometry::GeometryCollection(_) => "geometry collection",
        Geometry::Rect(_) => "rectangle",
        Geometry::Triangle(_) => "triangle",
    }
}

/// One part of a shape, walked backwards when its orientation must be flipped.
#[derive(Clone, Copy)]
struct Ring<'a> {
    coords: &'a [Coord],
    reversed: bool,
}

impl<'a> Ring<'a> {
    fn oriented(ring: &'a LineString, clockwise: bool) -> Self {
        let is_clockwise = signed_area(&ring.0) < 0.0;
        Ring {
            coords: &ring.0,
            reversed: is_clockwise != clockwise,
        }
    }

    fn coords(self) -> impl Iterator<Item = Coord> + 'a {
        let (forward, backward) = if self.reversed {
            (None, Some(self.coords.iter().rev()))
        } else {
            (Some(self.coords.iter()), None)
        };
        forward
            .into_iter()
            .flatten()
            .chain(backward.into_iter().flatten())
            .copied()
    }
}

/// Twice the signed area of a ring (shoelace): positive when counter-clockwise.
fn signed_area(coords: &[Coord]) -> f64 {
    coords
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

fn put_coord(out: &mut Vec<u8>, c: Coord) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Bbox {
    min: Coord,
    max: Coord,
}

impl Bbox {
    fn of(c: Coord) -> Self {
        Bbox { min: c, max: c }
    }

    fn with(self, c: Coord) -> Self {
        Bbox {
            min: Coord {
                x: self.min.x.min(c.x),
                y: self.min.y.min(c.y),
            },
            max: Coord {
                x: self.max.x.max(c.x),
                y: self.max.y.max(c.y),
            },
        }
    }

    fn union(self, other: Bbox) -> Self {
        self.with(other.min).with(other.max)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        for v in [self.min.x, self.min.y, self.max.x, self.max.y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// What the headers of a table's `.shp` and `.shx` need, measured before writing.
#[derive(Debug, Clone)]
pub(crate) struct Shapes {
    ty: ShapeType,
    shp_len: u64,
    bbox: Option<Bbox>,
}

impl Shapes {
    /// Measures the geometries of `table` and checks that each fits `ty`.
    pub(crate) fn scan(table: &RawTable, ty: ShapeType) -> Result<Self, WriteError> {
        let mut shp_len = HEADER_LEN;
        let mut bbox: Option<Bbox> = None;
        for row in 0..table.len() {
            let shape =
                Shape::new(table.geometry(row), ty).map_err(|reason| WriteError::Geometry {
                    table: table.name.clone(),
                    row,
                    reason,
                })?;
            shp_len += RECORD_HEADER_LEN + shape.content_len();
            if let Some(b) = shape.bbox() {
                bbox = Some(bbox.map_or(b, |all| all.union(b)));
            }
        }
        if shp_len > MAX_FILE_LEN {
            return Err(WriteError::TooLarge {
                table: table.name.clone(),
                reason: format!("a .shp of {shp_len} bytes, the format holds 4 GiB"),
            });
        }
        Ok(Shapes { ty, shp_len, bbox })
    }

    pub(crate) fn shp_len(&self) -> u64 {
        self.shp_len
    }

    pub(crate) fn shx_len(rows: usize) -> u64 {
        HEADER_LEN + RECORD_HEADER_LEN * rows as u64
    }

    fn header(&self, file_len: u64) -> [u8; HEADER_LEN as usize] {
        let mut h = [0u8; HEADER_LEN as usize];
        h[0..4].copy_from_slice(&9994i32.to_be_bytes());
        // Both lengths were checked against MAX_FILE_LEN by `scan`.
        h[24..28].copy_from_slice(&((file_len / 2) as i32).to_be_bytes());
        h[28..32].copy_from_slice(&1000i32.to_le_bytes());
        h[32..36].copy_from_slice(&(self.ty as i32).to_le_bytes());
        if let Some(bbox) = self.bbox {
            let mut b = Vec::with_capacity(32);
            bbox.encode(&mut b);
            h[36..68].copy_from_slice(&b);
        }
        h
    }

    pub(crate) fn write_shp(
        &self,
        table: &RawTable,
        out: &mut dyn Write,
    ) -> Result<(), WriteFailure> {
        out.write_all(&self.header(self.shp_len))?;
        let mut record = Vec::with_capacity(256);
        for row in 0..table.len() {
            let shape = self.shape(table, row);
            record.clear();
            record.extend_from_slice(&(row as i32 + 1).to_be_bytes());
            record.extend_from_slice(&((shape.content_len() / 2) as i32).to_be_bytes());
            shape.encode(self.ty, &mut record);
            out.write_all(&record)?;
        }
        Ok(())
    }

    pub(crate) fn write_shx(
        &self,
        table: &RawTable,
        out: &mut dyn Write,
    ) -> Result<(), WriteFailure> {
        out.write_all(&self.header(Self::shx_len(table.len())))?;
        let mut offset = HEADER_LEN;
        for row in 0..table.len() {
            let content_len = self.shape(table, row).content_len();
            let mut entry = [0u8; 8];
            entry[..4].copy_from_slice(&((offset / 2) as i32).to_be_bytes());
            entry[4..].copy_from_slice(&((content_len / 2) as i32).to_be_bytes());
            out.write_all(&entry)?;
            offset += RECORD_HEADER_LEN + content_len;
        }
        Ok(())
    }

    fn shape<'t>(&self, table: &'t RawTable, row: usize) -> Shape<'t> {
        // `scan` accepted every geometry of the table for this shape type.
        Shape::new(table.geometry(row), self.ty).unwrap_or(Shape::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{line_string, point, polygon};

    fn content(g: Geometry<f64>, ty: ShapeType) -> Vec<u8> {
        let mut out = Vec::new();
        let shape = Shape::new(Some(&g), ty).expect("fits");
        shape.encode(ty, &mut out);
        assert_eq!(out.len() as u64, shape.content_len());
        out
    }

    fn f64_at(bytes: &[u8], at: usize) -> f64 {
        f64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn a_point_is_type_then_x_then_y() {
        let bytes = content(point!(x: 1.5, y: -2.0).into(), ShapeType::Point);
        assert_eq!(&bytes[..4], &1i32.to_le_bytes());
        assert_eq!((f64_at(&bytes, 4), f64_at(&bytes, 12)), (1.5, -2.0));
    }

    #[test]
    fn polygon_rings_are_clockwise_outside_and_counter_clockwise_inside() {
        // Outer ring counter-clockwise and hole clockwise: both must be flipped.
        let p = polygon!(
            exterior: [(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 10.)],
            interiors: [[(x: 2., y: 2.), (x: 2., y: 4.), (x: 4., y: 4.), (x: 4., y: 2.)]],
        );
        let bytes = content(p.into(), ShapeType::Polygon);
        let (parts, points) = (
            i32::from_le_bytes(bytes[36..40].try_into().unwrap()),
            i32::from_le_bytes(bytes[40..44].try_into().unwrap()),
        );
        assert_eq!((parts, points), (2, 10));
        let coords: Vec<Coord> = (0..10)
            .map(|i| {
                let at = 52 + 16 * i;
                Coord {
                    x: f64_at(&bytes, at),
                    y: f64_at(&bytes, at + 8),
                }
            })
            .collect();
        assert!(signed_area(&coords[..5]) < 0.0, "outer ring clockwise");
        assert!(signed_area(&coords[5..]) > 0.0, "hole counter-clockwise");
    }

    #[test]
    fn a_line_does_not_fit_a_point_file_and_an_empty_line_is_null() {
        let line: Geometry = line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into();
        assert!(Shape::new(Some(&line), ShapeType::Point).is_err());
        let empty: Geometry = LineString::<f64>::new(vec![]).into();
        let shape = Shape::new(Some(&empty), ShapeType::PolyLine).unwrap();
        assert!(matches!(shape, Shape::Null));
        assert_eq!(shape.content_len(), 4);
    }
}
