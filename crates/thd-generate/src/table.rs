//! Filling raw tables by column name, in the model's column order.
//!
//! Emitters name the columns they fill; every other column of the model stays NULL. The writer knows the model's
//! table definition, so the tables always carry all columns in model order, and a column the model lacks is a typed
//! error rather than a silently dropped value. Geometries are wrapped into the multi-kind the model declares (v3
//! stores every geometry as a multi-geometry).

use geo_types::{Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use thd_model::{
    GeometryKind, GraceVersion, RawTable, RawTableBuilder, SourceFormat, TableDef, TableFormat,
};

use crate::GenerateError;

/// Builds one table row by row; cells are set by column name.
#[derive(Debug)]
pub struct TableWriter {
    def: &'static TableDef,
    version: GraceVersion,
    index: HashMap<&'static str, usize>,
    builder: RawTableBuilder,
    cells: Vec<String>,
    filled: Vec<bool>,
    geometry: Option<Geometry<f64>>,
    error: Option<GenerateError>,
}

impl TableWriter {
    pub fn new(def: &'static TableDef, version: GraceVersion) -> Self {
        let columns: Vec<String> = def.columns.iter().map(|c| c.name.clone()).collect();
        let (file, format) = match def.format {
            TableFormat::Shapefile => (format!("{}.shp", def.name), SourceFormat::Shapefile),
            TableFormat::Csv => (format!("{}.csv", def.name), SourceFormat::Csv),
        };
        let mut builder = RawTableBuilder::new(def.name.clone(), file, format, columns);
        if def.geometry.is_some() {
            builder = builder.spatial();
        }
        Self {
            def,
            version,
            index: def
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.as_str(), i))
                .collect(),
            builder,
            cells: vec![String::new(); def.columns.len()],
            filled: vec![false; def.columns.len()],
            geometry: None,
            error: None,
        }
    }

    fn slot(&mut self, column: &str) -> Option<&mut String> {
        match self.index.get(column) {
            Some(&i) => {
                self.filled[i] = true;
                let cell = &mut self.cells[i];
                cell.clear();
                Some(cell)
            }
            None => {
                self.error
                    .get_or_insert_with(|| GenerateError::UnknownColumn {
                        version: self.version,
                        table: self.def.name.clone(),
                        column: column.to_owned(),
                    });
                None
            }
        }
    }

    /// Sets a text cell of the current row.
    pub fn set(&mut self, column: &str, value: &str) -> &mut Self {
        if let Some(cell) = self.slot(column) {
            cell.push_str(value);
        }
        self
    }

    /// Sets a cell from formatting arguments, without an intermediate allocation.
    pub fn set_fmt(&mut self, column: &str, value: fmt::Arguments<'_>) -> &mut Self {
        if let Some(cell) = self.slot(column) {
            // Writing into a String cannot fail.
            let _ = cell.write_fmt(value);
        }
        self
    }

    /// Sets a cell when there is a value; leaves it NULL otherwise.
    pub fn set_opt(&mut self, column: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.set(column, v);
        }
        self
    }

    /// Sets the geometry of the current row, wrapped into the multi-kind the model declares.
    pub fn geometry(&mut self, geometry: Geometry<f64>) -> &mut Self {
        let kind = self.def.geometry.as_ref().map(|g| g.kind);
        self.geometry = Some(match (kind, geometry) {
            (Some(GeometryKind::MultiPoint), Geometry::Point(p)) => MultiPoint(vec![p]).into(),
            (Some(GeometryKind::MultiLineString), Geometry::LineString(l)) => {
                MultiLineString(vec![l]).into()
            }
            (Some(GeometryKind::MultiPolygon), Geometry::Polygon(p)) => {
                MultiPolygon(vec![p]).into()
            }
            (_, g) => g,
        });
        self
    }

    /// Ends the current row: pushes its cells (unset ones NULL) and, for a spatial table, its geometry.
    pub fn end_row(&mut self) {
        let cells = self
            .cells
            .iter()
            .zip(&self.filled)
            .map(|(c, &f)| f.then_some(c.as_str()));
        self.builder.push_row(cells);
        if self.def.geometry.is_some() {
            self.builder.push_geometry(self.geometry.take());
        }
        self.filled.iter_mut().for_each(|f| *f = false);
    }

    pub fn finish(self) -> Result<RawTable, GenerateError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.builder.finish()),
        }
    }
}

