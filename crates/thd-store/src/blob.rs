//! GeoPackage geometry blobs (GeoPackage 1.3 §2.1.3): the "GP" header, then little-endian WKB.
//!
//! The store must give back exactly the geometry it was given (`load` after `import` is an identity), so
//! geometries are written as they are — a single line stays a `LineString` even beside multi-lines in the same
//! table — and the column is declared `GEOMETRY`. thd-write's writer coerces to the model's kind instead, which
//! suits an export but not a store. Decoding is bounds-checked: a blob edited by another tool is an error, never
//! a panic.

use geo_types::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint};
use geo_types::{MultiPolygon, Point, Polygon};

/// Lambert-93, the only SRS the engine stores.
pub(crate) const SRS_ID: i32 = 2154;

/// `[min_x, max_x, min_y, max_y]`, in the GP header's order.
pub(crate) type Envelope = [f64; 4];

const POINT: u32 = 1;
const LINESTRING: u32 = 2;
const POLYGON: u32 = 3;
const MULTIPOINT: u32 = 4;
const MULTILINESTRING: u32 = 5;
const MULTIPOLYGON: u32 = 6;
const COLLECTION: u32 = 7;

/// Appends the blob of `geometry` to `out`; returns its envelope (`None` when it has no coordinates).
pub(crate) fn encode(geometry: &Geometry<f64>, out: &mut Vec<u8>) -> Option<Envelope> {
    let envelope = envelope(geometry);
    out.extend_from_slice(b"GP\x00");
    // Bit 0: little-endian; bits 1-3: envelope kind (1 = xy); bit 4: empty geometry.
    out.push(if envelope.is_some() { 0b011 } else { 0b1_0001 });
    out.extend_from_slice(&SRS_ID.to_le_bytes());
    for v in envelope.iter().flatten() {
        out.extend_from_slice(&v.to_le_bytes());
    }
    wkb(geometry, out);
    envelope
}

fn wkb(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    match geometry {
        Geometry::Point(p) => {
            header(POINT, out);
            coord(p.0, out);
        }
        Geometry::Line(l) => line(&LineString::from(*l), out),
        Geometry::LineString(l) => line(l, out),
        Geometry::Polygon(p) => polygon(p, out),
        Geometry::Rect(r) => polygon(&r.to_polygon(), out),
        Geometry::Triangle(t) => polygon(&t.to_polygon(), out),
        Geometry::MultiPoint(m) => {
            header(MULTIPOINT, out);
            count(m.0.len(), out);
            for p in &m.0 {
                header(POINT, out);
                coord(p.0, out);
            }
        }
        Geometry::MultiLineString(m) => {
            header(MULTILINESTRING, out);
            count(m.0.len(), out);
            m.0.iter().for_each(|l| line(l, out));
        }
        Geometry::MultiPolygon(m) => {
            header(MULTIPOLYGON, out);
            count(m.0.len(), out);
            m.0.iter().for_each(|p| polygon(p, out));
        }
        Geometry::GeometryCollection(c) => {
            header(COLLECTION, out);
            count(c.0.len(), out);
            c.0.iter().for_each(|g| wkb(g, out));
        }
    }
}

fn header(ty: u32, out: &mut Vec<u8>) {
    out.push(1);
    out.extend_from_slice(&ty.to_le_bytes());
}

