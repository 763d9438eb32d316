//! Reading + decoding throughput: the official demo delivery and a generated 100 000-plug delivery.
//!
//! `cargo bench -p thd-benches --bench read_decode` prints, per delivery, the time of one full read (files →
//! raw tables → validated, typed network) and the throughput in rows/s (`elements`) and in MB/s (`bytes`).
//! Set `THD_BENCH_PLUGS` to change the size of the generated delivery.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thd_generate::{GenerateOptions, generate};
use thd_model::GraceVersion;
use thd_write::{WriteOptions, write_delivery};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/samples/gracethd-demo-v2.0.1")
}

/// Reads and decodes `path` once; returns (rows, bytes) so the throughput can be declared.
fn read_and_decode(path: &Path) -> (u64, u64) {
    let raw = thd_read::read_delivery(path).expect("bench delivery is readable");
    let decoded = thd_network::decode(&raw).expect("bench delivery has a known version");
    std::hint::black_box(&decoded);
    let bytes = raw.files.iter().map(|f| f.size).sum();
    (raw.rows() as u64, bytes)
}

fn bench_delivery(c: &mut Criterion, name: &str, path: &Path) {
    let (rows, bytes) = read_and_decode(path);
    println!("{name}: {rows} rows, {:.1} MB", bytes as f64 / 1e6);
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(rows));
    group.bench_function("rows", |b| b.iter(|| read_and_decode(path)));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("bytes", |b| b.iter(|| read_and_decode(path)));
    group.finish();
}

fn benches(c: &mut Criterion) {
    let demo = demo();
    if demo.is_dir() {
        bench_delivery(c, "demo_v2.0.1", &demo);
    } else {
        eprintln!("skipping the demo delivery: {} not found", demo.display());
    }

    let plugs = std::env::var("THD_BENCH_PLUGS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temporary folder");
    let out = dir.path().join("generated");
    let generated = generate(&GenerateOptions {
        fibres: true,
        plugs,
        seed: 7,
        version: GraceVersion::V2_0_1,
        defects: 0,
        department: None,
    })
    .expect("generation");
    write_delivery(
        &generated.tables,
        generated.version,
        &out,
        &WriteOptions::default(),
    )
    .expect("writing the generated delivery");
    bench_delivery(c, &format!("generated_{plugs}_plugs"), &out);
}

criterion_group!(read_decode, benches);
criterion_main!(read_decode);
