//! The sample deliveries committed in `data/` are exactly what their documented commands generate
//! (`data/README.md`): a change to the generator or the writers that alters them must regenerate them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data")
}

fn generate(args: &[&str], out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_thd"))
        .arg("generate")
        .args(args)
        .arg("--out")
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success());
}

fn file_names(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    names
}

fn assert_same_file(committed: &Path, fresh: &Path) {
    let (a, b) = (
        std::fs::read(committed).unwrap(),
        std::fs::read(fresh).unwrap(),
    );
    assert!(
        a == b,
        "{} differs from what the generator writes now",
        committed.display()
    );
}

#[test]
fn the_v2_sample_is_what_its_command_generates() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sample-v2.0.1");
    generate(
        &[
            "--plugs",
            "300",
            "--seed",
            "2026",
            "--defects",
            "10",
            "--department",
            "22",
            "--fibres",
        ],
        &out,
    );
    let committed = data().join("sample-v2.0.1");
    let names = file_names(&out);
    let committed_names = file_names(&committed);
    assert_eq!(names, committed_names);
    for name in names {
        assert_same_file(&committed.join(&name), &out.join(&name));
    }
    assert_same_file(
        &data().join("sample-v2.0.1.manifest.json"),
        &dir.path().join("sample-v2.0.1.manifest.json"),
    );
}

#[test]
fn the_v3_sample_manifest_is_what_its_command_generates() {
    // A GeoPackage is an SQLite file whose bytes depend on page allocation; its manifest (counts and defects)
    // is compared instead, and `generated.rs` checks that GeoPackages read back to those counts.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sample-v3.gpkg");
    generate(
        &[
            "--plugs",
            "300",
            "--seed",
            "2026",
            "--defects",
            "6",
            "--department",
            "56",
            "--gracethd",
            "3",
            "--fibres",
        ],
        &out,
    );
    assert_same_file(
        &data().join("sample-v3.manifest.json"),
        &dir.path().join("sample-v3.manifest.json"),
    );
}
