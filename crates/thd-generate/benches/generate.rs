//! Generation speed for 10 000 and 100 000 plugs (GraceTHD v2.0.1, clean deliveries).
//!
//! Throughput is reported in rows generated per second, all tables together.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use thd_generate::{GenerateOptions, generate};
use thd_model::GraceVersion;

fn options(plugs: u32) -> GenerateOptions {
    GenerateOptions {
        fibres: true,
        plugs,
        seed: 42,
        version: GraceVersion::V2_0_1,
        defects: 0,
        department: Some("35".to_owned()),
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for plugs in [10_000, 100_000] {
        let rows: usize = generate(&options(plugs))
            .expect("generate")
            .tables
            .iter()
            .map(|t| t.len())
            .sum();
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::from_parameter(plugs), &plugs, |b, &plugs| {
            b.iter(|| generate(black_box(&options(plugs))).expect("generate"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
