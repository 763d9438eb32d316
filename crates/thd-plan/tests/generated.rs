//! Generated deliveries in each of the four departments, in both GraceTHD versions: the plugs counted per
//! department are the plugs the generator wrote, every plug finds its SRO and NRO zone (by link in 2.0.1, by
//! area in 3, which has no PBO zones), and the communes are those of the manifest.

use std::collections::BTreeSet;
use thd_generate::{GenerateOptions, generate};
use thd_model::{GraceVersion, RawDelivery};
use thd_plan::{CostModel, Dimension, PhaseMap, PlugIndex, ZoneAcceptances, cost_report};

fn check(department: &str, version: GraceVersion, plugs: u32) {
    let generated = generate(&GenerateOptions {
        fibres: true,
        plugs,
        seed: 11,
        version,
        defects: 0,
        department: Some(department.into()),
    })
    .expect("generation");
    let delivery = RawDelivery {
        origin: format!("generated {department}"),
        version: Some(version),
        tables: generated
            .tables
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect(),
        ..RawDelivery::default()
    };
    let network = thd_network::decode_as(&delivery, version).network;
    let manifest = generated.manifest;
    let index = PlugIndex::build(&network, &PhaseMap::default(), &ZoneAcceptances::new());
    let context = format!("department {department}, GraceTHD {}", version.as_str());

    let by_department = index.group_by(&[Dimension::Department]);
    let found: Vec<(Option<&str>, u64)> = by_department
        .rows
        .iter()
        .map(|g| (g.key[0].as_deref(), g.counts.plugs))
        .collect();
    assert_eq!(
        found,
        vec![(Some(department), u64::from(manifest.plugs))],
        "{context}"
    );

    let communes: BTreeSet<Option<String>> = index
        .group_by(&[Dimension::Commune])
        .rows
        .into_iter()
        .map(|g| g.key[0].clone())
        .collect();
    let expected: BTreeSet<Option<String>> = manifest.communes.iter().cloned().map(Some).collect();
    assert_eq!(communes, expected, "{context}");

    for dimension in [
        Dimension::Nro,
        Dimension::Sro,
        Dimension::Pbo,
        Dimension::Deployment,
    ] {
        let breakdown = index.group_by(&[dimension]);
        assert!(
            breakdown.rows.iter().all(|g| g.key[0].is_some()),
            "{context}: plugs without a {dimension}"
        );
        assert_eq!(
            breakdown.total.plugs,
            u64::from(manifest.plugs),
            "{context}"
        );
    }

    // The default schedule prices every item the generator writes.
    let report = cost_report(&network, &index, &CostModel::builtin());
    assert!(
        report.unpriced.is_empty(),
        "{context}: {:?}",
        report.unpriced
    );
    let per_plug = report.table.total.per_plug_eur.expect("plugs");
    assert!(
        (300.0..3_000.0).contains(&per_plug),
        "{context}: {per_plug} € a plug"
    );
}

#[test]
fn per_department_plugs_equal_the_generators() {
    for department in ["22", "29", "35", "56"] {
        check(department, GraceVersion::V2_0_1, 6_000);
        check(department, GraceVersion::V3, 3_000);
    }
}
