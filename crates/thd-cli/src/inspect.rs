//! `thd inspect`: what a delivery holds and what is wrong with its files, without storing anything.

use anyhow::Result;
use clap::ValueEnum;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;
use thd_diag::{Diagnostic, Severity};
use thd_model::RawDelivery;
use thd_read::{ReadOptions, ReadProgress};

use crate::UnusableInput;
use crate::progress;

/// Read a delivery and report its version, object counts and defects.
///
/// PATH is a folder of shapefiles and CSV files (subfolders included), a .zip of one, or a GeoPackage. Every
/// defect is reported with its rule, table, object code, file, row and column; the exit code is 0 whatever
/// the defects, and 2 only when PATH cannot be read as a delivery at all.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Delivery to read: folder, .zip or .gpkg.
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Number of individual diagnostics listed after the summary (table format; JSON lists them all).
    #[arg(long, default_value_t = 20)]
    show: usize,
    /// Only list diagnostics at or above this severity (info, warning, error, critical).
    #[arg(long, default_value = "info")]
    min_severity: Severity,
    /// Language of the messages.
    #[arg(long, value_enum, default_value_t = Lang::Fr)]
    lang: Lang,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Human-readable tables.
    Table,
    /// One JSON document on standard output.
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Lang {
    Fr,
    En,
}

/// What `inspect` reports, as serialized with `--format json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    origin: &'a str,
    version: &'a str,
    files: usize,
    bytes: u64,
    /// Wall-clock seconds spent reading the files, then validating and decoding the network.
    read_seconds: f64,
    decode_seconds: f64,
    /// Rows per delivered table.
    tables: BTreeMap<&'a str, usize>,
    /// Objects per kind of the decoded network.
    objects: BTreeMap<&'static str, usize>,
    plugs: u64,
    severities: BTreeMap<&'static str, usize>,
    rules: Vec<RuleCount>,
    diagnostics: Vec<&'a Diagnostic>,
}

/// How many diagnostics of one rule one table has.
#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct RuleCount {
    severity: Severity,
    rule: String,
    table: String,
    count: usize,
}

pub fn run(args: &Args) -> Result<()> {
    let start = Instant::now();
    let raw = read(&args.path, false)?;
    let read_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let stage = progress::stage("décodage du réseau");
    let decoded = thd_network::decode(&raw).map_err(|e| UnusableInput(e.to_string()))?;
    stage.finish_and_clear();
    let decode_seconds = start.elapsed().as_secs_f64();

    let diagnostics: Vec<&Diagnostic> = raw
        .diagnostics
        .iter()
        .chain(&decoded.diagnostics)
        .filter(|d| d.severity >= args.min_severity)
        .collect();
    let report = Report {
        origin: &raw.origin,
        version: decoded.network.version.as_str(),
        files: raw.files.len(),
        bytes: raw.files.iter().map(|f| f.size).sum(),
        read_seconds,
        decode_seconds,
        tables: raw
            .tables
            .iter()
            .map(|(name, t)| (name.as_str(), t.len()))
            .collect(),
        objects: decoded.network.counts(),
        plugs: decoded.network.plugs(),
        severities: Severity::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str(),
                    diagnostics.iter().filter(|d| d.severity == *s).count(),
                )
            })
            .collect(),
        rules: rule_counts(&diagnostics),
        diagnostics,
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let written = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &report)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        Format::Table => print_table(&report, args, &mut out),
    }
    .and_then(|()| out.flush());
    match written {
        // The reader of our output went away (`thd inspect ... | head`): nothing more to say to it.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Reads the delivery with a progress bar over the bytes of its files; with `fingerprints`, each file's SHA-256
/// too (what the store needs to recognise a re-delivery, and only the store).
pub fn read(path: &std::path::Path, fingerprints: bool) -> Result<RawDelivery> {
    let bar = progress::bytes("lecture");
    let on_progress = |event: ReadProgress| match event {
        ReadProgress::Started { bytes, .. } => bar.set_length(bytes),
        ReadProgress::FileRead { bytes, .. } => bar.inc(bytes),
    };
    let options = ReadOptions {
        progress: Some(&on_progress),
        skip_fingerprints: !fingerprints,
        ..ReadOptions::default()
    };
    let raw =
        thd_read::read_delivery_with(path, &options).map_err(|e| UnusableInput(e.to_string()))?;
    bar.finish_and_clear();
    Ok(raw)
}

fn rule_counts(diagnostics: &[&Diagnostic]) -> Vec<RuleCount> {
    let mut counts: BTreeMap<(Severity, &str, &str), usize> = BTreeMap::new();
    for d in diagnostics {
        *counts
            .entry((d.severity, &d.rule, d.table.as_deref().unwrap_or("-")))
            .or_default() += 1;
    }
    let mut rules: Vec<RuleCount> = counts
        .into_iter()
        .map(|((severity, rule, table), count)| RuleCount {
            severity,
            rule: rule.to_owned(),
            table: table.to_owned(),
            count,
        })
        .collect();
    // Worst first, then most frequent.
    rules.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.count.cmp(&a.count))
            .then(a.cmp(b))
    });
    rules
}

fn print_table(report: &Report<'_>, args: &Args, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "{} — GraceTHD {} — {} fichiers, {:.1} Mo, lus en {:.2} s, décodés en {:.2} s",
        report.origin,
        report.version,
        report.files,
        report.bytes as f64 / 1e6,
        report.read_seconds,
        report.decode_seconds
    )?;
    writeln!(out)?;
    writeln!(out, "{:<24} {:>10}", "table", "lignes")?;
    for (table, rows) in &report.tables {
        writeln!(out, "{table:<24} {rows:>10}")?;
    }
    writeln!(out)?;
    writeln!(out, "{:<24} {:>10}", "objets du réseau", "nombre")?;
    for (kind, count) in report.objects.iter().filter(|(_, n)| **n > 0) {
        writeln!(out, "{kind:<24} {count:>10}")?;
    }
    writeln!(out, "{:<24} {:>10}", "prises (adresses)", report.plugs)?;
    writeln!(out)?;
    let summary: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| format!("{} {}", report.severities[s.as_str()], s.label_fr()))
        .collect();
    writeln!(out, "diagnostics : {}", summary.join(", "))?;
    if report.rules.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:<13} {:<32} {:<18} {:>8}",
        "sévérité", "règle", "table", "nombre"
    )?;
    for r in &report.rules {
        writeln!(
            out,
            "{:<13} {:<32} {:<18} {:>8}",
            r.severity.label_fr(),
            r.rule,
            r.table,
            r.count
        )?;
    }
    let shown = report.diagnostics.len().min(args.show);
    if shown == 0 {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "{shown} premiers diagnostics sur {} :",
        report.diagnostics.len()
    )?;
    let mut worst: Vec<&&Diagnostic> = report.diagnostics.iter().collect();
    worst.sort_by_key(|d| std::cmp::Reverse(d.severity));
    for d in worst.into_iter().take(shown) {
        let (message, hint) = match args.lang {
            Lang::Fr => (&d.message_fr, d.hint.as_deref()),
            Lang::En => (&d.message_en, None),
        };
        writeln!(out, "  {}: {message}", d.heading())?;
        if let Some(hint) = hint {
            writeln!(out, "      → {hint}")?;
        }
    }
    Ok(())
}
