//! Writing speed: a 200 000-node shapefile (every t_noeud column, as a generated region fills them) plus a
//! 200 000-row CSV table, as a folder, a zip and a GeoPackage.
//!
//! `cargo bench -p thd-write --bench write`; throughput is in rows, and the bytes each delivery takes are printed
//! once so that MB/s can be read off the time.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geo_types::{Geometry, point};
use thd_model::{GraceVersion, RawTable, RawTableBuilder, Schema, SourceFormat};
use thd_write::{Container, WriteOptions, write_delivery, write_geopackage};

const ROWS: usize = 200_000;
const V2: GraceVersion = GraceVersion::V2_0_1;

/// A t_noeud of `ROWS` points with every column of the model filled as a generator does: codes, a few NULLs.
fn nodes() -> RawTable {
    let def = Schema::of(V2).table("t_noeud").expect("t_noeud");
    let columns: Vec<String> = def.columns.iter().map(|c| c.name.clone()).collect();
    let mut b = RawTableBuilder::new("t_noeud", "t_noeud.dbf", SourceFormat::Shapefile, columns);
    b.reserve(ROWS, 160);
    for i in 0..ROWS {
        let code = format!("ND{i:012}");
        let name = format!("Chambre n°{i} rue de l'Église");
        let row: [Option<&str>; 21] = [
            Some(&code),
            None,
            Some(&name),
            None,
            Some("DSPE"),
            Some("A002"),
            Some("B001"),
            None,
            Some("RUE DE LA LIBERTE"),
            Some("PT"),
            Some("STOPT"[..(i % 3 + 1)].as_ref()),
            None,
            Some("C"),
            Some("25.00"),
            Some("ORTO"),
            Some("GPS GRAND PUBLIC"),
            Some("2015-05-28 00:00:00"),
            Some("2015-06-01 00:00:00"),
            None,
            (i % 10 == 0).then_some("2016-01-31"),
            None,
        ];
        b.push_row(row);
        let (x, y) = (
            650_000.0 + (i % 1000) as f64 * 3.5,
            6_860_000.0 + (i / 1000) as f64 * 4.25,
        );
        b.push_geometry(Some(Geometry::Point(point!(x: x, y: y))));
    }
    b.finish()
}

/// A t_fibre-like CSV table of `ROWS` rows.
fn fibres() -> RawTable {
    let def = Schema::of(V2).table("t_fibre").expect("t_fibre");
    let columns: Vec<String> = def.columns.iter().map(|c| c.name.clone()).collect();
    let ncols = columns.len();
    let mut b = RawTableBuilder::new("t_fibre", "t_fibre.csv", SourceFormat::Csv, columns);
    b.reserve(ROWS, 120);
    for i in 0..ROWS {
        let code = format!("FO{i:012}");
        let cable = format!("CB{:012}", i / 144);
        let in_cable = (i % 144 + 1).to_string();
        let tube = (i % 144 / 12 + 1).to_string();
        let in_tube = (i % 12 + 1).to_string();
        let mut row: Vec<Option<&str>> = vec![
            Some(&code),
            None,
            Some(&cable),
            Some(&in_cable),
            Some(&tube),
            Some(&in_tube),
            Some("SMF"),
        ];
        row.resize(ncols, None);
        b.push_row(row);
    }
    b.finish()
}

fn bench(c: &mut Criterion) {
    let tables = [nodes(), fibres()];
    let rows: usize = tables.iter().map(RawTable::len).sum();
    let dir = tempfile::tempdir().expect("temp dir");

    let mut group = c.benchmark_group("write 200k points + 200k CSV rows");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows as u64));

    let folder = dir.path().join("folder");
    let options = WriteOptions::default();
    let report = write_delivery(&tables, V2, &folder, &options).expect("folder");
    eprintln!("folder: {} MB", report.bytes as f64 / 1e6);
    group.bench_function("folder", |b| {
        b.iter(|| black_box(write_delivery(&tables, V2, &folder, &options).expect("folder")))
    });

    let zip = dir.path().join("delivery.zip");
    let options = WriteOptions {
        container: Container::Zip,
        ..WriteOptions::default()
    };
    let report = write_delivery(&tables, V2, &zip, &options).expect("zip");
    eprintln!("zip: {} MB", report.bytes as f64 / 1e6);
    group.bench_function("zip", |b| {
        b.iter(|| black_box(write_delivery(&tables, V2, &zip, &options).expect("zip")))
    });

    let gpkg = dir.path().join("delivery.gpkg");
    let report = write_geopackage(&tables, V2, &gpkg).expect("gpkg");
    eprintln!("gpkg: {} MB", report.bytes as f64 / 1e6);
    group.bench_function("geopackage", |b| {
        b.iter(|| black_box(write_geopackage(&tables, V2, &gpkg).expect("gpkg")))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
