//! `thd import`, `deliveries`, `show`, `diff`: the store of deliveries, from the command line.
//!
//! The store's API is async (sqlx); each command builds a small current-thread runtime, since a command does one
//! thing and then exits.

use anyhow::{Context, Result};
use clap::ValueEnum;
use serde::Serialize;
use std::path::PathBuf;
use thd_diag::Severity;
use thd_store::{ImportMeta, Store};

use crate::{UnusableInput, inspect, progress};

/// Where the store is: `--db`, else `$THD_DB`, else `thd.gpkg` in the user's data folder.
#[derive(Debug, clap::Args)]
pub struct Db {
    /// The store: a SQLite file path (a GeoPackage QGIS opens), a sqlite:// URL, or a postgres:// URL of a
    /// PostGIS database shared by a team. Default: $THD_DB, else $XDG_DATA_HOME/thd/thd.gpkg
    /// (~/.local/share/thd/thd.gpkg).
    #[arg(long, global = true)]
    db: Option<String>,
}

impl Db {
    /// The store named by `--db` or `$THD_DB`, if either is given (commands that can work without a store).
    pub(crate) fn given(&self) -> Option<String> {
        self.db.clone().or_else(|| std::env::var("THD_DB").ok())
    }

    pub(crate) fn location(&self) -> Result<String> {
        if let Some(db) = self.given() {
            return Ok(db);
        }
        let base = std::env::var_os("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share"))
            })
            .context("no --db given and neither XDG_DATA_HOME nor HOME is set: pass --db PATH")?;
        let dir = base.join("thd");
        std::fs::create_dir_all(&dir).with_context(|| format!("création de {}", dir.display()))?;
        Ok(dir.join("thd.gpkg").to_string_lossy().into_owned())
    }

    pub(crate) fn open(&self, runtime: &tokio::runtime::Runtime) -> Result<Store> {
        let location = self.location()?;
        runtime
            .block_on(Store::open(&location))
            .with_context(|| format!("ouverture du magasin {location}"))
    }
}

