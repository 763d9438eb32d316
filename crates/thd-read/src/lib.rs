//! Readers of GraceTHD deliveries: a folder, a `.zip` archive or a `.gpkg` GeoPackage in, a
//! [`thd_model::RawDelivery`] out — every table as text cells and geometries, every file fingerprinted, the
//! GraceTHD version detected, columns renamed to the model's names, and every defect met on the way as a
//! [`thd_diag::Diagnostic`].
//!
//! Only input that is not a delivery at all is a [`ReadError`]. A corrupt file, a missing column or a bad
//! encoding is reported and read around: an engineer reviewing a delivery wants every defect at once.
//!
//! The format readers ([`dbf`], [`shp`], [`delimited`], [`archive`]) are public so that fuzz targets and tools
//! can run them on bare bytes; they never panic, whatever the bytes. GeoPackage geometry blobs are decoded by
//! `thd_geo::gpkg`, shared with the writer and the store, and fuzzed from here. Tables are read in parallel (one
//! rayon task per table) and cells go from the file's bytes straight into each table's arena.
//!
//! Code map: [`delivery`](read_delivery) lists and dispatches; `plan` sorts files into tables; `layer` reads a
//! shapefile's parts together; `version` and `columns` settle the model; `source` knows folders.

pub mod archive;
mod cells;
mod columns;
pub mod context;
pub mod dbf;
pub mod delimited;
mod delivery;
pub mod encoding;
mod error;
mod gpkg;
mod keys;
mod layer;
mod options;
mod plan;
mod rings;
pub mod shp;
mod source;
mod version;

pub use delivery::{read_delivery, read_delivery_with};
pub use error::ReadError;
pub use options::{ReadOptions, ReadProgress};
