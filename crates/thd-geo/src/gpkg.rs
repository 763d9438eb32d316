//! GeoPackage geometry blobs (GeoPackage 1.3 §2.1.3): the `GP` header (version, flags, SRS id, optional
//! envelope), then OGC WKB, to and from `geo_types`.
//!
//! One codec for the whole engine: the reader takes contractors' GeoPackages, the writer exports deliveries and
//! the store keeps its own geometries in this form, and all three must agree on the bytes.
//!
//! **Decoding** is written for untrusted bytes: every read is bounds-checked, every count is checked against
//! the bytes that remain before anything is allocated for it (a lying count cannot ask for gigabytes), and
//! collections nest at most [`MAX_DEPTH`] deep (a hostile blob cannot overflow the stack). It accepts what
//! GraceTHD uses — points, lines, polygons, their multi forms and collections — in ISO WKB XY, Z, M or ZM, and
//! keeps X and Y (everything in the engine is 2D). Bytes after the WKB are ignored, as GDAL does: they harm
//! nothing, and refusing them would lose a contractor's geometry over padding.
//!
//! **Encoding** writes little-endian 2D WKB with an XY envelope in the header (readers use it to skip features
//! by extent), byte for byte what GDAL writes: no envelope for a point, and the empty flag (with the WKB of the
//! empty geometry) for a geometry without coordinates. The
//! caller chooses whether single and multi geometries are written as given (the store, whose load must give
//! back exactly what was imported) or made to fit a column declared single or multi (the writer).

use geo::BoundingRect;
use geo_types::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint};
use geo_types::{MultiPolygon, Point, Polygon};

/// Deepest nesting of geometry collections (and multi geometries) that decoding accepts. GraceTHD geometries
/// nest at most once (a multi geometry's parts); the bound only stops hostile blobs.
pub const MAX_DEPTH: u8 = 16;

const POINT: u32 = 1;
const LINESTRING: u32 = 2;
const POLYGON: u32 = 3;
const MULTIPOINT: u32 = 4;
const MULTILINESTRING: u32 = 5;
const MULTIPOLYGON: u32 = 6;
const COLLECTION: u32 = 7;

/// Header flag bits.
const LITTLE_ENDIAN: u8 = 0b0000_0001;
const ENVELOPE_XY: u8 = 0b0000_0010;
const EMPTY: u8 = 0b0001_0000;
const EXTENDED: u8 = 0b0010_0000;

// ---------------------------------------------------------------------------------------------------------
// Envelope
// ---------------------------------------------------------------------------------------------------------

/// The extent of a geometry, as the `GP` header and `gpkg_contents` hold it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Envelope {
    pub min_x: f64,
    pub max_x: f64,
    pub min_y: f64,
    pub max_y: f64,
}

impl Envelope {
    /// The envelope of `geometry`; `None` when it has no coordinates.
    pub fn of(geometry: &Geometry<f64>) -> Option<Self> {
        geometry.bounding_rect().map(|r| Envelope {
            min_x: r.min().x,
            max_x: r.max().x,
            min_y: r.min().y,
            max_y: r.max().y,
        })
    }

