//! `thd services`: the operator's catalogue of shared digital services (`thd-services`) from the command line:
//! the services, their usage over the years with its growth, what an EPCI pays, the public bodies, what a commune
//! can use, and CSV import and export of the bodies, subscriptions and usage figures.
//!
//! Without a store (no `--db`, no `$THD_DB`) the commands read the catalogue shipped with the engine
//! (`data/services/`). With one they read and write its `svc_*` tables; a store without them gets the shipped
//! catalogue on first use.

use anyhow::{Context, Result};
use clap::{Subcommand, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use thd_services::{
    BodyKind, Catalogue, Counts, ServicesError, ServicesStore, UsageSeries, export_bodies,
    export_subscriptions, export_usage,
};

use crate::UnusableInput;
use crate::output::{csv_writer, grouped, print_json, stdout};
use crate::store::{Db, runtime};

/// The digital-services catalogue: services, usage, contributions, public bodies, subscriptions.
///
/// Reads the catalogue shipped with the engine, or with --db (or $THD_DB) the one kept in the store, which
/// `thd services import` fills from the operator's CSV files (`;`-separated, UTF-8, header row; see
/// `data/services/` for the columns).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    db: Db,
}

#[derive(Debug, Subcommand)]
enum Command {
    List(ListArgs),
    Usage(UsageArgs),
    Contribution(ContributionArgs),
    Bodies(BodiesArgs),
    Commune(CommuneArgs),
    Import(ImportArgs),
    Export(ExportArgs),
}

/// Output of the commands that give a table of figures.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    /// Aligned columns for the terminal.
    Table,
    /// One JSON document.
    Json,
    /// `;`-separated, with a header row.
    Csv,
}

/// Output of the commands that describe a few objects.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ViewFormat {
    /// Text for the terminal.
    Table,
    /// One JSON document.
    Json,
}

