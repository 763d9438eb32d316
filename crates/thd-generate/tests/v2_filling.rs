//! A clean v2.0.1 delivery fills the attributes the reference checker requires at each object's phase (the
//! filling grid of GraceTHD-Check), except a few it cannot know for synthetic premises and organisations.

mod common;

use common::{col, run};
use std::collections::BTreeSet;
use thd_model::GraceVersion;

const GRID: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/gracethd/v2.0.1/gracethd-check/t_ct_conf_fillatt_psql.csv"
);

/// Attributes left empty on purpose: postal codes, repetition indices and street keys of La Poste belong to real
/// addresses (inventing them would make wrong data look right); end-user sites are not drawn as nodes; the
/// fictitious operator, delegatee and manufacturers have no SIREN; communes' SIRENs are not in the commune table.
const NOT_GENERATED: [&str; 5] = [
    "ad_rep",
    "ad_postal",
    "ad_hexaclv",
    "sf_nd_code",
    "or_siren",
];

#[test]
fn mandatory_attributes_are_filled_at_each_objects_phase() {
    let grid = std::fs::read_to_string(GRID).expect("filling grid of the reference checker");
    let g = run(GraceVersion::V2_0_1, 4_000, 17, 0);
    let mut missing = BTreeSet::new();
    for line in grid.lines().skip(1) {
        let f: Vec<&str> = line.split(';').collect();
        let (table, attribute) = (f[1], f[2]);
        let Some(t) = g.table(table) else { continue };
        if attribute == "geom" || NOT_GENERATED.contains(&attribute) || t.is_empty() {
            continue;
        }
        let prefix = attribute.split('_').next().unwrap_or_default();
        let statut = t.column_index(&format!("{prefix}_statut"));
        let c = col(t, attribute);
        for r in 0..t.len() {
            // Objects without a phase of their own are held to the execution-study level.
            let level = match statut.and_then(|s| t.cell(r, s)) {
                Some("AVP") => f[6],
                Some("PRO") | Some("ACT") => f[7],
                Some("TVX") | Some("REC") => f[9],
                _ => f[8],
            };
            if level == "O" && t.cell(r, c).is_none() {
                missing.insert(format!("{table}.{attribute}"));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
