//! Writing the spatial tables of a delivery as GeoJSON (RFC 7946): one `FeatureCollection` file per table, for
//! web maps and for anyone without a GIS.
//!
//! RFC 7946 knows one coordinate system, WGS84 longitude/latitude, so every coordinate is projected from
//! Lambert-93 with `thd_geo::wgs84` as it is written (no projected copy of the geometry is built) and rounded to
//! 7 decimals, about 1 cm, as the RFC suggests. Polygon rings are written counterclockwise outside and
//! clockwise inside, as the RFC requires (shapefiles have them the other way round). Properties are the
//! table's cells as delivered, text, with `null` for an empty cell: an export must not reinterpret values that
//! the checks may flag. A feature's `id` is the object's primary-key code.
//!
//! The JSON is written by hand into a buffered file, a table per rayon task: building a `geojson` or
//! `serde_json` value per feature would allocate every cell twice for the same bytes. `serde_json` only escapes
//! the strings.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use geo_types::{Coord, Geometry, LineString, Polygon};
use rayon::prelude::*;
use thd_geo::wgs84::{TransformError, lambert93_to_wgs84};
use thd_model::{GraceVersion, RawTable, Schema};

use crate::{WriteError, WriteReport};

/// Buffer per file: a feature is a few hundred bytes; a large buffer makes a table a few system calls.
const BUFFER: usize = 1 << 20;

/// Writes every spatial table of `tables` as `<table>.geojson` in the folder `dir` (created if missing),
/// coordinates in WGS84. Tables without geometries are left out; a row without a geometry is a feature with a
/// `null` geometry, so that every row of a written table is a feature.
///
/// `version` gives the primary key of each table, whose code becomes the feature `id` (a table the model does
/// not know gets no ids). A geometry that cannot be projected is an error naming its table and row, not a
/// feature quietly dropped. On error the files already written are left in place.
pub fn write_geojson(
    tables: &[RawTable],
    version: GraceVersion,
    dir: &Path,
) -> Result<WriteReport, WriteError> {
    crate::files::unique_names(tables)?;
    let schema = Schema::of(version);
    let spatial: Vec<&RawTable> = tables.iter().filter(|t| t.geometries.is_some()).collect();
    fs::create_dir_all(dir).map_err(WriteError::io(dir))?;
    let bytes = spatial
        .par_iter()
        .map(|table| {
            let path = dir.join(file_name(table));
            let file = File::create(&path).map_err(WriteError::io(&path))?;
            let key = schema
                .table(&table.name)
                .and_then(|def| match def.primary_key.as_slice() {
                    [key] => table.column_index(key),
                    _ => None,
                });
            let mut out = BufWriter::with_capacity(BUFFER, file);
            write_table(table, key, &mut out).map_err(|e| e.at(table, &path))?;
            out.flush().map_err(WriteError::io(&path))?;
            let file = out.into_inner().map_err(|e| WriteError::Io {
                path: path.clone(),
                source: e.into_error(),
            })?;
            let len = file.metadata().map_err(WriteError::io(&path))?.len();
            Ok(len)
        })
        .try_reduce(|| 0, |a, b| Ok(a + b))?;
    let mut files: Vec<PathBuf> = spatial
        .iter()
        .map(|t| PathBuf::from(file_name(t)))
        .collect();
    files.sort();
    Ok(WriteReport {
        files,
        rows: spatial.iter().map(|t| t.len()).sum(),
        bytes,
        truncated_cells: 0,
    })
}

fn file_name(table: &RawTable) -> String {
    format!("{}.geojson", table.name.to_ascii_lowercase())
}

