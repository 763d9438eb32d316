//! The corpus of broken deliveries (`tests/corpus/<case>/` at the project root, written by
//! `tests/corpus/make_corpus.py`): each case reads without panicking and gives the diagnostics it is made for.
//! A case folder holding a single `.zip` is read as that archive.

use std::path::{Path, PathBuf};
use thd_diag::Severity;
use thd_model::RawDelivery;
use thd_read::read_delivery;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");

/// Every case and the rules it must raise (each at least once, with the count when it matters).
const CASES: &[(&str, &[(&str, usize)])] = &[
    (
        "truncated_shp",
        &[
            ("read.shp.invalid", 2),
            ("read.shp.index_mismatch", 1),
            ("read.shp.count_mismatch", 1),
        ],
    ),
    ("shx_disagrees", &[("read.shp.index_mismatch", 1)]),
    ("count_mismatch", &[("read.shp.count_mismatch", 1)]),
    ("dbf_lying_record_count", &[("read.dbf.invalid", 1)]),
    ("dbf_lying_header_length", &[("read.dbf.invalid", 1)]),
    ("shp_missing_dbf", &[("read.shp.missing_part", 1)]),
    ("prj_not_lambert93", &[("read.prj.not_lambert93", 1)]),
    ("uppercase_subfolder", &[]),
    (
        "csv_missing_extra_columns",
        &[("read.missing_column", 1), ("read.extra_column", 1)],
    ),
    ("csv_windows1252", &[("read.encoding.fallback", 1)]),
    ("comma_separator_bom", &[("read.csv.separator", 1)]),
    ("csv_ragged_rows", &[("read.csv.ragged_row", 2)]),
    ("empty_files", &[("read.empty_file", 2)]),
    (
        "duplicate_and_unknown",
        &[("read.duplicate_table", 1), ("read.unknown_file", 1)],
    ),
    ("zip_unsafe_entries", &[("read.zip.unsafe_entry", 3)]),
];

/// Rules every case may raise besides its own: the corpus tables carry only a few of the model's columns.
const BACKGROUND: &[&str] = &["read.missing_column"];

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(CORPUS);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {CORPUS} is absent, test skipped");
        None
    }
}

/// The path to read for a case: its only `.zip` if it holds one, else the folder.
fn input(case: &Path) -> PathBuf {
    let zips: Vec<PathBuf> = std::fs::read_dir(case)
        .expect("case folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    match zips.as_slice() {
        [zip] => zip.clone(),
        _ => case.to_path_buf(),
    }
}

