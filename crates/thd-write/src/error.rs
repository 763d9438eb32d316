//! Why a delivery could not be written, with the table, row and column to look at.

use std::io;
use std::path::PathBuf;

/// A failure to write a delivery. Values and geometries the target format cannot hold are errors rather than
/// silent losses: a writer that quietly drops a geometry or rewrites a number would hide the defect a generated
/// delivery is meant to carry.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot write the archive {path}: {source}")]
    Zip {
        path: PathBuf,
        #[source]
        source: zip::result::ZipError,
    },
    #[error("cannot write the GeoPackage {path}: {source}")]
    GeoPackage {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    /// A cell a typed DBF field cannot hold (a number field takes only a number that fits its width).
    #[error("{table}, row {row}, column {column}: {value:?} is not {expected}")]
    Value {
        table: String,
        row: usize,
        column: String,
        value: String,
        expected: &'static str,
    },
    /// A geometry of a kind the table's shape type cannot hold, or no shapefile kind at all.
    #[error("{table}, row {row}: {reason}")]
    Geometry {
        table: String,
        row: usize,
        reason: String,
    },
    /// Two columns that end up with the same DBF field name, or a name DBF cannot hold.
    #[error("{table}: column {column} cannot be a DBF field: {reason}")]
    FieldName {
        table: String,
        column: String,
        reason: &'static str,
    },
    /// A table beyond a limit of its format (DBF record length, shapefile size).
    #[error("{table}: {reason}")]
    TooLarge { table: String, reason: String },
    /// Two tables that would be written to the same file.
    #[error("table {table} appears twice")]
    DuplicateTable { table: String },
}

impl WriteError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
