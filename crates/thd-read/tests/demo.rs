//! The public samples read end to end: the official v2.0.1 demonstration delivery (as a folder and as a zip)
//! and the ANCT v3.0 sample (CSV only). Skipped, with a note, when `../shared` is not beside the project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use thd_diag::Severity;
use thd_model::{GraceVersion, RawDelivery};
use thd_read::{ReadOptions, ReadProgress, read_delivery, read_delivery_with};

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/samples/gracethd-demo-v2.0.1"
);
const V3: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/samples/anct-v3.0-sample"
);

fn sample(path: &str) -> Option<PathBuf> {
    let path = PathBuf::from(path);
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("note: {} is absent, test skipped", path.display());
        None
    }
}

fn serious(delivery: &RawDelivery) -> Vec<String> {
    delivery
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Error)
        .map(ToString::to_string)
        .collect()
}

const DEMO_COUNTS: &[(&str, usize)] = &[
    ("t_noeud", 27),
    ("t_cheminement", 25),
    ("t_cableline", 22),
    ("t_cable", 49),
    ("t_fibre", 1051),
    ("t_adresse", 16),
    ("t_suf", 21),
    ("t_ptech", 9),
    ("t_ebp", 27),
    ("t_conduite", 25),
    ("t_cond_chem", 27),
    ("t_cab_cond", 12),
];

fn check_demo(delivery: &RawDelivery) {
    assert_eq!(delivery.version, Some(GraceVersion::V2_0_1));
    for &(table, rows) in DEMO_COUNTS {
        let t = delivery
            .table(table)
            .unwrap_or_else(|| panic!("{table} missing"));
        assert_eq!(t.len(), rows, "{table}");
    }
    for table in [
        "t_noeud",
        "t_cheminement",
        "t_cableline",
        "t_adresse",
        "t_znro",
        "t_zpbo",
    ] {
        let t = delivery.table(table).expect(table);
        assert!(
            (0..t.len()).all(|row| t.geometry(row).is_some()),
            "{table}: every row has a geometry"
        );
    }
    assert!(
        delivery
            .table("t_cable")
            .is_some_and(|t| t.geometries.is_none())
    );
    assert_eq!(serious(delivery), Vec::<String>::new());

    // Accented text, from a UTF-8 CSV and from a DBF with a UTF-8 .cpg.
    let org = delivery.table("t_organisme").expect("t_organisme");
    let (code, name) = (
        org.column_index("or_code").expect("or_code"),
        org.column_index("or_activ").expect("or_activ"),
    );
    let erdf = (0..org.len())
        .find(|&r| org.cell(r, code) == Some("OR900000000003"))
        .expect("ERDF row");
    assert_eq!(
        org.cell(erdf, name),
        Some("Distribution d'électricité (3513Z)")
    );
    let ad = delivery.table("t_adresse").expect("t_adresse");
    let voie = ad.column_index("ad_nomvoie").expect("ad_nomvoie");
    assert_eq!(ad.cell(15, voie), Some("R DU CHEM VERT D46 CHÂTEAU D'EAU"));

    // Every file is listed with its fingerprint.
    assert_eq!(delivery.files.len(), 73);
    let noeud = delivery
        .files
        .iter()
        .find(|f| f.path.ends_with("t_noeud.dbf"))
        .expect("t_noeud.dbf listed");
    assert_eq!(noeud.size, 76197);
    assert_eq!(noeud.sha256.len(), 64);
}

#[test]
fn demo_folder_reads_as_v2_with_the_expected_rows() {
    let Some(dir) = sample(DEMO) else { return };
    let seen = Mutex::new(Vec::new());
    let progress = |p: ReadProgress| seen.lock().expect("lock").push(p);
    let delivery = read_delivery_with(
        &dir,
        &ReadOptions {
            progress: Some(&progress),
            ..ReadOptions::default()
        },
    )
    .expect("demo reads");
    check_demo(&delivery);
    assert_eq!(delivery.origin, dir.to_string_lossy());
    let seen = seen.into_inner().expect("lock");
    assert!(matches!(
        seen.first(),
        Some(ReadProgress::Started { files: 73, .. })
    ));
    let read = seen
        .iter()
        .filter(|p| matches!(p, ReadProgress::FileRead { .. }))
        .count();
    assert_eq!(read, 73);
}

