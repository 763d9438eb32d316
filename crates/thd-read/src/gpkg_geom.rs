//! GeoPackage geometry blobs: the `GP` header (version, flags, SRS id, envelope), then ISO WKB, into `geo_types`.
//!
//! geozero turns the WKB into a geometry, but it trusts the counts it reads (it allocates for a declared number
//! of points before reading them, and follows nested collections without limit), so a hostile blob could ask for
//! gigabytes or overflow the stack. The WKB is therefore walked first: every count is checked against the bytes
//! that remain, nesting is bounded, and only the types GraceTHD uses (points, lines, polygons, their multi forms
//! and collections, in XY, Z, M or ZM) are accepted. geozero only ever sees WKB that fits in its blob.

use geo_types::Geometry;
use geozero::ToGeo;
use geozero::wkb::Wkb;

/// Deepest nesting of geometry collections accepted.
const MAX_DEPTH: u8 = 8;

/// A decoded geometry blob.
#[derive(Debug, Clone, PartialEq)]
pub struct GpkgGeometry {
    /// The SRS id the blob declares (its table's, normally).
    pub srs_id: i32,
    /// `None` for an empty geometry (flag set in the header).
    pub geometry: Option<Geometry<f64>>,
}

/// Why a blob is not a readable GeoPackage geometry.
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
    #[error("WKB not decoded: {0}")]
    Decode(String),
}

/// Parses a GeoPackage geometry blob.
pub fn parse_blob(blob: &[u8]) -> Result<GpkgGeometry, BlobError> {
    let header = blob.get(..8).ok_or(BlobError::TooShort(blob.len()))?;
    let [g, p, version, flags, srs @ ..] = header else {
        return Err(BlobError::TooShort(blob.len()));
    };
    if [*g, *p] != *b"GP" {
        return Err(BlobError::Magic);
    }
    if *version != 0 {
        return Err(BlobError::Version(*version));
    }
    if flags & 0b0010_0000 != 0 {
        return Err(BlobError::Extended);
    }
    let little = flags & 1 == 1;
    let srs: [u8; 4] = srs
        .try_into()
        .map_err(|_| BlobError::TooShort(blob.len()))?;
    let srs_id = if little {
        i32::from_le_bytes(srs)
    } else {
        i32::from_be_bytes(srs)
    };
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(BlobError::Envelope(other)),
    };
    let wkb = blob
        .get(8 + envelope..)
        .ok_or(BlobError::TooShort(blob.len()))?;
    if flags & 0b0001_0000 != 0 {
        return Ok(GpkgGeometry {
            srs_id,
            geometry: None,
        });
    }
    check_wkb(wkb, 0, 0)?;
    let geometry = Wkb(wkb)
        .to_geo()
        .map_err(|e| BlobError::Decode(e.to_string()))?;
    Ok(GpkgGeometry {
        srs_id,
        geometry: Some(geometry),
    })
}

/// Checks the WKB geometry at `at` (nested `depth` deep) fits in `wkb`; returns where it ends.
fn check_wkb(wkb: &[u8], at: usize, depth: u8) -> Result<usize, BlobError> {
    if depth > MAX_DEPTH {
        return Err(BlobError::Wkb("collections nested too deep"));
    }
    let little = match wkb.get(at) {
        Some(0) => false,
        Some(1) => true,
        Some(_) => return Err(BlobError::Wkb("byte order is neither 0 nor 1")),
        None => return Err(BlobError::Wkb("missing geometry header")),
    };
    let reader = Reader { wkb, little };
    let code = reader.u32(at + 1)?;
    // ISO WKB: 1000 adds Z, 2000 adds M, 3000 both; the EWKB flag bits are not ISO and are refused.
    let (base, dims) = match code / 1000 {
        0 => (code, 2),
        1 | 2 => (code % 1000, 3),
        3 => (code % 1000, 4),
        _ => return Err(BlobError::UnsupportedType(code)),
    };
    let point = dims * 8;
    let mut pos = at + 5;
    match base {
        1 => reader.skip(pos, point),
        2 => {
            let n = reader.u32(pos)? as usize;
            reader.skip(
                pos + 4,
                n.checked_mul(point)
                    .ok_or(BlobError::Wkb("count overflows"))?,
            )
        }
        3 => {
            let rings = reader.count(pos, 4)?;
            pos += 4;
            for _ in 0..rings {
                let n = reader.u32(pos)? as usize;
                pos = reader.skip(
                    pos + 4,
                    n.checked_mul(point)
                        .ok_or(BlobError::Wkb("count overflows"))?,
                )?;
            }
            Ok(pos)
        }
        4..=7 => {
            // Every member is at least a 5-byte header: a count beyond that is a lie, refused before looping.
            let members = reader.count(pos, 5)?;
            pos += 4;
            for _ in 0..members {
                let member = reader.u32(pos + 1)? % 1000;
                let expected = match base {
                    4 => Some(1),
                    5 => Some(2),
                    6 => Some(3),
                    _ => None,
                };
                if expected.is_some_and(|e| e != member) {
                    return Err(BlobError::Wkb("multi-geometry member of the wrong type"));
                }
                pos = check_wkb(wkb, pos, depth + 1)?;
            }
            Ok(pos)
        }
        other => Err(BlobError::UnsupportedType(other)),
    }
}

/// Bounds-checked reads in one byte order.
struct Reader<'a> {
    wkb: &'a [u8],
    little: bool,
}

