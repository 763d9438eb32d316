//! Helpers shared by the integration tests: building raw tables by hand.

use geo_types::Geometry;
use thd_model::{RawTable, RawTableBuilder, SourceFormat};

/// A table of text cells, spatial when `geometries` is given (one per row).
pub fn table(
    name: &str,
    columns: &[&str],
    rows: &[&[Option<&str>]],
    geometries: Option<Vec<Option<Geometry>>>,
) -> RawTable {
    let columns = columns.iter().map(|c| c.to_string()).collect();
    let mut b = RawTableBuilder::new(name, format!("{name}.x"), SourceFormat::Csv, columns);
    for row in rows {
        b.push_row(row.iter().copied());
    }
    if let Some(geometries) = geometries {
        b = b.spatial();
        for g in geometries {
            b.push_geometry(g);
        }
    }
    b.finish()
}
