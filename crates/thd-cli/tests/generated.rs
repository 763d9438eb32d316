//! Generated deliveries read back with exactly the counts the generator wrote, in every container and version,
//! and every injected defect is reported by the rule the manifest names, on the object it names.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use thd_generate::{GenerateOptions, Generated, generate};
use thd_model::GraceVersion;
use thd_write::{Container, TextEncoding, WriteOptions, write_delivery, write_geopackage};

fn generated(version: GraceVersion, plugs: u32, defects: u32) -> Generated {
    generate(&GenerateOptions {
        fibres: true,
        plugs,
        seed: 42,
        version,
        defects,
        department: Some("29".into()),
    })
    .expect("generation")
}

/// Reads `path` back and checks it against the manifest of `generated`.
fn check_read_back(generated: &Generated, path: &Path) {
    let raw = thd_read::read_delivery(path).expect("generated delivery is readable");
    assert_eq!(raw.version, Some(generated.version), "{}", path.display());
    let rows: BTreeMap<String, usize> = raw
        .tables
        .iter()
        .map(|(name, table)| (name.clone(), table.len()))
        .collect();
    let expected: BTreeMap<String, usize> = generated
        .manifest
        .counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(name, n)| (name.clone(), *n))
        .collect();
    let delivered: BTreeMap<String, usize> = rows.into_iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(delivered, expected, "{}", path.display());

    let decoded = thd_network::decode(&raw).expect("known version");
    let diagnostics: Vec<_> = raw.diagnostics.iter().chain(&decoded.diagnostics).collect();
    for defect in &generated.manifest.defects {
        let found = diagnostics.iter().any(|d| {
            d.rule == defect.rule
                && d.table.as_deref() == Some(defect.table.as_str())
                && (d.object.as_deref() == Some(defect.object.as_str())
                    || (d.object.is_none() && defect.rule == "decode.missing_key"))
        });
        assert!(
            found,
            "{}: injected defect not reported: {defect:?}",
            path.display()
        );
    }
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity >= thd_diag::Severity::Error)
        .count();
    assert_eq!(
        errors,
        generated.manifest.defects.len(),
        "{}: exactly the injected defects are errors: {:#?}",
        path.display(),
        diagnostics
            .iter()
            .filter(|d| d.severity >= thd_diag::Severity::Error)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_clean_v2_delivery_reads_back_exactly_and_without_errors() {
    let generated = generated(GraceVersion::V2_0_1, 400, 0);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean");
    write_delivery(
        &generated.tables,
        generated.version,
        &out,
        &WriteOptions::default(),
    )
    .unwrap();
    check_read_back(&generated, &out);
    let raw = thd_read::read_delivery(&out).unwrap();
    let network = thd_network::decode(&raw).unwrap().network;
    assert_eq!(
        network.plugs(),
        400,
        "the plugs of the addresses are the plugs asked for"
    );
}

#[test]
fn injected_defects_are_all_reported_in_a_messy_zip() {
    let generated = generated(GraceVersion::V2_0_1, 600, 14);
    assert_eq!(generated.manifest.defects.len(), 14);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("messy.zip");
    let options = WriteOptions {
        container: Container::Zip,
        encoding: TextEncoding::Windows1252,
        write_cpg: false,
        upper_case_names: true,
        subfolders: true,
        csv_separator: b',',
        csv_bom: true,
        keep_invalid_values: true,
    };
    write_delivery(&generated.tables, generated.version, &out, &options).unwrap();
    check_read_back(&generated, &out);
}

#[test]
fn v3_deliveries_read_back_as_folders_and_geopackages() {
    let generated = generated(GraceVersion::V3, 300, 8);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("v3");
    let options = WriteOptions {
        keep_invalid_values: true,
        ..WriteOptions::default()
    };
    write_delivery(&generated.tables, generated.version, &folder, &options).unwrap();
    check_read_back(&generated, &folder);
    let gpkg = dir.path().join("v3.gpkg");
    write_geopackage(&generated.tables, generated.version, &gpkg).unwrap();
    check_read_back(&generated, &gpkg);
}

#[test]
fn the_binary_generates_then_inspects_as_json_with_exit_code_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("delivery");
    let thd = env!("CARGO_BIN_EXE_thd");
    let status = Command::new(thd)
        .args([
            "generate",
            "--plugs",
            "200",
            "--seed",
            "3",
            "--defects",
            "5",
            "--out",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    assert!(
        dir.path().join("delivery.manifest.json").is_file(),
        "manifest beside the delivery"
    );

    let output = Command::new(thd)
        .args(["inspect", "--format", "json"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "defects are not a failure");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["version"], "2.0.1");
    assert_eq!(report["plugs"], 200);
    assert_eq!(report["severities"]["error"], 5);
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), 5);

    let missing = Command::new(thd)
        .args(["inspect", "/nonexistent/delivery"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2), "unusable input");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/delivery"));

    let again = Command::new(thd)
        .args(["generate", "--plugs", "10", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        again.status.code(),
        Some(1),
        "an existing output is not overwritten"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
}
