//! Which files make which table: shapefile parts paired by stem, CSV files, and everything else.
//!
//! The table name is the lower-cased file stem (`SHP/T_NOEUD.SHP` → `t_noeud`). A stem names a table when a
//! built-in model knows it or when it follows the GraceTHD `t_` convention (an extension table is still read,
//! and reported later if the detected version does not know it). The parts of a shapefile are paired by folder
//! and stem, ignoring case. When two files or layers give the same table, the first by path wins: the others are
//! reported, fingerprinted, and not read.

use std::collections::BTreeMap;
use thd_diag::Diagnostic;
use thd_diag::rules::{READ_DUPLICATE_TABLE, READ_UNKNOWN_FILE};
use thd_model::{GraceVersion, Schema};

use crate::source::Entry;

/// What a table is read from: indexes into the delivery's entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    Csv(usize),
    Layer(LayerFiles),
}

/// The entries of one shapefile layer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LayerFiles {
    /// `folder/stem` as found, to name missing parts.
    pub base: String,
    pub dbf: Option<usize>,
    pub shp: Option<usize>,
    pub shx: Option<usize>,
    pub cpg: Option<usize>,
    pub prj: Option<usize>,
}

impl LayerFiles {
    fn entries(&self) -> impl Iterator<Item = usize> + '_ {
        [self.dbf, self.shp, self.shx, self.cpg, self.prj]
            .into_iter()
            .flatten()
    }
}

impl Origin {
    /// Every entry the table is read from.
    pub fn entries(&self) -> Vec<usize> {
        match self {
            Self::Csv(entry) => vec![*entry],
            Self::Layer(layer) => layer.entries().collect(),
        }
    }

    /// The file a diagnostic about the whole table names: the CSV, or the layer's `.dbf` (else any part).
    fn main_entry(&self) -> Option<usize> {
        match self {
            Self::Csv(entry) => Some(*entry),
            Self::Layer(layer) => layer.dbf.or(layer.shp).or_else(|| layer.entries().next()),
        }
    }
}

/// A table to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableSource {
    pub name: String,
    pub origin: Origin,
}

/// The delivery's files sorted into tables to read and files only to fingerprint.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub tables: Vec<TableSource>,
    /// Entries that belong to no table read (unknown files, duplicates).
    pub others: Vec<usize>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether a lower-case stem names a GraceTHD table.
pub(crate) fn is_table_name(stem: &str) -> bool {
    stem.starts_with("t_")
        || GraceVersion::ALL
            .into_iter()
            .any(|v| Schema::of(v).table(stem).is_some())
}

/// Sorts `entries` (sorted by path) into tables.
pub(crate) fn plan(entries: &[Entry]) -> Plan {
    let mut out = Plan::default();
    // Candidate tables in order of their first file; layers keyed by lower-case folder and stem.
    let mut candidates: Vec<TableSource> = Vec::new();
    let mut layers: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let (folder, file) = entry.path.rsplit_once('/').unwrap_or(("", &entry.path));
        let Some((stem, ext)) = file.rsplit_once('.') else {
            out.unknown(index, entry);
            continue;
        };
        let (name, ext) = (stem.to_lowercase(), ext.to_lowercase());
        if !is_table_name(&name) {
            out.unknown(index, entry);
            continue;
        }
        match ext.as_str() {
            "csv" => candidates.push(TableSource {
                name,
                origin: Origin::Csv(index),
            }),
            "dbf" | "shp" | "shx" | "cpg" | "prj" => {
                let key = (folder.to_lowercase(), name.clone());
                let slot = *layers.entry(key).or_insert_with(|| {
                    let base = if folder.is_empty() {
                        stem.to_owned()
                    } else {
                        format!("{folder}/{stem}")
                    };
                    candidates.push(TableSource {
                        name,
                        origin: Origin::Layer(LayerFiles {
                            base,
                            ..LayerFiles::default()
                        }),
                    });
                    candidates.len() - 1
                });
                let Some(TableSource {
                    origin: Origin::Layer(layer),
                    name,
                }) = candidates.get_mut(slot)
                else {
                    continue;
                };
                let part = match ext.as_str() {
                    "dbf" => &mut layer.dbf,
                    "shp" => &mut layer.shp,
                    "shx" => &mut layer.shx,
                    "cpg" => &mut layer.cpg,
                    _ => &mut layer.prj,
                };
                match part {
                    None => *part = Some(index),
                    Some(first) => {
                        let kept = entries.get(*first).map_or("", |e| e.path.as_str());
                        out.diagnostics.push(duplicate(name, &entry.path, kept));
                        out.others.push(index);
                    }
                }
            }
            _ => out.unknown(index, entry),
        }
    }
    candidates.sort_by_key(|c| c.origin.main_entry());
    let mut kept: BTreeMap<String, Option<usize>> = BTreeMap::new();
    for candidate in candidates {
        match kept.get(&candidate.name) {
            Some(first) => {
                let file = candidate
                    .origin
                    .main_entry()
                    .and_then(|i| entries.get(i))
                    .map_or("", |e| e.path.as_str());
                let first = first
                    .and_then(|i| entries.get(i))
                    .map_or("", |e| e.path.as_str());
                out.diagnostics
                    .push(duplicate(&candidate.name, file, first));
                out.others.extend(candidate.origin.entries());
            }
            None => {
                kept.insert(candidate.name.clone(), candidate.origin.main_entry());
                out.tables.push(candidate);
            }
        }
    }
    out.others.sort_unstable();
    out
}

