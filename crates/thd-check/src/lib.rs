//! Checks a GraceTHD delivery the way an engineer needs it: every defect at once, located, explained in French
//! and English, with its severity, in well under a second for a 100 000-plug delivery.
//!
//! ```text
//! RawDelivery + Network ──check──▶ Checked { phase, diagnostics, components }
//!   filling      the reference checker's filling grid at the delivery's phase, the model's NOT NULL columns
//!   attributes   duplicate BAN/HEXACLE ids, cable capacities, premises and plugs vs end-user sites and PTOs
//!   topology     nodes, path ends and cable-line ends snapped through an R-tree with a tolerance
//!   routes       each cable's declared route: a continuous walk, followed by its line, of the right length
//!   connectivity PBO → SRO → NRO through cables, addresses served by a PBO zone containing them, islands
//!   zones        nesting, overlaps, serving node inside its zone
//!   civil_works  ducts laid and not overfilled, path supports fit the laying, end-user sites near their address
//!   v3           on GraceTHD v3 deliveries, the v3 checker's catalogue at the delivery's container (C1–C4):
//!                table presence, filling, uniqueness, conditional filling, topology and business controls
//! ```
//!
//! The reference checker's controls keep their ids and wording ([`catalogue`]); the engine's own graph
//! controls are [`rules`]. What runs, at which severity and thresholds, is the operator's [`Config`].

mod attributes;
mod civil_works;
pub mod config;
mod connectivity;
mod context;
pub mod coverage;
mod filling;
pub mod report;
mod routes;
pub mod rules;
mod severity;
mod topology;
mod v3;
mod zones;

pub use config::{Config, ConfigError, Thresholds};
pub use connectivity::{Components, Island};
pub use thd_model::catalogue;
pub use thd_model::phase::{self, Phase, PhaseSource};

use thd_diag::Diagnostic;
use thd_model::RawDelivery;
use thd_network::Network;

use crate::context::Context;

/// How to check.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions<'a> {
    /// The delivery's phase; `None` detects it from the objects' `*_statut`.
    pub phase: Option<Phase>,
    pub config: &'a Config,
}

/// The outcome of the checks of one delivery.
#[derive(Debug, Clone)]
pub struct Checked {
    pub phase: Phase,
    pub phase_source: PhaseSource,
    /// Defects of the checks (not those of reading and decoding, which their stages report), in control order.
    pub diagnostics: Vec<Diagnostic>,
    /// The connected pieces of the cable graph.
    pub components: Components,
}

/// Runs every enabled control on a delivery and its decoded network.
pub fn check(delivery: &RawDelivery, network: &Network, options: &CheckOptions<'_>) -> Checked {
    let (phase, phase_source) = match options.phase {
        Some(phase) => (phase, PhaseSource::Given),
        None => match phase::detect(delivery) {
            Some((phase, votes, of)) => (phase, PhaseSource::Detected { votes, of }),
            None => (Phase::Avp, PhaseSource::Default),
        },
    };
    let ctx = Context::new(delivery, network, options.config, phase);
    let (
        ((filling, v3), attributes),
        ((topology, routes), ((connectivity, components), (zones, works))),
    ) = rayon::join(
        || {
            rayon::join(
                || rayon::join(|| filling::check(&ctx), || v3::check(&ctx)),
                || attributes::check(&ctx),
            )
        },
        || {
            rayon::join(
                || rayon::join(|| topology::check(&ctx), || routes::check(&ctx)),
                || {
                    rayon::join(
                        || connectivity::check(&ctx),
                        || rayon::join(|| zones::check(&ctx), || civil_works::check(&ctx)),
                    )
                },
            )
        },
    );
    let mut diagnostics: Vec<Diagnostic> = [
        filling,
        v3,
        attributes,
        topology,
        routes,
        connectivity,
        zones,
        works,
    ]
    .into_iter()
    .flatten()
    .collect();
    options.config.apply(&mut diagnostics);
    context::locate(delivery, network, &mut diagnostics);
    Checked {
        phase,
        phase_source,
        diagnostics,
        components,
    }
}

/// A delivery decoded and checked: what an import keeps and a report shows.
#[derive(Debug)]
pub struct Inspection {
    pub network: Network,
    pub phase: Phase,
    pub phase_source: PhaseSource,
    pub components: Components,
    /// The decoding's diagnostics (values that do not fit their column), with the operator's configuration
    /// applied, followed by the checks' — every defect found after reading, in that order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Decodes `delivery` and runs [`check`] on it: the one pipeline behind `thd import` and the server's uploads,
/// so that a delivery stored by either carries the same diagnostics. Fails only when the delivery's GraceTHD
/// version was not detected.
pub fn inspect(
    delivery: &RawDelivery,
    options: &CheckOptions<'_>,
) -> Result<Inspection, thd_network::DecodeError> {
    let decoded = thd_network::decode(delivery)?;
    let checked = check(delivery, &decoded.network, options);
    let mut diagnostics = decoded.diagnostics;
    options.config.apply(&mut diagnostics);
    diagnostics.extend(checked.diagnostics);
    Ok(Inspection {
        network: decoded.network,
        phase: checked.phase,
        phase_source: checked.phase_source,
        components: checked.components,
        diagnostics,
    })
}
