//! Deterministic synthetic GraceTHD deliveries of any size, with defects injected at known places.
//!
//! [`generate`] lays out a plausible FTTH network over real Breton communes and returns it as the raw tables a
//! contractor's delivery would hold (every table of the model, every column in model order, cells as text,
//! geometries in Lambert-93), with a [`Manifest`] of what was written and of each defect placed on purpose. The
//! same options always give byte-identical tables: tests, benchmarks and demos of the reader, the checks and the
//! planning run on deliveries of any size without shipping any.
//!
//! # How the network is laid out, and why
//! - **Communes.** Plugs are spread over about one commune per 4 000 plugs, taken from `data/communes/bretagne.csv`
//!   (77 real communes of departments 22, 29, 35, 56): the requested department's communes nearest to a seeded
//!   start first. One NRO per commune: rural NRO zones of a Breton RIP serve a few thousand lines, and
//!   commune-sized zones keep NRO ⊃ SRO ⊃ PBO nesting trivial and communes independent (generated in parallel).
//! - **Streets.** Each commune is a square street lattice (45–65 m between junctions) rotated by a random angle
//!   around the commune centre. A street is aerial (15–55 % of streets, on Orange or Enedis poles) or underground
//!   (Orange's rented ducts, or ducts the operator builds).
//! - **SRO zones** of 300–700 plugs (an SRO/PM cabinet serves a few hundred lines): a trunk street from the
//!   cabinet, branch streets each side of it lined with premises: 86 % houses (1 plug), 6 % small buildings (3–8),
//!   5 % shops (1 business plug), 3 % house + office. 2–4 premises per side per block, some lots empty.
//! - **PBOs** serve consecutive premises of a branch, 6–12 plugs (a PBO has 6 to 12 ports in rural designs), from
//!   the lattice node in the middle of their group; their zone (`t_zpbo`) is the strip of street they serve.
//! - **Cables** are sections between boxes, as deliveries describe them: transport NRO → SRO (one fibre per 8 plugs,
//!   at least 24); distribution SRO → BPE at each branch street → PBO → PBO, each section sized to the plugs
//!   downstream and rounded up to a standard capacity (12 … 720). Cables follow the street paths; their line is
//!   the concatenation of those paths; they sit in one duct of each path.
//! - **Phases** are drawn per SRO zone (45 % REC, 25 % EXE, 8 % TVX, 12 % PRO, 10 % AVP), and with them progress,
//!   condition, dates, address states (DE/EC/SI/CI) and, in deployed zones, about 30 % of plugs subscribed (a PTO).
//!   Civil works and nodes take the most advanced phase of what they carry.
//!
//! Resulting ratios, measured on 100 000 plugs (seed 42, department 35: 25 communes) with
//! `cargo run --release -p thd-generate --example stats`: 1.30 plugs per address,
//! 8.5 plugs per PBO, 480 plugs per SRO zone, 0.22 nodes and 0.22 paths per plug, 0.14 cable sections per plug
//! and, with [`GenerateOptions::fibres`], 10 fibres per plug (the sections leaving an SRO are large) — 1.4 million
//! rows with fibres. `cargo bench -p
//! thd-generate` measured 2.3 s for them (600 000 rows/s) on the 2-core machine shared with other builds, 3.1 s
//! under heavier load; 10 000 plugs take 0.25 s. The tests hold these ratios within ranges.
//!
//! # Versions
//! The network is laid out once ([`GenerateOptions::version`] does not change it) and written by one emitter per
//! version. v2.0.1 writes ducts (`t_conduite`, `t_cond_chem`, `t_cab_cond`), sites with a technical room
//! (`t_sitetech`, `t_ltech`), one `t_suf` per plug and PBO zones (`t_zpbo`). v3 writes cables directly in paths
//! (`t_cab_chem`), network and client sites (`t_site`), one premise per plug (`t_local`), reception points
//! (`t_pointaccueil`) under chambers and poles and trenches (`t_tranchee`) along the operator's own civil works,
//! `l_bool` booleans and multi-geometries; it has no PBO zone table. Tables the generator does not fill (racks,
//! cassettes, splices, documents, surveyed points) are present and empty.
//!
//! A clean v2.0.1 delivery fills every attribute the reference checker's filling grid requires at each object's
//! phase (each commune is an organisation too, as the manager of the roads the network runs under), except what
//! only real data has: postal codes, repetition indices and La Poste street keys of addresses, nodes of end-user
//! sites (no drop cables are drawn), SIRENs of the fictitious operator, delegatee and manufacturers.
//!
//! # Defects
//! With `defects = n`, the generator alters n distinct rows of the clean delivery, spread over the decoder's rules
//! (list value, integer, date, duplicate key, dangling reference, missing geometry, missing key), and records each
//! in the manifest. Places are chosen so that a defect raises exactly its own diagnostic: keys are only emptied or
//! duplicated on objects nothing references.