/// Concatenates tables of the same definition, in order (per-commune parts into one delivery table).
pub fn concat(parts: Vec<RawTable>) -> RawTable {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return RawTable::default();
    };
    let rest: Vec<RawTable> = parts.collect();
    if rest.iter().all(RawTable::is_empty) {
        return first;
    }
    let rows = first.len() + rest.iter().map(RawTable::len).sum::<usize>();
    let bytes = first.text_bytes() + rest.iter().map(RawTable::text_bytes).sum::<usize>();
    let mut builder = RawTableBuilder::new(
        first.name.clone(),
        first.file.clone(),
        first.format.unwrap_or(SourceFormat::Csv),
        first.columns.clone(),
    );
    if first.geometries.is_some() {
        builder = builder.spatial();
    }
    builder.reserve(rows, bytes / rows.max(1));
    for part in std::iter::once(&first).chain(&rest) {
        copy_rows(part, &mut builder);
    }
    builder.finish()
}

/// Copies every row of `table` into `builder`, geometries included.
fn copy_rows(table: &RawTable, builder: &mut RawTableBuilder) {
    for row in 0..table.len() {
        builder.push_row(table.row(row));
        if table.geometries.is_some() {
            builder.push_geometry(table.geometry(row).cloned());
        }
    }
}

/// A point geometry.
pub fn point(x: f64, y: f64) -> Geometry<f64> {
    Point::new(x, y).into()
}

/// A line through the given coordinates.
pub fn line(coords: Vec<(f64, f64)>) -> Geometry<f64> {
    LineString::from(coords).into()
}

/// A closed ring polygon through the given corners.
pub fn polygon(corners: Vec<(f64, f64)>) -> Geometry<f64> {
    Polygon::new(LineString::from(corners), vec![]).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use thd_model::Schema;

    fn writer(version: GraceVersion, table: &str) -> TableWriter {
        let def = Schema::of(version).table(table).expect("table");
        TableWriter::new(def, version)
    }

    #[test]
    fn rows_carry_every_model_column_in_order_with_unset_ones_null() {
        let mut w = writer(GraceVersion::V2_0_1, "t_noeud");
        w.set("nd_type", "PT")
            .set("nd_code", "ND1")
            .geometry(point(1.0, 2.0));
        w.end_row();
        let t = w.finish().expect("table");
        let def = Schema::of(GraceVersion::V2_0_1)
            .table("t_noeud")
            .expect("def");
        assert_eq!(t.columns.len(), def.columns.len());
        assert_eq!(
            t.cell(0, t.column_index("nd_code").expect("col")),
            Some("ND1")
        );
        assert_eq!(
            t.cell(0, t.column_index("nd_type").expect("col")),
            Some("PT")
        );
        assert_eq!(t.cell(0, t.column_index("nd_voie").expect("col")), None);
        assert!(matches!(t.geometry(0), Some(Geometry::Point(_))));
    }

    #[test]
    fn v3_geometries_become_multi_geometries() {
        let mut w = writer(GraceVersion::V3, "t_noeud");
        w.set("nd_code", "ND1").geometry(point(1.0, 2.0));
        w.end_row();
        let t = w.finish().expect("table");
        assert!(matches!(t.geometry(0), Some(Geometry::MultiPoint(_))));
    }

    #[test]
    fn an_unknown_column_is_an_error() {
        let mut w = writer(GraceVersion::V2_0_1, "t_noeud");
        w.set("nd_nothing", "x");
        w.end_row();
        assert!(matches!(
            w.finish(),
            Err(GenerateError::UnknownColumn { .. })
        ));
    }

    #[test]
    fn concat_keeps_rows_and_geometries_in_order() {
        let part = |code: &str| {
            let mut w = writer(GraceVersion::V2_0_1, "t_noeud");
            w.set("nd_code", code).geometry(point(0.0, 0.0));
            w.end_row();
            w.finish().expect("table")
        };
        let t = concat(vec![part("A"), part("B"), part("C")]);
        assert_eq!(t.len(), 3);
        assert_eq!(t.cell(2, 0), Some("C"));
        assert_eq!(t.geometries.as_ref().map(Vec::len), Some(3));
    }
}
