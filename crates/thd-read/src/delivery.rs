//! Reading a whole delivery: list its files, read its tables in parallel, settle its version and columns.

use rayon::prelude::*;
use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use thd_diag::Diagnostic;
use thd_diag::rules::READ_VERSION_UNKNOWN;
use thd_model::{RawDelivery, RawTable, Schema, SourceFile};

use crate::archive;
use crate::columns::normalise;
use crate::context::FileContext;
use crate::delimited::read_csv;
use crate::error::ReadError;
use crate::gpkg;
use crate::layer::{Dbf, Layer, Part, read_layer};
use crate::options::{ReadOptions, ReadProgress};
use crate::plan::{Origin, TableSource, plan, unknown_file};
use crate::source::{Content, Entry, fingerprint, fingerprint_file, list_folder, unreadable};
use crate::version;

/// Reads the delivery at `path` (a folder, a `.zip` or a `.gpkg`) into raw tables, with every defect found on
/// the way as a diagnostic.
pub fn read_delivery(path: &Path) -> Result<RawDelivery, ReadError> {
    read_delivery_with(path, &ReadOptions::default())
}

/// [`read_delivery`] with options (progress reporting).
pub fn read_delivery_with(
    path: &Path,
    options: &ReadOptions<'_>,
) -> Result<RawDelivery, ReadError> {
    let meta = fs::metadata(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => ReadError::NotFound {
            path: path.to_path_buf(),
        },
        _ => ReadError::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    let mut delivery = if meta.is_dir() {
        let (entries, diagnostics) = list_folder(path)?;
        read_entries(path, &entries, diagnostics, options)?
    } else if extension.as_deref() == Some("zip") {
        let bytes = fs::read(path).map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let limit = options
            .max_unpacked_bytes
            .unwrap_or(archive::MAX_UNPACKED_BYTES);
        let unpacked = archive::unpack_within(&bytes, limit).map_err(|e| ReadError::Zip {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        drop(bytes);
        let entries: Vec<Entry> = unpacked
            .files
            .into_iter()
            .map(|(path, content)| Entry {
                path,
                size: content.len() as u64,
                content: Content::Memory(content),
            })
            .collect();
        read_entries(path, &entries, unpacked.diagnostics, options)?
    } else if extension.as_deref() == Some("gpkg") {
        read_geopackage(path, meta.len(), options)?
    } else {
        return Err(ReadError::UnsupportedInput {
            path: path.to_path_buf(),
        });
    };
    delivery.origin = path.to_string_lossy().into_owned();
    settle(&mut delivery);
    Ok(delivery)
}

/// Reads the tables of a listed delivery, one rayon task per table.
pub(crate) fn read_entries(
    root: &Path,
    entries: &[Entry],
    mut diagnostics: Vec<Diagnostic>,
    options: &ReadOptions<'_>,
) -> Result<RawDelivery, ReadError> {
    let plan = plan(entries);
    if plan.tables.is_empty() {
        return Err(ReadError::NoTable {
            path: root.to_path_buf(),
            files: entries.len(),
        });
    }
    options.report(ReadProgress::Started {
        files: entries.len(),
        bytes: entries.iter().map(|e| e.size).sum(),
    });
    diagnostics.extend(plan.diagnostics);
    // Largest tables first, so that the longest task does not start last and leave a thread idle; results are
    // put back in plan order, which keeps the diagnostics deterministic.
    let size = |source: &TableSource| -> u64 {
        source
            .origin
            .entries()
            .iter()
            .filter_map(|&i| entries.get(i))
            .map(|e| e.size)
            .sum()
    };
    let mut order: Vec<usize> = (0..plan.tables.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(plan.tables.get(i).map_or(0, size)));
    // One worker per thread, each taking the next largest table from a shared counter (greedy longest-first).
    let next = AtomicUsize::new(0);
    let mut read: Vec<(usize, TableRead)> = (0..rayon::current_num_threads())
        .into_par_iter()
        .flat_map_iter(|_| {
            let mut mine = Vec::new();
            while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                if let Some(source) = plan.tables.get(i) {
                    mine.push((i, read_table(source, entries, options)));
                }
            }
            mine
        })
        .collect();
    read.sort_by_key(|(i, _)| *i);
    let others: Vec<(Option<SourceFile>, Option<Diagnostic>)> = plan
        .others
        .par_iter()
        .filter_map(|&i| entries.get(i))
        .map(|entry| match fingerprint_only(entry, options) {
            Ok(file) => (Some(file), None),
            Err(e) => (None, Some(unreadable(&entry.path, &e))),
        })
        .collect();
    let mut delivery = RawDelivery::default();
    for (_, table_read) in read {
        delivery.files.extend(table_read.files);
        diagnostics.extend(table_read.diagnostics);
        if let Some(table) = table_read.table {
            delivery.tables.insert(table.name.clone(), table);
        }
    }
    for (file, diag) in others {
        delivery.files.extend(file);
        diagnostics.extend(diag);
    }
    delivery.files.sort_by(|a, b| a.path.cmp(&b.path));
    delivery.diagnostics = diagnostics;
    Ok(delivery)
}

/// Reads a GeoPackage delivery: one file, many tables.
fn read_geopackage(
    path: &Path,
    size: u64,
    options: &ReadOptions<'_>,
) -> Result<RawDelivery, ReadError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    options.report(ReadProgress::Started {
        files: 1,
        bytes: size,
    });
    let file = fingerprint_file(path, &name, !options.skip_fingerprints).map_err(|source| {
        ReadError::Io {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let read = gpkg::read_gpkg(path, &name).map_err(|reason| ReadError::GeoPackage {
        path: path.to_path_buf(),
        reason,
    })?;
    if read.candidates == 0 {
        return Err(ReadError::NoTable {
            path: path.to_path_buf(),
            files: 1,
        });
    }
    options.report(ReadProgress::FileRead {
        path: name,
        bytes: file.size,
    });
    Ok(RawDelivery {
        files: vec![file],
        tables: read
            .tables
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect(),
        diagnostics: read.diagnostics,
        ..RawDelivery::default()
    })
}

/// Attribute files larger than this are streamed from disk rather than loaded whole (see [`crate::dbf`]).
const STREAM_DBF_ABOVE: u64 = 64 << 20;

/// What reading one table gave.
#[derive(Debug, Default)]
struct TableRead {
    table: Option<RawTable>,
    files: Vec<SourceFile>,
    diagnostics: Vec<Diagnostic>,
}

/// Loads and fingerprints one file.
fn load<'e>(
    entry: &'e Entry,
    options: &ReadOptions<'_>,
) -> io::Result<(SourceFile, Cow<'e, [u8]>)> {
    let bytes = entry.load()?;
    let file = fingerprint(&entry.path, &bytes, !options.skip_fingerprints);
    options.report(ReadProgress::FileRead {
        path: entry.path.clone(),
        bytes: file.size,
    });
    Ok((file, bytes))
}

/// Fingerprints a file that is not read as a table, streaming it from disk: an unknown file may be large.
fn fingerprint_only(entry: &Entry, options: &ReadOptions<'_>) -> io::Result<SourceFile> {
    let file = match &entry.content {
        Content::Disk(path) => fingerprint_file(path, &entry.path, !options.skip_fingerprints)?,
        Content::Memory(bytes) => fingerprint(&entry.path, bytes, !options.skip_fingerprints),
    };
    options.report(ReadProgress::FileRead {
        path: entry.path.clone(),
        bytes: file.size,
    });
    Ok(file)
}

fn read_table(source: &TableSource, entries: &[Entry], options: &ReadOptions<'_>) -> TableRead {
    let mut out = TableRead::default();
    let mut fetch = |index: Option<usize>| {
        let entry = entries.get(index?)?;
        match load(entry, options) {
            Ok((file, bytes)) => {
                out.files.push(file);
                Some((entry.path.as_str(), bytes))
            }
            Err(e) => {
                out.diagnostics
                    .push(unreadable(&entry.path, &e).table(source.name.clone()));
                None
            }
        }
    };
    let (table, diagnostics) = match &source.origin {
        Origin::Csv(index) => match fetch(Some(*index)) {
            Some((path, bytes)) => {
                let read = read_csv(&bytes, &FileContext::new(source.name.clone(), path));
                (read.table, read.diagnostics)
            }
            None => (None, Vec::new()),
        },
        Origin::Layer(files) => {
            let on_disk =
                files
                    .dbf
                    .and_then(|i| entries.get(i))
                    .and_then(|entry| match &entry.content {
                        Content::Disk(file) if entry.size > STREAM_DBF_ABOVE => Some(Dbf::OnDisk {
                            path: &entry.path,
                            file,
                        }),
                        _ => None,
                    });
            let dbf = if on_disk.is_some() {
                None
            } else {
                fetch(files.dbf)
            };
            let shp = fetch(files.shp);
            let shx = fetch(files.shx);
            let cpg = fetch(files.cpg);
            let prj = fetch(files.prj);
            let layer = Layer {
                dbf: on_disk.or_else(|| part(&dbf).map(Dbf::Loaded)),
                shp: part(&shp),
                shx: part(&shx),
                cpg: part(&cpg),
                prj: part(&prj),
            };
            let mut streamed = Vec::new();
            let read = read_layer(
                &source.name,
                &files.base,
                &layer,
                !options.skip_fingerprints,
                &mut streamed,
            );
            for file in streamed {
                options.report(ReadProgress::FileRead {
                    path: file.path.clone(),
                    bytes: file.size,
                });
                out.files.push(file);
            }
            read
        }
    };
    out.table = table;
    out.diagnostics.extend(diagnostics);
    out
}

/// A loaded file as a layer part.
fn part<'a>(loaded: &'a Option<(&str, Cow<'_, [u8]>)>) -> Option<Part<'a>> {
    loaded.as_ref().map(|(path, bytes)| Part {
        path,
        bytes: bytes.as_ref(),
    })
}

/// Detects the version, then renames the columns of the model's tables and reports tables it does not know.
pub(crate) fn settle(delivery: &mut RawDelivery) {
    let scores = version::scores(&delivery.tables);
    delivery.version = version::detect(&scores);
    let Some(version) = delivery.version else {
        let shown: Vec<String> = scores
            .iter()
            .map(|(v, s)| format!("{} {:.0} %", v.as_str(), s * 100.0))
            .collect();
        let shown = shown.join(", ");
        delivery
            .diagnostics
            .push(Diagnostic::new(&READ_VERSION_UNKNOWN).message(
            format!(
                "Version GraceTHD non reconnue (part des tables et colonnes reconnues : {shown})"
            ),
            format!(
                "GraceTHD version not recognised (share of tables and columns recognised: {shown})"
            ),
        ));
        return;
    };
    let schema = Schema::of(version);
    for (name, table) in &mut delivery.tables {
        match schema.table(name) {
            Some(def) => normalise(table, def, version, &mut delivery.diagnostics),
            None => delivery.diagnostics.push(
                unknown_file()
                    .table(name.clone())
                    .file(table.file.clone())
                    .message(
                        format!(
                            "Table {name} absente du modèle {version} : lue mais pas contrôlée"
                        ),
                        format!("Table {name} is not in the {version} model: read but not checked"),
                    ),
            ),
        }
    }
}