/// The services of the catalogue, with how many bodies subscribe to each, and how many rows the catalogue holds.
#[derive(Debug, clap::Args)]
struct ListArgs {
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The usage indicators year by year, each year with its growth over the previous one (×4.2 = 4.2 times the
/// previous year's figure), computed from the figures.
#[derive(Debug, clap::Args)]
struct UsageArgs {
    /// Only the indicators of this service (its id, see `thd services list`); all indicators by default.
    service: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// The flat annual contribution to the bundle of an EPCI, from its population's size band.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["population", "epci"])))]
struct ContributionArgs {
    /// Population of the EPCI (inhabitants).
    #[arg(long)]
    population: Option<u64>,
    /// Id of an EPCI of the catalogue (see `thd services bodies --kind epci`): its population decides.
    #[arg(long)]
    epci: Option<String>,
    /// Year of the tariff (the 2016 amounts apply to 2016 only).
    #[arg(long)]
    year: u16,
    #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
    format: ViewFormat,
}

/// The public bodies of the catalogue (region, departments, EPCI, communes, others).
#[derive(Debug, clap::Args)]
struct BodiesArgs {
    /// Only bodies of this kind: region, department, epci, commune, other.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<BodyKind>,
    #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
    format: ViewFormat,
}

fn parse_kind(text: &str) -> Result<BodyKind, String> {
    BodyKind::parse(text)
        .ok_or_else(|| format!("{text:?}: use region, department, epci, commune or other"))
}

/// The services a commune can use: those it subscribes to and those of its EPCI, whose flat contribution
/// covers all its communes.
#[derive(Debug, clap::Args)]
struct CommuneArgs {
    /// INSEE code of the commune (five characters, e.g. 22278).
    insee: String,
    #[arg(long, value_enum, default_value_t = ViewFormat::Table)]
    format: ViewFormat,
}

/// Add the rows of a CSV file to the store, all or none.
///
/// The file is checked in full against the catalogue the store holds (and against itself); every bad row is
/// reported with its file, line and column, and then nothing is stored (exit code 2). Rows whose key is
/// already stored are reported as duplicates.
#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// What the file holds.
    #[arg(value_enum)]
    what: Table,
    /// The CSV file (`;`-separated, UTF-8, header row).
    file: PathBuf,
}

/// Write the bodies, subscriptions or usage figures as CSV, in the columns `thd services import` reads back.
#[derive(Debug, clap::Args)]
struct ExportArgs {
    #[arg(value_enum)]
    what: Table,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// The tables an operator imports and exports.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Table {
    /// Public bodies: id;kind;name;insee;siren;epci;population;sample.
    Bodies,
    /// Who subscribes to what: body;service;since.
    Subscriptions,
    /// Usage figures: indicator;year;value.
    Usage,
}

pub fn run(args: &Args) -> Result<()> {
    match &args.command {
        Command::List(a) => list(&read(&args.db)?, a),
        Command::Usage(a) => usage(&read(&args.db)?, a),
        Command::Contribution(a) => contribution(&read(&args.db)?, a),
        Command::Bodies(a) => bodies(&read(&args.db)?, a),
        Command::Commune(a) => commune(&read(&args.db)?, a),
        Command::Import(a) => import(&args.db, a),
        Command::Export(a) => export(&read(&args.db)?.catalogue, a),
    }
}

/// A catalogue and where it was read.
struct Source {
    catalogue: Catalogue,
    origin: String,
}

fn read(db: &Db) -> Result<Source> {
    match db.given() {
        None => Ok(Source {
            catalogue: Catalogue::shipped()?,
            origin: "catalogue livré (data/services)".to_owned(),
        }),
        Some(location) => {
            let runtime = runtime()?;
            let store = runtime.block_on(open(&location))?;
            let catalogue = runtime.block_on(store.catalogue())?;
            runtime.block_on(store.close());
            Ok(Source {
                catalogue,
                origin: format!("magasin {location}"),
            })
        }
    }
}

/// Opens the catalogue's tables in the store at `location` (a SQLite file or a PostgreSQL URL, as the delivery
/// store takes it), creating the file and seeding the shipped catalogue when the store has no services yet.
async fn open(location: &str) -> Result<ServicesStore> {
    // The delivery store first: it refuses a non-empty SQLite file without its own schema, so it must be the
    // one to create the file (and it refuses URLs it does not know).
    let deliveries = thd_store::Store::open(location)
        .await
        .with_context(|| format!("ouverture du magasin {location}"))?;
    deliveries.close().await;
    let store = ServicesStore::open(location)
        .await
        .with_context(|| format!("ouverture du catalogue des services de {location}"))?;
    if let Some(added) = store.seed_shipped_if_empty().await? {
        eprintln!(
            "{location} : catalogue livré installé ({} services, {} organismes, {} abonnements, {} chiffres d'usage)",
            added.services, added.bodies, added.subscriptions, added.usage
        );
    }
    Ok(store)
}

fn counts(catalogue: &Catalogue) -> Counts {
    Counts {
        services: catalogue.services().count() as u64,
        indicators: catalogue.indicators().count() as u64,
        funding_bands: catalogue.funding_bands().len() as u64,
        bodies: catalogue.bodies().count() as u64,
        subscriptions: catalogue.subscriptions().len() as u64,
        usage: catalogue.usage_figures().len() as u64,
    }
}

fn list(source: &Source, args: &ListArgs) -> Result<()> {
    let cat = &source.catalogue;
    let subscribers = |id: &str| cat.service_bodies(id).map_or(0, |b| b.len());
    match args.format {
        Format::Json => {
            #[derive(Serialize)]
            struct Listed<'a> {
                #[serde(flatten)]
                service: &'a thd_services::Service,
                subscribers: usize,
            }
            #[derive(Serialize)]
            struct Report<'a> {
                origin: &'a str,
                counts: Counts,
                services: Vec<Listed<'a>>,
            }
            print_json(&Report {
                origin: &source.origin,
                counts: counts(cat),
                services: cat
                    .services()
                    .map(|service| Listed {
                        service,
                        subscribers: subscribers(service.id.as_str()),
                    })
                    .collect(),
            })
        }
        Format::Csv => {
            let mut w = csv_writer();
            w.write_record([
                "id",
                "name",
                "name_fr",
                "category",
                "offer",
                "since",
                "subscribers",
            ])?;
            for s in cat.services() {
                w.write_record([
                    s.id.as_str(),
                    &s.name,
                    &s.name_fr,
                    s.category.as_str(),
                    s.offer.as_str(),
                    &s.since.map(|y| y.to_string()).unwrap_or_default(),
                    &subscribers(s.id.as_str()).to_string(),
                ])?;
            }
            w.flush()?;
            Ok(())
        }
        Format::Table => {
            let mut out = stdout();
            writeln!(
                out,
                "{:<22} {:<18} {:<12} {:>6} {:>9}  nom",
                "service", "catégorie", "offre", "depuis", "abonnés"
            )?;
            for s in cat.services() {
                writeln!(
                    out,
                    "{:<22} {:<18} {:<12} {:>6} {:>9}  {}",
                    s.id.as_str(),
                    s.category.as_str(),
                    s.offer.as_str(),
                    s.since.map_or("-".to_owned(), |y| y.to_string()),
                    subscribers(s.id.as_str()),
                    s.name_fr
                )?;
            }
            let c = counts(cat);
            writeln!(
                out,
                "\n{} : {} services, {} indicateurs, {} tranches de contribution, {} organismes, {} abonnements, {} chiffres d'usage",
                source.origin,
                c.services,
                c.indicators,
                c.funding_bands,
                c.bodies,
                c.subscriptions,
                c.usage
            )?;
            out.flush()?;
            Ok(())
        }
    }
}

