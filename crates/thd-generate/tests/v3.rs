//! GraceTHD v3 deliveries: the same network written in the v3 model (sites, premises, cables directly in paths).

mod common;

use common::{assert_present, plugs, problems, run, table, values};
use std::collections::BTreeMap;
use thd_model::{GraceVersion, Schema};

const V3: GraceVersion = GraceVersion::V3;

#[test]
fn a_clean_v3_delivery_has_no_decoding_problem() {
    for (n, seed) in [(1, 0), (450, 1), (6_000, 2)] {
        let g = run(V3, n, seed, 0);
        let found = problems(&g);
        assert!(
            found.is_empty(),
            "{n} plugs: {:#?}",
            &found[..found.len().min(20)]
        );
        let names: Vec<&str> = g.tables.iter().map(|t| t.name.as_str()).collect();
        let expected: Vec<&str> = Schema::of(V3)
            .tables
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, expected);
    }
}

#[test]
fn premises_are_one_local_per_plug_in_a_client_site() {
    let g = run(V3, 2_345, 3, 0);
    assert_eq!(plugs(&g), 2_345);
    let premises = values(table(&g, "t_local"), "lc_typelog")
        .filter(|&l| l == "RES" || l == "PRO")
        .count();
    assert_eq!(premises, 2_345);
    let client_sites = values(table(&g, "t_site"), "st_typelog")
        .filter(|&l| l == "CLIENT")
        .count();
    assert_eq!(client_sites, table(&g, "t_adresse").len());
}

#[test]
fn cables_lie_in_the_paths_their_lines_follow() {
    let g = run(V3, 1_200, 4, 0);
    let mut per_cable: BTreeMap<&str, usize> = BTreeMap::new();
    for cb in values(table(&g, "t_cab_chem"), "cc_cb_code") {
        *per_cable.entry(cb).or_default() += 1;
    }
    let lines = table(&g, "t_cableline");
    let cb = common::col(lines, "cl_cb_code");
    for r in 0..lines.len() {
        let Some(geo_types::Geometry::MultiLineString(m)) = lines.geometry(r) else {
            panic!("cable line {r} is not a multi-line");
        };
        let vertices = m.0[0].0.len();
        assert_eq!(per_cable[lines.cell(r, cb).expect("cable")], vertices - 1);
    }
}

#[test]
fn v3_generation_is_deterministic_and_defects_land_where_listed() {
    let a = run(V3, 3_000, 5, 40);
    let b = run(V3, 3_000, 5, 40);
    assert_eq!(a.tables, b.tables);
    assert_eq!(a.manifest, b.manifest);
    assert_eq!(a.manifest.defects.len(), 40);
    for d in &a.manifest.defects {
        assert_present(&a, d);
    }
    assert_eq!(problems(&a).len(), 40);
}

#[test]
fn chambers_and_poles_are_reception_points_linked_by_the_operators_trenches() {
    let g = run(V3, 4_000, 6, 0);
    assert_eq!(
        table(&g, "t_pointaccueil").len(),
        table(&g, "t_ptech").len()
    );
    let trenches = table(&g, "t_tranchee");
    assert!(!trenches.is_empty());
    // A trench lies along a path of the operator: same length scale as the street lattice (45-65 m).
    for len in values(trenches, "tr_lgreel") {
        let len: f64 = len.parse().expect("number");
        assert!((40.0..70.0).contains(&len), "{len}");
    }
    let operator_paths = values(table(&g, "t_cheminement"), "cm_prop")
        .filter(|&p| p == "OR035000000001")
        .count();
    assert!(trenches.len() <= operator_paths);
}
