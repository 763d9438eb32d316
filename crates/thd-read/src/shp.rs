//! Shapefile geometries (`.shp`, with its `.shx` index) read from bytes into `geo_types` geometries.
//!
//! Hand-written rather than through the `shapefile` crate because a delivery's `.shp` is untrusted: the crate
//! sizes its buffers from the point and part counts of each record header (a corrupt count means a huge
//! allocation), stops at the first bad record, and cannot tell a `.shx` that disagrees with its `.shp`. Here
//! every count is checked against the bytes actually present before anything is allocated, a bad record costs
//! one diagnostic and one missing geometry, and a truncated file keeps every record before the cut.
//!
//! Records are read through the `.shx` when it agrees with the `.shp` (it also tolerates gaps between records),
//! otherwise sequentially from the start of the `.shp`, after a [`READ_SHP_INDEX_MISMATCH`] diagnostic.
//! Z and M values are dropped: GraceTHD geometries are 2D in Lambert-93.

use geo_types::{Coord, Geometry, LineString, MultiLineString, MultiPoint, Point};
use thd_diag::Diagnostic;
use thd_diag::rules::{
    READ_EMPTY_FILE, READ_SHP_INDEX_MISMATCH, READ_SHP_INVALID, READ_SHP_UNSUPPORTED_SHAPE,
};

use crate::context::FileContext;
use crate::rings::multipolygon_from_rings;

/// Length of the main-file and index headers.
const HEADER: usize = 100;
/// The magic number opening `.shp` and `.shx` files (big-endian).
const FILE_CODE: i32 = 9994;
/// Length of a record header (number and content length, both big-endian).
const RECORD_HEADER: usize = 8;

