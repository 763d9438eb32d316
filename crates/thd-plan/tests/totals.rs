//! Property: for any network and any grouping, the groups add up to the total, and dropping a dimension of a
//! grouping gives the sums of the finer groups.

mod common;

use common::*;
use proptest::prelude::*;
use std::collections::BTreeMap;
use thd_plan::{Counts, Dimension, PhaseMap, PlugIndex, ZoneAcceptances};

const COMMUNES: [&str; 4] = ["22278", "29019", "35238", "56260"];
const STATES: [&str; 6] = ["CI", "SI", "EC", "DE", "AB", ""];
const PHASES: &str = "scope,code,phase,tranche,contractor,due\n\
    sro,ZS1,phase_2,t1,Acme,\n\
    commune,56260,phase_3,,,\n";

/// An address: commune, dwellings, businesses, PBO zone (0 = none), state, x offset.
type Spec = (usize, u32, u32, usize, usize, u32);

fn network(addresses: &[Spec]) -> thd_network::Network {
    let (x, y) = (300_000.0, 6_800_000.0);
    let address_rows: Vec<_> = addresses
        .iter()
        .enumerate()
        .map(|(i, &(commune, hab, pro, _, state, dx))| {
            (
                row(&[
                    &format!("AD{i}"),
                    COMMUNES[commune],
                    &hab.to_string(),
                    &pro.to_string(),
                    STATES[state],
                ]),
                point(x + f64::from(dx), y),
            )
        })
        .collect();
    let suf_rows: Vec<_> = addresses
        .iter()
        .enumerate()
        .filter(|(_, a)| a.3 > 0)
        .map(|(i, a)| row(&[&format!("SF{i}"), &format!("AD{i}"), &format!("ZP{}", a.3)]))
        .collect();
    decode_v2(vec![
        spatial(
            "t_adresse",
            &[
                "ad_code",
                "ad_insee",
                "ad_nbprhab",
                "ad_nbprpro",
                "ad_ietat",
            ],
            &address_rows,
        ),
        spatial(
            "t_znro",
            &["zn_code"],
            &[(row(&["ZN1"]), rect(x, y - 10.0, x + 1_000.0, y + 10.0))],
        ),
        spatial(
            "t_zsro",
            &["zs_code", "zs_zn_code"],
            &[
                (row(&["ZS1", "ZN1"]), rect(x, y - 10.0, x + 400.0, y + 10.0)),
                (
                    row(&["ZS2", "ZN1"]),
                    rect(x + 400.0, y - 10.0, x + 800.0, y + 10.0),
                ),
            ],
        ),
        spatial(
            "t_zpbo",
            &["zp_code", "zp_zs_code"],
            &[
                (row(&["ZP1", "ZS1"]), None),
                (row(&["ZP2", "ZS1"]), None),
                (row(&["ZP3", "ZS2"]), None),
            ],
        ),
        table("t_suf", &["sf_code", "sf_ad_code", "sf_zp_code"], &suf_rows),
    ])
}

fn add(a: Counts, b: Counts) -> Counts {
    let mut sum = a;
    sum += b;
    sum
}

proptest! {
    #[test]
    fn groups_add_up_to_their_total(
        addresses in prop::collection::vec((0..4usize, 0..12u32, 0..3u32, 0..4usize, 0..6usize, 0..1_200u32), 0..40),
        chosen in prop::collection::vec(any::<bool>(), Dimension::ALL.len()),
    ) {
        let network = network(&addresses);
        let phases = PhaseMap::parse(PHASES, "phases.csv").unwrap();
        let index = PlugIndex::build(&network, &phases, &ZoneAcceptances::new());
        let total = index.total();
        let written: u32 = addresses.iter().map(|a| a.1 + a.2).sum();
        prop_assert_eq!(total.plugs, u64::from(written));
        prop_assert_eq!(total.plugs, network.plugs());

        let dims: Vec<Dimension> = Dimension::ALL
            .into_iter()
            .zip(&chosen)
            .filter_map(|(d, &keep)| keep.then_some(d))
            .collect();
        let breakdown = index.group_by(&dims);
        let sum = breakdown.rows.iter().fold(Counts::default(), |s, g| add(s, g.counts));
        prop_assert_eq!(sum, total);
        prop_assert_eq!(breakdown.total, total);

        // Dropping the last dimension merges groups: the coarser breakdown is the sum of the finer one.
        if let Some((_, coarser)) = dims.split_last() {
            let mut merged: BTreeMap<Vec<Option<String>>, Counts> = BTreeMap::new();
            for g in &breakdown.rows {
                let key = g.key[..coarser.len()].to_vec();
                let entry = merged.entry(key).or_default();
                *entry = add(*entry, g.counts);
            }
            let coarse: BTreeMap<_, _> = index
                .group_by(coarser)
                .rows
                .into_iter()
                .map(|g| (g.key, g.counts))
                .collect();
            prop_assert_eq!(merged, coarse);
        }
    }
}
