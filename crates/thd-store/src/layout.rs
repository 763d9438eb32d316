//! Where a delivered table goes in the store: the data table of its model version, and the stored column of
//! each delivered column.
//!
//! Data tables are shared by all deliveries of a model version (`v201_t_noeud`, `v3_t_noeud`), so QGIS shows
//! one layer per GraceTHD table with a `delivery_id` to filter on. They start with the model's columns; a column
//! a delivery adds (readers keep extra columns, and may keep a duplicated one under the same name) is added to
//! the table, renamed when its name is taken, and the rename is recorded so `load` gives the delivery back as it
//! came.

use thd_model::{GraceVersion, Schema};

/// Columns every data table has, which delivered columns may not take (`geom_wkb` exists only in PostGIS, see
/// the `postgres` module, but is reserved on both backends so a delivery is laid out the same way on each).
pub(crate) const RESERVED: [&str; 4] = ["fid", "delivery_id", "geom", "geom_wkb"];

/// The data table of a GraceTHD table in a model version.
pub(crate) fn store_table(version: GraceVersion, table: &str) -> String {
    let prefix = match version {
        GraceVersion::V2_0_1 => "v201",
        GraceVersion::V3 => "v3",
    };
    format!("{prefix}_{table}")
}

/// The model's columns of a table, which its data table is created with.
pub(crate) fn model_columns(version: GraceVersion, table: &str) -> Vec<String> {
    Schema::of(version)
        .table(table)
        .map(|def| def.columns.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default()
}

/// The stored column of each delivered column, in delivered order: its own name unless reserved or already
/// taken by an earlier column of the same delivery (SQLite names are case-insensitive), else `name_2`, `name_3`...
pub(crate) fn stored_columns(delivered: &[String]) -> Vec<String> {
    let mut taken: Vec<String> = RESERVED.iter().map(|r| r.to_string()).collect();
    let mut out = Vec::with_capacity(delivered.len());
    for name in delivered {
        let free = |candidate: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(candidate));
        let mut stored = name.clone();
        let mut n = 2;
        while !free(&stored) {
            stored = format!("{name}_{n}");
            n += 1;
        }
        taken.push(stored.clone());
        out.push(stored);
    }
    out
}

/// An SQL identifier, quoted.
pub(crate) fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicated_and_reserved_names_are_renamed_in_order() {
        let delivered: Vec<String> = ["nd_code", "ND_CODE", "geom", "nd_code_2", "x"]
            .map(String::from)
            .into();
        assert_eq!(
            stored_columns(&delivered),
            ["nd_code", "ND_CODE_2", "geom_2", "nd_code_2_2", "x"]
        );
    }

    #[test]
    fn tables_are_named_by_version() {
        assert_eq!(store_table(GraceVersion::V2_0_1, "t_noeud"), "v201_t_noeud");
        assert_eq!(store_table(GraceVersion::V3, "t_site"), "v3_t_site");
        assert!(model_columns(GraceVersion::V2_0_1, "t_noeud").contains(&"nd_code".to_string()));
    }
}
