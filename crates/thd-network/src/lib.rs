//! The typed FTTH network of a GraceTHD delivery, and every defect found while decoding it.
//!
//! [`decode`] takes the raw tables a reader produced and gives back a [`Network`] — nodes, technical points,
//! sites, premises, addresses, zones, paths, ducts, cables, cable lines, boxes, fibres and the links between
//! them — together with one [`Diagnostic`] per value that could not be decoded. Decoding never gives up on a
//! delivery: a bad value becomes a diagnostic and a `None`, and the rest loads.
//!
//! ```text
//! RawDelivery ──validate──▶ Vec<Diagnostic>     (schema-driven: types, lists, keys, references, geometries)
//!             └─decode────▶ Network             (typed objects, interned codes, typed ids, geo geometries)
//! ```

mod decode;
pub mod entities;
pub mod network;
pub mod symbols;
mod validate;
pub mod values;
mod view;

pub use entities::{Entities, Id};
pub use network::*;
pub use symbols::{Sym, Symbols};
pub use validate::validate;

use thd_diag::Diagnostic;
use thd_model::{GraceVersion, RawDelivery};

/// Why a delivery cannot be decoded at all.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error(
        "the GraceTHD version of {origin} could not be determined: no table matches a known model (2.0.1 or 3)"
    )]
    UnknownVersion { origin: String },
}

/// A decoded delivery: its network and the defects of its values.
#[derive(Debug)]
pub struct Decoded {
    pub network: Network,
    pub diagnostics: Vec<Diagnostic>,
}

/// Decodes a delivery as the version its reader detected.
pub fn decode(delivery: &RawDelivery) -> Result<Decoded, DecodeError> {
    let version = delivery
        .version
        .ok_or_else(|| DecodeError::UnknownVersion {
            origin: delivery.origin.clone(),
        })?;
    Ok(decode_as(delivery, version))
}

/// Decodes a delivery as `version`, whatever its reader detected.
pub fn decode_as(delivery: &RawDelivery, version: GraceVersion) -> Decoded {
    let (network, diagnostics) = rayon::join(
        || decode::decode_network(delivery, version),
        || validate(delivery, version),
    );
    Decoded {
        network,
        diagnostics,
    }
}
