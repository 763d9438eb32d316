//! Import speed: a generated 100 000-plug GraceTHD v2.0.1 delivery into a new SQLite store, in rows per second
//! (rows of all tables).
//!
//! `cargo bench -p thd-store --bench import`. Each iteration imports into a fresh file in a temporary folder,
//! so the figure includes creating the data tables and the commit.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use thd_generate::{GenerateOptions, generate};
use thd_model::{GraceVersion, RawDelivery};
use thd_store::{ImportMeta, Store};

const PLUGS: u32 = 100_000;

fn delivery() -> RawDelivery {
    let generated = generate(&GenerateOptions {
        plugs: PLUGS,
        seed: 7,
        version: GraceVersion::V2_0_1,
        defects: 0,
        department: Some("29".into()),
    })
    .expect("generate");
    RawDelivery {
        origin: "generated".into(),
        version: Some(generated.version),
        tables: generated
            .tables
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect(),
        ..RawDelivery::default()
    }
}

fn import(c: &mut Criterion) {
    let delivery = delivery();
    let rows = delivery.rows() as u64;
    println!(
        "{PLUGS} plugs: {rows} rows in {} tables",
        delivery.tables.len()
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("import");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(rows));
    group.bench_function("sqlite_100k_plugs", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temp dir"),
            |dir| {
                runtime.block_on(async {
                    let path = dir.path().join("store.gpkg");
                    let store = Store::open(path.to_str().expect("utf-8 path"))
                        .await
                        .expect("open");
                    let outcome = store
                        .import(&delivery, &ImportMeta::default())
                        .await
                        .expect("import");
                    assert_eq!(outcome.rows, rows);
                    store.close().await;
                });
                dir
            },
            criterion::BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
