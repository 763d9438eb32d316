//! `thd serve`: the HTTP API over the store, for dashboards, engineers' uploads and the delegatee's sync.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::ValueEnum;
use thd_plan::{CostModel, PhaseMap, RolloutPlan};
use thd_server::{App, Planning, Settings};
use tracing_subscriber::EnvFilter;

use crate::UnusableInput;
use crate::store::Db;

/// Serve the store over HTTP: deliveries, diagnostics, map layers, plugs, cost and rollout, uploads.
///
/// The API is described at /api/openapi.json. Logs go to stderr, one line per request with its x-request-id
/// (RUST_LOG=debug for more, --log-format json for a log collector). Ctrl-C or SIGTERM stops the server once
/// the requests in flight are answered.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    db: Db,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// The project's phase mapping (CSV, see data/plan/phases.csv); without it no plug has a phase.
    #[arg(long, value_name = "FILE")]
    phases: Option<PathBuf>,
    /// A folder holding prices.csv and phase_costs.csv (default: the built-in schedule of data/plan/).
    #[arg(long, value_name = "DIR")]
    prices: Option<PathBuf>,
    /// The rollout plan (CSV `phase,year,plugs`; default: data/plan/rollout_plan.csv, built in).
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// Operator configuration of the checks run on uploads (TOML, see docs/checks.md).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The largest upload accepted, in megabytes.
    #[arg(long, default_value_t = 512, value_name = "MB")]
    upload_limit: u64,
    /// Deliveries kept decoded in memory for the map and the figures.
    #[arg(long, default_value_t = 8)]
    cache: usize,
    /// Answer read requests without a token (a public dashboard); uploads and syncs still need one.
    #[arg(long)]
    public: bool,
    /// Load the newest delivery into memory at start-up, beside the listener, so the dashboard's first visitor
    /// does not wait for it. Off by default: a delivery too large for the machine's memory would then take the
    /// whole server down at start, acceptance sync included.
    #[arg(long)]
    preload: bool,
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

pub fn run(args: &Args) -> Result<()> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match args.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    let unusable = |e: thd_plan::PlanError| anyhow::Error::from(UnusableInput(e.to_string()));
    let planning = Planning {
        phases: match &args.phases {
            Some(path) => PhaseMap::load(path).map_err(unusable)?,
            None => PhaseMap::default(),
        },
        costs: match &args.prices {
            Some(dir) => CostModel::load(dir).map_err(unusable)?,
            None => CostModel::builtin(),
        },
        plan: match &args.plan {
            Some(path) => RolloutPlan::load(path).map_err(unusable)?,
            None => RolloutPlan::builtin(),
        },
    };
    let settings = Settings {
        upload_limit: args.upload_limit * 1024 * 1024,
        cached_deliveries: args.cache,
        checks: match &args.config {
            Some(path) => thd_check::Config::load(path)?,
            None => thd_check::Config::default(),
        },
        planning,
        public_read: args.public,
        ..Settings::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let location = args.db.location()?;
    runtime.block_on(async {
        let app = App::open(&location, settings)
            .await
            .with_context(|| format!("ouverture du magasin {location}"))?;
        eprintln!("thd serve : http://{} (magasin {location})", args.addr);
        if args.preload {
            let warming = app.clone();
            tokio::spawn(async move {
                match warming.warm().await {
                    Ok(Some((id, took))) => eprintln!(
                        "thd serve : livraison {id} chargée en mémoire en {:.1} s",
                        took.as_secs_f64()
                    ),
                    Ok(None) => {}
                    // Not fatal: the first request for the delivery tries again and answers the error.
                    Err(e) => eprintln!(
                        "thd serve : préchargement de la dernière livraison impossible : {}",
                        e.message
                    ),
                }
            });
        }
        thd_server::serve(app.clone(), args.addr)
            .await
            .with_context(|| format!("écoute sur {}", args.addr))?;
        app.store().clone().close().await;
        Ok(())
    })
}