impl Reader<'_> {
    fn u32(&self, at: usize) -> Result<u32, BlobError> {
        let bytes: [u8; 4] = self
            .wkb
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or(BlobError::Wkb("truncated"))?;
        Ok(if self.little {
            u32::from_le_bytes(bytes)
        } else {
            u32::from_be_bytes(bytes)
        })
    }

    /// The count at `at`, refused when its items of at least `min_size` bytes cannot fit in what follows.
    fn count(&self, at: usize, min_size: usize) -> Result<usize, BlobError> {
        let n = self.u32(at)? as usize;
        let room = self.wkb.len().saturating_sub(at + 4);
        if n.checked_mul(min_size).is_none_or(|need| need > room) {
            return Err(BlobError::Wkb("count larger than the blob"));
        }
        Ok(n)
    }

    /// The position after `len` bytes from `at`, if they are there.
    fn skip(&self, at: usize, len: usize) -> Result<usize, BlobError> {
        at.checked_add(len)
            .filter(|&end| end <= self.wkb.len())
            .ok_or(BlobError::Wkb("truncated"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Point, point};

    /// A little-endian GeoPackage blob with no envelope around `wkb`.
    fn blob(srs: i32, wkb: &[u8]) -> Vec<u8> {
        let mut b = vec![b'G', b'P', 0, 0b0000_0001];
        b.extend_from_slice(&srs.to_le_bytes());
        b.extend_from_slice(wkb);
        b
    }

    fn wkb_point(x: f64, y: f64) -> Vec<u8> {
        let mut w = vec![1];
        w.extend_from_slice(&1u32.to_le_bytes());
        w.extend_from_slice(&x.to_le_bytes());
        w.extend_from_slice(&y.to_le_bytes());
        w
    }

    #[test]
    fn points_lines_and_envelopes_decode() {
        let g = parse_blob(&blob(2154, &wkb_point(700000.0, 6600000.0))).expect("point");
        assert_eq!(g.srs_id, 2154);
        assert_eq!(
            g.geometry,
            Some(Geometry::Point(point!(x: 700000.0, y: 6600000.0)))
        );

        // Big-endian header with an XY envelope, big-endian WKB line of two points.
        let mut b = vec![b'G', b'P', 0, 0b0000_0010];
        b.extend_from_slice(&4326i32.to_be_bytes());
        for v in [0.0f64, 1.0, 0.0, 1.0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        b.push(0);
        b.extend_from_slice(&2u32.to_be_bytes());
        b.extend_from_slice(&2u32.to_be_bytes());
        for v in [0.0f64, 0.0, 1.0, 1.0] {
            b.extend_from_slice(&v.to_be_bytes());
        }
        let g = parse_blob(&b).expect("line");
        assert_eq!(g.srs_id, 4326);
        assert!(matches!(g.geometry, Some(Geometry::LineString(ref l)) if l.0.len() == 2));
    }

    #[test]
    fn empty_flag_gives_no_geometry() {
        let mut b = blob(2154, &[]);
        b[3] |= 0b0001_0000;
        assert_eq!(parse_blob(&b).expect("empty").geometry, None);
    }

    #[test]
    fn lying_counts_and_garbage_are_errors() {
        assert_eq!(parse_blob(b"GP"), Err(BlobError::TooShort(2)));
        assert_eq!(parse_blob(b"XX\0\x01\0\0\0\0"), Err(BlobError::Magic));
        let mut huge_line = vec![1];
        huge_line.extend_from_slice(&2u32.to_le_bytes());
        huge_line.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            parse_blob(&blob(2154, &huge_line)),
            Err(BlobError::Wkb(_))
        ));
        let mut huge_multi = vec![1];
        huge_multi.extend_from_slice(&7u32.to_le_bytes());
        huge_multi.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(
            parse_blob(&blob(2154, &huge_multi)),
            Err(BlobError::Wkb(_))
        ));
        // A collection of a collection of ... deeper than allowed.
        let mut deep = Vec::new();
        for _ in 0..20 {
            deep.push(1);
            deep.extend_from_slice(&7u32.to_le_bytes());
            deep.extend_from_slice(&1u32.to_le_bytes());
        }
        deep.extend(wkb_point(1.0, 2.0));
        assert!(matches!(
            parse_blob(&blob(2154, &deep)),
            Err(BlobError::Wkb(_))
        ));
        let mut curve = vec![1];
        curve.extend_from_slice(&8u32.to_le_bytes());
        assert_eq!(
            parse_blob(&blob(2154, &curve)),
            Err(BlobError::UnsupportedType(8))
        );
    }

    #[test]
    fn multipoints_of_z_points_decode_in_2d() {
        let mut w = vec![1];
        w.extend_from_slice(&1004u32.to_le_bytes());
        w.extend_from_slice(&1u32.to_le_bytes());
        w.push(1);
        w.extend_from_slice(&1001u32.to_le_bytes());
        for v in [3.0f64, 4.0, 5.0] {
            w.extend_from_slice(&v.to_le_bytes());
        }
        let g = parse_blob(&blob(2154, &w)).expect("multipoint z");
        let Some(Geometry::MultiPoint(mp)) = g.geometry else {
            panic!("multipoint expected, got {g:?}")
        };
        assert_eq!(mp.0, [Point::new(3.0, 4.0)]);
    }
}