fn read_case(name: &str) -> Option<RawDelivery> {
    let dir = corpus()?.join(name);
    Some(read_delivery(&input(&dir)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn count(d: &RawDelivery, rule: &str) -> usize {
    d.diagnostics.iter().filter(|x| x.rule == rule).count()
}

#[test]
fn every_case_gives_its_diagnostics() {
    for (name, expected) in CASES {
        let Some(d) = read_case(name) else { return };
        let listing: Vec<String> = d.diagnostics.iter().map(ToString::to_string).collect();
        for (rule, n) in *expected {
            assert_eq!(count(&d, rule), *n, "{name}: {rule}\n{listing:#?}");
        }
        // Nothing else serious than what the case is about.
        let allowed: Vec<&str> = expected
            .iter()
            .map(|(r, _)| *r)
            .chain(BACKGROUND.iter().copied())
            .collect();
        let unexpected: Vec<&String> = d
            .diagnostics
            .iter()
            .zip(&listing)
            .filter(|(x, _)| x.severity >= Severity::Error && !allowed.contains(&x.rule.as_ref()))
            .map(|(_, line)| line)
            .collect();
        assert!(unexpected.is_empty(), "{name}: unexpected {unexpected:#?}");
        // Every diagnostic of the case's rules says where.
        for x in d
            .diagnostics
            .iter()
            .filter(|x| allowed.contains(&x.rule.as_ref()))
        {
            assert!(x.file.is_some(), "{name}: no file in {x}");
        }
    }
}

#[test]
fn every_case_folder_has_expectations() {
    let Some(dir) = corpus() else { return };
    let mut folders: Vec<String> = std::fs::read_dir(dir)
        .expect("corpus")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut listed: Vec<String> = CASES.iter().map(|(n, _)| n.to_string()).collect();
    listed.sort();
    assert_eq!(folders, listed);
}

fn cell<'a>(d: &'a RawDelivery, table: &str, row: usize, column: &str) -> Option<&'a str> {
    let t = d.table(table)?;
    t.cell(row, t.column_index(column)?)
}

#[test]
fn broken_shapefiles_keep_what_can_be_read() {
    let Some(d) = read_case("truncated_shp") else {
        return;
    };
    let nodes = d.table("t_noeud").expect("t_noeud");
    assert_eq!(nodes.len(), 3, "every attribute row is kept");
    assert!(nodes.geometry(0).is_some() && nodes.geometry(1).is_some());
    assert!(
        nodes.geometry(2).is_none(),
        "the cut record has no geometry"
    );
    let cut = d
        .diagnostics
        .iter()
        .find(|x| x.rule == "read.shp.invalid" && x.row == Some(3))
        .expect("cut record reported");
    assert_eq!(
        cut.object.as_deref(),
        Some("ND000000000003"),
        "named by its attribute row"
    );
    assert_eq!(cut.file.as_deref(), Some("t_noeud.shp"));

    let Some(d) = read_case("shx_disagrees") else {
        return;
    };
    let nodes = d.table("t_noeud").expect("t_noeud");
    assert!(
        (0..3).all(|r| nodes.geometry(r).is_some()),
        "read sequentially"
    );

    for case in ["dbf_lying_record_count", "dbf_lying_header_length"] {
        let Some(d) = read_case(case) else { return };
        assert_eq!(d.table("t_noeud").map(|t| t.len()), Some(3), "{case}");
        assert_eq!(
            cell(&d, "t_noeud", 0, "nd_code"),
            Some("ND000000000001"),
            "{case}"
        );
        assert_eq!(
            cell(&d, "t_noeud", 1, "nd_nom"),
            Some("Armoire place de l'Église"),
            "{case}"
        );
    }

    let Some(d) = read_case("shp_missing_dbf") else {
        return;
    };
    assert!(d.table("t_noeud").is_none());
    let missing = d
        .diagnostics
        .iter()
        .find(|x| x.rule == "read.shp.missing_part")
        .expect("missing");
    assert_eq!(missing.file.as_deref(), Some("t_noeud.dbf"));
    assert_eq!(missing.severity, Severity::Error);
}

#[test]
fn messy_names_and_text_are_read_right() {
    let Some(d) = read_case("uppercase_subfolder") else {
        return;
    };
    let names: Vec<&str> = d.tables.keys().map(String::as_str).collect();
    assert_eq!(names, ["t_cable", "t_noeud"]);
    assert_eq!(
        d.table("t_noeud").map(|t| t.file.as_str()),
        Some("SHP/T_NOEUD.DBF")
    );
    assert_eq!(
        cell(&d, "t_cable", 0, "cb_capafo"),
        Some("12"),
        "columns renamed to the model's"
    );
    assert!(d.table("t_noeud").is_some_and(|t| t.geometry(2).is_some()));

    let Some(d) = read_case("csv_windows1252") else {
        return;
    };
    assert_eq!(cell(&d, "t_noeud", 0, "nd_nom"), Some("Château d'eau"));
    let fallback = d
        .diagnostics
        .iter()
        .find(|x| x.rule == "read.encoding.fallback")
        .expect("fallback");
    assert_eq!(
        (fallback.row, fallback.column.as_deref()),
        (Some(1), Some("nd_nom"))
    );
    assert_eq!(fallback.object.as_deref(), Some("ND000000000001"));

    let Some(d) = read_case("comma_separator_bom") else {
        return;
    };
    assert_eq!(cell(&d, "t_noeud", 0, "nd_code"), Some("ND000000000001"));
    assert_eq!(cell(&d, "t_noeud", 0, "nd_type"), Some("PT"));

    let Some(d) = read_case("csv_missing_extra_columns") else {
        return;
    };
    let missing = d
        .diagnostics
        .iter()
        .find(|x| x.rule == "read.missing_column")
        .expect("missing");
    assert_eq!(
        (missing.column.as_deref(), missing.severity),
        (Some("nd_type"), Severity::Warning)
    );
    assert_eq!(
        cell(&d, "t_noeud", 0, "nd_extra"),
        Some("x"),
        "extra columns are kept"
    );

    let Some(d) = read_case("csv_ragged_rows") else {
        return;
    };
    let rows: Vec<(Option<u64>, Option<&str>)> = d
        .diagnostics
        .iter()
        .filter(|x| x.rule == "read.csv.ragged_row")
        .map(|x| (x.row, x.object.as_deref()))
        .collect();
    assert_eq!(
        rows,
        [
            (Some(2), Some("ND000000000002")),
            (Some(3), Some("ND000000000003"))
        ]
    );
    assert_eq!(d.table("t_noeud").map(|t| t.len()), Some(3));
}

#[test]
fn archives_refuse_escaping_entries_and_keep_the_rest() {
    let Some(d) = read_case("zip_unsafe_entries") else {
        return;
    };
    let names: Vec<&str> = d.tables.keys().map(String::as_str).collect();
    assert_eq!(names, ["t_noeud"]);
    let refused: Vec<&str> = d
        .diagnostics
        .iter()
        .filter(|x| x.rule == "read.zip.unsafe_entry")
        .filter_map(|x| x.file.as_deref())
        .collect();
    assert_eq!(
        refused,
        [
            "../t_cable.csv",
            "/tmp/t_ptech.csv",
            "LIVRAISON/t_cable.csv"
        ]
    );
    assert_eq!(d.files.len(), 1);
}