/// A failure while writing one table: the file's I/O error (the caller knows the path) or a geometry without a
/// WGS84 image (the caller knows the table).
#[derive(Debug)]
enum Failure {
    Io(io::Error),
    Geometry { row: usize, source: TransformError },
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

impl Failure {
    fn at(self, table: &RawTable, path: &Path) -> WriteError {
        match self {
            Failure::Io(source) => WriteError::Io {
                path: path.to_owned(),
                source,
            },
            Failure::Geometry { row, source } => WriteError::Geometry {
                table: table.name.clone(),
                row,
                reason: source.to_string(),
            },
        }
    }
}

/// A failure while writing one geometry; its row is added by [`write_table`].
#[derive(Debug)]
enum GeometryFailure {
    Io(io::Error),
    Transform(TransformError),
}

impl From<io::Error> for GeometryFailure {
    fn from(e: io::Error) -> Self {
        GeometryFailure::Io(e)
    }
}

/// Writes one table as a `FeatureCollection`, one feature per line.
fn write_table<W: Write>(table: &RawTable, key: Option<usize>, out: &mut W) -> Result<(), Failure> {
    out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
    let names: Vec<Vec<u8>> = table
        .columns
        .iter()
        .map(|c| serde_json::to_vec(c).map_err(io::Error::from))
        .collect::<Result<_, _>>()?;
    for row in 0..table.len() {
        out.write_all(if row == 0 { b"\n" } else { b",\n" })?;
        out.write_all(br#"{"type":"Feature","#)?;
        if let Some(code) = key.and_then(|k| table.cell(row, k)) {
            out.write_all(br#""id":"#)?;
            string(code, out)?;
            out.write_all(b",")?;
        }
        out.write_all(br#""geometry":"#)?;
        match table.geometry(row) {
            Some(g) => geometry(g, out).map_err(|e| match e {
                GeometryFailure::Io(e) => Failure::Io(e),
                GeometryFailure::Transform(source) => Failure::Geometry { row, source },
            })?,
            None => out.write_all(b"null")?,
        }
        out.write_all(br#","properties":{"#)?;
        for (col, (name, cell)) in names.iter().zip(table.row(row)).enumerate() {
            if col > 0 {
                out.write_all(b",")?;
            }
            out.write_all(name)?;
            out.write_all(b":")?;
            match cell {
                Some(text) => string(text, out)?,
                None => out.write_all(b"null")?,
            }
        }
        out.write_all(b"}}")?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

fn string(text: &str, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer(out, text).map_err(io::Error::from)
}

/// A Lambert-93 geometry as the text of a GeoJSON geometry object in WGS84 (the same projection, precision and
/// ring order as the layers), for callers that build their own features, such as the diff of two deliveries.
pub fn geometry_to_geojson(g: &Geometry<f64>) -> Result<String, TransformError> {
    let mut out = Vec::new();
    match geometry(g, &mut out) {
        Ok(()) => {
            Ok(String::from_utf8(out).expect("serde_json and the position writer emit UTF-8"))
        }
        Err(GeometryFailure::Transform(e)) => Err(e),
        Err(GeometryFailure::Io(e)) => unreachable!("writing into a Vec cannot fail: {e}"),
    }
}

/// Writes a Lambert-93 geometry as a GeoJSON geometry object in WGS84.
fn geometry<W: Write>(g: &Geometry<f64>, out: &mut W) -> Result<(), GeometryFailure> {
    match g {
        Geometry::Point(p) => typed("Point", out, |o| position(p.0, o)),
        Geometry::Line(l) => typed("LineString", out, |o| positions(&[l.start, l.end], o)),
        Geometry::LineString(l) => typed("LineString", out, |o| positions(&l.0, o)),
        Geometry::Polygon(p) => typed("Polygon", out, |o| polygon(p, o)),
        Geometry::Rect(r) => typed("Polygon", out, |o| polygon(&r.to_polygon(), o)),
        Geometry::Triangle(t) => typed("Polygon", out, |o| polygon(&t.to_polygon(), o)),
        Geometry::MultiPoint(m) => typed("MultiPoint", out, |o| {
            list(&m.0, o, |p, o| position(p.0, o))
        }),
        Geometry::MultiLineString(m) => typed("MultiLineString", out, |o| {
            list(&m.0, o, |l, o| positions(&l.0, o))
        }),
        Geometry::MultiPolygon(m) => typed("MultiPolygon", out, |o| list(&m.0, o, polygon)),
        Geometry::GeometryCollection(c) => {
            out.write_all(br#"{"type":"GeometryCollection","geometries":"#)?;
            list(&c.0, out, geometry)?;
            out.write_all(b"}")?;
            Ok(())
        }
    }
}

/// `{"type":kind,"coordinates":…}`, the coordinates written by `coordinates`.
fn typed<W: Write>(
    kind: &str,
    out: &mut W,
    coordinates: impl FnOnce(&mut W) -> Result<(), GeometryFailure>,
) -> Result<(), GeometryFailure> {
    write!(out, r#"{{"type":"{kind}","coordinates":"#)?;
    coordinates(out)?;
    out.write_all(b"}")?;
    Ok(())
}

/// `[a,b,…]`, each item written by `item`.
fn list<T, W: Write>(
    items: &[T],
    out: &mut W,
    item: impl Fn(&T, &mut W) -> Result<(), GeometryFailure>,
) -> Result<(), GeometryFailure> {
    out.write_all(b"[")?;
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        item(x, out)?;
    }
    out.write_all(b"]")?;
    Ok(())
}

/// A polygon's rings, the exterior counterclockwise and the holes clockwise (RFC 7946 §3.1.6).
fn polygon<W: Write>(p: &Polygon, out: &mut W) -> Result<(), GeometryFailure> {
    let rings =
        std::iter::once((p.exterior(), true)).chain(p.interiors().iter().map(|r| (r, false)));
    out.write_all(b"[")?;
    for (i, (ring, exterior)) in rings.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        // Lambert-93 has east and north where WGS84 has them, so a ring turns the same way in both.
        if (signed_area(ring) >= 0.0) == exterior {
            positions(&ring.0, out)?;
        } else {
            let reversed: Vec<Coord> = ring.0.iter().rev().copied().collect();
            positions(&reversed, out)?;
        }
    }
    out.write_all(b"]")?;
    Ok(())
}

/// Twice the signed area of a closed ring: positive when it turns counterclockwise.
fn signed_area(ring: &LineString) -> f64 {
    ring.0
        .windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum()
}

fn positions<W: Write>(coords: &[Coord], out: &mut W) -> Result<(), GeometryFailure> {
    list(coords, out, |&c, o| position(c, o))
}

/// One `[longitude,latitude]`, projected and rounded to 7 decimals.
fn position<W: Write>(c: Coord, out: &mut W) -> Result<(), GeometryFailure> {
    let wgs = lambert93_to_wgs84(c).map_err(GeometryFailure::Transform)?;
    write!(out, "[{},{}]", round7(wgs.x), round7(wgs.y))?;
    Ok(())
}

/// The value to 7 decimals; printed with `{}` (the shortest text that reads back as the same `f64`), it has at
/// most 7 decimals and no trailing zeros.
fn round7(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}
