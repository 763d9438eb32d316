//! `thd stats`, `thd cost`, `thd rollout` on the committed sample delivery, and the operator's published cost
//! table reproduced from its phase totals.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sample-v2.0.1")
}

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

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&thd(args).stdout).unwrap()
}

fn manifest_plugs() -> u64 {
    let text = std::fs::read_to_string(format!("{}.manifest.json", sample().display())).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest["plugs"].as_u64().unwrap()
}

#[test]
fn stats_by_department_total_the_manifests_plugs() {
    let sample = sample();
    let sample = sample.to_str().unwrap();
    let plugs = manifest_plugs();
    let stats = json(&["stats", sample, "--by", "department", "--format", "json"]);
    assert_eq!(stats["total"]["plugs"], plugs);
    let rows = stats["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{stats}");
    assert_eq!(rows[0]["key"], serde_json::json!(["22"]));
    assert_eq!(rows[0]["plugs"], plugs);

    // With the example phase mapping every plug of the sample is in phase_2; CSV rows add up to the same.
    let phases = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/plan/phases.csv");
    let csv = String::from_utf8(
        thd(&[
            "stats",
            sample,
            "--by",
            "phase,commune",
            "--phases",
            phases.to_str().unwrap(),
            "--format",
            "csv",
        ])
        .stdout,
    )
    .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("phase;commune;plugs;premises;raccordable")
    );
    let sum: u64 = lines
        .map(|l| {
            assert!(l.starts_with("phase_2;22278;"), "{l}");
            l.split(';').nth(2).unwrap().parse::<u64>().unwrap()
        })
        .sum();
    assert_eq!(sum, plugs);
}

#[test]
fn cost_per_plug_is_total_over_plugs() {
    let sample = sample();
    let table = json(&["cost", sample.to_str().unwrap(), "--format", "json"]);
    let total = &table["total"];
    assert_eq!(total["plugs"], manifest_plugs());
    let per_plug = total["per_plug_eur"].as_f64().unwrap();
    let expected = total["total_eur"].as_f64().unwrap() / manifest_plugs() as f64;
    assert!((per_plug - expected).abs() < 1e-9);
    assert!(total["works_eur"].as_f64().unwrap() > 0.0);

    let refused = Command::new(env!("CARGO_BIN_EXE_thd"))
        .args(["cost", sample.to_str().unwrap(), "--by", "commune"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("phase and/or department"));
}

#[test]
fn the_published_2019_table_gives_its_cost_per_plug() {
    let shared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/bthd_cost_2019.csv");
    let transcription =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/plan/published_cost_2019.csv");
    // The operator's file (millions of euros) when it is beside the project; the project's transcription
    // (euros) always.
    let mut files = vec![transcription];
    if shared.exists() {
        files.push(shared);
    } else {
        eprintln!(
            "skipped the shared table: {} not found (the shared reference material is not beside the project)",
            shared.display()
        );
    }
    for file in files {
        let out = String::from_utf8(thd(&["cost", "--published", file.to_str().unwrap()]).stdout)
            .unwrap();
        let per_plug: Vec<(&str, &str)> = out
            .lines()
            .skip(2)
            .map(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                (cells[0], *cells.last().unwrap())
            })
            .collect();
        assert_eq!(
            per_plug,
            [
                ("phase_1", "1294"),
                ("phase_2", "1236"),
                ("phase_3", "1072"),
                ("extensions", "906"),
                ("total", "1145"),
            ],
            "{}:\n{out}",
            file.display()
        );
    }
}

#[test]
fn rollout_counts_the_raccordable_plugs_on_a_day() {
    let sample = sample();
    let report = json(&[
        "rollout",
        sample.to_str().unwrap(),
        "--as-of",
        "2026-11-01",
        "--format",
        "json",
    ]);
    assert_eq!(report["as_of"], "2026-11-01");
    assert_eq!(report["target"], manifest_plugs());
    let months: u64 = report["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["raccordable"].as_u64().unwrap())
        .sum();
    assert_eq!(
        months + report["undated"].as_u64().unwrap(),
        report["raccordable"].as_u64().unwrap()
    );
}
