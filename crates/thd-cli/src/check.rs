//! `thd check`: every defect of a delivery — its files, its values, the control catalogue at its phase and the
//! network as a graph — as a terminal summary or a JSON, CSV, GeoJSON or HTML report.

use anyhow::{Context, Result};
use clap::ValueEnum;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;
use thd_check::report::{self, Report, Summary};
use thd_check::{CheckOptions, Config, Phase, check};
use thd_diag::{Diagnostic, Severity};

use crate::store::Db;
use crate::{UnusableInput, inspect, progress};

/// Check a delivery against the GraceTHD control catalogue and as a network graph.
///
/// Reads PATH (a folder, a .zip or a .gpkg) — or, with --stored ID, a delivery kept in the store — and runs every
/// control: the files and values (types, lists, keys, references, geometries), the reference checker's filling
/// grid at the delivery's phase, its alphanumeric, geometry and business controls, and the graph controls (path
/// and cable ends snapped to nodes, cable routes, PBO → SRO → NRO connectivity, zones, ducts). The exit code is 0
/// when no defect reaches the blocking severity (error, unless the configuration says otherwise), 3 when some
/// do, 2 when the input cannot be read at all.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Delivery to check: folder, .zip or .gpkg.
    #[arg(required_unless_present = "stored", conflicts_with = "stored")]
    path: Option<PathBuf>,
    /// Check the delivery with this id in the store (see `thd deliveries`) instead of a path.
    #[arg(long, value_name = "ID")]
    stored: Option<i64>,
    #[command(flatten)]
    db: Db,
    /// The delivery's phase (PRE, DIA, AVP, PRO, ACT, EXE, TVX, REC, MCO); by default the most frequent
    /// `*_statut` of its objects.
    #[arg(long)]
    phase: Option<Phase>,
    /// Operator configuration (TOML): controls enabled, severities, thresholds. See `docs/checks.md`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Defects listed after the summary (text format; the other formats list them all).
    #[arg(long, default_value_t = 20)]
    show: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// A summary for the terminal.
    Text,
    /// The whole report as JSON.
    Json,
    /// One line per defect (`;`-separated, Lambert-93 coordinates).
    Csv,
    /// The located defects as points in WGS84, for any web map or QGIS.
    Geojson,
    /// A self-contained web page: summary, worst objects, map, every defect.
    Html,
}

/// Blocking defects were found (exit code 3).
#[derive(Debug, thiserror::Error)]
#[error("{0} défaut(s) bloquant(s) : la livraison ne peut pas être réceptionnée en l'état")]
pub struct Blocking(pub usize);

pub fn run(args: &Args) -> Result<()> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let (raw, origin) = match (&args.path, args.stored) {
        (Some(path), _) => (inspect::read(path, false)?, path.display().to_string()),
        (None, Some(id)) => (
            crate::store::load(&args.db, id)?,
            format!("livraison n° {id}"),
        ),
        (None, None) => unreachable!("clap requires PATH or --stored"),
    };
    let start = Instant::now();
    let stage = progress::stage("décodage et contrôles");
    let decoded = thd_network::decode(&raw).map_err(|e| UnusableInput(e.to_string()))?;
    let decode_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let checked = check(
        &raw,
        &decoded.network,
        &CheckOptions {
            phase: args.phase,
            config: &config,
        },
    );
    stage.finish_and_clear();
    let seconds = Timing {
        decode: decode_seconds,
        check: start.elapsed().as_secs_f64(),
    };

    let mut diagnostics: Vec<Diagnostic> = raw
        .diagnostics
        .iter()
        .chain(&decoded.diagnostics)
        .cloned()
        .collect();
    config.apply(&mut diagnostics);
    diagnostics.extend(checked.diagnostics);
    let summary = Summary::of(&diagnostics, config.blocking);
    let blocking = summary.blocking;
    let report = Report {
        origin: &origin,
        version: decoded.network.version.as_str(),
        phase: checked.phase,
        phase_source: &checked.phase_source,
        blocking_severity: config.blocking,
        summary,
        components: &checked.components,
        diagnostics: &diagnostics,
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("création de {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    match args.format {
        Format::Text => write_text(&report, args.show, seconds, &mut out)?,
        Format::Json => report::write_json(&report, &mut out)?,
        Format::Csv => report::write_csv(&diagnostics, &mut out)?,
        Format::Geojson => report::write_geojson(
            &diagnostics,
            |[x, y]| {
                thd_geo::wgs84::lambert93_to_wgs84(geo_types::coord! { x: x, y: y })
                    .ok()
                    .map(|c| [c.x, c.y])
            },
            &mut out,
        )?,
        Format::Html => report::write_html(&report, &mut out)?,
    }
    out.flush()?;
    drop(out);
    if let Some(path) = &args.out {
        eprintln!("rapport écrit dans {}", path.display());
    }
    if blocking > 0 {
        return Err(Blocking(blocking).into());
    }
    Ok(())
}