fn count(n: usize, out: &mut Vec<u8>) {
    // WKB counts are 32-bit; no GraceTHD geometry comes near 4 billion parts or vertices.
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn coord(c: Coord, out: &mut Vec<u8>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn line(l: &LineString, out: &mut Vec<u8>) {
    header(LINESTRING, out);
    count(l.0.len(), out);
    l.0.iter().for_each(|&c| coord(c, out));
}

fn polygon(p: &Polygon, out: &mut Vec<u8>) {
    header(POLYGON, out);
    let exterior = !p.exterior().0.is_empty() || !p.interiors().is_empty();
    count(usize::from(exterior) + p.interiors().len(), out);
    for ring in std::iter::once(p.exterior())
        .take(usize::from(exterior))
        .chain(p.interiors())
    {
        count(ring.0.len(), out);
        ring.0.iter().for_each(|&c| coord(c, out));
    }
}

fn envelope(geometry: &Geometry<f64>) -> Option<Envelope> {
    use geo::BoundingRect;
    geometry
        .bounding_rect()
        .map(|r| [r.min().x, r.max().x, r.min().y, r.max().y])
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

/// Reads a GeoPackage blob back into a geometry.
pub(crate) fn decode(blob: &[u8]) -> Result<Geometry<f64>, String> {
    let flags = match blob {
        [b'G', b'P', 0, flags, ..] => *flags,
        _ => return Err("not a GeoPackage geometry blob (no GP header)".into()),
    };
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(format!("invalid envelope kind {other}")),
    };
    let mut reader = Reader {
        bytes: blob.get(8 + envelope_len..).ok_or("truncated GP header")?,
        little: true,
    };
    let geometry = reader.geometry(0)?;
    if !reader.bytes.is_empty() {
        return Err(format!("{} bytes after the geometry", reader.bytes.len()));
    }
    Ok(geometry)
}

/// A bounds-checked cursor over WKB.
struct Reader<'a> {
    bytes: &'a [u8],
    little: bool,
}

/// Collections nest; a bound keeps a hostile blob from exhausting the stack.
const MAX_DEPTH: u32 = 16;

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let (head, rest) = self.bytes.split_first_chunk::<N>().ok_or("truncated WKB")?;
        self.bytes = rest;
        Ok(*head)
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take::<4>()?;
        Ok(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self) -> Result<f64, String> {
        let b = self.take::<8>()?;
        Ok(if self.little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items of at least `min_bytes` each, checked against what is left so no huge allocation
    /// follows a corrupt count.
    fn count(&mut self, min_bytes: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_bytes) > self.bytes.len() {
            return Err(format!("count {n} exceeds the blob"));
        }
        Ok(n)
    }

    fn coord(&mut self) -> Result<Coord, String> {
        Ok(Coord {
            x: self.f64()?,
            y: self.f64()?,
        })
    }

    fn line(&mut self) -> Result<LineString, String> {
        let n = self.count(16)?;
        (0..n).map(|_| self.coord()).collect()
    }

    fn polygon(&mut self) -> Result<Polygon, String> {
        let n = self.count(4)?;
        let mut rings = (0..n)
            .map(|_| self.line())
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString::new(vec![]));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    /// A geometry with its own byte-order and type header, expected to be of type `want` (0: any).
    fn typed(&mut self, want: u32, depth: u32) -> Result<Geometry<f64>, String> {
        let g = self.geometry(depth)?;
        let ty = match g {
            Geometry::Point(_) => POINT,
            Geometry::LineString(_) => LINESTRING,
            Geometry::Polygon(_) => POLYGON,
            _ => 0,
        };
        if want != 0 && ty != want {
            return Err(format!("a part of type {ty} where {want} was expected"));
        }
        Ok(g)
    }

    fn geometry(&mut self, depth: u32) -> Result<Geometry<f64>, String> {
        if depth > MAX_DEPTH {
            return Err("geometry collections nested too deep".into());
        }
        self.little = match self.take::<1>()? {
            [0] => false,
            [1] => true,
            [b] => return Err(format!("invalid WKB byte order {b}")),
        };
        let ty = self.u32()?;
        let parts = |r: &mut Self, want: u32| -> Result<Vec<Geometry<f64>>, String> {
            let n = r.count(5)?;
            (0..n).map(|_| r.typed(want, depth + 1)).collect()
        };
        Ok(match ty {
            POINT => Point(self.coord()?).into(),
            LINESTRING => self.line()?.into(),
            POLYGON => self.polygon()?.into(),
            MULTIPOINT => MultiPoint::new(
                parts(self, POINT)?
                    .into_iter()
                    .filter_map(|g| Point::try_from(g).ok())
                    .collect(),
            )
            .into(),
            MULTILINESTRING => MultiLineString::new(
                parts(self, LINESTRING)?
                    .into_iter()
                    .filter_map(|g| LineString::try_from(g).ok())
                    .collect(),
            )
            .into(),
            MULTIPOLYGON => MultiPolygon::new(
                parts(self, POLYGON)?
                    .into_iter()
                    .filter_map(|g| Polygon::try_from(g).ok())
                    .collect(),
            )
            .into(),
            COLLECTION => {
                Geometry::GeometryCollection(GeometryCollection::new_from(parts(self, 0)?))
            }
            other => return Err(format!("unsupported WKB geometry type {other} (2D only)")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{line_string, point, polygon};

    fn round_trip(g: Geometry<f64>) {
        let mut out = Vec::new();
        encode(&g, &mut out);
        assert_eq!(decode(&out), Ok(g));
    }

    #[test]
    fn geometries_come_back_exactly_as_given() {
        round_trip(point!(x: 351_234.5, y: 6_789_012.25).into());
        round_trip(line_string![(x: 0., y: 0.), (x: 1., y: 1.)].into());
        round_trip(MultiLineString::new(vec![line_string![(x: 0., y: 0.), (x: 1., y: 1.)]]).into());
        let square = polygon![(x: 0., y: 0.), (x: 4., y: 0.), (x: 4., y: 4.), (x: 0., y: 4.)];
        let with_hole = Polygon::new(
            square.exterior().clone(),
            vec![line_string![(x: 1., y: 1.), (x: 2., y: 1.), (x: 2., y: 2.), (x: 1., y: 1.)]],
        );
        round_trip(square.clone().into());
        round_trip(MultiPolygon::new(vec![square, with_hole]).into());
        round_trip(MultiPoint::from(vec![(1., 2.), (3., 4.)]).into());
        round_trip(LineString::<f64>::new(vec![]).into());
    }

    #[test]
    fn the_header_carries_srs_and_envelope() {
        let mut out = Vec::new();
        let e = encode(
            &line_string![(x: 3., y: 1.), (x: 1., y: 5.)].into(),
            &mut out,
        );
        assert_eq!(e, Some([1., 3., 1., 5.]));
        assert_eq!(&out[..8], &[b'G', b'P', 0, 3, 0x6a, 0x08, 0, 0]);
        assert_eq!(&out[8..16], &1f64.to_le_bytes());
    }

    #[test]
    fn damaged_blobs_are_errors() {
        let mut out = Vec::new();
        encode(
            &line_string![(x: 3., y: 1.), (x: 1., y: 5.)].into(),
            &mut out,
        );
        for len in 0..out.len() {
            assert!(decode(&out[..len]).is_err(), "prefix of {len} bytes");
        }
        let mut huge = out.clone();
        huge[8 + 32 + 5..8 + 32 + 9].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).is_err());
    }
}
