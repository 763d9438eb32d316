//! Why a delivery could not be generated.

use thd_model::GraceVersion;

/// An error of [`crate::generate`]: bad options, or a model that lacks something the generator relies on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// Brittany's four departments are the only ones the commune table covers.
    #[error("department {0:?} is not one of 22, 29, 35, 56")]
    UnknownDepartment(String),
    /// A delivery with no plug has no network to lay out.
    #[error("plugs must be at least 1")]
    NoPlugs,
    /// More defects were asked for than the delivery has distinct places to put them.
    #[error(
        "{requested} defects requested but the delivery only offers {available} distinct places"
    )]
    TooManyDefects { requested: u32, available: usize },
    /// The model of this version has no such table: the generator and the model disagree.
    #[error("{version} has no table {table}")]
    UnknownTable {
        version: GraceVersion,
        table: String,
    },
    /// The model of this version has no such column: the generator and the model disagree.
    #[error("{version} has no column {table}.{column}")]
    UnknownColumn {
        version: GraceVersion,
        table: String,
        column: String,
    },
    /// The model of this version lacks a value list or a code the generator writes.
    #[error("{version} has no code {code:?} in list {list}")]
    UnknownCode {
        version: GraceVersion,
        list: String,
        code: String,
    },
    /// The embedded commune table is malformed (a build defect, caught by the tests).
    #[error("data/communes/bretagne.csv line {line}: {reason}")]
    CommuneTable { line: usize, reason: String },
}
