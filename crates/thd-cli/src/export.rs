//! `thd export`: a stored delivery written back out, as a GeoPackage, as GeoJSON for the web, or as the
//! GraceTHD shapefiles and CSV files it came as, so that `thd import` of the export gives the same objects.

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use thd_model::RawTable;
use thd_write::{WriteOptions, write_delivery, write_geojson, write_geopackage};

use crate::store::Db;
use crate::{UnusableInput, progress};

/// Write a delivery kept in the store as files: every row of every table, cells as delivered.
///
/// gpkg: one GeoPackage, one layer per table, Lambert-93 (EPSG:2154), for QGIS. geojson: one RFC 7946
/// FeatureCollection per spatial table, in WGS84, for web maps. csv: a GraceTHD delivery — shapefiles for the
/// spatial tables, `;`-CSV (UTF-8) for the others — which `thd import` and the contractors' tools read back.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Delivery number (see `thd deliveries`).
    id: i64,
    #[command(flatten)]
    db: Db,
    #[arg(long, value_enum)]
    format: Format,
    /// Where to write: a folder (csv, geojson) or a .gpkg file (gpkg; a folder is given `livraison-ID.gpkg`
    /// inside). Default: `livraison-ID` (`livraison-ID.gpkg`) in the current folder.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Replace the output if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// One GeoPackage file, Lambert-93.
    Gpkg,
    /// One .geojson file per spatial table, WGS84.
    Geojson,
    /// A GraceTHD delivery folder: shapefiles and CSV files.
    Csv,
}

pub fn run(args: &Args) -> Result<()> {
    let out = output_path(args)?;
    if out.exists() {
        if !args.force {
            bail!(
                "{} existe déjà : choisir un autre --out, ou ajouter --force pour le remplacer",
                out.display()
            );
        }
        remove(&out)?;
    }
    let raw = crate::store::load(&args.db, args.id)?;
    let version = raw.version.ok_or_else(|| {
        UnusableInput(format!(
            "livraison n° {} : version GraceTHD inconnue, rien à exporter",
            args.id
        ))
    })?;
    let tables: Vec<RawTable> = raw.tables.into_values().collect();
    let start = Instant::now();
    let stage = progress::stage(format!("écriture de {}", out.display()));
    let report = match args.format {
        Format::Gpkg => write_geopackage(&tables, version, &out)?,
        Format::Geojson => write_geojson(&tables, version, &out)?,
        Format::Csv => write_delivery(&tables, version, &out, &WriteOptions::default())?,
    };
    stage.finish_and_clear();
    let mut stdout = crate::output::stdout();
    writeln!(
        stdout,
        "livraison n° {} → {} : GraceTHD {}, {} lignes, {} fichier(s), {:.1} Mo en {:.2} s",
        args.id,
        out.display(),
        version.as_str(),
        report.rows,
        report.files.len(),
        report.bytes as f64 / 1e6,
        start.elapsed().as_secs_f64()
    )?;
    for file in &report.files {
        writeln!(stdout, "  {}", file.display())?;
    }
    if report.truncated_cells > 0 {
        writeln!(
            stdout,
            "attention : {} cellule(s) de texte coupée(s) à la largeur de leur champ DBF",
            report.truncated_cells
        )?;
    }
    stdout.flush()?;
    Ok(())
}

/// The file or folder to write; for a GeoPackage in a folder, the folder is created.
fn output_path(args: &Args) -> Result<PathBuf> {
    let name = format!("livraison-{}", args.id);
    Ok(match (args.format, &args.out) {
        (Format::Gpkg, Some(out)) => {
            let is_file = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"));
            if is_file {
                out.clone()
            } else {
                std::fs::create_dir_all(out)
                    .with_context(|| format!("création de {}", out.display()))?;
                out.join(format!("{name}.gpkg"))
            }
        }
        (Format::Gpkg, None) => PathBuf::from(format!("{name}.gpkg")),
        (_, Some(out)) => out.clone(),
        (_, None) => PathBuf::from(name),
    })
}

fn remove(path: &Path) -> Result<()> {
    let removed = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    removed.with_context(|| format!("suppression de {}", path.display()))
}
