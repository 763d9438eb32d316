//! Keeps GraceTHD deliveries: every delivery of a zone stored whole, in one transaction, with its files'
//! hashes, diagnostics, version and phase, linked to the previous delivery of its zone, and compared with it.
//!
//! # Backends
//!
//! [`Store`] is one type over an enum of backends, chosen by [`Store::open`] from the location given
//! (`--db`): a `postgres://` or `postgresql://` URL opens the PostGIS backend (for a store shared by a team;
//! see the `postgres` module), anything else — a file path or a `sqlite://` URL — the embedded SQLite backend.
//! An enum rather than a trait object because the operations are
//! async (async trait methods are not object-safe without boxing every future), the set of backends is closed
//! and known to this crate, and callers — the CLI, the server — want one concrete type to hold. What does not
//! depend on the database is written once, outside the backends: the layout of data tables ([`layout`]), the
//! fingerprint and phase of a delivery (`identity`) and the comparison of two deliveries ([`diff`]), which
//! works on loaded [`RawDelivery`]s. Geometries are GeoPackage blobs written and read by `thd_geo::gpkg`, as
//! given (`Parts::AsGiven`): a single line stays a line beside multi-lines, so that load after import is an
//! identity.
//!
//! # SQLite layout
//!
//! The file is a GeoPackage: QGIS opens it and shows one layer per GraceTHD table and model version
//! (`v201_t_noeud`, `v3_t_site`), holding the rows of every delivery with a `delivery_id` column to filter on.
//! Cells are kept as the TEXT that was delivered — no conversion — so a delivery comes back from [`Store::load`]
//! exactly as it went in, and an export is a faithful round trip. The history lives in `thd_delivery`,
//! `thd_delivery_file`, `thd_delivery_table` (how each table was laid out) and `thd_diagnostic`.
//!
//! # API
//!
//! Async (tokio), since sqlx is: the server calls it directly and the CLI from a runtime it builds.

pub mod diff;
mod error;
mod identity;
mod layout;
mod postgres;
mod query;
mod sqlite;
mod types;

use std::path::Path;

use thd_model::RawDelivery;

pub use diff::{AttributeChange, Diff, GeometryChange, ObjectChange, TableDiff};
pub use error::StoreError;
pub use query::{DiagnosticPage, DiagnosticQuery};
pub use sqlite::SCHEMA_VERSION;
pub use types::{DeliveryDetail, DeliverySummary, DiagnosticSummary, ImportMeta, ImportOutcome};

/// A store of deliveries.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(sqlite::SqliteStore),
    Postgres(postgres::PgStore),
}

impl Store {
    /// Opens the store at `location` — a SQLite file path, `sqlite://PATH`, or a `postgres://` /
    /// `postgresql://` URL (the store lives in the connection's current schema) — creating it if missing and
    /// applying the migrations it lacks. A store written by a newer engine is refused
    /// ([`StoreError::NewerSchema`]), as is a SQLite file that is not a store ([`StoreError::NotAStore`]) and a
    /// PostgreSQL database without PostGIS that the user may not add it to ([`StoreError::NoPostgis`]).
    pub async fn open(location: &str) -> Result<Self, StoreError> {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Ok(Store {
                backend: Backend::Postgres(postgres::PgStore::open(location).await?),
            });
        }
        if let Some(path) = location.strip_prefix("sqlite://") {
            return Self::open_sqlite(Path::new(path)).await;
        }
        if location.contains("://") {
            return Err(StoreError::UnsupportedUrl(location.to_owned()));
        }
        Self::open_sqlite(Path::new(location)).await
    }

    async fn open_sqlite(path: &Path) -> Result<Self, StoreError> {
        Ok(Store {
            backend: Backend::Sqlite(sqlite::SqliteStore::open(path).await?),
        })
    }

    /// Stores `delivery` — all rows of all tables, files, diagnostics (its own and `meta.checks`), version,
    /// phase — in one transaction: on any error the store is as it was. A delivery whose files were imported
    /// before is recognised by their hashes and nothing is written (`already_present`). Fails with
    /// [`StoreError::NoVersion`] when the delivery's GraceTHD version was not detected.
    pub async fn import(
        &self,
        delivery: &RawDelivery,
        meta: &ImportMeta,
    ) -> Result<ImportOutcome, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => s.import(delivery, meta).await,
            Backend::Postgres(s) => s.import(delivery, meta).await,
        }
    }

    /// Every delivery, oldest first.
    pub async fn deliveries(&self) -> Result<Vec<DeliverySummary>, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => s.deliveries().await,
            Backend::Postgres(s) => s.deliveries().await,
        }
    }

    /// Rows per table, files and diagnostic counts of delivery `id`.
    pub async fn delivery(&self, id: i64) -> Result<DeliveryDetail, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => s.delivery(id).await,
            Backend::Postgres(s) => s.delivery(id).await,
        }
    }

    /// One page of delivery `id`'s diagnostics (read and checks) matching `query`, with the total that match.
    pub async fn diagnostics(
        &self,
        id: i64,
        query: &DiagnosticQuery,
    ) -> Result<DiagnosticPage, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => s.diagnostics(id, query).await,
            Backend::Postgres(s) => s.diagnostics(id, query).await,
        }
    }

    /// Delivery `id` as it was imported: the same tables (columns in delivered order, cells, geometries),
    /// files, version, origin and read diagnostics.
    pub async fn load(&self, id: i64) -> Result<RawDelivery, StoreError> {
        match &self.backend {
            Backend::Sqlite(s) => s.load(id).await,
            Backend::Postgres(s) => s.load(id).await,
        }
    }

    /// What changed from delivery `old` to delivery `new`; geometries moved by at most `tolerance_m` metres
    /// count as unchanged.
    pub async fn diff(&self, old: i64, new: i64, tolerance_m: f64) -> Result<Diff, StoreError> {
        let (a, b) = (self.load(old).await?, self.load(new).await?);
        Ok(diff::diff(&a, &b, tolerance_m))
    }

    /// Closes the store, waiting for its connections to finish.
    pub async fn close(self) {
        match self.backend {
            Backend::Sqlite(s) => s.close().await,
            Backend::Postgres(s) => s.close().await,
        }
    }
}
