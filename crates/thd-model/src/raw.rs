//! Raw tables: what a delivery holds, as text cells and geometries, before any decoding.
//!
//! Readers of every format (shapefile, CSV, GeoPackage, OGR) produce the same [`RawTable`], so decoding and
//! checking are written once. Cells live in one string arena per table (no allocation per cell): reading a
//! region-scale delivery is bound by the disk, not by the allocator. An empty cell is NULL, as GraceTHD's
//! exchange rules say; readers trim the padding of fixed-width formats before pushing cells.

use geo_types::Geometry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::GraceVersion;
use thd_diag::Diagnostic;

/// The file format a table was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    Shapefile,
    Csv,
    GeoPackage,
    /// Any other format read through GDAL/OGR (cargo feature `gdal`).
    Ogr,
}

/// A file of a delivery, with the fingerprint that recognises a re-delivery of the same content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path relative to the delivery root (inside the archive for a zip), as found, with `/` separators.
    pub path: String,
    pub size: u64,
    /// SHA-256 of the content, lower-case hex; empty when the reader was asked to skip fingerprints (commands
    /// that never store the delivery).
    pub sha256: String,
}

/// One table of a delivery: named columns, rows of optional text cells, and one optional geometry per row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTable {
    /// Lower-case GraceTHD table name (`t_noeud`).
    pub name: String,
    /// The file the rows come from, relative to the delivery root (the `.dbf` of a shapefile).
    pub file: String,
    pub format: Option<SourceFormat>,
    /// Lower-case field names as found in the file, in file order.
    pub columns: Vec<String>,
    text: String,
    /// Offset in `text` where each row's cells start.
    row_starts: Vec<usize>,
    /// End of each cell, row-major, counted from its row's start; a cell starts where the previous one of its row
    /// ends. Counting from the row keeps a cell's cost at 4 bytes (a region-scale delivery holds hundreds of
    /// millions of cells, most of them empty): one row's text never nears 4 GiB, the builder refuses the cells
    /// that would.
    ends: Vec<u32>,
    /// `Some` for spatial tables: one entry per row, `None` where the row has no (readable) geometry.
    pub geometries: Option<Vec<Option<Geometry<f64>>>>,
}

impl RawTable {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.row_starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Index of a column by its lower-case name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The cell at `row`, `col`; `None` when empty (NULL) or out of range.
    pub fn cell(&self, row: usize, col: usize) -> Option<&str> {
        let ncols = self.columns.len();
        if col >= ncols {
            return None;
        }
        let base = *self.row_starts.get(row)?;
        let i = row * ncols + col;
        let end = self.ends[i] as usize;
        let start = if col == 0 {
            0
        } else {
            self.ends[i - 1] as usize
        };
        (end > start).then(|| &self.text[base + start..base + end])
    }

    /// The cells of one row, in column order.
    pub fn row(&self, row: usize) -> impl Iterator<Item = Option<&str>> + '_ {
        (0..self.columns.len()).map(move |col| self.cell(row, col))
    }

    /// The geometry of a row, if the table is spatial and the row has one.
    pub fn geometry(&self, row: usize) -> Option<&Geometry<f64>> {
        self.geometries.as_ref()?.get(row)?.as_ref()
    }

    /// Bytes of text held, for throughput figures.
    pub fn text_bytes(&self) -> usize {
        self.text.len()
    }
}

/// Builds a [`RawTable`] row by row.
#[derive(Debug)]
pub struct RawTableBuilder {
    table: RawTable,
}

impl RawTableBuilder {
    pub fn new(
        name: impl Into<String>,
        file: impl Into<String>,
        format: SourceFormat,
        columns: Vec<String>,
    ) -> Self {
        Self {
            table: RawTable {
                name: name.into(),
                file: file.into(),
                format: Some(format),
                columns,
                ..RawTable::default()
            },
        }
    }

    /// Reserves room for `rows` rows of about `bytes_per_row` bytes of text.
    pub fn reserve(&mut self, rows: usize, bytes_per_row: usize) {
        self.table.row_starts.reserve(rows);
        self.table
            .ends
            .reserve(rows.saturating_mul(self.table.columns.len()));
        self.table.text.reserve(rows.saturating_mul(bytes_per_row));
    }

