//! The whole check (catalogue + graph controls) on generated deliveries of growing size, to show the cost
//! grows near-linearly: `cargo bench -p thd-check --bench check`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::collections::BTreeMap;
use thd_check::{CheckOptions, Config, Phase, check};
use thd_generate::{GenerateOptions, generate};
use thd_model::{GraceVersion, RawDelivery};

fn delivery(plugs: u32) -> RawDelivery {
    let generated = generate(&GenerateOptions {
        fibres: true,
        plugs,
        seed: 7,
        version: GraceVersion::V2_0_1,
        defects: 0,
        department: None,
    })
    .expect("generate");
    RawDelivery {
        origin: format!("generated {plugs}"),
        version: Some(generated.version),
        files: Vec::new(),
        tables: generated
            .tables
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect::<BTreeMap<_, _>>(),
        diagnostics: Vec::new(),
    }
}

fn bench(c: &mut Criterion) {
    let config = Config::default();
    let mut group = c.benchmark_group("check");
    group.sample_size(10);
    for plugs in [10_000u32, 100_000] {
        let raw = delivery(plugs);
        let network = thd_network::decode(&raw).expect("decode").network;
        group.throughput(Throughput::Elements(u64::from(plugs)));
        group.bench_with_input(
            BenchmarkId::from_parameter(plugs),
            &(raw, network),
            |b, (raw, network)| {
                b.iter(|| {
                    check(
                        raw,
                        network,
                        &CheckOptions {
                            phase: Some(Phase::Avp),
                            config: &config,
                        },
                    )
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
