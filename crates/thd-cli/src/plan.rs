//! `thd stats`, `thd cost`, `thd rollout`: the planning questions (`thd-plan`) asked of a delivery — how many
//! plugs where, at what cost per plug, how the rollout stands against its plan.
//!
//! Each reads a delivery (a path, or `--stored ID` from the store), decodes the network, places every plug in
//! its zones with the project's phase mapping (`--phases`), then prints a table, JSON or CSV.

use anyhow::Result;
use chrono::NaiveDate;
use clap::ValueEnum;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use thd_network::Network;
use thd_plan::cost::CostTable;
use thd_plan::{
    CostModel, CostRow, Dimension, PhaseCostKind, PhaseMap, PhaseTotals, PlanError, PlugIndex,
    RolloutPlan, ZoneAcceptances, cost_report, rollout_report,
};

use crate::output::{csv_writer, grouped, print_json, stdout};
use crate::store::Db;
use crate::{UnusableInput, inspect, progress};

/// The network to work on and the project's phase mapping.
#[derive(Debug, clap::Args)]
struct Input {
    /// Delivery: folder, .zip or .gpkg.
    #[arg(conflicts_with = "stored")]
    path: Option<PathBuf>,
    /// Use the delivery with this id in the store (see `thd deliveries`) instead of a path.
    #[arg(long, value_name = "ID")]
    stored: Option<i64>,
    #[command(flatten)]
    db: Db,
    /// The project's phase mapping (CSV `scope,code,phase,tranche,contractor,due`, e.g. data/plan/phases.csv):
    /// which phase, tranche and contractor each deployment zone, SRO zone or commune belongs to. Without it no
    /// plug has a phase, tranche or contractor.
    #[arg(long, value_name = "FILE")]
    phases: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned columns for the terminal.
    Table,
    /// One JSON document.
    Json,
    /// `;`-separated, with a header row.
    Csv,
}

/// Dimensions of a breakdown, as `--by` takes them.
#[derive(Debug, Clone)]
struct Dims(Vec<Dimension>);

fn parse_dims(text: &str) -> Result<Dims, String> {
    Dimension::parse_list(text)
        .map(Dims)
        .map_err(|e| e.to_string())
}

