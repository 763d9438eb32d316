//! `thd export`: a stored delivery written as shapefiles + CSV imports back to the same tables and rows; as
//! GeoJSON, one FeatureCollection per spatial table with a feature per row; as a GeoPackage that GDAL opens.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn thd(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_thd"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "thd {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Rows per table of stored delivery 1.
fn stored_tables(db: &Path) -> serde_json::Value {
    json(&thd(&["show", "1", "--format", "json", "--db", path(db)]))["tables"].clone()
}

#[test]
fn export_then_import_gives_the_same_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-v2.0.1");
    let (db, db2) = (
        dir.path().join("store.gpkg"),
        dir.path().join("store2.gpkg"),
    );
    thd(&["import", path(&sample), "--db", path(&db)]);

    let exported: PathBuf = dir.path().join("x");
    let out = thd(&[
        "export",
        "1",
        "--format",
        "csv",
        "--out",
        path(&exported),
        "--db",
        path(&db),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("t_noeud.shp"));
    thd(&["import", path(&exported), "--db", path(&db2)]);
    let tables = stored_tables(&db);
    assert!(tables["t_noeud"].as_u64().unwrap() > 0);
    assert_eq!(
        stored_tables(&db2),
        tables,
        "same rows per table after the round trip"
    );

    // The typed networks agree too.
    let objects = |delivery: &Path| {
        let report = json(&thd(&["inspect", path(delivery), "--format", "json"]));
        (
            report["objects"].clone(),
            report["plugs"].clone(),
            report["version"].clone(),
        )
    };
    assert_eq!(objects(&exported), objects(&sample));

    // An existing output is not overwritten without --force.
    let again = Command::new(env!("CARGO_BIN_EXE_thd"))
        .args([
            "export",
            "1",
            "--format",
            "csv",
            "--out",
            path(&exported),
            "--db",
            path(&db),
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}

#[test]
fn geojson_and_geopackage_exports() {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-v2.0.1");
    let db = dir.path().join("store.gpkg");
    thd(&["import", path(&sample), "--db", path(&db)]);
    let tables = stored_tables(&db);

    let geojson = dir.path().join("web");
    thd(&[
        "export",
        "1",
        "--format",
        "geojson",
        "--out",
        path(&geojson),
        "--db",
        path(&db),
    ]);
    let mut features: BTreeMap<String, usize> = BTreeMap::new();
    for entry in std::fs::read_dir(&geojson).unwrap() {
        let file = entry.unwrap().path();
        let collection: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(collection["type"], "FeatureCollection");
        let table = file.file_stem().unwrap().to_str().unwrap().to_owned();
        let n = collection["features"].as_array().unwrap().len();
        assert_eq!(tables[&table], n, "{table}: a feature per stored row");
        features.insert(table, n);
    }
    for spatial in [
        "t_noeud",
        "t_cheminement",
        "t_cableline",
        "t_adresse",
        "t_znro",
    ] {
        assert!(
            features.contains_key(spatial),
            "{spatial} missing: {features:?}"
        );
    }
    assert!(!features.contains_key("t_cable"), "t_cable has no geometry");

    let gpkg = dir.path().join("out");
    thd(&[
        "export",
        "1",
        "--format",
        "gpkg",
        "--out",
        path(&gpkg),
        "--db",
        path(&db),
    ]);
    let file = gpkg.join("livraison-1.gpkg");
    assert!(file.is_file());
    match Command::new("ogrinfo")
        .args(["-so", "-al"])
        .arg(&file)
        .output()
    {
        Err(_) => eprintln!("skipped: ogrinfo not found, the GeoPackage is not opened with GDAL"),
        Ok(info) => {
            assert!(
                info.status.success(),
                "{}",
                String::from_utf8_lossy(&info.stderr)
            );
            let text = String::from_utf8_lossy(&info.stdout);
            let noeuds = format!("Feature Count: {}", tables["t_noeud"]);
            assert!(
                text.split("Layer name: ")
                    .any(|layer| layer.starts_with("t_noeud") && layer.contains(&noeuds)),
                "{text}"
            );
        }
    }
}
