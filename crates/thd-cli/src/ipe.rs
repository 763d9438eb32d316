//! `thd ipe`: the IPE file (Interop'Fibre « informations préalables enrichies ») of a delivery, the file the
//! network operator publishes to commercial operators, one line per address (`docs/ipe.md`).
//!
//! The delivery is read as `thd stats` reads it (a path, or `--stored ID` from the store) and its plugs placed
//! with the project's phase mapping, whose due dates are the forecast cabling dates of the addresses not yet
//! deployed. Until the delegatee's acceptance states are synchronised through the API, a zone counts as taken
//! into operation when its delivery holds its as-built records (REC, MCO), without a day.

use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use thd_plan::{PhaseMap, PlugIndex, ZoneAcceptances, ipe_rows, write_ipe};

use crate::output::stdout;
use crate::store::Db;
use crate::{UnusableInput, inspect, progress};

/// Write the IPE file of a delivery for commercial operators: one `;`-separated line per address with its
/// identifiers, INSEE code, Lambert-93 coordinates, dwellings, EtatImmeuble, PM reference and state, and dates
/// of cabling and commercial opening.
///
/// An address the delivery marks deployed (DE) is published DEPLOYE only when it is raccordable: its PBO built
/// and its SRO zone taken into operation; otherwise EN COURS DE DEPLOIEMENT.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Delivery: folder, .zip or .gpkg.
    #[arg(conflicts_with = "stored")]
    path: Option<PathBuf>,
    /// Use the delivery with this id in the store (see `thd deliveries`) instead of a path.
    #[arg(long, value_name = "ID")]
    stored: Option<i64>,
    #[command(flatten)]
    db: Db,
    /// The project's phase mapping (CSV `scope,code,phase,tranche,contractor,due`, e.g. data/plan/phases.csv):
    /// the due date of an address's phase is its forecast cabling date until it is deployed.
    #[arg(long, value_name = "FILE")]
    phases: Option<PathBuf>,
    /// Write the file here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    let phases = match &args.phases {
        Some(path) => PhaseMap::load(path).map_err(|e| UnusableInput(e.to_string()))?,
        None => PhaseMap::default(),
    };
    let raw = match (&args.path, args.stored) {
        (Some(path), _) => inspect::read(path, false)?,
        (None, Some(id)) => crate::store::load(&args.db, id)?,
        (None, None) => {
            return Err(UnusableInput(
                "aucune livraison : donnez son chemin (dossier, .zip, .gpkg) ou --stored ID"
                    .to_owned(),
            )
            .into());
        }
    };
    let stage = progress::stage("décodage du réseau et état des adresses");
    let decoded = thd_network::decode(&raw).map_err(|e| UnusableInput(e.to_string()))?;
    let index = PlugIndex::build(&decoded.network, &phases, &ZoneAcceptances::new());
    let rows = ipe_rows(&decoded.network, &index);
    stage.finish_and_clear();
    match &args.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("création de {}", path.display()))?;
            let mut out = BufWriter::new(file);
            write_ipe(&rows, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("écriture de {}", path.display()))?;
            eprintln!("{} : {} adresses", path.display(), rows.len());
        }
        None => {
            let mut out = stdout();
            write_ipe(&rows, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use std::path::Path;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn run_with(args: &[&str]) -> Result<()> {
        run(&Cli::try_parse_from(std::iter::once("ipe").chain(args.iter().copied()))?.args)
    }

    fn data(path: &str) -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data")
            .join(path)
            .to_string_lossy()
            .into_owned()
    }

    /// The committed sample's manifest says how many addresses its generator wrote.
    fn sample_addresses() -> usize {
        let text = std::fs::read_to_string(data("sample-v2.0.1.manifest.json")).unwrap();
        let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
        manifest["counts"]["t_adresse"].as_u64().unwrap() as usize
    }

    #[test]
    fn the_sample_gives_one_line_per_address_from_a_path_and_from_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let from_path = dir.path().join("path.csv");
        let phases = data("plan/phases.csv");
        run_with(&[
            &data("sample-v2.0.1"),
            "--phases",
            &phases,
            "--out",
            from_path.to_str().unwrap(),
        ])
        .unwrap();
        let text = std::fs::read_to_string(&from_path).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(';').collect();
        assert_eq!(header, thd_plan::ipe_columns().collect::<Vec<_>>());
        let rows: Vec<&str> = lines.collect();
        assert_eq!(rows.len(), sample_addresses());
        assert!(rows.iter().all(|l| l.split(';').count() == header.len()));

        // The same delivery imported into a store gives the same file.
        let db = dir.path().join("thd.gpkg");
        let db = db.to_str().unwrap();
        let raw = thd_read::read_delivery(Path::new(&data("sample-v2.0.1"))).unwrap();
        let runtime = crate::store::runtime().unwrap();
        let id = runtime.block_on(async {
            let store = thd_store::Store::open(db).await.unwrap();
            let outcome = store
                .import(&raw, &thd_store::ImportMeta::default())
                .await
                .unwrap();
            store.close().await;
            outcome.delivery_id
        });
        let from_store = dir.path().join("store.csv");
        run_with(&[
            "--stored",
            &id.to_string(),
            "--db",
            db,
            "--phases",
            &phases,
            "--out",
            from_store.to_str().unwrap(),
        ])
        .unwrap();
        assert_eq!(std::fs::read_to_string(&from_store).unwrap(), text);
    }

    #[test]
    fn without_a_delivery_the_input_is_unusable() {
        let error = run_with(&[]).unwrap_err();
        assert!(error.downcast_ref::<UnusableInput>().is_some(), "{error}");
        let error =
            run_with(&[&data("sample-v2.0.1"), "--phases", "/nonexistent.csv"]).unwrap_err();
        assert!(error.downcast_ref::<UnusableInput>().is_some(), "{error}");
    }
}