/// Plugs, premises and raccordable plugs of a delivery, broken down by zone, commune, phase...
///
/// A plug is an address's dwelling or business (GraceTHD 2.0.1) or a client premise (GraceTHD 3); it finds its
/// PBO, SRO, NRO and deployment zones by the links the contractor declared, else by the zone areas, its commune
/// and department by its INSEE code, and its phase, tranche and contractor from --phases.
#[derive(Debug, clap::Args)]
pub struct StatsArgs {
    #[command(flatten)]
    input: Input,
    /// Breakdown, comma-separated: department, commune, nro, sro, pbo, deployment, phase, tranche, contractor.
    #[arg(long, default_value = "department", value_parser = parse_dims)]
    by: Dims,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Cost per plug of a delivery by phase and department: its bill of quantities priced by the schedule (the
/// works), plus engineering, other investment, connection subsidies and financial charges.
///
/// The prices are an engineering estimate (data/plan/README.md) unless --prices names the works contracts'
/// schedule. With --published FILE, no delivery is read: the per-phase table is computed from published phase
/// totals (the operator's 2019 table, in euros or, as published, in millions of euros).
#[derive(Debug, clap::Args)]
pub struct CostArgs {
    #[command(flatten)]
    input: Input,
    /// Breakdown: phase and/or department, comma-separated (empty for the total alone).
    #[arg(long, default_value = "phase,department", value_parser = parse_dims)]
    by: Dims,
    /// A folder holding prices.csv and phase_costs.csv laid out like data/plan/ (default: those of data/plan/).
    #[arg(long, value_name = "DIR")]
    prices: Option<PathBuf>,
    /// Also list the priced bill of quantities of each phase × department cell.
    #[arg(long)]
    bill: bool,
    /// Compute the per-phase table from phase totals (columns phase, plugs, works, engineering, other
    /// investment, connection subsidies, financial charges, total; `_eur` or `_meur` amounts) instead of a
    /// delivery.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["path", "stored", "phases", "prices", "bill", "by"])]
    published: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The rollout of a delivery against the plan: planned and realised raccordable plugs per year, plugs made
/// raccordable per month, a forecast from the recent pace, and the SRO zones past their due date (from
/// --phases) with what holds them back.
#[derive(Debug, clap::Args)]
pub struct RolloutArgs {
    #[command(flatten)]
    input: Input,
    /// The day of the report (YYYY-MM-DD); today by default.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// The rollout plan (CSV `phase,year,plugs`); default: data/plan/rollout_plan.csv.
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// Complete months before the report's month that the forecast pace is measured over.
    #[arg(long, default_value_t = 6)]
    window: u32,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| format!("{text:?} is not a date YYYY-MM-DD ({e})"))
}

/// A planning data file that cannot be used: exit code 2, with the file, line and hint of the library.
fn unusable(error: PlanError) -> anyhow::Error {
    UnusableInput(error.to_string()).into()
}

/// The decoded network, its plugs placed, and where it came from.
struct Placed {
    origin: String,
    network: Network,
    index: PlugIndex,
}

fn place(input: &Input) -> Result<Placed> {
    let phases = match &input.phases {
        Some(path) => PhaseMap::load(path).map_err(unusable)?,
        None => PhaseMap::default(),
    };
    let (raw, origin) = match (&input.path, input.stored) {
        (Some(path), _) => (inspect::read(path, false)?, path.display().to_string()),
        (None, Some(id)) => (
            crate::store::load(&input.db, id)?,
            format!("livraison n° {id}"),
        ),
        (None, None) => {
            return Err(UnusableInput(
                "aucune livraison : donnez son chemin (dossier, .zip, .gpkg) ou --stored ID"
                    .to_owned(),
            )
            .into());
        }
    };
    let stage = progress::stage("décodage du réseau et placement des prises");
    let decoded = thd_network::decode(&raw).map_err(|e| UnusableInput(e.to_string()))?;
    let index = PlugIndex::build(&decoded.network, &phases, &ZoneAcceptances::new());
    stage.finish_and_clear();
    Ok(Placed {
        origin,
        network: decoded.network,
        index,
    })
}

/// Euros rounded to the euro, grouped.
fn euros(amount: f64) -> String {
    let rounded = amount.round();
    if rounded < 0.0 {
        format!("-{}", grouped((-rounded) as u64))
    } else {
        grouped(rounded as u64)
    }
}

pub fn stats(args: &StatsArgs) -> Result<()> {
    let placed = place(&args.input)?;
    let breakdown = placed.index.group_by(&args.by.0);
    match args.format {
        Format::Json => {
            #[derive(Serialize)]
            struct Report<'a> {
                origin: &'a str,
                #[serde(flatten)]
                breakdown: &'a thd_plan::Breakdown,
            }
            print_json(&Report {
                origin: &placed.origin,
                breakdown: &breakdown,
            })
        }
        Format::Csv => {
            let mut w = csv_writer();
            let mut header: Vec<&str> = breakdown.dimensions.iter().map(|d| d.name()).collect();
            header.extend(["plugs", "premises", "raccordable"]);
            w.write_record(&header)?;
            for row in &breakdown.rows {
                let mut record: Vec<String> = row
                    .key
                    .iter()
                    .map(|k| k.clone().unwrap_or_default())
                    .collect();
                record.extend([
                    row.counts.plugs.to_string(),
                    row.counts.premises.to_string(),
                    row.counts.raccordable.to_string(),
                ]);
                w.write_record(&record)?;
            }
            w.flush()?;
            Ok(())
        }
        Format::Table => {
            let mut out = stdout();
            writeln!(out, "{}", placed.origin)?;
            let width = 16;
            for d in &breakdown.dimensions {
                write!(out, "{:<width$} ", d.name())?;
            }
            writeln!(
                out,
                "{:>10} {:>10} {:>12}",
                "prises", "locaux", "raccordables"
            )?;
            let line = |out: &mut dyn Write, key: &[String], c: &thd_plan::Counts| {
                for k in key {
                    write!(out, "{k:<width$} ")?;
                }
                writeln!(
                    out,
                    "{:>10} {:>10} {:>12}",
                    grouped(c.plugs),
                    grouped(c.premises),
                    grouped(c.raccordable)
                )
            };
            for row in &breakdown.rows {
                let key: Vec<String> = row
                    .key
                    .iter()
                    .map(|k| k.clone().unwrap_or_else(|| "-".to_owned()))
                    .collect();
                line(&mut out, &key, &row.counts)?;
            }
            let mut total = vec![String::new(); breakdown.dimensions.len()];
            if let Some(first) = total.first_mut() {
                *first = "total".to_owned();
            }
            line(&mut out, &total, &breakdown.total)?;
            out.flush()?;
            Ok(())
        }
    }
}

pub fn cost(args: &CostArgs) -> Result<()> {
    if let Some(path) = &args.published {
        let totals = published_totals(path)?;
        let table = PhaseTotals::table(&totals);
        return print_cost(&path.display().to_string(), &table, None, args.format);
    }
    let model = match &args.prices {
        Some(dir) => CostModel::load(dir).map_err(unusable)?,
        None => CostModel::builtin(),
    };
    let placed = place(&args.input)?;
    let stage = progress::stage("métré et chiffrage");
    let report = cost_report(&placed.network, &placed.index, &model);
    stage.finish_and_clear();
    let table = report.by(&args.by.0).map_err(unusable)?;
    print_cost(
        &placed.origin,
        &table,
        Some((&report, args.bill)),
        args.format,
    )
}

/// Phase totals in the project's format (euros, `data/plan/published_cost_2019.csv`) or as the operator
/// publishes them (millions of euros with a `total` row, `bthd_cost_2019.csv`).
fn published_totals(path: &Path) -> Result<Vec<PhaseTotals>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        UnusableInput(format!(
            "{} : lecture impossible ({e}) ; vérifiez le chemin",
            path.display()
        ))
    })?;
    let header = text
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .unwrap_or_default();
    if header.contains("_meur") {
        millions(&text, &path.display().to_string())
    } else {
        PhaseTotals::parse(&text, &path.display().to_string()).map_err(unusable)
    }
}

