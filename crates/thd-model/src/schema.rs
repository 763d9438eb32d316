//! The schema of a GraceTHD version: tables, columns and value lists, deserialized from the project's model files.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::GraceVersion;

/// The whole model of one GraceTHD version.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Schema {
    pub model: String,
    pub version: String,
    pub srid: u32,
    pub tables: Vec<TableDef>,
    pub lists: Vec<ValueList>,
    #[serde(skip)]
    table_index: HashMap<String, usize>,
    #[serde(skip)]
    list_index: HashMap<String, usize>,
}

/// One table of the model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableDef {
    /// Lower-case table name, e.g. `t_noeud`.
    pub name: String,
    /// The model's class name, e.g. `Noeud`.
    pub label: String,
    /// How the table is delivered: spatial tables as shapefiles, the others as CSV.
    pub format: TableFormat,
    pub primary_key: Vec<String>,
    pub geometry: Option<GeometryDef>,
    pub columns: Vec<ColumnDef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    Shapefile,
    Csv,
}

/// The geometry column of a spatial table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GeometryDef {
    pub column: String,
    pub kind: GeometryKind,
    pub srid: u32,
    pub nullable: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GeometryKind {
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
}

/// One attribute of a table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    #[serde(flatten)]
    pub ty: ColumnType,
    pub nullable: bool,
    #[serde(default)]
    pub unique: bool,
    /// Value list the attribute takes its codes from (`l_statut`).
    #[serde(default)]
    pub list: Option<String>,
    /// Foreign key to another table, as `t_noeud.nd_code`.
    #[serde(default)]
    pub references: Option<String>,
    /// Name in a DBF file when the column name is longer than DBF's 10 characters.
    #[serde(default)]
    pub dbf_name: Option<String>,
    /// Short French label.
    #[serde(default)]
    pub label: String,
}

/// The type of an attribute, as the model defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ColumnType {
    Text {
        len: u32,
    },
    Integer,
    Bigint,
    Numeric {
        #[serde(default)]
        precision: Option<u32>,
        #[serde(default)]
        scale: Option<u32>,
    },
    Boolean,
    Date,
    Timestamp,
}

/// A GraceTHD value list (`l_statut`, `l_ptech_type_phy`...).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ValueList {
    pub name: String,
    #[serde(default)]
    pub code_len: Option<u32>,
    pub values: Vec<ListValue>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ListValue {
    pub code: String,
    pub label: String,
}

/// Why a model file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    #[error("model file is not valid: {0}")]
    Json(#[from] serde_json::Error),
}

impl Schema {
    /// Parses a model file in the project's format.
    pub fn from_json(json: &str) -> Result<Self, SchemaError> {
        let mut schema: Schema = serde_json::from_str(json)?;
        schema.index();
        Ok(schema)
    }

    fn index(&mut self) {
        self.table_index = self
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i))
            .collect();
        self.list_index = self
            .lists
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.clone(), i))
            .collect();
    }

    /// The built-in model of a version, embedded in the binary from `gracethd/`.
    pub fn of(version: GraceVersion) -> &'static Schema {
        static V2: OnceLock<Schema> = OnceLock::new();
        static V3: OnceLock<Schema> = OnceLock::new();
        let (cell, json) = match version {
            GraceVersion::V2_0_1 => (&V2, include_str!("../../../gracethd/v2.0.1/model.json")),
            GraceVersion::V3 => (&V3, include_str!("../../../gracethd/v3/model.json")),
        };
        cell.get_or_init(|| {
            // The embedded files are generated and checked by the test suite: failing here is a build defect.
            Schema::from_json(json)
                .unwrap_or_else(|e| panic!("embedded model of {version} is invalid: {e}"))
        })
    }

    /// A table by its lower-case name.
    pub fn table(&self, name: &str) -> Option<&TableDef> {
        self.table_index.get(name).map(|&i| &self.tables[i])
    }

    pub fn list(&self, name: &str) -> Option<&ValueList> {
        self.list_index.get(name).map(|&i| &self.lists[i])
    }
}

impl TableDef {
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column a file's field stands for, accepting DBF-truncated names and any letter case.
    pub fn column_for_field(&self, field: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| {
            c.name.eq_ignore_ascii_case(field)
                || c.dbf_name
                    .as_deref()
                    .is_some_and(|d| d.eq_ignore_ascii_case(field))
        })
    }

    /// The attribute prefix of the table (`nd` for `t_noeud`), taken from its primary key.
    pub fn prefix(&self) -> Option<&str> {
        self.primary_key
            .first()
            .and_then(|k| k.split_once('_'))
            .map(|(p, _)| p)
    }
}

impl ValueList {
    pub fn contains(&self, code: &str) -> bool {
        self.values.iter().any(|v| v.code == code)
    }

    pub fn label(&self, code: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|v| v.code == code)
            .map(|v| v.label.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v2_model_has_the_33_tables_and_49_lists_of_the_reference() {
        let schema = Schema::of(GraceVersion::V2_0_1);
        assert_eq!(schema.version, "2.0.1");
        assert_eq!(schema.tables.len(), 33);
        assert_eq!(schema.lists.len(), 49);
    }

    #[test]
    fn v2_paths_are_linestrings_between_two_nodes() {
        let schema = Schema::of(GraceVersion::V2_0_1);
        let paths = schema.table("t_cheminement").expect("t_cheminement");
        assert_eq!(paths.format, TableFormat::Shapefile);
        assert_eq!(paths.primary_key, ["cm_code"]);
        assert_eq!(
            paths.geometry.as_ref().map(|g| g.kind),
            Some(GeometryKind::LineString)
        );
        let nd1 = paths.column("cm_ndcode1").expect("cm_ndcode1");
        assert_eq!(nd1.references.as_deref(), Some("t_noeud.nd_code"));
        assert_eq!(paths.prefix(), Some("cm"));
    }

    #[test]
    fn v2_lists_carry_codes_and_labels() {
        let schema = Schema::of(GraceVersion::V2_0_1);
        let statut = schema.list("l_statut").expect("l_statut");
        assert!(statut.contains("AVP"));
        assert!(!statut.contains("XYZ"));
        assert_eq!(statut.label("AVP"), Some("AVANT-PROJET"));
        let col = schema
            .table("t_ptech")
            .and_then(|t| t.column("pt_typephy"))
            .expect("pt_typephy");
        assert_eq!(col.list.as_deref(), Some("l_ptech_type_phy"));
    }

    #[test]
    fn fields_match_columns_case_insensitively() {
        let schema = Schema::of(GraceVersion::V2_0_1);
        let nodes = schema.table("t_noeud").expect("t_noeud");
        assert_eq!(
            nodes.column_for_field("ND_CODE").map(|c| c.name.as_str()),
            Some("nd_code")
        );
        assert!(nodes.column_for_field("nd_nothing").is_none());
    }
}
