//! The one error of reading: input that cannot be read as a delivery at all.
//!
//! Everything that is wrong *inside* a delivery (a corrupt file, a missing column, a bad encoding) is a
//! [`thd_diag::Diagnostic`] in [`thd_model::RawDelivery::diagnostics`], so that an engineer gets every defect at
//! once. A [`ReadError`] means there is nothing to report on: the path is wrong, or names something that is not a
//! delivery.

use std::path::PathBuf;

/// Why a path could not be read as a GraceTHD delivery.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Nothing at the path.
    #[error("{}: no such file or folder", path.display())]
    NotFound { path: PathBuf },
    /// The path exists but cannot be read (permissions, I/O error).
    #[error("{}: cannot be read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file that is neither a folder, a `.zip` nor a `.gpkg`.
    #[error("{}: not a delivery (expected a folder, a .zip archive or a .gpkg GeoPackage)", path.display())]
    UnsupportedInput { path: PathBuf },
    /// A `.zip` whose central directory cannot be read.
    #[error("{}: unreadable zip archive: {reason}", path.display())]
    Zip { path: PathBuf, reason: String },
    /// A `.gpkg` that is not an SQLite database with a `gpkg_contents` table.
    #[error("{}: unreadable GeoPackage: {reason}", path.display())]
    GeoPackage { path: PathBuf, reason: String },
    /// Files were found, but none that could be a GraceTHD table (`t_*.csv`, `t_*.shp`/`.dbf`, or a GeoPackage
    /// table).
    #[error("{}: no GraceTHD table found ({files} files looked at)", path.display())]
    NoTable { path: PathBuf, files: usize },
}