/// What reading a `.shp` gave: one entry per record, in file order.
#[derive(Debug, Default)]
pub struct ShpRead {
    /// The geometry of each record; `None` for a Null shape or a record that could not be read.
    pub shapes: Vec<Option<Geometry<f64>>>,
    /// Problems found; `row` is the 1-based record number.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the geometries of a `.shp`, through its `.shx` when given and consistent.
///
/// `ctx.file` names the `.shp`; `shx_file` names the index in diagnostics about it.
pub fn read_shp(shp: &[u8], shx: Option<(&[u8], &str)>, ctx: &FileContext) -> ShpRead {
    let mut out = ShpRead::default();
    if shp.is_empty() {
        out.diagnostics.push(ctx.diag(&READ_EMPTY_FILE));
        return out;
    }
    if !check_header(shp, ctx, &mut out.diagnostics) {
        return out;
    }
    let indexed = shx.and_then(|(bytes, file)| {
        let index = read_index(bytes, &ctx.with_file(file), &mut out.diagnostics)?;
        match index_disagreement(shp, &index) {
            None => Some(index),
            Some((record, why_fr, why_en)) => {
                out.diagnostics.push(
                    ctx.with_file(file)
                        .diag(&READ_SHP_INDEX_MISMATCH)
                        .row(record as u64 + 1)
                        .message(
                            format!("Index .shx en désaccord avec le .shp ({why_fr}) : géométries lues séquentiellement"),
                            format!("The .shx index disagrees with the .shp ({why_en}): geometries read sequentially"),
                        ),
                );
                None
            }
        }
    });
    let records = match indexed {
        Some(index) => index,
        None => scan(shp, ctx, &mut out.diagnostics),
    };
    out.shapes.reserve(records.len());
    for (i, &(offset, len)) in records.iter().enumerate() {
        // Positions were checked against the file when the index or the scan produced them.
        let content = shp
            .get(offset + RECORD_HEADER..offset + RECORD_HEADER + len)
            .unwrap_or(&[]);
        match parse_shape(content) {
            Ok(shape) => out.shapes.push(shape),
            Err(problem) => {
                out.diagnostics.push(problem.diagnostic(ctx, i));
                out.shapes.push(None);
            }
        }
    }
    out
}

/// Checks the 100-byte header of a `.shp`; `false` when no record can be trusted.
fn check_header(shp: &[u8], ctx: &FileContext, diags: &mut Vec<Diagnostic>) -> bool {
    let invalid = |fr: String, en: String| ctx.diag(&READ_SHP_INVALID).message(fr, en);
    if shp.len() < HEADER {
        diags.push(invalid(
            format!(
                "Fichier de {} octets, plus court que l'en-tête de 100 octets",
                shp.len()
            ),
            format!("{}-byte file, shorter than the 100-byte header", shp.len()),
        ));
        return false;
    }
    if be_i32(shp, 0) != Some(FILE_CODE) {
        diags.push(invalid(
            "En-tête qui n'est pas celui d'un shapefile (code 9994 absent)".into(),
            "Header is not a shapefile header (file code 9994 missing)".into(),
        ));
        return false;
    }
    let announced = be_i32(shp, 24).map_or(0, |words| i64::from(words) * 2);
    if announced != shp.len() as i64 {
        diags.push(invalid(
            format!(
                "L'en-tête annonce {announced} octets, le fichier en fait {} : fichier tronqué ou complété",
                shp.len()
            ),
            format!(
                "The header announces {announced} bytes, the file has {}: truncated or padded",
                shp.len()
            ),
        ));
    }
    true
}

/// Record positions (offset of the record header, content length) read from a `.shx`; `None` when unusable.
fn read_index(
    shx: &[u8],
    ctx: &FileContext,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<(usize, usize)>> {
    let unusable = |fr: &str, en: &str| {
        ctx.diag(&READ_SHP_INDEX_MISMATCH).message(
            format!("Index .shx inutilisable ({fr}) : géométries lues séquentiellement"),
            format!("Unusable .shx index ({en}): geometries read sequentially"),
        )
    };
    if shx.len() < HEADER || be_i32(shx, 0) != Some(FILE_CODE) {
        diags.push(unusable("en-tête invalide", "invalid header"));
        return None;
    }
    if !(shx.len() - HEADER).is_multiple_of(RECORD_HEADER) {
        diags.push(unusable("longueur tronquée", "truncated length"));
        return None;
    }
    shx[HEADER..]
        .chunks_exact(RECORD_HEADER)
        .map(|entry| {
            let offset = usize::try_from(be_i32(entry, 0)?).ok()?.checked_mul(2)?;
            let len = usize::try_from(be_i32(entry, 4)?).ok()?.checked_mul(2)?;
            Some((offset, len))
        })
        .collect::<Option<Vec<_>>>()
        .or_else(|| {
            diags.push(unusable("position négative", "negative offset"));
            None
        })
}

/// The first index entry that does not point at a record of the `.shp` with the same length, if any.
fn index_disagreement(
    shp: &[u8],
    index: &[(usize, usize)],
) -> Option<(usize, &'static str, &'static str)> {
    for (i, &(offset, len)) in index.iter().enumerate() {
        let end = offset
            .checked_add(RECORD_HEADER)
            .and_then(|o| o.checked_add(len));
        if offset < HEADER || end.is_none_or(|end| end > shp.len()) {
            return Some((i, "position hors du fichier", "offset outside the file"));
        }
        let header_len = be_i32(shp, offset + 4).and_then(|w| usize::try_from(w).ok());
        if header_len.map(|w| w * 2) != Some(len) {
            return Some((
                i,
                "longueur d'enregistrement différente",
                "different record length",
            ));
        }
    }
    // Records the index does not list would be lost: check the last indexed record ends the file.
    let last_end = index
        .last()
        .map_or(HEADER, |&(offset, len)| offset + RECORD_HEADER + len);
    if last_end < shp.len() {
        return Some((
            index.len(),
            "enregistrements absents de l'index",
            "records missing from the index",
        ));
    }
    None
}

/// Record positions found by walking the `.shp` from its header; stops at the first record that does not fit.
fn scan(shp: &[u8], ctx: &FileContext, diags: &mut Vec<Diagnostic>) -> Vec<(usize, usize)> {
    let mut records = Vec::new();
    let mut offset = HEADER;
    while offset < shp.len() {
        let len = be_i32(shp, offset + 4)
            .and_then(|w| usize::try_from(w).ok())
            .map(|w| w * 2);
        let fits = len.filter(|&len| {
            offset
                .checked_add(RECORD_HEADER + len)
                .is_some_and(|end| end <= shp.len())
        });
        let Some(len) = fits else {
            diags.push(
                ctx.diag(&READ_SHP_INVALID)
                    .row(records.len() as u64 + 1)
                    .message(
                        format!(
                            "Enregistrement {} tronqué ou illisible à l'octet {offset} : lecture arrêtée, {} géométries lues",
                            records.len() + 1,
                            records.len()
                        ),
                        format!(
                            "Record {} truncated or unreadable at byte {offset}: reading stopped, {} geometries read",
                            records.len() + 1,
                            records.len()
                        ),
                    ),
            );
            break;
        };
        records.push((offset, len));
        offset += RECORD_HEADER + len;
    }
    records
}

/// Why one record's content could not become a geometry.
#[derive(Debug, PartialEq)]
enum ShapeProblem {
    /// The content is shorter than its own counts require, or the counts are inconsistent.
    Malformed(&'static str),
    /// A shape type this reader does not turn into a geometry (MultiPatch, or an unknown code).
    Unsupported(i32),
}

impl ShapeProblem {
    fn diagnostic(&self, ctx: &FileContext, record: usize) -> Diagnostic {
        let row = record as u64 + 1;
        match self {
            Self::Malformed(what) => ctx.diag(&READ_SHP_INVALID).row(row).message(
                format!("Géométrie de l'enregistrement {row} illisible : {what}"),
                format!("Geometry of record {row} unreadable: {what}"),
            ),
            Self::Unsupported(code) => ctx
                .diag(&READ_SHP_UNSUPPORTED_SHAPE)
                .hint("Réexporter la couche en géométries simples : points, lignes ou polygones.")
                .row(row)
                .value(code.to_string())
                .message(
                    format!("Type de géométrie {code} non pris en charge"),
                    format!("Shape type {code} is not supported"),
                ),
        }
    }
}

/// Turns the content of one record into a geometry (`None` for a Null shape).
fn parse_shape(content: &[u8]) -> Result<Option<Geometry<f64>>, ShapeProblem> {
    let shape_type = le_i32(content, 0).ok_or(ShapeProblem::Malformed("contenu vide"))?;
    match shape_type {
        0 => Ok(None),
        // Point, PointZ, PointM.
        1 | 11 | 21 => {
            let c = coord(content, 4).ok_or(ShapeProblem::Malformed("point tronqué"))?;
            Ok(Some(Geometry::Point(Point(c))))
        }
        // MultiPoint, MultiPointZ, MultiPointM: bounding box, count, points.
        8 | 18 | 28 => {
            let n = count(content, 36)?;
            let points = coords(content, 40, n)?;
            Ok(Some(Geometry::MultiPoint(MultiPoint(
                points.into_iter().map(Point).collect(),
            ))))
        }
        // PolyLine and Polygon (plain, Z, M): bounding box, part and point counts, part starts, points.
        3 | 13 | 23 | 5 | 15 | 25 => {
            let parts = parts(content)?;
            let geometry = match shape_type {
                3 | 13 | 23 => {
                    let mut lines: Vec<LineString<f64>> =
                        parts.into_iter().map(LineString).collect();
                    if lines.len() == 1 {
                        Geometry::LineString(lines.remove(0))
                    } else {
                        Geometry::MultiLineString(MultiLineString(lines))
                    }
                }
                _ => Geometry::MultiPolygon(multipolygon_from_rings(
                    parts.into_iter().map(LineString).collect(),
                )),
            };
            Ok(Some(geometry))
        }
        other => Err(ShapeProblem::Unsupported(other)),
    }
}

/// The points of each part of a PolyLine or Polygon record.
fn parts(content: &[u8]) -> Result<Vec<Vec<Coord<f64>>>, ShapeProblem> {
    let n_parts = count(content, 36)?;
    let n_points = count(content, 40)?;
    let starts_at = 44;
    let points_at = n_parts
        .checked_mul(4)
        .and_then(|b| b.checked_add(starts_at))
        .ok_or(ShapeProblem::Malformed("nombre de parties démesuré"))?;
    let mut starts = Vec::with_capacity(n_parts.min(content.len() / 4));
    for p in 0..n_parts {
        let start = le_i32(content, starts_at + 4 * p)
            .and_then(|s| usize::try_from(s).ok())
            .ok_or(ShapeProblem::Malformed("début de partie illisible"))?;
        starts.push(start);
    }
    let points = coords(content, points_at, n_points)?;
    let mut out = Vec::with_capacity(n_parts);
    for (p, &start) in starts.iter().enumerate() {
        let end = starts.get(p + 1).copied().unwrap_or(n_points);
        if start > end || end > n_points {
            return Err(ShapeProblem::Malformed(
                "débuts de parties incohérents avec le nombre de points",
            ));
        }
        out.push(points[start..end].to_vec());
    }
    Ok(out)
}

/// A non-negative count at `at`, no larger than what the content could hold (a count is never followed by
/// fewer than 4 bytes per item), so that it is safe to allocate for.
fn count(content: &[u8], at: usize) -> Result<usize, ShapeProblem> {
    le_i32(content, at)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n <= content.len() / 4)
        .ok_or(ShapeProblem::Malformed(
            "compte de points ou de parties incohérent",
        ))
}

/// `n` consecutive XY pairs starting at `at`.
fn coords(content: &[u8], at: usize, n: usize) -> Result<Vec<Coord<f64>>, ShapeProblem> {
    let end = n
        .checked_mul(16)
        .and_then(|b| b.checked_add(at))
        .filter(|&end| end <= content.len())
        .ok_or(ShapeProblem::Malformed("points tronqués"))?;
    Ok(content[at..end]
        .chunks_exact(16)
        .map(|xy| Coord {
            x: le_f64(xy, 0).unwrap_or(f64::NAN),
            y: le_f64(xy, 8).unwrap_or(f64::NAN),
        })
        .collect())
}

fn coord(content: &[u8], at: usize) -> Option<Coord<f64>> {
    Some(Coord {
        x: le_f64(content, at)?,
        y: le_f64(content, at + 8)?,
    })
}

fn be_i32(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn le_i32(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn le_f64(bytes: &[u8], at: usize) -> Option<f64> {
    Some(f64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}
