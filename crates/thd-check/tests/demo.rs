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
    // The counts per control, as reported on the demonstration delivery at AVP (the filling ones follow the
    // reference checker's grid; the graph ones were read against the delivery's files, e.g. path CM000180032599
    // drawn 6.24 m and 8.67 m away from its declared nodes, 26 one-fibre connection cables below the 2-fibre
    // minimum, 14 connection cables without a declared route, the PBO zone ZP000180030675 spilling 3.18 m out of
    // its SRO zone).
    let graph: BTreeMap<&str, usize> = counts
        .iter()
        .filter(|(rule, _)| !rule.contains("_r00") && !rule.starts_with("schema_"))
        .map(|(r, n)| (*r, *n))
        .collect();
    assert_eq!(
        graph,
        BTreeMap::from([
            ("ad_ban_id_1_s80002", 1),
            ("ad_nblhab_1_s80004", 2),
            ("ad_nbprhab_1_s80003", 2),
            ("cb_capafo_1_s80008", 26),
            ("graph.cable.line_off_route", 2),
            ("graph.cable.no_route", 14),
            ("graph.connectivity.address", 1),
            ("graph.duct.cable_count", 15),
            ("graph.duct.over_capacity", 3),
            ("graph.path.end_off_node", 2),
            ("zp_geom_1_m80015", 1),
            ("zs_geom_1_m80020", 1),
        ])
    );
    let filling: usize = counts
        .iter()
        .filter(|(rule, _)| rule.contains("_r00"))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(filling, 471, "empty attributes mandatory at AVP");
    assert_eq!(
        counts.get("cb_nd1_1_r00505"),
        Some(&49),
        "no cable declares its ends"
    );
    // The cables connect the whole network through their routes: one piece, fed by the NRO.
    assert_eq!(checked.components.count, 1);
    assert!(checked.components.cut_off.is_empty());
    // Every defect is located in its file and row.
    assert!(checked.diagnostics.iter().all(|d| d.file.is_some()));
}