/// Reads phase totals in millions of euros: columns `phase, plugs, works_meur, engineering_meur,
/// other_investment_meur, connection_subsidies_meur, financial_charges_meur, total_meur`. The overall row
/// (`total`) is left out, after checking its plugs are the sum of the phases': the table recomputes it.
fn millions(text: &str, origin: &str) -> Result<Vec<PhaseTotals>> {
    const COLUMNS: [&str; 8] = [
        "phase",
        "plugs",
        "works_meur",
        "engineering_meur",
        "other_investment_meur",
        "connection_subsidies_meur",
        "financial_charges_meur",
        "total_meur",
    ];
    let bad = |line: u64, what: String| -> anyhow::Error {
        UnusableInput(format!(
            "{origin}, ligne {line} : {what} ; colonnes attendues : {} (montants en millions d'euros, vide = aucun montant)",
            COLUMNS.join(",")
        ))
        .into()
    };
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let mut at = [0usize; 8];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(1, format!("colonne {name} absente")))?;
    }
    let mut phases = Vec::new();
    let mut total_plugs = None;
    for record in reader.records() {
        let record =
            record.map_err(|e| bad(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(at[i]).unwrap_or_default();
        let amount = |i: usize| -> Result<Option<f64>> {
            let text = cell(i);
            if text.is_empty() {
                return Ok(None);
            }
            match text.parse::<f64>() {
                // Whole euros: the published amounts have at most two decimals of millions.
                Ok(m) if m.is_finite() && m >= 0.0 => Ok(Some((m * 1e6).round())),
                _ => Err(bad(
                    line,
                    format!("{}: {text:?} n'est pas un montant", COLUMNS[i]),
                )),
            }
        };
        let plugs: u64 = cell(1).parse().map_err(|_| {
            bad(
                line,
                format!("plugs: {:?} n'est pas un nombre de prises", cell(1)),
            )
        })?;
        if cell(0).eq_ignore_ascii_case("total") {
            total_plugs = Some((line, plugs));
            continue;
        }
        phases.push(PhaseTotals {
            phase: cell(0).to_owned(),
            plugs,
            works_eur: amount(2)?.ok_or_else(|| bad(line, "works_meur vide".to_owned()))?,
            engineering_eur: amount(3)?,
            other_investment_eur: amount(4)?,
            connection_subsidies_eur: amount(5)?,
            financial_charges_eur: amount(6)?,
            published_total_eur: amount(7)?
                .ok_or_else(|| bad(line, "total_meur vide".to_owned()))?,
        });
    }
    if let Some((line, plugs)) = total_plugs {
        let sum: u64 = phases.iter().map(|p| p.plugs).sum();
        if sum != plugs {
            return Err(bad(
                line,
                format!("le total annonce {plugs} prises mais les phases en font {sum}"),
            ));
        }
    }
    Ok(phases)
}

fn print_cost(
    origin: &str,
    table: &CostTable,
    report: Option<(&thd_plan::CostReport, bool)>,
    format: Format,
) -> Result<()> {
    let kinds = PhaseCostKind::ALL;
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Report<'a> {
                origin: &'a str,
                #[serde(flatten)]
                table: &'a CostTable,
                #[serde(skip_serializing_if = "Option::is_none")]
                bills: Option<&'a [thd_plan::cost::CellBill]>,
                #[serde(skip_serializing_if = "Option::is_none")]
                unpriced: Option<&'a std::collections::BTreeMap<String, f64>>,
            }
            print_json(&Report {
                origin,
                table,
                bills: report.filter(|(_, bill)| *bill).map(|(r, _)| &r.bills[..]),
                unpriced: report.map(|(r, _)| &r.unpriced),
            })
        }
        Format::Csv => {
            let mut w = csv_writer();
            w.write_record([
                "phase",
                "department",
                "plugs",
                "works_eur",
                "engineering_eur",
                "other_investment_eur",
                "connection_subsidies_eur",
                "financial_charges_eur",
                "total_eur",
                "per_plug_eur",
            ])?;
            for row in &table.rows {
                let mut record = vec![
                    row.phase.clone().unwrap_or_default(),
                    row.department.clone().unwrap_or_default(),
                    row.plugs.to_string(),
                    format!("{:.2}", row.works_eur),
                ];
                record.extend(kinds.iter().map(|k| {
                    row.phase_costs
                        .get(k)
                        .map_or(String::new(), |a| format!("{a:.2}"))
                }));
                record.push(format!("{:.2}", row.total_eur));
                record.push(
                    row.per_plug_eur
                        .map_or(String::new(), |c| format!("{c:.2}")),
                );
                w.write_record(&record)?;
            }
            w.flush()?;
            Ok(())
        }
        Format::Table => {
            let mut out = stdout();
            writeln!(out, "{origin} — montants en euros hors taxes")?;
            writeln!(
                out,
                "{:<12} {:<5} {:>10} {:>15} {:>13} {:>13} {:>13} {:>13} {:>15} {:>9}",
                "phase",
                "dépt",
                "prises",
                "travaux",
                "ingénierie",
                "autres inv.",
                "subv. racc.",
                "frais fin.",
                "total",
                "€/prise"
            )?;
            let line = |out: &mut dyn Write, label: Option<&str>, row: &CostRow| {
                writeln!(
                    out,
                    "{:<12} {:<5} {:>10} {:>15} {:>13} {:>13} {:>13} {:>13} {:>15} {:>9}",
                    label.or(row.phase.as_deref()).unwrap_or("-"),
                    if label.is_some() {
                        ""
                    } else {
                        row.department.as_deref().unwrap_or("-")
                    },
                    grouped(row.plugs),
                    euros(row.works_eur),
                    row.phase_costs
                        .get(&kinds[0])
                        .map_or("-".to_owned(), |a| euros(*a)),
                    row.phase_costs
                        .get(&kinds[1])
                        .map_or("-".to_owned(), |a| euros(*a)),
                    row.phase_costs
                        .get(&kinds[2])
                        .map_or("-".to_owned(), |a| euros(*a)),
                    row.phase_costs
                        .get(&kinds[3])
                        .map_or("-".to_owned(), |a| euros(*a)),
                    euros(row.total_eur),
                    // Plain digits: the figure people look for (and grep for) in the table.
                    row.per_plug_rounded()
                        .map_or("-".to_owned(), |c| c.to_string())
                )
            };
            for row in &table.rows {
                line(&mut out, None, row)?;
            }
            line(&mut out, Some("total"), &table.total)?;
            if let Some((report, bill)) = report {
                if bill {
                    write_bills(&mut out, report)?;
                }
                if !report.unpriced.is_empty() {
                    writeln!(
                        out,
                        "\nsans prix dans le bordereau (travaux sous-estimés d'autant ; ajoutez ces articles à prices.csv) :"
                    )?;
                    for (item, quantity) in &report.unpriced {
                        writeln!(out, "  {item:<32} {quantity:>12.1}")?;
                    }
                }
            }
            out.flush()?;
            Ok(())
        }
    }
}

