//! The store from the command line: import, re-import, list, show and diff, on a store in a temporary folder.

use std::path::Path;
use std::process::{Command, Output};

fn thd(args: &[&str], db: &Path) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_thd"))
        .args(args)
        .arg("--db")
        .arg(db)
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

#[test]
fn deliveries_are_imported_once_listed_shown_and_compared() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store.gpkg");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-v2.0.1");
    let sample = sample.to_str().unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{sample}.manifest.json")).unwrap())
            .unwrap();
    let rows: u64 = manifest["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();

    let first = thd(
        &["import", sample, "--zone", "Z1", "--received", "02/11/2026"],
        &db,
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("livraison n° 1 importée"));
    let again = thd(&["import", sample], &db);
    assert!(String::from_utf8_lossy(&again.stdout).contains("déjà dans le magasin"));

    // A second delivery of the zone: the same network with one address removed from the files.
    let changed = dir.path().join("changed");
    let status = Command::new(env!("CARGO_BIN_EXE_thd"))
        .args([
            "generate",
            "--plugs",
            "300",
            "--seed",
            "2026",
            "--defects",
            "10",
            "--department",
            "22",
            "--fibres",
            "--out",
        ])
        .arg(&changed)
        .status()
        .unwrap();
    assert!(status.success());
    let csv = changed.join("t_suf.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    let removed = lines.remove(1).split(';').next().unwrap().to_owned();
    std::fs::write(&csv, lines.join("\n") + "\n").unwrap();
    thd(&["import", changed.to_str().unwrap(), "--zone", "Z1"], &db);

    let list = json(&thd(&["deliveries", "--format", "json"], &db));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        list[0]["rows"], rows,
        "every row the generator wrote is stored"
    );
    assert_eq!(list[0]["received_at"], "2026-11-02", "dates are normalised");
    assert_eq!(
        list[1]["previous_id"], 1,
        "linked to the previous delivery of its zone"
    );

    let shown = json(&thd(&["show", "1", "--format", "json"], &db));
    // The 10 injected defects are the errors; the graph checks' warnings on the sample are stored with them
    // (aerial paths ending in chambers where a street changes laying).
    assert_eq!(shown["diagnostics"]["by_severity"]["error"], 10);
    assert!(
        shown.to_string().contains("graph.path.support"),
        "the checks' diagnostics are kept: {shown}"
    );

    let diff = json(&thd(&["diff", "1", "2", "--format", "json"], &db));
    let tables = diff["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 1, "{diff}");
    assert_eq!(tables[0]["table"], "t_suf");
    assert_eq!(tables[0]["removed"], serde_json::json!([removed]));
    assert_eq!(tables[0]["added"], serde_json::json!([]));

    // The same diff for a map: one feature, the removed end-user site (t_suf has no geometry of its own).
    let map = json(&thd(&["diff", "1", "2", "--format", "geojson"], &db));
    assert_eq!(map["type"], "FeatureCollection");
    let features = map["features"].as_array().unwrap();
    assert_eq!(features.len(), 1, "{map}");
    assert_eq!(features[0]["properties"]["change"], "removed");
    assert_eq!(
        features[0]["properties"]["object"],
        serde_json::json!(removed)
    );
    assert_eq!(features[0]["geometry"], serde_json::Value::Null);
}
