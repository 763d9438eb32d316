//! The GraceTHD model as data, and the raw tables of a delivery.
//!
//! [`schema`] describes what a delivery should contain — tables, columns, value lists — loaded from the
//! project's `gracethd/<version>/model.json` files (generated from the reference model by
//! `scripts/gen_gracethd_model.py`): adding a column or a list value is a data change, not a code change.
//! [`catalogue`] is the reference checker's control catalogue and filling grid per [`phase`], from
//! `gracethd/v2.0.1/controls.json`, and the v3 checker's per-container catalogue, from
//! `gracethd/v3/controls.json`. [`raw`] holds what a delivery does contain, as text cells and geometries,
//! before any decoding.

pub mod catalogue;
pub mod phase;
pub mod raw;
pub mod schema;
mod version;

pub use phase::{Obligation, Phase};
pub use raw::{RawDelivery, RawTable, RawTableBuilder, SourceFile, SourceFormat};
pub use schema::{
    ColumnDef, ColumnType, GeometryDef, GeometryKind, ListValue, Schema, TableDef, TableFormat,
    ValueList,
};
pub use version::GraceVersion;