fn write_bills(out: &mut dyn Write, report: &thd_plan::CostReport) -> io::Result<()> {
    for bill in &report.bills {
        writeln!(
            out,
            "\nmétré — phase {}, département {}",
            bill.phase.as_deref().unwrap_or("-"),
            bill.department.as_deref().unwrap_or("-")
        )?;
        writeln!(
            out,
            "  {:<32} {:>12} {:<2} {:<28} {:>10} {:>14}",
            "article", "quantité", "", "prix de", "prix unit.", "montant"
        )?;
        for l in &bill.lines {
            writeln!(
                out,
                "  {:<32} {:>12.1} {:<2} {:<28} {:>10} {:>14}",
                l.item,
                l.quantity,
                l.unit.symbol(),
                l.priced_as.as_deref().unwrap_or("(sans prix)"),
                l.unit_price_eur
                    .map_or("-".to_owned(), |p| format!("{p:.2}")),
                euros(l.amount_eur)
            )?;
        }
        if bill.missing_lengths > 0 {
            writeln!(
                out,
                "  {} objet(s) sans longueur, non métré(s)",
                bill.missing_lengths
            )?;
        }
    }
    Ok(())
}

/// Today's date (UTC).
fn today() -> NaiveDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    i32::try_from(days)
        .ok()
        .and_then(NaiveDate::from_epoch_days)
        .unwrap_or(NaiveDate::MAX)
}