mod calendar;
mod catalog;
pub mod communes;
mod complete;
mod defects;
mod emit;
mod emit_v2;
mod emit_v3;
mod error;
mod manifest;
mod net;
mod streets;
mod table;
mod vocab;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::BTreeMap;
use thd_model::{GraceVersion, RawTable, Schema};

pub use error::GenerateError;
pub use manifest::{InjectedDefect, Manifest};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Plugs (premises) in the delivery: the sum of `ad_nbprhab + ad_nbprpro`.
    pub plugs: u32,
    pub seed: u64,
    pub version: GraceVersion,
    /// Number of defects to inject; 0 gives a clean delivery.
    pub defects: u32,
    /// `"22"`, `"29"`, `"35"` or `"56"`; `None` lets the seed choose.
    pub department: Option<String>,
    /// Write the fibre-level table `t_fibre` (one row per fibre of every cable section, about ten per plug: two
    /// thirds of all rows). When false the table is present and empty, as in deliveries that stop at cables.
    pub fibres: bool,
}

/// A generated delivery: its tables, in model order, and its manifest.
#[derive(Debug, Clone)]
pub struct Generated {
    pub version: GraceVersion,
    pub tables: Vec<RawTable>,
    pub manifest: Manifest,
}

impl Generated {
    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&RawTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// An independent random stream of the run: one per commune, one for the choices of the run itself, so a
/// commune's network does not depend on how many others are generated or on thread scheduling.
fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Generates a delivery.
pub fn generate(options: &GenerateOptions) -> Result<Generated, GenerateError> {
    if options.plugs == 0 {
        return Err(GenerateError::NoPlugs);
    }
    let version = options.version;
    let mut rng = stream(options.seed, 0);
    let chosen = communes::choose(options.plugs, options.department.as_deref(), &mut rng)?;
    let mut nets: Vec<net::CommuneNet> = chosen
        .par_iter()
        .enumerate()
        .map(|(i, &(commune, plugs))| {
            net::build(commune, plugs, &mut stream(options.seed, i as u64 + 1))
        })
        .collect();
    keep_apart(&mut nets);
    let (global, parts) = match version {
        GraceVersion::V2_0_1 => {
            let extra = emit_v2::Extra::new(options.fibres)?;
            let parts: Result<Vec<_>, _> = nets
                .par_iter()
                .map(|n| emit_v2::commune(n, &extra))
                .collect();
            (emit_v2::global(&extra)?, parts?)
        }
        GraceVersion::V3 => {
            let extra = emit_v3::Extra::new(options.fibres)?;
            let parts: Result<Vec<_>, _> = nets
                .par_iter()
                .map(|n| emit_v3::commune(n, &extra))
                .collect();
            (emit_v3::global(&extra)?, parts?)
        }
    };
    let mut tables = assemble(version, global, parts)?;
    complete::complete(&mut tables, version);
    let injected = defects::inject(&mut tables, version, options.defects, &mut rng)?;
    let manifest = Manifest {
        seed: options.seed,
        plugs: options.plugs,
        version: version.as_str().to_owned(),
        communes: chosen.iter().map(|(c, _)| c.insee.to_owned()).collect(),
        counts: tables.iter().map(|t| (t.name.clone(), t.len())).collect(),
        defects: injected,
    };
    Ok(Generated {
        version,
        tables,
        manifest,
    })
}

/// Shrinks each commune's network to 48 % of the distance to the nearest other commune generated, so the
/// networks, zones and nodes of neighbouring communes never overlap (a commune's zones would otherwise spill over
/// its neighbour's when many plugs land in communes a few kilometres apart).
fn keep_apart(nets: &mut [net::CommuneNet]) {
    let points: Vec<(f64, f64)> = nets.iter().map(|n| (n.commune.x, n.commune.y)).collect();
    for (i, net) in nets.iter_mut().enumerate() {
        let nearest = points
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, &(x, y))| ((x - points[i].0).powi(2) + (y - points[i].1).powi(2)).sqrt())
            .fold(f64::INFINITY, f64::min);
        if nearest.is_finite() {
            net.fit_within(0.48 * nearest);
        }
    }
}

/// Every table of the model in model order: the shared tables, then each commune's rows in commune order; tables
/// nothing fills are present and empty.
fn assemble(
    version: GraceVersion,
    global: Vec<RawTable>,
    parts: Vec<Vec<RawTable>>,
) -> Result<Vec<RawTable>, GenerateError> {
    let mut by_name: BTreeMap<String, Vec<RawTable>> = BTreeMap::new();
    for t in global.into_iter().chain(parts.into_iter().flatten()) {
        by_name.entry(t.name.clone()).or_default().push(t);
    }
    let jobs: Vec<_> = Schema::of(version)
        .tables
        .iter()
        .map(|def| (def, by_name.remove(&def.name).unwrap_or_default()))
        .collect();
    jobs.into_par_iter()
        .map(|(def, parts)| {
            if parts.is_empty() {
                table::TableWriter::new(def, version).finish()
            } else {
                Ok(table::concat(parts))
            }
        })
        .collect()
}
