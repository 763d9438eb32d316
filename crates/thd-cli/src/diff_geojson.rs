//! `thd diff --format geojson`: the objects two deliveries disagree on, as WGS84 features a web map or QGIS can
//! colour by change — added (their new geometry), removed (their old one), changed (their new one, with the
//! attributes that changed and how far the geometry moved).

use anyhow::Result;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use thd_model::{RawDelivery, RawTable};
use thd_store::Diff;

pub fn write(diff: &Diff, old: &RawDelivery, new: &RawDelivery, mut out: impl Write) -> Result<()> {
    let mut features = Vec::new();
    for table in &diff.tables {
        let (before, after) = (
            Rows::of(old.table(&table.table)),
            Rows::of(new.table(&table.table)),
        );
        for key in &table.added {
            features.push(feature(
                &table.table,
                key,
                "added",
                after.geometry(key),
                Value::Null,
            ));
        }
        for key in &table.removed {
            features.push(feature(
                &table.table,
                key,
                "removed",
                before.geometry(key),
                Value::Null,
            ));
        }
        for change in &table.changed {
            let details = json!({
                "attributes": change.attributes,
                "geometry": change.geometry,
            });
            features.push(feature(
                &table.table,
                &change.key,
                "changed",
                after.geometry(&change.key),
                details,
            ));
        }
    }
    let collection = json!({"type": "FeatureCollection", "features": features});
    serde_json::to_writer(&mut out, &collection)?;
    writeln!(out)?;
    Ok(())
}

fn feature(table: &str, key: &str, change: &str, geometry: Value, details: Value) -> Value {
    let mut properties = json!({"table": table, "object": key, "change": change});
    if let (Value::Object(props), Value::Object(extra)) = (&mut properties, details) {
        props.extend(extra);
    }
    json!({"type": "Feature", "id": format!("{table}/{key}"), "geometry": geometry, "properties": properties})
}

/// A delivered table's rows by the code in their first column, built once per table so that each changed
/// object finds its row in constant time.
struct Rows<'a> {
    table: Option<&'a RawTable>,
    by_code: HashMap<&'a str, usize>,
}

impl<'a> Rows<'a> {
    fn of(table: Option<&'a RawTable>) -> Self {
        let by_code = table
            .filter(|t| t.geometries.is_some())
            .map(|t| {
                (0..t.len())
                    .filter_map(|row| Some((t.cell(row, 0)?, row)))
                    .collect()
            })
            .unwrap_or_default();
        Self { table, by_code }
    }

    /// The object's geometry in WGS84 (GeoJSON); null when the table has no geometry or the code is not a
    /// single-column key.
    fn geometry(&self, key: &str) -> Value {
        let geometry = self
            .table
            .zip(self.by_code.get(key))
            .and_then(|(table, &row)| table.geometry(row));
        geometry
            .and_then(|g| thd_write::geometry_to_geojson(g).ok())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null)
    }
}