    /// The smallest envelope holding both, for a table's extent.
    #[must_use]
    pub fn union(self, other: Self) -> Self {
        Envelope {
            min_x: self.min_x.min(other.min_x),
            max_x: self.max_x.max(other.max_x),
            min_y: self.min_y.min(other.min_y),
            max_y: self.max_y.max(other.max_y),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------------------

/// How [`encode`] writes single- and multi-part geometries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parts {
    /// Each geometry as it is: a line stays a line beside multi-lines (a column declared `GEOMETRY`).
    AsGiven,
    /// For a column declared single (`LINESTRING`): a multi geometry of one part is written as that part.
    Single,
    /// For a column declared multi (`MULTILINESTRING`): a single geometry is written as a multi of one part.
    Multi,
}

/// Appends the GeoPackage blob of `geometry` to `out`, in SRS `srs_id`, with its parts written as `parts` says.
/// Returns the geometry's envelope, for the table's extent (`None` for an empty geometry, which is flagged empty
/// instead).
///
/// The header carries the envelope, except for a single point, whose envelope is the point itself: like GDAL,
/// a point blob is then 29 bytes instead of 61, which counts on tables of a million nodes.
pub fn encode(
    geometry: &Geometry<f64>,
    srs_id: i32,
    parts: Parts,
    out: &mut Vec<u8>,
) -> Option<Envelope> {
    let envelope = Envelope::of(geometry);
    let written_as_point = match (geometry, parts) {
        (Geometry::Point(_), Parts::AsGiven | Parts::Single) => true,
        (Geometry::MultiPoint(m), Parts::Single) => m.0.len() == 1,
        _ => false,
    };
    out.extend_from_slice(b"GP");
    out.push(0); // version 1 of the format
    out.push(match envelope {
        None => LITTLE_ENDIAN | EMPTY,
        Some(_) if written_as_point => LITTLE_ENDIAN,
        Some(_) => LITTLE_ENDIAN | ENVELOPE_XY,
    });
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let Some(e) = envelope.filter(|_| !written_as_point) {
        for v in [e.min_x, e.max_x, e.min_y, e.max_y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    match parts {
        Parts::AsGiven => wkb(geometry, out),
        Parts::Single => single(geometry, out),
        Parts::Multi => multi(geometry, out),
    }
    envelope
}

/// A multi geometry of one part as that part; anything else as it is.
fn single(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    match geometry {
        Geometry::MultiPoint(m) if m.0.len() == 1 => point(m.0[0].0, out),
        Geometry::MultiLineString(m) if m.0.len() == 1 => line_string(&m.0[0], out),
        Geometry::MultiPolygon(m) if m.0.len() == 1 => polygon(&m.0[0], out),
        other => wkb(other, out),
    }
}

/// A single geometry as a multi of one part; anything else as it is.
fn multi(geometry: &Geometry<f64>, out: &mut Vec<u8>) {
    let kind = match geometry {
        Geometry::Point(_) => MULTIPOINT,
        Geometry::Line(_) | Geometry::LineString(_) => MULTILINESTRING,
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => MULTIPOLYGON,
        other => return wkb(other, out),
    };
    header(kind, out);
    count(1, out);
    wkb(geometry, out);
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
            header(MULTIPOINT, out);
            count(m.0.len(), out);
            m.0.iter().for_each(|p| point(p.0, out));
        }
        Geometry::MultiLineString(m) => {
            header(MULTILINESTRING, out);
            count(m.0.len(), out);
            m.0.iter().for_each(|l| line_string(l, out));
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

fn header(kind: u32, out: &mut Vec<u8>) {
    out.push(1); // little-endian
    out.extend_from_slice(&kind.to_le_bytes());
}

fn count(n: usize, out: &mut Vec<u8>) {
    // WKB counts are 32-bit; no GraceTHD geometry comes near 4 billion parts or vertices.
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn coords(line: &LineString, out: &mut Vec<u8>) {
    count(line.0.len(), out);
    for c in &line.0 {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
}

fn point(c: Coord, out: &mut Vec<u8>) {
    header(POINT, out);
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn line_string(l: &LineString, out: &mut Vec<u8>) {
    header(LINESTRING, out);
    coords(l, out);
}

/// A polygon with no exterior and no holes is written with no rings (WKB's empty polygon). An empty exterior
/// is kept when there are holes, so that decoding gives the holes back as holes.
fn polygon(p: &Polygon, out: &mut Vec<u8>) {
    header(POLYGON, out);
    let exterior = !p.exterior().0.is_empty() || !p.interiors().is_empty();
    count(usize::from(exterior) + p.interiors().len(), out);
    if exterior {
        coords(p.exterior(), out);
    }
    p.interiors().iter().for_each(|ring| coords(ring, out));
}

// ---------------------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------------------

/// A decoded geometry blob.
#[derive(Debug, Clone, PartialEq)]
pub struct GpkgGeometry {
    /// The SRS id the blob declares (its table's, normally).
    pub srs_id: i32,
    /// The header's empty flag. The WKB of an empty geometry still says what it is (a line of no points, a
    /// point of NaN coordinates), which is what `geometry` holds; a reader that treats empty as absent uses
    /// this flag.
    pub empty: bool,
    /// The WKB geometry, in 2D; `None` only for a blob flagged empty that carries no WKB at all.
    pub geometry: Option<Geometry<f64>>,
}

/// Why a blob is not a readable GeoPackage geometry. The messages end up in read diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    #[error("blob of {0} bytes, shorter than its header")]
    TooShort(usize),
    #[error("no \"GP\" magic: not a GeoPackage geometry")]
    Magic,
    #[error("GeoPackage binary version {0} not supported")]
    Version(u8),
    #[error("invalid envelope indicator {0}")]
    Envelope(u8),
    #[error("extended GeoPackage geometry types are not supported")]
    Extended,
    #[error("WKB truncated or inconsistent: {0}")]
    Wkb(&'static str),
    #[error("WKB geometry type {0} not supported")]
    UnsupportedType(u32),
}

/// Decodes a GeoPackage geometry blob. Never panics, whatever the bytes.
pub fn decode(blob: &[u8]) -> Result<GpkgGeometry, BlobError> {
    let too_short = || BlobError::TooShort(blob.len());
    let &[g, p, version, flags, s0, s1, s2, s3] = blob.first_chunk::<8>().ok_or_else(too_short)?;
    if [g, p] != *b"GP" {
        return Err(BlobError::Magic);
    }
    if version != 0 {
        return Err(BlobError::Version(version));
    }
    if flags & EXTENDED != 0 {
        return Err(BlobError::Extended);
    }
    let srs = [s0, s1, s2, s3];
    let srs_id = if flags & LITTLE_ENDIAN != 0 {
        i32::from_le_bytes(srs)
    } else {
        i32::from_be_bytes(srs)
    };
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(BlobError::Envelope(other)),
    };
    let wkb = blob.get(8 + envelope_len..).ok_or_else(too_short)?;
    let empty = flags & EMPTY != 0;
    let geometry = if empty && wkb.is_empty() {
        None
    } else {
        Some(Reader { bytes: wkb }.geometry(0)?)
    };
    Ok(GpkgGeometry {
        srs_id,
        empty,
        geometry,
    })
}

/// The header of one WKB geometry.
#[derive(Debug, Clone, Copy)]
struct WkbHeader {
    little: bool,
    /// The 2D type code (1 point … 7 collection).
    kind: u32,
    /// Ordinates per coordinate: 2 (XY), 3 (XYZ or XYM) or 4 (XYZM).
    dims: usize,
}

/// A bounds-checked cursor over WKB.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], BlobError> {
        let (head, rest) = self
            .bytes
            .split_first_chunk::<N>()
            .ok_or(BlobError::Wkb("truncated"))?;
        self.bytes = rest;
        Ok(*head)
    }

    fn u32(&mut self, little: bool) -> Result<u32, BlobError> {
        let b = self.take::<4>()?;
        Ok(if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self, little: bool) -> Result<f64, BlobError> {
        let b = self.take::<8>()?;
        Ok(if little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items of at least `min_bytes` each, refused when they cannot fit in what is left, so that no
    /// allocation or loop follows a corrupt count.
    fn count(&mut self, little: bool, min_bytes: usize) -> Result<usize, BlobError> {
        let n = self.u32(little)? as usize;
        if n.checked_mul(min_bytes)
            .is_none_or(|need| need > self.bytes.len())
        {
            return Err(BlobError::Wkb("count larger than the blob"));
        }
        Ok(n)
    }

    fn header(&mut self) -> Result<WkbHeader, BlobError> {
        let little = match self.take::<1>()? {
            [0] => false,
            [1] => true,
            _ => return Err(BlobError::Wkb("byte order is neither 0 nor 1")),
        };
        let code = self.u32(little)?;
        // ISO WKB: 1000 adds Z, 2000 adds M, 3000 both. EWKB's flag bits are not ISO and are refused.
        let dims = match code / 1000 {
            0 => 2,
            1 | 2 => 3,
            3 => 4,
            _ => return Err(BlobError::UnsupportedType(code)),
        };
        let kind = code % 1000;
        if !(POINT..=COLLECTION).contains(&kind) {
            return Err(BlobError::UnsupportedType(kind));
        }
        Ok(WkbHeader { little, kind, dims })
    }

    /// A whole geometry: header, then body, at nesting `depth`.
    fn geometry(&mut self, depth: u8) -> Result<Geometry<f64>, BlobError> {
        if depth > MAX_DEPTH {
            return Err(BlobError::Wkb("collections nested too deep"));
        }
        let h = self.header()?;
        Ok(match h.kind {
            POINT => self.point(h)?.into(),
            LINESTRING => self.line(h)?.into(),
            POLYGON => self.polygon(h)?.into(),
            MULTIPOINT => MultiPoint::new(self.parts(h, POINT, Self::point)?).into(),
            MULTILINESTRING => MultiLineString::new(self.parts(h, LINESTRING, Self::line)?).into(),
            MULTIPOLYGON => MultiPolygon::new(self.parts(h, POLYGON, Self::polygon)?).into(),
            _ => {
                // Every member is at least a 5-byte header.
                let n = self.count(h.little, 5)?;
                let members = (0..n)
                    .map(|_| self.geometry(depth + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                Geometry::GeometryCollection(GeometryCollection::new_from(members))
            }
        })
    }

    /// The members of a multi geometry, each with its own header, which must be of type `kind`.
    fn parts<T>(
        &mut self,
        multi: WkbHeader,
        kind: u32,
        body: impl Fn(&mut Self, WkbHeader) -> Result<T, BlobError>,
    ) -> Result<Vec<T>, BlobError> {
        let n = self.count(multi.little, 5)?;
        (0..n)
            .map(|_| {
                let h = self.header()?;
                if h.kind != kind {
                    return Err(BlobError::Wkb("multi-geometry member of the wrong type"));
                }
                body(self, h)
            })
            .collect()
    }

    /// One coordinate, its Z and M dropped.
    fn coord(&mut self, h: WkbHeader) -> Result<Coord, BlobError> {
        let c = Coord {
            x: self.f64(h.little)?,
            y: self.f64(h.little)?,
        };
        for _ in 2..h.dims {
            self.f64(h.little)?;
        }
        Ok(c)
    }

    fn point(&mut self, h: WkbHeader) -> Result<Point, BlobError> {
        self.coord(h).map(Point)
    }

    fn line(&mut self, h: WkbHeader) -> Result<LineString, BlobError> {
        let n = self.count(h.little, 8 * h.dims)?;
        (0..n).map(|_| self.coord(h)).collect()
    }

    fn polygon(&mut self, h: WkbHeader) -> Result<Polygon, BlobError> {
        // Every ring is at least its 4-byte count.
        let n = self.count(h.little, 4)?;
        let mut rings = (0..n)
            .map(|_| self.line(h))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString::new(vec![]));
        Ok(Polygon::new(exterior, rings.collect()))
    }
}

#[cfg(test)]
mod tests;
