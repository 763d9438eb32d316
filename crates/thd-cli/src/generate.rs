//! `thd generate`: a synthetic delivery of any size, written the way contractors write theirs.

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::time::Instant;
use thd_generate::{GenerateOptions, generate};
use thd_model::GraceVersion;
use thd_write::{Container, TextEncoding, WriteOptions, write_delivery, write_geopackage};

use crate::progress;

/// Write a synthetic GraceTHD delivery: an NRO feeding SROs feeding PBOs feeding the addresses of real Breton
/// communes, with chambers, poles, paths, ducts, cables and fibres.
///
/// The same options always give the same files. With --defects N, N defects are injected at known places and
/// listed, with the rule that must report each, in the manifest written beside the delivery
/// (`<OUT>.manifest.json`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of plugs (prises) of the network.
    #[arg(long, default_value_t = 1000)]
    plugs: u32,
    /// Seed of the generator: same seed, same delivery.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write: a folder, or a path ending in .zip or .gpkg.
    #[arg(long)]
    out: PathBuf,
    /// GraceTHD version of the model to write.
    #[arg(long, value_enum, default_value_t = Version::V2)]
    gracethd: Version,
    /// Number of defects to inject (0 for a clean delivery).
    #[arg(long, default_value_t = 0)]
    defects: u32,
    /// Department of the communes (22, 29, 35 or 56); chosen by the seed when absent.
    #[arg(long)]
    department: Option<String>,
    /// Write files the way careless tools do: Windows-1252 without .cpg, upper-case names in SHP/ and CSV/
    /// subfolders, `,` separators and a BOM.
    #[arg(long)]
    messy: bool,
    /// Also write the fibre-level table (`t_fibre`, one row per fibre of every cable section: about ten rows per
    /// plug, two thirds of the delivery's rows). Off by default: the network, plugs and checks do not need it.
    #[arg(long)]
    fibres: bool,
    /// Replace OUT if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Version {
    /// GraceTHD 2.0.1 (shapefiles + CSV).
    #[value(name = "2.0.1")]
    V2,
    /// GraceTHD 3.
    #[value(name = "3")]
    V3,
}

pub fn run(args: &Args) -> Result<()> {
    if args.out.exists() {
        if !args.force {
            bail!(
                "{} existe déjà : choisir un autre --out, ou ajouter --force pour le remplacer",
                args.out.display()
            );
        }
        remove(&args.out)?;
    }
    let version = match args.gracethd {
        Version::V2 => GraceVersion::V2_0_1,
        Version::V3 => GraceVersion::V3,
    };
    let start = Instant::now();
    let stage = progress::stage(format!("génération de {} prises", args.plugs));
    let generated = generate(&GenerateOptions {
        fibres: args.fibres,
        plugs: args.plugs,
        seed: args.seed,
        version,
        defects: args.defects,
        department: args.department.clone(),
    })?;
    stage.finish_and_clear();

    let stage = progress::stage(format!("écriture de {}", args.out.display()));
    let is_gpkg = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"));
    let report = if is_gpkg {
        write_geopackage(&generated.tables, version, &args.out)?
    } else {
        write_delivery(&generated.tables, version, &args.out, &write_options(args))?
    };
    stage.finish_and_clear();

    let manifest_path = manifest_path(&args.out);
    std::fs::write(&manifest_path, generated.manifest.to_json())
        .with_context(|| format!("écriture du manifeste {}", manifest_path.display()))?;
    println!(
        "{}: GraceTHD {}, {} prises, {} lignes, {} fichiers, {:.1} Mo en {:.2} s; {} défauts injectés (manifeste : {})",
        args.out.display(),
        version.as_str(),
        args.plugs,
        report.rows,
        report.files.len(),
        report.bytes as f64 / 1e6,
        start.elapsed().as_secs_f64(),
        generated.manifest.defects.len(),
        manifest_path.display()
    );
    Ok(())
}

fn write_options(args: &Args) -> WriteOptions {
    let is_zip = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    let mut options = WriteOptions {
        container: if is_zip {
            Container::Zip
        } else {
            Container::Folder
        },
        ..WriteOptions::default()
    };
    if args.messy {
        options.encoding = TextEncoding::Windows1252;
        options.write_cpg = false;
        options.upper_case_names = true;
        options.subfolders = true;
        options.csv_separator = b',';
        options.csv_bom = true;
    }
    if args.defects > 0 {
        options.keep_invalid_values = true;
    }
    options
}

/// `out/` → `out.manifest.json`, `out.zip` → `out.manifest.json`: beside the delivery, never inside it, so that
/// reading the delivery back does not meet a file GraceTHD does not know.
fn manifest_path(out: &Path) -> PathBuf {
    let is_file = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip") || e.eq_ignore_ascii_case("gpkg"));
    // A folder's whole name: `sample-v2.0.1` has no extension, whatever `Path::file_stem` thinks.
    let name = if is_file {
        out.file_stem()
    } else {
        out.file_name()
    };
    let name = name
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    out.with_file_name(format!("{name}.manifest.json"))
}

fn remove(path: &Path) -> Result<()> {
    let result = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    result.with_context(|| format!("suppression de {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_goes_beside_the_delivery() {
        for (out, manifest) in [
            ("data/sample-v2.0.1", "data/sample-v2.0.1.manifest.json"),
            ("/tmp/x.zip", "/tmp/x.manifest.json"),
            ("big.GPKG", "big.manifest.json"),
        ] {
            assert_eq!(manifest_path(Path::new(out)), Path::new(manifest));
        }
    }
}