fn usage(source: &Source, args: &UsageArgs) -> Result<()> {
    let cat = &source.catalogue;
    let series: Vec<UsageSeries<'_>> = match &args.service {
        Some(service) => cat.service_usage(service).map_err(|e| unknown(e, cat))?,
        None => cat.usage(),
    };
    match args.format {
        Format::Json => print_json(&series),
        Format::Csv => {
            let mut w = csv_writer();
            w.write_record(["indicator", "year", "value", "growth"])?;
            for s in &series {
                for p in &s.points {
                    w.write_record([
                        s.indicator.id.as_str(),
                        &p.year.to_string(),
                        &p.value.to_string(),
                        &p.growth.map(|g| g.ratio.to_string()).unwrap_or_default(),
                    ])?;
                }
            }
            w.flush()?;
            Ok(())
        }
        Format::Table => {
            let mut out = stdout();
            for s in series.iter().filter(|s| !s.points.is_empty()) {
                writeln!(out, "{} ({})", s.indicator.label_fr, s.indicator.label_en)?;
                for p in &s.points {
                    let growth = p
                        .growth
                        .map(|g| format!("{g} ({:+.1} %)", g.percent()))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "  {:<30} {} {:>12}  {growth}",
                        s.indicator.id.as_str(),
                        p.year,
                        grouped(p.value)
                    )?;
                }
            }
            if series.iter().all(|s| s.points.is_empty()) {
                writeln!(out, "aucun chiffre d'usage ({})", source.origin)?;
            }
            out.flush()?;
            Ok(())
        }
    }
}

/// An unknown id, with where to find the known ones.
fn unknown(error: ServicesError, cat: &Catalogue) -> anyhow::Error {
    match error {
        ServicesError::UnknownService(_) => {
            let known: Vec<&str> = cat.services().map(|s| s.id.as_str()).collect();
            anyhow::anyhow!("{error} ; services connus : {}", known.join(", "))
        }
        ServicesError::UnknownBody(_) | ServicesError::NotAnEpci(_) => {
            anyhow::anyhow!("{error} ; voir `thd services bodies --kind epci`")
        }
        ServicesError::UnknownCommune(_) => {
            anyhow::anyhow!("{error} ; voir `thd services bodies --kind commune`")
        }
        other => other.into(),
    }
}

fn contribution(source: &Source, args: &ContributionArgs) -> Result<()> {
    let cat = &source.catalogue;
    let (contribution, who) = match (&args.epci, args.population) {
        (Some(epci), _) => (
            cat.epci_contribution(epci, args.year)
                .map_err(|e| unknown(e, cat))?,
            cat.body(epci).map_or(epci.clone(), |b| b.name.clone()),
        ),
        (None, Some(population)) => (
            cat.contribution(population, args.year)?,
            "un EPCI".to_owned(),
        ),
        (None, None) => unreachable!("clap requires --population or --epci"),
    };
    if let ViewFormat::Json = args.format {
        return print_json(&contribution);
    }
    let band = contribution.band;
    let range = match band.max_population {
        Some(max) => format!(
            "{} à {} habitants",
            grouped(band.min_population),
            grouped(max)
        ),
        None => format!("{} habitants et plus", grouped(band.min_population)),
    };
    println!(
        "{who} de {} habitants paie {} € par an en {} : tranche « {} » ({range}), montant {}",
        grouped(contribution.population),
        grouped(contribution.annual_eur),
        contribution.year,
        band.label,
        if band.published {
            "publié"
        } else {
            "supposé (non publié, voir data/services/README.md)"
        }
    );
    Ok(())
}

