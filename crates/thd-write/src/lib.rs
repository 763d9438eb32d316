//! Writing raw tables as a GraceTHD delivery: shapefiles and `;`-CSV in a folder or a zip, or one GeoPackage;
//! and the spatial tables as GeoJSON in WGS84 for the web.
//!
//! The synthetic-delivery generator writes region-scale deliveries with it, and the store exports with it, so the
//! output copies what real deliveries look like (the GraceTHD demo delivery's DBF layout, `.prj`, `.cpg` and CSV
//! dialect) and the writers are built for speed: fixed-width records filled in one reused buffer, every file of
//! a folder delivery written in parallel.
//!
//! Cells are written as they are, typed only as far as the format needs: a DBF number field takes a number, a
//! date field a date. Text longer than its DBF field is cut at a character boundary and counted in the report.
//! On error the output is left incomplete.
//!
//! Code map: `files` decides which files each table becomes and checks what can be checked up front; `dbf`, `shp`
//! and `delimited` write one file each; `folder` and `archive` put them somewhere; `gpkg` writes a GeoPackage
//! instead, `geojson` GeoJSON files.

mod archive;
mod dbf;
mod delimited;
mod error;
mod files;
mod folder;
mod geojson;
mod gpkg;
mod options;
mod shp;
mod text;
mod values;

use std::path::{Path, PathBuf};

use thd_model::{GraceVersion, RawTable, Schema};

pub use error::WriteError;
pub use geojson::{geometry_to_geojson, write_geojson};
pub use gpkg::write_geopackage;
pub use options::{Container, TextEncoding, WriteOptions};

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    /// The delivery's files relative to its root (the folder or the inside of the archive), `/`-separated and
    /// sorted; for a GeoPackage, the file itself.
    pub files: Vec<PathBuf>,
    /// Rows over all tables.
    pub rows: usize,
    /// Bytes written to disk (the archive's size for a zip).
    pub bytes: u64,
    /// Text cells cut to fit their DBF field.
    pub truncated_cells: usize,
}

/// Writes `tables` as a delivery of `version` at `out`: a folder, or a zip archive with
/// [`Container::Zip`] (at `out`, with `.zip` appended unless it ends with `.zip`).
///
/// A table is a shapefile when the model of `version` says so or when it carries geometries, otherwise a CSV
/// file; DBF field types and widths come from the model's column types.
pub fn write_delivery(
    tables: &[RawTable],
    version: GraceVersion,
    out: &Path,
    options: &WriteOptions,
) -> Result<WriteReport, WriteError> {
    let plans = files::plan(tables, Schema::of(version), options)?;
    let jobs = files::jobs(&plans, options);
    let written = match options.container {
        Container::Folder => folder::write(out, &jobs, options)?,
        Container::Zip => archive::write(&zip_path(out), &jobs, options)?,
    };
    let mut files: Vec<PathBuf> = jobs.iter().map(|job| PathBuf::from(&job.path)).collect();
    files.sort();
    Ok(WriteReport {
        files,
        rows: tables.iter().map(RawTable::len).sum(),
        bytes: written.bytes,
        truncated_cells: written.truncated_cells,
    })
}

fn zip_path(out: &Path) -> PathBuf {
    let is_zip = out
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("zip"));
    if is_zip {
        out.to_owned()
    } else {
        let mut path = out.as_os_str().to_owned();
        path.push(".zip");
        PathBuf::from(path)
    }
}
