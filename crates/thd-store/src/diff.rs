//! What changed between two deliveries, table by table: objects added, removed, and changed (attributes old →
//! new, geometry moved beyond a tolerance).
//!
//! Pure: it compares two [`RawDelivery`]s, whatever backend they were loaded from. Objects are matched by the
//! model's primary key (`nd_code`...). A table whose key the model does not give, or that lacks a key column,
//! is matched on whole rows, so any change there shows as a removal and an addition. When a key occurs twice
//! in a table (a defect the checks report), its first row stands for the object.

use std::collections::{BTreeSet, HashMap};

use geo::HausdorffDistance;
use geo_types::Geometry;
use serde::Serialize;
use thd_model::{RawDelivery, RawTable, Schema};

/// The changes from one delivery to another.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// A geometry whose vertices moved by at most this many metres (Hausdorff distance) is unchanged.
    pub tolerance_m: f64,
    /// Tables with at least one change, by name.
    pub tables: Vec<TableDiff>,
}

/// The changes of one table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TableDiff {
    pub table: String,
    /// Keys of the objects only in the newer delivery, in its order.
    pub added: Vec<String>,
    /// Keys of the objects only in the older delivery, in its order.
    pub removed: Vec<String>,
    /// Objects in both that differ, in the newer delivery's order.
    pub changed: Vec<ObjectChange>,
}

/// How one object changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectChange {
    pub key: String,
    pub attributes: Vec<AttributeChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geometry: Option<GeometryChange>,
}

/// One attribute's old and new value (`None`: NULL or no such column).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttributeChange {
    pub column: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// How an object's geometry changed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "change")]
pub enum GeometryChange {
    /// Moved by more than the tolerance: the Hausdorff distance between old and new, in metres.
    Moved {
        distance_m: f64,
    },
    Added,
    Removed,
}

impl Diff {
    /// No table changed.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

/// Compares `old` with `new`; geometries that moved by at most `tolerance_m` metres count as unchanged.
pub fn diff(old: &RawDelivery, new: &RawDelivery, tolerance_m: f64) -> Diff {
    let names: BTreeSet<&String> = old.tables.keys().chain(new.tables.keys()).collect();
    let empty = RawTable::default();
    let tables = names
        .into_iter()
        .map(|name| {
            let key = key_columns(new, name);
            diff_table(
                name,
                old.tables.get(name).unwrap_or(&empty),
                new.tables.get(name).unwrap_or(&empty),
                &key,
                tolerance_m,
            )
        })
        .filter(|t| !(t.added.is_empty() && t.removed.is_empty() && t.changed.is_empty()))
        .collect();
    Diff {
        tolerance_m,
        tables,
    }
}

/// The model's primary key of a table, empty when the model gives none.
fn key_columns(delivery: &RawDelivery, table: &str) -> Vec<String> {
    delivery
        .version
        .and_then(|v| Schema::of(v).table(table))
        .map(|def| def.primary_key.clone())
        .unwrap_or_default()
}

/// How to read an object's key in one table: from the key columns, or from the whole row.
struct Keyer {
    columns: Option<Vec<usize>>,
}

impl Keyer {
    fn new(table: &RawTable, key: &[String]) -> Self {
        let columns = (!key.is_empty())
            .then(|| key.iter().map(|k| table.column_index(k)).collect())
            .flatten();
        Keyer { columns }
    }

