//! `thd`: the command line of the FTTH rollout engine.
//!
//! Each subcommand lives in its own module; this file only parses arguments and maps failures to exit codes.
//! Exit codes: 0 when the work was done (a delivery full of defects is still a delivery that was read), 2 when
//! the input is unusable (missing path, unreadable archive, nothing GraceTHD in it), 3 when `thd check` found
//! blocking defects, 1 for any other failure.

mod check;
mod diff_geojson;
mod export;
mod generate;
mod inspect;
mod ipe;
mod output;
mod plan;
mod progress;
mod serve;
mod services;
mod store;
mod token;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// GraceTHD FTTH deliveries: read, check, plan, report.
///
/// Point `thd inspect` at a contractor's delivery (a folder, a .zip or a .gpkg) to see what it holds and every
/// defect of its files; `thd check` runs the whole control catalogue and the graph controls on it and writes a
/// report (text, JSON, CSV, GeoJSON, HTML); `thd import` keeps it in the store (a SQLite/GeoPackage file), `thd deliveries`, `thd show`
/// and `thd diff` look at what the store holds, `thd export` writes a stored delivery back out (GeoPackage,
/// GeoJSON, shapefiles + CSV); `thd stats`, `thd cost` and `thd rollout` count plugs, cost them and follow the
/// rollout against its plan; `thd services` answers about the operator's digital-services catalogue;
/// `thd serve` answers all of it over HTTP (API at /api/openapi.json); `thd generate` writes a synthetic
/// delivery to try the tool on.
#[derive(Debug, Parser)]
#[command(name = "thd", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Inspect(inspect::Args),
    Check(check::Args),
    Generate(generate::Args),
    Import(store::ImportArgs),
    Deliveries(store::DeliveriesArgs),
    Show(store::ShowArgs),
    Diff(store::DiffArgs),
    Export(export::Args),
    Stats(plan::StatsArgs),
    Cost(plan::CostArgs),
    Rollout(plan::RolloutArgs),
    Ipe(ipe::Args),
    Services(services::Args),
    Serve(serve::Args),
    Token(token::Args),
}

/// A failure that means the input cannot be used at all (exit code 2), as opposed to a failure of the tool.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UnusableInput(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Import(args) => store::import(&args),
        Command::Deliveries(args) => store::deliveries(&args),
        Command::Show(args) => store::show(&args),
        Command::Diff(args) => store::diff(&args),
        Command::Export(args) => export::run(&args),
        Command::Stats(args) => plan::stats(&args),
        Command::Cost(args) => plan::cost(&args),
        Command::Rollout(args) => plan::rollout(&args),
        Command::Ipe(args) => ipe::run(&args),
        Command::Services(args) => services::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Token(args) => token::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`thd ... | head`): nothing more to say to it.
        Err(error) if output::is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("erreur : {error:#}");
            if error.downcast_ref::<UnusableInput>().is_some() {
                ExitCode::from(2)
            } else if error.downcast_ref::<check::Blocking>().is_some() {
                ExitCode::from(3)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
