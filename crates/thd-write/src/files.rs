//! What files a set of tables becomes, decided before anything is written.
//!
//! Planning checks everything that can be checked up front (DBF field names and record length, every geometry
//! against its table's shape type) and measures the shapefiles, so a defect is reported before a file is
//! created. Each file then becomes an independent [`FileJob`], which the folder writer runs in parallel and the
//! archive writer one after the other.

use std::collections::HashSet;
use std::io::Write;

use rayon::prelude::*;
use thd_model::{RawTable, Schema, TableFormat};

use crate::dbf::Layout;
use crate::shp::{LAMBERT_93_PRJ, ShapeType, Shapes};
use crate::{WriteError, WriteOptions, delimited};

/// A failure while streaming a file: the sink's I/O error (the caller knows the path) or a defect of a table.
#[derive(Debug)]
pub(crate) enum WriteFailure {
    Io(std::io::Error),
    Table(WriteError),
}

impl From<std::io::Error> for WriteFailure {
    fn from(e: std::io::Error) -> Self {
        WriteFailure::Io(e)
    }
}

impl WriteFailure {
    /// The error to report, with the path of the file being written.
    pub(crate) fn at(self, path: impl Into<std::path::PathBuf>) -> WriteError {
        match self {
            WriteFailure::Io(source) => WriteError::Io {
                path: path.into(),
                source,
            },
            WriteFailure::Table(e) => e,
        }
    }
}

/// How one table is written.
#[derive(Debug)]
enum Content {
    Shapefile { dbf: Layout, shapes: Shapes },
    Csv,
}

/// One table and the files it becomes.
#[derive(Debug)]
pub(crate) struct TablePlan<'a> {
    table: &'a RawTable,
    /// Path of the files without extension, relative to the delivery root (`SHP/T_NOEUD`).
    base: String,
    content: Content,
}

/// Plans every table (in parallel: measuring geometries reads them all).
///
/// A table is a shapefile when the model says so, or when it carries a geometry the model does not expect
/// (writing it as CSV would drop the geometry); otherwise it is a CSV file.
pub(crate) fn plan<'a>(
    tables: &'a [RawTable],
    schema: &Schema,
    options: &WriteOptions,
) -> Result<Vec<TablePlan<'a>>, WriteError> {
    unique_names(tables)?;
    tables
        .par_iter()
        .map(|table| {
            let def = schema.table(&table.name);
            let first_geometry = table.geometries.iter().flatten().flatten().next();
            let shape_type = match def {
                Some(def) if def.format == TableFormat::Shapefile => Some(
                    def.geometry
                        .as_ref()
                        .map(|g| ShapeType::of_kind(g.kind))
                        .or_else(|| first_geometry.and_then(ShapeType::of_geometry))
                        .unwrap_or(ShapeType::Point),
                ),
                _ => first_geometry
                    .map(|g| {
                        ShapeType::of_geometry(g).ok_or_else(|| WriteError::Geometry {
                            table: table.name.clone(),
                            row: first_geometry_row(table),
                            reason: "a geometry collection has no shapefile type".into(),
                        })
                    })
                    .transpose()?,
            };
            let content = match shape_type {
                Some(ty) => Content::Shapefile {
                    dbf: Layout::new(table, def, options.upper_case_names)?,
                    shapes: Shapes::scan(table, ty)?,
                },
                None => Content::Csv,
            };
            let folder = match (&content, options.subfolders) {
                (Content::Shapefile { .. }, true) => "SHP/",
                (Content::Csv, true) => "CSV/",
                (_, false) => "",
            };
            let name = if options.upper_case_names {
                table.name.to_ascii_uppercase()
            } else {
                table.name.to_ascii_lowercase()
            };
            Ok(TablePlan {
                table,
                base: format!("{folder}{name}"),
                content,
            })
        })
        .collect()
}

