//! The errors of the planning library: data files that cannot be read or do not make sense, and requests that
//! name something the library does not know. Each says where (file, line) and what to do about it.

use std::path::PathBuf;

use crate::dimensions::Dimension;

/// Why a planning data file or request was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A row of a data file is malformed or contradicts another.
    #[error("{origin}, line {line}: {reason}; {hint}")]
    Data {
        /// The file name (or `<built-in>` for the schedules compiled into the library).
        origin: String,
        line: u64,
        reason: String,
        /// What to change in the file.
        hint: String,
    },
    /// A breakdown asked for a dimension that does not exist.
    #[error("unknown dimension {given:?}: use one or more of {known}, separated by commas")]
    UnknownDimension { given: String, known: String },
    /// Costs are measured per phase and department only (see [`crate::cost`]).
    #[error("costs cannot be broken down by {dimension}: use phase and/or department")]
    NotACostDimension { dimension: Dimension },
}

impl PlanError {
    pub(crate) fn data(
        origin: &str,
        line: u64,
        reason: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Self::Data {
            origin: origin.to_owned(),
            line,
            reason: reason.into(),
            hint: hint.into(),
        }
    }
}