fn bodies(source: &Source, args: &BodiesArgs) -> Result<()> {
    let cat = &source.catalogue;
    let listed: Vec<&thd_services::Body> = cat
        .bodies()
        .filter(|b| args.kind.is_none_or(|k| b.kind == k))
        .collect();
    if let ViewFormat::Json = args.format {
        return print_json(&listed);
    }
    let mut out = stdout();
    writeln!(
        out,
        "{:<34} {:<10} {:<6} {:<10} {:>10} {:>9}  nom",
        "organisme", "type", "INSEE", "SIREN", "population", "services"
    )?;
    for b in &listed {
        writeln!(
            out,
            "{:<34} {:<10} {:<6} {:<10} {:>10} {:>9}  {}{}",
            b.id.as_str(),
            b.kind.as_str(),
            b.insee.as_deref().unwrap_or("-"),
            b.siren.as_ref().map_or("-", |s| s.as_str()),
            b.population.map_or("-".to_owned(), grouped),
            cat.body_services(b.id.as_str()).map_or(0, |s| s.len()),
            b.name,
            if b.sample { " (exemple)" } else { "" }
        )?;
    }
    writeln!(out, "\n{} organismes ({})", listed.len(), source.origin)?;
    out.flush()?;
    Ok(())
}

fn commune(source: &Source, args: &CommuneArgs) -> Result<()> {
    let cat = &source.catalogue;
    let used = cat
        .commune_services(&args.insee)
        .map_err(|e| unknown(e, cat))?;
    if let ViewFormat::Json = args.format {
        return print_json(&used);
    }
    let name = cat.commune(&args.insee).map_or("", |b| b.name.as_str());
    let mut out = stdout();
    writeln!(
        out,
        "{name} ({}) : {} service(s) utilisable(s)",
        args.insee,
        used.len()
    )?;
    for u in &used {
        let through: Vec<&str> = u.through.iter().map(|b| b.name.as_str()).collect();
        writeln!(
            out,
            "  {:<22} {}  — par {}",
            u.service.id.as_str(),
            u.service.name_fr,
            through.join(", ")
        )?;
    }
    out.flush()?;
    Ok(())
}

fn import(db: &Db, args: &ImportArgs) -> Result<()> {
    let bytes = std::fs::read(&args.file).map_err(|e| {
        UnusableInput(format!(
            "{} : lecture impossible ({e}) ; vérifiez le chemin",
            args.file.display()
        ))
    })?;
    let file = args.file.display().to_string();
    let location = db.location()?;
    let runtime = runtime()?;
    let store = runtime.block_on(open(&location))?;
    let imported = runtime.block_on(async {
        match args.what {
            Table::Bodies => store.import_bodies(&bytes, &file).await,
            Table::Subscriptions => store.import_subscriptions(&bytes, &file).await,
            Table::Usage => store.import_usage(&bytes, &file).await,
        }
    });
    let after = runtime.block_on(store.counts());
    runtime.block_on(store.close());
    let imported = match imported {
        Ok(n) => n,
        Err(ServicesError::InvalidCsv(invalid)) => {
            return Err(UnusableInput(invalid.to_string()).into());
        }
        Err(other) => return Err(other.into()),
    };
    let after = after?;
    let (what, total) = match args.what {
        Table::Bodies => ("organismes", after.bodies),
        Table::Subscriptions => ("abonnements", after.subscriptions),
        Table::Usage => ("chiffres d'usage", after.usage),
    };
    println!("{file} : {imported} {what} importés dans {location} ({total} en tout)");
    Ok(())
}

fn export(catalogue: &Catalogue, args: &ExportArgs) -> Result<()> {
    let text = match args.what {
        Table::Bodies => export_bodies(catalogue),
        Table::Subscriptions => export_subscriptions(catalogue),
        Table::Usage => export_usage(catalogue),
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("écriture de {}", path.display()))?;
            eprintln!(
                "{} lignes écrites dans {}",
                text.lines().count().saturating_sub(1),
                path.display()
            );
        }
        None => {
            let mut out = stdout();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}
