//! Typed access to the cells of a raw table, by canonical column name.
//!
//! Columns are resolved once per table (a missing column reads as all-NULL, since the reader has already
//! reported it); cells are then read by index. Parsing here is silent: a cell that does not parse reads as
//! `None`, because [`crate::validate`] reports every such cell once, with its location.

use chrono::NaiveDate;
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Point};
use thd_model::{RawTable, Schema, TableDef};

use crate::entities::{Entities, Id};
use crate::symbols::{ListIndex, Sym, Symbols};
use crate::values::{parse_date, parse_integer, parse_number};

/// One raw table seen through its model definition.
#[derive(Debug, Clone, Copy)]
pub struct TableView<'a> {
    pub raw: &'a RawTable,
    def: Option<&'a TableDef>,
    symbols: &'a Symbols,
}

/// A column of a [`TableView`], resolved: its position (if delivered) and its value list (if any).
#[derive(Debug, Clone, Copy)]
pub struct Col<'a> {
    index: Option<usize>,
    list: Option<ListIndex<'a>>,
}

impl<'a> TableView<'a> {
    pub fn new(raw: &'a RawTable, schema: &'a Schema, symbols: &'a Symbols) -> Self {
        Self {
            raw,
            def: schema.table(&raw.name),
            symbols,
        }
    }

    pub fn rows(&self) -> usize {
        self.raw.len()
    }

    pub fn col(&self, name: &str) -> Col<'a> {
        let list = self
            .def
            .and_then(|def| def.column(name))
            .and_then(|column| column.list.as_deref())
            .and_then(|list| self.symbols.list(list));
        Col {
            index: self.raw.column_index(name),
            list,
        }
    }

    pub fn text(&self, row: usize, col: Col<'_>) -> Option<&'a str> {
        self.raw.cell(row, col.index?)
    }

    pub fn string(&self, row: usize, col: Col<'_>) -> Option<String> {
        self.text(row, col).map(str::to_owned)
    }

    pub fn sym(&self, row: usize, col: Col<'_>) -> Option<Sym> {
        col.list?.get(self.text(row, col)?)
    }

    pub fn integer(&self, row: usize, col: Col<'_>) -> Option<i64> {
        parse_integer(self.text(row, col)?)
    }

    /// A count or capacity: a non-negative integer that fits in `u32`.
    pub fn count(&self, row: usize, col: Col<'_>) -> Option<u32> {
        u32::try_from(self.integer(row, col)?).ok()
    }

    pub fn number(&self, row: usize, col: Col<'_>) -> Option<f64> {
        parse_number(self.text(row, col)?)
    }

    pub fn date(&self, row: usize, col: Col<'_>) -> Option<NaiveDate> {
        parse_date(self.text(row, col)?)
    }

    /// The object of `entities` whose code is in this cell.
    pub fn reference<T>(&self, row: usize, col: Col<'_>, entities: &Entities<T>) -> Option<Id<T>> {
        entities.id(self.text(row, col)?)
    }

    fn geometry(&self, row: usize) -> Option<&'a Geometry> {
        self.raw.geometry(row)
    }

    /// A point geometry; a multipoint (v3 stores nodes as multipoints) gives its first point.
    pub fn point(&self, row: usize) -> Option<Point> {
        match self.geometry(row)? {
            Geometry::Point(point) => Some(*point),
            Geometry::MultiPoint(points) => points.0.first().copied(),
            _ => None,
        }
    }

    /// A line geometry; the parts of a multiline are chained into one line (a shared vertex between consecutive
    /// parts is kept once), since a path or a cable line is one continuous route.
    pub fn line(&self, row: usize) -> Option<LineString> {
        match self.geometry(row)? {
            Geometry::LineString(line) => Some(line.clone()),
            Geometry::MultiLineString(lines) => {
                let mut coords: Vec<Coord> = Vec::new();
                for part in &lines.0 {
                    let skip = usize::from(coords.last() == part.0.first() && !coords.is_empty());
                    coords.extend(part.0.iter().skip(skip));
                }
                (!coords.is_empty()).then(|| LineString::new(coords))
            }
            _ => None,
        }
    }

    pub fn area(&self, row: usize) -> Option<MultiPolygon> {
        match self.geometry(row)? {
            Geometry::MultiPolygon(area) => Some(area.clone()),
            Geometry::Polygon(polygon) => Some(MultiPolygon::new(vec![polygon.clone()])),
            _ => None,
        }
    }
}

impl Col<'_> {
    /// Whether the delivery has this column at all.
    pub fn is_present(&self) -> bool {
        self.index.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{MultiLineString, line_string};
    use thd_model::{GraceVersion, RawTableBuilder, SourceFormat};

    #[test]
    fn multilines_chain_into_one_route() {
        let schema = Schema::of(GraceVersion::V3);
        let symbols = Symbols::new(schema);
        let mut builder = RawTableBuilder::new(
            "t_cheminement",
            "t_cheminement.shp",
            SourceFormat::Shapefile,
            vec!["cm_code".into(), "cm_statut".into()],
        )
        .spatial();
        builder.push_row([Some("CM1"), Some("REC")]);
        builder.push_geometry(Some(Geometry::MultiLineString(MultiLineString::new(vec![
            line_string![(x: 0., y: 0.), (x: 1., y: 0.)],
            line_string![(x: 1., y: 0.), (x: 1., y: 2.)],
        ]))));
        let raw = builder.finish();
        let view = TableView::new(&raw, schema, &symbols);
        let line = view.line(0).unwrap();
        assert_eq!(line.0.len(), 3, "the shared vertex is kept once");
        let statut = view.col("cm_statut");
        assert_eq!(symbols.code(view.sym(0, statut).unwrap()), "REC");
        assert!(!view.col("cm_absent").is_present());
        assert_eq!(view.text(0, view.col("cm_absent")), None);
    }
}