/// Wall-clock seconds of the two stages after reading.
#[derive(Debug, Clone, Copy)]
struct Timing {
    decode: f64,
    check: f64,
}

fn write_text(
    report: &Report<'_>,
    show: usize,
    seconds: Timing,
    out: &mut impl Write,
) -> Result<()> {
    let s = &report.summary;
    writeln!(
        out,
        "{} — GraceTHD {}, phase {} ({}) — décodée en {:.2} s, contrôlée en {:.2} s",
        report.origin,
        report.version,
        report.phase,
        match report.phase_source {
            thd_check::PhaseSource::Given => "donnée".to_owned(),
            thd_check::PhaseSource::Detected { votes, of } =>
                format!("détectée sur {votes} objets sur {of}"),
            thd_check::PhaseSource::Default => "par défaut".to_owned(),
        },
        seconds.decode,
        seconds.check
    )?;
    writeln!(
        out,
        "{} défaut(s) : {} bloquant(s), {} erreur(s), {} avertissement(s), {} information(s) ; {} au-dessus du seuil bloquant ({})",
        s.total,
        s.severities.critical,
        s.severities.error,
        s.severities.warning,
        s.severities.info,
        s.blocking,
        report.blocking_severity.label_fr()
    )?;
    if !s.by_category.is_empty() {
        writeln!(
            out,
            "\n{:<12} {:>9} {:>8} {:>8} {:>8}",
            "catégorie", "bloquant", "erreur", "avert.", "info"
        )?;
        for (category, c) in &s.by_category {
            writeln!(
                out,
                "{:<12} {:>9} {:>8} {:>8} {:>8}",
                format!("{category:?}").to_lowercase(),
                c.critical,
                c.error,
                c.warning,
                c.info
            )?;
        }
        writeln!(out, "\n{:>7}  {:<12} contrôle", "nombre", "gravité")?;
        for r in s.by_rule.iter().take(30) {
            writeln!(
                out,
                "{:>7}  {:<12} {} — {}",
                r.count,
                r.severity.label_fr(),
                r.rule,
                first_line(&r.message_fr)
            )?;
        }
        if s.by_rule.len() > 30 {
            writeln!(
                out,
                "… et {} autres contrôles (--format json pour tout)",
                s.by_rule.len() - 30
            )?;
        }
    }
    if report.components.count > 0 {
        writeln!(
            out,
            "\nréseau : {} partie(s) connexe(s) de câbles, {} sans NRO",
            report.components.count,
            report.components.cut_off.len()
        )?;
    }
    let mut listed: Vec<&Diagnostic> = report.diagnostics.iter().collect();
    listed.sort_by_key(|d| std::cmp::Reverse(d.severity));
    if show > 0 && !listed.is_empty() {
        writeln!(out)?;
        for d in listed.iter().take(show) {
            writeln!(out, "{d}")?;
        }
        if listed.len() > show {
            writeln!(
                out,
                "… {} autres (--show N, ou --format html/json/csv)",
                listed.len() - show
            )?;
        }
    }
    let worst = listed.first().map_or(Severity::Info, |d| d.severity);
    if worst >= report.blocking_severity {
        writeln!(out, "\nverdict : à corriger avant réception")?;
    } else {
        writeln!(out, "\nverdict : recevable")?;
    }
    Ok(())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}
