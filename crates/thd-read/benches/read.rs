//! Reading throughput: the official demo delivery as delivered, and the same delivery scaled up 200 times
//! (every CSV body, DBF record and shape repeated) so that per-file costs no longer dominate.
//!
//! `cargo bench -p thd-read --bench read`. Skipped, with a note, when `../shared` is not beside the project.
//! Row counts are printed so that rows per second can be read off the times.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::fs;
use std::path::Path;
use std::time::Duration;

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/samples/gracethd-demo-v2.0.1"
);

/// Times each file of the demo is repeated in the scaled-up delivery.
const SCALE: usize = 200;

fn bench(c: &mut Criterion) {
    let demo = Path::new(DEMO);
    if !demo.is_dir() {
        eprintln!("note: {DEMO} is absent, benchmark skipped");
        return;
    }
    let scaled = tempfile::tempdir().expect("tempdir");
    scale_delivery(demo, scaled.path(), SCALE);
    for (name, path) in [("demo", demo), ("demo_x200", scaled.path())] {
        let delivery = thd_read::read_delivery(path).expect("delivery reads");
        let bytes: u64 = delivery.files.iter().map(|f| f.size).sum();
        eprintln!(
            "{name}: {} rows, {} files, {:.2} MB",
            delivery.rows(),
            delivery.files.len(),
            bytes as f64 / 1e6
        );
        let mut group = c.benchmark_group("read");
        group.throughput(Throughput::Bytes(bytes));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(10));
        group.bench_function(name, |b| {
            b.iter(|| thd_read::read_delivery(path).expect("delivery reads"))
        });
        group.finish();
    }
}

/// Writes `from` into `to` with every table's rows repeated `times` times.
fn scale_delivery(from: &Path, to: &Path, times: usize) {
    for entry in fs::read_dir(from).expect("demo folder") {
        let path = entry.expect("entry").path();
        let bytes = fs::read(&path).expect("read");
        let name = path.file_name().expect("name").to_owned();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let scaled = match ext.as_str() {
            "csv" => scale_csv(&bytes, times),
            "dbf" => scale_dbf(&bytes, times),
            "shp" => scale_shp(&bytes, times).0,
            "shx" => {
                let shp = fs::read(path.with_extension("shp")).expect("shp beside shx");
                scale_shp(&shp, times).1
            }
            _ => bytes,
        };
        fs::write(to.join(name), scaled).expect("write");
    }
}

fn scale_csv(bytes: &[u8], times: usize) -> Vec<u8> {
    let split = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    let (header, body) = bytes.split_at(split);
    let mut out = header.to_vec();
    for _ in 0..times {
        out.extend_from_slice(body);
    }
    out
}

fn scale_dbf(bytes: &[u8], times: usize) -> Vec<u8> {
    let count = u32::from_le_bytes(bytes[4..8].try_into().expect("count")) as usize;
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let record_len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
    let records = &bytes[header_len..header_len + count * record_len];
    let mut out = bytes[..header_len].to_vec();
    out[4..8].copy_from_slice(&((count * times) as u32).to_le_bytes());
    for _ in 0..times {
        out.extend_from_slice(records);
    }
    out.push(0x1A);
    out
}

/// The `.shp` with its records repeated, and the matching `.shx`.
fn scale_shp(bytes: &[u8], times: usize) -> (Vec<u8>, Vec<u8>) {
    let mut records = Vec::new();
    let mut at = 100;
    while at + 8 <= bytes.len() {
        let words = i32::from_be_bytes(bytes[at + 4..at + 8].try_into().expect("len")) as usize;
        let end = at + 8 + words * 2;
        records.push(&bytes[at + 8..end]);
        at = end;
    }
    let mut shp = bytes[..100].to_vec();
    let mut shx = bytes[..100].to_vec();
    let mut number = 0i32;
    for _ in 0..times {
        for content in &records {
            number += 1;
            let words = (content.len() / 2) as i32;
            shx.extend_from_slice(&((shp.len() / 2) as i32).to_be_bytes());
            shx.extend_from_slice(&words.to_be_bytes());
            shp.extend_from_slice(&number.to_be_bytes());
            shp.extend_from_slice(&words.to_be_bytes());
            shp.extend_from_slice(content);
        }
    }
    let (shp_words, shx_words) = ((shp.len() / 2) as i32, (shx.len() / 2) as i32);
    shp[24..28].copy_from_slice(&shp_words.to_be_bytes());
    shx[24..28].copy_from_slice(&shx_words.to_be_bytes());
    (shp, shx)
}

criterion_group!(benches, bench);
criterion_main!(benches);