impl Plan {
    fn unknown(&mut self, index: usize, entry: &Entry) {
        self.others.push(index);
        self.diagnostics
            .push(unknown_file().file(entry.path.clone()).message(
                "Fichier qui n'est pas une table GraceTHD : ignoré",
                "File that is not a GraceTHD table: ignored",
            ));
    }
}

/// A [`READ_UNKNOWN_FILE`] diagnostic with the hint the rule lacks.
pub(crate) fn unknown_file() -> Diagnostic {
    Diagnostic::new(&READ_UNKNOWN_FILE)
        .hint("Retirer le fichier de la livraison s'il n'y a pas sa place, ou le renommer selon GraceTHD.")
}

fn duplicate(table: &str, file: &str, kept: &str) -> Diagnostic {
    Diagnostic::new(&READ_DUPLICATE_TABLE)
        .table(table)
        .file(file)
        .message(
            format!("Table {table} livrée deux fois : {file} ignoré, {kept} lu"),
            format!("Table {table} delivered twice: {file} ignored, {kept} read"),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Content;

    fn entries(paths: &[&str]) -> Vec<Entry> {
        let mut paths = paths.to_vec();
        paths.sort_unstable();
        paths
            .into_iter()
            .map(|p| Entry {
                path: p.to_owned(),
                size: 0,
                content: Content::Memory(Vec::new()),
            })
            .collect()
    }

    #[test]
    fn shapefile_parts_pair_by_folder_and_stem_ignoring_case() {
        let e = entries(&[
            "SHP/T_NOEUD.SHP",
            "SHP/T_NOEUD.SHX",
            "SHP/t_noeud.dbf",
            "SHP/T_NOEUD.PRJ",
            "CSV/t_cable.csv",
            "lisezmoi.txt",
            "SHP/T_NOEUD.shp.xml",
        ]);
        let p = plan(&e);
        let names: Vec<&str> = p.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["t_cable", "t_noeud"]);
        let Origin::Layer(layer) = &p.tables[1].origin else {
            panic!("layer expected")
        };
        assert_eq!(layer.base, "SHP/T_NOEUD");
        let path = |i: Option<usize>| i.map(|i| e[i].path.as_str());
        assert_eq!(path(layer.dbf), Some("SHP/t_noeud.dbf"));
        assert_eq!(path(layer.shx), Some("SHP/T_NOEUD.SHX"));
        assert_eq!(layer.cpg, None);
        let unknown: Vec<&str> = p.others.iter().map(|&i| e[i].path.as_str()).collect();
        assert_eq!(unknown, ["SHP/T_NOEUD.shp.xml", "lisezmoi.txt"]);
        assert!(p.diagnostics.iter().all(|d| d.rule == "read.unknown_file"));
    }

    #[test]
    fn the_first_copy_of_a_table_by_path_is_kept() {
        let e = entries(&["b/t_noeud.csv", "a/t_noeud.dbf", "a/t_noeud.shp"]);
        let p = plan(&e);
        assert_eq!(p.tables.len(), 1);
        assert!(matches!(p.tables[0].origin, Origin::Layer(_)));
        assert_eq!(p.diagnostics.len(), 1);
        let d = &p.diagnostics[0];
        assert_eq!(d.rule, "read.duplicate_table");
        assert_eq!(d.file.as_deref(), Some("b/t_noeud.csv"));
        assert_eq!(p.others, [2]);
    }
}
