//! The official demonstration delivery (phase AVP), checked with the default configuration.

use std::collections::BTreeMap;
use std::path::PathBuf;
use thd_check::{CheckOptions, Config, Phase, PhaseSource, check};

fn demo() -> Option<PathBuf> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/samples/gracethd-demo-v2.0.1"
    ));
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

#[test]
fn demo_counts_per_control() {
    let Some(path) = demo() else { return };
    let raw = thd_read::read_delivery(&path).expect("read");
    let decoded = thd_network::decode(&raw).expect("decode");
    let config = Config::default();
    let checked = check(
        &raw,
        &decoded.network,
        &CheckOptions {
            phase: None,
            config: &config,
        },
    );
    assert_eq!(checked.phase, Phase::Avp);
    assert!(matches!(checked.phase_source, PhaseSource::Detected { .. }));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &checked.diagnostics {
        *counts.entry(&d.rule).or_default() += 1;
    }
    for (rule, n) in &counts {
        println!("{rule}: {n}");
    }
    for d in checked
        .diagnostics
        .iter()
        .filter(|d| !d.rule.contains("_r0"))
    {
        println!("{d}");
    }
    println!("{:?}", checked.components);
}