#[test]
fn demo_zip_reads_the_same_as_the_folder() {
    let Some(dir) = sample(DEMO) else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let zip_path = tmp.path().join("livraison.zip");
    zip_folder(&dir, "LIVRAISON_DEMO", &zip_path);
    let from_zip = read_delivery(&zip_path).expect("zip reads");
    check_demo(&from_zip);
    let from_dir = read_delivery(&dir).expect("folder reads");
    // Same tables, cell for cell and shape for shape; only the file paths carry the archive's top folder.
    let without_paths = |d: &RawDelivery| {
        let mut tables = d.tables.clone();
        for t in tables.values_mut() {
            t.file = t.file.rsplit('/').next().unwrap_or_default().to_owned();
        }
        tables
    };
    assert!(
        without_paths(&from_zip) == without_paths(&from_dir),
        "zip and folder differ"
    );
    let hashes =
        |d: &RawDelivery| -> Vec<String> { d.files.iter().map(|f| f.sha256.clone()).collect() };
    assert_eq!(hashes(&from_zip), hashes(&from_dir));
    assert!(
        from_zip
            .files
            .iter()
            .all(|f| f.path.starts_with("LIVRAISON_DEMO/"))
    );
}

/// Zips every file of `dir` under the folder `top` inside the archive.
fn zip_folder(dir: &Path, top: &str, out: &Path) {
    use std::io::Write;
    let file = std::fs::File::create(out).expect("create zip");
    let mut writer = zip::ZipWriter::new(file);
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    for path in names {
        let name = path.file_name().expect("name").to_string_lossy();
        writer
            .start_file(
                format!("{top}/{name}"),
                zip::write::SimpleFileOptions::default(),
            )
            .expect("start");
        writer
            .write_all(&std::fs::read(&path).expect("read"))
            .expect("write");
    }
    writer.finish().expect("finish");
}

#[test]
fn anct_v3_sample_reads_as_v3() {
    let Some(dir) = sample(V3) else { return };
    let delivery = read_delivery(&dir).expect("v3 sample reads");
    assert_eq!(delivery.version, Some(GraceVersion::V3));
    // Data rows counted by hand in each file (they match the sample's README).
    let expected: BTreeMap<&str, usize> = [
        ("t_baie", 4),
        ("t_cab_chem", 14),
        ("t_cable", 9),
        ("t_cassette", 21),
        ("t_ebp", 6),
        ("t_fibre", 480),
        ("t_local", 24),
        ("t_love", 2),
        ("t_organisme", 8),
        ("t_position", 648),
        ("t_ptech", 9),
        ("t_reference", 22),
        ("t_site", 16),
        ("t_tiroir", 4),
    ]
    .into_iter()
    .collect();
    let found: BTreeMap<&str, usize> = delivery
        .tables
        .iter()
        .map(|(name, t)| (name.as_str(), t.len()))
        .collect();
    assert_eq!(found, expected);
    let site = delivery.table("t_site").expect("t_site");
    assert_eq!(
        site.cell(0, site.column_index("st_code").expect("st_code")),
        Some("ST001000000000")
    );
    // The README is the only file that is not a table.
    let unknown: Vec<_> = delivery
        .diagnostics
        .iter()
        .filter(|d| d.rule == "read.unknown_file")
        .filter_map(|d| d.file.as_deref())
        .collect();
    assert_eq!(unknown, ["README.md"]);
    assert_eq!(delivery.files.len(), 15);
    for d in &delivery.diagnostics {
        eprintln!("{d}");
    }
}
