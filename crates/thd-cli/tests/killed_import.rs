//! A `thd import` killed while it writes leaves the store exactly as it was: the test starts a real import
//! process, kills it (SIGKILL) once its transaction has begun spilling pages into the write-ahead log, then
//! reopens the store.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

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

fn deliveries(db: &str) -> Vec<serde_json::Value> {
    let out = thd(&["deliveries", "--format", "json", "--db", db]);
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn a_killed_import_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("store.gpkg");
    let db = db_path.to_str().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-v2.0.1");
    thd(&["import", sample.to_str().unwrap(), "--db", db]);
    let before = deliveries(db);
    assert_eq!(before.len(), 1);

    let big = dir.path().join("big");
    thd(&[
        "generate",
        "--plugs",
        "20000",
        "--seed",
        "3",
        "--out",
        big.to_str().unwrap(),
    ]);
    let wal = dir.path().join("store.gpkg-wal");
    let written = size(&wal);
    let mut child = Command::new(env!("CARGO_BIN_EXE_thd"))
        .args(["import", big.to_str().unwrap(), "--db", db])
        .spawn()
        .unwrap();
    // Wait until the import's transaction writes: its pages spill into the write-ahead log.
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the import ended ({status}) before it could be killed: give the test a bigger delivery"
            );
        }
        if size(&wal) > written + (4 << 20) {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the import never started writing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();

    // Reopened, the store holds what it held before, and works: the same delivery imports in full now.
    assert_eq!(deliveries(db), before);
    let shown = thd(&["show", "1", "--format", "json", "--db", db]);
    assert!(!shown.stdout.is_empty());
    thd(&["import", big.to_str().unwrap(), "--db", db]);
    assert_eq!(deliveries(db).len(), 2);
}
