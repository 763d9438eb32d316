//! Completes the attributes the reference checker's filling grid makes mandatory at the phases of the delivery's
//! objects, so that a generated delivery without injected defects passes every filling control.
//!
//! The emitters write what the network means (codes, references, lengths, dates of the works); this pass fills
//! what remains mandatory with neutral values of the column's type: the first code of a value list, the
//! delivery's reference date, zero for counts, the drawn length for a length, a label derived from the object's
//! code for text. References are never invented here: an empty mandatory reference is an emitter's bug, and the
//! checks' tests catch it. The grid is v2.0.1's; v3 has none (its NOT NULL columns are the emitters' care).

use geo::{Euclidean, Length};
use geo_types::Geometry;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use thd_model::catalogue::Catalogue;
use thd_model::{
    ColumnType, GraceVersion, Obligation, Phase, RawTable, RawTableBuilder, Schema, SourceFormat,
    TableDef,
};

/// The date written where a date is mandatory and the network gives none.
const REFERENCE_DATE: &str = "2024-01-15";

pub fn complete(tables: &mut [RawTable], version: GraceVersion) {
    if version != GraceVersion::V2_0_1 {
        return;
    }
    let schema = Schema::of(version);
    let phases = phases(tables);
    let catalogue = Catalogue::v2();
    let mandatory: FxHashSet<(&str, &str)> = catalogue
        .filling
        .iter()
        .filter(|c| {
            phases
                .iter()
                .any(|&p| c.obligation(p) == Obligation::Mandatory)
        })
        .map(|c| (c.table.as_str(), c.attribute.as_str()))
        .collect();
    tables.par_iter_mut().for_each(|table| {
        let Some(def) = schema.table(&table.name) else {
            return;
        };
        let columns: Vec<(usize, Fill)> = def
            .columns
            .iter()
            .filter(|c| {
                !def.primary_key.contains(&c.name)
                    && c.references.is_none()
                    && (!c.nullable || mandatory.contains(&(def.name.as_str(), c.name.as_str())))
            })
            .filter_map(|c| {
                Some((
                    table.column_index(&c.name)?,
                    fill_for(schema, def, &c.name)?,
                ))
            })
            .collect();
        let needs = |row: usize| {
            columns
                .iter()
                .any(|(i, _)| table.cell(row, *i).is_none_or(str::is_empty))
        };
        if columns.is_empty() || !(0..table.len()).any(needs) {
            return;
        }
        *table = rebuilt(table, &columns);
    });
}

/// The phases of the delivery's objects (`*_statut`).
fn phases(tables: &[RawTable]) -> Vec<Phase> {
    let mut seen = FxHashSet::default();
    for table in tables {
        for (index, column) in table.columns.iter().enumerate() {
            if column.ends_with("_statut") {
                for row in 0..table.len() {
                    if let Some(phase) =
                        table.cell(row, index).and_then(|v| v.parse::<Phase>().ok())
                    {
                        seen.insert(phase);
                    }
                }
            }
        }
    }
    let mut phases: Vec<Phase> = seen.into_iter().collect();
    phases.sort();
    phases
}

/// How to fill one column.
#[derive(Debug, Clone)]
enum Fill {
    Fixed(String),
    /// The drawn length of the row's geometry, in metres.
    Length,
    /// A label made from the object's code, at most `len` characters.
    FromCode {
        len: usize,
    },
}

fn fill_for(schema: &Schema, def: &TableDef, column: &str) -> Option<Fill> {
    let col = def.column(column)?;
    if let Some(list) = col.list.as_deref() {
        return Some(Fill::Fixed(schema.list(list)?.values.first()?.code.clone()));
    }
    let is_length = column.ends_with("_long") || column.ends_with("_lgreel");
    Some(match col.ty {
        ColumnType::Numeric { .. } if is_length && def.geometry.is_some() => Fill::Length,
        ColumnType::Numeric { .. } | ColumnType::Integer | ColumnType::Bigint => {
            Fill::Fixed("0".into())
        }
        ColumnType::Boolean => Fill::Fixed("0".into()),
        ColumnType::Date => Fill::Fixed(REFERENCE_DATE.into()),
        ColumnType::Timestamp => Fill::Fixed(format!("{REFERENCE_DATE} 00:00:00")),
        ColumnType::Text { len } => Fill::FromCode { len: len as usize },
    })
}

fn rebuilt(table: &RawTable, columns: &[(usize, Fill)]) -> RawTable {
    let mut builder = RawTableBuilder::new(
        table.name.clone(),
        table.file.clone(),
        table.format.unwrap_or(SourceFormat::Csv),
        table.columns.clone(),
    );
    if table.geometries.is_some() {
        builder = builder.spatial();
    }
    builder.reserve(table.len(), table.text_bytes() / table.len().max(1) + 16);
    let mut cells: Vec<Option<String>> = Vec::with_capacity(table.columns.len());
    for row in 0..table.len() {
        cells.clear();
        cells.extend(table.row(row).map(|c| c.map(str::to_owned)));
        for (index, fill) in columns {
            if cells[*index].as_deref().is_some_and(|c| !c.is_empty()) {
                continue;
            }
            cells[*index] = match fill {
                Fill::Fixed(value) => Some(value.clone()),
                Fill::Length => table.geometry(row).map(|g| format!("{:.2}", length(g))),
                Fill::FromCode { len } => table.cell(row, 0).map(|code| {
                    let skip = code.chars().count().saturating_sub((*len).min(10));
                    code.chars().skip(skip).collect()
                }),
            };
        }
        builder.push_row(cells.iter().map(|c| c.as_deref()));
        if table.geometries.is_some() {
            builder.push_geometry(table.geometry(row).cloned());
        }
    }
    builder.finish()
}

fn length(geometry: &Geometry) -> f64 {
    match geometry {
        Geometry::LineString(l) => Euclidean.length(l),
        Geometry::MultiLineString(m) => m.0.iter().map(|l| Euclidean.length(l)).sum(),
        _ => 0.0,
    }
}
