//! Builders of small hand-written deliveries, shared by the tests.

#![allow(dead_code)] // each test file uses part of the helpers

use geo_types::{Geometry, LineString, MultiPolygon, Point, Polygon};
use thd_model::{GraceVersion, RawDelivery, RawTable, RawTableBuilder, SourceFormat};
use thd_network::Network;

/// A table without geometry; empty cells are absent values.
pub fn table(name: &str, columns: &[&str], rows: &[Vec<String>]) -> RawTable {
    let mut builder = RawTableBuilder::new(
        name,
        format!("{name}.csv"),
        SourceFormat::Csv,
        columns.iter().map(|c| c.to_string()).collect(),
    );
    for row in rows {
        builder.push_row(row.iter().map(|c| (!c.is_empty()).then_some(c.as_str())));
    }
    builder.finish()
}

/// A table with a geometry per row.
pub fn spatial(name: &str, columns: &[&str], rows: &[(Vec<String>, Option<Geometry>)]) -> RawTable {
    let mut builder = RawTableBuilder::new(
        name,
        format!("{name}.shp"),
        SourceFormat::Shapefile,
        columns.iter().map(|c| c.to_string()).collect(),
    )
    .spatial();
    for (row, geometry) in rows {
        builder.push_row(row.iter().map(|c| (!c.is_empty()).then_some(c.as_str())));
        builder.push_geometry(geometry.clone());
    }
    builder.finish()
}

/// A row of cells from string slices.
pub fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

pub fn point(x: f64, y: f64) -> Option<Geometry> {
    Some(Geometry::Point(Point::new(x, y)))
}

pub fn line(points: &[(f64, f64)]) -> Option<Geometry> {
    Some(Geometry::LineString(LineString::from(points.to_vec())))
}

/// An axis-aligned rectangle as a multipolygon.
pub fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Option<Geometry> {
    let ring = LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]);
    Some(Geometry::MultiPolygon(MultiPolygon(vec![Polygon::new(
        ring,
        vec![],
    )])))
}

/// Decodes tables as a GraceTHD 2.0.1 delivery.
pub fn decode_v2(tables: Vec<RawTable>) -> Network {
    let delivery = RawDelivery {
        origin: "test".into(),
        version: Some(GraceVersion::V2_0_1),
        tables: tables.into_iter().map(|t| (t.name.clone(), t)).collect(),
        ..RawDelivery::default()
    };
    thd_network::decode(&delivery)
        .expect("version given")
        .network
}
