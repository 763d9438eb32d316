//! The ways a store can fail, each with what the user needs to act on it.

use std::path::PathBuf;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The `--db` value names no backend this build knows.
    #[error(
        "unsupported store location {0:?}: give a SQLite file path, a sqlite:// URL or a postgres:// URL"
    )]
    UnsupportedUrl(String),
    /// The store was written by a newer engine: opening it could misread or damage it. `location` is the
    /// file path, or the PostgreSQL URL without its password.
    #[error(
        "the store {location} has schema version {found}, newer than the {supported} this engine knows: \
         upgrade the engine to open it"
    )]
    NewerSchema {
        location: String,
        found: i64,
        supported: i64,
    },
    /// The file is a SQLite database (perhaps a GeoPackage delivery) but not a store.
    #[error("{0} is a SQLite database but not a delivery store (no thd_store_schema table)")]
    NotAStore(PathBuf),
    /// Another process holds the database lock.
    #[error("the store {0} is locked by another process; retry when it has finished")]
    Locked(PathBuf),
    /// The file or its folder cannot be written.
    #[error("the store {0} is read-only: check the permissions of the file and of its folder")]
    ReadOnly(PathBuf),
    /// The disk holding the store is full; the import was rolled back.
    #[error("the disk holding the store {0} is full; nothing was written")]
    DiskFull(PathBuf),
    /// A delivery without a detected GraceTHD version has no model to store it under.
    #[error("{origin} has no detected GraceTHD version: nothing to store")]
    NoVersion { origin: String },
    #[error("no delivery {0} in the store")]
    NoDelivery(i64),
    /// A row of the store that the engine cannot read back (edited by hand, or damaged).
    #[error("the store is inconsistent: {0}")]
    Corrupt(String),
    #[error("store database error on {path}: {source}")]
    Database {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    /// The PostgreSQL database lacks PostGIS, and the store's user could not create the extension.
    #[error(
        "PostGIS is not available in {location} ({reason}): install the postgresql-<major>-postgis-3 \
         package on the server and run CREATE EXTENSION postgis as a superuser"
    )]
    NoPostgis { location: String, reason: String },
    /// No schema of the connection's `search_path` exists, so the store has nowhere to create its tables.
    #[error(
        "{0} has no current schema: create the first schema of search_path or connect with another one"
    )]
    NoSchema(String),
    /// A PostgreSQL error; `location` is the URL without its password.
    #[error("store database error on {location}: {source}")]
    Server {
        location: String,
        #[source]
        source: sqlx::Error,
    },
    /// The bulk writer of an import failed (it drives SQLite directly, see the `sqlite::import` module).
    #[error("store write error on {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl StoreError {
    /// Classifies a database error: lock, permission and disk-full get their own variant.
    pub(crate) fn database(path: &std::path::Path, source: sqlx::Error) -> Self {
        // SQLite primary result codes (the low byte of the extended code sqlx reports).
        const SQLITE_BUSY: i64 = 5;
        const SQLITE_LOCKED: i64 = 6;
        const SQLITE_READONLY: i64 = 8;
        const SQLITE_FULL: i64 = 13;
        let code = source
            .as_database_error()
            .and_then(|e| e.code())
            .and_then(|c| c.parse::<i64>().ok())
            .map(|c| c & 0xff);
        let path = path.to_owned();
        match code {
            Some(SQLITE_BUSY | SQLITE_LOCKED) => StoreError::Locked(path),
            Some(SQLITE_READONLY) => StoreError::ReadOnly(path),
            Some(SQLITE_FULL) => StoreError::DiskFull(path),
            _ => StoreError::Database { path, source },
        }
    }

    /// Classifies an error of the bulk writer like [`StoreError::database`] does.
    pub(crate) fn write(path: &std::path::Path, source: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let path = path.to_owned();
        match source.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Locked(path),
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(path),
            Some(ErrorCode::DiskFull) => StoreError::DiskFull(path),
            _ => StoreError::Write { path, source },
        }
    }
}