/// Refuses two tables of the same name (in any letter case): they would be written to the same file or table.
pub(crate) fn unique_names(tables: &[RawTable]) -> Result<(), WriteError> {
    let mut names = HashSet::new();
    match tables
        .iter()
        .find(|t| !names.insert(t.name.to_ascii_lowercase()))
    {
        Some(dup) => Err(WriteError::DuplicateTable {
            table: dup.name.clone(),
        }),
        None => Ok(()),
    }
}

fn first_geometry_row(table: &RawTable) -> usize {
    (0..table.len())
        .find(|&row| table.geometry(row).is_some())
        .unwrap_or(0)
}

/// The files of a table: the shapefile parts carry what they are written from.
#[derive(Debug, Clone, Copy)]
enum Part<'p> {
    Shp(&'p Shapes),
    Shx(&'p Shapes),
    Dbf(&'p Layout),
    Prj,
    Cpg,
    Csv,
}

impl Part<'_> {
    fn extension(self) -> &'static str {
        match self {
            Part::Shp(_) => "shp",
            Part::Shx(_) => "shx",
            Part::Dbf(_) => "dbf",
            Part::Prj => "prj",
            Part::Cpg => "cpg",
            Part::Csv => "csv",
        }
    }
}

/// One file to write.
#[derive(Debug)]
pub(crate) struct FileJob<'p> {
    /// Relative to the delivery root, `/`-separated.
    pub(crate) path: String,
    table: &'p RawTable,
    part: Part<'p>,
}

/// The files of all planned tables, biggest first so that parallel writing does not end waiting on one large
/// file started last.
pub(crate) fn jobs<'p>(plans: &'p [TablePlan<'p>], options: &WriteOptions) -> Vec<FileJob<'p>> {
    let mut jobs: Vec<FileJob<'p>> = plans
        .iter()
        .flat_map(|plan| {
            let parts = match &plan.content {
                Content::Shapefile { dbf, shapes } => {
                    let mut parts = vec![
                        Part::Shp(shapes),
                        Part::Shx(shapes),
                        Part::Dbf(dbf),
                        Part::Prj,
                    ];
                    if options.write_cpg {
                        parts.push(Part::Cpg);
                    }
                    parts
                }
                Content::Csv => vec![Part::Csv],
            };
            parts.into_iter().map(move |part| {
                let ext = part.extension();
                let ext = if options.upper_case_names {
                    ext.to_ascii_uppercase()
                } else {
                    ext.to_owned()
                };
                FileJob {
                    path: format!("{}.{ext}", plan.base),
                    table: plan.table,
                    part,
                }
            })
        })
        .collect();
    jobs.sort_by_key(|job| std::cmp::Reverse(job.estimated_len()));
    jobs
}

impl FileJob<'_> {
    /// About how many bytes the file will take (exact for shapefile parts).
    fn estimated_len(&self) -> u64 {
        let table = self.table;
        match self.part {
            Part::Shp(shapes) => shapes.shp_len(),
            Part::Shx(_) => Shapes::shx_len(table.len()),
            Part::Dbf(dbf) => dbf.file_len(table.len()),
            Part::Csv => table.text_bytes() as u64 + (table.len() * table.columns.len()) as u64,
            Part::Prj | Part::Cpg => 0,
        }
    }

    /// Writes the file to `out`; returns how many text cells were cut to fit a DBF field.
    pub(crate) fn write(
        &self,
        options: &WriteOptions,
        out: &mut dyn Write,
    ) -> Result<usize, WriteFailure> {
        let table = self.table;
        match self.part {
            Part::Shp(shapes) => shapes.write_shp(table, out)?,
            Part::Shx(shapes) => shapes.write_shx(table, out)?,
            Part::Dbf(dbf) => return dbf.write(table, options, out),
            Part::Prj => out.write_all(LAMBERT_93_PRJ.as_bytes())?,
            Part::Cpg => out.write_all(options.encoding.cpg().as_bytes())?,
            Part::Csv => delimited::write(table, options, out)?,
        }
        Ok(0)
    }
}