    /// Appends a row. Missing trailing cells are NULL, cells beyond the column count are dropped (the reader
    /// reports ragged rows; the builder only keeps the table rectangular). A cell that would take the row's text
    /// past 4 GiB is kept as NULL.
    pub fn push_row<'a>(&mut self, cells: impl IntoIterator<Item = Option<&'a str>>) {
        let table = &mut self.table;
        let ncols = table.columns.len();
        if ncols == 0 {
            return;
        }
        let start = table.text.len();
        table.row_starts.push(start);
        let mut end = 0u32;
        let mut n = 0;
        for cell in cells.into_iter().take(ncols) {
            if let Some(text) = cell
                && let Some(new_end) = u32::try_from(text.len())
                    .ok()
                    .and_then(|len| end.checked_add(len))
            {
                table.text.push_str(text);
                end = new_end;
            }
            table.ends.push(end);
            n += 1;
        }
        for _ in n..ncols {
            table.ends.push(end);
        }
    }

    /// Appends the geometry of the latest row (spatial tables push one per row).
    pub fn push_geometry(&mut self, geometry: Option<Geometry<f64>>) {
        self.table
            .geometries
            .get_or_insert_with(Vec::new)
            .push(geometry);
    }

    /// Declares the table spatial even when it has no rows yet.
    pub fn spatial(mut self) -> Self {
        self.table.geometries.get_or_insert_with(Vec::new);
        self
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn finish(self) -> RawTable {
        self.table
    }
}

/// Everything read from a delivery: its files, its tables, and the defects found while reading.
#[derive(Debug, Clone, Default)]
pub struct RawDelivery {
    /// The path given by the user (folder, zip or GeoPackage).
    pub origin: String,
    /// Version detected from the tables and columns present; `None` when nothing GraceTHD was found.
    pub version: Option<GraceVersion>,
    pub files: Vec<SourceFile>,
    /// Tables by lower-case name.
    pub tables: BTreeMap<String, RawTable>,
    pub diagnostics: Vec<Diagnostic>,
}

impl RawDelivery {
    pub fn table(&self, name: &str) -> Option<&RawTable> {
        self.tables.get(name)
    }

    /// Total rows over all tables.
    pub fn rows(&self) -> usize {
        self.tables.values().map(RawTable::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table(rows: &[Vec<Option<&str>>], ncols: usize) -> RawTable {
        let columns = (0..ncols).map(|i| format!("c{i}")).collect();
        let mut b = RawTableBuilder::new("t_x", "t_x.csv", SourceFormat::Csv, columns);
        for row in rows {
            b.push_row(row.iter().copied());
        }
        b.finish()
    }

    #[test]
    fn short_rows_are_padded_with_null_and_long_rows_cut() {
        let t = table(&[vec![Some("a")], vec![Some("b"), Some("c"), Some("d")]], 2);
        assert_eq!(t.len(), 2);
        assert_eq!(t.row(0).collect::<Vec<_>>(), [Some("a"), None]);
        assert_eq!(t.row(1).collect::<Vec<_>>(), [Some("b"), Some("c")]);
        assert_eq!(t.cell(2, 0), None);
        assert_eq!(t.cell(0, 5), None);
    }

    proptest! {
        #[test]
        fn cells_read_back_as_written(rows in prop::collection::vec(prop::collection::vec(prop::option::of("[a-zé;,]{0,6}"), 3), 0..20)) {
            let borrowed: Vec<Vec<Option<&str>>> = rows.iter().map(|r| r.iter().map(|c| c.as_deref()).collect()).collect();
            let t = table(&borrowed, 3);
            prop_assert_eq!(t.len(), rows.len());
            for (i, row) in rows.iter().enumerate() {
                for (j, cell) in row.iter().enumerate() {
                    let expected = cell.as_deref().filter(|s| !s.is_empty());
                    prop_assert_eq!(t.cell(i, j), expected);
                }
            }
        }
    }
}