/// Loads delivery `id` from the store, as it was imported.
pub(crate) fn load(db: &Db, id: i64) -> Result<thd_model::RawDelivery> {
    let runtime = runtime()?;
    let store = db.open(&runtime)?;
    let stage = progress::stage(format!("chargement de la livraison n° {id}"));
    let raw = runtime.block_on(store.load(id))?;
    stage.finish_and_clear();
    runtime.block_on(store.close());
    Ok(raw)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn print_json(value: &impl Serialize) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Store a delivery, with its diagnostics, in one transaction.
///
/// The delivery is read and checked as `thd inspect` does, then kept whole: every row of every table, the hashes
/// of its files, its version and phase, and every diagnostic. If anything fails, the store is left exactly as it
/// was. Importing the same files again changes nothing and says which delivery they are.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Delivery to import: folder, .zip or .gpkg.
    path: PathBuf,
    #[command(flatten)]
    db: Db,
    /// The contractor who delivered it.
    #[arg(long)]
    contractor: Option<String>,
    /// The zone it covers; a new delivery of a zone is linked to the previous one.
    #[arg(long)]
    zone: Option<String>,
    /// A free label (`APD lot 3`, `DOE v2`...).
    #[arg(long)]
    label: Option<String>,
    /// When it was received (YYYY-MM-DD).
    #[arg(long, value_parser = parse_day)]
    received: Option<String>,
    /// The phase to check it at (PRE … MCO); by default the most frequent `*_statut` of its objects.
    #[arg(long)]
    phase: Option<thd_check::Phase>,
    /// Operator configuration of the checks (TOML, see docs/checks.md).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

fn parse_day(text: &str) -> Result<String, String> {
    thd_network::values::parse_date(text)
        .map(|day| day.to_string())
        .ok_or_else(|| format!("{text:?} is not a date (YYYY-MM-DD)"))
}

pub fn import(args: &ImportArgs) -> Result<()> {
    let config = match &args.config {
        Some(path) => thd_check::Config::load(path)?,
        None => thd_check::Config::default(),
    };
    let raw = inspect::read(&args.path, true)?;
    if raw.version.is_none() {
        return Err(UnusableInput(format!(
            "{}: no GraceTHD version recognised (2.0.1 or 3), nothing to import",
            args.path.display()
        ))
        .into());
    }
    // The delivery is kept with every defect `thd check` finds: its values, the catalogue at its phase and the
    // graph, so `thd show` and the API report them without checking again.
    let stage = progress::stage("contrôles");
    let inspection = thd_check::inspect(
        &raw,
        &thd_check::CheckOptions {
            phase: args.phase,
            config: &config,
        },
    )
    .map_err(|e| UnusableInput(e.to_string()))?;
    let (sro_zones, pbo_zones) = thd_sync::zone_codes(&inspection.network);
    let checks = inspection.diagnostics;
    stage.finish_and_clear();
    let errors = raw
        .diagnostics
        .iter()
        .chain(&checks)
        .filter(|d| d.severity >= Severity::Error)
        .count();
    let meta = ImportMeta {
        contractor: args.contractor.clone(),
        zone: args.zone.clone(),
        label: args.label.clone(),
        received_at: args.received.clone(),
        checks,
    };
    let runtime = runtime()?;
    let store = args.db.open(&runtime)?;
    let stage = progress::stage(format!("import de {} lignes", raw.rows()));
    let outcome = runtime.block_on(store.import(&raw, &meta))?;
    stage.finish_and_clear();
    // The delivery and its SRO and PBO zones enter the delegatee's acceptance workflow, received (again: nothing).
    runtime.block_on(async {
        let sync = thd_sync::SyncStore::open(&args.db.location()?).await?;
        let actor = thd_sync::Actor {
            organisation: "thd import".to_owned(),
            token_id: std::env::var("USER").unwrap_or_else(|_| "-".to_owned()),
        };
        sync.register_delivery(
            outcome.delivery_id,
            &sro_zones,
            &pbo_zones,
            chrono::Utc::now(),
            &actor,
        )
        .await?;
        sync.close().await;
        anyhow::Ok(())
    })?;
    runtime.block_on(store.close());
    if outcome.already_present {
        println!(
            "{} : déjà dans le magasin (livraison n° {}), rien n'a changé",
            args.path.display(),
            outcome.delivery_id
        );
    } else {
        println!(
            "{} : livraison n° {} importée, {} lignes, {errors} erreurs ou défauts bloquants",
            args.path.display(),
            outcome.delivery_id,
            outcome.rows
        );
    }
    Ok(())
}

/// List the deliveries in the store, oldest first.
#[derive(Debug, clap::Args)]
pub struct DeliveriesArgs {
    #[command(flatten)]
    db: Db,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn deliveries(args: &DeliveriesArgs) -> Result<()> {
    let runtime = runtime()?;
    let store = args.db.open(&runtime)?;
    let list = runtime.block_on(store.deliveries())?;
    runtime.block_on(store.close());
    if let Format::Json = args.format {
        return print_json(&list);
    }
    println!(
        "{:>4} {:<20} {:<6} {:<6} {:<16} {:<14} {:>10} {:>6}  origine",
        "n°", "importée", "modèle", "phase", "zone", "entreprise", "lignes", "préc."
    );
    for d in &list {
        println!(
            "{:>4} {:<20} {:<6} {:<6} {:<16} {:<14} {:>10} {:>6}  {}",
            d.id,
            d.imported_at.get(..19).unwrap_or(&d.imported_at),
            d.version.as_str(),
            d.phase.as_deref().unwrap_or("-"),
            d.zone.as_deref().unwrap_or("-"),
            d.contractor.as_deref().unwrap_or("-"),
            d.rows,
            d.previous_id.map_or("-".to_owned(), |id| id.to_string()),
            d.origin
        );
    }
    Ok(())
}

/// Show one delivery: rows per table, files and diagnostics.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Delivery number (see `thd deliveries`).
    id: i64,
    #[command(flatten)]
    db: Db,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

pub fn show(args: &ShowArgs) -> Result<()> {
    let runtime = runtime()?;
    let store = args.db.open(&runtime)?;
    let detail = runtime.block_on(store.delivery(args.id))?;
    runtime.block_on(store.close());
    if let Format::Json = args.format {
        return print_json(&detail);
    }
    let s = &detail.summary;
    println!(
        "livraison n° {} — {} — GraceTHD {} — phase {} — {} fichiers, {} lignes",
        s.id,
        s.origin,
        s.version.as_str(),
        s.phase.as_deref().unwrap_or("-"),
        detail.files.len(),
        s.rows
    );
    println!();
    for (table, rows) in &detail.tables {
        println!("{table:<24} {rows:>10}");
    }
    println!();
    println!("diagnostics : {}", detail.diagnostics.total);
    for (rule, count) in &detail.diagnostics.by_rule {
        println!("  {rule:<36} {count:>8}");
    }
    Ok(())
}

/// Compare two deliveries: objects added, removed and changed, table by table.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The older delivery.
    old: i64,
    /// The newer delivery.
    new: i64,
    #[command(flatten)]
    db: Db,
    /// Geometries that moved by at most this many metres count as unchanged.
    #[arg(long, default_value_t = 0.5)]
    tolerance: f64,
    /// table: counts and the first changes; json: every change; geojson: the added, removed and changed objects
    /// as WGS84 features (their geometry, the change, the attributes that changed), for a map.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    format: DiffFormat,
    /// Changed objects listed per table (table format).
    #[arg(long, default_value_t = 10)]
    show: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiffFormat {
    Table,
    Json,
    Geojson,
}

pub fn diff(args: &DiffArgs) -> Result<()> {
    let runtime = runtime()?;
    let store = args.db.open(&runtime)?;
    let diff = runtime.block_on(store.diff(args.old, args.new, args.tolerance))?;
    if let DiffFormat::Geojson = args.format {
        let old = runtime.block_on(store.load(args.old))?;
        let new = runtime.block_on(store.load(args.new))?;
        runtime.block_on(store.close());
        return crate::diff_geojson::write(&diff, &old, &new, std::io::stdout().lock());
    }
    runtime.block_on(store.close());
    if let DiffFormat::Json = args.format {
        return print_json(&diff);
    }
    if diff.is_empty() {
        println!(
            "aucune différence entre les livraisons {} et {}",
            args.old, args.new
        );
        return Ok(());
    }
    println!(
        "{:<24} {:>9} {:>9} {:>9}",
        "table", "ajoutés", "retirés", "modifiés"
    );
    for table in &diff.tables {
        println!(
            "{:<24} {:>9} {:>9} {:>9}",
            table.table,
            table.added.len(),
            table.removed.len(),
            table.changed.len()
        );
    }
    for table in &diff.tables {
        for change in table.changed.iter().take(args.show) {
            let attributes: Vec<String> = change
                .attributes
                .iter()
                .map(|a| {
                    format!(
                        "{} {} → {}",
                        a.column,
                        a.old.as_deref().unwrap_or("∅"),
                        a.new.as_deref().unwrap_or("∅")
                    )
                })
                .collect();
            let geometry = change
                .geometry
                .map(|g| format!(" géométrie {g:?}"))
                .unwrap_or_default();
            println!(
                "  {} {} : {}{geometry}",
                table.table,
                change.key,
                attributes.join(", ")
            );
        }
    }
    Ok(())
}