    fn key(&self, table: &RawTable, row: usize) -> String {
        let cells: Vec<&str> = match &self.columns {
            Some(cols) => cols
                .iter()
                .map(|&c| table.cell(row, c).unwrap_or(""))
                .collect(),
            None => table.row(row).map(|c| c.unwrap_or("")).collect(),
        };
        cells.join("|")
    }
}

/// First row of each key, and the keys in table order.
fn index(table: &RawTable, keyer: &Keyer) -> (HashMap<String, usize>, Vec<String>) {
    let mut rows = HashMap::with_capacity(table.len());
    let mut order = Vec::with_capacity(table.len());
    for row in 0..table.len() {
        let key = keyer.key(table, row);
        if !rows.contains_key(&key) {
            rows.insert(key.clone(), row);
            order.push(key);
        }
    }
    (rows, order)
}

fn diff_table(
    name: &str,
    old: &RawTable,
    new: &RawTable,
    key: &[String],
    tolerance_m: f64,
) -> TableDiff {
    // Whole-row keys unless both tables carry every key column.
    let both_keyed = !key.is_empty()
        && key
            .iter()
            .all(|k| old.column_index(k).is_some() && new.column_index(k).is_some());
    let key = if both_keyed { key } else { &[] };
    let (old_rows, old_order) = index(old, &Keyer::new(old, key));
    let (new_rows, new_order) = index(new, &Keyer::new(new, key));
    let columns: Vec<&String> = {
        let mut seen = BTreeSet::new();
        new.columns
            .iter()
            .chain(&old.columns)
            .filter(|c| seen.insert(c.as_str()))
            .collect()
    };
    let mut changed = Vec::new();
    let mut added = Vec::new();
    for k in new_order {
        let Some(&o) = old_rows.get(&k) else {
            added.push(k);
            continue;
        };
        let n = new_rows[&k];
        let attributes: Vec<AttributeChange> = columns
            .iter()
            .filter_map(|c| {
                let old_value = old.column_index(c).and_then(|i| old.cell(o, i));
                let new_value = new.column_index(c).and_then(|i| new.cell(n, i));
                (old_value != new_value).then(|| AttributeChange {
                    column: (*c).clone(),
                    old: old_value.map(str::to_owned),
                    new: new_value.map(str::to_owned),
                })
            })
            .collect();
        let geometry = geometry_change(old.geometry(o), new.geometry(n), tolerance_m);
        if !attributes.is_empty() || geometry.is_some() {
            changed.push(ObjectChange {
                key: k,
                attributes,
                geometry,
            });
        }
    }
    let removed = old_order
        .into_iter()
        .filter(|k| !new_rows.contains_key(k))
        .collect();
    TableDiff {
        table: name.to_owned(),
        added,
        removed,
        changed,
    }
}

fn geometry_change(
    old: Option<&Geometry<f64>>,
    new: Option<&Geometry<f64>>,
    tolerance_m: f64,
) -> Option<GeometryChange> {
    match (old, new) {
        (None, None) => None,
        (None, Some(_)) => Some(GeometryChange::Added),
        (Some(_), None) => Some(GeometryChange::Removed),
        (Some(a), Some(b)) if a == b => None,
        (Some(a), Some(b)) => {
            let distance = a.hausdorff_distance(b);
            // An empty geometry against a non-empty one has no finite distance: that is a move of any size.
            let distance_m = if distance.is_finite() {
                distance
            } else {
                f64::MAX
            };
            (distance_m > tolerance_m).then_some(GeometryChange::Moved { distance_m })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::point;
    use thd_model::{GraceVersion, RawTableBuilder, SourceFormat};

    fn nodes(rows: &[(&str, &str, f64)]) -> RawDelivery {
        let columns = vec!["nd_code".to_owned(), "nd_statut".to_owned()];
        let mut b =
            RawTableBuilder::new("t_noeud", "t_noeud.dbf", SourceFormat::Shapefile, columns);
        for (code, status, x) in rows {
            b.push_row([Some(*code), Some(*status)]);
            b.push_geometry(Some(point!(x: *x, y: 6_800_000.).into()));
        }
        let mut d = RawDelivery {
            version: Some(GraceVersion::V2_0_1),
            ..RawDelivery::default()
        };
        d.tables.insert("t_noeud".into(), b.finish());
        d
    }

    #[test]
    fn lists_added_removed_changed_and_moved_objects() {
        let old = nodes(&[
            ("A", "REC", 0.),
            ("B", "REC", 0.),
            ("C", "REC", 0.),
            ("D", "REC", 0.),
        ]);
        let new = nodes(&[
            ("E", "REC", 0.),
            ("B", "EXE", 0.),
            ("C", "REC", 5.),
            ("D", "REC", 0.4),
        ]);
        let d = diff(&old, &new, 0.5);
        assert_eq!(d.tables.len(), 1);
        let t = &d.tables[0];
        assert_eq!(
            (t.added.clone(), t.removed.clone()),
            (vec!["E".into()], vec!["A".into()])
        );
        assert_eq!(t.changed.len(), 2, "D moved within the tolerance");
        assert_eq!(
            t.changed[0].attributes,
            [AttributeChange {
                column: "nd_statut".into(),
                old: Some("REC".into()),
                new: Some("EXE".into())
            }]
        );
        assert_eq!(t.changed[1].key, "C");
        assert_eq!(
            t.changed[1].geometry,
            Some(GeometryChange::Moved { distance_m: 5.0 })
        );
        assert!(diff(&old, &old, 0.0).is_empty());
    }
}