fn month(m: thd_plan::rollout::Month) -> String {
    format!("{}-{:02}", m.year, m.month)
}

pub fn rollout(args: &RolloutArgs) -> Result<()> {
    let plan = match &args.plan {
        Some(path) => RolloutPlan::load(path).map_err(unusable)?,
        None => RolloutPlan::builtin(),
    };
    let placed = place(&args.input)?;
    let as_of = args.as_of.unwrap_or_else(today);
    let report = rollout_report(&placed.index, &plan, as_of, args.window);
    match args.format {
        Format::Json => print_json(&report),
        Format::Csv => {
            let mut w = csv_writer();
            w.write_record([
                "phase",
                "year",
                "planned",
                "planned_cumulative",
                "realised",
                "realised_cumulative",
            ])?;
            for y in &report.years {
                w.write_record([
                    y.phase.clone().unwrap_or_default(),
                    y.year.to_string(),
                    y.planned.to_string(),
                    y.planned_cumulative.to_string(),
                    y.realised.to_string(),
                    y.realised_cumulative.to_string(),
                ])?;
            }
            w.flush()?;
            Ok(())
        }
        Format::Table => {
            let mut out = stdout();
            let share = if report.target > 0 {
                100.0 * report.raccordable as f64 / report.target as f64
            } else {
                0.0
            };
            writeln!(
                out,
                "{} — au {} : {} prises raccordables sur {} ({share:.1} %), dont {} sans date connue",
                placed.origin,
                report.as_of,
                grouped(report.raccordable),
                grouped(report.target),
                grouped(report.undated)
            )?;
            writeln!(
                out,
                "\n{:<12} {:>6} {:>10} {:>12} {:>10} {:>12}",
                "phase", "année", "prévu", "prévu cumulé", "réalisé", "réal. cumulé"
            )?;
            for y in &report.years {
                writeln!(
                    out,
                    "{:<12} {:>6} {:>10} {:>12} {:>10} {:>12}",
                    y.phase.as_deref().unwrap_or("toutes"),
                    y.year,
                    grouped(y.planned),
                    grouped(y.planned_cumulative),
                    grouped(y.realised),
                    grouped(y.realised_cumulative)
                )?;
            }
            if !report.months.is_empty() {
                writeln!(
                    out,
                    "\n{:<8} {:>12} {:>10}",
                    "mois", "raccordables", "cumul"
                )?;
                let skip = report.months.len().saturating_sub(12);
                for m in report.months.iter().skip(skip) {
                    writeln!(
                        out,
                        "{:<8} {:>12} {:>10}",
                        month(m.month),
                        grouped(m.raccordable),
                        grouped(m.cumulative)
                    )?;
                }
            }
            let f = &report.forecast;
            writeln!(
                out,
                "\nprévision : {:.1} prises par mois sur les {} derniers mois complets, {} restantes, achèvement {}",
                f.pace_per_month,
                f.window_months,
                grouped(f.remaining),
                f.completion
                    .map_or("inconnu (rien n'a avancé sur la période)".to_owned(), month)
            )?;
            if !report.late_zones.is_empty() {
                writeln!(out, "\nzones SRO en retard :")?;
                for z in &report.late_zones {
                    let reasons: Vec<String> = z.reasons.iter().map(|r| r.explain()).collect();
                    writeln!(
                        out,
                        "  {} ({}) due le {} : {}/{} prises raccordables — {}",
                        z.sro,
                        z.phase.as_deref().unwrap_or("-"),
                        z.due,
                        grouped(z.raccordable),
                        grouped(z.plugs),
                        reasons.join(" ; ")
                    )?;
                }
            }
            out.flush()?;
            Ok(())
        }
    }
}
