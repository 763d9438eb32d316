//! Rows per table and per plug of a generated delivery, and the time it took: the figures of the crate doc.
//!
//! `cargo run --release -p thd-generate --example stats -- [plugs] [seed] [2.0.1|3]`
//! (defaults: 100 000 plugs, seed 42, v2.0.1, department 35).

use std::time::Instant;
use thd_generate::{GenerateOptions, generate};
use thd_model::GraceVersion;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let plugs: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let seed: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(42);
    let version = match args.get(2).map(String::as_str) {
        Some("3") => GraceVersion::V3,
        _ => GraceVersion::V2_0_1,
    };
    let options = GenerateOptions {
        fibres: true,
        plugs,
        seed,
        version,
        defects: 0,
        department: Some("35".to_owned()),
    };
    let start = Instant::now();
    let generated = match generate(&options) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("generation failed: {e}");
            std::process::exit(1);
        }
    };
    let elapsed = start.elapsed().as_secs_f64();
    let rows: usize = generated.tables.iter().map(|t| t.len()).sum();
    println!(
        "{version}, {plugs} plugs, seed {seed}: {} communes, {rows} rows in {elapsed:.2} s ({:.0} rows/s)",
        generated.manifest.communes.len(),
        rows as f64 / elapsed
    );
    for (table, n) in generated.manifest.counts.iter().filter(|(_, n)| **n > 0) {
        println!(
            "  {table:<16} {n:>9}  {:>7.3} per plug",
            *n as f64 / f64::from(plugs)
        );
    }
    if let Some(ebp) = generated.table("t_ebp")
        && let Some(c) = ebp.column_index("bp_typelog")
    {
        let pbos = (0..ebp.len())
            .filter(|&r| ebp.cell(r, c) == Some("PBO"))
            .count();
        println!(
            "  plugs per PBO    {:.2}",
            f64::from(plugs) / pbos.max(1) as f64
        );
    }
}
