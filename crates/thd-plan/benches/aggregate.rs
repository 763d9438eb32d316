//! All the aggregates of issue 5 on a generated network: plug index, breakdowns by department, phase, commune,
//! contractor and zones, cost per plug by phase × department with its bill, and the rollout report.
//!
//! `cargo bench -p thd-plan --bench aggregate` (set `THD_BENCH_PLUGS`, default 200 000, and
//! `THD_BENCH_VERSION=3` for a GraceTHD 3 network). Generating and decoding the network is set-up, not measured.

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;
use thd_generate::{GenerateOptions, generate};
use thd_model::{GraceVersion, RawDelivery};
use thd_network::Network;
use thd_plan::{
    Assignment, CostModel, Dimension, PhaseMap, PlugIndex, RolloutPlan, Scope, ZoneAcceptances,
    cost_report, rollout_report,
};

fn network(plugs: u32, version: GraceVersion) -> (Network, PhaseMap) {
    let generated = generate(&GenerateOptions {
        // No aggregate reads fibres; without them a region-scale network fits the bench machine easily.
        fibres: false,
        plugs,
        seed: 5,
        version,
        defects: 0,
        department: None,
    })
    .expect("generation");
    // Communes spread over the three phases, a due date each, so every aggregate has work to do.
    let mut phases = PhaseMap::default();
    for (i, insee) in generated.manifest.communes.iter().enumerate() {
        let phase = ["phase_1", "phase_2", "phase_3"][i % 3];
        let assignment = Assignment {
            phase: phase.into(),
            tranche: Some(format!("t{}", i % 2 + 1)),
            contractor: Some(["Acme", "Breizh TP"][i % 2].into()),
            due: NaiveDate::from_ymd_opt(2020 + (i % 6) as i32, 12, 31),
        };
        phases.assign(Scope::Commune, insee, assignment);
    }
    let delivery = RawDelivery {
        origin: "bench".into(),
        version: Some(version),
        tables: generated
            .tables
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect(),
        ..RawDelivery::default()
    };
    (thd_network::decode_as(&delivery, version).network, phases)
}

fn all_aggregates(network: &Network, phases: &PhaseMap, model: &CostModel, plan: &RolloutPlan) {
    let index = PlugIndex::build(network, phases, &ZoneAcceptances::new());
    for by in [
        &[Dimension::Department][..],
        &[Dimension::Department, Dimension::Phase],
        &[Dimension::Commune],
        &[Dimension::Contractor, Dimension::Tranche],
        &[Dimension::Nro, Dimension::Sro],
        &[Dimension::Pbo],
    ] {
        std::hint::black_box(index.group_by(by));
    }
    std::hint::black_box(cost_report(network, &index, model));
    let as_of = NaiveDate::from_ymd_opt(2024, 6, 1).expect("date");
    std::hint::black_box(rollout_report(&index, plan, as_of, 6));
}

fn bench(c: &mut Criterion) {
    let plugs = std::env::var("THD_BENCH_PLUGS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(200_000);
    let version = match std::env::var("THD_BENCH_VERSION").as_deref() {
        Ok("3") => GraceVersion::V3,
        _ => GraceVersion::V2_0_1,
    };
    let (network, phases) = network(plugs, version);
    let (model, plan) = (CostModel::builtin(), RolloutPlan::builtin());
    let index = PlugIndex::build(&network, &phases, &ZoneAcceptances::new());
    let report = cost_report(&network, &index, &model);
    println!(
        "{plugs} plugs (GraceTHD {}): {:.0} € a plug with the default schedule, {} raccordable",
        version.as_str(),
        report.table.total.per_plug_eur.unwrap_or(0.0),
        index.total().raccordable
    );
    let mut group = c.benchmark_group(format!("aggregates_{plugs}_plugs"));
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(u64::from(plugs)));
    group.bench_function("all", |b| {
        b.iter(|| all_aggregates(&network, &phases, &model, &plan))
    });
    group.finish();
}

criterion_group!(aggregate, bench);
criterion_main!(aggregate);
