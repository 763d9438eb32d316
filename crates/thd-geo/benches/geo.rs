//! Speed of what runs on every coordinate of a delivery: Lambert-93 → WGS84 projection and GeoPackage blob
//! encoding and decoding, over 100 000 points spread across Brittany.
//!
//! `cargo bench -p thd-geo --bench geo`; throughput is in points.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geo_types::{Coord, Geometry, LineString};
use thd_geo::gpkg::{self, Parts};
use thd_geo::wgs84::{lambert93_to_wgs84, to_wgs84};

const POINTS: usize = 100_000;

/// Points on a regular grid over Brittany's Lambert-93 extent.
fn points() -> Vec<Coord> {
    (0..POINTS)
        .map(|i| Coord {
            x: 100_000.0 + (i % 1000) as f64 * 320.0,
            y: 6_700_000.0 + (i / 1000) as f64 * 2000.0,
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let coords = points();
    let mut group = c.benchmark_group("geo");
    group.throughput(Throughput::Elements(POINTS as u64));
    group.bench_function("lambert93_to_wgs84 point by point", |b| {
        b.iter(|| {
            for &p in &coords {
                black_box(lambert93_to_wgs84(p).expect("projects"));
            }
        })
    });
    let line = LineString::new(coords.clone());
    group.bench_function("to_wgs84 of one 100 000-point line", |b| {
        b.iter(|| black_box(to_wgs84(&line).expect("projects")))
    });
    let geometries: Vec<Geometry> = coords.iter().map(|&p| Geometry::Point(p.into())).collect();
    let mut blobs = Vec::new();
    group.bench_function("gpkg encode points", |b| {
        b.iter(|| {
            blobs.clear();
            let mut out = Vec::with_capacity(32);
            for g in &geometries {
                out.clear();
                gpkg::encode(g, 2154, Parts::Single, &mut out);
                blobs.push(out.clone());
            }
        })
    });
    group.bench_function("gpkg decode points", |b| {
        b.iter(|| {
            for blob in &blobs {
                black_box(gpkg::decode(blob).expect("decodes"));
            }
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
